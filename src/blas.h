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

/* Which library makes a product: --gemm auto (the faster one for the shape
 * on this CPU, by blas_gemm_cblas_from's calibrated rule), libxsmm (where it
 * has a kernel: alpha 1, beta 0 or 1) or the CBLAS. */
typedef enum { BLAS_GEMM_AUTO, BLAS_GEMM_LIBXSMM, BLAS_GEMM_CBLAS, BLAS_GEMM_COUNT } blas_gemm_mode;
typedef enum { BLAS_PATH_LIBXSMM, BLAS_PATH_CBLAS } blas_gemm_path;
extern const char *const blas_gemm_names[BLAS_GEMM_COUNT];   /* "auto", "libxsmm", "cblas" */
/* The mode's enumerator for its name: 0, or -1 for no such name. */
int blas_gemm_parse(const char *s, blas_gemm_mode *mode);
/* Use the mode from now on, before any thread makes a product: 0, or -1 for
 * libxsmm in a build without it. */
int blas_gemm_set(blas_gemm_mode mode);
blas_gemm_mode blas_gemm_get(void);
int blas_has_libxsmm(void);
/* The library the mode in effect picks for an (M,N,K) product (libxsmm
 * still hands to the CBLAS the products it has no kernel for). */
blas_gemm_path blas_gemm_pick(size_t M, size_t N, size_t K);
/* auto's rule for a CPU (vendor "intel", "amd", ...; OpenBLAS's kernel
 * family): products of M N K at least this go to the CBLAS; 0: none. */
double blas_gemm_cblas_from(const char *vendor, const char *core);
/* The rule in effect, in words (--version). */
const char *blas_gemm_rule(void);

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
 * JIT target: "hsw", "cpx", ...; LIBXSMM_TARGET overrides it) and, where
 * auto sends the larger products to the CBLAS, ", cblas from m*n*k 2^E";
 * " (libxsmm off)" with --gemm cblas.  Kernels round differently: records
 * made with different ones may differ in the last bits. */
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
