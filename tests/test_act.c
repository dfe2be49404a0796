/* test_act.c - activations against independent answers: central differences
 * for every derivative, closed forms in the saturated tails, a dense scan for
 * sup |phi'|, the SELU constants from their erfc closed forms, the fused pass
 * against the scalar API, and name parsing with typo suggestions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "names.h"
#include "tap.h"

static act_fn get_act(act_kind k)
{
  act_fn f;
  sb_error err;
  sb_error_clear(&err);
  if (act_parse(act_name(k), &f, &err) != SB_OK) {
    tap_ok(0, "parse %s: %s", act_name(k), err.msg);
    f.kind = k;
    f.alpha = 0;
  }
  return f;
}

/* Points where phi' jumps (or, for softsign, phi'' does, which makes the
 * central difference only O(h) accurate); a difference straddling one is
 * wrong by design, not by bug. */
static int near_kink(act_kind k, double x, double h)
{
  double gap = 2 * h + 1e-6;
  const act_info *ai = act_info_of(k);
  for (size_t i = 0; i < ai->n_kinks; i++)
    if (fabs(x - ai->kinks[i]) <= gap) return 1;
  return 0;
}

/* A grid over [-30, 30] that hits no round numbers, plus points close to
 * (but not on) the kinks and the exact kinks (skipped by near_kink). */
static size_t make_grid(double *x, size_t cap)
{
  size_t n = 0;
  for (double v = -30.0 + 0.00385; v <= 30.0 && n < cap; v += 0.0731) x[n++] = v;
  static const double extra[] = { 0.0, 1.0, -1.0, 2.385e-3, -2.385e-3,
                                  0.98765, -0.98765, 1.01234, -1.01234,
                                  2.385, -2.385, 17.3, -17.3, 29.87, -29.87 };
  for (size_t i = 0; i < sizeof extra / sizeof extra[0] && n < cap; i++)
    x[n++] = extra[i];
  return n;
}

/* Central difference with a step relative to |x|; tolerance relative where
 * phi' is not tiny and absolute (1e-9) where it is. */
static void check_fd(act_kind k, const double *xs, size_t n)
{
  act_fn f = get_act(k);
  double worst = -1, wx = 0, wnum = 0, wana = 0;
  size_t used = 0, nonzero = 0;
  for (size_t i = 0; i < n; i++) {
    double x = xs[i], h = 1e-5 * (fabs(x) > 1 ? fabs(x) : 1);
    if (near_kink(k, x, h)) continue;
    double num = (act_eval(&f, x + h) - act_eval(&f, x - h)) / (2 * h);
    double ana = act_deriv(&f, x);
    double tol = fmax(1e-6 * fabs(ana), 1e-9);
    double r = fabs(num - ana) / tol;   /* <= 1 passes */
    used++;
    if (ana != 0) nonzero++;
    if (r > worst) { worst = r; wx = x; wnum = num; wana = ana; }
  }
  /* guard: a derivative that is identically zero would pass trivially */
  tap_ok(nonzero >= 20, "%s: derivative not all zero (%zu of %zu nonzero)",
         act_name(k), nonzero, used);
  tap_ok(worst <= 1, "%s: finite differences over %zu points, worst at x=%.6g: "
         "numeric %.17g analytic %.17g (err/tol %.3g)",
         act_name(k), used, wx, wnum, wana, worst);
}

/* In the left tails where phi itself keeps full relative precision, the
 * difference quotient can be compared relatively even at 1e-13 or 1e-196. */
