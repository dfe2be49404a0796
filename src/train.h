/* train.h - one cell: build a network, train it on a shared dataset with
 * its own random streams, and probe it at step 0, on the logged steps of
 * its schedule and at the end: per-layer measurements on the dataset's
 * probe set (probe.h) and the learning curve on its evaluation subsets. */
#ifndef SB_TRAIN_H
#define SB_TRAIN_H

#include <stddef.h>
#include "act.h"
#include "data.h"
#include "init.h"
#include "net.h"
#include "probe.h"
#include "prec.h"
#include "rnn.h"
#include "jacobian.h"
#include "stop.h"
#include "theory.h"
#include <gsl/gsl_rng.h>
#include <gsl/gsl_histogram.h>

/* Random streams of a cell, derived from (master seed, seed index) only. */
enum { STREAM_DATASET = 0, STREAM_INIT = 1, STREAM_ORDER = 2, STREAM_SUBSETS = 3 };
unsigned long train_seed(unsigned long master, unsigned long seed_index, unsigned stream);

/* Probe schedules (--log-schedule): every log_every steps, or also at the
 * steps 1, 2, 5, 10, 20, 50, ... */
enum { TRAIN_LOG_LINEAR, TRAIN_LOG_LOG };

/* Where histograms are taken (--histograms): at the first probe and the
 * last step (the default), at no step, or at every probe. */
enum { TRAIN_HIST_ENDS = 0, TRAIN_HIST_NONE = 1, TRAIN_HIST_ALL = 2 };
/* How many histogram slots a cell of these parameters fills at most. */
size_t train_hist_cap(int hist_mode, size_t n_logs);

typedef struct train_params {
  act_fn act;
  init_spec init;
  size_t depth, width;
  net_arch arch;       /* norm and skip connections (net.h) */
  unsigned long master_seed, seed_index;
  size_t batch;
  long steps;          /* optimizer steps; 0 = measure at init only */
  double lr;
  opt_kind opt;
  loss_kind loss;
  long log_every;      /* probe every this many steps; 0 = only first and last */
  int log_schedule;    /* TRAIN_LOG_LINEAR or TRAIN_LOG_LOG (also at 1, 2, 5, 10, ...) */
  double tau;          /* saturation threshold */
  size_t jacobian;     /* spectra of the input-output Jacobian for this many probe inputs; 0: none */
  int jacobian_init_only;  /* only at step 0 (--jacobian-at init), else at every logged step */
  int hist_mode;       /* TRAIN_HIST_ENDS, _NONE or _ALL */
  prec_kind prec;      /* the arithmetic emulated (prec.h); PREC_FP64: none */
  double loss_scale;   /* the loss's scale (0 or 1: none); with ls_dynamic, the first */
  int ls_dynamic;      /* the scale is dynamic (prec.h): halved on a non-finite gradient, */
  long ls_window;      /* doubled after ls_window finite steps in a row */
  /* A recurrent cell (cell_arch not ARCH_MLP, trainrnn.c): depth is the
   * sequence length T, width the hidden size; clip the gradient's global
   * norm bound (0: none), forget_bias the LSTM's. */
  rnn_arch cell_arch;
  double clip, forget_bias;
  const stop_flag *stop;        /* when non-NULL and set, stop early (TRAIN_STOPPED) */
} train_params;

/* How a cell ended: one row each of train_statuses (train.c), the one
 * list of them (`satbench list statuses`, the manual, "Output files"), in the
 * order they are decided: the first that applies.  Only diverged failed;
 * the next four did not fail but did not learn, judged at the last probe:
 *  - exploded: the training evaluation loss above TRAIN_EXPLODE_FACTOR x
 *    the chance loss, that of the best constant prediction (the label
 *    entropy for xent; 1/2 (1 - sum p_k^2) for mse);
 *  - flushed: an emulated precision (prec.h), the cell stalled or froze,
 *    at least TRAIN_FLUSH_FRAC of the first hidden layer's weight-gradient
 *    entries are 0, and some layer's error or weight gradient lost at least
 *    TRAIN_FLUSH_FRAC of its nonzero entries to rounding: the gradient did
 *    not vanish in the arithmetic, the format flushed it;
 *  - frozen: every hidden layer's gradient on the probe set exactly 0;
 *  - vanished: stalled (below), and the first hidden layer's gradient
 *    norm at most TRAIN_VANISH_RES times its weights' norm: no usable
 *    error gets through the layers to it.  That is below the resolution of
 *    the weights' own arithmetic: an update of W by G with ||G|| < 2^-52
 *    ||W|| changes a typical weight by less than one unit in its last
 *    place, so a step of learning rate up to 1 leaves the layer where it is;
 *  - stalled: that loss ended less than TRAIN_STALL_GAIN (relative) below
 *    the chance loss.
 * Stopped cells are not written. */
