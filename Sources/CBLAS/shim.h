// The C the core calls, for Matrix.swift's products (BLASKernels.swift). Nothing is wrapped:
// every function here is a plain C function that Swift calls directly.
// OpenBLAS's CBLAS interface: cblas_dgemm, openblas_set_num_threads, openblas_get_config.
#include <cblas.h>
