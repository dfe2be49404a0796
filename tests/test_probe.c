/* test_probe.c - the probe's definitions on a tiny hand-built network.
 *
 * A 2 -> 3 -> 2 net (one hidden layer) on 3 examples, with weights chosen by
 * hand so that hidden unit 1 is on for every input, unit 2 for two of them
 * and unit 3 for none (ReLU: sat_frac 4/9, dead_frac 1/3).  Every column of
 * probe_measure is compared with its definition evaluated here by plain
 * loops on an independent forward and backward pass; then probe_quantile is
 * compared with sorting plus gsl_stats_quantile_from_sorted_data. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_histogram.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "act.h"
#include "net.h"
#include "probe.h"
#include "tap.h"

enum { NI = 2, NH = 3, NO = 2, B = 3 };

/* Inputs (B, NI), labels, and the parameters, W row-major (fan_in, fan_out). */
static const double X[B * NI] = { 0.7, -1.3,
                                  1.9, 0.4,
                                  -0.6, 2.2 };
static const int Y[B] = { 1, 0, 1 };
static const double W1[NI * NH] = { 0.5, 1.2, -0.8,
                                    0.25, 0.3, -0.45 };
static const double B1[NH] = { 0.6, -0.2, -0.1 };
static const double W2[NH * NO] = { 0.9, -0.35,
                                    -0.7, 1.1,
                                    0.45, 0.8 };
static const double B2[NO] = { 0.05, -0.15 };

/* h1 = X W1 + b1 worked out by hand:
 *   unit 1:  0.35 - 0.325 + 0.6 = 0.625,  0.95 + 0.1 + 0.6 = 1.65,   -0.3 + 0.55 + 0.6 = 0.85
 *   unit 2:  0.84 - 0.39 - 0.2  = 0.25,   2.28 + 0.12 - 0.2 = 2.2,   -0.72 + 0.66 - 0.2 = -0.26
 *   unit 3: -0.56 + 0.585 - 0.1 = -0.075, -1.52 - 0.18 - 0.1 = -1.8,  0.48 - 0.99 - 0.1 = -0.61 */
static const double H1_HAND[B * NH] = { 0.625, 0.25, -0.075,
                                        1.65, 2.2, -1.8,
                                        0.85, -0.26, -0.61 };

/* The reference pass: plain loops, softmax cross-entropy, mean over B. */
typedef struct ref {
  double h1[B * NH], a1[B * NH], g1[B * NH];  /* pre-activation, phi, phi' */
  double z[B * NO], p[B * NO];
  double d2[B * NO], d1[B * NH];              /* dL/dz, dL/dh1 */
  double ga1[B * NH];                         /* dL/da1 */
  double dW1[NI * NH], db1[NH], dW2[NH * NO], db2[NO];
} ref;

static void ref_pass(const act_fn *f, ref *r)
{
  for (int i = 0; i < B; i++)
    for (int j = 0; j < NH; j++) {
      double s = B1[j];
      for (int k = 0; k < NI; k++) s += X[i * NI + k] * W1[k * NH + j];
      r->h1[i * NH + j] = s;
      r->a1[i * NH + j] = act_eval(f, s);
      r->g1[i * NH + j] = act_deriv(f, s);
    }
  for (int i = 0; i < B; i++) {
    double mx = -INFINITY, sum = 0.0;
    for (int j = 0; j < NO; j++) {
      double s = B2[j];
      for (int k = 0; k < NH; k++) s += r->a1[i * NH + k] * W2[k * NO + j];
      r->z[i * NO + j] = s;
      if (s > mx) mx = s;
    }
    for (int j = 0; j < NO; j++) sum += exp(r->z[i * NO + j] - mx);
    for (int j = 0; j < NO; j++) {
      r->p[i * NO + j] = exp(r->z[i * NO + j] - mx) / sum;
      r->d2[i * NO + j] = (r->p[i * NO + j] - (Y[i] == j)) / B;
    }
  }
  for (int i = 0; i < B; i++)
    for (int k = 0; k < NH; k++) {
      double s = 0.0;
      for (int j = 0; j < NO; j++) s += r->d2[i * NO + j] * W2[k * NO + j];
      r->ga1[i * NH + k] = s;
      r->d1[i * NH + k] = r->g1[i * NH + k] * s;
    }
  for (int k = 0; k < NH; k++)
    for (int j = 0; j < NO; j++) {
      double s = 0.0;
      for (int i = 0; i < B; i++) s += r->a1[i * NH + k] * r->d2[i * NO + j];
      r->dW2[k * NO + j] = s;
    }
  for (int j = 0; j < NO; j++) {
    r->db2[j] = 0.0;
    for (int i = 0; i < B; i++) r->db2[j] += r->d2[i * NO + j];
  }
  for (int k = 0; k < NI; k++)
    for (int j = 0; j < NH; j++) {
      double s = 0.0;
      for (int i = 0; i < B; i++) s += X[i * NI + k] * r->d1[i * NH + j];
      r->dW1[k * NH + j] = s;
    }
  for (int j = 0; j < NH; j++) {
    r->db1[j] = 0.0;
    for (int i = 0; i < B; i++) r->db1[j] += r->d1[i * NH + j];
  }
}

