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

/* Adding a metric is a row here, an enumerator in probe.h and its
 * computation in probe_measure (HACKING.md, "Add a metric"). */
const probe_col_info probe_cols[] = {
  [PROBE_GRAD_W_NORM]  = { "grad_w_norm", 0, 0, "||dL/dW^l||_F, Frobenius norm of the weight gradient" },
  [PROBE_GRAD_B_NORM]  = { "grad_b_norm", 0, 0, "||dL/db^l||_2" },
  [PROBE_DELTA_NORM]   = { "delta_norm", 0, 0, "||delta^l||_F = ||dL/dh^l|| over the probe batch (with skip connections the branch's error: at a block end it carries the scale s)" },
  [PROBE_STREAM_GRAD_NORM] = { "stream_grad_norm", 0, 0, "||dL/da^l||_F, the gradient of the layer's output a^l, the input of the layers above (with skip connections the residual stream; ||dL/dz|| at the output layer)" },
  [PROBE_ACT_MEAN]     = { "act_mean", 0, 0, "mean of the units' outputs phi(h^l) over probe examples x units (with skip connections the branch, before the skip is added; the logits at the output layer)" },
  [PROBE_ACT_STD]      = { "act_std", 0, 0, "its sample standard deviation" },
  [PROBE_ACT_P02]      = { "act_p02", 0, 0, "its 2nd percentile" },
  [PROBE_ACT_P98]      = { "act_p98", 0, 0, "its 98th percentile" },
  [PROBE_STREAM_RMS]   = { "stream_rms", 0, 0, "root mean square of the layer's output a^l over probe examples x units: with skip connections the stream a^{l-k} + s phi(h^l), else phi(h^l) (the logits at the output layer)" },
  [PROBE_PREACT_STD]   = { "preact_std", 0, 0, "standard deviation of the pre-activations h^l" },
  [PROBE_SAT_FRAC]     = { "sat_frac", 0, 1, "share of (example, unit) pairs in a tail of phi with |phi'(h)| < tau max|phi'| (0 at the output layer; the manual, \"Saturated and dead units\"); sat_low + sat_high" },
  [PROBE_SAT_LOW]      = { "sat_low", 0, 1, "the saturated pairs with h <= 0: sigmoid pinned near 0, tanh near -1, a ReLU off" },
  [PROBE_SAT_HIGH]     = { "sat_high", 0, 1, "the saturated pairs with h > 0: sigmoid near 1, tanh near +1" },
  [PROBE_DEAD_FRAC]    = { "dead_frac", 0, 1, "share of units saturated on every probe example (0 at the output layer; never for leaky_relu)" },
  [PROBE_UPDATE_RATIO] = { "update_ratio", 1, 0, "||Delta W^l|| / ||W^l|| of the last update (NaN at step 0)" },
  [PROBE_WEIGHT_NORM]  = { "weight_norm", 0, 0, "||W^l||_F, the weights into the layer (their growth drives saturation)" },
  [PROBE_SLOPE_MEAN]   = { "slope_mean", 0, 1, "mean of |phi'(h)| / max|phi'| over probe examples x units: saturation with no threshold (1 at the output layer)" },
  /* NaN where no example's error reaches the layer above (a dead ReLU layer) */
  [PROBE_DELTA_GAIN]   = { "delta_gain", 1, 0, "mean over probe examples x with delta^{l+1}_x != 0 of ||delta^l_x||^2 / ||delta^{l+1}_x||^2: the measured chi_1 (NaN at the output layer)" },
};
_Static_assert(sizeof probe_cols / sizeof probe_cols[0] == PROBE_NCOLS,
               "probe_cols needs one row per PROBE_ column");

probe_work *probe_work_alloc(const net *n, size_t batch)
{
  size_t maxw = 0;
  for (size_t l = 0; l < n->n_layers; l++)
    if (n->fan_out[l] > maxw) maxw = n->fan_out[l];
  return probe_work_alloc_width(batch, maxw);
}

