/* test_blas.c - blas_gemm against a long-double triple loop, for every
 * transpose and beta and for shapes that take each of its paths, under each
 * --gemm (libxsmm's kernels, whole and k-sliced, the CBLAS, and auto);
 * auto's result has the bits of the library blas_gemm_pick names, and its
 * calibrated rule picks what its rows say; the two ways it makes A B' with
 * libxsmm give the same bits, and so do two cuts of k into slices;
 * per-thread buffers give the same bits on every thread. */
#include <config.h>
#include "blas.h"
#include "tap.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t lcg = 88172645463325252ull;
static double uniform(void)  /* in (-1, 1) */
{
  lcg ^= lcg << 13;
  lcg ^= lcg >> 7;
  lcg ^= lcg << 17;
  return (double)(lcg >> 11) / 4503599627370496.0 - 1.0;
}

static double *random_matrix(size_t n)
{
  double *x = malloc(n * sizeof *x);
  if (!x) { fprintf(stderr, "test_blas: out of memory\n"); exit(99); }
  for (size_t i = 0; i < n; i++) x[i] = uniform();
  return x;
}

/* The worst |C - ref| / (sum_k |a_ik b_kj| + |beta c_ij|) over C. */
static double worst_error(int ta, int tb, size_t M, size_t N, size_t K, const double *A, const double *B,
                          double beta, const double *C0, const double *C)
{
  double worst = 0.0;
  for (size_t i = 0; i < M; i++)
    for (size_t j = 0; j < N; j++) {
      long double s = beta * (long double)C0[i * N + j], scale = fabsl(s);
      for (size_t k = 0; k < K; k++) {
        long double a = ta ? A[k * M + i] : A[i * K + k], b = tb ? B[j * K + k] : B[k * N + j];
        s += a * b;
        scale += fabsl(a * b);
      }
      double e = (double)(fabsl((long double)C[i * N + j] - s) / (scale > 0 ? scale : 1.0L));
      if (e > worst) worst = e;
    }
  return worst;
}

