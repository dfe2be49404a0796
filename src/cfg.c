/* cfg.c - options, presets and config files (see config.h).
 *
 * One table of options serves the command line, config files and presets,
 * so the three can never disagree about a key's meaning or its checks.
 * Values are applied in layers (preset, file, command line); within one
 * layer setting both --epochs and --steps is an error, across layers the
 * later layer wins. */
#include <config.h>
#include "cfg.h"
#include "fileio.h"
#include "names.h"
#include "cli.h"
#include "num.h"
#include "theory.h"
#include "shard.h"
#include "jacobian.h"
#include "tsv.h"
#include "blas.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- strict number parsing ------------------------------------------- */

/* Option values: cfg's option names come without their dashes. */
static int parse_count(const char *opt, const char *s, unsigned long min, unsigned long max,
                       unsigned long *out, sb_error *err)
{
  char what[80];
  snprintf(what, sizeof what, "--%s", opt);
  return num_parse_count(what, s, min, max, out, err);
}

static int parse_real(const char *opt, const char *s, double *out, sb_error *err)
{
  char what[80];
  snprintf(what, sizeof what, "--%s", opt);
  return num_parse_real(what, s, out, err);
}

/* ---- lists ------------------------------------------------------------ */

/* Split a comma-separated list in place; empty items are an error. */
static int split_list(const char *opt, char *s, char **items, size_t max, size_t *n, sb_error *err)
{
  *n = 0;
  if (!*s) return sb_fail(err, SB_EUSAGE, "--%s: empty list", opt);
  for (char *p = s;;) {
    char *comma = strchr(p, ',');
    if (comma) *comma = '\0';
    if (!*p) return sb_fail(err, SB_EUSAGE, "--%s: empty item in the list", opt);
    if (*n == max) return sb_fail(err, SB_EUSAGE, "--%s: more than %zu values", opt, max);
    items[(*n)++] = p;
    if (!comma) break;
    p = comma + 1;
  }
  return SB_OK;
}

/* split_list of a copy of TEXT in BUF (SIZE bytes), refusing, with the
 * limit named, a value that does not fit rather than cutting it. */
static int split_copy(const char *opt, const char *text, char *buf, size_t size, char **items, size_t max,
                      size_t *n, sb_error *err)
{
  size_t len = strlen(text);
  if (len >= size)
    return sb_fail(err, SB_EUSAGE, "--%s: value of %zu bytes is too long (at most %zu)", opt, len, size - 1);
  memcpy(buf, text, len + 1);
  return split_list(opt, buf, items, max, n, err);
}

/* A list of sizes: items are N or ranges A:B[:STEP] (B included). */
static int parse_sizes(const char *opt, const char *text, size_t *vals, size_t *n, sb_error *err)
{
  char buf[4096], *items[CFG_MAX_AXIS];
  size_t k;
  int rc = split_copy(opt, text, buf, sizeof buf, items, CFG_MAX_AXIS, &k, err);
  if (rc) return rc;
  *n = 0;
  for (size_t i = 0; i < k; i++) {
    char *parts[3];
    size_t np = 0;
    for (char *p = items[i];;) {
      char *colon = strchr(p, ':');
      if (colon) *colon = '\0';
      if (np == 3) return sb_fail(err, SB_EUSAGE, "--%s: range '%s...' has more than three parts (use A:B:STEP)", opt, items[i]);
      parts[np++] = p;
      if (!colon) break;
      p = colon + 1;
    }
    unsigned long a, b = 0, step = 1;
    if ((rc = parse_count(opt, parts[0], 1, 1UL << 24, &a, err))) return rc;
    if (np >= 2 && (rc = parse_count(opt, parts[1], 1, 1UL << 24, &b, err))) return rc;
    if (np == 3 && (rc = parse_count(opt, parts[2], 1, 1UL << 24, &step, err))) return rc;
    if (np == 1) b = a;
    if (b < a) return sb_fail(err, SB_EUSAGE, "--%s: range %lu:%lu is empty (end below start)", opt, a, b);
    for (unsigned long v = a; v <= b; v += step) {
      for (size_t j = 0; j < *n; j++)
        if (vals[j] == v) return sb_fail(err, SB_EUSAGE, "--%s: value %lu appears twice", opt, v);
      if (*n == CFG_MAX_AXIS) return sb_fail(err, SB_EUSAGE, "--%s: more than %d values", opt, CFG_MAX_AXIS);
      vals[(*n)++] = v;
    }
  }
  return SB_OK;
}

/* ---- option setters --------------------------------------------------- */

/* One layer of settings (preset, config file, command line) being
 * applied: the setters' context. */
typedef struct layer {
  sb_config *cfg;
  int set_epochs, set_steps;
  int is_preset;        /* values of a preset: a dataset that fixes them may override */
  int is_file;          /* values of a config file */
} layer;

static int set_acts(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  char buf[4096], *items[CFG_MAX_AXIS];
  size_t k;
  int rc = split_copy(opt, val, buf, sizeof buf, items, CFG_MAX_AXIS, &k, err);
  if (rc) return rc;
  for (size_t i = 0; i < k; i++) {
    if ((rc = act_parse(items[i], &cfg->acts[i], err)))
      return sb_prefix(err, "--%s", opt);
    for (size_t j = 0; j < i; j++)
      if (cfg->acts[j].kind == cfg->acts[i].kind)
        return sb_fail(err, SB_EUSAGE, "--%s: '%s' appears twice", opt, items[i]);
  }
  cfg->n_acts = k;
  return SB_OK;
}

static int set_inits(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  char buf[4096], *items[CFG_MAX_AXIS];
  size_t k;
  int rc = split_copy(opt, val, buf, sizeof buf, items, CFG_MAX_AXIS, &k, err);
  if (rc) return rc;
  for (size_t i = 0; i < k; i++) {
    if ((rc = init_parse(items[i], &cfg->inits[i], err)))
      return sb_prefix(err, "--%s", opt);
    char a[64], b[64];
    init_format(&cfg->inits[i], a, sizeof a);
    for (size_t j = 0; j < i; j++) {
      init_format(&cfg->inits[j], b, sizeof b);
      if (strcmp(a, b) == 0) return sb_fail(err, SB_EUSAGE, "--%s: '%s' appears twice", opt, items[i]);
    }
  }
  cfg->n_inits = k;
  return SB_OK;
}

static int set_depths(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  return parse_sizes(opt, val, cfg->depths, &cfg->n_depths, err);
}

static int set_widths(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  return parse_sizes(opt, val, cfg->widths, &cfg->n_widths, err);
}

#define COUNT_SETTER(fname, field, type, min, max)                                        \
  static int fname(void *ctx, const char *opt, const char *val, sb_error *err)            \
  {                                                                                        \
    sb_config *cfg = ((layer *)ctx)->cfg;                                                  \
    unsigned long v;                                                                       \
    int rc = parse_count(opt, val, (min), (max), &v, err);                                 \
    if (!rc) cfg->field = (type)v;                                                         \
    return rc;                                                                             \
  }

COUNT_SETTER(set_seeds, seeds, size_t, 1, 100000)
COUNT_SETTER(set_seed_index, seed_index, unsigned long, 0, ULONG_MAX)
COUNT_SETTER(set_master, master_seed, unsigned long, 0, ULONG_MAX)
COUNT_SETTER(set_input_dim_value, data.input_dim, size_t, 1, 1UL << 24)
COUNT_SETTER(set_classes_value, data.classes, size_t, 1, 1UL << 20)   /* 1: a regression task (adding); data_check refuses it elsewhere */

/* A preset's input-dim and classes give way to a dataset that fixes them
 * (shapeset, files); the user's own must agree with it (data_resolve). */
static int set_input_dim(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  int rc = set_input_dim_value(ctx, opt, val, err);
  if (!rc && !ly->is_preset) cfg->data.given |= DATA_GIVEN_DIM;
  return rc;
}

static int set_classes(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  int rc = set_classes_value(ctx, opt, val, err);
  if (!rc && !ly->is_preset) cfg->data.given |= DATA_GIVEN_CLASSES;
  return rc;
}
COUNT_SETTER(set_train_size, data.train_size, size_t, 1, 1UL << 32)
COUNT_SETTER(set_test_size, data.test_size, size_t, 1, 1UL << 32)
COUNT_SETTER(set_batch, batch, size_t, 1, 1UL << 24)
COUNT_SETTER(set_log_every, log_every, long, 0, LONG_MAX)
COUNT_SETTER(set_lscale_window, lscale_window, long, 1, 1L << 40)
COUNT_SETTER(set_threads, threads, int, 1, CFG_MAX_THREADS)

static int set_shard(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  return shard_parse(opt, val, &ly->cfg->shard_k, &ly->cfg->shard_n, err);
}

static int set_epochs(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  unsigned long v;
  int rc = parse_count(opt, val, 0, 1UL << 30, &v, err);
  if (rc) return rc;
  if (ly->set_steps) return sb_fail(err, SB_EUSAGE, "--epochs: --steps is given too; give one of them");
  ly->set_epochs = 1;
  cfg->epochs = (long)v;
  cfg->steps = -1;
  return SB_OK;
}

static int set_steps(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  unsigned long v;
  int rc = parse_count(opt, val, 0, 1UL << 40, &v, err);
  if (rc) return rc;
  if (ly->set_epochs) return sb_fail(err, SB_EUSAGE, "--steps: --epochs is given too; give one of them");
  ly->set_steps = 1;
  cfg->steps = (long)v;
  cfg->epochs = -1;
  return SB_OK;
}

/* --lrs (and --lr, the same axis with one value): positive reals, each once. */
/* An axis of real numbers (--lrs, --clips, --forget-biases): each valid
 * as OK(v) says, or refused as "must be WHAT"; each once. */
#define REAL_LIST_SETTER(fn, field, n_field, ok, what)                                                      \
  static int fn(void *ctx, const char *opt, const char *val, sb_error *err)                                \
  {                                                                                                          \
    sb_config *cfg = ((layer *)ctx)->cfg;                                                                    \
    char buf[4096], *items[CFG_MAX_AXIS];                                                                    \
    size_t k;                                                                                                \
    int rc = split_copy(opt, val, buf, sizeof buf, items, CFG_MAX_AXIS, &k, err);                           \
    if (rc) return rc;                                                                                       \
    for (size_t i = 0; i < k; i++) {                                                                         \
      if ((rc = parse_real(opt, items[i], &cfg->field[i], err))) return rc;                                  \
      double v = cfg->field[i];                                                                              \
      if (!(ok)) return sb_fail(err, SB_EUSAGE, "--%s: %s must be " what, opt, items[i]);                    \
      for (size_t j = 0; j < i; j++)                                                                         \
        if (cfg->field[j] == v) return sb_fail(err, SB_EUSAGE, "--%s: '%s' appears twice", opt, items[i]);   \
    }                                                                                                        \
    cfg->n_field = k;                                                                                        \
    return SB_OK;                                                                                            \
  }
REAL_LIST_SETTER(set_lrs, lrs, n_lrs, v > 0, "positive")
REAL_LIST_SETTER(set_clips, clips, n_clips, v >= 0 && isfinite(v), "a finite number >= 0 (0: no clipping)")
REAL_LIST_SETTER(set_fbiases, fbiases, n_fbiases, isfinite(v) && fabs(v) <= 100, "a number in [-100, 100]")

