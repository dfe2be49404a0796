/* theory.c - mean-field signal propagation: Gaussian moments of the
 * activations, the length map's fixed point, chi_1, depth scales, the
 * critical sigma_w2 and per-layer predictions (see theory.h). */
#include <config.h>
#include "theory.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>

#define INV_SQRT2PI 0.39894228040143267793994605993438187  /* 1/sqrt(2 pi) */

/* Quadrature layout.  P(|z| > 10) = 1.5e-23, and no activation here grows
 * faster than |x|, so the truncation is far below the 1e-14 the panels
 * reach.  Panels are at most 1 wide (the Gaussian's own scale) and 20
 * Gauss-Legendre nodes integrate a width-1 piece of exp(-z^2/2) times a
 * smooth function to rounding.  Near a centre (z = 0 and the kinks) the
 * first panel is half the activation's scale 1/sqrt(q), and widths double
 * outwards: a panel is never wider than its distance to the centre, so the
 * singularities of tanh, sigmoid, softplus (on the imaginary axis through
 * z = 0) and the kinks at panel edges cost a fixed number of panels per
 * factor 2 of scale, whatever q. */
#define Z_MAX 10.0
#define PANEL_MAX 1.0
#define GL_NODES 20
/* Above this q, the moments are their q -> Inf limits to within
 * O(1/sqrt(q)) = 1e-150; the grading would need more than EDGES_CAP edges. */
#define Q_HUGE 1e300
#define EDGES_CAP 4096

/* The bivariate moments use GL2_NODES per panel in each dimension: a
 * width-1 panel of the Gaussian times a smooth piece is exact to ~1e-18
 * with 10 nodes already, and the product rule costs their square. */
#define GL2_NODES 10

struct theory_work {
  gsl_integration_fixed_workspace *gl, *gl2;
  const double *x, *w;   /* GL_NODES nodes and weights on [-1, 1] */
  const double *x2, *w2; /* GL2_NODES of them */
};

theory_work *theory_alloc(void)
{
  theory_work *t = malloc(sizeof *t);
  if (!t) return NULL;
  t->gl = gsl_integration_fixed_alloc(gsl_integration_fixed_legendre, GL_NODES, -1.0, 1.0, 0.0, 0.0);
  if (!t->gl) { free(t); return NULL; }
  t->gl2 = gsl_integration_fixed_alloc(gsl_integration_fixed_legendre, GL2_NODES, -1.0, 1.0, 0.0, 0.0);
  if (!t->gl2) { gsl_integration_fixed_free(t->gl); free(t); return NULL; }
  t->x = gsl_integration_fixed_nodes(t->gl);
  t->w = gsl_integration_fixed_weights(t->gl);
  t->x2 = gsl_integration_fixed_nodes(t->gl2);
  t->w2 = gsl_integration_fixed_weights(t->gl2);
  return t;
}

void theory_free(theory_work *t)
{
  if (!t) return;
  gsl_integration_fixed_free(t->gl);
  gsl_integration_fixed_free(t->gl2);
  free(t);
}

/* ---- limits of phi at 0 and at infinity --------------------------------- */

/* (phi'(0+)^2 + phi'(0-)^2) / 2: lim E[phi'(sqrt(q) z)^2] as q -> 0, and
 * lim E[phi(sqrt(q) z)^2] / q when phi(0) = 0.  One-sided, so relu gives
 * 1/2 and selu lambda^2 (1 + alpha^2) / 2. */
static double slope2_at_zero(const act_fn *f)
{
  double a = act_deriv(f, DBL_MIN), b = act_deriv(f, -DBL_MIN);
  return 0.5 * (a * a + b * b);
}

/* (phi'(+inf)^2 + phi'(-inf)^2) / 2: the q -> Inf limit of E[phi'^2] and of
 * E[phi^2] / q.  1/2 for relu, gelu, swish, softplus, elu; 0 for the
 * bounded activations. */
