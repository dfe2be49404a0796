/* act.c - activation functions, their exact derivatives and sup |phi'|.
 *
 * The point of satbench is to measure gradients that have all but vanished,
 * so every derivative here is written to keep its relative accuracy deep in
 * the saturated tails (sigmoid'(-40) ~ 4e-18, tanh'(20) ~ 1.7e-17) instead of
 * computing 1 - phi^2 or phi(1 - phi), which round to exactly 0 there. */
#include <config.h>
#include "act.h"
#include "names.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The fused loops below are written so the compiler can vectorize them;
 * `omp simd` asks it to (there is no reduction, so the bits are those of
 * the scalar code). */
#ifdef _OPENMP
#define ACT_SIMD _Pragma("omp simd")
#else
#define ACT_SIMD
#endif

/* Strict C11 <math.h> has no M_SQRT2 etc., so spell them out. */
#define SQRT2       1.41421356237309504880168872420969808
#define SQRT1_2     0.70710678118654752440084436210484904
#define INV_SQRT2PI 0.39894228040143267793994605993438187  /* 1/sqrt(2 pi) */

/* ---- scalar kernels, shared by act_eval/act_deriv and act_forward so the
 * fused loop agrees with them bit for bit. ---------------------------------*/

static inline uint64_t as_u64(double x) { uint64_t u; memcpy(&u, &x, sizeof u); return u; }
static inline double as_f64(uint64_t u) { double x; memcpy(&x, &u, sizeof x); return x; }

/* e^x and e^x - 1 for x <= 0 (or NaN): e^x within 1.5 ulp down to the
 * subnormals, in straight-line arithmetic.  A call to libm's exp (or
 * tanh, which calls expm1) kept the activation passes scalar and cost more
 * than the GEMMs around them.  x = k ln2 + r, |r| <= ln2/2, with ln2 split
 * in a high part whose products with k are exact (fdlibm's); e^r - 1 by
 * its Taylor series to r^13 (truncation below 5e-18), kept apart from the
 * 1 so that e^x - 1 = 2^k (e^r - 1) + (2^k - 1) does not cancel for small
 * x; 2^k built in the exponent field in two halves so that results down
 * to 2^-1074 come out as correctly scaled subnormals.  The shift constant
 * rounds to an integer and puts it in the low bits.  Below -746, e^x = 0. */
static inline double exp_neg_m1(double x, double *em1)
{
  const double shift = 0x1.8p52, inv_ln2 = 0x1.71547652b82fep0;
  const double ln2_hi = 0x1.62e42feep-1, ln2_lo = 0x1.a39ef35793c76p-33;
  x = x < -746.0 ? -746.0 : x;
  double k = (x * inv_ln2 + shift) - shift;
  double r = (x - k * ln2_hi) - k * ln2_lo;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  double pm1 = r + r * r * p;  /* e^r - 1 */
  double h = k * 0.5 + shift, k1 = h - shift, g = (k - k1) + shift;
  double s1 = as_f64((as_u64(h) - as_u64(shift) + 1023) << 52);
  double s2 = as_f64((as_u64(g) - as_u64(shift) + 1023) << 52);
  double sc = s1 * s2;
  *em1 = sc * pm1 + (sc - 1.0);
  return (1.0 + pm1) * s1 * s2;
}

static inline double exp_neg(double x)
{
  double em1;
  return exp_neg_m1(x, &em1);
}

/* With e = e^{-|x|} (never overflows) and inv = 1/(1 + e), shared by the
 * fused loop: sigma(x) = inv for x >= 0, e inv below; and
 * sigma'(x) = e inv^2, even in x, never formed as sigma(1 - sigma), whose
 * second factor is 0 in double for x > 37. */
static inline double sigmoid_from(double x, double e, double inv) { return x >= 0 ? inv : e * inv; }
static inline double sigmoid_d_from(double e, double inv) { return e * (inv * inv); }

static inline double sigmoid_f(double x)
{
  double e = exp_neg(-fabs(x));
  return sigmoid_from(x, e, 1.0 / (1.0 + e));
}

