/* test_jacobian.c - the Jacobian probe against independent answers.
 *
 *  - J = d a^depth / d x against central differences of the forward pass,
 *    for plain nets and every norm and skip connection (batch norm in
 *    evaluation with its running averages set to the batch's statistics,
 *    the network whose Jacobian the probe takes);
 *  - the singular values (LAPACK's dgesdd) of matrices with known spectra,
 *    U diag(sigma) V^T with sigma over 12 decades and U, V products of
 *    Householder reflections built in long double, at widths 16 to 1024,
 *    and of Gaussian and rectangular matrices against a one-sided Jacobi
 *    SVD in long double written here: every sigma within n eps sigma_max;
 *  - the resolution floor: matrices of known rank, a net with dead top
 *    ReLUs and a layer-norm net (its mean direction is lost) have the
 *    numerical rank they must have and an infinite condition number;
 *  - linear nets with orthogonal weights of gain g: every singular value
 *    is g^depth, square or not;
 *  - at initialization the mean of sigma^2 is the product of mean-field
 *    chi_l (Pennington et al. 2017), for tanh, sigmoid and relu at
 *    several sigma_w2;
 *  - dynamical isometry: at tanh's critical point (sigma_w2 = 1,
 *    sigma_b2 = 0) orthogonal weights keep the spectrum narrow with depth
 *    (log10 condition 2.5-3.5 at width 128, checked against the long
 *    double SVD of the same J) while Gaussian ones spread it past what
 *    double precision resolves; relu spreads under both;
 *  - jac_summarize on numbers worked by hand. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "act.h"
#include "init.h"
#include "jacobian.h"
#include "net.h"
#include "theory.h"
#include "tap.h"

static void die(const char *what)
{
  tap_ok(0, "%s", what);
  exit(tap_done());
}

static net *make_net(const char *act, const char *init, size_t n_in, size_t width, size_t depth,
                     const net_arch *arch, gsl_rng *r)
{
  act_fn f;
  init_spec spec;
  sb_error err;
  if (act_parse(act, &f, &err) || init_parse(init, &spec, &err)) die(err.msg);
  net *n = net_alloc_arch(n_in, width, depth, 3, f, LOSS_XENT, arch);
  if (!n || net_init_params(n, &spec, r, &err)) die("net");
  return n;
}

/* ---- J against finite differences --------------------------------------- */

enum { FD_IN = 6, FD_W = 5, FD_DEPTH = 4, FD_B = 7 };

static void check_fd(const char *act, const net_arch *arch, gsl_rng *r)
{
  net *n = make_net(act, "normal:0.5", FD_IN, FD_W, FD_DEPTH, arch, r);
  net_work *w = net_work_alloc(n, FD_B);
  jac_work *j = jac_alloc(n);
  if (!w || !j) die("allocation");
  if (arch->norm != NORM_NONE)
    for (size_t l = 1; l <= FD_DEPTH; l++)
      for (size_t u = 0; u < FD_W; u++) {
        net_gamma(n, l)[u] = 0.7 + 0.6 * gsl_rng_uniform(r);
        net_beta(n, l)[u] = 0.2 * gsl_ran_gaussian(r, 1.0);
      }
  for (size_t l = 1; l <= n->n_layers; l++)
    for (size_t u = 0; u < n->fan_out[l - 1]; u++) net_b(n, l)[u] = 0.1 * gsl_ran_gaussian(r, 1.0);
  double X[FD_B * FD_IN];
  for (size_t i = 0; i < FD_B * FD_IN; i++) X[i] = gsl_ran_gaussian(r, 1.0);
  net_forward(n, w, X, NULL, FD_B);
  int bn = arch->norm == NORM_BATCH;
  if (bn) {
    /* Running averages = this batch's statistics, layer by layer: then
     * evaluation reproduces the batch pass, with the statistics fixed. */
    for (size_t l = 1; l <= FD_DEPTH; l++) {
      const double *in = l == 1 ? X : w->a[l - 2];
      size_t fi = n->fan_in[l - 1];
      for (size_t u = 0; u < FD_W; u++) {
        double v[FD_B], m = 0.0, s = 0.0;
        for (size_t i = 0; i < FD_B; i++) {
          v[i] = net_b(n, l)[u];
          for (size_t a = 0; a < fi; a++) v[i] += in[i * fi + a] * net_W(n, l)[a * FD_W + u];
          m += v[i] / FD_B;
        }
        for (size_t i = 0; i < FD_B; i++) s += (v[i] - m) * (v[i] - m) / FD_B;
        n->run_mean[(l - 1) * FD_W + u] = m;
        n->run_var[(l - 1) * FD_W + u] = s;
      }
    }
  }
  size_t ex = 2;
  double J[FD_W * FD_IN], F[FD_W * FD_IN];
  jac_matrix(n, w, ex, j, J);
  /* central differences of a^depth of example ex alone */
  net_work *w1 = net_work_alloc(n, 1);
  if (!w1) die("allocation");
  double x[FD_IN], h = 1e-6;
  for (size_t c = 0; c < FD_IN; c++) {
    double out[2][FD_W];
    for (int sgn = 0; sgn < 2; sgn++) {
      memcpy(x, X + ex * FD_IN, sizeof x);
      x[c] += sgn ? -h : h;
      if (bn) net_forward_mode(n, w1, x, NULL, 1, NET_EVAL);
      else net_forward(n, w1, x, NULL, 1);
      memcpy(out[sgn], w1->a[FD_DEPTH - 1], sizeof out[sgn]);
    }
    for (size_t u = 0; u < FD_W; u++) F[u * FD_IN + c] = (out[0][u] - out[1][u]) / (2 * h);
  }
  double num = 0.0, den = 0.0;
  for (size_t k = 0; k < FD_W * FD_IN; k++) { num += (J[k] - F[k]) * (J[k] - F[k]); den += F[k] * F[k]; }
  double e = sqrt(num / den);
  tap_ok(e < 1e-7 && den > 1e-6, "J of %s norm=%s residual=%zu scale=%g vs central differences%s: rel err %.3g (tol 1e-7)",
         act, norm_name(arch->norm), arch->res_stride, arch->res_scale,
         bn ? " of the evaluation pass with the batch's statistics" : "", e);
  net_work_free(w1);
  jac_free(j);
  net_work_free(w);
  net_free(n);
}

