/* figures.c - the figures of `satbench plot` (see figure.h): for each, the
 * C side selects and aggregates (with GSL statistics where seeds are
 * pooled) and writes NAME.dat and the few settings its template needs
 * (which panels, which blocks, which colours and dashes, axis sizes).
 * Everything about how a figure looks lives in plots/templates/NAME.gp.
 *
 * Every figure holds on any grid: one depth or twenty, one seed or ten,
 * one init or seven, two layers or fifty (a readable subset is drawn,
 * fig_layer_subset), several learning rates, optimizers, losses or widths
 * (variants: panels or dash patterns, never overplotted), and it is
 * skipped, with a note, when the grid did not measure what it shows. */
#include <config.h>
#include "figure.h"
#include "num.h"
#include "init.h"
#include "prec.h"
#include "stats.h"
#include "theory.h"
#include "tsv.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared pieces -------------------------------------------------------------- */

static int is_recurrent(const fig_grid *g, const fig_cell *cell);   /* the recurrent figures' */

/* Panels in a grid of at most maxcols columns. */
static size_t cols_for(size_t n, size_t maxcols)
{
  if (n <= maxcols) return n ? n : 1;
  /* rows without holes where they can be had: 6 or 9 panels in threes */
  if (maxcols == 4 && n % 4 && n % 3 == 0) return 3;
  return maxcols;
}
static size_t rows_for(size_t n, size_t cols) { return (n + cols - 1) / cols; }

/* Height in inches of a legend of n entries laid out `per_row` to a row,
 * below the panels. */
static double legend_h(size_t n, size_t per_row) { return 0.16 * (double)rows_for(n, per_row) + 0.08; }

/* The legend's entries per row for a figure w inches wide and entries of
 * about `chars` characters. */
static size_t per_row(double w, size_t chars)
{
  size_t k = (size_t)(w / (0.3 + 0.055 * (double)chars));
  return k < 1 ? 1 : k;
}

/* Dash of the k-th value of a series' second dimension (style.gp's 11..16). */
static long dash_of(size_t k) { return 11 + (long)(k % 6); }

/* grad-layers' line of init i and variant v (of ni and nv): colour the
 * init and dash the variant, or with one init colour the variant too. */
static long grad_layers_lc(size_t ni, size_t nv, size_t i, size_t v)
{
  return ni == 1 && nv > 1 ? (long)(v % 8) + 1 : (long)i + 1;
}
static long grad_layers_dt(size_t ni, size_t nv, size_t v)
{
  return ni == 1 && nv > 1 ? dash_of(v / 8) : dash_of(v);
}

/* The colour and dash of an (activation, init) series: colour is the
 * activation and dash the init, unless the grid has one activation and
 * several inits, when colour is the init (seven inits in one colour could
 * not be told apart). */
static void series_style(const fig_grid *g, size_t a, size_t i, long *lc, long *dt)
{
  if (g->acts.n == 1 && g->inits.n > 1) { *lc = (long)(i % 8) + 1; *dt = 11; }
  else { *lc = (long)a + 1; *dt = dash_of(i); }
}

/* A figure's legend: entries of a title, a colour (lc) and a dash. */
typedef struct fig_key { fig_texts titles; fig_list lcs, dts; size_t n, longest; } fig_key;

static void key_add(fig_key *k, const char *title, long lc, long dt)
{
  fig_texts_add(&k->titles, title);
  fig_list_addi(&k->lcs, lc);
  fig_list_addi(&k->dts, dt);
  k->n++;
  if (strlen(title) > k->longest) k->longest = strlen(title);
}

/* The legend's height (inches) for a figure w inches wide. */
static double key_height(const fig_key *k, double w) { return legend_h(k->n, per_row(w, k->longest)); }

static void key_vars(figure *f, const fig_key *k)
{
  fig_var_texts(f, "key_titles", &k->titles);
  fig_var_str(f, "key_lcs", k->lcs.s);
  fig_var_str(f, "key_dts", k->dts.s);
  fig_var_num(f, "key_per_row", (double)per_row(f->w, k->longest));
  fig_var_num(f, "key_h", key_height(k, f->w));
}

/* Summaries over seeds: the mean and the half-width of the 95% interval
 * (0 for one seed: a line without a band). */
static void pool(double *v, size_t n, double *mean, double *ci, size_t *m)
{
  seed_summary s;
  stats_over_seeds(v, n, &s);
  *mean = s.mean;
  *ci = s.n > 1 ? s.ci95 : 0.0;
  if (m) *m = s.n;
}

/* The figure-wide part of a title: what every cell shares (of a grid
 * measured at init only, what matters at init: not the learning rate or
 * the optimizer, which never acted). */
static void fixed_part(const fig_grid *g, char *buf, size_t size)
{
  const char *fx = g->steps > 0 ? g->fixed : g->init_fixed;
  buf[0] = '\0';
  fig_cat(buf, size, "%s%s%zu seed%s", fx, fx[0] ? ", " : "", g->nseeds, g->nseeds == 1 ? "" : "s");
}

/* The chance loss of a variant's cells (their mean: the label entropy of
 * the training split, the same for every cell of one loss). */
static double variant_chance(const fig_grid *g, int v)
{
  double sum = 0.0;
  size_t n = 0;
  for (size_t k = 0; k < g->n; k++)
    if (g->cells[k].var == v && isfinite(g->cells[k].chance_loss)) { sum += g->cells[k].chance_loss; n++; }
  return n ? sum / (double)n : NAN;
}

/* The same for the test error of the best constant prediction. */
static double variant_chance_error(const fig_grid *g, int v)
{
  double sum = 0.0;
  size_t n = 0;
  for (size_t k = 0; k < g->n; k++)
    if (g->cells[k].var == v && isfinite(g->cells[k].chance_error)) { sum += g->cells[k].chance_error; n++; }
  return n ? sum / (double)n : NAN;
}

/* Rows of a table read into memory: a key and nc values per row. */
typedef struct srow {
  int a, i, v;
  size_t depth, layer;
  long step;
  double x[14];
} srow;
typedef struct srows { size_t n, cap; srow *r; } srows;

static int srows_add(srows *s, const srow *r)
{
  if (s->n == s->cap) {
    size_t c = s->cap ? 2 * s->cap : 512;
    srow *g = realloc(s->r, c * sizeof *g);
    if (!g) return SB_EFAIL;
    s->r = g;
    s->cap = c;
  }
  s->r[s->n++] = *r;
  return SB_OK;
}

/* Read columns cols[0..nc) of the rows of path that --select keeps and
 * keep() wants (keep may be NULL).  Tables without a layer column give
 * layer 0. */
static int load_rows(const fig_ctx *c, const char *path, const char *const *cols, int nc,
                     int (*keep)(const srow *, const void *), const void *ctx, srows *out, sb_error *err)
{
  fig_rows fr;
  int rc = fig_rows_open(&fr, c->o, c->g, path, err);
  if (rc) return rc;
  int cs = tsv_col(fr.t, "step"), cl = tsv_col(fr.t, "layer"), cv[14];
  for (int k = 0; k < nc && !rc; k++) rc = tsv_need(fr.t, cols[k], &cv[k], err);
  if (!rc && cs < 0) rc = sb_fail(err, SB_EUSAGE, "%s: no column 'step'", path);
  int got = 0;
  while (!rc && (got = fig_rows_next(&fr, err)) == 1) {
    srow r;
    r.a = fig_rows_act(&fr);
    r.i = fig_rows_init(&fr);
    r.v = fig_rows_variant(&fr);
    if (r.a < 0 || r.i < 0 || r.v < 0) continue;
    r.depth = fig_rows_depth(&fr);
    r.step = strtol(tsv_str(fr.t, cs), NULL, 10);
    r.layer = cl >= 0 ? strtoul(tsv_str(fr.t, cl), NULL, 10) : 0;
    if (keep && !keep(&r, ctx)) continue;
    for (int k = 0; k < nc; k++) r.x[k] = tsv_num(fr.t, cv[k]);
    if (srows_add(out, &r)) rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path);
  }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  return rc;
}

/* Whether any cell of the grid has (a, i, v, depth). */
static int has_group(const fig_grid *g, int a, int i, int v, size_t depth)
{
  for (size_t k = 0; k < g->n; k++) {
    const fig_cell *c = &g->cells[k];
    if (c->depth == depth && c->var == v && !strcmp(c->act, g->acts.name[a]) && !strcmp(c->init, g->inits.name[i]))
      return 1;
  }
  return 0;
}

/* ---- the spread over seeds -------------------------------------------------------- */

/* Up to this many seeds a figure shows the seeds themselves: a band from
 * the lowest seed to the highest, or each seed as a point.  Beyond, the
 * 95% Student-t interval of the mean.  With 3 seeds t is 4.30: an
 * interval of the mean would claim what 3 draws cannot tell (a norm's
 * band over 19 decades, a fraction's past 1), so it is not drawn. */
#define FEW_SEEDS 5

/* The middle and the band of the finite values of v[0..n) (which are
 * moved to its front): their mean, and for up to FEW_SEEDS values their
 * min and max, for more the 95% interval of the mean.  logv: of log10 of
 * the positive values (norms span decades: a geometric mean and its
 * band); a value of 0 has no logarithm and is left out.  Returns how many
 * values counted. */
static size_t spread(double *v, size_t n, int logv, double *mid, double *lo, double *hi)
{
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (isfinite(v[k]) && (!logv || v[k] > 0)) v[m++] = logv ? log10(v[k]) : v[k];
  *mid = *lo = *hi = NAN;
  if (!m) return 0;
  double mean, ci;
  pool(v, m, &mean, &ci, NULL);
  double l = mean, h = mean;
  if (m > FEW_SEEDS) {
    l = mean - ci;
    h = mean + ci;
  } else {
    for (size_t k = 0; k < m; k++) { l = fmin(l, v[k]); h = fmax(h, v[k]); }
  }
  *mid = logv ? pow(10.0, mean) : mean;
  *lo = logv ? pow(10.0, l) : l;
  *hi = logv ? pow(10.0, h) : h;
  return m;
}

/* What a figure's bands (what = "band") or bars are, said on the figure:
 * "band: min–max of 3 seeds". */
static void spread_note(size_t n, const char *what, char *buf, size_t size)
{
  if (n <= 1) snprintf(buf, size, "%zu seed: no %s", n, what);
  else if (n <= FEW_SEEDS) snprintf(buf, size, "%s: min–max of %zu seeds", what, n);
  else snprintf(buf, size, "%s: 95%% interval of the mean of %zu seeds", what, n);
}

/* Rows of a per-seed table (layers.tsv, curves.tsv) pooled over seeds:
 * for each (activation, init, variant, depth, layer, step) that --select
 * and keep() let through, x[3k], x[3k+1], x[3k+2] are spread()'s middle,
 * low and high of column cols[k] (logmask bit k: of its log10), and
 * x[9+k] how many seeds had a value; nc <= 3.  *nmax gets the most seeds
 * any row pooled. */
#define SP_N 9
static int srow_cmp(const void *x, const void *y)
{
  const srow *a = x, *b = y;
  if (a->a != b->a) return a->a < b->a ? -1 : 1;
  if (a->i != b->i) return a->i < b->i ? -1 : 1;
  if (a->v != b->v) return a->v < b->v ? -1 : 1;
  if (a->depth != b->depth) return a->depth < b->depth ? -1 : 1;
  if (a->layer != b->layer) return a->layer < b->layer ? -1 : 1;
  if (a->step != b->step) return a->step < b->step ? -1 : 1;
  return 0;
}

static int load_spread(const fig_ctx *c, const char *path, const char *const *cols, int nc, unsigned logmask,
                       int (*keep)(const srow *, const void *), const void *ctx, srows *out, size_t *nmax,
                       sb_error *err)
{
  srows raw = { 0 };
  *nmax = 0;
  int rc = load_rows(c, path, cols, nc, keep, ctx, &raw, err);
  if (!rc && raw.n) qsort(raw.r, raw.n, sizeof *raw.r, srow_cmp);
  double *v = rc ? NULL : malloc((raw.n ? raw.n : 1) * sizeof *v);
  if (!rc && !v) rc = sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t k = 0; !rc && k < raw.n;) {
    size_t e = k + 1;
    while (e < raw.n && !srow_cmp(&raw.r[k], &raw.r[e])) e++;
    srow r = raw.r[k];
    for (int j = 0; j < nc; j++) {
      for (size_t q = k; q < e; q++) v[q - k] = raw.r[q].x[j];
      size_t m = spread(v, e - k, (logmask >> j) & 1u, &r.x[3 * j], &r.x[3 * j + 1], &r.x[3 * j + 2]);
      r.x[SP_N + j] = (double)m;
      if (m > *nmax) *nmax = m;
    }
    if (srows_add(out, &r)) rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path);
    k = e;
  }
  free(v);
  free(raw.r);
  return rc;
}

/* The legend's first entry when a figure draws fewer of a net's layers
 * than it has ("9 of 10 layers:", no line), so that a missing "layer 5"
 * is said, not left to be noticed. */
static void key_layers_note(fig_key *k, size_t nl, size_t depth)
{
  if (nl >= depth) return;
  char t[64];
  snprintf(t, sizeof t, "%zu of %zu layers:", nl, depth);
  key_add(k, t, -2, 11);   /* lc -2: the background, an entry without a line */
}

/* The most seeds any (activation, init, depth, variant) group of the grid
 * has: what a figure of per-cell numbers pools. */
static size_t max_group_seeds(const fig_grid *g)
{
  size_t best = 0;
  for (size_t k = 0; k < g->n; k++) {
    const fig_cell *c = &g->cells[k];
    size_t m = 0;
    for (size_t j = 0; j < g->n; j++) {
      const fig_cell *d = &g->cells[j];
      m += d->var == c->var && d->arch == c->arch && d->depth == c->depth && !strcmp(d->act, c->act)
           && !strcmp(d->init, c->init);
    }
    if (m > best) best = m;
  }
  return best;
}

/* Figures of a point per seed (depth, remedies): with up to FEW_SEEDS
 * seeds each is an open circle and the line joins their means (filled);
 * beyond, bars of the 95% interval of the mean.  The legend says which
 * (entries of dash -6 and -7: a point of that type, no line). */
static void key_seed_marks(fig_key *k, size_t n)
{
  if (n > 1 && n <= FEW_SEEDS) {
    key_add(k, "each seed", 7, -6);
    key_add(k, "mean of the seeds", 7, -7);
  } else key_add(k, "mean", 7, -7);
}

static void seed_marks_note(size_t n, char *buf, size_t size)
{
  if (n > 1 && n <= FEW_SEEDS) snprintf(buf, size, "circles: each of %zu seeds, no interval drawn", n);
  else spread_note(n, "bars", buf, size);
}

/* ---- Figure: gradient norms per layer at init ------------------------------------ */

static int fig_grad_layers(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  size_t depth = g->depths.val[g->depths.n - 1];
  /* at initialization the learning rate, optimizer and loss do not matter:
   * the series are init x width */
  size_t na = g->acts.n, ni = g->inits.n, nv = g->ivariants.n, ns = g->nseeds;
  /* norms at step 0: [a][i][v][layer-1][kind][seed] */
  size_t total = na * ni * nv * depth * 2 * ns;
  double *val = malloc(total * sizeof *val);
  if (!val) return sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t k = 0; k < total; k++) val[k] = NAN;
  fig_rows fr;
  int rc = fig_rows_open(&fr, c->o, g, c->layers, err), got = 0;
  int cs = -1, cst = -1, cl = -1, cdel = -1, cgw = -1;
  if (!rc && !(rc = tsv_need(fr.t, "seed", &cs, err)) && !(rc = tsv_need(fr.t, "step", &cst, err))
      && !(rc = tsv_need(fr.t, "layer", &cl, err)) && !(rc = tsv_need(fr.t, "delta_norm", &cdel, err)))
    rc = tsv_need(fr.t, "grad_w_norm", &cgw, err);
  while (!rc && (got = fig_rows_next(&fr, err)) == 1) {
    if (strcmp(tsv_str(fr.t, cst), "0") || fig_rows_depth(&fr) != depth || fig_rows_variant(&fr) < 0) continue;
    int a = fig_rows_act(&fr), i = fig_rows_init(&fr), v = fig_rows_ivariant(&fr);
    size_t l = strtoul(tsv_str(fr.t, cl), NULL, 10), s = strtoul(tsv_str(fr.t, cs), NULL, 10);
    if (a < 0 || i < 0 || v < 0 || l < 1 || l > depth || s >= ns) continue;
    double *p = val + (((((size_t)a * ni + (size_t)i) * nv + (size_t)v) * depth + (l - 1)) * 2) * ns;
    /* the first variant's cell of a seed stands for all of them (they are
     * the same network at step 0) */
    if (isnan(p[s])) p[s] = tsv_num(fr.t, cdel);
    if (isnan(p[ns + s])) p[ns + s] = tsv_num(fr.t, cgw);
  }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  /* Panels: an activation each, two rows (delta, grad W) per row of at
   * most four activations.  Lines: colour = init, dash = the variant
   * (width, precision, ...); with one init, colour = the variant (twelve
   * precisions and loss scales by dash alone could not be told apart). */
  size_t cols = cols_for(na, 4), prow = rows_for(na, cols);
  double w = cols <= 1 ? 3.5 : 7.0;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  for (size_t i = 0; i < ni; i++)
    for (size_t v = 0; v < nv; v++) {
      char t[FIG_LABEL_MAX];
      snprintf(t, sizeof t, "%s%s%s", g->inits.label[i], g->ivariants.name[v][0] ? " " : "", g->ivariants.name[v]);
      key_add(&key, t, grad_layers_lc(ni, nv, i, v), grad_layers_dt(ni, nv, v));
    }
  figure f;
  if (!rc) rc = fig_open(&f, c, w, 0.55 + 0.45 + key_height(&key, w) + 2.3 * (double)prow, err);
  if (rc) { free(val); return rc; }
  size_t nseeds = 0;
  for (size_t a = 0; a < na; a++) {
    fig_list blocks = { "" }, lcs = { "" }, dts = { "" };
    for (size_t i = 0; i < ni; i++)
      for (size_t v = 0; v < nv; v++) {
        int b = -1;
        for (size_t l = 1; l <= depth; l++) {
          double *p = val + ((((a * ni + i) * nv + v) * depth + (l - 1)) * 2) * ns;
          double dm, dlo, dhi, gm, glo, ghi;
          size_t m = spread(p, ns, 1, &dm, &dlo, &dhi);
          if (m > nseeds) nseeds = m;
          m = spread(p + ns, ns, 1, &gm, &glo, &ghi);
          if (m > nseeds) nseeds = m;
          if (isnan(dm) && isnan(gm)) continue;
          if (b < 0) {
            char what[200];
            snprintf(what, sizeof what, "%s %s %s: layer, delta gmean lo hi, gradW gmean lo hi", g->acts.name[a],
                     g->inits.name[i], g->ivariants.name[v]);
            b = fig_block(&f, what);
          }
          fig_num(&f, (double)l, 0);
          fig_num(&f, dm, 0);
          fig_num(&f, dlo, 0);
          fig_num(&f, dhi, 0);
          fig_num(&f, gm, 0);
          fig_num(&f, glo, 0);
          fig_num(&f, ghi, 1);
        }
        if (b < 0) continue;
        fig_list_addi(&blocks, b);
        fig_list_addi(&lcs, grad_layers_lc(ni, nv, i, v));
        fig_list_addi(&dts, grad_layers_dt(ni, nv, v));
      }
    char k[32];
    snprintf(k, sizeof k, "blocks_%zu", a + 1);
    fig_var_str(&f, k, blocks.s);
    snprintf(k, sizeof k, "lcs_%zu", a + 1);
    fig_var_str(&f, k, lcs.s);
    snprintf(k, sizeof k, "dts_%zu", a + 1);
    fig_var_str(&f, k, dts.s);
  }
  free(val);
  char fx[FIG_LABEL_MAX * 2];
  snprintf(fx, sizeof fx, "%s%s", g->init_fixed, g->init_fixed[0] ? "; " : "");
  spread_note(nseeds, "bands", fx + strlen(fx), sizeof fx - strlen(fx));
  fig_var_names(&f, "acts", &g->acts);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "nact", (double)na);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "prow", (double)prow);
  fig_var_num(&f, "depth", (double)depth);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Figure: activations and saturation per layer over training (Glorot Fig. 2/3) ---- */

/* Saturation is told without a threshold, by the mean slope |phi'(h)| /
 * max|phi'| (1: linear regime; 0: flat), and by the dead fraction for
 * units that can die outright. */
enum { T_MEAN, T_P02, T_P98, T_DEAD, T_DEAD_CI, T_SLOPE, T_SLOPE_CI, T_N };
static const char *const t_cols[T_N] = {
  "act_mean_mean", "act_p02_mean", "act_p98_mean", "dead_frac_mean", "dead_frac_ci95", "slope_mean_mean",
  "slope_mean_ci95"
};

/* The colour of the q-th of nl layers drawn: the whole dark-to-light
 * ramp (style.gp's lc 21..29) whatever nl is. */
static long layer_lc(size_t q, size_t nl) { return 21 + (nl <= 1 ? 0 : lround(8.0 * (double)q / (double)(nl - 1))); }

/* Whether an activation's units can die outright: phi' exactly 0 on one
 * side and not on the other (ReLU).  For them "saturated" at init is
 * already half the units, and the story is the dead fraction. */
static int dies(const char *act_name)
{
  act_fn fn;
  if (act_parse(act_name, &fn, NULL)) return 0;
  return act_deriv(&fn, -10.0) == 0.0 && act_deriv(&fn, 10.0) != 0.0;
}

/* A group worth showing as the story of training: no seed diverged, and
 * its mean final loss is not above 1.5 times the chance loss (a run that
 * blew up saturates too, but that is another story).  *loss gets the
 * mean final training loss. */
static int behaved(const fig_grid *g, int a, int i, int v, size_t depth, double *loss)
{
  double sum = 0.0, chance = 0.0;
  size_t n = 0;
  for (size_t k = 0; k < g->n; k++) {
    const fig_cell *c = &g->cells[k];
    if (c->depth != depth || c->var != v || strcmp(c->act, g->acts.name[a]) || strcmp(c->init, g->inits.name[i]))
      continue;
    if (!strcmp(c->status, "diverged") || !isfinite(c->final_loss)) { if (loss) *loss = NAN; return 0; }
    sum += c->final_loss;
    chance += c->chance_loss;
    n++;
  }
  if (loss) *loss = n ? sum / (double)n : NAN;
  return n > 0 && sum <= 1.5 * chance;
}

/* Which summary rows of one (init, variant, depth) a figure wants. */
typedef struct pick { int i, v; size_t depth; } pick;

static int keep_pick(const srow *r, const void *ctx)
{
  const pick *p = ctx;
  return r->i == p->i && r->v == p->v && r->depth == p->depth && r->layer >= 1 && r->layer <= p->depth;
}

/* How much column `col` (T_DEAD; T_SLOPE counts its fall) of a
 * group (a, i, v, depth; a < 0: any activation) rises from its first
 * logged step to its last, averaged over its hidden layers and
 * activations; -Inf when it has no two steps. */
static double col_rise(const srows *s, int col, int a, int i, int v, size_t depth)
{
  double sign = col == T_SLOPE ? -1.0 : 1.0;
  long lo = -1, hi = -1;
  for (size_t k = 0; k < s->n; k++) {
    const srow *r = &s->r[k];
    if ((a >= 0 && r->a != a) || r->i != i || r->v != v || r->depth != depth) continue;
    if (lo < 0 || r->step < lo) lo = r->step;
    if (r->step > hi) hi = r->step;
  }
  double s0 = 0, s1 = 0;
  size_t n0 = 0, n1 = 0;
  for (size_t k = 0; k < s->n; k++) {
    const srow *r = &s->r[k];
    if ((a >= 0 && r->a != a) || r->i != i || r->v != v || r->depth != depth || !isfinite(r->x[col])) continue;
    if (r->step == lo) { s0 += r->x[col]; n0++; }
    if (r->step == hi) { s1 += r->x[col]; n1++; }
  }
  return n0 && n1 && hi > lo ? sign * (s1 / (double)n1 - s0 / (double)n0) : -INFINITY;
}

/* How much the mean slope falls: saturation without a threshold. */
static double sat_rise(const srows *s, int a, int i, int v, size_t depth) { return col_rise(s, T_SLOPE, a, i, v, depth); }

/* The story of an activation: the dead fraction if its units can die,
 * else the loss of slope (T_SLOPE, told by its fall). */
static int story_col(const char *act_name) { return dies(act_name) ? T_DEAD : T_SLOPE; }

/* The rise of an activation's story; -Inf for a group that is not
 * behaved(). */
static double story_rise(const srows *s, const fig_grid *g, int a, int i, int v, size_t depth)
{
  if (!behaved(g, a, i, v, depth, NULL)) return -INFINITY;
  return col_rise(s, story_col(g->acts.name[a]), a, i, v, depth);
}

/* The variant whose mean slope (over activations and hidden layers of
 * depth `depth`, init i) falls most: the one where there is something to
 * see.  Ties: the first. */
static int rising_variant(const srows *s, const fig_grid *g, int i, size_t depth)
{
  int best = 0;
  double best_rise = -INFINITY;
  for (int pass = 0; pass < 2 && best_rise == -INFINITY; pass++)   /* behaved variants first */
    for (size_t v = 0; v < g->variants.n; v++) {
      int ok = 1;
      for (size_t a = 0; a < g->acts.n && pass == 0; a++) ok &= behaved(g, (int)a, i, (int)v, depth, NULL);
      double rise = ok ? sat_rise(s, -1, i, (int)v, depth) : -INFINITY;
      if (rise > best_rise + 1e-12) { best_rise = rise; best = (int)v; }
    }
  return best;
}

/* Any row with a value on the selection. */
static int keep_hidden(const srow *r, const void *ctx)
{
  (void)ctx;
  return r->layer >= 1 && r->layer < r->depth + 1;
}

/* What saturation-training pools over seeds from layers.tsv. */
enum { SA_MEAN, SA_SLOPE, SA_N };
static const char *const sa_cols[SA_N] = { "act_mean", "slope_mean" };

