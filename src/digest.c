/* digest.c - a grid's digest and findings (see digest.h), written as text
 * for a terminal or as HTML for the report from the same code. */
#include <config.h>
#include "digest.h"
#include "report.h"
#include "train.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const digest_col digest_cols[] = {
  { "attenuation0",
    "log10(‖δ¹‖ / ‖δᴸ‖) at step 0, in decades (L: the depth): how much the back-propagated error shrinks from "
    "the last hidden layer to the first; negative: it vanishes towards the input. Mean ± sample sd over the seeds",
    2, 1, 1 },
  { "attenuation_end", "the same at the last probe", 2, 0, 0 },
  { "final_loss",
    "training loss at the end, over the whole training split; mean over the seeds that did not diverge (a diverged "
    "seed has none), 3 significant digits",
    -1, 0, 1 },
  { "final_test_acc", "test accuracy at the end, over the whole test split", 3, 0, 1 },
  { "sat_frac_end",
    "the fraction of hidden units saturated at the end (info satbench, \"Saturated and dead units\", defines saturation for each "
    "activation), mean over the hidden layers",
    3, 0, 1 },
  { "slope_mean_end",
    "the mean of |φ′(h)| / max|φ′| over the hidden units at the end: saturation without a threshold (1 at full "
    "slope, 0 where no gradient passes)",
    3, 0, 0 },
};
_Static_assert(sizeof digest_cols / sizeof digest_cols[0] == DIGEST_NCOLS, "one row per column");

/* ---- output in either style ------------------------------------------------------------ */

typedef struct out {
  FILE *f;
  digest_style style;
} out;

/* Text from a table: escaped for HTML; on a terminal without control
 * characters (a value could hold an escape sequence). */
static void put(const out *o, const char *s)
{
  if (o->style == DIGEST_HTML) { report_html_escape(o->f, s ? s : ""); return; }
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
    fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, o->f);
}

/* Markup: only in HTML. */
static void tag(const out *o, const char *html)
{
  if (o->style == DIGEST_HTML) fputs(html, o->f);
}

static void num(const out *o, int col, double x)
{
  char b[64];
  digest_num(b, sizeof b, col, x, o->style);
  fputs(b, o->f);
}

/* ---- numbers ------------------------------------------------------------------------------ */

void digest_num(char *buf, size_t size, int col, double x, digest_style style)
{
  if (isnan(x)) { snprintf(buf, size, "%s", style == DIGEST_HTML ? "–" : "nan"); return; }
  int d = col >= 0 && col < DIGEST_NCOLS ? digest_cols[col].decimals : -1;
  char t[64];
  if (d >= 0) snprintf(t, sizeof t, "%.*f", d, fabs(x));
  else {   /* 3 significant digits, trailing zeros kept (0.930, not 0.93) */
    snprintf(t, sizeof t, "%#.3g", fabs(x));
    size_t n = strlen(t);
    if (n && t[n - 1] == '.') t[n - 1] = 0;
  }
  /* no "-0.00": a value that rounds to zero has no sign */
  int zero = strspn(t, "0.") == strlen(t);
  snprintf(buf, size, "%s%s", x < 0 && !zero ? (style == DIGEST_HTML ? "−" : "-") : "", t);
}

double digest_mean(const compare_group *g, int m)
{
  double s = 0;
  size_t n = 0;
  for (size_t i = 0; i < g->n; i++)
    if (isfinite(g->v[m][i])) { s += g->v[m][i]; n++; }
  return n ? s / (double)n : NAN;
}

double digest_sd(const compare_group *g, int m)
{
  double mu = digest_mean(g, m), s = 0;
  size_t n = 0;
  for (size_t i = 0; i < g->n; i++)
    if (isfinite(g->v[m][i])) { s += (g->v[m][i] - mu) * (g->v[m][i] - mu); n++; }
  return n > 1 ? sqrt(s / (double)(n - 1)) : NAN;
}