/* ---- linear nets with orthogonal weights ---------------------------------- */

static void check_orthogonal_linear(size_t n_in, size_t width, size_t depth, double gain, gsl_rng *r)
{
  char init[64];
  snprintf(init, sizeof init, "orthogonal:%g", gain);
  net *n = make_net("linear", init, n_in, width, depth, NULL, r);
  net_work *w = net_work_alloc(n, 2);
  jac_work *j = jac_alloc(n);
  double *X = malloc(2 * n_in * sizeof *X), *sv = malloc(j ? j->nsv * sizeof *sv : 1);
  if (!w || !j || !X || !sv) die("allocation");
  for (size_t i = 0; i < 2 * n_in; i++) X[i] = gsl_ran_gaussian(r, 1.0);
  net_forward(n, w, X, NULL, 2);
  if (jac_singular_values(n, w, 1, j, sv)) die("svd");
  double want = pow(gain, (double)depth), worst = 0.0;
  for (size_t k = 0; k < j->nsv; k++) worst = fmax(worst, fabs(sv[k] / want - 1.0));
  tap_ok(j->nsv == (n_in < width ? n_in : width) && worst < 1e-12,
         "linear, orthogonal:%g, %zu inputs, width %zu, depth %zu: all %zu singular values = gain^depth = %.6g "
         "(worst rel err %.3g, tol 1e-12)", gain, n_in, width, depth, j->nsv, want, worst);
  free(sv);
  free(X);
  jac_free(j);
  net_work_free(w);
  net_free(n);
}

/* ---- singular values against independent answers ------------------------- */

/* The singular values of the (rows, cols) row-major A, descending, by
 * one-sided (Hestenes) Jacobi in long double on the columns of A or of A^T,
 * whichever is taller: cyclic sweeps rotate each pair of columns until
 * every pair is orthogonal to long double's precision, the norms recomputed
 * at every rotation (no running estimates).  Its error is a small multiple
 * of LDBL_EPSILON sigma_max, 2^-11 of double's. */
