/* bench_kernel.c - benchmark 1: how close one cell's training step comes to
 * the DGEMM rate of the BLAS it is linked with, on one thread.
 *
 * For each width the step is train.c's own train_step: gather a
 * mini-batch, net_forward, net_backward, opt_step (SGD).  Its work is counted as
 * 6 x batch x sum_l fan_in(l) fan_out(l) flops (2 per multiply-add, three
 * products per layer: forward, dW and the back-propagated error), the
 * elementwise passes and the update counted as free.  The references are
 * the same 3 x L products, at the same (M, N, K) shapes, all untransposed,
 * in the same run (what the step would cost if it were nothing but GEMMs,
 * the row-major products as a caller of DGEMM would make them): through
 * libxsmm's kernels (blas_gemm with --gemm libxsmm: k-sliced where wide),
 * through the CBLAS's cblas_dgemm alone, the best of the two product by
 * product (the faster library at each shape, as each product timed alone
 * finds it, then the step's products in the step's order, each through its
 * faster library; or either library whole if that is faster still: the
 * reference of the training's rate, train/best; the
 * products timed alone run from warm caches the step's sequence cannot
 * have, so their sum is no rate a step could reach), and through blas_gemm
 * as --gemm auto dispatches them on this CPU.  (The step can beat them: libxsmm's rate
 * depends on the orientation of a product, and when the width exceeds the
 * batch the step makes its error product d W' in the transposed layout,
 * from d' and W, the faster one; the manual, "Speed".)  All are timed as the
 * best of several repetitions (the machine may be shared; the minimum is
 * the least disturbed), in thread CPU time (see now()).
 *
 * A probe (forward and backward on the probe set of -P examples, 256 as
 * the grid's default, and probe_measure) is timed too and reported in
 * steps, against its own floor: its GEMM flops (6 x P x sum fan_in fan_out,
 * P / batch steps' worth) -- probe/floor is what a probe costs beyond the
 * products it cannot avoid; with -v, the histograms of the first and last
 * probe apart.
 *
 * With -g, one line per product of the step instead (layer, which
 * product, M N K, GFLOP/s of libxsmm and of the CBLAS, the faster, and
 * auto's pick): the measurement a row of blas.c's gemm_rules is calibrated
 * from.
 *
 * With -N NORM (batchnorm, layernorm) and -R K (skip connections every K
 * layers) the cell has those remedies; with -J the Jacobian probe of one
 * input (jacobian.h: the matrix and its SVD) is timed too, in
 * milliseconds and in steps.  With -p PREC (fp32, bf16, fp16, fp8e5m2,
 * fp8e4m3) the cell emulates that arithmetic (--precisions: every tensor
 * the step stores rounded, prec.h), and -S SCALE scales its loss (a number,
 * or dynamic: --loss-scales), so that the emulation's cost is the step's
 * time against -p fp64's (bench/run.sh's benchmark 1).
 *
 * usage: bench_kernel [-a ACT] [-n INIT] [-d DEPTH] [-b BATCH] [-i INPUT_DIM] [-P PROBE]
 *                     [-N NORM] [-R K] [-p PREC] [-S SCALE] [-J] [-g] [-t SECONDS] [-r REPS] [-v]
 *                     [WIDTH...]  (default 64..1024)
 *        bench_kernel -c      prints the BLAS and its configuration */
#include <config.h>
#include "blas.h"
#include "data.h"
#include "init.h"
#include "net.h"
#include "probe.h"
#include "train.h"
#include "jacobian.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_cblas.h>

/* CPU time of this thread: the same as wall time on an idle machine, and
 * blind to the time slices other processes take on a busy one.  Everything
 * timed here runs on this thread (the BLAS is told to use one). */
static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct bench_opts {
  const char *act, *init, *norm, *prec, *scale;
  size_t res_stride;
  int jacobian;
  size_t depth, batch, n_in, n_out, n_train, probe;
  int per_product;  /* -g */
  double seconds;   /* wall time per repetition, roughly */
  int reps, verbose;
} bench_opts;

/* A cell as train.c sets it up (train_state), on a Gaussian-teacher
 * dataset of n_train examples, plus the benchmark's own buffers. */
typedef struct cell {
  dataset *d;
  train_params p;
  train_state s;
  double *dens;    /* (depth, 2, bins) histogram densities */
  long t;          /* steps taken */
  unsigned char faster[64][3];  /* per layer and product: 1 if the CBLAS is the faster (best_gemm) */
} cell;

