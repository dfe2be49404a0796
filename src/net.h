/* net.h - a fully connected network: forward and backward passes on whole
 * mini-batches, losses, and optimizer updates over one flat parameter buffer.
 *
 * Layer l = 1..L (L = depth+1; layer L is the output layer) maps
 * fan_in(l) inputs to fan_out(l) outputs:
 *     h^l = a^{l-1} W^l + b^l,   a^l = phi(h^l)  (hidden),  z = h^L (output).
 * W^l is (fan_in, fan_out) row-major, b^l is (fan_out).  All of W^1, b^1,
 * W^2, b^2, ... live in one buffer `params`; `grads` has the same layout.
 *
 * Two remedies for saturation change the hidden layers (net_arch):
 *  - normalization of each hidden pre-activation before phi, with a
 *    learned scale and shift (gamma^l, beta^l, after b^l in `params`):
 *        u = a^{l-1} W^l + b^l,  uhat = (u - mu) / sqrt(var + NET_NORM_EPS),
 *        h^l = gamma^l uhat + beta^l,  a^l = phi(h^l);
 *    batch norm takes mu and var per unit over the batch (training and
 *    probes) or from running averages (evaluation, NET_EVAL), layer norm
 *    per example over the layer's units;
 *  - skip connections every k layers (the first layer projects the input,
 *    so blocks start there): layer l ends a block when l >= 2 and (l - 1)
 *    is a multiple of k, and then
 *        a^l = a^{l-k} + s phi(h^l)     (s = res_scale).
 * h^l is always the pre-activation that enters phi, after normalization:
 * what the probes measure. */
#ifndef SB_NET_H
#define SB_NET_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "act.h"
#include "init.h"
#include "err.h"
#include "prec.h"

typedef enum { LOSS_XENT, LOSS_MSE, LOSS_COUNT } loss_kind;
typedef enum { OPT_SGD, OPT_MOMENTUM, OPT_ADAM, OPT_COUNT } opt_kind;

const char *loss_name(loss_kind k);
const char *opt_name(opt_kind k);
int loss_parse(const char *text, loss_kind *out, sb_error *err);
int opt_parse(const char *text, opt_kind *out, sb_error *err);

/* Normalization of the hidden layers (the --norms axis). */
typedef enum { NORM_NONE, NORM_BATCH, NORM_LAYER, NORM_COUNT } norm_kind;
const char *norm_name(norm_kind k);
int norm_parse(const char *text, norm_kind *out, sb_error *err);
#define NET_NORM_EPS 1e-5        /* added to the variance, as frameworks do */
#define NET_BN_MOMENTUM 0.1      /* running averages: r <- (1 - m) r + m batch value */

typedef struct net_arch {
  norm_kind norm;
  size_t res_stride;             /* 0: no skip connections */
  double res_scale;              /* s of a^l = a^{l-k} + s phi(h^l) */
} net_arch;

/* How a forward pass normalizes with batch norm: batch statistics, and
 * with NET_TRAIN also updating the running averages (training steps);
 * NET_PROBE: batch statistics only (probes, gradient checks); NET_EVAL:
 * the running averages (evaluation), and no phi' (dphi is left as it was:
 * an evaluation is never followed by a backward pass).  Layer norm and
 * plain nets compute the same outputs in every mode. */
typedef enum { NET_PROBE = 0, NET_TRAIN, NET_EVAL } net_mode;

typedef struct net {
  size_t n_in, width, depth, n_out;
  net_arch arch;
  size_t n_layers;          /* depth + 1 */
  act_fn act;
  loss_kind loss;
  size_t n_params;
  double *params;           /* (n_params) */
  double *grads;            /* (n_params), same layout */
  size_t *fan_in, *fan_out; /* (n_layers), index l-1 for layer l */
  size_t *w_off, *b_off;    /* offsets of W^l and b^l in params/grads */
  size_t *g_off;            /* offsets of gamma^l (beta^l follows) for hidden l, with a norm */
  double *run_mean, *run_var;  /* (depth, width) batch norm's running averages; NULL otherwise */
  /* Emulated arithmetic (net_set_prec): every tensor a pass stores is
   * rounded to prec after the operation that makes it (double accumulation
   * in the GEMMs), the passes use lp, params rounded to prec, and the
   * backward pass starts from the loss times scale; params (the master
   * weights) and the optimizer's state are kept in fp32.  PREC_FP64 with
   * scale 1: nothing rounded or scaled, the arithmetic of a plain net. */
  prec_kind prec;
  double scale;
  double *lp;               /* (n_params) params as prec rounds them; NULL for fp64 */
} net;

/* The tensors whose rounding a probe counts (net_work.pc), per layer. */
/* (NET_T_DA: dL/da^l = delta^{l+1} W^{l+1}', the product the error crosses
 * a layer by, rounded before phi' multiplies it: where a decayed error is
 * flushed first.) */
enum { NET_T_H, NET_T_A, NET_T_DA, NET_T_DELTA, NET_T_DW, NET_NT };
/* Emulate format p (the default is fp64: nothing rounded).  SB_EFAIL when
 * out of memory. */
int net_set_prec(net *n, prec_kind p);

/* Whether a net of this arch and depth has a skip connection at all: some
 * hidden layer l = 1 + k <= depth ends a block (a stride longer than the
 * net adds none, and the net is then a plain one). */