static void ref_singular_values(size_t rows, size_t cols, const double *A, long double *sv)
{
  int tr = cols > rows;
  size_t m = tr ? cols : rows, n = tr ? rows : cols;
  long double *c = malloc(m * n * sizeof *c);   /* column k at c + k m */
  if (!c) die("allocation");
  for (size_t k = 0; k < n; k++)
    for (size_t i = 0; i < m; i++) c[k * m + i] = tr ? A[k * cols + i] : A[i * cols + k];
  int sweep = 0, rotated = 1;
  for (; rotated && sweep < 60; sweep++) {
    rotated = 0;
    for (size_t p = 0; p + 1 < n; p++)
      for (size_t q = p + 1; q < n; q++) {
        long double *x = c + p * m, *y = c + q * m, a = 0.0L, b = 0.0L, g = 0.0L;
        for (size_t i = 0; i < m; i++) { a += x[i] * x[i]; b += y[i] * y[i]; g += x[i] * y[i]; }
        if (fabsl(g) <= LDBL_EPSILON * sqrtl(a) * sqrtl(b)) continue;
        rotated = 1;
        long double zeta = (b - a) / (2.0L * g);
        long double t = copysignl(1.0L, zeta) / (fabsl(zeta) + sqrtl(1.0L + zeta * zeta));
        long double cs = 1.0L / sqrtl(1.0L + t * t), sn = cs * t;
        for (size_t i = 0; i < m; i++) {
          long double u = x[i], v = y[i];
          x[i] = cs * u - sn * v;
          y[i] = sn * u + cs * v;
        }
      }
  }
  if (rotated) die("reference Jacobi SVD did not converge in 60 sweeps");
  for (size_t k = 0; k < n; k++) {
    long double a = 0.0L;
    for (size_t i = 0; i < m; i++) a += c[k * m + i] * c[k * m + i];
    sv[k] = sqrtl(a);
  }
  for (size_t k = 1; k < n; k++)   /* insertion sort, descending */
    for (size_t i = k; i > 0 && sv[i] > sv[i - 1]; i--) { long double t = sv[i]; sv[i] = sv[i - 1]; sv[i - 1] = t; }
  free(c);
}

/* A linear net of depth 1 whose Jacobian is exactly the (width, n_in)
 * matrix J: J = phi'(h) W^T with phi' = 1, and W is stored (n_in, width).
 * The probe's own path (jac_singular_values) then decomposes J. */
typedef struct matrix_net { net *n; net_work *w; jac_work *j; } matrix_net;

static matrix_net matrix_net_make(size_t width, size_t n_in, const double *J, gsl_rng *r)
{
  matrix_net m;
  m.n = make_net("linear", "normal:1", n_in, width, 1, NULL, r);
  m.w = net_work_alloc(m.n, 1);
  m.j = jac_alloc(m.n);
  double *x = malloc(n_in * sizeof *x);
  if (!m.w || !m.j || !x) die("allocation");
  for (size_t u = 0; u < width; u++)
    for (size_t a = 0; a < n_in; a++) net_W(m.n, 1)[a * width + u] = J[u * n_in + a];
  for (size_t a = 0; a < n_in; a++) x[a] = gsl_ran_gaussian(r, 1.0);
  net_forward(m.n, m.w, x, NULL, 1);
  free(x);
  return m;
}

static void matrix_net_free(matrix_net *m)
{
  jac_free(m->j);
  net_work_free(m->w);
  net_free(m->n);
}

/* M = H M (left) or M H (right), H = I - 2 v v^T / v^T v: (n, n) row-major,
 * in long double. */
static void reflect(long double *M, size_t n, const long double *v, int right, long double *w)
{
  long double vv = 0.0L;
  for (size_t i = 0; i < n; i++) vv += v[i] * v[i];
  memset(w, 0, n * sizeof *w);
  if (!right) {
    for (size_t i = 0; i < n; i++)
      for (size_t c = 0; c < n; c++) w[c] += v[i] * M[i * n + c];
    for (size_t i = 0; i < n; i++) {
      long double f = 2.0L * v[i] / vv;
      for (size_t c = 0; c < n; c++) M[i * n + c] -= f * w[c];
    }
  } else {
    for (size_t i = 0; i < n; i++)
      for (size_t c = 0; c < n; c++) w[i] += M[i * n + c] * v[c];
    for (size_t i = 0; i < n; i++) {
      long double f = 2.0L * w[i] / vv;
      for (size_t c = 0; c < n; c++) M[i * n + c] -= f * v[c];
    }
  }
}

/* A = U diag(sv) V^T, (n, n) row-major, U and V products of nref
 * Householder reflections with Gaussian vectors (a reflection per column:
 * orthogonal factors as dense as Haar's), computed in long double so that
 * A's only error is its rounding to double: |sigma_k(A) - sv_k| <=
 * ||A - U S V^T||_F <= sqrt(n) eps sigma_max / 2. */
static void known_spectrum(size_t n, size_t nref, const double *sv, gsl_rng *r, double *A)
{
  long double *M = calloc(n * n, sizeof *M), *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w);
  if (!M || !v || !w) die("allocation");
  for (size_t k = 0; k < n; k++) M[k * n + k] = sv[k];
  for (int right = 0; right < 2; right++)
    for (size_t h = 0; h < nref; h++) {
      for (size_t i = 0; i < n; i++) v[i] = gsl_ran_gaussian(r, 1.0);
      reflect(M, n, v, right, w);
    }
  for (size_t k = 0; k < n * n; k++) A[k] = (double)M[k];
  free(w);
  free(v);
  free(M);
}

