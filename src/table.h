/* table.h - tab-separated tables as SPEC.md defines them: '#' comment lines
 * with version and resolved configuration, one header row, then rows.
 * Doubles are written as the shortest text that reads back exactly (num.h). */
#ifndef SB_TABLE_H
#define SB_TABLE_H

#include <stdio.h>
#include "cfg.h"
#include "train.h"

/* Identity of a cell in the tables. */
typedef struct table_cell {
  size_t cell;
  const char *activation;
  const char *init;       /* canonical text, e.g. "normal:0.05" */
  size_t depth, width;
  unsigned long seed;     /* seed index */
} table_cell;

void table_double(FILE *f, double x);
/* "# satbench VERSION" and the configuration as '#' lines. */
void table_comments(FILE *f, const sb_config *cfg);
void table_layers_header(FILE *f);
/* One row per (logged step, layer) of a cell's result. */
void table_layers_rows(FILE *f, const table_cell *c, const train_result *r);

#endif
