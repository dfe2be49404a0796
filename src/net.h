/* net.h - a fully connected network: forward and backward passes on whole
 * mini-batches, losses, and optimizer updates over one flat parameter buffer.
 *
 * Layer l = 1..L (L = depth+1; layer L is the output layer) maps
 * fan_in(l) inputs to fan_out(l) outputs:
 *     h^l = a^{l-1} W^l + b^l,   a^l = phi(h^l)  (hidden),  z = h^L (output).
 * W^l is (fan_in, fan_out) row-major, b^l is (fan_out).  All of W^1, b^1,
 * W^2, b^2, ... live in one buffer `params`; `grads` has the same layout. */
#ifndef SB_NET_H
#define SB_NET_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "act.h"
#include "init.h"
#include "err.h"

typedef enum { LOSS_XENT, LOSS_MSE, LOSS_COUNT } loss_kind;
typedef enum { OPT_SGD, OPT_MOMENTUM, OPT_ADAM, OPT_COUNT } opt_kind;

const char *loss_name(loss_kind k);
const char *opt_name(opt_kind k);
int loss_parse(const char *text, loss_kind *out, sb_error *err);
int opt_parse(const char *text, opt_kind *out, sb_error *err);

typedef struct net {
  size_t n_in, width, depth, n_out;
  size_t n_layers;          /* depth + 1 */
  act_fn act;
  loss_kind loss;
  size_t n_params;
  double *params;           /* (n_params) */
  double *grads;            /* (n_params), same layout */
  size_t *fan_in, *fan_out; /* (n_layers), index l-1 for layer l */
  size_t *w_off, *b_off;    /* offsets of W^l and b^l in params/grads */
} net;

net *net_alloc(size_t n_in, size_t width, size_t depth, size_t n_out,
               act_fn act, loss_kind loss);
void net_free(net *n);
/* Weights of every layer from spec, in layer order, from one rng. */
int net_init_params(net *n, const init_spec *spec, gsl_rng *rng, sb_error *err);

static inline double *net_W(const net *n, size_t l) { return n->params + n->w_off[l - 1]; }
static inline double *net_b(const net *n, size_t l) { return n->params + n->b_off[l - 1]; }
static inline double *net_dW(const net *n, size_t l) { return n->grads + n->w_off[l - 1]; }
static inline double *net_db(const net *n, size_t l) { return n->grads + n->b_off[l - 1]; }

/* Buffers for one mini-batch of up to `cap` examples, made once at setup. */
typedef struct net_work {
  size_t cap;
  double **h;      /* h[l-1]: (cap, fan_out(l)) pre-activations           */
  double **a;      /* a[l-1]: (cap, fan_out(l)) outputs phi(h); a[L-1] = probabilities (xent) or z (mse) */
  double **dphi;   /* dphi[l-1]: (cap, fan_out(l)) phi'(h), hidden layers  */
  double **delta;  /* delta[l-1]: (cap, fan_out(l)) dLoss/dh^l            */
  double *buf;     /* the single allocation behind all of the above       */
} net_work;

net_work *net_work_alloc(const net *n, size_t cap);
void net_work_free(net_work *w);

/* Forward pass on X (batch, n_in); returns the mean loss over the batch
 * against labels y.  With y NULL, only fills w (no loss: returns 0). */
double net_forward(const net *n, net_work *w, const double *X, const int *y, size_t batch);
/* Backward pass after net_forward on the same batch: fills w->delta and
 * n->grads with the gradient of the mean loss. */
void net_backward(net *n, net_work *w, const double *X, const int *y, size_t batch);
/* Number of correct argmax predictions in the last forward pass. */
size_t net_correct(const net *n, const net_work *w, const int *y, size_t batch);

/* Optimizer state and hyper-parameters. */
typedef struct opt_state {
  opt_kind kind;
  double lr, momentum, beta1, beta2, eps;
  long t;          /* updates done */
  double *m, *v;   /* (n_params) each; NULL when unused */
} opt_state;

opt_state *opt_alloc(opt_kind kind, double lr, size_t n_params);
void opt_free(opt_state *o);
/* One update of n->params from n->grads.  When ratio is not NULL it gets,
 * per layer l, ||Delta W^l|| / ||W^l|| (before the update) at ratio[l-1]. */
void opt_step(opt_state *o, net *n, double *ratio);

#endif
