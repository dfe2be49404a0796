/* act.h - activation functions, their exact derivatives, and the maximum of
 * each derivative (the reference for the saturation test of SPEC.md). */
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

/* Canonical CLI name ("sigmoid", "leaky_relu", ...). */
const char *act_name(act_kind kind);
/* Parse a CLI name into *out with its default parameters.  Unknown names
 * fail with SB_EUSAGE and a message suggesting the nearest valid name. */
int act_parse(const char *name, act_fn *out, sb_error *err);

double act_eval(const act_fn *f, double x);
double act_deriv(const act_fn *f, double x);
/* sup_x |phi'(x)|: 1/4 for sigmoid, lambda*alpha for selu, ~1.1289 for gelu... */
double act_deriv_max(const act_fn *f);

/* Fused elementwise pass over n values:
 *   y[i] = phi(h[i]) and dy[i] = phi'(h[i]).
 * dy may be NULL (forward only).  y may alias h. */
void act_forward(const act_fn *f, double *y, double *dy, const double *h, size_t n);

#endif
