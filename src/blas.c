/* blas.c - GEMM and norms over flat buffers: the GEMMs on libxsmm's kernels
 * when it is linked (HAVE_LIBXSMM) and the product has one, else, like the
 * norms, through gsl_blas views (which cost no allocation); the CBLAS
 * thread knob; the kernels' name. */
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

#include <math.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_LIBXSMM
#include <libxsmm.h>
#include <pthread.h>
#include <stdlib.h>

/* B (rows x cols, row-major) into T (cols x rows), in tiles that stay in
 * cache. */
static void transpose(double *restrict T, const double *restrict B, size_t rows, size_t cols)
{
  enum { TILE = 16 };
  for (size_t i0 = 0; i0 < rows; i0 += TILE)
    for (size_t j0 = 0; j0 < cols; j0 += TILE) {
      size_t i1 = i0 + TILE < rows ? i0 + TILE : rows, j1 = j0 + TILE < cols ? j0 + TILE : cols;
      for (size_t j = j0; j < j1; j++)
        for (size_t i = i0; i < i1; i++) T[j * rows + i] = B[i * cols + j];
    }
}

/* A per-thread buffer of at least n doubles that grows and is kept: a
 * step's products then allocate nothing after the first.  NULL when out of
 * memory. */
static double *scratch(int which, size_t n)
{
  static _Thread_local double *buf[2];
  static _Thread_local size_t cap[2];
  if (n > cap[which]) {
    double *p = realloc(buf[which], n * sizeof *p);
    if (!p) return NULL;
    buf[which] = p;
    cap[which] = n;
  }
  return buf[which];
}

static libxsmm_dmmfunction kernel(size_t m, size_t n, size_t k, size_t lda, size_t ldb, size_t ldc,
                                  double alpha, double beta, int flags)
{
  libxsmm_blasint im = (libxsmm_blasint)m, in = (libxsmm_blasint)n, ik = (libxsmm_blasint)k;
  libxsmm_blasint ia = (libxsmm_blasint)lda, ib = (libxsmm_blasint)ldb, ic = (libxsmm_blasint)ldc;
  return libxsmm_dmmdispatch(im, in, ik, &ia, &ib, &ic, &alpha, &beta, &flags, NULL);
}

/* The kernels leave the upper halves of the vector registers dirty (they
 * end without vzeroupper), and every SSE instruction after that pays for
 * it: the default build's elementwise loops ran 3-5x slower after each
 * product (the manual, "Speed").  Called right after each kernel. */
static void clean_upper(void)
{
#if defined __x86_64__ || defined __i386__
  static _Thread_local int avx = -1;
  if (avx < 0) avx = libxsmm_get_target_archid() >= LIBXSMM_X86_AVX;
  if (avx) __asm__ __volatile__("vzeroupper" ::: "memory");
#endif
}

/* The depth of one kernel call: libxsmm's kernels keep no cache blocking of
 * their own, and walk the whole m x k panel of their first operand for each
 * few columns of the result; once that panel outgrows the core's L2 they
 * run from L3 at half speed (width 1024 on an Intel Xeon of family 6, model
 * 207: 25 against 53 GFLOP/s).  So k is cut into slices whose panel stays
 * within XSMM_PANEL doubles (512 KiB: half the smallest L2 of the machines
 * satbench runs on), and the slices accumulate into C (beta 1 after the
 * first).  A kernel adds each element's products in k order onto what C
 * holds, so the sliced product has the bits of the whole one -- when m is
 * a multiple of 16: with rows left over from its AVX-512 blocks, a kernel's
 * last rows round differently for some lengths of k (measured on libxsmm
 * 1.17's cpx and skx kernels; hsw, snb and wsm agree for every m), so such
 * products stay whole and keep their bits.  tests/test_blas.c checks it. */
enum { XSMM_PANEL = 1 << 16, XSMM_MIN_SLICE = 64, XSMM_SLICED_M = 16 };

static size_t xsmm_slice(size_t m, size_t k)
{
  if (m % XSMM_SLICED_M != 0) return k;
  size_t kb = XSMM_PANEL / m;
  kb -= kb % XSMM_MIN_SLICE;
  if (kb < XSMM_MIN_SLICE) kb = XSMM_MIN_SLICE;
  return kb >= k ? k : kb;
}

