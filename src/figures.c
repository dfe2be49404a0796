/* figures.c - the figures of `satbench plot` (see figure.h): for each, the
 * C side selects and aggregates (with GSL statistics where seeds are
 * pooled) and writes NAME.dat and the few settings its template needs
 * (which panels, which blocks, axis sizes).  Everything about how a
 * figure looks lives in plots/templates/NAME.gp. */
#include <config.h>
#include "figure.h"
#include "init.h"
#include "stats.h"
#include "theory.h"
#include "tsv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- summary.tsv rows ------------------------------------------------------------ */

enum { S_DELTA, S_DELTA_CI, S_GW, S_GW_CI, S_ACT_MEAN, S_ACT_STD, S_SAT, S_SAT_CI, S_P98, S_N };
static const char *const s_cols[S_N] = {
  "delta_norm_mean", "delta_norm_ci95", "grad_w_norm_mean", "grad_w_norm_ci95",
  "act_mean_mean", "act_std_mean", "sat_frac_mean", "sat_frac_ci95", "act_p98_mean"
};

typedef struct sum_row {
  int a, i;
  size_t depth, width, layer;
  long step;
  double v[S_N];
} sum_row;

typedef struct sum_rows { size_t n, cap; sum_row *r; } sum_rows;

/* Read the summary rows that `keep` wants. */
static int load_summary(const char *path, const fig_grid *g, int (*keep)(const sum_row *, const void *),
                        const void *ctx, sum_rows *out, sb_error *err)
{
  tsv_reader *t = tsv_open(path, err);
  if (!t) return err->code;
  int ca, ci, cd, cw, cs, cl, cv[S_N], rc = SB_OK, got;
  if ((rc = tsv_need(t, "activation", &ca, err)) || (rc = tsv_need(t, "init", &ci, err)) ||
      (rc = tsv_need(t, "depth", &cd, err)) || (rc = tsv_need(t, "width", &cw, err)) ||
      (rc = tsv_need(t, "step", &cs, err)) || (rc = tsv_need(t, "layer", &cl, err))) {
    tsv_close(t);
    return rc;
  }
  for (int k = 0; k < S_N; k++)
    if ((rc = tsv_need(t, s_cols[k], &cv[k], err))) { tsv_close(t); return rc; }
  while ((got = tsv_next(t, err)) == 1) {
    sum_row r;
    r.a = fig_axis_name(&g->acts, tsv_str(t, ca));
    r.i = fig_axis_name(&g->inits, tsv_str(t, ci));
    if (r.a < 0 || r.i < 0) continue;
    r.depth = strtoul(tsv_str(t, cd), NULL, 10);
    r.width = strtoul(tsv_str(t, cw), NULL, 10);
    r.step = strtol(tsv_str(t, cs), NULL, 10);
    r.layer = strtoul(tsv_str(t, cl), NULL, 10);
    if (!keep(&r, ctx)) continue;
    for (int k = 0; k < S_N; k++) r.v[k] = tsv_num(t, cv[k]);
    if (out->n == out->cap) {
      out->cap = out->cap ? 2 * out->cap : 256;
      sum_row *grown = realloc(out->r, out->cap * sizeof *grown);
      if (!grown) { rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
      out->r = grown;
    }
    out->r[out->n++] = r;
  }
  if (got < 0) rc = -got;
  tsv_close(t);
  return rc;
}

/* ---- Figure 1: gradient norms per layer at init ------------------------------------ */

/* Geometric mean over seeds and the 95% Student-t interval of log10 x:
 * norms span decades, and an arithmetic interval would cross zero. */
static void log_stats(double *v, size_t n, double *gm, double *lo, double *hi)
{
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (isfinite(v[k])) v[m++] = v[k];   /* a zero norm has no logarithm */
  seed_summary s;
  stats_over_seeds(v, m, &s);
  double ci = s.n > 1 ? s.ci95 : 0.0;    /* one seed: a line without a band */
  *gm = pow(10.0, s.mean);
  *lo = pow(10.0, s.mean - ci);
  *hi = pow(10.0, s.mean + ci);
}

static int fig_grad_layers(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  const char *layers_path = c->layers;
  size_t depth = g->depths.val[g->depths.n - 1], width = g->widths.val[0];
  size_t na = g->acts.n, ni = g->inits.n, ns = g->nseeds;
  /* log10 norms at step 0: [a][i][layer-1][kind][seed] */
  size_t total = na * ni * depth * 2 * ns;
  double *v = malloc(total * sizeof *v);
  if (!v) return sb_fail(err, SB_EFAIL, "out of memory");
  for (size_t k = 0; k < total; k++) v[k] = NAN;
  tsv_reader *t = tsv_open(layers_path, err);
  if (!t) { free(v); return err->code; }
  int ca, ci, cd, cw, cs, cst, cl, cdel, cgw, rc = SB_OK, got;
  if ((rc = tsv_need(t, "activation", &ca, err)) || (rc = tsv_need(t, "init", &ci, err)) ||
      (rc = tsv_need(t, "depth", &cd, err)) || (rc = tsv_need(t, "width", &cw, err)) ||
      (rc = tsv_need(t, "seed", &cs, err)) || (rc = tsv_need(t, "step", &cst, err)) ||
      (rc = tsv_need(t, "layer", &cl, err)) || (rc = tsv_need(t, "delta_norm", &cdel, err)) ||
      (rc = tsv_need(t, "grad_w_norm", &cgw, err))) {
    tsv_close(t);
    free(v);
    return rc;
  }
  while ((got = tsv_next(t, err)) == 1) {
    if (strcmp(tsv_str(t, cst), "0") || strtoul(tsv_str(t, cd), NULL, 10) != depth ||
        strtoul(tsv_str(t, cw), NULL, 10) != width)
      continue;
    int a = fig_axis_name(&g->acts, tsv_str(t, ca)), i = fig_axis_name(&g->inits, tsv_str(t, ci));
    size_t l = strtoul(tsv_str(t, cl), NULL, 10), s = strtoul(tsv_str(t, cs), NULL, 10);
    if (a < 0 || i < 0 || l < 1 || l > depth || s >= ns) continue;
    double *p = v + ((((size_t)a * ni + (size_t)i) * depth + (l - 1)) * 2) * ns;
    p[s] = log10(tsv_num(t, cdel));
    p[ns + s] = log10(tsv_num(t, cgw));
  }
  if (got < 0) rc = -got;
  tsv_close(t);
  figure f;
  double w = na <= 1 ? 3.5 : 7.0;
  if (!rc) rc = fig_open(&f, c, w, 3.6, err);
  if (rc) { free(v); return rc; }
  for (size_t a = 0; a < na; a++) {
    fig_list blocks = { "" }, series = { "" };
    for (size_t i = 0; i < ni; i++) {
      int b = -1;
      for (size_t l = 1; l <= depth; l++) {
        double *p = v + (((a * ni + i) * depth + (l - 1)) * 2) * ns;
        double dm, dlo, dhi, gm, glo, ghi;
        log_stats(p, ns, &dm, &dlo, &dhi);
        log_stats(p + ns, ns, &gm, &glo, &ghi);
        if (isnan(dm) && isnan(gm)) continue;
        if (b < 0) {
          char what[200];
          snprintf(what, sizeof what, "%s %s: layer, delta gmean lo hi, gradW gmean lo hi", g->acts.name[a], g->inits.name[i]);
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
      fig_list_addi(&series, (long)i + 1);
    }
    char key[32];
    snprintf(key, sizeof key, "blocks_%zu", a + 1);
    fig_var_str(&f, key, blocks.s);
    snprintf(key, sizeof key, "series_%zu", a + 1);
    fig_var_str(&f, key, series.s);
  }
  free(v);
  fig_var_names(&f, "acts", &g->acts);
  fig_var_names(&f, "inits", &g->inits);
  fig_var_num(&f, "nact", (double)na);
  fig_var_num(&f, "depth", (double)depth);
  fig_var_num(&f, "width", (double)width);
  fig_var_num(&f, "nseeds", (double)ns);
  return fig_close(&f, err);
}

/* ---- Figure 2: saturation and activations over training ------------------------------ */

/* Which rows of summary.tsv a figure wants. */
typedef struct sel { size_t depth, width; int init; } sel;

static int keep_fig2(const sum_row *r, const void *ctx)
{
  const sel *s = ctx;
  return r->i == s->init && r->depth == s->depth && r->width == s->width && r->layer <= s->depth;
}

static int fig_saturation(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  const char *summary = c->summary;
  sel s = { fig_nearest_depth(g, 4), g->widths.val[0], fig_preferred_init(g) };
  sum_rows rows = { 0 };
  int rc = load_summary(summary, g, keep_fig2, &s, &rows, err);
  if (rc) { free(rows.r); return rc; }
  figure f;
  if ((rc = fig_open(&f, c, g->acts.n <= 1 ? 3.5 : 7.0, 4.2, err))) { free(rows.r); return rc; }
  long maxstep = 0;
  for (size_t a = 0; a < g->acts.n; a++) {
    fig_list blocks = { "" }, layers = { "" };
    for (size_t l = 1; l <= s.depth; l++) {
      int any = 0;
      for (size_t k = 0; k < rows.n; k++) any |= rows.r[k].a == (int)a && rows.r[k].layer == l;
      if (!any) continue;
      char what[160];
      snprintf(what, sizeof what, "%s layer %zu: step act_mean act_std sat_frac sat_ci95 act_p98", g->acts.name[a], l);
      fig_list_addi(&blocks, fig_block(&f, what));
      fig_list_addi(&layers, (long)l);
      for (size_t k = 0; k < rows.n; k++) {
        const sum_row *r = &rows.r[k];
        if (r->a != (int)a || r->layer != l) continue;
        if (r->step > maxstep) maxstep = r->step;
        fig_num(&f, (double)r->step, 0);
        fig_num(&f, r->v[S_ACT_MEAN], 0);
        fig_num(&f, r->v[S_ACT_STD], 0);
        fig_num(&f, r->v[S_SAT], 0);
        fig_num(&f, isfinite(r->v[S_SAT_CI]) ? r->v[S_SAT_CI] : 0.0, 0);
        fig_num(&f, r->v[S_P98], 1);
      }
    }
    char key[32];
    snprintf(key, sizeof key, "blocks_%zu", a + 1);
    fig_var_str(&f, key, blocks.s);
    snprintf(key, sizeof key, "layers_%zu", a + 1);
    fig_var_str(&f, key, layers.s);
  }
  free(rows.r);
  fig_var_names(&f, "acts", &g->acts);
  fig_var_num(&f, "nact", (double)g->acts.n);
  fig_var_str(&f, "init", g->inits.name[s.init]);
  fig_var_num(&f, "depth", (double)s.depth);
  fig_var_num(&f, "width", (double)s.width);
  fig_var_num(&f, "maxstep", (double)maxstep);
  if (maxstep == 0) f.rows = 0;  /* measured at init only: nothing happened over training */
  return fig_close(&f, err);
}

/* ---- Figure 3: per-layer attenuation against saturation ------------------------------ */

typedef struct pts { size_t n, cap; double *x, *y; } pts;

static int pts_add(pts *p, double x, double y)
{
  if (p->n == p->cap) {
    size_t c = p->cap ? 2 * p->cap : 1024;
    double *nx = realloc(p->x, c * sizeof *nx);
    if (nx) p->x = nx;
    double *ny = realloc(p->y, c * sizeof *ny);
    if (ny) p->y = ny;
    if (!nx || !ny) return SB_EFAIL;
    p->cap = c;
  }
  p->x[p->n] = x;
  p->y[p->n++] = y;
  return SB_OK;
}

#define FIG3_MAX_POINTS 20000   /* per activation; beyond, an even stride */
#define FIG3_BINS 20

/* sigma_w2 = fan_in x weight variance of the hidden-to-hidden layers of a
 * cell, which scales its per-layer ratio ||delta^l||^2/||delta^(l+1)||^2. */
static double hidden_sigma_w2(const theory_work *tw, const char *act, const char *init, size_t width)
{
  act_fn f;
  init_spec spec;
  if (act_parse(act, &f, NULL) || init_parse(init, &spec, NULL)) return NAN;
  if (spec.kind == INIT_CRITICAL && theory_resolve_init(tw, &f, &spec, NULL)) return NAN;
  return (double)width * init_weight_var(&spec, width, width);
}


static int fig_grad_vs_sat(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  const char *layers_path = c->layers;
  double tau = c->tau;
  const theory_work *tw = c->tw;
  tsv_reader *t = tsv_open(layers_path, err);
  if (!t) return err->code;
  int ca, ci, cw, cc, cs, cl, cd, cdel, csat, rc = SB_OK, got;
  if ((rc = tsv_need(t, "activation", &ca, err)) || (rc = tsv_need(t, "init", &ci, err)) ||
      (rc = tsv_need(t, "width", &cw, err)) || (rc = tsv_need(t, "cell", &cc, err)) ||
      (rc = tsv_need(t, "step", &cs, err)) || (rc = tsv_need(t, "layer", &cl, err)) ||
      (rc = tsv_need(t, "depth", &cd, err)) || (rc = tsv_need(t, "delta_norm", &cdel, err)) ||
      (rc = tsv_need(t, "sat_frac", &csat, err))) {
    tsv_close(t);
    return rc;
  }
  size_t na = g->acts.n, ni = g->inits.n, nw = g->widths.n;
  pts *p = calloc(na, sizeof *p);
  double *sw2 = malloc(na * ni * nw * sizeof *sw2);
  if (!p || !sw2) { free(p); free(sw2); tsv_close(t); return sb_fail(err, SB_EFAIL, "out of memory"); }
  for (size_t a = 0; a < na; a++)
    for (size_t i = 0; i < ni; i++)
      for (size_t k = 0; k < nw; k++)
        sw2[(a * ni + i) * nw + k] = hidden_sigma_w2(tw, g->acts.name[a], g->inits.name[i], g->widths.val[k]);
  /* Rows come sorted by cell, step, layer: pair each layer with the next. */
  long prev_cell = -1, prev_step = -1;
  size_t prev_layer = 0;
  double prev_delta = NAN, prev_sat = NAN;
  while ((got = tsv_next(t, err)) == 1) {
    long cell = strtol(tsv_str(t, cc), NULL, 10), step = strtol(tsv_str(t, cs), NULL, 10);
    size_t layer = strtoul(tsv_str(t, cl), NULL, 10), depth = strtoul(tsv_str(t, cd), NULL, 10);
    double delta = tsv_num(t, cdel), sat = tsv_num(t, csat);
    int a = fig_axis_name(&g->acts, tsv_str(t, ca)), i = fig_axis_name(&g->inits, tsv_str(t, ci));
    int k = fig_axis_val(&g->widths, strtoul(tsv_str(t, cw), NULL, 10));
    if (a >= 0 && i >= 0 && k >= 0 && cell == prev_cell && step == prev_step && layer == prev_layer + 1 &&
        layer <= depth) {
      /* Remove the weight scale: what is left is 1/2 log10 E[phi'(h^l)^2]. */
      double r = log10(prev_delta / delta) - 0.5 * log10(sw2[((size_t)a * ni + (size_t)i) * nw + (size_t)k]);
      if (isfinite(r) && isfinite(prev_sat) && pts_add(&p[a], prev_sat, r)) {
        rc = sb_fail(err, SB_EFAIL, "out of memory");
        break;
      }
    }
    prev_cell = cell; prev_step = step; prev_layer = layer; prev_delta = delta; prev_sat = sat;
  }
  if (got < 0) rc = -got;
  tsv_close(t);
  free(sw2);
  figure f;
  if (!rc) rc = fig_open(&f, c, 3.5, 3.2, err);
  if (!rc) {
    fig_list blocks = { "" }, series = { "" }, means = { "" }, curves = { "" };
    for (size_t a = 0; a < na && !rc; a++) {
      if (p[a].n == 0) continue;
      char what[200];
      snprintf(what, sizeof what, "%s: sat_frac, log10(||delta^l||/||delta^(l+1)||) - log10(sigma_w2)/2", g->acts.name[a]);
      fig_list_addi(&blocks, fig_block(&f, what));
      fig_list_addi(&series, (long)a + 1);
      size_t stride = p[a].n > FIG3_MAX_POINTS ? (p[a].n + FIG3_MAX_POINTS - 1) / FIG3_MAX_POINTS : 1;
      for (size_t k = 0; k < p[a].n; k += stride) {
        fig_num(&f, p[a].x[k], 0);
        fig_num(&f, p[a].y[k], 1);
      }
      /* The mean over all points in bins of saturation. */
      double bin[FIG3_BINS] = { 0 };
      size_t cnt[FIG3_BINS] = { 0 };
      for (size_t k = 0; k < p[a].n; k++) {
        int b = (int)(p[a].x[k] * FIG3_BINS);
        b = b < 0 ? 0 : b >= FIG3_BINS ? FIG3_BINS - 1 : b;
        bin[b] += p[a].y[k];
        cnt[b]++;
      }
      snprintf(what, sizeof what, "%s: bin centre, mean (bins with >= 3 points)", g->acts.name[a]);
      int mb = fig_block(&f, what), wrote = 0;
      for (int b = 0; b < FIG3_BINS; b++)
        if (cnt[b] >= 3) {
          fig_num(&f, (b + 0.5) / FIG3_BINS, 0);
          fig_num(&f, bin[b] / (double)cnt[b], 1);
          wrote = 1;
        }
      if (!wrote) fputs("NaN\tNaN\n", f.dat);  /* keeps block numbering; never plotted */
      fig_list_addi(&means, wrote ? mb : -1);
      /* Mean-field: a layer whose pre-activations are N(0, q) has saturated
       * fraction sat(q) and loses 1/2 log10 E[phi'^2](q); q sweeps 1e-3..1e3. */
      act_fn fn;
      act_parse(g->acts.name[a], &fn, NULL);
      snprintf(what, sizeof what, "%s: mean-field sat(q), log10(E[phi'(sqrt(q) z)^2])/2, q = 1e-3..1e3", g->acts.name[a]);
      fig_list_addi(&curves, fig_block(&f, what));
      for (int k = 0; k <= 120; k++) {
        double q = pow(10.0, -3.0 + 6.0 * k / 120.0);
        theory_moments m;
        if (theory_moments_at(tw, &fn, q, &m)) continue;
        fig_num(&f, theory_sat_frac(&fn, q, tau), 0);
        fig_num(&f, 0.5 * log10(m.dphi2), 1);
      }
    }
    fig_var_str(&f, "blocks", blocks.s);
    fig_var_str(&f, "series", series.s);
    fig_var_str(&f, "means", means.s);
    fig_var_str(&f, "curves", curves.s);
    fig_var_names(&f, "acts", &g->acts);
    fig_var_num(&f, "tau", tau);
    if (!rc) rc = fig_close(&f, err);
    else fig_discard(&f);
  }
  for (size_t a = 0; a < na; a++) { free(p[a].x); free(p[a].y); }
  free(p);
  return rc;
}

/* ---- Figure 7: measurement against mean-field theory --------------------------------- */

static int fig_theory(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  const char *summary_path = c->summary;
  const theory_work *tw = c->tw;
  tsv_reader *t = tsv_open(summary_path, err);
  if (!t) return err->code;
  int ca, ci, cd, cw, cs, cl, cm, cth, rc = SB_OK, got;
  if ((rc = tsv_need(t, "activation", &ca, err)) || (rc = tsv_need(t, "init", &ci, err)) ||
      (rc = tsv_need(t, "depth", &cd, err)) || (rc = tsv_need(t, "width", &cw, err)) ||
      (rc = tsv_need(t, "step", &cs, err)) || (rc = tsv_need(t, "layer", &cl, err))) {
    tsv_close(t);
    return rc;
  }
  cm = tsv_col(t, "log10_delta_ratio_mean");
  cth = tsv_col(t, "log10_delta_ratio_theory");
  if (cm < 0 || cth < 0) { tsv_close(t); return FIG_SKIPPED; }  /* tables from before the theory columns */
  size_t na = g->acts.n;
  pts *p = calloc(na, sizeof *p);
  if (!p) { tsv_close(t); return sb_fail(err, SB_EFAIL, "out of memory"); }
  /* Summary rows of a group come sorted by step, then layer: the per-layer
   * ratio is twice the difference of consecutive log ratios. */
  char prev_key[256] = "";
  size_t prev_layer = 0;
  double prev_m = NAN, prev_t = NAN;
  while ((got = tsv_next(t, err)) == 1) {
    if (strcmp(tsv_str(t, cs), "0")) continue;
    char key[256];
    snprintf(key, sizeof key, "%s\t%s\t%s\t%s", tsv_str(t, ca), tsv_str(t, ci), tsv_str(t, cd), tsv_str(t, cw));
    size_t layer = strtoul(tsv_str(t, cl), NULL, 10), depth = strtoul(tsv_str(t, cd), NULL, 10);
    double m = tsv_num(t, cm), th = tsv_num(t, cth);
    int a = fig_axis_name(&g->acts, tsv_str(t, ca));
    if (a >= 0 && !strcmp(key, prev_key) && layer == prev_layer + 1 && layer <= depth) {
      double x = 2.0 * (prev_t - th), y = 2.0 * (prev_m - m);
      if (isfinite(x) && isfinite(y) && pts_add(&p[a], x, y)) { rc = sb_fail(err, SB_EFAIL, "out of memory"); break; }
    }
    snprintf(prev_key, sizeof prev_key, "%s", key);
    prev_layer = layer; prev_m = m; prev_t = th;
  }
  if (got < 0) rc = -got;
  tsv_close(t);
  figure f;
  if (!rc) rc = fig_open(&f, c, 7.0, 3.2, err);
  if (rc) { for (size_t a = 0; a < na; a++) { free(p[a].x); free(p[a].y); } free(p); return rc; }
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
  if (pa < 0) pa = 0;
  act_fn fn;
  act_parse(g->acts.name[pa], &fn, NULL);
  double crit0;
  sb_error e2;
  /* The sigma_w2 axis reaches three times the critical value at sigma_b2 =
   * 0.5 (or 5 when there is none), so the transition sits inside. */
  double swmax = theory_critical(tw, &fn, 0.5, 1.0, &crit0, &e2) == SB_OK && isfinite(crit0) ? 3.0 * crit0 : 5.0;
  const double sbmax = 2.0;
  enum { NW = 61, NB = 41 };
  int phase = fig_block(&f, "phase diagram: sigma_w2, sigma_b2, log10 chi1 (rows of constant sigma_b2)");
  for (int j = 0; j < NB; j++) {
    double sb2 = sbmax * j / (NB - 1);
    for (int i = 0; i < NW; i++) {
      double sw2 = swmax * (i + 0.5) / NW;
      theory_point tp;
      double v = theory_point_at(tw, &fn, sw2, sb2, 1.0, &tp, &e2) == SB_OK ? log10(tp.chi1) : NAN;
      fig_num(&f, sw2, 0);
      fig_num(&f, sb2, 0);
      fig_num(&f, isfinite(v) ? v : NAN, 1);
    }
    fputc('\n', f.dat);   /* a blank line between rows: a grid for pm3d */
  }
  int line = fig_block(&f, "critical line: sigma_w2 where chi1 = 1, sigma_b2");
  int wrote = 0;
  for (int j = 0; j <= 80; j++) {
    double sb2 = sbmax * j / 80.0, sw2;
    if (theory_critical(tw, &fn, sb2, 1.0, &sw2, &e2) == SB_OK && isfinite(sw2) && sw2 <= swmax) {
      fig_num(&f, sw2, 0);
      fig_num(&f, sb2, 1);
      wrote = 1;
    }
  }
  if (!wrote) fputs("NaN\tNaN\n", f.dat);
  /* Where the grid's initializations sit on the diagram. */
  int marks = fig_block(&f, "the grid's initializations: sigma_w2 (hidden layers), sigma_b2, name");
  size_t width = g->widths.val[0];
  int nmarks = 0;
  for (size_t i = 0; i < g->inits.n; i++) {
    init_spec spec;
    if (init_parse(g->inits.name[i], &spec, NULL)) continue;
    if (spec.kind == INIT_CRITICAL && theory_resolve_init(tw, &fn, &spec, NULL)) continue;
    double sw2 = (double)width * init_weight_var(&spec, width, width), sb2 = init_bias_var(&spec);
    if (!(sw2 <= swmax && sb2 <= sbmax)) continue;
    fig_num(&f, sw2, 0);
    fig_num(&f, sb2, 0);
    fprintf(f.dat, "%s\n", g->inits.name[i]);
    nmarks++;
  }
  if (!nmarks) fputs("NaN\tNaN\tnone\n", f.dat);
  fig_var_str(&f, "blocks", blocks.s);
  fig_var_str(&f, "series", series.s);
  fig_var_names(&f, "acts", &g->acts);
  fig_var_str(&f, "phase_act", g->acts.name[pa]);
  fig_var_num(&f, "phase", phase);
  fig_var_num(&f, "critline", wrote ? line : -1);
  fig_var_num(&f, "marks", nmarks ? marks : -1);
  fig_var_num(&f, "swmax", swmax);
  fig_var_num(&f, "sbmax", sbmax);
  fig_var_num(&f, "lo", isfinite(lo) ? lo : -1.0);
  fig_var_num(&f, "hi", isfinite(hi) ? hi : 1.0);
  if (before == 0) f.rows = 0;  /* no measurement to compare */
  return fig_close(&f, err);
}

/* ---- Figures 4 and 5: per-cell numbers grouped over seeds ---------------------------- */

/* Mean and sd of a column over the seeds of (a, i, depth, width). */
static void group_stats(const fig_grid *g, size_t a, size_t i, size_t depth, size_t width, int which,
                        double *scratch, double *mean, double *sd, size_t *n)
{
  size_t m = 0;
  for (size_t k = 0; k < g->n; k++) {
    const fig_cell *c = &g->cells[k];
    if (strcmp(c->act, g->acts.name[a]) || strcmp(c->init, g->inits.name[i]) || c->depth != depth || c->width != width)
      continue;
    double v = which == 0 ? c->att0 : c->final_loss;
    if (isfinite(v)) scratch[m++] = v;
  }
  seed_summary s;
  stats_over_seeds(scratch, m, &s);
  *n = s.n;
  *mean = s.mean;
  *sd = s.n == 1 ? 0.0 : s.sd;   /* one seed: an error bar of zero */
}

static int fig_heatmap(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  figure f;
  size_t nd = g->depths.n, cols = nd <= 3 ? nd : nd <= 8 ? 4 : 5, rows = (nd + cols - 1) / cols;
  double w = cols * (g->inits.n * 0.55 + 0.9) + 0.8;
  if (w > 7.0) w = 7.0;
  if (w < 3.5) w = 3.5;
  int rc = fig_open(&f, c, w, 0.6 + rows * (g->acts.n * 0.32 + 0.9), err);
  if (rc) return rc;
  double *scratch = malloc(g->n * sizeof *scratch);
  if (!scratch) { fig_discard(&f); return sb_fail(err, SB_EFAIL, "out of memory"); }
  size_t width = g->widths.val[0];
  double lo = INFINITY, hi = -INFINITY;
  fig_list depths = { "" };
  for (size_t d = 0; d < nd; d++) {
    char what[96];
    snprintf(what, sizeof what, "depth %zu: init_index act_index attenuation0_mean n", g->depths.val[d]);
    fig_block(&f, what);
    fig_list_addi(&depths, (long)g->depths.val[d]);
    for (size_t a = 0; a < g->acts.n; a++)
      for (size_t i = 0; i < g->inits.n; i++) {
        double m, sd;
        size_t n;
        group_stats(g, a, i, g->depths.val[d], width, 0, scratch, &m, &sd, &n);
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
  fig_var_str(&f, "depths", depths.s);
  fig_var_num(&f, "nact", (double)g->acts.n);
  fig_var_num(&f, "ninit", (double)g->inits.n);
  fig_var_num(&f, "ncols", (double)cols);
  fig_var_num(&f, "nrows", (double)rows);
  fig_var_num(&f, "width", (double)width);
  fig_var_num(&f, "cblo", isfinite(lo) ? floor(lo) : -1.0);
  fig_var_num(&f, "cbhi", isfinite(hi) ? (ceil(hi) > floor(lo) ? ceil(hi) : floor(lo) + 1) : 0.0);
  if (!isfinite(lo)) f.rows = 0;  /* nothing measured: skip */
  return fig_close(&f, err);
}

static int fig_depth(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  figure f;
  int rc = fig_open(&f, c, 7.0, 3.0, err);
  if (rc) return rc;
  double *scratch = malloc(g->n * sizeof *scratch);
  if (!scratch) { fig_discard(&f); return sb_fail(err, SB_EFAIL, "out of memory"); }
  size_t width = g->widths.val[0];
  fig_list blocks = { "" }, acol = { "" }, idash = { "" }, titles = { "" };
  for (size_t a = 0; a < g->acts.n; a++)
    for (size_t i = 0; i < g->inits.n; i++) {
      char what[160];
      snprintf(what, sizeof what, "%s %s: depth att0_mean att0_sd loss_mean loss_sd n", g->acts.name[a], g->inits.name[i]);
      int b = -1;
      for (size_t d = 0; d < g->depths.n; d++) {
        double am, asd, lm, lsd;
        size_t n, n2;
        group_stats(g, a, i, g->depths.val[d], width, 0, scratch, &am, &asd, &n);
        group_stats(g, a, i, g->depths.val[d], width, 1, scratch, &lm, &lsd, &n2);
        if (!n && !n2) continue;
        if (b < 0) b = fig_block(&f, what);
        fig_num(&f, (double)g->depths.val[d], 0);
        fig_num(&f, am, 0);
        fig_num(&f, asd, 0);
        fig_num(&f, lm, 0);
        fig_num(&f, lsd, 0);
        fig_num(&f, (double)n, 1);
      }
      if (b < 0) continue;
      fig_list_addi(&blocks, b);
      fig_list_addi(&acol, (long)a + 1);
      fig_list_addi(&idash, (long)i + 1);
      char title[160];
      snprintf(title, sizeof title, "%s/%s", g->acts.name[a], g->inits.name[i]);
      fig_list_add(&titles, title);
    }
  free(scratch);
  fig_var_str(&f, "blocks", blocks.s);
  fig_var_str(&f, "colors", acol.s);
  fig_var_str(&f, "dashes", idash.s);
  fig_var_str(&f, "titles", titles.s);
  fig_var_num(&f, "width", (double)width);
  fig_var_num(&f, "maxdepth", (double)g->depths.val[g->depths.n - 1]);
  fig_var_num(&f, "mindepth", (double)g->depths.val[0]);
  if (g->depths.n < 2) f.rows = 0;  /* a curve against depth needs two depths */
  return fig_close(&f, err);
}

/* ---- Figure 6: histograms -------------------------------------------------------------- */

static int fig_histograms(const fig_ctx *c, sb_error *err)
{
  const fig_grid *g = c->g;
  const char *hist_path = c->hist;
  int a = fig_axis_name(&g->acts, "tanh");
  if (a < 0) a = 0;
  /* Up to two inits: standard and a normalized one first, as in Glorot &
   * Bengio's Figures 6 and 7 (top: standard, bottom: normalized). */
  int inits[2], ni = 0;
  int st = fig_axis_name(&g->inits, "standard");
  if (st >= 0) inits[ni++] = st;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < g->inits.n && ni < 2; i++) {
      int dup = 0;
      for (int k = 0; k < ni; k++) dup |= inits[k] == (int)i;
      if (!dup && (pass == 1 || !strncmp(g->inits.name[i], "xavier", 6))) inits[ni++] = (int)i;
    }
  size_t depth = fig_nearest_depth(g, 5), width = g->widths.val[0];

  tsv_reader *t = tsv_open(hist_path, err);
  if (!t) return err->code;
  int ca, ci, cd, cw, cs, cst, cl, ck, clo, chi, cden, rc = SB_OK, got;
  if ((rc = tsv_need(t, "activation", &ca, err)) || (rc = tsv_need(t, "init", &ci, err)) ||
      (rc = tsv_need(t, "depth", &cd, err)) || (rc = tsv_need(t, "width", &cw, err)) ||
      (rc = tsv_need(t, "seed", &cs, err)) || (rc = tsv_need(t, "step", &cst, err)) ||
      (rc = tsv_need(t, "layer", &cl, err)) || (rc = tsv_need(t, "kind", &ck, err)) ||
      (rc = tsv_need(t, "bin_lo", &clo, err)) || (rc = tsv_need(t, "bin_hi", &chi, err)) ||
      (rc = tsv_need(t, "density", &cden, err))) {
    tsv_close(t);
    return rc;
  }
  /* Rows of the chosen cells (seed 0): [init slot][moment][kind][layer][bin]. */
  enum { BINS = 50 };
  size_t per = (size_t)2 * 2 * depth * BINS;
  double *x = calloc(2 * per, sizeof *x), *y = calloc(2 * per, sizeof *y);
  long first_step[2] = { -1, -1 }, last_step[2] = { -1, -1 };
  if (!x || !y) { free(x); free(y); tsv_close(t); return sb_fail(err, SB_EFAIL, "out of memory"); }
  for (size_t k = 0; k < 2 * per; k++) x[k] = y[k] = NAN;
  /* Pass 1 is this pass: rows of a cell are sorted by step, so the first
   * step seen is the initial one and later ones overwrite the end slot. */
  size_t bin_of[2][2][2] = { { { 0 } } };
  long cur_step[2] = { -1, -1 };
  while ((got = tsv_next(t, err)) == 1) {
    if (strcmp(tsv_str(t, ca), g->acts.name[a]) || strtoul(tsv_str(t, cs), NULL, 10) != 0 ||
        strtoul(tsv_str(t, cd), NULL, 10) != depth || strtoul(tsv_str(t, cw), NULL, 10) != width)
      continue;
    int slot = -1;
    for (int k = 0; k < ni; k++) if (!strcmp(tsv_str(t, ci), g->inits.name[inits[k]])) slot = k;
    if (slot < 0) continue;
    long step = strtol(tsv_str(t, cst), NULL, 10);
    if (first_step[slot] < 0) first_step[slot] = step;
    int moment = step == first_step[slot] ? 0 : 1;
    if (moment == 1) last_step[slot] = step;
    if (step != cur_step[slot]) {  /* a new moment: restart bin counters */
      cur_step[slot] = step;
      memset(bin_of[slot], 0, sizeof bin_of[slot]);
    }
    int kind = strcmp(tsv_str(t, ck), "act") ? 1 : 0;
    size_t layer = strtoul(tsv_str(t, cl), NULL, 10);
    if (layer < 1 || layer > depth) continue;
    size_t b = bin_of[slot][moment][kind]++ % BINS;
    size_t idx = slot * per + ((moment * 2 + kind) * depth + (layer - 1)) * BINS + b;
    x[idx] = 0.5 * (tsv_num(t, clo) + tsv_num(t, chi));
    y[idx] = tsv_num(t, cden);
  }
  if (got < 0) rc = -got;
  tsv_close(t);
  figure f;
  if (!rc) rc = fig_open(&f, c, 7.0, ni == 2 ? 3.8 : 2.2, err);
  if (rc) { free(x); free(y); return rc; }
  fig_list names = { "" }, names_text = { "" }, steps_end = { "" };
  for (int s = 0; s < ni; s++) {
    fig_list_add(&names, g->inits.name[inits[s]]);
    /* '_' starts a subscript in gnuplot's enhanced text: escape it. */
    char esc[2 * FIG_NAME_MAX];
    size_t e = 0;
    for (const char *ch = g->inits.name[inits[s]]; *ch && e + 3 < sizeof esc; ch++) {
      if (*ch == '_') { esc[e++] = '\\'; esc[e++] = '\\'; }
      esc[e++] = *ch;
    }
    esc[e] = '\0';
    fig_list_add(&names_text, esc);
    fig_list_addi(&steps_end, last_step[s] >= 0 ? last_step[s] : first_step[s]);
    for (int mk = 0; mk < 4; mk++) {
      double xm = 0.0;  /* the panel's half-width: the largest |bin centre| with mass */
      for (size_t l = 1; l <= depth; l++) {
        char what[160];
        snprintf(what, sizeof what, "%s %s %s layer %zu: value density", g->inits.name[inits[s]],
                 mk / 2 ? "end" : "init", mk % 2 ? "delta" : "act", l);
        fig_block(&f, what);
        int moment = mk / 2;
        if (moment == 1 && last_step[s] < 0) moment = 0;  /* trained 0 steps: end = init */
        for (int b = 0; b < BINS; b++) {
          size_t idx = s * per + ((moment * 2 + mk % 2) * depth + (l - 1)) * BINS + b;
          fig_num(&f, x[idx], 0);
          fig_num(&f, y[idx], 1);
          if (isfinite(x[idx]) && fabs(x[idx]) > xm && y[idx] > 0) xm = fabs(x[idx]);
        }
      }
      char key[32];
      snprintf(key, sizeof key, "xmax_%d_%d", s + 1, mk + 1);
      /* A round half-width just beyond the data (1, 2, 2.5, 4 or 5 times a
       * power of ten), so the ticks at 0, +-1/2 and +-1 of it read well. */
      double p10 = xm > 0 ? pow(10.0, floor(log10(xm))) : 1.0, nice = 10.0;
      static const double steps[] = { 1.0, 2.0, 2.5, 4.0, 5.0 };
      for (int k = 4; k >= 0; k--)
        if (xm <= steps[k] * p10 * (1.0 + 1e-12)) nice = steps[k];
      fig_var_num(&f, key, xm > 0 ? nice * p10 : 1.0);
    }
  }
  free(x);
  free(y);
  if (ni == 0 || first_step[0] < 0) f.rows = 0;
  fig_var_str(&f, "act", g->acts.name[a]);
  fig_var_str(&f, "inits", names.s);
  fig_var_str(&f, "inits_text", names_text.s);
  fig_var_str(&f, "endsteps", steps_end.s);
  fig_var_num(&f, "ninit", ni);
  fig_var_num(&f, "depth", (double)depth);
  fig_var_num(&f, "width", (double)width);
  return fig_close(&f, err);
}


/* ---- the table ------------------------------------------------------------------------ */

/* In the order they are drawn and listed. */
const figure_def fig_table[] = {
  { "grad-layers", "gradient norm per layer at initialization", fig_grad_layers },
  { "saturation-training", "saturation and activations per layer over training", fig_saturation },
  { "grad-vs-saturation", "per-layer gradient attenuation against saturated fraction", fig_grad_vs_sat },
  { "heatmap", "heatmap of attenuation at initialization", fig_heatmap },
  { "depth", "attenuation at initialization and final loss against depth", fig_depth },
  { "histograms", "histograms of activations and back-propagated errors", fig_histograms },
  { "theory", "measured per-layer ratio against mean-field chi, and the phase diagram", fig_theory },
};
const size_t fig_count = sizeof fig_table / sizeof fig_table[0];