probe_work *probe_work_alloc_width(size_t batch, size_t maxw)
{
  probe_work *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->cap = batch * maxw;
  p->scratch = malloc(p->cap * sizeof(double));
  p->branch = malloc(p->cap * sizeof(double));
  p->alive = malloc(maxw);
  p->count = malloc(PROBE_BUCKETS * sizeof *p->count);
  p->bucket = malloc(p->cap * sizeof *p->bucket);
  if (!p->scratch || !p->branch || !p->alive || !p->count || !p->bucket) { probe_work_free(p); return NULL; }
  return p;
}

void probe_work_free(probe_work *p)
{
  if (!p) return;
  free(p->scratch);
  free(p->branch);
  free(p->alive);
  free(p->count);
  free(p->bucket);
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

/* Where quantile f of n values falls: between order statistics lhs and
 * lhs + 1, at fraction delta (gsl_stats_quantile_from_sorted_data). */
static void quantile_rank(size_t n, double f, size_t *lhs, double *delta)
{
  double index = f * (double)(n - 1);
  *lhs = (size_t)index;
  *delta = index - (double)*lhs;
}

/* The quantile from x[0..n) holding order statistics lhs and lhs + 1 of
 * the data (x is reordered). */
static double quantile_at(double *x, size_t n, size_t lhs, double delta)
{
  double lo = select_kth(x, n, lhs);
  if (lhs + 1 >= n || delta == 0.0) return lo;
  /* The next order statistic is the minimum of what lies above lhs. */
  double hi = x[lhs + 1];
  for (size_t i = lhs + 2; i < n; i++) if (x[i] < hi) hi = x[i];
  return (1.0 - delta) * lo + delta * hi;
}

/* quantile_at's value when both order statistics are v, in its arithmetic. */
static double quantile_of_equal(double v, size_t n, size_t lhs, double delta)
{
  return lhs + 1 >= n || delta == 0.0 ? v : (1.0 - delta) * v + delta * v;
}

double probe_quantile(double *x, size_t n, double f)
{
  if (n == 0) return NAN;
  size_t lhs;
  double delta;
  quantile_rank(n, f, &lhs, &delta);
  return quantile_at(x, n, lhs, delta);
}

/* Sums run in LANES interleaved partial sums (value i goes to lane i mod
 * LANES), added pairwise at the end: a fixed order, so the same bits on
 * every run, but LANES independent chains of additions instead of one,
 * whose latency per value was most of a probe's statistics. */
#define LANES 8

/* Vectorizable loops (no reductions but LANES-wide ones written out). */
#ifdef _OPENMP
#define SB_SIMD _Pragma("omp simd")
#else
#define SB_SIMD
#endif

static double lanes_total(const double *acc)
{
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* The lane loops below, like the bucketing and the saturation counts,
 * are compiled for AVX2 and AVX-512 too (SB_CLONES): the lanes fix the
 * order of every addition, so each version gives the same bits. */
SB_CLONES static double sum(const double *x, size_t n)
{
  double acc[LANES] = { 0 };
  size_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int j = 0; j < LANES; j++) acc[j] += x[i + j];
  for (; i < n; i++) acc[i % LANES] += x[i];
  return lanes_total(acc);
}

/* sum of (x - m)^2 */
SB_CLONES static double sum_sq_dev(const double *x, size_t n, double m)
{
  double acc[LANES] = { 0 };
  size_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int j = 0; j < LANES; j++) { double d = x[i + j] - m; acc[j] += d * d; }
  for (; i < n; i++) { double d = x[i] - m; acc[i % LANES] += d * d; }
  return lanes_total(acc);
}

/* Minimum and maximum in LANES interleaved lanes (independent chains);
 * NaNs are not seen (a comparison with NaN is false), callers check the
 * sum for them. */
