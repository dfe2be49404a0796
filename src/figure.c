/* figure.c - the grid's cells read back, the rows --select keeps, and the
 * writer of one figure's data and script (see figure.h). */
#include <config.h>
#include "figure.h"
#include "fileio.h"
#include "store.h"
#include "table.h"
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fig_cat(char *buf, size_t size, const char *fmt, ...)
{
  size_t n = strlen(buf);
  if (n + 1 >= size) return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(buf + n, size - n, fmt, ap);
  va_end(ap);
  if (w >= 0 && (size_t)w >= size - n && size >= 4) memcpy(buf + size - 4, "...", 4);
}

/* ---- axes ------------------------------------------------------------------- */

int fig_axis_name(const fig_axis *ax, const char *s)
{
  for (size_t k = 0; k < ax->n; k++)
    if (!strcmp(ax->name[k], s)) return (int)k;
  return -1;
}

int fig_axis_val(const fig_axis *ax, size_t v)
{
  for (size_t k = 0; k < ax->n; k++)
    if (ax->val[k] == v) return (int)k;
  return -1;
}

/* s with every number of more than six significant digits written with
 * four ("1.4142135623730951" -> "1.414"); the rest as it is. */
static void short_numbers(const char *s, char *out, size_t size)
{
  size_t o = 0;
  while (*s && o + 1 < size) {
    int starts = isdigit((unsigned char)*s) || (*s == '.' && isdigit((unsigned char)s[1]));
    if (starts) {
      char *end;
      double v = strtod(s, &end);
      size_t digits = 0;
      for (const char *q = s; q < end && *q != 'e' && *q != 'E'; q++) digits += isdigit((unsigned char)*q) != 0;
      int n = digits > 6 && isfinite(v) ? snprintf(out + o, size - o, "%.4g", v)
                                        : snprintf(out + o, size - o, "%.*s", (int)(end - s), s);
      o = n < 0 ? o : o + (size_t)n >= size ? size - 1 : o + (size_t)n;
      s = end;
    } else {
      out[o++] = *s++;
    }
  }
  out[o] = '\0';
}

static int axis_add_name(fig_axis *ax, const char *s)
{
  if (fig_axis_name(ax, s) >= 0) return SB_OK;
  void *g = realloc(ax->name, (ax->n + 1) * sizeof *ax->name);
  if (!g) return SB_EFAIL;
  ax->name = g;
  g = realloc(ax->label, (ax->n + 1) * sizeof *ax->label);
  if (!g) return SB_EFAIL;
  ax->label = g;
  snprintf(ax->name[ax->n], FIG_LABEL_MAX, "%s", s);
  short_numbers(s, ax->label[ax->n], FIG_LABEL_MAX);
  for (size_t k = 0; k < ax->n; k++)   /* the same label: both go by their names */
    if (!strcmp(ax->label[k], ax->label[ax->n])) {
      snprintf(ax->label[k], FIG_LABEL_MAX, "%s", ax->name[k]);
      snprintf(ax->label[ax->n], FIG_LABEL_MAX, "%s", s);
    }
  ax->n++;
  return SB_OK;
}

static int axis_add_val(fig_axis *ax, size_t v)
{
  if (fig_axis_val(ax, v) >= 0) return SB_OK;
  size_t *g = realloc(ax->val, (ax->n + 1) * sizeof *ax->val);
  if (!g) return SB_EFAIL;
  ax->val = g;
  ax->val[ax->n++] = v;
  return SB_OK;
}

static void axis_free(fig_axis *ax)
{
  free(ax->name);
  free(ax->label);
  free(ax->val);
  memset(ax, 0, sizeof *ax);
}