static double slope2_at_inf(const act_fn *f)
{
  double a = act_deriv(f, 1e300), b = act_deriv(f, -1e300);
  return 0.5 * (a * a + b * b);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Panel edges on [-Z_MAX, Z_MAX] for phi(mu + r z), an activation at
 * scale r shifted by mu; returns their number (sorted, distinct). */
static size_t panel_edges_at(const act_fn *f, double mu, double r, double *e)
{
  /* Centres in z, ascending: where the argument is 0 (every activation
   * changes shape there) and the activation's kinks k (act.h), at
   * z = (k - mu)/r, within the range. */
  const act_info *ai = act_info_of(f->kind);
  double c[ACT_MAX_KINKS + 1], all[ACT_MAX_KINKS + 1];
  size_t nc = 0, na = 0, nk = ai ? ai->n_kinks : 0;
  for (size_t i = 0; i < nk; i++) if (ai->kinks[i] < 0) all[na++] = ai->kinks[i];
  all[na++] = 0.0;
  for (size_t i = 0; i < nk; i++) if (ai->kinks[i] > 0) all[na++] = ai->kinks[i];
  for (size_t i = 0; i < na; i++) {
    double z = (all[i] - mu) / r;
    if (fabs(z) < Z_MAX) c[nc++] = z;
  }
  if (nc == 0) c[nc++] = 0.0;  /* every centre out of range: grade from the middle */

  double s = 0.5 * fmin(1.0, 1.0 / r);   /* first panel: half the activation's scale */
  size_t n = 0;
  e[n++] = -Z_MAX;
  for (size_t i = 0; i < nc; i++) {
    /* Each centre grades its own share of the line, up to the midpoints. */
    double lo = i == 0 ? -Z_MAX : 0.5 * (c[i - 1] + c[i]);
    double hi = i + 1 == nc ? Z_MAX : 0.5 * (c[i] + c[i + 1]);
    e[n++] = c[i];
    e[n++] = hi;
    for (int dir = -1; dir <= 1; dir += 2) {
      for (double off = s;;) {
        double p = c[i] + dir * off;
        if (p <= lo || p >= hi || n + 1 >= EDGES_CAP) break;
        e[n++] = p;
        off += off < PANEL_MAX ? off : PANEL_MAX;
      }
    }
  }
  qsort(e, n, sizeof *e, cmp_double);
  size_t m = 1;
  for (size_t i = 1; i < n; i++)
    if (e[i] > e[m - 1]) e[m++] = e[i];
  return m;
}

int theory_moments_at(const theory_work *w, const act_fn *f, double q, theory_moments *m)
{
  if (!(q >= 0)) {
    m->phi2 = m->dphi2 = m->dq_phi2 = NAN;
    return SB_EUSAGE;
  }
  double phi0 = act_eval(f, 0.0);
  if (q == 0) {
    m->phi2 = phi0 * phi0;
    m->dphi2 = slope2_at_zero(f);
    /* d/dq E[phi^2] at 0 is phi'(0)^2 + phi(0) phi''(0); it is only needed
     * (at q* = 0) when phi(0) = 0, where it is the one-sided limit. */
    m->dq_phi2 = phi0 == 0 ? slope2_at_zero(f) : NAN;
    return SB_OK;
  }
  if (q > Q_HUGE) {
    double cinf = slope2_at_inf(f);
    if (cinf > 0) {
      m->phi2 = q * cinf;
    } else {   /* bounded: the mean of the two saturation levels squared */
      double a = act_eval(f, 1e300), b = act_eval(f, -1e300);
      m->phi2 = 0.5 * (a * a + b * b);
    }
    m->dphi2 = cinf;
    m->dq_phi2 = cinf;
    return SB_OK;
  }

  double e[EDGES_CAP];
  size_t ne = panel_edges_at(f, 0.0, sqrt(q), e);
  double r = sqrt(q);
  /* E[z] = 0, so subtracting phi(0) phi'(0) from phi phi' changes nothing
   * but keeps E[z phi phi'] / sqrt(q) from cancelling at small q, where
   * phi phi' is nearly that constant.  At large q phi phi' is localized
   * near z = 0 (sigmoid) and the constant would bring the cancellation
   * back instead. */
  double c0 = q <= 1 ? phi0 * act_deriv(f, 0.0) : 0.0;
  double s_phi2 = 0.0, s_dphi2 = 0.0, s_zpd = 0.0;
  for (size_t p = 0; p + 1 < ne; p++) {
    double mid = 0.5 * (e[p] + e[p + 1]), hw = 0.5 * (e[p + 1] - e[p]);
    for (size_t k = 0; k < GL_NODES; k++) {
      double z = mid + hw * w->x[k];
      double wt = hw * w->w[k] * exp(-0.5 * z * z);
      double h = r * z, v = act_eval(f, h), d = act_deriv(f, h);
      s_phi2 += wt * v * v;
      s_dphi2 += wt * d * d;
      s_zpd += wt * z * (v * d - c0);
    }
  }
  m->phi2 = INV_SQRT2PI * s_phi2;
  m->dphi2 = INV_SQRT2PI * s_dphi2;
  m->dq_phi2 = INV_SQRT2PI * s_zpd / r;
  return SB_OK;
}

double theory_qmap(const theory_work *w, const act_fn *f, double sigma_w2, double sigma_b2,
                   double q)
{
  theory_moments m;
  if (theory_moments_at(w, f, q, &m)) return NAN;
  return sigma_w2 * m.phi2 + sigma_b2;
}

double theory_chi(const theory_work *w, const act_fn *f, double sigma_w2, double q)
{
  theory_moments m;
  if (theory_moments_at(w, f, q, &m)) return NAN;
  return sigma_w2 * m.dphi2;
}

/* ---- two inputs: the correlation map ------------------------------------ */

static int brent(gsl_function *F, double lo, double hi, double *root);

int theory_corr_moments(const theory_work *w, const act_fn *f, double q, double c, double *phiphi,
                        double *dphidphi)
{
  *phiphi = *dphidphi = NAN;
  if (!(q > 0) || !(q <= Q_HUGE) || !(c >= -1.0 && c <= 1.0)) return SB_EUSAGE;
  double r = sqrt(q), sc = sqrt(fmax(0.0, 1.0 - c * c));
  if (sc < 1e-8) {  /* c = +-1: one variable; u2 = +-u1 */
    theory_moments m;
    if (c > 0) {
      theory_moments_at(w, f, q, &m);
      *phiphi = m.phi2;
      *dphidphi = m.dphi2;
      return SB_OK;
    }
  }
  /* E over z1 of g(r z1) times E over z2 of g(r c z1 + r sc z2): the outer
   * rule at scale r, the inner one graded at the shifted argument. */
  static _Thread_local double e1[EDGES_CAP], e2[EDGES_CAP];
  size_t n1 = panel_edges_at(f, 0.0, r, e1);
  double spp = 0.0, sdd = 0.0;
  for (size_t p = 0; p + 1 < n1; p++) {
    double mid = 0.5 * (e1[p] + e1[p + 1]), hw = 0.5 * (e1[p + 1] - e1[p]);
    for (size_t k = 0; k < GL2_NODES; k++) {
      double z1 = mid + hw * w->x2[k], wt1 = hw * w->w2[k] * exp(-0.5 * z1 * z1);
      double u1 = r * z1, v1 = act_eval(f, u1), d1 = act_deriv(f, u1);
      double mu = r * c * z1, ip = 0.0, id = 0.0;
      if (sc < 1e-8) {  /* c = -1 */
        ip = act_eval(f, -u1);
        id = act_deriv(f, -u1);
      } else {
        double r2 = r * sc;
        size_t n2 = panel_edges_at(f, mu, r2, e2);
        for (size_t p2 = 0; p2 + 1 < n2; p2++) {
          double m2 = 0.5 * (e2[p2] + e2[p2 + 1]), h2 = 0.5 * (e2[p2 + 1] - e2[p2]);
          for (size_t k2 = 0; k2 < GL2_NODES; k2++) {
            double z2 = m2 + h2 * w->x2[k2], wt2 = h2 * w->w2[k2] * exp(-0.5 * z2 * z2);
            double u2 = mu + r2 * z2;
            ip += wt2 * act_eval(f, u2);
            id += wt2 * act_deriv(f, u2);
          }
        }
        ip *= INV_SQRT2PI;
        id *= INV_SQRT2PI;
      }
      spp += wt1 * v1 * ip;
      sdd += wt1 * d1 * id;
    }
  }
  *phiphi = INV_SQRT2PI * spp;
  *dphidphi = INV_SQRT2PI * sdd;
  return SB_OK;
}

typedef struct cmap_args {
  const theory_work *w;
  const act_fn *f;
  double sw2, sb2, q;
} cmap_args;

/* cmap(c) - c, cmap(c) = (sigma_w2 E[phi(u1) phi(u2)] + sigma_b2) / q*. */
static double cmap_gap(double c, void *p)
{
  const cmap_args *a = p;
  double pp, dd;
  if (theory_corr_moments(a->w, a->f, a->q, c, &pp, &dd)) return 0.0;
  return (a->sw2 * pp + a->sb2) / a->q - c;
}

/* The stable fixed point c* of the correlation map in the chaotic phase
 * (chi_1 > 1, 0 < q* < Inf), in [0, 1): cmap(0) >= 0 (it is
 * (sigma_w2 E[phi]^2 + sigma_b2) / q*), and just below 1 the map falls
 * under c because its slope there is chi_1 > 1; the map is convex on
 * [0, 1] (its Hermite expansion has non-negative coefficients), so there
 * is one crossing between.  *found 0 when no point below 1 has the map
 * under c (chi_1 within rounding of 1). */
static int corr_fixed_point(const theory_work *w, const act_fn *f, double sw2, double sb2, double q,
                            double *c_star, int *found)
{
  cmap_args a = { w, f, sw2, sb2, q };
  gsl_function F = { cmap_gap, &a };
  *found = 0;
  double g0 = cmap_gap(0.0, &a);
  if (g0 <= 0.0) { *c_star = 0.0; *found = 1; return SB_OK; }
  for (double d = 0.5; d > 1e-9; d *= 0.5)
    if (cmap_gap(1.0 - d, &a) < 0.0) {
      *found = 1;
      return brent(&F, 0.0, 1.0 - d, c_star);
    }
  *c_star = 1.0;
  return SB_OK;
}

/* ---- Brent on a bracketed sign change ----------------------------------- */

/* GSL's default error handler aborts, so every call here is checked first:
 * the bracket straddles zero and the function is finite on it. */
static int brent(gsl_function *F, double lo, double hi, double *root)
{
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (!s) return SB_EFAIL;
  gsl_root_fsolver_set(s, F, lo, hi);
  int status = GSL_CONTINUE;
  for (int it = 0; it < 300 && status == GSL_CONTINUE; it++) {
    if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) break;
    status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                    0.0, 4 * DBL_EPSILON);
  }
  *root = gsl_root_fsolver_root(s);
  gsl_root_fsolver_free(s);
  return SB_OK;
}