/* sigma_k = 10^(-12 u_k), u log-uniform over [0, 1] with both ends taken
 * (sigma_max 1, sigma_min 1e-12), descending; zero from rank on. */
static void log_uniform(size_t n, size_t rank, double decades, gsl_rng *r, double *sv)
{
  for (size_t k = 0; k < n; k++)
    sv[k] = k >= rank ? 0.0 : pow(10.0, -decades * (k == 0 ? 0.0 : k == rank - 1 ? 1.0 : gsl_rng_uniform(r)));
  for (size_t k = 1; k < rank; k++)
    for (size_t i = k; i > 0 && sv[i] > sv[i - 1]; i--) { double t = sv[i]; sv[i] = sv[i - 1]; sv[i - 1] = t; }
}

/* dgesdd's error bound: every sigma within n eps sigma_max (LAPACK's
 * absolute bound, n the larger side) */
static void check_known_spectrum(size_t n, size_t nref, gsl_rng *r)
{
  double *A = malloc(n * n * sizeof *A), *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
  if (!A || !want || !got) die("allocation");
  log_uniform(n, n, 12.0, r, want);
  known_spectrum(n, nref, want, r, A);
  matrix_net m = matrix_net_make(n, n, A, r);
  if (jac_singular_values(m.n, m.w, 0, m.j, got)) die("svd");
  double worst = 0.0;
  size_t at = 0;
  for (size_t k = 0; k < n; k++)
    if (fabs(got[k] - want[k]) > worst) { worst = fabs(got[k] - want[k]); at = k; }
  double tol = (double)n * DBL_EPSILON * want[0];
  tap_ok(worst <= tol, "known spectrum, n = %zu (%zu reflections a side), sigma over 12 decades: largest error %.3g "
         "= %.3g eps sigma_max at sigma_%zu = %.3g (tol n eps sigma_max = %.3g); sigma_min %.6g vs %.6g",
         n, nref, worst, worst / (DBL_EPSILON * want[0]), at + 1, want[at], tol, got[n - 1], want[n - 1]);
  jac_summary js;
  jac_summarize(got, 1, n, n, &js);
  /* sigma_min = 1e-12 lies above the floor n eps (n <= 1024: 2.3e-13) only for n < 4504 */
  double cond_tol = log10(1.0 + tol / 1e-12) + 1e-9;
  if (n <= 256)
    tap_ok(js.rank == (double)n && fabs(js.log10_cond - 12.0) <= cond_tol,
           "known spectrum, n = %zu: full numerical rank %g (%zu), log10 condition %.6f (12 within %.3g)", n, js.rank,
           n, js.log10_cond, cond_tol);
  matrix_net_free(&m);
  free(got);
  free(want);
  free(A);
}

/* Gaussian matrices (where GSL 2.7's Jacobi SVD stopped early from 96 on)
 * and rectangular ones against the long double reference. */
static void check_reference(size_t width, size_t n_in, gsl_rng *r)
{
  size_t nsv = width < n_in ? width : n_in, side = width > n_in ? width : n_in;
  double *J = malloc(width * n_in * sizeof *J), *got = malloc(nsv * sizeof *got);
  long double *want = malloc(nsv * sizeof *want);
  if (!J || !got || !want) die("allocation");
  for (size_t k = 0; k < width * n_in; k++) J[k] = gsl_ran_gaussian(r, 1.0);
  ref_singular_values(width, n_in, J, want);
  matrix_net m = matrix_net_make(width, n_in, J, r);
  if (jac_singular_values(m.n, m.w, 0, m.j, got)) die("svd");
  double worst = 0.0;
  for (size_t k = 0; k < nsv; k++) worst = fmax(worst, fabs(got[k] - (double)want[k]));
  double tol = (double)side * DBL_EPSILON * (double)want[0];
  tap_ok(m.j->nsv == nsv && worst <= tol,
         "Gaussian (%zu, %zu) against the long double Jacobi SVD: largest error %.3g = %.3g eps sigma_max (tol n eps "
         "sigma_max = %.3g); sigma_max %.9g vs %.9g, sigma_min %.9g vs %.9g", width, n_in, worst,
         worst / (DBL_EPSILON * (double)want[0]), tol, got[0], (double)want[0], got[nsv - 1], (double)want[nsv - 1]);
  matrix_net_free(&m);
  free(want);
  free(got);
  free(J);
}

/* ---- the resolution floor ---------------------------------------------------- */