static void check_tail_fd(act_kind k)
{
  act_fn f = get_act(k);
  double worst = 0, wx = 0, wnum = 0, wana = 0;
  for (double x = -30.0 + 0.00385; x <= -3.0; x += 0.4321) {
    double h = 1e-4 / fabs(x);
    double num = (act_eval(&f, x + h) - act_eval(&f, x - h)) / (2 * h);
    double ana = act_deriv(&f, x);
    double e = ana != 0 ? fabs(num - ana) / fabs(ana) : INFINITY;
    if (e > worst) { worst = e; wx = x; wnum = num; wana = ana; }
  }
  tap_ok(worst <= 1e-6, "%s: left tail [-30,-3] relative finite differences, "
         "worst at x=%.6g: numeric %.17g analytic %.17g (rel err %.3g, tol 1e-6)",
         act_name(k), wx, wnum, wana, worst);
}

static void check_tails(void)
{
  act_fn sg = get_act(ACT_SIGMOID), th = get_act(ACT_TANH);
  act_fn sp = get_act(ACT_SOFTPLUS), sw = get_act(ACT_SWISH);
  act_fn ge = get_act(ACT_GELU);

  /* sigma'(x) = e^{-|x|}(1 - 2e^{-|x|} + ...), so e^{-40} to ~1e-17 */
  tap_rel(act_deriv(&sg, -40), exp(-40), 1e-14, "sigmoid'(-40) = e^-40");
  tap_rel(act_deriv(&sg, 40), exp(-40), 1e-14, "sigmoid'(40) = e^-40 (right tail not flushed)");
  tap_ok(act_deriv(&sg, -700) > 0, "sigmoid'(-700) > 0: %.17g", act_deriv(&sg, -700));
  tap_rel(act_eval(&sg, -40), exp(-40), 1e-14, "sigmoid(-40) = e^-40");
  tap_ok(act_eval(&sg, -800) >= 0 && isfinite(act_eval(&sg, -800)),
         "sigmoid(-800) finite, non-negative: %.17g", act_eval(&sg, -800));
  tap_ok(act_eval(&sg, 800) == 1.0, "sigmoid(800) == 1: %.17g", act_eval(&sg, 800));
  tap_ok(isfinite(act_deriv(&sg, -800)) && act_deriv(&sg, -800) >= 0,
         "sigmoid'(-800) finite: %.17g", act_deriv(&sg, -800));

  /* sech^2(20) = 4 e^{-40} / (1 + e^{-40})^2 */
  tap_rel(act_deriv(&th, 20), 4 * exp(-40), 1e-14, "tanh'(20) = 4 e^-40");
  tap_rel(act_deriv(&th, -20), 4 * exp(-40), 1e-14, "tanh'(-20) = 4 e^-40");
  tap_rel(act_deriv(&th, 2.385), 1 / (cosh(2.385) * cosh(2.385)), 1e-14,
          "tanh'(2.385) = sech^2");
  tap_ok(act_deriv(&th, 300) > 0, "tanh'(300) > 0: %.17g", act_deriv(&th, 300));
  tap_ok(isfinite(act_deriv(&th, 800)) && isfinite(act_eval(&th, -800)),
         "tanh and tanh' finite at +-800");

  tap_ok(act_eval(&sp, 1000) == 1000, "softplus(1000) == 1000: %.17g", act_eval(&sp, 1000));
  tap_rel(act_eval(&sp, -40), exp(-40), 1e-14, "softplus(-40) = e^-40");
  tap_rel(act_eval(&sp, 2.385), log(1 + exp(2.385)), 1e-15, "softplus(2.385) = log(1+e^x)");
  tap_rel(act_deriv(&sp, -40), exp(-40), 1e-14, "softplus'(-40) = e^-40");

  /* swish'(x) = sigma + x sigma'; for x = 40 the x e^{-x} term is below an
   * ulp of 1, for x = -40 the value is e^{-40}(1 + x) to ~1e-16 */
  tap_rel(act_deriv(&sw, -40), exp(-40) * (1 - 40), 1e-13, "swish'(-40) = -39 e^-40");
  /* Phi(-10) from its 17-digit value (erfc(10/sqrt2)/2) and x phi(x) */
  double phi10 = exp(-50.0) / sqrt(2 * 3.14159265358979323846);
  const double Phi_m10 = 7.6198530241605261e-24;
  tap_rel(act_eval(&ge, -10), -10 * Phi_m10, 1e-14, "gelu(-10) = -10 Phi(-10) (erfc tail)");
  tap_rel(act_deriv(&ge, -10), Phi_m10 - 10 * phi10, 1e-13,
          "gelu'(-10) = Phi(-10) - 10 phi(10)");
}

