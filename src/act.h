/* act.h - activation functions, their exact derivatives, and the maximum of
 * each derivative (the reference of the saturation test, the manual, "Probes").
 *
 * Every fact about an activation lives in one row of act.c's table
 * (act_info): its name, default parameter, sup |phi'|, output bounds, the
 * points where it is not smooth, and its kernels.  Adding an activation is
 * an enumerator here and a row there (HACKING.md, "Add an activation"). */
#ifndef SB_ACT_H
#define SB_ACT_H

#include <stddef.h>
#include "err.h"

typedef enum {
  ACT_SIGMOID, ACT_TANH, ACT_SOFTSIGN, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU,
  ACT_SELU, ACT_GELU, ACT_SWISH, ACT_SOFTPLUS, ACT_HARDTANH, ACT_LINEAR,
  ACT_COUNT
} act_kind;

/* SELU constants (Klambauer et al. 2017). */
#define ACT_SELU_ALPHA  1.6732632423543772848170429916717
#define ACT_SELU_LAMBDA 1.0507009873554804934193349852946
#define ACT_LEAKY_SLOPE 0.01   /* default negative slope of leaky_relu */
#define ACT_ELU_ALPHA   1.0

typedef struct act_fn {
  act_kind kind;
  double alpha;   /* leaky_relu: negative slope; elu: alpha; unused otherwise */
} act_fn;

#define ACT_MAX_KINKS 4

/* One activation.  Kernels take the parameter alpha (act_fn.alpha). */
typedef struct act_info {
  const char *name;          /* the CLI's name */
  double alpha;              /* default parameter; 0 when there is none */
  /* sup_x |phi'(x)| at parameter alpha: the reference of the saturation
   * test (a unit is saturated when |phi'(h)| < tau sup |phi'|). */
  double (*deriv_max)(double alpha);
  int bounded;               /* outputs lie in [lo, hi] (histogram ranges) */
  double lo, hi;
  /* Points where phi' or phi'' jumps, ascending: quadrature panels are
   * split there (theory.c) and finite differences avoid them (tests). */
  size_t n_kinks;
  double kinks[ACT_MAX_KINKS];
  /* Where a unit can be saturated (the manual, "Saturated and dead units"):
   * only in a tail, h <= tail_lo or h >= tail_hi, where |phi'| falls
   * monotonically towards 0, and there when |phi'(h)| < tau sup |phi'|.
   * 0 and 0 for phi' monotone on each side of 0 (every h); the extremum
   * of phi' for gelu and swish, whose phi' crosses 0 in the middle of the
   * range; -inf and +inf for an activation whose slope never falls
   * towards 0 (leaky_relu, linear: never saturated, never dead). */
  double tail_lo, tail_hi;
  double (*eval)(double x, double alpha);
  double (*deriv)(double x, double alpha);
  /* y[i] = phi(h[i]) and, when dy is not NULL, dy[i] = phi'(h[i]), in one
   * vectorizable loop; y may alias h. */
  void (*forward)(double alpha, double *y, double *dy, const double *h, size_t n);
} act_info;

/* The row of a kind; NULL for a value that is not a kind. */
const act_info *act_info_of(act_kind kind);

/* Canonical CLI name ("sigmoid", "leaky_relu", ...); "unknown" for a value
 * that is not a kind. */
const char *act_name(act_kind kind);
/* Parse a CLI name into *out with its default parameters.  Unknown names
 * fail with SB_EUSAGE and a message suggesting the nearest valid name. */
int act_parse(const char *name, act_fn *out, sb_error *err);

double act_eval(const act_fn *f, double x);
double act_deriv(const act_fn *f, double x);
/* sup_x |phi'(x)|: 1/4 for sigmoid, lambda*alpha for selu, ~1.1289 for gelu... */
double act_deriv_max(const act_fn *f);
/* Whether a unit at pre-activation h is saturated at threshold tau: in
 * a tail of its row and |phi'(h)| < tau sup |phi'| (the probe's test,
 * value by value). */
int act_saturated(const act_fn *f, double h, double tau);

/* Put before an elementwise kernel: also compiled for AVX2 and AVX-512,
 * the version chosen at run time for the CPU (configure's
 * SB_TARGET_CLONES).  The default build has only SSE2.  -ffp-contract=off
 * (configure) keeps the bits the same on every version. */
#ifdef SB_TARGET_CLONES
#define SB_CLONES __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define SB_CLONES
#endif

/* Which version of the fused kernels this CPU runs: "avx512f", "avx2" or
 * "default" (or "baseline" in a build without them). */
const char *act_kernel_name(void);

/* Fused elementwise pass over n values:
 *   y[i] = phi(h[i]) and dy[i] = phi'(h[i]).
 * dy may be NULL (forward only).  y may alias h. */
void act_forward(const act_fn *f, double *y, double *dy, const double *h, size_t n);

#endif
