/* theory.h - mean-field signal propagation (Poole et al. 2016; Schoenholz
 * et al. 2017) for satbench's activations.
 *
 * A wide network with weights N(0, sigma_w2 / fan_in) and biases
 * N(0, sigma_b2) carries, per layer, a pre-activation second moment q^l that
 * follows the length map
 *     q^{l+1} = sigma_w2 E[phi(sqrt(q^l) z)^2] + sigma_b2,   z ~ N(0, 1),
 * and back-propagates errors whose squared norm changes per layer by
 *     chi(q) = sigma_w2 E[phi'(sqrt(q) z)^2].
 * At the fixed point q* of the map, chi_1 = chi(q*) separates the ordered
 * phase (chi_1 < 1, vanishing gradients) from the chaotic one (chi_1 > 1).
 *
 * Conventions (also in the manual, "Theory"):
 *  - q* is the limit of the map iterated from q^1 = sigma_w2 q0 + sigma_b2,
 *    the first layer of a net whose inputs have second moment q0.  It may be
 *    0 (e.g. tanh, sigma_b2 = 0, sigma_w2 <= 1) or Inf (the map outgrows q,
 *    e.g. relu with sigma_w2 > 2 and sigma_b2 > 0).  When every q is a fixed
 *    point (relu with sigma_w2 = 2 and sigma_b2 = 0, linear with
 *    sigma_w2 = 1), q* = q^1.
 *  - At q* = 0 and q* = Inf, chi_1 is the limit of chi(q):
 *    sigma_w2 (phi'(0+)^2 + phi'(0-)^2) / 2 and
 *    sigma_w2 (phi'(+inf)^2 + phi'(-inf)^2) / 2.  For relu, leaky_relu and
 *    linear, chi does not depend on q, so this is their chi at every depth.
 *  - xi_q = -1/ln(dmap/dq at q*) is the depth scale over which q^l settles
 *    to q* (Schoenholz et al.: dmap/dq = chi_1 + sigma_w2 E[phi phi''],
 *    computed here as sigma_w2 E[z phi phi'] / sqrt(q), equal by Stein's
 *    lemma and valid for the kinked activations too); NaN at q* = Inf.
 *  - xi_c = -1/ln chi_c is the depth over which the correlation of two
 *    inputs settles to its fixed point c* (Schoenholz et al. 2017), with
 *    chi_c = sigma_w2 E[phi'(u1) phi'(u2)] over the bivariate Gaussian of
 *    variance q* and correlation c* (theory_corr_moments).  In the ordered
 *    phase and at the edge c* = 1 and chi_c = chi_1, so xi_c = xi_grad
 *    there; in the chaotic phase (chi_1 > 1, 0 < q* < Inf) c* < 1 is the
 *    map's stable fixed point in [0, 1).  NaN at q* = Inf.  Networks train
 *    to depths of about 6 xi_c (their Figs. 5-6).
 *  - xi_grad = -1/ln chi_1 is the depth over which ||delta||^2 shrinks by a
 *    factor e; Inf at chi_1 = 1, negative in the chaotic phase (|xi_grad|
 *    layers per e-fold of growth).  Both depth scales are Inf when their
 *    argument is within 1e-12 of 1 (the moments' rounding is ~1e-15).
 *  - The critical sigma_w2 for a sigma_b2 is the smallest sigma_w2 at which
 *    chi_1 reaches 1: exactly 2 for relu, 1 for linear, and at sigma_b2 = 0
 *    for phi(0) = 0 exactly 2 / (phi'(0+)^2 + phi'(0-)^2) when the ordered
 *    phase has q* = 0 there (1 for tanh).  Where chi_1 jumps over 1 instead
 *    of crossing it, there is none (SB_EUSAGE).
 *
 * Expectations over z ~ N(0, 1) use Gauss-Legendre panels (GSL's fixed
 * quadrature) on [-10, 10], split at the activation's kinks and graded
 * towards them and towards z = 0 on the scale 1/sqrt(q), where the
 * activation changes shape.  A plain Gauss-Hermite rule does not reach the
 * accuracy needed: with 400 nodes it is off by 3e-7 for E[tanh'(sqrt(7) z)^2],
 * by 3e-6 for elu's E[phi^2] and by 4e-2 for hardtanh's E[phi'^2] at q = 1
 * (kinks), while these panels agree with adaptive quadrature to ~1e-14 for
 * every activation at q from 1e-6 to 1e6 (tests/test_theory.c). */
