/* probe.h - per-layer measurements on a fixed probe batch (the manual,
 * layers.tsv): gradient norms, back-propagated error, activation statistics
 * and saturation.  A probe reads the network and its work buffers after a
 * forward and backward pass on the probe batch; it changes neither. */
#ifndef SB_PROBE_H
#define SB_PROBE_H

#include <stddef.h>
#include <gsl/gsl_histogram.h>
#include "net.h"

/* Columns of one (step, layer) measurement, in layers.tsv order.  What
 * each one is, and how it is summarized, is its row of probe_cols. */
enum {
  PROBE_GRAD_W_NORM,
  PROBE_GRAD_B_NORM,
  PROBE_DELTA_NORM,
  PROBE_STREAM_GRAD_NORM,
  PROBE_ACT_MEAN,
  PROBE_ACT_STD,
  PROBE_ACT_P02,
  PROBE_ACT_P98,
  PROBE_STREAM_RMS,
  PROBE_PREACT_STD,
  PROBE_SAT_FRAC,
  PROBE_SAT_LOW,
  PROBE_SAT_HIGH,
  PROBE_DEAD_FRAC,
  PROBE_UPDATE_RATIO,
  PROBE_WEIGHT_NORM,
  PROBE_SLOPE_MEAN,
  PROBE_DELTA_GAIN,
  PROBE_NCOLS
};

typedef struct probe_col_info {
  const char *name;   /* the column of layers.tsv; summary.tsv has NAME_mean, _sd, _ci95 */
  /* NaN is a value, not a sign of divergence (update_ratio before the
   * first update); any other NaN stops the cell as diverged. */
  int nan_ok;
  /* Also summarized per cell as its mean over the hidden layers: at every
   * logged step in curves.tsv (NAME), at the last one in cells.tsv
   * (NAME_end). */
  int hidden_mean;
  const char *about;  /* one line for `satbench list columns` and the manual */
} probe_col_info;

/* Declared without its size, so that probe.c's _Static_assert checks the
 * table's length against PROBE_NCOLS. */
extern const probe_col_info probe_cols[];

typedef struct probe_row { double v[PROBE_NCOLS]; } probe_row;

/* Scratch for percentiles, per-unit flags and the branch outputs phi(h)
 * of residual block ends, made once per cell. */
#define PROBE_BUCKETS 1024
typedef struct probe_work {
  size_t cap;            /* batch x max fan_out */
  double *scratch;       /* (cap) */
  double *branch;        /* (cap) phi(h^l) of a block end, whose a^l has the skip added */
  unsigned char *alive;  /* (max fan_out) */
  size_t *count;         /* (PROBE_BUCKETS) value counts for the percentiles */
  unsigned short *bucket;  /* (cap) each value's bucket */
} probe_work;

probe_work *probe_work_alloc(const net *n, size_t batch);
/* The same for batch rows of at most maxw units (recurrent cells). */
probe_work *probe_work_alloc_width(size_t batch, size_t maxw);
void probe_work_free(probe_work *p);

/* Fill rows[0..L) (L = depth+1) from the last net_forward/net_backward on a
 * batch of `batch` examples.  tau is the saturation threshold (a unit is
 * saturated as act_saturated says); ratio[l-1] is the update ratio of
 * layer l, or NULL before any update (NaN written).  The act_* columns
 * describe the units' outputs phi(h^l) (with skip connections, the branch,
 * not the stream a^l = a^{l-k} + s phi(h^l): stream_rms does that), like
 * the saturation columns and the histograms.  stream_grad_norm needs the
 * backward pass to have run with w->measure_da set (else NaN).  The output
 * layer is linear: its act_* and stream_rms describe the logits, its
 * stream_grad_norm is ||dL/dz|| (its delta_norm), it is never saturated,
 * its slope is 1 and its delta_gain NaN (there is no layer above it). */
void probe_measure(const net *n, const net_work *w, size_t batch, double tau,
                   const double *ratio, probe_work *p, probe_row *rows);

/* Histograms (counts per bin: every value falls in one, so a kind's counts
 * sum to batch x width) of the hidden layers' unit outputs phi(h^l) (kind
 * 0; the branch at a residual block end, as act_* in probe_measure, with
 * p's scratch) and back-propagated errors delta (kind 1) from the last
 * forward/backward pass, PROBE_HIST_BINS uniform bins each.  All layers
 * share one range per kind so that they can be compared, as in Glorot &
 * Bengio's Figures 6 and 7: the activation's own range when it is bounded
 * (widened to the data should a value ever fall outside it), else [min,
 * max] over the layers; [-m, m] with m = max |delta| for errors.  count is
 * (depth, 2, BINS), range (2, 2) as {lo, hi} per kind. */
#define PROBE_HIST_BINS 50
void probe_hist(const net *n, const net_work *w, size_t batch, probe_work *p, gsl_histogram *h,
                double *count, double *range);

/* The columns of probe_measure that describe units, for units that are
 * not a net's layer (a recurrent cell's phi units at one time step): from
 * their outputs phi (batch, width), inputs h and derivatives dphi, the
 * act_* columns, stream_rms (of phi), preact_std, the saturation columns,
 * dead_frac and slope_mean of v, by the same code as a layer's; dphi
 * NULL: linear units (a readout), as a net's output layer. */
void probe_units(const act_fn *f, double tau, const double *phi, const double *h, const double *dphi,
                 size_t batch, size_t width, probe_work *p, double *v);
/* delta_gain's mean over examples of ||lower_i||^2 / ||upper_i||^2. */
double probe_gain_mean(const double *lower, size_t lo_w, const double *upper, size_t up_w, size_t batch);

/* Quantile f in [0,1] of x[0..n) with the interpolation of
 * gsl_stats_quantile_from_sorted_data, by selection (x is reordered). */
double probe_quantile(double *x, size_t n, double f);

#endif
