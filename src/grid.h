/* grid.h - `satbench grid`: the cells of activation x init x depth x width
 * x seed, run in parallel (each cell whole on one thread), made durable one
 * by one, then merged into the tables. */
#ifndef SB_GRID_H
#define SB_GRID_H

#include "cfg.h"
#include "err.h"
#include "table.h"
#include "train.h"

/* A cell's place in the grid: its value on each axis (cfg.h's order) and
 * its seed index. */
typedef struct grid_pos {
  size_t at[AXIS_COUNT];
  unsigned long seed;
} grid_pos;

/* Cell index of a place, and back: the canonical order, axes in cfg.h's
 * order, seed fastest.  A grid whose new axes have one value each numbers
 * its cells as before. */
size_t grid_cell_index(const sb_config *cfg, const grid_pos *pos);
void grid_cell_pos(const sb_config *cfg, size_t index, grid_pos *pos);

/* The training parameters of the cell at pos: the one place a cell is
 * made from the configuration (grid and run alike). */
void grid_cell_params(const sb_config *cfg, const grid_pos *pos, train_params *p);
/* Its identity in the tables. */
void grid_cell_id(const sb_config *cfg, const grid_pos *pos, table_cell *c);

/* Make the dataset of a configuration, with its probe set and evaluation
 * subsets; NULL with the error in err. */
dataset *grid_dataset(const sb_config *cfg, sb_error *err);
/* The dataset of the cells of depth `depth`: a sequence task's examples
 * have that length (data_alloc_len); any other kind's is grid_dataset's. */
dataset *grid_dataset_len(const sb_config *cfg, size_t depth, sb_error *err);

/* The shard of every cell when the grid is split over n_shards
 * (shard.h's longest-first rule on the cells' costs): *shard_of is
 * malloc'd (cfg_n_cells entries); load (n_shards), if not NULL, gets each
 * shard's cost in multiply-adds.  With --shard K/N, grid_run runs the cells
 * of shard K only and writes records, not tables. */
int grid_shards(const sb_config *cfg, size_t n_shards, size_t **shard_of, double *load, sb_error *err);

/* Run the grid.  Returns 0, 1 (a cell or a write failed), 2 (bad input),
 * or 128 + signal when interrupted (the message says how to resume). */
int grid_run(const sb_config *cfg, sb_error *err);

/* Refuse (SB_EUSAGE, before anything is written or allocated) a grid or
 * run whose largest cell, times threads, and the dataset do not fit in
 * the memory the machine, its cgroup or the SLURM job allows. */
int grid_check_memory(const sb_config *cfg, int threads, sb_error *err);

/* satbench merge: the tables of the grid in out from its records (and
 * first the records of the folders in from that out lacks).  A grid with
 * cells missing is refused (SB_EFAIL, counting them; nothing written)
 * unless partial, and then every table says "# complete = false".  With
 * compress, the tables are NAME.tsv.gz.  A complete merge removes out's
 * records unless keep_records (never those of the folders in from); a
 * folder whose records a complete merge removed has nothing to merge:
 * SB_OK when its tables match their manifest, saying so, else SB_EUSAGE
 * naming the table. */
int grid_merge(const char *out, int partial, int compress, const char *const *from, size_t n_from, int quiet,
               int keep_records, sb_error *err);

#endif