static inline double sigmoid_d(double x)
{
  double e = exp_neg(-fabs(x));
  return sigmoid_d_from(e, 1.0 / (1.0 + e));
}

/* From t = e^{-2|x|}, m = t - 1 and inv = 1/(2 + m) = 1/(1 + t), shared
 * by the fused loop: |tanh x| = -m inv, accurate for small |x| because m
 * is (expm1's way, as libm's tanh does it), the sign put back last so tanh
 * is exactly odd; and sech^2 x = 4 t inv^2, exact in the tails where
 * 1 - tanh^2 cancels to 0 (|x| > ~19). */
static inline double tanh_from(double x, double m, double inv) { return copysign(-m * inv, x); }
static inline double tanh_d_from(double t, double inv) { return 4.0 * t * (inv * inv); }

static inline double tanh_f(double x)
{
  double m;
  exp_neg_m1(-2.0 * fabs(x), &m);
  return tanh_from(x, m, 1.0 / (2.0 + m));
}

static inline double tanh_d(double x)
{
  double m, t = exp_neg_m1(-2.0 * fabs(x), &m);
  return tanh_d_from(t, 1.0 / (2.0 + m));
}

static inline double softsign_f(double x) { return x / (1.0 + fabs(x)); }
static inline double softsign_d(double x)
{
  double s = 1.0 + fabs(x);
  return 1.0 / (s * s);
}

/* phi'(0) = 0 for relu: a unit with h <= 0 counts as saturated (the manual, "Probes"). */
static inline double relu_f(double x) { return x > 0 ? x : 0.0; }
static inline double relu_d(double x) { return x > 0 ? 1.0 : 0.0; }

static inline double leaky_f(double x, double a) { return x > 0 ? x : a * x; }
static inline double leaky_d(double x, double a) { return x > 0 ? 1.0 : a; }

/* expm1 keeps elu(x) accurate for small negative x. */
static inline double elu_f(double x, double a) { return x > 0 ? x : a * expm1(x); }
static inline double elu_d(double x, double a) { return x > 0 ? 1.0 : a * exp(x); }

static inline double selu_f(double x)
{
  return ACT_SELU_LAMBDA * (x > 0 ? x : ACT_SELU_ALPHA * expm1(x));
}
static inline double selu_d(double x)
{
  return ACT_SELU_LAMBDA * (x > 0 ? 1.0 : ACT_SELU_ALPHA * exp(x));
}

/* Phi(x) = erfc(-x/sqrt2)/2 keeps relative accuracy for x << 0, where
 * (1 + erf(x/sqrt2))/2 would cancel to 0. */
static inline double gelu_cdf(double x) { return 0.5 * erfc(-x * SQRT1_2); }
static inline double gelu_pdf(double x) { return INV_SQRT2PI * exp(-0.5 * x * x); }
static inline double gelu_f(double x) { return x * gelu_cdf(x); }
static inline double gelu_d(double x) { return gelu_cdf(x) + x * gelu_pdf(x); }

static inline double swish_f(double x) { return x * sigmoid_f(x); }
/* (x sigma)' = sigma + x sigma'; using the tail-safe sigma' rather than
 * sigma (1 + x (1 - sigma)) keeps the x e^{-x} term for large x. */
static inline double swish_d(double x) { return sigmoid_f(x) + x * sigmoid_d(x); }

/* log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}): no overflow for large x, and
 * for x > ~37 the correction is below half an ulp so the result is x. */
static inline double softplus_f(double x)
{
  return (x > 0 ? x : 0.0) + log1p(exp_neg(-fabs(x)));
}

/* Derivative 0 at |x| = 1 exactly: the kink counts as saturated. */
static inline double hardtanh_f(double x) { return x > 1.0 ? 1.0 : (x < -1.0 ? -1.0 : x); }
static inline double hardtanh_d(double x) { return fabs(x) < 1.0 ? 1.0 : 0.0; }