static double l2(const double *x, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += x[i] * x[i];
  return sqrt(s);
}

static double mean(const double *x, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += x[i];
  return s / (double)n;
}

/* Sample standard deviation, divisor n - 1. */
static double sample_sd(const double *x, size_t n)
{
  double m = mean(x, n), s = 0.0;
  for (size_t i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return sqrt(s / (double)(n - 1));
}

static double sorted_quantile(const double *x, size_t n, double f)
{
  double s[64];
  memcpy(s, x, n * sizeof *s);
  gsl_sort(s, 1, n);
  return gsl_stats_quantile_from_sorted_data(s, 1, n, f);
}

/* Expected row of a layer with activations a and pre-activations h
 * (batch B, `units` wide), phi' values g (NULL at the output layer). */
static void expected_row(probe_row *e, const double *W, const double *dW, size_t nw, const double *db,
                         const double *delta, const double *da, const double *a, const double *h,
                         const double *g, size_t units, double gmax, double tau,
                         double tail_lo, double tail_hi, const double *delta_up, size_t up_units)
{
  size_t m = B * units;
  /* A column added to probe.h without its value here is expected NaN, so
   * its test fails until it gets an independent value. */
  for (int c = 0; c < PROBE_NCOLS; c++) e->v[c] = NAN;
  e->v[PROBE_GRAD_W_NORM] = l2(dW, nw);
  e->v[PROBE_GRAD_B_NORM] = l2(db, units);
  e->v[PROBE_DELTA_NORM] = l2(delta, m);
  e->v[PROBE_STREAM_GRAD_NORM] = l2(da, m);
  e->v[PROBE_ACT_MEAN] = mean(a, m);
  e->v[PROBE_ACT_STD] = sample_sd(a, m);
  e->v[PROBE_ACT_P02] = sorted_quantile(a, m, 0.02);
  e->v[PROBE_ACT_P98] = sorted_quantile(a, m, 0.98);
  e->v[PROBE_STREAM_RMS] = l2(a, m) / sqrt((double)m);  /* no skips: the stream is phi(h) */
  e->v[PROBE_PREACT_STD] = sample_sd(h, m);
  size_t sat = 0, low = 0, high = 0, dead = 0;
  if (g)
    for (size_t j = 0; j < units; j++) {
      size_t s = 0;
      for (size_t i = 0; i < B; i++) {
        double hv = h[i * units + j];
        int is_sat = fabs(g[i * units + j]) / gmax < tau && (hv <= tail_lo || hv >= tail_hi);
        s += is_sat;
        low += is_sat && h[i * units + j] <= 0;   /* pinned at the low end */
        high += is_sat && h[i * units + j] > 0;
      }
      sat += s;
      dead += s == B;
    }
  e->v[PROBE_SAT_FRAC] = (double)sat / (double)m;
  e->v[PROBE_SAT_LOW] = (double)low / (double)m;
  e->v[PROBE_SAT_HIGH] = (double)high / (double)m;
  e->v[PROBE_DEAD_FRAC] = (double)dead / (double)units;
  e->v[PROBE_UPDATE_RATIO] = NAN;
  e->v[PROBE_WEIGHT_NORM] = l2(W, nw);
  /* mean |phi'| / max; 1 at the linear output layer */
  double slope = 0.0;
  if (g)
    for (size_t i = 0; i < m; i++) slope += fabs(g[i]) / gmax;
  e->v[PROBE_SLOPE_MEAN] = g ? slope / (double)m : 1.0;
  /* mean over examples of ||delta_i||^2 / ||delta_up_i||^2 */
  double gain = 0.0;
  size_t used = 0;
  for (size_t i = 0; delta_up && i < B; i++) {
    double lo2 = 0.0, up2 = 0.0;
    for (size_t j = 0; j < units; j++) lo2 += delta[i * units + j] * delta[i * units + j];
    for (size_t j = 0; j < up_units; j++) up2 += delta_up[i * up_units + j] * delta_up[i * up_units + j];
    if (up2 > 0.0) { gain += lo2 / up2; used++; }
  }
  e->v[PROBE_DELTA_GAIN] = used ? gain / (double)used : NAN;
}

/* Where each activation of these tests may saturate, as the manual's
 * table says (kept here apart from act.c's table): in both tails for
 * sigmoid, tanh and relu; only below the minimum of phi' (-sqrt2) for
 * gelu and (-2.39936) for swish; nowhere for leaky_relu. */
static void hand_tails(const char *an, double *lo, double *hi)
{
  *lo = 0.0;
  *hi = 0.0;
  if (!strcmp(an, "gelu")) { *lo = -1.4142135623730951; *hi = INFINITY; }
  if (!strcmp(an, "swish")) { *lo = -2.3993572805154675; *hi = INFINITY; }
  if (!strcmp(an, "leaky_relu")) { *lo = -INFINITY; *hi = INFINITY; }
}

static void compare_rows(const char *what, size_t l, const probe_row *got, const probe_row *exp)
{
  for (int c = 0; c < PROBE_NCOLS; c++) {
    char name[160];
    double o = got->v[c], e = exp->v[c];
    snprintf(name, sizeof name, "%s layer %zu %s", what, l, probe_cols[c].name);
    if (c == PROBE_UPDATE_RATIO || (c == PROBE_DELTA_GAIN && isnan(e)))
      tap_rel(o, e, 0, name);   /* NaN: no update yet; no layer above the output */
    else if (c == PROBE_SAT_FRAC || c == PROBE_SAT_LOW || c == PROBE_SAT_HIGH || c == PROBE_DEAD_FRAC)
      tap_ok(o == e, "%s: observed %.17g expected %.17g (exact count)", name, o, e);
    else
      tap_rel(o, e, 1e-13, name);
  }
}

/* Build the hand net with activation `an`, run it, probe with tau, and
 * compare with the reference.  Returns the probe rows in rows[0..2). */
static void check_net(const char *an, double tau, probe_row *rows)
{
  act_fn f;
  sb_error err;
  if (act_parse(an, &f, &err) != SB_OK) { tap_ok(0, "%s", err.msg); exit(tap_done()); }
  net *n = net_alloc(NI, NH, 1, NO, f, LOSS_XENT);
  net_work *w = n ? net_work_alloc(n, B) : NULL;
  probe_work *pw = n ? probe_work_alloc(n, B) : NULL;
  if (!w || !pw) { tap_ok(0, "allocation"); exit(tap_done()); }
  memcpy(net_W(n, 1), W1, sizeof W1);
  memcpy(net_b(n, 1), B1, sizeof B1);
  memcpy(net_W(n, 2), W2, sizeof W2);
  memcpy(net_b(n, 2), B2, sizeof B2);
  net_forward(n, w, X, Y, B);
  w->measure_da = 1;
  net_backward(n, w, X, Y, B);
  probe_measure(n, w, B, tau, NULL, pw, rows);

  ref r;
  ref_pass(&f, &r);
  char what[64];
  snprintf(what, sizeof what, "%s tau %g", an, tau);
  probe_row e;
  double lo, hi;
  hand_tails(an, &lo, &hi);
  expected_row(&e, W1, r.dW1, NI * NH, r.db1, r.d1, r.ga1, r.a1, r.h1, r.g1, NH, act_deriv_max(&f), tau, lo, hi, r.d2, NO);
  tap_ok(l2(r.dW1, NI * NH) > 1e-3 && l2(r.d1, B * NH) > 1e-3,
         "%s: reference hidden gradients are not all zero (||dW1|| %.4g, ||delta1|| %.4g)",
         what, l2(r.dW1, NI * NH), l2(r.d1, B * NH));
  compare_rows(what, 1, &rows[0], &e);
  /* The output layer is linear: act_* and stream_rms describe the logits,
   * its stream gradient is dL/dz, it is never saturated. */
  expected_row(&e, W2, r.dW2, NH * NO, r.db2, r.d2, r.d2, r.z, r.z, NULL, NO, 1.0, tau, 0.0, 0.0, NULL, 0);
  compare_rows(what, 2, &rows[1], &e);

  /* With an update-ratio vector the column is copied through. */
  double ratio[2] = { 0.0123, 2.385e-7 };
  probe_row rr[2];
  probe_measure(n, w, B, tau, ratio, pw, rr);
  tap_ok(rr[0].v[PROBE_UPDATE_RATIO] == ratio[0] && rr[1].v[PROBE_UPDATE_RATIO] == ratio[1],
         "%s: update_ratio copied from the ratio vector (%g, %g)", what,
         rr[0].v[PROBE_UPDATE_RATIO], rr[1].v[PROBE_UPDATE_RATIO]);

  probe_work_free(pw);
  net_work_free(w);
  net_free(n);
}

/* The hand net with its hidden layer's W1 and b1 multiplied by `scale`, a
 * power of two, so that h1 and the ReLU activations scale exactly; the
 * hidden-layer rows of probe_measure go to *row. */
static void scaled_run(double scale, probe_row *row)
{
  act_fn f;
  sb_error err;
  if (act_parse("relu", &f, &err) != SB_OK) { tap_ok(0, "%s", err.msg); exit(tap_done()); }
  net *n = net_alloc(NI, NH, 1, NO, f, LOSS_XENT);
  net_work *w = n ? net_work_alloc(n, B) : NULL;
  probe_work *pw = n ? probe_work_alloc(n, B) : NULL;
  if (!w || !pw) { tap_ok(0, "allocation"); exit(tap_done()); }
  for (int i = 0; i < NI * NH; i++) net_W(n, 1)[i] = scale * W1[i];
  for (int i = 0; i < NH; i++) net_b(n, 1)[i] = scale * B1[i];
  memcpy(net_W(n, 2), W2, sizeof W2);
  memcpy(net_b(n, 2), B2, sizeof B2);
  net_forward(n, w, X, Y, B);
  net_backward(n, w, X, Y, B);
  probe_row rows[2];
  probe_measure(n, w, B, 0.05, NULL, pw, rows);
  *row = rows[0];
  probe_work_free(pw);
  net_work_free(w);
  net_free(n);
}

/* slope_mean and delta_gain by hand: one output and MSE, so delta^1_i =
 * delta^2_i phi'(h_i) * w (w = W2's column) and ||delta^1_i||^2 /
 * ||delta^2_i||^2 = sum_j phi'(h_ij)^2 w_j^2 whatever the error.  With w =
 * (0.9, -0.7, 0.45): linear, 0.81 + 0.49 + 0.2025 = 1.5025 on every
 * example; ReLU, units on where h > 0 (1 and 2, 1 and 2, 1 alone):
 * (1.30 + 1.30 + 0.81) / 3, and slope_mean 5/9. */
static void check_slope_gain(void)
{
  static const double w2[NH] = { 0.9, -0.7, 0.45 };
  static const char *const acts[] = { "linear", "relu" };
  static const double gain[] = { 1.5025, 3.41 / 3.0 }, slope[] = { 1.0, 5.0 / 9.0 };
  for (int k = 0; k < 2; k++) {
    act_fn f;
    sb_error err;
    if (act_parse(acts[k], &f, &err) != SB_OK) { tap_ok(0, "%s", err.msg); exit(tap_done()); }
    net *n = net_alloc(NI, NH, 1, 1, f, LOSS_MSE);
    net_work *w = n ? net_work_alloc(n, B) : NULL;
    probe_work *pw = n ? probe_work_alloc(n, B) : NULL;
    if (!w || !pw) { tap_ok(0, "allocation"); exit(tap_done()); }
    memcpy(net_W(n, 1), W1, sizeof W1);
    memcpy(net_b(n, 1), B1, sizeof B1);
    memcpy(net_W(n, 2), w2, sizeof w2);
    net_b(n, 2)[0] = 0.125;
    /* one output: target 1 for label 0, else 0 */
    int y[B] = { 0, 1, 0 };
    net_forward(n, w, X, y, B);
    net_backward(n, w, X, y, B);
    probe_row rows[2];
    probe_measure(n, w, B, 0.05, NULL, pw, rows);
    tap_rel(rows[0].v[PROBE_DELTA_GAIN], gain[k], 1e-14, acts[k]);
    tap_rel(rows[0].v[PROBE_SLOPE_MEAN], slope[k], 1e-15, acts[k]);
    tap_ok(isnan(rows[1].v[PROBE_DELTA_GAIN]) && rows[1].v[PROBE_SLOPE_MEAN] == 1.0,
           "%s: the output layer's delta_gain is NaN (%g), its slope_mean 1 (%g)", acts[k],
           rows[1].v[PROBE_DELTA_GAIN], rows[1].v[PROBE_SLOPE_MEAN]);
    probe_work_free(pw);
    net_work_free(w);
    net_free(n);
  }
}

/* Statistics of huge and tiny activations: a diverging cell has finite
 * activations near 1e200 whose squares overflow, a vanishing one values
 * near 1e-180 whose squares underflow; both must still be measured. */
static void check_extreme_scales(void)
{
  static const int cols[] = { PROBE_ACT_MEAN, PROBE_ACT_STD, PROBE_ACT_P02, PROBE_ACT_P98, PROBE_STREAM_RMS,
                              PROBE_PREACT_STD, PROBE_SAT_FRAC, PROBE_DEAD_FRAC };
  probe_row base, row;
  scaled_run(1.0, &base);
  for (int e = -600; e <= 600; e += 1200) {
    double s = ldexp(1.0, e);
    scaled_run(s, &row);
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
      char what[128];
      int k = cols[c];
      int unscaled = k == PROBE_SAT_FRAC || k == PROBE_DEAD_FRAC;
      snprintf(what, sizeof what, "relu, hidden layer scaled by 2^%d: %s", e, probe_cols[k].name);
      if (k == PROBE_ACT_P02)  /* exactly 0 at every scale */
        tap_abs(row.v[k], 0.0, 0.0, what);
      else
        tap_rel(row.v[k], unscaled ? base.v[k] : s * base.v[k], 1e-14, what);
    }
  }
}

