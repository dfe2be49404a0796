/* bench_rnn.c - benchmark 8: the recurrent step (rnn.h) on one thread,
 * against the GEMM rate at its shapes and, in bench/run.sh, against
 * PyTorch doing the same work (bench/torch_rnn.py).
 *
 * For each cell (rnn, lstm, gru) and hidden size H the step is the
 * trainer's (trainrnn.c): rnn_forward, rnn_backward and an SGD update
 * (opt_step_vec) on a batch of B sequences of T steps of n_in inputs, tanh,
 * softmax cross-entropy on a 10-way readout.  Its work is counted as the
 * GEMM flops it cannot avoid: T B G H (4 n_in + 6 H) (the input and the
 * recurrent products forward, both weight gradients, and dL/dh_{t-1} per
 * step; no dL/dx, which nothing needs), the readout's and the elementwise
 * passes counted as free.  The reference is those products alone through
 * blas_gemm at the same shapes and in the same order: one (T B, n_in) x
 * (n_in, G H), T of (B, H) x (H, G H), T of (B, G H) x (H, G H)', and the
 * two weight gradients (n_in, T B) x (T B, G H) and (H, T B) x (T B, G H).
 * Both are the best of -r repetitions, in thread CPU time.
 *
 * usage: bench_rnn [-T STEPS] [-b BATCH] [-i N_IN] [-r REPS] [-c rnn,lstm,gru] [H...]  (default 128 256)
 * Prints one line per (cell, H): ms per step, GFLOP/s of the step and of
 * its GEMMs, and their ratio. */
#include <config.h>
#include "blas.h"
#include "net.h"
#include "rnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what)
{
  fprintf(stderr, "bench_rnn: %s\n", what);
  exit(1);
}