/* An axis of names (--optimizers, --losses and their one-value spellings,
 * --norms, --precisions): each a word its parse knows, each once.  A parse
 * whose message does not name the option gets it put before (PREFIX). */
#define NAME_LIST_SETTER(fn, field, n_field, type, count, parse, prefix)                                   \
  static int fn(void *ctx, const char *opt, const char *val, sb_error *err)                                \
  {                                                                                                          \
    sb_config *cfg = ((layer *)ctx)->cfg;                                                                    \
    char buf[512], *items[(count) + 1];                                                                      \
    size_t k;                                                                                                \
    int rc = split_copy(opt, val, buf, sizeof buf, items, (count) + 1, &k, err);                             \
    if (rc) return rc;                                                                                       \
    for (size_t i = 0; i < k; i++) {                                                                         \
      type v;                                                                                                \
      if ((rc = parse(items[i], &v, err))) return (prefix) ? sb_prefix(err, "--%s", opt) : rc;               \
      for (size_t j = 0; j < i; j++)                                                                         \
        if (cfg->field[j] == v) return sb_fail(err, SB_EUSAGE, "--%s: '%s' appears twice", opt, items[i]);   \
      cfg->field[i] = v; /* i < count: more would repeat one */                                              \
    }                                                                                                        \
    cfg->n_field = k;                                                                                        \
    return SB_OK;                                                                                            \
  }
NAME_LIST_SETTER(set_opts, opts, n_opts, opt_kind, OPT_COUNT, opt_parse, 1)
NAME_LIST_SETTER(set_losses, losses, n_losses, loss_kind, LOSS_COUNT, loss_parse, 1)
NAME_LIST_SETTER(set_norms, norms, n_norms, norm_kind, NORM_COUNT, norm_parse, 0)
NAME_LIST_SETTER(set_precs, precs, n_precs, prec_kind, PREC_COUNT, prec_parse, 0)
NAME_LIST_SETTER(set_archs, archs, n_archs, rnn_arch, ARCH_COUNT, rnn_arch_parse, 1)

/* --loss-scales: positive numbers (1: no scaling) or dynamic, each once. */
static int set_lscales(void *ctx, const char *opt, const char *val, sb_error *err)
{
  sb_config *cfg = ((layer *)ctx)->cfg;
  char buf[4096], *items[CFG_MAX_AXIS];
  size_t k;
  int rc = split_copy(opt, val, buf, sizeof buf, items, CFG_MAX_AXIS, &k, err);
  if (rc) return rc;
  for (size_t i = 0; i < k; i++) {
    if (!strcmp(items[i], "dynamic")) cfg->lscales[i] = 0.0;
    else if ((rc = parse_real(opt, items[i], &cfg->lscales[i], err))) return rc;
    else if (!(cfg->lscales[i] > 0) || !isfinite(cfg->lscales[i]))
      return sb_fail(err, SB_EUSAGE, "--%s: %s must be a positive number or dynamic", opt, items[i]);
    for (size_t j = 0; j < i; j++)
      if (cfg->lscales[j] == cfg->lscales[i]) return sb_fail(err, SB_EUSAGE, "--%s: '%s' appears twice", opt, items[i]);
  }
  cfg->n_lscales = k;
  return SB_OK;
}

static int set_tau(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  double v;
  int rc = parse_real(opt, val, &v, err);
  if (rc) return rc;
  if (!(v > 0 && v < 1)) return sb_fail(err, SB_EUSAGE, "--%s: %s must lie strictly between 0 and 1", opt, val);
  cfg->tau = v;
  return SB_OK;
}

static int set_dataset(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  (void)opt;
  return data_parse(val, &cfg->data, err);
}

/* Table headers and records/config.txt carry a file dataset's digest;
 * reading it back pins the contents, so a config file can refuse data
 * that changed since. */
static int set_digest(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  const char *hex = strncmp(val, "fnv1a64:", 8) == 0 ? val + 8 : NULL;
  size_t n = hex ? strspn(hex, "0123456789abcdef") : 0;
  if (!hex || n != 16 || hex[n])
    return sb_fail(err, SB_EUSAGE, "--%s: '%s' is not fnv1a64: and 16 lowercase hex digits", opt, val);
  cfg->data.digest = (uint64_t)strtoull(hex, NULL, 16);
  return SB_OK;
}

static int set_input_scale(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  (void)opt;
  return data_scale_parse(val, &cfg->data.scale, err);
}

/* --residual: none (or 0, as the tables write it) or a skip stride
 * k >= 1, each once. */
static int set_residuals(void *ctx, const char *opt, const char *val, sb_error *err)
{
  sb_config *cfg = ((layer *)ctx)->cfg;
  char buf[4096], *items[CFG_MAX_AXIS];
  size_t k;
  int rc = split_copy(opt, val, buf, sizeof buf, items, CFG_MAX_AXIS, &k, err);
  if (rc) return rc;
  for (size_t i = 0; i < k; i++) {
    unsigned long v = 0;
    if (strcmp(items[i], "none") != 0 && strcmp(items[i], "0") != 0) {
      if ((rc = parse_count(opt, items[i], 1, 1UL << 20, &v, err)))
        return sb_fail(err, SB_EUSAGE, "--%s: '%s' is neither none nor a skip stride of 1 or more layers", opt, items[i]);
    }
    for (size_t j = 0; j < i; j++)
      if (cfg->residuals[j] == v) return sb_fail(err, SB_EUSAGE, "--%s: '%s' appears twice", opt, items[i]);
    cfg->residuals[i] = v;
  }
  cfg->n_residuals = k;
  return SB_OK;
}

static int set_res_scale(void *ctx, const char *opt, const char *val, sb_error *err)
{
  sb_config *cfg = ((layer *)ctx)->cfg;
  if (!strcmp(val, "1/sqrt(depth)")) {
    cfg->res_scale_depth = 1;
    cfg->res_scale = NAN;
    return SB_OK;
  }
  double v;
  int rc = parse_real(opt, val, &v, err);
  if (rc) return sb_fail(err, SB_EUSAGE, "--%s: '%s' is neither a positive number nor 1/sqrt(depth)", opt, val);
  if (!(v > 0) || !isfinite(v)) return sb_fail(err, SB_EUSAGE, "--%s: %s must be a positive number", opt, val);
  cfg->res_scale = v;
  cfg->res_scale_depth = 0;
  return SB_OK;
}

static int set_jacobian(void *ctx, const char *opt, const char *val, sb_error *err)
{
  unsigned long v;
  int rc = parse_count(opt, val, 0, 1UL << 20, &v, err);
  if (rc) return rc;
  ((layer *)ctx)->cfg->jacobian = v;
  return SB_OK;
}

/* The values of the options that take one word of a fixed few: one list
 * each, which the setter and the completion (cfg_complete) read. */
typedef struct word_set { const char *const *names; size_t n; } word_set;
#define WORD_SET(a) { a, sizeof a / sizeof a[0] }
static const char *const jacobian_at_names[] = { "all", "init" };   /* jacobian_init_only 0, 1 */
/* --histograms' values, the one list that the setter and cfg_write read. */
static const char *const hist_mode_names[] = {
  [TRAIN_HIST_ENDS] = "ends", [TRAIN_HIST_NONE] = "none", [TRAIN_HIST_ALL] = "all",
};
#define N_HIST_MODES (sizeof hist_mode_names / sizeof hist_mode_names[0])
static const char *const schedule_names[] = { [TRAIN_LOG_LINEAR] = "linear", [TRAIN_LOG_LOG] = "log" };
static const char *const split_names[] = { [DATA_SPLIT_TRAIN] = "train", [DATA_SPLIT_TEST] = "test" };
static const word_set jacobian_at_words = WORD_SET(jacobian_at_names), hist_words = WORD_SET(hist_mode_names),
                      schedule_words = WORD_SET(schedule_names), split_words = WORD_SET(split_names);

/* *k = the index of val in ws, or SB_EUSAGE: "--opt: unknown WHAT 'val' (valid: ...)". */
static int pick_word(const word_set *ws, const char *opt, const char *what, const char *val, int *k, sb_error *err)
{
  char valid[128];
  for (size_t i = 0; i < ws->n; i++)
    if (!strcmp(val, ws->names[i])) { *k = (int)i; return SB_OK; }
  names_join(valid, sizeof valid, ws->names, ws->n);
  return sb_fail(err, SB_EUSAGE, "--%s: unknown %s '%s' (valid: %s)", opt, what, val, valid);
}

static int set_jacobian_at(void *ctx, const char *opt, const char *val, sb_error *err)
{
  return pick_word(&jacobian_at_words, opt, "value", val, &((layer *)ctx)->cfg->jacobian_init_only, err);
}

static int set_histograms(void *ctx, const char *opt, const char *val, sb_error *err)
{
  return pick_word(&hist_words, opt, "value", val, &((layer *)ctx)->cfg->hist_mode, err);
}

static int set_log_schedule(void *ctx, const char *opt, const char *val, sb_error *err)
{
  return pick_word(&schedule_words, opt, "schedule", val, &((layer *)ctx)->cfg->log_schedule, err);
}

static int set_probe_split(void *ctx, const char *opt, const char *val, sb_error *err)
{
  return pick_word(&split_words, opt, "split", val, &((layer *)ctx)->cfg->probe_split, err);
}

/* --gemm: a build without libxsmm has only the CBLAS, and says so. */
static int set_gemm(void *ctx, const char *opt, const char *val, sb_error *err)
{
  sb_config *cfg = ((layer *)ctx)->cfg;
  blas_gemm_mode m;
  const char *valid = blas_has_libxsmm() ? "auto, libxsmm, cblas" : "auto, cblas";
  if (blas_gemm_parse(val, &m)) return sb_fail(err, SB_EUSAGE, "--%s: unknown GEMM '%s' (valid: %s)", opt, val, valid);
  if (m == BLAS_GEMM_LIBXSMM && !blas_has_libxsmm())
    return sb_fail(err, SB_EUSAGE, "--%s libxsmm: this satbench was built without libxsmm (valid: %s)", opt, valid);
  cfg->gemm = (int)m;
  return SB_OK;
}

/* A size given by the user must fit its split; the default is capped. */
static int set_probe_size(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  unsigned long v;
  int rc = parse_count(opt, val, 1, 1UL << 24, &v, err);
  if (rc) return rc;
  ly->cfg->probe_size = v;
  if (!ly->is_preset) ly->cfg->probe_size_given = 1;
  return SB_OK;
}

static int set_eval_size(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  unsigned long v;
  int rc = parse_count(opt, val, 1, 1UL << 30, &v, err);
  if (rc) return rc;
  ly->cfg->eval_size = v;
  return SB_OK;
}

static int set_out(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  if (!*val) return sb_fail(err, SB_EUSAGE, "--%s: empty path", opt);
  size_t n = strlen(val);
  if (n >= CFG_OUT_MAX)
    return sb_fail(err, SB_EUSAGE, "--%s: the path is %zu bytes long; at most %d fit (the files under it need the rest "
                   "of the system's limit of %d)", opt, n, CFG_OUT_MAX - 1, CFG_PATH_MAX);
  strcpy(cfg->out, val);
  return SB_OK;
}

