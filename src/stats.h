/* stats.h - numbers derived from probe records: a cell's attenuation and
 * decay rate (least squares with gsl_fit), and across-seed summaries with
 * Student-t intervals (gsl_stats, gsl_cdf). */
#ifndef SB_STATS_H
#define SB_STATS_H

#include <stddef.h>
#include "probe.h"

/* cells.tsv's derived columns of one cell.  The gradient profile they
 * read is ||delta^l|| (delta_norm) in a net without skip connections and
 * ||dL/da^l|| (stream_grad_norm) in one with them: there delta^l is the
 * branch's error, which carries the scale s at block ends but not at
 * layer 1 (no block ends there), so its ratios jump by log10 s. */
typedef struct cell_stats {
  double attenuation0;     /* log10(g^1 / g^depth) at step 0, g the profile    */
  double attenuation_end;  /* the same at the last logged step                 */
  double decay_rate;       /* slope of log10 g^l against l, step 0             */
  double decay_rate_r2;    /* R^2 of that fit                                  */
  /* per probe column with hidden_mean (probe.h): its mean over the hidden
   * layers at the last logged step; NaN for the others */
  double end_mean[PROBE_NCOLS];
} cell_stats;

/* first and last: the probe rows (depth+1 layers each) at step 0 and at the
 * last logged step; either may be NULL (no probe), giving NaN.  skips:
 * whether the net has a skip connection (net_arch_has_skip): the profile
 * is then the stream's. */
void stats_cell(const probe_row *first, const probe_row *last, size_t depth, int skips, cell_stats *out);

/* Mean, sample sd and the half-width of the 95% Student-t interval over
 * the non-NaN values of x (which are moved to its front). */
typedef struct seed_summary { size_t n; double mean, sd, ci95; } seed_summary;
void stats_over_seeds(double *x, size_t count, seed_summary *out);

#endif