static void cell_free(cell *c)
{
  train_state_free(&c->s);
  data_free(c->d);
  free(c->dens);
}

/* -S: a positive number, or dynamic as grid.c makes a cell of --loss-scales dynamic. */
static int scale_parse(const char *text, double *scale, int *dynamic)
{
  char *end;
  *dynamic = !strcmp(text, "dynamic");
  *scale = *dynamic ? PREC_DYN_INIT : strtod(text, &end);
  return !*dynamic && (*end || !(*scale > 0.0));
}

static int cell_init(cell *c, const bench_opts *b, size_t width)
{
  memset(c, 0, sizeof *c);
  sb_error err;
  sb_error_clear(&err);
  data_spec ds = { .kind = DATA_GAUSSIAN, .input_dim = b->n_in, .classes = b->n_out,
                   .train_size = b->n_train, .test_size = b->batch };
  c->p = (train_params){ .depth = b->depth, .width = width, .master_seed = 2385, .batch = b->batch,
                         .steps = 1L << 40, .lr = 0.01, .opt = OPT_SGD, .loss = LOSS_XENT, .tau = 0.05,
                         .arch = { NORM_NONE, b->res_stride, 1.0 }, .jacobian = b->jacobian ? 1 : 0,
                         .prec = PREC_FP64, .loss_scale = 1.0, .ls_window = PREC_DYN_WINDOW };
  if (scale_parse(b->scale, &c->p.loss_scale, &c->p.ls_dynamic) || prec_parse(b->prec, &c->p.prec, &err)
      || norm_parse(b->norm, &c->p.arch.norm, &err) || act_parse(b->act, &c->p.act, &err)
      || init_parse(b->init, &c->p.init, &err)
      || !(c->d = data_alloc(&ds, 2385, &err))
      || data_subsets(c->d, DATA_SPLIT_TRAIN, b->probe, b->batch, 2386, &err)
      || train_state_init(&c->s, &c->p, c->d, NULL, &err)) {
    fprintf(stderr, "bench_kernel: %s\n", err.msg);
    return 1;
  }
  c->dens = malloc(b->depth * 2 * PROBE_HIST_BINS * sizeof *c->dens);
  return c->dens ? 0 : 1;
}

/* One training step, train.c's own (the shuffle included, once per
 * epoch). */
static double cell_step(cell *c, int with_ratio)
{
  return train_step(&c->s, c->t++, with_ratio);
}

/* A probe between the first and the last, as train.c makes it (histograms
 * are taken only at the first and the last step, and timed apart with -v). */
static void cell_probe(cell *c, probe_row *rows)
{
  train_measure(&c->s, c->s.ratio, rows);
}

/* One of the GEMMs of a step, alone and untransposed, at the step's shape:
 * forward (B, fo, fi), dW (fi, fo, B) or error (B, fi, fo) of layer l
 * (none for layer 1's error: 0 returned), through satbench's GEMM as the
 * mode in effect dispatches it (cblas == 0) or the CBLAS directly.
 * Operands are the cell's own buffers, so sizes and cache footprint match;
 * their values do not matter. */
enum { P_FWD, P_DW, P_ERR, P_COUNT };
static const char *const product_names[P_COUNT] = { "forward", "dW", "error" };
static int product_shape(const cell *c, const bench_opts *b, size_t l, int p, size_t mnk[3])
{
  size_t fi = c->s.n->fan_in[l - 1], fo = c->s.n->fan_out[l - 1], B = b->batch;
  if (p == P_ERR && l == 1) return 0;
  size_t sh[P_COUNT][3] = { { B, fo, fi }, { fi, fo, B }, { B, fi, fo } };
  memcpy(mnk, sh[p], sizeof sh[p]);
  return 1;
}

static int gemm_one(cell *c, const bench_opts *b, size_t l, int p, double *scratch, int cblas)
{
  net *n = c->s.n;
  net_work *w = c->s.w;
  size_t s[3];
  if (!product_shape(c, b, l, p, s)) return 0;
  const double *in = l == 1 ? c->s.Xb : w->a[l - 2];
  const double *A = p == P_FWD ? in : p == P_DW ? scratch : w->delta[l - 1];
  const double *Bm = p == P_DW ? w->delta[l - 1] : net_W(n, l);
  double *C = p == P_FWD ? w->h[l - 1] : p == P_DW ? net_dW(n, l) : w->delta[l - 2];
  if (cblas)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s[0], (int)s[1], (int)s[2], 1.0, A, (int)s[2], Bm,
                (int)s[1], 0.0, C, (int)s[1]);
  else
    blas_gemm(0, 0, s[0], s[1], s[2], 1.0, A, Bm, 0.0, C);
  return 1;
}