static int fig_saturation(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  if (g->steps == 0) return FIG_SKIPPED;   /* measured at init only: nothing happened over training */
  size_t depth = fig_nearest_depth(g, 4);
  int init = fig_preferred_init(g);
  srows all = { 0 };
  int rc = load_rows(c, c->summary, t_cols, T_N, keep_hidden, NULL, &all, err);
  if (rc) { free(all.r); return rc; }
  pick p = { init, rising_variant(&all, g, init, depth), depth };
  free(all.r);
  /* each seed's layer means and slopes, pooled by spread() */
  srows s = { 0 };
  size_t nseeds = 0;
  rc = load_spread(c, c->layers, sa_cols, SA_N, 0, keep_pick, &p, &s, &nseeds, err);
  if (rc) { free(s.r); return rc; }
  size_t layers[9], nl = fig_layer_subset(depth, layers), na = g->acts.n;
  size_t cols = cols_for(na, 4), prow = rows_for(na, cols);
  double w = cols <= 1 ? 3.5 : 7.0;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  key_layers_note(&key, nl, depth);
  for (size_t q = 0; q < nl; q++) {
    char t[32];
    snprintf(t, sizeof t, "layer %zu", layers[q]);
    key_add(&key, t, layer_lc(q, nl), 11);
  }
  figure f;
  rc = fig_open(&f, c, w, (w < 5 ? 1.9 : 1.12) + key_height(&key, w) + 2.8 * (double)prow, err);
  if (rc) { free(s.r); return rc; }
  for (size_t a = 0; a < na; a++) {
    fig_list blocks = { "" }, lays = { "" }, lcs = { "" };
    /* the top row's y range: the means and their spread over seeds, at
     * least a quarter of the activation's output range (or 0.25) wide, so
     * that seed noise is not blown up to fill the panel */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t q = 0; q < nl; q++) {
      size_t l = layers[q];
      int b = -1;
      for (size_t k = 0; k < s.n; k++) {
        const srow *r = &s.r[k];
        if (r->a != (int)a || r->layer != l) continue;
        if (b < 0) {
          char what[160];
          snprintf(what, sizeof what, "%s layer %zu: step act_mean lo hi slope_mean lo hi", g->acts.name[a], l);
          b = fig_block(&f, what);
        }
        fig_num(&f, (double)r->step, 0);
        for (int j = 0; j < 6; j++) fig_num(&f, r->x[j], j == 5);
        for (int j = 0; j < 3; j++)
          if (isfinite(r->x[j])) { lo = fmin(lo, r->x[j]); hi = fmax(hi, r->x[j]); }
      }
      if (b < 0) continue;
      fig_list_addi(&blocks, b);
      fig_list_addi(&lays, (long)l);
      fig_list_addi(&lcs, layer_lc(q, nl));
    }
    if (!isfinite(lo)) { lo = 0.0; hi = 1.0; }
    act_fn fn;
    double span = 0.25;
    if (act_parse(g->acts.name[a], &fn, NULL) == SB_OK) {
      double top = act_eval(&fn, 50.0), bot = act_eval(&fn, -50.0);
      if (isfinite(top) && isfinite(bot) && top - bot < 10.0) span = 0.25 * (top - bot);
    }
    if (hi - lo < span) { double m = 0.5 * (hi + lo); lo = m - 0.5 * span; hi = m + 0.5 * span; }
    double pad = 0.06 * (hi - lo);
    char name[32];
    snprintf(name, sizeof name, "ylo_%zu", a + 1);
    fig_var_num(&f, name, lo - pad);
    snprintf(name, sizeof name, "yhi_%zu", a + 1);
    fig_var_num(&f, name, hi + pad);
    snprintf(name, sizeof name, "blocks_%zu", a + 1);
    fig_var_str(&f, name, blocks.s);
    snprintf(name, sizeof name, "layers_%zu", a + 1);
    fig_var_str(&f, name, lays.s);
    snprintf(name, sizeof name, "lcs_%zu", a + 1);
    fig_var_str(&f, name, lcs.s);
  }
  free(s.r);
  char what[FIG_LABEL_MAX * 3], band[64];
  spread_note(nseeds, "bands", band, sizeof band);
  what[0] = '\0';
  fig_cat(what, sizeof what, "%s init", g->inits.label[init]);
  if (g->inits.n > 1) fig_cat(what, sizeof what, " (of %zu: --select init=NAME for another)", g->inits.n);
  if (g->variants.n > 1)
    fig_cat(what, sizeof what, ", %s (where the slope falls most, of %zu variants)", g->variants.name[p.v], g->variants.n);
  fig_cat(what, sizeof what, "; %s%s%s", g->fixed, g->fixed[0] ? "; " : "", band);
  fig_var_names(&f, "acts", &g->acts);
  fig_var_str(&f, "what", what);
  fig_var_num(&f, "nact", (double)na);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "prow", (double)prow);
  fig_var_num(&f, "nlayers", (double)nl);
  fig_var_num(&f, "depth", (double)depth);
  fig_var_num(&f, "tau", g->tau);
  int relu = 0;
  for (size_t a = 0; a < na; a++) relu |= dies(g->acts.name[a]);
  fig_var_num(&f, "relu", relu);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Figure: saturation and gradient norms over training (the time-lapse) ---- */

/* A panel per (activation, init): the inits side by side when there are
 * at most four of them (else the preferred one, said in the title), and
 * in every panel the same variant (learning rate, optimizer ...) and the
 * same depth, chosen by one rule over every panel together: where the
 * story rises most (the loss of slope, the mean slope falling; the dead
 * fraction for units that can die), among the groups where no seed
 * diverged and no loss ended above 1.5 x chance.  Top: that quantity per
 * layer; bottom: the layers' weight-gradient norms (geometric means).
 * Bands: spread() over the seeds, from layers.tsv.  --select narrows the
 * choice. */
#define DYN_MAX_INITS 4

typedef struct dyn_keep { int v; size_t depth; const size_t *layers; size_t nl; } dyn_keep;

static int keep_dyn(const srow *r, const void *ctx)
{
  const dyn_keep *k = ctx;
  if (r->v != k->v || r->depth != k->depth) return 0;
  for (size_t q = 0; q < k->nl; q++) if (k->layers[q] == r->layer) return 1;
  return 0;
}

enum { DY_SLOPE, DY_DEAD, DY_GRAD, DY_N };
static const char *const dy_cols[DY_N] = { "slope_mean", "dead_frac", "grad_w_norm" };

static int fig_dynamics(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  if (g->steps == 0) return FIG_SKIPPED;
  srows all = { 0 };
  int rc = load_rows(c, c->summary, t_cols, T_N, keep_hidden, NULL, &all, err);
  if (rc) { free(all.r); return rc; }
  size_t na = g->acts.n, ni = g->inits.n;
  /* the inits drawn: all of them side by side, or the preferred one */
  int one_init = ni > DYN_MAX_INITS, pref = fig_preferred_init(g);
  size_t nic = one_init ? 1 : ni, np = na * nic;
  /* One variant and one depth for every panel: where the story, summed
   * over the panels, rises most (behaved groups first). */
  size_t bd = g->depths.val[0];
  int bv = 0;
  double best = -INFINITY;
  for (int pass = 0; pass < 2 && best == -INFINITY; pass++)
    for (size_t d = 0; d < g->depths.n; d++)
      for (size_t v = 0; v < g->variants.n; v++) {
        double sum = 0.0;
        size_t n = 0;
        for (size_t a = 0; a < na; a++)
          for (size_t q = 0; q < nic; q++) {
            int i = one_init ? pref : (int)q;
            double r = pass == 0 ? story_rise(&all, g, (int)a, i, (int)v, g->depths.val[d])
                                 : col_rise(&all, story_col(g->acts.name[a]), (int)a, i, (int)v, g->depths.val[d]);
            if (r == -INFINITY) { if (pass == 0) sum = -INFINITY; continue; }
            sum += r;
            n++;
          }
        if (n && sum > best + 1e-12) { best = sum; bd = g->depths.val[d]; bv = (int)v; }
      }
  free(all.r);
  size_t layers[9], nl = fig_layer_subset(bd, layers);
  dyn_keep dk = { bv, bd, layers, nl };
  srows s = { 0 };
  size_t nseeds = 0;
  rc = load_spread(c, c->layers, dy_cols, DY_N, 1u << DY_GRAD, keep_dyn, &dk, &s, &nseeds, err);
  if (rc) { free(s.r); return rc; }
  size_t cols = nic > 1 ? nic : cols_for(na, 4), prow = rows_for(np, cols);
  double w = cols <= 1 ? 3.5 : 7.0;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  key_layers_note(&key, nl, bd);
  for (size_t q = 0; q < nl; q++) {
    char t[32];
    snprintf(t, sizeof t, "layer %zu", layers[q]);
    key_add(&key, t, layer_lc(q, nl), 11);
  }
  figure f;
  rc = fig_open(&f, c, w, 1.0 + (w < 5 ? 0.5 : 0.0) + key_height(&key, w) + 3.0 * (double)prow, err);
  if (rc) { free(s.r); return rc; }
  fig_list kinds = { "" };
  fig_texts titles = { "", 0, 0 };
  for (size_t p = 0; p < np; p++) {
    size_t a = p / nic;
    int i = one_init ? pref : (int)(p % nic), dead = dies(g->acts.name[a]);
    fig_list blocks = { "" }, lcs = { "" };
    fig_list_addi(&kinds, dead);
    for (size_t q = 0; q < nl; q++) {
      int b = -1;
      for (size_t k = 0; k < s.n; k++) {
        const srow *r = &s.r[k];
        if (r->a != (int)a || r->i != i || r->layer != layers[q]) continue;
        if (b < 0) {
          char what[200];
          snprintf(what, sizeof what, "%s %s %s depth %zu layer %zu: step %s lo hi grad_w_norm_gmean lo hi",
                   g->acts.name[a], g->inits.name[i], g->variants.name[bv], bd, layers[q],
                   dead ? "dead_frac" : "slope_mean");
          b = fig_block(&f, what);
        }
        const double *x = r->x + 3 * (dead ? DY_DEAD : DY_SLOPE);
        /* the geometric mean needs every seed's norm above 0: a line
         * ends where one is exactly 0 (its units froze) */
        int all_pos = r->x[SP_N + DY_GRAD] >= r->x[SP_N + DY_SLOPE];
        fig_num(&f, (double)r->step, 0);
        fig_num(&f, x[0], 0);
        fig_num(&f, x[1], 0);
        fig_num(&f, x[2], 0);
        fig_num(&f, all_pos ? r->x[3 * DY_GRAD] : NAN, 0);
        fig_num(&f, all_pos ? r->x[3 * DY_GRAD + 1] : NAN, 0);
        fig_num(&f, all_pos ? r->x[3 * DY_GRAD + 2] : NAN, 1);
      }
      if (b < 0) continue;
      fig_list_addi(&blocks, b);
      fig_list_addi(&lcs, layer_lc(q, nl));
    }
    double loss = NAN;
    behaved(g, (int)a, i, bv, bd, &loss);
    char t[FIG_LABEL_MAX * 2];
    snprintf(t, sizeof t, "%s, %s init: final loss %.3g", g->acts.name[a], g->inits.label[i], loss);
    fig_texts_add(&titles, t);
    char name[32];
    snprintf(name, sizeof name, "blocks_%zu", p + 1);
    fig_var_str(&f, name, blocks.s);
    snprintf(name, sizeof name, "lcs_%zu", p + 1);
    fig_var_str(&f, name, lcs.s);
  }
  free(s.r);
  /* the title: what every panel shares, and by which rule */
  char what[FIG_LABEL_MAX * 3], fx[FIG_LABEL_MAX * 2];
  what[0] = '\0';
  if (one_init)
    fig_cat(what, sizeof what, "%s init (of %zu: --select init=NAME for another)%s", g->inits.label[pref], ni,
            g->variants.n > 1 || g->depths.n > 1 ? "; " : "");
  if (g->variants.n > 1 || g->depths.n > 1) {
    char dpart[32] = "", of[64] = "";
    if (g->depths.n > 1) snprintf(dpart, sizeof dpart, "depth %zu", bd);
    if (g->variants.n > 1 && g->depths.n > 1) snprintf(of, sizeof of, "%zu variants x %zu depths", g->variants.n, g->depths.n);
    else if (g->variants.n > 1) snprintf(of, sizeof of, "%zu variants", g->variants.n);
    else snprintf(of, sizeof of, "%zu depths", g->depths.n);
    fig_cat(what, sizeof what, "every panel %s%s%s (where saturation rises most, of %s)", g->variants.n > 1 ? g->variants.name[bv] : "",
            g->variants.n > 1 && dpart[0] ? " at " : "", dpart, of);
  }
  snprintf(fx, sizeof fx, "%s%s", g->fixed, g->fixed[0] ? "; " : "");
  spread_note(nseeds, "bands", fx + strlen(fx), sizeof fx - strlen(fx));
  fig_var_str(&f, "choice", what);
  fig_var_texts(&f, "titles", &titles);
  fig_var_str(&f, "kinds", kinds.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "depth", (double)bd);
  fig_var_num(&f, "npan", (double)np);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "prow", (double)prow);
  fig_var_num(&f, "tau", g->tau);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- the precision and the loss scale as series ------------------------------------ */

/* Remove the words `part` ("fp16", "scale 1024") from a variant's label,
 * where they stand whole between blanks. */
static void strip_part(char *r, const char *part)
{
  size_t n = strlen(part);
  for (char *p = r; n && (p = strstr(p, part)) != NULL; p += n)
    if ((p == r || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) {
      char *from = p + n + (p[n] == ' ');
      if (p > r && !*from) p--;   /* the last part: its leading blank goes */
      memmove(p, from, strlen(from) + 1);
      return;
    }
}

/* Precisions and loss scales are compared within a panel, never across
 * panels: each variant's (precision, loss scale) pair (of[v], an index
 * into name[]: "fp16 · scale 1024"), drawn in the colour of its
 * precision (lc) and the dash of its scale (dt). */
#define PS_MAX 36
typedef struct ps_pairs {
  size_t n;                          /* pairs; 1 when neither axis varies */
  int *of;                           /* [variant] */
  char name[PS_MAX][FIG_LABEL_MAX];
  long lc[PS_MAX], dt[PS_MAX];
} ps_pairs;

static void ps_free(ps_pairs *p) { free(p->of); p->of = NULL; }

/* Fill p from cells.tsv and strip the two axes' words from rest[v] (each
 * variant's label, or what is left of it). */
static int ps_load(const fig_ctx *c, ps_pairs *p, char (*rest)[FIG_LABEL_MAX], sb_error *err)
{
  const fig_grid *g = c->g;
  int vp = g->varies[AXIS_PREC], vs = g->varies[AXIS_LSCALE];
  p->n = 1;
  p->name[0][0] = '\0';
  p->lc[0] = 1;
  p->dt[0] = 11;
  if (!(p->of = calloc(g->variants.n ? g->variants.n : 1, sizeof *p->of))) return sb_fail(err, SB_EFAIL, "out of memory");
  if (!vp && !vs) return SB_OK;
  p->n = 0;
  char precs[PS_MAX][FIG_NAME_MAX], scales[PS_MAX][FIG_NAME_MAX];
  size_t np = 0, ns = 0;
  fig_rows fr;
  int rc = fig_rows_open(&fr, c->o, g, c->cells, err), got = 0;
  if (rc) return rc;
  int cp = tsv_col(fr.t, cfg_axis_name(AXIS_PREC)), cs = tsv_col(fr.t, cfg_axis_name(AXIS_LSCALE));
  while ((got = fig_rows_next(&fr, err)) == 1) {
    int v = fig_rows_variant(&fr);
    if (v < 0) continue;
    const char *pv = tsv_str_or(fr.t, cp, cfg_axis_default(AXIS_PREC));
    const char *sv = tsv_str_or(fr.t, cs, cfg_axis_default(AXIS_LSCALE));
    size_t ip = 0, is = 0;
    while (ip < np && strcmp(precs[ip], pv)) ip++;
    if (ip == np && np < PS_MAX) snprintf(precs[np++], FIG_NAME_MAX, "%s", pv);
    while (is < ns && strcmp(scales[is], sv)) is++;
    if (is == ns && ns < PS_MAX) snprintf(scales[ns++], FIG_NAME_MAX, "%s", sv);
    char pp[FIG_LABEL_MAX / 2 - 4] = "", sp[FIG_LABEL_MAX / 2 - 4] = "", name[FIG_LABEL_MAX];
    if (vp) fig_variant_part(AXIS_PREC, pv, pp, sizeof pp);
    if (vs) fig_variant_part(AXIS_LSCALE, sv, sp, sizeof sp);
    snprintf(name, sizeof name, "%s%s%s", pp, pp[0] && sp[0] ? " · " : "", sp);
    size_t k = 0;
    while (k < p->n && strcmp(p->name[k], name)) k++;
    if (k == p->n && p->n < PS_MAX) {
      snprintf(p->name[p->n], FIG_LABEL_MAX, "%s", name);
      /* colour: the precision (the scale when it alone varies); dash: the scale */
      p->lc[p->n] = (long)((vp ? ip : is) % 8) + 1;
      p->dt[p->n++] = vp ? dash_of(is) : 11;
    }
    if (k == PS_MAX) k = PS_MAX - 1;
    p->of[v] = (int)k;
    strip_part(rest[v], pp);
    strip_part(rest[v], sp);
  }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  if (!p->n) p->n = 1;
  return rc;
}

/* ---- Figure: learning curves (He et al. Fig. 3; Glorot & Bengio Fig. 11) -------- */

/* The optimizer of each variant (*vopt[v], an index into names[]) and
 * each variant's name without it (rest[v]), from cells.tsv: panels are
 * faceted by optimizer in the grid's order, never interleaved with the
 * other axes.  Returns how many optimizers (0 on a failure, with err). */
#define LC_MAX_OPTS 8
static size_t variant_opts(const fig_ctx *c, int *vopt, char (*rest)[FIG_LABEL_MAX], char (*names)[FIG_NAME_MAX],
                           sb_error *err)
{
  const fig_grid *g = c->g;
  size_t n = 0;
  for (size_t v = 0; v < g->variants.n; v++) { vopt[v] = 0; snprintf(rest[v], FIG_LABEL_MAX, "%s", g->variants.name[v]); }
  snprintf(names[0], FIG_NAME_MAX, "%s", "");
  if (!g->varies[AXIS_OPT]) return 1;
  fig_rows fr;
  int rc = fig_rows_open(&fr, c->o, g, c->cells, err), got = 0, co = -1;
  if (rc) return 0;
  if (!(rc = tsv_need(fr.t, "optimizer", &co, err)))
    while ((got = fig_rows_next(&fr, err)) == 1) {
      int v = fig_rows_variant(&fr);
      if (v < 0) continue;
      const char *o = tsv_str(fr.t, co);
      size_t k = 0;
      while (k < n && strcmp(names[k], o)) k++;
      if (k == n && n < LC_MAX_OPTS) snprintf(names[n++], FIG_NAME_MAX, "%s", o);
      if (k == LC_MAX_OPTS) k = LC_MAX_OPTS - 1;
      vopt[v] = (int)k;
      /* the variant's name without the optimizer's word */
      char *r = rest[v], *p = r;
      size_t ol = strlen(o);
      while ((p = strstr(p, o)) != NULL) {
        if ((p == r || p[-1] == ' ') && (p[ol] == '\0' || p[ol] == ' ')) {
          memmove(p, p + ol + (p[ol] == ' '), strlen(p + ol + (p[ol] == ' ')) + 1);
          size_t l = strlen(r);
          if (l && r[l - 1] == ' ') r[l - 1] = '\0';
          break;
        }
        p += ol;
      }
    }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  return rc ? 0 : (n ? n : 1);
}

enum { LC_LOSS, LC_ACC, LC_N };
static const char *const lc_cols[LC_N] = { "eval_train_loss", "eval_test_acc" };

/* Panels: pairs (loss above test error), faceted by optimizer (a block
 * of rows each, in the grid's order), then by activation when the grid
 * has more than four (activation, init) series (a row each, the inits in
 * colour), and in columns by the other variant axes and depth.  With
 * several precisions or loss scales, those are the lines (ps_pairs) and
 * each (activation, init) a row.  Bands: spread() over the seeds, from
 * curves.tsv. */
#define LC_MAX_SERIES 4

static int fig_learning(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  if (g->steps == 0) return FIG_SKIPPED;
  size_t nv = g->variants.n, nd = g->depths.n, na = g->acts.n, ni = g->inits.n;
  int *vopt = malloc(nv * sizeof *vopt);
  char (*rest)[FIG_LABEL_MAX] = malloc(nv * sizeof *rest);
  char (*onames)[FIG_NAME_MAX] = malloc(LC_MAX_OPTS * sizeof *onames);
  if (!vopt || !rest || !onames) { free(vopt); free(rest); free(onames); return sb_fail(err, SB_EFAIL, "out of memory"); }
  size_t nopt = variant_opts(c, vopt, rest, onames, err);
  ps_pairs ps = { 0 };
  srows s = { 0 };
  size_t nseeds = 0;
  int rc = nopt ? ps_load(c, &ps, rest, err) : err->code;
  if (!rc) rc = load_spread(c, c->curves, lc_cols, LC_N, 0, NULL, NULL, &s, &nseeds, err);
  /* the other variant axes' values, in the variants' order */
  size_t nrest = 0;
  int *rix = malloc(nv * sizeof *rix);
  if (!rc && !rix) rc = sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t v = 0; !rc && v < nv; v++) {
    size_t k = 0;
    while (k < v && strcmp(rest[k], rest[v])) k++;
    rix[v] = k < v ? rix[k] : (int)nrest++;
  }
  if (rc) { free(vopt); free(rest); free(onames); free(rix); free(s.r); ps_free(&ps); return rc; }
  int by_ps = ps.n > 1, facet_ai = by_ps && na * ni > 1;
  int facet_act = !by_ps && na > 1 && na * ni > LC_MAX_SERIES;
  size_t fa = facet_ai ? na * ni : facet_act ? na : 1, ncv = nrest * nd, cols = cols_for(ncv, 4), rpb = rows_for(ncv, cols);
  size_t grows = nopt * fa * rpb, ngroups = nopt * fa * ncv;
  double w = cols <= 1 ? 3.5 : 7.0, pair_h = grows > 4 ? 1.75 : grows > 2 ? 2.0 : 2.7;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  for (size_t k = 0; by_ps && k < ps.n; k++) key_add(&key, ps.name[k], ps.lc[k], ps.dt[k]);
  for (size_t a = 0; a < (by_ps ? 0 : facet_act ? 1 : na); a++)
    for (size_t i = 0; i < ni; i++) {
      char t[FIG_LABEL_MAX];
      long lc, dt;
      if (facet_act) { snprintf(t, sizeof t, "%s", g->inits.label[i]); lc = (long)(i % 8) + 1; dt = 11; }
      else { fig_series_label(g, (int)a, (int)i, -1, t, sizeof t); series_style(g, a, i, &lc, &dt); }
      key_add(&key, t, lc, dt);
    }
  key_add(&key, "chance", 30, 12);   /* style.gp's grey */
  /* a series whose seeds drop out (diverged) stops there, marked */
  int any_cut = 0;
  for (size_t k = 1; k < s.n; k++)
    if (s.r[k].a == s.r[k - 1].a && s.r[k].i == s.r[k - 1].i && s.r[k].v == s.r[k - 1].v
        && s.r[k].depth == s.r[k - 1].depth && s.r[k].x[SP_N] < s.r[k - 1].x[SP_N])
      any_cut = 1;
  if (any_cut) key_add(&key, "a seed diverged: the curve stops", 7, 0);
  figure f;
  rc = fig_open(&f, c, w, 0.55 + 0.6 + (w < 5 ? 0.3 : 0.0) + key_height(&key, w) + pair_h * (double)grows, err);
  if (rc) { free(vopt); free(rest); free(onames); free(rix); free(s.r); ps_free(&ps); return rc; }
  fig_list chances = { "" }, errs = { "" }, ymaxs = { "" }, ymins = { "" }, cuts = { "" }, places = { "" };
  fig_texts ptitles = { "", 0, 0 };
  size_t gi = 0;
  int clipped = 0, any_log = 0;
  for (size_t o = 0; o < nopt; o++)
    for (size_t fac = 0; fac < fa; fac++)
      for (size_t r = 0; r < nrest; r++)
        for (size_t d = 0; d < nd; d++) {
          /* the variant of (optimizer o, the rest r, pair p); none: an empty panel */
          int vp[PS_MAX], v = -1;
          for (size_t p = 0; p < ps.n; p++) {
            vp[p] = -1;
            for (size_t k = 0; k < nv && vp[p] < 0; k++)
              if ((size_t)vopt[k] == o && (size_t)rix[k] == r && (size_t)ps.of[k] == p) vp[p] = (int)k;
            if (v < 0) v = vp[p];
          }
          size_t depth = g->depths.val[d], q = r * nd + d;
          size_t row = (o * fa + fac) * rpb + q / cols, col = q % cols;
          fig_list blocks = { "" }, lcs = { "" }, dts = { "" };
          double top = 0.0, low = INFINITY, chance = v >= 0 ? variant_chance(g, v) : NAN, cap = 2.5 * chance;
          int hidden = 0;
          double cut_x[64], cut_l[64], cut_e[64];
          size_t ncut = 0;
          for (size_t a = 0; v >= 0 && a < na; a++) {
            if (facet_act && a != fac) continue;
            if (facet_ai && a != fac / ni) continue;
            for (size_t i = 0; i < ni; i++)
            for (size_t p = 0; p < ps.n; p++) {
              if (facet_ai && i != fac % ni) continue;
              int sv = vp[p];
              if (sv < 0 || !has_group(g, (int)a, (int)i, sv, depth)) continue;
              int b = -1;
              double n0 = NAN;
              size_t n_pts = 0, n_above = 0;
              const srow *prev = NULL;
              for (size_t k = 0; k < s.n; k++) {
                const srow *x = &s.r[k];
                if (x->a != (int)a || x->i != (int)i || x->v != sv || x->depth != depth) continue;
                if (isnan(n0)) n0 = x->x[SP_N];
                if (x->x[SP_N] < n0) {   /* a seed diverged: the rows after are fewer seeds' */
                  if (prev && ncut < 64) {
                    cut_x[ncut] = (double)prev->step;
                    cut_l[ncut] = prev->x[0];
                    cut_e[ncut++] = 1.0 - prev->x[3];
                  }
                  break;
                }
                if (b < 0) {
                  char what[200];
                  snprintf(what, sizeof what, "%s %s %s depth %zu: step loss lo hi test_error lo hi",
                           g->acts.name[a], g->inits.name[i], g->variants.name[sv], depth);
                  b = fig_block(&f, what);
                }
                double l = x->x[0], lhi = x->x[2];
                if (isfinite(lhi) && lhi > top) top = lhi;
                n_pts++;
                n_above += l > cap;
                if (isfinite(l) && l > 0 && l < low) low = l;
                fig_num(&f, (double)x->step, 0);
                fig_num(&f, l, 0);
                fig_num(&f, x->x[1], 0);
                fig_num(&f, lhi, 0);
                /* the test error is 1 - accuracy: its band turns over */
                fig_num(&f, 1.0 - x->x[3], 0);
                fig_num(&f, 1.0 - x->x[5], 0);
                fig_num(&f, 1.0 - x->x[4], 1);
                prev = x;
              }
              if (b < 0) continue;
              if (2 * n_above > n_pts) hidden = 1;
              long lc, dt;
              if (by_ps) { lc = ps.lc[p]; dt = ps.dt[p]; }
              else if (facet_act) { lc = (long)(i % 8) + 1; dt = 11; }
              else series_style(g, a, i, &lc, &dt);
              fig_list_addi(&blocks, b);
              fig_list_addi(&lcs, lc);
              fig_list_addi(&dts, dt);
            }
          }
          char name[64], t[FIG_LABEL_MAX * 2];
          snprintf(t, sizeof t, "depth %zu, where a seed diverged: step loss error", depth);
          int cb = fig_block(&f, t);
          for (size_t k = 0; k < ncut; k++) {
            fig_num(&f, cut_x[k], 0);
            fig_num(&f, cut_l[k], 0);
            fig_num(&f, cut_e[k], 1);
          }
          if (!ncut) fputs("NaN\tNaN\tNaN\n", f.dat);
          fig_list_addi(&cuts, cb);
          t[0] = '\0';
          if (facet_act) fig_cat(t, sizeof t, "%s, ", g->acts.name[fac]);
          if (by_ps) {   /* the lines are precisions: the panel names its (activation, init) */
            char ai[FIG_LABEL_MAX];
            fig_series_label(g, facet_ai ? (int)(fac / ni) : 0, facet_ai ? (int)(fac % ni) : 0, -1, ai, sizeof ai);
            fig_cat(t, sizeof t, "%s, ", ai);
          }
          if (nopt > 1) fig_cat(t, sizeof t, "%s, ", onames[o]);
          fig_cat(t, sizeof t, "depth %zu%s%s", depth, rest[v >= 0 ? v : 0][0] && v >= 0 ? ", " : "", v >= 0 ? rest[v] : "");
          fig_texts_add(&ptitles, t);
          fig_list_addi(&places, (long)(row * cols + col));
          snprintf(name, sizeof name, "%.17g", chance);
          fig_list_add(&chances, name);
          snprintf(name, sizeof name, "%.17g", v >= 0 ? variant_chance_error(g, v) : NAN);
          fig_list_add(&errs, name);
          /* the loss axis: to the highest band, but no further than 2.5 times
           * the chance loss (a diverging Adam run would flatten the rest) */
          int logy = 0;
          if (isfinite(chance) && hidden && isfinite(low) && low > 0) {
            /* a series is mostly above the cut: clipping would hide it, so
             * this panel's loss axis is logarithmic, to the top */
            logy = 1;
            any_log = 1;
          } else if (isfinite(chance) && top > 2.5 * chance) {
            top = 2.5 * chance;
            clipped = 1;
          }
          snprintf(name, sizeof name, "%.6g", top > 0 ? top * (logy ? 1.5 : 1.04) : 1.0);
          fig_list_add(&ymaxs, name);
          snprintf(name, sizeof name, "%.6g", logy ? low / 1.5 : 0.0);
          fig_list_add(&ymins, name);
          gi++;
          snprintf(name, sizeof name, "blocks_%zu", gi);
          fig_var_str(&f, name, blocks.s);
          snprintf(name, sizeof name, "lcs_%zu", gi);
          fig_var_str(&f, name, lcs.s);
          snprintf(name, sizeof name, "dts_%zu", gi);
          fig_var_str(&f, name, dts.s);
        }
  free(s.r);
  free(vopt);
  free(rest);
  free(onames);
  free(rix);
  ps_free(&ps);
  char fx[FIG_LABEL_MAX * 2];
  snprintf(fx, sizeof fx, "%s%s", g->fixed, g->fixed[0] ? "; " : "");
  spread_note(nseeds, "bands", fx + strlen(fx), sizeof fx - strlen(fx));
  if (nopt > 1) fig_cat(fx, sizeof fx, "; a block of rows per optimizer");
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_str(&f, "fixed", fx);
  fig_var_str(&f, "places", places.s);
  fig_var_num(&f, "ngroups", (double)ngroups);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "grows", (double)grows);
  key_vars(&f, &key);
  fig_var_str(&f, "chances", chances.s);
  fig_var_str(&f, "chance_errors", errs.s);
  fig_var_str(&f, "ymaxs", ymaxs.s);
  fig_var_str(&f, "ymins", ymins.s);
  fig_var_str(&f, "cuts", cuts.s);
  fig_var_num(&f, "clipped", clipped);
  fig_var_num(&f, "logged", any_log);
  return fig_close(&f, err);
}

