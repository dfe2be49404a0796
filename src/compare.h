/* compare.h - `satbench compare A B`: two grids' cells matched by their
 * parameters (the axes but the seed), and for each group and metric the
 * means over seeds in A and B, their difference and Welch's t-test.
 *
 * The cells of a grid are read back from its cells.tsv (tsv.c), after
 * store_check_set; report.c reads them through the same loader for its
 * digest and findings. */
#ifndef SB_COMPARE_H
#define SB_COMPARE_H

#include <stddef.h>
#include <stdio.h>
#include "cfg.h"
#include "err.h"

/* The metrics compared: a column of cells.tsv, or one measured against
 * the chance level (which moves with the dataset, and so with --seed). */
typedef enum { METRIC_COLUMN, METRIC_RATIO, METRIC_ABOVE_CHANCE } compare_metric_kind;
typedef struct compare_metric {
  const char *column;                 /* the metric's name (a column for METRIC_COLUMN) */
  const char *what;
  compare_metric_kind kind;
  const char *of, *chance;            /* the columns of a ratio or of an accuracy above chance */
  int relative;                       /* a change is told relative (B - A) / |A|, else as B - A (logs, fractions) */
  int compared;                       /* 0: read for the report's digest only */
} compare_metric;
extern const compare_metric compare_metrics[];
enum { COMPARE_NMETRICS = 9 };

/* p below this is "a difference"; at or above it, "~" (as benchstat). */
#define COMPARE_ALPHA 0.05

/* One group: the cells that differ only in their seed. */
typedef struct compare_group {
  char *axis[AXIS_COUNT];             /* the axes' values, as the table writes them */
  size_t n;                           /* seeds (cells) */
  double *v[COMPARE_NMETRICS];        /* (n) each metric per seed; NaN where not finite */
  char **status;                      /* (n) each seed's status */
} compare_group;

typedef struct compare_grid {
  char dir[4096];
  compare_group *g;
  size_t n_groups, n_cells;
  int has[COMPARE_NMETRICS];          /* cells.tsv has the column */
  char **config;                      /* "key = value" lines of cells.tsv's header comments */
  size_t n_config;
  int complete;                       /* "# complete = true" */
} compare_grid;

/* Read the cells of the grid in dir (its table set checked first). */
int compare_grid_load(const char *dir, compare_grid *g, sb_error *err);
void compare_grid_free(compare_grid *g);
/* The value of key in the grid's configuration comments, or NULL. */
const char *compare_grid_config(const compare_grid *g, const char *key);

/* Welch's unequal-variance t-test of mean(b) - mean(a) over the finite
 * values: the two-sided p, with t and the Welch-Satterthwaite degrees of
 * freedom.  NaN (no test) with fewer than 2 finite values on a side; with
 * no spread on either side, p is 1 for equal means and 0 otherwise. */
double compare_welch(const double *a, size_t na, const double *b, size_t nb, double *t, double *df);

/* One row of the comparison: a group shared by A and B, one metric. */
typedef struct compare_row {
  size_t ga, gb;                      /* the group in A and in B */
  int metric;
  size_t n_a, n_b;                    /* finite values */
  double mean_a, mean_b, sd_a, sd_b, diff, rel, t, df, p;
} compare_row;

typedef struct compare_result {
  compare_grid a, b;
  int paired_by_value[AXIS_COUNT];    /* 0: the axis that differs (one value on each side), not matched */
  char varied[512];                   /* "init: xavier_normal (A), standard (B)" or "" */
  char config_diff[2048];             /* the configuration keys that differ, or "" */
  compare_row *rows;
  size_t n_rows, n_shared, left_a, left_b;   /* groups compared, and left out of A and of B */
} compare_result;

/* Compare the grids in dir_a and dir_b; SB_EUSAGE naming both when they
 * share no group. */
int compare_run(const char *dir_a, const char *dir_b, compare_result *r, sb_error *err);
void compare_result_free(compare_result *r);
/* The comparison as a TSV table, written whole or not at all. */
int compare_write_tsv(const compare_result *r, const char *path, sb_error *err);
/* The readable summary (benchstat style). */
void compare_print(FILE *f, const compare_result *r);
/* A row's change as text: "~" without evidence, else B - A or (B - A) / |A|. */
void compare_change(const compare_row *w, char *buf, size_t size);
/* "~" or the p-value as text. */
void compare_verdict(double p, char *buf, size_t size);

/* satbench compare A B [-o FILE]. */
int compare_main(int argc, char **argv, sb_error *err);
/* satbench list --complete compare: "<TAB>DIR" (its two arguments are
 * folders), then its options. */
void compare_complete(FILE *f, const char *option);

#endif