SB_CLONES static void min_max(const double *x, size_t n, double *mn, double *mx)
{
  double lo[LANES], hi[LANES];
  for (int j = 0; j < LANES; j++) lo[j] = hi[j] = x[0];
  size_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int j = 0; j < LANES; j++) {
      double v = x[i + j];
      lo[j] = v < lo[j] ? v : lo[j];
      hi[j] = v > hi[j] ? v : hi[j];
    }
  for (; i < n; i++) {
    lo[0] = x[i] < lo[0] ? x[i] : lo[0];
    hi[0] = x[i] > hi[0] ? x[i] : hi[0];
  }
  for (int j = 1; j < LANES; j++) {
    lo[0] = lo[j] < lo[0] ? lo[j] : lo[0];
    hi[0] = hi[j] > hi[0] ? hi[j] : hi[0];
  }
  *mn = lo[0];
  *mx = hi[0];
}

/* count[b] = number of idx[i] == b, b < nb <= PROBE_BUCKETS; idx values
 * >= nb are not counted.  Four interleaved tables, so that runs of one
 * index (dead or saturated units) do not wait on each other's
 * increments. */
static void count_values(const unsigned short *idx, size_t n, size_t nb, size_t *count)
{
  enum { WAYS = 4, CHUNK = 1 << 30 };  /* a chunk cannot overflow unsigned */
  unsigned c[WAYS][PROBE_BUCKETS + 1];
  memset(count, 0, nb * sizeof *count);
  for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
    size_t end = n - i0 < CHUNK ? n : i0 + CHUNK, i = i0;
    for (int w = 0; w < WAYS; w++) memset(c[w], 0, (nb + 1) * sizeof c[w][0]);
    for (; i + WAYS <= end; i += WAYS)
      for (int w = 0; w < WAYS; w++) c[w][idx[i + w] < nb ? idx[i + w] : nb]++;
    for (; i < end; i++) c[0][idx[i] < nb ? idx[i] : nb]++;
    for (size_t b = 0; b < nb; b++) count[b] += (size_t)c[0][b] + c[1][b] + c[2][b] + c[3][b];
  }
}

/* Bucket of x: 0 for x == mn, PROBE_BUCKETS - 1 for x == mx, and between
 * them PROBE_BUCKETS - 2 equal slices of (mn, mx), scale = (PROBE_BUCKETS
 * - 2) / (mx - mn).  Monotone in x (every step rounds monotonically), so a
 * bucket's values all lie between those of the buckets on either side:
 * the order statistics of the data are the buckets' order statistics, in
 * bucket order.  The extremes have buckets of their own because a
 * percentile often is one exactly (a ReLU layer's 2nd percentile is 0, a
 * hardtanh's are -1 and 1): such a bucket holds one value, so its order
 * statistics need no gathering. */
static inline size_t bucket_of(double x, double mn, double mx, double scale)
{
  /* through int: a double to size_t conversion is a branchy sequence on
   * x86-64, and one to long has no vector instruction in AVX-512F; the
   * product is at most PROBE_BUCKETS - 2 (mn <= x <= mx, all finite) */
  int b = 1 + (int)((x - mn) * scale);
  b = b < PROBE_BUCKETS - 2 ? b : PROBE_BUCKETS - 2;
  b = x > mn ? b : 0;  /* comparisons and selects, no branch: the loop vectorizes */
  b = x < mx ? b : PROBE_BUCKETS - 1;
  return (size_t)b;
}

SB_CLONES static void fill_buckets(unsigned short *bucket, const double *x, size_t n, double mn, double mx)
{
  double scale = (double)(PROBE_BUCKETS - 2) / (mx - mn);
  SB_SIMD
  for (size_t i = 0; i < n; i++) bucket[i] = (unsigned short)bucket_of(x[i], mn, mx, scale);
}

/* Bucket holding order statistic r, given the counts; *below gets the
 * number of values in earlier buckets. */