/* ---- Figure: per-layer attenuation against saturation ------------------------------ */

typedef struct pts { size_t n, cap; double *x, *y; } pts;

static int pts_add(pts *p, double x, double y)
{
  if (p->n == p->cap) {
    size_t cc = p->cap ? 2 * p->cap : 1024;
    double *nx = realloc(p->x, cc * sizeof *nx);
    if (nx) p->x = nx;
    double *ny = realloc(p->y, cc * sizeof *ny);
    if (ny) p->y = ny;
    if (!nx || !ny) return SB_EFAIL;
    p->cap = cc;
  }
  p->x[p->n] = x;
  p->y[p->n++] = y;
  return SB_OK;
}

#define SAT_MAX_POINTS 20000   /* per figure; beyond, an even stride in each panel */
#define SAT_BINS 20
#define SAT_MAX_PANELS 16       /* 4 x 4 at 7 inches; beyond, the first 16 and a note */

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The cell of a row by its index (cells are in index order); NULL when
 * --select left it out. */
static const fig_cell *cell_of(const fig_grid *g, size_t index)
{
  size_t lo = 0, hi = g->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (g->cells[mid].index < index) lo = mid + 1;
    else hi = mid;
  }
  return lo < g->n && g->cells[lo].index == index ? &g->cells[lo] : NULL;
}

/* The rule by which grad-vs-saturation facets, said on the figure: a
 * panel per init and per value of every variant axis that varies (one
 * init, optimizer and learning rate each: pooled, the clouds of different
 * runs would hide one another); colour is the activation, the comparison.
 * At init only, the learning rate and the optimizer never acted: their
 * cells are one network, drawn once. */
static void sat_rule(const fig_grid *g, char *buf, size_t size)
{
  buf[0] = '\0';
  fig_cat(buf, size, "a panel per init");
  for (int k = 0; k < AXIS_COUNT; k++)
    if (g->varies[k] && (g->steps > 0 || fig_is_init_axis(k)))
      fig_cat(buf, size, " x %s", cfg_axis_name((cfg_axis)k));
  fig_cat(buf, size, ", colour: activation");
}

/* Every hidden layer l of every cell at every logged step (diverged cells
 * left out) is a point: x, its saturated fraction; y, the orders of
 * magnitude the back-propagated error loses crossing it, less the current
 * gain of the weights above it:
 *   log10(||delta^l|| / ||delta^(l+1)||) - log10(||W^(l+1)||_F / sqrt(n_(l+1))),
 * which for weights independent of the errors is 1/2 log10 E[phi'(h^l)^2],
 * the activation's own part (at init ||W||_F^2 / n_(l+1) is sigma_w2).
 * Panels by sat_rule's rule. */
static int fig_grad_vs_sat(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  const int at_init = g->steps <= 0;
  fig_rows fr;
  memset(&fr, 0, sizeof fr);
  int rc = fig_rows_open(&fr, c->o, g, c->layers, err), got = 0;
  if (rc) return rc;
  int cc = -1, cs = -1, cl = -1, cdel = -1, csat = -1, cwn = -1;
  if (!(rc = tsv_need(fr.t, "cell", &cc, err)) && !(rc = tsv_need(fr.t, "step", &cs, err))
      && !(rc = tsv_need(fr.t, "layer", &cl, err)) && !(rc = tsv_need(fr.t, "delta_norm", &cdel, err))
      && !(rc = tsv_need(fr.t, "weight_norm", &cwn, err)))
    rc = tsv_need(fr.t, "sat_frac", &csat, err);
  size_t na = g->acts.n, ni = g->inits.n, nv = at_init ? g->ivariants.n : g->variants.n;
  const fig_axis *vax = at_init ? &g->ivariants : &g->variants;
  size_t ngroups = ni * nv;   /* candidate panels: (init, variant) */
  pts *p = calloc(ngroups * na, sizeof *p);   /* [group][act] */
  if (!rc && !p) rc = sb_fail(err, SB_EFAIL, "out of memory");
  /* Rows come sorted by cell, step, layer: pair each layer with the next. */
  long prev_cell = -1, prev_step = -1;
  size_t prev_layer = 0;
  double prev_delta = NAN, prev_sat = NAN, maxsat = 0.0;
  while (!rc && (got = fig_rows_next(&fr, err)) == 1) {
    long cell = strtol(tsv_str(fr.t, cc), NULL, 10), step = strtol(tsv_str(fr.t, cs), NULL, 10);
    size_t layer = strtoul(tsv_str(fr.t, cl), NULL, 10), depth = fig_rows_depth(&fr);
    double delta = tsv_num(fr.t, cdel), sat = tsv_num(fr.t, csat), wn = tsv_num(fr.t, cwn);
    int a = fig_rows_act(&fr), i = fig_rows_init(&fr), v = at_init ? fig_rows_ivariant(&fr) : fig_rows_variant(&fr);
    const fig_cell *ce = cell_of(g, (size_t)cell);
    if (a >= 0 && i >= 0 && v >= 0 && ce && strcmp(ce->status, "diverged") && (!at_init || ce->init_rep)
        && cell == prev_cell && step == prev_step && layer == prev_layer + 1 && layer <= depth + 1) {
      double n_above = layer <= depth ? (double)fig_rows_width(&fr) : (double)g->classes;
      double r = log10(prev_delta / delta) - log10(wn / sqrt(n_above));
      if (isfinite(r) && isfinite(prev_sat)) {
        if (pts_add(&p[((size_t)i * nv + (size_t)v) * na + (size_t)a], prev_sat, r))
          rc = sb_fail(err, SB_EFAIL, "out of memory");
        if (prev_sat > maxsat) maxsat = prev_sat;
      }
    }
    prev_cell = cell; prev_step = step; prev_layer = layer; prev_delta = delta; prev_sat = sat;
  }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  /* the panels: groups with points, in the grid's order (init, then
   * variant), at most SAT_MAX_PANELS */
  size_t *panel = malloc((ngroups ? ngroups : 1) * sizeof *panel), np = 0, nfull = 0;
  if (!rc && !panel) rc = sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t q = 0; !rc && q < ngroups; q++) {
    size_t n = 0;
    for (size_t a = 0; a < na; a++) n += p[q * na + a].n;
    if (!n) continue;
    nfull++;
    if (np < SAT_MAX_PANELS) panel[np++] = q;
  }
  /* the y axis, shared by the panels: the middle 99% of the points, but
   * no further than 1.5 times the middle 90%'s width beyond it, so that
   * the layers of a run gone wild (a saturated sigmoid loses 26 orders per
   * layer) do not flatten the rest; the title counts the points left
   * outside */
  size_t npts = 0, nout = 0;
  for (size_t k = 0; !rc && k < np; k++) for (size_t a = 0; a < na; a++) npts += p[panel[k] * na + a].n;
  double ylo = -4.0, yhi = 1.0;
  if (!rc && npts) {
    double *ys = malloc(npts * sizeof *ys);
    if (!ys) rc = sb_fail(err, SB_EFAIL, "out of memory");
    else {
      size_t m = 0;
      for (size_t k = 0; k < np; k++)
        for (size_t a = 0; a < na; a++) {
          const pts *pp = &p[panel[k] * na + a];
          for (size_t j = 0; j < pp->n; j++) ys[m++] = pp->y[j];
        }
      qsort(ys, m, sizeof *ys, cmp_double);
      double q05 = ys[(size_t)(0.05 * (double)(m - 1))], q95 = ys[(size_t)(0.95 * (double)(m - 1))];
      double reach = 1.5 * (q95 - q05) + 0.5;
      ylo = fmax(ys[(size_t)(0.005 * (double)(m - 1))], q05 - reach);
      yhi = fmin(ys[(size_t)(0.995 * (double)(m - 1))], q95 + reach);
      double pad = 0.08 * (yhi - ylo) + 0.05;
      for (size_t k = 0; k < m; k++) nout += ys[k] < ylo - pad || ys[k] > yhi + pad;
      free(ys);
    }
  }
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  for (size_t a = 0; !rc && a < na; a++) {
    int any = 0;
    for (size_t k = 0; k < np; k++) any |= p[panel[k] * na + a].n > 0;
    if (any) key_add(&key, g->acts.name[a], (long)a + 1, 11);
  }
  key_add(&key, "mean-field, N(0, q)", 30, 12);
  key_add(&key, "bound, iid weights", 30, 13);
  size_t cols = cols_for(np, 4), rows = rows_for(np ? np : 1, cols);
  double w = cols == 1 ? 3.5 : 7.0, panel_h = cols == 1 ? 2.6 : 1.9;
  figure f;
  if (!rc) rc = fig_open(&f, c, w, 1.25 + panel_h * (double)rows + 0.3 * (double)(rows - 1) + key_height(&key, w), err);
  if (!rc) {
    fig_list blocks = { "" }, series = { "" }, means = { "" }, curves = { "" }, bounds = { "" }, pans = { "" };
    fig_texts ptitles = { "", 0, 0 };
    /* per activation, the theory and the bound: the same in every panel */
    for (size_t a = 0; a < na && !rc; a++) {
      char what[200];
      /* Mean-field: a layer whose pre-activations are N(0, q) has saturated
       * fraction sat(q) and loses 1/2 log10 E[phi'^2](q); q sweeps 1e-3..1e3
       * (a ReLU's sat(q) is 1/2 for every q: no curve). */
      act_fn fn;
      /* a name in the tables that satbench does not know has no theory */
      int known = act_parse(g->acts.name[a], &fn, NULL) == SB_OK;
      snprintf(what, sizeof what, "%s: mean-field sat(q), log10(E[phi'(sqrt(q) z)^2])/2, q = 1e-3..1e3", g->acts.name[a]);
      fig_list_addi(&curves, fig_block(&f, what));
      double smin = INFINITY, smax = -INFINITY;
      for (int k = 0; known && k <= 120; k++) {
        double q = pow(10.0, -3.0 + 6.0 * k / 120.0), sq = theory_sat_frac(&fn, q, g->tau);
        smin = fmin(smin, sq);
        smax = fmax(smax, sq);
      }
      for (int k = 0; k <= 120 && smax - smin > 0.02; k++) {
        double q = pow(10.0, -3.0 + 6.0 * k / 120.0);
        theory_moments m;
        if (theory_moments_at(c->tw, &fn, q, &m)) continue;
        fig_num(&f, theory_sat_frac(&fn, q, g->tau), 0);
        fig_num(&f, 0.5 * log10(m.dphi2), 1);
      }
      if (!(smax - smin > 0.02)) fputs("NaN\tNaN\n", f.dat);
      /* The bound any activation obeys: unsaturated units have |phi'| at
       * most its sup, saturated ones below tau times it. */
      snprintf(what, sizeof what, "%s: bound s, 1/2 log10((1 - s) max|phi'|^2 + s (tau max|phi'|)^2)", g->acts.name[a]);
      fig_list_addi(&bounds, fig_block(&f, what));
      double dm = known ? act_deriv_max(&fn) : NAN;
      if (!known) fputs("NaN\tNaN\n", f.dat);
      for (int k = 0; known && k <= 100; k++) {
        double sv = k / 100.0;
        fig_num(&f, sv, 0);
        fig_num(&f, 0.5 * log10(dm * dm * ((1.0 - sv) + sv * g->tau * g->tau)), 1);
      }
    }
    size_t cap = SAT_MAX_POINTS / (np ? np : 1);
    for (size_t k = 0; k < np && !rc; k++) {
      size_t q = panel[k], i = q / nv, v = q % nv;
      char t[FIG_LABEL_MAX * 2];
      snprintf(t, sizeof t, "%s%s%s", g->inits.label[i], vax->label[v][0] ? ", " : "", vax->label[v]);
      fig_texts_add(&ptitles, t);
      for (size_t a = 0; a < na; a++) {
        const pts *pp = &p[q * na + a];
        if (pp->n == 0) continue;
        char what[FIG_LABEL_MAX * 2 + 200];
        snprintf(what, sizeof what, "%s, %s: sat_frac, log10(||delta^l||/||delta^(l+1)||) - log10(||W^(l+1)||_F/sqrt(n))",
                 t, g->acts.name[a]);
        fig_list_addi(&pans, (long)k + 1);
        fig_list_addi(&blocks, fig_block(&f, what));
        fig_list_addi(&series, (long)a + 1);
        size_t stride = pp->n > cap ? (pp->n + cap - 1) / cap : 1;
        for (size_t j = 0; j < pp->n; j += stride) {
          fig_num(&f, pp->x[j], 0);
          fig_num(&f, pp->y[j], 1);
        }
        /* The mean over the panel's points in bins of saturation, drawn
         * at the mean saturation of the bin's points, not its centre: a
         * bin whose points all sit at 0 is drawn at 0. */
        double bin[SAT_BINS] = { 0 }, binx[SAT_BINS] = { 0 };
        size_t cnt[SAT_BINS] = { 0 };
        for (size_t j = 0; j < pp->n; j++) {
          int b = (int)(pp->x[j] * SAT_BINS);
          b = b < 0 ? 0 : b >= SAT_BINS ? SAT_BINS - 1 : b;
          bin[b] += pp->y[j];
          binx[b] += pp->x[j];
          cnt[b]++;
        }
        snprintf(what, sizeof what, "%s, %s: mean saturation, mean (bins with >= 3 points)", t, g->acts.name[a]);
        int mb = fig_block(&f, what), wrote = 0;
        for (int b = 0; b < SAT_BINS; b++)
          if (cnt[b] >= 3) {
            fig_num(&f, binx[b] / (double)cnt[b], 0);
            fig_num(&f, bin[b] / (double)cnt[b], 1);
            wrote = 1;
          }
        if (!wrote) fputs("NaN\tNaN\n", f.dat);  /* keeps block numbering; never plotted */
        fig_list_addi(&means, wrote ? mb : -1);
      }
    }
    fig_var_str(&f, "pans", pans.s);
    fig_var_str(&f, "blocks", blocks.s);
    fig_var_str(&f, "series", series.s);
    fig_var_str(&f, "means", means.s);
    fig_var_str(&f, "curves", curves.s);
    fig_var_str(&f, "bounds", bounds.s);
    fig_var_names(&f, "acts", &g->acts);
    fig_var_texts(&f, "ptitles", &ptitles);
    fig_var_num(&f, "tau", g->tau);
    fig_var_num(&f, "nact", (double)na);
    fig_var_num(&f, "npanels", (double)np);
    fig_var_num(&f, "nfull", (double)nfull);
    fig_var_num(&f, "ncols", (double)cols);
    fig_var_num(&f, "nrows", (double)rows);
    double pad = 0.08 * (yhi - ylo) + 0.05;
    fig_var_num(&f, "ylo", ylo - pad);
    fig_var_num(&f, "yhi", yhi + pad);
    fig_var_num(&f, "nout", (double)nout);
    fig_var_num(&f, "npts", (double)npts);
    fig_var_num(&f, "xhi", fmin(1.02, fmax(0.1, maxsat * 1.05 + 0.02)));
    char fx[FIG_LABEL_MAX], rule[FIG_LABEL_MAX];
    fixed_part(g, fx, sizeof fx);
    sat_rule(g, rule, sizeof rule);
    fig_var_str(&f, "fixed", fx);
    fig_var_str(&f, "rule", rule);
    key_vars(&f, &key);
    if (!rc) rc = fig_close(&f, err);
    else fig_discard(&f);
  }
  for (size_t q = 0; p && q < ngroups * na; q++) { free(p[q].x); free(p[q].y); }
  free(p);
  free(panel);
  return rc;
}

/* ---- Figure: measurement against mean-field theory --------------------------------- */

static int fig_theory(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  fig_rows fr;
  int rc = fig_rows_open(&fr, c->o, g, c->summary, err), got = 0;
  if (rc) return rc;
  int cs = -1, cl = -1;
  if (!(rc = tsv_need(fr.t, "step", &cs, err))) rc = tsv_need(fr.t, "layer", &cl, err);
  int cm = tsv_col(fr.t, "log10_delta_ratio_mean"), cth = tsv_col(fr.t, "log10_delta_ratio_theory");
  if (!rc && (cm < 0 || cth < 0)) { fig_rows_close(&fr); return FIG_SKIPPED; }
  size_t na = g->acts.n;
  pts *p = calloc(na, sizeof *p);
  if (!rc && !p) rc = sb_fail(err, SB_EFAIL, "out of memory");
  /* Summary rows of a group come sorted by step, then layer: the per-layer
   * ratio is twice the difference of consecutive log ratios. */
  char prev_key[FIG_LABEL_MAX * 4] = "";
  size_t prev_layer = 0;
  double prev_m = NAN, prev_t = NAN;
  while (!rc && (got = fig_rows_next(&fr, err)) == 1) {
    if (strcmp(tsv_str(fr.t, cs), "0")) continue;
    char key[FIG_LABEL_MAX * 4] = "";
    for (int k = 0; k < AXIS_COUNT; k++)
      if (fr.col[k] >= 0) {
        size_t n = strlen(key);
        snprintf(key + n, sizeof key - n, "%s\t", tsv_str(fr.t, fr.col[k]));
      }
    size_t layer = strtoul(tsv_str(fr.t, cl), NULL, 10), depth = fig_rows_depth(&fr);
    double m = tsv_num(fr.t, cm), th = tsv_num(fr.t, cth);
    int a = fig_rows_act(&fr);
    if (a >= 0 && !strcmp(key, prev_key) && layer == prev_layer + 1 && layer <= depth) {
      double x = 2.0 * (prev_t - th), y = 2.0 * (prev_m - m);
      if (isfinite(x) && isfinite(y) && pts_add(&p[a], x, y)) rc = sb_fail(err, SB_EFAIL, "out of memory");
    }
    snprintf(prev_key, sizeof prev_key, "%s", key);
    prev_layer = layer; prev_m = m; prev_t = th;
  }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  figure f;
  /* the names of the inits, listed under the phase diagram (about four
   * to a line) */
  size_t ninit_lines = (g->inits.n + 3) / 4;
  if (!rc) rc = fig_open(&f, c, 7.0, 3.6 + 0.13 * (double)ninit_lines, err);
  if (rc) { for (size_t a = 0; p && a < na; a++) { free(p[a].x); free(p[a].y); } free(p); return rc; }
  fig_list blocks = { "" }, series = { "" };
  double lo = INFINITY, hi = -INFINITY;
  for (size_t a = 0; a < na; a++) {
    if (p[a].n == 0) continue;
    char what[160];
    snprintf(what, sizeof what, "%s: predicted log10 chi_l, measured log10 ||delta^l||^2/||delta^(l+1)||^2 (step 0)", g->acts.name[a]);
    fig_list_addi(&blocks, fig_block(&f, what));
    fig_list_addi(&series, (long)a + 1);
    for (size_t k = 0; k < p[a].n; k++) {
      fig_num(&f, p[a].x[k], 0);
      fig_num(&f, p[a].y[k], 1);
      double v[2] = { p[a].x[k], p[a].y[k] };
      for (int j = 0; j < 2; j++) { if (v[j] < lo) lo = v[j]; if (v[j] > hi) hi = v[j]; }
    }
  }
  for (size_t a = 0; a < na; a++) { free(p[a].x); free(p[a].y); }
  free(p);
  size_t before = f.rows;

  /* The phase diagram of one activation: tanh when the grid has it. */
  int pa = fig_axis_name(&g->acts, "tanh");
  act_fn fn;
  /* else the first that satbench knows (a name in the tables it does not
   * know has no theory); none: no figure */
  for (size_t a = 0; pa < 0 && a < g->acts.n; a++)
    if (act_parse(g->acts.name[a], &fn, NULL) == SB_OK) pa = (int)a;
  if (pa < 0) { fig_discard(&f); return FIG_SKIPPED; }
  act_parse(g->acts.name[pa], &fn, NULL);
  double crit0;
  sb_error e2;
  /* The window: sigma_b2 up to four times the largest of the grid's inits
   * (at least 0.5, at most 2), so their marks are not crushed at the
   * bottom; sigma_w2 up to three times the critical value at the middle
   * of that (or 5 when there is none), and past every init. */
  size_t width = 0;
  for (size_t k = 0; k < g->n; k++) if (g->cells[k].width > width) width = g->cells[k].width;
  double init_sw_max = 0.0, init_sb_max = 0.0;
  for (size_t i = 0; i < g->inits.n; i++) {
    init_spec spec;
    if (init_parse(g->inits.name[i], &spec, NULL)) continue;
    if (spec.kind == INIT_CRITICAL && theory_resolve_init(c->tw, &fn, &spec, NULL)) continue;
    init_sw_max = fmax(init_sw_max, (double)width * init_weight_var(&spec, width, width));
    init_sb_max = fmax(init_sb_max, init_bias_var(&spec));
  }
  const double sbmax = fmin(2.0, fmax(0.5, 4.0 * init_sb_max));
  double swmax = theory_critical(c->tw, &fn, 0.5 * sbmax, 1.0, &crit0, &e2) == SB_OK && isfinite(crit0) ? 3.0 * crit0 : 5.0;
  if (swmax < 1.15 * init_sw_max && init_sw_max < 50.0) swmax = 1.15 * init_sw_max;
  enum { NW = 61, NB = 41 };
  int phase = fig_block(&f, "phase diagram: sigma_w2, sigma_b2, log10 chi1 (rows of constant sigma_b2)");
  double amax = 0.0;   /* the diverging scale: symmetric about log10 chi1 = 0 */
  for (int j = 0; j < NB; j++) {
    double sb2 = sbmax * j / (NB - 1);
    for (int i = 0; i < NW; i++) {
      double sw2 = swmax * (i + 0.5) / NW;
      theory_point tp;
      double v = theory_point_at(c->tw, &fn, sw2, sb2, 1.0, &tp, &e2) == SB_OK ? log10(tp.chi1) : NAN;
      fig_num(&f, sw2, 0);
      fig_num(&f, sb2, 0);
      fig_num(&f, isfinite(v) ? v : NAN, 1);
      /* the scale: from the diagram without its left tenth, where chi1
       * falls to 0 and would wash out the rest (beyond it: the end colour) */
      if (isfinite(v) && fabs(v) > amax && i >= NW / 10) amax = fabs(v);
    }
    fputc('\n', f.dat);   /* a blank line between rows: a grid for pm3d */
  }
  int line = fig_block(&f, "critical line: sigma_w2 where chi1 = 1, sigma_b2");
  int wrote = 0;
  for (int j = 0; j <= 80; j++) {
    double sb2 = sbmax * (j / 80.0) * (j / 80.0), sw2;   /* denser near 0, where the line is steep */
    if (theory_critical(c->tw, &fn, sb2, 1.0, &sw2, &e2) == SB_OK && isfinite(sw2) && sw2 <= swmax) {
      fig_num(&f, sw2, 0);
      fig_num(&f, sb2, 1);
      wrote = 1;
    }
  }
  if (!wrote) fputs("NaN\tNaN\n", f.dat);
  /* Where the grid's initializations sit: numbered points, the numbers
   * explained under the diagram (labels beside points that share a sigma_b2
   * would overlap). */
  int marks = fig_block(&f, "the grid's initializations: sigma_w2 (hidden layers), sigma_b2, numbers, label level");
  /* Inits at the same point (xavier_normal, xavier_uniform and
   * orthogonal all sit at sigma_w2 = 1) share one mark, "2,3,5". */
  int nmarks = 0;
  size_t ni = g->inits.n;
  double *mw = malloc((ni ? ni : 1) * 2 * sizeof *mw), *mb = mw + (ni ? ni : 1);
  char (*mlab)[64] = calloc(ni ? ni : 1, sizeof *mlab);
  fig_texts lines = { "", 0, 0 };
  char line_buf[FIG_LABEL_MAX] = "";
  int nshown = 0;
  for (size_t i = 0; mw && mlab && i < ni; i++) {
    init_spec spec;
    if (init_parse(g->inits.name[i], &spec, NULL)) continue;
    if (spec.kind == INIT_CRITICAL && theory_resolve_init(c->tw, &fn, &spec, NULL)) continue;
    double sw2 = (double)width * init_weight_var(&spec, width, width), sb2 = init_bias_var(&spec);
    if (!(sw2 <= swmax && sb2 <= sbmax)) continue;
    int num = ++nshown, at = -1;
    for (int m = 0; m < nmarks; m++)
      if (fabs(mw[m] - sw2) < 0.02 * swmax && fabs(mb[m] - sb2) < 0.02 * sbmax) at = m;
    if (at < 0) {
      at = nmarks++;
      mw[at] = sw2;
      mb[at] = sb2;
      snprintf(mlab[at], sizeof mlab[at], "%d", num);
    } else {
      size_t n = strlen(mlab[at]);
      snprintf(mlab[at] + n, sizeof mlab[at] - n, ",%d", num);
    }
    /* the legend under the diagram: "1 standard   2 xavier_normal ...",
     * in lines of about 60 characters */
    char item[FIG_LABEL_MAX];
    snprintf(item, sizeof item, "%d %s", num, g->inits.label[i]);
    if (line_buf[0] && strlen(line_buf) + strlen(item) + 3 > 60) {
      fig_texts_add(&lines, line_buf);
      line_buf[0] = '\0';
    }
    fig_cat(line_buf, sizeof line_buf, "%s%s", line_buf[0] ? "   " : "", item);
  }
  if (line_buf[0]) fig_texts_add(&lines, line_buf);
  /* a label that would touch one already placed goes a line higher (the
   * diagram is about 2.9 inches wide; a digit at 6 pt about 0.06) */
  int *lvl = calloc((size_t)(nmarks ? nmarks : 1), sizeof *lvl);
  for (int m = 0; lvl && m < nmarks; m++) {
    for (int busy = 1; busy && lvl[m] < 3;) {
      busy = 0;
      for (int q = 0; q < m; q++)
        if (lvl[q] == lvl[m] && fabs(mb[q] - mb[m]) < 0.06 * sbmax
            && fabs(mw[q] - mw[m]) < 0.5 * (double)(strlen(mlab[q]) + strlen(mlab[m]) + 1) * 0.06 / 2.9 * swmax)
          busy = 1;
      if (busy) lvl[m]++;
    }
    fig_num(&f, mw[m], 0);
    fig_num(&f, mb[m], 0);
    fig_text(&f, mlab[m], 0);
    fig_num(&f, (double)lvl[m], 1);
  }
  free(lvl);
  if (!nmarks) fputs("NaN\tNaN\tNaN\tNaN\n", f.dat);
  int mem_ok = mw && mlab;
  free(mw);
  free(mlab);
  if (!mem_ok) { fig_discard(&f); return sb_fail(err, SB_EFAIL, "out of memory"); }
  fig_var_str(&f, "blocks", blocks.s);
  fig_var_str(&f, "series", series.s);
  fig_var_names(&f, "acts", &g->acts);
  fig_var_str(&f, "phase_act", g->acts.name[pa]);
  fig_var_texts(&f, "mark_lines", &lines);
  fig_var_num(&f, "nlines", (double)lines.n);
  fig_var_num(&f, "phase", phase);
  fig_var_num(&f, "critline", wrote ? line : -1);
  fig_var_num(&f, "marks", nmarks ? marks : -1);
  fig_var_num(&f, "swmax", swmax);
  fig_var_num(&f, "sbmax", sbmax);
  fig_var_num(&f, "cbmax", amax > 0 ? (amax < 1.0 ? ceil(amax * 10) / 10 : ceil(amax)) : 1.0);
  fig_var_num(&f, "lo", isfinite(lo) ? lo : -1.0);
  fig_var_num(&f, "hi", isfinite(hi) ? hi : 1.0);
  if (before == 0) f.rows = 0;  /* no measurement to compare */
  return fig_close(&f, err);
}

