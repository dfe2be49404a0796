/* test_theory.c - the mean-field theory against independent answers.
 *
 * 1. Gaussian moments against closed forms (relu, leaky_relu, linear,
 *    hardtanh and elu/selu through erf/erfc) and against GSL's adaptive
 *    quadrature (qagi on the whole line, qagp with breakpoints for large q)
 *    for every activation, and d/dq E[phi^2] against finite
 *    differences and Schoenholz et al.'s chi_1 + sigma_w2 E[phi phi''].
 * 2. Known answers: tanh critical at sigma_w2 = 1 for sigma_b2 = 0, relu
 *    chi_1 = sigma_w2 / 2, Glorot's standard init gives tanh chi_1 = 1/3,
 *    chi_1 = 1 at every critical point found, SELU's self-normalizing fixed
 *    point q* = 1, fixed points against plain iteration of the map.
 * 3. Measurement: wide nets at initialization, whose per-layer error ratios
 *    ||delta^l||^2 / ||delta^{l+1}||^2 must follow the predicted chi(q^l)
 *    with q^l from the theory alone (not measured), for sigmoid, tanh,
 *    relu and selu under several inits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_erf.h>

#include "act.h"
#include "init.h"
#include "net.h"
#include "theory.h"
#include "ref.h"
#include "tap.h"

#define INV_SQRT2PI 0.39894228040143267793994605993438187
#define SQRT1_2     0.70710678118654752440084436210484904

static void die(const char *what)
{
  tap_ok(0, "%s", what);
  exit(tap_done());
}

static act_fn act(const char *name)
{
  act_fn f;
  sb_error err;
  if (act_parse(name, &f, &err)) die(err.msg);
  return f;
}

static theory_moments moments(const theory_work *w, const act_fn *f, double q)
{
  theory_moments m;
  if (theory_moments_at(w, f, q, &m)) die("theory_moments_at refused a valid q");
  return m;
}

/* ---- 1. moments ------------------------------------------------------------ */

/* Phi(-a) e^{a^2/2} = E[e^{a z} 1(z < 0)], computed as erfc(a/sqrt2)/2
 * times e^{a^2/2}: fine for the a <= 20 used here. */
static double exp_below(double a)
{
  return 0.5 * erfc(a * SQRT1_2) * exp(0.5 * a * a);
}

static void check_closed_forms(const theory_work *w)
{
  static const double qs[] = { 1e-4, 0.01, 0.3, 1.0, 2.385, 7.0, 30.0, 100.0 };
  act_fn relu = act("relu"), leaky = act("leaky_relu"), lin = act("linear"),
         ht = act("hardtanh"), elu = act("elu"), selu = act("selu");
  char what[160];
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    double q = qs[i], r = sqrt(q), a = leaky.alpha;
    theory_moments m = moments(w, &relu, q);
    snprintf(what, sizeof what, "relu q=%g: E[phi^2] = q/2", q);
    tap_rel(m.phi2, q / 2, 1e-13, what);
    snprintf(what, sizeof what, "relu q=%g: E[phi'^2] = 1/2", q);
    tap_rel(m.dphi2, 0.5, 1e-13, what);
    snprintf(what, sizeof what, "relu q=%g: d/dq E[phi^2] = 1/2", q);
    tap_rel(m.dq_phi2, 0.5, 1e-13, what);

    m = moments(w, &leaky, q);
    snprintf(what, sizeof what, "leaky_relu q=%g: E[phi^2] = (1 + a^2) q/2", q);
    tap_rel(m.phi2, (1 + a * a) * q / 2, 1e-13, what);
    snprintf(what, sizeof what, "leaky_relu q=%g: E[phi'^2] = (1 + a^2)/2", q);
    tap_rel(m.dphi2, (1 + a * a) / 2, 1e-13, what);

    m = moments(w, &lin, q);
    snprintf(what, sizeof what, "linear q=%g: E[phi^2] = q, E[phi'^2] = 1", q);
    tap_ok(fabs(m.phi2 / q - 1) < 1e-13 && fabs(m.dphi2 - 1) < 1e-13 && fabs(m.dq_phi2 - 1) < 1e-13,
           "%s: %.17g %.17g %.17g", what, m.phi2, m.dphi2, m.dq_phi2);

    /* hardtanh: with c = 1/sqrt(q), E[phi'^2] = P(|z| < c) = erf(c/sqrt2) and
     * E[phi^2] = q E[z^2 1(|z| < c)] + P(|z| > c)
     *          = q (erf(c/sqrt2) - 2 c pdf(c)) + erfc(c/sqrt2). */
    double c = 1 / r, pdf = INV_SQRT2PI * exp(-0.5 * c * c);
    m = moments(w, &ht, q);
    snprintf(what, sizeof what, "hardtanh q=%g: E[phi'^2] = erf(1/sqrt(2q))", q);
    tap_rel(m.dphi2, erf(c * SQRT1_2), 1e-13, what);
    snprintf(what, sizeof what, "hardtanh q=%g: E[phi^2] by erf", q);
    tap_rel(m.phi2, q * (erf(c * SQRT1_2) - 2 * c * pdf) + erfc(c * SQRT1_2), 1e-13, what);

    /* elu (alpha 1) and selu through E[e^{a x} 1(x < 0)] = e^{a^2 q/2} Phi(-a sqrt q):
     * E[phi'^2] = l^2 (1/2 + al^2 E[e^{2x} 1(x<0)]),
     * E[phi^2]  = l^2 (q/2 + al^2 E[(e^x - 1)^2 1(x<0)]). */
    for (int k = 0; k < 2; k++) {
      const act_fn *f = k ? &selu : &elu;
      double al = k ? ACT_SELU_ALPHA : elu.alpha, l2 = k ? ACT_SELU_LAMBDA * ACT_SELU_LAMBDA : 1.0;
      double e2 = exp_below(2 * r), e1 = exp_below(r);
      m = moments(w, f, q);
      snprintf(what, sizeof what, "%s q=%g: E[phi'^2] by erfc", k ? "selu" : "elu", q);
      tap_rel(m.dphi2, l2 * (0.5 + al * al * e2), 1e-12, what);
      snprintf(what, sizeof what, "%s q=%g: E[phi^2] by erfc", k ? "selu" : "elu", q);
      tap_rel(m.phi2, l2 * (0.5 * q + al * al * (e2 - 2 * e1 + 0.5)), 1e-12, what);
    }
  }
  /* limits at q = 0 and q = Inf */
  theory_moments m = moments(w, &relu, 0.0);
  tap_ok(m.phi2 == 0 && m.dphi2 == 0.5 && m.dq_phi2 == 0.5, "relu at q = 0: limits 0, 1/2, 1/2 "
         "(%g %g %g)", m.phi2, m.dphi2, m.dq_phi2);
  act_fn th = act("tanh"), sig = act("sigmoid");
  m = moments(w, &th, INFINITY);
  tap_ok(m.phi2 == 1 && m.dphi2 == 0, "tanh at q = Inf: E[phi^2] = 1, E[phi'^2] = 0 (%g %g)",
         m.phi2, m.dphi2);
  m = moments(w, &sig, 0.0);
  tap_ok(m.phi2 == 0.25 && m.dphi2 == 1.0 / 16, "sigmoid at q = 0: 1/4, 1/16 (%g %g)", m.phi2, m.dphi2);
  theory_moments bad;
  tap_ok(theory_moments_at(w, &th, -1.0, &bad) == SB_EUSAGE && theory_moments_at(w, &th, NAN, &bad) == SB_EUSAGE,
         "negative or NaN q -> SB_EUSAGE");
}

