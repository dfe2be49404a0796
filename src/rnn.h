/* rnn.h - recurrent cells (Elman, LSTM, GRU) over whole mini-batches of
 * sequences: forward over T steps, back-propagation through time (BPTT),
 * a linear readout on the last state, gradient clipping and the recurrent
 * weights' initializations.  The numerical core only: no grid axis, CLI or
 * table reads it yet (HACKING.md, "Recurrent cells").
 *
 * Row vectors, as in net.h.  An input sequence is x_1..x_T (n_in each), the
 * state h_t (H = hidden), h_0 = 0 (and the LSTM's c_0 = 0).  Each cell
 * computes G blocks of H pre-activations per step,
 *     a_t = x_t W_xh + h_{t-1} W_hh + b        W_xh (n_in, G H), W_hh (H, G H),
 * whose blocks are named by the cell's row of rnn_cells (in that order):
 *   rnn   [a]:          h_t = phi(a)                               (Elman)
 *   lstm  [i f o g]:    i, f, o = sigmoid, g = phi(a_g),
 *                       c_t = f c_{t-1} + i g,  h_t = o phi(c_t)
 *   gru   [r z n]:      r, z = sigmoid,
 *                       n = phi(x_t W_xn + b_n + r (h_{t-1} W_hn + b_hn)),
 *                       h_t = (1 - z) n + z h_{t-1}
 * phi is the activation axis's function (act.h).  The GRU is PyTorch's and
 * cuDNN's variant (torch.nn.GRU): the reset gate multiplies the product
 * h_{t-1} W_hn (plus its own bias b_hn), so the whole of h_{t-1} W_hh is one
 * GEMM per step.  Cho et al. (2014) reset before the product,
 * (r h_{t-1}) W_hn, which needs a second, dependent GEMM per step; the two
 * are different functions (not a reparametrization), and the benchmark
 * against torch needs PyTorch's.  For the GRU, b holds b_r, b_z and b_n
 * (the input side's; b_r and b_z stand for the sums of PyTorch's two
 * biases) and b_hn follows it.  The sigmoid gates come first in every cell
 * so that one act_forward per row covers them.
 *
 * The readout is linear on the last state, z = h_T W_out + b_out
 * (W_out (H, n_out)), with net.h's losses: softmax cross-entropy against
 * class labels, or 1/2 squared error against real targets (regression,
 * such as the adding problem) or, given labels only, their one-hot codes
 * as net.c does.  The loss is the mean over the batch.
 *
 * Parameters live in one buffer (params; grads has the same layout):
 *     W_xh, W_hh, b (G H), b_hn (H, GRU only), W_out, b_out.
 * Double precision only (no emulated formats yet). */
#ifndef SB_RNN_H
#define SB_RNN_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "act.h"
#include "init.h"
#include "err.h"
#include "net.h"

typedef enum { RNN_ELMAN, RNN_LSTM, RNN_GRU, RNN_CELL_COUNT } rnn_cell;

#define RNN_MAX_GATES 4

/* One row per cell type: every fact about a cell that code loops over. */
typedef struct rnn_cell_info {
  const char *name;          /* its name on the --archs axis (rnn_arch_parse) */
  size_t n_gates;            /* G: blocks of H columns in W_xh, W_hh and b */
  size_t n_sigmoid;          /* the first n_sigmoid blocks are sigmoid gates, the rest phi */
  const char *gates[RNN_MAX_GATES];  /* each block's name, in order */
  int has_cell;              /* an extra state c_t (LSTM) */
  size_t n_extra_bias;       /* blocks of H biases after b (GRU: b_hn) */
  const char *about;
} rnn_cell_info;

/* The row of a cell; NULL for a value that is not a cell. */
const rnn_cell_info *rnn_cell_info_of(rnn_cell c);
const char *rnn_cell_name(rnn_cell c);

/* The grid's architecture axis (--archs): the feed-forward net of net.h
 * or a recurrent cell, ARCH_MLP + 1 + c for cell c. */