/* Column-major C (m x n) = A (m x k, lda) op(B) + beta C (ldc), op(B) =
 * B (k x n, ldb) or, with LIBXSMM_GEMM_FLAG_TRANS_B, B' (B: n x k), in k
 * slices (xsmm_slice).  Every kernel is dispatched before C is touched: 0
 * (C as it was) when libxsmm has none for one of the slices' shapes. */
static int xsmm_sliced(size_t m, size_t n, size_t k, const double *A, size_t lda, const double *B, size_t ldb,
                       double beta, double *C, size_t ldc, int flags)
{
  size_t kb = xsmm_slice(m, k), last = k - (k - 1) / kb * kb;
  libxsmm_dmmfunction first = kernel(m, n, k < kb ? k : kb, lda, ldb, ldc, 1.0, beta, flags);
  libxsmm_dmmfunction mid = k > 2 * kb ? kernel(m, n, kb, lda, ldb, ldc, 1.0, 1.0, flags) : first;
  libxsmm_dmmfunction end = k > kb ? kernel(m, n, last, lda, ldb, ldc, 1.0, 1.0, flags) : first;
  if (!first || !mid || !end) return 0;
  size_t b_step = flags & LIBXSMM_GEMM_FLAG_TRANS_B ? ldb : 1;
  for (size_t k0 = 0; k0 < k; k0 += kb) {
    libxsmm_dmmfunction f = k0 == 0 ? first : k0 + kb >= k ? end : mid;
    f(A + k0 * lda, B + k0 * b_step, C);
    clean_upper();
  }
  return 1;
}

/* The product by libxsmm's kernels, or 0 when there is none for it (alpha
 * other than 1, beta other than 0 or 1, sizes beyond int, no JIT on this
 * CPU, no memory for a transpose).  libxsmm is column-major: the row-major
 * C = op(A) op(B) is its C' = op(B)' op(A)' on the same buffers, with op(A)'
 * a transpose it does itself (TRANS_B) and op(B)' one it does not (TRANS_A).
 * For transB (the error's d W', the Jacobian's G W'), whichever is smaller
 * is transposed into per-thread buffers: B (N x K: W, at widths up to the
 * batch), or A and the result (M x K and M x N: the batch's rows, at larger
 * widths; then libxsmm's C = A B' is the column-major C computed from A'
 * and B as they are, C is transposed into place, and beta must be 0 and A
 * untransposed).
 * Each element of C is one sum over k in order, the same either way, and
 * whatever the kernel's vector width; xsmm_slice cuts k only where that
 * keeps the bits. */
