/* ranks.h - the MPI ranks of one grid (a build --with-mpi under mpirun),
 * or one rank (every other build, and the MPI build started without
 * mpirun, which behaves exactly as a one-process run).
 *
 * Hybrid MPI + OpenMP with MPI_THREAD_FUNNELED: only the thread that
 * started MPI calls it.  ranks_schedule hands out a grid's cells
 * dynamically: rank 0 holds the list (longest first); in every rank one
 * extra thread talks MPI and `threads` workers train, each asking for the
 * next cell as it frees up.  Rank 0 answers its own workers and the other
 * ranks' requests from the same list, so the cells are spread by how fast
 * each rank frees up, not by a fixed split.  Records are written where
 * they are computed; the tables (rank 0's merge) are byte-identical to a
 * one-process run for any ranks and threads. */
#ifndef SB_RANKS_H
#define SB_RANKS_H

#include <stddef.h>
#include "err.h"
#include "stop.h"

/* Start MPI when built with it (a no-op otherwise).  SB_EFAIL when MPI
 * cannot provide MPI_THREAD_FUNNELED. */
int ranks_init(int *argc, char ***argv, sb_error *err);
void ranks_finalize(void);
int ranks_rank(void);   /* 0 without MPI */
int ranks_size(void);   /* 1 without MPI */
/* The MPI library's name ("Open MPI v4.1.4, ..."), or NULL without MPI. */
const char *ranks_library(void);

/* Rank 0's value of v, on every rank (v itself with one rank). */
int ranks_bcast_int(int v);
/* The sum and the maximum of v over the ranks. */
long ranks_sum(long v);
long ranks_max(long v);
void ranks_barrier(void);

/* A scheduled job: run(ctx, item, worker) trains one item (a cell index)
 * on worker thread `worker` (0..threads-1) and returns 1 when it finished
 * it, 0 when it did not run it to the end (stopped), -1 on a failure (then
 * no more items are handed out anywhere).  done(ctx, n),
 * called on rank 0's MPI thread, counts n items finished on other ranks
 * (for the progress line).  stop (a signal) ends the handing out too. */
typedef struct ranks_job {
  int (*run)(void *ctx, size_t item, int worker);
  void (*done)(void *ctx, size_t n);
  void *ctx;
  const stop_flag *stop;
} ranks_job;

/* Run items[0..n_items-1] (read on rank 0 only, in that order) over every
 * rank's `threads` workers.  Returns the items this rank finished; *failed
 * is set when any rank's run failed (after all ranks are done). */
size_t ranks_schedule(const size_t *items, size_t n_items, int threads, const ranks_job *job, int *failed);

#endif