/* The integrands for GSL's adaptive quadrature. */
typedef struct ig_args { const act_fn *f; double r, c0; int which; } ig_args;

static double integrand(double z, void *p)
{
  const ig_args *a = p;
  double h = a->r * z, v = act_eval(a->f, h), d = act_deriv(a->f, h), g;
  switch (a->which) {
  case 0: g = v * v; break;
  case 1: g = d * d; break;
  /* E[z phi phi'] = sqrt(q) d/dq E[phi^2]; E[z] = 0, and subtracting
   * phi(0) phi'(0) for q <= 1 spares the reference a cancellation there */
  default: g = z * (v * d - a->c0); break;
  }
  return g * INV_SQRT2PI * exp(-0.5 * z * z);
}

/* Every activation, E[phi^2], E[phi'^2] and sqrt(q) d/dq E[phi^2], against
 * qagi (whole line, no hint of where the kinks are) for q <= 30, and qagp
 * with breakpoints at 0, the kinks and +-30/sqrt(q) for larger q, where
 * qagi's one map of the line cannot see a feature of width 1/sqrt(q).
 * Hardtanh always gets qagp: its phi' jumps at +-1/sqrt(q), inside qagi's
 * intervals, and qagi then misjudges its own error (5e-7 at q = 7).  The
 * panels reach ~2e-15 (measured worst over these cases); 1e-10 leaves room
 * for the references' own error and is far below the 1e-8 aimed at. */
static void check_adaptive(const theory_work *w)
{
  static const double qs[] = { 1e-6, 0.01, 0.3, 1.0, 2.385, 7.0, 30.0, 100.0, 1e4, 1e6 };
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(10000);
  if (!ws) die("allocation");
  for (int k = 0; k < ACT_COUNT; k++) {
    act_fn f = act(act_name((act_kind)k));
    double worst[3] = { 0, 0, 0 }, wq[3] = { 0, 0, 0 };
    int bad_status = 0;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
      double q = qs[i], r = sqrt(q);
      theory_moments m = moments(w, &f, q);
      double mine[3] = { m.phi2, m.dphi2, m.dq_phi2 * r };
      for (int which = 0; which < 3; which++) {
        ig_args a = { &f, r, q <= 1 ? act_eval(&f, 0) * act_deriv(&f, 0) : 0.0, which };
        gsl_function F = { integrand, &a };
        double ref, abserr;
        int st;
        const act_info *ai = act_info_of((act_kind)k);
        int off_zero = 0;   /* kinks away from 0 need breakpoints */
        for (size_t j = 0; j < ai->n_kinks; j++) off_zero |= ai->kinks[j] != 0.0;
        if (q <= 30 && !off_zero) {
          st = gsl_integration_qagi(&F, 0.0, 1e-13, 10000, ws, &ref, &abserr);
        } else {
          double pts[8 + ACT_MAX_KINKS];
          size_t np = 0;
          pts[np++] = -40;
          if (30 / r < 40) pts[np++] = -30 / r;
          for (size_t j = 0; j < ai->n_kinks; j++)
            if (ai->kinks[j] < 0 && -ai->kinks[j] / r < 30) pts[np++] = ai->kinks[j] / r;
          pts[np++] = 0;
          for (size_t j = 0; j < ai->n_kinks; j++)
            if (ai->kinks[j] > 0 && ai->kinks[j] / r < 30) pts[np++] = ai->kinks[j] / r;
          if (30 / r < 40) pts[np++] = 30 / r;
          pts[np++] = 40;
          st = gsl_integration_qagp(&F, pts, np, 0.0, 1e-13, 10000, ws, &ref, &abserr);
        }
        /* GSL may report that 1e-13 is out of reach (roundoff) while its
         * estimate is still far better than the tolerance: use abserr. */
        if (st && abserr > 1e-11 * fabs(ref)) bad_status++;
        double e = fabs(mine[which] - ref) / fmax(fabs(ref), 1e-300);
        if (e > worst[which]) { worst[which] = e; wq[which] = q; }
      }
    }
    tap_ok(!bad_status, "%s: GSL's adaptive references converged (%d did not)", act_name(f.kind), bad_status);
    tap_ok(worst[0] <= 1e-10 && worst[1] <= 1e-10 && worst[2] <= 1e-10,
           "%s: panels vs adaptive quadrature, q in [1e-6, 1e6]: worst rel err E[phi^2] %.2g (q=%g), "
           "E[phi'^2] %.2g (q=%g), E[z phi phi'] %.2g (q=%g) (tol 1e-10)", act_name(f.kind),
           worst[0], wq[0], worst[1], wq[1], worst[2], wq[2]);
  }
  gsl_integration_workspace_free(ws);
}