static int xsmm_gemm(int transA, int transB, size_t M, size_t N, size_t K,
                     double alpha, const double *A, const double *B, double beta, double *C)
{
  const size_t big = (size_t)1 << 30;
  if (alpha != 1.0 || (beta != 0.0 && beta != 1.0) || M == 0 || N == 0 || K == 0 ||
      M > big || N > big || K > big || (transB && (N * K > big || M * (K + N) > big)))
    return 0;
  if (transB && !transA && beta == 0.0 && M * (K + N) < N * K) {
    double *at = scratch(0, M * K), *ct = scratch(1, M * N);
    if (!at || !ct) return 0;
    transpose(at, A, M, K);
    if (!xsmm_sliced(M, N, K, at, M, B, K, 0.0, ct, M, 0)) return 0;
    transpose(C, ct, N, M);
    return 1;
  }
  if (transB) {
    double *bt = scratch(0, N * K);
    if (!bt) return 0;
    transpose(bt, B, N, K);
    B = bt;
  }
  return xsmm_sliced(N, M, K, B, N, A, transA ? M : K, beta, C, N, transA ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
}
#endif

/* Which library makes the products: set once, before any cell runs
 * (blas_gemm_set), read by every thread. */
static blas_gemm_mode gemm_mode = BLAS_GEMM_AUTO;

/* The calibrated rule of --gemm auto: on the CPUs of a row, products of m n k
 * multiply-adds from cblas_from on go to the CBLAS, smaller ones to libxsmm;
 * 0 keeps libxsmm at every shape, as does a CPU no row names (the choice
 * before the rule).  The rule reads only the CPU's vendor, OpenBLAS's kernel
 * family and the shape, never a timing: the same CPU picks the same library
 * for a shape on every thread, rank, shard and rerun, so the tables keep
 * their bytes, where a timing at start-up could flip a choice between two
 * runs.  Each row is a measurement on an idle machine (bench_kernel -g,
 * README "Speed"); a new CPU is a new row.  The three products of a hidden
 * layer share m n k (batch x width x width), so a threshold between two
 * widths sends all of a layer's products to one library. */
static const struct gemm_rule {
  const char *vendor;      /* "intel", "amd" (cpu_vendor) */
  const char *core;        /* OpenBLAS's kernel family; NULL: any */
  double cblas_from;       /* m n k from which the CBLAS is faster; 0: never */
} gemm_rules[] = {
  /* Intel family 6, model 167, OpenBLAS 0.3.21's SkylakeX kernels, batch
   * 128 (issue 29): libxsmm 72.6 / 56.3 / 44.6 GFLOP/s at widths 128, 512,
   * 1024 (m n k 2^21, 2^25, 2^27), the CBLAS 51.3 / 52.6 / 54.3: the cut
   * between widths 512 and 1024. */
  { "intel", "SkylakeX", 67108864.0 /* 2^26 */ },
  /* AMD EPYC family 25, model 17, OpenBLAS 0.3.21's Cooperlake kernels,
   * batch 128, products in the step's order (bench_kernel, 2026-12-07):
   * libxsmm 57.3 / 48.0 / 44.7 GFLOP/s at widths 128, 512, 1024, the CBLAS
   * 47.9 / 47.3 / 48.2: the same cut as on Intel. */
  { "amd", "Cooperlake", 67108864.0 /* 2^26 */ },
  /* Other AMD machines (an EPYC measured earlier with OpenBLAS's Zen
   * kernels, issue 29): libxsmm faster at every width. */
  { "amd", NULL, 0.0 },
};

double blas_gemm_cblas_from(const char *vendor, const char *core)
{
  for (size_t r = 0; r < sizeof gemm_rules / sizeof gemm_rules[0]; r++)
    if (!strcmp(gemm_rules[r].vendor, vendor) && (!gemm_rules[r].core || !strcmp(gemm_rules[r].core, core)))
      return gemm_rules[r].cblas_from;
  return 0.0;
}

static const char *openblas_core(void);

#ifdef HAVE_LIBXSMM
static const char *cpu_vendor(void)
{
#if defined __x86_64__ || defined __i386__
  __builtin_cpu_init();
  if (__builtin_cpu_is("intel")) return "intel";
  if (__builtin_cpu_is("amd")) return "amd";
#endif
  return "";
}

static double cblas_from;   /* this CPU's, once (pthread_once) */
static void cblas_from_init(void) { cblas_from = blas_gemm_cblas_from(cpu_vendor(), openblas_core()); }

/* The m n k from which auto sends a product to the CBLAS on this CPU, 0 for
 * never. */
static double gemm_cblas_from(void)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, cblas_from_init);
  return cblas_from;
}
#endif

blas_gemm_path blas_gemm_pick(size_t M, size_t N, size_t K)
{
#ifdef HAVE_LIBXSMM
  if (gemm_mode == BLAS_GEMM_LIBXSMM) return BLAS_PATH_LIBXSMM;
  if (gemm_mode == BLAS_GEMM_CBLAS) return BLAS_PATH_CBLAS;
  double from = gemm_cblas_from();
  return from > 0.0 && (double)M * (double)N * (double)K >= from ? BLAS_PATH_CBLAS : BLAS_PATH_LIBXSMM;
#else
  (void)M, (void)N, (void)K;
  return BLAS_PATH_CBLAS;
#endif
}

void blas_gemm(int transA, int transB, size_t M, size_t N, size_t K,
               double alpha, const double *A, const double *B,
               double beta, double *C)
{
#ifdef HAVE_LIBXSMM
  if (blas_gemm_pick(M, N, K) == BLAS_PATH_LIBXSMM && xsmm_gemm(transA, transB, M, N, K, alpha, A, B, beta, C)) return;
#endif
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

static const char *openblas_core(void)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
  const char *k = openblas_get_corename();
  return k && *k ? k : "unknown";
#else
  return "";
#endif
}

/* The GEMMs' code, as cells write it into their records (from any thread):
 * "<OpenBLAS's kernel> + libxsmm <its JIT target>" when libxsmm makes every
 * product it has a kernel for, followed by ", cblas from m*n*k 2^E" where
 * auto's rule sends the larger ones to the CBLAS; "<OpenBLAS's kernel>
 * (libxsmm off)" with --gemm cblas.  Two records with the same name were
 * made by the same code, shape for shape.  Made by blas_gemm_set, before
 * any thread runs. */