/* ---- residual nets: the branch, the stream, and the histograms ----------- */

static int cmp_double(const void *a, const void *b);

/* Quantile f of x[0..n) by sorting a copy (gsl's interpolation). */
static double quantile_sorted(const double *x, size_t n, double f)
{
  double *s = malloc(n * sizeof *s);
  if (!s) { tap_ok(0, "allocation"); exit(tap_done()); }
  memcpy(s, x, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp_double);
  double q = gsl_stats_quantile_from_sorted_data(s, 1, n, f);
  free(s);
  return q;
}

/* A net of RD hidden layers, RW wide, on RB examples, with skip connections
 * every `stride` layers scaled by `scale` (stride 0: none).  Each hidden
 * layer's act_* must describe the units' outputs phi(h^l), made here with
 * act_eval from the pre-activations, and stream_rms the stream, made here
 * by its own recursion a^l = a^{l-k} + s phi(h^l) (phi(h^l) off the block
 * ends); stream_grad_norm is ||dL/da^l||, which the net keeps whole with
 * skips (w->da).  probe_hist must count every value of phi(h^l) in its
 * range, bin by bin as a plain binning of those values does. */
static void check_residual(const char *an, size_t stride, double scale, gsl_rng *r)
{
  enum { RI = 5, RW = 9, RD = 5, RB = 23, RL = RD + 1 };
  act_fn f;
  sb_error err;
  if (act_parse(an, &f, &err) != SB_OK) { tap_ok(0, "%s", err.msg); exit(tap_done()); }
  net_arch arch = { NORM_NONE, stride, scale };
  net *n = net_alloc_arch(RI, RW, RD, NO, f, LOSS_XENT, &arch);
  net_work *w = n ? net_work_alloc(n, RB) : NULL;
  probe_work *pw = n ? probe_work_alloc(n, RB) : NULL;
  gsl_histogram *gh = gsl_histogram_alloc(PROBE_HIST_BINS);
  if (!w || !pw || !gh) { tap_ok(0, "allocation"); exit(tap_done()); }
  double Xr[RB * RI];
  int yr[RB];
  for (size_t i = 0; i < n->n_params; i++) n->params[i] = 1.1 * (gsl_rng_uniform(r) - 0.45);
  for (int i = 0; i < RB * RI; i++) Xr[i] = 2.385 * gsl_rng_uniform(r) - 1.0;
  for (int i = 0; i < RB; i++) yr[i] = (int)gsl_rng_uniform_int(r, NO);
  net_forward(n, w, Xr, yr, RB);
  w->measure_da = 1;
  net_backward(n, w, Xr, yr, RB);
  probe_row rows[RL];
  probe_measure(n, w, RB, 0.05, NULL, pw, rows);
  double count[RD * 2 * PROBE_HIST_BINS], range[4];
  probe_hist(n, w, RB, pw, gh, count, range);

  enum { M = RB * RW };
  double phi[RD][M], stream[RD][M];
  double worst = 0.0, above = -INFINITY, below = INFINITY, lo = INFINITY, hi = -INFINITY;
  for (size_t l = 1; l <= RD; l++) {
    int end = stride && l >= 2 && (l - 1) % stride == 0;
    for (size_t i = 0; i < M; i++) {
      phi[l - 1][i] = act_eval(&f, w->h[l - 1][i]);
      stream[l - 1][i] = end ? stream[l - 1 - stride][i] + scale * phi[l - 1][i] : phi[l - 1][i];
      above = fmax(above, stream[l - 1][i]);
      below = fmin(below, stream[l - 1][i]);
      lo = fmin(lo, phi[l - 1][i]);
      hi = fmax(hi, phi[l - 1][i]);
    }
    const double *v = rows[l - 1].v;
    double want[6] = { mean(phi[l - 1], M), sample_sd(phi[l - 1], M), quantile_sorted(phi[l - 1], M, 0.02),
                       quantile_sorted(phi[l - 1], M, 0.98), l2(stream[l - 1], M) / sqrt((double)M),
                       stride ? l2(w->da[l - 1], M) : v[PROBE_STREAM_GRAD_NORM] };
    int cols[6] = { PROBE_ACT_MEAN, PROBE_ACT_STD, PROBE_ACT_P02, PROBE_ACT_P98, PROBE_STREAM_RMS,
                    PROBE_STREAM_GRAD_NORM };
    for (int c = 0; c < 6; c++) worst = fmax(worst, fabs(v[cols[c]] - want[c]) / fmax(fabs(want[c]), 1e-300));
  }
  char what[64];
  if (stride) snprintf(what, sizeof what, "%s, a skip every %zu layers x %g", an, stride, scale);
  else snprintf(what, sizeof what, "%s, no skip", an);
  tap_ok(worst <= 1e-13, "%s: act_mean/std/p02/p98 of phi(h^l), stream_rms of a^l and stream_grad_norm, "
         "worst rel err %.3g (tol 1e-13); the stream spans [%.3g, %.3g]", what, worst, below, above);

  /* The histograms: phi's own range when bounded, else the values' */
  const act_info *ai = act_info_of(f.kind);
  double rlo = ai->bounded ? ai->lo : lo, rhi = ai->bounded ? ai->hi : hi;
  size_t bad_sum = 0, bad_bin = 0;
  for (size_t l = 1; l <= RD; l++) {
    double mine[PROBE_HIST_BINS] = { 0 }, total = 0.0;
    for (size_t i = 0; i < M; i++) {
      double t = (phi[l - 1][i] - rlo) / (rhi - rlo) * PROBE_HIST_BINS;
      int b = (int)floor(t);
      mine[b < 0 ? 0 : b >= PROBE_HIST_BINS ? PROBE_HIST_BINS - 1 : b] += 1.0;
    }
    const double *c = count + (l - 1) * 2 * PROBE_HIST_BINS;
    for (int b = 0; b < PROBE_HIST_BINS; b++) { total += c[b]; bad_bin += c[b] != mine[b]; }
    bad_sum += total != (double)M;
    total = 0.0;
    for (int b = 0; b < PROBE_HIST_BINS; b++) total += c[PROBE_HIST_BINS + b];
    bad_sum += total != (double)M;
  }
  tap_ok(bad_sum == 0 && bad_bin == 0 && range[0] == rlo && range[1] == rhi,
         "%s: hist.tsv's rows of phi(h^l) and delta each count all %d values (%zu do not), phi's bins "
         "as a plain binning (%zu differ), over [%.6g, %.6g] (expected [%.6g, %.6g])",
         what, M, bad_sum, bad_bin, range[0], range[1], rlo, rhi);
  gsl_histogram_free(gh);
  probe_work_free(pw);
  net_work_free(w);
  net_free(n);
}