/* d/dq E[phi^2] three ways: the panels' E[z phi phi'] / sqrt(q), a central
 * difference of E[phi^2], and, for tanh, Schoenholz et al.'s
 * E[phi'^2 + phi phi''] with phi'' = -2 tanh sech^2. */
static double tanh_schoenholz(double z, void *p)
{
  double r = *(double *)p, x = r * z, t = tanh(x), s2 = 1 - t * t;
  return (s2 * s2 - 2 * t * t * s2) * INV_SQRT2PI * exp(-0.5 * z * z);
}

static void check_slope(const theory_work *w)
{
  static const double qs[] = { 0.05, 0.7, 2.385, 9.0 };
  for (int k = 0; k < ACT_COUNT; k++) {
    act_fn f = act(act_name((act_kind)k));
    double worst = 0;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
      double q = qs[i], h = 1e-4 * q;
      theory_moments m = moments(w, &f, q), lo = moments(w, &f, q - h), hi = moments(w, &f, q + h);
      double fd = (hi.phi2 - lo.phi2) / (2 * h);
      worst = fmax(worst, fabs(m.dq_phi2 - fd) / fabs(fd));
    }
    /* central difference: truncation ~ (h/q)^2 = 1e-8, rounding 1e-16/1e-4 */
    tap_ok(worst < 1e-7, "%s: d/dq E[phi^2] vs central difference, worst rel err %.2g (tol 1e-7)",
           act_name(f.kind), worst);
  }
  act_fn th = act("tanh");
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    double r = sqrt(qs[i]), ref, abserr;
    gsl_function F = { tanh_schoenholz, &r };
    gsl_integration_qagi(&F, 0.0, 1e-13, 1000, ws, &ref, &abserr);
    char what[128];
    snprintf(what, sizeof what, "tanh q=%g: d/dq E[phi^2] = E[phi'^2 + phi phi''] (Schoenholz)", qs[i]);
    tap_rel(moments(w, &th, qs[i]).dq_phi2, ref, 1e-11, what);
  }
  gsl_integration_workspace_free(ws);
}

/* ---- 2. fixed points, chi_1, critical points ------------------------------ */

static theory_point point(const theory_work *w, const act_fn *f, double sw2, double sb2)
{
  theory_point p;
  sb_error err;
  if (theory_point_at(w, f, sw2, sb2, 1.0, &p, &err) || theory_point_corr(w, f, &p, &err)) die(err.msg);
  return p;
}