static void check_known_rank(size_t n, size_t rank, gsl_rng *r)
{
  double *A = malloc(n * n * sizeof *A), *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
  if (!A || !want || !got) die("allocation");
  log_uniform(n, rank, 6.0, r, want);   /* the smallest nonzero 1e-6, far above the floor */
  known_spectrum(n, n, want, r, A);
  matrix_net m = matrix_net_make(n, n, A, r);
  if (jac_singular_values(m.n, m.w, 0, m.j, got)) die("svd");
  jac_summary js;
  jac_summarize(got, 1, n, n, &js);
  size_t rk = jac_rank(got, n, n);
  tap_ok(rk == rank && js.rank == (double)rank && isinf(js.log10_cond) && js.log10_cond > 0,
         "known rank %zu of %zu: jac_rank %zu, summary rank %g, log10 condition %g (Inf); the zeros come out as "
         "%.3g (floor %.3g), the smallest nonzero %.3g", rank, n, rk, js.rank, js.log10_cond, got[rank],
         jac_floor(n, got[0]), got[rank - 1]);
  matrix_net_free(&m);
  free(got);
  free(want);
  free(A);
}

/* Dead top ReLUs: biases of +1e3 keep every unit of layer 1 alive, -1e6 on
 * `dead` units of layer 2 kill them and +1e6 keeps the others alive, so
 * J = D_2 W_2^T W_1^T with D_2 = diag(0 x dead, 1 x (width - dead)): rank
 * width - dead exactly. */
static void check_dead_relu(size_t width, size_t dead, gsl_rng *r)
{
  net *n = make_net("relu", "normal:1", width, width, 2, NULL, r);
  net_work *w = net_work_alloc(n, 2);
  jac_work *j = jac_alloc(n);
  double *X = malloc(2 * width * sizeof *X), *sv = malloc(2 * width * sizeof *sv);
  if (!w || !j || !X || !sv) die("allocation");
  for (size_t u = 0; u < width; u++) {
    net_b(n, 1)[u] = 1e3;
    net_b(n, 2)[u] = u < dead ? -1e6 : 1e6;
  }
  for (size_t i = 0; i < 2 * width; i++) X[i] = gsl_ran_gaussian(r, 1.0);
  net_forward(n, w, X, NULL, 2);
  size_t zero = 0;
  for (size_t u = 0; u < width; u++) zero += w->dphi[1][width + u] == 0.0;
  for (size_t i = 0; i < 2; i++)
    if (jac_singular_values(n, w, i, j, sv + i * width)) die("svd");
  jac_summary js;
  jac_summarize(sv, 2, width, width, &js);
  tap_ok(zero == dead && js.rank == (double)(width - dead) && isinf(js.log10_cond)
         && jac_rank(sv + width, width, width) == width - dead && sv[width - dead - 1] > 1e-6 * sv[0],
         "relu width %zu with %zu dead top units: numerical rank %g (%zu), log10 condition %g (Inf); sigma_%zu %.3g "
         "against a floor of %.3g", width, dead, js.rank, width - dead, js.log10_cond, width - dead + 1,
         sv[width - dead], jac_floor(width, sv[0]));
  free(sv);
  free(X);
  jac_free(j);
  net_work_free(w);
  net_free(n);
}

/* Layer norm: u-hat has zero mean over the units whatever the input, so J
 * loses the all-ones direction: rank width - 1.  (The radial direction is
 * nearly lost too, by eps / (var + eps) per layer: one layer keeps it
 * above the floor, three put it below.) */
static void check_layernorm_rank(size_t width, gsl_rng *r)
{
  static const net_arch ln = { NORM_LAYER, 0, 1.0 };
  net *n = make_net("tanh", "normal:0.3", width, width, 1, &ln, r);
  net_work *w = net_work_alloc(n, 1);
  jac_work *j = jac_alloc(n);
  double *x = malloc(width * sizeof *x), *sv = malloc(width * sizeof *sv);
  if (!w || !j || !x || !sv) die("allocation");
  for (size_t i = 0; i < width; i++) x[i] = gsl_ran_gaussian(r, 1.0);
  net_forward(n, w, x, NULL, 1);
  if (jac_singular_values(n, w, 0, j, sv)) die("svd");
  jac_summary js;
  jac_summarize(sv, 1, width, width, &js);
  tap_ok(js.rank == (double)(width - 1) && isinf(js.log10_cond) && sv[width - 2] > 1e-9 * sv[0],
         "layer norm, width %zu: numerical rank %g (%zu), log10 condition %g (Inf): sigma_min %.3g below the floor "
         "%.3g, the next %.3g", width, js.rank, width - 1, js.log10_cond, sv[width - 1], jac_floor(width, sv[0]),
         sv[width - 2]);
  free(sv);
  free(x);
  jac_free(j);
  net_work_free(w);
  net_free(n);
}

/* ---- spectra of wide nets at init ------------------------------------------ */

typedef struct spectrum_stats { jac_summary s; double theory; } spectrum_stats;