static int set_flag(int *field, const char *opt, const char *val, sb_error *err)
{
  if (!val || !strcmp(val, "1") || !strcmp(val, "true") || !strcmp(val, "yes")) *field = 1;
  else if (!strcmp(val, "0") || !strcmp(val, "false") || !strcmp(val, "no")) *field = 0;
  else return sb_fail(err, SB_EUSAGE, "--%s: '%s' is not a boolean (true/false)", opt, val);
  return SB_OK;
}

static int set_resume(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  return set_flag(&cfg->resume, opt, val, err);
}

static int set_compress(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  int rc = set_flag(&ly->cfg->compress, opt, val, err);
  if (!rc && ly->cfg->compress && !tsv_can_compress())
    return sb_fail(err, SB_EUSAGE, "--%s: this satbench was built without zlib (or fopencookie), so it cannot write "
                   "or read .tsv.gz tables; install zlib1g-dev and rebuild", opt);
  return rc;
}

static int set_keep_records(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  return set_flag(&ly->cfg->keep_records, opt, val, err);
}

static int set_quiet(void *ctx, const char *opt, const char *val, sb_error *err)
{
  layer *ly = ctx;
  sb_config *cfg = ly->cfg;
  return set_flag(&cfg->quiet, opt, val, err);
}

/* --preset and -c are applied by cfg_parse before any other layer; a
 * config file cannot name another. */
static int set_first(void *ctx, const char *opt, const char *val, sb_error *err)
{
  (void)val;
  if (((layer *)ctx)->is_file && !strcmp(opt, "config"))
    return sb_fail(err, SB_EUSAGE, "--config: a config file cannot read another (give -c on the command line)");
  return SB_OK;
}

/* Which commands have an option (cli_def.scope); 0 is both. */
enum { FOR_BOTH = 0, FOR_RUN = 1, FOR_GRID = 2 };