/* ---- Figures from cells.tsv: per-cell numbers grouped over seeds ---------------------- */

/* Mean and the 95% interval's half-width over the seeds of (a, i, depth)
 * of the attenuation at initialization (which 0: v is an ivariant, each
 * network counted once) or of the final training loss (which 1: v is a
 * variant); the seeds' values are left in scratch[0..n). */
static void group_stats(const fig_grid *g, int a, int i, int v, size_t depth, int which, double *scratch,
                        double *mean, double *ci, size_t *n)
{
  size_t m = 0;
  for (size_t k = 0; k < g->n; k++) {
    const fig_cell *cell = &g->cells[k];
    if (cell->depth != depth || strcmp(cell->act, g->acts.name[a]) || strcmp(cell->init, g->inits.name[i]))
      continue;
    if (which == 0 ? (!cell->init_rep || cell->ivar != v) : cell->var != v) continue;
    double x = which == 0 ? cell->att0 : cell->final_loss;
    if (isfinite(x)) scratch[m++] = x;
  }
  seed_summary s;
  stats_over_seeds(scratch, m, &s);
  *n = m;
  *mean = s.mean;
  *ci = s.n > 1 ? s.ci95 : 0.0;   /* one seed: no bar */
}

/* The heatmap of a phase-diagram grid (every init meanfield:SW2:SB2 or
 * critical:SB2, two or more of them, two or more depths): one map per
 * activation, sigma_b2 and variant at init, depth up and sigma_w2 across
 * in columns of equal width (the grid's values as tick labels), with mean-
 * field theory's depth over which the error changes tenfold,
 * 2 ln 10 |xi_grad| = 2 / |log10 chi_1|, and the edge of chaos drawn
 * through the columns.  HEAT_NOT_PHASE for other grids. */
#define HEAT_NOT_PHASE 100   /* neither SB_OK, an error nor FIG_SKIPPED */
#define HEAT_CURVE_STEPS 20   /* points of the theory between two columns */

/* Depth as a row position: rows are the grid's depths at 0, 1, ...;
 * between them linear, beyond them by the nearest gap. */
static double depth_row(const fig_grid *g, double depth)
{
  size_t nd = g->depths.n;
  if (nd < 2) return 0.0;
  size_t k = 0;
  while (k + 2 < nd && depth > (double)g->depths.val[k + 1]) k++;
  double d0 = (double)g->depths.val[k], d1 = (double)g->depths.val[k + 1];
  return (double)k + (depth - d0) / (d1 - d0);
}

/* A heatmap's colour range over [lo, hi] (decades): symmetric about 0
 * with a diverging palette when the values have both signs, else whole
 * decades around them. */
static void heat_range(figure *f, double lo, double hi)
{
  int diverge = isfinite(lo) && lo < -0.25 && hi > 0.25;
  if (diverge) {
    double m = ceil(fmax(-lo, hi));
    fig_var_num(f, "cblo", -m);
    fig_var_num(f, "cbhi", m);
  } else {
    fig_var_num(f, "cblo", isfinite(lo) ? floor(lo) : -1.0);
    fig_var_num(f, "cbhi", isfinite(hi) ? (ceil(hi) > floor(lo) ? ceil(hi) : floor(lo) + 1) : 0.0);
  }
  fig_var_num(f, "diverge", diverge);
}

static int heat_phase(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  size_t ni = g->inits.n, na = g->acts.n, nd = g->depths.n, nv = g->ivariants.n;
  if (ni < 2 || nd < 2) return HEAT_NOT_PHASE;
  size_t width = 0;
  for (size_t k = 0; k < g->n; k++) if (g->cells[k].width > width) width = g->cells[k].width;
  /* sigma_w2 per (activation, init): critical's depends on the activation */
  double *sw = malloc(na * ni * sizeof *sw), *sb = malloc(ni * sizeof *sb), *groups = malloc(ni * sizeof *groups);
  int *crit = calloc(ni, sizeof *crit), rc = SB_OK;
  if (!sw || !sb || !groups || !crit) { rc = sb_fail(err, SB_EFAIL, "out of memory"); goto done; }
  size_t ng = 0;
  for (size_t i = 0; i < ni; i++) {
    init_spec spec;
    if (init_parse(g->inits.name[i], &spec, NULL) || (spec.kind != INIT_MEANFIELD && spec.kind != INIT_CRITICAL)) {
      rc = HEAT_NOT_PHASE;
      goto done;
    }
    crit[i] = spec.kind == INIT_CRITICAL;
    sb[i] = init_bias_var(&spec);
    for (size_t a = 0; a < na; a++) {
      init_spec sp = spec;
      act_fn fn;
      sw[a * ni + i] = NAN;
      if (act_parse(g->acts.name[a], &fn, NULL) != SB_OK) continue;
      if (sp.kind == INIT_CRITICAL && theory_resolve_init(c->tw, &fn, &sp, NULL)) continue;
      sw[a * ni + i] = (double)width * init_weight_var(&sp, width, width);
    }
    size_t q = 0;
    while (q < ng && groups[q] != sb[i]) q++;
    if (q == ng) groups[ng++] = sb[i];
  }
  size_t np = na * ng * nv;
  /* columns: the inits of a sigma_b2, by sigma_w2 (of the panel's activation) */
  size_t cols = cols_for(np, 2), rows = rows_for(np, cols);
  double w = cols == 1 ? 3.5 : 7.0;
  double ph = fmax(1.9, 0.24 * (double)nd);
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  key_add(&key, "depth of a tenfold change, 2/|log₁₀ χ₁| (mean-field)", 2, 11);
  key_add(&key, "edge of chaos, χ₁ = 1 (white dashes)", 30, 12);
  figure f;
  rc = fig_open(&f, c, w, 0.9 + 0.5 + key_height(&key, w) + ph * (double)rows + 0.75 * (double)(rows - 1), err);
  if (rc) goto done;
  double *scratch = malloc(g->n * sizeof *scratch);
  size_t *ord = malloc(ni * sizeof *ord);
  if (!scratch || !ord) {
    free(scratch); free(ord);
    fig_discard(&f);
    rc = sb_fail(err, SB_EFAIL, "out of memory");
    goto done;
  }
  double lo = INFINITY, hi = -INFINITY;
  fig_texts ptitles = { "", 0, 0 }, xticks = { "", 0, 0 };
  fig_list ncol = { "" }, crits = { "" };
  for (size_t p = 0; p < np; p++) {
    size_t a = p / (ng * nv), q = p / nv % ng, v = p % nv;
    size_t n = 0;
    for (size_t i = 0; i < ni; i++) if (sb[i] == groups[q]) ord[n++] = i;
    const double *swa = sw + a * ni;
    for (size_t k = 1; k < n; k++)   /* by sigma_w2; unknown (NaN) last */
      for (size_t j = k; j > 0 && (swa[ord[j]] < swa[ord[j - 1]] || (isnan(swa[ord[j - 1]]) && !isnan(swa[ord[j]]))); j--) {
        size_t t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t;
      }
    char t[FIG_LABEL_MAX * 2], sbs[32];
    num_format(sbs, sizeof sbs, groups[q]);
    snprintf(t, sizeof t, "%s, σ_b² = %s%s%s", g->acts.name[a], sbs, g->ivariants.label[v][0] ? ", " : "",
             g->ivariants.label[v]);
    fig_texts_add(&ptitles, t);
    fig_list_addi(&ncol, (long)n);
    for (size_t k = 0; k < n; k++) {
      char tick[48];
      if (isfinite(swa[ord[k]])) snprintf(tick, sizeof tick, "%.3g%s", swa[ord[k]], crit[ord[k]] ? " crit." : "");
      else snprintf(tick, sizeof tick, "%s", g->inits.label[ord[k]]);
      fig_texts_add(&xticks, tick);
    }
    char what[FIG_LABEL_MAX * 3];
    snprintf(what, sizeof what, "panel %zu (%s): column, row, attenuation0_mean, seeds", p + 1, t);
    fig_block(&f, what);
    for (size_t k = 0; k < n; k++)
      for (size_t d = 0; d < nd; d++) {
        double m, sd;
        size_t cnt;
        group_stats(g, (int)a, (int)ord[k], (int)v, g->depths.val[d], 0, scratch, &m, &sd, &cnt);
        if (isfinite(m)) { if (m < lo) lo = m; if (m > hi) hi = m; }
        fig_num(&f, (double)k, 0);
        fig_num(&f, (double)d, 0);
        fig_num(&f, m, 0);
        fig_num(&f, (double)cnt, 1);
      }
    /* theory through the columns: sigma_w2 linear between neighbours */
    snprintf(what, sizeof what, "panel %zu: column, row of the depth 2/|log10 chi_1| (mean-field, sigma_b2 %s)", p + 1, sbs);
    fig_block(&f, what);
    act_fn fn;
    int known = act_parse(g->acts.name[a], &fn, NULL) == SB_OK, any = 0;
    double edge = NAN;
    for (size_t k = 0; known && k + 1 < n; k++) {
      double x0 = swa[ord[k]], x1 = swa[ord[k + 1]];
      if (!isfinite(x0) || !isfinite(x1)) continue;
      for (int j = 0; j <= HEAT_CURVE_STEPS; j++) {
        double u = (double)j / HEAT_CURVE_STEPS, x = x0 + u * (x1 - x0);
        theory_point tp;
        sb_error e2;
        if (theory_point_at(c->tw, &fn, x, groups[q], 1.0, &tp, &e2) != SB_OK || !(tp.chi1 > 0)) continue;
        double l10 = 2.0 / fabs(log10(tp.chi1));
        if (!isfinite(l10)) { fputs("NaN\tNaN\n", f.dat); continue; }
        fig_num(&f, (double)k + u, 0);
        fig_num(&f, depth_row(g, l10), 1);
        any = 1;
      }
      double sc;
      sb_error e2;
      if (isnan(edge) && theory_critical(c->tw, &fn, groups[q], 1.0, &sc, &e2) == SB_OK && sc >= fmin(x0, x1)
          && sc <= fmax(x0, x1) && x1 != x0)
        edge = (double)k + (sc - x0) / (x1 - x0);
    }
    if (!any) fputs("NaN\tNaN\n", f.dat);
    char num[40];
    snprintf(num, sizeof num, "%.17g", edge);
    fig_list_add(&crits, num);
  }
  free(scratch);
  free(ord);
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_texts(&f, "xticks", &xticks);
  fig_var_str(&f, "ncol", ncol.s);
  fig_var_str(&f, "crits", crits.s);
  fig_texts dlabels = { "", 0, 0 };
  for (size_t d = 0; d < nd; d++) {
    char dl[24];
    snprintf(dl, sizeof dl, "%zu", g->depths.val[d]);
    fig_texts_add(&dlabels, dl);
  }
  fig_var_texts(&f, "depths", &dlabels);
  fig_var_num(&f, "npanels", (double)np);
  fig_var_num(&f, "ndepth", (double)nd);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  heat_range(&f, lo, hi);
  fig_var_num(&f, "phase", 1);
  char fx[FIG_LABEL_MAX];
  fx[0] = '\0';
  fig_cat(fx, sizeof fx, "%s%s%zu seed%s", g->ivariants.n == 1 ? g->init_fixed : "",
          g->ivariants.n == 1 && g->init_fixed[0] ? ", " : "", g->nseeds, g->nseeds == 1 ? "" : "s");
  fig_var_str(&f, "fixed", fx);
  key_vars(&f, &key);
  if (!isfinite(lo)) f.rows = 0;  /* nothing measured: skip */
  rc = fig_close(&f, err);
done:
  free(sw); free(sb); free(groups); free(crit);
  return rc;
}

static int fig_heatmap(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  int pr = heat_phase(c, err);
  if (pr != HEAT_NOT_PHASE) return pr;
  /* Panels: (variant differing at init, depth); rows = activations,
   * columns = inits. */
  size_t nd = g->depths.n, nv = g->ivariants.n, np = nd * nv;
  size_t ni = g->inits.n, na = g->acts.n;
  /* Room for the names: activations on the left, inits (rotated 30
   * degrees) below; cells about 0.4 x 0.26 inches. */
  size_t lact = 0, linit = 0;
  for (size_t a = 0; a < na; a++) if (strlen(g->acts.name[a]) > lact) lact = strlen(g->acts.name[a]);
  for (size_t i = 0; i < ni; i++) if (strlen(g->inits.label[i]) > linit) linit = strlen(g->inits.label[i]);
  /* long names turn further, so that neighbours keep apart */
  double rot = linit > 10 ? 45.0 : 30.0;
  double lab_l = 0.15 + 0.06 * (double)lact, lab_b = 0.2 + 0.055 * (double)linit * sin(rot * M_PI / 180.0);
  /* a panel as wide as its title at 7 pt, at least */
  size_t ltitle = 0;
  for (size_t v = 0; v < nv; v++)
    for (size_t d = 0; d < nd; d++) {
      char t[FIG_LABEL_MAX];
      snprintf(t, sizeof t, "depth %zu%s%s", g->depths.val[d], g->ivariants.label[v][0] ? ", " : "",
               g->ivariants.label[v]);
      if (strlen(t) > ltitle) ltitle = strlen(t);
    }
  double pw = (double)ni * 0.4, ph = (double)na * 0.26;
  if (pw < 0.055 * (double)ltitle) pw = 0.055 * (double)ltitle;
  size_t cols = (size_t)((7.0 - lab_l - 0.85 + 0.15) / (pw + 0.15));
  if (cols < 1) cols = 1;
  cols = cols_for(np, cols);
  size_t rows = rows_for(np, cols);
  double w = lab_l + 0.85 + (double)cols * (pw + 0.15);
  if (w > 7.0) w = 7.0;
  if (w < 3.5) w = 3.5;
  /* between rows: the titles, and the init names when the last row is
   * short and names stand under panels of the row above it */
  double gap_y = np % cols && rows > 1 ? lab_b + 0.05 : 0.3;
  figure f;
  int rc = fig_open(&f, c, w, (w < 5 ? 0.7 : 0.55) + (double)rows * ph + (double)(rows - 1) * gap_y + lab_b, err);
  if (rc) return rc;
  double *scratch = malloc(g->n * sizeof *scratch);
  if (!scratch) { fig_discard(&f); return sb_fail(err, SB_EFAIL, "out of memory"); }
  double lo = INFINITY, hi = -INFINITY;
  fig_texts ptitles = { "", 0, 0 };
  for (size_t v = 0; v < nv; v++)
    for (size_t d = 0; d < nd; d++) {
      char what[FIG_LABEL_MAX + 96], t[FIG_LABEL_MAX];
      snprintf(t, sizeof t, "depth %zu%s%s", g->depths.val[d], g->ivariants.label[v][0] ? ", " : "",
               g->ivariants.label[v]);
      fig_texts_add(&ptitles, t);
      snprintf(what, sizeof what, "%s: init_index act_index attenuation0_mean n", t);
      fig_block(&f, what);
      for (size_t a = 0; a < na; a++)
        for (size_t i = 0; i < ni; i++) {
          double m, sd;
          size_t n;
          group_stats(g, (int)a, (int)i, (int)v, g->depths.val[d], 0, scratch, &m, &sd, &n);
          if (isfinite(m)) { if (m < lo) lo = m; if (m > hi) hi = m; }
          fig_num(&f, (double)i, 0);
          fig_num(&f, (double)a, 0);
          fig_num(&f, m, 0);
          fig_num(&f, (double)n, 1);
        }
    }
  free(scratch);
  fig_var_names(&f, "acts", &g->acts);
  fig_var_names(&f, "inits", &g->inits);
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_num(&f, "npanels", (double)np);
  fig_var_num(&f, "nact", (double)na);
  fig_var_num(&f, "ninit", (double)ni);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  heat_range(&f, lo, hi);
  fig_var_num(&f, "phase", 0);
  fig_var_num(&f, "lab_l", lab_l);
  fig_var_num(&f, "lab_b", lab_b);
  fig_var_num(&f, "gap_y", gap_y);
  fig_var_num(&f, "rot", rot);
  char fx[FIG_LABEL_MAX];
  fx[0] = '\0';
  fig_cat(fx, sizeof fx, "%s%s%zu seed%s", g->ivariants.n == 1 ? g->init_fixed : "",
          g->ivariants.n == 1 && g->init_fixed[0] ? ", " : "", g->nseeds, g->nseeds == 1 ? "" : "s");
  fig_var_str(&f, "fixed", fx);
  if (!isfinite(lo)) f.rows = 0;  /* nothing measured: skip */
  return fig_close(&f, err);
}

static int fig_depth(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  if (g->depths.n < 2) return FIG_SKIPPED;   /* a curve against depth needs two depths */
  /* First a panel of attenuation at init per ivariant (per width and
   * loss: the learning rate and the optimizer do not act yet); then, when
   * the grid trained, one panel of final training loss per variant, with
   * its chance loss. */
  int trained = g->steps > 0;
  size_t nv = g->variants.n, niv = g->ivariants.n, na = g->acts.n, ni = g->inits.n;
  size_t np = niv + (trained ? nv : 0);
  size_t cols = cols_for(np, 3), rows = rows_for(np, cols);
  double w = np == 1 ? 3.5 : 7.0;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  for (size_t a = 0; a < na; a++)
    for (size_t i = 0; i < ni; i++) {
      char t[FIG_LABEL_MAX];
      long lc, dt;
      fig_series_label(g, (int)a, (int)i, -1, t, sizeof t);
      series_style(g, a, i, &lc, &dt);
      key_add(&key, t, lc, dt);
    }
  if (trained) key_add(&key, "chance", 30, 12);
  size_t nseeds = max_group_seeds(g);
  key_seed_marks(&key, nseeds);
  figure f;
  int rc = fig_open(&f, c, w, 0.55 + 0.5 + (w < 5 ? 0.14 : 0.0) + key_height(&key, w) + 2.4 * (double)rows, err);
  if (rc) return rc;
  double *scratch = malloc(g->n * sizeof *scratch);
  if (!scratch) { fig_discard(&f); return sb_fail(err, SB_EFAIL, "out of memory"); }
  fig_list lcs = { "" }, dts = { "" }, chances = { "" }, kinds = { "" }, logys = { "" };
  fig_texts ptitles = { "", 0, 0 };
  for (size_t a = 0; a < na; a++)
    for (size_t i = 0; i < ni; i++) {
      long lc, dt;
      series_style(g, a, i, &lc, &dt);
      fig_list_addi(&lcs, lc);
      fig_list_addi(&dts, dt);
    }
  for (size_t p = 0; p < np; p++) {
    int which = p < niv ? 0 : 1, v = which == 0 ? (int)p : (int)(p - niv);
    const char *vname = which == 0 ? g->ivariants.name[v] : g->variants.name[v];
    char t[FIG_LABEL_MAX + 32];
    snprintf(t, sizeof t, "%s%s%s", which == 0 ? "attenuation at initialization" : "final training loss",
             vname[0] ? ", " : "", vname);
    fig_texts_add(&ptitles, t);
    fig_list_addi(&kinds, which);
    char ch[32];
    snprintf(ch, sizeof ch, "%.17g", which == 1 ? variant_chance(g, v) : NAN);
    fig_list_add(&chances, ch);
    fig_list blocks = { "" }, seeds = { "" };
    double lo = INFINITY, hi = 0.0;   /* the loss means, for the axis */
    for (size_t a = 0; a < na; a++)
      for (size_t i = 0; i < ni; i++) {
        char what[FIG_LABEL_MAX * 2];
        snprintf(what, sizeof what, "panel %zu, %s %s: depth mean ci95 n", p + 1, g->acts.name[a], g->inits.name[i]);
        int b = fig_block(&f, what), wrote = 0;
        for (size_t d = 0; d < g->depths.n; d++) {
          double m, ci;
          size_t n;
          group_stats(g, (int)a, (int)i, v, g->depths.val[d], which, scratch, &m, &ci, &n);
          if (!n) continue;
          fig_num(&f, (double)g->depths.val[d], 0);
          fig_num(&f, m, 0);
          fig_num(&f, ci, 0);
          fig_num(&f, (double)n, 1);
          wrote = 1;
          if (m > 0 && m < lo) lo = m;
          if (m > hi) hi = m;
        }
        if (!wrote) fputs("NaN\tNaN\tNaN\tNaN\n", f.dat);
        fig_list_addi(&blocks, b);
        /* every seed too: a mean of two nets that learned and one that did
         * not should show as that */
        snprintf(what, sizeof what, "panel %zu, %s %s: depth, each seed's value", p + 1, g->acts.name[a],
                 g->inits.label[i]);
        int sb = fig_block(&f, what);
        wrote = 0;
        for (size_t d = 0; d < g->depths.n; d++) {
          double m, ci;
          size_t n;
          group_stats(g, (int)a, (int)i, v, g->depths.val[d], which, scratch, &m, &ci, &n);
          for (size_t k = 0; k < n; k++) {
            fig_num(&f, (double)g->depths.val[d], 0);
            fig_num(&f, scratch[k], 1);
            wrote = 1;
          }
        }
        if (!wrote) fputs("NaN\tNaN\n", f.dat);
        fig_list_addi(&seeds, sb);
      }
    /* a loss axis on a log scale when the means span more than two decades
     * (He's nets end at 1e-5, Xavier's at chance) */
    fig_list_addi(&logys, which == 1 && isfinite(lo) && hi / lo > 100.0);
    char name[32];
    snprintf(name, sizeof name, "blocks_%zu", p + 1);
    fig_var_str(&f, name, blocks.s);
    snprintf(name, sizeof name, "seeds_%zu", p + 1);
    fig_var_str(&f, name, seeds.s);
  }
  fig_var_str(&f, "logys", logys.s);
  free(scratch);
  char fx[FIG_LABEL_MAX * 2];
  const char *fixed = g->steps > 0 ? g->fixed : g->init_fixed;
  snprintf(fx, sizeof fx, "%s%s", fixed, fixed[0] ? "; " : "");
  seed_marks_note(nseeds, fx + strlen(fx), sizeof fx - strlen(fx));
  fig_var_num(&f, "trained", trained);
  fig_var_num(&f, "bars", nseeds > FEW_SEEDS);
  fig_var_str(&f, "lcs", lcs.s);
  fig_var_str(&f, "dts", dts.s);
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "npanels", (double)np);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  key_vars(&f, &key);
  fig_list dl = { "" };
  for (size_t d = 0; d < g->depths.n; d++) fig_list_addi(&dl, (long)g->depths.val[d]);
  fig_var_str(&f, "depths", dl.s);
  fig_var_num(&f, "maxdepth", (double)g->depths.val[g->depths.n - 1]);
  fig_var_num(&f, "mindepth", (double)g->depths.val[0]);
  fig_var_str(&f, "chances", chances.s);
  fig_var_str(&f, "kinds", kinds.s);
  return fig_close(&f, err);
}

/* ---- Figure: remedies ------------------------------------------------------------- */

/* Style of a (norm, residual) pair from its label (figure.c's
 * variant_part): colour by norm, dash by skip connection. */
static void arch_style(const char *label, long *lc, long *dt)
{
  *lc = !strncmp(label, "batchnorm", 9) ? 1 : !strncmp(label, "layernorm", 9) ? 2 : 7;
  const char *skip = strstr(label, ", ");
  skip = skip ? skip + 2 : label;
  *dt = !strcmp(skip, "no skip") ? 11 : !strcmp(skip, "residual") ? 12 : 13;
}

/* Mean (and 95% interval) over seeds of attenuation at init (which 0,
 * over the cells that stand for their network at step 0, grouped by the
 * variant at init without the remedies, r) or of the final training loss
 * (which 1, by the trained variant without them). */
static void arch_stats(const fig_grid *g, int a, int i, int r, int arch, size_t depth, int which,
                       double *scratch, double *mean, double *ci, size_t *n)
{
  size_t m = 0;
  for (size_t k = 0; k < g->n; k++) {
    const fig_cell *cell = &g->cells[k];
    if (cell->depth != depth || cell->arch != arch || strcmp(cell->act, g->acts.name[a])
        || strcmp(cell->init, g->inits.name[i]))
      continue;
    if (which == 0 ? (!cell->init_rep || cell->irest != r) : cell->rest != r) continue;
    double x = which == 0 ? cell->att0 : cell->final_loss;
    if (isfinite(x)) scratch[m++] = x;
  }
  seed_summary st;
  stats_over_seeds(scratch, m, &st);
  *n = m;
  *mean = st.mean;
  *ci = st.n > 1 ? st.ci95 : 0.0;
}

