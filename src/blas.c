/* blas.c - GEMM and norms over flat buffers, through gsl_blas views (which
 * cost no allocation), and the CBLAS thread knob. */
#include <config.h>
#include "blas.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int num_threads);
#endif
#ifdef HAVE_OPENBLAS_GET_CONFIG
char *openblas_get_config(void);
#endif
#ifdef HAVE_OPENBLAS_GET_CORENAME
char *openblas_get_corename(void);
#endif

#include <stdio.h>
#include <string.h>

void blas_gemm(int transA, int transB, size_t M, size_t N, size_t K,
               double alpha, const double *A, const double *B,
               double beta, double *C)
{
  gsl_matrix_const_view a = transA ? gsl_matrix_const_view_array(A, K, M)
                                   : gsl_matrix_const_view_array(A, M, K);
  gsl_matrix_const_view b = transB ? gsl_matrix_const_view_array(B, N, K)
                                   : gsl_matrix_const_view_array(B, K, N);
  gsl_matrix_view c = gsl_matrix_view_array(C, M, N);
  gsl_blas_dgemm(transA ? CblasTrans : CblasNoTrans,
                 transB ? CblasTrans : CblasNoTrans,
                 alpha, &a.matrix, &b.matrix, beta, &c.matrix);
}

double blas_nrm2(const double *x, size_t n)
{
  if (n == 0) return 0.0;
  gsl_vector_const_view v = gsl_vector_const_view_array(x, n);
  return gsl_blas_dnrm2(&v.vector);
}

const char *blas_name(void) { return SB_CBLAS_NAME; }

const char *blas_config(void)
{
#ifdef HAVE_OPENBLAS_GET_CONFIG
  return openblas_get_config();
#else
  return SB_CBLAS_NAME;
#endif
}

const char *blas_kernel(void)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
  const char *k = openblas_get_corename();
  return k && *k ? k : "unknown";
#else
  return "";
#endif
}

const char *blas_kernel_warning(void)
{
#if defined HAVE_OPENBLAS_GET_CORENAME && (defined __x86_64__ || defined __i386__)
  /* OpenBLAS falls back to its SSE3 kernels (Prescott) on x86 CPUs newer
   * than itself: several times slower where AVX2 or AVX-512 is there. */
  static char msg[256];
  const char *k = blas_kernel();
  if (strcmp(k, "Prescott") && strcmp(k, "Core2") && strcmp(k, "Nehalem")) return NULL;
  __builtin_cpu_init();
  const char *better = __builtin_cpu_supports("avx512f") ? "SkylakeX" : __builtin_cpu_supports("avx2") ? "Haswell" : NULL;
  if (!better) return NULL;
  snprintf(msg, sizeof msg, "OpenBLAS does not know this CPU and uses its generic %s kernels, several times slower; "
           "OPENBLAS_CORETYPE=%s uses the ones the CPU can run (README, \"Speed\")", k, better);
  return msg;
#else
  return NULL;
#endif
}

void blas_set_threads(int n)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads(n < 1 ? 1 : n);
#else
  (void)n;
#endif
}