static const cli_def options[] = {
  { "config", 'c', CLI_VALUE, set_first, "FILE", "read `key = value` lines ('#' comments)", FOR_BOTH },
  { "preset", 0, CLI_VALUE, set_first, "NAME", "start from a named preset (satbench list presets)", FOR_BOTH },
  { "activations", 0, CLI_VALUE, set_acts, "LIST", "activations, e.g. sigmoid,tanh,relu (satbench list activations)", FOR_BOTH },
  { "inits", 0, CLI_VALUE, set_inits, "LIST", "initializations, e.g. standard,he_normal,normal:0.05", FOR_BOTH },
  { "depths", 0, CLI_VALUE, set_depths, "LIST", "hidden layers: 2,5,10 or a range 2:50:4", FOR_BOTH },
  { "widths", 0, CLI_VALUE, set_widths, "LIST", "hidden units per layer: 128 or 64,256", FOR_BOTH },
  { "norms", 0, CLI_VALUE, set_norms, "LIST", "normalization before phi: none, batchnorm, layernorm", FOR_BOTH },
  { "residual", 0, CLI_VALUE, set_residuals, "LIST", "skip connections: none (or 0), or every k layers (1 = every layer), e.g. none,1", FOR_BOTH },
  { "residual-scale", 0, CLI_VALUE, set_res_scale, "S", "scale of the residual branch, a number or 1/sqrt(depth): a = a_prev + S phi(h) (default 1)", FOR_BOTH },
  { "seeds", 0, CLI_VALUE, set_seeds, "N", "run seed indices 0..N-1", FOR_GRID },
  { "seed-index", 0, CLI_VALUE, set_seed_index, "K", "the seed index of the one cell", FOR_RUN },
  { "seed", 0, CLI_VALUE, set_master, "MASTER", "master seed: every random stream derives from it", FOR_BOTH },
  { "dataset", 0, CLI_VALUE, set_dataset, "NAME", "gaussian, mixture, spirals, shapeset, idx:PATH or csv:PATH", FOR_BOTH },
  { "input-dim", 0, CLI_VALUE, set_input_dim, "N", "features per example (shapeset and files set their own)", FOR_BOTH },
  { "classes", 0, CLI_VALUE, set_classes, "N", "number of classes (shapeset and files set their own)", FOR_BOTH },
  { "dataset-digest", 0, CLI_VALUE, set_digest, "fnv1a64:HEX", "refuse a file dataset with other contents (as table headers show)", FOR_BOTH },
  { "input-scale", 0, CLI_VALUE, set_input_scale, "HOW", "unit, standard or none (default: unit for idx and shapeset, standard for csv, none otherwise)", FOR_BOTH },
  { "train-size", 0, CLI_VALUE, set_train_size, "N", "training examples", FOR_BOTH },
  { "test-size", 0, CLI_VALUE, set_test_size, "N", "test examples", FOR_BOTH },
  { "epochs", 0, CLI_VALUE, set_epochs, "N", "passes over the training set (floor(train/batch) steps each)", FOR_BOTH },
  { "steps", 0, CLI_VALUE, set_steps, "N", "optimizer steps; 0 measures at initialization only", FOR_BOTH },
  { "batch", 0, CLI_VALUE, set_batch, "N", "mini-batch size", FOR_BOTH },
  { "lrs", 0, CLI_VALUE, set_lrs, "LIST", "learning rates, e.g. 0.01,0.1,1", FOR_BOTH },
  { "lr", 0, CLI_VALUE, set_lrs, "X", "one learning rate (the same axis as --lrs)", FOR_BOTH },
  { "optimizers", 0, CLI_VALUE, set_opts, "LIST", "sgd, momentum (0.9), adam (0.9, 0.999, 1e-8)", FOR_BOTH },
  { "optimizer", 0, CLI_VALUE, set_opts, "NAME", "one optimizer (the same axis as --optimizers)", FOR_BOTH },
  { "losses", 0, CLI_VALUE, set_losses, "LIST", "xent (softmax cross-entropy), mse (1/2 squared error, linear output)", FOR_BOTH },
  { "loss", 0, CLI_VALUE, set_losses, "NAME", "one loss (the same axis as --losses)", FOR_BOTH },
  { "precisions", 0, CLI_VALUE, set_precs, "LIST", "arithmetic emulated: fp64 (none, the default), fp32, bf16, fp16, fp8e5m2, fp8e4m3 (satbench list precisions)", FOR_BOTH },
  { "loss-scales", 0, CLI_VALUE, set_lscales, "LIST", "loss scales: numbers (1: none, the default) or dynamic (x2 after --loss-scale-window finite steps, /2 and the step skipped on inf/NaN)", FOR_BOTH },
  { "archs", 0, CLI_VALUE, set_archs, "LIST", "architectures: mlp (the default), rnn (Elman), lstm, gru; a recurrent cell's depth is its sequence length T, its width the hidden size", FOR_BOTH },
  { "clips", 0, CLI_VALUE, set_clips, "LIST", "recurrent cells: clip the gradient to global norm X (Pascanu et al. 2013; 0: none, the default), e.g. 0,1", FOR_BOTH },
  { "clip", 0, CLI_VALUE, set_clips, "X", "one clipping norm (the same axis as --clips)", FOR_BOTH },
  { "forget-biases", 0, CLI_VALUE, set_fbiases, "LIST", "LSTM: added to the forget gate's biases (default 0; 1 as Gers et al. 2000), e.g. 0,1", FOR_BOTH },
  { "forget-bias", 0, CLI_VALUE, set_fbiases, "X", "one forget-gate bias (the same axis as --forget-biases)", FOR_BOTH },
  { "loss-scale-window", 0, CLI_VALUE, set_lscale_window, "N", "finite steps before a dynamic loss scale doubles (default 2000, as PyTorch's GradScaler)", FOR_BOTH },
  { "log-every", 0, CLI_VALUE, set_log_every, "N", "probe every N steps (0: none between the first and the last)", FOR_BOTH },
  { "log-schedule", 0, CLI_VALUE, set_log_schedule, "HOW", "linear (every --log-every) or log (also at 1, 2, 5, 10, 20, ...)", FOR_BOTH },
  { "probe-size", 0, CLI_VALUE, set_probe_size, "N", "examples of the probe set (default 256, or the whole split if smaller)", FOR_BOTH },
  { "probe-split", 0, CLI_VALUE, set_probe_split, "SPLIT", "the split the probe set is drawn from: train (default) or test", FOR_BOTH },
  { "eval-size", 0, CLI_VALUE, set_eval_size, "N", "examples of each split's evaluation subset for curves.tsv (default 512)", FOR_BOTH },
  { "jacobian", 0, CLI_VALUE, set_jacobian, "N", "singular values of the input-output Jacobian for N probe inputs (spectra.tsv; 0 = off, the default)", FOR_BOTH },
  { "jacobian-at", 0, CLI_VALUE, set_jacobian_at, "WHEN", "all (every logged step, the default) or init", FOR_BOTH },
  { "histograms", 0, CLI_VALUE, set_histograms, "WHEN", "hist.tsv at the first probe and the last step (ends, the default), none, or all probes", FOR_GRID },
  { "sat-threshold", 0, CLI_VALUE, set_tau, "TAU", "saturated: in a tail of phi with |phi'(h)|/max|phi'| < TAU (default 0.05)", FOR_BOTH },
  { "gemm", 0, CLI_VALUE, set_gemm, "LIB", "the GEMM's library: auto (the faster for each shape on this CPU, the default), libxsmm or cblas", FOR_BOTH },
  { "threads", 0, CLI_VALUE, set_threads, "N", "worker threads (default: OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK, else all cores)", FOR_GRID },
  { "shard", 0, CLI_VALUE, set_shard, "K/N", "run only shard K of N (0 <= K < N) into a shared --out; records only: satbench merge makes the tables", FOR_GRID },
  { "out", 0, CLI_VALUE, set_out, "DIR", "output directory (default data/)", FOR_GRID },
  { "resume", 0, CLI_BOOL, set_resume, NULL, "continue an interrupted grid in --out", FOR_GRID },
  { "compress", 0, CLI_BOOL, set_compress, NULL, "write the tables gzip-compressed, as NAME.tsv.gz", FOR_GRID },
  { "keep-records", 0, CLI_BOOL, set_keep_records, NULL, "keep records/cell-*.rec after the tables are complete (default: removed once merged)", FOR_GRID },
  { "quiet", 0, CLI_BOOL, set_quiet, NULL, "no progress or summary on stderr", FOR_BOTH },
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static cli_parser parser_of(cfg_command cmd)
{
  cli_parser p = { options, N_OPTIONS, NULL, cmd == CMD_RUN ? "satbench run" : "satbench grid", 0,
                   cmd == CMD_RUN ? FOR_RUN : FOR_GRID };
  return p;
}

/* Config files may spell keys with '_' for '-'. */
static const cli_def *find_option(const char *name, cfg_command cmd)
{
  char canon[64];
  size_t i = 0;
  for (; name[i] && i + 1 < sizeof canon; i++) canon[i] = name[i] == '_' ? '-' : name[i];
  canon[i] = '\0';
  cli_parser p = parser_of(cmd);
  return cli_find(&p, canon);
}

int cfg_key_is_list(const char *key)
{
  const cli_def *o = find_option(key, CMD_GRID);
  return o && o->arg && !strcmp(o->arg, "LIST");
}

/* ---- the axes ---------------------------------------------------------- */

static void text_act(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%s", act_name(c->acts[i].kind)); }
static void text_init(const sb_config *c, size_t i, char *b, size_t n) { init_format(&c->inits[i], b, n); }
static void text_depth(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%zu", c->depths[i]); }
static void text_width(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%zu", c->widths[i]); }
static void text_norm(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%s", norm_name(c->norms[i])); }
/* A number in every table (0: no skip), so that the column is numeric. */
static void text_residual(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%zu", c->residuals[i]); }
static void text_lr(const sb_config *c, size_t i, char *b, size_t n) { num_format(b, n, c->lrs[i]); }
static void text_opt(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%s", opt_name(c->opts[i])); }
static void text_loss(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%s", loss_name(c->losses[i])); }
static void text_prec(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%s", prec_name(c->precs[i])); }
static void text_arch(const sb_config *c, size_t i, char *b, size_t n) { snprintf(b, n, "%s", rnn_arch_name(c->archs[i])); }
static void text_clip(const sb_config *c, size_t i, char *b, size_t n) { num_format(b, n, c->clips[i]); }
static void text_fbias(const sb_config *c, size_t i, char *b, size_t n) { num_format(b, n, c->fbiases[i]); }
static void text_lscale(const sb_config *c, size_t i, char *b, size_t n)
{
  if (c->lscales[i] == 0.0) snprintf(b, n, "dynamic");
  else num_format(b, n, c->lscales[i]);
}

/* One row per axis, in the cell index's order: its column, its option, and
 * where its values are. */
static const struct axis_info {
  const char *column, *option;
  size_t offset;   /* of the axis's count in sb_config */
  void (*text)(const sb_config *cfg, size_t i, char *buf, size_t size);
  cfg_type type;   /* of its values in the tables and the manifest */
  const char *dflt;  /* an optional column: the text of the default every row has without it (cfg_axis_default) */
  unsigned group;    /* an optional column's group (cfg_axis_group) */
} axes[] = {
  [AXIS_ACT]   = { "activation", "activations", offsetof(sb_config, n_acts), text_act, CFG_STRING, NULL },
  [AXIS_INIT]  = { "init", "inits", offsetof(sb_config, n_inits), text_init, CFG_STRING, NULL },
  [AXIS_DEPTH] = { "depth", "depths", offsetof(sb_config, n_depths), text_depth, CFG_INTEGER, NULL },
  [AXIS_WIDTH] = { "width", "widths", offsetof(sb_config, n_widths), text_width, CFG_INTEGER, NULL },
  [AXIS_NORM]  = { "norm", "norms", offsetof(sb_config, n_norms), text_norm, CFG_STRING, NULL },
  [AXIS_RESIDUAL] = { "residual", "residual", offsetof(sb_config, n_residuals), text_residual, CFG_INTEGER, NULL },
  [AXIS_LR]    = { "lr", "lrs", offsetof(sb_config, n_lrs), text_lr, CFG_REAL, NULL },
  [AXIS_OPT]   = { "optimizer", "optimizers", offsetof(sb_config, n_opts), text_opt, CFG_STRING, NULL },
  [AXIS_LOSS]  = { "loss", "losses", offsetof(sb_config, n_losses), text_loss, CFG_STRING, NULL },
  [AXIS_PREC]  = { "precision", "precisions", offsetof(sb_config, n_precs), text_prec, CFG_STRING, "fp64", CFG_GROUP_PREC },
  /* "dynamic" among numbers: a name column */
  [AXIS_LSCALE] = { "loss_scale", "loss-scales", offsetof(sb_config, n_lscales), text_lscale, CFG_STRING, "1", CFG_GROUP_PREC },
  [AXIS_ARCH]  = { "arch", "archs", offsetof(sb_config, n_archs), text_arch, CFG_STRING, "mlp", CFG_GROUP_RNN },
  [AXIS_CLIP]  = { "clip", "clips", offsetof(sb_config, n_clips), text_clip, CFG_REAL, "0", CFG_GROUP_RNN },
  [AXIS_FBIAS] = { "forget_bias", "forget-biases", offsetof(sb_config, n_fbiases), text_fbias, CFG_REAL, "0", CFG_GROUP_RNN },
};

unsigned cfg_axis_group(cfg_axis k) { return (unsigned)k < AXIS_COUNT ? axes[k].group : 0u; }

const char *cfg_axis_default(cfg_axis k) { return (unsigned)k < AXIS_COUNT ? axes[k].dflt : NULL; }

static int leaves_default(const sb_config *cfg, unsigned group)
{
  for (int k = 0; k < AXIS_COUNT; k++) {
    if (axes[k].group != group) continue;
    for (size_t i = 0; i < cfg_axis_len(cfg, (cfg_axis)k); i++) {
      char b[64];
      axes[k].text(cfg, i, b, sizeof b);
      if (strcmp(b, axes[k].dflt)) return 1;
    }
  }
  return 0;
}

int cfg_emulates(const sb_config *cfg) { return leaves_default(cfg, CFG_GROUP_PREC); }
int cfg_recurrent(const sb_config *cfg) { return leaves_default(cfg, CFG_GROUP_RNN); }

static const struct axis_info *axis_of_option(const char *option)
{
  for (int k = 0; k < AXIS_COUNT; k++)
    if (!strcmp(axes[k].option, option)) return &axes[k];
  return NULL;
}

cfg_type cfg_key_type(const char *key, int *list)
{
  const cli_def *o = find_option(key, CMD_GRID);
  if (!o) o = find_option(key, CMD_RUN);
  *list = 0;
  if (!o) return CFG_STRING;
  if (o->kind != CLI_VALUE) return CFG_BOOL;
  if (!strcmp(o->arg, "LIST")) {
    const struct axis_info *ax = axis_of_option(o->name);
    *list = 1;
    return ax ? ax->type : CFG_STRING;
  }
  static const struct { const char *arg; cfg_type type; } args[] = {
    { "N", CFG_INTEGER }, { "K", CFG_INTEGER }, { "MASTER", CFG_INTEGER }, { "X", CFG_REAL }, { "TAU", CFG_REAL },
  };
  for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
    if (!strcmp(o->arg, args[i].arg)) return args[i].type;
  return CFG_STRING;
}
_Static_assert(sizeof axes / sizeof axes[0] == AXIS_COUNT, "one axis_info per cfg_axis");

const char *cfg_axis_name(cfg_axis k) { return (unsigned)k < AXIS_COUNT ? axes[k].column : "?"; }
static const char *cfg_axis_option(int k) { return axes[k].option; }

size_t cfg_axis_len(const sb_config *cfg, cfg_axis k)
{
  return *(const size_t *)((const char *)cfg + axes[k].offset);
}

void cfg_axis_text(const sb_config *cfg, cfg_axis k, size_t i, char *buf, size_t size)
{
  axes[k].text(cfg, i, buf, size);
}

size_t cfg_n_cells(const sb_config *cfg)
{
  size_t n = cfg->cmd == CMD_GRID ? cfg->seeds : 1;
  for (int k = 0; k < AXIS_COUNT; k++) n *= cfg_axis_len(cfg, (cfg_axis)k);
  return n;
}

/* ---- presets ---------------------------------------------------------- */

typedef struct preset_def {
  const char *name, *about;
  const char *const *kv;  /* "key=value" pairs, NULL-terminated */
} preset_def;

/* Settings shared by the default presets: a learnable task that trains in
 * seconds, with SGD as in the papers. */
#define COMMON_KV "dataset=gaussian", "input-dim=32", "classes=10", "train-size=4096", \
                  "test-size=1024", "batch=32", "lr=0.05", "optimizer=sgd", "loss=xent", \
                  "sat-threshold=0.05", "seed=1"

/* The default: the three activations under Glorot's, Xavier's and He's
 * inits across depth, trained by SGD and by Adam at the same learning
 * rate, which for Adam is 50 times its usual 1e-3: SGD shows vanishing
 * gradients and trainability against depth, Adam how units saturate (and
 * ReLUs die) within ten updates.  Width 32 keeps it to seconds. */
static const char *const quick_kv[] = {
  "activations=sigmoid,tanh,relu", "inits=standard,xavier_normal,he_normal",
  "depths=2,5,10,20", "widths=32", "seeds=3", COMMON_KV, "optimizers=sgd,adam", "steps=1000",
  "log-every=0", "log-schedule=log", NULL
};
/* Saturation as it develops in training: depth-5 nets of 128 units under
 * Xavier's init, learning rates 0.01, 0.1 and 1 for SGD and Adam, probed
 * on a log schedule: tanh saturates gradually under SGD at lr 1 and
 * within ten updates under Adam at 0.1, sigmoid likewise under Adam, and
 * ReLUs die during training (SGD at lr 1, Adam at 0.1). */
static const char *const saturation_kv[] = {
  "activations=sigmoid,tanh,relu", "inits=xavier_normal", "depths=5", "widths=128", "seeds=3",
  COMMON_KV, "lrs=0.01,0.1,1", "optimizers=sgd,adam", "steps=2000", "log-every=0", "log-schedule=log", NULL
};
static const char *const cell_kv[] = {
  "activations=tanh", "inits=standard", "depths=10", "widths=64", "seed-index=0",
  COMMON_KV, "steps=1000", "log-every=100", NULL
};

/* Glorot & Bengio (2010): sigmoid, tanh and softsign nets of 4-5 hidden
 * layers on Shapeset, "standard" against normalized init, SGD on
 * mini-batches of 10.  Width 256 instead of 1000 keeps it to minutes;
 * --widths 1000 is the paper's size. */
static const char *const glorot_kv[] = {
  "activations=sigmoid,tanh,softsign", "inits=standard,xavier_uniform", "depths=4,5", "widths=256",
  "seeds=3", "seed=1", "dataset=shapeset", "train-size=20000", "test-size=1000", "batch=10",
  "lr=0.1", "optimizer=sgd", "loss=xent", "sat-threshold=0.05", "steps=5000", "log-every=250", NULL
};
/* He et al. (2015), their Figure 3 question at MLP scale: ReLU nets of 22
 * and 30 layers, Xavier against He init.  The contrast needs the budget:
 * at 2000 steps neither Xavier net has started; by 10000 the 22-layer
 * one has converged and the 30-layer one has not. */
static const char *const he_kv[] = {
  "activations=relu", "inits=xavier_normal,he_normal", "depths=22,30", "widths=128", "seeds=3",
  COMMON_KV, "lr=0.02", "steps=10000", "log-every=500", "log-schedule=log", NULL
};
/* Poole et al. (2016) / Schoenholz et al. (2017): tanh across the
 * order-to-chaos transition at sigma_b2 = 0.05 (critical sigma_w2 1.761),
 * measured at initialization. */
static const char *const meanfield_kv[] = {
  "activations=tanh",
  "inits=meanfield:0.5:0.05,meanfield:1:0.05,meanfield:1.5:0.05,critical:0.05,meanfield:2:0.05,"
  "meanfield:3:0.05,meanfield:4:0.05",
  "depths=10,20,30,50", "widths=256", "seeds=3", COMMON_KV, "train-size=1024", "test-size=256",
  "steps=0", "log-every=0", NULL
};

/* The remedies side by side (Ioffe & Szegedy 2015; residual nets): under
 * Glorot's standard init, where plain sigmoid nets saturate and every
 * plain net's gradient vanishes with depth, batch and layer norm, and
 * skip connections with the branch scaled by 1/sqrt(depth). */
static const char *const remedies_kv[] = {
  "activations=sigmoid,tanh,relu", "inits=standard", "depths=5,10,20,50", "widths=32", "seeds=3",
  "norms=none,batchnorm,layernorm", "residual=none,1", "residual-scale=1/sqrt(depth)", COMMON_KV,
  "steps=1000", "log-every=0", "log-schedule=log", NULL
};
/* Dynamical isometry (Pennington, Schoenholz & Ganguli 2017): Jacobian
 * spectra at initialization of tanh at its critical point (sigma_w2 = 1,
 * sigma_b2 = 0) and relu at He's, with Gaussian and orthogonal weights,
 * square nets (input-dim = width) of depths 4 to 64. */
static const char *const isometry_kv[] = {
  "activations=tanh,relu", "inits=meanfield:1:0,orthogonal:1,he_normal,orthogonal:1.4142135623730951",
  "depths=4,16,64", "widths=128", "seeds=2", COMMON_KV, "input-dim=128", "train-size=1024", "test-size=256",
  "probe-size=64", "jacobian=8", "jacobian-at=init", "steps=0", "log-every=0", NULL
};

/* Schoenholz et al. (2017), Figs. 5-6: tanh nets over the order-to-chaos
 * transition at sigma_b2 = 0.05 (critical sigma_w2 1.761), depths 6 to 60,
 * trained briefly by SGD: which (sigma_w2, depth) learn, against 6 xi_c. */
static const char *const trainability_kv[] = {
  "activations=tanh",
  "inits=meanfield:1:0.05,meanfield:1.25:0.05,meanfield:1.5:0.05,meanfield:1.75:0.05,meanfield:2:0.05,"
  "meanfield:2.5:0.05,meanfield:3:0.05,meanfield:4:0.05",
  "depths=6:60:6", "widths=64", "seeds=1", COMMON_KV, "lr=0.02", "steps=1000", "probe-size=64",
  "eval-size=256", "log-every=0", NULL
};

/* Mixed precision (Micikevicius et al. 2018): depth-8 sigmoid nets under
 * Xavier's init trained by Adam, whose step does not shrink with the
 * gradient, so that fp64, fp32 and bf16 train.  Batch 128 starts the
 * output error at (p - onehot) / 128: in fp16 without a loss scale the
 * errors of the first layers fall below its smallest subnormal (2^-24)
 * and those layers never move (status flushed); a loss scale of 1024, or
 * the dynamic one (from 2^16, doubling every 200 clean steps here so that
 * it grows and backs off within the run), brings fp16 back. */
static const char *const precision_kv[] = {
  "activations=sigmoid", "inits=xavier_normal", "depths=8", "widths=64", "seeds=2", COMMON_KV, "batch=128",
  "optimizers=adam", "lr=0.01", "precisions=fp64,fp32,bf16,fp16", "loss-scales=1,1024,dynamic",
  "loss-scale-window=200", "steps=1000", "log-every=100", NULL
};

/* Recurrent nets.  Hochreiter & Schmidhuber (1997), experiment 4: the
 * adding problem at T = 25, 50, 100 (lengths T to T + T/10), a tanh Elman
 * RNN against an LSTM, 96,000 training sequences.  Their LSTM had no
 * forget gate (f = 1, the constant error carousel); a forget-gate bias of
 * 5 (f = 0.993 at init) is the nearest the gated cell comes to it
 * (`gates` shows what 0 and 1 do). */
static const char *const hochreiter_kv[] = {
  "archs=rnn,lstm", "activations=tanh", "inits=xavier_normal", "depths=25,50,100", "widths=32", "seeds=2",
  "seed=1", "dataset=adding", "train-size=16384", "test-size=1024", "batch=32", "optimizer=adam", "lr=0.005",
  "loss=mse", "clips=1", "forget-biases=5", "sat-threshold=0.05", "steps=3000", "log-every=250",
  "log-schedule=linear", NULL
};
/* Pascanu, Mikolov & Bengio (2013), their success-rate-against-length
 * template on the temporal-order problem (H&S 1997, 6a): Elman RNNs of 50
 * sigmoid or tanh units, W N(0, 0.1^2) or orthogonal with spectral radius
 * 0.95 (their "smart" tanh init, there sparse), with and without clipping
 * at norm 1, SGD at batch 20, T = 10, 20, 50. */
static const char *const pascanu_kv[] = {
  "archs=rnn", "activations=sigmoid,tanh", "inits=normal:0.1,orthogonal:0.95", "clips=0,1", "depths=10,20,50",
  "widths=50", "seeds=2", "seed=1", "dataset=temporal_order", "train-size=8192", "test-size=1024", "batch=20",
  "optimizer=sgd", "lr=0.05", "loss=xent", "sat-threshold=0.05", "steps=2000", "log-every=250",
  "log-schedule=linear", NULL
};
/* Le, Jaitly & Hinton (2015): the IRNN (ReLU, W_hh = I, W_xh N(0, 0.001^2))
 * against tanh and orthogonal W_hh on the adding problem at T = 50, 100,
 * clipped at norm 1. */
static const char *const le_kv[] = {
  "archs=rnn", "activations=relu,tanh", "inits=identity,orthogonal", "clips=1", "depths=50,100", "widths=64",
  "seeds=2", "seed=1", "dataset=adding", "train-size=16384", "test-size=1024", "batch=32", "optimizer=adam",
  "lr=0.001", "loss=mse", "sat-threshold=0.05", "steps=2000", "log-every=250", "log-schedule=linear", NULL
};
/* Gate saturation with and without a forget-gate bias (Gers et al. 2000;
 * Jozefowicz et al. 2015; Gu et al. 2020): LSTMs with forget bias 0, 1
 * and 5 on the adding problem at T = 50. */
static const char *const gates_kv[] = {
  "archs=lstm", "activations=tanh", "inits=xavier_normal", "forget-biases=0,1,5", "clips=1", "depths=50",
  "widths=32", "seeds=2", "seed=1", "dataset=adding", "train-size=16384", "test-size=1024", "batch=32",
  "optimizer=adam", "lr=0.005", "loss=mse", "sat-threshold=0.05", "steps=3000", "log-every=250",
  "log-schedule=linear", NULL
};

static const preset_def presets[] = {
  { "quick", "default of grid: sigmoid/tanh/relu x standard/xavier_normal/he_normal x depths 2-20 x sgd/adam, 3 seeds", quick_kv },
  { "saturation", "saturation developing in training: sigmoid/tanh/relu, depth 5, lr 0.01/0.1/1 x sgd/adam, 2000 steps", saturation_kv },
  { "cell", "default of run: one tanh net of depth 10 with Glorot's standard init", cell_kv },
  { "glorot2010", "Glorot & Bengio 2010: sigmoid/tanh/softsign x standard/xavier_uniform, 4-5 layers of 256 on Shapeset, SGD batch 10", glorot_kv },
  { "he2015", "He et al. 2015: ReLU nets of 22 and 30 layers, xavier_normal vs he_normal, 10000 steps", he_kv },
  { "remedies", "batch norm, layer norm and skip connections (branch / sqrt(depth)) on sigmoid/tanh/relu under standard init, depths 5-50, 1000 SGD steps", remedies_kv },
  { "isometry", "Pennington 2017: Jacobian spectra at init, tanh at criticality and relu, Gaussian vs orthogonal weights, depths 4-64, width 128", isometry_kv },
  { "trainability", "Schoenholz 2017: tanh at sigma_w2 1-4 (sigma_b2 0.05) x depths 6-60, 1000 SGD steps: trainable depth against 6 xi_c", trainability_kv },
  { "meanfield", "Poole/Schoenholz: tanh across the order-to-chaos transition (sigma_w2 0.5-4, sigma_b2 0.05), depths 10-50, at init", meanfield_kv },
  { "precision", "Micikevicius 2018: fp64/fp32/bf16/fp16 x loss scale 1/1024/dynamic on depth-8 sigmoid nets (Adam): fp16 unscaled flushes the first layers", precision_kv },
  { "hochreiter1997", "Hochreiter & Schmidhuber 1997: the adding problem at T = 25, 50, 100, tanh RNN vs LSTM (forget bias 5), 96,000 sequences", hochreiter_kv },
  { "pascanu2013", "Pascanu 2013: temporal order, success against T = 10-50 for sigmoid/tanh RNNs, N(0, 0.1^2) vs orthogonal 0.95 W_hh, clipping 0/1", pascanu_kv },
  { "le2015", "Le 2015: the IRNN (relu, identity W_hh) vs tanh and orthogonal on the adding problem at T = 50, 100", le_kv },
  { "gates", "LSTM gate saturation with forget-gate bias 0, 1, 5 on the adding problem at T = 50 (Gers 2000, Gu 2020)", gates_kv },
};
#define N_PRESETS (sizeof presets / sizeof presets[0])

static const preset_def *find_preset(const char *name)
{
  for (size_t k = 0; k < N_PRESETS; k++)
    if (!strcmp(name, presets[k].name)) return &presets[k];
  return NULL;
}

/* Each preset's wall time, from bench/preset-times.tsv, the one place it
 * is written (bench/preset-times.sh made the header).  Compiled in rather
 * than read at run time: `satbench list presets` then works from the
 * build folder and installed alike, with no data file to find or miss. */
#include "preset_times.h"

static const char *preset_time(const char *name)
{
  for (const struct preset_time *t = preset_times; t->name; t++)
    if (!strcmp(t->name, name)) return t->text;
  return "run time not measured";
}

void cfg_list_presets(FILE *f)
{
  for (size_t k = 0; k < N_PRESETS; k++) {
    fprintf(f, "%s\t%s; %s\n", presets[k].name, presets[k].about, preset_time(presets[k].name));
    for (const char *const *kv = presets[k].kv; *kv; kv++) fprintf(f, "\t%s\n", *kv);
  }
}

/* ---- completion (satbench list --complete) ------------------------------ */

static void words_out(FILE *f, const char *prefix, const word_set *ws)
{
  for (size_t k = 0; k < ws->n; k++) fprintf(f, "%s%s\n", prefix, ws->names[k]);
}
static void vals_preset(FILE *f, const char *pre) { for (size_t k = 0; k < N_PRESETS; k++) fprintf(f, "%s%s\n", pre, presets[k].name); }
static void vals_act(FILE *f, const char *pre)
{
  for (int k = 0; k < ACT_COUNT; k++) {
    act_fn fn;
    const act_info *ai = act_info_of((act_kind)k);
    if (ai && !act_parse(ai->name, &fn, NULL)) fprintf(f, "%s%s\n", pre, ai->name);
  }
}
static void vals_norm(FILE *f, const char *pre) { for (int k = 0; k < NORM_COUNT; k++) fprintf(f, "%s%s\n", pre, norm_name((norm_kind)k)); }
static void vals_opt(FILE *f, const char *pre) { for (int k = 0; k < OPT_COUNT; k++) fprintf(f, "%s%s\n", pre, opt_name((opt_kind)k)); }
static void vals_loss(FILE *f, const char *pre) { for (int k = 0; k < LOSS_COUNT; k++) fprintf(f, "%s%s\n", pre, loss_name((loss_kind)k)); }
static void vals_residual(FILE *f, const char *pre) { fprintf(f, "%snone\n", pre); }
static void vals_arch(FILE *f, const char *pre) { for (int k = 0; k < ARCH_COUNT; k++) fprintf(f, "%s%s\n", pre, rnn_arch_name((rnn_arch)k)); }
static void vals_prec(FILE *f, const char *pre) { for (int k = 0; k < PREC_COUNT; k++) fprintf(f, "%s%s\n", pre, prec_name((prec_kind)k)); }
static void vals_lscale(FILE *f, const char *pre) { fprintf(f, "%sdynamic\n", pre); }
static void vals_scale(FILE *f, const char *pre)
{
  for (int k = 0; k < DATA_SCALE_COUNT; k++)
    if (k != DATA_SCALE_DEFAULT) fprintf(f, "%s%s\n", pre, data_scale_name((data_scale)k));
}
static void vals_jacobian_at(FILE *f, const char *pre) { words_out(f, pre, &jacobian_at_words); }
static void vals_hist(FILE *f, const char *pre) { words_out(f, pre, &hist_words); }
static void vals_schedule(FILE *f, const char *pre) { words_out(f, pre, &schedule_words); }
static void vals_split(FILE *f, const char *pre) { words_out(f, pre, &split_words); }
static void vals_gemm(FILE *f, const char *pre)
{
  fprintf(f, "%sauto\n", pre);
  if (blas_has_libxsmm()) fprintf(f, "%slibxsmm\n", pre);
  fprintf(f, "%scblas\n", pre);
}

/* The values an option takes, found by its setter (and by name where a
 * setter serves several): an option whose value is a word of a list gets
 * its row here, and tests/completion.sh checks every "(valid: ...)" list
 * against these. */
static const struct option_values {
  cli_setter set;
  const char *name;   /* NULL: every option of that setter */
  void (*values)(FILE *f, const char *prefix);
} option_values[] = {
  { set_first, "preset", vals_preset },
  { set_acts, NULL, vals_act },
  { set_inits, NULL, init_complete },
  { set_norms, NULL, vals_norm },
  { set_residuals, NULL, vals_residual },
  { set_dataset, NULL, data_complete },
  { set_input_scale, NULL, vals_scale },
  { set_opts, NULL, vals_opt },
  { set_losses, NULL, vals_loss },
  { set_precs, NULL, vals_prec },
  { set_archs, NULL, vals_arch },
  { set_lscales, NULL, vals_lscale },
  { set_jacobian_at, NULL, vals_jacobian_at },
  { set_histograms, NULL, vals_hist },
  { set_log_schedule, NULL, vals_schedule },
  { set_probe_split, NULL, vals_split },
  { set_gemm, NULL, vals_gemm },
};

static void (*values_of(const cli_def *o))(FILE *, const char *)
{
  for (size_t k = 0; k < sizeof option_values / sizeof option_values[0]; k++)
    if (option_values[k].set == o->set && (!option_values[k].name || !strcmp(option_values[k].name, o->name)))
      return option_values[k].values;
  return NULL;
}

void cfg_complete(FILE *f, cfg_command cmd, const char *word)
{
  cli_parser p = parser_of(cmd);
  if (!word) { cli_complete(f, &p); return; }
  const cli_def *o = cli_find_word(&p, word);
  void (*values)(FILE *, const char *) = o ? values_of(o) : NULL;
  if (values) values(f, "");
}

void cfg_complete_select(FILE *f)
{
  cli_parser p = parser_of(CMD_GRID);
  for (int a = 0; a < AXIS_COUNT; a++) {
    char pre[64];
    snprintf(pre, sizeof pre, "%s=", axes[a].column);
    fprintf(f, "%s\n", pre);
    const cli_def *o = cli_find(&p, axes[a].option);
    void (*values)(FILE *, const char *) = o ? values_of(o) : NULL;
    if (values) values(f, pre);
  }
  fputs("seed=\n", f);
}

/* Apply one "key=value" (or bare boolean key) of a preset or a config
 * file in the given layer. */
static int apply(layer *ly, const char *key, const char *val, sb_error *err)
{
  const cli_def *o = find_option(key, ly->cfg->cmd);
  cli_parser p = parser_of(ly->cfg->cmd);
  if (!o) return cli_unknown(&p, key, err);
  if (o->kind == CLI_VALUE && !val) return sb_fail(err, SB_EUSAGE, "--%s: needs a value (%s)", o->name, o->arg);
  return o->set(ly, o->name, val, err);
}

static int apply_preset(sb_config *cfg, const char *name, sb_error *err)
{
  const preset_def *p = find_preset(name);
  if (!p) {
    const char *names[N_PRESETS];
    for (size_t k = 0; k < N_PRESETS; k++) names[k] = presets[k].name;
    const char *near = names_nearest(name, names, N_PRESETS);
    if (near) return sb_fail(err, SB_EUSAGE, "--preset: unknown preset '%s' (did you mean '%s'?)", name, near);
    return sb_fail(err, SB_EUSAGE, "--preset: unknown preset '%s' (see satbench list presets)", name);
  }
  layer ly = { cfg, 0, 0, 1, 0 };
  for (const char *const *kv = p->kv; *kv; kv++) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", *kv);
    char *eq = strchr(buf, '=');
    *eq = '\0';
    /* A preset names options of both commands; skip the other command's. */
    if (!find_option(buf, cfg->cmd)) continue;
    int rc = apply(&ly, buf, eq + 1, err);
    if (rc) return sb_prefix(err, "preset %s", name);
  }
  strcpy(cfg->preset, name);
  return SB_OK;
}

/* ---- config files ----------------------------------------------------- */

/* A config file is read once, whole (it may be a pipe or /dev/stdin),
 * and must be text: these limits are checked, never cut to. */
#define CFG_FILE_MAX (1024 * 1024)   /* bytes */
#define CFG_LINE_MAX 8191            /* bytes of a line, without its newline */

typedef struct file_kv { char key[64]; const char *val; int line; } file_kv;

static char *trim(char *s)
{
  while (isspace((unsigned char)*s)) s++;
  char *e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
  return s;
}

/* Read `key = value` lines ('#' starts a comment) without applying them;
 * the values point into *text, which the caller frees. */
static int read_config_file(const char *path, char **text, file_kv **out, size_t *n, sb_error *err)
{
  *out = NULL;
  *n = 0;
  size_t len;
  char *buf = *text = fileio_read_bounded(path, CFG_FILE_MAX, &len);
  if (!buf) return sb_fail(err, SB_EUSAGE, "-c %s: cannot read: %s", path, strerror(errno));
  const char *nul = memchr(buf, '\0', len);
  if (nul) {
    int at = 1;
    for (const char *q = buf; q < nul; q++) at += *q == '\n';
    return sb_fail(err, SB_EUSAGE, "-c %s:%d: a NUL byte: a binary file, not a config file", path, at);
  }
  if (len > CFG_FILE_MAX)
    return sb_fail(err, SB_EUSAGE, "-c %s: larger than the limit of %d bytes for a config file", path, CFG_FILE_MAX);
  char *p = buf;
  if (!strncmp(p, "\xEF\xBB\xBF", 3)) p += 3;   /* a UTF-8 byte-order mark */
  size_t cap = 0;
  int lineno = 0, rc = SB_OK;
  while (!rc && *p) {
    lineno++;
    char *line = p, *nl = strchr(p, '\n');
    size_t llen = nl ? (size_t)(nl - p) : strlen(p);
    p = nl ? nl + 1 : p + llen;
    line[llen] = '\0';
    if (llen > CFG_LINE_MAX) {
      rc = sb_fail(err, SB_EUSAGE, "%s:%d: the line is %zu bytes long; the limit is %d", path, lineno, llen,
                   CFG_LINE_MAX);
      break;
    }
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *s = trim(line);
    if (!*s) continue;
    char *eq = strchr(s, '=');
    if (!eq) { rc = sb_fail(err, SB_EUSAGE, "%s:%d: expected 'key = value', got '%.200s'", path, lineno, s); break; }
    *eq = '\0';
    char *key = trim(s), *val = trim(eq + 1);
    if (!*key) { rc = sb_fail(err, SB_EUSAGE, "%s:%d: missing key before '='", path, lineno); break; }
    if (strlen(key) >= sizeof (*out)->key) {
      rc = sb_fail(err, SB_EUSAGE, "%s:%d: the key is %zu bytes long; no option is longer than %zu", path, lineno,
                   strlen(key), sizeof (*out)->key - 1);
      break;
    }
    if (*n == cap) {
      cap = cap ? 2 * cap : 16;
      file_kv *grown = realloc(*out, cap * sizeof **out);
      if (!grown) { rc = sb_fail(err, SB_EFAIL, "%s: out of memory", path); break; }
      *out = grown;
    }
    file_kv *kv = &(*out)[(*n)++];
    snprintf(kv->key, sizeof kv->key, "%s", key);
    kv->val = val;
    kv->line = lineno;
  }
  if (rc) { free(*out); *out = NULL; *n = 0; }
  return rc;
}

/* ---- the whole parse -------------------------------------------------- */

static void defaults(sb_config *cfg, cfg_command cmd)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->cmd = cmd;
  cfg->epochs = -1;
  cfg->steps = 0;
  cfg->tau = 0.05;
  cfg->seeds = 1;
  cfg->n_norms = cfg->n_residuals = 1;   /* none: a plain net */
  cfg->norms[0] = NORM_NONE;
  cfg->residuals[0] = 0;
  cfg->res_scale = 1.0;
  cfg->n_precs = cfg->n_lscales = 1;     /* fp64, unscaled: satbench's own arithmetic */
  cfg->precs[0] = PREC_FP64;
  cfg->lscales[0] = 1.0;
  cfg->lscale_window = PREC_DYN_WINDOW;
  cfg->n_archs = cfg->n_clips = cfg->n_fbiases = 1;   /* mlp; no clipping, no forget bias */
  cfg->archs[0] = ARCH_MLP;
  cfg->clips[0] = cfg->fbiases[0] = 0.0;
  cfg->log_every = 0;
  cfg->probe_size = CFG_PROBE_SIZE_DEFAULT;
  cfg->eval_size = CFG_EVAL_SIZE_DEFAULT;
  strcpy(cfg->out, "data");
}

long cfg_total_steps(const sb_config *cfg)
{
  if (cfg->steps >= 0) return cfg->steps;
  size_t per_epoch = cfg->batch ? cfg->data.train_size / cfg->batch : 0;
  return cfg->epochs * (long)per_epoch;
}

/* Set by cfg_parse_folder: the dataset is the one a grid's records were
 * trained on, named by its digest, and is not read. */
static _Thread_local int folder_parse;

/* A folder's file dataset as its config.txt names it: digest, input-dim
 * and classes, all of which it must give. */
static int folder_data(const sb_config *cfg, sb_error *err)
{
  if (!cfg->data.digest || !(cfg->data.given & DATA_GIVEN_DIM) || !(cfg->data.given & DATA_GIVEN_CLASSES))
    return sb_fail(err, SB_EUSAGE, "--dataset: a file dataset, but no dataset-digest, input-dim or classes to take "
                   "it by (a config.txt that satbench did not write?)");
  return SB_OK;
}

static int validate(sb_config *cfg, sb_error *err)
{
  /* Reads a file dataset in full, so a malformed one is refused here,
   * before anything is written. */
  int rc = folder_parse && data_kind_is_file(cfg->data.kind) ? folder_data(cfg, err) : data_resolve(&cfg->data, err);
  if (rc) return rc;
  if ((rc = data_check(&cfg->data, err))) return rc;
  if (cfg->batch > cfg->data.train_size)
    return sb_fail(err, SB_EUSAGE, "--batch: %zu is larger than --train-size %zu", cfg->batch, cfg->data.train_size);
  /* The probe set and the evaluation subsets come from their splits: a
   * size the user gave must fit, the defaults are capped. */
  size_t split = cfg->probe_split == DATA_SPLIT_TEST ? cfg->data.test_size : cfg->data.train_size;
  if (cfg->probe_size > split) {
    if (cfg->probe_size_given)
      return sb_fail(err, SB_EUSAGE, "--probe-size: %zu is larger than the %s split (%zu examples)", cfg->probe_size,
                     cfg->probe_split == DATA_SPLIT_TEST ? "test" : "training", split);
    cfg->probe_size = split;
  }
  if (cfg->jacobian) {
    if (cfg->jacobian > cfg->probe_size)
      return sb_fail(err, SB_EUSAGE, "--jacobian: %zu inputs, but the probe set has %zu (--probe-size)",
                     cfg->jacobian, cfg->probe_size);
    for (size_t i = 0; i < cfg->n_widths; i++)
      if (cfg->widths[i] > JAC_MAX_WIDTH)
        return sb_fail(err, SB_EUSAGE, "--jacobian: width %zu is over the Jacobian probe's limit of %d units",
                       cfg->widths[i], JAC_MAX_WIDTH);
  }
  if (cfg_recurrent(cfg)) {
    /* Recurrent cells have no norm, skip, Jacobian probe or emulated
     * arithmetic (yet): refused rather than silently ignored. */
    if (cfg->n_norms > 1 || cfg->norms[0] != NORM_NONE)
      return sb_fail(err, SB_EUSAGE, "--norms: recurrent cells (--archs) have no normalization; use none");
    if (cfg->n_residuals > 1 || cfg->residuals[0] != 0)
      return sb_fail(err, SB_EUSAGE, "--residual: recurrent cells (--archs) have no skip connections; use none");
    if (cfg->jacobian) return sb_fail(err, SB_EUSAGE, "--jacobian: not measured for recurrent cells (--archs)");
    if (cfg_emulates(cfg))
      return sb_fail(err, SB_EUSAGE, "--precisions, --loss-scales: recurrent cells (--archs) train in fp64 only");
  }
  if (data_kind_is_sequence(cfg->data.kind)) {
    for (size_t a = 0; a < cfg->n_archs; a++)
      if (!rnn_arch_recurrent(cfg->archs[a]))
        return sb_fail(err, SB_EUSAGE, "--archs: the %s task is for recurrent cells (rnn, lstm, gru), whose depth "
                       "is its sequence length; not for mlp", data_kind_name(cfg->data.kind));
    for (size_t i = 0; i < cfg->n_depths; i++)
      if ((rc = data_check_len(&cfg->data, cfg->depths[i], err))) return rc;
    /* a task of real targets (one "class") is a regression */
    for (size_t i = 0; i < cfg->n_losses && cfg->data.classes == 1; i++)
      if (cfg->losses[i] != LOSS_MSE)
        return sb_fail(err, SB_EUSAGE, "--losses: the %s task's targets are real numbers; it needs mse, not %s",
                       data_kind_name(cfg->data.kind), loss_name(cfg->losses[i]));
  }
  int lstm = 0;
  for (size_t a = 0; a < cfg->n_archs; a++) lstm |= cfg->archs[a] == ARCH_LSTM;
  if (!lstm && (cfg->n_fbiases > 1 || cfg->fbiases[0] != 0.0))
    return sb_fail(err, SB_EUSAGE, "--forget-biases: only the LSTM has a forget gate, and --archs has none");
  for (size_t i = 0; i < cfg->n_inits; i++)
    for (size_t a = 0; a < cfg->n_archs; a++)
      if (cfg->inits[i].kind == INIT_IDENTITY && !rnn_arch_recurrent(cfg->archs[a]))
        return sb_fail(err, SB_EUSAGE, "--inits: identity is for recurrent cells' W_hh, and --archs has mlp");
  for (size_t a = 0; a < cfg->n_archs; a++) {
    if (!rnn_arch_recurrent(cfg->archs[a]) || data_kind_is_sequence(cfg->data.kind)) continue;
    for (size_t i = 0; i < cfg->n_depths; i++)
      if (cfg->data.input_dim % cfg->depths[i])
        return sb_fail(err, SB_EUSAGE, "--depths: a recurrent cell reads an example's %zu features as depth "
                       "steps, and %zu does not divide them", cfg->data.input_dim, cfg->depths[i]);
  }
  /* The cells are counted in double, before anything multiplies sizes by
   * their number: 1024 values on each of the nine axes and 100000 seeds
   * would overflow any integer. */
  double cells = cfg->cmd == CMD_GRID ? (double)cfg->seeds : 1.0;
  for (int k = 0; k < AXIS_COUNT; k++) cells *= (double)cfg_axis_len(cfg, (cfg_axis)k);
  if (cells > CFG_MAX_CELLS || cells > (double)(SIZE_MAX / 1024)) {
    char how[512] = "";
    size_t len = 0;
    for (int k = 0; k < AXIS_COUNT && len < sizeof how; k++)
      if (cfg_axis_len(cfg, (cfg_axis)k) > 1)
        len += (size_t)snprintf(how + len, sizeof how - len, "%s--%s %zu", len ? " x " : "", cfg_axis_option(k),
                                cfg_axis_len(cfg, (cfg_axis)k));
    if (len < sizeof how && cfg->cmd == CMD_GRID && cfg->seeds > 1)
      snprintf(how + len, sizeof how - len, "%s--seeds %zu", len ? " x " : "", cfg->seeds);
    char count[64];
    if (cells < 9007199254740992.0) snprintf(count, sizeof count, "%.0f", cells);
    else snprintf(count, sizeof count, "%.4g (about 2^%.1f)", cells, log2(cells));
    return sb_fail(err, SB_EUSAGE, "the grid has %s cells (%s); at most %.0f (2^32) can be run: give fewer values",
                   count, how, CFG_MAX_CELLS);
  }
  if (cfg->cmd == CMD_RUN) {
    for (int k = 0; k < AXIS_COUNT; k++)
      if (cfg_axis_len(cfg, (cfg_axis)k) != 1)
        return sb_fail(err, SB_EUSAGE, "--%s: 'satbench run' runs one cell; give one value (or use 'satbench grid')",
                       cfg_axis_option(k));
  }
  /* `critical` is resolved per cell, but whether every activation of the
   * grid has an edge of chaos at that SB2 is known now: gelu and swish have
   * none at small SB2, where chi_1 jumps over 1 (theory.h). */
  theory_work *tw = NULL;
  for (size_t i = 0; i < cfg->n_inits && !rc; i++) {
    if (cfg->inits[i].kind != INIT_CRITICAL) continue;
    if (!tw && !(tw = theory_alloc())) return sb_fail(err, SB_EFAIL, "out of memory");
    for (size_t a = 0; a < cfg->n_acts && !rc; a++) {
      init_spec s = cfg->inits[i];
      if ((rc = theory_resolve_init(tw, &cfg->acts[a], &s, err))) {
        char text[64];
        init_format(&cfg->inits[i], text, sizeof text);
        rc = sb_prefix(err, "--inits: '%s'", text);
      }
    }
  }
  theory_free(tw);
  return rc;
}

/* One -c file, read whole before any layer is applied. */
typedef struct cfg_file {
  const char *path;
  char *text;
  file_kv *kvs;
  size_t n;
} cfg_file;

int cfg_parse(sb_config *cfg, cfg_command cmd, int argc, char **argv, FILE *help, sb_error *err)
{
  defaults(cfg, cmd);
  if (cli_wants_help(argc, argv)) { if (help) cfg_usage(help, cmd); return -1; }
  cli_parser p = parser_of(cmd);
  /* Pass 1: find --preset and every -c on the command line (and refuse
   * what is not an option before reading any file). */
  const char *cl_preset = NULL;
  cfg_file *files = calloc(argc > 0 ? (size_t)argc : 1, sizeof *files);
  if (!files) return sb_fail(err, SB_EFAIL, "out of memory");
  size_t n_files = 0;
  int rc = SB_OK;
  for (int i = 0; i < argc;) {
    const cli_def *o;
    const char *val;
    if ((rc = cli_next(&p, argc, argv, &i, &o, &val, err))) { free(files); return rc; }
    if (!strcmp(o->name, "preset")) cl_preset = val;
    if (!strcmp(o->name, "config")) files[n_files++].path = val;
  }
  /* Several -c files apply in their order, each a layer of its own: a
   * later one overrides an earlier one, the command line overrides all. */
  const char *file_preset = NULL, *file_preset_path = NULL;
  int file_preset_line = 0;
  for (size_t f = 0; f < n_files && !rc; f++) {
    rc = read_config_file(files[f].path, &files[f].text, &files[f].kvs, &files[f].n, err);
    for (size_t k = 0; k < files[f].n; k++)
      if (!strcmp(files[f].kvs[k].key, "preset")) {
        file_preset = files[f].kvs[k].val;
        file_preset_path = files[f].path;
        file_preset_line = files[f].kvs[k].line;
      }
  }
  if (rc) goto out;
  /* Layer 1: the preset (command line > the last file naming one > the
   * command's default). */
  const char *preset = cl_preset ? cl_preset : file_preset ? file_preset : cmd == CMD_RUN ? "cell" : "quick";
  if ((rc = apply_preset(cfg, preset, err))) {
    if (!cl_preset && file_preset) rc = sb_prefix(err, "%s:%d", file_preset_path, file_preset_line);
    goto out;
  }
  /* Layer 2: the config files, in order. */
  for (size_t f = 0; f < n_files; f++) {
    layer fl = { cfg, 0, 0, 0, 1 };
    for (size_t k = 0; k < files[f].n; k++) {
      if (!strcmp(files[f].kvs[k].key, "preset")) continue;
      if ((rc = apply(&fl, files[f].kvs[k].key, files[f].kvs[k].val, err))) {
        rc = sb_prefix(err, "%s:%d", files[f].path, files[f].kvs[k].line);
        goto out;
      }
    }
  }
  /* Layer 3: the command line. */
  layer cl = { cfg, 0, 0, 0, 0 };
  for (int i = 0; i < argc;) {
    const cli_def *o;
    const char *val;
    if ((rc = cli_next(&p, argc, argv, &i, &o, &val, err)) || (rc = o->set(&cl, o->name, val, err))) goto out;
  }
  rc = validate(cfg, err);
out:
  for (size_t f = 0; f < n_files; f++) {
    free(files[f].kvs);
    free(files[f].text);
  }
  free(files);
  return rc;
}

int cfg_parse_folder(sb_config *cfg, const char *conf, const char *out, sb_error *err)
{
  char *argv[] = { "--config", (char *)conf, "--out", (char *)out, "--quiet" };
  folder_parse = 1;
  int rc = cfg_parse(cfg, CMD_GRID, 5, argv, NULL, err);
  folder_parse = 0;
  return rc;
}

int cfg_write(const sb_config *cfg, FILE *f, const char *prefix)
{
  fprintf(f, "%spreset = %s\n", prefix, cfg->preset);
  fprintf(f, "%sactivations = ", prefix);
  for (size_t i = 0; i < cfg->n_acts; i++) fprintf(f, "%s%s", i ? "," : "", act_name(cfg->acts[i].kind));
  fprintf(f, "\n%sinits = ", prefix);
  for (size_t i = 0; i < cfg->n_inits; i++) {
    char b[64];
    init_format(&cfg->inits[i], b, sizeof b);
    fprintf(f, "%s%s", i ? "," : "", b);
  }
  fprintf(f, "\n%sdepths = ", prefix);
  for (size_t i = 0; i < cfg->n_depths; i++) fprintf(f, "%s%zu", i ? "," : "", cfg->depths[i]);
  fprintf(f, "\n%swidths = ", prefix);
  for (size_t i = 0; i < cfg->n_widths; i++) fprintf(f, "%s%zu", i ? "," : "", cfg->widths[i]);
  fprintf(f, "\n");
  if (cfg->cmd == CMD_GRID) fprintf(f, "%sseeds = %zu\n", prefix, cfg->seeds);
  else fprintf(f, "%sseed-index = %lu\n", prefix, cfg->seed_index);
  fprintf(f, "%sseed = %lu\n", prefix, cfg->master_seed);
  char dsname[DATA_PATH_MAX + 16];
  fprintf(f, "%sdataset = %s\n", prefix, data_format(&cfg->data, dsname, sizeof dsname));
  if (data_kind_is_file(cfg->data.kind))
    fprintf(f, "%sdataset-digest = fnv1a64:%016llx\n", prefix, (unsigned long long)cfg->data.digest);
  fprintf(f, "%sinput-scale = %s\n", prefix, data_scale_name(data_scale_of(&cfg->data)));
  fprintf(f, "%sinput-dim = %zu\n", prefix, cfg->data.input_dim);
  fprintf(f, "%sclasses = %zu\n", prefix, cfg->data.classes);
  fprintf(f, "%strain-size = %zu\n", prefix, cfg->data.train_size);
  fprintf(f, "%stest-size = %zu\n", prefix, cfg->data.test_size);
  if (cfg->steps >= 0) fprintf(f, "%ssteps = %ld\n", prefix, cfg->steps);
  else fprintf(f, "%sepochs = %ld\n%s# steps = %ld\n", prefix, cfg->epochs, prefix, cfg_total_steps(cfg));
  fprintf(f, "%sbatch = %zu\n", prefix, cfg->batch);
  static const struct { const char *key; cfg_axis axis; } axis_keys[] = {
    { "norms", AXIS_NORM }, { "residual", AXIS_RESIDUAL }, { "lrs", AXIS_LR }, { "optimizers", AXIS_OPT }, { "losses", AXIS_LOSS },
  };
  for (size_t k = 0; k < sizeof axis_keys / sizeof axis_keys[0]; k++) {
    fprintf(f, "%s%s = ", prefix, axis_keys[k].key);
    for (size_t i = 0; i < cfg_axis_len(cfg, axis_keys[k].axis); i++) {
      char b[64];
      cfg_axis_text(cfg, axis_keys[k].axis, i, b, sizeof b);
      fprintf(f, "%s%s", i ? "," : "", b);
    }
    fputc('\n', f);
  }
  /* The arithmetic only when it is not fp64 unscaled: a grid of before
   * keeps its fingerprint. */
  if (cfg_emulates(cfg)) {
    static const struct { const char *key; cfg_axis axis; } prec_keys[] = {
      { "precisions", AXIS_PREC }, { "loss-scales", AXIS_LSCALE },
    };
    int dynamic = 0;
    for (size_t i = 0; i < cfg->n_lscales; i++) dynamic |= cfg->lscales[i] == 0.0;
    for (size_t k = 0; k < sizeof prec_keys / sizeof prec_keys[0]; k++) {
      fprintf(f, "%s%s = ", prefix, prec_keys[k].key);
      for (size_t i = 0; i < cfg_axis_len(cfg, prec_keys[k].axis); i++) {
        char b[64];
        cfg_axis_text(cfg, prec_keys[k].axis, i, b, sizeof b);
        fprintf(f, "%s%s", i ? "," : "", b);
      }
      fputc('\n', f);
    }
    if (dynamic) fprintf(f, "%sloss-scale-window = %ld\n", prefix, cfg->lscale_window);
  }
  /* The architecture only when some cell is recurrent: likewise. */
  if (cfg_recurrent(cfg)) {
    static const cfg_axis rnn_keys[] = { AXIS_ARCH, AXIS_CLIP, AXIS_FBIAS };
    for (size_t k = 0; k < sizeof rnn_keys / sizeof rnn_keys[0]; k++) {
      fprintf(f, "%s%s = ", prefix, cfg_axis_option(rnn_keys[k]));
      for (size_t i = 0; i < cfg_axis_len(cfg, rnn_keys[k]); i++) {
        char b[64];
        cfg_axis_text(cfg, rnn_keys[k], i, b, sizeof b);
        fprintf(f, "%s%s", i ? "," : "", b);
      }
      fputc('\n', f);
    }
  }
  char rs[NUM_BUFSIZE];
  if (cfg->res_scale_depth) snprintf(rs, sizeof rs, "1/sqrt(depth)");
  else num_format(rs, sizeof rs, cfg->res_scale);
  fprintf(f, "%sresidual-scale = %s\n", prefix, rs);
  fprintf(f, "%slog-every = %ld\n", prefix, cfg->log_every);
  fprintf(f, "%slog-schedule = %s\n", prefix, cfg->log_schedule == TRAIN_LOG_LOG ? "log" : "linear");
  fprintf(f, "%sprobe-split = %s\n", prefix, cfg->probe_split == DATA_SPLIT_TEST ? "test" : "train");
  fprintf(f, "%sprobe-size = %zu\n", prefix, cfg->probe_size);
  fprintf(f, "%seval-size = %zu\n", prefix, cfg->eval_size);
  char num[NUM_BUFSIZE];
  num_format(num, sizeof num, cfg->tau);
  fprintf(f, "%ssat-threshold = %s\n", prefix, num);
  fprintf(f, "%sjacobian = %zu\n", prefix, cfg->jacobian);
  fprintf(f, "%sjacobian-at = %s\n", prefix, cfg->jacobian_init_only ? "init" : "all");
  if (cfg->gemm != BLAS_GEMM_AUTO)   /* auto's choice is the CPU's; a forced one is the grid's */
    fprintf(f, "%sgemm = %s\n", prefix, blas_gemm_names[cfg->gemm]);
  if (cfg->cmd == CMD_GRID)   /* satbench run writes no hist.tsv */
    fprintf(f, "%shistograms = %s\n", prefix, hist_mode_names[cfg->hist_mode]);
  return ferror(f) ? SB_EFAIL : SB_OK;
}

/* The defaults --help shows: the values of the configuration that no
 * option, file or preset named changes (cfg_write's lines of it: what the
 * preset and defaults() set), so that they cannot drift from the code. */
typedef struct usage_defaults {
  char *text;       /* cfg_write of the default configuration, or NULL */
  char value[1024]; /* the value usage_default returns last */
} usage_defaults;

static const char *usage_default(const cli_def *o, void *ctx)
{
  /* Options that cfg_write does not show, or shows under another name. */
  static const struct { const char *name, *as, *text; } other[] = {
    { "config", NULL, "none" },
    { "dataset-digest", NULL, "any contents" },
    { "epochs", NULL, "none: --steps counts" },
    { "shard", NULL, "the whole grid" },
    /* cfg_write names the arithmetic only when it is not the default */
    { "precisions", NULL, "fp64" }, { "loss-scales", NULL, "1" },
    { "loss-scale-window", NULL, PREC_DYN_WINDOW_TEXT },
    { "clip", "clips", NULL }, { "forget-bias", "forget-biases", NULL },
    { "archs", NULL, "mlp" }, { "clips", NULL, "0 (none)" }, { "forget-biases", NULL, "0" },
    { "lr", "lrs", NULL }, { "optimizer", "optimizers", NULL }, { "loss", "losses", NULL },
  };
  usage_defaults *u = ctx;
  const char *key = o->name;
  if (o->kind != CLI_VALUE) return NULL;   /* a flag is off until given */
  for (size_t k = 0; k < sizeof other / sizeof other[0]; k++)
    if (!strcmp(key, other[k].name)) {
      if (other[k].text) return other[k].text;
      key = other[k].as;
    }
  if (!u->text) return NULL;
  size_t n = strlen(key);
  for (char *line = u->text; *line;) {
    char *end = strchr(line, '\n');
    if (!end) break;
    if (!strncmp(line, key, n) && !strncmp(line + n, " = ", 3)) {
      snprintf(u->value, sizeof u->value, "%.*s", (int)(end - line - n - 3), line + n + 3);
      return u->value;
    }
    line = end + 1;
  }
  return NULL;
}

void cfg_usage(FILE *f, cfg_command cmd)
{
  if (cmd == CMD_RUN)
    fprintf(f, "usage: satbench run [options]\n"
               "Train one cell (one value per axis) and print its per-layer table to stdout.\n\n");
  else
    fprintf(f, "usage: satbench grid [options]\n"
               "Run every cell of activation x init x depth x width x seed in parallel and\n"
               "write cells.tsv, layers.tsv, summary.tsv, hist.tsv and manifest.json to --out.\n\n");
  fprintf(f, "Options (long names are also the keys of a `key = value` config file):\n");
  cli_parser p = parser_of(cmd);
  usage_defaults u = { NULL, "" };
  sb_config *d = malloc(sizeof *d);
  size_t size = 0;
  FILE *mem = d ? open_memstream(&u.text, &size) : NULL;
  sb_error err;
  if (mem && cfg_parse(d, cmd, 0, NULL, NULL, &err) == SB_OK) cfg_write(d, mem, "");
  if (mem && fclose(mem)) { free(u.text); u.text = NULL; }
  free(d);
  cli_usage_defaults(f, &p, usage_default, &u);
  free(u.text);
  fprintf(f, "\nCommand-line values override the config files (several -c apply in order, a later\n"
             "one overriding an earlier), which override the preset\n"
             "(default: %s).  Exit status: 0 ok, 1 a run failed, 2 bad usage or input.\n",
          cmd == CMD_RUN ? "cell" : "quick");
}
