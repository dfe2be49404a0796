/* blas.h - the one place satbench talks to BLAS: a GEMM over flat row-major
 * buffers (libxsmm's JIT kernels when configure found libxsmm, else
 * gsl_blas over the CBLAS), a safe Euclidean norm, and control of the
 * optimized library's own threads. */
#ifndef SB_BLAS_H
#define SB_BLAS_H

#include <stddef.h>

/* C (M,N) = alpha * op(A) op(B) + beta * C, all row-major.
 * op(A) is (M,K): A is (M,K), or (K,M) when transA.  op(B) is (K,N). */
void blas_gemm(int transA, int transB, size_t M, size_t N, size_t K,
               double alpha, const double *A, const double *B,
               double beta, double *C);

/* ||x||_2 without overflow or underflow of the squares (gradients of deep
 * sigmoid nets reach 1e-40 and below and must still be measured). */
double blas_nrm2(const double *x, size_t n);

/* Name of the CBLAS linked behind gsl_blas ("openblas", "gslcblas", ...). */
const char *blas_name(void);
/* The library's own description of its build (OpenBLAS: version, kernel
 * chosen for this CPU, threading), or blas_name() when it has none. */
const char *blas_config(void);
/* The kernel family OpenBLAS chose for this CPU at start-up (its
 * "coretype": "Haswell", "SkylakeX", ...; OPENBLAS_CORETYPE overrides it),
 * or "" for another BLAS; with libxsmm, followed by " + libxsmm ARCH" (its
 * JIT target: "hsw", "cpx", ...; LIBXSMM_TARGET overrides it).  Kernels
 * round differently: records made with different ones may differ in the
 * last bits. */
const char *blas_kernel(void);
/* A warning when OpenBLAS runs generic kernels on a CPU with faster
 * ones, naming the OPENBLAS_CORETYPE to set; NULL otherwise. */
const char *blas_kernel_warning(void);
/* Set up the GEMM's library (libxsmm's registry of kernels): 0, or -1
 * when it could not (no memory for it). */
int blas_ready(void);
/* Ask the optimized BLAS to use n threads (no-op for gslcblas). */
void blas_set_threads(int n);

#endif