static void check_kinks(void)
{
  act_fn relu = get_act(ACT_RELU), leaky = get_act(ACT_LEAKY_RELU);
  act_fn elu = get_act(ACT_ELU), selu = get_act(ACT_SELU), ht = get_act(ACT_HARDTANH);
  tap_ok(act_deriv(&relu, 0.0) == 0.0, "relu'(0) == 0 (h <= 0 is saturated)");
  tap_ok(act_eval(&relu, 0.0) == 0.0 && act_eval(&relu, -2.385) == 0.0, "relu(0) == relu(-2.385) == 0");
  tap_ok(act_deriv(&leaky, 0.0) == ACT_LEAKY_SLOPE, "leaky_relu'(0) == alpha: %.17g",
         act_deriv(&leaky, 0.0));
  tap_ok(act_deriv(&leaky, -2.385) == ACT_LEAKY_SLOPE && act_eval(&leaky, -2.385) == -2.385 * ACT_LEAKY_SLOPE,
         "leaky_relu(-2.385) uses slope 0.01");
  tap_ok(act_deriv(&ht, 1.0) == 0.0 && act_deriv(&ht, -1.0) == 0.0, "hardtanh'(+-1) == 0");
  tap_ok(act_deriv(&ht, 0.9999) == 1.0 && act_eval(&ht, 2.385) == 1.0 && act_eval(&ht, -2.385) == -1.0,
         "hardtanh clips to [-1,1], slope 1 inside");
  tap_ok(act_deriv(&elu, 0.0) == ACT_ELU_ALPHA, "elu'(0) == alpha (x <= 0 branch)");
  tap_rel(act_deriv(&selu, 0.0), ACT_SELU_LAMBDA * ACT_SELU_ALPHA, 1e-16,
          "selu'(0) = lambda alpha (x <= 0 branch)");
  tap_rel(act_deriv(&selu, 1e-300), ACT_SELU_LAMBDA, 1e-16, "selu'(0+) = lambda");
  tap_rel(act_eval(&selu, -2.385), ACT_SELU_LAMBDA * ACT_SELU_ALPHA * (exp(-2.385) - 1), 1e-14,
          "selu(-2.385) = lambda alpha (e^x - 1)");
  act_fn ss = get_act(ACT_SOFTSIGN);
  tap_rel(act_eval(&ss, -2.385), -2.385 / 3.385, 1e-15, "softsign(-2.385) = x/(1+|x|)");
}

/* The saturation definition of every activation (the manual, "Saturated and
 * dead units") at tau = 0.05, on points either side of each boundary: the
 * tail's edge and the point where |phi'| / max|phi'| crosses tau.  The
 * expected flags were worked out by hand (Python's math module for the
 * values in the comments: |phi'(h)| / max|phi'| unless said otherwise). */
