/* shard.h - a grid's cells split over N shards, the same on every host.
 *
 * Cells are taken longest first (cost, then index) and each goes to the
 * shard with the least work so far (the lowest-numbered on a tie): the
 * "longest processing time" rule.  The assignment depends only on the
 * costs, which depend only on the configuration, so every shard of an
 * array job computes the same split from the configuration and N alone,
 * and the largest shard's cost is at most the average plus one cell. */
#ifndef SB_SHARD_H
#define SB_SHARD_H

#include <stddef.h>
#include "err.h"

/* Parse "K/N" (0 <= K < N) for the option named opt. */
int shard_parse(const char *opt, const char *text, size_t *k, size_t *n, sb_error *err);

/* shard_of[c] = the shard of cell c, for cells 0..n_cells-1 with the given
 * costs.  load (n_shards), if not NULL, receives each shard's total cost.
 * Returns SB_EFAIL (out of memory) or SB_OK. */
int shard_assign(const double *cost, size_t n_cells, size_t n_shards, size_t *shard_of, double *load);

#endif