int main(void)
{
  /* Small and odd shapes, a step's at width 128 and batch 128, and the
   * error product at widths above the batch (M (K + N) < N K: libxsmm's
   * A B' from A' and B), a wide product whose k is not cut (N 1030, not a
   * multiple of 16), and products whose k is cut into slices with a
   * shorter last one (with libxsmm: N times K above 65536, or on the A' B
   * route M times K). */
  static const size_t shapes[][3] = {
    { 1, 1, 1 }, { 7, 3, 5 }, { 8, 12, 8 }, { 33, 65, 17 }, { 128, 10, 128 },
    { 128, 128, 128 }, { 16, 200, 150 }, { 64, 256, 256 }, { 24, 1030, 200 }, { 40, 1024, 200 }, { 32, 512, 2100 },
  };
  /* Each library alone, then auto, whose every product must have the bits
   * of the library it picks for the shape (the same code, so the same
   * sums).  Without libxsmm only the CBLAS is there, and --gemm libxsmm is
   * refused. */
  int n_modes = blas_has_libxsmm() ? 3 : 2;
  static const blas_gemm_mode modes[] = { BLAS_GEMM_CBLAS, BLAS_GEMM_AUTO, BLAS_GEMM_LIBXSMM };
  tap_ok(blas_has_libxsmm() ? blas_gemm_set(BLAS_GEMM_LIBXSMM) == 0 : blas_gemm_set(BLAS_GEMM_LIBXSMM) == -1,
         "--gemm libxsmm %s", blas_has_libxsmm() ? "is there with libxsmm" : "is refused without libxsmm");
  double worst_ulps = 0.0;   /* libxsmm against the CBLAS, over the shapes */
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
    double *A = random_matrix(M * K), *B = random_matrix(K * N), *C0 = random_matrix(M * N);
    double *C = malloc(M * N * sizeof *C), *Cm[3];
    if (!C) return 99;
    for (int mi = 0; mi < 3; mi++)
      if (!(Cm[mi] = malloc(M * N * sizeof *C))) return 99;
    for (int ta = 0; ta <= 1; ta++)
      for (int tb = 0; tb <= 1; tb++)
        for (int bi = 0; bi <= 1; bi++) {
          double beta = bi;
          for (int mi = 0; mi < n_modes; mi++) {
            blas_gemm_set(modes[mi]);
            memcpy(C, C0, M * N * sizeof *C);
            blas_gemm(ta, tb, M, N, K, 1.0, A, B, beta, C);
            memcpy(Cm[mi], C, M * N * sizeof *C);
            double e = worst_error(ta, tb, M, N, K, A, B, beta, C0, C);
            tap_ok(e <= 1e-15 * (double)(K + 1) + 1e-16,
                   "--gemm %s: C = %sA%s B%s, M %zu N %zu K %zu: worst error %.2g of the terms' size (tol %.2g)",
                   blas_gemm_names[modes[mi]], bi ? "C + " : "", ta ? "'" : "", tb ? "'" : "", M, N, K, e,
                   1e-15 * (double)(K + 1) + 1e-16);
          }
          /* --gemm cblas is gsl_blas_dgemm, bit for bit */
          gsl_matrix_const_view a = ta ? gsl_matrix_const_view_array(A, K, M) : gsl_matrix_const_view_array(A, M, K);
          gsl_matrix_const_view b = tb ? gsl_matrix_const_view_array(B, N, K) : gsl_matrix_const_view_array(B, K, N);
          memcpy(C, C0, M * N * sizeof *C);
          gsl_matrix_view c = gsl_matrix_view_array(C, M, N);
          gsl_blas_dgemm(ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, 1.0, &a.matrix, &b.matrix, beta, &c.matrix);
          tap_ok(!memcmp(C, Cm[0], M * N * sizeof *C), "--gemm cblas: C = %sA%s B%s, M %zu N %zu K %zu has the bits of gsl_blas_dgemm",
                 bi ? "C + " : "", ta ? "'" : "", tb ? "'" : "", M, N, K);
          blas_gemm_set(BLAS_GEMM_AUTO);
          blas_gemm_path p = blas_gemm_pick(M, N, K);
          const double *picked = p == BLAS_PATH_CBLAS || n_modes < 3 ? Cm[0] : Cm[2];
          tap_ok(!memcmp(Cm[1], picked, M * N * sizeof *C), "--gemm auto: C = %sA%s B%s, M %zu N %zu K %zu has the bits of %s, its pick",
                 bi ? "C + " : "", ta ? "'" : "", tb ? "'" : "", M, N, K, p == BLAS_PATH_CBLAS ? "the CBLAS" : "libxsmm");
          if (n_modes == 3) {   /* in units in the last place of the product's largest element */
            double big = 0.0, d = 0.0;
            for (size_t i = 0; i < M * N; i++) big = fmax(big, fabs(Cm[0][i]));
            for (size_t i = 0; i < M * N; i++) d = fmax(d, fabs(Cm[2][i] - Cm[0][i]));
            double u = nextafter(big, INFINITY) - big;
            if (d / u > worst_ulps) worst_ulps = d / u;
          }
        }
    free(A); free(B); free(C0); free(C);
    for (int mi = 0; mi < 3; mi++) free(Cm[mi]);
  }
  if (n_modes == 3)
    printf("# libxsmm against the CBLAS: at most %.0f units in the last place of a product's largest element apart\n",
           worst_ulps);

  /* auto's calibrated rule, row by row (blas.c's gemm_rules), at the step's
   * shapes of batch 128 (forward and error B x w x w, dW w x w x B): on an
   * Intel CPU with OpenBLAS's SkylakeX kernels and on AMD with its
   * Cooperlake kernels the CBLAS from width 1024 on, libxsmm below; on other
   * AMD kernels and on a CPU no row names, libxsmm always. */
  {
    static const struct { const char *vendor, *core; size_t w; blas_gemm_path want; } picks[] = {
      { "intel", "SkylakeX", 128, BLAS_PATH_LIBXSMM }, { "intel", "SkylakeX", 512, BLAS_PATH_LIBXSMM },
      { "intel", "SkylakeX", 1024, BLAS_PATH_CBLAS }, { "intel", "SkylakeX", 2048, BLAS_PATH_CBLAS },
      { "intel", "Haswell", 1024, BLAS_PATH_LIBXSMM }, { "amd", "Cooperlake", 512, BLAS_PATH_LIBXSMM },
      { "amd", "Cooperlake", 1024, BLAS_PATH_CBLAS },
      { "amd", "Zen", 2048, BLAS_PATH_LIBXSMM }, { "", "SkylakeX", 1024, BLAS_PATH_LIBXSMM },
    };
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
      double from = blas_gemm_cblas_from(picks[i].vendor, picks[i].core), mnk = 128.0 * (double)picks[i].w * (double)picks[i].w;
      blas_gemm_path got = from > 0.0 && mnk >= from ? BLAS_PATH_CBLAS : BLAS_PATH_LIBXSMM;
      tap_ok(got == picks[i].want, "auto's rule on %s/%s at width %zu (m n k %.0f): %s", *picks[i].vendor ? picks[i].vendor : "unknown",
             picks[i].core, picks[i].w, mnk, got == BLAS_PATH_CBLAS ? "the CBLAS" : "libxsmm");
    }
    /* and this CPU's row is the one blas_gemm_pick applies: the vendor as
     * the compiler sees it, OpenBLAS's kernel family as the kernel name's
     * first word */
    const char *vendor = "";