static void check_known(const theory_work *w)
{
  act_fn th = act("tanh"), relu = act("relu"), lin = act("linear"), leaky = act("leaky_relu"),
         selu = act("selu"), sig = act("sigmoid");
  sb_error err;
  double c;

  /* tanh at sigma_b2 = 0: q* = 0 below sigma_w2 = 1, where chi_1 = sigma_w2. */
  tap_ok(theory_critical(w, &th, 0.0, 1.0, &c, &err) == SB_OK, "tanh critical at sigma_b2 = 0: %s", err.msg);
  tap_abs(c, 1.0, 1e-8, "tanh: critical sigma_w2 at sigma_b2 = 0 is 1");
  theory_point p = point(w, &th, 0.8, 0.0);
  tap_ok(p.q_star == 0 && fabs(p.chi1 - 0.8) < 1e-15, "tanh 0.8/0: q* = 0, chi_1 = 0.8 (%g, %.17g)",
         p.q_star, p.chi1);
  p = point(w, &th, 1.0, 0.0);
  tap_ok(p.q_star == 0 && p.chi1 == 1 && isinf(p.xi_grad) && p.xi_grad > 0,
         "tanh 1/0: q* = 0, chi_1 = 1, xi_grad = Inf (%g %g %g)", p.q_star, p.chi1, p.xi_grad);
  p = point(w, &th, 1.5, 0.0);
  tap_ok(p.q_star > 0.1 && p.chi1 > 1 && p.xi_grad < 0,
         "tanh 1.5/0 is chaotic: q* %g > 0, chi_1 %.6f > 1, xi_grad %.4g < 0", p.q_star, p.chi1, p.xi_grad);

  /* Glorot's standard init: Var W = 1/(3 fan_in), so sigma_w2 = 1/3. */
  init_spec std;
  if (init_parse("standard", &std, &err)) die(err.msg);
  double sw2_std = init_weight_var(&std, 1000, 1000) * 1000;
  tap_rel(sw2_std, 1.0 / 3.0, 1e-15, "standard init: sigma_w2 = 1/3");
  p = point(w, &th, sw2_std, 0.0);
  tap_rel(p.chi1, 1.0 / 3.0, 1e-14, "tanh under standard init: chi_1 = 1/3");
  tap_rel(p.xi_grad, 1.0 / log(3.0), 1e-13, "tanh under standard init: xi_grad = 1/ln 3");

  /* relu: chi = sigma_w2 / 2 at every q, so also at q* = 0, finite or Inf. */
  static const double sws[] = { 0.5, 1.0, 2.0, 2.385, 3.0 }, sbs[] = { 0.0, 0.1, 1.0 };
  for (size_t i = 0; i < sizeof sws / sizeof sws[0]; i++)
    for (size_t j = 0; j < sizeof sbs / sizeof sbs[0]; j++) {
      p = point(w, &relu, sws[i], sbs[j]);
      char what[128];
      snprintf(what, sizeof what, "relu sigma_w2 %g sigma_b2 %g (q* = %g): chi_1 = sigma_w2/2",
               sws[i], sbs[j], p.q_star);
      tap_rel(p.chi1, sws[i] / 2, 1e-13, what);
    }
  p = point(w, &relu, 2.5, 0.1);
  tap_ok(isinf(p.q_star) && isnan(p.xi_q), "relu 2.5/0.1: q* = Inf, xi_q NaN (%g %g)", p.q_star, p.xi_q);
  p = point(w, &relu, 1.5, 0.1);
  tap_rel(p.q_star, 0.1 / (1 - 0.75), 1e-12, "relu 1.5/0.1: q* = sigma_b2 / (1 - sigma_w2/2)");
  tap_rel(p.xi_q, -1 / log(0.75), 1e-12, "relu 1.5/0.1: xi_q = -1/ln(sigma_w2/2)");
  p = point(w, &relu, 2.0, 0.0);
  tap_ok(p.q_star == 2.0 && isinf(p.xi_q) && isinf(p.xi_grad),
         "relu 2/0 (He, every q fixed): q* = q^1 = 2, xi_q = xi_grad = Inf (%g %g %g)",
         p.q_star, p.xi_q, p.xi_grad);
  for (size_t j = 0; j < sizeof sbs / sizeof sbs[0]; j++) {
    char what[128];
    theory_critical(w, &relu, sbs[j], 1.0, &c, NULL);
    snprintf(what, sizeof what, "relu: critical sigma_w2 at sigma_b2 %g is 2", sbs[j]);
    tap_rel(c, 2.0, 1e-12, what);
    theory_critical(w, &lin, sbs[j], 1.0, &c, NULL);
    snprintf(what, sizeof what, "linear: critical sigma_w2 at sigma_b2 %g is 1", sbs[j]);
    tap_rel(c, 1.0, 1e-12, what);
    theory_critical(w, &leaky, sbs[j], 1.0, &c, NULL);
    snprintf(what, sizeof what, "leaky_relu: critical sigma_w2 at sigma_b2 %g is 2/(1 + a^2)", sbs[j]);
    tap_rel(c, 2 / (1 + leaky.alpha * leaky.alpha), 1e-12, what);
  }

  /* SELU (Klambauer et al.): at sigma_w2 = 1 (lecun), sigma_b2 = 0, the
   * fixed point is q* = 1 (E[selu(z)^2] = 1), and there
   * chi_1 = l^2 (1/2 + al^2 e^2 Phi(-2)). */
  p = point(w, &selu, 1.0, 0.0);
  tap_rel(p.q_star, 1.0, 1e-10, "selu 1/0: self-normalizing fixed point q* = 1");
  double l2 = ACT_SELU_LAMBDA * ACT_SELU_LAMBDA, a2 = ACT_SELU_ALPHA * ACT_SELU_ALPHA;
  tap_rel(p.chi1, l2 * (0.5 + a2 * exp_below(2.0)), 1e-10, "selu 1/0: chi_1 = l^2 (1/2 + al^2 e^2 Phi(-2))");
  /* at sigma_b2 = 0 the ordered phase has q* = 0 and chi_1 = sigma_w2 l^2 (1 + al^2)/2 */
  theory_critical(w, &selu, 0.0, 1.0, &c, NULL);
  tap_rel(c, 2 / (l2 * (1 + a2)), 1e-12, "selu: critical sigma_w2 at sigma_b2 = 0 is 2/(l^2 (1 + al^2))");

  /* chi_1 = 1 at each critical point found by Brent.  gelu and swish have
   * none at small sigma_b2 (their q* jumps from finite to Inf, and chi_1
   * jumps over 1 with it); at sigma_b2 = 2 they do. */
  static const struct { const char *a; double sb2; } crit[] = {
    { "tanh", 0.05 }, { "tanh", 1.0 }, { "sigmoid", 0.05 }, { "selu", 0.05 }, { "elu", 0.05 },
    { "softsign", 0.05 }, { "hardtanh", 0.05 }, { "softplus", 0.05 }, { "gelu", 2.0 },
    { "swish", 2.0 }, { "selu", 2.0 },
  };
  for (size_t i = 0; i < sizeof crit / sizeof crit[0]; i++) {
    act_fn f = act(crit[i].a);
    int rc = theory_critical(w, &f, crit[i].sb2, 1.0, &c, &err);
    p = point(w, &f, c, crit[i].sb2);
    tap_ok(rc == SB_OK && fabs(p.chi1 - 1) < 1e-9 && isinf(p.xi_grad),
           "%s at sigma_b2 %g: critical sigma_w2 %.12g has chi_1 - 1 = %.2g (tol 1e-9), q* %.6g",
           crit[i].a, crit[i].sb2, c, p.chi1 - 1, p.q_star);
  }
  for (int k = 0; k < 2; k++) {
    act_fn f = act(k ? "swish" : "gelu");
    sb_error_clear(&err);
    int rc = theory_critical(w, &f, 0.05, 1.0, &c, &err);
    tap_ok(rc == SB_EUSAGE && isnan(c) && strstr(err.msg, "no critical"),
           "%s at sigma_b2 0.05: no critical sigma_w2 (\"%s\")", act_name(f.kind), err.msg);
  }

  /* Fixed points against 20000 plain iterations of the map (which
   * converges geometrically at rate slope < 0.6 in these cases). */
  static const struct { const char *a; double sw2, sb2; } fp[] = {
    { "tanh", 1.76, 0.05 }, { "tanh", 3.0, 0.3 }, { "sigmoid", 1.0 / 3, 0.0 }, { "selu", 1.2, 0.1 },
    { "gelu", 1.5, 0.2 }, { "softplus", 1.0, 0.0 }, { "hardtanh", 2.0, 0.1 }, { "softsign", 4.0, 0.5 },
  };
  for (size_t i = 0; i < sizeof fp / sizeof fp[0]; i++) {
    act_fn f = act(fp[i].a);
    p = point(w, &f, fp[i].sw2, fp[i].sb2);
    double q = p.q_start;
    for (int it = 0; it < 20000; it++) q = theory_qmap(w, &f, fp[i].sw2, fp[i].sb2, q);
    char what[160];
    snprintf(what, sizeof what, "%s %g/%g: q* (slope %.3f) vs the iterated map", fp[i].a, fp[i].sw2,
             fp[i].sb2, p.slope);
    tap_rel(p.q_star, q, 1e-12, what);
    /* xi_q against a central difference of the map at q* */
    double h = 1e-5 * p.q_star;
    double fd = (theory_qmap(w, &f, fp[i].sw2, fp[i].sb2, p.q_star + h)
                 - theory_qmap(w, &f, fp[i].sw2, fp[i].sb2, p.q_star - h)) / (2 * h);
    snprintf(what, sizeof what, "%s %g/%g: xi_q = -1/ln(dmap/dq) by central difference", fp[i].a,
             fp[i].sw2, fp[i].sb2);
    tap_rel(p.xi_q, -1 / log(fd), 1e-6, what);
    snprintf(what, sizeof what, "%s %g/%g: xi_grad = -1/ln chi_1", fp[i].a, fp[i].sw2, fp[i].sb2);
    tap_rel(p.xi_grad, -1 / log(p.chi1), 1e-15, what);
  }
  (void)sig;

  /* bad input */
  tap_ok(theory_point_at(w, &th, -1, 0, 1, &p, NULL) == SB_EUSAGE
         && theory_point_at(w, &th, 1, NAN, 1, &p, NULL) == SB_EUSAGE
         && theory_critical(w, &th, -0.1, 1, &c, NULL) == SB_EUSAGE,
         "negative sigma_w2, NaN sigma_b2 or negative sigma_b2 -> SB_EUSAGE");
}