static void check_saturation(void)
{
  static const struct { act_kind k; double h; int sat; const char *why; } cases[] = {
    /* sigma'(h) / (1/4): the cut is at |h| = 4.3565 */
    { ACT_SIGMOID, -4.40, 1, "0.04793" }, { ACT_SIGMOID, -4.30, 0, "0.05283" },
    { ACT_SIGMOID, 0.0, 0, "1" }, { ACT_SIGMOID, 4.30, 0, "0.05283" }, { ACT_SIGMOID, 4.40, 1, "0.04793" },
    /* sech^2 h: |h| = 2.1783 */
    { ACT_TANH, -2.25, 1, "0.04346" }, { ACT_TANH, -2.10, 0, "0.05822" },
    { ACT_TANH, 2.10, 0, "0.05822" }, { ACT_TANH, 2.25, 1, "0.04346" },
    /* 1/(1+|h|)^2: |h| = 3.4721 */
    { ACT_SOFTSIGN, -3.55, 1, "0.04830" }, { ACT_SOFTSIGN, -3.40, 0, "0.05165" },
    { ACT_SOFTSIGN, 3.40, 0, "0.05165" }, { ACT_SOFTSIGN, 3.55, 1, "0.04830" },
    /* phi' = 0 for h <= 0, 1 above: exactly off or on */
    { ACT_RELU, -1e-3, 1, "0" }, { ACT_RELU, 0.0, 1, "0 (relu'(0) = 0)" }, { ACT_RELU, 1e-3, 0, "1" },
    /* slope 0.01 below 0 (under tau) but no tail: never saturated */
    { ACT_LEAKY_RELU, -1000.0, 0, "0.01, no tail" }, { ACT_LEAKY_RELU, -0.5, 0, "0.01, no tail" },
    { ACT_LEAKY_RELU, 2.0, 0, "1" },
    /* e^h below 0: h = ln 0.05 = -2.9957; 1 above */
    { ACT_ELU, -3.05, 1, "0.04736" }, { ACT_ELU, -2.95, 0, "0.05234" }, { ACT_ELU, 5.0, 0, "1" },
    { ACT_SELU, -3.05, 1, "0.04736" }, { ACT_SELU, -2.95, 0, "0.05234" }, { ACT_SELU, 5.0, 0, "lambda / (lambda alpha) = 0.598" },
    /* the tail begins at -sqrt2 (the minimum of phi'), the cut in it at -2.2786;
     * phi' crosses 0 at -0.7518, where |phi'| is small but no tail */
    { ACT_GELU, -3.00, 1, "-0.01058" }, { ACT_GELU, -2.35, 1, "-0.04418" }, { ACT_GELU, -2.20, 0, "-0.05682" },
    { ACT_GELU, -1.50, 0, "-0.1129, in the tail" }, { ACT_GELU, -1.20, 0, "-0.1045, no tail" },
    { ACT_GELU, -0.80, 0, "-0.01763, no tail" }, { ACT_GELU, -0.70, 0, "0.02072, no tail" },
    { ACT_GELU, 3.00, 0, "0.8964" },
    /* the tail begins at -2.39936 (the minimum of phi'), the cut in it at -3.9299;
     * phi' crosses 0 at -1.2785 */
    { ACT_SWISH, -4.00, 1, "-0.04788" }, { ACT_SWISH, -3.85, 0, "-0.05247" },
    { ACT_SWISH, -2.60, 0, "-0.08928" }, { ACT_SWISH, -1.40, 0, "-0.02213, no tail" },
    { ACT_SWISH, -1.20, 0, "0.01637, no tail" }, { ACT_SWISH, 3.00, 0, "0.9893" },
    /* sigma(h): h = logit 0.05 = -2.9444 */
    { ACT_SOFTPLUS, -3.00, 1, "0.04743" }, { ACT_SOFTPLUS, -2.90, 0, "0.05215" }, { ACT_SOFTPLUS, 3.0, 0, "0.9526" },
    /* phi' = 0 at |h| >= 1 (the kinks included), 1 inside */
    { ACT_HARDTANH, -7.0, 1, "0" }, { ACT_HARDTANH, -1.0, 1, "0" }, { ACT_HARDTANH, -0.999, 0, "1" },
    { ACT_HARDTANH, 0.999, 0, "1" }, { ACT_HARDTANH, 1.0, 1, "0" }, { ACT_HARDTANH, 1.5, 1, "0" },
    { ACT_LINEAR, -100.0, 0, "1" }, { ACT_LINEAR, 100.0, 0, "1" },
  };
  int covered[ACT_COUNT] = { 0 };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    act_fn f = get_act(cases[i].k);
    int got = act_saturated(&f, cases[i].h, 0.05);
    covered[cases[i].k] = 1;
    tap_ok(got == cases[i].sat, "%s at h = %g (|phi'|/max %s): saturated %d, expected %d", act_name(cases[i].k),
           cases[i].h, cases[i].why, got, cases[i].sat);
  }
  for (int k = 0; k < ACT_COUNT; k++)
    tap_ok(covered[k], "%s has hand-computed saturation cases", act_name((act_kind)k));
  /* A tail is where |phi'| falls towards 0: beyond tail_lo, |phi'| grows
   * with h (checked on a grid down to -30), and phi'' = 0 at gelu's and
   * swish's edge, the minimum of phi'. */
  for (int k = 0; k < ACT_COUNT; k++) {
    const act_info *ai = act_info_of((act_kind)k);
    act_fn f = get_act((act_kind)k);
    if (isinf(ai->tail_lo)) continue;
    int mono = 1;
    double prev = -1.0, at = 0;
    for (double x = -30.0; x <= ai->tail_lo && mono; x += 1e-3) {
      double d = fabs(act_deriv(&f, x));
      if (d < prev) { mono = 0; at = x; }
      prev = d;
    }
    tap_ok(mono, "%s: |phi'| does not decrease in h below the tail's edge %g (first fall at %g)", ai->name,
           ai->tail_lo, at);
  }
  act_fn gelu = get_act(ACT_GELU), swish = get_act(ACT_SWISH);
  const double e = 1e-5;
  double d2g = (act_deriv(&gelu, act_info_of(ACT_GELU)->tail_lo + e) - act_deriv(&gelu, act_info_of(ACT_GELU)->tail_lo - e)) / (2 * e);
  double d2s = (act_deriv(&swish, act_info_of(ACT_SWISH)->tail_lo + e) - act_deriv(&swish, act_info_of(ACT_SWISH)->tail_lo - e)) / (2 * e);
  tap_abs(d2g, 0.0, 1e-9, "gelu'' = 0 at the tail's edge -sqrt2");
  tap_abs(d2s, 0.0, 1e-9, "swish'' = 0 at the tail's edge (minus the root of x tanh(x/2) = 2)");
}