/* ---- probe_quantile ---------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* probe_quantile(x) against sorting a copy; also checks x was only
 * permuted.  Both use the same interpolation formula on the same two order
 * statistics, so the answers must agree exactly. */
static int quantile_agrees(const double *x, size_t n, double f, double *got, double *want)
{
  double *a = malloc(n * sizeof *a), *s = malloc(n * sizeof *s);
  if (!a || !s) { tap_ok(0, "allocation"); exit(tap_done()); }
  memcpy(a, x, n * sizeof *a);
  memcpy(s, x, n * sizeof *s);
  gsl_sort(s, 1, n);
  *want = gsl_stats_quantile_from_sorted_data(s, 1, n, f);
  *got = probe_quantile(a, n, f);
  qsort(a, n, sizeof *a, cmp_double);
  int ok = *got == *want && memcmp(a, s, n * sizeof *a) == 0;
  free(s);
  free(a);
  return ok;
}

static void check_quantiles(gsl_rng *r)
{
  static const double fs[] = { 0.0, 0.02, 0.5, 0.98, 1.0 };
  static const double levels[] = { -1.5, 0.0, 0.25, 2.385, 2.385, 7.0 };
  static const size_t sizes[] = { 1, 2, 3, 1000 };
  double *x = malloc(1000 * sizeof *x);
  if (!x) { tap_ok(0, "allocation"); exit(tap_done()); }
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
    size_t n = sizes[si];
    /* few distinct values: many duplicates, and ties at the order statistics */
    for (size_t i = 0; i < n; i++) x[i] = levels[gsl_rng_uniform_int(r, 6)];
    for (size_t fi = 0; fi < sizeof fs / sizeof *fs; fi++) {
      double got, want;
      int ok = quantile_agrees(x, n, fs[fi], &got, &want);
      tap_ok(ok, "probe_quantile n=%zu f=%g (duplicated values): observed %.17g expected %.17g, "
             "input only permuted", n, fs[fi], got, want);
    }
  }
  /* Continuous values for n = 1000, where f interpolates between distinct
   * neighbours (0.02 * 999 = 19.98). */
  for (size_t i = 0; i < 1000; i++) x[i] = 2.385 * gsl_rng_uniform(r) - 1.0;
  for (size_t fi = 0; fi < sizeof fs / sizeof *fs; fi++) {
    double got, want;
    int ok = quantile_agrees(x, 1000, fs[fi], &got, &want);
    tap_ok(ok, "probe_quantile n=1000 f=%g (distinct values): observed %.17g expected %.17g",
           fs[fi], got, want);
  }
  /* Adversarial orders for a quickselect: sorted, reversed, all equal,
   * organ pipe; then many random small arrays with heavy ties. */
  static const char *const shapes[] = { "sorted", "reversed", "constant", "organ pipe" };
  for (int sh = 0; sh < 4; sh++) {
    for (size_t i = 0; i < 1000; i++)
      x[i] = sh == 0 ? (double)i : sh == 1 ? (double)(1000 - i) : sh == 2 ? 2.385
             : (double)(i < 500 ? i : 1000 - i);
    int ok = 1;
    double got = 0, want = 0;
    for (size_t fi = 0; fi < sizeof fs / sizeof *fs && ok; fi++)
      ok = quantile_agrees(x, 1000, fs[fi], &got, &want);
    tap_ok(ok, "probe_quantile n=1000 %s input, all f: last observed %.17g expected %.17g",
           shapes[sh], got, want);
  }
  size_t bad = 0, trials = 0;
  for (int t = 0; t < 3000; t++) {
    size_t n = 1 + gsl_rng_uniform_int(r, 40);
    size_t k = 1 + gsl_rng_uniform_int(r, 4);
    for (size_t i = 0; i < n; i++) x[i] = (double)gsl_rng_uniform_int(r, k) - 0.5;
    double f = t % 3 == 0 ? fs[t % 5] : gsl_rng_uniform(r), got, want;
    trials++;
    bad += !quantile_agrees(x, n, f, &got, &want);
  }
  tap_ok(bad == 0, "probe_quantile on %zu random arrays (n 1..40, 1-4 distinct values, random f): "
         "%zu disagree with sort + gsl (expected 0)", trials, bad);
  free(x);
}