static size_t bucket_of_rank(const size_t *count, size_t r, size_t *below)
{
  size_t b = 0, cum = 0;
  while (cum + count[b] <= r) cum += count[b++];
  *below = cum;
  return b;
}

/* Quantiles f[0] < f[1] of x[0..n), with bucket[i] = bucket_of(x[i]) and
 * count[] the number of values per bucket: the values of the (at most two)
 * runs of buckets that hold the order statistics needed are copied to
 * scratch and selected there, so the work is two linear passes plus a
 * selection among a few percent of the values, not a sort or a
 * selection over all of them.  The results are the same order
 * statistics, so the same bits, as probe_quantile's. */
static void quantiles_bucketed(const double *x, size_t n, const unsigned short *bucket, const size_t *count,
                               double mn, double mx, const double f[2], double *scratch, double out[2])
{
  size_t lhs[2], first[2], last[2], below[2], dummy;
  double delta[2];
  int gather = 0;
  for (int k = 0; k < 2; k++) {
    quantile_rank(n, f[k], &lhs[k], &delta[k]);
    first[k] = bucket_of_rank(count, lhs[k], &below[k]);
    last[k] = lhs[k] + 1 < n && delta[k] != 0.0 ? bucket_of_rank(count, lhs[k] + 1, &dummy) : first[k];
    /* Both order statistics in an extreme's own bucket: that value. */
    if (first[k] == last[k] && (first[k] == 0 || first[k] == PROBE_BUCKETS - 1))
      out[k] = quantile_of_equal(first[k] == 0 ? mn : mx, n, lhs[k], delta[k]);
    else gather |= 1 << k;
  }
  if (!gather) return;
  /* Overlapping runs (most values in a few buckets) become one. */
  int runs = gather == 3 && last[0] >= first[1] ? 1 : 2;
  if (runs == 1 && last[1] > last[0]) last[0] = last[1];
  size_t len[2] = { 0, 0 };
  double *part[2] = { scratch, scratch };
  if (runs == 2 && gather == 3) {
    for (size_t b = first[0]; b <= last[0]; b++) len[0] += count[b];
    part[1] = scratch + len[0];
    len[0] = 0;
  }
  for (size_t i = 0; i < n; i++) {
    size_t b = bucket[i];
    if ((gather & 1) && b - first[0] <= last[0] - first[0]) part[0][len[0]++] = x[i];  /* unsigned: first <= b <= last */
    else if (runs == 2 && (gather & 2) && b - first[1] <= last[1] - first[1]) part[1][len[1]++] = x[i];
  }
  if (runs == 1) {
    out[0] = quantile_at(part[0], len[0], lhs[0] - below[0], delta[0]);
    out[1] = quantile_at(part[0], len[0], lhs[1] - below[0], delta[1]);
  } else {
    if (gather & 1) out[0] = quantile_at(part[0], len[0], lhs[0] - below[0], delta[0]);
    if (gather & 2) out[1] = quantile_at(part[1], len[1], lhs[1] - below[1], delta[1]);
  }
}

/* Mean and sample standard deviation, two passes for accuracy.  The
 * squares overflow for deviations beyond ~1e154 (a diverging cell's
 * activations reach 1e250 while its loss is still finite) and underflow
 * below ~1e-154; only then are the sums redone with scaling, so ordinary
 * values give the same bits as the plain passes. */
static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
  double m = sum(x, n) / (double)n, q;
  if (isinf(m)) {  /* the sum overflowed, perhaps not the values */
    m = 0.0;
    for (size_t i = 0; i < n; i++) m += x[i] / (double)n;
  }
  q = sum_sq_dev(x, n, m);
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

/* Mean, sample standard deviation and the 2nd and 98th percentiles of a
 * layer's outputs, with mean_sd's bits and probe_quantile's: a pass
 * finds the range, one counts the values per bucket of it, and one more
 * gathers the few buckets the percentiles fall in.  Non-finite values
 * take the plain route. */