static int fig_remedies(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  /* Only a grid that compares remedies, at two depths or more. */
  if (g->archs.n < 2 || g->depths.n < 2) return FIG_SKIPPED;
  int trained = g->steps > 0;
  size_t na = g->acts.n, ni = g->inits.n, nir = g->irests.n, nr = g->rests.n, nl = g->archs.n;
  /* Panels: attenuation at init per (activation, init, variant at init),
   * then the final loss per (activation, init, variant); lines: the
   * (norm, residual) pairs. */
  size_t natt = na * ni * nir, nloss = trained ? na * ni * nr : 0, np = natt + nloss;
  size_t cols = cols_for(natt, 3), rows = rows_for(natt, cols) + rows_for(nloss, cols);
  double w = cols == 1 ? 3.5 : 7.0;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  fig_list lcs = { "" }, dts = { "" };
  for (size_t k = 0; k < nl; k++) {
    long lc, dt;
    arch_style(g->archs.name[k], &lc, &dt);
    key_add(&key, g->archs.name[k], lc, dt);
    fig_list_addi(&lcs, lc);
    fig_list_addi(&dts, dt);
  }
  if (trained) key_add(&key, "chance", 30, 12);
  size_t nseeds = max_group_seeds(g);
  key_seed_marks(&key, nseeds);
  figure f;
  int rc = fig_open(&f, c, w, 0.55 + 0.5 + (w < 5 ? 0.14 : 0.0) + key_height(&key, w) + 2.3 * (double)rows, err);
  if (rc) return rc;
  double *scratch = malloc(g->n * sizeof *scratch);
  if (!scratch) { fig_discard(&f); return sb_fail(err, SB_EFAIL, "out of memory"); }
  fig_list chances = { "" }, kinds = { "" }, logys = { "" }, places = { "" };
  fig_texts ptitles = { "", 0, 0 };
  for (size_t p = 0; p < np; p++) {
    int which = p >= natt;
    size_t q = which ? p - natt : p, nv = which ? nr : nir;
    size_t a = q / (ni * nv), i = q / nv % ni, r = q % nv;
    const char *vname = which ? g->rests.name[r] : g->irests.name[r];
    char t[FIG_LABEL_MAX * 3];
    snprintf(t, sizeof t, "%s: %s %s, %s", which ? "final loss" : "attenuation at init", g->acts.name[a],
             g->inits.label[i], vname);
    size_t tl = strlen(t);
    if (tl >= 2 && !strcmp(t + tl - 2, ", ")) t[tl - 2] = '\0';
    fig_texts_add(&ptitles, t);
    fig_list_addi(&kinds, which);
    /* the loss panels start a row of their own */
    size_t row = which ? rows_for(natt, cols) + q / cols : q / cols, col = q % cols;
    fig_list_addi(&places, (long)(row * cols + col));
    double chance = NAN;
    if (which) {
      double sum = 0.0;
      size_t n = 0;
      for (size_t k = 0; k < g->n; k++)
        if (g->cells[k].rest == (int)r && isfinite(g->cells[k].chance_loss)) { sum += g->cells[k].chance_loss; n++; }
      chance = n ? sum / (double)n : NAN;
    }
    char ch[32];
    snprintf(ch, sizeof ch, "%.17g", chance);
    fig_list_add(&chances, ch);
    fig_list blocks = { "" }, seeds = { "" };
    double lo = INFINITY, hi = 0.0;
    for (size_t k = 0; k < nl; k++) {
      char what[FIG_LABEL_MAX * 4];
      snprintf(what, sizeof what, "panel %zu, %s: depth mean ci95 n", p + 1, g->archs.name[k]);
      int b = fig_block(&f, what), wrote = 0;
      for (size_t d = 0; d < g->depths.n; d++) {
        double m, ci;
        size_t n;
        arch_stats(g, (int)a, (int)i, (int)r, (int)k, g->depths.val[d], which, scratch, &m, &ci, &n);
        if (!n) continue;
        fig_num(&f, (double)g->depths.val[d], 0);
        fig_num(&f, m, 0);
        fig_num(&f, ci, 0);
        fig_num(&f, (double)n, 1);
        wrote = 1;
        if (m > 0 && m < lo) lo = m;
        if (m > hi) hi = m;
      }
      if (!wrote) fputs("NaN\tNaN\tNaN\tNaN\n", f.dat);
      fig_list_addi(&blocks, b);
      snprintf(what, sizeof what, "panel %zu, %s: depth, each seed's value", p + 1, g->archs.name[k]);
      int sb = fig_block(&f, what);
      wrote = 0;
      for (size_t d = 0; d < g->depths.n; d++) {
        double m, ci;
        size_t n;
        arch_stats(g, (int)a, (int)i, (int)r, (int)k, g->depths.val[d], which, scratch, &m, &ci, &n);
        for (size_t e = 0; e < n; e++) {
          fig_num(&f, (double)g->depths.val[d], 0);
          fig_num(&f, scratch[e], 1);
          wrote = 1;
        }
      }
      if (!wrote) fputs("NaN\tNaN\n", f.dat);
      fig_list_addi(&seeds, sb);
    }
    fig_list_addi(&logys, which && isfinite(lo) && hi / lo > 100.0);
    char name[32];
    snprintf(name, sizeof name, "blocks_%zu", p + 1);
    fig_var_str(&f, name, blocks.s);
    snprintf(name, sizeof name, "seeds_%zu", p + 1);
    fig_var_str(&f, name, seeds.s);
  }
  free(scratch);
  char fx[FIG_LABEL_MAX * 2];
  snprintf(fx, sizeof fx, "%s", g->steps > 0 ? g->fixed : g->init_fixed);
  int skips = 0;
  for (size_t k = 0; k < nl; k++) skips |= strstr(g->archs.name[k], "no skip") == NULL;
  if (skips) fig_cat(fx, sizeof fx, "%sresidual branch scaled by %s", fx[0] ? ", " : "", g->res_scale);
  fig_cat(fx, sizeof fx, "%s", fx[0] ? "; " : "");
  seed_marks_note(nseeds, fx + strlen(fx), sizeof fx - strlen(fx));
  fig_var_str(&f, "logys", logys.s);
  fig_var_num(&f, "trained", trained);
  fig_var_num(&f, "bars", nseeds > FEW_SEEDS);
  fig_var_str(&f, "lcs", lcs.s);
  fig_var_str(&f, "dts", dts.s);
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_str(&f, "places", places.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "npanels", (double)np);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  key_vars(&f, &key);
  fig_list dl = { "" };
  for (size_t d = 0; d < g->depths.n; d++) fig_list_addi(&dl, (long)g->depths.val[d]);
  fig_var_str(&f, "depths", dl.s);
  fig_var_num(&f, "maxdepth", (double)g->depths.val[g->depths.n - 1]);
  fig_var_num(&f, "mindepth", (double)g->depths.val[0]);
  fig_var_str(&f, "chances", chances.s);
  fig_var_str(&f, "kinds", kinds.s);
  return fig_close(&f, err);
}

/* ---- Figure: Jacobian spectra ----------------------------------------------------- */

#define SPEC_BINS 40

typedef struct spec_val { int panel; size_t depth; double lg, floor; int resolved; } spec_val;

static int dbl_cmp(const void *x, const void *y)
{
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* Densities of log10 sigma at initialization (the first spectra of each
 * cell, step 0), a panel per (activation, init, variant at init), a line
 * per depth, over every probed input and seed.  Only the singular values
 * the arithmetic resolves are drawn (spectra.tsv's resolved = 1: above
 * max(width, input dim) eps sigma_max); the densities are shares of every
 * singular value, resolved or not, so that a curve's area is the share
 * resolved, each panel's title says the share below the floor per depth, and a
 * dashed line of the depth's colour marks its floor (the median over its
 * Jacobians).  Grids from before the floor was written draw every value. */
static int fig_spectra(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  FILE *probe = tsv_fopen(c->spectra);
  if (!probe) return FIG_SKIPPED;   /* a grid from before the Jacobian probe */
  fclose(probe);
  fig_rows rr;
  int rc = fig_rows_open(&rr, c->o, g, c->spectra, err);
  if (rc) return rc;
  int cst = tsv_col(rr.t, "step"), csv = tsv_col(rr.t, "sv"), cfl = tsv_col(rr.t, "floor"),
      cres = tsv_col(rr.t, "resolved");
  if (cst < 0 || csv < 0) { fig_rows_close(&rr); return sb_fail(err, SB_EUSAGE, "%s: no step or sv column", c->spectra); }
  size_t na = g->acts.n, ni = g->inits.n, nv = g->ivariants.n, np = na * ni * nv, nd = g->depths.n;
  size_t n = 0, cap = 0;
  spec_val *vals = NULL;
  int got;
  while ((got = fig_rows_next(&rr, err)) == 1) {
    if (tsv_num(rr.t, cst) != 0.0) continue;
    int a = fig_rows_act(&rr), i = fig_rows_init(&rr), v = fig_rows_ivariant(&rr);
    double sv = tsv_num(rr.t, csv);
    if (a < 0 || i < 0 || v < 0 || !isfinite(sv)) continue;
    int res = cres >= 0 ? tsv_num(rr.t, cres) == 1.0 : sv > 0;
    if (n == cap) {
      cap = cap ? 2 * cap : 4096;
      spec_val *nv_ = realloc(vals, cap * sizeof *vals);
      if (!nv_) { free(vals); fig_rows_close(&rr); return sb_fail(err, SB_EFAIL, "out of memory"); }
      vals = nv_;
    }
    vals[n++] = (spec_val){ (a * (int)ni + i) * (int)nv + v, fig_rows_depth(&rr), res && sv > 0 ? log10(sv) : NAN,
                            cfl >= 0 ? tsv_num(rr.t, cfl) : NAN, res && sv > 0 };
  }
  fig_rows_close(&rr);
  if (got < 0) { free(vals); return -got; }
  if (n == 0) { free(vals); return FIG_SKIPPED; }   /* no spectra at step 0: --jacobian was off */
  /* a row per activation when its inits (and variants) fit in four
   * columns, so that the inits compared (Gaussian against orthogonal)
   * stand side by side; else rows of three */
  size_t per_act = ni * nv, cols = per_act >= 2 && per_act <= 4 ? per_act : cols_for(np, 3), rows = rows_for(np, cols);
  double w = np == 1 ? 3.5 : 7.0;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  fig_list lcs = { "" };
  for (size_t d = 0; d < nd; d++) {
    char t[32];
    snprintf(t, sizeof t, "depth %zu", g->depths.val[d]);
    long lc = nd == 1 ? 21 : 21 + (long)((8 * d) / (nd - 1));
    key_add(&key, t, lc, 11);
    fig_list_addi(&lcs, lc);
  }
  if (cfl >= 0) key_add(&key, "resolution floor", 0, 12);
  figure f;
  rc = fig_open(&f, c, w, 0.55 + 0.5 + (w < 5 ? 0.14 : 0.0) + key_height(&key, w) + 2.2 * (double)rows, err);
  if (rc) { free(vals); return rc; }
  /* the x axis: every resolved value and every floor drawn */
  double glo = INFINITY, ghi = -INFINITY, ymax = 0.0;
  for (size_t k = 0; k < n; k++)
    if (vals[k].resolved) { if (vals[k].lg < glo) glo = vals[k].lg; if (vals[k].lg > ghi) ghi = vals[k].lg; }
  fig_texts ptitles = { "", 0, 0 }, pnotes = { "", 0, 0 };
  fig_list floors = { "" };
  double *dens = malloc(SPEC_BINS * sizeof *dens), *fl = malloc((n ? n : 1) * sizeof *fl);
  if (!dens || !fl) { free(dens); free(fl); free(vals); fig_discard(&f); return sb_fail(err, SB_EFAIL, "out of memory"); }
  size_t below_total = 0;
  for (size_t p = 0; p < np; p++) {
    size_t a = p / (ni * nv), i = p / nv % ni, v = p % nv;
    char t[FIG_LABEL_MAX * 3], note[256] = "";
    snprintf(t, sizeof t, "%s %s%s%s", g->acts.name[a], g->inits.label[i], g->ivariants.name[v][0] ? ", " : "",
             g->ivariants.name[v]);
    fig_texts_add(&ptitles, t);
    /* each panel binned over its own range, so that a narrow spectrum
     * keeps its shape; the x axis spans every panel's */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; k++)
      if (vals[k].panel == (int)p && vals[k].resolved) { if (vals[k].lg < lo) lo = vals[k].lg; if (vals[k].lg > hi) hi = vals[k].lg; }
    if (!(hi - lo >= 0.02)) { lo = isfinite(lo) ? lo - 0.01 : -0.01; hi = isfinite(hi) ? hi + 0.01 : 0.01; }
    double bw = (hi - lo) / SPEC_BINS;
    /* each panel's x axis: whole decades around its resolved values, at
     * least two, so that a narrow (isometric) spectrum is not squeezed
     * into a sliver by another panel's spread or a floor at 1e-22 */
    {
      double xl = floor(lo), xh = ceil(hi);
      while (xh - xl < 2.0) { xl -= 0.5; xh += 0.5; }
      char name[32];
      snprintf(name, sizeof name, "xlo_%zu", p + 1);
      fig_var_num(&f, name, pow(10.0, floor(xl)));
      snprintf(name, sizeof name, "xhi_%zu", p + 1);
      fig_var_num(&f, name, pow(10.0, ceil(xh)));
    }
    int any_below = 0;
    for (size_t d = 0; d < nd; d++) {
      char what[FIG_LABEL_MAX * 4];
      snprintf(what, sizeof what, "panel %zu (%s), depth %zu: sigma density_per_log10", p + 1, t, g->depths.val[d]);
      fig_block(&f, what);
      size_t m = 0, below = 0, nfl = 0;
      memset(dens, 0, SPEC_BINS * sizeof *dens);
      for (size_t k = 0; k < n; k++) {
        if (vals[k].panel != (int)p || vals[k].depth != g->depths.val[d]) continue;
        m++;
        if (isfinite(vals[k].floor) && vals[k].floor > 0) fl[nfl++] = vals[k].floor;
        if (!vals[k].resolved) { below++; continue; }
        size_t b = (size_t)((vals[k].lg - lo) / bw);
        if (b >= SPEC_BINS) b = SPEC_BINS - 1;
        dens[b] += 1.0;
      }
      below_total += below;
      /* the depth's floor: the median over its Jacobians' singular values */
      double fmed = NAN;
      if (nfl) { qsort(fl, nfl, sizeof *fl, dbl_cmp); fmed = nfl % 2 ? fl[nfl / 2] : 0.5 * (fl[nfl / 2 - 1] + fl[nfl / 2]); }
      if (isfinite(fmed)) {
        double lf = log10(fmed);
        if (lf < glo) glo = lf;
        if (lf > ghi) ghi = lf;
      }
      char fb[32];
      snprintf(fb, sizeof fb, "%.6g", isfinite(fmed) ? fmed : 0.0);   /* 0: none known */
      fig_list_add(&floors, fb);
      if (m) {
        size_t len = strlen(note);
        snprintf(note + len, sizeof note - len, "%s%.0f%%", d ? " · " : "", 100.0 * (double)below / (double)m);
        if (below) any_below = 1;
      } else {
        size_t len = strlen(note);
        snprintf(note + len, sizeof note - len, "%s–", d ? " · " : "");
      }
      if (m == below) { fputs("NaN\tNaN\n", f.dat); continue; }
      for (size_t b = 0; b < SPEC_BINS; b++) {
        double y = dens[b] / ((double)m * bw);
        if (y > ymax) ymax = y;
        fig_num(&f, pow(10.0, lo + ((double)b + 0.5) * bw), 0);
        fig_num(&f, y, 1);
      }
    }
    if (any_below) {
      char full[300];
      snprintf(full, sizeof full, "below the floor %s", note);
      fig_texts_add(&pnotes, full);
    } else fig_texts_add(&pnotes, "");
  }
  free(dens);
  free(fl);
  free(vals);
  if (!isfinite(glo)) { glo = -1.0; ghi = 1.0; }
  char fx[FIG_LABEL_MAX * 2];
  fx[0] = '\0';
  fig_cat(fx, sizeof fx, "%s%sat initialization, %zu seed%s", g->ivariants.n == 1 ? g->init_fixed : "",
          g->ivariants.n == 1 && g->init_fixed[0] ? ", " : "", g->nseeds, g->nseeds == 1 ? "" : "s");
  if (below_total) fig_cat(fx, sizeof fx, "; density as a share of all singular values, those below the floor not drawn");
  fig_cat(fx, sizeof fx, "; x axes per panel (a floor left of its axis is not drawn)");
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_texts(&f, "pnotes", &pnotes);
  fig_var_str(&f, "lcs", lcs.s);
  fig_var_str(&f, "floors", floors.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "npanels", (double)np);
  fig_var_num(&f, "ndepths", (double)nd);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  fig_var_num(&f, "xlo", pow(10.0, floor(glo)));
  fig_var_num(&f, "xhi", pow(10.0, ceil(ghi)));
  fig_var_num(&f, "ymax", ymax);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Figure: trainability ------------------------------------------------------------- */

#define TRAIN_CURVE_PTS 400

/* Test accuracy over (sigma_w2, depth) for grids whose inits are all
 * meanfield:SW2:SB2 at one SB2 (Schoenholz et al. 2017, Figs. 5-6), a panel
 * per activation (and variant), with 6 xi_c and the critical sigma_w2 of
 * mean-field theory drawn on it, and per sigma_w2 the deepest net that
 * learned (test accuracy above halfway from chance to the panel's best). */
