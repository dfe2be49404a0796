/* table.c - the row formats of the tables and records (see table.h).
 * Callers check ferror()/fclose() once per file: a full disk must fail
 * loudly.  A column is added by adding it to the list in table_columns and
 * the value to the writer beside it; probe columns come from probe.h's
 * table and need neither. */
#include <config.h>
#include "table.h"

#include "num.h"
#include "jacobian.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

static const row_info row_table[] = {
  [ROW_CELLS]   = { "cells.tsv", 'C', 0 },
  [ROW_LAYERS]  = { "layers.tsv", 'L', 0 },
  [ROW_SUMMARY] = { "summary.tsv", 0, 0 },
  [ROW_HIST]    = { "hist.tsv", 'H', TABLE_HIST },
  [ROW_THEORY]  = { NULL, 'T', 0 },
  [ROW_CURVES]  = { "curves.tsv", 'K', 0 },
  [ROW_CURVES_SUMMARY] = { "curves_summary.tsv", 0, 0 },
  [ROW_SPECTRA] = { "spectra.tsv", 'S', TABLE_JACOBIAN },
};
_Static_assert(sizeof row_table / sizeof row_table[0] == ROW_COUNT, "one row_info per row_kind");

unsigned table_features(const sb_config *cfg)
{
  return (cfg->jacobian ? TABLE_JACOBIAN : 0u) | (cfg->hist_mode != TRAIN_HIST_NONE ? TABLE_HIST : 0u);
}

const row_info *table_row_info(row_kind k)
{
  return (unsigned)k < ROW_COUNT ? &row_table[k] : NULL;
}

/* ---- column lists ------------------------------------------------------- */