static void act_stats(const double *x, size_t n, probe_work *p, double *mean, double *sd, double q[2])
{
  static const double f[2] = { 0.02, 0.98 };
  double mn, mx;
  min_max(x, n, &mn, &mx);
  double m = sum(x, n) / (double)n;
  if (!isfinite(m) || !isfinite(mn) || !isfinite(mx) || !(mx > mn) || !isfinite(mx - mn)) {
    mean_sd(x, n, mean, sd);
    for (int k = 0; k < 2; k++) {
      memcpy(p->scratch, x, n * sizeof(double));
      q[k] = probe_quantile(p->scratch, n, f[k]);
    }
    return;
  }
  double ss = sum_sq_dev(x, n, m);
  fill_buckets(p->bucket, x, n, mn, mx);
  count_values(p->bucket, n, PROBE_BUCKETS, p->count);
  if (isinf(ss) || ss < 1e-280) mean_sd(x, n, mean, sd);  /* the rescaled route */
  else {
    *mean = m;
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
  }
  quantiles_bucketed(x, n, p->bucket, p->count, mn, mx, f, p->scratch, q);
}

/* Saturated pairs (in a tail, h <= lo or h >= hi, and |phi'| < cut),
 * those with h <= 0, and units saturated on every example, of a layer's
 * (batch, fo) derivatives g and inputs h; integer counts, so any order of
 * additions gives the same totals. */
SB_CLONES static void sat_counts(const double *g, const double *h, size_t batch, size_t fo, double cut, double lo,
                                 double hi, unsigned char *alive, size_t *sat_out, size_t *low_out, size_t *dead_out)
{
  size_t sat = 0, low = 0, dead = 0;
  memset(alive, 0, fo);
  for (size_t i = 0; i < batch; i++) {
    const double *gi = g + i * fo, *hi_ = h + i * fo;
#ifdef _OPENMP
#pragma omp simd reduction(+ : sat, low)
#endif
    for (size_t j = 0; j < fo; j++) {
      int s = (fabs(gi[j]) < cut) & ((hi_[j] <= lo) | (hi_[j] >= hi));
      sat += (size_t)s;
      low += (size_t)(s & (hi_[j] <= 0.0));
      alive[j] |= (unsigned char)!s;
    }
  }
  for (size_t j = 0; j < fo; j++) dead += !alive[j];
  *sat_out = sat;
  *low_out = low;
  *dead_out = dead;
}

/* sum of |x| */
SB_CLONES static double sum_abs(const double *x, size_t n)
{
  double acc[LANES] = { 0 };
  size_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int j = 0; j < LANES; j++) acc[j] += fabs(x[i + j]);
  for (; i < n; i++) acc[i % LANES] += fabs(x[i]);
  return lanes_total(acc);
}

/* Mean over the examples i whose upper error is not 0 of
 * ||lower_i||^2 / ||upper_i||^2, lower (batch, lo_w) and upper (batch,
 * up_w); NaN when there is none.  The ratio of norms is formed first, so
 * errors of 1e-200 (whose squares underflow) still give their ratio. */
static double gain_mean(const double *lower, size_t lo_w, const double *upper, size_t up_w, size_t batch)
{
  double s = 0.0;
  size_t k = 0;
  for (size_t i = 0; i < batch; i++) {
    double b = blas_nrm2(upper + i * up_w, up_w);
    if (!(b > 0.0)) continue;
    double r = blas_nrm2(lower + i * lo_w, lo_w) / b;
    s += r * r;
    k++;
  }
  return k ? s / (double)k : NAN;
}

/* The units' outputs phi(h^l) of hidden layer l, m = batch x width values:
 * a^l itself but at a residual block end, where the forward pass added the
 * skip to phi(h^l) in place; there they are made again from h^l into
 * `into`, by the same kernel, so the same bits as the forward pass's. */
