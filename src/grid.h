/* grid.h - `satbench grid`: the cells of activation x init x depth x width
 * x seed, run in parallel (each cell whole on one thread), made durable one
 * by one, then merged into the tables. */
#ifndef SB_GRID_H
#define SB_GRID_H

#include "cfg.h"
#include "err.h"
#include "train.h"

/* Cell index of (activation a, init i, depth d, width w, seed s): the
 * canonical order, seed fastest. */
size_t grid_cell_index(const sb_config *cfg, size_t a, size_t i, size_t d, size_t w, size_t s);

/* The training parameters of the cell (activation a, init i, depth d,
 * width w) at seed index seed: the one place a cell is made from the
 * configuration (grid and run alike). */
void grid_cell_params(const sb_config *cfg, size_t a, size_t i, size_t d, size_t w, unsigned long seed,
                      train_params *p);

/* Run the grid.  Returns 0, 1 (a cell or a write failed), 2 (bad input),
 * or 128 + signal when interrupted (the message says how to resume). */
int grid_run(const sb_config *cfg, sb_error *err);

#endif
