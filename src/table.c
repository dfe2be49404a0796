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
  [ROW_PREC]    = { "precision.tsv", 'P', TABLE_PREC },
  [ROW_LOG2HIST] = { "log2hist.tsv", 'E', TABLE_PREC | TABLE_HIST },
  [ROW_GATES]   = { "gates.tsv", 'G', TABLE_RNN },
};
_Static_assert(sizeof row_table / sizeof row_table[0] == ROW_COUNT, "one row_info per row_kind");

unsigned table_features(const sb_config *cfg)
{
  return (cfg->jacobian ? TABLE_JACOBIAN : 0u) | (cfg->hist_mode != TRAIN_HIST_NONE ? TABLE_HIST : 0u)
         | (cfg_emulates(cfg) ? TABLE_PREC : 0u) | (cfg_recurrent(cfg) ? TABLE_RNN : 0u);
}

int table_axis_on(int k, unsigned features)
{
  unsigned group = cfg_axis_group((cfg_axis)k);
  return !group || (features & group);
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
static void cell_id_cols(colbuf *b, unsigned features)
{
  col(b, "cell");
  for (int k = 0; k < AXIS_COUNT; k++)
    if (table_axis_on(k, features)) col(b, "%s", cfg_axis_name((cfg_axis)k));
  col(b, "seed");
}

/* A group's: the axes and the init's variances. */
static void group_id_cols(colbuf *b, unsigned features)
{
  for (int k = 0; k < AXIS_COUNT; k++)
    if (table_axis_on(k, features)) col(b, "%s", cfg_axis_name((cfg_axis)k));
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
    cell_id_cols(&b, features);
    cols(&b, "sigma_w2 sigma_b2 status final_loss final_train_acc final_test_acc chance_loss chance_error attenuation0 "
             "attenuation_end "
             "decay_rate decay_rate_r2");
    for (int c = 0; c < PROBE_NCOLS; c++)
      if (probe_cols[c].hidden_mean) col(&b, "%s_end", probe_cols[c].name);
    cols(&b, "decay_rate_theory");
    if (features & TABLE_PREC) cols(&b, "flush_depth0 flush_depth_theory loss_scale_end skipped_steps");
    if (features & TABLE_RNN) cols(&b, "success hh_rho0 hh_sigma_gamma0 hh_rho_end hh_sigma_gamma_end");
    if (features & TABLE_JACOBIAN)
      cols(&b, "jac_msv0 jac_sv2_var0 jac_sv_max0 jac_log10_cond0 jac_rank0 jac_msv_end jac_sv2_var_end "
             "jac_sv_max_end jac_log10_cond_end jac_rank_end jac_msv_theory");
    break;
  case ROW_LAYERS:
    cell_id_cols(&b, features);
    cols(&b, "step layer");
    if (features & TABLE_RNN) cols(&b, "t");
    for (int c = 0; c < PROBE_NCOLS; c++) col(&b, "%s", probe_cols[c].name);
    break;
  case ROW_SUMMARY:
    group_id_cols(&b, features);
    cols(&b, "step layer n");
    for (int c = 0; c < PROBE_NCOLS; c++)
      col(&b, "%s_mean\t%s_sd\t%s_ci95", probe_cols[c].name, probe_cols[c].name, probe_cols[c].name);
    cols(&b, "log10_delta_ratio_mean log10_delta_ratio_sd log10_delta_ratio_ci95 log10_delta_ratio_theory");
    break;
  case ROW_HIST:
    cell_id_cols(&b, features);
    cols(&b, "step layer kind lo hi");
    for (int bin = 1; bin <= PROBE_HIST_BINS; bin++) col(&b, "count_%d", bin);
    break;
  case ROW_THEORY:
    cols(&b, "layer log10_delta_ratio_theory");
    break;
  case ROW_SPECTRA:
    cell_id_cols(&b, features);
    cols(&b, "step input rank sv floor resolved");
    break;
  case ROW_PREC:
    cell_id_cols(&b, features);
    cols(&b, "step layer tensor zero_frac flushed_frac overflow_frac subnormal_frac scale skipped_steps");
    break;
  case ROW_LOG2HIST:
    cell_id_cols(&b, features);
    cols(&b, "step scale layer tensor log2 count");
    break;
  case ROW_GATES:
    cell_id_cols(&b, features);
    cols(&b, "step t gate low_frac high_frac gate_mean gate_slope");
    break;
  case ROW_CURVES:
    cell_id_cols(&b, features);
    cols(&b, "step");
    curve_value_cols(&b, "");
    break;
  case ROW_CURVES_SUMMARY:
    group_id_cols(&b, features);
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

/* ---- what each column means ----------------------------------------------
 * One row per column name: its unit and one line saying what it is.
 * `satbench list columns` prints them and the manual's column reference is
 * made from that listing (doc/mkref.sh), so a column added to a list above
 * without a row here shows as undocumented and tests/manual.sh fails.  A
 * probe column (probe.c) or a learning-curve column (train.c) brings its
 * own description: its row here gives the unit only.  The suffixes _end,
 * _mean, _sd, _ci95 and count_N are derived from the base column's row. */
typedef struct col_doc { const char *name, *unit, *about; } col_doc;
static const col_doc col_docs[] = {
  { "cell", "index", "the cell's index in the grid (0-based), the number --resume, run --from and the records use" },
  { "activation", "name", "the activation phi of the hidden layers (satbench list activations)" },
  { "init", "name", "the weight initialization (satbench list inits)" },
  { "depth", "layers", "the number of hidden layers" },
  { "width", "units", "hidden units per layer" },
  { "norm", "name", "normalization of each hidden pre-activation before phi: none, batchnorm or layernorm" },
  { "residual", "layers", "skip connections: the stride k (a skip every k layers), 0 for none" },
  { "lr", "1", "the learning rate" },
  { "optimizer", "name", "sgd, momentum or adam" },
  { "loss", "name", "the loss: xent (softmax cross-entropy) or mse" },
  { "precision", "name", "the arithmetic emulated (satbench list precisions); the column is there when some cell is not fp64 or scales its loss" },
  { "loss_scale", "name", "the loss scale: a number (1: none) or dynamic; the column is there with precision's" },
  { "flush_depth0", "layers", "at step 0, the layers below the last hidden one down to the first whose error entries (delta) are at least half exactly 0: where the format flushed the decayed gradient (NaN: no layer)" },
  { "flush_depth_theory", "layers", "the same predicted: the mean-field profile times the measured top error scale and the loss scale, against half the format's smallest subnormal (NaN: no layer, or no theory for the cell)" },
  { "loss_scale_end", "1", "the loss scale in effect at the last probe (a dynamic scale's last value)" },
  { "skipped_steps", "steps", "steps a dynamic loss scale skipped for a non-finite gradient, up to that probe" },
  { "tensor", "name", "what was rounded: preact (h), act (phi(h)), da (dL/da = the next layer's delta times its W transposed, before phi'), delta (dL/dh), dW (the weight gradient); the last three times the loss scale" },
  { "zero_frac", "fraction", "entries of the tensor exactly 0 after rounding to the format" },
  { "flushed_frac", "fraction", "entries that were not 0 before rounding and are 0 after: flushed to zero (underflow)" },
  { "overflow_frac", "fraction", "entries rounded to +-inf (or saturated at +-max in fp8e4m3)" },
  { "subnormal_frac", "fraction", "entries in the format's subnormal range after rounding (nonzero, below 2^emin)" },
  { "scale", "1", "the loss scale in effect at that step" },
  { "log2", "log2 of |value|", "the bin: entries x with 2^log2 <= |x| < 2^(log2+1) as the format holds them (times the loss scale, rounded); -Inf: the zero bin (x exactly 0, on every row set), Inf: +-inf, NaN: not a number; bins with no entry have no row" },
  { "count", "count", "entries of the row's layer and tensor in that bin" },
  { "arch", "name", "the architecture: mlp, or a recurrent cell rnn (Elman), lstm, gru, whose depth is the sequence length T, width the hidden size, and whose layers.tsv rows are time steps (layer t = 1..T the last T steps, T + 1 the readout); the column is there when some cell is recurrent" },
  { "clip", "1", "recurrent cells: the gradient's global norm bound (--clips; 0: no clipping); the column is there with arch's" },
  { "forget_bias", "1", "LSTM: the bias added to the forget gate's (--forget-biases); the column is there with arch's" },
  { "success", "fraction", "the test split's share the task counts a success at the end: the accuracy, or (adding problem) every output within the task's tolerance of its target" },
  { "hh_rho0", "1", "recurrent cells: the spectral radius of W_hh's phi block (Elman: W_hh; LSTM: g's; GRU: n's) at the first probe" },
  { "hh_sigma_gamma0", "1", "recurrent cells: its largest singular value times gamma = max|phi'| (Pascanu et al. 2013: below 1, the gradient must vanish) at the first probe" },
  { "hh_rho_end", "1", "hh_rho0 at the end" },
  { "hh_sigma_gamma_end", "1", "hh_sigma_gamma0 at the end" },
  { "t", "step", "a recurrent cell's time step: 1..T over the last T steps of the sequence (T: the last, t = T - k is k steps in the past); in layers.tsv the layer of the row (NaN for the readout and for mlp cells)" },
  { "gate", "name", "a sigmoid gate: LSTM i, f, o; GRU r, z" },
  { "low_frac", "fraction", "gate values below 0.1 (left-saturated, Karpathy et al. 2015) over the probe set's examples x units" },
  { "high_frac", "fraction", "gate values above 0.9 (right-saturated)" },
  { "gate_mean", "1", "the gate values' mean" },
  { "gate_slope", "1", "mean of sigma'(a) / max sigma' = 4 sigma'(a) over the gate's values: saturation with no threshold (1: all at 1/2, 0: all saturated)" },
  { "sigma_w2", "1", "the weight variance times fan_in of the cell's init at a hidden layer (fan_in = fan_out = width): sigma_w^2 of the mean-field theory" },
  { "sigma_b2", "1", "the bias variance of the cell's init: sigma_b^2 of the mean-field theory" },
  { "seed", "index", "the seed index (0 .. --seeds - 1); the streams derive from it and --seed" },
  { "status", "name", "how the cell ended: the first status of satbench list statuses that applies" },
  { "final_loss", "loss", "mean loss over the whole training split at the end (NaN if the cell diverged)" },
  { "final_train_acc", "fraction", "accuracy over the whole training split at the end" },
  { "final_test_acc", "fraction", "accuracy over the whole test split at the end" },
  { "chance_loss", "loss", "the loss of the best constant prediction, fitted on the training split (xent: its label entropy)" },
  { "chance_error", "fraction", "the test error of always answering the commonest training class" },
  { "attenuation0", "decades", "log10(g^1/g^depth) at step 0, g the gradient profile (delta_norm; stream_grad_norm with skips): negative when the error shrinks towards the input" },
  { "attenuation_end", "decades", "the same at the last probe" },
  { "decay_rate", "decades/layer", "least-squares slope of log10 g^l against l over the hidden layers at step 0" },
  { "decay_rate_r2", "1", "the R^2 of that fit" },
  { "decay_rate_theory", "decades/layer", "the mean-field prediction of decay_rate (satbench theory)" },
  { "jac_msv0", "1", "mean squared singular value of the input-output Jacobian at step 0, over the --jacobian inputs (the jac_ columns are there only with --jacobian)" },
  { "jac_sv2_var0", "1", "variance of the squared singular values at step 0" },
  { "jac_sv_max0", "1", "the largest singular value at step 0" },
  { "jac_log10_cond0", "decades", "log10 of the Jacobian's condition number at step 0 (Inf when jac_rank0 is below min(width, input-dim))" },
  { "jac_rank0", "count", "singular values above the resolution floor at step 0" },
  { "jac_msv_end", "1", "jac_msv0 at the last logged step" },
  { "jac_sv2_var_end", "1", "jac_sv2_var0 at the last logged step" },
  { "jac_sv_max_end", "1", "jac_sv_max0 at the last logged step" },
  { "jac_log10_cond_end", "decades", "jac_log10_cond0 at the last logged step" },
  { "jac_rank_end", "count", "jac_rank0 at the last logged step" },
  { "jac_msv_theory", "1", "the mean-field prediction of jac_msv0: chi_1^depth" },
  { "step", "steps", "optimizer steps done before the measurement (0: at initialization)" },
  { "layer", "index", "the layer, from 1 (the first hidden layer) to depth + 1 (the linear output layer)" },
  { "n", "seeds", "the number of seeds with this row" },
  { "log10_delta_ratio", "decades", "log10(||delta^l|| / ||delta^depth||) of a seed (0 at layer depth)" },
  { "log10_delta_ratio_theory", "decades", "the mean-field prediction of log10_delta_ratio at initialization (the same on every step's rows; NaN at the output layer)" },
  { "kind", "name", "act: the units' outputs phi(h^l); delta: the back-propagated errors" },
  { "lo", "phi or delta", "the histogram's lower end (one range per cell and kind, shared by its layers)" },
  { "hi", "phi or delta", "its upper end; the range is split into equal bins" },
  { "input", "index", "the probe input whose Jacobian this is" },
  { "rank", "index", "the singular value's rank, 1 the largest" },
  { "sv", "1", "the rank-th largest singular value of that input's input-output Jacobian" },
  { "floor", "1", "the input's resolution floor max(width, input-dim) eps sigma_max" },
  { "resolved", "0/1", "1 when sv is above the floor, 0 when it counts as a zero" },
  /* probe columns (probe.c) and learning-curve columns (train.c): units */
  { "grad_w_norm", "loss/weight", NULL },
  { "grad_b_norm", "loss/bias", NULL },
  { "delta_norm", "loss/unit", NULL },
  { "stream_grad_norm", "loss/unit", NULL },
  { "act_mean", "phi", NULL },
  { "act_std", "phi", NULL },
  { "act_p02", "phi", NULL },
  { "act_p98", "phi", NULL },
  { "stream_rms", "phi", NULL },
  { "preact_std", "h", NULL },
  { "sat_frac", "fraction", NULL },
  { "sat_low", "fraction", NULL },
  { "sat_high", "fraction", NULL },
  { "dead_frac", "fraction", NULL },
  { "update_ratio", "1", NULL },
  { "weight_norm", "weight", NULL },
  { "slope_mean", "fraction", NULL },
  { "delta_gain", "1", NULL },
  { "train_loss", "loss", NULL },
  { "eval_train_loss", "loss", NULL },
  { "eval_train_acc", "fraction", NULL },
  { "eval_test_loss", "loss", NULL },
  { "eval_test_acc", "fraction", NULL },
  { "grad_norm", "loss/parameter", NULL },
};

/* The description a probe or curve column brings along, or NULL. */
static const char *col_about_elsewhere(const char *name, int *is_probe)
{
  *is_probe = 0;
  for (int c = 0; c < PROBE_NCOLS; c++)
    if (!strcmp(probe_cols[c].name, name)) {
      *is_probe = 1;
      return probe_cols[c].about;
    }
  for (int c = 0; c < CURVE_NCOLS; c++)
    if (!strcmp(train_curve_cols[c].name, name)) return train_curve_cols[c].about;
  return NULL;
}

static int col_doc_base(row_kind k, const char *name, const char **unit, const char **about, int *is_probe)
{
  *is_probe = 0;
  for (size_t i = 0; i < sizeof col_docs / sizeof col_docs[0]; i++) {
    if (strcmp(col_docs[i].name, name)) continue;
    *unit = col_docs[i].unit;
    *about = col_docs[i].about ? col_docs[i].about : col_about_elsewhere(name, is_probe);
    /* curves.tsv carries the probe columns as their hidden-layer means */
    if (*is_probe && (k == ROW_CURVES || k == ROW_CURVES_SUMMARY)) *is_probe = 2;
    return *about ? 0 : -1;
  }
  return -1;
}

int table_column_doc(row_kind k, const char *name, const char **unit, char *about, size_t size)
{
  static const struct { const char *suffix, *what; } derived[] = {
    { "_end", "mean over the hidden layers at the last probe of: " },
    { "_mean", "mean over the seeds of: " },
    { "_sd", "sample standard deviation over the seeds of: " },
    { "_ci95", "half-width of the 95% Student-t interval of the mean over the seeds of: " },
  };
  const char *base_about;
  int is_probe;
  if (size) about[0] = '\0';
  if (k == ROW_HIST && !strncmp(name, "count_", 6)) {
    *unit = "count";
    snprintf(about, size, "values of the row's layer and kind in bin %s of %d equal bins between lo and hi",
             name + 6, PROBE_HIST_BINS);
    return 0;
  }
  if (!col_doc_base(k, name, unit, &base_about, &is_probe)) {
    snprintf(about, size, "%s%s", is_probe == 2 ? "mean over the hidden layers of: " : "", base_about);
    return 0;
  }
  size_t len = strlen(name);
  for (size_t i = 0; i < sizeof derived / sizeof derived[0]; i++) {
    size_t sl = strlen(derived[i].suffix);
    char base[128];
    if (len <= sl || len - sl >= sizeof base || strcmp(name + len - sl, derived[i].suffix)) continue;
    snprintf(base, sizeof base, "%.*s", (int)(len - sl), name);
    if (col_doc_base(k, base, unit, &base_about, &is_probe)) continue;
    snprintf(about, size, "%s%s%s", derived[i].what, is_probe == 2 ? "the hidden layers' mean of " : "", base_about);
    return 0;
  }
  *unit = NULL;
  return -1;
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
  for (int k = 0; k < AXIS_COUNT; k++)
    if (table_axis_on(k, c->features)) fprintf(f, "\t%s", c->axis[k]);
  fprintf(f, "\t%lu", c->seed);
}

static void group_id(FILE *f, const table_group *g)
{
  int first = 1;
  for (int k = 0; k < AXIS_COUNT; k++)
    if (table_axis_on(k, g->features)) { fprintf(f, "%s%s", first ? "" : "\t", g->axis[k]); first = 0; }
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
  if (c->features & TABLE_PREC) {
    put_num(f, r->flush_depth0);
    put_num(f, r->flush_depth_theory);
    put_num(f, r->prec_scale && r->n_logs ? r->prec_scale[r->n_logs - 1] : 1.0);
    fprintf(f, "\t%ld", r->prec_skipped && r->n_logs ? r->prec_skipped[r->n_logs - 1] : 0L);
  }
  if (c->features & TABLE_RNN) {
    put_num(f, r->success);
    put_num(f, r->hh_rho[0]);
    put_num(f, r->hh_sigma[0] * r->gamma);
    put_num(f, r->hh_rho[1]);
    put_num(f, r->hh_sigma[1] * r->gamma);
  }
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

/* The tensors of precision.tsv (net.h's NET_T_*), as the tensor column
 * names them. */
static const char *const prec_tensors[NET_NT] = { "preact", "act", "da", "delta", "dW" };

void table_prec_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  if (!r->prec_frac) return;
  for (size_t s = 0; s < r->n_logs; s++)
    for (size_t l = 1; l <= r->n_layers; l++)
      for (int t = 0; t < NET_NT; t++) {
        const double *v = r->prec_frac + ((s * r->n_layers + (l - 1)) * NET_NT + t) * TRAIN_PF;
        if (isnan(v[TRAIN_PF_ZERO])) continue;   /* a tensor the layer has not (the output layer's act; fp64) */
        cell_id(f, prefix, c);
        fprintf(f, "\t%ld\t%zu\t%s", r->log_steps[s], l, prec_tensors[t]);
        for (int k = 0; k < TRAIN_PF; k++) put_num(f, v[k]);
        put_num(f, r->prec_scale[s]);
        fprintf(f, "\t%ld\n", r->prec_skipped[s]);
      }
}

/* One row per occupied bin of an emulated cell's log2 histogram at each
 * histogram probe, layer and tensor (delta, dW): the zero bin always, the
 * exponents' and inf's and NaN's when some entry is there.  Sparse, since
 * a tensor spans a few dozen of a format's exponents; tidy, for pandas'
 * groupby and gnuplot's `using 'log2':'count'`. */
void table_log2hist_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  static const char *const tensors[TRAIN_L2H_NT] = { "delta", "dW" };
  if (!r->l2h) return;
  size_t per = TRAIN_L2H_EXP + r->l2h_nexp;
  for (size_t slot = 0; slot < r->hist_n; slot++) {
    double scale = NAN;   /* the scale at the slot's probe (prec_scale is per probe) */
    for (size_t s = 0; s < r->n_logs; s++)
      if (r->log_steps[s] == r->hist_step[slot]) scale = r->prec_scale[s];
    for (size_t l = 1; l <= r->n_layers; l++)
      for (int t = 0; t < TRAIN_L2H_NT; t++) {
        const double *h = r->l2h + ((slot * r->n_layers + (l - 1)) * TRAIN_L2H_NT + t) * per;
        for (size_t b = 0; b < per; b++) {
          if (b != TRAIN_L2H_ZERO && h[b] == 0.0) continue;
          cell_id(f, prefix, c);
          fprintf(f, "\t%ld", r->hist_step[slot]);
          put_num(f, scale);
          fprintf(f, "\t%zu\t%s\t", l, tensors[t]);
          if (b == TRAIN_L2H_ZERO) fputs("-Inf", f);
          else if (b == TRAIN_L2H_INF) fputs("Inf", f);
          else if (b == TRAIN_L2H_NAN) fputs("NaN", f);
          else fprintf(f, "%ld", (long)r->l2h_emin + (long)(b - TRAIN_L2H_EXP));
          fprintf(f, "\t%.0f\n", h[b]);
        }
      }
  }
}

void table_layers_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  for (size_t s = 0; s < r->n_logs; s++)
    for (size_t l = 1; l <= r->n_layers; l++) {
      cell_id(f, prefix, c);
      fprintf(f, "\t%ld\t%zu", r->log_steps[s], l);
      if (c->features & TABLE_RNN) {   /* a recurrent cell's time step; none for a layer or the readout */
        if (r->recurrent && l < r->n_layers) fprintf(f, "\t%zu", l);
        else put_num(f, NAN);
      }
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

void table_gates_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r)
{
  if (!r->gates) return;
  size_t T = r->n_layers - 1;
  const rnn_cell_info *ci = rnn_cell_info_of(rnn_arch_cell(r->arch));
  for (size_t s = 0; s < r->n_logs; s++)
    for (size_t t = 1; t <= T; t++)
      for (size_t g = 0; g < r->n_gates; g++) {
        const double *v = r->gates + ((s * T + (t - 1)) * r->n_gates + g) * TRAIN_GATE;
        cell_id(f, prefix, c);
        fprintf(f, "\t%ld\t%zu\t%s", r->log_steps[s], t, ci->gates[g]);
        for (int k = 0; k < TRAIN_GATE; k++) put_num(f, v[k]);
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
  case ROW_PREC: table_prec_rows(f, prefix, c, r); break;
  case ROW_LOG2HIST: table_log2hist_rows(f, prefix, c, r); break;
  case ROW_GATES: table_gates_rows(f, prefix, c, r); break;
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