static const double *unit_outputs(const net *n, const net_work *w, size_t l, size_t m, double *into)
{
  if (!net_block_end(n, l)) return w->a[l - 1];
  act_forward(&n->act, into, NULL, w->h[l - 1], m);
  return into;
}

/* The columns that describe units, of width units over batch examples:
 * their outputs phi (act_*), the stream a they leave (stream_rms), their
 * inputs h (preact_std) and, for units with an activation, its slopes
 * dphi (saturation, dead, slope_mean); dphi NULL: a linear output layer,
 * never saturated, slope 1.  dmax = max|phi'|, cut = tau dmax. */
static void unit_cols(double dmax, double cut, double tail_lo, double tail_hi, const double *phi, const double *a,
                      const double *h, const double *dphi, size_t batch, size_t width, probe_work *p, double *v)
{
  size_t m = batch * width;
  double mean, sd, q[2];
  act_stats(phi, m, p, &mean, &sd, q);
  v[PROBE_ACT_MEAN] = mean;
  v[PROBE_ACT_STD] = sd;
  v[PROBE_ACT_P02] = q[0];
  v[PROBE_ACT_P98] = q[1];
  v[PROBE_STREAM_RMS] = blas_nrm2(a, m) / sqrt((double)m);
  mean_sd(h, m, &mean, &sd);
  v[PROBE_PREACT_STD] = sd;
  if (dphi) {
    size_t sat, low, dead;
    sat_counts(dphi, h, batch, width, cut, tail_lo, tail_hi, p->alive, &sat, &low, &dead);
    v[PROBE_SAT_FRAC] = (double)sat / (double)m;
    v[PROBE_SAT_LOW] = (double)low / (double)m;
    v[PROBE_SAT_HIGH] = (double)(sat - low) / (double)m;
    v[PROBE_DEAD_FRAC] = (double)dead / (double)width;
    v[PROBE_SLOPE_MEAN] = sum_abs(dphi, m) / (double)m / dmax;
  } else {
    v[PROBE_SAT_FRAC] = v[PROBE_SAT_LOW] = v[PROBE_SAT_HIGH] = 0.0;
    v[PROBE_DEAD_FRAC] = 0.0;
    v[PROBE_SLOPE_MEAN] = 1.0;
  }
}

void probe_measure(const net *n, const net_work *w, size_t batch, double tau,
                   const double *ratio, probe_work *p, probe_row *rows)
{
  size_t L = n->n_layers;
  double dmax = act_deriv_max(&n->act), cut = tau * dmax;
  const act_info *ai = act_info_of(n->act.kind);
  double tail_lo = ai ? ai->tail_lo : NAN, tail_hi = ai ? ai->tail_hi : NAN;
  for (size_t l = 1; l <= L; l++) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1], m = batch * fo;
    double *v = rows[l - 1].v;
    const double *h = w->h[l - 1];                    /* (batch, fo) */
    const double *a = l < L ? w->a[l - 1] : h;        /* outputs a^l; logits at the top */
    const double *phi = l < L ? unit_outputs(n, w, l, m, p->branch) : h;  /* phi(h^l) */
    v[PROBE_GRAD_W_NORM] = blas_nrm2(net_dW(n, l), fi * fo);
    v[PROBE_GRAD_B_NORM] = blas_nrm2(net_db(n, l), fo);
    v[PROBE_DELTA_NORM] = blas_nrm2(w->delta[l - 1], m);
    v[PROBE_STREAM_GRAD_NORM] = l == L ? v[PROBE_DELTA_NORM] : w->measure_da ? w->da_norm[l - 1] : NAN;
    unit_cols(dmax, cut, tail_lo, tail_hi, phi, a, h, l < L ? w->dphi[l - 1] : NULL, batch, fo, p, v);
    v[PROBE_DELTA_GAIN] = l < L ? gain_mean(w->delta[l - 1], fo, w->delta[l], n->fan_out[l], batch) : NAN;
    v[PROBE_UPDATE_RATIO] = ratio ? ratio[l - 1] : NAN;
    v[PROBE_WEIGHT_NORM] = blas_nrm2(net_W(n, l), fi * fo);
  }
}