static int fig_trainability(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  size_t ni = g->inits.n, na = g->acts.n, nv = g->variants.n, nd = g->depths.n;
  if (ni < 3 || nd < 3 || g->steps <= 0) return FIG_SKIPPED;
  double *sw2 = malloc(ni * sizeof *sw2);
  size_t *ord = malloc(ni * sizeof *ord);
  if (!sw2 || !ord) { free(sw2); free(ord); return sb_fail(err, SB_EFAIL, "out of memory"); }
  double sb2 = NAN;
  for (size_t i = 0; i < ni; i++) {
    init_spec sp;
    sb_error e2;
    if (init_parse(g->inits.name[i], &sp, &e2) || sp.kind != INIT_MEANFIELD || (i && sp.param != sb2)) {
      free(sw2); free(ord);
      return FIG_SKIPPED;   /* not a phase-diagram grid */
    }
    sw2[i] = sp.sigma_w2;
    sb2 = sp.param;
    ord[i] = i;
  }
  for (size_t i = 1; i < ni; i++)   /* by sigma_w2 */
    for (size_t j = i; j > 0 && sw2[ord[j]] < sw2[ord[j - 1]]; j--) { size_t t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t; }
  size_t np = na * nv, cols = cols_for(np, 2), rows = rows_for(np, cols);
  double w = cols == 1 ? 3.5 : 7.0;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  key_add(&key, "6 xi_c (mean-field)", 2, 11);
  key_add(&key, "edge of chaos", 30, 12);
  key_add(&key, "deepest that learned", -1, 11);
  figure f;
  int rc = fig_open(&f, c, w, (w < 5 ? 0.9 : 0.75) + 0.45 + key_height(&key, w) + 2.6 * (double)rows, err);
  if (rc) { free(sw2); free(ord); return rc; }
  double *scratch = malloc(g->n * sizeof *scratch);
  if (!scratch) { free(sw2); free(ord); fig_discard(&f); return sb_fail(err, SB_EFAIL, "out of memory"); }
  fig_list crits = { "" }, chances = { "" };
  fig_texts ptitles = { "", 0, 0 };
  double ymax6 = 0.0;
  for (size_t p = 0; p < np; p++) {
    size_t a = p / nv, v = p % nv;
    char t[FIG_LABEL_MAX * 2];
    snprintf(t, sizeof t, "%s%s%s", g->acts.name[a], g->variants.name[v][0] ? ", " : "", g->variants.name[v]);
    fig_texts_add(&ptitles, t);
    /* the boxes: sigma_w2, depth, half widths, mean test accuracy, seeds */
    char what[FIG_LABEL_MAX * 3];
    snprintf(what, sizeof what, "panel %zu (%s): sigma_w2 depth half_w half_h test_acc n", p + 1, t);
    fig_block(&f, what);
    double best = 0.0, chance = NAN;
    double *mean = malloc(ni * nd * sizeof *mean);
    if (!mean) { rc = sb_fail(err, SB_EFAIL, "out of memory"); break; }
    for (size_t k = 0; k < ni; k++) {
      size_t i = ord[k];
      double lo = k ? 0.5 * (sw2[i] - sw2[ord[k - 1]]) : 0.5 * (sw2[ord[1]] - sw2[i]);
      double hi = k + 1 < ni ? 0.5 * (sw2[ord[k + 1]] - sw2[i]) : lo;
      for (size_t d = 0; d < nd; d++) {
        size_t m = 0, depth = g->depths.val[d];
        for (size_t e = 0; e < g->n; e++) {
          const fig_cell *cl = &g->cells[e];
          if (cl->var != (int)v || cl->depth != depth || strcmp(cl->act, g->acts.name[a]) || strcmp(cl->init, g->inits.name[i]))
            continue;
          if (isfinite(cl->chance_error)) chance = 1.0 - cl->chance_error;
          scratch[m++] = isfinite(cl->test_acc) ? cl->test_acc : (isfinite(chance) ? chance : 0.0);
        }
        seed_summary st;
        stats_over_seeds(scratch, m, &st);
        mean[k * nd + d] = m ? st.mean : NAN;
        if (m && st.mean > best) best = st.mean;
        double dlo = d ? 0.5 * (double)(depth - g->depths.val[d - 1]) : 0.5 * (double)(g->depths.val[1] - depth);
        double dhi = d + 1 < nd ? 0.5 * (double)(g->depths.val[d + 1] - depth) : dlo;
        /* a box centred on its point, as wide as the gaps around it */
        fig_num(&f, sw2[i] + 0.5 * (hi - lo), 0);
        fig_num(&f, (double)depth + 0.5 * (dhi - dlo), 0);
        fig_num(&f, 0.5 * (lo + hi), 0);
        fig_num(&f, 0.5 * (dlo + dhi), 0);
        fig_num(&f, m ? st.mean : NAN, 0);
        fig_num(&f, (double)m, 1);
      }
    }
    /* the deepest net that learned, per sigma_w2 */
    double half = isfinite(chance) ? 0.5 * (chance + best) : 0.5 * best;
    snprintf(what, sizeof what, "panel %zu: sigma_w2, deepest depth with test accuracy above %.3f (halfway from "
             "chance to the best)", p + 1, half);
    fig_block(&f, what);
    int any = 0;
    for (size_t k = 0; k < ni; k++) {
      size_t deepest = 0;
      for (size_t d = 0; d < nd; d++)
        if (mean[k * nd + d] > half) deepest = g->depths.val[d];
      if (!deepest) continue;
      fig_num(&f, sw2[ord[k]], 0);
      fig_num(&f, (double)deepest, 1);
      any = 1;
    }
    if (!any) fputs("NaN\tNaN\n", f.dat);
    free(mean);
    /* theory: 6 xi_c over the sigma_w2 range, and the edge of chaos */
    snprintf(what, sizeof what, "panel %zu: sigma_w2, 6 xi_c (mean-field, sigma_b2 %g)", p + 1, sb2);
    fig_block(&f, what);
    act_fn af;
    sb_error e3;
    double crit = NAN;
    if (act_parse(g->acts.name[a], &af, &e3) == SB_OK) {
      double x0 = sw2[ord[0]], x1 = sw2[ord[ni - 1]];
      for (int k = 0; k <= TRAIN_CURVE_PTS; k++) {
        double x = x0 + (x1 - x0) * k / TRAIN_CURVE_PTS;
        theory_point tp;
        if (theory_point_at(c->tw, &af, x, sb2, 1.0, &tp, &e3) || theory_point_corr(c->tw, &af, &tp, &e3)
            || !isfinite(tp.xi_c)) {
          fputs("NaN\tNaN\n", f.dat);
          continue;
        }
        fig_num(&f, x, 0);
        fig_num(&f, 6.0 * tp.xi_c, 1);
      }
      if (theory_critical(c->tw, &af, sb2, 1.0, &crit, &e3) != SB_OK) crit = NAN;
    } else {
      fputs("NaN\tNaN\n", f.dat);
    }
    char num[40];
    snprintf(num, sizeof num, "%.17g", crit);
    fig_list_add(&crits, num);
    snprintf(num, sizeof num, "%.17g", chance);
    fig_list_add(&chances, num);
    (void)ymax6;
  }
  free(scratch);
  double x0 = sw2[ord[0]], x1 = sw2[ord[ni - 1]];
  double pad = 0.5 * (sw2[ord[1]] - sw2[ord[0]]), pad1 = 0.5 * (sw2[ord[ni - 1]] - sw2[ord[ni - 2]]);
  free(sw2);
  free(ord);
  if (rc) { fig_discard(&f); return rc; }
  double d0 = (double)g->depths.val[0], d1 = (double)g->depths.val[nd - 1];
  double dp0 = 0.5 * (double)(g->depths.val[1] - g->depths.val[0]);
  double dp1 = 0.5 * (double)(g->depths.val[nd - 1] - g->depths.val[nd - 2]);
  char fx[FIG_LABEL_MAX * 2];
  fixed_part(g, fx, sizeof fx);
  char sb2s[32];
  num_format(sb2s, sizeof sb2s, sb2);
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_str(&f, "crits", crits.s);
  fig_var_str(&f, "chances", chances.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_str(&f, "sb2", sb2s);
  fig_var_num(&f, "steps", (double)g->steps);
  fig_var_num(&f, "npanels", (double)np);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  fig_var_num(&f, "xlo", x0 - pad);
  fig_var_num(&f, "xhi", x1 + pad1);
  fig_var_num(&f, "ylo", d0 - dp0);
  fig_var_num(&f, "yhi", d1 + dp1);
  fig_var_num(&f, "nseeds", (double)g->nseeds);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Figure: histograms ---------------------------------------------------------------- */

/* A round number just beyond x (1, 2, 2.5, 4 or 5 times a power of ten),
 * so that axis ticks read well. */
static double nice_up(double x)
{
  if (!(x > 0)) return 1.0;
  double p10 = pow(10.0, floor(log10(x))), nice = 10.0;
  static const double steps[] = { 1.0, 2.0, 2.5, 4.0, 5.0 };
  for (int k = 4; k >= 0; k--)
    if (x <= steps[k] * p10 * (1.0 + 1e-12)) nice = steps[k];
  return nice * p10;
}

#define HIST_MAX_INITS 8   /* rows of the figure; beyond, a subset by hist_order's rule */

/* The order of the histogram rows: by sigma_w2 of the hidden layers, then
 * sigma_b2 (standard, xavier, he; or a phase diagram's inits from ordered
 * through critical to chaotic), inits without those in the grid's order
 * after them.  Writes at most max to out and returns how many: all of
 * them when they fit, else evenly spaced from the first to the last with
 * every critical init kept. */
static size_t hist_order(const fig_ctx *c, int a, int *out, size_t max)
{
  const fig_grid *g = c->g;
  size_t ni = g->inits.n, width = 0;
  for (size_t k = 0; k < g->n; k++) if (g->cells[k].width > width) width = g->cells[k].width;
  act_fn fn;
  int known = act_parse(g->acts.name[a], &fn, NULL) == SB_OK;
  double *key = malloc((ni ? ni : 1) * 2 * sizeof *key);
  int *ord = malloc((ni ? ni : 1) * sizeof *ord), *crit = calloc(ni ? ni : 1, sizeof *crit);
  size_t n = 0;
  if (!key || !ord || !crit) {   /* no memory for an order: the grid's first ones */
    for (size_t i = 0; i < ni && i < max; i++) out[n++] = (int)i;
    free(key); free(ord); free(crit);
    return n;
  }
  for (size_t i = 0; i < ni; i++) {
    init_spec spec;
    key[2 * i] = key[2 * i + 1] = INFINITY;
    ord[i] = (int)i;
    if (init_parse(g->inits.name[i], &spec, NULL)) continue;
    crit[i] = spec.kind == INIT_CRITICAL;
    if (spec.kind == INIT_CRITICAL && (!known || theory_resolve_init(c->tw, &fn, &spec, NULL))) continue;
    key[2 * i] = (double)width * init_weight_var(&spec, width, width);
    key[2 * i + 1] = init_bias_var(&spec);
  }
  for (size_t i = 1; i < ni; i++)   /* stable: equal keys keep the grid's order */
    for (size_t j = i; j > 0; j--) {
      const double *x = key + 2 * ord[j], *y = key + 2 * ord[j - 1];
      if (!(x[0] < y[0] || (x[0] == y[0] && x[1] < y[1]))) break;
      int t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t;
    }
  if (ni <= max) {
    for (size_t i = 0; i < ni; i++) out[n++] = ord[i];
  } else {
    /* evenly spaced positions of the order, then each critical init in
     * place of the nearest one kept that is not critical */
    int *keep = calloc(ni, sizeof *keep);
    if (keep) {
      for (size_t k = 0; k < max; k++)
        keep[max == 1 ? 0 : (size_t)lround((double)k * (double)(ni - 1) / (double)(max - 1))] = 1;
      for (size_t q = 0; q < ni; q++) {
        if (!crit[ord[q]] || keep[q]) continue;
        for (size_t d = 1; d < ni; d++) {
          if (q >= d && keep[q - d] && !crit[ord[q - d]]) { keep[q - d] = 0; keep[q] = 1; break; }
          if (q + d < ni && keep[q + d] && !crit[ord[q + d]]) { keep[q + d] = 0; keep[q] = 1; break; }
        }
      }
      for (size_t q = 0; q < ni; q++) if (keep[q]) out[n++] = ord[q];
      free(keep);
    } else {
      for (size_t i = 0; i < max; i++) out[n++] = ord[i];
    }
  }
  free(key); free(ord); free(crit);
  return n;
}

static int fig_histograms(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  int a = fig_axis_name(&g->acts, "tanh");
  if (a < 0) a = 0;
  /* A row per init and variant (the learning rates, optimizers, ... of
   * the grid; at init only, those that change the network at step 0), at
   * most HIST_MAX_INITS rows: every init when they fit, else as many as
   * fit by hist_order's rule, the rest named in the title.  Inits by
   * sigma_w2: standard on top as in Glorot & Bengio's Figures 6 and 7, or
   * a phase diagram's inits from ordered through critical to chaotic. */
  const int at_init = g->steps <= 0;
  const fig_axis *vax = at_init ? &g->ivariants : &g->variants;
  /* the variants with histograms: those of feed-forward cells (a
   * recurrent cell has no hist.tsv rows) */
  int vok[HIST_MAX_INITS];
  size_t nvs = 0;
  for (size_t v = 0; v < vax->n && nvs < HIST_MAX_INITS; v++) {
    int ff = 0;
    for (size_t k = 0; k < g->n && !ff; k++)
      ff = (at_init ? g->cells[k].ivar : g->cells[k].var) == (int)v && !is_recurrent(g, &g->cells[k]);
    if (ff) vok[nvs++] = (int)v;
  }
  if (nvs == 0) vok[nvs++] = 0;
  int sel[HIST_MAX_INITS], inits[HIST_MAX_INITS], vars[HIST_MAX_INITS];
  size_t nsel = hist_order(c, a, sel, HIST_MAX_INITS / nvs);
  int ni = (int)(nsel * nvs);   /* rows */
  for (int r = 0; r < ni; r++) { inits[r] = sel[(size_t)r / nvs]; vars[r] = vok[(size_t)r % nvs]; }
  size_t depth = fig_nearest_depth(g, 5);
  size_t layers[9], nl = fig_layer_subset(depth, layers);
  /* seed 0 (or the smallest selected), the first variant */
  unsigned long seed = ULONG_MAX;
  for (size_t k = 0; k < g->n; k++) if (g->cells[k].seed < seed) seed = g->cells[k].seed;
  fig_rows fr;
  int rc = fig_rows_open(&fr, c->o, g, c->hist, err), got = 0;
  if (rc) return rc;
  int cs = -1, cst = -1, cl = -1, ck = -1, clo = -1, chi = -1, cc1 = -1;
  if (tsv_col(fr.t, "density") >= 0 && tsv_col(fr.t, "count_1") < 0)
    rc = sb_fail(err, SB_EUSAGE, "%s: one row per bin (bin_lo, bin_hi, density), the format of an earlier satbench; "
                 "this one reads one row per layer with count_1 .. count_%d: run the grid again with it, or plot "
                 "with the satbench that wrote the table", c->hist, PROBE_HIST_BINS);
  if (!rc && !(rc = tsv_need(fr.t, "seed", &cs, err)) && !(rc = tsv_need(fr.t, "step", &cst, err))
      && !(rc = tsv_need(fr.t, "layer", &cl, err)) && !(rc = tsv_need(fr.t, "kind", &ck, err))
      && !(rc = tsv_need(fr.t, "lo", &clo, err)) && !(rc = tsv_need(fr.t, "hi", &chi, err)))
    rc = tsv_need(fr.t, "count_1", &cc1, err);
  /* Densities of the chosen cells: [init slot][moment][kind][layer][bin];
   * moment 1 is the last step that has histograms (--histograms all has
   * them between too: each later step overwrites the one before). */
  enum { BINS = PROBE_HIST_BINS };
  size_t per = (size_t)2 * 2 * depth * BINS;
  size_t nslot = ni > 0 ? (size_t)ni : 1;
  double *x = calloc(nslot * per, sizeof *x), *y = calloc(nslot * per, sizeof *y);
  long first_step[HIST_MAX_INITS], last_step[HIST_MAX_INITS];
  for (int k = 0; k < HIST_MAX_INITS; k++) first_step[k] = last_step[k] = -1;
  if (!rc && (!x || !y)) rc = sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t k = 0; !rc && k < nslot * per; k++) x[k] = y[k] = NAN;
  while (!rc && (got = fig_rows_next(&fr, err)) == 1) {
    if (fig_rows_act(&fr) != a || strtoul(tsv_str(fr.t, cs), NULL, 10) != seed || fig_rows_depth(&fr) != depth)
      continue;
    int slot = -1, i = fig_rows_init(&fr), v = at_init ? fig_rows_ivariant(&fr) : fig_rows_variant(&fr);
    for (int k = 0; k < ni; k++) if (i == inits[k] && v == vars[k]) slot = k;
    if (slot < 0) continue;
    long step = strtol(tsv_str(fr.t, cst), NULL, 10);
    if (first_step[slot] < 0) first_step[slot] = step;
    int moment = step == first_step[slot] ? 0 : 1;
    if (moment == 1) last_step[slot] = step;
    int kind = strcmp(tsv_str(fr.t, ck), "act") ? 1 : 0;
    size_t layer = strtoul(tsv_str(fr.t, cl), NULL, 10);
    if (layer < 1 || layer > depth) continue;
    double lo = tsv_num(fr.t, clo), hi = tsv_num(fr.t, chi), wdt = (hi - lo) / BINS, total = 0.0;
    for (int b = 0; b < BINS; b++) total += tsv_num(fr.t, cc1 + b);
    size_t idx = slot * per + ((moment * 2 + kind) * depth + (layer - 1)) * BINS;
    for (int b = 0; b < BINS; b++) {
      x[idx + b] = lo + (b + 0.5) * wdt;
      y[idx + b] = total > 0 && wdt > 0 ? tsv_num(fr.t, cc1 + b) / (total * wdt) : NAN;
    }
  }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  key_layers_note(&key, nl, depth);
  for (size_t q = 0; q < nl; q++) {
    char t[32];
    snprintf(t, sizeof t, "layer %zu", layers[q]);
    key_add(&key, t, layer_lc(q, nl), 11);
  }
  figure f;
  if (!rc) rc = fig_open(&f, c, 7.0, 0.8 + (double)ni * (ni <= 2 ? 1.65 : 1.3) + key_height(&key, 7.0), err);
  if (rc) { free(x); free(y); return rc; }
  fig_list steps_end = { "" }, lays = { "" }, lcs = { "" };
  fig_texts names = { "", 0, 0 }, vnames = { "", 0, 0 };
  for (size_t q = 0; q < nl; q++) {
    fig_list_addi(&lays, (long)layers[q]);
    fig_list_addi(&lcs, layer_lc(q, nl));
  }
  /* Columns: activations and errors at init, and at the end when the grid
   * trained.  A column's y scale is logarithmic, in every row alike (so
   * the inits compare), when in some row one layer's peak stands more than
   * five times above the median layer's: a spike that would flatten the
   * rest.  x ranges: the bins with mass, rounded outwards; the errors'
   * symmetric about 0. */
  int trained_h = 0;
  for (int sl = 0; sl < ni; sl++) trained_h |= last_step[sl] >= 0;
  int npan = trained_h ? 4 : 2;
  int logy_col[4] = { 0 };
  for (int sl = 0; sl < ni; sl++)
    for (int mk = 0; mk < npan; mk++) {
      int moment = mk / 2 == 1 && last_step[sl] >= 0 ? 1 : 0;
      double peak[9], sorted[9];
      size_t np_ = 0;
      for (size_t q = 0; q < nl; q++) {
        double pk_ = 0.0;
        for (int b = 0; b < BINS; b++) {
          size_t idx = sl * per + ((moment * 2 + mk % 2) * depth + (layers[q] - 1)) * BINS + b;
          if (isfinite(y[idx]) && y[idx] > pk_) pk_ = y[idx];
        }
        if (pk_ > 0) peak[np_++] = pk_;
      }
      if (np_ < 2) continue;
      memcpy(sorted, peak, np_ * sizeof *sorted);
      qsort(sorted, np_, sizeof *sorted, cmp_double);
      if (sorted[np_ - 1] > 5.0 * sorted[(np_ - 1) / 2]) logy_col[mk] = 1;
    }
  for (int sl = 0; sl < ni; sl++) {
    fig_texts_add(&names, g->inits.label[inits[sl]]);
    fig_texts_add(&vnames, vax->label[vars[sl]]);
    fig_list_addi(&steps_end, last_step[sl] >= 0 ? last_step[sl] : first_step[sl]);
    for (int mk = 0; mk < npan; mk++) {
      double xlo = INFINITY, xhi = -INFINITY;
      int moment = mk / 2 == 1 && last_step[sl] >= 0 ? 1 : 0;
      for (size_t q = 0; q < nl; q++) {
        size_t l = layers[q];
        char what[200];
        snprintf(what, sizeof what, "%s %s %s %s layer %zu: value density", g->inits.name[inits[sl]], vax->name[vars[sl]],
                 mk / 2 ? "end" : "init", mk % 2 ? "delta" : "act", l);
        fig_block(&f, what);
        /* the range that holds all but 0.25% of the layer's mass at each
         * end: a few stray values do not stretch the axis */
        size_t base = sl * per + ((moment * 2 + mk % 2) * depth + (l - 1)) * BINS;
        double mass = 0.0, cum = 0.0;
        for (int b = 0; b < BINS; b++) if (isfinite(y[base + b]) && y[base + b] > 0) mass += y[base + b];
        for (int b = 0; b < BINS; b++) {
          size_t idx = base + b;
          fig_num(&f, x[idx], 0);
          fig_num(&f, y[idx], 1);
          if (!(isfinite(x[idx]) && y[idx] > 0)) continue;
          double before = cum;
          cum += y[idx];
          if (cum > 0.0025 * mass && x[idx] < xlo) xlo = x[idx];
          if (before < 0.9975 * mass && x[idx] > xhi) xhi = x[idx];
        }
      }
      char var[32];
      /* a row without histograms (a recurrent cell's: hist.tsv has none)
       * has no range of its own: [-1, 1], not infinities gnuplot refuses */
      if (!isfinite(xlo) || !isfinite(xhi)) { xlo = -1.0; xhi = 1.0; }
      if (!(xhi > xlo)) { xlo -= 0.5; xhi += 0.5; }
      double lo_r, hi_r;
      if (mk % 2) {   /* errors: symmetric about 0 */
        hi_r = nice_up(fmax(fabs(xlo), fabs(xhi)));
        lo_r = -hi_r;
      } else {        /* from 0 when every value is on one side (ReLU's outputs) */
        lo_r = xlo >= 0 ? 0.0 : -nice_up(-xlo);
        hi_r = xhi <= 0 ? 0.0 : nice_up(xhi);
      }
      snprintf(var, sizeof var, "xlo_%d_%d", sl + 1, mk + 1);
      fig_var_num(&f, var, lo_r);
      snprintf(var, sizeof var, "xhi_%d_%d", sl + 1, mk + 1);
      fig_var_num(&f, var, hi_r);
      snprintf(var, sizeof var, "logy_%d_%d", sl + 1, mk + 1);
      fig_var_num(&f, var, logy_col[mk]);
    }
  }
  fig_var_num(&f, "npan", npan);
  free(x);
  free(y);
  if (ni == 0 || first_step[0] < 0) f.rows = 0;
  char fx[FIG_LABEL_MAX];
  fx[0] = '\0';
  /* the variant of each row is named on it; measured at init, what the
   * learning rate and optimizer were does not matter */
  const char *fxd = at_init ? g->init_fixed : g->fixed;
  fig_cat(fx, sizeof fx, "%s%sseed %lu", fxd, fxd[0] ? ", " : "", seed);
  /* the rule of the rows, and the inits it left out by name */
  char rows_txt[FIG_LABEL_MAX * 4];
  rows_txt[0] = '\0';
  if (nsel == g->inits.n)
    fig_cat(rows_txt, sizeof rows_txt, "rows: %s", nsel == 1 ? "the grid's one init" : "every init of the grid, by σ_w²");
  else
    fig_cat(rows_txt, sizeof rows_txt, "rows: %zu of the grid's %zu inits by σ_w² (evenly spaced, critical kept)",
            nsel, g->inits.n);
  /* the variants of recurrent cells alone are not drawn: said once, not listed */
  size_t nrec = 0;
  for (size_t v = 0; v < vax->n; v++) {
    int ff = 0, any = 0;
    for (size_t k = 0; k < g->n; k++)
      if ((at_init ? g->cells[k].ivar : g->cells[k].var) == (int)v) { any = 1; ff |= !is_recurrent(g, &g->cells[k]); }
    nrec += any && !ff;
  }
  if (vax->n - nrec > 1)
    fig_cat(rows_txt, sizeof rows_txt, "%s", nvs + nrec == vax->n ? ", each with every variant" : ", each with the first variants");
  if (nrec) fig_cat(rows_txt, sizeof rows_txt, ", feed-forward cells only (recurrent cells have no histograms)");
  /* the left out, by name */
  int any_out = 0;
  for (size_t i = 0; i < g->inits.n; i++) {
    int shown = 0;
    for (size_t k = 0; k < nsel; k++) shown |= sel[k] == (int)i;
    if (shown) continue;
    fig_cat(rows_txt, sizeof rows_txt, "%s %s", any_out ? "," : "; left out:", g->inits.label[i]);
    any_out = 1;
  }
  for (size_t v = 0; v < vax->n; v++) {
    int shown = 0, ff = 0;
    for (size_t k = 0; k < nvs; k++) shown |= vok[k] == (int)v;
    for (size_t k = 0; k < g->n && !ff; k++)
      ff = (at_init ? g->cells[k].ivar : g->cells[k].var) == (int)v && !is_recurrent(g, &g->cells[k]);
    if (shown || !ff) continue;
    fig_cat(rows_txt, sizeof rows_txt, "%s %s", any_out ? "," : "; left out:", vax->label[v]);
    any_out = 1;
  }
  fig_var_str(&f, "rows_txt", rows_txt);
  fig_var_str(&f, "act", g->acts.name[a]);
  fig_var_texts(&f, "inits", &names);
  fig_var_texts(&f, "rvars", &vnames);
  fig_var_str(&f, "endsteps", steps_end.s);
  fig_var_str(&f, "layers", lays.s);
  fig_var_str(&f, "lcs", lcs.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "ninit", ni);
  fig_var_num(&f, "nlayers", (double)nl);
  fig_var_num(&f, "depth", (double)depth);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Figure: underflow per layer (Micikevicius et al. 2018, Fig. 3) ----------------- */

/* One row of precision.tsv that the figure draws. */
typedef struct uf_row {
  int a, i, v, dw;          /* dw: the weight gradient (else the error delta) */
  size_t depth, layer;
  long step;
  double zero, flushed;
} uf_row;

/* The fraction of the back-propagated errors and of the weight gradients
 * that rounding made zero, per layer, at step 0 and at the last logged
 * step: a line per (precision, loss scale), in one (activation, init,
 * depth, other axes) group, the one where rounding flushed the most
 * (--select for another).  Zero: every zero entry, whether
 * this layer's rounding made it or it came down as zero from above;
 * flushed: those this layer's rounding made zero though the exact value
 * was not (precision.tsv).  Means over the seeds. */
static int fig_underflow(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  char path[4300];
  snprintf(path, sizeof path, "%s/precision.tsv", c->o->data);
  FILE *probe = tsv_fopen(path);
  if (!probe) return FIG_SKIPPED;   /* every cell in fp64: nothing was rounded */
  fclose(probe);
  size_t nv = g->variants.n, na = g->acts.n, ni = g->inits.n, nd = g->depths.n;
  char (*rest)[FIG_LABEL_MAX] = malloc((nv ? nv : 1) * sizeof *rest);
  int *rix = malloc((nv ? nv : 1) * sizeof *rix);
  ps_pairs ps = { 0 };
  uf_row *rows = NULL;
  size_t n = 0, cap = 0, nrest = 0;
  char one[FIG_LABEL_MAX] = "";   /* the pair's name when neither axis varies */
  int rc = rest && rix ? SB_OK : sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t v = 0; !rc && v < nv; v++) snprintf(rest[v], FIG_LABEL_MAX, "%s", g->variants.name[v]);
  if (!rc) rc = ps_load(c, &ps, rest, err);
  for (size_t v = 0; !rc && v < nv; v++) {
    size_t k = 0;
    while (k < v && strcmp(rest[k], rest[v])) k++;
    rix[v] = k < v ? rix[k] : (int)nrest++;
  }
  fig_rows fr;
  int got = 0, ct = -1, cl = -1, cst = -1, cz = -1, cf = -1;
  if (!rc) rc = fig_rows_open(&fr, c->o, g, path, err);
  if (!rc) {
    if (!(rc = tsv_need(fr.t, "tensor", &ct, err)) && !(rc = tsv_need(fr.t, "layer", &cl, err))
        && !(rc = tsv_need(fr.t, "step", &cst, err)) && !(rc = tsv_need(fr.t, "zero_frac", &cz, err)))
      rc = tsv_need(fr.t, "flushed_frac", &cf, err);
    int cp = tsv_col(fr.t, cfg_axis_name(AXIS_PREC)), cs = tsv_col(fr.t, cfg_axis_name(AXIS_LSCALE));
    while (!rc && (got = fig_rows_next(&fr, err)) == 1) {
      const char *t = tsv_str(fr.t, ct);
      int dw = !strcmp(t, "dW");
      if (!dw && strcmp(t, "delta")) continue;
      uf_row r = { fig_rows_act(&fr), fig_rows_init(&fr), fig_rows_variant(&fr), dw, fig_rows_depth(&fr),
                   strtoul(tsv_str(fr.t, cl), NULL, 10), strtol(tsv_str(fr.t, cst), NULL, 10),
                   tsv_num(fr.t, cz), tsv_num(fr.t, cf) };
      if (r.a < 0 || r.i < 0 || r.v < 0) continue;
      if (!one[0]) {
        char pp[FIG_LABEL_MAX / 2 - 4], sp[FIG_LABEL_MAX / 2 - 4];
        fig_variant_part(AXIS_PREC, tsv_str_or(fr.t, cp, cfg_axis_default(AXIS_PREC)), pp, sizeof pp);
        fig_variant_part(AXIS_LSCALE, tsv_str_or(fr.t, cs, cfg_axis_default(AXIS_LSCALE)), sp, sizeof sp);
        snprintf(one, sizeof one, "%s · %s", pp, sp);
      }
      if (n == cap) {
        cap = cap ? 2 * cap : 1024;
        uf_row *m = realloc(rows, cap * sizeof *m);
        if (!m) { rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
        rows = m;
      }
      rows[n++] = r;
    }
    if (got < 0) rc = -got;
    fig_rows_close(&fr);
  }
  /* The group: (activation, init, depth, the variant without the pair)
   * where rounding flushed the most entries, over its rows (not the most
   * zeros: a dead ReLU's are the arithmetic's own). */
  size_t ng = na * ni * nd * (nrest ? nrest : 1), best = 0;
  double *score = rc ? NULL : calloc(2 * (ng ? ng : 1), sizeof *score);
  if (!rc && !score) rc = sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t k = 0; !rc && k < n; k++) {
    size_t d = 0;
    while (d < nd && g->depths.val[d] != rows[k].depth) d++;
    size_t q = (((size_t)rows[k].a * ni + (size_t)rows[k].i) * nd + d) * nrest + (size_t)rix[rows[k].v];
    if (d < nd && isfinite(rows[k].flushed)) { score[2 * q] += rows[k].flushed; score[2 * q + 1] += 1.0; }
  }
  size_t ngroups = 0;
  for (size_t q = 0; !rc && q < ng; q++) {
    if (score[2 * q + 1] == 0.0) continue;
    ngroups++;
    if (score[2 * best + 1] == 0.0 || score[2 * q] / score[2 * q + 1] > score[2 * best] / score[2 * best + 1]) best = q;
  }
  if (!rc && !ngroups) rc = FIG_SKIPPED;
  if (rc) { free(rest); free(rix); free(rows); free(score); ps_free(&ps); return rc; }
  free(score);
  size_t r_best = best % nrest, d_best = (best / nrest) % nd, i_best = (best / nrest / nd) % ni,
         a_best = best / nrest / nd / ni, depth = g->depths.val[d_best];
  long last = 0;
  for (size_t k = 0; k < n; k++)
    if ((size_t)rows[k].a == a_best && (size_t)rows[k].i == i_best && rows[k].depth == depth
        && (size_t)rix[rows[k].v] == r_best && rows[k].step > last)
      last = rows[k].step;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  int has[PS_MAX] = { 0 };
  for (size_t k = 0; k < n; k++)
    if ((size_t)rows[k].a == a_best && (size_t)rows[k].i == i_best && rows[k].depth == depth
        && (size_t)rix[rows[k].v] == r_best)
      has[ps.of[rows[k].v]] = 1;
  size_t nshown = 0;
  for (size_t p = 0; p < ps.n; p++)
    if (has[p]) { key_add(&key, ps.n > 1 ? ps.name[p] : one, ps.lc[p], ps.dt[p]); nshown++; }
  double w = 7.0;
  figure f;
  rc = fig_open(&f, c, w, 0.55 + 0.8 + key_height(&key, w) + 4 * 1.25 + 0.35, err);
  if (rc) { free(rest); free(rix); free(rows); ps_free(&ps); return rc; }
  /* a block per (pair, step): layer, then zero and flushed of delta and of dW */
  fig_list blocks0 = { "" }, blocks1 = { "" }, lcs = { "" }, dts = { "" };
  size_t L = depth + 1;   /* the hidden layers and the output layer */
  double *acc = malloc(L * 8 * sizeof *acc);
  for (size_t p = 0; acc && p < ps.n; p++) {
    if (!has[p]) continue;
    for (int col = 0; col < 2; col++) {
      long step = col ? last : 0;
      for (size_t k = 0; k < L * 8; k++) acc[k] = 0.0;
      for (size_t k = 0; k < n; k++) {
        const uf_row *x = &rows[k];
        if ((size_t)x->a != a_best || (size_t)x->i != i_best || x->depth != depth || (size_t)rix[x->v] != r_best
            || (size_t)ps.of[x->v] != p || x->step != step || x->layer < 1 || x->layer > L)
          continue;
        double *q = acc + (x->layer - 1) * 8 + 4 * x->dw;
        if (isfinite(x->zero)) { q[0] += x->zero; q[1] += 1.0; }
        if (isfinite(x->flushed)) { q[2] += x->flushed; q[3] += 1.0; }
      }
      char what[FIG_LABEL_MAX * 2];
      snprintf(what, sizeof what, "%s step %ld: layer, delta zero flushed, dW zero flushed",
               ps.n > 1 ? ps.name[p] : one, step);
      int b = fig_block(&f, what);
      for (size_t l = 0; l < L; l++) {
        const double *q = acc + l * 8;
        fig_num(&f, (double)(l + 1), 0);
        for (int j = 0; j < 4; j++) fig_num(&f, q[2 * j + 1] > 0 ? q[2 * j] / q[2 * j + 1] : NAN, j == 3);
      }
      fig_list_addi(col ? &blocks1 : &blocks0, b);
    }
    fig_list_addi(&lcs, ps.lc[p]);
    fig_list_addi(&dts, ps.dt[p]);
  }
  if (!acc) { fig_discard(&f); free(rest); free(rix); free(rows); ps_free(&ps); return sb_fail(err, SB_EFAIL, "out of memory"); }
  free(acc);
  free(rows);
  /* the title: the group and why, what the grid shares, the seeds */
  char ai[FIG_LABEL_MAX], choice[FIG_LABEL_MAX * 3], fx[FIG_LABEL_MAX * 2];
  fig_series_label(g, (int)a_best, (int)i_best, -1, ai, sizeof ai);
  const char *rn = "";
  for (size_t v = 0; v < nv; v++) if ((size_t)rix[v] == r_best) { rn = rest[v]; break; }
  snprintf(choice, sizeof choice, "%s, depth %zu%s%s", ai, depth, rn[0] ? ", " : "", rn);
  if (ngroups > 1)
    fig_cat(choice, sizeof choice, " (where rounding flushed the most, of %zu groups: --select for another)", ngroups);
  snprintf(fx, sizeof fx, "%s%s%zu seed%s", g->fixed, g->fixed[0] ? "; means of " : "means of ", g->nseeds,
           g->nseeds == 1 ? "" : "s");
  if (nshown < ps.n) fig_cat(fx, sizeof fx, "; fp64 rounds nothing: not drawn");
  free(rest);
  free(rix);
  ps_free(&ps);
  fig_var_str(&f, "choice", choice);
  fig_var_str(&f, "fixed", fx);
  fig_var_str(&f, "blocks0", blocks0.s);
  fig_var_str(&f, "blocks1", blocks1.s);
  fig_var_str(&f, "lcs", lcs.s);
  fig_var_str(&f, "dts", dts.s);
  fig_var_num(&f, "nlayers", (double)L);
  fig_var_num(&f, "last", (double)last);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- the table ------------------------------------------------------------------------ */

/* In the order they are drawn, listed and shown in the manual's figure chapter. */
/* ---- Figure: log2hist ------------------------------------------------------------------- */

#define L2H_MAXCOLS 12
#define L2H_EMIN (-1075)   /* every exponent a double has, so that any format's bins fit */
#define L2H_NEXP 2100

/* One column of the figure: a (precision, loss scale) of the grid. */
typedef struct l2h_col { char prec[FIG_NAME_MAX], ls[FIG_NAME_MAX]; double scale; } l2h_col;

/* A log2 column's bin: an exponent (*e) or the zero, inf and NaN bins. */
enum { L2H_EXP, L2H_ZERO, L2H_INF, L2H_NAN };
static int l2h_bin(const char *s, long *e)
{
  if (!strcmp(s, "-Inf")) return L2H_ZERO;
  if (!strcmp(s, "Inf")) return L2H_INF;
  char *end;
  *e = strtol(s, &end, 10);
  return end != s && !*end && *e >= L2H_EMIN && *e < L2H_EMIN + L2H_NEXP ? L2H_EXP : L2H_NAN;
}

/* The histogram of log2|x| of one network's errors (delta) and weight
 * gradients per layer at initialization, as each emulated format holds
 * them (Micikevicius et al. 2018, Figure 3): a column per (precision,
 * loss scale), a row per layer (at most nine), the zero bin apart on the
 * left and the format's smallest subnormal, smallest normal and largest
 * finite value marked.  One network: the first activation, the preferred
 * init, the deepest depth, the first value of every other axis (named in
 * the title; --select for another); seeds pooled. */
static int fig_log2hist(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  char path[4300];
  snprintf(path, sizeof path, "%s/log2hist.tsv", c->o->data);
  FILE *probe = tsv_fopen(path);
  if (!probe) return FIG_SKIPPED;   /* no emulated precision, or --histograms none */
  fclose(probe);
  size_t na = g->acts.n, ni = g->inits.n;
  size_t *deep = calloc(na * ni, sizeof *deep);   /* deepest depth of (activation, init) at step 0 */
  if (!deep) return sb_fail(err, SB_EFAIL, "out of memory");
  fig_rows rr;
  int rc = fig_rows_open(&rr, c->o, g, path, err), got = 0;
  int cst = -1, ccount = -1, clog = -1, clayer = -1, ctensor = -1, cscale = -1;
  if (!rc && tsv_need(rr.t, "step", &cst, err)) {
    rc = err->code;
    fig_rows_close(&rr);
  }
  if (!rc) {
    while ((got = fig_rows_next(&rr, err)) == 1) {
      int a = fig_rows_act(&rr), i = fig_rows_init(&rr);
      if (a < 0 || i < 0 || tsv_num(rr.t, cst) != 0.0) continue;
      size_t d = fig_rows_depth(&rr);
      if (d > deep[a * ni + i]) deep[a * ni + i] = d;
    }
    fig_rows_close(&rr);
    if (got < 0) rc = -got;
  }
  /* the network: the first activation with rows, its preferred init (else its first), its deepest depth */
  int act = -1, init = -1;
  for (size_t a = 0; !rc && act < 0 && a < na; a++)
    for (size_t i = 0; i < ni; i++) if (deep[a * ni + i]) { act = (int)a; init = (int)i; break; }
  int pref = fig_preferred_init(g);
  if (act >= 0 && deep[(size_t)act * ni + (size_t)pref]) init = pref;
  size_t depth = act >= 0 ? deep[(size_t)act * ni + (size_t)init] : 0;
  free(deep);
  if (rc) return rc;
  if (!depth) return FIG_SKIPPED;
  size_t layers[9], nl = fig_layer_subset(depth, layers);
  /* counts[((col * nl + row) * 2 + tensor) * (3 + L2H_NEXP) + bin]: zero, inf, NaN, then the exponents */
  size_t per = 3 + L2H_NEXP;
  double *counts = calloc(L2H_MAXCOLS * nl * 2 * per, sizeof *counts);
  if (!counts) return sb_fail(err, SB_EFAIL, "out of memory");
  l2h_col cols[L2H_MAXCOLS];
  size_t ncol = 0, dropped = 0;
  /* the other axes' values: those of the network's first row */
  char ref[AXIS_COUNT][FIG_LABEL_MAX];
  int have_ref = 0;
  rc = fig_rows_open(&rr, c->o, g, path, err);
  if (!rc && (tsv_need(rr.t, "step", &cst, err) || tsv_need(rr.t, "count", &ccount, err)
              || tsv_need(rr.t, "log2", &clog, err) || tsv_need(rr.t, "layer", &clayer, err)
              || tsv_need(rr.t, "tensor", &ctensor, err) || tsv_need(rr.t, "scale", &cscale, err))) {
    rc = err->code;
    fig_rows_close(&rr);
  }
  if (rc) { free(counts); return rc; }
  while ((got = fig_rows_next(&rr, err)) == 1) {
    if (tsv_num(rr.t, cst) != 0.0 || fig_rows_act(&rr) != act || fig_rows_init(&rr) != init
        || fig_rows_depth(&rr) != depth)
      continue;
    int same = 1;
    for (int k = AXIS_DEPTH + 1; k < AXIS_COUNT; k++) {
      if (k == AXIS_PREC || k == AXIS_LSCALE) continue;
      const char *v = tsv_str_or(rr.t, rr.col[k], cfg_axis_default((cfg_axis)k));
      if (!have_ref) snprintf(ref[k], sizeof ref[k], "%s", v);
      else same &= !strcmp(ref[k], v);
    }
    have_ref = 1;
    if (!same) continue;
    const char *pr = tsv_str_or(rr.t, rr.col[AXIS_PREC], cfg_axis_default(AXIS_PREC)),
               *ls = tsv_str_or(rr.t, rr.col[AXIS_LSCALE], cfg_axis_default(AXIS_LSCALE));
    size_t col = 0;
    while (col < ncol && (strcmp(cols[col].prec, pr) || strcmp(cols[col].ls, ls))) col++;
    if (col == ncol) {
      if (ncol == L2H_MAXCOLS) { dropped++; continue; }
      snprintf(cols[ncol].prec, sizeof cols[ncol].prec, "%s", pr);
      snprintf(cols[ncol].ls, sizeof cols[ncol].ls, "%s", ls);
      cols[ncol++].scale = tsv_num(rr.t, cscale);
    }
    size_t layer = (size_t)tsv_num(rr.t, clayer), row = 0;
    while (row < nl && layers[row] != layer) row++;
    if (row == nl) continue;
    int t = !strcmp(tsv_str(rr.t, ctensor), "dW");
    long e = 0;
    int kind = l2h_bin(tsv_str(rr.t, clog), &e);
    double *h = counts + ((col * nl + row) * 2 + (size_t)t) * per;
    double n = tsv_num(rr.t, ccount);
    if (kind == L2H_EXP) h[3 + (size_t)(e - L2H_EMIN)] += n;
    else h[kind == L2H_ZERO ? 0 : kind == L2H_INF ? 1 : 2] += n;
  }
  fig_rows_close(&rr);
  if (got < 0) { free(counts); return -got; }
  if (!ncol) { free(counts); return FIG_SKIPPED; }
  /* the x axis: the occupied exponents, widened to a format's mark within 20 of them */
  long lo = LONG_MAX, hi = LONG_MIN;
  int any_inf = 0;
  for (size_t k = 0; k < ncol * nl * 2; k++) {
    const double *h = counts + k * per;
    any_inf |= h[1] > 0;
    for (long e = 0; e < L2H_NEXP; e++)
      if (h[3 + e] > 0) { if (e + L2H_EMIN < lo) lo = e + L2H_EMIN; if (e + L2H_EMIN > hi) hi = e + L2H_EMIN; }
  }
  if (lo > hi) { lo = -1; hi = 0; }   /* every entry 0 */
  double mark[L2H_MAXCOLS][3];
  long dlo = lo, dhi = hi + 1;
  for (size_t k = 0; k < ncol; k++) {
    prec_kind pk = PREC_FP64;
    sb_error e2;
    prec_parse(cols[k].prec, &pk, &e2);
    mark[k][0] = log2(prec_min_subnormal(pk));
    mark[k][1] = log2(prec_min_normal(pk));
    mark[k][2] = log2(prec_formats[pk].max);
    for (int m = 0; m < 3; m++) {
      if (mark[k][m] >= (double)dlo - 20 && mark[k][m] < (double)lo) lo = (long)floor(mark[k][m]);
      if (mark[k][m] <= (double)dhi + 20 && mark[k][m] > (double)hi + 1) hi = (long)ceil(mark[k][m]) - 1;
    }
  }
  double xlo = (double)lo - 1.0, xhi = (double)hi + 2.0;   /* a bin's margin either side */
  /* the zero and overflow bins apart from the exponents', by a twelfth of the axis */
  double gap = fmax(2.5, (xhi - xlo) / 12.0);
  double xz = xlo - gap, xinf = any_inf ? xhi + gap : NAN;
  double span = xhi - xz, step = span <= 30 ? 5 : span <= 60 ? 10 : span <= 150 ? 20 : span <= 400 ? 50 : 200;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  key_add(&key, "back-propagated error δ^l (bars)", 1, 11);
  key_add(&key, "weight gradient ∂L/∂W^l (outline)", 2, 11);
  key_add(&key, "smallest subnormal", 7, 12);
  key_add(&key, "smallest normal", 7, 13);
  key_add(&key, "largest finite", 7, 14);
  /* a column of at least 1.15 inch: its three-line title and ticks stay apart */
  double w = ncol <= 2 ? 3.5 : fmax(7.0, 1.15 * (double)ncol);
  figure f;
  rc = fig_open(&f, c, w, 0.62 + 0.35 + 0.42 + key_height(&key, w) + 0.6 * (double)nl + (w < 5 ? 0.24 : 0.0), err);
  if (rc) { free(counts); return rc; }
  fig_texts ctitles = { "", 0, 0 }, cscales = { "", 0, 0 }, cnotes = { "", 0, 0 }, coffs = { "", 0, 0 },
            rtitles = { "", 0, 0 };
  fig_list marks = { "" }, ymaxs = { "" };
  for (size_t k = 0; k < ncol; k++) {
    char t[FIG_LABEL_MAX * 2], note[FIG_LABEL_MAX] = "";
    /* the title's lines: the format, the scale, its range (and whether off the axis) */
    fig_texts_add(&ctitles, cols[k].prec);
    if (!strcmp(cols[k].ls, "dynamic")) snprintf(t, sizeof t, "dynamic scale (%g)", cols[k].scale);
    else if (!strcmp(cols[k].ls, "1")) snprintf(t, sizeof t, "no loss scale");
    else snprintf(t, sizeof t, "scale %.63s", cols[k].ls);
    fig_texts_add(&cscales, t);
    fig_texts_add(&coffs, mark[k][0] < xlo && mark[k][2] > xhi ? "(off the axis)" : "");
    for (int m = 0; m < 3; m++) {
      char b[32];
      snprintf(b, sizeof b, "%.6g", mark[k][m]);
      fig_list_add(&marks, b);
    }
    /* the format's range, from its smallest subnormal to its max: said
     * in words, since a wide one's marks lie off the axis */
    snprintf(note, sizeof note, "2^%.0f to 2^%.0f", mark[k][0], ceil(mark[k][2]));
    fig_texts_add(&cnotes, note);
  }
  for (size_t r = 0; r < nl; r++) {
    char t[32];
    snprintf(t, sizeof t, "layer %zu", layers[r]);
    fig_texts_add(&rtitles, t);
    double ymax = 0.0;
    for (size_t k = 0; k < ncol; k++) {
      char what[FIG_LABEL_MAX * 3];
      snprintf(what, sizeof what, "layer %zu, %.63s loss scale %.63s: log2 bin centre, share of delta entries, of dW entries",
               layers[r], cols[k].prec, cols[k].ls);
      fig_block(&f, what);
      const double *hd = counts + ((k * nl + r) * 2) * per, *hw = hd + per;
      double nd = 0.0, nw = 0.0;
      for (size_t b = 0; b < per; b++) { nd += hd[b]; nw += hw[b]; }
      if (!(nd > 0)) nd = NAN;
      if (!(nw > 0)) nw = NAN;
      fig_num(&f, xz, 0);
      fig_num(&f, hd[0] / nd, 0);
      fig_num(&f, hw[0] / nw, 1);
      for (long e = lo; e <= hi; e++) {
        double yd = hd[3 + (e - L2H_EMIN)] / nd, yw = hw[3 + (e - L2H_EMIN)] / nw;
        fig_num(&f, (double)e + 0.5, 0);
        fig_num(&f, yd, 0);
        fig_num(&f, yw, 1);
        if (yd > ymax) ymax = yd;
        if (yw > ymax) ymax = yw;
      }
      if (any_inf) {
        fig_num(&f, xinf, 0);
        fig_num(&f, hd[1] / nd, 0);
        fig_num(&f, hw[1] / nw, 1);
      }
      for (int b = 0; b < 2; b++) {
        double y = b ? hw[0] / nw : hd[0] / nd;
        if (y > ymax) ymax = y;
        y = b ? hw[1] / nw : hd[1] / nd;
        if (any_inf && y > ymax) ymax = y;
      }
    }
    char b[32];
    snprintf(b, sizeof b, "%.6g", ymax > 0 ? ymax : 1.0);
    fig_list_add(&ymaxs, b);
  }
  free(counts);
  char fx[FIG_LABEL_MAX * 3] = "";
  fig_cat(fx, sizeof fx, "%s, %s, depth %zu", g->acts.name[act], g->inits.label[init], depth);
  for (int k = AXIS_DEPTH + 1; k < AXIS_COUNT; k++)
    if (k != AXIS_PREC && k != AXIS_LSCALE && k != AXIS_LR && k != AXIS_OPT && g->varies[k])
      fig_cat(fx, sizeof fx, ", %s %s", cfg_axis_name((cfg_axis)k), ref[k]);
  if (nl < depth) fig_cat(fx, sizeof fx, " (%zu of its %zu layers)", nl, depth);
  fig_cat(fx, sizeof fx, ", at initialization, %zu seed%s pooled", g->nseeds, g->nseeds == 1 ? "" : "s");
  if (g->acts.n > 1 || g->inits.n > 1 || g->depths.n > 1)
    fig_cat(fx, sizeof fx, "; --select for another network");
  if (dropped) fig_cat(fx, sizeof fx, "; the first %d precisions and loss scales", L2H_MAXCOLS);
  fig_cat(fx, sizeof fx, "; share of each layer's entries per bin 2^k <= |x| < 2^(k+1), times the loss scale");
  fig_var_texts(&f, "ctitles", &ctitles);
  fig_var_texts(&f, "cscales", &cscales);
  fig_var_texts(&f, "cnotes", &cnotes);
  fig_var_texts(&f, "coffs", &coffs);
  fig_var_texts(&f, "rtitles", &rtitles);
  fig_var_str(&f, "marks", marks.s);
  fig_var_str(&f, "ymaxs", ymaxs.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "ncols", (double)ncol);
  fig_var_num(&f, "nrows", (double)nl);
  fig_var_num(&f, "xlo", xlo);
  fig_var_num(&f, "xhi", xhi);
  fig_var_num(&f, "xz", xz);
  fig_var_num(&f, "xinf", any_inf ? xinf : 0.0);
  fig_var_num(&f, "has_inf", any_inf);
  fig_var_num(&f, "xstep", step);
  /* the first labelled exponent clear of the zero bin's label */
  fig_var_num(&f, "xtic0", ceil((xz + 0.25 * span) / step) * step);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Figure: flush-depth ---------------------------------------------------------------- */

#define FD_MAXSER 16

/* One network at step 0 (cells.tsv): its key (every axis but the learning
 * rate and the optimizer, which have not acted yet, and its seed), its
 * panel (activation), its series (precision, loss scale) and its two
 * flush depths. */
typedef struct fd_point { char key[FIG_LABEL_MAX * 2]; int panel, ser; double measured, predicted; } fd_point;

static int fd_cmp(const void *a, const void *b)
{
  const fd_point *x = a, *y = b;
  return strcmp(x->key, y->key);
}

/* The depth below the last hidden layer at which half of a layer's error
 * entries are exactly 0 at initialization, measured (cells.tsv's
 * flush_depth0) against the mean-field prediction (flush_depth_theory):
 * a point per network, a panel per activation, colour per precision and
 * an open or filled mark per loss scale, the diagonal, and "none" beyond
 * the axis for a depth that one of the two does not have. */
static int fig_flush_depth(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  fig_rows rr;
  int rc = fig_rows_open(&rr, c->o, g, c->cells, err);
  if (rc) return rc;
  int cm = tsv_col(rr.t, "flush_depth0"), ct = tsv_col(rr.t, "flush_depth_theory");
  if (cm < 0 || ct < 0) { fig_rows_close(&rr); return FIG_SKIPPED; }   /* no emulated precision */
  size_t n = 0, cap = 0, nser = 0, dropped = 0;
  char ser_prec[FD_MAXSER][FIG_NAME_MAX], ser_ls[FD_MAXSER][FIG_NAME_MAX];
  fd_point *fpts = NULL;
  int got;
  while ((got = fig_rows_next(&rr, err)) == 1) {
    int a = fig_rows_act(&rr);
    if (a < 0) continue;
    const char *pr = tsv_str_or(rr.t, rr.col[AXIS_PREC], cfg_axis_default(AXIS_PREC)),
               *ls = tsv_str_or(rr.t, rr.col[AXIS_LSCALE], cfg_axis_default(AXIS_LSCALE));
    size_t s = 0;
    while (s < nser && (strcmp(ser_prec[s], pr) || strcmp(ser_ls[s], ls))) s++;
    if (s == nser) {
      if (nser == FD_MAXSER) { dropped++; continue; }
      snprintf(ser_prec[nser], sizeof ser_prec[nser], "%s", pr);
      snprintf(ser_ls[nser++], sizeof ser_ls[0], "%s", ls);
    }
    if (n == cap) {
      cap = cap ? 2 * cap : 256;
      fd_point *np_ = realloc(fpts, cap * sizeof *fpts);
      if (!np_) { free(fpts); fig_rows_close(&rr); return sb_fail(err, SB_EFAIL, "out of memory"); }
      fpts = np_;
    }
    fd_point *p = &fpts[n++];
    p->key[0] = '\0';
    for (int k = 0; k < AXIS_COUNT; k++)
      if (k != AXIS_LR && k != AXIS_OPT)
        fig_cat(p->key, sizeof p->key, "%s\t", tsv_str_or(rr.t, rr.col[k], cfg_axis_default((cfg_axis)k)));
    fig_cat(p->key, sizeof p->key, "%s", rr.seed_col >= 0 ? tsv_str(rr.t, rr.seed_col) : "0");
    p->panel = a;
    p->ser = (int)s;
    p->measured = tsv_num(rr.t, cm);
    p->predicted = tsv_num(rr.t, ct);
  }
  fig_rows_close(&rr);
  if (got < 0) { free(fpts); return -got; }
  /* a network once: cells that differ only in lr or optimizer are the same at step 0 */
  qsort(fpts, n, sizeof *fpts, fd_cmp);
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (!m || strcmp(fpts[k].key, fpts[m - 1].key)) fpts[m++] = fpts[k];
  n = m;
  size_t both = 0, neither = 0, same = 0, within1 = 0;
  double dmax = 0.0;
  for (size_t k = 0; k < n; k++) {
    int fm = isfinite(fpts[k].measured), ft = isfinite(fpts[k].predicted);
    if (fm && fpts[k].measured > dmax) dmax = fpts[k].measured;
    if (ft && fpts[k].predicted > dmax) dmax = fpts[k].predicted;
    if (fm && ft) {
      both++;
      same += fpts[k].measured == fpts[k].predicted;
      within1 += fabs(fpts[k].measured - fpts[k].predicted) <= 1.0;
    } else if (!fm && !ft) neither++;
  }
  if (!both) { free(fpts); return FIG_SKIPPED; }
  /* the panels: the activations with a point */
  size_t na = g->acts.n, npan = 0;
  int *pan_of = malloc(na * sizeof *pan_of);
  if (!pan_of) { free(fpts); return sb_fail(err, SB_EFAIL, "out of memory"); }
  for (size_t a = 0; a < na; a++) pan_of[a] = -1;
  for (size_t k = 0; k < n; k++)
    if ((isfinite(fpts[k].measured) || isfinite(fpts[k].predicted)) && pan_of[fpts[k].panel] < 0) pan_of[fpts[k].panel] = 0;
  fig_texts ptitles = { "", 0, 0 };
  for (size_t a = 0; a < na; a++)
    if (!pan_of[a]) { pan_of[a] = (int)npan++; fig_texts_add(&ptitles, g->acts.name[a]); }
  size_t cols = cols_for(npan, 3), rows = rows_for(npan, cols);
  /* series: colour per precision, an open (1) or filled mark per loss scale */
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  fig_list lcs = { "" }, ptl = { "" };
  char precs[FD_MAXSER][FIG_NAME_MAX], lss[FD_MAXSER][FIG_NAME_MAX];
  size_t nprec = 0, nls = 0;
  for (size_t s = 0; s < nser; s++) {
    size_t ip = 0, il = 0;
    while (ip < nprec && strcmp(precs[ip], ser_prec[s])) ip++;
    if (ip == nprec) snprintf(precs[nprec++], sizeof precs[0], "%s", ser_prec[s]);
    while (il < nls && strcmp(lss[il], ser_ls[s])) il++;
    if (il == nls) snprintf(lss[nls++], sizeof lss[0], "%s", ser_ls[s]);
    static const long ptypes[] = { 6, 7, 4, 5, 8, 9, 10, 11 };
    long lc = (long)(ip % 8) + 1, pt = ptypes[il % 8];
    char t[FIG_LABEL_MAX];
    snprintf(t, sizeof t, "%.63s, %s%.63s", ser_prec[s], !strcmp(ser_ls[s], "1") ? "no loss scale" : "loss scale ",
             !strcmp(ser_ls[s], "1") ? "" : ser_ls[s]);
    fig_texts_add(&key.titles, t);
    fig_list_addi(&key.lcs, lc);
    fig_list_addi(&key.dts, pt);   /* the key's point types */
    key.n++;
    if (strlen(t) > key.longest) key.longest = strlen(t);
    fig_list_addi(&lcs, lc);
    fig_list_addi(&ptl, pt);
  }
  double w = npan == 1 ? 3.5 : 7.0;
  double pw = (w - 0.62 - 0.2 - ((double)cols - 1) * 0.45) / (double)cols;
  figure f;
  /* square panels: the title's lines, the legend's strip, the rows and their gaps */
  rc = fig_open(&f, c, w, 0.62 + (w < 5 ? 0.48 : 0.12) + key_height(&key, w) + 0.45 + (double)rows * pw
                            + ((double)rows - 1.0) * 0.3, err);
  if (rc) { free(pan_of); free(fpts); return rc; }
  /* "none": a depth one of the two has not, drawn beyond the axis */
  double none = ceil(dmax) + 2.0;
  for (size_t p = 0; p < npan; p++)
    for (size_t s = 0; s < nser; s++) {
      char what[FIG_LABEL_MAX];
      snprintf(what, sizeof what, "panel %zu, series %zu: predicted, measured (%g: none), networks", p + 1, s + 1, none);
      fig_block(&f, what);
      /* a series' points moved off each other's along the diagonal, a
       * tenth of a layer apart, since depths are whole numbers */
      double off = ((double)s - 0.5 * (double)(nser - 1)) * (nser > 1 ? 0.5 / (double)nser : 0.0);
      size_t k0 = f.rows;
      /* a mark per (predicted, measured), the networks there its count (fpts
       * is sorted by key, so a block's marks come in a fixed order) */
      for (size_t k = 0; k < n; k++) {
        if (pan_of[fpts[k].panel] != (int)p || fpts[k].ser != (int)s) continue;
        double x = isfinite(fpts[k].predicted) ? fpts[k].predicted : none, y = isfinite(fpts[k].measured) ? fpts[k].measured : none;
        if (x == none && y == none) continue;
        int seen = 0;
        for (size_t j = 0; j < k && !seen; j++)
          seen = pan_of[fpts[j].panel] == (int)p && fpts[j].ser == (int)s
                 && (isfinite(fpts[j].predicted) ? fpts[j].predicted : none) == x
                 && (isfinite(fpts[j].measured) ? fpts[j].measured : none) == y;
        if (seen) continue;
        size_t count = 0;
        for (size_t j = k; j < n; j++)
          count += pan_of[fpts[j].panel] == (int)p && fpts[j].ser == (int)s
                   && (isfinite(fpts[j].predicted) ? fpts[j].predicted : none) == x
                   && (isfinite(fpts[j].measured) ? fpts[j].measured : none) == y;
        fig_num(&f, x + off, 0);
        fig_num(&f, y + off, 0);
        fig_num(&f, (double)count, 1);
      }
      if (f.rows == k0) fputs("NaN\tNaN\tNaN\n", f.dat);
    }
  free(pan_of);
  free(fpts);
  char fx[FIG_LABEL_MAX * 3] = "";
  fixed_part(g, fx, sizeof fx);
  fig_cat(fx, sizeof fx, "; at initialization; a mark's area is the networks there (lr and optimizer alike are one)");
  fig_cat(fx, sizeof fx, "; %zu networks with both: %zu equal, %zu within one layer", both, same, within1);
  if (neither) fig_cat(fx, sizeof fx, "; %zu with neither not drawn", neither);
  if (dropped) fig_cat(fx, sizeof fx, "; the first %d precisions and loss scales", FD_MAXSER);
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_str(&f, "lcs", lcs.s);
  fig_var_str(&f, "pts", ptl.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "npanels", (double)npan);
  fig_var_num(&f, "nser", (double)nser);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  fig_var_num(&f, "none", none);
  fig_var_num(&f, "xstep", none <= 12 ? 1 : none <= 24 ? 2 : none <= 60 ? 5 : 10);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Recurrent cells: shared pieces -------------------------------------------------- */

/* Whether a cell is recurrent (its depth is the sequence length T, its
 * layers.tsv rows t = 1..T the last T steps, T + 1 the readout). */
static int is_recurrent(const fig_grid *g, const fig_cell *cell)
{
  return strcmp(g->ctypes.name[cell->ctype], cfg_axis_default(AXIS_ARCH)) != 0;
}

/* The longest sequence length of the recurrent cells, 0 with none. */
static size_t longest_T(const fig_grid *g)
{
  size_t T = 0;
  for (size_t k = 0; k < g->n; k++)
    if (is_recurrent(g, &g->cells[k]) && g->cells[k].depth > T) T = g->cells[k].depth;
  return T;
}

/* The title's "what every cell shares" of a recurrent figure: fixed_part's
 * (trained or at init); a clipping norm or forget-gate bias that every
 * cell shares is among them (the clip and forget_bias axes). */
static void rnn_fixed(const fig_grid *g, int at_init, char *buf, size_t size)
{
  snprintf(buf, size, "%s", at_init ? g->init_fixed : g->fixed);
}

/* ---- Figure: the gradient against steps in the past (Pascanu et al. 2013) -------- */

/* ||dL/dh_{T-k}|| / ||dL/dh_T|| against k, at the longest T (or the one
 * --select chose): a row per recurrent cell type (and variant at init:
 * width, loss), at step 0 on the left, then at the last probe per trained
 * variant (learning rate, optimizer) beside it; a line per (activation,
 * init).  Each cell's ratio first, then spread() over the seeds on log10. */
static int fig_grad_time(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  size_t T = longest_T(g);
  if (T == 0) return FIG_SKIPPED;
  size_t n = g->n, na = g->acts.n, ni = g->inits.n, nct = g->ctypes.n, nir = g->icrests.n, nr = g->crests.n;
  int trained = g->steps > 0;
  /* per cell: the norms at step 0 and at its last probe, t = 1..T */
  double *norm = malloc(2 * n * T * sizeof *norm);
  long *last = malloc(n * sizeof *last);
  if (!norm || !last) { free(norm); free(last); return sb_fail(err, SB_EFAIL, "out of memory"); }
  for (size_t k = 0; k < 2 * n * T; k++) norm[k] = NAN;
  for (size_t k = 0; k < n; k++) last[k] = -1;
  fig_rows fr;
  int rc = fig_rows_open(&fr, c->o, g, c->layers, err), got = 0;
  int cc = -1, cst = -1, cl = -1, cn = -1;
  if (!rc && !(rc = tsv_need(fr.t, "cell", &cc, err)) && !(rc = tsv_need(fr.t, "step", &cst, err))
      && !(rc = tsv_need(fr.t, "layer", &cl, err)))
    rc = tsv_need(fr.t, "stream_grad_norm", &cn, err);
  while (!rc && (got = fig_rows_next(&fr, err)) == 1) {
    const fig_cell *cell = cell_of(g, strtoul(tsv_str(fr.t, cc), NULL, 10));
    if (!cell || cell->depth != T || !is_recurrent(g, cell)) continue;
    size_t q = (size_t)(cell - g->cells), t = strtoul(tsv_str(fr.t, cl), NULL, 10);
    long step = strtol(tsv_str(fr.t, cst), NULL, 10);
    if (t < 1 || t > T) continue;   /* T + 1: the readout */
    if (step == 0) norm[(2 * q) * T + t - 1] = tsv_num(fr.t, cn);
    if (step > 0 && step > last[q]) {   /* a later probe: it replaces the one kept */
      for (size_t u = 0; u < T; u++) norm[(2 * q + 1) * T + u] = NAN;
      last[q] = step;
    }
    if (step > 0 && step == last[q]) norm[(2 * q + 1) * T + t - 1] = tsv_num(fr.t, cn);
  }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  long maxlast = 0;
  for (size_t q = 0; q < n; q++) if (last[q] > maxlast) maxlast = last[q];
  if (!trained || maxlast == 0) trained = 0;
  /* Rows: (cell type, variant at init) that have a recurrent cell of
   * length T; the trained variants of each, in the grid's order. */
  size_t nrow = 0, ncol = 1;
  size_t *row_ct = malloc((nct * nir + 1) * sizeof *row_ct), *row_ir = malloc((nct * nir + 1) * sizeof *row_ir);
  int *cols = malloc((nct * nir * nr + 1) * sizeof *cols);   /* [row][col-1]: crest or -1 */
  if (!rc && (!row_ct || !row_ir || !cols)) rc = sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t k = 0; !rc && k < nct; k++)
    for (size_t r = 0; r < nir; r++) {
      int any = 0;
      size_t nc = 0;
      for (size_t v = 0; v < nr; v++) cols[nrow * nr + v] = -1;
      for (size_t v = 0; v < nr; v++) {
        int has = 0;
        for (size_t q = 0; q < n && !has; q++) {
          const fig_cell *cell = &g->cells[q];
          if (cell->depth != T || cell->ctype != (int)k || cell->icrest != (int)r || !is_recurrent(g, cell)) continue;
          any = 1;
          has = cell->crest == (int)v;
        }
        if (has) cols[nrow * nr + nc++] = (int)v;
      }
      if (!any) continue;
      row_ct[nrow] = k;
      row_ir[nrow] = r;
      if (trained && 1 + nc > ncol) ncol = 1 + nc;
      nrow++;
    }
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  for (size_t a = 0; a < na; a++)
    for (size_t i = 0; i < ni; i++) {
      char t[FIG_LABEL_MAX];
      long lc, dt;
      fig_series_label(g, (int)a, (int)i, -1, t, sizeof t);
      series_style(g, a, i, &lc, &dt);
      key_add(&key, t, lc, dt);
    }
  double w = ncol == 1 ? 3.5 : 7.0;
  figure f;
  if (!rc) rc = fig_open(&f, c, w, 0.55 + 0.5 + (w < 5 ? 0.3 : 0.0) + key_height(&key, w) + 2.2 * (double)nrow, err);
  if (rc) { free(norm); free(last); free(row_ct); free(row_ir); free(cols); return rc; }
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) { fig_discard(&f); free(norm); free(last); free(row_ct); free(row_ir); free(cols); return sb_fail(err, SB_EFAIL, "out of memory"); }
  fig_texts ptitles = { "", 0, 0 };
  fig_list places = { "" }, ylos = { "" }, yhis = { "" };
  size_t np = 0, nseeds = 0;
  for (size_t row = 0; row < nrow; row++) {
    double ylo = INFINITY, yhi = -INFINITY;
    size_t first_panel = np;
    for (size_t col = 0; col < ncol; col++) {
      int at_init = col == 0, cr = at_init ? -1 : cols[row * nr + col - 1];
      if (!at_init && cr < 0) continue;
      char t[FIG_LABEL_MAX * 2];
      const char *ir = g->icrests.name[row_ir[row]];
      snprintf(t, sizeof t, "%s%s%s: ", g->ctypes.name[row_ct[row]], ir[0] ? ", " : "", ir);
      if (at_init) fig_cat(t, sizeof t, "at initialization");
      else fig_cat(t, sizeof t, "at step %ld%s%s", maxlast, g->crests.name[cr][0] ? ", " : "", g->crests.name[cr]);
      fig_texts_add(&ptitles, t);
      fig_list_addi(&places, (long)(row * ncol + col));
      fig_list blocks = { "" }, lcs = { "" }, dts = { "" };
      for (size_t a = 0; a < na; a++)
        for (size_t i = 0; i < ni; i++) {
          int b = -1;
          for (size_t k = 0; k < T; k++) {   /* k steps in the past: t = T - k */
            size_t m = 0;
            for (size_t q = 0; q < n; q++) {
              const fig_cell *cell = &g->cells[q];
              if (cell->depth != T || cell->ctype != (int)row_ct[row] || strcmp(cell->act, g->acts.name[a])
                  || strcmp(cell->init, g->inits.name[i]))
                continue;
              if (at_init ? (!cell->init_rep || cell->icrest != (int)row_ir[row]) : cell->crest != cr) continue;
              const double *h = norm + (2 * q + !at_init) * T;
              v[m++] = h[T - 1 - k] / h[T - 1];
            }
            double mid, lo, hi;
            size_t s = spread(v, m, 1, &mid, &lo, &hi);
            if (!s) continue;
            if (s > nseeds) nseeds = s;
            if (b < 0) {
              char what[FIG_LABEL_MAX * 3];
              snprintf(what, sizeof what, "panel %zu, %s %s: k, ratio gmean lo hi", np + 1, g->acts.name[a],
                       g->inits.name[i]);
              b = fig_block(&f, what);
            }
            fig_num(&f, (double)k, 0);
            fig_num(&f, mid, 0);
            fig_num(&f, lo, 0);
            fig_num(&f, hi, 1);
            if (lo < ylo) ylo = lo;
            if (hi > yhi) yhi = hi;
          }
          if (b < 0) continue;
          long lc, dt;
          series_style(g, a, i, &lc, &dt);
          fig_list_addi(&blocks, b);
          fig_list_addi(&lcs, lc);
          fig_list_addi(&dts, dt);
        }
      char name[32];
      snprintf(name, sizeof name, "blocks_%zu", np + 1);
      fig_var_str(&f, name, blocks.s);
      snprintf(name, sizeof name, "lcs_%zu", np + 1);
      fig_var_str(&f, name, lcs.s);
      snprintf(name, sizeof name, "dts_%zu", np + 1);
      fig_var_str(&f, name, dts.s);
      np++;
    }
    /* one y range per row: a cell type at init and trained on one scale,
     * whole decades around the data (their exponents: gnuplot reads no
     * exponent in a string) */
    for (size_t p = first_panel; p < np; p++) {
      long lo = isfinite(ylo) ? (long)floor(log10(ylo)) : -1, hi = isfinite(yhi) ? (long)ceil(log10(yhi) - 1e-9) : 1;
      fig_list_addi(&ylos, lo);
      fig_list_addi(&yhis, hi > lo ? hi : lo + 1);
    }
  }
  free(v);
  free(norm);
  free(last);
  free(row_ct);
  free(row_ir);
  free(cols);
  char fx[FIG_LABEL_MAX * 3];
  rnn_fixed(g, !trained, fx, sizeof fx);
  /* the choice of T, when there was one */
  size_t nlen = 0;
  for (size_t d = 0; d < g->depths.n; d++) {
    int has = 0;
    for (size_t q = 0; q < n && !has; q++) has = g->cells[q].depth == g->depths.val[d] && is_recurrent(g, &g->cells[q]);
    nlen += (size_t)has;
  }
  if (nlen > 1) fig_cat(fx, sizeof fx, "%sthe longest of %zu lengths (--select depth=T for another)", fx[0] ? "; " : "", nlen);
  fig_cat(fx, sizeof fx, "%s", fx[0] ? "; " : "");
  spread_note(nseeds, "bands", fx + strlen(fx), sizeof fx - strlen(fx));
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_str(&f, "places", places.s);
  fig_var_str(&f, "ylos", ylos.s);
  fig_var_str(&f, "yhis", yhis.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "npanels", (double)np);
  fig_var_num(&f, "ncols", (double)ncol);
  fig_var_num(&f, "nrows", (double)nrow);
  fig_var_num(&f, "T", (double)T);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Figure: gate saturation over training (LSTM, GRU) -------------------------------- */

/* The shares of sigmoid gate values below 0.1 and above 0.9 (gates.tsv's
 * low_frac and high_frac, Karpathy et al. 2015's view) over training, a
 * line per gate of each gated cell type (the LSTM's i, f, o, the GRU's r,
 * z), averaged over the time steps t of a cell, then spread() over the
 * seeds.  A pair of panels (below 0.1 over above 0.9) per (activation,
 * init), the inits side by side when there are at most four (else the
 * preferred one); every panel at the longest T of the gated cells and at
 * one trained variant (learning rate, optimizer ...): where the gates end
 * most saturated, or what --select chose. */
#define GS_MAX_GATES 8
typedef struct gs_row { size_t q; long step; int gate; double low, high; } gs_row;

static int gs_step_cmp(const void *x, const void *y)
{
  long a = *(const long *)x, b = *(const long *)y;
  return (a > b) - (a < b);
}

static int fig_gate_saturation(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  char path[4300];
  snprintf(path, sizeof path, "%s/gates.tsv", c->o->data);
  FILE *probe = tsv_fopen(path);
  if (!probe) return FIG_SKIPPED;   /* no gated cell: no gates.tsv */
  fclose(probe);
  /* the longest T of the gated cells: those gates.tsv has rows of */
  fig_rows fr;
  int rc = fig_rows_open(&fr, c->o, g, path, err), got = 0;
  int cc = -1, cst = -1, cgt = -1, clo = -1, chi = -1;
  if (!rc && !(rc = tsv_need(fr.t, "cell", &cc, err)) && !(rc = tsv_need(fr.t, "step", &cst, err))
      && !(rc = tsv_need(fr.t, "gate", &cgt, err)) && !(rc = tsv_need(fr.t, "low_frac", &clo, err)))
    rc = tsv_need(fr.t, "high_frac", &chi, err);
  gs_row *rows = NULL;
  size_t nrows = 0, cap = 0, T = 0;
  /* the (cell type, gate) pairs in order of appearance: the lines */
  int gct[GS_MAX_GATES];
  char gname[GS_MAX_GATES][16];
  int ng = 0;
  while (!rc && (got = fig_rows_next(&fr, err)) == 1) {
    const fig_cell *cell = cell_of(g, strtoul(tsv_str(fr.t, cc), NULL, 10));
    if (!cell) continue;
    const char *gn = tsv_str(fr.t, cgt);
    int k = 0;
    while (k < ng && !(gct[k] == cell->ctype && !strcmp(gname[k], gn))) k++;
    if (k == ng) {
      if (ng == GS_MAX_GATES) continue;
      gct[ng] = cell->ctype;
      snprintf(gname[ng], sizeof gname[ng], "%s", gn);
      ng++;
    }
    if (nrows == cap) {
      cap = cap ? 2 * cap : 4096;
      gs_row *r = realloc(rows, cap * sizeof *r);
      if (!r) { rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
      rows = r;
    }
    gs_row *r = &rows[nrows++];
    r->q = (size_t)(cell - g->cells);
    r->step = strtol(tsv_str(fr.t, cst), NULL, 10);
    r->gate = k;
    r->low = tsv_num(fr.t, clo);
    r->high = tsv_num(fr.t, chi);
    if (cell->depth > T) T = cell->depth;
  }
  if (got < 0) rc = -got;
  fig_rows_close(&fr);
  if (!rc && (nrows == 0 || g->steps == 0)) { free(rows); return FIG_SKIPPED; }
  /* the probed steps */
  long *steps = rc ? NULL : malloc(nrows * sizeof *steps);
  size_t ns = 0;
  if (!rc && !steps) rc = sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t k = 0; !rc && k < nrows; k++) steps[k] = rows[k].step;
  if (!rc) {
    qsort(steps, nrows, sizeof *steps, gs_step_cmp);
    for (size_t k = 0; k < nrows; k++) if (!ns || steps[k] != steps[ns - 1]) steps[ns++] = steps[k];
  }
  /* per (cell, step, gate): the mean over t of each share */
  size_t n = g->n, ncell = n * ns * (size_t)ng;
  double *acc = rc ? NULL : calloc(3 * (ncell ? ncell : 1), sizeof *acc);
  if (!rc && !acc) rc = sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t k = 0; !rc && k < nrows; k++) {
    const gs_row *r = &rows[k];
    if (g->cells[r->q].depth != T) continue;
    long *sp = bsearch(&r->step, steps, ns, sizeof *steps, gs_step_cmp);
    double *x = acc + 3 * ((r->q * ns + (size_t)(sp - steps)) * (size_t)ng + (size_t)r->gate);
    x[0] += r->low;
    x[1] += r->high;
    x[2] += 1.0;
  }
  free(rows);
  if (rc) { free(steps); free(acc); return rc; }
  size_t na = g->acts.n, ni = g->inits.n, nr = g->crests.n;
  int one_init = ni > DYN_MAX_INITS, pref = fig_preferred_init(g);
  size_t nic = one_init ? 1 : ni, np = na * nic;
  /* with one activation and init, a panel per trained variant instead (a
   * forget-gate bias or clipping against another: the comparison the grid
   * was made for) */
  int by_variant = np == 1 && nr > 1;
  if (by_variant) np = nr;
  /* one trained variant for every panel: where the gates' saturated share
   * (below 0.1 and above 0.9, summed over gates, panels and seeds) is the
   * largest at the last probe */
  int bv = -1;
  double best = -INFINITY;
  for (size_t v = 0; v < nr; v++) {
    double sum = 0.0;
    int any = 0;
    for (size_t q = 0; q < n; q++) {
      const fig_cell *cell = &g->cells[q];
      if (cell->crest != (int)v || cell->depth != T) continue;
      if (one_init && strcmp(cell->init, g->inits.name[pref])) continue;
      for (int k = 0; k < ng; k++) {
        const double *x = acc + 3 * ((q * ns + ns - 1) * (size_t)ng + (size_t)k);
        if (x[2] > 0 && isfinite(x[0] + x[1])) { sum += (x[0] + x[1]) / x[2]; any = 1; }
      }
    }
    if (any && sum > best + 1e-12) { best = sum; bv = (int)v; }
  }
  if (bv < 0 && !by_variant) { free(steps); free(acc); return FIG_SKIPPED; }
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  long glc[GS_MAX_GATES], gdt[GS_MAX_GATES];
  int cts[GS_MAX_GATES], nct = 0;
  for (int k = 0; k < ng; k++) {
    /* colour: the gate (a colour each); dash: the cell type */
    int ct = 0;
    while (ct < nct && cts[ct] != gct[k]) ct++;
    if (ct == nct) cts[nct++] = gct[k];
    glc[k] = (long)(k % 8) + 1;
    gdt[k] = dash_of((size_t)ct);
    char t[FIG_LABEL_MAX];
    static const char *const roles[][2] = { { "i", "input" }, { "f", "forget" }, { "o", "output" },
                                             { "r", "reset" }, { "z", "update" } };
    const char *role = "";
    for (size_t j = 0; j < sizeof roles / sizeof roles[0]; j++)
      if (!strcmp(gname[k], roles[j][0])) role = roles[j][1];
    snprintf(t, sizeof t, "%s %s%s%s%s", g->ctypes.name[gct[k]], role, role[0] ? " (" : "gate ", gname[k], role[0] ? ")" : "");
    key_add(&key, t, glc[k], gdt[k]);
  }
  size_t cols = by_variant ? cols_for(np, 3) : nic > 1 ? nic : cols_for(na, 4), prow = rows_for(np, cols);
  double w = cols <= 1 ? 3.5 : 7.0;
  figure f;
  rc = fig_open(&f, c, w, 1.0 + (w < 5 ? 0.5 : 0.0) + key_height(&key, w) + 3.0 * (double)prow, err);
  if (rc) { free(steps); free(acc); return rc; }
  double *lo_v = malloc((n ? n : 1) * sizeof *lo_v), *hi_v = malloc((n ? n : 1) * sizeof *hi_v);
  if (!lo_v || !hi_v) {
    free(lo_v); free(hi_v); free(steps); free(acc); fig_discard(&f);
    return sb_fail(err, SB_EFAIL, "out of memory");
  }
  fig_texts titles = { "", 0, 0 };
  fig_list ytops = { "" };   /* per panel, the tops of its two y axes */
  double *ptop = calloc(2 * np, sizeof *ptop);
  if (!ptop) {
    free(lo_v); free(hi_v); free(steps); free(acc); fig_discard(&f);
    return sb_fail(err, SB_EFAIL, "out of memory");
  }
  size_t nseeds = 0;
  for (size_t p = 0; p < np; p++) {
    size_t a = by_variant ? 0 : p / nic;
    int i = one_init ? pref : by_variant ? 0 : (int)(p % nic);
    int v = by_variant ? (int)p : bv;
    fig_list blocks = { "" }, lcs = { "" }, dts = { "" };
    double top[2] = { 0.0, 0.0 };
    for (int k = 0; k < ng; k++) {
      int b = -1;
      for (size_t s = 0; s < ns; s++) {
        size_t m = 0, mh = 0;
        for (size_t q = 0; q < n; q++) {
          const fig_cell *cell = &g->cells[q];
          if (cell->crest != v || cell->depth != T || cell->ctype != gct[k] || strcmp(cell->act, g->acts.name[a])
              || strcmp(cell->init, g->inits.name[i]))
            continue;
          const double *x = acc + 3 * ((q * ns + s) * (size_t)ng + (size_t)k);
          if (x[2] <= 0) continue;
          lo_v[m++] = x[0] / x[2];
          hi_v[mh++] = x[1] / x[2];
        }
        double lm, ll, lh, hm, hl, hh;
        size_t sl = spread(lo_v, m, 0, &lm, &ll, &lh), sh = spread(hi_v, mh, 0, &hm, &hl, &hh);
        if (!sl && !sh) continue;
        if (sl > nseeds) nseeds = sl;
        if (b < 0) {
          char what[FIG_LABEL_MAX * 2];
          snprintf(what, sizeof what, "%s %s %s gate %s: step, below 0.1 mean lo hi, above 0.9 mean lo hi",
                   g->acts.name[a], g->inits.name[i], g->ctypes.name[gct[k]], gname[k]);
          b = fig_block(&f, what);
        }
        fig_num(&f, (double)steps[s], 0);
        fig_num(&f, lm, 0);
        fig_num(&f, ll, 0);
        fig_num(&f, lh, 0);
        fig_num(&f, hm, 0);
        fig_num(&f, hl, 0);
        fig_num(&f, hh, 1);
        if (isfinite(lh) && lh > top[0]) top[0] = lh;
        if (isfinite(hh) && hh > top[1]) top[1] = hh;
      }
      if (b < 0) continue;
      fig_list_addi(&blocks, b);
      fig_list_addi(&lcs, glc[k]);
      fig_list_addi(&dts, gdt[k]);
    }
    /* a share axis from 0 to a little above the highest band (0.01 at
     * least: never gates saturated is a flat line at 0, not an empty range),
     * written without an exponent (gnuplot reads none in a string) */
    for (int r = 0; r < 2; r++) ptop[2 * p + (size_t)r] = top[r];
    char t[FIG_LABEL_MAX * 2];
    if (by_variant) snprintf(t, sizeof t, "%s", g->crests.name[v]);
    else snprintf(t, sizeof t, "%s, %s init", g->acts.name[a], g->inits.label[i]);
    fig_texts_add(&titles, t);
    char name[32];
    snprintf(name, sizeof name, "blocks_%zu", p + 1);
    fig_var_str(&f, name, blocks.s);
    snprintf(name, sizeof name, "lcs_%zu", p + 1);
    fig_var_str(&f, name, lcs.s);
    snprintf(name, sizeof name, "dts_%zu", p + 1);
    fig_var_str(&f, name, dts.s);
  }
  /* the panels of the variants share their axes, to be compared */
  for (size_t p = 0; p < np; p++)
    for (int r = 0; r < 2; r++) {
      double t = ptop[2 * p + (size_t)r];
      for (size_t q = 0; by_variant && q < np; q++) t = fmax(t, ptop[2 * q + (size_t)r]);
      char b[32];
      snprintf(b, sizeof b, "%.4f", fmin(1.02, fmax(0.01, 1.05 * t)));
      fig_list_add(&ytops, b);
    }
  free(ptop);
  free(lo_v);
  free(hi_v);
  free(steps);
  free(acc);
  /* the title: what every panel shares, and by which rule */
  char what[FIG_LABEL_MAX * 3], fx[FIG_LABEL_MAX * 3];
  what[0] = '\0';
  if (one_init)
    fig_cat(what, sizeof what, "%s init (of %zu: --select init=NAME for another)%s", g->inits.label[pref], ni,
            nr > 1 ? "; " : "");
  if (by_variant)
    fig_cat(what, sizeof what, "%s, %s init; a panel per variant", g->acts.name[0], g->inits.label[one_init ? pref : 0]);
  else if (nr > 1)
    fig_cat(what, sizeof what, "every panel %s (where the gates end most saturated, of %zu variants)", g->crests.name[bv], nr);
  rnn_fixed(g, 0, fx, sizeof fx);
  fig_cat(fx, sizeof fx, "%s", fx[0] ? "; " : "");
  spread_note(nseeds, "bands", fx + strlen(fx), sizeof fx - strlen(fx));
  fig_var_str(&f, "choice", what);
  fig_var_texts(&f, "titles", &titles);
  fig_var_str(&f, "ytops", ytops.s);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "T", (double)T);
  fig_var_num(&f, "npan", (double)np);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "prow", (double)prow);
  key_vars(&f, &key);
  return fig_close(&f, err);
}

