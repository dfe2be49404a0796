/* probe.c - per-layer measurements (see probe.h).
 *
 * Every statistic is computed from buffers the forward and backward passes
 * already filled, so a probe costs a few elementwise passes per layer plus
 * two selections for the percentiles, and no allocation. */
#include <config.h>
#include "probe.h"
#include "blas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const probe_col_names[PROBE_NCOLS] = {
  "grad_w_norm", "grad_b_norm", "delta_norm", "act_mean", "act_std",
  "act_p02", "act_p98", "preact_std", "sat_frac", "dead_frac", "update_ratio"
};

probe_work *probe_work_alloc(const net *n, size_t batch)
{
  size_t maxw = 0;
  for (size_t l = 0; l < n->n_layers; l++)
    if (n->fan_out[l] > maxw) maxw = n->fan_out[l];
  probe_work *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->cap = batch * maxw;
  p->scratch = malloc(p->cap * sizeof(double));
  p->alive = malloc(maxw);
  if (!p->scratch || !p->alive) { probe_work_free(p); return NULL; }
  return p;
}

void probe_work_free(probe_work *p)
{
  if (!p) return;
  free(p->scratch);
  free(p->alive);
  free(p);
}

/* k-th smallest of x[0..n) (0-based), moving it to x[k]; afterwards every
 * x[i<k] <= x[k] <= x[j>k].  Hoare partition around a median of three. */
static double select_kth(double *x, size_t n, size_t k)
{
  size_t lo = 0, hi = n - 1;
  while (hi > lo) {
    size_t mid = lo + (hi - lo) / 2;
    double a = x[lo], b = x[mid], c = x[hi];
    double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
    size_t i = lo, j = hi;
    while (i <= j) {
      while (x[i] < pivot) i++;
      while (x[j] > pivot) j--;
      if (i <= j) {
        double t = x[i]; x[i] = x[j]; x[j] = t;
        i++;
        if (j == 0) break;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;  /* x[j+1..i-1] all equal the pivot */
  }
  return x[k];
}

double probe_quantile(double *x, size_t n, double f)
{
  if (n == 0) return NAN;
  double index = f * (double)(n - 1);
  size_t lhs = (size_t)index;
  double delta = index - (double)lhs;
  double lo = select_kth(x, n, lhs);
  if (lhs + 1 >= n || delta == 0.0) return lo;
  /* The next order statistic is the minimum of what lies above lhs. */
  double hi = x[lhs + 1];
  for (size_t i = lhs + 2; i < n; i++) if (x[i] < hi) hi = x[i];
  return (1.0 - delta) * lo + delta * hi;
}

/* Mean and sample standard deviation, two passes for accuracy.  The
 * squares overflow for deviations beyond ~1e154 (a diverging cell's
 * activations reach 1e250 while its loss is still finite) and underflow
 * below ~1e-154; only then are the sums redone with scaling, so ordinary
 * values give the same bits as the plain passes. */
static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += x[i];
  double m = s / (double)n, q = 0.0;
  if (isinf(m)) {  /* the sum overflowed, perhaps not the values */
    m = 0.0;
    for (size_t i = 0; i < n; i++) m += x[i] / (double)n;
  }
  for (size_t i = 0; i < n; i++) { double d = x[i] - m; q += d * d; }
  if (isinf(q) || q < 1e-280) {
    double big = 0.0;
    for (size_t i = 0; i < n; i++) big = fmax(big, fabs(x[i] - m));
    if (big > 0.0 && isfinite(big)) {
      q = 0.0;
      for (size_t i = 0; i < n; i++) { double d = (x[i] - m) / big; q += d * d; }
      *mean = m;
      *sd = n > 1 ? big * sqrt(q / (double)(n - 1)) : 0.0;
      return;
    }
  }
  *mean = m;
  *sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0.0;
}

void probe_measure(const net *n, const net_work *w, size_t batch, double tau,
                   const double *ratio, probe_work *p, probe_row *rows)
{
  size_t L = n->n_layers;
  double cut = tau * act_deriv_max(&n->act);
  for (size_t l = 1; l <= L; l++) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1], m = batch * fo;
    double *v = rows[l - 1].v;
    const double *h = w->h[l - 1];                    /* (batch, fo) */
    const double *a = l < L ? w->a[l - 1] : h;        /* outputs; logits at the top */
    v[PROBE_GRAD_W_NORM] = blas_nrm2(net_dW(n, l), fi * fo);
    v[PROBE_GRAD_B_NORM] = blas_nrm2(net_db(n, l), fo);
    v[PROBE_DELTA_NORM] = blas_nrm2(w->delta[l - 1], m);
    double mean, sd;
    mean_sd(a, m, &mean, &sd);
    v[PROBE_ACT_MEAN] = mean;
    v[PROBE_ACT_STD] = sd;
    memcpy(p->scratch, a, m * sizeof(double));
    v[PROBE_ACT_P02] = probe_quantile(p->scratch, m, 0.02);
    v[PROBE_ACT_P98] = probe_quantile(p->scratch, m, 0.98);
    mean_sd(h, m, &mean, &sd);
    v[PROBE_PREACT_STD] = sd;
    if (l < L) {
      const double *g = w->dphi[l - 1];
      size_t sat = 0, dead = 0;
      memset(p->alive, 0, fo);
      for (size_t i = 0; i < batch; i++)
        for (size_t j = 0; j < fo; j++) {
          int s = fabs(g[i * fo + j]) < cut;
          sat += s;
          p->alive[j] |= !s;
        }
      for (size_t j = 0; j < fo; j++) dead += !p->alive[j];
      v[PROBE_SAT_FRAC] = (double)sat / (double)m;
      v[PROBE_DEAD_FRAC] = (double)dead / (double)fo;
    } else {
      v[PROBE_SAT_FRAC] = 0.0;
      v[PROBE_DEAD_FRAC] = 0.0;
    }
    v[PROBE_UPDATE_RATIO] = ratio ? ratio[l - 1] : NAN;
  }
}

