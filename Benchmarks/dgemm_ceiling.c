// The ceiling for the core's step: the same cblas_dgemm calls one gradient-descent step needs,
// timed from C with nothing else (no activations, no loss, no allocation, no update).
// Not a model of the step: it prints the GFLOP/s that the core's step is compared with.
//
//   gcc -O2 dgemm_ceiling.c $(pkg-config --cflags --libs openblas) -o dgemm_ceiling
//   OPENBLAS_NUM_THREADS=1 ./dgemm_ceiling [seconds]
//
// Per layer (I inputs, J units, N samples; ni, nj below, as <complex.h> takes the name I), row-major as the core stores its matrices:
//   forward   a  = z_prev · Wᵀ     N×I · (J×I)ᵀ
//   backward  dW = s · δᵀ · z_prev  (N×J)ᵀ · N×I
//             dz = δ · W           N×J · J×I     (not for the first layer, as in the core: nothing is below it)
// Flops are counted as 2·m·n·k per product. Output: one line per shape,
// "NAME GFLOPS MS CPU_GFLOPS CPU_MS": the best step by the wall clock, and by this thread's CPU time.
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { const char *name; int layers; int widths[5]; int batch; } Shape;

static const Shape shapes[] = {
    {"2-2-2", 2, {2, 2, 2}, 1},
    {"784-128-10/B64", 2, {784, 128, 10}, 64},
    {"784-512-512-10/B128", 3, {784, 512, 512, 10}, 128},
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// This thread's CPU time: unlike the wall clock it does not count time spent preempted, so it
// stays meaningful on a loaded machine.
static double cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 42;
static double uniform(double lo, double hi) {
    rng += 0x9E3779B97F4A7C15ull;
    uint64_t z = rng;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return lo + (hi - lo) * ((double)(z >> 11) * 0x1p-53);
}

static double *matrix(int rows, int cols) {
    double *m = malloc(sizeof(double) * (size_t)rows * cols);
    for (long e = 0; e < (long)rows * cols; e++) m[e] = uniform(-0.1, 0.1);
    return m;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    double budget = argc > 1 ? atof(argv[1]) : 1.0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const Shape *sh = &shapes[s];
        int L = sh->layers, N = sh->batch;
        double *W[4], *z[5], *delta[4], *dW[4], *dz[4];
        double flops = 0;
        z[0] = matrix(N, sh->widths[0]);
        for (int l = 0; l < L; l++) {
            int ni = sh->widths[l], nj = sh->widths[l + 1];
            W[l] = matrix(nj, ni); z[l + 1] = matrix(N, nj); delta[l] = matrix(N, nj);
            dW[l] = matrix(nj, ni); dz[l] = matrix(N, ni);
            /* forward and weight gradient; the error sent back (δ·W) only above the first layer */
            flops += (l > 0 ? 3 : 2) * 2.0 * N * ni * nj;
        }
        double scale = 1.0 / N;
        static double times[100000], cpus[100000];
        int runs = 0, group = 1;
        double start = now();
        // One warm-up step, which also sizes the groups: steps shorter than 100 µs are timed in
        // groups that take about that long, so that reading the clocks does not count.
        for (int warm = 1; warm >= 0; warm--) {
            do {
                double t0 = now(), c0 = cpu();
                for (int g = 0; g < group; g++) {
                    for (int l = 0; l < L; l++) {
                        int ni = sh->widths[l], nj = sh->widths[l + 1];
                        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, nj, ni, 1.0, z[l], ni, W[l], ni, 0.0, z[l + 1], nj);
                    }
                    for (int l = L - 1; l >= 0; l--) {
                        int ni = sh->widths[l], nj = sh->widths[l + 1];
                        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nj, ni, N, scale, delta[l], nj, z[l], ni, 0.0, dW[l], ni);
                        if (l > 0) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, ni, nj, 1.0, delta[l], nj, W[l], ni, 0.0, dz[l], ni);
                    }
                }
                double t = (now() - t0) / group, c = (cpu() - c0) / group;
                if (warm) { group = t < 1e-4 ? (int)(1e-4 / (t > 1e-9 ? t : 1e-9)) : 1; break; }
                times[runs] = t; cpus[runs] = c; runs++;
            } while (runs < 3 || (now() - start < budget && runs < 100000));
        }
        // The best run, as the Swift benchmark reports: on a shared machine the median mostly
        // measures the neighbours.
        qsort(times, runs, sizeof(double), cmp);
        qsort(cpus, runs, sizeof(double), cmp);
        double t = times[0], c = cpus[0];
        printf("%s %.3f %.4f %.3f %.4f\n", sh->name, flops / t / 1e9, t * 1e3, flops / c / 1e9, c * 1e3);
        for (int l = 0; l < L; l++) { free(W[l]); free(z[l + 1]); free(delta[l]); free(dW[l]); free(dz[l]); }
        free(z[0]);
    }
    return 0;
}