typedef struct colbuf { char *buf; size_t size, len; } colbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void col(colbuf *b, const char *fmt, ...)
{
  char name[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  size_t room = b->len < b->size ? b->size - b->len : 0;
  int n = snprintf(room ? b->buf + b->len : NULL, room, "%s%s", b->len ? "\t" : "", name);
  if (n > 0) b->len += (size_t)n;
}

static void cols(colbuf *b, const char *list)   /* space-separated names */
{
  char name[128];
  for (const char *p = list; *p;) {
    size_t n = strcspn(p, " ");
    snprintf(name, sizeof name, "%.*s", (int)n, p);
    col(b, "%s", name);
    p += n;
    p += strspn(p, " ");
  }
}

/* The cell's identity: its index, the axes, its seed; a group's: the axes. */
static void cell_id_cols(colbuf *b)
{
  col(b, "cell");
  for (int k = 0; k < AXIS_COUNT; k++) col(b, "%s", cfg_axis_name((cfg_axis)k));
  col(b, "seed");
}

/* A group's: the axes and the init's variances. */
static void group_id_cols(colbuf *b)
{
  for (int k = 0; k < AXIS_COUNT; k++) col(b, "%s", cfg_axis_name((cfg_axis)k));
  cols(b, "sigma_w2 sigma_b2");
}

/* curves.tsv's values: the learning curve's own (the global gradient norm
 * of the probe set among them), the hidden-layer means of the probe
 * columns. */
static void curve_value_cols(colbuf *b, const char *suffix)
{
  for (int c = 0; c < CURVE_NCOLS; c++) col(b, "%s%s", train_curve_cols[c].name, suffix);
  for (int c = 0; c < PROBE_NCOLS; c++)
    if (probe_cols[c].hidden_mean) col(b, "%s%s", probe_cols[c].name, suffix);
}

size_t table_curve_ncols(void)
{
  size_t n = CURVE_NCOLS;
  for (int c = 0; c < PROBE_NCOLS; c++) n += probe_cols[c].hidden_mean != 0;
  return n;
}

size_t table_columns(row_kind k, unsigned features, char *buf, size_t size)
{
  colbuf b = { buf, size, 0 };
  if (size) buf[0] = '\0';
  switch (k) {
  case ROW_CELLS:
    cell_id_cols(&b);
    cols(&b, "sigma_w2 sigma_b2 status final_loss final_train_acc final_test_acc chance_loss chance_error attenuation0 "
             "attenuation_end "
             "decay_rate decay_rate_r2");
    for (int c = 0; c < PROBE_NCOLS; c++)
      if (probe_cols[c].hidden_mean) col(&b, "%s_end", probe_cols[c].name);
    cols(&b, "decay_rate_theory");
    if (features & TABLE_JACOBIAN)
      cols(&b, "jac_msv0 jac_sv2_var0 jac_sv_max0 jac_log10_cond0 jac_rank0 jac_msv_end jac_sv2_var_end "
             "jac_sv_max_end jac_log10_cond_end jac_rank_end jac_msv_theory");
    break;
  case ROW_LAYERS:
    cell_id_cols(&b);
    cols(&b, "step layer");
    for (int c = 0; c < PROBE_NCOLS; c++) col(&b, "%s", probe_cols[c].name);
    break;
  case ROW_SUMMARY:
    group_id_cols(&b);
    cols(&b, "step layer n");
    for (int c = 0; c < PROBE_NCOLS; c++)
      col(&b, "%s_mean\t%s_sd\t%s_ci95", probe_cols[c].name, probe_cols[c].name, probe_cols[c].name);
    cols(&b, "log10_delta_ratio_mean log10_delta_ratio_sd log10_delta_ratio_ci95 log10_delta_ratio_theory");
    break;
  case ROW_HIST:
    cell_id_cols(&b);
    cols(&b, "step layer kind lo hi");
    for (int bin = 1; bin <= PROBE_HIST_BINS; bin++) col(&b, "count_%d", bin);
    break;
  case ROW_THEORY:
    cols(&b, "layer log10_delta_ratio_theory");
    break;
  case ROW_SPECTRA:
    cell_id_cols(&b);
    cols(&b, "step input rank sv floor resolved");
    break;
  case ROW_CURVES:
    cell_id_cols(&b);
    cols(&b, "step");
    curve_value_cols(&b, "");
    break;
  case ROW_CURVES_SUMMARY:
    group_id_cols(&b);
    cols(&b, "step n");
    {
      /* NAME_mean NAME_sd NAME_ci95 for each value */
      char one[2048];
      colbuf v = { one, sizeof one, 0 };
      curve_value_cols(&v, "");
      for (char *p = one; *p;) {
        size_t n = strcspn(p, "\t");
        col(&b, "%.*s_mean\t%.*s_sd\t%.*s_ci95", (int)n, p, (int)n, p, (int)n, p);
        p += n + (p[n] != '\0');
      }
    }
    break;
  case ROW_COUNT:
    break;
  }
  return b.len;
}

int table_col(row_kind k, unsigned features, const char *name)
{
  char buf[8192];
  table_columns(k, features, buf, sizeof buf);
  size_t len = strlen(name);
  int i = 0;
  for (const char *p = buf;; i++) {
    size_t n = strcspn(p, "\t");
    if (n == len && !memcmp(p, name, n)) return i;
    if (!p[n]) return -1;
    p += n + 1;
  }
}

void table_header(FILE *f, row_kind k, unsigned features)
{
  char buf[8192];
  table_columns(k, features, buf, sizeof buf);
  fputs(buf, f);
  fputc('\n', f);
}

/* ---- values ---------------------------------------------------------------- */

void table_double(FILE *f, double x)
{
  char buf[NUM_BUFSIZE];
  num_format(buf, sizeof buf, x);
  fputs(buf, f);
}

static void put_num(FILE *f, double x)
{
  char b[NUM_BUFSIZE];
  num_format_digits(b, sizeof b, x, TABLE_DIGITS);
  fputc('\t', f);
  fputs(b, f);
}

/* A spread over seeds (sd, ci95): TABLE_SPREAD_DIGITS. */
static void put_spread(FILE *f, double x)
{
  char b[NUM_BUFSIZE];
  num_format_digits(b, sizeof b, x, TABLE_SPREAD_DIGITS);
  fputc('\t', f);
  fputs(b, f);
}

void table_comments(FILE *f, const sb_config *cfg)
{
  fprintf(f, "# satbench %s\n", PACKAGE_VERSION);
  cfg_write(cfg, f, "# ");
}

const char *table_status_name(int train_status)
{
  return (unsigned)train_status < TRAIN_NSTATUS ? train_statuses[train_status].name : "stopped";
}

static void cell_id(FILE *f, const char *prefix, const table_cell *c)
{
  fprintf(f, "%s%zu", prefix, c->cell);
  for (int k = 0; k < AXIS_COUNT; k++) fprintf(f, "\t%s", c->axis[k]);
  fprintf(f, "\t%lu", c->seed);
}

static void group_id(FILE *f, const table_group *g)
{
  for (int k = 0; k < AXIS_COUNT; k++) fprintf(f, "%s%s", k ? "\t" : "", g->axis[k]);
  fprintf(f, "\t%s\t%s", g->sigma_w2, g->sigma_b2);
}

/* ---- row writers ------------------------------------------------------------- */

void table_cells_row(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  size_t L = r->n_layers;
  cell_stats cs;
  stats_cell(r->n_logs ? r->rows : NULL, r->n_logs ? r->rows + (r->n_logs - 1) * L : NULL, c->depth, r->skips, &cs);
  cell_id(f, prefix, c);
  put_num(f, r->sigma_w2);
  put_num(f, r->sigma_b2);
  fprintf(f, "\t%s", table_status_name(r->status));
  put_num(f, r->final_loss);
  put_num(f, r->final_train_acc);
  put_num(f, r->final_test_acc);
  put_num(f, r->chance_loss);
  put_num(f, r->chance_error);
  put_num(f, cs.attenuation0);
  put_num(f, cs.attenuation_end);
  put_num(f, cs.decay_rate);
  put_num(f, cs.decay_rate_r2);
  for (int k = 0; k < PROBE_NCOLS; k++)
    if (probe_cols[k].hidden_mean) put_num(f, cs.end_mean[k]);
  put_num(f, r->theory_decay_rate);
  /* The Jacobian's spectra at the first and the last step they were taken */
  for (int at = 0; at < 2 && (c->features & TABLE_JACOBIAN); at++) {
    jac_summary js = { NAN, NAN, NAN, NAN, NAN };
    if (r->jac_n) {
      size_t slot = at ? r->jac_n - 1 : 0, per = r->jac_inputs * r->jac_nsv;
      jac_summarize(r->jac_sv + slot * per, r->jac_inputs, r->jac_nsv, r->jac_side, &js);
    }
    put_num(f, js.msv);
    put_num(f, js.sv2_var);
    put_num(f, js.sv_max);
    put_num(f, js.log10_cond);
    put_num(f, js.rank);
  }
  if (c->features & TABLE_JACOBIAN) put_num(f, r->jac_msv_theory);
  fputc('\n', f);
}

void table_spectra_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  for (size_t s = 0; s < r->jac_n; s++)
    for (size_t i = 0; i < r->jac_inputs; i++) {
      const double *sv = r->jac_sv + (s * r->jac_inputs + i) * r->jac_nsv;
      /* the input's floor; resolved: 1 above it, 0 counted as a zero */
      double res_floor = r->jac_nsv ? jac_floor(r->jac_side, sv[0]) : NAN;
      for (size_t k = 0; k < r->jac_nsv; k++) {
        cell_id(f, prefix, c);
        fprintf(f, "\t%ld\t%zu\t%zu", r->jac_steps[s], i, k + 1);
        put_num(f, sv[k]);
        put_num(f, res_floor);
        fprintf(f, "\t%d\n", sv[k] > res_floor);
      }
    }
}

