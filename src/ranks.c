/* ranks.c - MPI ranks and the dynamic scheduler of a grid (ranks.h). */
#include <config.h>
#include "ranks.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_MPI
#include <mpi.h>
static int mpi_on;   /* MPI_Init_thread was called here */
#ifndef _OPENMP
#error "an MPI build needs OpenMP: each rank's MPI thread runs beside its workers"
#endif
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

static int my_rank = 0, n_ranks = 1;

int ranks_init(int *argc, char ***argv, sb_error *err)
{
#ifdef HAVE_MPI
  /* Started without a launcher, the program is a one-rank run and leaves
   * MPI alone: a singleton MPI_Init would set up shared memory and a PMIx
   * server for nothing, and print their errors where a run has none. */
  if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_RANK") && !getenv("PMI_SIZE"))
    return SB_OK;
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    return sb_fail(err, SB_EFAIL, "MPI_Init_thread failed");
  mpi_on = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &n_ranks);
  if (provided < MPI_THREAD_FUNNELED && n_ranks > 1)
    return sb_fail(err, SB_EFAIL, "this MPI provides thread level %d, below MPI_THREAD_FUNNELED: the ranks' "
                                  "OpenMP threads cannot run beside it", provided);
#else
  (void)argc;
  (void)argv;
  (void)err;
#endif
  return SB_OK;
}

void ranks_finalize(void)
{
#ifdef HAVE_MPI
  if (mpi_on) MPI_Finalize();
  mpi_on = 0;
#endif
}

int ranks_rank(void) { return my_rank; }
int ranks_size(void) { return n_ranks; }