enum {   /* in the order they are decided; names, never these numbers, are written */
  TRAIN_OK, TRAIN_DIVERGED, TRAIN_EXPLODED, TRAIN_FLUSHED, TRAIN_FROZEN, TRAIN_VANISHED, TRAIN_STALLED, TRAIN_STOPPED,
  TRAIN_NSTATUS
};
#define TRAIN_STALL_GAIN 0.01
#define TRAIN_EXPLODE_FACTOR 10.0
#define TRAIN_VANISH_RES 0x1p-52   /* DBL_EPSILON */
#define TRAIN_FLUSH_FRAC 0.5

typedef struct train_status_info {
  const char *name;   /* cells.tsv's status */
  int counted;        /* a count of its own in the digest and the manifest (not ok, not stopped) */
  const char *about;  /* one line: `satbench list statuses`, the manual */
  int emulated_only;  /* only an emulated precision can end so: counted only in such grids */
} train_status_info;
extern const train_status_info train_statuses[TRAIN_NSTATUS];
/* Whether status k has a count of its own in a grid that emulates a
 * precision (cfg_emulates) or not. */
int train_status_counted(int k, int emulates);
/* The status called name, or -1. */
int train_status_parse(const char *name);


/* The learning curve's own values at a logged step (curves.tsv), with
 * the probe set's global gradient norm, beside the hidden-layer means of
 * the probe columns that table.c derives from the probe rows. */
enum {
  CURVE_TRAIN_LOSS,       /* mean mini-batch loss of the steps since the last log (NaN at step 0) */
  CURVE_EVAL_TRAIN_LOSS,  /* mean loss on the training evaluation subset */
  CURVE_EVAL_TRAIN_ACC,   /* its accuracy */
  CURVE_EVAL_TEST_LOSS,   /* mean loss on the test evaluation subset */
  CURVE_EVAL_TEST_ACC,
  CURVE_GRAD_NORM,        /* ||dL/dtheta|| on the probe set, every parameter (train_grad_norm) */
  CURVE_NCOLS
};
typedef struct curve_col_info { const char *name, *about; } curve_col_info;
extern const curve_col_info train_curve_cols[];

