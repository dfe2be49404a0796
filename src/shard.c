/* shard.c - longest-first, least-loaded assignment of cells (shard.h). */
#include <config.h>
#include "shard.h"
#include "num.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int shard_parse(const char *opt, const char *text, size_t *k, size_t *n, sb_error *err)
{
  const char *slash = strchr(text, '/');
  unsigned long kk, nn;
  char head[32];
  size_t len = slash ? (size_t)(slash - text) : 0;
  if (!slash || len == 0 || len >= sizeof head)
    return sb_fail(err, SB_EUSAGE, "--%s: '%s' is not K/N (shard K of N, 0 <= K < N), e.g. 0/4", opt, text);
  memcpy(head, text, len);
  head[len] = '\0';
  char what[64];
  snprintf(what, sizeof what, "--%s: K of K/N", opt);
  int rc = num_parse_count(what, head, 0, 999999, &kk, err);
  if (rc) return rc;
  snprintf(what, sizeof what, "--%s: N of K/N", opt);
  if ((rc = num_parse_count(what, slash + 1, 1, 1000000, &nn, err))) return rc;
  if (kk >= nn)
    return sb_fail(err, SB_EUSAGE, "--%s: shard %lu of %lu does not exist (shards are numbered 0 to %lu)", opt, kk,
                   nn, nn - 1);
  *k = kk;
  *n = nn;
  return SB_OK;
}

typedef struct { double cost; size_t index; } job;

static int longest_first(const void *pa, const void *pb)
{
  const job *a = pa, *b = pb;
  if (a->cost != b->cost) return a->cost > b->cost ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

/* A binary min-heap of shards keyed by (load, shard number): the next
 * cell goes to its top. */
typedef struct { double *load; size_t *heap, n; } shard_heap;

static int lighter(const shard_heap *h, size_t a, size_t b)
{
  double la = h->load[a], lb = h->load[b];
  return la < lb || (la == lb && a < b);
}

static void sift_down(shard_heap *h, size_t i)
{
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->n && lighter(h, h->heap[l], h->heap[m])) m = l;
    if (r < h->n && lighter(h, h->heap[r], h->heap[m])) m = r;
    if (m == i) return;
    size_t t = h->heap[i];
    h->heap[i] = h->heap[m];
    h->heap[m] = t;
    i = m;
  }
}

int shard_assign(const double *cost, size_t n_cells, size_t n_shards, size_t *shard_of, double *load_out)
{
  job *jobs = malloc((n_cells ? n_cells : 1) * sizeof *jobs);
  double *load = calloc(n_shards, sizeof *load);
  size_t *heap = malloc(n_shards * sizeof *heap);
  if (!jobs || !load || !heap) { free(jobs); free(load); free(heap); return SB_EFAIL; }
  for (size_t c = 0; c < n_cells; c++) jobs[c] = (job){ cost[c], c };
  qsort(jobs, n_cells, sizeof *jobs, longest_first);
  /* All loads are 0: shard order is a valid heap. */
  for (size_t s = 0; s < n_shards; s++) heap[s] = s;
  shard_heap h = { load, heap, n_shards };
  for (size_t j = 0; j < n_cells; j++) {
    size_t s = heap[0];
    shard_of[jobs[j].index] = s;
    load[s] += jobs[j].cost;
    sift_down(&h, 0);
  }
  if (load_out) memcpy(load_out, load, n_shards * sizeof *load);
  free(jobs);
  free(load);
  free(heap);
  return SB_OK;
}
