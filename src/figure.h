/* figure.h - what every figure of `satbench plot` is made with: the grid's
 * cells as read back from cells.tsv (fig_grid), the rows of the other
 * tables that --select keeps (fig_rows), and the writer of one figure's
 * NAME.dat (data blocks that gnuplot reads with `index`, since gnuplot
 * cannot group rows by a column) and NAME.gp (the settings derived from
 * the data, then plots/templates/style.gp, then the figure's own
 * plots/templates/NAME.gp).  The figures themselves are in figures.c.
 *
 * A figure's series are activation x init x variant, where a variant is a
 * combination of the other axes (width, lr, optimizer, loss) that take
 * more than one value in the grid; one that takes a single value is named
 * once, in the title. */
#ifndef SB_FIGURE_H
#define SB_FIGURE_H

#include <stddef.h>
#include <stdio.h>
#include "cfg.h"
#include "err.h"
#include "plot.h"
#include "theory.h"
#include "tsv.h"

/* A figure writer's result besides SB_OK and the errors: the grid has no
 * data for this figure (nothing is written; plot says so and goes on). */
#define FIG_SKIPPED (-1)

#define FIG_NAME_MAX 64
#define FIG_LABEL_MAX 160

/* ---- the grid's cells --------------------------------------------------- */

typedef struct fig_cell {
  size_t index;
  char act[FIG_NAME_MAX], init[FIG_NAME_MAX];
  int var;                 /* its variant: index into fig_grid.variants */
  int ivar;                /* its variant at initialization (width, loss): fig_grid.ivariants */
  int init_rep;            /* the one cell of its (activation, init, depth, ivar, seed) that
                            * stands for all at step 0, where cells differing only in the
                            * learning rate or the optimizer are the same network */
  int arch;                /* its norm and skip connections: fig_grid.archs */
  int rest, irest;         /* its variant (at init) without them: fig_grid.rests, .irests */
  int ctype;               /* its cell type (mlp, rnn, lstm, gru): fig_grid.ctypes */
  int crest, icrest;       /* its variant (at init) without the cell type: fig_grid.crests, .icrests */
  size_t depth, width;
  unsigned long seed;
  char status[16];
  double final_loss, att0, chance_loss, chance_error;
  double test_acc;         /* final_test_acc (NaN in tables without it) */
  double success;          /* a recurrent cell's test share meeting the task's criterion (NaN without) */
} fig_cell;

/* Names or sizes in order of first appearance: the grid's own order
 * (depths sorted).  A name's label is what a figure prints: the name with
 * every number of more than six significant digits cut to four
 * (orthogonal:1.4142135623730951 reads orthogonal:1.414), or the names
 * themselves where that would make two labels of the axis the same. */
typedef struct fig_axis {
  size_t n;
  char (*name)[FIG_LABEL_MAX];
  char (*label)[FIG_LABEL_MAX];
  size_t *val;
} fig_axis;

typedef struct fig_grid {
  size_t n, nseeds;        /* cells (those --select keeps); seeds = largest index + 1 */
  fig_cell *cells;
  fig_axis acts, inits, depths, variants;
  /* the variants as they differ at initialization, where the learning
   * rate and the optimizer do not matter yet: width and loss (which sets
   * the output error) */
  fig_axis ivariants;
  /* the remedies: each (norm, residual) pair ("batchnorm, residual"), and
   * the variants without those two axes, trained and at init */
  fig_axis archs, rests, irests;
  /* the cell types (the arch column: mlp, or a recurrent cell whose depth
   * is the sequence length T), and the variants without that axis,
   * trained and at init: the recurrent figures draw the cell types as
   * lines */
  fig_axis ctypes, crests, icrests;
  char fixed[FIG_LABEL_MAX];   /* the variant axes with one value: "width 32, lr 0.05, sgd, xent" */
  char init_fixed[FIG_LABEL_MAX];  /* those of them that matter at step 0: "width 32, xent" */
  int varies[AXIS_COUNT];      /* a variant axis with several values (in the variants' labels) */
  long steps;              /* optimizer steps per cell (0: measured at init only) */
  char res_scale[32];      /* --residual-scale, as the header says it */
  long log_every;          /* --log-every (0: none between the first and last probe) */
  int log_steps;           /* the probes follow the log schedule: draw steps on a log axis */
  double tau;              /* the saturation threshold */
  size_t classes;          /* units of the output layer */
  int incomplete;          /* the tables say the grid is not complete */
} fig_grid;

int fig_grid_load(const plot_opts *o, const char *data_dir, fig_grid *g, sb_error *err);
void fig_grid_free(fig_grid *g);
/* Index of a name or value on an axis, or -1. */
int fig_axis_name(const fig_axis *ax, const char *s);
/* Whether axis k (cfg_axis) changes a network at step 0 (width, norm,
 * residual, loss, precision, loss scale): the axes of an init figure's
 * variants (ivariants). */
int fig_is_init_axis(int k);
int fig_axis_val(const fig_axis *ax, size_t v);
/* Whether figures draw optimizer steps on a log axis: when the grid
 * probed on the log schedule alone (with a linear one too, of ten or more
 * points, a linear axis shows the run as He et al. draw it). */