#ifndef SB_THEORY_H
#define SB_THEORY_H

#include <stddef.h>
#include "act.h"
#include "init.h"
#include "err.h"

/* The quadrature rule, made once; read-only afterwards, so one workspace may
 * be shared by threads. */
typedef struct theory_work theory_work;

theory_work *theory_alloc(void);
void theory_free(theory_work *w);

/* Gaussian moments of phi at variance q, z ~ N(0, 1). */
typedef struct theory_moments {
  double phi2;      /* E[phi(sqrt(q) z)^2]                          */
  double dphi2;     /* E[phi'(sqrt(q) z)^2]                         */
  double dq_phi2;   /* d/dq E[phi(sqrt(q) z)^2] = E[z phi phi'] / sqrt(q) */
} theory_moments;

/* q >= 0, or Inf; q = 0 and q = Inf (and q > 1e300) give the limits.
 * SB_EUSAGE for a negative or NaN q. */
int theory_moments_at(const theory_work *w, const act_fn *f, double q, theory_moments *m);

/* The length map sigma_w2 E[phi(sqrt(q) z)^2] + sigma_b2, and chi(q). */
double theory_qmap(const theory_work *w, const act_fn *f, double sigma_w2, double sigma_b2,
                   double q);
double theory_chi(const theory_work *w, const act_fn *f, double sigma_w2, double q);

/* Everything about one (sigma_w2, sigma_b2) point; see the conventions above. */
typedef struct theory_point {
  double sigma_w2, sigma_b2;
  double q_start;   /* q^1 = sigma_w2 q0 + sigma_b2, where the map starts */
  double q_star;    /* fixed point reached from q_start: 0, finite or Inf */
  double chi1;      /* chi(q*) */
  double slope;     /* d qmap / dq at q* (NaN at Inf) */
  double xi_q;      /* -1/ln slope */
  double xi_grad;   /* -1/ln chi1 */
  double c_star;    /* stable fixed point of the correlation map: 1 unless chaotic; NaN at q* = Inf */
  double chi_c;     /* sigma_w2 E[phi'(u1) phi'(u2)] at (q*, c*): chi1 unless chaotic */
  double xi_c;      /* -1/ln chi_c, the correlation depth scale (Inf at the edge of chaos) */
} theory_point;

/* Bivariate Gaussian moments: u1 = sqrt(q) z1, u2 = sqrt(q) (c z1 +
 * sqrt(1 - c^2) z2) with z1, z2 iid N(0, 1), so each u has variance q and
 * their correlation is c: *phiphi = E[phi(u1) phi(u2)], *dphidphi =
 * E[phi'(u1) phi'(u2)].  A product of graded Gauss-Legendre panels (the
 * inner one graded where u2 crosses 0 and the kinks); 0 < q <= 1e300,
 * -1 <= c <= 1, else SB_EUSAGE and NaN.  Thread-safe. */
int theory_corr_moments(const theory_work *w, const act_fn *f, double q, double c, double *phiphi,
                        double *dphidphi);

/* The point's q*, chi1, slope, xi_q and xi_grad; c_star, chi_c and xi_c
 * are left NaN, since the correlation map costs a 2-D quadrature per
 * step of a root search: theory_point_corr fills them in. */
int theory_point_at(const theory_work *w, const act_fn *f, double sigma_w2, double sigma_b2,
                    double q0, theory_point *out, sb_error *err);
/* c_star, chi_c and xi_c of a point theory_point_at filled. */
int theory_point_corr(const theory_work *w, const act_fn *f, theory_point *p, sb_error *err);

/* Critical sigma_w2 (chi_1 = 1) for sigma_b2 and input scale q0. */
int theory_critical(const theory_work *w, const act_fn *f, double sigma_b2, double q0,
                    double *sigma_w2, sb_error *err);