int main(int argc, char **argv)
{
  size_t T = 50, B = 64, n_in = 32, n_out = 10;
  int reps = 5;
  const char *cells = "rnn,lstm,gru";
  size_t widths[16], nw = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-T") && i + 1 < argc) T = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-b") && i + 1 < argc) B = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-i") && i + 1 < argc) n_in = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-r") && i + 1 < argc) reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-c") && i + 1 < argc) cells = argv[++i];
    else if (nw < 16 && argv[i][0] != '-') widths[nw++] = strtoul(argv[i], NULL, 10);
    else die("usage: bench_rnn [-T STEPS] [-b BATCH] [-i N_IN] [-r REPS] [-c rnn,lstm,gru] [H...]");
  }
  if (!nw) { widths[0] = 128; widths[1] = 256; nw = 2; }
  if (!T || !B || !n_in || reps < 1) die("T, batch, n_in and reps must be positive");
  printf("cell\tH\tT\tbatch\tn_in\tms_step\tgflops_step\tgflops_gemm\tstep/gemm\n");
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  sb_error err;
  for (rnn_cell c = 0; c < RNN_CELL_COUNT; c++) {
    if (!strstr(cells, rnn_cell_name(c))) continue;
    for (size_t k = 0; k < nw; k++) {
      size_t H = widths[k];
      act_fn act;
      if (act_parse("tanh", &act, &err)) die(err.msg);
      rnn *r = rnn_alloc(c, n_in, H, n_out, act, LOSS_XENT);
      rnn_work *w = r ? rnn_work_alloc(r, B, T) : NULL;
      opt_state *o = r ? opt_alloc(OPT_SGD, 0.01, r->n_params) : NULL;
      if (!r || !w || !o) die("out of memory");
      init_spec xh;
      rnn_hh_spec hh;
      if (init_parse("xavier_normal", &xh, &err) || rnn_hh_parse("orthogonal", &hh, &err)
          || rnn_init_params(r, &xh, &hh, 0.0, g, &err))
        die(err.msg);
      size_t G = r->n_gates, GH = G * H;
      double *X = malloc(B * T * n_in * sizeof *X);
      int *y = malloc(B * sizeof *y);
      double *a = malloc(T * B * GH * sizeof *a), *hb = malloc((T + 1) * B * H * sizeof *hb);
      double *xb = malloc(T * B * n_in * sizeof *xb), *wg = malloc((n_in + H) * GH * sizeof *wg);
      double *wh = malloc(H * GH * sizeof *wh), *dw = malloc((n_in + H) * GH * sizeof *dw);
      double *dhb = malloc((T + 1) * B * H * sizeof *dhb);
      if (!X || !y || !a || !hb || !xb || !wg || !wh || !dw || !dhb) die("out of memory");
      for (size_t i = 0; i < (n_in + H) * GH; i++) wg[i] = 0.01 * gsl_ran_gaussian(g, 1.0);
      for (size_t i = 0; i < B * T * n_in; i++) X[i] = gsl_ran_gaussian(g, 1.0);
      for (size_t i = 0; i < T * B * n_in; i++) xb[i] = X[i];
      for (size_t i = 0; i < (T + 1) * B * H; i++) hb[i] = 0.1 * gsl_ran_gaussian(g, 1.0);
      for (size_t i = 0; i < T * B * GH; i++) a[i] = 0.1 * gsl_ran_gaussian(g, 1.0);
      for (size_t i = 0; i < H * GH; i++) wh[i] = 0.01 * gsl_ran_gaussian(g, 1.0);
      for (size_t i = 0; i < B; i++) y[i] = (int)gsl_rng_uniform_int(g, n_out);
      /* repetitions of about 0.2 s: n steps each */
      double t0 = now();
      long n = 0;
      do {
        rnn_forward(r, w, X, NULL, y, NULL, B, T);
        rnn_backward(r, w, NULL, y, NULL, B, T);
        opt_step_vec(o, r->params, r->grads, r->n_params, NULL, NULL, 0, NULL);
        n++;
      } while (now() - t0 < 0.2);
      double best_step = INFINITY, best_gemm = INFINITY;
      for (int rep = 0; rep < reps; rep++) {
        double s = now();
        for (long i = 0; i < n; i++) {
          rnn_forward(r, w, X, NULL, y, NULL, B, T);
          rnn_backward(r, w, NULL, y, NULL, B, T);
          opt_step_vec(o, r->params, r->grads, r->n_params, NULL, NULL, 0, NULL);
        }
        best_step = fmin(best_step, (now() - s) / (double)n);
        s = now();
        for (long i = 0; i < n; i++) {
          blas_gemm(0, 0, T * B, GH, n_in, 1.0, xb, wg, 0.0, a);
          for (size_t t = 0; t < T; t++) blas_gemm(0, 0, B, GH, H, 1.0, hb + t * B * H, wh, 1.0, a + t * B * GH);
          for (size_t t = T; t >= 1; t--) blas_gemm(0, 1, B, H, GH, 1.0, a + (t - 1) * B * GH, wh, 0.0, dhb + (t - 1) * B * H);
          blas_gemm(1, 0, n_in, GH, T * B, 1.0, xb, a, 0.0, dw);
          blas_gemm(1, 0, H, GH, T * B, 1.0, hb, a, 0.0, dw + n_in * GH);
        }
        best_gemm = fmin(best_gemm, (now() - s) / (double)n);
      }
      double flops = (double)T * (double)B * (double)GH * (4.0 * (double)n_in + 6.0 * (double)H);
      printf("%s\t%zu\t%zu\t%zu\t%zu\t%.4f\t%.2f\t%.2f\t%.3f\n", rnn_cell_name(c), H, T, B, n_in, 1e3 * best_step,
             flops / best_step * 1e-9, flops / best_gemm * 1e-9, best_gemm / best_step);
      fflush(stdout);
      free(X); free(y); free(a); free(hb); free(xb); free(wg); free(wh); free(dw); free(dhb);
      opt_free(o);
      rnn_work_free(w);
      rnn_free(r);
    }
  }
  gsl_rng_free(g);
  return 0;
}
