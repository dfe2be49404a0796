/* train.h - one cell: build a network, train it on a shared dataset with
 * its own random streams, and probe it at step 0, every log_every steps
 * and at the end. */
#ifndef SB_TRAIN_H
#define SB_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include "act.h"
#include "data.h"
#include "init.h"
#include "net.h"
#include "probe.h"
#include "theory.h"
#include <gsl/gsl_rng.h>
#include <gsl/gsl_histogram.h>

/* Random streams of a cell, derived from (master seed, seed index) only. */
enum { STREAM_DATASET = 0, STREAM_INIT = 1, STREAM_ORDER = 2 };
unsigned long train_seed(unsigned long master, unsigned long seed_index, unsigned stream);

typedef struct train_params {
  act_fn act;
  init_spec init;
  size_t depth, width;
  unsigned long master_seed, seed_index;
  size_t batch;
  long steps;          /* optimizer steps; 0 = measure at init only */
  double lr;
  opt_kind opt;
  loss_kind loss;
  long log_every;      /* probe every this many steps; 0 = only first and last */
  double tau;          /* saturation threshold */
  volatile sig_atomic_t *stop;  /* when non-NULL and set, stop early (TRAIN_STOPPED) */
} train_params;

enum { TRAIN_OK = 0, TRAIN_DIVERGED = 1, TRAIN_STOPPED = 2 };

typedef struct train_result {
  int status;                 /* TRAIN_OK or TRAIN_DIVERGED */
  long steps_done;
  double final_loss;          /* mean loss over the training set at the end */
  double final_train_acc, final_test_acc;
  size_t n_layers;            /* depth + 1 */
  size_t n_logs, cap_logs;
  long *log_steps;            /* (cap_logs) step of each probe */
  probe_row *rows;            /* (cap_logs, n_layers) */
  /* Histograms (probe_hist) at the first probe (slot 0) and at the last
   * step (slot 1; a copy of slot 0 when the cell diverged before it): hist
   * is (2, depth, 2, PROBE_HIST_BINS), hist_range (2, 4), hist_step the
   * step of each slot. */
  double *hist;
  double hist_range[2][4];
  long hist_step[2];
  /* Mean-field prediction at initialization (theory.h) for this cell's
   * activation, init and sizes, with q0 the mean x^2 of the probe batch:
   * theory_ratio[l-1] = log10(||delta^l|| / ||delta^depth||), l = 1..depth,
   * and the least-squares slope of that profile.  NaN until computed. */
  double *theory_ratio;       /* (depth) */
  double theory_decay_rate;
} train_result;

/* Number of probes a run of `steps` steps with `log_every` makes. */
size_t train_n_logs(long steps, long log_every);

int train_result_init(train_result *r, const train_params *p);
void train_result_free(train_result *r);

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
  net_work *w;
  probe_work *pw;
  opt_state *o;
  gsl_rng *rng_init, *rng_order;
  size_t *perm;               /* (n_train) the data order */
  double *Xb;                 /* (batch, dim) the gathered mini-batch */
  int *yb;                    /* (batch) */
  double *ratio;              /* (depth + 1) update ratios of the last logged step */
  gsl_histogram *h;
  theory_work *tw;
  init_spec spec;             /* the init, resolved (critical) */
} train_state;

/* Set up a cell; r (may be NULL) gets the mean-field prediction. */
int train_state_init(train_state *s, const train_params *p, const dataset *d, train_result *r, sb_error *err);
void train_state_free(train_state *s);
/* Optimizer step t (0-based): the mini-batch of step t in the cell's data
 * order, forward, backward and, when the loss is finite, the update (with
 * update ratios into s->ratio when with_ratio).  Returns the batch loss. */
double train_step(train_state *s, long t, int with_ratio);
/* Forward and backward on the probe batch, then the probe's measurement
 * into rows (depth + 1); ratio is NULL before any update.  Returns the
 * probe batch's loss. */
double train_measure(train_state *s, const double *ratio, probe_row *rows);

#endif