/* ---- fixed point -------------------------------------------------------- */

typedef struct map_args {
  const theory_work *w;
  const act_fn *f;
  double sw2, sb2;
} map_args;

/* map(q) - q: its sign says which way the iterated map moves from q. */
static double map_gap(double q, void *p)
{
  const map_args *a = p;
  double v = theory_qmap(a->w, a->f, a->sw2, a->sb2, q) - q;
  return isfinite(v) ? v : 0.0;   /* cannot happen for q <= Q_HUGE; keeps Brent safe */
}

/* -1/ln x, the depth over which x^depth falls by e; Inf at x = 1.  The
 * moments carry ~1e-15 of rounding, so relu at sigma_w2 = 2 computes chi_1
 * = 1 + 6e-16: without the tolerance its xi would be -9e14, a number that
 * only describes rounding. */
static double depth_scale(double x)
{
  if (isnan(x)) return NAN;
  if (fabs(x - 1.0) <= 1e-12) return INFINITY;
  return -1.0 / log(x);
}

/* The limit of q^{l+1} = map(q^l) from q^1 = qs.  The map increases with
 * q (for every activation of act.c E[phi(sqrt(q) z)^2] does), so the iterates
 * move monotonically, in the direction of map(qs) - qs, to the first fixed
 * point on that side.  That point is bracketed by stepping by factors of 2
 * from qs and then refined by Brent (two fixed points within a factor 2 of
 * each other could be stepped over; no activation here has such a pair). */
