/* figure.c - the grid's cells read back, and the writer of one figure's
 * data and script (see figure.h). */
#include <config.h>
#include "figure.h"
#include "fileio.h"
#include "num.h"
#include "tsv.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the grid's cells ------------------------------------------------------ */

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

static int axis_add_name(fig_axis *ax, const char *s)
{
  if (fig_axis_name(ax, s) >= 0) return SB_OK;
  void *g = realloc(ax->name, (ax->n + 1) * sizeof *ax->name);
  if (!g) return SB_EFAIL;
  ax->name = g;
  snprintf(ax->name[ax->n++], FIG_NAME_MAX, "%s", s);
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

static int cmp_size(const void *a, const void *b)
{
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

/* The saturation threshold the grid used, from the tables' header comments. */
double fig_grid_tau(const char *cells_path)
{
  FILE *f = fopen(cells_path, "r");
  double tau = 0.05;
  char line[512];
  while (f && fgets(line, sizeof line, f) && line[0] == '#')
    if (sscanf(line, "# sat-threshold = %lf", &tau) == 1) break;
  if (f) fclose(f);
  return tau;
}

void fig_grid_free(fig_grid *g)
{
  free(g->cells);
  free(g->acts.name);
  free(g->inits.name);
  free(g->depths.val);
  free(g->widths.val);
}

int fig_grid_load(const char *path, fig_grid *g, sb_error *err)
{
  tsv_reader *t = tsv_open(path, err);
  if (!t) return err->code;
  int ca, ci, cd, cw, cs, cst, cl, c0, rc = SB_OK;
  if ((rc = tsv_need(t, "activation", &ca, err)) || (rc = tsv_need(t, "init", &ci, err)) ||
      (rc = tsv_need(t, "depth", &cd, err)) || (rc = tsv_need(t, "width", &cw, err)) ||
      (rc = tsv_need(t, "seed", &cs, err)) || (rc = tsv_need(t, "status", &cst, err)) ||
      (rc = tsv_need(t, "final_loss", &cl, err)) || (rc = tsv_need(t, "attenuation0", &c0, err))) {
    tsv_close(t);
    return rc;
  }
  size_t cap = 0;
  int got;
  while ((got = tsv_next(t, err)) == 1) {
    if (g->n == cap) {
      cap = cap ? 2 * cap : 256;
      fig_cell *c = realloc(g->cells, cap * sizeof *c);
      if (!c) { rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
      g->cells = c;
    }
    fig_cell *c = &g->cells[g->n++];
    snprintf(c->act, sizeof c->act, "%s", tsv_str(t, ca));
    snprintf(c->init, sizeof c->init, "%s", tsv_str(t, ci));
    c->depth = strtoul(tsv_str(t, cd), NULL, 10);
    c->width = strtoul(tsv_str(t, cw), NULL, 10);
    c->seed = strtoul(tsv_str(t, cs), NULL, 10);
    if (c->seed + 1 > g->nseeds) g->nseeds = c->seed + 1;
    c->ok = !strcmp(tsv_str(t, cst), "ok");
    c->final_loss = tsv_num(t, cl);
    c->att0 = tsv_num(t, c0);
    if (axis_add_name(&g->acts, c->act) || axis_add_name(&g->inits, c->init) ||
        axis_add_val(&g->depths, c->depth) || axis_add_val(&g->widths, c->width)) {
      rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path);
      break;
    }
  }
  if (got < 0) rc = -got;
  tsv_close(t);
  if (!rc && g->n == 0) rc = sb_fail(err, SB_EUSAGE, "%s: no cells (has the grid run?)", path);
  if (!rc) qsort(g->depths.val, g->depths.n, sizeof *g->depths.val, cmp_size);
  return rc;
}


int fig_open(figure *f, const fig_ctx *c, double w, double h, sb_error *err)
{
  memset(f, 0, sizeof *f);
  f->c = c;
  f->w = w;
  f->h = h;
  snprintf(f->dat_path, sizeof f->dat_path, "%s/%s.dat", c->o->out, c->def->name);
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

void fig_var_str(figure *f, const char *key, const char *val)
{
  fprintf(f->v, "%s = \"%s\"\n", key, val);
}

void fig_var_num(figure *f, const char *key, double val)
{
  char b[NUM_BUFSIZE];
  num_format(b, sizeof b, val);
  fprintf(f->v, "%s = %s\n", key, b);
}

const char *fig_template(const char *file)
{
  for (const plot_template *t = plot_templates; t->name; t++)
    if (!strcmp(t->name, file)) return t->text;
  return NULL;
}

/* NAME.gp = settings + style + template, each format drawn by loading
 * the script again. */
int fig_close(figure *f, sb_error *err)
{
  if (f->rows == 0) { fig_discard(f); return FIG_SKIPPED; }
  const char *name = f->c->def->name, *title = f->c->def->title, *data_dir = f->c->o->data;
  fclose(f->v);
  f->v = NULL;
  FILE *dat = f->dat;
  f->dat = NULL;
  int rc = fileio_commit(dat, f->dat_tmp, f->dat_path, err);
  if (rc) { free(f->vars); return rc; }
  char file[128], path[4400], tmp[4500];
  snprintf(file, sizeof file, "%s.gp", name);
  snprintf(path, sizeof path, "%s/%s", f->c->o->out, file);
  const char *style = fig_template("style.gp"), *body = fig_template(file);
  if (!style || !body) { free(f->vars); return sb_fail(err, SB_EFAIL, "no built-in template %s", file); }
  FILE *g = fileio_open_tmp(tmp, sizeof tmp, path, err);
  if (!g) { free(f->vars); return SB_EFAIL; }
  fprintf(g, "# %s.gp - %s\n# Written by satbench %s from the tables in %s/.\n"
             "# Redraw with: gnuplot %s.gp   (reads %s.dat; writes %s.pdf, %s.png)\n\n"
             "# ---- settings from the data (satbench plot) ----\n"
             "name = \"%s\"\ndat = name.\".dat\"\nformats = \"%s\"\nfig_w = %g\nfig_h = %g\n",
          name, title, PACKAGE_VERSION, data_dir, name, name, name, name,
          name, f->c->o->formats, f->w, f->h);
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
  return fileio_commit(g, tmp, path, err);
}


void fig_list_add(fig_list *l, const char *item)
{
  size_t n = strlen(l->s);
  snprintf(l->s + n, sizeof l->s - n, "%s%s", n ? " " : "", item);
}

void fig_list_addi(fig_list *l, long v)
{
  char b[32];
  snprintf(b, sizeof b, "%ld", v);
  fig_list_add(l, b);
}

void fig_var_names(figure *f, const char *key, const fig_axis *ax)
{
  fig_list l = { "" };
  for (size_t k = 0; k < ax->n; k++) fig_list_add(&l, ax->name[k]);
  fig_var_str(f, key, l.s);
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