static inline int net_arch_has_skip(const net_arch *a, size_t depth)
{
  return a->res_stride > 0 && a->res_stride < depth;
}

/* Whether hidden layer l ends a residual block (a^l = a^{l-k} + s phi(h^l)). */
static inline int net_block_end(const net *n, size_t l)
{
  size_t k = n->arch.res_stride;
  return k > 0 && l >= 2 && l <= n->depth && (l - 1) % k == 0;
}

net *net_alloc(size_t n_in, size_t width, size_t depth, size_t n_out,
               act_fn act, loss_kind loss);
/* The same with a norm and skip connections (arch NULL: a plain net). */
net *net_alloc_arch(size_t n_in, size_t width, size_t depth, size_t n_out,
                    act_fn act, loss_kind loss, const net_arch *arch);
void net_free(net *n);
/* Weights of every layer from spec, in layer order, from one rng; the
 * norms' gamma = 1 and beta = 0, running averages mean 0 and variance 1. */
int net_init_params(net *n, const init_spec *spec, gsl_rng *rng, sb_error *err);

static inline double *net_W(const net *n, size_t l) { return n->params + n->w_off[l - 1]; }
static inline double *net_b(const net *n, size_t l) { return n->params + n->b_off[l - 1]; }
static inline double *net_dW(const net *n, size_t l) { return n->grads + n->w_off[l - 1]; }
static inline double *net_db(const net *n, size_t l) { return n->grads + n->b_off[l - 1]; }
/* gamma^l and beta^l (width each), hidden layers of a net with a norm. */
static inline double *net_gamma(const net *n, size_t l) { return n->params + n->g_off[l - 1]; }
static inline double *net_beta(const net *n, size_t l) { return n->params + n->g_off[l - 1] + n->width; }
static inline double *net_dgamma(const net *n, size_t l) { return n->grads + n->g_off[l - 1]; }
static inline double *net_dbeta(const net *n, size_t l) { return n->grads + n->g_off[l - 1] + n->width; }

/* Running averages back to mean 0, variance 1 (batch norm; else a no-op). */
void net_reset_stats(net *n);

/* Buffers for one mini-batch of up to `cap` examples, made once at setup. */
typedef struct net_work {
  size_t cap;
  double **h;      /* h[l-1]: (cap, fan_out(l)) pre-activations           */
  double **a;      /* a[l-1]: (cap, fan_out(l)) outputs phi(h); a[L-1] = probabilities (xent) or z (mse) */
  double **dphi;   /* dphi[l-1]: (cap, fan_out(l)) phi'(h), hidden layers  */
  double **delta;  /* delta[l-1]: (cap, fan_out(l)) dLoss/dh^l            */
  /* With a norm, per hidden layer: uhat (the normalized u), dLoss/du, and
   * 1/sqrt(var + eps) per unit (batch norm) or per example (layer norm);
   * without one, du aliases delta.  With skip connections, da[l-1] holds
   * dLoss/da^l; without, it aliases delta. */
  double **uhat, **du, **inv_std, **da;
  /* (depth) ||dLoss/da^l||_F of hidden layer l at da_norm[l-1], written by
   * net_backward only while measure_da is set: the probe's work sets it
   * (probe.h's stream_grad_norm); a training step leaves it 0 and pays one
   * test per layer.  Without skip connections dLoss/da^l lives only for a
   * moment, before delta^l overwrites it in place, so it is measured there. */
  int measure_da;
  double *da_norm;
  /* (n_layers, NET_NT) what rounding did to each tensor of each layer
   * (net->prec not fp64), summed while count_prec is set: the probe's */
  int count_prec;
  prec_count *pc;
  double *buf;     /* the single allocation behind all of the above       */
  size_t len;      /* its doubles */
} net_work;

net_work *net_work_alloc(const net *n, size_t cap);
void net_work_free(net_work *w);

/* Forward pass on X (batch, n_in); returns the mean loss over the batch
 * against labels y.  With y NULL, only fills w (no loss: returns 0). */
double net_forward(const net *n, net_work *w, const double *X, const int *y, size_t batch);
/* The same with batch norm's mode (net_forward is NET_PROBE); NET_TRAIN
 * updates n's running averages, so n is not const. */
double net_forward_mode(net *n, net_work *w, const double *X, const int *y, size_t batch, net_mode mode);
/* Backward pass after net_forward on the same batch: fills w->delta and
 * n->grads with the gradient of the mean loss. */
void net_backward(net *n, net_work *w, const double *X, const int *y, size_t batch);
/* Softmax of each row of z (batch, k) into p; returns the summed (not
 * mean) cross-entropy -log p[y] from the log-sum-exp (y NULL: 0).  The
 * readout of net.c and rnn.c. */
double net_softmax_xent(double *p, const double *z, const int *y, size_t batch, size_t k);
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
/* The same update on a flat parameter vector (recurrent cells): params
 * (n) from grads; ratio (nr) or NULL gets ||Delta|| / ||before|| of the
 * ranges [roff[k], roff[k] + rlen[k]). */
void opt_step_vec(opt_state *o, double *params, const double *grads, size_t n, const size_t *roff,
                  const size_t *rlen, size_t nr, double *ratio);

#endif