const char *ranks_library(void)
{
#ifdef HAVE_MPI
  static char lib[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  if (MPI_Get_library_version(lib, &len) != MPI_SUCCESS) return "MPI";
  lib[strcspn(lib, "\n")] = '\0';
  return lib;
#else
  return NULL;
#endif
}

int ranks_bcast_int(int v)
{
#ifdef HAVE_MPI
  if (n_ranks > 1) MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
#endif
  return v;
}

#ifdef HAVE_MPI
static long reduce(long v, MPI_Op op)
{
  long r = v;
  if (n_ranks > 1) MPI_Allreduce(&v, &r, 1, MPI_LONG, op, MPI_COMM_WORLD);
  return r;
}
long ranks_sum(long v) { return reduce(v, MPI_SUM); }
long ranks_max(long v) { return reduce(v, MPI_MAX); }
#else
long ranks_sum(long v) { return v; }
long ranks_max(long v) { return v; }
#endif

void ranks_barrier(void)
{
#ifdef HAVE_MPI
  if (n_ranks > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

/* ---- the scheduler ------------------------------------------------------ */

/* A worker's slot: what its communicator has for it. */
enum { SLOT_BUSY = -3, SLOT_WANT = -2, SLOT_END = -1 };
/* Messages to rank 0: {items finished since the last message, failed}. */
enum { TAG_REQ = 1, TAG_WORK = 2, TAG_DONE = 3 };

typedef struct sched {
  const size_t *items;
  size_t n_items, next;       /* rank 0's list and where it is */
  int threads;
  _Atomic long *slot;         /* (threads) */
  _Atomic size_t finished;    /* items this rank finished */
  _Atomic int failed;         /* a run on this rank failed */
  int any_failed;             /* rank 0: some rank reported a failure */
  const ranks_job *job;
} sched;

static void nap(void)
{
  struct timespec ts = { 0, 200000 };   /* 0.2 ms: the MPI thread idles, it does not spin */
  nanosleep(&ts, NULL);
}

/* The next item for anyone, or -1 when there is none or handing out has
 * stopped (rank 0 only). */
static long next_item(sched *s)
{
  if ((s->job->stop && atomic_load(s->job->stop)) || atomic_load(&s->failed) || s->any_failed || s->next >= s->n_items)
    return -1;
  return (long)s->items[s->next++];
}

static void worker(sched *s, int w)
{
  for (;;) {
    atomic_store(&s->slot[w], SLOT_WANT);
    long v;
    while ((v = atomic_load(&s->slot[w])) == SLOT_WANT) nap();
    if (v == SLOT_END) return;
    int r = s->job->run(s->job->ctx, (size_t)v, w);
    if (r < 0) atomic_store(&s->failed, 1);
    else if (r > 0) atomic_fetch_add(&s->finished, 1);
  }
}

/* Rank 0's communicator: its own workers and the other ranks' requests. */
static void serve(sched *s)
{
  int ended = 0, done_ranks = 0;
  while (ended < s->threads || done_ranks < n_ranks - 1) {
    int busy = 0;
    for (int w = 0; w < s->threads; w++)
      if (atomic_load(&s->slot[w]) == SLOT_WANT) {
        long v = next_item(s);
        if (v < 0) ended++;
        atomic_store(&s->slot[w], v < 0 ? SLOT_END : v);
        busy = 1;
      }
#ifdef HAVE_MPI
    if (n_ranks > 1) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (flag) {
        long m[2];
        MPI_Recv(m, 2, MPI_LONG, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (m[1]) s->any_failed = 1;
        if (m[0] > 0 && s->job->done) s->job->done(s->job->ctx, (size_t)m[0]);
        if (st.MPI_TAG == TAG_REQ) {
          long v = next_item(s);
          MPI_Send(&v, 1, MPI_LONG, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
        } else {
          done_ranks++;
        }
        busy = 1;
      }
    }
#endif
    if (!busy) nap();
  }
}

#ifdef HAVE_MPI
/* Another rank's communicator: asks rank 0 for an item whenever one of its
 * workers is free, until rank 0 has none; then says it is done. */
static void ask(sched *s)
{
  int ended = 0, exhausted = 0;
  size_t reported = 0;
  while (ended < s->threads) {
    int busy = 0;
    if ((s->job->stop && atomic_load(s->job->stop)) || atomic_load(&s->failed)) exhausted = 1;
    for (int w = 0; w < s->threads; w++)
      if (atomic_load(&s->slot[w]) == SLOT_WANT) {
        long v = -1;
        if (!exhausted) {
          size_t fin = atomic_load(&s->finished);
          long m[2] = { (long)(fin - reported), atomic_load(&s->failed) };
          reported = fin;
          MPI_Send(m, 2, MPI_LONG, 0, TAG_REQ, MPI_COMM_WORLD);
          MPI_Recv(&v, 1, MPI_LONG, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          if (v < 0) exhausted = 1;
        }
        if (v < 0) ended++;
        atomic_store(&s->slot[w], v < 0 ? SLOT_END : v);
        busy = 1;
      }
    if (!busy) nap();
  }
  size_t fin = atomic_load(&s->finished);
  long m[2] = { (long)(fin - reported), atomic_load(&s->failed) };
  MPI_Send(m, 2, MPI_LONG, 0, TAG_DONE, MPI_COMM_WORLD);
}
#endif

size_t ranks_schedule(const size_t *items, size_t n_items, int threads, const ranks_job *job, int *failed)
{
  if (threads < 1) threads = 1;
  sched s = { items, my_rank == 0 ? n_items : 0, 0, threads, NULL, 0, 0, 0, job };
  s.slot = malloc((size_t)threads * sizeof *s.slot);
  if (!s.slot) {
    *failed = 1;
    (void)ranks_max(1);
    return 0;
  }
  for (int w = 0; w < threads; w++) atomic_init(&s.slot[w], SLOT_BUSY);
  atomic_init(&s.finished, 0);
  atomic_init(&s.failed, 0);
  /* Thread 0 is the one that started MPI (the master of the region): it
   * alone talks MPI (MPI_THREAD_FUNNELED); threads 1..threads train. */
#ifdef _OPENMP
#pragma omp parallel num_threads(threads + 1)
  {
    int t = omp_get_thread_num();
    if (t == 0) {
#ifdef HAVE_MPI
      if (my_rank == 0) serve(&s);
      else ask(&s);
#else
      serve(&s);
#endif
    } else {
      worker(&s, t - 1);
    }
  }
#else
  /* One thread (configure refuses MPI without OpenMP): the items in order. */
  for (long v; (v = next_item(&s)) >= 0;) {
    int r = job->run(job->ctx, (size_t)v, 0);
    if (r < 0) atomic_store(&s.failed, 1);
    else if (r > 0) atomic_fetch_add(&s.finished, 1);
  }
  (void)worker;
  (void)serve;
#endif
  size_t mine = atomic_load(&s.finished);
  *failed = (int)ranks_max(atomic_load(&s.failed) || s.any_failed);
  free(s.slot);
  return mine;
}
