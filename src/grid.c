/* grid.c - scheduling a grid's cells over threads (see grid.h).
 *
 * Cells are sorted by estimated cost, longest first, and handed out one at
 * a time (dynamic schedule), so the wall time approaches total work over
 * threads.  A cell's numbers depend only on its own parameters, its seed
 * streams and the shared read-only dataset, never on the thread or the
 * order: that is what makes the tables byte-identical for any --threads. */
#include <config.h>
#include "grid.h"
#include "shard.h"
#include "ranks.h"
#include "blas.h"
#include "data.h"
#include "store.h"
#include "table.h"
#include "train.h"
#include "fileio.h"
#include "compare.h"
#include "digest.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

size_t grid_cell_index(const sb_config *cfg, const grid_pos *pos)
{
  size_t k = 0;
  for (int a = 0; a < AXIS_COUNT; a++) k = k * cfg_axis_len(cfg, (cfg_axis)a) + pos->at[a];
  return cfg->cmd == CMD_GRID ? k * cfg->seeds + pos->seed : k;
}

void grid_cell_pos(const sb_config *cfg, size_t index, grid_pos *pos)
{
  if (cfg->cmd == CMD_GRID) {
    pos->seed = index % cfg->seeds;
    index /= cfg->seeds;
  } else {
    pos->seed = cfg->seed_index;
  }
  for (int a = AXIS_COUNT - 1; a >= 0; a--) {
    size_t n = cfg_axis_len(cfg, (cfg_axis)a);
    pos->at[a] = index % n;
    index /= n;
  }
}

void grid_cell_params(const sb_config *cfg, const grid_pos *pos, train_params *p)
{
  const size_t *at = pos->at;
  *p = (train_params){
    .act = cfg->acts[at[AXIS_ACT]], .init = cfg->inits[at[AXIS_INIT]], .depth = cfg->depths[at[AXIS_DEPTH]],
    .width = cfg->widths[at[AXIS_WIDTH]],
    .arch = { cfg->norms[at[AXIS_NORM]], cfg->residuals[at[AXIS_RESIDUAL]],
              cfg->res_scale_depth ? 1.0 / sqrt((double)cfg->depths[at[AXIS_DEPTH]]) : cfg->res_scale },
    .master_seed = cfg->master_seed, .seed_index = pos->seed,
    .batch = cfg->batch, .steps = cfg_total_steps(cfg), .lr = cfg->lrs[at[AXIS_LR]], .opt = cfg->opts[at[AXIS_OPT]],
    .loss = cfg->losses[at[AXIS_LOSS]], .log_every = cfg->log_every, .log_schedule = cfg->log_schedule,
    .tau = cfg->tau, .jacobian = cfg->jacobian, .jacobian_init_only = cfg->jacobian_init_only,
    .hist_mode = cfg->hist_mode, .prec = cfg->precs[at[AXIS_PREC]],
    .loss_scale = cfg->lscales[at[AXIS_LSCALE]] > 0.0 ? cfg->lscales[at[AXIS_LSCALE]] : PREC_DYN_INIT,
    .ls_dynamic = cfg->lscales[at[AXIS_LSCALE]] == 0.0, .ls_window = cfg->lscale_window,
    .cell_arch = cfg->archs[at[AXIS_ARCH]], .clip = cfg->clips[at[AXIS_CLIP]],
    .forget_bias = cfg->fbiases[at[AXIS_FBIAS]], .stop = NULL,
  };
}

void grid_cell_id(const sb_config *cfg, const grid_pos *pos, table_cell *c)
{
  c->cell = cfg->cmd == CMD_GRID ? grid_cell_index(cfg, pos) : 0;
  for (int a = 0; a < AXIS_COUNT; a++) cfg_axis_text(cfg, (cfg_axis)a, pos->at[a], c->axis[a], sizeof c->axis[a]);
  c->depth = cfg->depths[pos->at[AXIS_DEPTH]];
  c->seed = pos->seed;
  c->features = table_features(cfg);
}

dataset *grid_dataset_len(const sb_config *cfg, size_t depth, sb_error *err)
{
  dataset *d = data_alloc_len(&cfg->data, train_seed(cfg->master_seed, 0, STREAM_DATASET), depth, err);
  if (!d) return NULL;
  if (data_subsets(d, cfg->probe_split, cfg->probe_size, cfg->eval_size,
                   train_seed(cfg->master_seed, 0, STREAM_SUBSETS), err)) {
    data_free(d);
    return NULL;
  }
  return d;
}

dataset *grid_dataset(const sb_config *cfg, sb_error *err)
{
  return grid_dataset_len(cfg, cfg->n_depths ? cfg->depths[0] : 0, err);
}

/* The datasets of a grid, one per value of the depth axis: a sequence
 * task's examples are as long as the depth (the sequence length T), the
 * other kinds' one dataset serves every depth. */
typedef struct grid_data {
  size_t n;                          /* distinct datasets made */
  dataset *of[CFG_MAX_AXIS];         /* per depth index */
  uint64_t digest[CFG_MAX_AXIS];     /* data_digest of each */
} grid_data;

static void grid_data_free(grid_data *g)
{
  for (size_t i = 0; i < g->n; i++) data_free(g->of[i]);
  g->n = 0;
}

static int grid_data_make(const sb_config *cfg, grid_data *g, sb_error *err)
{
  memset(g, 0, sizeof *g);
  int seq = data_kind_is_sequence(cfg->data.kind);
  for (size_t i = 0; i < cfg->n_depths; i++) {
    if (!seq && i > 0) {
      g->of[i] = g->of[0];
      g->digest[i] = g->digest[0];
      continue;
    }
    if (!(g->of[i] = grid_dataset_len(cfg, cfg->depths[i], err))) {
      grid_data_free(g);
      return err->code ? err->code : SB_EFAIL;
    }
    g->digest[i] = data_digest(g->of[i]);
    g->n = i + 1;
  }
  return SB_OK;
}