/* Per-layer prediction for `depth` hidden layers whose first layer has
 * second moment q1, and whose hidden-to-hidden weights have sigma_w2:
 * q[l-1] = q^l, chi[l-1] = chi(q^l) and
 *     ratio[l-1] = log10(||delta^l|| / ||delta^depth||)
 *                = 1/2 sum_{k=l}^{depth-1} log10 chi(q^k),
 * for l = 1..depth (ratio[depth-1] = 0).  q and chi may be NULL. */
int theory_profile(const theory_work *w, const act_fn *f, double sigma_w2, double sigma_b2,
                   double q1, size_t depth, double *q, double *chi, double *ratio, sb_error *err);

/* Least-squares slope of ratio[l-1] against l = 1..depth (NaN for depth < 2):
 * the predicted counterpart of cells.tsv's decay_rate. */
double theory_decay_rate(const double *ratio, size_t depth);

/* Where an emulated format flushes the error (satbench theory --precision,
 * train.c's train_flush_depth_theory).  The rms entry of the top hidden
 * layer's error delta^depth at initialization under softmax cross-entropy,
 * the mean over `batch` examples of `classes` classes: with p = 1/classes
 * (logits near 0), the output error (p - onehot)/batch has one entry
 * (1/classes - 1)/batch and classes - 1 entries (1/classes)/batch per
 * example, mean square ((classes-1)^2 + classes-1) / classes^3 / batch^2 =
 * (classes-1) / (classes batch)^2, so rms sqrt(classes-1) / (classes
 * batch); one layer down, delta = (dz W^T) phi'(h) multiplies the mean
 * square by classes v_out E[phi'(h)^2] (v_out the output weights'
 * variance, dphi2 = E[phi'(h^depth)^2] = chi / sigma_w2). */
double theory_xent_top_rms(size_t classes, size_t batch, double v_out, double dphi2);
/* The share of N(0, s^2) entries that round to nearest makes exactly 0 in
 * a format whose smallest subnormal is u: P(|X| <= u/2) = erf(u / (2
 * sqrt(2) s)) (the halfway value u/2 ties to the even 0); 1 for s = 0. */
double theory_flush_frac(double s, double u);

/* Mean-field saturated fraction: P(act_saturated(sqrt(q) z)) for
 * z ~ N(0, 1), the share of saturated units a layer of second moment q has
 * (probe.h's sat_frac).  The indicator is not smooth, so this is a midpoint
 * rule on 40000 points over [-10, 10], accurate to ~1e-4: plenty for the
 * figures that use it. */
double theory_sat_frac(const act_fn *f, double q, double tau);

/* Resolve the weight variance of `critical` (spec->sigma_w2) for activation
 * f, with q0 = 1; a no-op for the other schemes. */
int theory_resolve_init(const theory_work *w, const act_fn *f, init_spec *spec, sb_error *err);

/* The prediction for a cell: input dimension n_in, `depth` hidden layers of
 * `width` units initialized by spec (resolved), inputs of second moment q0.
 * The first layer's sigma_w2 is n_in times its weight variance, the hidden
 * layers' width times theirs; sigma_b2 is init_bias_var(spec).  ratio is
 * (depth); *decay gets theory_decay_rate. */
int theory_cell(const theory_work *w, const act_fn *f, const init_spec *spec, size_t n_in,
                size_t width, size_t depth, double q0, double *ratio, double *decay,
                sb_error *err);