int digest_metric(const char *column)
{
  for (int m = 0; m < COMPARE_NMETRICS; m++)
    if (!strcmp(compare_metrics[m].column, column)) return m;
  return -1;
}

static int col_index(const char *column)
{
  for (int c = 0; c < DIGEST_NCOLS; c++)
    if (!strcmp(digest_cols[c].column, column)) return c;
  return -1;
}

/* ---- groups and statuses ---------------------------------------------------------------- */

void digest_shown_axes(const compare_grid *g, int shown[AXIS_COUNT])
{
  for (int k = 0; k < AXIS_COUNT; k++) {
    shown[k] = k <= AXIS_DEPTH;
    for (size_t i = 1; i < g->n_groups && !shown[k]; i++) shown[k] = strcmp(g->g[i].axis[k], g->g[0].axis[k]) != 0;
  }
}

size_t digest_count_status(const compare_group *cg, const char *s)
{
  size_t n = 0;
  for (size_t i = 0; i < cg->n; i++) n += !strcmp(cg->status[i], s);
  return n;
}

static int has_status(const compare_grid *g, const char *name)
{
  for (size_t i = 0; i < g->n_groups; i++)
    if (digest_count_status(&g->g[i], name)) return 1;
  return 0;
}

int digest_emulates(const compare_grid *g)
{
  return compare_grid_config(g, "precisions") != NULL;   /* cfg_write names them only then */
}

size_t digest_statuses(const compare_grid *g, const char **names, size_t max)
{
  size_t n = 0;
  names[n++] = "ok";
  for (int k = 0; k < TRAIN_NSTATUS && n < max; k++)
    if (strcmp(train_statuses[k].name, "ok") && has_status(g, train_statuses[k].name)) names[n++] = train_statuses[k].name;
  for (size_t i = 0; i < g->n_groups; i++)
    for (size_t s = 0; s < g->g[i].n; s++) {
      size_t j = 0;
      while (j < n && strcmp(names[j], g->g[i].status[s])) j++;
      if (j == n && n < max) names[n++] = g->g[i].status[s];
    }
  return n;
}

/* "sigmoid · standard" (the shown axes but depth, values only; the
 * numeric axes named: "lr=0.1"; the precision bare, "fp16 · scale 1024") */
static void family_name(const out *o, const compare_group *cg, const int shown[AXIS_COUNT])
{
  int first = 1;
  for (int k = 0; k < AXIS_COUNT; k++) {
    if (!shown[k] || k == AXIS_DEPTH) continue;
    if (!first) fputs(" · ", o->f);
    if (k == AXIS_LSCALE) {   /* "scale 1024", "dynamic scale": the figures' words */
      int dyn = !strcmp(cg->axis[k], "dynamic");
      if (!dyn) fputs("scale ", o->f);
      put(o, cg->axis[k]);
      if (dyn) fputs(" scale", o->f);
      first = 0;
      continue;
    }
    if (k > AXIS_INIT && k != AXIS_OPT && k != AXIS_LOSS && k != AXIS_PREC && k != AXIS_ARCH) {
      put(o, cfg_axis_name((cfg_axis)k));
      fputc('=', o->f);
    }
    put(o, cg->axis[k]);
    first = 0;
  }
}

/* A group of recurrent cells: its layers are time steps. */
static int recurrent_group(const compare_group *cg)
{
  return strcmp(cg->axis[AXIS_ARCH], cfg_axis_default(AXIS_ARCH)) != 0;
}

static int same_family(const compare_group *x, const compare_group *y)
{
  for (int k = 0; k < AXIS_COUNT; k++)
    if (k != AXIS_DEPTH && strcmp(x->axis[k], y->axis[k])) return 0;
  return 1;
}

/* ---- findings ------------------------------------------------------------------------------ */

static void item(const out *o, int level)
{
  if (o->style == DIGEST_HTML) fputs("<li>", o->f);
  else fprintf(o->f, "%*s- ", 2 * level, "");
}