typedef enum { ARCH_MLP = 0, ARCH_RNN, ARCH_LSTM, ARCH_GRU, ARCH_COUNT } rnn_arch;
_Static_assert(ARCH_COUNT == 1 + RNN_CELL_COUNT, "one arch per recurrent cell, and mlp");
static inline int rnn_arch_recurrent(rnn_arch a) { return a > ARCH_MLP && a < ARCH_COUNT; }
static inline rnn_cell rnn_arch_cell(rnn_arch a) { return (rnn_cell)(a - ARCH_RNN); }
/* "mlp" or a cell's name; an arch by name (SB_EUSAGE naming the valid ones). */
const char *rnn_arch_name(rnn_arch a);
int rnn_arch_parse(const char *text, rnn_arch *out, sb_error *err);

typedef struct rnn {
  rnn_cell cell;
  size_t n_in, hidden, n_out;
  size_t n_gates;            /* the cell's G */
  act_fn act;                /* phi */
  loss_kind loss;
  size_t n_params;
  double *params;            /* (n_params) */
  double *grads;             /* (n_params), same layout */
  /* offsets in params/grads; b_hn == b_out's when the cell has none */
  size_t w_xh, w_hh, b, b_hn, w_out, b_out;
} rnn;

rnn *rnn_alloc(rnn_cell cell, size_t n_in, size_t hidden, size_t n_out, act_fn act, loss_kind loss);
void rnn_free(rnn *r);

/* How W_hh is drawn: one of init.h's schemes (orthogonal[:GAIN] is
 * init.h's Haar orthogonal: on the square (H, H) block an orthogonal
 * matrix times GAIN), or the identity times a scale (IRNN, Le, Jaitly &
 * Hinton 2015: "identity:1" with relu).  Written "identity[:SCALE]"
 * (SCALE finite and nonzero, default 1) or as init_parse reads. */
typedef struct rnn_hh_spec {
  int identity;              /* 1: W_hh = scale I per gate block */
  double scale;
  init_spec spec;            /* otherwise */
} rnn_hh_spec;

int rnn_hh_parse(const char *text, rnn_hh_spec *out, sb_error *err);
void rnn_hh_format(const rnn_hh_spec *s, char *buf, size_t size);

/* The initial parameters, drawn from rng in a fixed order: W_xh and b,
 * gate by gate (init_fill with xh on each (n_in, H) block and its H
 * biases), W_hh gate by gate (hh on each (H, H) block; no biases drawn),
 * W_out and b_out (xh on (H, n_out)).  b_hn = 0.  The LSTM's forget-gate
 * biases get forget_bias added (Gers et al. 2000; Jozefowicz et al. 2015
 * use 1); it must be 0 for the other cells.  Allocates a block's scratch
 * for the time of the call. */
int rnn_init_params(rnn *r, const init_spec *xh, const rnn_hh_spec *hh, double forget_bias,
                    gsl_rng *rng, sb_error *err);

/* Parameter views. */
static inline double *rnn_W_xh(const rnn *r) { return r->params + r->w_xh; }
static inline double *rnn_W_hh(const rnn *r) { return r->params + r->w_hh; }
static inline double *rnn_b(const rnn *r) { return r->params + r->b; }
static inline double *rnn_W_out(const rnn *r) { return r->params + r->w_out; }
static inline double *rnn_b_out(const rnn *r) { return r->params + r->b_out; }

/* Buffers for up to cap sequences of up to t_cap steps, made once at
 * setup; a pass on (batch, T) lays them out with its own batch as the
 * stride (slot t of a (T, batch, X) buffer starts at t batch X).  Time-
 * major, so that a step's rows are contiguous for its GEMM and whole
 * sequences' products are single GEMMs of T batch rows. */