/* Dense scan on the exact grid i * 1e-4 (so 0 is hit exactly): the largest
 * |phi'| seen must not exceed act_deriv_max and must come within 1e-6 of it. */
static void check_deriv_max(act_kind k)
{
  act_fn f = get_act(k);
  double m = act_deriv_max(&f), seen = 0, at = 0;
  for (long i = -400000; i <= 400000; i++) {
    double x = (double)i * 1e-4, d = fabs(act_deriv(&f, x));
    if (d > seen) { seen = d; at = x; }
  }
  tap_ok(seen <= m * (1 + 1e-15) && m - seen <= 1e-6,
         "%s: act_deriv_max %.17g, scan of [-40,40] max %.17g at x=%.4f",
         act_name(k), m, seen, at);
}

static void check_deriv_max_values(void)
{
  act_fn f = get_act(ACT_GELU);
  /* Phi(sqrt2) + sqrt2 phi(sqrt2) = erfc(-1)/2 + e^{-1}/sqrt(pi) */
  tap_rel(act_deriv_max(&f), 1.1289041451851547863, 1e-15, "gelu deriv max (40-digit reference)");
  tap_rel(act_deriv_max(&f), 0.5 * erfc(-1.0) + exp(-1.0) / sqrt(3.14159265358979323846), 1e-15,
          "gelu deriv max = erfc(-1)/2 + 1/(e sqrt(pi))");
  f = get_act(ACT_SWISH);
  /* maximiser solves x tanh(x/2) = 2, x = 2.39935728051546766783... */
  tap_rel(act_deriv_max(&f), 1.0998393201288669170, 1e-15, "swish deriv max (40-digit reference)");
  f = get_act(ACT_SIGMOID);
  tap_ok(act_deriv_max(&f) == 0.25, "sigmoid deriv max == 1/4");
  f = get_act(ACT_SELU);
  tap_rel(act_deriv_max(&f), 1.7580993408473766, 1e-15, "selu deriv max = lambda alpha");
  f.kind = ACT_LEAKY_RELU; f.alpha = -2.385;
  tap_ok(act_deriv_max(&f) == 2.385, "leaky_relu alpha=-2.385: deriv max |alpha|");
  f.kind = ACT_ELU; f.alpha = 1.7;
  tap_ok(act_deriv_max(&f) == 1.7, "elu alpha=1.7: deriv max alpha");
}