int fig_log_axis(const fig_grid *g);
/* The depth nearest to want (ties to the smaller). */
size_t fig_nearest_depth(const fig_grid *g, size_t want);
/* The init to show when only one is shown: Glorot's standard if present. */
int fig_preferred_init(const fig_grid *g);
/* Up to 9 hidden layers to draw of `depth`: all of them up to 9, else the
 * first, the last and layers evenly between (quartiles and eighths). */
size_t fig_layer_subset(size_t depth, size_t *layers);
/* Append printf-style text to the string in buf (size bytes): labels of
 * figures, cut to fit with "..." when they would not. */
void fig_cat(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
/* How a variant's label names value val of axis k: "lr 0.1", "adam",
 * "fp16", "scale 1024". */
void fig_variant_part(int k, const char *val, char *buf, size_t size);
/* "act/init" and the variant, for legends. */
void fig_series_label(const fig_grid *g, int a, int i, int v, char *buf, size_t size);

/* ---- rows of a table, as --select keeps them --------------------------- */

typedef struct fig_rows {
  tsv_reader *t;
  const fig_grid *g;
  const plot_opts *o;
  int col[AXIS_COUNT], seed_col;
} fig_rows;

int fig_rows_open(fig_rows *r, const plot_opts *o, const fig_grid *g, const char *path, sb_error *err);
/* The next row --select keeps: 1, 0 at the end, or a negated error. */
int fig_rows_next(fig_rows *r, sb_error *err);
void fig_rows_close(fig_rows *r);
/* The current row's activation, init and variant indices (-1 when not in
 * the grid), and its depth and width. */
int fig_rows_act(const fig_rows *r);
int fig_rows_init(const fig_rows *r);
int fig_rows_variant(const fig_rows *r);
int fig_rows_ivariant(const fig_rows *r);
size_t fig_rows_depth(const fig_rows *r);
size_t fig_rows_width(const fig_rows *r);

/* ---- one figure ------------------------------------------------------------- */

typedef struct figure_def figure_def;

/* What a figure writer gets: the options, the figure's own row of the
 * table, the grid, the tables' paths, and shared read-only helpers. */
typedef struct fig_ctx {
  const plot_opts *o;
  const figure_def *def;
  const fig_grid *g;
  char cells[4200], layers[4200], summary[4200], hist[4200], curves[4200], curves_summary[4200], spectra[4200];
  const theory_work *tw;
  const char *stage;       /* the private folder a figure's files are written to (plot.c
                            * renders there, then renames them into -o) */
  int *kept;               /* set by fig_close when it kept an edited NAME.gp */
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
  char bad[160];           /* a setting whose value has a control byte (fig_close refuses it) */
  char dat_path[4200], dat_tmp[4300];
} figure;

int fig_open(figure *f, const fig_ctx *c, double w, double h, sb_error *err);
void fig_discard(figure *f);
/* Start a data block; returns its index for `index` in gnuplot. */
int fig_block(figure *f, const char *comment);
/* A value of the current row; last ends the row. */
void fig_num(figure *f, double x, int last);
/* A word of the current row (a label without blanks). */
void fig_text(figure *f, const char *s, int last);
/* Settings for the template: key = 'val' and key = number.  A value is
 * data, never code: a gnuplot single-quoted string, inside which gnuplot
 * expands nothing (no backslash escapes, no `command`, no @macro; a quote
 * is a string of its own, "'", joined on with `.`).  A control byte could end the line and start a
 * command: fig_grid_load refuses tables that hold one, and a value that
 * still has one makes fig_close fail (SB_EUSAGE) naming the setting. */
void fig_var_str(figure *f, const char *key, const char *val);
void fig_var_num(figure *f, const char *key, double val);
/* The names of an axis as a gnuplot array of strings, key[1..|key|]. */
void fig_var_names(figure *f, const char *key, const fig_axis *ax);

/* Finish: NAME.dat, then NAME.gp, in c->stage.  FIG_SKIPPED (nothing
 * written) when the figure has no data rows.  A NAME.gp in -o that the
 * user edited since satbench wrote it is kept (the new script goes to
 * NAME.gp.new, a copy of the edited one to the stage's NAME.gp for
 * rendering, and *c->kept is set) unless --force; one that is not a
 * regular file (a symlink, a FIFO) is nobody's edit: it is replaced,
 * never followed. */
int fig_close(figure *f, sb_error *err);

/* Space-separated lists of numbers (block indices, colours, dashes,
 * limits) for word() in a template; an item with a blank or none is
 * quoted (word() reads 'a b' as one word). */
typedef struct fig_list { char s[16384]; } fig_list;
void fig_list_add(fig_list *l, const char *item);
void fig_list_addi(fig_list *l, long v);

/* Lists of names and titles (legends, panel titles): word() cannot hold
 * every string (one with a blank and both kinds of quote), so they go to
 * the template as a gnuplot array of single-quoted strings, key[1..|key|]
 * (fig_var_texts).  An item that no longer fits is written as ''; an
 * empty list as one '' (gnuplot has no empty arrays). */
typedef struct fig_texts { char s[16384]; size_t len, n; } fig_texts;
void fig_texts_add(fig_texts *l, const char *item);
void fig_var_texts(figure *f, const char *key, const fig_texts *l);

/* The compiled-in template called file ("style.gp", "NAME.gp"), or NULL. */
const char *fig_template(const char *file);

/* FNV-1a 64 of a script's text after its first line (the digest line). */
unsigned long long fig_script_digest(const char *text);

#endif