typedef struct grid_cell {
  size_t index;
  grid_pos pos;
  double cost;
} grid_cell;

static int by_cost(const void *pa, const void *pb)
{
  const grid_cell *x = pa, *y = pb;
  if (x->cost != y->cost) return x->cost > y->cost ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Bytes one cell needs while it trains: parameters, gradients, optimizer
 * state, the work buffers of a training batch and of the probe set, and
 * its records. */
static double cell_bytes(const sb_config *cfg, size_t depth, size_t width)
{
  double in = (double)cfg->data.input_dim, out = (double)cfg->data.classes, w = (double)width;
  double params = in * w + (double)(depth - 1) * w * w + w * out + (double)depth * w + out;
  double acts = (double)depth * w + out;
  double logs = (double)train_n_logs(cfg_total_steps(cfg), cfg->log_every, cfg->log_schedule);
  double rows = (double)cfg->batch + (double)cfg->probe_size;
  double l2h = 0.0;   /* an emulated cell's log2 histograms: its format's exponents per layer and tensor */
  for (size_t i = 0; i < cfg->n_precs && cfg_emulates(cfg); i++) {
    int emin;
    size_t nexp;
    train_l2h_range(cfg->precs[i], &emin, &nexp);
    double b = (double)(depth + 1) * TRAIN_L2H_NT * (double)(TRAIN_L2H_EXP + nexp);
    if (b > l2h) l2h = b;
  }
  /* A recurrent cell (the largest of the grid's cells): its parameters
   * (G H (n_in + H + 1) + H out, five copies: params, grads, Adam's two,
   * the readout's), its work for a batch and for the probe set (rnn.h's
   * rnn_work: per stored step about 6 G H + 5 H + n_in doubles a row), the
   * gate rows of its probes (T G per log) and its spectra's H^2 scratch */
  double rec = 0.0;
  for (size_t a = 0; a < cfg->n_archs; a++) {
    if (!rnn_arch_recurrent(cfg->archs[a])) continue;
    double G = (double)rnn_cell_info_of(rnn_arch_cell(cfg->archs[a]))->n_gates;
    double T = data_kind_is_sequence(cfg->data.kind) ? (double)data_seq_len(depth) : (double)depth;
    double n_in = data_kind_is_sequence(cfg->data.kind) ? in : in / (double)depth;
    double b = 5.0 * (G * w * (n_in + w + 2.0) + w * out + out) + (T + 1.0) * rows * (6.0 * G * w + 5.0 * w + n_in)
               + logs * (double)depth * G * TRAIN_GATE + 2.0 * w * w;
    if (b > rec) rec = b;
  }
  return 8.0 * (rec + params * 5.0 + acts * rows * 5.0 + (double)cfg->data.train_size
                + logs * ((double)(depth + 1) * PROBE_NCOLS + CURVE_NCOLS)
                + (double)train_hist_cap(cfg->hist_mode, (size_t)logs) * (2.0 * (double)depth * PROBE_HIST_BINS + 5.0 + l2h))
         + 8.0 * (double)cfg->batch * in;
}

static double cell_cost(const sb_config *cfg, size_t depth, size_t width);

/* The cost of every cell, in cell order; returns cost. */
static double *cost_fill(const sb_config *cfg, double *cost, size_t n)
{
  for (size_t k = 0; k < n; k++) {
    grid_pos pos;
    grid_cell_pos(cfg, k, &pos);
    cost[k] = cell_cost(cfg, cfg->depths[pos.at[AXIS_DEPTH]], cfg->widths[pos.at[AXIS_WIDTH]]);
  }
  return cost;
}

/* A cell's work, in multiply-adds: its steps on mini-batches, and at each
 * probe the probe set's forward and backward and the evaluation subsets'
 * forward passes (a third of a step per example). */
static double cell_cost(const sb_config *cfg, size_t depth, size_t width)
{
  double w = (double)width, steps = (double)cfg_total_steps(cfg);
  double logs = (double)train_n_logs(cfg_total_steps(cfg), cfg->log_every, cfg->log_schedule);
  size_t ev_train = cfg->eval_size < cfg->data.train_size ? cfg->eval_size : cfg->data.train_size;
  size_t ev_test = cfg->eval_size < cfg->data.test_size ? cfg->eval_size : cfg->data.test_size;
  double examples = steps * (double)cfg->batch
                    + logs * ((double)cfg->probe_size + ((double)ev_train + (double)ev_test) / 3.0);
  return (double)depth * w * (w + (double)cfg->data.input_dim) * examples;
}

int grid_shards(const sb_config *cfg, size_t n_shards, size_t **shard_of, double *load, sb_error *err)
{
  size_t n = cfg_n_cells(cfg);
  double *cost = malloc((n ? n : 1) * sizeof *cost);
  *shard_of = malloc((n ? n : 1) * sizeof **shard_of);
  if (!cost || !*shard_of || shard_assign(cost_fill(cfg, cost, n), n, n_shards, *shard_of, load)) {
    free(cost);
    free(*shard_of);
    *shard_of = NULL;
    return sb_fail(err, SB_EFAIL, "out of memory for the shards of %zu cells", n);
  }
  free(cost);
  return SB_OK;
}

/* A positive count from the environment variable name, or 0. */
static long env_count(const char *name)
{
  const char *v = getenv(name);
  if (!v || !*v) return 0;
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  return errno || n <= 0 || (*end && *end != '(') ? 0 : n;   /* SLURM writes "2(x3)" for some */
}

/* --threads; else OMP_NUM_THREADS (its first value: satbench never nests
 * parallel regions); else the CPUs SLURM gave each task; else every core.
 * The variable is held to --threads's limit, and to OMP_THREAD_LIMIT,
 * which the runtime would otherwise apply silently. */
static int resolve_threads(const sb_config *cfg, int *threads, sb_error *err)
{
  long n = cfg->threads;
  const char *omp = getenv("OMP_NUM_THREADS");
  if (n <= 0 && omp && *omp) {
    char *end;
    errno = 0;
    n = strtol(omp, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    if (errno == ERANGE || (n > CFG_MAX_THREADS && (!*end || *end == ',')))
      return sb_fail(err, SB_EUSAGE, "OMP_NUM_THREADS=%.40s: more threads than the limit of %d (give --threads N, "
                     "which overrides it)", omp, CFG_MAX_THREADS);
    if (end == omp || n <= 0 || (*end && *end != ','))
      n = 0;   /* not a count: the runtime says so and ignores it; so do we */
  }
  if (n <= 0) {
    long slurm = env_count("SLURM_CPUS_PER_TASK");
    if ((!omp || !*omp) && slurm > 0) n = slurm;
  }
#ifdef _OPENMP
  if (n <= 0) n = omp_get_num_procs();
  omp_set_dynamic(0);   /* OMP_DYNAMIC would give a team fewer threads than it says */
  if (omp_get_thread_limit() > 0 && n > omp_get_thread_limit()) n = omp_get_thread_limit();
#else
  n = 1;
#endif
  *threads = n < 1 ? 1 : n > CFG_MAX_THREADS ? CFG_MAX_THREADS : (int)n;
  return SB_OK;
}

/* The stack of each worker thread: OMP_STACKSIZE (the runtime's syntax: a
 * number and B, K (the default), M or G), else the threads' default, the
 * soft RLIMIT_STACK (glibc; 2 MiB when it is unlimited).  *given says
 * whether the variable set it. */
static double thread_stack(int *given)
{
  *given = 0;
  const char *v = getenv("OMP_STACKSIZE");
  if (v && *v) {
    char *end;
    errno = 0;
    double n = strtod(v, &end);
    while (*end == ' ') end++;
    double unit = 1024.0;
    if (*end) {
      const char *units = "bBkKmMgG";
      const char *u = strchr(units, *end);
      if (u) unit = ldexp(1.0, 10 * (int)((u - units) / 2)), end++;
    }
    while (*end == ' ') end++;
    if (!errno && end != v && !*end && n > 0 && isfinite(n)) { *given = 1; return n * unit; }
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) return (double)rl.rlim_cur;
  return 2.0 * 1048576.0;
}

/* The first number in a file ("max" or a missing file: INFINITY). */
static double file_bytes(const char *path)
{
  FILE *f = fopen(path, "r");
  if (!f) return INFINITY;
  double v;
  int got = fscanf(f, "%lf", &v);
  fclose(f);
  return got == 1 && v > 0 && v < 9.2e18 ? v : INFINITY;   /* v1 says "no limit" with 2^63 - 4096 */
}

/* The memory this process may use, and what sets it: the machine, the
 * job's cgroup (v2: memory.max of its cgroup and every ancestor; v1:
 * memory.limit_in_bytes), or SLURM's --mem / --mem-per-cpu. */
static double memory_limit(int threads, char *source, size_t size)
{
  long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGE_SIZE);
  double have = pages > 0 && psize > 0 ? (double)pages * (double)psize : INFINITY;
  snprintf(source, size, "the machine has");
  char line[4096];
  FILE *f = fopen("/proc/self/cgroup", "r");
  while (f && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    double lim = INFINITY;
    if (!strncmp(line, "0::", 3)) {   /* cgroup v2 */
      char path[4200];
      for (char *p = line + 3;;) {
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", strcmp(p, "/") ? p : "");
        double v = file_bytes(path);
        if (v < lim) lim = v;
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) {
          if (strcmp(p, "/")) { p[1] = '\0'; continue; }
          break;
        }
        *slash = '\0';
      }
    } else if (strstr(line, ":memory:") || strstr(line, ",memory:") || strstr(line, ":memory,")) {   /* cgroup v1 */
      char path[4200];
      const char *p = strchr(strchr(line, ':') + 1, ':') + 1;
      snprintf(path, sizeof path, "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", strcmp(p, "/") ? p : "");
      lim = file_bytes(path);
      double top = file_bytes("/sys/fs/cgroup/memory/memory.limit_in_bytes");   /* as a container sees it */
      if (top < lim) lim = top;
    }
    if (lim < have) {
      have = lim;
      snprintf(source, size, "its cgroup allows");
    }
  }
  if (f) fclose(f);
  double mb = (double)env_count("SLURM_MEM_PER_NODE");
  if (mb > 0 && mb * 1048576.0 < have) {
    have = mb * 1048576.0;
    snprintf(source, size, "the job may use (SLURM_MEM_PER_NODE=%.0f MB)", mb);
  }
  mb = (double)env_count("SLURM_MEM_PER_CPU");
  long cpus = env_count("SLURM_CPUS_PER_TASK");
  if (mb > 0) {
    double job = mb * 1048576.0 * (double)(cpus > 0 ? cpus : threads);
    if (job < have) {
      have = job;
      snprintf(source, size, "the job may use (SLURM_MEM_PER_CPU=%.0f MB x %ld CPUs)", mb, cpus > 0 ? cpus : (long)threads);
    }
  }
  return have;
}