static int fixed_point(const theory_work *w, const act_fn *f, double sw2, double sb2, double qs,
                       double *q_star)
{
  map_args a = { w, f, sw2, sb2 };
  gsl_function F = { map_gap, &a };
  double phi0 = act_eval(f, 0.0), map0 = sw2 * phi0 * phi0 + sb2;
  if (qs == 0 && map0 == 0) { *q_star = 0.0; return SB_OK; }
  if (qs == 0) qs = map0;
  double g = map_gap(qs, &a);
  /* A map that is the identity (relu at sigma_w2 = 2, linear at 1, no
   * bias): every q is fixed and the net keeps the input's scale. */
  if (fabs(g) <= 1e-13 * qs) { *q_star = qs; return SB_OK; }

  if (g > 0) {
    /* Upwards.  When sigma_w2 E[phi^2] / q -> sigma_w2 c_inf >= 1 the map
     * outgrows q at large q; a fixed point beyond 1e12 times the start
     * would need the map to fall behind q there, which none of these
     * activations does, so the search stops and q* = Inf.  Otherwise a
     * fixed point exists and is found. */
    double limit = sw2 * slope2_at_inf(f) >= 1.0 ? fmin(1e12 * fmax(1.0, qs), Q_HUGE) : Q_HUGE;
    for (double lo = qs; lo < limit; lo *= 2.0) {
      double hi = 2.0 * lo;
      if (map_gap(hi, &a) <= 0) return brent(&F, lo, hi, q_star);
    }
    *q_star = INFINITY;
    return SB_OK;
  }
  /* Downwards.  A sign change only counts when map - q is clearly above
   * rounding (1e-12 q): near q = 0 with sigma_w2 phi'(0)^2 = 1 (tanh at
   * sigma_w2 = 1) map(q) - q ~ -2 q^2 is smaller than rounding of map(q)
   * for q < 1e-16 and would fake a fixed point there. */
  double hi = qs;   /* the last point with map - q < 0: Brent needs a sign change */
  for (int k = 1;; k++) {
    /* Down to 1e-30 of the start or of 1, whichever is smaller (a q*
     * below that counts as 0), and never into denormals. */
    double lo = ldexp(qs, -k);
    if (lo < 1e-30 * fmin(qs, 1.0) || lo < 1e-280) break;
    double glo = map_gap(lo, &a);
    if (glo > 1e-12 * lo) return brent(&F, lo, hi, q_star);
    if (glo < 0) hi = lo;
  }
  if (map0 > 0) return brent(&F, 0.0, hi, q_star);   /* a tiny q* above 0 */
  *q_star = 0.0;
  return SB_OK;
}