/* The profile: ratio[l-1] - ratio[l] = log10(chi_l)/2, ratio[depth-1] = 0,
 * and the decay rate of a geometric profile is its per-layer step. */
static void check_profile(const theory_work *w)
{
  enum { D = 12 };
  double q[D], chi[D], ratio[D];
  act_fn th = act("tanh"), relu = act("relu");
  sb_error err;
  if (theory_profile(w, &th, 1.76, 0.05, 1.81, D, q, chi, ratio, &err)) die(err.msg);
  double worst = 0;
  for (size_t l = 1; l < D; l++) {
    worst = fmax(worst, fabs(ratio[l - 1] - ratio[l] - 0.5 * log10(chi[l - 1])));
    worst = fmax(worst, fabs(q[l] - theory_qmap(w, &th, 1.76, 0.05, q[l - 1])) / q[l]);
    worst = fmax(worst, fabs(chi[l - 1] - theory_chi(w, &th, 1.76, q[l - 1])));
  }
  tap_ok(ratio[D - 1] == 0 && q[0] == 1.81 && worst < 1e-14,
         "tanh profile: q^{l+1} = map(q^l), chi_l = chi(q^l), steps of log10(chi_l)/2 (worst %.2g)", worst);
  if (theory_profile(w, &relu, 1.0, 0.0, 1.0, D, NULL, NULL, ratio, &err)) die(err.msg);
  tap_rel(ratio[0], 0.5 * (D - 1) * log10(0.5), 1e-13, "relu sigma_w2 1: ratio at layer 1 = (D-1) log10(1/2)/2");
  tap_rel(theory_decay_rate(ratio, D), -0.5 * log10(0.5), 1e-12, "relu sigma_w2 1: decay rate = log10(2)/2");
  tap_ok(isnan(theory_decay_rate(ratio, 1)), "decay rate of one layer is NaN");

  /* theory_cell: the first layer's sigma_w2 from its own fans */
  init_spec xn;
  if (init_parse("xavier_normal", &xn, &err)) die(err.msg);
  double r1[D], r2[D], d1, d2;
  theory_cell(w, &th, &xn, 32, 64, D, 1.0, r1, &d1, NULL);
  /* xavier 32 -> 64: Var = 2/96, so q^1 = 32 * 2/96 = 2/3; hidden sigma_w2 = 1 */
  theory_profile(w, &th, 1.0, 0.0, 2.0 / 3.0, D, NULL, NULL, r2, NULL);
  d2 = theory_decay_rate(r2, D);
  tap_ok(!memcmp(r1, r2, sizeof r1) && d1 == d2, "theory_cell xavier_normal 32->64: q^1 = 2/3, sigma_w2 = 1");
  init_spec crit;
  if (init_parse("critical:0.05", &crit, &err)) die(err.msg);
  tap_ok(theory_resolve_init(w, &th, &crit, &err) == SB_OK && fabs(crit.sigma_w2 - 1.7609546) < 1e-6,
         "theory_resolve_init: tanh critical:0.05 -> sigma_w2 %.10g", crit.sigma_w2);
}

/* ---- 3. measurement ----------------------------------------------------- */

enum { WIDTH = 512, BATCH = 256, DEPTH = 10, N_OUT = 10 };


/* Tolerances.  For a fixed delta^{l+1} and independent W^{l+1}, the ratio
 * ||delta^l||^2 / ||delta^{l+1}||^2 concentrates within
 * ~sqrt(2/(batch width)) ~ 0.4% of chi; in a real net W^{l+1} also made
 * h^{l+1}, units grow correlated across inputs with depth, and q^l itself
 * fluctuates by ~1/sqrt(width) around the theory's.  Over the 13 nets
 * below the largest per-layer gap was 8.8% (relu/xavier_normal), the
 * largest gap of a geometric mean over 9 layers 1.0%, and the largest
 * error of the whole attenuation log10(||delta^1||/||delta^10||) 0.020
 * decade (printed as diagnostics); test_known.c saw rms per-layer gaps of
 * 1-5% over 30 seeds.  So each layer gets 20% (~4 sd), the geometric mean
 * 5% and the attenuation 0.1 decade (both ~5x the worst seen).  A wrong
 * q^l (sigma_w2 off by 2x) or a missing phi' moves these by far more:
 * x2 at every relu layer, x1.5 at tanh's first, decades for sigmoid. */
