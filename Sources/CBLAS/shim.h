// The C the core calls, for Matrix.swift's products (BLASKernels.swift). Nothing is wrapped:
// every function here is a plain C function that Swift calls directly.
// OpenBLAS's CBLAS interface: cblas_dgemm, openblas_set_num_threads, openblas_get_config.
#include <cblas.h>
// glibc's mallopt, which Swift's Glibc module does not export: BLAS.configure keeps freed
// megabyte-sized matrices in the heap instead of handing them back to the kernel after each step.
#include <malloc.h>