/* A wide layer (15000 values) of ReLU (ties at 0), tanh and hardtanh with
 * large weights (values crowded at +-1, exact ties there), where
 * probe_measure takes its bucketed route to the percentiles: those must
 * have the bits of probe_quantile on a copy; the mean and sd agree with
 * plain two passes to rounding (probe.c sums in 8 interleaved lanes). */
static void check_wide_layer(gsl_rng *r)
{
  enum { WI = 7, WH = 300, WB = 50 };
  static const char *const acts[] = { "relu", "tanh", "hardtanh", "sigmoid" };
  static const double gains[] = { 1.0, 6.0, 6.0, 2.385 };
  double *Xw = malloc(WB * WI * sizeof *Xw), *c = malloc(WB * WH * sizeof *c);
  int *y = malloc(WB * sizeof *y);
  if (!Xw || !c || !y) { tap_ok(0, "allocation"); exit(tap_done()); }
  for (int i = 0; i < WB * WI; i++) Xw[i] = gsl_rng_uniform(r) * 2.0 - 1.0;
  for (int i = 0; i < WB; i++) y[i] = (int)gsl_rng_uniform_int(r, NO);
  for (size_t k = 0; k < sizeof acts / sizeof *acts; k++) {
    act_fn f;
    sb_error err;
    if (act_parse(acts[k], &f, &err) != SB_OK) { tap_ok(0, "%s", err.msg); exit(tap_done()); }
    net *n = net_alloc(WI, WH, 1, NO, f, LOSS_XENT);
    net_work *w = n ? net_work_alloc(n, WB) : NULL;
    probe_work *pw = n ? probe_work_alloc(n, WB) : NULL;
    if (!w || !pw) { tap_ok(0, "allocation"); exit(tap_done()); }
    for (size_t i = 0; i < n->n_params; i++) n->params[i] = gains[k] * (gsl_rng_uniform(r) - 0.5);
    net_forward(n, w, Xw, y, WB);
    net_backward(n, w, Xw, y, WB);
    probe_row rows[2];
    probe_measure(n, w, WB, 0.05, NULL, pw, rows);
    const double *a = w->a[0];
    size_t m = WB * WH;
    double s = 0.0, q = 0.0;
    for (size_t i = 0; i < m; i++) s += a[i];
    double mu = s / (double)m;
    for (size_t i = 0; i < m; i++) q += (a[i] - mu) * (a[i] - mu);
    double sd = sqrt(q / (double)(m - 1));
    memcpy(c, a, m * sizeof *c);
    double p02 = probe_quantile(c, m, 0.02);
    memcpy(c, a, m * sizeof *c);
    double p98 = probe_quantile(c, m, 0.98);
    const double *v = rows[0].v;
    tap_ok(v[PROBE_ACT_P02] == p02 && v[PROBE_ACT_P98] == p98,
           "%s, %zu values: p02 %.17g p98 %.17g; expected exactly %.17g %.17g",
           acts[k], m, v[PROBE_ACT_P02], v[PROBE_ACT_P98], p02, p98);
    char what[96];
    snprintf(what, sizeof what, "%s, %zu values: act_mean", acts[k], m);
    tap_rel(v[PROBE_ACT_MEAN], mu, 1e-13, what);
    snprintf(what, sizeof what, "%s, %zu values: act_std", acts[k], m);
    tap_rel(v[PROBE_ACT_STD], sd, 1e-13, what);
    probe_work_free(pw);
    net_work_free(w);
    net_free(n);
  }
  free(Xw);
  free(c);
  free(y);
}