typedef struct train_result {
  int status;                 /* a row of train_statuses (TRAIN_STOPPED: not written) */
  long steps_done;
  /* mean loss over the training set at the end, and the accuracies; NaN
   * for a diverged cell (its weights after divergence mean nothing) */
  double final_loss;
  double chance_loss;         /* the best constant prediction's loss on the training set */
  double chance_error;        /* its test error: predicting the training set's commonest class */
  double final_train_acc, final_test_acc;
  size_t n_layers;            /* depth + 1 */
  int skips;                  /* the net has a skip connection (net_arch_has_skip): cells.tsv's
                               * attenuation and decay rate then follow the stream (stats.h) */
  size_t n_logs, cap_logs;
  long *log_steps;            /* (cap_logs) step of each probe */
  probe_row *rows;            /* (cap_logs, n_layers) */
  double *curves;             /* (cap_logs, CURVE_NCOLS) */
  /* Histograms (probe_hist: counts per bin) at hist_n probes, as
   * --histograms asks: ends, the first probe and the last step (which a
   * cell that diverged before it never reaches); all, every probe.  hist is
   * (hist_cap, depth, 2, PROBE_HIST_BINS), hist_range (hist_cap, 4),
   * hist_step (hist_cap) the step of each slot. */
  size_t hist_n, hist_cap;
  double *hist;
  double *hist_range;
  long *hist_step;
  /* Mean-field prediction at initialization (theory.h) for this cell's
   * activation, init and sizes, with q0 the mean x^2 of the probe set:
   * theory_ratio[l-1] = log10(||delta^l|| / ||delta^depth||), l = 1..depth,
   * and the least-squares slope of that profile.  NaN until computed. */
  double *theory_ratio;       /* (depth) */
  double theory_decay_rate;
  /* The init's variances as drawn (init_sigma_w2 of a hidden layer, a
   * critical init's resolved; init_bias_var): cells.tsv's sigma_w2, sigma_b2 */
  double sigma_w2, sigma_b2;
  /* Jacobian spectra (jacobian.h) of the first jac_inputs probe inputs at
   * jac_n logged steps: jac_sv is (jac_cap, jac_inputs, jac_nsv), each
   * spectrum descending; jac_steps (jac_cap); jac_side = max(width, n_in),
   * the n of each spectrum's resolution floor (jac_floor).  jac_msv_theory
   * is the mean-field mean of sigma^2 at init (plain nets; NaN otherwise). */
  size_t jac_inputs, jac_nsv, jac_side, jac_n, jac_cap;
  long *jac_steps;
  double *jac_sv;
  double jac_msv_theory;
  /* Emulated precision (p->prec not fp64, or a loss scale): what rounding
   * did at each probe, prec_frac (cap_logs, n_layers, NET_NT, TRAIN_PF)
   * fractions of each tensor's entries; the loss scale in effect at each
   * probe and the steps skipped so far (a dynamic scale's non-finite
   * gradients).  NULL, 0 otherwise. */
  int emulated;
  double *prec_frac;
  double *prec_scale;
  long *prec_skipped;
  /* The layers below the last hidden one down to the first whose error
   * entries are at least half zero at step 0 (delta), measured and as the
   * mean-field profile and the top layer's measured error scale predict
   * (train_flush_depth); NaN where no layer is. */
  double flush_depth0, flush_depth_theory;
  /* An emulated cell's log2 histogram (Micikevicius et al. 2018, Fig. 3)
   * of its errors and weight gradients as the format holds them (times the
   * loss scale, after rounding), at the histograms' probes (hist_step, the
   * first hist_n slots): l2h is (hist_cap, n_layers, TRAIN_L2H_NT,
   * TRAIN_L2H_EXP + l2h_nexp) counts: exactly 0, +-inf, NaN, then |x| in
   * [2^e, 2^(e+1)) at index TRAIN_L2H_EXP + e - l2h_emin.  The exponents
   * run from the format's smallest subnormal to its max
   * (train_l2h_range): every value the format holds has a bin, so nothing
   * is clamped, with or without a loss scale.  NULL for other cells. */
  double *l2h;
  int l2h_emin;
  size_t l2h_nexp;
  /* Every cell: the share of the test split the task counts a success
   * (train_success: the accuracy, or every output within the task's
   * tolerance of its target), at the end; NaN for a diverged cell. */
  double success;
  /* A recurrent cell (trainrnn.c).  Its probe rows are time steps: row
   * t - 1 for t = 1..T (= depth) the last T steps of the sequence (the
   * cell's h_t, its pre-activations' error dL/da_t as delta_norm and
   * dL/dh_t as stream_grad_norm), row T the readout.  gates is
   * (cap_logs, T, n_gates, TRAIN_GATE) for the n_gates sigmoid gates
   * (LSTM i, f, o; GRU r, z; none for Elman); hh_rho and hh_sigma are the
   * spectral radius and largest singular value of the cell's phi block of
   * W_hh at the first probe ([0]) and the last ([1]), gamma max|phi'|. */
  int recurrent;
  rnn_arch arch;
  size_t n_gates;
  double *gates;
  double hh_rho[2], hh_sigma[2], gamma;
} train_result;

/* gates' values per (step, t, gate): the share of gate values below
 * TRAIN_GATE_LO and above TRAIN_GATE_HI (Karpathy et al. 2015's left- and
 * right-saturated), their mean, and the mean of sigma'(a) / max sigma'
 * (threshold-free, as slope_mean). */
enum { TRAIN_GATE_LOW, TRAIN_GATE_HIGH, TRAIN_GATE_MEAN, TRAIN_GATE_SLOPE, TRAIN_GATE };
#define TRAIN_GATE_LO 0.1
#define TRAIN_GATE_HI 0.9

/* The log2 histogram's tensors (delta: dL/dh^l, dW: the weight gradient)
 * and its bins before the exponents'. */
enum { TRAIN_L2H_DELTA, TRAIN_L2H_DW, TRAIN_L2H_NT };
enum { TRAIN_L2H_ZERO, TRAIN_L2H_INF, TRAIN_L2H_NAN, TRAIN_L2H_EXP };
/* The exponents a value of format k can have, floor(log2|x|) of its
 * smallest subnormal (*emin) to its max: *nexp of them. */
void train_l2h_range(prec_kind k, int *emin, size_t *nexp);

/* Of prec_frac's TRAIN_PF values per tensor: exactly 0 after rounding,
 * flushed (nonzero before, 0 after), overflowed (to inf, or saturated),
 * subnormal after. */
enum { TRAIN_PF_ZERO, TRAIN_PF_UFLOW, TRAIN_PF_OFLOW, TRAIN_PF_SUBN, TRAIN_PF };

/* The status a trained cell ends with, from its last probe and curve
 * point (TRAIN_OK, or one of the statuses that did not learn); TRAIN_OK
 * for a cell with no step.  depth: its hidden layers. */
int train_status_at_end(const train_result *r, size_t depth);