static void item_end(const out *o) { fputs(o->style == DIGEST_HTML ? "</li>\n" : "\n", o->f); }

/* "sigmoid · standard · sgd at depth 20" in bold */
static void group_name(const out *o, const compare_group *cg, const int shown[AXIS_COUNT])
{
  tag(o, "<strong>");
  family_name(o, cg, shown);
  fputs(" at depth ", o->f);
  put(o, cg->axis[AXIS_DEPTH]);
  tag(o, "</strong>");
}

static void code(const out *o, const char *s)
{
  tag(o, "<code>");
  put(o, s);
  tag(o, "</code>");
}

/* Where most seeds of a group ended with status s (not ok): one line per
 * family (the group but its depth) with its depths and their attenuation
 * at step 0; 0 when no group did. */
static int status_findings(const out *o, const compare_grid *g, const char *s, const int shown[AXIS_COUNT])
{
  int a0 = digest_metric("attenuation0"), c0 = col_index("attenuation0");
  unsigned char *done = calloc(g->n_groups ? g->n_groups : 1, 1);
  if (!done) return 0;
  int any = 0;
  for (size_t i = 0; i < g->n_groups; i++) {
    if (done[i] || 2 * digest_count_status(&g->g[i], s) <= g->g[i].n) continue;
    if (!any) {
      item(o, 0);
      fputs("Where most seeds ended ", o->f);
      code(o, s);
      fputs(", by depth (attenuation0 at each depth; the seeds that did, when not all):", o->f);
      fputs(o->style == DIGEST_HTML ? "\n<ul>\n" : "\n", o->f);
    }
    any = 1;
    item(o, 1);
    tag(o, "<strong>");
    family_name(o, &g->g[i], shown);
    tag(o, "</strong>");
    fputs(": depth ", o->f);
    int first = 1;
    for (size_t j = i; j < g->n_groups; j++) {
      const compare_group *cg = &g->g[j];
      size_t n_s = digest_count_status(cg, s);
      if (!same_family(cg, &g->g[i]) || 2 * n_s <= cg->n) continue;
      done[j] = 1;
      if (!first) fputs(", ", o->f);
      first = 0;
      put(o, cg->axis[AXIS_DEPTH]);
      int some = n_s < cg->n, att = a0 >= 0 && isfinite(digest_mean(cg, a0));
      if (some || att) fputs(" (", o->f);
      if (att) num(o, c0, digest_mean(cg, a0));
      if (some) fprintf(o->f, "%s%zu of %zu seeds", att ? "; " : "", n_s, cg->n);
      if (some || att) fputc(')', o->f);
    }
    item_end(o);
  }
  if (any) {
    tag(o, "</ul>");
    if (o->style == DIGEST_HTML) item_end(o);
  }
  free(done);
  return any;
}

/* The group with the lowest (sign -1) or highest (+1) finite mean of metric
 * m, or SIZE_MAX. */
static size_t extreme(const compare_grid *g, int m, int sign)
{
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < g->n_groups; i++) {
    double x = digest_mean(&g->g[i], m);
    if (isfinite(x) && (best == SIZE_MAX || sign * (x - digest_mean(&g->g[best], m)) > 0)) best = i;
  }
  return best;
}

