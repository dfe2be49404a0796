/* digest.h - a grid's digest, one for `satbench grid`/`merge`'s closing
 * lines and for the report: one row per group (the cells that differ only
 * in their seed) with its columns defined once (digest_cols: the column,
 * what it is, how many digits), and the grid's findings in words, all
 * computed from cells.tsv (compare_grid_load). */
#ifndef SB_DIGEST_H
#define SB_DIGEST_H

#include <stddef.h>
#include <stdio.h>
#include "cfg.h"
#include "compare.h"

typedef enum { DIGEST_TEXT, DIGEST_HTML } digest_style;

/* A column of the digest: a metric of compare_metrics, its definition, and
 * its digits: decimals >= 0 for a quantity on a fixed scale (decades,
 * fractions, accuracies: the same decimals in every row), else 3
 * significant digits (a loss, which spans decades). */
typedef struct digest_col {
  const char *column;
  const char *about;
  int decimals;          /* -1: 3 significant digits */
  int with_sd;           /* "mean ± sd" over the seeds */
  int terminal;          /* in the digest `grid` prints (the report has them all) */
} digest_col;
extern const digest_col digest_cols[];
enum { DIGEST_NCOLS = 6 };

/* x as the column formats it ("–" in HTML, "nan" in text, for NaN; a true
 * minus sign in HTML). */
void digest_num(char *buf, size_t size, int col, double x, digest_style style);
/* Mean and sample sd over a group's finite values of metric m (NaN: none,
 * or fewer than 2 for the sd); the index of a metric by its column, or -1. */
double digest_mean(const compare_group *g, int m);
double digest_sd(const compare_group *g, int m);
int digest_metric(const char *column);

/* The axes a reader needs to tell groups apart: activation, init and depth
 * always, the others when they take several values. */
void digest_shown_axes(const compare_grid *g, int shown[AXIS_COUNT]);
/* Seeds of a group that ended with status s. */
size_t digest_count_status(const compare_group *cg, const char *s);
/* The distinct statuses of the grid: "ok" first, then in the order of
 * train_statuses, then any other name a table holds; their number. */
size_t digest_statuses(const compare_grid *g, const char **names, size_t max);
/* Whether the grid emulates a precision or scales its loss (its
 * configuration names --precisions): the statuses only that can give
 * (train_status_counted) are counted then. */
int digest_emulates(const compare_grid *g);

/* The findings in words, from the cells alone: a list (HTML <ul>, or
 * "- " lines). */
void digest_findings(FILE *f, const compare_grid *g, digest_style style);
/* The digest as text: the columns defined, one row per group, the
 * findings (what `grid` and `merge` print). */
void digest_print(FILE *f, const compare_grid *g);

#endif