/* ---- sup |phi'| --------------------------------------------------------------*/

static double dmax_quarter(double a) { (void)a; return 0.25; }
static double dmax_one(double a) { (void)a; return 1.0; }
/* leaky_relu and elu: the negative branch peaks at |alpha| (at 0- for elu) */
static double dmax_alpha(double a) { return fabs(a) > 1.0 ? fabs(a) : 1.0; }
/* taken as x -> 0-, where phi' = lambda alpha ~ 1.7581 > lambda */
static double dmax_selu(double a) { (void)a; return ACT_SELU_LAMBDA * ACT_SELU_ALPHA; }
/* gelu'' = phi(x)(2 - x^2) vanishes at sqrt2; the negative extremum at
 * -sqrt2 is only ~ -0.129 in magnitude */
static double dmax_gelu(double a) { (void)a; return gelu_d(SQRT2); }

/* The maximiser of swish' solves swish'' = sigma(1-sigma)(2 + x(1 - 2 sigma))
 * = 0, i.e. g(x) = x tanh(x/2) - 2 = 0 near x = 2.4.  Newton converges to
 * full precision in a handful of steps; it is recomputed on each call rather
 * than cached so concurrent first calls from OpenMP threads cannot race.
 * (The negative extremum ~ -0.0998 is smaller in magnitude.) */
static double dmax_swish(double a)
{
  (void)a;
  double x = 2.4;
  for (int it = 0; it < 50; it++) {
    double t = tanh(0.5 * x);
    double g = x * t - 2.0;
    double dg = t + 0.5 * x * (1.0 - t * t);
    double step = g / dg;
    x -= step;
    if (fabs(step) <= 1e-16 * fabs(x)) break;
  }
  return swish_d(x);
}

/* ---- kernels ------------------------------------------------------------------*/

/* ACT_KERNELS(NAME, PRE, FEXPR, DEXPR) defines NAME_eval, NAME_deriv and
 * the fused NAME_forward from one set of expressions in x (the input) and
 * a (alpha); PRE declares what FEXPR and DEXPR share (one exp for both).
 * One loop per kind and per dy/no-dy, so the branch is hoisted out of the
 * loop and the loops vectorize; the scalar functions run the same
 * expressions, so the fused pass agrees with them bit for bit.  x is read
 * before y[i] is written, which is what makes y == h safe. */
#define ACT_KERNELS(NAME, PRE, FEXPR, DEXPR)                                          \
  static double NAME##_eval(double x, double a) { (void)a; (void)x; PRE; return (FEXPR); } \
  static double NAME##_deriv(double x, double a) { (void)a; (void)x; PRE; return (DEXPR); } \
  SB_CLONES static void NAME##_forward(double a, double *y, double *dy, const double *h, size_t n) \
  {                                                                                   \
    (void)a;                                                                          \
    if (dy) {                                                                         \
      ACT_SIMD                                                                        \
      for (size_t i = 0; i < n; i++) {                                                \
        double x = h[i];                                                              \
        PRE;                                                                          \
        y[i] = (FEXPR);                                                               \
        dy[i] = (DEXPR);                                                              \
      }                                                                               \
    } else {                                                                          \
      ACT_SIMD                                                                        \
      for (size_t i = 0; i < n; i++) {                                                \
        double x = h[i];                                                              \
        PRE;                                                                          \
        y[i] = (FEXPR);                                                               \
      }                                                                               \
    }                                                                                 \
  }
#define NOTHING (void)0

ACT_KERNELS(sigmoid, double e = exp_neg(-fabs(x)); double inv = 1.0 / (1.0 + e),
            sigmoid_from(x, e, inv), sigmoid_d_from(e, inv))
ACT_KERNELS(tanh, double m; double t = exp_neg_m1(-2.0 * fabs(x), &m); double inv = 1.0 / (2.0 + m); (void)t,
            tanh_from(x, m, inv), tanh_d_from(t, inv))