void table_layers_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  for (size_t s = 0; s < r->n_logs; s++)
    for (size_t l = 1; l <= r->n_layers; l++) {
      cell_id(f, prefix, c);
      fprintf(f, "\t%ld\t%zu", r->log_steps[s], l);
      const probe_row *row = &r->rows[s * r->n_layers + (l - 1)];
      for (int k = 0; k < PROBE_NCOLS; k++) put_num(f, row->v[k]);
      fputc('\n', f);
    }
}

/* One row per (cell, step, layer, kind): the range and the counts of its
 * PROBE_HIST_BINS equal bins, exact integers. */
void table_hist_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  size_t depth = c->depth, per_slot = depth * 2 * PROBE_HIST_BINS;
  for (size_t slot = 0; slot < r->hist_n; slot++)
    for (size_t l = 1; l <= depth; l++)
      for (int kind = 0; kind < 2; kind++) {
        const double *count = r->hist + slot * per_slot + ((l - 1) * 2 + kind) * PROBE_HIST_BINS;
        cell_id(f, prefix, c);
        fprintf(f, "\t%ld\t%zu\t%s", r->hist_step[slot], l, kind ? "delta" : "act");
        put_num(f, r->hist_range[4 * slot + 2 * kind]);
        put_num(f, r->hist_range[4 * slot + 2 * kind + 1]);
        for (int b = 0; b < PROBE_HIST_BINS; b++) fprintf(f, "\t%.0f", count[b]);
        fputc('\n', f);
      }
}