/* inputs N(0, 1) (q0 = 1), n_in = width; the theory as jac_theory_msv
 * computes it: prod_l sigma_w2 E[phi'(h^l)^2] over the length map's q^l. */
static spectrum_stats spectra(const char *act, const char *init, size_t width, size_t depth, size_t inputs,
                              gsl_rng *r)
{
  net *n = make_net(act, init, width, width, depth, NULL, r);
  net_work *w = net_work_alloc(n, inputs);
  jac_work *j = jac_alloc(n);
  double *X = malloc(inputs * width * sizeof *X), *sv = malloc(inputs * width * sizeof *sv);
  if (!w || !j || !X || !sv) die("allocation");
  for (size_t i = 0; i < inputs * width; i++) X[i] = gsl_ran_gaussian(r, 1.0);
  net_forward(n, w, X, NULL, inputs);
  for (size_t i = 0; i < inputs; i++)
    if (jac_singular_values(n, w, i, j, sv + i * width)) die("svd");
  spectrum_stats out;
  jac_summarize(sv, inputs, width, width, &out.s);
  theory_work *tw = theory_alloc();
  init_spec spec;
  sb_error err;
  act_fn f;
  if (!tw || init_parse(init, &spec, &err) || act_parse(act, &f, &err)) die("theory");
  double sw2 = (double)width * init_weight_var(&spec, width, width), sb2 = init_bias_var(&spec);
  double *q = malloc(2 * depth * sizeof *q);
  if (!q || theory_profile(tw, &f, sw2, sb2, sw2 + sb2, depth, q, NULL, q + depth, &err)) die("profile");
  double lg = 0.0;
  for (size_t l = 0; l < depth; l++) lg += log(theory_chi(tw, &f, sw2, q[l]));
  out.theory = exp(lg);
  free(q);
  theory_free(tw);
  free(sv);
  free(X);
  jac_free(j);
  net_work_free(w);
  net_free(n);
  return out;
}

static void check_mean_field(gsl_rng *r)
{
  static const struct { const char *act, *init; } pts[] = {
    { "tanh", "meanfield:0.5:0.05" }, { "tanh", "meanfield:1.5:0.05" }, { "tanh", "meanfield:3:0.05" },
    { "sigmoid", "meanfield:4:0.05" }, { "sigmoid", "meanfield:16:0" }, { "relu", "he_normal" },
    { "relu", "meanfield:1.5:0.1" },
  };
  for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++) {
    /* One draw of the weights fluctuates by 10-20% at this width (the
     * per-layer chi of a finite layer is random): the mean over 8 nets
     * must lie within 3 standard errors of the theory (plus 2%). */
    enum { REPS = 8 };
    double m[REPS], mean = 0.0, var = 0.0, theory = 0.0;
    for (int rep = 0; rep < REPS; rep++) {
      spectrum_stats st = spectra(pts[k].act, pts[k].init, 128, 6, 2, r);
      m[rep] = st.s.msv;
      mean += m[rep] / REPS;
      theory = st.theory;
    }
    for (int rep = 0; rep < REPS; rep++) var += (m[rep] - mean) * (m[rep] - mean) / (REPS - 1);
    double se = sqrt(var / REPS), tol = 3 * se + 0.02 * theory;
    tap_ok(fabs(mean - theory) <= tol && se < 0.1 * theory,
           "%s %s, width 128, depth 6, %d nets x 2 inputs: mean sigma^2 %.5g (standard error %.2g) vs mean-field "
           "prod chi_l %.5g: off by %.3g (tol 3 se + 2%% = %.3g)", pts[k].act, pts[k].init, REPS, mean, se, theory,
           fabs(mean - theory), tol);
  }
}

/* One J of a square net at width 128 decomposed twice, by the probe and by
 * the long double reference: log10 sigma_max / sigma_min, and the probe's
 * numerical rank. */
typedef struct iso_point { double cond, cond_ref, sv_max, sv_max_ref; size_t rank; } iso_point;

static iso_point isometry_point(const char *act, const char *init, size_t width, size_t depth, gsl_rng *r)
{
  net *n = make_net(act, init, width, width, depth, NULL, r);
  net_work *w = net_work_alloc(n, 1);
  jac_work *j = jac_alloc(n);
  double *x = malloc(width * sizeof *x), *sv = malloc(width * sizeof *sv), *J = malloc(width * width * sizeof *J);
  long double *ref = malloc(width * sizeof *ref);
  if (!w || !j || !x || !sv || !J || !ref) die("allocation");
  for (size_t i = 0; i < width; i++) x[i] = gsl_ran_gaussian(r, 1.0);
  net_forward(n, w, x, NULL, 1);
  jac_matrix(n, w, 0, j, J);
  ref_singular_values(width, width, J, ref);
  if (jac_singular_values(n, w, 0, j, sv)) die("svd");
  iso_point p = { log10(sv[0] / sv[width - 1]), (double)log10l(ref[0] / ref[width - 1]), sv[0], (double)ref[0],
                  jac_rank(sv, width, width) };
  free(ref);
  free(J);
  free(sv);
  free(x);
  jac_free(j);
  net_work_free(w);
  net_free(n);
  return p;
}

