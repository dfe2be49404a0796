/* compare.c - two grids compared group by group (see compare.h): the cells
 * read back from cells.tsv, matched by their parameters, and Welch's
 * t-test over the seeds for each metric. */
#include <config.h>
#include "compare.h"
#include "cli.h"
#include "fileio.h"
#include "store.h"
#include "tsv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>

/* What a run is judged by: its outcome measured against the chance level
 * (a different --seed draws a different dataset, whose chance level moves
 * the raw loss and accuracy of every cell that learned nothing; within one
 * dataset the chance level is a constant, and the test is that of the raw
 * column), the vanishing gradient at initialization and at the end, and
 * how much of the net saturated or died by the end. */
const compare_metric compare_metrics[] = {
  { "loss_over_chance", "final_loss / chance_loss: 1 learned nothing, below 1 learned", METRIC_RATIO, "final_loss",
    "chance_loss", 1, 1 },
  { "acc_over_chance", "final_test_acc - (1 - chance_error): test accuracy above answering the commonest class",
    METRIC_ABOVE_CHANCE, "final_test_acc", "chance_error", 0, 1 },
  { "attenuation0", "log10(||delta^1|| / ||delta^depth||) at step 0", METRIC_COLUMN, NULL, NULL, 0, 1 },
  { "attenuation_end", "the same at the last probe", METRIC_COLUMN, NULL, NULL, 0, 1 },
  { "sat_frac_end", "saturated fraction of the hidden units at the end", METRIC_COLUMN, NULL, NULL, 0, 1 },
  { "dead_frac_end", "dead fraction of the hidden units at the end", METRIC_COLUMN, NULL, NULL, 0, 1 },
  { "slope_mean_end", "mean slope |phi'|/max|phi'| of the hidden units at the end", METRIC_COLUMN, NULL, NULL, 0, 1 },
  /* the raw outcome, for the report's digest */
  { "final_loss", "training loss at the end", METRIC_COLUMN, NULL, NULL, 0, 0 },
  { "final_test_acc", "test accuracy at the end", METRIC_COLUMN, NULL, NULL, 0, 0 },
};
_Static_assert(sizeof compare_metrics / sizeof compare_metrics[0] == COMPARE_NMETRICS, "one row per metric");

/* ---- reading a grid ------------------------------------------------------------ */