/* The natural output range of bounded activations, so histograms of
 * different cells and steps line up; 0 when unbounded. */
static int act_bounds(act_kind k, double *lo, double *hi)
{
  switch (k) {
  case ACT_SIGMOID: *lo = 0.0; *hi = 1.0; return 1;
  case ACT_TANH: case ACT_SOFTSIGN: case ACT_HARDTANH: *lo = -1.0; *hi = 1.0; return 1;
  default: return 0;
  }
}

static void fill_density(gsl_histogram *h, const double *x, size_t m, double lo, double hi, double *dens)
{
  gsl_histogram_set_ranges_uniform(h, lo, hi);
  size_t nb = h->n;
  for (size_t i = 0; i < m; i++) {
    /* The top edge belongs to the last bin, not outside the range. */
    if (x[i] >= hi) h->bin[nb - 1] += 1.0;
    else gsl_histogram_increment(h, x[i]);
  }
  double width = (hi - lo) / (double)nb;
  for (size_t b = 0; b < nb; b++) dens[b] = gsl_histogram_get(h, b) / ((double)m * width);
}

void probe_hist(const net *n, const net_work *w, size_t batch, gsl_histogram *h,
                double *dens, double *range)
{
  size_t depth = n->depth, fo = n->width, m = batch * fo, nb = PROBE_HIST_BINS;
  double alo, ahi, dmax = 0.0;
  int bounded = act_bounds(n->act.kind, &alo, &ahi);
  if (!bounded) { alo = INFINITY; ahi = -INFINITY; }
  for (size_t l = 1; l <= depth; l++) {
    const double *a = w->a[l - 1], *d = w->delta[l - 1];
    for (size_t i = 0; i < m; i++) {
      if (!bounded) { if (a[i] < alo) alo = a[i]; if (a[i] > ahi) ahi = a[i]; }
      if (fabs(d[i]) > dmax) dmax = fabs(d[i]);
    }
  }
  /* A layer of identical values (dead units, zero errors) still needs a
   * range of positive width. */
  if (!(ahi > alo)) { alo -= 0.5; ahi += 0.5; }
  if (!(dmax > 0.0)) dmax = 1.0;
  range[0] = alo; range[1] = ahi; range[2] = -dmax; range[3] = dmax;
  for (size_t l = 1; l <= depth; l++) {
    fill_density(h, w->a[l - 1], m, alo, ahi, dens + ((l - 1) * 2 + 0) * nb);
    fill_density(h, w->delta[l - 1], m, -dmax, dmax, dens + ((l - 1) * 2 + 1) * nb);
  }
}