void digest_findings(FILE *f, const compare_grid *g, digest_style style)
{
  const out o = { f, style };
  int shown[AXIS_COUNT];
  digest_shown_axes(g, shown);
  const char *st[64];
  size_t n_st = digest_statuses(g, st, 64);
  int a0 = digest_metric("attenuation0"), acc = digest_metric("final_test_acc");
  int c0 = col_index("attenuation0"), cacc = col_index("final_test_acc");
  tag(&o, "<ul class=\"findings\">\n");
  item(&o, 0);
  size_t ok = 0;
  for (size_t i = 0; i < g->n_groups; i++) ok += digest_count_status(&g->g[i], "ok");
  fprintf(f, "%zu cells in %zu groups (the cells of a group differ only in their seed): %zu trained normally (",
          g->n_cells, g->n_groups, ok);
  code(&o, "ok");
  fputc(')', f);
  for (size_t s = 1; s < n_st; s++) {
    size_t n = 0;
    for (size_t i = 0; i < g->n_groups; i++) n += digest_count_status(&g->g[i], st[s]);
    fprintf(f, ", %zu ", n);
    code(&o, st[s]);
  }
  fputc('.', f);
  item_end(&o);
  for (size_t s = 1; s < n_st; s++) status_findings(&o, g, st[s], shown);
  /* The strongest vanishing (and exploding) gradient at initialization. */
  if (a0 >= 0) {
    size_t lo = extreme(g, a0, -1), hi = extreme(g, a0, +1);
    if (lo != SIZE_MAX && digest_mean(&g->g[lo], a0) < 0) {
      double m = digest_mean(&g->g[lo], a0);
      item(&o, 0);
      fputs("The gradient vanishes most in ", f);
      group_name(&o, &g->g[lo], shown);
      fputs(", attenuation0 = ", f);
      num(&o, c0, m);
      if (recurrent_group(&g->g[lo]))
        fprintf(f, ": at initialization the error at the oldest of the last T steps, ‖∂L/∂a₁‖, is %.3g decades (a "
                "factor %.2g) smaller than at the last step.", -m, pow(10, -m));
      else
        fprintf(f, ": at initialization the first hidden layer's error signal ‖δ¹‖ is %.3g decades (a factor %.2g) "
                "smaller than the last one's.", -m, pow(10, -m));
      item_end(&o);
    }
    if (hi != SIZE_MAX && digest_mean(&g->g[hi], a0) > 1) {
      double m = digest_mean(&g->g[hi], a0);
      item(&o, 0);
      fputs("It grows most in ", f);
      group_name(&o, &g->g[hi], shown);
      fputs(": attenuation0 = ", f);
      num(&o, c0, m);
      if (recurrent_group(&g->g[hi]))
        fprintf(f, ": ‖∂L/∂a₁‖ is %.3g decades (a factor %.2g) larger than at the last step.", m, pow(10, m));
      else
        fprintf(f, ": ‖δ¹‖ is %.3g decades (a factor %.2g) larger than the last layer's.", m, pow(10, m));
      item_end(&o);
    }
  }
  if (acc >= 0) {
    size_t best = extreme(g, acc, +1), worst = extreme(g, acc, -1);
    if (best != SIZE_MAX) {
      item(&o, 0);
      fputs("Best test accuracy: ", f);
      group_name(&o, &g->g[best], shown);
      fputs(" (", f);
      num(&o, cacc, digest_mean(&g->g[best], acc));
      fputs("); worst: ", f);
      group_name(&o, &g->g[worst], shown);
      fputs(" (", f);
      num(&o, cacc, digest_mean(&g->g[worst], acc));
      fputs("), means over the seeds.", f);
      item_end(&o);
    }
  }
  tag(&o, "</ul>\n");
}

/* ---- the digest as text ------------------------------------------------------------------ */

/* Display width of UTF-8 text: its code points. */
static int width(const char *s)
{
  int n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p & 0xC0) != 0x80;
  return n;
}

static void pad(FILE *f, const char *s, int w, int right)
{
  int n = w - width(s);
  if (right)
    for (int i = 0; i < n; i++) fputc(' ', f);
  fputs(s, f);
  if (!right)
    for (int i = 0; i < n; i++) fputc(' ', f);
}