static char *dup_str(const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static void group_free(compare_group *g)
{
  for (int k = 0; k < AXIS_COUNT; k++) free(g->axis[k]);
  for (int m = 0; m < COMPARE_NMETRICS; m++) free(g->v[m]);
  for (size_t i = 0; g->status && i < g->n; i++) free(g->status[i]);
  free(g->status);
}

void compare_grid_free(compare_grid *g)
{
  if (!g) return;
  for (size_t i = 0; i < g->n_groups; i++) group_free(&g->g[i]);
  free(g->g);
  for (size_t i = 0; i < g->n_config; i++) free(g->config[i]);
  free(g->config);
  memset(g, 0, sizeof *g);
}

const char *compare_grid_config(const compare_grid *g, const char *key)
{
  size_t n = strlen(key);
  for (size_t i = 0; i < g->n_config; i++)
    if (!strncmp(g->config[i], key, n) && !strncmp(g->config[i] + n, " = ", 3)) return g->config[i] + n + 3;
  return NULL;
}

/* The "# key = value" comments above cells.tsv's header row. */
static int load_config(compare_grid *g, const char *path, sb_error *err)
{
  FILE *f = tsv_fopen(path);
  if (!f) return sb_fail(err, SB_EUSAGE, "%s: cannot be read: %s", path, strerror(errno));
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  int rc = SB_OK;
  while ((got = getline(&line, &cap, f)) > 0 && line[0] == '#' && !rc) {
    while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
    const char *kv = line + 1 + (line[1] == ' ');
    if (!strstr(kv, " = ")) continue;   /* "# satbench 0.1.0" */
    if (!strcmp(kv, "complete = true")) g->complete = 1;
    char **grown = realloc(g->config, (g->n_config + 1) * sizeof *grown);
    char *copy = dup_str(kv);
    if (grown) g->config = grown;
    if (!grown || !copy) { free(copy); rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
    g->config[g->n_config++] = copy;
  }
  if (!rc && ferror(f)) rc = sb_fail(err, SB_EFAIL, "%s: cannot be read: %s", path, strerror(errno));
  free(line);
  fclose(f);
  return rc;
}

/* The group whose axes are those of the current row, made when new; cells
 * of a group are consecutive in cells.tsv, so the last one is tried first. */
static compare_group *group_of(compare_grid *g, const tsv_reader *t, const int *col)
{
  for (size_t i = g->n_groups; i-- > 0;) {
    int same = 1;
    for (int k = 0; k < AXIS_COUNT && same; k++) same = !strcmp(g->g[i].axis[k], tsv_str_or(t, col[k], cfg_axis_default((cfg_axis)k)));
    if (same) return &g->g[i];
  }
  compare_group *grown = realloc(g->g, (g->n_groups + 1) * sizeof *grown);
  if (!grown) return NULL;
  g->g = grown;
  compare_group *n = &g->g[g->n_groups++];
  memset(n, 0, sizeof *n);
  for (int k = 0; k < AXIS_COUNT; k++)
    if (!(n->axis[k] = dup_str(tsv_str_or(t, col[k], cfg_axis_default((cfg_axis)k))))) return NULL;
  return n;
}

int compare_grid_load(const char *dir, compare_grid *g, sb_error *err)
{
  memset(g, 0, sizeof *g);
  if (!*dir || strlen(dir) >= sizeof g->dir) return sb_fail(err, SB_EUSAGE, "'%s': bad folder name", dir);
  strcpy(g->dir, dir);
  char path[sizeof g->dir + 32];
  snprintf(path, sizeof path, "%s/cells.tsv", dir);
  int rc = store_check_set(dir, err);
  if (rc) return rc;
  tsv_reader *t = tsv_open(path, err);
  if (!t) return err->code ? err->code : SB_EUSAGE;
  int col[AXIS_COUNT], c_status = -1, c_metric[COMPARE_NMETRICS], c_chance[COMPARE_NMETRICS];
  for (int k = 0; k < AXIS_COUNT && !rc; k++)   /* an optional axis's column may be absent (its default) */
    if ((col[k] = tsv_col(t, cfg_axis_name((cfg_axis)k))) < 0 && !cfg_axis_default((cfg_axis)k))
      rc = tsv_need(t, cfg_axis_name((cfg_axis)k), &col[k], err);
  if (!rc) rc = tsv_need(t, "status", &c_status, err);
  for (int m = 0; m < COMPARE_NMETRICS; m++) {
    const compare_metric *cm = &compare_metrics[m];
    c_metric[m] = tsv_col(t, cm->kind == METRIC_COLUMN ? cm->column : cm->of);
    c_chance[m] = cm->kind == METRIC_COLUMN ? 0 : tsv_col(t, cm->chance);
    g->has[m] = c_metric[m] >= 0 && c_chance[m] >= 0;
  }
  int got;
  while (!rc && (got = tsv_next(t, err)) == 1) {
    compare_group *cg = group_of(g, t, col);
    if (!cg) { rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
    char **st = realloc(cg->status, (cg->n + 1) * sizeof *st);
    if (st) cg->status = st;
    if (!st || !(cg->status[cg->n] = dup_str(tsv_str(t, c_status)))) { rc = sb_fail(err, SB_EFAIL, "out of memory"); break; }
    for (int m = 0; m < COMPARE_NMETRICS && !rc; m++) {
      double *v = realloc(cg->v[m], (cg->n + 1) * sizeof *v);
      if (!v) { rc = sb_fail(err, SB_EFAIL, "out of memory"); break; }
      cg->v[m] = v;
      double x = g->has[m] ? tsv_num(t, c_metric[m]) : NAN;
      if (g->has[m] && compare_metrics[m].kind == METRIC_RATIO) x /= tsv_num(t, c_chance[m]);
      /* Both terms carry the table's 9 significant digits in [0, 1], so
       * their difference is known to 1e-9: rounded there. Unrounded, a net
       * that answers the commonest class came out 2.8e-17 on one dataset
       * and 0 on another, and two groups without spread "differed". */
      if (g->has[m] && compare_metrics[m].kind == METRIC_ABOVE_CHANCE)
        x = round((x - (1 - tsv_num(t, c_chance[m]))) * 1e9) / 1e9;
      if (x == 0) x = 0;   /* -0 printed as "-0" */
      v[cg->n] = isfinite(x) ? x : NAN;
    }
    cg->n++;
    g->n_cells++;
  }
  if (!rc && got < 0) rc = -got;
  tsv_close(t);
  if (!rc) rc = load_config(g, path, err);
  if (!rc && !g->n_cells) rc = sb_fail(err, SB_EUSAGE, "%s: no cells", path);
  if (rc) compare_grid_free(g);
  return rc;
}

/* ---- the test ------------------------------------------------------------------- */

static void moments(const double *x, size_t n, size_t *k, double *mean, double *var)
{
  double s = 0;
  *k = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(x[i])) { s += x[i]; ++*k; }
  *mean = *k ? s / (double)*k : NAN;
  double ss = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(x[i])) ss += (x[i] - *mean) * (x[i] - *mean);
  *var = *k > 1 ? ss / (double)(*k - 1) : NAN;
}

double compare_welch(const double *a, size_t na, const double *b, size_t nb, double *t, double *df)
{
  size_t ka, kb;
  double ma, va, mb, vb;
  moments(a, na, &ka, &ma, &va);
  moments(b, nb, &kb, &mb, &vb);
  *t = *df = NAN;
  if (ka < 2 || kb < 2) return NAN;
  double sa = va / (double)ka, sb = vb / (double)kb, se2 = sa + sb;
  if (se2 == 0) {   /* no spread: the seeds agree exactly on each side */
    *t = mb == ma ? 0 : mb > ma ? INFINITY : -INFINITY;
    return mb == ma ? 1.0 : 0.0;
  }
  *t = (mb - ma) / sqrt(se2);
  *df = se2 * se2 / (sa * sa / (double)(ka - 1) + sb * sb / (double)(kb - 1));
  return 2 * gsl_cdf_tdist_Q(fabs(*t), *df);
}

void compare_change(const compare_row *w, char *buf, size_t size)
{
  if (!(w->p < COMPARE_ALPHA)) snprintf(buf, size, "~");
  else if (compare_metrics[w->metric].relative && isfinite(w->rel)) snprintf(buf, size, "%+.1f%%", 100 * w->rel);
  else snprintf(buf, size, "%+.3g", w->diff);
}

void compare_verdict(double p, char *buf, size_t size)
{
  if (!(p < COMPARE_ALPHA)) snprintf(buf, size, "~");
  else if (p < 0.001) snprintf(buf, size, "p<0.001");
  else snprintf(buf, size, "p=%.3f", p);
}

/* ---- two grids -------------------------------------------------------------------- */

/* The values an axis takes in a grid: one, or several (*several). */
static const char *only_value(const compare_grid *g, int k)
{
  for (size_t i = 1; i < g->n_groups; i++)
    if (strcmp(g->g[i].axis[k], g->g[0].axis[k])) return NULL;
  return g->g[0].axis[k];
}

static int same_group(const compare_result *r, const compare_group *x, const compare_group *y)
{
  for (int k = 0; k < AXIS_COUNT; k++)
    if (r->paired_by_value[k] && strcmp(x->axis[k], y->axis[k])) return 0;
  return 1;
}

/* The configuration lines that differ, "key: A vs B; ...". */
static void config_diff(compare_result *r)
{
  size_t len = 0;
  char *d = r->config_diff;
  size_t size = sizeof r->config_diff;
  const compare_grid *g[2] = { &r->a, &r->b };
  for (int side = 0; side < 2; side++)
    for (size_t i = 0; i < g[side]->n_config; i++) {
      const char *line = g[side]->config[i], *eq = strstr(line, " = ");
      char key[128];
      snprintf(key, sizeof key, "%.*s", (int)(eq - line), line);
      if (!strcmp(key, "complete") || !strcmp(key, "cells")) continue;
      const char *va = compare_grid_config(&r->a, key), *vb = compare_grid_config(&r->b, key);
      if (side == 1 && va) continue;   /* said from A's side */
      if (va && vb && !strcmp(va, vb)) continue;
      if (len < size)
        len += (size_t)snprintf(d + len, size - len, "%s%s: %s vs %s", len ? "; " : "", key, va ? va : "(none)",
                                vb ? vb : "(none)");
    }
}

int compare_run(const char *dir_a, const char *dir_b, compare_result *r, sb_error *err)
{
  memset(r, 0, sizeof *r);
  int rc = compare_grid_load(dir_a, &r->a, err);
  if (rc) return sb_prefix(err, "compare: %s", dir_a);
  if ((rc = compare_grid_load(dir_b, &r->b, err))) {
    compare_grid_free(&r->a);
    return sb_prefix(err, "compare: %s", dir_b);
  }
  /* An axis with one value in each grid, not the same, is what changed
   * between them (--inits xavier_normal against --inits standard): the
   * cells pair across it.  Every other axis pairs by value. */
  size_t vlen = 0;
  for (int k = 0; k < AXIS_COUNT; k++) {
    const char *va = only_value(&r->a, k), *vb = only_value(&r->b, k);
    r->paired_by_value[k] = !(va && vb && strcmp(va, vb));
    if (!r->paired_by_value[k] && vlen < sizeof r->varied)
      vlen += (size_t)snprintf(r->varied + vlen, sizeof r->varied - vlen, "%s%s: %s (A) vs %s (B)", vlen ? "; " : "",
                               cfg_axis_name((cfg_axis)k), va, vb);
  }
  config_diff(r);
  unsigned char *used_b = calloc(r->b.n_groups ? r->b.n_groups : 1, 1);
  r->rows = malloc((r->a.n_groups ? r->a.n_groups : 1) * COMPARE_NMETRICS * sizeof *r->rows);
  if (!used_b || !r->rows) { free(used_b); compare_result_free(r); return sb_fail(err, SB_EFAIL, "out of memory"); }
  for (size_t i = 0; i < r->a.n_groups; i++) {
    const compare_group *ga = &r->a.g[i];
    size_t j = 0;
    while (j < r->b.n_groups && (used_b[j] || !same_group(r, ga, &r->b.g[j]))) j++;
    if (j == r->b.n_groups) { r->left_a++; continue; }
    used_b[j] = 1;
    r->n_shared++;
    const compare_group *gb = &r->b.g[j];
    for (int m = 0; m < COMPARE_NMETRICS; m++) {
      if (!compare_metrics[m].compared || !r->a.has[m] || !r->b.has[m]) continue;
      compare_row *w = &r->rows[r->n_rows++];
      memset(w, 0, sizeof *w);
      w->ga = i;
      w->gb = j;
      w->metric = m;
      double va, vb;
      moments(ga->v[m], ga->n, &w->n_a, &w->mean_a, &va);
      moments(gb->v[m], gb->n, &w->n_b, &w->mean_b, &vb);
      w->sd_a = sqrt(va);
      w->sd_b = sqrt(vb);
      w->diff = w->mean_b - w->mean_a;
      w->rel = w->mean_a != 0 ? w->diff / fabs(w->mean_a) : NAN;
      w->p = compare_welch(ga->v[m], ga->n, gb->v[m], gb->n, &w->t, &w->df);
    }
  }
  for (size_t j = 0; j < r->b.n_groups; j++) r->left_b += !used_b[j];
  free(used_b);
  if (!r->n_shared) {
    rc = sb_fail(err, SB_EUSAGE, "compare: %s and %s share no cell (no group of the same parameters%s%s%s); "
                 "nothing to compare", dir_a, dir_b, r->varied[0] ? " once " : "", r->varied,
                 r->varied[0] ? " is set aside" : "");
    compare_result_free(r);
  }
  return rc;
}

void compare_result_free(compare_result *r)
{
  if (!r) return;
  compare_grid_free(&r->a);
  compare_grid_free(&r->b);
  free(r->rows);
  r->rows = NULL;
  r->n_rows = 0;
}

/* ---- output ------------------------------------------------------------------------ */

static void put_num(FILE *f, double x)
{
  if (isnan(x)) fputs("NaN", f);
  else if (isinf(x)) fputs(x > 0 ? "Inf" : "-Inf", f);
  else fprintf(f, "%.9g", x);
}

int compare_write_tsv(const compare_result *r, const char *path, sb_error *err)
{
  char tmp[4096 + 128];
  if (strlen(path) + 64 >= sizeof tmp) return sb_fail(err, SB_EUSAGE, "compare: -o: path too long");
  FILE *f = fileio_open_tmp(tmp, sizeof tmp, path, err);
  if (!f) return sb_prefix(err, "compare: -o");
  fprintf(f, "# satbench %s compare\n# a = %s\n# b = %s\n", PACKAGE_VERSION, r->a.dir, r->b.dir);
  if (r->varied[0]) fprintf(f, "# paired across = %s\n", r->varied);
  fprintf(f, "# groups = %zu shared, %zu only in a, %zu only in b\n", r->n_shared, r->left_a, r->left_b);
  fprintf(f, "# diff = mean_b - mean_a; rel = diff / |mean_a|; t, df, p: Welch's t-test over the seeds "
             "(two-sided); verdict: ~ when p >= %g or no test (fewer than 2 finite values a side)\n", COMPARE_ALPHA);
  for (int k = 0; k < AXIS_COUNT; k++) {
    if (r->paired_by_value[k]) fprintf(f, "%s\t", cfg_axis_name((cfg_axis)k));
    else fprintf(f, "%s_a\t%s_b\t", cfg_axis_name((cfg_axis)k), cfg_axis_name((cfg_axis)k));
  }
  fputs("metric\tn_a\tmean_a\tsd_a\tn_b\tmean_b\tsd_b\tdiff\trel\tt\tdf\tp\tverdict\n", f);
  for (size_t i = 0; i < r->n_rows; i++) {
    const compare_row *w = &r->rows[i];
    const compare_group *ga = &r->a.g[w->ga], *gb = &r->b.g[w->gb];
    for (int k = 0; k < AXIS_COUNT; k++) {
      if (r->paired_by_value[k]) fprintf(f, "%s\t", ga->axis[k]);
      else fprintf(f, "%s\t%s\t", ga->axis[k], gb->axis[k]);
    }
    fprintf(f, "%s\t%zu\t", compare_metrics[w->metric].column, w->n_a);
    double cols[] = { w->mean_a, w->sd_a };
    for (size_t c = 0; c < 2; c++) { put_num(f, cols[c]); fputc('\t', f); }
    fprintf(f, "%zu\t", w->n_b);
    double rest[] = { w->mean_b, w->sd_b, w->diff, w->rel, w->t, w->df, w->p };
    for (size_t c = 0; c < sizeof rest / sizeof rest[0]; c++) { put_num(f, rest[c]); fputc('\t', f); }
    char v[32];
    compare_verdict(w->p, v, sizeof v);
    fprintf(f, "%s\n", v);
  }
  int rc = fileio_commit(f, tmp, path, err);
  return rc ? sb_prefix(err, "compare: -o") : SB_OK;
}

/* The group's name for a reader: the axes that vary in either grid (the
 * paired-across one shown as "A→B"), activation, init and depth always. */
static void group_name(const compare_result *r, const compare_row *w, char *buf, size_t size)
{
  const compare_group *ga = &r->a.g[w->ga], *gb = &r->b.g[w->gb];
  size_t len = 0;
  buf[0] = '\0';
  for (int k = 0; k < AXIS_COUNT && len < size; k++) {
    int varies = k <= AXIS_DEPTH || !only_value(&r->a, k) || !only_value(&r->b, k) || !r->paired_by_value[k];
    if (!varies) continue;
    if (r->paired_by_value[k])
      len += (size_t)snprintf(buf + len, size - len, "%s%s=%s", len ? " " : "", cfg_axis_name((cfg_axis)k), ga->axis[k]);
    else
      len += (size_t)snprintf(buf + len, size - len, "%s%s=%s->%s", len ? " " : "", cfg_axis_name((cfg_axis)k),
                              ga->axis[k], gb->axis[k]);
  }
}

void compare_print(FILE *f, const compare_result *r)
{
  fprintf(f, "A: %s (%zu cells)\nB: %s (%zu cells)\n", r->a.dir, r->a.n_cells, r->b.dir, r->b.n_cells);
  if (r->varied[0]) fprintf(f, "paired across %s\n", r->varied);
  if (r->config_diff[0]) fprintf(f, "configurations differ in %s\n", r->config_diff);
  fprintf(f, "%zu groups compared", r->n_shared);
  if (r->left_a || r->left_b)
    fprintf(f, "; left out: %zu group%s only in A, %zu only in B", r->left_a, r->left_a == 1 ? "" : "s", r->left_b);
  fprintf(f, "\nmeans over seeds; delta = B - A (loss_over_chance: (B - A) / |A|); Welch's t-test, ~ where p >= %g "
             "(no evidence of a difference)\n", COMPARE_ALPHA);
  size_t w_name = 5;
  char name[1024];
  for (size_t i = 0; i < r->n_rows; i++) {
    group_name(r, &r->rows[i], name, sizeof name);
    if (strlen(name) > w_name) w_name = strlen(name);
  }
  for (int m = 0; m < COMPARE_NMETRICS; m++) {
    size_t n = 0, sig = 0;
    for (size_t i = 0; i < r->n_rows; i++)
      if (r->rows[i].metric == m) { n++; sig += r->rows[i].p < COMPARE_ALPHA; }
    if (!n) continue;
    fprintf(f, "\n%-*s  %12s  %12s  %9s  %s   (%s: %s)\n", (int)w_name, "group", "A", "B", "delta", "p",
            compare_metrics[m].column, compare_metrics[m].what);
    for (size_t i = 0; i < r->n_rows; i++) {
      const compare_row *w = &r->rows[i];
      if (w->metric != m) continue;
      group_name(r, w, name, sizeof name);
      char change[32], v[32];
      compare_change(w, change, sizeof change);
      compare_verdict(w->p, v, sizeof v);
      fprintf(f, "%-*s  %12.4g  %12.4g  %9s  %s\n", (int)w_name, name, w->mean_a, w->mean_b, change, v);
    }
    fprintf(f, "%s: %zu of %zu groups differ (p < %g)\n", compare_metrics[m].column, sig, n, COMPARE_ALPHA);
  }
}

/* ---- satbench compare --------------------------------------------------------------- */

typedef struct compare_opts { const char *out; int quiet; } compare_opts;

static int co_set(void *ctx, const char *name, const char *val, sb_error *err)
{
  compare_opts *o = ctx;
  if (!strcmp(name, "quiet")) { o->quiet = 1; return SB_OK; }
  if (!*val) return sb_fail(err, SB_EUSAGE, "compare: -o: empty file name");
  o->out = val;
  return SB_OK;
}

static const cli_def compare_options[] = {
  { "out", 'o', CLI_VALUE, co_set, "FILE", "also write the comparison as a table (TSV, one row per group and metric)", 0 },
  { "quiet", 0, CLI_FLAG, co_set, NULL, "print nothing but errors (with -o)", 0 },
};

void compare_complete(FILE *f, const char *option)
{
  cli_parser p = { compare_options, sizeof compare_options / sizeof compare_options[0], "compare",
                   "satbench compare", 1, 0 };
  if (option) return;
  fputs("\tDIR\n", f);   /* A and B: grids' folders */
  cli_complete(f, &p);
}

int compare_main(int argc, char **argv, sb_error *err)
{
  cli_parser p = { compare_options, sizeof compare_options / sizeof compare_options[0], "compare",
                   "satbench compare", 1, 0 };
  if (cli_wants_help(argc, argv)) {
    fputs("usage: satbench compare A B [-o FILE] [--quiet]\n"
          "Compare two grids' folders cell group by cell group: the groups (the cells that\n"
          "differ only in their seed) are matched by their parameters, and an axis with one\n"
          "value in each grid, not the same (--inits xavier_normal against --inits standard),\n"
          "is what is compared.  For each group and each metric (loss_over_chance =\n"
          "final_loss / chance_loss, acc_over_chance = final_test_acc - (1 - chance_error),\n"
          "attenuation0, attenuation_end, sat_frac_end, dead_frac_end, slope_mean_end): the\n"
          "means over the seeds in A and B, the relative change, and Welch's t-test; '~' where p >= 0.05 (no\n"
          "evidence of a difference).  Exit status: 0 ok, 1 a write failed, 2 bad usage or\n"
          "grids that share no cell.\n\n", stdout);
    cli_usage(stdout, &p);
    return SB_OK;
  }
  /* A and B are the arguments that are not options */
  const char *dirs[2];
  size_t n_dirs = 0;
  char **rest = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *rest);
  if (!rest) return sb_fail(err, SB_EFAIL, "out of memory");
  int n_rest = 0, rc = SB_OK;
  for (int i = 0; i < argc && !rc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || !a[1]) {
      if (n_dirs == 2) rc = sb_fail(err, SB_EUSAGE, "compare: '%s': a third folder (compare takes two: A B)", a);
      else dirs[n_dirs++] = a;
      continue;
    }
    rest[n_rest++] = argv[i];
    int takes = (!strcmp(a, "-o") || !strcmp(a, "--out")) && i + 1 < argc;
    if (takes) rest[n_rest++] = argv[++i];
  }
  compare_opts o = { NULL, 0 };
  if (!rc) rc = cli_parse(&p, n_rest, rest, &o, err);
  free(rest);
  if (rc) return rc;
  if (n_dirs != 2) return sb_fail(err, SB_EUSAGE, "compare: give two grid folders: satbench compare A B");
  compare_result r;
  if ((rc = compare_run(dirs[0], dirs[1], &r, err))) return rc;
  if (o.out) rc = compare_write_tsv(&r, o.out, err);
  if (!rc && !o.quiet) {
    compare_print(stdout, &r);
    if (o.out) printf("table: %s\n", o.out);
  }
  compare_result_free(&r);
  return rc;
}