#define LAYER_TOL 0.20
#define GM_TOL 0.05
#define ATT_TOL 0.1

static void check_measured(const theory_work *w)
{
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  double *X = malloc((size_t)WIDTH * BATCH * sizeof *X);
  int *y = malloc(BATCH * sizeof *y);
  if (!rng || !X || !y) die("allocation");
  gsl_rng_set(rng, 2385UL);
  double q0 = 0.0;
  for (size_t i = 0; i < (size_t)WIDTH * BATCH; i++) {
    X[i] = gsl_ran_gaussian(rng, 1.0);
    q0 += X[i] * X[i];
  }
  q0 /= (double)WIDTH * BATCH;
  for (size_t i = 0; i < BATCH; i++) y[i] = (int)gsl_rng_uniform_int(rng, N_OUT);

  static const struct { const char *a, *init; } cases[] = {
    { "sigmoid", "standard" }, { "sigmoid", "xavier_normal" }, { "sigmoid", "he_normal" },
    { "tanh", "standard" }, { "tanh", "xavier_normal" }, { "tanh", "he_normal" },
    { "tanh", "critical:0.05" },
    { "relu", "standard" }, { "relu", "xavier_normal" }, { "relu", "he_normal" },
    { "selu", "standard" }, { "selu", "xavier_normal" }, { "selu", "he_normal" },
  };
  double worst_layer = 0, worst_gm = 0;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    act_fn f = act(cases[c].a);
    init_spec spec;
    sb_error err;
    if (init_parse(cases[c].init, &spec, &err) || theory_resolve_init(w, &f, &spec, &err)) die(err.msg);
    net *n = net_alloc(WIDTH, WIDTH, DEPTH, N_OUT, f, LOSS_XENT);
    net_work *nw = n ? net_work_alloc(n, BATCH) : NULL;
    if (!nw) die("allocation");
    gsl_rng_set(rng, 1000UL + c);
    if (net_init_params(n, &spec, rng, &err)) die(err.msg);
    net_forward(n, nw, X, y, BATCH);
    net_backward(n, nw, X, y, BATCH);

    double sw2 = init_weight_var(&spec, WIDTH, WIDTH) * WIDTH, sb2 = init_bias_var(&spec);
    double q[DEPTH], chi[DEPTH], ratio[DEPTH], d2[DEPTH];
    if (theory_profile(w, &f, sw2, sb2, sw2 * q0 + sb2, DEPTH, q, chi, ratio, &err)) die(err.msg);
    for (size_t l = 1; l <= DEPTH; l++) {
      double d = ref_norm(nw->delta[l - 1], (size_t)BATCH * WIDTH);
      d2[l - 1] = d * d;
    }
    double lsum = 0, lchi = 0, gap_max = 0;
    for (size_t l = 1; l < DEPTH; l++) {
      double r = d2[l - 1] / d2[l], gap = fabs(r / chi[l - 1] - 1);
      tap_diag("%s/%s layer %zu: q^l theory %.5f; ||d^l||^2/||d^l+1||^2 = %.6g, chi_l = %.6g, gap %.2f%%",
               cases[c].a, cases[c].init, l, q[l - 1], r, chi[l - 1], 100 * gap);
      lsum += log(r);
      lchi += log(chi[l - 1]);
      gap_max = fmax(gap_max, gap);
    }
    double gm_gap = fabs(exp((lsum - lchi) / (DEPTH - 1)) - 1);
    double att = log10(sqrt(d2[0] / d2[DEPTH - 1]));
    worst_layer = fmax(worst_layer, gap_max);
    worst_gm = fmax(worst_gm, gm_gap);
    tap_ok(gap_max <= LAYER_TOL, "%s/%s (sigma_w2 %.4g, sigma_b2 %g): every layer's ratio within "
           "%.0f%% of chi(q^l): worst %.2f%%", cases[c].a, cases[c].init, sw2, sb2, 100 * LAYER_TOL,
           100 * gap_max);
    tap_ok(gm_gap <= GM_TOL, "%s/%s: geometric mean over layers 1..%d within %.0f%% of chi's: %.2f%%",
           cases[c].a, cases[c].init, DEPTH - 1, 100 * GM_TOL, 100 * gm_gap);
    char what[160];
    snprintf(what, sizeof what, "%s/%s: measured log10(||delta^1||/||delta^%d||) vs predicted",
             cases[c].a, cases[c].init, DEPTH);
    tap_abs(att, ratio[0], ATT_TOL, what);
    net_work_free(nw);
    net_free(n);
  }
  tap_diag("worst per-layer gap %.2f%%, worst geometric-mean gap %.2f%%", 100 * worst_layer, 100 * worst_gm);
  free(y);
  free(X);
  gsl_rng_free(rng);
}

/* ---- 7. the correlation map and xi_c ------------------------------------------ */

/* Independent bivariate references: nested adaptive integration over the
 * whole line (qagi inside qagi), phi or phi' at u1 = r z1 and
 * u2 = r (c z1 + s z2). */
typedef struct biv { const act_fn *f; double r, c, s, z1; int deriv; gsl_integration_workspace *inner; } biv;

static double biv_inner(double z2, void *p)
{
  const biv *b = p;
  double u = b->r * (b->c * b->z1 + b->s * z2);
  return (b->deriv ? act_deriv(b->f, u) : act_eval(b->f, u)) * exp(-0.5 * z2 * z2) * 0.3989422804014327;
}