/* The GEMMs of one step, as gemm_one makes them: cblas 0 through
 * blas_gemm, 1 through the CBLAS, 2 each through the faster of the two
 * (c->faster, from best_gemm; blas_gemm set to libxsmm). */
static void gemm_only(cell *c, const bench_opts *b, double *scratch, int cblas)
{
  for (size_t l = 1; l <= c->s.n->n_layers; l++)
    for (int p = 0; p < P_COUNT; p++) gemm_one(c, b, l, p, scratch, cblas == 2 ? c->faster[l - 1][p] : cblas);
}

static double flops_per_step(const net *n, size_t batch)
{
  double s = 0.0;
  for (size_t l = 0; l < n->n_layers; l++) s += (double)n->fan_in[l] * (double)n->fan_out[l];
  return 6.0 * (double)batch * s;
}

/* Best of b->reps repetitions of `count` calls of the chosen kernel, in
 * seconds per call. */
enum { K_STEP, K_GEMM, K_CBLAS, K_BEST, K_PROBE, K_FWD, K_BWD, K_OPT, K_MEASURE, K_HIST, K_JAC };
static double best_time(cell *c, const bench_opts *b, int kernel, long count, double *scratch, probe_row *rows)
{
  double best = INFINITY;
  for (int r = 0; r < b->reps; r++) {
    double t0 = now();
    for (long i = 0; i < count; i++) {
      switch (kernel) {
      case K_STEP: cell_step(c, 0); break;
      case K_GEMM: gemm_only(c, b, scratch, 0); break;
      case K_CBLAS: gemm_only(c, b, scratch, 1); break;
      case K_BEST: gemm_only(c, b, scratch, 2); break;
      case K_PROBE: cell_probe(c, rows); break;
      case K_FWD: net_forward(c->s.n, c->s.w, c->s.Xb, c->s.yb, b->batch); break;
      case K_BWD: net_backward(c->s.n, c->s.w, c->s.Xb, c->s.yb, b->batch); break;
      case K_OPT: opt_step(c->s.o, c->s.n, NULL); break;
      case K_MEASURE: probe_measure(c->s.n, c->s.w, b->batch, 0.05, c->s.ratio, c->s.pw, rows); break;
      case K_JAC: jac_singular_values(c->s.n, c->s.pwk, 0, c->s.jw, scratch); break;
      case K_HIST: {
        double range[4];
        probe_hist(c->s.n, c->s.w, b->batch, c->s.pw, c->s.h, c->dens, range);
        break;
      }
      }
    }
    double t = (now() - t0) / (double)count;
    if (t < best) best = t;
  }
  return best;
}

/* Best of b->reps repetitions of `count` calls of one product (gemm_one),
 * in seconds per call. */
static double best_product(cell *c, const bench_opts *b, size_t l, int p, long count, double *scratch, int cblas)
{
  double best = INFINITY;
  for (int r = 0; r < b->reps; r++) {
    double t0 = now();
    for (long i = 0; i < count; i++) gemm_one(c, b, l, p, scratch, cblas);
    double t = (now() - t0) / (double)count;
    if (t < best) best = t;
  }
  return best;
}

/* The step's products through libxsmm (when the build has it) and the
 * CBLAS, one by one: which of the two is faster for each (c->faster); with
 * -g, a line per product. */
static void best_gemm(cell *c, const bench_opts *b, size_t width, long count, double *scratch)
{
  for (size_t l = 1; l <= c->s.n->n_layers; l++)
    for (int p = 0; p < P_COUNT; p++) {
      size_t s[3];
      if (!product_shape(c, b, l, p, s)) continue;
      double fl = 2.0 * (double)s[0] * (double)s[1] * (double)s[2];
      double tx = INFINITY;
      if (blas_has_libxsmm()) {
        blas_gemm_set(BLAS_GEMM_LIBXSMM);
        tx = best_product(c, b, l, p, count, scratch, 0);
      }
      blas_gemm_set(BLAS_GEMM_AUTO);
      double tc = best_product(c, b, l, p, count, scratch, 1);
      c->faster[l - 1][p] = tc < tx;
      if (b->per_product)
        printf("%6zu %5zu %-8s %5zu %5zu %5zu %10.2f %10.2f %-8s %-8s\n", width, l, product_names[p], s[0], s[1], s[2],
               fl / tx * 1e-9, fl / tc * 1e-9, tx < tc ? "libxsmm" : "cblas",
               blas_gemm_pick(s[0], s[1], s[2]) == BLAS_PATH_LIBXSMM ? "libxsmm" : "cblas");
    }
}