int main(void)
{
  int named = 1;
  for (int c = 0; c < PROBE_NCOLS; c++) named &= probe_cols[c].name && probe_cols[c].name[0] && probe_cols[c].about;
  if (!tap_ok(named, "every probe column (%d) has a row of probe_cols with a name and a description", PROBE_NCOLS))
    return tap_done();
  probe_row rows[2];

  /* The example is what the comment above says it is. */
  {
    act_fn f;
    sb_error err;
    ref r;
    if (act_parse("relu", &f, &err) != SB_OK) { tap_ok(0, "%s", err.msg); return tap_done(); }
    ref_pass(&f, &r);
    double e = 0.0;
    for (int i = 0; i < B * NH; i++) e = fmax(e, fabs(r.h1[i] - H1_HAND[i]));
    tap_ok(e < 1e-15, "hand-computed h1 = Xw W1 + b1 matches the reference pass (max abs err %.3g)",
           e);
  }

  /* ReLU, tau 0.05: saturated means h <= 0.  Unit 2 is off on input 3 and
   * unit 3 on all three: sat_frac 4/9, dead_frac 1/3.  Activations
   * {0.625, 0.25, 0, 1.65, 2.2, 0, 0.85, 0, 0}: mean 5.575/9. */
  check_net("relu", 0.05, rows);
  tap_ok(rows[0].v[PROBE_SAT_FRAC] == 4.0 / 9.0 && rows[0].v[PROBE_DEAD_FRAC] == 1.0 / 3.0,
         "relu: hand count sat_frac %.17g = 4/9, dead_frac %.17g = 1/3",
         rows[0].v[PROBE_SAT_FRAC], rows[0].v[PROBE_DEAD_FRAC]);
  tap_rel(rows[0].v[PROBE_ACT_MEAN], 5.575 / 9.0, 1e-15, "relu: hand act_mean 5.575/9");
  /* 9 sorted values 0,0,0,0,0.25,0.625,0.85,1.65,2.2: p02 at index 0.16
   * lies between two zeros, p98 at 7.84 is 1.65 + 0.84 (2.2 - 1.65). */
  tap_abs(rows[0].v[PROBE_ACT_P02], 0.0, 0.0, "relu: hand act_p02");
  tap_rel(rows[0].v[PROBE_ACT_P98], 1.65 + 0.84 * 0.55, 1e-14, "relu: hand act_p98");

  /* tanh: tanh'(h) = 1 - tanh(h)^2 at the nine h above is 0.69, 0.94, 0.994,
   * 0.14, 0.048, 0.10, 0.52, 0.936, 0.71.  tau 0.2 saturates three entries
   * (h = 1.65, 2.2, -1.8), one per unit: sat 1/3, dead 0.  tau 0.95 leaves
   * only 0.994 unsaturated: sat 8/9, units 1 and 2 dead: 2/3. */
  check_net("tanh", 0.2, rows);
  tap_ok(rows[0].v[PROBE_SAT_FRAC] == 3.0 / 9.0 && rows[0].v[PROBE_DEAD_FRAC] == 0.0,
         "tanh tau 0.2: hand count sat_frac %.17g = 1/3, dead_frac %.17g = 0",
         rows[0].v[PROBE_SAT_FRAC], rows[0].v[PROBE_DEAD_FRAC]);
  check_net("tanh", 0.95, rows);
  tap_ok(rows[0].v[PROBE_SAT_FRAC] == 8.0 / 9.0 && rows[0].v[PROBE_DEAD_FRAC] == 2.0 / 3.0,
         "tanh tau 0.95: hand count sat_frac %.17g = 8/9, dead_frac %.17g = 2/3",
         rows[0].v[PROBE_SAT_FRAC], rows[0].v[PROBE_DEAD_FRAC]);
  /* sigmoid: the test is relative to max phi' = 1/4, so tau 0.9 means
   * sigma'(h) < 0.225, i.e. |h| > 0.6549: 1.65, 0.85, 2.2, -1.8 (unit 3's
   * -0.075 and -0.61 keep it alive): sat 4/9, dead 0. */
  check_net("sigmoid", 0.9, rows);
  tap_ok(rows[0].v[PROBE_SAT_FRAC] == 4.0 / 9.0 && rows[0].v[PROBE_DEAD_FRAC] == 0.0,
         "sigmoid tau 0.9 (relative to max phi' = 1/4): hand count sat_frac %.17g = 4/9, "
         "dead_frac %.17g = 0", rows[0].v[PROBE_SAT_FRAC], rows[0].v[PROBE_DEAD_FRAC]);

  /* gelu and swish at tau 0.5: |phi'| / max at the nine h is, for gelu,
   * 0.83, 0.62, 0.39, 0.99, 0.94, 0.094, 0.92, 0.26, 0.061 and, for swish,
   * 0.72, 0.57, 0.42, 0.97, 1.00, 0.070, 0.80, 0.34, 0.19.  Below 0.5:
   * -0.075, -1.8, -0.26 and -0.61, every value of unit 3; but only gelu's
   * -1.8 lies in a tail (h <= -sqrt2; swish's tail begins at -2.399), so
   * gelu: sat 1/9, dead 0; swish: none.  (A bare threshold said 4/9 and
   * unit 3 dead for both.)  leaky_relu: slope 0.01 below 0, no tail: none. */
  check_net("gelu", 0.5, rows);
  tap_ok(rows[0].v[PROBE_SAT_FRAC] == 1.0 / 9.0 && rows[0].v[PROBE_DEAD_FRAC] == 0.0,
         "gelu tau 0.5: hand count sat_frac %.17g = 1/9 (only the tail's -1.8), dead_frac %.17g = 0",
         rows[0].v[PROBE_SAT_FRAC], rows[0].v[PROBE_DEAD_FRAC]);
  check_net("swish", 0.5, rows);
  tap_ok(rows[0].v[PROBE_SAT_FRAC] == 0.0 && rows[0].v[PROBE_DEAD_FRAC] == 0.0,
         "swish tau 0.5: hand count sat_frac %.17g = 0 (no h in the tail), dead_frac %.17g = 0",
         rows[0].v[PROBE_SAT_FRAC], rows[0].v[PROBE_DEAD_FRAC]);
  check_net("leaky_relu", 0.05, rows);
  tap_ok(rows[0].v[PROBE_SAT_FRAC] == 0.0 && rows[0].v[PROBE_DEAD_FRAC] == 0.0,
         "leaky_relu: sat_frac %.17g = 0 and dead_frac %.17g = 0 (its negative side passes 1%% of the error)",
         rows[0].v[PROBE_SAT_FRAC], rows[0].v[PROBE_DEAD_FRAC]);

  check_slope_gain();
  check_extreme_scales();

  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) { tap_ok(0, "allocation"); return tap_done(); }
  gsl_rng_set(r, 2385UL);
  check_quantiles(r);
  check_wide_layer(r);
  /* Residual nets of a bounded, an unbounded and a kinked unit, strides 1,
   * 2 and one longer than the net, and plain nets of the same. */
  static const char *const racts[] = { "sigmoid", "tanh", "relu", "elu" };
  static const size_t strides[] = { 0, 1, 2, 9 };
  for (size_t a = 0; a < sizeof racts / sizeof *racts; a++)
    for (size_t k = 0; k < sizeof strides / sizeof *strides; k++)
      check_residual(racts[a], strides[k], strides[k] == 1 ? 1.0 : 0.45, r);
  gsl_rng_free(r);
  return tap_done();
}
