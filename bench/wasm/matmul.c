/* Integer loops over memory: square matrix multiplication in row-major arrays, the result fed
 * back as the next left operand so each round depends on the one before. */
#include "bench.h"

enum { N = 160, ROUNDS = 8 };

static uint32_t a[N][N], b[N][N], c[N][N];

uint32_t bench_run(void) {
    uint32_t state = bench_seed();
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            a[i][j] = bench_next(&state) & 0xff;
            b[i][j] = bench_next(&state) & 0xff;
        }
    uint32_t check = 0;
    for (int round = 0; round < ROUNDS; ++round) {
        for (int i = 0; i < N; ++i) {
            for (int j = 0; j < N; ++j)
                c[i][j] = 0;
            /* i-k-j order walks b and c row by row, the cache-friendly loop nest. */
            for (int k = 0; k < N; ++k) {
                uint32_t aik = a[i][k];
                for (int j = 0; j < N; ++j)
                    c[i][j] += aik * b[k][j];
            }
        }
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                check = check * 31 + c[i][j];
                a[i][j] = c[i][j] >> 16 & 0xff; /* keep the next round's products small */
            }
    }
    return check;
}