ACT_KERNELS(softsign, NOTHING, softsign_f(x), softsign_d(x))
ACT_KERNELS(relu, NOTHING, relu_f(x), relu_d(x))
ACT_KERNELS(leaky_relu, NOTHING, leaky_f(x, a), leaky_d(x, a))
ACT_KERNELS(elu, NOTHING, elu_f(x, a), elu_d(x, a))
ACT_KERNELS(selu, NOTHING, selu_f(x), selu_d(x))
ACT_KERNELS(gelu, NOTHING, gelu_f(x), gelu_d(x))
ACT_KERNELS(swish, NOTHING, swish_f(x), swish_d(x))
ACT_KERNELS(softplus, NOTHING, softplus_f(x), sigmoid_f(x))
ACT_KERNELS(hardtanh, NOTHING, hardtanh_f(x), hardtanh_d(x))
ACT_KERNELS(linear, NOTHING, x, 1.0)
#undef NOTHING
#undef ACT_KERNELS

/* ---- the table ------------------------------------------------------------------*/

#define KERNELS(NAME) .eval = NAME##_eval, .deriv = NAME##_deriv, .forward = NAME##_forward

/* One row per kind.  Kinks: phi' jumps at 0 for relu, leaky_relu and
 * selu and at +-1 for hardtanh; phi'' jumps at 0 for elu (alpha = 1 is
 * C^1) and softsign.  Tails (act.h): phi' falls to 0 on both sides for
 * sigmoid, tanh and softsign, is 0 on one side of 0 for relu and beyond
 * +-1 for hardtanh, falls to 0 only for h -> -inf for elu, selu and
 * softplus (their phi' is 1, lambda or above 1/2 for h > 0); gelu's and
 * swish's tail begins at the minimum of phi' (gelu'' = pdf(x)(2 - x^2)
 * vanishes at -sqrt2; swish'' at minus the root of x tanh(x/2) = 2, which
 * dmax_swish finds), so the band where phi' crosses 0 in between is not a
 * tail; leaky_relu's negative side keeps the slope alpha and is no tail. */
#define TAILS(LO, HI) .tail_lo = (LO), .tail_hi = (HI)
#define ANY_H TAILS(0.0, 0.0)
#define NO_TAIL TAILS(-INFINITY, INFINITY)
#define LOW_TAIL(X) TAILS((X), INFINITY)
#define SWISH_TAIL (-2.3993572805154675)
static const act_info act_table[] = {
  [ACT_SIGMOID]    = { "sigmoid", 0.0, dmax_quarter, 1, 0.0, 1.0, 0, { 0 }, ANY_H, KERNELS(sigmoid) },
  [ACT_TANH]       = { "tanh", 0.0, dmax_one, 1, -1.0, 1.0, 0, { 0 }, ANY_H, KERNELS(tanh) },
  [ACT_SOFTSIGN]   = { "softsign", 0.0, dmax_one, 1, -1.0, 1.0, 1, { 0.0 }, ANY_H, KERNELS(softsign) },
  [ACT_RELU]       = { "relu", 0.0, dmax_one, 0, 0, 0, 1, { 0.0 }, ANY_H, KERNELS(relu) },
  [ACT_LEAKY_RELU] = { "leaky_relu", ACT_LEAKY_SLOPE, dmax_alpha, 0, 0, 0, 1, { 0.0 }, NO_TAIL, KERNELS(leaky_relu) },
  [ACT_ELU]        = { "elu", ACT_ELU_ALPHA, dmax_alpha, 0, 0, 0, 1, { 0.0 }, LOW_TAIL(0.0), KERNELS(elu) },
  [ACT_SELU]       = { "selu", 0.0, dmax_selu, 0, 0, 0, 1, { 0.0 }, LOW_TAIL(0.0), KERNELS(selu) },
  [ACT_GELU]       = { "gelu", 0.0, dmax_gelu, 0, 0, 0, 0, { 0 }, LOW_TAIL(-SQRT2), KERNELS(gelu) },
  [ACT_SWISH]      = { "swish", 0.0, dmax_swish, 0, 0, 0, 0, { 0 }, LOW_TAIL(SWISH_TAIL), KERNELS(swish) },
  /* sup sigma(x) = 1, not attained */
  [ACT_SOFTPLUS]   = { "softplus", 0.0, dmax_one, 0, 0, 0, 0, { 0 }, LOW_TAIL(0.0), KERNELS(softplus) },
  [ACT_HARDTANH]   = { "hardtanh", 0.0, dmax_one, 1, -1.0, 1.0, 2, { -1.0, 1.0 }, TAILS(-1.0, 1.0), KERNELS(hardtanh) },
  [ACT_LINEAR]     = { "linear", 0.0, dmax_one, 0, 0, 0, 0, { 0 }, NO_TAIL, KERNELS(linear) },
};
#undef SWISH_TAIL
#undef LOW_TAIL
#undef NO_TAIL
#undef ANY_H
#undef TAILS
#undef KERNELS
_Static_assert(sizeof act_table / sizeof act_table[0] == ACT_COUNT,
               "act_table needs one row per act_kind");