static int cmp_size(const void *a, const void *b)
{
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

/* The axes a variant is made of: those after depth. */
static int is_variant_axis(int k) { return k > AXIS_DEPTH; }
/* Those of them that change a network at step 0: the learning rate, the
 * optimizer and clipping act only from the first update on; an emulated
 * precision and its loss scale round the first probe's passes too, and
 * the architecture and a forget-gate bias are the net itself. */
int fig_is_init_axis(int k)
{
  return k == AXIS_WIDTH || k == AXIS_NORM || k == AXIS_RESIDUAL || k == AXIS_LOSS || k == AXIS_PREC || k == AXIS_LSCALE
         || k == AXIS_ARCH || k == AXIS_FBIAS;
}

/* The variant axes other than the remedies (norm, residual). */
static int is_rest_axis(int k) { return is_variant_axis(k) && k != AXIS_NORM && k != AXIS_RESIDUAL; }
static int is_irest_axis(int k) { return fig_is_init_axis(k) && k != AXIS_NORM && k != AXIS_RESIDUAL; }
/* The variant axes other than the cell type (mlp, rnn, lstm, gru), which
 * the recurrent figures draw as lines. */
static int is_crest_axis(int k) { return is_variant_axis(k) && k != AXIS_ARCH; }
static int is_icrest_axis(int k) { return fig_is_init_axis(k) && k != AXIS_ARCH; }

/* "lr 0.1", "adam": how a variant names one axis's value. */
static void variant_part(int k, const char *val, char *buf, size_t size)
{
  if (k == AXIS_OPT || k == AXIS_LOSS || k == AXIS_PREC || k == AXIS_ARCH) snprintf(buf, size, "%s", val);
  else if (k == AXIS_FBIAS) snprintf(buf, size, "forget bias %s", val);
  else if (k == AXIS_LSCALE) snprintf(buf, size, strcmp(val, "dynamic") ? "scale %s" : "%s scale", val);
  else if (k == AXIS_NORM) snprintf(buf, size, "%s", strcmp(val, "none") ? val : "no norm");
  else if (k == AXIS_RESIDUAL) {
    if (!strcmp(val, "0") || !strcmp(val, "none")) snprintf(buf, size, "no skip");   /* "none": tables before 0 */
    else if (!strcmp(val, "1")) snprintf(buf, size, "residual");
    else snprintf(buf, size, "residual/%s", val);
  } else snprintf(buf, size, "%s %s", cfg_axis_name((cfg_axis)k), val);
}

void fig_variant_part(int k, const char *val, char *buf, size_t size) { variant_part(k, val, buf, size); }

/* A cell's variant label from the axes `which` accepts that vary. */
static void variant_label(const fig_grid *g, int (*which)(int), tsv_reader *t, const int *col, char *label,
                          size_t size)
{
  label[0] = '\0';
  for (int k = 0; k < AXIS_COUNT; k++)
    if (g->varies[k] && which(k) && col[k] >= 0) {
      char part[FIG_LABEL_MAX];
      variant_part(k, tsv_str(t, col[k]), part, sizeof part);
      fig_cat(label, size, "%s%s", label[0] ? " " : "", part);
    }
}

/* ---- --select ------------------------------------------------------------------ */

/* Whether value v is among the comma-separated values of a selection. */
static int value_in(const char *v, const char *list)
{
  size_t n = strlen(v);
  for (const char *p = list; *p;) {
    size_t m = strcspn(p, ",");
    if (m == n && !strncmp(p, v, n)) return 1;
    p += m + (p[m] == ',');
  }
  return 0;
}

/* Whether the current row of t passes every selection whose column the
 * table has (col[k] >= 0). */
static int row_selected(const plot_opts *o, tsv_reader *t, const int *col)
{
  for (size_t k = 0; k < o->n_select; k++)
    if (col[k] >= 0 && !value_in(tsv_str(t, col[k]), o->select[k].values)) return 0;
  return 1;
}

/* ---- the grid's cells -------------------------------------------------------------- */

/* "# KEY = VALUE" among a table's header comments. */
static int header_value(const char *path, const char *key, char *val, size_t size)
{
  FILE *f = tsv_fopen(path);
  if (!f) return 0;
  char line[4096], want[128];
  snprintf(want, sizeof want, "# %s = ", key);
  int found = 0;
  while (!found && fgets(line, sizeof line, f) && line[0] == '#')
    if (!strncmp(line, want, strlen(want))) {
      snprintf(val, size, "%s", line + strlen(want));
      val[strcspn(val, "\n")] = '\0';
      found = 1;
    }
  fclose(f);
  return found;
}

/* Whether s holds a control byte (a newline would end a script's line). */
static int has_control(const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return 1;
  return 0;
}

/* Names from cells.tsv go into scripts and titles (as data: figure.h);
 * no table satbench writes has a control byte in a field. */
static int row_printable(const tsv_reader *t, sb_error *err)
{
  for (size_t k = 0; k < t->ncols; k++)
    if (has_control(t->fields[k]))
      return sb_fail(err, SB_EUSAGE, "%s:%zu: column %s: a control byte in '%s': not a satbench table", t->path,
                     t->lineno, t->names[k], t->fields[k]);
  return SB_OK;
}

/* Order of cells by what they are at step 0: (activation, init, depth,
 * ivar, seed), then the table's order. */
static int cmp_at_init(const void *pa, const void *pb)
{
  const fig_cell *a = *(fig_cell *const *)pa, *b = *(fig_cell *const *)pb;
  int c = strcmp(a->act, b->act);
  if (!c) c = strcmp(a->init, b->init);
  if (!c) c = (a->depth > b->depth) - (a->depth < b->depth);
  if (!c) c = (a->ivar > b->ivar) - (a->ivar < b->ivar);
  if (!c) c = (a->seed > b->seed) - (a->seed < b->seed);
  if (!c) c = (a->index > b->index) - (a->index < b->index);
  return c;
}

/* The first cell of each (activation, init, depth, ivar, seed) stands for
 * the others at step 0 (they are the same network then: the seeds do not
 * depend on the learning rate or the optimizer), so that a figure of the
 * initialization counts each network once. */
static int mark_init_reps(fig_grid *g)
{
  fig_cell **ord = malloc((g->n ? g->n : 1) * sizeof *ord);
  if (!ord) return SB_EFAIL;
  for (size_t k = 0; k < g->n; k++) ord[k] = &g->cells[k];
  qsort(ord, g->n, sizeof *ord, cmp_at_init);
  for (size_t k = 0; k < g->n; k++) {
    const fig_cell *a = ord[k], *b = k ? ord[k - 1] : NULL;
    ord[k]->init_rep = !b || strcmp(a->act, b->act) || strcmp(a->init, b->init) || a->depth != b->depth
                                || a->ivar != b->ivar || a->seed != b->seed;
  }
  free(ord);
  return SB_OK;
}

int fig_grid_load(const plot_opts *o, const char *data_dir, fig_grid *g, sb_error *err)
{
  int rc0 = store_check_set(data_dir, err);   /* the tables are one set: manifest.json */
  if (rc0) return rc0;
  char path[4200];
  snprintf(path, sizeof path, "%s/cells.tsv", data_dir);
  tsv_reader *t = tsv_open(path, err);
  if (!t) return err->code;
  int ci, cs, cst, cl, c0, cc, cax[AXIS_COUNT], csel[FIG_MAX_SELECT], rc = SB_OK;
  for (int k = 0; k < AXIS_COUNT && !rc; k++)   /* an optional axis's column may be absent (its default) */
    if ((cax[k] = tsv_col(t, cfg_axis_name((cfg_axis)k))) < 0 && !cfg_axis_default((cfg_axis)k))
      rc = tsv_need(t, cfg_axis_name((cfg_axis)k), &cax[k], err);
  if (!rc && !(rc = tsv_need(t, "cell", &ci, err)) && !(rc = tsv_need(t, "seed", &cs, err))
      && !(rc = tsv_need(t, "status", &cst, err)) && !(rc = tsv_need(t, "final_loss", &cl, err))
      && !(rc = tsv_need(t, "attenuation0", &c0, err)))
    rc = tsv_need(t, "chance_loss", &cc, err);
  int cce = tsv_col(t, "chance_error"), cta = tsv_col(t, "final_test_acc"), csu = tsv_col(t, "success");
  for (size_t k = 0; !rc && k < o->n_select; k++)
    if ((csel[k] = tsv_col(t, o->select[k].key)) < 0)
      rc = sb_fail(err, SB_EUSAGE, "--select: '%s' is not a column of %s (use an axis: activation, init, depth, "
                   "width, norm, residual, lr, optimizer, loss, precision, loss_scale, or seed)", o->select[k].key, path);
  if (rc) { tsv_close(t); return rc; }
  /* Every value of every axis, selected or not, to check the selection's
   * values against; the variant axes' values among the selected cells. */
  fig_axis all[AXIS_COUNT + 1], kept[AXIS_COUNT];
  memset(all, 0, sizeof all);
  memset(kept, 0, sizeof kept);
  size_t cap = 0;
  int got;
  while ((got = tsv_next(t, err)) == 1) {
    if ((rc = row_printable(t, err))) break;
    for (int k = 0; k < AXIS_COUNT && !rc; k++) rc = axis_add_name(&all[k], tsv_str_or(t, cax[k], cfg_axis_default((cfg_axis)k)));
    if (!rc) rc = axis_add_name(&all[AXIS_COUNT], tsv_str(t, cs));
    if (rc) { rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
    if (!row_selected(o, t, csel)) continue;
    if (g->n == cap) {
      cap = cap ? 2 * cap : 256;
      fig_cell *c = realloc(g->cells, cap * sizeof *c);
      if (!c) { rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
      g->cells = c;
    }
    fig_cell *c = &g->cells[g->n++];
    memset(c, 0, sizeof *c);
    c->index = strtoul(tsv_str(t, ci), NULL, 10);
    snprintf(c->act, sizeof c->act, "%s", tsv_str(t, cax[AXIS_ACT]));
    snprintf(c->init, sizeof c->init, "%s", tsv_str(t, cax[AXIS_INIT]));
    c->depth = strtoul(tsv_str(t, cax[AXIS_DEPTH]), NULL, 10);
    c->width = strtoul(tsv_str(t, cax[AXIS_WIDTH]), NULL, 10);
    c->seed = strtoul(tsv_str(t, cs), NULL, 10);
    if (c->seed + 1 > g->nseeds) g->nseeds = c->seed + 1;
    snprintf(c->status, sizeof c->status, "%s", tsv_str(t, cst));
    c->final_loss = tsv_num(t, cl);
    c->att0 = tsv_num(t, c0);
    c->chance_loss = tsv_num(t, cc);
    c->chance_error = cce >= 0 ? tsv_num(t, cce) : NAN;
    c->test_acc = cta >= 0 ? tsv_num(t, cta) : NAN;
    c->success = csu >= 0 ? tsv_num(t, csu) : NAN;
    for (int k = 0; k < AXIS_COUNT && !rc; k++)
      if (is_variant_axis(k)) rc = axis_add_name(&kept[k], tsv_str_or(t, cax[k], cfg_axis_default((cfg_axis)k)));
    if (rc || axis_add_name(&g->acts, c->act) || axis_add_name(&g->inits, c->init) ||
        axis_add_val(&g->depths, c->depth)) {
      rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path);
      break;
    }
  }
  if (got < 0) rc = -got;
  /* A selected value the grid does not have is a typo, not an empty figure. */
  for (size_t k = 0; !rc && k < o->n_select; k++) {
    int ax = -1;
    for (int a = 0; a < AXIS_COUNT; a++)
      if (!strcmp(o->select[k].key, cfg_axis_name((cfg_axis)a))) ax = a;
    const fig_axis *vals = &all[ax >= 0 ? ax : AXIS_COUNT];
    if (ax < 0 && strcmp(o->select[k].key, "seed")) continue;
    for (const char *p = o->select[k].values; *p && !rc;) {
      size_t m = strcspn(p, ",");
      char v[FIG_LABEL_MAX];
      snprintf(v, sizeof v, "%.*s", (int)m, p);
      if (fig_axis_name(vals, v) < 0) {
        char have[1024] = "";
        for (size_t j = 0, used = 0; j < vals->n && used < sizeof have; j++)
          used += (size_t)snprintf(have + used, sizeof have - used, "%s%s", j ? ", " : "", vals->name[j]);
        rc = sb_fail(err, SB_EUSAGE, "--select: no cell has %s=%s (the grid has %s)", o->select[k].key, v, have);
      }
      p += m + (p[m] == ',');
    }
  }
  if (!rc && g->n == 0) rc = sb_fail(err, SB_EUSAGE, "%s: no cells%s", path, o->n_select ? " match --select" : " (has the grid run?)");
  /* The variants: one per combination of the variant axes that vary. */
  if (!rc) {
    tsv_close(t);
    t = tsv_open(path, err);
    if (!t) rc = err->code;
  }
  size_t i = 0;
  g->fixed[0] = g->init_fixed[0] = '\0';
  for (int k = 0; !rc && k < AXIS_COUNT; k++) g->varies[k] = is_variant_axis(k) && kept[k].n > 1;
  for (int k = 0; !rc && k < AXIS_COUNT; k++)
    if (is_variant_axis(k) && kept[k].n == 1) {
      /* a plain net is the default: said only when something else varies */
      if ((k == AXIS_NORM || k == AXIS_RESIDUAL) && !strcmp(kept[k].name[0], "none")) continue;
      if (k == AXIS_RESIDUAL && !strcmp(kept[k].name[0], "0")) continue;
      /* so is an optional axis's default: the arithmetic of every grid
       * before the precision axis, the feed-forward net of every grid before
       * recurrent cells, no clipping, no forget-gate bias */
      if (cfg_axis_default((cfg_axis)k) && !strcmp(kept[k].name[0], cfg_axis_default((cfg_axis)k))) continue;
      char part[FIG_LABEL_MAX];
      variant_part(k, kept[k].name[0], part, sizeof part);
      fig_cat(g->fixed, sizeof g->fixed, "%s%s", g->fixed[0] ? ", " : "", part);
      if (fig_is_init_axis(k)) fig_cat(g->init_fixed, sizeof g->init_fixed, "%s%s", g->init_fixed[0] ? ", " : "", part);
    }
  while (!rc && (got = tsv_next(t, err)) == 1) {
    if (!row_selected(o, t, csel)) continue;
    char label[FIG_LABEL_MAX], ilabel[FIG_LABEL_MAX], rlabel[FIG_LABEL_MAX], irlabel[FIG_LABEL_MAX];
    char alabel[FIG_LABEL_MAX], np_[FIG_LABEL_MAX / 2 - 2], rp_[FIG_LABEL_MAX / 2 - 2];
    variant_label(g, is_variant_axis, t, cax, label, sizeof label);
    variant_label(g, fig_is_init_axis, t, cax, ilabel, sizeof ilabel);
    variant_label(g, is_rest_axis, t, cax, rlabel, sizeof rlabel);
    variant_label(g, is_irest_axis, t, cax, irlabel, sizeof irlabel);
    char clabel[FIG_LABEL_MAX], iclabel[FIG_LABEL_MAX];
    variant_label(g, is_crest_axis, t, cax, clabel, sizeof clabel);
    variant_label(g, is_icrest_axis, t, cax, iclabel, sizeof iclabel);
    const char *ctype = tsv_str_or(t, cax[AXIS_ARCH], cfg_axis_default(AXIS_ARCH));
    variant_part(AXIS_NORM, tsv_str(t, cax[AXIS_NORM]), np_, sizeof np_);
    variant_part(AXIS_RESIDUAL, tsv_str(t, cax[AXIS_RESIDUAL]), rp_, sizeof rp_);
    snprintf(alabel, sizeof alabel, "%s, %s", np_, rp_);
    if (axis_add_name(&g->variants, label) || axis_add_name(&g->ivariants, ilabel)
        || axis_add_name(&g->archs, alabel) || axis_add_name(&g->rests, rlabel) || axis_add_name(&g->irests, irlabel)
        || axis_add_name(&g->ctypes, ctype) || axis_add_name(&g->crests, clabel) || axis_add_name(&g->icrests, iclabel)) {
      rc = sb_fail(err, SB_EFAIL, "out of memory");
      break;
    }
    g->cells[i].ivar = fig_axis_name(&g->ivariants, ilabel);
    g->cells[i].arch = fig_axis_name(&g->archs, alabel);
    g->cells[i].rest = fig_axis_name(&g->rests, rlabel);
    g->cells[i].irest = fig_axis_name(&g->irests, irlabel);
    g->cells[i].ctype = fig_axis_name(&g->ctypes, ctype);
    g->cells[i].crest = fig_axis_name(&g->crests, clabel);
    g->cells[i].icrest = fig_axis_name(&g->icrests, iclabel);
    g->cells[i++].var = fig_axis_name(&g->variants, label);
  }
  if (t) tsv_close(t);
  for (int k = 0; k <= AXIS_COUNT; k++) axis_free(&all[k]);
  for (int k = 0; k < AXIS_COUNT; k++) axis_free(&kept[k]);
  if (rc) return rc;
  qsort(g->depths.val, g->depths.n, sizeof *g->depths.val, cmp_size);
  if (mark_init_reps(g)) return sb_fail(err, SB_EFAIL, "out of memory");
  /* What the header says about the run. */
  char v[256];
  g->steps = header_value(path, "steps", v, sizeof v) ? strtol(v, NULL, 10) : 0;
  g->log_every = header_value(path, "log-every", v, sizeof v) ? strtol(v, NULL, 10) : 0;
  snprintf(g->res_scale, sizeof g->res_scale, "%.31s", header_value(path, "residual-scale", v, sizeof v) ? v : "1");
  if (has_control(g->res_scale))
    return sb_fail(err, SB_EUSAGE, "%s: a control byte in its header's residual-scale '%s': not a satbench table", path,
                   g->res_scale);
  g->log_steps = header_value(path, "log-schedule", v, sizeof v) && !strcmp(v, "log");
  g->tau = header_value(path, "sat-threshold", v, sizeof v) ? strtod(v, NULL) : 0.05;
  g->classes = header_value(path, "classes", v, sizeof v) ? strtoul(v, NULL, 10) : 0;
  /* manifest.json, written last, says whether every cell has run */
  g->incomplete = store_incomplete(data_dir);
  return SB_OK;
}

void fig_grid_free(fig_grid *g)
{
  free(g->cells);
  axis_free(&g->acts);
  axis_free(&g->inits);
  axis_free(&g->depths);
  axis_free(&g->variants);
  axis_free(&g->ivariants);
  axis_free(&g->archs);
  axis_free(&g->rests);
  axis_free(&g->irests);
  axis_free(&g->ctypes);
  axis_free(&g->crests);
  axis_free(&g->icrests);
}

int fig_log_axis(const fig_grid *g)
{
  return g->log_steps && !(g->log_every > 0 && g->steps / g->log_every >= 10);
}

size_t fig_nearest_depth(const fig_grid *g, size_t want)
{
  size_t best = g->depths.val[0];
  for (size_t k = 0; k < g->depths.n; k++) {
    size_t d = g->depths.val[k];
    size_t db = best > want ? best - want : want - best, dd = d > want ? d - want : want - d;
    if (dd < db) best = d;
  }
  return best;
}

int fig_preferred_init(const fig_grid *g)
{
  int k = fig_axis_name(&g->inits, "standard");
  return k >= 0 ? k : 0;
}

size_t fig_layer_subset(size_t depth, size_t *layers)
{
  if (depth <= 9) {
    for (size_t l = 1; l <= depth; l++) layers[l - 1] = l;
    return depth;
  }
  /* 1, then eighths of the way, then depth: 9 layers, none repeated */
  size_t n = 0;
  for (size_t k = 0; k <= 8; k++) {
    size_t l = 1 + (size_t)llround((double)(depth - 1) * (double)k / 8.0);
    if (n == 0 || l != layers[n - 1]) layers[n++] = l;
  }
  return n;
}

void fig_series_label(const fig_grid *g, int a, int i, int v, char *buf, size_t size)
{
  const char *var = v >= 0 && (size_t)v < g->variants.n ? g->variants.name[v] : "";
  snprintf(buf, size, "%s%s%s%s%s", a >= 0 ? g->acts.name[a] : "", a >= 0 && i >= 0 ? "/" : "",
           i >= 0 ? g->inits.label[i] : "", var[0] ? " " : "", var);
}

/* ---- rows ---------------------------------------------------------------------- */

int fig_rows_open(fig_rows *r, const plot_opts *o, const fig_grid *g, const char *path, sb_error *err)
{
  memset(r, 0, sizeof *r);
  r->g = g;
  r->o = o;
  r->t = tsv_open(path, err);
  if (!r->t) return err->code;
  for (int k = 0; k < AXIS_COUNT; k++) r->col[k] = tsv_col(r->t, cfg_axis_name((cfg_axis)k));
  r->seed_col = tsv_col(r->t, "seed");
  if (r->col[AXIS_ACT] < 0 || r->col[AXIS_INIT] < 0 || r->col[AXIS_DEPTH] < 0) {
    int rc = sb_fail(err, SB_EUSAGE, "%s: no activation, init and depth columns (not a satbench table?)", path);
    fig_rows_close(r);
    return rc;
  }
  return SB_OK;
}

void fig_rows_close(fig_rows *r)
{
  tsv_close(r->t);
  r->t = NULL;
}

int fig_rows_next(fig_rows *r, sb_error *err)
{
  int csel[FIG_MAX_SELECT];
  for (size_t k = 0; k < r->o->n_select; k++) csel[k] = tsv_col(r->t, r->o->select[k].key);
  int got;
  while ((got = tsv_next(r->t, err)) == 1)
    if (row_selected(r->o, r->t, csel)) return 1;
  return got;
}

int fig_rows_act(const fig_rows *r) { return fig_axis_name(&r->g->acts, tsv_str(r->t, r->col[AXIS_ACT])); }
int fig_rows_init(const fig_rows *r) { return fig_axis_name(&r->g->inits, tsv_str(r->t, r->col[AXIS_INIT])); }
size_t fig_rows_depth(const fig_rows *r) { return strtoul(tsv_str(r->t, r->col[AXIS_DEPTH]), NULL, 10); }
size_t fig_rows_width(const fig_rows *r)
{
  return r->col[AXIS_WIDTH] >= 0 ? strtoul(tsv_str(r->t, r->col[AXIS_WIDTH]), NULL, 10) : 0;
}

int fig_rows_variant(const fig_rows *r)
{
  if (r->g->variants.n == 1) return 0;
  /* the label fig_grid_load made for the cell */
  char label[FIG_LABEL_MAX];
  variant_label(r->g, is_variant_axis, r->t, r->col, label, sizeof label);
  return fig_axis_name(&r->g->variants, label);
}

int fig_rows_ivariant(const fig_rows *r)
{
  if (r->g->ivariants.n == 1) return 0;
  char label[FIG_LABEL_MAX];
  variant_label(r->g, fig_is_init_axis, r->t, r->col, label, sizeof label);
  return fig_axis_name(&r->g->ivariants, label);
}

/* ---- one figure ------------------------------------------------------------------- */

int fig_open(figure *f, const fig_ctx *c, double w, double h, sb_error *err)
{
  memset(f, 0, sizeof *f);
  f->c = c;
  f->w = w;
  f->h = h;
  snprintf(f->dat_path, sizeof f->dat_path, "%s/%s.dat", c->stage, c->def->name);
  f->dat = fileio_open_tmp(f->dat_tmp, sizeof f->dat_tmp, f->dat_path, err);
  if (!f->dat) return SB_EFAIL;
  f->v = open_memstream(&f->vars, &f->vars_len);
  if (!f->v) { fclose(f->dat); unlink(f->dat_tmp); return sb_fail(err, SB_EFAIL, "out of memory"); }
  return SB_OK;
}

void fig_discard(figure *f)
{
  if (f->dat) { fclose(f->dat); unlink(f->dat_tmp); f->dat = NULL; }
  if (f->v) { fclose(f->v); f->v = NULL; }
  free(f->vars);
  f->vars = NULL;
}

int fig_block(figure *f, const char *comment)
{
  if (f->block > 0) fputs("\n\n", f->dat);
  fprintf(f->dat, "# block %d: %s\n", f->block, comment);
  return f->block++;
}

void fig_num(figure *f, double x, int last)
{
  char b[NUM_BUFSIZE];
  num_format_digits(b, sizeof b, x, 10);
  fputs(b, f->dat);
  fputc(last ? '\n' : '\t', f->dat);
  if (last) f->rows++;
}

void fig_text(figure *f, const char *s, int last)
{
  fputs(s, f->dat);
  fputc(last ? '\n' : '\t', f->dat);
  if (last) f->rows++;
}

/* A gnuplot single-quoted string (see figure.h).  gnuplot's own escape
 * of a quote inside one, two quotes, fails beside another quote (a value
 * that starts with a quote, or has two in a row, does not parse), so a
 * quote is a string of its own, "'" (nothing in it to expand), joined to
 * the rest with `.`: it's is 'it'."'".'s'.  A control byte is put as '?'
 * and remembered in f->bad, which fig_close refuses. */
static void put_quoted(figure *f, const char *key, const char *val)
{
  int open = 0, pieces = 0;
  for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
    if (*p == '\'') {
      fputs(open ? "'.\"'\"" : pieces ? ".\"'\"" : "\"'\"", f->v);
      open = 0;
      pieces++;
      continue;
    }
    if (!open) {
      fputs(pieces ? ".'" : "'", f->v);
      open = 1;
      pieces++;
    }
    if (*p < 0x20 || *p == 0x7f) {
      if (!f->bad[0]) snprintf(f->bad, sizeof f->bad, "%s", key);
      fputc('?', f->v);
    } else {
      fputc(*p, f->v);
    }
  }
  if (open) fputc('\'', f->v);
  if (!pieces) fputs("''", f->v);
}

void fig_var_str(figure *f, const char *key, const char *val)
{
  fprintf(f->v, "%s = ", key);
  put_quoted(f, key, val);
  fputc('\n', f->v);
}

void fig_var_num(figure *f, const char *key, double val)
{
  char b[NUM_BUFSIZE];
  num_format(b, sizeof b, val);
  fprintf(f->v, "%s = %s\n", key, b);
}

void fig_list_add(fig_list *l, const char *item)
{
  size_t n = strlen(l->s);
  const char *q = strchr(item, ' ') || !*item ? "'" : "";
  snprintf(l->s + n, sizeof l->s - n, "%s%s%s%s", n ? " " : "", q, item, q);
}

void fig_list_addi(fig_list *l, long v)
{
  char b[32];
  snprintf(b, sizeof b, "%ld", v);
  fig_list_add(l, b);
}

void fig_texts_add(fig_texts *l, const char *item)
{
  size_t m = strlen(item) + 1;
  if (l->len + m <= sizeof l->s) {
    memcpy(l->s + l->len, item, m);
    l->len += m;
  } else {
    l->len = sizeof l->s;   /* full: this item and the next are written as '' */
  }
  l->n++;
}

/* `array key[n] = ['a', 'b']`: the strings of l one after another,
 * NUL-terminated; those beyond l->len (l was full) are ''. */
void fig_var_texts(figure *f, const char *key, const fig_texts *l)
{
  fprintf(f->v, "array %s[%zu] = [", key, l->n ? l->n : 1);
  const char *p = l->s, *end = l->s + l->len;
  for (size_t k = 0; k < l->n; k++) {
    if (k) fputs(", ", f->v);
    int here = p < end && memchr(p, '\0', (size_t)(end - p)) != NULL;
    put_quoted(f, key, here ? p : "");
    if (here) p += strlen(p) + 1;
  }
  if (!l->n) fputs("''", f->v);
  fputs("]\n", f->v);
}

void fig_var_names(figure *f, const char *key, const fig_axis *ax)
{
  fprintf(f->v, "array %s[%zu] = [", key, ax->n ? ax->n : 1);
  for (size_t k = 0; k < ax->n; k++) {
    if (k) fputs(", ", f->v);
    put_quoted(f, key, ax->label[k]);
  }
  if (!ax->n) fputs("''", f->v);
  fputs("]\n", f->v);
}

const char *fig_template(const char *file)
{
  for (const plot_template *t = plot_templates; t->name; t++)
    if (!strcmp(t->name, file)) return t->text;
  return NULL;
}

unsigned long long fig_script_digest(const char *text)
{
  const char *p = strchr(text, '\n');
  p = p ? p + 1 : text + strlen(text);
  unsigned long long h = 0xcbf29ce484222325ULL;
  for (; *p; p++) {
    h ^= (unsigned char)*p;
    h *= 0x100000001b3ULL;
  }
  return h;
}

#define DIGEST_LINE "# satbench-script fnv1a64:"

/* The NAME.gp in -o when the user edited it since satbench wrote it (its
 * first line holds the digest of the rest: a mismatch is an edit): 1 and
 * its text in *text.  0 when it is missing, unedited, or not a regular
 * file (a symlink is not followed, a FIFO not waited on: neither is
 * anybody's edit, and the rename replaces the name, not what it points
 * at); -1 with errno when it cannot be read. */
static int edited_script(const char *path, char **text)
{
  *text = NULL;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT || errno == ELOOP ? 0 : -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) { close(fd); return 0; }
  FILE *in = fdopen(fd, "r");
  if (!in) { close(fd); return -1; }
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  char chunk[8192];
  size_t n;
  while (mem && (n = fread(chunk, 1, sizeof chunk, in)) > 0) fwrite(chunk, 1, n, mem);
  int bad = ferror(in) || !mem;
  fclose(in);
  if (mem && fclose(mem) != 0) bad = 1;
  if (bad || memchr(buf, '\0', len)) { free(buf); errno = bad ? EIO : EINVAL; return -1; }
  unsigned long long want;
  int unedited = !strncmp(buf, DIGEST_LINE, strlen(DIGEST_LINE))
                 && sscanf(buf + strlen(DIGEST_LINE), "%llx", &want) == 1 && want == fig_script_digest(buf);
  if (unedited) { free(buf); return 0; }
  *text = buf;
  return 1;
}

