/* Floating point: a small gravitational n-body simulation (leapfrog-style integration, unit
 * gravitational constant). Uses only + - * / and sqrt so native and wasm agree bit for bit. */
#include "bench.h"

enum { BODIES = 6, STEPS = 400000 };

typedef struct {
    double x, y, z;
    double vx, vy, vz;
    double mass;
} Body;

static Body bodies[BODIES];

/* A heavy centre and five lighter bodies on roughly circular, slightly tilted orbits. */
static void setup(uint32_t seed) {
    bodies[0] = (Body){0, 0, 0, 0, 0, 0, 1000.0};
    for (int i = 1; i < BODIES; ++i) {
        double r = 10.0 * i + (seed >> i & 3);
        double v = __builtin_sqrt(1000.0 / r);
        bodies[i] = (Body){r, 0.0, 0.05 * i, 0.0, v, 0.01 * i, 0.5 + 0.25 * i};
    }
}

static void advance(double dt) {
    for (int i = 0; i < BODIES; ++i) {
        Body* p = &bodies[i];
        for (int j = i + 1; j < BODIES; ++j) {
            Body* q = &bodies[j];
            double dx = p->x - q->x, dy = p->y - q->y, dz = p->z - q->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * __builtin_sqrt(d2));
            p->vx -= dx * q->mass * mag;
            p->vy -= dy * q->mass * mag;
            p->vz -= dz * q->mass * mag;
            q->vx += dx * p->mass * mag;
            q->vy += dy * p->mass * mag;
            q->vz += dz * p->mass * mag;
        }
    }
    for (int i = 0; i < BODIES; ++i) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

static double energy(void) {
    double e = 0.0;
    for (int i = 0; i < BODIES; ++i) {
        const Body* p = &bodies[i];
        e += 0.5 * p->mass * (p->vx * p->vx + p->vy * p->vy + p->vz * p->vz);
        for (int j = i + 1; j < BODIES; ++j) {
            const Body* q = &bodies[j];
            double dx = p->x - q->x, dy = p->y - q->y, dz = p->z - q->z;
            e -= p->mass * q->mass / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

/* The checksum folds the exact bit patterns, so any difference in rounding shows. */
static uint32_t fold(double d) {
    union {
        double d;
        uint64_t u;
    } bits = {d};
    return (uint32_t)(bits.u ^ bits.u >> 32);
}

uint32_t bench_run(void) {
    setup(bench_seed());
    uint32_t check = fold(energy());
    for (int step = 0; step < STEPS; ++step)
        advance(0.001);
    check = check * 31 + fold(energy());
    for (int i = 0; i < BODIES; ++i)
        check = check * 31 + fold(bodies[i].x) + fold(bodies[i].vy);
    return check;
}
