/* Floating point: iteration counts of the Mandelbrot set over a fixed grid, the inner loop
 * a tight chain of double multiplies and adds with a data-dependent exit. */
#include "bench.h"

enum { WIDTH = 640, HEIGHT = 480, MAX_ITER = 200 };

uint32_t bench_run(void) {
    double shift = (double)(bench_seed() & 1) * 1e-9; /* tiny, but unknown at compile time */
    uint32_t check = 0;
    for (int py = 0; py < HEIGHT; ++py) {
        double ci = -1.2 + 2.4 * py / HEIGHT + shift;
        uint32_t row = 0;
        for (int px = 0; px < WIDTH; ++px) {
            double cr = -2.1 + 3.0 * px / WIDTH;
            double zr = 0.0, zi = 0.0;
            int iter = 0;
            while (iter < MAX_ITER) {
                double zr2 = zr * zr, zi2 = zi * zi;
                if (zr2 + zi2 > 4.0)
                    break;
                zi = 2.0 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                ++iter;
            }
            row += (uint32_t)iter * (uint32_t)(px + 1);
        }
        check = check * 31 + row;
    }
    return check;
}