/* A cell of the text table: the column's mean (± sd) over the group. */
static void cell_text(const compare_grid *g, const compare_group *cg, int c, char *buf, size_t size)
{
  int m = digest_metric(digest_cols[c].column);
  if (m < 0 || !g->has[m]) { snprintf(buf, size, "-"); return; }
  char a[64], b[64];
  digest_num(a, sizeof a, c, digest_mean(cg, m), DIGEST_TEXT);
  double sd = digest_sd(cg, m);
  if (digest_cols[c].with_sd && isfinite(sd)) {
    digest_num(b, sizeof b, c, sd, DIGEST_TEXT);
    snprintf(buf, size, "%s ± %s", a, b);
  } else snprintf(buf, size, "%s", a);
}

void digest_print(FILE *f, const compare_grid *g)
{
  const out o = { f, DIGEST_TEXT };
  int shown[AXIS_COUNT], w[AXIS_COUNT], right[AXIS_COUNT];
  digest_shown_axes(g, shown);
  /* the statuses counted, as train_statuses lists them: diverged/frozen/... */
  char names[128] = "";
  int emul = digest_emulates(g);
  for (int k = 0, n = 0; k < TRAIN_NSTATUS; k++)
    if (train_status_counted(k, emul))
      snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", n++ ? "/" : "", train_statuses[k].name);
  /* Each column as wide as its name and values; numbers to the right. */
  for (int k = 0; k < AXIS_COUNT; k++) {
    w[k] = width(cfg_axis_name((cfg_axis)k));
    right[k] = 1;
    for (size_t i = 0; i < g->n_groups; i++) {
      const char *v = g->g[i].axis[k];
      char *end;
      if (width(v) > w[k]) w[k] = width(v);
      (void)strtod(v, &end);
      right[k] &= end != v && !*end;
    }
  }
  int cw[DIGEST_NCOLS];
  for (int c = 0; c < DIGEST_NCOLS; c++) {
    cw[c] = width(digest_cols[c].column);
    for (size_t i = 0; i < g->n_groups && digest_cols[c].terminal; i++) {
      char b[160];
      cell_text(g, &g->g[i], c, b, sizeof b);
      if (width(b) > cw[c]) cw[c] = width(b);
    }
  }
  /* the columns defined, then the table */
  fputs("The digest: one row per group (the cells that differ only in their seed), means over its seeds:\n", f);
  for (int c = 0; c < DIGEST_NCOLS; c++)
    if (digest_cols[c].terminal) fprintf(f, "  %s: %s.\n", digest_cols[c].column, digest_cols[c].about);
  fprintf(f, "  %s: how many seeds ended so (satbench list statuses).\n", names);
  for (int k = 0; k < AXIS_COUNT; k++)
    if (shown[k]) { pad(f, cfg_axis_name((cfg_axis)k), w[k], right[k]); fputc(' ', f); }
  fputs("seeds", f);
  for (int c = 0; c < DIGEST_NCOLS; c++)
    if (digest_cols[c].terminal) { fputs("  ", f); pad(f, digest_cols[c].column, cw[c], 1); }
  fprintf(f, "  %s\n", names);
  for (size_t i = 0; i < g->n_groups; i++) {
    const compare_group *cg = &g->g[i];
    for (int k = 0; k < AXIS_COUNT; k++) {
      if (!shown[k]) continue;
      char v[256];
      snprintf(v, sizeof v, "%s", cg->axis[k]);
      for (char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
      pad(f, v, w[k], right[k]);
      fputc(' ', f);
    }
    fprintf(f, "%5zu", cg->n);
    for (int c = 0; c < DIGEST_NCOLS; c++)
      if (digest_cols[c].terminal) {
        char b[160];
        cell_text(g, cg, c, b, sizeof b);
        fputs("  ", f);
        pad(f, b, cw[c], 1);
      }
    fputs("  ", f);
    for (int k = 0, n = 0; k < TRAIN_NSTATUS; k++)
      if (train_status_counted(k, emul)) fprintf(f, "%s%zu", n++ ? "/" : "", digest_count_status(cg, train_statuses[k].name));
    fputc('\n', f);
  }
  fputs("Findings:\n", f);
  digest_findings(f, g, o.style);
}
