/* plot.h - `satbench plot`: paper-style figures from a grid's tables.
 *
 * For each figure satbench derives a small data file from the tables
 * (NAME.dat: blocks that gnuplot reads with `index`, since gnuplot cannot
 * group rows by a column), writes a self-contained NAME.gp (the figure's
 * settings, then plots/templates/style.gp, then the figure's template
 * plots/templates/NAME.gp)
 * and renders NAME.pdf and NAME.png with gnuplot when it is on the PATH.
 * `cd plots && gnuplot NAME.gp` redraws a figure. */
#ifndef SB_PLOT_H
#define SB_PLOT_H

#include <stdio.h>
#include "err.h"

/* The gnuplot templates, compiled in by plots/embed.sh. */
typedef struct plot_template { const char *name, *text; } plot_template;
extern const plot_template plot_templates[];

/* --select KEY=V[,V...]: only the cells with one of those values of the
 * axis (or seed) KEY. */
#define FIG_MAX_SELECT 16
typedef struct plot_select { char key[32]; char values[512]; } plot_select;

typedef struct plot_opts {
  char data[4096];      /* -d: the grid's --out folder          */
  char out[4096];       /* -o: where figures go                 */
  char formats[64];     /* space-separated: pdf png svg tex     */
  char gnuplot[4096];   /* program; "" = find it on the PATH    */
  int render;           /* 0 with --no-render                   */
  int quiet;
  int tex;              /* --terminal cairolatex                */
  char only[1024];      /* --only: comma-separated figure names ("": all) */
  plot_select select[FIG_MAX_SELECT];
  size_t n_select;
  int partial;          /* --partial: draw an incomplete grid, titles say so */
  int force;            /* --force: overwrite scripts the user edited */
} plot_opts;

/* Parse `satbench plot` arguments; -1 when help was printed. */
/* satbench list --complete plot [OPTION]: the options of plot, or the
 * values of one (--format, --terminal, --only, --select's KEY=VALUE). */
void plot_complete(FILE *f, const char *option);
int plot_parse(plot_opts *o, int argc, char **argv, FILE *help, sb_error *err);
/* Write and render every figure whose data is present. */
int plot_run(const plot_opts *o, sb_error *err);

#endif
