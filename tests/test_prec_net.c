/* test_prec_net.c - an emulated net (net_set_prec) against native float
 * arithmetic, where the two coincide and where they only agree to a bound.
 *
 * What coincides, bit for bit:
 *  - every tensor the passes store is a number of the format: after
 *    net_forward and net_backward, h, a, phi', delta, the skip stream's g
 *    (da), the gradients and lp (the weights the passes use) are left
 *    alone by rounding to the format ((double)(float)x == x for fp32),
 *    the softmax probabilities by rounding to fp32;
 *  - the elementwise stage delta = g phi' (s = 1): g and phi' are floats,
 *    so their product is exact in double (48 bits) and its one rounding
 *    to float is the native float product's.
 * What does not, and why only a bound holds:
 *  - the GEMMs accumulate in double and round once (net.h), where a
 *    float32 matmul rounds every partial sum: the pre-activations agree
 *    to the standard dot-product bound |h_f - h| <= gamma_{k+1} (|b| +
 *    sum |a_i w_ij|) (Higham, Accuracy and Stability, 3.1; k the fan-in,
 *    gamma_n = n u / (1 - n u), u = 2^-24) plus the emulation's own half
 *    ulp;
 *  - phi: net.c computes tanh in double and rounds once (correctly
 *    rounded but for double's error), glibc's tanhf errs by up to 2 ulp;
 *  - a scale s != 1 at a block end: (s g) phi' rounds once in double and
 *    once to float, twice in float: they may differ, so s = 1 here.
 * The whole forward pass is compared with a running bound: each layer's
 * error bound grows by the dot-product bound, |W|^T of the layer below's
 * (tanh is 1-Lipschitz) and the two tanh's errors. */
#include <config.h>
#include "net.h"
#include "tap.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_IN 7
#define WIDTH 24
#define DEPTH 5
#define N_OUT 5
#define BATCH 9

static void die(const char *msg) { fprintf(stderr, "test_prec_net: %s\n", msg); exit(99); }

static int is_float(double x) { volatile float f = (float)x; return isnan(x) || (double)f == x; }

/* How many entries of x[0..n) rounding to k would change (NaN: none). */
static size_t not_in(prec_kind k, const double *x, size_t n)
{
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    double y = prec_round(k, x[i]);
    bad += !(isnan(x[i]) || memcmp(&y, &x[i], sizeof y) == 0);
  }
  return bad;
}
static size_t not_float(const double *x, size_t n)
{
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) bad += !is_float(x[i]);
  return bad;
}

static net *make(prec_kind k, const net_arch *arch, gsl_rng *r, double scale)
{
  act_fn act;
  init_spec spec;
  sb_error err = { 0 };
  if (act_parse("tanh", &act, &err) != SB_OK || init_parse("normal:0.45", &spec, &err) != SB_OK) die(err.msg);
  net *n = net_alloc_arch(N_IN, WIDTH, DEPTH, N_OUT, act, LOSS_XENT, arch);
  if (!n || net_set_prec(n, k) != SB_OK) die("out of memory");
  n->scale = scale;
  if (net_init_params(n, &spec, r, &err) != SB_OK) die(err.msg);
  return n;
}

/* (a) after a forward and a backward pass, every tensor stored is in the format. */
static void check_stored(prec_kind k, const net_arch *arch, const char *what, double scale,
                         const double *X, const int *y)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2385);
  net *n = make(k, arch, r, scale);
  net_work *w = net_work_alloc(n, BATCH);
  if (!w) die("out of memory");
  net_forward(n, w, X, y, BATCH);
  net_backward(n, w, X, y, BATCH);
  size_t bad = 0, total = 0, L = n->n_layers, moved = 0;
  for (size_t l = 1; l <= L; l++) {
    size_t m = BATCH * n->fan_out[l - 1];
    bad += not_in(k, w->h[l - 1], m) + not_in(k, w->delta[l - 1], m);
    total += 2 * m;
    if (l < L) {
      bad += not_in(k, w->a[l - 1], m) + not_in(k, w->dphi[l - 1], m) + not_in(k, w->da[l - 1], m);
      total += 3 * m;
    } else {
      bad += not_in(PREC_FP32, w->a[l - 1], m);   /* the softmax in fp32 */
      total += m;
    }
  }
  bad += not_in(k, n->grads, n->n_params) + not_in(k, n->lp, n->n_params);
  total += 2 * n->n_params;
  for (size_t i = 0; i < n->n_params; i++) moved += n->lp[i] != n->params[i];
  size_t fbad = k == PREC_FP32 ? not_float(n->grads, n->n_params) + not_float(n->lp, n->n_params) : 0;
  tap_ok(!bad && !fbad && moved > 0 && total > 1000,
         "%s %s, loss scale %g: %zu stored entries (h, a, phi', delta, g, grads, lp), %zu not in the format%s "
         "(%zu of lp's %zu weights differ from the master weights)",
         prec_name(k), what, scale, total, bad + fbad, k == PREC_FP32 ? " ((double)(float)x != x)" : "",
         moved, n->n_params);
  net_work_free(w);
  net_free(n);
  gsl_rng_free(r);
}