/* ---- Figure: success rate against sequence length (Pascanu et al. 2013) --------------- */

static int cmp_size_t(const void *x, const void *y)
{
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  return (a > b) - (a < b);
}

/* cells.tsv's success (the share of test sequences meeting the task's
 * criterion) against the sequence length T: a panel per recurrent cell
 * type and trained variant, a line per (activation, init) joining the
 * means over seeds, each seed a circle (or bars beyond FEW_SEEDS, as the
 * depth figure), and the task's chance success 1 - chance_error dashed. */
static int fig_success_length(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  if (g->steps == 0) return FIG_SKIPPED;
  size_t n = g->n, na = g->acts.n, ni = g->inits.n, nct = g->ctypes.n, nr = g->crests.n;
  /* the recurrent cells' lengths: a curve needs two */
  size_t *Ts = malloc((n ? n : 1) * sizeof *Ts), nT = 0;
  if (!Ts) return sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t q = 0; q < n; q++) {
    const fig_cell *cell = &g->cells[q];
    if (!is_recurrent(g, cell) || !isfinite(cell->success)) continue;
    size_t k = 0;
    while (k < nT && Ts[k] != cell->depth) k++;
    if (k == nT) Ts[nT++] = cell->depth;
  }
  qsort(Ts, nT, sizeof *Ts, cmp_size_t);
  if (nT < 2) { free(Ts); return FIG_SKIPPED; }
  /* panels: (cell type, trained variant) with a recurrent cell */
  size_t *pct = malloc(nct * nr * sizeof *pct), *pcr = malloc(nct * nr * sizeof *pcr), np = 0;
  double *scratch = malloc(n * sizeof *scratch);
  if (!pct || !pcr || !scratch) { free(Ts); free(pct); free(pcr); free(scratch); return sb_fail(err, SB_EFAIL, "out of memory"); }
  for (size_t k = 0; k < nct; k++)
    for (size_t r = 0; r < nr; r++) {
      int any = 0;
      for (size_t q = 0; q < n && !any; q++)
        any = g->cells[q].ctype == (int)k && g->cells[q].crest == (int)r && is_recurrent(g, &g->cells[q]);
      if (!any) continue;
      pct[np] = k;
      pcr[np++] = r;
    }
  size_t cols = cols_for(np, 3), rows = rows_for(np, cols);
  double w = np == 1 ? 3.5 : 7.0;
  fig_key key = { { "", 0, 0 }, { "" }, { "" }, 0, 0 };
  fig_list lcs = { "" }, dts = { "" };
  for (size_t a = 0; a < na; a++)
    for (size_t i = 0; i < ni; i++) {
      char t[FIG_LABEL_MAX];
      long lc, dt;
      fig_series_label(g, (int)a, (int)i, -1, t, sizeof t);
      series_style(g, a, i, &lc, &dt);
      key_add(&key, t, lc, dt);
      fig_list_addi(&lcs, lc);
      fig_list_addi(&dts, dt);
    }
  key_add(&key, "chance", 30, 12);
  size_t nseeds = max_group_seeds(g);
  key_seed_marks(&key, nseeds);
  figure f;
  int rc = fig_open(&f, c, w, 0.55 + 0.5 + (w < 5 ? 0.3 : 0.0) + key_height(&key, w) + 2.4 * (double)rows, err);
  if (rc) { free(Ts); free(pct); free(pcr); free(scratch); return rc; }
  fig_list chances = { "" };
  fig_texts ptitles = { "", 0, 0 };
  for (size_t p = 0; p < np; p++) {
    const char *vname = g->crests.name[pcr[p]];
    char t[FIG_LABEL_MAX * 2];
    snprintf(t, sizeof t, "%s%s%s", g->ctypes.name[pct[p]], vname[0] ? ", " : "", vname);
    fig_texts_add(&ptitles, t);
    /* chance: the best constant prediction's success, over the panel's cells */
    double sum = 0.0;
    size_t m = 0;
    for (size_t q = 0; q < n; q++) {
      const fig_cell *cell = &g->cells[q];
      if (cell->ctype == (int)pct[p] && cell->crest == (int)pcr[p] && isfinite(cell->chance_error)) {
        sum += 1.0 - cell->chance_error;
        m++;
      }
    }
    char ch[32];
    snprintf(ch, sizeof ch, "%.17g", m ? sum / (double)m : NAN);
    fig_list_add(&chances, ch);
    fig_list blocks = { "" }, seeds = { "" };
    for (size_t a = 0; a < na; a++)
      for (size_t i = 0; i < ni; i++) {
        char what[FIG_LABEL_MAX * 3];
        snprintf(what, sizeof what, "panel %zu, %s %s: T mean ci95 n", p + 1, g->acts.name[a], g->inits.name[i]);
        int b = fig_block(&f, what), sb, wrote = 0;
        for (size_t d = 0; d < nT; d++) {
          size_t k = 0;
          for (size_t q = 0; q < n; q++) {
            const fig_cell *cell = &g->cells[q];
            if (cell->depth == Ts[d] && cell->ctype == (int)pct[p] && cell->crest == (int)pcr[p]
                && !strcmp(cell->act, g->acts.name[a]) && !strcmp(cell->init, g->inits.name[i])
                && isfinite(cell->success))
              scratch[k++] = cell->success;
          }
          if (!k) continue;
          double mean, ci;
          pool(scratch, k, &mean, &ci, NULL);
          fig_num(&f, (double)Ts[d], 0);
          fig_num(&f, mean, 0);
          fig_num(&f, ci, 0);
          fig_num(&f, (double)k, 1);
          wrote = 1;
        }
        if (!wrote) fputs("NaN\tNaN\tNaN\tNaN\n", f.dat);
        fig_list_addi(&blocks, b);
        snprintf(what, sizeof what, "panel %zu, %s %s: T, each seed's success", p + 1, g->acts.name[a],
                 g->inits.name[i]);
        sb = fig_block(&f, what);
        wrote = 0;
        for (size_t q = 0; q < n; q++) {
          const fig_cell *cell = &g->cells[q];
          if (cell->ctype == (int)pct[p] && cell->crest == (int)pcr[p] && !strcmp(cell->act, g->acts.name[a])
              && !strcmp(cell->init, g->inits.name[i]) && isfinite(cell->success)) {
            fig_num(&f, (double)cell->depth, 0);
            fig_num(&f, cell->success, 1);
            wrote = 1;
          }
        }
        if (!wrote) fputs("NaN\tNaN\n", f.dat);
        fig_list_addi(&seeds, sb);
      }
    char name[32];
    snprintf(name, sizeof name, "blocks_%zu", p + 1);
    fig_var_str(&f, name, blocks.s);
    snprintf(name, sizeof name, "seeds_%zu", p + 1);
    fig_var_str(&f, name, seeds.s);
  }
  free(scratch);
  free(pct);
  free(pcr);
  char fx[FIG_LABEL_MAX * 3];
  rnn_fixed(g, 0, fx, sizeof fx);
  fig_cat(fx, sizeof fx, "%s", fx[0] ? "; " : "");
  seed_marks_note(nseeds, fx + strlen(fx), sizeof fx - strlen(fx));
  fig_var_num(&f, "bars", nseeds > FEW_SEEDS);
  fig_var_str(&f, "lcs", lcs.s);
  fig_var_str(&f, "dts", dts.s);
  fig_var_texts(&f, "ptitles", &ptitles);
  fig_var_str(&f, "fixed", fx);
  fig_var_num(&f, "npanels", (double)np);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  key_vars(&f, &key);
  fig_list dl = { "" };
  for (size_t d = 0; d < nT; d++) fig_list_addi(&dl, (long)Ts[d]);
  fig_var_str(&f, "lengths", dl.s);
  fig_var_num(&f, "maxT", (double)Ts[nT - 1]);
  fig_var_num(&f, "minT", (double)Ts[0]);
  fig_var_str(&f, "chances", chances.s);
  free(Ts);
  return fig_close(&f, err);
}