/* SELU's alpha and lambda solve the (0, 1) fixed point for N(0,1) inputs;
 * NOTES.md gives the closed forms in erfc. */
static void check_selu_constants(void)
{
  const double pi = 3.14159265358979323846, e = exp(1.0);
  double E1 = erfc(1 / sqrt(2.0)), E2 = erfc(sqrt(2.0));
  double alpha = -sqrt(2 / pi) / (sqrt(e) * E1 - 1);
  double lambda = (1 - sqrt(e) * E1)
    * sqrt(2 * pi / (2 + pi - 2 * sqrt(e) * (2 + pi) * E1 + e * pi * E1 * E1 + 2 * e * e * E2));
  tap_rel(ACT_SELU_ALPHA, alpha, 1e-12, "SELU alpha = -sqrt(2/pi)/(sqrt(e) erfc(1/sqrt2) - 1)");
  tap_rel(ACT_SELU_LAMBDA, lambda, 1e-12, "SELU lambda from erfc closed form");
}

static int same_bits(const double *a, const double *b, size_t n)
{
  return memcmp(a, b, n * sizeof *a) == 0;
}

/* act_forward against act_eval / act_deriv element by element, exactly,
 * with and without dy, and with y aliasing h. */
static void check_forward(act_kind k, const double *xs, size_t n)
{
  act_fn f = get_act(k);
  double *y = malloc(n * sizeof *y), *dy = malloc(n * sizeof *dy);
  double *ye = malloc(n * sizeof *ye), *de = malloc(n * sizeof *de);
  double *y2 = malloc(n * sizeof *y2), *inplace = malloc(n * sizeof *inplace);
  if (!y || !dy || !ye || !de || !y2 || !inplace) {
    tap_ok(0, "%s: out of memory", act_name(k));
  } else {
    for (size_t i = 0; i < n; i++) {
      ye[i] = act_eval(&f, xs[i]);
      de[i] = act_deriv(&f, xs[i]);
      inplace[i] = xs[i];
    }
    act_forward(&f, y, dy, xs, n);
    act_forward(&f, y2, NULL, xs, n);
    act_forward(&f, inplace, dy, inplace, n);   /* y aliases h */
    tap_ok(same_bits(y, ye, n) && same_bits(dy, de, n) && same_bits(y2, ye, n)
           && same_bits(inplace, ye, n),
           "%s: act_forward == act_eval/act_deriv bit for bit on %zu inputs "
           "(with dy, without dy, in place)", act_name(k), n);
  }
  free(y); free(dy); free(ye); free(de); free(y2); free(inplace);
}