#ifdef HAVE_LIBXSMM
static char kernel_name[128];
static void kernel_name_make(void)
{
  const char *k = openblas_core();
  double from = gemm_mode == BLAS_GEMM_AUTO ? gemm_cblas_from() : 0.0;
  if (gemm_mode == BLAS_GEMM_CBLAS)
    snprintf(kernel_name, sizeof kernel_name, "%s%s(libxsmm off)", k, *k ? " " : "");
  else if (from > 0.0)
    snprintf(kernel_name, sizeof kernel_name, "%s%slibxsmm %s, cblas from m*n*k 2^%d", k, *k ? " + " : "",
             libxsmm_get_target_arch(), (int)log2(from));
  else
    snprintf(kernel_name, sizeof kernel_name, "%s%slibxsmm %s", k, *k ? " + " : "", libxsmm_get_target_arch());
}
#endif

const char *blas_kernel(void)
{
#ifdef HAVE_LIBXSMM
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, kernel_name_make);
  return kernel_name;
#else
  return openblas_core();
#endif
}

int blas_gemm_set(blas_gemm_mode mode)
{
#ifndef HAVE_LIBXSMM
  if (mode == BLAS_GEMM_LIBXSMM) return -1;
#endif
  gemm_mode = mode;
#ifdef HAVE_LIBXSMM
  blas_kernel();         /* made once; now again for this mode */
  kernel_name_make();
#endif
  return 0;
}

blas_gemm_mode blas_gemm_get(void) { return gemm_mode; }

int blas_gemm_parse(const char *s, blas_gemm_mode *mode)
{
  for (int m = 0; m < BLAS_GEMM_COUNT; m++)
    if (!strcmp(s, blas_gemm_names[m])) {
      *mode = (blas_gemm_mode)m;
      return 0;
    }
  return -1;
}

const char *const blas_gemm_names[BLAS_GEMM_COUNT] = {
  [BLAS_GEMM_AUTO] = "auto", [BLAS_GEMM_LIBXSMM] = "libxsmm", [BLAS_GEMM_CBLAS] = "cblas",
};

int blas_has_libxsmm(void)
{
#ifdef HAVE_LIBXSMM
  return 1;
#else
  return 0;
#endif
}

const char *blas_gemm_rule(void)
{
  static char rule[160];
#ifdef HAVE_LIBXSMM
  double from = gemm_cblas_from();
  if (gemm_mode != BLAS_GEMM_AUTO)
    snprintf(rule, sizeof rule, "%s at every shape (--gemm %s)", gemm_mode == BLAS_GEMM_CBLAS ? "the CBLAS" : "libxsmm",
             blas_gemm_names[gemm_mode]);
  else if (from > 0.0)
    snprintf(rule, sizeof rule, "auto: libxsmm below m*n*k 2^%d, the CBLAS from there (this CPU's calibrated rule)",
             (int)log2(from));
  else
    snprintf(rule, sizeof rule, "auto: libxsmm at every shape it has a kernel for (this CPU's rule)");
#else
  snprintf(rule, sizeof rule, "the CBLAS (built without libxsmm)");
#endif
  return rule;
}

const char *blas_kernel_warning(void)
{
#if defined HAVE_OPENBLAS_GET_CORENAME && (defined __x86_64__ || defined __i386__)
  /* OpenBLAS falls back to its SSE3 kernels (Prescott) on x86 CPUs newer
   * than itself: several times slower where AVX2 or AVX-512 is there. */
  static char msg[256];
  const char *k = openblas_core();
  if (strcmp(k, "Prescott") && strcmp(k, "Core2") && strcmp(k, "Nehalem")) return NULL;
  __builtin_cpu_init();
  const char *better = __builtin_cpu_supports("avx512f") ? "SkylakeX" : __builtin_cpu_supports("avx2") ? "Haswell" : NULL;
  if (!better) return NULL;
  snprintf(msg, sizeof msg, "OpenBLAS does not know this CPU and uses its generic %s kernels, several times slower; "
           "OPENBLAS_CORETYPE=%s uses the ones the CPU can run (info satbench, \"Speed\")", k, better);
  return msg;
#else
  return NULL;
#endif
}

int blas_ready(void)
{
#ifdef HAVE_LIBXSMM
  /* libxsmm sets itself up on its first call, and a registry it found no
   * memory for (under ulimit -v) crashes its first dispatch: set up here,
   * and asked, before any cell runs. */
  libxsmm_registry_info info;
  libxsmm_init();
  return libxsmm_get_registry_info(&info) == EXIT_SUCCESS ? 0 : -1;
#else
  return 0;
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