/* ---- recurrent nets: a vanilla (Elman) RNN at initialization ----------
 *
 * rnn.h's Elman cell, h_t = phi(a_t), a_t = x_t W_xh + h_{t-1} W_hh + b,
 * h_0 = 0, read out on h_T.  Under the untied-weights approximation (a
 * fresh W_hh at every step; Chen, Pennington & Schoenholz 2018 discuss
 * where it holds) the net unrolled over T steps is a depth-T feed-forward
 * net whose every layer also receives the input.  The second moment of a
 * pre-activation of a_t follows
 *     q_1 = sigma_b2 + q_in,
 *     q_t = sigma_hh2 E[phi(sqrt(q_{t-1}) z)^2] + sigma_b2 + q_in,
 * sigma_hh2 = H Var(W_hh), sigma_b2 the biases' variance, and
 * q_in = n_in Var(W_xh) E[x^2] the input's share, entering at every step.
 * Back-propagation through time, dL/dh_{t-1} = (dL/dh_t . phi'(a_t))
 * W_hh^T (rnn.c's elman_back), multiplies ||dL/dh||^2 by chi(q_t) =
 * sigma_hh2 E[phi'(sqrt(q_t) z)^2] from h_t back to h_{t-1}: the step t
 * factor uses the pre-activation a_t of step t.  So
 *     log10(||dL/dh_t|| / ||dL/dh_T||) = 1/2 sum_{s=t+1}^{T} log10 chi(q_s).
 * It is the MLP's length map with sigma_b2 + q_in as its bias variance and
 * a zero input (q^1 = sigma_b2 + q_in): theory_point_at(w, f, sigma_hh2,
 * sigma_b2 + q_in, 0, ...) gives the stationary q*, and the RNN's edge of
 * chaos is theory_critical(w, f, sigma_b2 + q_in, 0, ...). */

/* The per-step prediction over T >= 1 steps: q[t-1] = q_t for t = 1..T
 * (q may be NULL) and ratio[t] = log10(||dL/dh_t|| / ||dL/dh_T||) for
 * t = 0..T (ratio[T] = 0; -Inf where some chi is 0).  SB_EUSAGE for T = 0
 * or a variance that is negative, NaN or Inf. */
int theory_rnn_profile(const theory_work *w, const act_fn *f, double sigma_hh2, double sigma_b2,
                       double q_in, size_t T, double *q, double *ratio, sb_error *err);

/* The per-step decay rate: the least-squares slope of ratio[t] against
 * t = 0..T (ratio (T+1)), in decades per step, positive when the error
 * shrinks into the past: the sign of theory_decay_rate and of cells.tsv's
 * decay_rate, which fit log10 ||delta^l|| against the layer l.  NaN for
 * T < 1 or a non-finite ratio. */
double theory_rnn_decay_rate(const double *ratio, size_t T);

/* The stationary point of the recurrence: theory_point_at(w, f,
 * sigma_hh2, sigma_b2 + q_in, 0, out, err), so out->sigma_b2 is
 * sigma_b2 + q_in, q_start is q_1, q_star the limit of q_t, chi1 =
 * chi(q*), and xi_grad = -1/ln chi1 is the timescale xi in steps
 * (Schoenholz et al. 2017's xi_grad): once q_t has settled,
 * ||dL/dh_{T-k}||^2 falls by a factor e every xi steps into the past, a
 * rate of -1/2 log10 chi1 = 1/(2 ln(10) xi) decades per step; Inf at
 * chi1 = 1, negative when the error grows into the past.  xi_q is the
 * number of steps over which q_t settles. */
int theory_rnn_point(const theory_work *w, const act_fn *f, double sigma_hh2, double sigma_b2,
                     double q_in, theory_point *out, sb_error *err);

/* The prediction for an Elman cell as rnn_init_params draws it: W_xh
 * (n_in, H) and its biases from xh, W_hh (H, H) from hh (both resolved,
 * for critical), inputs of mean square q0 per feature (over the real,
 * non-padding steps).  sigma_hh2 = H Var_hh(H, H) (orthogonal:GAIN gives
 * GAIN^2), sigma_b2 = init_bias_var(xh) (W_hh draws no biases), q_in =
 * n_in Var_xh(n_in, H) q0.  hh_identity: W_hh is a scaled identity
 * (rnn.h's identity[:SCALE]), for which the untied-weights approximation
 * does not hold: ratio and *decay are NaN, SB_OK.  ratio is (T+1); *decay
 * gets theory_rnn_decay_rate. */
int theory_rnn_cell(const theory_work *w, const act_fn *f, const init_spec *xh, const init_spec *hh,
                    int hh_identity, size_t n_in, size_t H, size_t T, double q0, double *ratio,
                    double *decay, sb_error *err);

#endif