/* Whether step t (0..steps) is probed, and how many are. */
int train_is_log_step(long t, long steps, long log_every, int schedule);
size_t train_n_logs(long steps, long log_every, int schedule);

int train_result_init(train_result *r, const train_params *p);
/* Whether a cell of p emulates a precision or scales its loss (its
 * result then has prec_frac). */
int train_emulates(const train_params *p);
/* The predicted flush depth (train_result.flush_depth_theory) from the
 * mean-field profile theory_ratio (depth), the top hidden layer's rms
 * error entry (at the loss's own scale), the loss scale and the format. */
double train_flush_depth_theory(const double *theory_ratio, size_t depth, double top_rms, double scale,
                                prec_kind prec);
void train_result_free(train_result *r);

/* The best constant prediction's loss on the training split and error on
 * the test split (train_result's chance_loss, chance_error). */
void train_chance_levels(const dataset *d, loss_kind loss, double *chance_loss, double *chance_error);
/* The schedule every cell trains by: a probe at step 0 (after_step 0),
 * then the steps, each followed by a probe on the logged ones (after_step
 * 1, with the mean mini-batch loss since the last), until p->steps, a
 * non-finite loss or probe (TRAIN_DIVERGED) or p->stop (TRAIN_STOPPED);
 * returns the steps done.  step and probe are a cell type's, on state. */
long train_loop(const train_params *p, train_result *r, void *state, double (*step)(void *, long, int),
                int (*probe)(void *, long, int, double, train_result *));
/* A recurrent cell (trainrnn.c): as train_cell. */
int train_rnn_cell(const train_params *p, const dataset *d, train_result *r, sb_error *err);

/* Train one cell.  Returns SB_OK (also for a diverged cell: see r->status)
 * or an error (bad init, out of memory).  A `critical` init is resolved
 * here, for the cell's activation, before the weights are drawn. */
int train_cell(const train_params *p, const dataset *d, train_result *r, sb_error *err);

/* The pieces train_cell is made of, for the benchmark to time exactly
 * the library's step and probe: a cell set up for training (everything
 * allocated, weights drawn from its init stream), one step, one
 * measurement on the probe batch. */
typedef struct train_state {
  const train_params *p;
  const dataset *d;
  net *n;
  net_work *w;                /* (batch) rows: training steps */
  net_work *pwk;              /* (probe set) rows: probes and evaluations */
  probe_work *pw;
  opt_state *o;
  gsl_rng *rng_init, *rng_order;
  size_t *perm;               /* (n_train) the data order */
  double *Xb;                 /* (batch, dim) the gathered mini-batch */
  int *yb;                    /* (batch) */
  double *ratio;              /* (depth + 1) update ratios of the last logged step */
  gsl_histogram *h;
  theory_work *tw;
  jac_work *jw;               /* NULL without --jacobian */
  init_spec spec;             /* the init, resolved (critical) */
  long ls_good;               /* finite steps in a row (a dynamic loss scale) */
  long ls_skipped;            /* steps skipped for a non-finite gradient (a dynamic loss scale) */
  double *l2h_into;           /* non-NULL: train_measure counts the log2 histogram (train_result.l2h's
                               * slot layout, l2h_emin, l2h_nexp) there, before it unscales */
  int l2h_emin;
  size_t l2h_nexp;
  int probe_leads_eval;       /* the training evaluation subset begins with the probe set (the same
                               * examples) and the net has no batch norm: its first chunk of an
                               * evaluation is the probe pass, whose loss and hits are reused */
} train_state;

/* Set up a cell; r (may be NULL) gets the mean-field prediction. */
int train_state_init(train_state *s, const train_params *p, const dataset *d, train_result *r, sb_error *err);
void train_state_free(train_state *s);
/* Optimizer step t (0-based): the mini-batch of step t in the cell's data
 * order, forward, backward and, when the loss is finite, the update (with
 * update ratios into s->ratio when with_ratio).  Returns the batch loss. */
double train_step(train_state *s, long t, int with_ratio);
/* Forward and backward on the probe set, then the probe's measurement
 * into rows (depth + 1); ratio is NULL before any update.  Returns the
 * probe set's mean loss. */
double train_measure(train_state *s, const double *ratio, probe_row *rows);
/* ||dL/dtheta|| over every parameter (weights, biases, a norm's gamma and
 * beta) after train_measure: rows are its probe rows. */
double train_grad_norm(const train_state *s, const probe_row *rows);
/* Mean loss and accuracy of the network on X (n examples), forward only,
 * in chunks of the probe work's size. */
void train_evaluate(train_state *s, const double *X, const int *y, size_t n, double *loss, double *acc);

#endif