/* Bins as gsl_histogram_increment finds them (range[b] <= x <
 * range[b+1], over gsl's own range array), without its call and checks
 * per value: the linear guess is off by at most one near an edge, and the
 * comparisons settle it exactly.  (A vectorized guess needs gathers of the
 * edges, which made it slower.) */
static void fill_counts(gsl_histogram *h, const double *x, size_t m, double lo, double hi, double *count)
{
  gsl_histogram_set_ranges_uniform(h, lo, hi);
  size_t nb = h->n;
  const double *r = h->range;
  double r0 = r[0], rn = r[nb], scale = (double)nb / (rn - r0);
  for (size_t i = 0; i < m; i++) {
    double v = x[i];
    /* The top edge belongs to the last bin, not outside the range. */
    if (v >= hi) { h->bin[nb - 1] += 1.0; continue; }
    if (!(v >= r0) || !(v < rn)) continue;  /* outside, as gsl drops it */
    size_t b = (size_t)(long)((v - r0) * scale);
    if (b >= nb) b = nb - 1;
    while (b > 0 && v < r[b]) b--;
    while (b + 1 < nb && v >= r[b + 1]) b++;
    h->bin[b] += 1.0;
  }
  for (size_t b = 0; b < nb; b++) count[b] = gsl_histogram_get(h, b);
}

void probe_hist(const net *n, const net_work *w, size_t batch, probe_work *p, gsl_histogram *h,
                double *count, double *range)
{
  size_t depth = n->depth, fo = n->width, m = batch * fo, nb = PROBE_HIST_BINS;
  double alo = INFINITY, ahi = -INFINITY, dmax = 0.0;
  for (size_t l = 1; l <= depth; l++) {
    const double *a = unit_outputs(n, w, l, m, p->branch), *d = w->delta[l - 1];
    for (size_t i = 0; i < m; i++) {
      if (a[i] < alo) alo = a[i];
      if (a[i] > ahi) ahi = a[i];
      if (fabs(d[i]) > dmax) dmax = fabs(d[i]);
    }
  }
  /* A bounded activation's own range, so histograms of different cells
   * and steps line up; phi(h) lies in it, but should a value not, the
   * range takes it in rather than lose it. */
  const act_info *ai = act_info_of(n->act.kind);
  if (ai && ai->bounded) {
    alo = fmin(alo, ai->lo);
    ahi = fmax(ahi, ai->hi);
  }
  /* A layer of identical values (dead units, zero errors) still needs a
   * range of positive width. */
  if (!(ahi > alo)) { alo -= 0.5; ahi += 0.5; }
  if (!(dmax > 0.0)) dmax = 1.0;
  range[0] = alo; range[1] = ahi; range[2] = -dmax; range[3] = dmax;
  for (size_t l = 1; l <= depth; l++) {
    fill_counts(h, unit_outputs(n, w, l, m, p->branch), m, alo, ahi, count + ((l - 1) * 2 + 0) * nb);
    fill_counts(h, w->delta[l - 1], m, -dmax, dmax, count + ((l - 1) * 2 + 1) * nb);
  }
}

void probe_units(const act_fn *f, double tau, const double *phi, const double *h, const double *dphi,
                 size_t batch, size_t width, probe_work *p, double *v)
{
  double dmax = act_deriv_max(f);
  const act_info *ai = act_info_of(f->kind);
  unit_cols(dmax, tau * dmax, ai ? ai->tail_lo : NAN, ai ? ai->tail_hi : NAN, phi, phi, h, dphi, batch, width, p, v);
}

double probe_gain_mean(const double *lower, size_t lo_w, const double *upper, size_t up_w, size_t batch)
{
  return gain_mean(lower, lo_w, upper, up_w, batch);
}