static void check_isometry(gsl_rng *r)
{
  /* the isometry preset's depths: orthogonal weights at tanh's critical
   * point keep log10 sigma_max/sigma_min near 2.5-3.5 (GSL's Jacobi
   * reported 1.0-1.2 here); the probe's value agrees with the reference */
  static const size_t depths[] = { 4, 16, 64 };
  iso_point to[3];
  for (size_t d = 0; d < 3; d++) {
    to[d] = isometry_point("tanh", "orthogonal:1", 128, depths[d], r);
    tap_ok(fabs(to[d].cond - to[d].cond_ref) < 1e-9 && fabs(to[d].sv_max / to[d].sv_max_ref - 1) < 1e-13
           && to[d].rank == 128 && to[d].cond_ref > 2.0 && to[d].cond_ref < 4.0,
           "tanh orthogonal:1, width 128, depth %zu: log10 condition %.9f, long double reference %.9f (within 1e-9, "
           "and in (2, 4)); sigma_max %.12g vs %.12g; full rank (%zu)", depths[d], to[d].cond, to[d].cond_ref,
           to[d].sv_max, to[d].sv_max_ref, to[d].rank);
  }
  tap_ok(to[2].cond_ref - to[0].cond_ref < 1.5,
         "tanh orthogonal:1: the spectrum stays narrow from depth 4 to 64 (log10 condition %.3g -> %.3g)",
         to[0].cond_ref, to[2].cond_ref);
  /* Gaussian weights at the same point: sigma_min falls by orders of
   * magnitude per layer, past double's resolution by depth 16 */
  iso_point tg4 = isometry_point("tanh", "meanfield:1:0", 128, 4, r);
  iso_point tg16 = isometry_point("tanh", "meanfield:1:0", 128, 16, r);
  tap_ok(fabs(tg4.cond - tg4.cond_ref) < 1e-3 && tg4.cond > to[0].cond_ref + 2.0,
         "tanh meanfield:1:0, width 128, depth 4: log10 condition %.6f, reference %.6f: 2 or more above orthogonal's "
         "%.3g", tg4.cond, tg4.cond_ref, to[0].cond_ref);
  tap_ok(tg16.rank < 128 && tg16.cond_ref > 13.0,
         "tanh meanfield:1:0, width 128, depth 16: rank-deficient as double precision sees it (numerical rank %zu; "
         "reference log10 condition %.3g > 13)", tg16.rank, tg16.cond_ref);
  spectrum_stats so = spectra("tanh", "orthogonal:1", 128, 32, 4, r);
  spectrum_stats sg = spectra("tanh", "meanfield:1:0", 128, 32, 4, r);
  spectrum_stats ro = spectra("relu", "orthogonal:1.4142135623730951", 128, 32, 4, r);
  spectrum_stats rg = spectra("relu", "he_normal", 128, 32, 4, r);
  double vo = so.s.sv2_var / (so.s.msv * so.s.msv), vg = sg.s.sv2_var / (sg.s.msv * sg.s.msv);
  tap_ok(vo < 0.2 * vg, "tanh depth 32: relative variance of sigma^2 orthogonal %.3g < 0.2 x Gaussian %.3g", vo, vg);
  tap_ok(so.s.rank == 128 && sg.s.rank < 128 && isinf(sg.s.log10_cond),
         "tanh depth 32: orthogonal full rank (%g, log10 condition %.3g), Gaussian rank-deficient (%g, %g)",
         so.s.rank, so.s.log10_cond, sg.s.rank, sg.s.log10_cond);
  /* relu: the top layer's inactive units are zero rows of J */
  tap_ok(ro.s.rank < 100 && rg.s.rank < 100 && isinf(ro.s.log10_cond) && isinf(rg.s.log10_cond),
         "relu at sigma_w2 = 2, depth 32: no isometry with either init: rank %g (orthogonal) and %g (Gaussian) of 128, "
         "log10 condition %g and %g", ro.s.rank, rg.s.rank, ro.s.log10_cond, rg.s.log10_cond);
}