int theory_point_at(const theory_work *w, const act_fn *f, double sigma_w2, double sigma_b2,
                    double q0, theory_point *out, sb_error *err)
{
  memset(out, 0, sizeof *out);
  out->sigma_w2 = sigma_w2;
  out->sigma_b2 = sigma_b2;
  if (!(isfinite(sigma_w2) && sigma_w2 >= 0) || !(isfinite(sigma_b2) && sigma_b2 >= 0)
      || !(isfinite(q0) && q0 >= 0))
    return sb_fail(err, SB_EUSAGE, "theory: sigma_w2 %g, sigma_b2 %g and q0 %g must be finite "
                   "and >= 0", sigma_w2, sigma_b2, q0);
  out->q_start = sigma_w2 * q0 + sigma_b2;
  int rc = fixed_point(w, f, sigma_w2, sigma_b2, out->q_start, &out->q_star);
  if (rc) return sb_fail(err, rc, "theory: out of memory");
  theory_moments m;
  if (isinf(out->q_star)) {
    out->chi1 = sigma_w2 * slope2_at_inf(f);
    out->slope = NAN;
  } else {
    theory_moments_at(w, f, out->q_star, &m);
    out->chi1 = sigma_w2 * m.dphi2;
    out->slope = sigma_w2 * m.dq_phi2;
  }
  out->xi_q = depth_scale(out->slope);
  out->xi_grad = depth_scale(out->chi1);
  out->c_star = out->chi_c = out->xi_c = NAN;   /* theory_point_corr */
  return SB_OK;
}