void table_theory_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  for (size_t l = 1; l <= c->depth; l++) {
    fprintf(f, "%s%zu", prefix, l);
    put_num(f, r->theory_ratio ? r->theory_ratio[l - 1] : NAN);
    fputc('\n', f);
  }
}

void table_curves_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  size_t L = r->n_layers, depth = c->depth;
  for (size_t s = 0; s < r->n_logs; s++) {
    const probe_row *rows = r->rows + s * L;
    cell_id(f, prefix, c);
    fprintf(f, "\t%ld", r->log_steps[s]);
    for (int k = 0; k < CURVE_NCOLS; k++) put_num(f, r->curves[s * CURVE_NCOLS + k]);
    for (int k = 0; k < PROBE_NCOLS; k++) {
      if (!probe_cols[k].hidden_mean) continue;
      double m = 0.0;
      for (size_t l = 0; l < depth; l++) m += rows[l].v[k];
      put_num(f, m / (double)depth);
    }
    fputc('\n', f);
  }
}

void table_cell_rows(FILE *f, const char *prefix, row_kind k, const table_cell *c, const train_result *r)
{
  switch (k) {
  case ROW_CELLS: table_cells_row(f, prefix, c, r); break;
  case ROW_LAYERS: table_layers_rows(f, prefix, c, r); break;
  case ROW_HIST: table_hist_rows(f, prefix, c, r); break;
  case ROW_THEORY: table_theory_rows(f, prefix, c, r); break;
  case ROW_CURVES: table_curves_rows(f, prefix, c, r); break;
  case ROW_SPECTRA: table_spectra_rows(f, prefix, c, r); break;
  default: break;   /* derived at merge */
  }
}

void table_summary_row(FILE *f, const table_group *g, long step, size_t layer, size_t n,
                       const seed_summary cols_[PROBE_NCOLS], const seed_summary *ratio, double ratio_theory)
{
  group_id(f, g);
  fprintf(f, "\t%ld\t%zu\t%zu", step, layer, n);
  for (int c = 0; c < PROBE_NCOLS; c++) {
    put_num(f, cols_[c].mean);
    put_spread(f, cols_[c].sd);
    put_spread(f, cols_[c].ci95);
  }
  put_num(f, ratio->mean);
  put_spread(f, ratio->sd);
  put_spread(f, ratio->ci95);
  put_num(f, ratio_theory);
  fputc('\n', f);
}

void table_curves_summary_row(FILE *f, const table_group *g, long step, size_t n, const seed_summary *cols_)
{
  group_id(f, g);
  fprintf(f, "\t%ld\t%zu", step, n);
  for (size_t c = 0; c < table_curve_ncols(); c++) {
    put_num(f, cols_[c].mean);
    put_spread(f, cols_[c].sd);
    put_spread(f, cols_[c].ci95);
  }
  fputc('\n', f);
}