static double biv_outer(double z1, void *p)
{
  biv *b = p;
  b->z1 = z1;
  gsl_function F = { biv_inner, b };
  double v, e;
  gsl_integration_qagi(&F, 1e-14, 1e-12, 2000, b->inner, &v, &e);
  double u = b->r * z1;
  return (b->deriv ? act_deriv(b->f, u) : act_eval(b->f, u)) * v * exp(-0.5 * z1 * z1) * 0.3989422804014327;
}

static double biv_ref(const act_fn *f, double q, double c, int deriv)
{
  gsl_integration_workspace *outer = gsl_integration_workspace_alloc(2000), *inner = gsl_integration_workspace_alloc(2000);
  if (!outer || !inner) die("workspace");
  biv b = { f, sqrt(q), c, sqrt(1 - c * c), 0.0, deriv, inner };
  gsl_function F = { biv_outer, &b };
  double v, e;
  gsl_integration_qagi(&F, 1e-13, 1e-11, 2000, outer, &v, &e);
  gsl_integration_workspace_free(outer);
  gsl_integration_workspace_free(inner);
  return v;
}

static double one_mean(double z, void *p)   /* E[phi(r z)] or E[phi'(r z)]'s integrand */
{
  const biv *b = p;
  double u = b->r * z;
  return (b->deriv ? act_deriv(b->f, u) : act_eval(b->f, u)) * exp(-0.5 * z * z) * 0.3989422804014327;
}

static double mean_ref(const act_fn *f, double q, int deriv)
{
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
  if (!ws) die("workspace");
  biv b = { f, sqrt(q), 0, 0, 0, deriv, NULL };
  gsl_function F = { one_mean, &b };
  double v, e;
  gsl_integration_qagi(&F, 1e-14, 1e-13, 2000, ws, &v, &e);
  gsl_integration_workspace_free(ws);
  return v;
}

static void check_correlation(const theory_work *w)
{
  static const char *const names[] = { "tanh", "sigmoid", "relu", "softplus" };
  static const double qs[] = { 0.3, 1.0, 4.0 }, cs[] = { -0.6, 0.0, 0.35, 0.9 };
  double worst = 0.0, where_q = 0, where_c = 0;
  const char *where = "";
  for (size_t a = 0; a < 4; a++) {
    act_fn f = act(names[a]);
    for (size_t i = 0; i < 3; i++) {
      theory_moments m = moments(w, &f, qs[i]);
      double pp, dd;
      theory_corr_moments(w, &f, qs[i], 1.0, &pp, &dd);
      tap_ok(pp == m.phi2 && dd == m.dphi2, "%s q %g: E[phi(u1) phi(u2)] and E[phi' phi'] at c = 1 are the "
             "one-variable phi2 and dphi2", names[a], qs[i]);
      theory_corr_moments(w, &f, qs[i], 0.0, &pp, &dd);
      double m1 = mean_ref(&f, qs[i], 0), d1 = mean_ref(&f, qs[i], 1);
      tap_ok(fabs(pp - m1 * m1) <= 1e-11 * fmax(1.0, m1 * m1) && fabs(dd - d1 * d1) <= 1e-11 * fmax(1.0, d1 * d1),
             "%s q %g, c = 0: E[phi phi] = E[phi]^2 (%.15g vs %.15g), E[phi' phi'] = E[phi']^2 (%.15g vs %.15g)",
             names[a], qs[i], pp, m1 * m1, dd, d1 * d1);
      for (size_t k = 0; k < 4; k++) {
        theory_corr_moments(w, &f, qs[i], cs[k], &pp, &dd);
        /* relu has closed forms (Cho & Saul's arc-cosine kernels); the
         * nested adaptive rule is no reference across its step */
        double th_ = acos(cs[k]);
        double rp = a == 2 ? qs[i] / (2 * M_PI) * (sin(th_) + (M_PI - th_) * cs[k]) : biv_ref(&f, qs[i], cs[k], 0);
        double rd = a == 2 ? (M_PI - th_) / (2 * M_PI) : biv_ref(&f, qs[i], cs[k], 1);
        double e = fmax(fabs(pp - rp) / fmax(1.0, fabs(rp)), fabs(dd - rd) / fmax(1.0, fabs(rd)));
        if (e > worst) { worst = e; where = names[a]; where_q = qs[i]; where_c = cs[k]; }
      }
    }
  }
  tap_ok(worst <= 1e-9, "bivariate moments against nested adaptive quadrature (tanh, sigmoid, softplus) and the arc-cosine closed forms (relu; "
         "q 0.3, 1, 4; c -0.6, 0, 0.35, 0.9): worst error %.3g at %s q %g c %g (tol 1e-9)", worst, where, where_q,
         where_c);
  act_fn th = act("tanh");
  double pp, dd;
  theory_moments m = moments(w, &th, 2.0);
  theory_corr_moments(w, &th, 2.0, -1.0, &pp, &dd);
  tap_ok(fabs(pp + m.phi2) <= 1e-14 && fabs(dd - m.dphi2) <= 1e-14,
         "tanh at c = -1: E[phi(u) phi(-u)] = -phi2, E[phi'(u) phi'(-u)] = dphi2 (odd phi)");

  /* Ordered phase and the edge: c* = 1, xi_c = xi_grad. */
  static const struct { const char *act; double sw2, sb2; } ord[] = {
    { "tanh", 0.5, 0.05 }, { "tanh", 1.5, 0.05 }, { "tanh", 1.0, 0.3 }, { "sigmoid", 4.0, 0.05 },
    { "sigmoid", 12.0, 0.5 }, { "relu", 1.5, 0.1 }, { "relu", 1.9, 0.0 },
  };
  for (size_t k = 0; k < sizeof ord / sizeof ord[0]; k++) {
    act_fn f = act(ord[k].act);
    theory_point p = point(w, &f, ord[k].sw2, ord[k].sb2);
    tap_ok(p.chi1 < 1 && p.c_star == 1.0 && p.xi_c == p.xi_grad,
           "%s sigma_w2 %g sigma_b2 %g (ordered, chi1 %.6g): c* = 1 and xi_c = xi_grad = %.10g", ord[k].act,
           ord[k].sw2, ord[k].sb2, p.chi1, p.xi_c);
  }
  /* Chaotic tanh: c* is a fixed point of the correlation map, stable
   * (chi_c < 1), and chi_c matches the nested reference at it. */
  static const double chaos[] = { 2.0, 2.5, 3.0, 4.0 };
  for (size_t k = 0; k < 4; k++) {
    theory_point p = point(w, &th, chaos[k], 0.05);
    double rp = biv_ref(&th, p.q_star, p.c_star, 0), rd = biv_ref(&th, p.q_star, p.c_star, 1);
    double cmap = (chaos[k] * rp + 0.05) / p.q_star;
    tap_ok(p.chi1 > 1 && p.c_star > 0 && p.c_star < 1 && fabs(cmap - p.c_star) <= 1e-9
           && fabs(chaos[k] * rd - p.chi_c) <= 1e-9 && p.chi_c < 1 && p.xi_c > 0,
           "tanh sigma_w2 %g sigma_b2 0.05 (chaotic, chi1 %.6g): c* %.10g is fixed (reference map %.3g off), "
           "chi_c %.10g vs reference %.10g, xi_c %.6g > 0", chaos[k], p.chi1, p.c_star, fabs(cmap - p.c_star),
           p.chi_c, chaos[k] * rd, p.xi_c);
  }
  /* Odd phi without bias: c* = 0 and chi_c = sigma_w2 E[phi'(u)]^2. */
  theory_point p0 = point(w, &th, 3.0, 0.0);
  double d1 = mean_ref(&th, p0.q_star, 1);
  tap_ok(p0.c_star == 0.0 && fabs(p0.chi_c - 3.0 * d1 * d1) <= 1e-11,
         "tanh sigma_w2 3 sigma_b2 0: c* = %g (0) and chi_c %.12g = sigma_w2 E[phi']^2 %.12g", p0.c_star, p0.chi_c,
         3.0 * d1 * d1);
  /* xi_c diverges at the edge of chaos, from both sides. */
  double crit;
  sb_error err;
  if (theory_critical(w, &th, 0.05, 1.0, &crit, &err)) die(err.msg);
  double prev_lo = 0, prev_hi = 0;
  int mono = 1;
  for (int e = 1; e <= 4; e++) {
    double d = pow(10.0, -e);
    double lo = point(w, &th, crit - d, 0.05).xi_c, hi = point(w, &th, crit + d, 0.05).xi_c;
    mono &= lo > prev_lo && hi > prev_hi;
    prev_lo = lo;
    prev_hi = hi;
  }
  double at = point(w, &th, crit, 0.05).xi_c;
  tap_ok(mono && prev_lo > 1e3 && prev_hi > 1e3 && at > 1e6,
         "tanh sigma_b2 0.05: xi_c grows towards the critical sigma_w2 %.6g from both sides, %.4g and %.4g at "
         "1e-4 from it (> 1e3), %.3g at it (> 1e6)", crit, prev_lo, prev_hi, at);
  /* The numbers a trainability figure draws (6 xi_c), for the record. */
  for (double sw2 = 1.0; sw2 <= 3.01; sw2 += 0.5) {
    theory_point p = point(w, &th, sw2, 0.05);
    tap_diag("tanh sigma_b2 0.05 sigma_w2 %.1f: chi1 %.6f c* %.6f chi_c %.6f xi_c %.4f (6 xi_c = %.1f)", sw2, p.chi1,
             p.c_star, p.chi_c, p.xi_c, 6 * p.xi_c);
  }
  /* relu beyond sigma_w2 = 2 with a bias: q* = Inf, no correlation scale. */
  act_fn re = act("relu");
  theory_point pr = point(w, &re, 3.0, 0.1);
  tap_ok(isinf(pr.q_star) && isnan(pr.xi_c), "relu sigma_w2 3 sigma_b2 0.1: q* = Inf, xi_c NaN");
}