const act_info *act_info_of(act_kind kind)
{
  /* Cast first: the enum's signedness is implementation-defined.  A row
   * left out in the middle has no name: treat it as no kind at all. */
  if ((unsigned)kind >= ACT_COUNT || !act_table[kind].name) return NULL;
  return &act_table[kind];
}

/* ---- names ----------------------------------------------------------------*/

const char *act_name(act_kind kind)
{
  const act_info *info = act_info_of(kind);
  return info ? info->name : "unknown";
}

int act_parse(const char *name, act_fn *out, sb_error *err)
{
  if (!name || !*name)
    return sb_fail(err, SB_EUSAGE, "empty activation name");
  const char *names[ACT_COUNT];
  size_t n = 0;
  for (int k = 0; k < ACT_COUNT; k++) {
    const act_info *info = act_info_of((act_kind)k);
    if (!info) continue;
    if (strcmp(name, info->name) == 0) {
      out->kind = (act_kind)k;
      out->alpha = info->alpha;
      return SB_OK;
    }
    names[n++] = info->name;
  }
  const char *near = names_nearest(name, names, n);
  if (near)
    return sb_fail(err, SB_EUSAGE, "unknown activation '%s' (did you mean '%s'?)",
                   name, near);
  char valid[512];
  names_join(valid, sizeof valid, names, n);
  return sb_fail(err, SB_EUSAGE, "unknown activation '%s' (valid: %s)", name, valid);
}

/* ---- scalar and vector API -------------------------------------------------*/

double act_eval(const act_fn *f, double x)
{
  const act_info *info = act_info_of(f->kind);
  return info ? info->eval(x, f->alpha) : NAN;
}

double act_deriv(const act_fn *f, double x)
{
  const act_info *info = act_info_of(f->kind);
  return info ? info->deriv(x, f->alpha) : NAN;
}

double act_deriv_max(const act_fn *f)
{
  const act_info *info = act_info_of(f->kind);
  return info ? info->deriv_max(f->alpha) : NAN;
}

int act_saturated(const act_fn *f, double h, double tau)
{
  const act_info *info = act_info_of(f->kind);
  return info && (h <= info->tail_lo || h >= info->tail_hi)
         && fabs(info->deriv(h, f->alpha)) < tau * info->deriv_max(f->alpha);
}

void act_forward(const act_fn *f, double *y, double *dy, const double *h, size_t n)
{
  const act_info *info = act_info_of(f->kind);
  if (info) {
    info->forward(f->alpha, y, dy, h, n);
    return;
  }
  for (size_t i = 0; i < n; i++) {  /* not a kind: poison the output, as act_eval does */
    y[i] = NAN;
    if (dy) dy[i] = NAN;
  }
}

const char *act_kernel_name(void)
{
#ifdef SB_TARGET_CLONES
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "avx512f";
  if (__builtin_cpu_supports("avx2")) return "avx2";
  return "default";
#else
  return "baseline";
#endif
}