#if defined __x86_64__ || defined __i386__
    __builtin_cpu_init();
    vendor = __builtin_cpu_is("intel") ? "intel" : __builtin_cpu_is("amd") ? "amd" : "";
#endif
    blas_gemm_set(BLAS_GEMM_AUTO);
    char core[64] = "";
    sscanf(blas_kernel(), "%63s", core);
    if (!strcmp(core, "libxsmm")) core[0] = '\0';
    double here = blas_gemm_cblas_from(vendor, core);
    int agree = 1;
    for (size_t w = 16; w <= 4096; w *= 2) {
      blas_gemm_path p = blas_gemm_pick(128, w, w);
      if (blas_has_libxsmm())
        agree &= p == (here > 0.0 && 128.0 * (double)w * (double)w >= here ? BLAS_PATH_CBLAS : BLAS_PATH_LIBXSMM);
      blas_gemm_set(BLAS_GEMM_CBLAS);
      agree &= blas_gemm_pick(128, w, w) == BLAS_PATH_CBLAS;
      blas_gemm_set(blas_has_libxsmm() ? BLAS_GEMM_LIBXSMM : BLAS_GEMM_CBLAS);
      agree &= blas_gemm_pick(128, w, w) == (blas_has_libxsmm() ? BLAS_PATH_LIBXSMM : BLAS_PATH_CBLAS);
      blas_gemm_set(BLAS_GEMM_AUTO);
      agree &= blas_gemm_pick(128, w, w) == p;
      if (!blas_has_libxsmm()) agree &= p == BLAS_PATH_CBLAS;
    }
    tap_ok(agree, "blas_gemm_pick at (128, w, w), w 16 to 4096: --gemm cblas and libxsmm force their library, auto follows "
           "this CPU's row (%s/%s: %s), the same each time", *vendor ? vendor : "unknown", core, blas_gemm_rule());
  }

  /* alpha other than 1 goes to the CBLAS: still right. */
  {
    size_t M = 9, N = 11, K = 13;
    double *A = random_matrix(M * K), *B = random_matrix(K * N), *C0 = random_matrix(M * N);
    double *C = calloc(M * N, sizeof *C), *R = calloc(M * N, sizeof *R);
    if (!C || !R) return 99;
    blas_gemm(0, 0, M, N, K, -0.5, A, B, 0.0, C);
    blas_gemm(0, 0, M, N, K, 1.0, A, B, 0.0, R);
    double worst = 0.0;
    for (size_t i = 0; i < M * N; i++) worst = fmax(worst, fabs(C[i] + 0.5 * R[i]));
    tap_ok(worst <= 1e-14, "alpha -0.5: -0.5 times the alpha-1 product within %.2g (tol 1e-14)", worst);
    free(A); free(B); free(C0); free(C); free(R);
  }

#ifdef HAVE_LIBXSMM
  blas_gemm_set(BLAS_GEMM_LIBXSMM);   /* what libxsmm promises, whatever auto picks on this CPU */