/* A path in a comment of the script: a control byte (a newline would end
 * the comment and start a command) is put as '?'. */
static void put_comment_text(FILE *g, const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, g);
}

/* Write text as stage/file (a private folder: nobody else makes names there). */
static int stage_write(const char *stage, const char *file, const char *text, sb_error *err)
{
  char path[4400], tmp[4500];
  snprintf(path, sizeof path, "%s/%s", stage, file);
  FILE *out = fileio_open_tmp(tmp, sizeof tmp, path, err);
  if (!out) return SB_EFAIL;
  fputs(text, out);
  return fileio_commit(out, tmp, path, err);
}

/* NAME.gp = digest line + header + settings + style + template, each
 * format drawn by loading the script again. */
int fig_close(figure *f, sb_error *err)
{
  if (f->rows == 0) { fig_discard(f); return FIG_SKIPPED; }
  const fig_ctx *c = f->c;
  if (f->bad[0]) {
    char bad[sizeof f->bad];
    snprintf(bad, sizeof bad, "%s", f->bad);
    fig_discard(f);
    return sb_fail(err, SB_EUSAGE, "%s: a control byte in the value of %s (from the tables in %s): not a satbench "
                   "table", c->def->name, bad, c->o->data);
  }
  const char *name = c->def->name, *title = c->def->title, *data_dir = c->o->data;
  fclose(f->v);
  f->v = NULL;
  FILE *dat = f->dat;
  f->dat = NULL;
  int rc = fileio_commit(dat, f->dat_tmp, f->dat_path, err);
  if (rc) { free(f->vars); return rc; }
  char file[128];
  snprintf(file, sizeof file, "%s.gp", name);
  const char *style = fig_template("style.gp"), *body = fig_template(file);
  if (!style || !body) { free(f->vars); return sb_fail(err, SB_EFAIL, "no built-in template %s", file); }
  /* The script in memory first: its digest heads the file. */
  char *text = NULL;
  size_t len = 0;
  FILE *g = open_memstream(&text, &len);
  if (!g) { free(f->vars); return sb_fail(err, SB_EFAIL, "out of memory"); }
  fprintf(g, "# %s.gp - %s\n# Written by satbench %s from the tables in ", name, title, PACKAGE_VERSION);
  put_comment_text(g, data_dir);
  fprintf(g, "/.\n"
             "# Redraw with: gnuplot %s.gp   (reads %s.dat; writes %s.pdf, %s.png)\n"
             "# Edit it freely: satbench plot then leaves it alone (the first line is the\n"
             "# digest of what it wrote) and puts its own next to it as %s.gp.new.\n\n"
             "# ---- settings from the data (satbench plot) ----\n"
             "name = '%s'\ndat = name.'.dat'\nformats = '%s'\nfig_w = %g\nfig_h = %g\n",
          name, name, name, name, name, name, c->o->formats, f->w, f->h);
  fprintf(g, "partial = %d\nnote = partial ? \" (partial)\" : \"\"\nlogsteps = %d\nsteps = %ld\n",
          c->o->partial && c->g->incomplete, fig_log_axis(c->g), c->g->steps);
  fputs(f->vars, g);
  free(f->vars);
  f->vars = NULL;
  /* Each format is drawn from a clean state (`reset` keeps variables), so
   * no setting of one rendering leaks into the next: the script loads
   * itself once per format. */
  fputs("\n# ---- one rendering per format ----\n"
        "if (!exists(\"fmt\")) {\n"
        "  do for [fmt_i = 1:words(formats)] {\n"
        "    reset\n"
        "    fmt = word(formats, fmt_i)\n"
        "    load name.\".gp\"\n"
        "  }\n"
        "  undefine fmt\n"
        "  exit\n"
        "}\n", g);
  fputs("\n# ---- style (plots/templates/style.gp) ----\n", g);
  fputs(style, g);
  fprintf(g, "\n# ---- figure (plots/templates/%s) ----\n", file);
  fputs(body, g);
  fputs("set output\n", g);
  if (fclose(g) != 0) { free(text); return sb_fail(err, SB_EFAIL, "out of memory"); }
  /* the digest covers everything after its own line */
  char head[64];
  snprintf(head, sizeof head, DIGEST_LINE "%016llx\n", 0ULL);
  size_t hl = strlen(head);
  char *full = malloc(hl + len + 1);
  if (!full) { free(text); return sb_fail(err, SB_EFAIL, "out of memory"); }
  memcpy(full, head, hl);
  memcpy(full + hl, text, len + 1);
  free(text);
  snprintf(head, sizeof head, DIGEST_LINE "%016llx\n", fig_script_digest(full));
  memcpy(full, head, hl);
  /* A script the user edited stays; the new one goes beside it, and the
   * edited one is what gets rendered. */
  char *edited = NULL;
  if (!c->o->force) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", c->o->out, file);
    if (edited_script(path, &edited) < 0) {
      free(full);
      return sb_fail(err, SB_EFAIL, "cannot read %s: %s", path, strerror(errno));
    }
  }
  char file_new[160];
  snprintf(file_new, sizeof file_new, "%s.new", file);
  rc = stage_write(c->stage, edited ? file_new : file, full, err);
  if (!rc && edited) rc = stage_write(c->stage, file, edited, err);
  if (edited && c->kept) *c->kept = 1;
  free(full);
  free(edited);
  return rc;
}