static void check_summary(void)
{
  /* two inputs of two values: (2, 1) and (4, 0.5) */
  double sv[4] = { 2.0, 1.0, 4.0, 0.5 };
  jac_summary s;
  jac_summarize(sv, 2, 2, 2, &s);
  /* sigma^2: 4, 1, 16, 0.25: mean 21.25/4; sample variance; log10 2 and log10 8 */
  double m = 21.25 / 4, v = ((4 - m) * (4 - m) + (1 - m) * (1 - m) + (16 - m) * (16 - m) + (0.25 - m) * (0.25 - m)) / 3;
  tap_ok(fabs(s.msv - m) < 1e-15 && fabs(s.sv2_var - v) < 1e-13 && s.sv_max == 4.0
         && fabs(s.log10_cond - (log10(2.0) + log10(8.0)) / 2) < 1e-15,
         "jac_summarize: mean sigma^2 %.6g (%.6g), variance %.6g (%.6g), max %g (4), mean log10 condition %.6g (%.6g)",
         s.msv, m, s.sv2_var, v, s.sv_max, s.log10_cond, (log10(2.0) + log10(8.0)) / 2);
  tap_ok(s.rank == 2.0, "jac_summarize: numerical rank %g (2)", s.rank);
  /* the floor of a (2, 2) J with sigma_max 1: 2 eps = 4.44e-16; just below
   * it a zero, just above a value; an input's zero makes the mean Inf */
  double fl[6] = { 1.0, 4.4e-16, 1.0, 4.5e-16, 0.0, 0.0 };
  jac_summary a, b, z;
  jac_summarize(fl, 2, 2, 2, &a);
  jac_summarize(fl + 2, 1, 2, 2, &b);
  jac_summarize(fl + 4, 1, 2, 2, &z);
  tap_ok(jac_floor(2, 1.0) == 2 * DBL_EPSILON && jac_floor(3, 0.5) == 1.5 * DBL_EPSILON && a.rank == 1.0
         && isinf(a.log10_cond) && b.rank == 2.0 && fabs(b.log10_cond - (16 - log10(4.5))) < 1e-12 && z.rank == 0.0
         && isinf(z.log10_cond) && jac_rank(fl, 2, 2) == 1 && jac_rank(fl + 2, 2, 2) == 2 && jac_rank(fl + 4, 2, 2) == 0,
         "resolution floor: floor(2, 1) = %.17g (2 eps), floor(3, 0.5) = %.17g (1.5 eps); (1, 4.4e-16) with (1, 4.5e-16): "
         "rank %g (1), log10 condition %g (Inf); (1, 4.5e-16) alone: rank %g (2), %.9g (%.9g); J = 0: rank %g (0), %g "
         "(Inf)", jac_floor(2, 1.0), jac_floor(3, 0.5), a.rank, a.log10_cond, b.rank, b.log10_cond, 16 - log10(4.5),
         z.rank, z.log10_cond);
}

int main(void)
{
  gsl_set_error_handler_off();
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20171);
  static const net_arch archs[] = {
    { NORM_NONE, 0, 1.0 }, { NORM_LAYER, 0, 1.0 }, { NORM_BATCH, 0, 1.0 }, { NORM_NONE, 1, 1.0 },
    { NORM_NONE, 2, 0.5 }, { NORM_LAYER, 1, 0.7 }, { NORM_BATCH, 2, 1.0 },
  };
  static const char *const acts[] = { "tanh", "sigmoid", "gelu" };
  for (size_t a = 0; a < 3; a++)
    for (size_t k = 0; k < sizeof archs / sizeof archs[0]; k++) check_fd(acts[a], &archs[k], r);
  check_orthogonal_linear(16, 16, 6, 1.0, r);
  check_orthogonal_linear(16, 16, 5, 1.3, r);
  check_orthogonal_linear(8, 16, 4, 0.9, r);
  check_orthogonal_linear(24, 16, 4, 1.1, r);
  check_mean_field(r);
  check_summary();
  static const size_t known[][2] = { { 16, 16 }, { 64, 64 }, { 96, 96 }, { 128, 128 }, { 256, 256 }, { 512, 48 },
                                     { 1024, 24 } };
  for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) check_known_spectrum(known[k][0], known[k][1], r);
  static const size_t gauss[][2] = { { 16, 16 }, { 64, 64 }, { 96, 96 }, { 128, 128 }, { 16, 24 }, { 24, 16 } };
  for (size_t k = 0; k < sizeof gauss / sizeof gauss[0]; k++) check_reference(gauss[k][0], gauss[k][1], r);
  check_known_rank(40, 29, r);
  check_known_rank(128, 100, r);
  check_dead_relu(24, 7, r);
  check_layernorm_rank(16, r);
  check_isometry(r);
  gsl_rng_free(r);
  return tap_done();
}