/* (b) delta = g phi' against the float product.  With skips, g is kept
 * in da; without, delta^p overwrote it, so it is made again from delta^{p+1}
 * and lp: the double GEMM's sum in long double, rounded to float (it can
 * differ from net.c's only where a double sum lies within a double ulp of
 * a float halfway point). */
static void check_product(const net_arch *arch, const char *what, const double *X, const int *y)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2385);
  net *n = make(PREC_FP32, arch, r, 1.0);
  net_work *w = net_work_alloc(n, BATCH);
  double *g = malloc(BATCH * WIDTH * sizeof *g);
  if (!w || !g) die("out of memory");
  net_forward(n, w, X, y, BATCH);
  net_backward(n, w, X, y, BATCH);
  int skips = net_arch_has_skip(arch, DEPTH);
  size_t bad = 0, cmp = 0, nonzero = 0;
  for (size_t p = 1; p <= DEPTH; p++) {
    size_t fo = n->fan_out[p];   /* layer p+1's outputs */
    if (skips) {
      memcpy(g, w->da[p - 1], BATCH * WIDTH * sizeof *g);
    } else {
      const double *d = w->delta[p], *W = n->lp + n->w_off[p];   /* W^{p+1}: (WIDTH, fo) */
      for (size_t i = 0; i < BATCH; i++)
        for (size_t j = 0; j < WIDTH; j++) {
          long double s = 0.0L;
          for (size_t c = 0; c < fo; c++) s += (long double)d[i * fo + c] * W[j * fo + c];
          volatile float f = (float)(double)s;
          g[i * WIDTH + j] = f;
        }
    }
    const double *gp = w->dphi[p - 1], *dp = w->delta[p - 1];
    for (size_t i = 0; i < BATCH * WIDTH; i++) {
      float gf = (float)g[i], pf = (float)gp[i];
      volatile float prod = gf * pf;   /* the native float product */
      bad += memcmp(&(double){ prod }, &dp[i], sizeof(double)) != 0;
      nonzero += prod != 0.0f;
      cmp++;
    }
  }
  tap_ok(!bad && nonzero > cmp / 2, "fp32 %s: delta = g phi' against the float product g * phi': %zu entries "
         "(%zu nonzero), %zu differ", what, cmp, nonzero, bad);
  free(g);
  net_work_free(w);
  net_free(n);
  gsl_rng_free(r);
}

/* (c) the forward pass against a hand-written float32 one (float
 * accumulation, bias first, tanhf), layer by layer from the emulated
 * net's own inputs, and whole, each within its bound. */
