/* stats.c - cell metrics and across-seed summaries (see stats.h). */
#include <config.h>
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

static double attenuation(const probe_row *rows, size_t depth, int col)
{
  return log10(rows[0].v[col] / rows[depth - 1].v[col]);
}

static double hidden_mean(const probe_row *rows, size_t depth, int col)
{
  double s = 0.0;
  for (size_t l = 0; l < depth; l++) s += rows[l].v[col];
  return s / (double)depth;
}

void stats_cell(const probe_row *first, const probe_row *last, size_t depth, int skips, cell_stats *out)
{
  int col = skips ? PROBE_STREAM_GRAD_NORM : PROBE_DELTA_NORM;
  out->attenuation0 = first ? attenuation(first, depth, col) : NAN;
  out->attenuation_end = last ? attenuation(last, depth, col) : NAN;
  for (int k = 0; k < PROBE_NCOLS; k++)
    out->end_mean[k] = last && probe_cols[k].hidden_mean ? hidden_mean(last, depth, k) : NAN;
  out->decay_rate = out->decay_rate_r2 = NAN;
  if (!first || depth < 2) return;
  double *x = malloc(2 * depth * sizeof *x), *y = x + depth;
  if (!x) return;
  for (size_t l = 0; l < depth; l++) {
    x[l] = (double)(l + 1);
    y[l] = log10(first[l].v[col]);
    if (!isfinite(y[l])) { free(x); return; }  /* a zero norm has no logarithm to fit */
  }
  double c0, c1, cov00, cov01, cov11, sumsq;
  gsl_fit_linear(x, 1, y, 1, depth, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
  double ybar = gsl_stats_mean(y, 1, depth), sst = 0.0;
  for (size_t l = 0; l < depth; l++) sst += (y[l] - ybar) * (y[l] - ybar);
  out->decay_rate = c1;
  /* A perfectly flat profile is fitted exactly: R^2 = 1, not 0/0. */
  out->decay_rate_r2 = sst > 0.0 ? 1.0 - sumsq / sst : 1.0;
  free(x);
}

void stats_over_seeds(double *x, size_t count, seed_summary *out)
{
  size_t n = 0;
  for (size_t i = 0; i < count; i++)
    if (!isnan(x[i])) x[n++] = x[i];
  out->n = n;
  out->mean = out->sd = out->ci95 = NAN;
  if (n > 0) out->mean = gsl_stats_mean(x, 1, n);
  if (n > 1) {
    out->sd = gsl_stats_sd_m(x, 1, n, out->mean);
    out->ci95 = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * out->sd / sqrt((double)n);
  }
}
