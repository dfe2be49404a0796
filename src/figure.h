/* figure.h - what every figure of `satbench plot` is made with: the grid's
 * cells as read back from cells.tsv (fig_grid), and the writer of one
 * figure's NAME.dat (data blocks that gnuplot reads with `index`, since
 * gnuplot cannot group rows by a column) and NAME.gp (the settings derived
 * from the data, then plots/templates/style.gp, then the figure's own
 * plots/templates/NAME.gp).  The figures themselves are in figures.c. */
#ifndef SB_FIGURE_H
#define SB_FIGURE_H

#include <stddef.h>
#include <stdio.h>
#include "err.h"
#include "plot.h"
#include "theory.h"

/* A figure writer's result besides SB_OK and the errors: the grid has no
 * data for this figure (nothing is written; plot says so and goes on). */
#define FIG_SKIPPED (-1)

#define FIG_NAME_MAX 64

/* ---- the grid's cells --------------------------------------------------- */

typedef struct fig_cell {
  char act[FIG_NAME_MAX], init[FIG_NAME_MAX];
  size_t depth, width;
  unsigned long seed;
  int ok;
  double final_loss, att0;
} fig_cell;

/* Names or sizes in order of first appearance: the grid's own order
 * (depths sorted). */
typedef struct fig_axis {
  size_t n;
  char (*name)[FIG_NAME_MAX];
  size_t *val;
} fig_axis;

typedef struct fig_grid {
  size_t n, nseeds;       /* cells; seeds = largest seed index + 1 */
  fig_cell *cells;
  fig_axis acts, inits, depths, widths;
} fig_grid;

int fig_grid_load(const char *cells_path, fig_grid *g, sb_error *err);
void fig_grid_free(fig_grid *g);
/* The saturation threshold the grid used, from the tables' header
 * comments (0.05 when they do not say). */
double fig_grid_tau(const char *cells_path);
/* Index of a name or value on an axis, or -1. */
int fig_axis_name(const fig_axis *ax, const char *s);
int fig_axis_val(const fig_axis *ax, size_t v);
/* The depth nearest to want (ties to the smaller). */
size_t fig_nearest_depth(const fig_grid *g, size_t want);
/* The init to show when only one is shown: Glorot's standard if present. */
int fig_preferred_init(const fig_grid *g);

/* ---- one figure ------------------------------------------------------------- */

typedef struct figure_def figure_def;

/* What a figure writer gets: the options, the figure's own row of the
 * table, the grid, the tables' paths, and shared read-only helpers. */
typedef struct fig_ctx {
  const plot_opts *o;
  const figure_def *def;
  const fig_grid *g;
  char cells[4200], layers[4200], summary[4200], hist[4200];
  double tau;              /* the grid's saturation threshold */
  const theory_work *tw;
} fig_ctx;

/* One row per figure (figures.c): adding a figure is a row there, its
 * writer beside it and its template plots/templates/NAME.gp. */
struct figure_def {
  const char *name;        /* NAME.gp, NAME.dat, NAME.pdf ... and the template */
  const char *title;       /* the first line of NAME.gp */
  int (*write)(const fig_ctx *c, sb_error *err);   /* SB_OK, FIG_SKIPPED or an error */
};

extern const figure_def fig_table[];
extern const size_t fig_count;

typedef struct figure {
  const fig_ctx *c;
  double w, h;             /* inches */
  FILE *dat;
  char *vars;              /* gnuplot settings written by satbench */
  size_t vars_len;
  FILE *v;
  int block;               /* blocks written to dat so far */
  size_t rows;             /* data rows written */
  char dat_path[4200], dat_tmp[4300];
} figure;

int fig_open(figure *f, const fig_ctx *c, double w, double h, sb_error *err);
void fig_discard(figure *f);
/* Start a data block; returns its index for `index` in gnuplot. */
int fig_block(figure *f, const char *comment);
/* A value of the current row; last ends the row. */
void fig_num(figure *f, double x, int last);
/* Settings for the template: key = "val" and key = number. */
void fig_var_str(figure *f, const char *key, const char *val);
void fig_var_num(figure *f, const char *key, double val);
void fig_var_names(figure *f, const char *key, const fig_axis *ax);
/* Finish: NAME.dat, then NAME.gp.  FIG_SKIPPED (nothing written) when the
 * figure has no data rows. */
int fig_close(figure *f, sb_error *err);

/* Space-separated lists for gnuplot string variables. */
typedef struct fig_list { char s[8192]; } fig_list;
void fig_list_add(fig_list *l, const char *item);
void fig_list_addi(fig_list *l, long v);

/* The compiled-in template called file ("style.gp", "NAME.gp"), or NULL. */
const char *fig_template(const char *file);

#endif