int theory_point_corr(const theory_work *w, const act_fn *f, theory_point *p, sb_error *err)
{
  /* c* = 1 and chi_c = chi_1 in the ordered phase and at the edge; c* < 1
   * in the chaotic one. */
  p->c_star = 1.0;
  p->chi_c = p->chi1;
  if (isinf(p->q_star)) {
    p->c_star = p->chi_c = NAN;
  } else if (p->chi1 > 1.0 + 1e-12 && p->q_star > 0) {
    int found;
    int rc = corr_fixed_point(w, f, p->sigma_w2, p->sigma_b2, p->q_star, &p->c_star, &found);
    if (rc) return sb_fail(err, rc, "theory: out of memory");
    if (found) {
      double pp, dd;
      theory_corr_moments(w, f, p->q_star, p->c_star, &pp, &dd);
      p->chi_c = p->sigma_w2 * dd;
    }
  }
  p->xi_c = depth_scale(p->chi_c);
  return SB_OK;
}

/* ---- critical sigma_w2 -------------------------------------------------- */

typedef struct crit_args {
  const theory_work *w;
  const act_fn *f;
  double sb2, q0;
  int failed;
} crit_args;

static double chi1_gap(double sw2, void *p)
{
  crit_args *a = p;
  theory_point pt;
  if (theory_point_at(a->w, a->f, sw2, a->sb2, a->q0, &pt, NULL) != SB_OK || !isfinite(pt.chi1)) {
    a->failed = 1;
    return 0.0;
  }
  return pt.chi1 - 1.0;
}

int theory_critical(const theory_work *w, const act_fn *f, double sigma_b2, double q0,
                    double *sigma_w2, sb_error *err)
{
  *sigma_w2 = NAN;
  if (!(isfinite(sigma_b2) && sigma_b2 >= 0) || !(isfinite(q0) && q0 >= 0))
    return sb_fail(err, SB_EUSAGE, "theory: sigma_b2 %g and q0 %g must be finite and >= 0",
                   sigma_b2, q0);
  crit_args a = { w, f, sigma_b2, q0, 0 };
  gsl_function F = { chi1_gap, &a };

  /* Without bias and with phi(0) = 0 the ordered phase sits at q* = 0,
   * where chi_1 = sigma_w2 c0 exactly: the boundary is 1/c0 when the phase
   * below it really has q* = 0 and chi_1 does not jump there.  Brent could
   * not pin it as well, because on the chaotic side chi_1 - 1 only grows
   * like (sigma_w2 - 1)^2 for tanh. */
  double c0 = slope2_at_zero(f);
  if (sigma_b2 == 0 && act_eval(f, 0.0) == 0 && c0 > 0) {
    double cand = 1.0 / c0;
    theory_point below, above;
    if (theory_point_at(w, f, cand * (1 - 1e-9), 0.0, q0, &below, NULL) == SB_OK
        && theory_point_at(w, f, cand * (1 + 1e-9), 0.0, q0, &above, NULL) == SB_OK
        && below.q_star == 0 && fabs(above.chi1 - 1.0) < 1e-6) {
      *sigma_w2 = cand;
      return SB_OK;
    }
  }

  /* Scan upwards from sigma_w2 = 1e-3 (chi_1 <= 1e-3 sup phi'^2 < 1 for
   * every activation here) by factors of 1.1 to the first sign change;
   * the smallest root is the edge of the ordered phase. */
  double lo = 1e-3, glo = chi1_gap(lo, &a);
  if (a.failed || glo >= 0)
    return sb_fail(err, SB_EFAIL, "theory: chi_1 of %s is not below 1 at sigma_w2 = 1e-3",
                   act_name(f->kind));
  for (; lo < 1e4; lo *= 1.1) {
    double hi = lo * 1.1, ghi = chi1_gap(hi, &a);
    if (a.failed) return sb_fail(err, SB_EFAIL, "theory: out of memory");
    if (ghi < 0) continue;
    double root = hi;
    if (ghi > 0) brent(&F, lo, hi, &root);
    double gap = chi1_gap(root, &a);
    if (a.failed) return sb_fail(err, SB_EFAIL, "theory: out of memory");
    /* Brent converges to a jump as well as to a root: only a root counts. */
    if (fabs(gap) > 1e-6)
      return sb_fail(err, SB_EUSAGE, "%s at sigma_b2 = %g has no critical sigma_w2: chi_1 jumps "
                     "over 1 near sigma_w2 = %.6g (q* jumps there; a larger sigma_b2 may have one)",
                     act_name(f->kind), sigma_b2, root);
    *sigma_w2 = root;
    return SB_OK;
  }
  return sb_fail(err, SB_EUSAGE, "%s at sigma_b2 = %g has no critical sigma_w2 below 1e4",
                 act_name(f->kind), sigma_b2);
}