typedef struct rnn_work {
  size_t cap, t_cap;
  double *xt;       /* (T, batch, n_in) the input, time-major */
  double *pre;      /* (T, batch, G H) pre-activations a_t (GRU: n's with r (h W_hn + b_hn)) */
  double *gate;     /* (T, batch, G H) the gates' values (sigmoid, phi); NULL for Elman, whose is h_t */
  double *dgate;    /* (T, batch, G H) their derivatives sigmoid'(a), phi'(a) */
  double *hs;       /* (T + 1, batch, H) h_0 = 0, h_1, ..., h_T */
  double *cs;       /* (T + 1, batch, H) LSTM: c_0 = 0, ..., c_T; else NULL */
  double *phic;     /* (T, batch, H) LSTM: phi(c_t); else NULL */
  double *dphic;    /* (T, batch, H) LSTM: phi'(c_t); else NULL */
  double *ghn;      /* (T, batch, H) GRU: h_{t-1} W_hn + b_hn; else NULL */
  double *gh;       /* (batch, G H) GRU: a step's h_{t-1} W_hh; else NULL */
  double *z;        /* (batch, n_out) logits */
  double *out;      /* (batch, n_out) probabilities (xent) or z (mse) */
  /* Backward: dL/da_t, the gradient of the input side's pre-activations;
   * dgh: of the hidden side's, h_{t-1} W_hh (+ b_hn): equal to dpre but for
   * the GRU's n block (aliases dpre for Elman and LSTM). */
  double *dpre;     /* (T, batch, G H) */
  double *dgh;      /* (T, batch, G H) */
  double *dh;       /* (T + 1, batch, H) dL/dh_t for t = 0..T: the probe's */
  double *dc;       /* (batch, H) LSTM: dL/dc_t, carried back; else NULL */
  double *dz;       /* (batch, n_out) */
  /* (T + 1) ||dL/dh_t||_F over the batch's (batch, H) matrix, t = 0..T
   * (dh_norm[T - k]: k steps in the past; dh_norm[0] the initial state's) */
  double *dh_norm;
  double *buf;      /* the single allocation behind all of the above */
  size_t len;       /* its doubles */
} rnn_work;

/* The doubles rnn_work_alloc takes for (cap, t_cap): for a memory check
 * before allocating; 0 when the count overflows. */
size_t rnn_work_doubles(const rnn *r, size_t cap, size_t t_cap);
rnn_work *rnn_work_alloc(const rnn *r, size_t cap, size_t t_cap);
void rnn_work_free(rnn_work *w);

/* Forward pass on X (batch, T, n_in), batch <= cap and 1 <= T <= t_cap;
 * returns the mean loss against labels y (batch) with xent, and with mse
 * against targets t (batch, n_out) or, t NULL, y's one-hot codes.  With
 * the needed labels or targets NULL, fills w only and returns 0.
 * start (batch) or NULL: variable lengths, stored right-aligned.  Row i's
 * sequence is its steps start[i]+1..T (1-based; start[i] < T); the steps
 * before are padding, over which the state is held at h = 0 (c = 0), so
 * the row computes exactly the cell on its own sequence from h_0 = 0, and
 * "k steps before the end" is step T - k for every row. */
double rnn_forward(const rnn *r, rnn_work *w, const double *X, const size_t *start, const int *y,
                   const double *t, size_t batch, size_t T);
/* BPTT after rnn_forward on the same (X, batch, T) and labels/targets:
 * r->grads gets the gradient of the mean loss, w->dh and w->dh_norm
 * dL/dh_t for t = 0..T (h_t as an input of the steps after it; for the
 * LSTM with c_t held).  With start, the padding steps' gradients are 0:
 * dh rows of padding states are 0, dh at start[i] is the gradient of the
 * sequence's initial state. */
void rnn_backward(rnn *r, rnn_work *w, const size_t *start, const int *y, const double *t, size_t batch,
                  size_t T);
/* Correct argmax predictions of the last forward pass. */
size_t rnn_correct(const rnn *r, const rnn_work *w, const int *y, size_t batch);

/* Clip g (n values) by its global norm: when ||g||_2 > max_norm, scale g by
 * max_norm / ||g||_2 (Pascanu, Mikolov & Bengio 2013, Algorithm 2); returns
 * ||g||_2 before clipping.  A non-finite norm leaves g as it is (the
 * trainer's divergence check then sees it); max_norm must be > 0. */
double rnn_clip(double *g, size_t n, double max_norm);

#endif
