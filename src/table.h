/* table.h - the tables' formats: each row type's column list and its one
 * writer.  Records (record.h) and tables (store.h) carry the same rows, so
 * a row is formatted in exactly one place, once, when its cell finishes.
 *
 * A table file is '#' comment lines (satbench's version and the resolved
 * configuration), one header row, then rows, tab-separated.  Measured
 * values have TABLE_DIGITS significant digits: every one is an estimate
 * over a probe set whose sampling error is far above 1e-9, and the digits
 * beyond are those a BLAS kernel's summation order changes (the manual,
 * "Reproducibility").  Spreads over seeds (sd, ci95) have
 * TABLE_SPREAD_DIGITS: estimated from a few seeds, their own relative error
 * is tens of percent.  Histogram counts are integers. */
#ifndef SB_TABLE_H
#define SB_TABLE_H

#include <stdio.h>
#include "cfg.h"
#include "stats.h"
#include "train.h"

#define TABLE_DIGITS 9
#define TABLE_SPREAD_DIGITS 4

/* Row types.  Those with a tag are written to records by their cell and
 * copied from there into their table; the others are derived when the
 * tables are merged. */
typedef enum {
  ROW_CELLS,     /* cells.tsv: one per cell                          */
  ROW_LAYERS,    /* layers.tsv: one per (cell, logged step, layer)   */
  ROW_SUMMARY,   /* summary.tsv: layers over seeds (derived)         */
  ROW_HIST,      /* hist.tsv: one per (cell, moment, layer, kind, bin) */
  ROW_CURVES,    /* curves.tsv: one per (cell, logged step)          */
  ROW_CURVES_SUMMARY, /* curves_summary.tsv: curves over seeds (derived) */
  ROW_THEORY,    /* records only: the mean-field profile at init     */
  ROW_SPECTRA,   /* spectra.tsv: one per (cell, step, input, rank) of the Jacobian probe */
  ROW_PREC,      /* precision.tsv: one per (cell, logged step, layer, tensor) of an emulated precision */
  ROW_LOG2HIST,  /* log2hist.tsv: one per (cell, histogram step, layer, tensor, occupied log2 bin), emulated cells */
  ROW_GATES,     /* gates.tsv: one per (cell, logged step, time step, sigmoid gate) of an LSTM or GRU */
  ROW_COUNT
} row_kind;

/* Optional parts of the tables, on only with their option: --jacobian
 * (spectra.tsv and cells.tsv's jac_* columns), --histograms other than
 * none (hist.tsv).  A grid writes neither an empty table nor a column
 * that could only be NaN for a feature that was off. */
/* TABLE_PREC: a precision other than fp64 or a loss scale (--precisions,
 * --loss-scales): precision.tsv, cells.tsv's flush and scale columns, and
 * the precision and loss_scale axes as columns of every table. */
/* TABLE_RNN: a recurrent cell (--archs): gates.tsv, cells.tsv's recurrent
 * columns, and the arch axis as a column of every table.  The optional
 * axes' groups are these bits (cfg_axis_group). */
enum { TABLE_JACOBIAN = 1u << 0, TABLE_HIST = 1u << 1, TABLE_PREC = CFG_GROUP_PREC, TABLE_RNN = CFG_GROUP_RNN,
       TABLE_ALL = (1u << 4) - 1 };
_Static_assert(TABLE_PREC == 1u << 2 && TABLE_RNN == 1u << 3, "the feature bits are distinct");
/* The features a configuration's tables have. */
unsigned table_features(const sb_config *cfg);

typedef struct row_info {
  const char *file;   /* the table's file name in --out; NULL: records only */
  char tag;           /* the record line's tag; 0: derived at merge */
  unsigned needs;     /* TABLE_* the table exists with; 0: always */
} row_info;

const row_info *table_row_info(row_kind k);

/* The column names of a row type with the given features (TABLE_*),
 * tab-separated, into buf (no newline); returns the length (snprintf's:
 * >= size when cut).  The one list each row writer below follows; readers
 * find columns in it by name. */
size_t table_columns(row_kind k, unsigned features, char *buf, size_t size);
/* What column name of row type k means: its unit into *unit and one line
 * into about.  -1 for a column nobody described (tests/manual.sh fails). */
int table_column_doc(row_kind k, const char *name, const char **unit, char *about, size_t size);
/* Index of the column called name in row type k, or -1. */
int table_col(row_kind k, unsigned features, const char *name);
/* The header row of a row type's table: its columns and a newline. */
void table_header(FILE *f, row_kind k, unsigned features);

/* Identity of a cell in the tables: its index, the text of its value on
 * every axis of the grid (cfg.h's cfg_axis order: each is a column), and
 * its seed index.  depth is the depth again, as a number; features the
 * grid's TABLE_* (which columns its rows have). */
#define TABLE_AXIS_TEXT 64
typedef struct table_cell {
  size_t cell;
  char axis[AXIS_COUNT][TABLE_AXIS_TEXT];
  size_t depth;
  unsigned long seed;
  unsigned features;
} table_cell;

void table_double(FILE *f, double x);
/* "# satbench VERSION" and the configuration as '#' lines. */
void table_comments(FILE *f, const sb_config *cfg);

/* The row writers.  Each line starts with prefix ("" in a table, the tag
 * and a tab in a record). */
const char *table_status_name(int train_status);
void table_cells_row(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
void table_layers_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
void table_hist_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
void table_theory_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
void table_curves_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
void table_spectra_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
void table_prec_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
void table_log2hist_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
void table_gates_rows(FILE *f, const char *prefix, const table_cell *c, const train_result *r);
/* Whether axis k is a column of tables with these features (cfg.h's
 * cfg_axis_group: the optional ones only with their group's feature). */
int table_axis_on(int k, unsigned features);

/* The rows of one cell of row type k, by the writer above that owns it
 * (a record's body, satbench run --from); nothing for the derived types
 * (summaries), which are made at merge. */
void table_cell_rows(FILE *f, const char *prefix, row_kind k, const table_cell *c, const train_result *r);

/* A group of cells that differ only in their seed: the axes' texts, and
 * the text of its cells' sigma_w2 and sigma_b2 (cells.tsv's, as written). */
typedef struct table_group {
  char axis[AXIS_COUNT][TABLE_AXIS_TEXT];
  unsigned features;   /* the grid's TABLE_* */
  char sigma_w2[TABLE_AXIS_TEXT], sigma_b2[TABLE_AXIS_TEXT];
  size_t depth;
} table_group;

/* One summary.tsv row: the group, its (step, layer), the seeds measured,
 * each probe column's summary over them, that of log10(||delta^l|| /
 * ||delta^depth||), and the mean-field value of the latter. */
void table_summary_row(FILE *f, const table_group *g, long step, size_t layer, size_t n,
                       const seed_summary cols[PROBE_NCOLS], const seed_summary *ratio, double ratio_theory);

/* curves.tsv's value columns after the step (the learning curve's own, the
 * global gradient norm, the hidden-layer means): their number, and one
 * summary.tsv-style row of curves_summary.tsv over the seeds. */
size_t table_curve_ncols(void);
void table_curves_summary_row(FILE *f, const table_group *g, long step, size_t n, const seed_summary *cols);

#endif