/* ---- per-layer prediction ---------------------------------------------- */

int theory_profile(const theory_work *w, const act_fn *f, double sigma_w2, double sigma_b2,
                   double q1, size_t depth, double *q, double *chi, double *ratio, sb_error *err)
{
  if (depth == 0) return SB_OK;
  if (!(q1 >= 0) || !(sigma_w2 >= 0) || !(sigma_b2 >= 0))
    return sb_fail(err, SB_EUSAGE, "theory: q1 %g, sigma_w2 %g, sigma_b2 %g must be >= 0",
                   q1, sigma_w2, sigma_b2);
  double ql = q1, *c = malloc(depth * sizeof *c);
  if (!c) return sb_fail(err, SB_EFAIL, "theory: out of memory");
  for (size_t l = 1; l <= depth; l++) {
    theory_moments m;
    theory_moments_at(w, f, ql, &m);
    c[l - 1] = sigma_w2 * m.dphi2;
    if (q) q[l - 1] = ql;
    if (chi) chi[l - 1] = c[l - 1];
    ql = sigma_w2 * m.phi2 + sigma_b2;   /* Inf once it overflows: limits from then on */
  }
  /* delta^l = phi'(h^l) (delta^{l+1} W^{l+1}T): E||delta^l||^2 = chi(q^l) E||delta^{l+1}||^2 */
  double acc = 0.0;
  ratio[depth - 1] = 0.0;
  for (size_t l = depth - 1; l >= 1; l--) {
    acc += 0.5 * log10(c[l - 1]);
    ratio[l - 1] = acc;
  }
  free(c);
  return SB_OK;
}