int main(void)
{
  /* The references' qagi may report roundoff at 1e-13; that is handled
   * above, not by GSL's aborting default handler. */
  gsl_set_error_handler_off();
  theory_work *w = theory_alloc();
  if (!w) die("theory_alloc");
  check_closed_forms(w);
  check_adaptive(w);
  check_slope(w);
  check_known(w);
  check_profile(w);
  check_measured(w);
  check_correlation(w);
  theory_free(w);
  theory_free(NULL);

  /* theory_sat_frac against closed forms: tanh is saturated where
   * tanh'(h) = 1 - tanh(h)^2 < tau, i.e. |h| > h_star = atanh(sqrt(1 - tau)),
   * so the fraction is erfc(h_star / sqrt(2q)); sigmoid where s(1-s) < tau/4; relu on
   * h <= 0, exactly half. */
  {
    act_fn ft, fs, fr;
    act_parse("tanh", &ft, NULL);
    act_parse("sigmoid", &fs, NULL);
    act_parse("relu", &fr, NULL);
    const double qs[] = { 0.2385, 1.0, 7.5 };
    for (size_t k = 0; k < 3; k++) {
      double q = qs[k], tau = 0.05;
      double ht = atanh(sqrt(1.0 - tau));
      tap_abs(theory_sat_frac(&ft, q, tau), erfc(ht / sqrt(2.0 * q)), 2e-4, "tanh saturated fraction = erfc(h_star / sqrt(2q))");
      double s = (1.0 - sqrt(1.0 - tau)) / 2.0, hs = -log(s / (1.0 - s));
      tap_abs(theory_sat_frac(&fs, q, tau), erfc(hs / sqrt(2.0 * q)), 2e-4, "sigmoid saturated fraction = erfc(h_star / sqrt(2q))");
      tap_abs(theory_sat_frac(&fr, q, tau), 0.5, 1e-12, "relu saturated fraction = 1/2");
    }
  }
  return tap_done();
}