#endif
  /* A B' at widths above the batch (A and the result transposed) against
   * A times B transposed by hand (B' transposed, the untransposed path):
   * with libxsmm both are each element's sum over k in order, so the bits
   * agree. */
  {
    size_t M = 64, N = 256, K = 192;
    double *A = random_matrix(M * K), *B = random_matrix(N * K), *Bt = malloc(K * N * sizeof *Bt);
    double *C1 = malloc(M * N * sizeof *C1), *C2 = malloc(M * N * sizeof *C2);
    if (!Bt || !C1 || !C2) return 99;
    for (size_t j = 0; j < N; j++)
      for (size_t k = 0; k < K; k++) Bt[k * N + j] = B[j * K + k];
    blas_gemm(0, 1, M, N, K, 1.0, A, B, 0.0, C1);
    blas_gemm(0, 0, M, N, K, 1.0, A, Bt, 0.0, C2);
#ifdef HAVE_LIBXSMM
    tap_ok(!memcmp(C1, C2, M * N * sizeof *C1), "libxsmm: A B' (M %zu N %zu K %zu) has the bits of A (B')' by hand", M, N, K);
#else
    tap_ok(1, "A B' has the bits of A (B')' by hand # SKIP only libxsmm promises it");
#endif
    free(A); free(B); free(Bt); free(C1); free(C2);
  }

  /* A product wide enough to be cut into k slices (N 1024, K 300: 64,
   * 64, 64, 64, 44) against the same made in two halves of k by hand (the
   * second accumulated onto the first: slices 64, 64, 22 twice): a slice
   * adds its products in k order onto what C holds, so with libxsmm any
   * cut gives the bits of the whole sum; for C = A B and C = C + A' B.
   * (N 1030 is not cut, since cuts would change its last rows' bits: the
   * shapes above check that it is still right.) */
  for (int ta = 0; ta <= 1; ta++) {
    size_t M = 16, N = 1024, K = 300, h = K / 2;
    double *A = random_matrix(M * K), *B = random_matrix(K * N), *C = random_matrix(M * N);
    double *Ah = malloc(M * K * sizeof *Ah), *Ch = malloc(M * N * sizeof *Ch);
    if (!Ah || !Ch) return 99;
    memcpy(Ch, C, M * N * sizeof *Ch);
    /* A's two halves of k, each contiguous: (M, h) blocks, or (h, M) rows when transposed */
    for (size_t i = 0; i < M; i++)
      for (size_t k = 0; k < K; k++)
        if (ta) Ah[k * M + i] = A[k * M + i];
        else Ah[(k < h ? 0 : M * h) + i * h + k % h] = A[i * K + k];
    blas_gemm(ta, 0, M, N, K, 1.0, A, B, (double)ta, C);
    blas_gemm(ta, 0, M, N, h, 1.0, Ah, B, (double)ta, Ch);
    blas_gemm(ta, 0, M, N, K - h, 1.0, Ah + M * h, B + h * N, 1.0, Ch);
#ifdef HAVE_LIBXSMM
    tap_ok(!memcmp(C, Ch, M * N * sizeof *C), "libxsmm: %s (M %zu N %zu K %zu, k in slices) has the bits of its two halves of k",
           ta ? "C + A' B" : "A B", M, N, K);
#else
    tap_ok(1, "k slices have the bits of the whole product # SKIP only libxsmm promises it");
#endif
    free(A); free(B); free(C); free(Ah); free(Ch);
  }

  /* Growing and shrinking products on several threads (each has its own
   * transpose buffers): the bits of the same products made serially. */
  {
    enum { JOBS = 8 };
    size_t sizes[JOBS] = { 16, 300, 40, 260, 8, 128, 200, 64 };
    double *A[JOBS], *B[JOBS], *S[JOBS], *P[JOBS];
    for (int j = 0; j < JOBS; j++) {
      size_t n = sizes[j];
      A[j] = random_matrix(32 * n);
      B[j] = random_matrix(n * n);
      S[j] = calloc(32 * n, sizeof **S);
      P[j] = calloc(32 * n, sizeof **P);
      if (!S[j] || !P[j]) return 99;
      blas_gemm(0, 1, 32, n, n, 1.0, A[j], B[j], 0.0, S[j]);
    }
    int jobs = JOBS;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(2)
#endif
    for (int j = 0; j < jobs; j++) blas_gemm(0, 1, 32, sizes[j], sizes[j], 1.0, A[j], B[j], 0.0, P[j]);
    int same = 1;
    for (int j = 0; j < JOBS; j++) {
      same &= !memcmp(S[j], P[j], 32 * sizes[j] * sizeof **S);
      free(A[j]); free(B[j]); free(S[j]); free(P[j]);
    }
    tap_ok(same, "A B' of 8 sizes (8 to 300) on 2 threads: the bits of the serial products");
  }
  return tap_done();
}