double theory_decay_rate(const double *ratio, size_t depth)
{
  if (depth < 2) return NAN;
  double *x = malloc(depth * sizeof *x);
  if (!x) return NAN;
  for (size_t l = 0; l < depth; l++) {
    x[l] = (double)(l + 1);
    if (!isfinite(ratio[l])) { free(x); return NAN; }
  }
  double c0, c1, cov00, cov01, cov11, sumsq;
  gsl_fit_linear(x, 1, ratio, 1, depth, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
  free(x);
  return c1;
}

double theory_xent_top_rms(size_t classes, size_t batch, double v_out, double dphi2)
{
  double c = (double)classes, rms_out = sqrt(c - 1.0) / (c * (double)batch);
  return rms_out * sqrt(c * v_out * dphi2);
}

double theory_flush_frac(double s, double u)
{
  if (!(s > 0)) return s == 0 ? 1.0 : NAN;
  return erf(u / (2.0 * 1.41421356237309504880 * s));
}

/* ---- initializations ---------------------------------------------------- */

double theory_sat_frac(const act_fn *f, double q, double tau)
{
  enum { N = 40000 };  /* even: no node at z = 0, where kinks sit */
  double cut = tau * act_deriv_max(f), rq = sqrt(q), h = 20.0 / N, sat = 0.0, total = 0.0;
  const act_info *ai = act_info_of(f->kind);
  if (!ai) return NAN;
  for (int k = 0; k < N; k++) {
    double z = -10.0 + (k + 0.5) * h, wz = exp(-0.5 * z * z), x = rq * z;
    total += wz;
    /* act_saturated's test, with sup |phi'| taken once */
    if ((x <= ai->tail_lo || x >= ai->tail_hi) && fabs(act_deriv(f, x)) < cut) sat += wz;
  }
  return sat / total;
}

int theory_resolve_init(const theory_work *w, const act_fn *f, init_spec *spec, sb_error *err)
{
  if (spec->kind != INIT_CRITICAL) return SB_OK;
  double sw2;
  int rc = theory_critical(w, f, spec->param, 1.0, &sw2, err);
  if (rc) return rc;
  spec->sigma_w2 = sw2;
  return SB_OK;
}

int theory_cell(const theory_work *w, const act_fn *f, const init_spec *spec, size_t n_in,
                size_t width, size_t depth, double q0, double *ratio, double *decay,
                sb_error *err)
{
  double sw2_in = (double)n_in * init_weight_var(spec, n_in, width);
  double sw2 = (double)width * init_weight_var(spec, width, width);
  double sb2 = init_bias_var(spec);
  int rc = theory_profile(w, f, sw2, sb2, sw2_in * q0 + sb2, depth, NULL, NULL, ratio, err);
  *decay = rc ? NAN : theory_decay_rate(ratio, depth);
  return rc;
}

/* ---- recurrent nets ------------------------------------------------------ */

static int finite_nonneg(double x) { return isfinite(x) && x >= 0; }

int theory_rnn_profile(const theory_work *w, const act_fn *f, double sigma_hh2, double sigma_b2,
                       double q_in, size_t T, double *q, double *ratio, sb_error *err)
{
  if (T == 0) return sb_fail(err, SB_EUSAGE, "theory: a recurrent net needs T >= 1 steps");
  if (!finite_nonneg(sigma_hh2) || !finite_nonneg(sigma_b2) || !finite_nonneg(q_in))
    return sb_fail(err, SB_EUSAGE, "theory: sigma_hh2 %g, sigma_b2 %g and q_in %g must be finite "
                   "and >= 0", sigma_hh2, sigma_b2, q_in);
  /* ratio[t] collects 1/2 log10 chi(q_{t+1}) first, summed from the end
   * below; the input enters every step, so each q_t adds sigma_b2 + q_in
   * to what the previous state carries (q_1: h_0 = 0 carries nothing). */
  double c = sigma_b2 + q_in, qt = c;
  for (size_t t = 1; t <= T; t++) {
    theory_moments m;
    theory_moments_at(w, f, qt, &m);
    if (q) q[t - 1] = qt;
    ratio[t - 1] = 0.5 * log10(sigma_hh2 * m.dphi2);
    qt = sigma_hh2 * m.phi2 + c;   /* Inf once it overflows: limits from then on */
  }
  /* ||dL/dh_{t-1}||^2 = chi(q_t) ||dL/dh_t||^2 (rnn.c's elman_back) */
  ratio[T] = 0.0;
  for (size_t t = T; t-- > 0;) ratio[t] += ratio[t + 1];
  return SB_OK;
}

double theory_rnn_decay_rate(const double *ratio, size_t T)
{
  /* a slope does not change when t = 0..T is relabelled 1..T+1 */
  return T < 1 ? NAN : theory_decay_rate(ratio, T + 1);
}

int theory_rnn_point(const theory_work *w, const act_fn *f, double sigma_hh2, double sigma_b2,
                     double q_in, theory_point *out, sb_error *err)
{
  if (!finite_nonneg(q_in)) {
    memset(out, 0, sizeof *out);
    return sb_fail(err, SB_EUSAGE, "theory: q_in %g must be finite and >= 0", q_in);
  }
  return theory_point_at(w, f, sigma_hh2, sigma_b2 + q_in, 0.0, out, err);
}

int theory_rnn_cell(const theory_work *w, const act_fn *f, const init_spec *xh, const init_spec *hh,
                    int hh_identity, size_t n_in, size_t H, size_t T, double q0, double *ratio,
                    double *decay, sb_error *err)
{
  *decay = NAN;
  if (hh_identity) {
    /* W_hh = a I: the same matrix at every step is the whole point, and
     * a fresh Gaussian one would be another net */
    for (size_t t = 0; t <= T; t++) ratio[t] = NAN;
    return SB_OK;
  }
  double sw2 = (double)H * init_weight_var(hh, H, H);
  double q_in = (double)n_in * init_weight_var(xh, n_in, H) * q0;
  int rc = theory_rnn_profile(w, f, sw2, init_bias_var(xh), q_in, T, NULL, ratio, err);
  if (!rc) *decay = theory_rnn_decay_rate(ratio, T);
  return rc;
}