/* "1.5 GiB", or "12.3 MiB" below a GiB. */
static const char *human_bytes(char *buf, size_t size, double bytes)
{
  if (bytes >= 1073741824.0) snprintf(buf, size, "%.1f GiB", bytes / 1073741824.0);
  else snprintf(buf, size, "%.1f MiB", bytes / 1048576.0);
  return buf;
}

/* A line "Key:   N kB" of /proc/self/status, in bytes (0 if absent). */
static double status_bytes(const char *key)
{
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return 0.0;
  char line[256];
  double v = 0.0;
  size_t n = strlen(key);
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, key, n) && line[n] == ':') { v = 1024.0 * strtod(line + n + 1, NULL); break; }
  fclose(f);
  return v;
}

/* What the soft limit `res` (RLIMIT_AS or RLIMIT_DATA) leaves beyond what
 * the process maps already (/proc/self/status's `key`), or INFINITY. */
static double rlimit_left(int res, const char *key, const char *name, const char *flag, char *source, size_t size)
{
  struct rlimit rl;
  if (getrlimit(res, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return INFINITY;
  double left = (double)rl.rlim_cur - status_bytes(key);
  snprintf(source, size, "%s (ulimit %s %.0f, of which %.0f MiB are mapped already) leaves", name, flag,
           (double)rl.rlim_cur / 1024.0, status_bytes(key) / 1048576.0);
  return left > 0 ? left : 0.0;
}

/* Bytes of a grid's bookkeeping, for every cell at once: its place in the
 * schedule (grid_cell; and for a shard its cost and owner, for the ranks
 * its index). */
static double bookkeeping_bytes(const sb_config *cfg)
{
  if (cfg->cmd != CMD_GRID) return 0.0;
  double cells = (double)cfg_n_cells(cfg);
  double per_cell = (double)(sizeof(grid_cell) + sizeof(double) + 2 * sizeof(size_t));
  return cells * per_cell;
}

int grid_check_memory(const sb_config *cfg, int threads, sb_error *err)
{
  double worst = 0.0;
  for (size_t d = 0; d < cfg->n_depths; d++)
    for (size_t w = 0; w < cfg->n_widths; w++) {
      double b = cell_bytes(cfg, cfg->depths[d], cfg->widths[w]);
      if (b > worst) worst = b;
    }
  double data = 8.0 * (double)(cfg->data.train_size + cfg->data.test_size) * ((double)cfg->data.input_dim + 1.0);
  if (data_kind_is_sequence(cfg->data.kind)) {   /* a dataset per length: T + T/10 steps of input_dim, a target, a start */
    data = 0.0;
    for (size_t d = 0; d < cfg->n_depths; d++)
      data += 8.0 * (double)(cfg->data.train_size + cfg->data.test_size)
              * ((double)data_seq_len(cfg->depths[d]) * (double)cfg->data.input_dim + 3.0);
  }
  double books = bookkeeping_bytes(cfg);
  double need = data + books + worst * (double)threads;
  /* The address space (ulimit -v) and data (ulimit -d) limits count what
   * is mapped, touched or not: the libraries, libxsmm's registry (set up
   * now, so that it is counted) and each worker's stack. */
  int stack_given;
  double stack = thread_stack(&stack_given);
  /* ...and what the libraries map as the cells run: libxsmm's code for
   * each kernel it makes (a kernel it found no memory for crashed, not
   * failed), the runtime's per-thread state.  A tiny grid measured 1 MiB
   * of it; this leaves room for many more kernels. */
  double mapped = 16.0 * 1048576.0 + 4.0 * 1048576.0 * (double)threads;
  /* OpenBLAS's GEMM maps a buffer per thread at its first call (its
   * BUFFER_SIZE and a page: 128 MiB on x86-64), and retries for ever when
   * it cannot: a grid of the build without libxsmm, under ulimit -v, spun
   * in blas_memory_alloc and ignored SIGTERM.  Counted wherever a GEMM may
   * reach OpenBLAS (with libxsmm: the shapes it does not take). */
  if (!strcmp(blas_name(), "openblas")) mapped += (128.0 * 1048576.0 + 4096.0) * (double)threads;
  int xsmm_ok = blas_ready() == 0;
  char source[256], asrc[256], dsrc[256];
  double have = memory_limit(threads, source, sizeof source);
  double have_as = rlimit_left(RLIMIT_AS, "VmSize", "RLIMIT_AS", "-v", asrc, sizeof asrc);
#ifdef RLIMIT_DATA
  double have_data = rlimit_left(RLIMIT_DATA, "VmData", "RLIMIT_DATA", "-d", dsrc, sizeof dsrc);
#else
  double have_data = INFINITY;
  dsrc[0] = '\0';
#endif
  /* A stack is mapped whole when its thread starts (OMP_STACKSIZE=100G
   * failed in the runtime): counted against every limit. */
  need += stack * (double)(threads - 1);
  if (need <= have) {   /* then the address-space limits, with what the libraries map */
    if (need + mapped > have_as) have = have_as, need += mapped, snprintf(source, sizeof source, "%s", asrc);
    else if (need + mapped > have_data) have = have_data, need += mapped, snprintf(source, sizeof source, "%s", dsrc);
  }
  const char *what = cfg->cmd == CMD_GRID ? "grid" : "run";
  if (!xsmm_ok)
    return sb_fail(err, SB_EUSAGE, "the %s cannot start: libxsmm found no memory for its registry of kernels%s%s%s",
                   what, isfinite(have_as) ? " (" : isfinite(have_data) ? " (" : "",
                   isfinite(have_as) ? asrc : isfinite(have_data) ? dsrc : "",
                   isfinite(have_as) || isfinite(have_data) ? " too little); raise the limit" : "");
  if (need <= have) return SB_OK;
  char why[256] = "", b_need[32], b_have[32], b_part[32];
  if (books > 0.25 * need)
    snprintf(why, sizeof why, ": the bookkeeping of its %zu cells alone is %s", cfg_n_cells(cfg),
             human_bytes(b_part, sizeof b_part, books));
  else if (stack * (double)(threads - 1) > 0.25 * need)
    snprintf(why, sizeof why, ": the stacks of its %d worker thread%s (%.0f MiB each%s) alone are %s", threads - 1,
             threads == 2 ? "" : "s", stack / 1048576.0, stack_given ? ", OMP_STACKSIZE" : "",
             human_bytes(b_part, sizeof b_part, stack * (double)(threads - 1)));
  return sb_fail(err, SB_EUSAGE, "the %s needs about %s of memory (%d thread%s) but %s %s%s; reduce %s", what,
                 human_bytes(b_need, sizeof b_need, need), threads, threads == 1 ? "" : "s", source,
                 human_bytes(b_have, sizeof b_have, have), why,
                 books > 0.25 * need ? "the number of cells (the axes' values, --seeds)"
                 : cfg->cmd == CMD_GRID ? "--widths, --train-size or --threads" : "--widths, --train-size");
}

/* Progress on stderr: a rewritten line on a terminal, a line per 10%
 * otherwise, nothing with --quiet. */
typedef struct progress {
  int quiet, tty, last_decile;
  size_t done, total;
  double t0;
} progress;

static void progress_update(progress *p)
{
  if (p->quiet || p->total == 0) return;
  double el = now() - p->t0, rate = el > 0 ? (double)p->done / el : 0.0;
  double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0.0;
  int decile = (int)(10 * p->done / p->total);
  if (p->tty) {
    fprintf(stderr, "\r%zu/%zu cells  %.0fs elapsed  ETA %.0fs  %.2f cells/s   ", p->done, p->total, el, eta, rate);
    if (p->done == p->total) fputc('\n', stderr);
  } else if (decile > p->last_decile) {
    p->last_decile = decile;
    fprintf(stderr, "%zu/%zu cells (%d%%)  %.0fs elapsed  ETA %.0fs  %.2f cells/s\n", p->done, p->total,
            decile * 10, el, eta, rate);
  }
}

/* The digest after a grid (digest.c, from the cells.tsv just written),
 * then the end line's counts and where the tables are. */
static void print_digest(const sb_config *cfg, const store_merge_info *info)
{
  compare_grid g;
  sb_error lerr = { 0, "" };
  if (compare_grid_load(cfg->out, &g, &lerr)) printf("(no digest: %s)\n", lerr.msg);
  else digest_print(stdout, &g);
  compare_grid_free(&g);
  /* the end line's counts */
  char counts[256] = "";
  for (int k = 0, n = 0; k < TRAIN_NSTATUS; k++)
    if (train_status_counted(k, cfg_emulates(cfg)))
      snprintf(counts + strlen(counts), sizeof counts - strlen(counts), "%s%zu %s", n++ ? ", " : "",
               info->n_status[k], train_statuses[k].name);
  if (info->threads > 0)
    printf("%zu of %zu cells done (%s) in %.1f s on %d thread%s; tables in %s/\n", info->n_done, info->n_cells,
           counts, info->wall_seconds, info->threads, info->threads == 1 ? "" : "s", cfg->out);
  else
    printf("%zu of %zu cells merged (%s) from %zu host%s in %.1f s; tables in %s/\n", info->n_done, info->n_cells,
           counts, info->n_hosts, info->n_hosts == 1 ? "" : "s", info->wall_seconds, cfg->out);
  /* Said, not made: the page draws every figure with gnuplot, which takes
   * longer than many a small grid. */
  printf("one page of it all (findings, figures, provenance): satbench report -d %s\n", cfg->out);
}

/* What every worker of a grid shares. */
typedef struct run_ctx {
  const sb_config *cfg;
  const grid_data *data;
  int threads;
  progress *prog;
  volatile int failed;       /* a cell of this process failed: first_err says why */
  sb_error first_err;
  size_t written;            /* records this process wrote */
} run_ctx;

/* Train one cell and write its record (a stopped cell writes none):
 * 1 when the record was written, 0 when the cell did not run to its end
 * (a signal, or a failure elsewhere), -1 when it failed. */
static int run_one(run_ctx *x, size_t cell)
{
  if (x->failed || stop_requested()) return 0;
  grid_pos pos;
  grid_cell_pos(x->cfg, cell, &pos);
  train_params p;
  grid_cell_params(x->cfg, &pos, &p);
  p.stop = stop_flag_ptr();
  sb_error e;
  sb_error_clear(&e);
  double t0 = now();
  train_result r;
  int crc = train_result_init(&r, &p) ? sb_fail(&e, SB_EFAIL, "out of memory for cell %zu", cell)
                                      : train_cell(&p, x->data->of[pos.at[AXIS_DEPTH]], &r, &e);
  if (!crc && r.status != TRAIN_STOPPED) {
    table_cell tc;
    grid_cell_id(x->cfg, &pos, &tc);
    record_prov pv = { now() - t0, x->threads, x->data->digest[pos.at[AXIS_DEPTH]] };
    crc = store_write_record(x->cfg, &tc, &r, &pv, &e);
  }
  int stopped = r.status == TRAIN_STOPPED;
  train_result_free(&r);
#ifdef _OPENMP
#pragma omp critical(grid_report)
#endif
  {
    if (crc && !x->failed) { x->failed = 1; x->first_err = e; }
    if (!crc && !stopped) {
      x->written++;
      x->prog->done++;
      progress_update(x->prog);
      char point[40];
      snprintf(point, sizeof point, "record-%zu", x->written);
      stop_hold(point);
    }
  }
  return crc ? -1 : !stopped;
}

static int sched_run(void *ctx, size_t cell, int worker)
{
  (void)worker;
  return run_one(ctx, cell);
}

/* Cells finished on other ranks, for rank 0's progress line. */
static void sched_done(void *ctx, size_t n)
{
  run_ctx *x = ctx;
#ifdef _OPENMP
#pragma omp critical(grid_report)
#endif
  {
    x->prog->done += n;
    progress_update(x->prog);
  }
}

static int grid_run_caught(const sb_config *cfg, sb_error *err);

/* After a merge: what became of the records, on stderr. */
static void records_note(const char *cmd, const sb_config *cfg, const store_merge_info *info)
{
  if (info->records_warning[0]) fprintf(stderr, "satbench %s: warning: %s\n", cmd, info->records_warning);
  else if (info->n_removed && !cfg->quiet)
    fprintf(stderr, "satbench %s: the tables are complete: removed the %zu cell records from %s/records "
            "(--keep-records keeps them)\n", cmd, info->n_removed, cfg->out);
}

/* The end of a grid, a shard or a merge whose results are on disk: the
 * digest goes to stdout, and a closed stdout or stderr (SIGPIPE is
 * ignored: main.c) fails the command, saying that nothing is lost. */
static int channels_ok(const char *saved, sb_error *err)
{
  errno = 0;
  int out_bad = fflush(stdout) != 0 || ferror(stdout);
  int e = errno;
  if (out_bad)
    return sb_fail(err, SB_EFAIL, "writing to stdout: %s; %s", e ? strerror(e) : "a write failed", saved);
  if (ferror(stderr))
    return sb_fail(err, SB_EFAIL, "writing to stderr failed (a closed pipe?): the progress messages were lost; %s",
                   saved);
  return SB_OK;
}

/* SIGINT and SIGTERM are caught from the start to the tables: a cell
 * stopped by one writes no record, the grid merges what it saved, and a
 * second signal abandons that merge (stop.h). */
int grid_run(const sb_config *cfg, sb_error *err)
{
  if (blas_gemm_set((blas_gemm_mode)cfg->gemm)) return sb_fail(err, SB_EUSAGE, "--gemm: no libxsmm in this build");
  stop_catch();
  int rc = grid_run_caught(cfg, err);
  stop_release();
  return rc;
}

static int grid_run_caught(const sb_config *cfg, sb_error *err)
{
  clearerr(stderr);
  int threads = 1;
  int rc = resolve_threads(cfg, &threads, err);
  if (!rc) rc = grid_check_memory(cfg, threads, err);
  if (rc) return rc;
  int rank = ranks_rank(), nranks = ranks_size();
  size_t n_cells = cfg_n_cells(cfg);
  grid_cell *cells = malloc(n_cells * sizeof *cells);
  if (!cells) return sb_fail(err, SB_EFAIL, "out of memory for %zu cells", n_cells);
  for (size_t k = 0; k < n_cells; k++) {
    cells[k].index = k;
    grid_cell_pos(cfg, k, &cells[k].pos);
    cells[k].cost = cell_cost(cfg, cfg->depths[cells[k].pos.at[AXIS_DEPTH]], cfg->widths[cells[k].pos.at[AXIS_WIDTH]]);
  }

  /* The dataset is validated and generated before the folder is touched
   * (on every rank: it is the same everywhere). */
  grid_data gd, *data = &gd;
  if ((rc = grid_data_make(cfg, data, err))) { free(cells); return rc; }
  int sig0 = (int)ranks_max(stop_requested());
  if (sig0) {
    grid_data_free(data);
    free(cells);
    return sb_fail(err, 128 + sig0, "interrupted by %s before the grid began; nothing was written", stop_name(sig0));
  }
  /* Rank 0 alone prepares the folder and finds the work left; the other
   * ranks learn whether it could. */
  if (rank == 0) rc = store_prepare(cfg, err);
  /* A grid whose records were removed after its complete merge has
   * nothing left to run: without this, every cell would look missing. */
  int compacted = 0;
  if (rank == 0 && !rc && (cfg->resume || cfg->shard_n) && (rc = store_compacted(cfg, &compacted, err)))
    sb_prefix(err, cfg->shard_n ? "--shard" : "--resume");
  size_t n_todo = 0, n_mine = 0;
  if (rank == 0 && !rc && !compacted) {
    /* This process's cells: all, or its shard's (the same split on every
     * host: it depends on the configuration and N alone). */
    size_t *shard_of = NULL;
    if (cfg->shard_n) rc = grid_shards(cfg, cfg->shard_n, &shard_of, NULL, err);
    /* Work left: cells without a complete record, longest first.  A shard
     * always resumes: a requeued task or a rerun with another N skips what
     * is done. */
    for (size_t k = 0; k < n_cells && !rc; k++) {
      if (shard_of && shard_of[k] != cfg->shard_k) continue;
      n_mine++;
      int pending = 1;
      if (cfg->resume || cfg->shard_n) rc = store_pending(cfg, k, &pending, err);
      if (pending) cells[n_todo++] = cells[k];
    }
    free(shard_of);
    qsort(cells, n_todo, sizeof *cells, by_cost);
  }
  int rc0 = ranks_bcast_int(rc);
  if (rc0) {
    grid_data_free(data);
    free(cells);
    if (rank > 0) err->msg[0] = '\0';   /* rank 0 says why */
    return rc0;
  }
  if (ranks_bcast_int(compacted)) {
    grid_data_free(data);
    free(cells);
    if (rank > 0) return SB_OK;
    char who[64] = "";
    if (cfg->shard_n) snprintf(who, sizeof who, "shard %zu/%zu: ", cfg->shard_k, cfg->shard_n);
    printf("%snothing to do: the tables in %s/ are complete (%zu of %zu cells) and match manifest.json; the records "
           "were removed after the merge that wrote them (--keep-records keeps them)\n", who, cfg->out, n_cells,
           n_cells);
    char saved[CFG_PATH_MAX + 64];
    snprintf(saved, sizeof saved, "the tables are complete in %s/", cfg->out);
    return channels_ok(saved, err);
  }

  progress prog = { cfg->quiet || rank > 0, isatty(STDERR_FILENO), 0, 0, n_todo, now() };
  if (!cfg->quiet && rank == 0) {
    char blas[128], where[64] = "";
    snprintf(blas, sizeof blas, *blas_kernel() ? "%s (%s)" : "%s", blas_name(), blas_kernel());
    if (nranks > 1) snprintf(where, sizeof where, "%d ranks x ", nranks);
    if (cfg->shard_n)
      fprintf(stderr, "satbench grid: shard %zu/%zu, %zu of %zu cells (%zu to run) on %s%d thread%s, BLAS %s\n",
              cfg->shard_k, cfg->shard_n, n_mine, n_cells, n_todo, where, threads, threads == 1 ? "" : "s", blas);
    else
      fprintf(stderr, "satbench grid: %zu cells (%zu to run) on %s%d thread%s, BLAS %s\n", n_cells, n_todo, where,
              threads, threads == 1 ? "" : "s", blas);
  }
  if (!cfg->quiet && (rank == 0 || nranks > 1) && blas_kernel_warning())
    fprintf(stderr, "satbench grid: warning: %s%s\n", nranks > 1 ? "on one of the ranks: " : "", blas_kernel_warning());
  stop_hold("start");   /* the folder is there, no cell has run */
  /* One BLAS thread per cell: the parallelism is across cells. */
  blas_set_threads(1);
  run_ctx x = { cfg, data, threads, &prog, 0, { 0, "" }, 0 };
  int any_failed = 0;

  if (nranks > 1) {
    /* Over the ranks: rank 0 hands out the cells, longest first, to
     * whichever worker of whichever rank frees up. */
    size_t *items = malloc((n_todo ? n_todo : 1) * sizeof *items);
    if (!items) x.failed = 1, sb_fail(&x.first_err, SB_EFAIL, "out of memory for %zu cells", n_todo);
    for (size_t j = 0; items && j < n_todo; j++) items[j] = cells[j].index;
    ranks_job job = { sched_run, sched_done, &x, stop_flag_ptr() };
    ranks_schedule(items ? items : (size_t[]){ 0 }, items ? n_todo : 0, threads, &job, &any_failed);
    free(items);
  } else {
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#endif
    for (size_t j = 0; j < n_todo; j++) run_one(&x, cells[j].index);
  }
  any_failed = (int)ranks_max(any_failed || x.failed);
  int sig = (int)ranks_max(stop_requested());
  stop_clear();   /* acted on: what was saved is merged, and a second signal stops that */
  size_t done_all = (size_t)ranks_sum((long)x.written);   /* records written, on every rank */
  ranks_barrier();   /* every record is written before rank 0 merges */
  if (!prog.quiet && prog.tty && prog.done < prog.total) fputc('\n', stderr);
  grid_data_free(data);
  free(cells);

  if (rank > 0) {   /* rank 0 reports, merges and prints */
    if (x.failed) {
      *err = x.first_err;
      return sb_prefix(err, "rank %d", rank);
    }
    err->msg[0] = '\0';
    return any_failed ? SB_EFAIL : sig ? 128 + sig : SB_OK;
  }
  if (any_failed && !x.failed)
    sb_fail(&x.first_err, SB_EFAIL, "a cell failed on another rank (its message is above); the cells saved are in %s/",
            cfg->out);

  int frc = store_check_folder(cfg, err);   /* --out removed under it: say that, not a cell's ENOENT */
  if (frc) return frc;

  if (cfg->shard_n) {   /* records only: the tables are merge's */
    if (any_failed) { *err = x.first_err; return SB_EFAIL; }
    if (sig)
      return sb_fail(err, 128 + sig, "interrupted by %s: shard %zu/%zu saved %zu of its %zu cells to run "
                     "(%zu were done before) in %s/records; run the same command again to finish it",
                     stop_name(sig), cfg->shard_k, cfg->shard_n, done_all, n_todo,
                     n_mine - n_todo, cfg->out);
    printf("shard %zu/%zu: %zu of %zu cells run in %.1f s on %s%d threads (%zu were done before); records in %s/records\n"
           "when every shard has finished: satbench merge --out %s\n",
           cfg->shard_k, cfg->shard_n, done_all, n_todo, now() - prog.t0, nranks > 1 ? "ranks of " : "", threads,
           n_mine - n_todo, cfg->out, cfg->out);
    char saved[CFG_PATH_MAX + 64];
    snprintf(saved, sizeof saved, "the shard's records are complete in %s/records", cfg->out);
    return channels_ok(saved, err);
  }

  /* Interrupted, the grid keeps its records even when every cell is in:
   * it says to --resume, which then merges and removes them. */
  store_merge_info info = { .n_cells = n_cells, .threads = threads * nranks, .wall_seconds = now() - prog.t0,
                            .keep_records = cfg->keep_records || sig };
  int mrc = store_merge(cfg, &info, err);
  records_note("grid", cfg, &info);
  if (any_failed) {
    *err = x.first_err;
    return SB_EFAIL;
  }
  if (mrc) return mrc;
  if (sig) {
    return sb_fail(err, 128 + sig, "interrupted by %s: %zu of %zu cells are saved in %s/; run the same command with --resume to finish",
                   stop_name(sig), info.n_done, n_cells, cfg->out);
  }
  print_digest(cfg, &info);
  char saved[CFG_PATH_MAX + 64];
  snprintf(saved, sizeof saved, "the tables are complete in %s/", cfg->out);
  return channels_ok(saved, err);
}

static int grid_merge_caught(const char *out, int partial, int compress, const char *const *from, size_t n_from,
                             int quiet, int keep_records, sb_error *err);

/* SIGINT and SIGTERM abandon a merge cleanly: no table replaced, no
 * temporary file left (stop.h, store_merge). */
int grid_merge(const char *out, int partial, int compress, const char *const *from, size_t n_from, int quiet,
               int keep_records, sb_error *err)
{
  stop_catch();
  int rc = grid_merge_caught(out, partial, compress, from, n_from, quiet, keep_records, err);
  stop_release();
  return rc;
}

static int grid_merge_caught(const char *out, int partial, int compress, const char *const *from, size_t n_from,
                             int quiet, int keep_records, sb_error *err)
{
  double t0 = now();
  clearerr(stderr);
  char conf[CFG_PATH_MAX + 32];
  int n = snprintf(conf, sizeof conf, "%s/records/config.txt", out);
  if (n < 0 || (size_t)n >= sizeof conf) return sb_fail(err, SB_EUSAGE, "merge: --out: path too long: %s", out);
  struct stat st;
  int rc;
  if (lstat(conf, &st) == 0 && !S_ISREG(st.st_mode))   /* never read through a link, nor waited on */
    return sb_fail(err, SB_EUSAGE, "merge: %s: %s", conf, fileio_strerror(S_ISLNK(st.st_mode) ? ELOOP : FILEIO_ENOTREG));
  if (stat(conf, &st) != 0) {
    if (!n_from)
      return sb_fail(err, SB_EUSAGE, "merge: --out: %s holds no grid (no %s); run satbench grid or its shards there "
                     "first, or name the folders to merge with --from", out, conf);
    /* A new folder: the first source's configuration makes it. */
    char src[CFG_PATH_MAX + 32], dir[CFG_PATH_MAX + 16];
    snprintf(src, sizeof src, "%s/records/config.txt", from[0]);
    snprintf(dir, sizeof dir, "%s/records", out);
    char *text = fileio_read_all(src, NULL);
    if (!text && (errno == FILEIO_ENOTREG || errno == ELOOP))
      return sb_fail(err, SB_EUSAGE, "merge: --from: %s: %s", src, fileio_strerror(errno));
    if (!text) return sb_fail(err, SB_EUSAGE, "merge: --from: %s holds no grid (no %s)", from[0], src);
    char tmp[CFG_PATH_MAX + 160];
    FILE *f = NULL;
    if (!(rc = fileio_mkdirs(dir, err)) && !(f = fileio_open_tmp(tmp, sizeof tmp, conf, err))) rc = SB_EFAIL;
    if (!rc) {
      fputs(text, f);
      int existed;
      rc = fileio_commit_new(f, tmp, conf, &existed, err);
    }
    free(text);
    if (rc) return sb_prefix(err, "merge");
  }
  sb_config *cfg = malloc(sizeof *cfg);
  if (!cfg) return sb_fail(err, SB_EFAIL, "out of memory");
  rc = cfg_parse_folder(cfg, conf, out, err);   /* the dataset file is not needed, nor read */
  if (rc) { free(cfg); return rc < 0 ? SB_EUSAGE : sb_prefix(err, "merge"); }
  blas_gemm_set((blas_gemm_mode)cfg->gemm);   /* the manifest's kernel is the grid's (cfg_parse refused the impossible) */
  cfg->quiet = quiet;
  cfg->compress = compress;
  cfg->keep_records = keep_records;
  rc = store_lock(cfg, 0, err);   /* no grid or shard writes while the tables are merged */
  if (!rc) rc = store_clean_tmp(cfg, err);
  /* The records were removed after the merge that wrote these tables:
   * they stand, checked against their manifest, and nothing is written. */
  int compacted = 0;
  if (!rc) rc = store_compacted(cfg, &compacted, err);
  if (rc && compacted) sb_prefix(err, "merge");
  for (size_t k = 0; k < n_from && compacted && !rc; k++) rc = store_same_grid(cfg, from[k], err);
  if (!rc && compacted) {
    printf("nothing to merge: the tables in %s/ are complete (%zu of %zu cells) and match manifest.json; the records "
           "were removed after the merge that wrote them (--keep-records keeps them); nothing was written\n", out,
           cfg_n_cells(cfg), cfg_n_cells(cfg));
    free(cfg);
    char saved[CFG_PATH_MAX + 64];
    snprintf(saved, sizeof saved, "the tables are complete in %s/", out);
    return channels_ok(saved, err);
  }
  for (size_t k = 0; k < n_from && !rc; k++) {
    size_t copied;
    if (!(rc = store_import(cfg, from[k], &copied, err)) && !quiet)
      fprintf(stderr, "satbench merge: %zu records from %s\n", copied, from[k]);
  }
  size_t n_cells = cfg_n_cells(cfg), missing = 0, first[8];
  if (!rc) rc = store_missing(cfg, &missing, first, 8, err);
  if (!rc && missing && !partial) {
    char list[160] = "";
    size_t len = 0;
    for (size_t k = 0; k < missing && k < 8 && len < sizeof list; k++)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%zu", k ? ", " : "", first[k]);
    rc = sb_fail(err, SB_EFAIL, "merge: %zu of %zu cells of %s have no complete record (cell%s %s%s); nothing was "
                 "written. Rerun the shards that hold them (a rerun skips finished cells), or add --partial for "
                 "tables that say they are incomplete", missing, n_cells, out, missing == 1 ? "" : "s", list,
                 missing > 8 ? ", ..." : "");
  }
  if (rc) { free(cfg); return rc; }
  store_merge_info info = { .n_cells = n_cells, .threads = 0, .keep_records = keep_records };
  stop_hold("merge");
  rc = store_merge(cfg, &info, err);
  info.wall_seconds = now() - t0;
  records_note("merge", cfg, &info);
  if (!rc) {
    if (info.mixed_blas[0]) fprintf(stderr, "satbench merge: warning: %s\n", info.mixed_blas);
    if (!info.complete)
      fprintf(stderr, "satbench merge: warning: %zu of %zu cells have no record; every table says \"# complete = false\"\n",
              n_cells - info.n_done, n_cells);
    print_digest(cfg, &info);
    char saved[CFG_PATH_MAX + 64];
    snprintf(saved, sizeof saved, "the tables are %s in %s/", info.complete ? "complete" : "written", cfg->out);
    rc = channels_ok(saved, err);
  }
  free(cfg);
  return rc;
}
