/* test_jacobian.c - the Jacobian probe against independent answers.
 *
 *  - J = d a^depth / d x against central differences of the forward pass,
 *    for plain nets and every norm and skip connection (batch norm in
 *    evaluation with its running averages set to the batch's statistics,
 *    the network whose Jacobian the probe takes);
 *  - linear nets with orthogonal weights of gain g: every singular value
 *    is g^depth, square or not;
 *  - at initialization the mean of sigma^2 is the product of mean-field
 *    chi_l (Pennington et al. 2017), for tanh, sigmoid and relu at
 *    several sigma_w2;
 *  - dynamical isometry: at tanh's critical point (sigma_w2 = 1,
 *    sigma_b2 = 0) orthogonal weights keep the spectrum narrow with depth
 *    while Gaussian ones spread it; relu spreads under both;
 *  - jac_summarize on numbers worked by hand. */
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
  jac_summarize(sv, inputs, width, &out.s);
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

static void check_isometry(gsl_rng *r)
{
  spectrum_stats to8 = spectra("tanh", "orthogonal:1", 128, 8, 4, r);
  spectrum_stats to = spectra("tanh", "orthogonal:1", 128, 32, 4, r);
  spectrum_stats tg8 = spectra("tanh", "meanfield:1:0", 128, 8, 4, r);
  spectrum_stats tg = spectra("tanh", "meanfield:1:0", 128, 32, 4, r);
  spectrum_stats ro = spectra("relu", "orthogonal:1.4142135623730951", 128, 32, 4, r);
  spectrum_stats rg = spectra("relu", "he_normal", 128, 32, 4, r);
  tap_diag("log10 condition numbers: tanh orthogonal %.3g (d8) %.3g (d32), Gaussian %.3g (d8) %.3g (d32); "
           "relu d32 orthogonal %.3g, Gaussian %.3g", to8.s.log10_cond, to.s.log10_cond, tg8.s.log10_cond,
           tg.s.log10_cond, ro.s.log10_cond, rg.s.log10_cond);
  tap_ok(to.s.log10_cond < 1.5 && to.s.log10_cond - to8.s.log10_cond < 0.5,
         "tanh at the critical point with orthogonal weights: log10 sigma_max/sigma_min %.3g at depth 32 (< 1.5), "
         "%.3g at depth 8: the spectrum stays narrow", to.s.log10_cond, to8.s.log10_cond);
  tap_ok(tg.s.log10_cond > 3.0 && tg.s.log10_cond > tg8.s.log10_cond + 1.0,
         "tanh at the critical point with Gaussian weights: log10 condition %.3g at depth 32 (> 3, and 1 more "
         "than the %.3g at depth 8): the spectrum spreads with depth", tg.s.log10_cond, tg8.s.log10_cond);
  double vo = to.s.sv2_var / (to.s.msv * to.s.msv), vg = tg.s.sv2_var / (tg.s.msv * tg.s.msv);
  tap_ok(vo < 0.2 * vg, "tanh depth 32: relative variance of sigma^2 orthogonal %.3g < 0.2 x Gaussian %.3g", vo, vg);
  tap_ok(ro.s.log10_cond > 3.0 && rg.s.log10_cond > 3.0,
         "relu at sigma_w2 = 2, depth 32: no isometry with either init (log10 condition orthogonal %.3g, "
         "Gaussian %.3g, both > 3)", ro.s.log10_cond, rg.s.log10_cond);
}

static void check_summary(void)
{
  /* two inputs of two values: (2, 1) and (4, 0.5) */
  double sv[4] = { 2.0, 1.0, 4.0, 0.5 };
  jac_summary s;
  jac_summarize(sv, 2, 2, &s);
  /* sigma^2: 4, 1, 16, 0.25: mean 21.25/4; sample variance; log10 2 and log10 8 */
  double m = 21.25 / 4, v = ((4 - m) * (4 - m) + (1 - m) * (1 - m) + (16 - m) * (16 - m) + (0.25 - m) * (0.25 - m)) / 3;
  tap_ok(fabs(s.msv - m) < 1e-15 && fabs(s.sv2_var - v) < 1e-13 && s.sv_max == 4.0
         && fabs(s.log10_cond - (log10(2.0) + log10(8.0)) / 2) < 1e-15,
         "jac_summarize: mean sigma^2 %.6g (%.6g), variance %.6g (%.6g), max %g (4), mean log10 condition %.6g (%.6g)",
         s.msv, m, s.sv2_var, v, s.sv_max, s.log10_cond, (log10(2.0) + log10(8.0)) / 2);
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
  check_isometry(r);
  check_summary();
  gsl_rng_free(r);
  return tap_done();
}