static void check_names(void)
{
  for (int k = 0; k < ACT_COUNT; k++) {
    act_fn f;
    sb_error err;
    sb_error_clear(&err);
    int rc = act_parse(act_name((act_kind)k), &f, &err);
    tap_ok(rc == SB_OK && f.kind == (act_kind)k && strcmp(act_name(f.kind), act_name((act_kind)k)) == 0,
           "parse(\"%s\") round-trips (rc %d)", act_name((act_kind)k), rc);
  }
  act_fn f;
  act_parse("leaky_relu", &f, NULL);
  tap_ok(f.alpha == ACT_LEAKY_SLOPE, "leaky_relu default slope %.17g", f.alpha);
  act_parse("elu", &f, NULL);
  tap_ok(f.alpha == ACT_ELU_ALPHA, "elu default alpha %.17g", f.alpha);

  static const struct { const char *in, *hint; } typos[] = {
    { "tnah", "'tanh'" }, { "leaky-relu", "'leaky_relu'" }, { "ReLU", "'relu'" },
    { "sigmoud", "'sigmoid'" }, { "softplsu", "'softplus'" }, { "hard_tanh", "'hardtanh'" },
  };
  for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
    sb_error err;
    sb_error_clear(&err);
    int rc = act_parse(typos[i].in, &f, &err);
    tap_ok(rc == SB_EUSAGE && err.code == SB_EUSAGE && strstr(err.msg, typos[i].hint)
           && strstr(err.msg, typos[i].in),
           "unknown '%s' -> SB_EUSAGE suggesting %s: \"%s\"", typos[i].in, typos[i].hint, err.msg);
  }
  sb_error err;
  sb_error_clear(&err);
  int rc = act_parse("qwertyuiop", &f, &err);
  tap_ok(rc == SB_EUSAGE && !strstr(err.msg, "did you mean") && strstr(err.msg, "valid:"),
         "far-off name gets the list, not a guess: \"%s\"", err.msg);
  sb_error_clear(&err);
  rc = act_parse("", &f, &err);
  tap_ok(rc == SB_EUSAGE && err.msg[0], "empty name -> SB_EUSAGE: \"%s\"", err.msg);

  static const char *const few[] = { "alpha", "beta", "gamma" };
  tap_ok(names_nearest("gama", few, 3) == few[2], "names_nearest(gama) = gamma");
  tap_ok(names_nearest("BETA", few, 3) == few[1], "names_nearest is case-insensitive");
  tap_ok(names_nearest("zzzzzzzz", few, 3) == NULL, "names_nearest(zzzzzzzz) = NULL");
  tap_ok(names_nearest("", few, 3) == NULL, "names_nearest(\"\") = NULL (4+ edits away)");
}

/* Every kind has its row: a row left out of act.c's table (but the last,
 * which the _Static_assert catches) would be all zeros. */
static int check_table(void)
{
  int all = 1;
  for (int k = 0; k < ACT_COUNT; k++) {
    const act_info *ai = act_info_of((act_kind)k);
    int ok = ai && ai->name && ai->eval && ai->deriv && ai->forward && ai->deriv_max && ai->n_kinks <= ACT_MAX_KINKS;
    for (size_t i = 1; ok && i < ai->n_kinks; i++) ok = ai->kinks[i - 1] < ai->kinks[i];
    if (!ok) tap_diag("act_kind %d has no complete row in act.c's act_table (kinks must ascend)", k);
    all &= ok;
  }
  return tap_ok(all, "every act_kind (%d) has a complete row of act_table", ACT_COUNT);
}

int main(void)
{
  if (!check_table()) return tap_done();
  enum { CAP = 1024 };
  static double xs[CAP];
  size_t n = make_grid(xs, CAP);

  for (int k = 0; k < ACT_COUNT; k++) check_fd((act_kind)k, xs, n);
  check_tail_fd(ACT_SIGMOID);
  check_tail_fd(ACT_GELU);
  check_tail_fd(ACT_SWISH);
  check_tail_fd(ACT_SOFTPLUS);
  check_tails();
  check_kinks();
  check_saturation();
  for (int k = 0; k < ACT_COUNT; k++) check_deriv_max((act_kind)k);
  check_deriv_max_values();
  check_selu_constants();

  /* the forward grid adds the far tails, where overflow would show */
  static double xf[CAP + 8];
  memcpy(xf, xs, n * sizeof *xs);
  static const double far[] = { -800, 800, -40, 40, -1e300, 1e300, -0.0, 5e-324 };
  memcpy(xf + n, far, sizeof far);
  for (int k = 0; k < ACT_COUNT; k++) check_forward((act_kind)k, xf, n + 8);

  check_names();
  return tap_done();
}