static void check_forward(const double *X, const int *y)
{
  const double u = 0x1p-24;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2385);
  net *n = make(PREC_FP32, NULL, r, 1.0);
  net_work *w = net_work_alloc(n, BATCH);
  size_t L = n->n_layers;
  /* the native pass's activations, the running bound on them, and one
   * layer's from the emulated net's inputs */
  float *af = malloc(BATCH * WIDTH * sizeof *af), *hf = malloc(BATCH * WIDTH * sizeof *hf);
  double *E = malloc(BATCH * WIDTH * sizeof *E), *En = malloc(BATCH * WIDTH * sizeof *En);
  if (!w || !af || !hf || !E || !En) die("out of memory");
  net_forward(n, w, X, y, BATCH);
  for (size_t i = 0; i < BATCH * N_IN; i++) { af[i] = (float)X[i]; E[i] = 0.0; }
  double worst_layer = 0.0, worst_whole = 0.0;
  size_t differ = 0, checked = 0;
  for (size_t l = 1; l <= L; l++) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1];
    const double *Wd = n->lp + n->w_off[l - 1], *bd = n->lp + n->b_off[l - 1];
    const double *in_emu = l == 1 ? X : w->a[l - 2];
    const double *h = w->h[l - 1];
    for (size_t i = 0; i < BATCH; i++)
      for (size_t j = 0; j < fo; j++) {
        float s = (float)bd[j], s_in = (float)bd[j];
        double S = fabs(bd[j]), prop = 0.0;
        for (size_t c = 0; c < fi; c++) {
          float wf = (float)Wd[c * fo + j];
          s = s + af[i * fi + c] * wf;
          s_in = s_in + (float)in_emu[i * fi + c] * wf;
          S += fabs(in_emu[i * fi + c] * Wd[c * fo + j]);
          prop += fabs(Wd[c * fo + j]) * E[i * fi + c];
        }
        double gam = (fi + 1) * u / (1.0 - (fi + 1) * u);
        double x = h[i * fo + j];
        /* one layer from the same inputs: the float sum's bound, the
         * emulation's one rounding, double's own error (fi 2^-53 S) */
        double b1 = gam * S + u * fabs(x) + (fi + 1) * 0x1p-53 * S + 0x1p-149;
        double e1 = fabs((double)s_in - x);
        if (e1 / b1 > worst_layer) worst_layer = e1 / b1;
        /* the whole pass: |s - h| <= |s - t| + |t - x| + |x - h| with t
         * the exact sum on the native inputs, x on the emulated ones:
         * gamma (S + prop) + prop + (u |h| + double's error) */
        double bn = b1 + (1.0 + gam) * prop;
        double en = fabs((double)s - x);
        if (en / bn > worst_whole) worst_whole = en / bn;
        differ += (double)s != x;
        checked++;
        hf[i * fo + j] = s;
        En[i * fo + j] = bn;
      }
    if (l == L) break;
    /* tanh: 1-Lipschitz; tanhf within 2 ulp (glibc's documented error),
     * net.c's tanh rounded once: |tanhf(s) - a| <= |s - h| + 4u |tanh(s)|
     * + u |a|, and |tanh(s)| <= |a| + |s - h| + u |a| */
    const double *a = w->a[l - 1];
    for (size_t i = 0; i < BATCH * fo; i++) {
      af[i] = tanhf(hf[i]);
      E[i] = En[i] * (1.0 + 8.0 * u) + 6.0 * u * fabs(a[i]) + 0x1p-149;
      double ea = fabs((double)af[i] - a[i]);
      if (ea / E[i] > worst_whole) worst_whole = ea / E[i];
      differ += (double)af[i] != a[i];
      checked++;
    }
  }
  tap_ok(worst_layer <= 1.0, "fp32 forward, each layer from the emulated net's inputs: the float32 sums "
         "(bias first, float accumulation) within the dot-product bound gamma_{k+1} sum|a w| + u|h|: worst error/bound %.3g",
         worst_layer);
  tap_ok(worst_whole <= 1.0 && differ > 0, "fp32 forward, the whole pass against a float32 one (tanhf): "
         "%zu values, %zu of them not the same bits, all within the running bound: worst error/bound %.3g",
         checked, differ, worst_whole);
  free(af); free(hf); free(E); free(En);
  net_work_free(w);
  net_free(n);
  gsl_rng_free(r);
}

int main(void)
{
  /* Inputs that are floats (net.c rounds no input: a float32 net's are floats). */
  double X[BATCH * N_IN];
  int y[BATCH];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  for (size_t i = 0; i < BATCH * N_IN; i++) X[i] = (float)(2.385 * (gsl_rng_uniform(r) - 0.5));
  for (size_t i = 0; i < BATCH; i++) y[i] = (int)gsl_rng_uniform_int(r, N_OUT);
  gsl_rng_free(r);

  net_arch plain = { NORM_NONE, 0, 1.0 }, skip = { NORM_NONE, 2, 1.0 }, bn = { NORM_BATCH, 2, 1.0 };
  for (int k = PREC_FP32; k < PREC_COUNT; k++) {
    check_stored((prec_kind)k, &plain, "plain net", 1.0, X, y);
    check_stored((prec_kind)k, &skip, "skips every 2", 1.0, X, y);
    check_stored((prec_kind)k, &bn, "batch norm, skips every 2", 1.0, X, y);
    check_stored((prec_kind)k, &plain, "plain net", 1024.0, X, y);
  }
  check_product(&skip, "skips every 2 (g from da)", X, y);
  check_product(&plain, "plain net (g made again)", X, y);
  check_forward(X, y);
  return tap_done();
}