const figure_def fig_table[] = {
  { "grad-layers", "gradient norm per layer at initialization", fig_grad_layers },
  { "saturation-training", "mean activations and mean slope per layer over training", fig_saturation },
  { "grad-vs-saturation", "per-layer gradient attenuation against saturated fraction", fig_grad_vs_sat },
  { "heatmap", "heatmap of attenuation at initialization", fig_heatmap },
  { "depth", "attenuation at initialization and final loss against depth", fig_depth },
  { "histograms", "histograms of activations and back-propagated errors", fig_histograms },
  { "theory", "measured per-layer ratio against mean-field chi, and the phase diagram", fig_theory },
  { "learning-curves", "training loss and test error against optimizer steps", fig_learning },
  { "saturation-dynamics", "mean slope (ReLU: dead fraction) and weight-gradient norm per layer over training", fig_dynamics },
  { "spectra", "densities of the input-output Jacobian's singular values at initialization, per depth", fig_spectra },
  { "trainability", "test accuracy over (sigma_w2, depth) with 6 xi_c and the edge of chaos (meanfield inits)", fig_trainability },
  { "remedies", "attenuation at initialization and final loss against depth per normalization and skip connection", fig_remedies },
  { "log2hist", "histograms of log2|gradient| per layer as each emulated format holds them, with its range marked", fig_log2hist },
  { "flush-depth", "measured against mean-field predicted depth of underflow at initialization", fig_flush_depth },
  { "underflow", "fraction of back-propagated errors and weight gradients rounded to zero per layer, per precision and loss scale", fig_underflow },
  { "grad-time", "recurrent cells: gradient norm against steps in the past, at initialization and at the last probe", fig_grad_time },
  { "gate-saturation", "recurrent cells: shares of LSTM and GRU gate values below 0.1 and above 0.9 over training", fig_gate_saturation },
  { "success-length", "recurrent cells: success rate against sequence length, with the task's chance", fig_success_length },
};
const size_t fig_count = sizeof fig_table / sizeof fig_table[0];