static void usage(void)
{
  fputs("usage: bench_kernel [-a ACT] [-n INIT] [-d DEPTH] [-b BATCH] [-i INPUT_DIM] [-P PROBE] [-N NORM] [-R K]\n"
        "                    [-p PREC] [-S SCALE] [-J] [-g] [-t SECONDS] [-r REPS] [-v] [WIDTH...]\n"
        "       bench_kernel -c\n", stderr);
  exit(2);
}

int main(int argc, char **argv)
{
  bench_opts b = { "tanh", "he_normal", "none", "fp64", "1", 0, 0, 5, 128, 32, 10, 4096, 256, 0, 0.25, 5, 0 };
  size_t widths[64], n_w = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1] && !a[2] && strchr("andbitrNRPpS", a[1])) {
      if (++i >= argc) usage();
      switch (a[1]) {
      case 'a': b.act = argv[i]; break;
      case 'n': b.init = argv[i]; break;
      case 'd': b.depth = strtoul(argv[i], NULL, 10); break;
      case 'b': b.batch = strtoul(argv[i], NULL, 10); break;
      case 'i': b.n_in = strtoul(argv[i], NULL, 10); break;
      case 't': b.seconds = strtod(argv[i], NULL); break;
      case 'r': b.reps = atoi(argv[i]); break;
      case 'N': b.norm = argv[i]; break;
      case 'R': b.res_stride = strtoul(argv[i], NULL, 10); break;
      case 'P': b.probe = strtoul(argv[i], NULL, 10); break;
      case 'p': b.prec = argv[i]; break;
      case 'S': b.scale = argv[i]; break;
      }
    } else if (!strcmp(a, "-J")) {
      b.jacobian = 1;
    } else if (!strcmp(a, "-g")) {
      b.per_product = 1;
    } else if (!strcmp(a, "-v")) {
      b.verbose = 1;
    } else if (!strcmp(a, "-c")) {  /* the BLAS, for the report's header */
      printf("%s (%s)\n", blas_name(), blas_config());
      return 0;
    } else if (a[0] >= '1' && a[0] <= '9' && n_w < 64) {
      widths[n_w++] = strtoul(a, NULL, 10);
    } else {
      usage();
    }
  }
  if (n_w == 0) {
    static const size_t def[] = { 64, 128, 256, 512, 1024 };
    for (n_w = 0; n_w < 5; n_w++) widths[n_w] = def[n_w];
  }
  if (b.depth == 0 || b.depth + 1 > 64 || b.batch == 0 || b.batch > b.n_train || b.probe == 0 || b.probe > b.n_train || b.reps < 1) usage();
  prec_kind pk;
  double sc;
  int dyn;
  sb_error perr;
  sb_error_clear(&perr);
  if (prec_parse(b.prec, &pk, &perr)) { fprintf(stderr, "bench_kernel: -p: %s\n", perr.msg); return 2; }
  if (scale_parse(b.scale, &sc, &dyn)) {
    fprintf(stderr, "bench_kernel: -S: '%s' is not a positive number or dynamic\n", b.scale);
    return 2;
  }

  /* One thread: the grid runs one cell per core. */
  blas_set_threads(1);
  printf("# benchmark 1: one cell, one thread: %s/%s, norm %s, residual %zu, depth %zu, input %zu, %zu classes, "
         "batch %zu, probe %zu, SGD, precision %s, loss scale %s; BLAS %s; GEMM %s; best of %d\n", b.act, b.init, b.norm,
         b.res_stride, b.depth, b.n_in, b.n_out, b.batch, b.probe, b.prec, b.scale, blas_name(), blas_gemm_rule(), b.reps);
  if (b.per_product)
    printf("%6s %5s %-8s %5s %5s %5s %10s %10s %-8s %-8s\n", "width", "layer", "product", "M", "N", "K", "xsmm_GF/s",
           "cblas_GF/s", "faster", "auto");
  else
    printf("%6s %10s %9s %10s %9s %10s %9s %9s %10s %9s %10s %11s\n", "width", "MFLOP/step", "step_ms", "train_GF/s",
           "xsmm_GF/s", "cblas_GF/s", "best_GF/s", "auto_GF/s", "train/best", "probe/step", "floor/step", "probe/floor");
  if (b.verbose) printf("#      fwd_ms bwd_ms opt_ms gemm_ms measure_ms hist_ms\n");
  int rc = 0;
  for (size_t k = 0; k < n_w; k++) {
    cell c;
    probe_row *rows = NULL;
    double *scratch = NULL;
    if (cell_init(&c, &b, widths[k])
        || !(rows = malloc(c.s.n->n_layers * sizeof *rows))
        || !(scratch = calloc((widths[k] > b.n_in ? widths[k] : b.n_in) * (b.batch > widths[k] ? b.batch : widths[k]),
                              sizeof *scratch))) {
      fprintf(stderr, "bench_kernel: out of memory at width %zu\n", widths[k]);
      free(rows);
      cell_free(&c);
      rc = 1;
      break;
    }
    double fl = flops_per_step(c.s.n, b.batch);
    /* Calibrate the count so a repetition takes about b.seconds. */
    for (int i = 0; i < 3; i++) cell_step(&c, 0);
    double t0 = now();
    cell_step(&c, 0);
    double one = now() - t0;
    long count = (long)(b.seconds / (one > 1e-6 ? one : 1e-6));
    if (count < 3) count = 3;
    if (b.per_product) {   /* the products alone, for a row of gemm_rules */
      best_gemm(&c, &b, widths[k], count, scratch);
      fflush(stdout);
      free(scratch);
      free(rows);
      cell_free(&c);
      continue;
    }
    double t_step = best_time(&c, &b, K_STEP, count, scratch, rows);
    double t_xsmm = INFINITY;
    if (blas_has_libxsmm()) {
      blas_gemm_set(BLAS_GEMM_LIBXSMM);
      t_xsmm = best_time(&c, &b, K_GEMM, count, scratch, rows);
    }
    blas_gemm_set(BLAS_GEMM_AUTO);
    double t_gemm = best_time(&c, &b, K_GEMM, count, scratch, rows);
    double t_probe = best_time(&c, &b, K_PROBE, count / 2 + 1, scratch, rows);
    double t_cblas = best_time(&c, &b, K_CBLAS, count, scratch, rows);
    best_gemm(&c, &b, widths[k], count, scratch);
    if (blas_has_libxsmm()) blas_gemm_set(BLAS_GEMM_LIBXSMM);
    double t_best = best_time(&c, &b, K_BEST, count, scratch, rows);
    blas_gemm_set(BLAS_GEMM_AUTO);
    /* The reference: the fastest of the three ways through the products
     * (a mix chosen product by product can lose to one library whole,
     * when the products timed alone misjudge the sequence). */
    if (t_xsmm < t_best) t_best = t_xsmm;
    if (t_cblas < t_best) t_best = t_cblas;
    double floor_steps = (double)b.probe / (double)b.batch;   /* the probe's GEMM flops, in steps' */
    printf("%6zu %10.2f %9.4f %10.2f %9.2f %10.2f %9.2f %9.2f %10.3f %9.3f %10.2f %11.3f\n", widths[k], fl * 1e-6,
           t_step * 1e3, fl / t_step * 1e-9, fl / t_xsmm * 1e-9, fl / t_cblas * 1e-9, fl / t_best * 1e-9,
           fl / t_gemm * 1e-9, t_best / t_step, t_probe / t_step, floor_steps, t_probe / t_step / floor_steps);
    if (b.verbose) {
      double tf = best_time(&c, &b, K_FWD, count, scratch, rows);
      double tb = best_time(&c, &b, K_BWD, count, scratch, rows);
      double to = best_time(&c, &b, K_OPT, count, scratch, rows);
      double tm = best_time(&c, &b, K_MEASURE, count, scratch, rows);
      double th = best_time(&c, &b, K_HIST, count, scratch, rows);
      printf("#      %.4f %.4f %.4f %.4f %.4f %.4f\n", tf * 1e3, tb * 1e3, to * 1e3, t_gemm * 1e3, tm * 1e3,
             th * 1e3);
    }
    if (b.jacobian) {
      cell_probe(&c, rows);  /* the probe pass whose buffers the Jacobian reads */
      double tj = best_time(&c, &b, K_JAC, 1, scratch, rows);
      printf("# jacobian of one input, width %zu, input %zu, depth %zu: %.3f ms = %.1f steps\n", widths[k], b.n_in,
             b.depth, tj * 1e3, tj / t_step);
    }
    fflush(stdout);
    free(scratch);
    free(rows);
    cell_free(&c);
  }
  return rc;
}
