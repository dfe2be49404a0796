/* net.c - the network: allocation, initialization, forward and backward
 * passes over whole mini-batches with GEMMs, losses and optimizers.
 *
 * Everything a training step touches is allocated here at setup; the step
 * itself (net_forward, net_backward, opt_step) allocates nothing. */
#include <config.h>
#include "net.h"
#include "blas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Elementwise loops over disjoint buffers: `omp simd` tells the compiler
 * they do not overlap, so it vectorizes them without run-time checks.
 * None is a reduction, so the bits are those of the scalar loop. */
#ifdef _OPENMP
#define SB_SIMD _Pragma("omp simd")
#else
#define SB_SIMD
#endif

static const char *const loss_names[LOSS_COUNT] = { "xent", "mse" };
static const char *const opt_names[OPT_COUNT] = { "sgd", "momentum", "adam" };

const char *loss_name(loss_kind k) { return (unsigned)k < LOSS_COUNT ? loss_names[k] : "?"; }
const char *opt_name(opt_kind k) { return (unsigned)k < OPT_COUNT ? opt_names[k] : "?"; }

int loss_parse(const char *text, loss_kind *out, sb_error *err)
{
  for (int k = 0; k < LOSS_COUNT; k++)
    if (strcmp(text, loss_names[k]) == 0) { *out = (loss_kind)k; return SB_OK; }
  return sb_fail(err, SB_EUSAGE, "unknown loss '%s' (valid: xent, mse)", text);
}

int opt_parse(const char *text, opt_kind *out, sb_error *err)
{
  for (int k = 0; k < OPT_COUNT; k++)
    if (strcmp(text, opt_names[k]) == 0) { *out = (opt_kind)k; return SB_OK; }
  return sb_fail(err, SB_EUSAGE,
                 "unknown optimizer '%s' (valid: sgd, momentum, adam)", text);
}

static const char *const norm_names[NORM_COUNT] = { "none", "batchnorm", "layernorm" };

const char *norm_name(norm_kind k) { return (unsigned)k < NORM_COUNT ? norm_names[k] : "?"; }

int norm_parse(const char *text, norm_kind *out, sb_error *err)
{
  for (int k = 0; k < NORM_COUNT; k++)
    if (strcmp(text, norm_names[k]) == 0) { *out = (norm_kind)k; return SB_OK; }
  return sb_fail(err, SB_EUSAGE, "--norms: unknown normalization '%s' (valid: none, batchnorm, layernorm)", text);
}

net *net_alloc(size_t n_in, size_t width, size_t depth, size_t n_out,
               act_fn act, loss_kind loss)
{
  return net_alloc_arch(n_in, width, depth, n_out, act, loss, NULL);
}

net *net_alloc_arch(size_t n_in, size_t width, size_t depth, size_t n_out,
                    act_fn act, loss_kind loss, const net_arch *arch)
{
  if (n_in == 0 || width == 0 || depth == 0 || n_out == 0) return NULL;
  net *n = calloc(1, sizeof *n);
  if (!n) return NULL;
  n->n_in = n_in; n->width = width; n->depth = depth; n->n_out = n_out;
  n->n_layers = depth + 1;
  n->act = act;
  n->loss = loss;
  n->arch = arch ? *arch : (net_arch){ NORM_NONE, 0, 1.0 };
  n->prec = PREC_FP64;
  n->scale = 1.0;
  int normed = n->arch.norm != NORM_NONE;
  size_t L = n->n_layers;
  n->fan_in = calloc(5 * L, sizeof(size_t));
  if (!n->fan_in) { net_free(n); return NULL; }
  n->fan_out = n->fan_in + L;
  n->w_off = n->fan_in + 2 * L;
  n->b_off = n->fan_in + 3 * L;
  n->g_off = n->fan_in + 4 * L;
  size_t off = 0;
  for (size_t l = 1; l <= L; l++) {
    size_t fi = l == 1 ? n_in : width, fo = l == L ? n_out : width;
    n->fan_in[l - 1] = fi;
    n->fan_out[l - 1] = fo;
    n->w_off[l - 1] = off; off += fi * fo;
    n->b_off[l - 1] = off; off += fo;
    n->g_off[l - 1] = off;
    if (normed && l < L) off += 2 * fo;
  }
  n->n_params = off;
  n->params = calloc(off, sizeof(double));
  n->grads = calloc(off, sizeof(double));
  if (!n->params || !n->grads) { net_free(n); return NULL; }
  if (n->arch.norm == NORM_BATCH) {
    n->run_mean = calloc(2 * depth * width, sizeof(double));
    if (!n->run_mean) { net_free(n); return NULL; }
    n->run_var = n->run_mean + depth * width;
  }
  return n;
}

void net_free(net *n)
{
  if (!n) return;
  free(n->params);
  free(n->grads);
  free(n->fan_in);
  free(n->run_mean);
  free(n->lp);
  free(n);
}

int net_set_prec(net *n, prec_kind p)
{
  n->prec = p;
  if (p == PREC_FP64 || n->lp) return SB_OK;
  n->lp = calloc(n->n_params, sizeof(double));
  return n->lp ? SB_OK : SB_EFAIL;
}

/* Emulation (net.h): x rounded to the net's format, counted into layer l's
 * tensor t while the work counts (a probe's passes). */
static inline void emu_round(const net *n, net_work *w, size_t l, int t, double *x, size_t len)
{
  prec_round_vec(n->prec, x, len, w->count_prec ? &w->pc[(l - 1) * NET_NT + t] : NULL);
}

int net_init_params(net *n, const init_spec *spec, gsl_rng *rng, sb_error *err)
{
  for (size_t l = 1; l <= n->n_layers; l++) {
    int rc = init_fill(spec, net_W(n, l), net_b(n, l), n->fan_in[l - 1], n->fan_out[l - 1], rng, err);
    if (rc != SB_OK) return rc;
    if (n->arch.norm != NORM_NONE && l < n->n_layers)
      for (size_t j = 0; j < n->width; j++) { net_gamma(n, l)[j] = 1.0; net_beta(n, l)[j] = 0.0; }
  }
  net_reset_stats(n);
  return SB_OK;
}

void net_reset_stats(net *n)
{
  if (!n->run_mean) return;
  size_t m = n->depth * n->width;
  for (size_t i = 0; i < m; i++) { n->run_mean[i] = 0.0; n->run_var[i] = 1.0; }
}

net_work *net_work_alloc(const net *n, size_t cap)
{
  if (cap == 0) return NULL;
  size_t L = n->n_layers, total = 0, D = n->depth, wd = n->width;
  for (size_t l = 0; l < L; l++) total += n->fan_out[l];
  int normed = n->arch.norm != NORM_NONE, res = n->arch.res_stride > 0;
  /* h, a, dphi, delta over every layer; uhat, du, inv_std and da over
   * the hidden ones when the net has a norm, resp. skip connections;
   * da_norm, one per hidden layer. */
  size_t per_stat = n->arch.norm == NORM_BATCH ? wd : cap;
  size_t doubles = 4 * total * cap + (normed ? D * (2 * cap * wd + per_stat) : 0) + (res ? D * cap * wd : 0) + D;
  net_work *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->cap = cap;
  w->len = doubles;
  w->h = calloc(8 * L, sizeof(double *));
  w->buf = calloc(doubles, sizeof(double));
  if (!w->h || !w->buf) { net_work_free(w); return NULL; }
  w->a = w->h + L;
  w->dphi = w->h + 2 * L;
  w->delta = w->h + 3 * L;
  w->uhat = w->h + 4 * L;
  w->du = w->h + 5 * L;
  w->inv_std = w->h + 6 * L;
  w->da = w->h + 7 * L;
  double *p = w->buf;
  for (int k = 0; k < 4; k++)
    for (size_t l = 0; l < L; l++) {
      w->h[k * L + l] = p;
      p += cap * n->fan_out[l];
    }
  for (size_t l = 0; l < L; l++) {
    int hidden = l < D;
    w->du[l] = w->da[l] = w->delta[l];
    if (normed && hidden) {
      w->uhat[l] = p; p += cap * wd;
      w->du[l] = p; p += cap * wd;
      w->inv_std[l] = p; p += per_stat;
    }
    if (res && hidden) { w->da[l] = p; p += cap * wd; }
  }
  w->da_norm = p;
  w->pc = calloc(L * NET_NT, sizeof *w->pc);
  if (!w->pc) { net_work_free(w); return NULL; }
  return w;
}

void net_work_free(net_work *w)
{
  if (!w) return;
  free(w->buf);
  free(w->h);
  free(w->pc);
  free(w);
}

/* Softmax of each row of z (batch, k) into p; returns the summed
 * cross-entropy -log p[y] computed from the log-sum-exp, so a confident
 * wrong answer gives a large finite loss, not log(0). */
double net_softmax_xent(double *p, const double *z, const int *y, size_t batch, size_t k)
{
  double loss = 0.0;
  for (size_t i = 0; i < batch; i++) {
    const double *zi = z + i * k;
    double *pi = p + i * k;
    double m = zi[0];
    for (size_t j = 1; j < k; j++) if (zi[j] > m) m = zi[j];
    double s = 0.0;
    for (size_t j = 0; j < k; j++) { pi[j] = exp(zi[j] - m); s += pi[j]; }
    double inv = 1.0 / s;
    for (size_t j = 0; j < k; j++) pi[j] *= inv;
    if (y) loss += m + log(s) - zi[y[i]];
  }
  return loss;
}

/* Normalize hidden layer l: its u = a^{l-1} W^l + b^l is in uhat[l-1]
 * (batch, width); leaves uhat, inv_std, and h = gamma uhat + beta. */
SB_CLONES static void norm_forward(net *n, net_work *w, size_t l, size_t batch, net_mode mode)
{
  size_t wd = n->width;
  double *u = w->uhat[l - 1], *h = w->h[l - 1], *is = w->inv_std[l - 1];
  const double *gm = net_gamma(n, l), *be = net_beta(n, l);
  if (n->arch.norm == NORM_BATCH) {
    double *rm = n->run_mean + (l - 1) * wd, *rv = n->run_var + (l - 1) * wd;
    double *mu = w->du[l - 1];  /* scratch until the backward pass */
    if (mode == NET_EVAL) {
      for (size_t j = 0; j < wd; j++) { mu[j] = rm[j]; is[j] = 1.0 / sqrt(rv[j] + NET_NORM_EPS); }
    } else {
      /* Two passes over the batch, row by row: the mean, then the
       * (biased) variance about it. */
      double inv_b = 1.0 / (double)batch;
      for (size_t j = 0; j < wd; j++) mu[j] = is[j] = 0.0;
      for (size_t i = 0; i < batch; i++) {
        const double *ui = u + i * wd;
        SB_SIMD
        for (size_t j = 0; j < wd; j++) mu[j] += ui[j];
      }
      for (size_t j = 0; j < wd; j++) mu[j] *= inv_b;
      for (size_t i = 0; i < batch; i++) {
        const double *ui = u + i * wd;
        SB_SIMD
        for (size_t j = 0; j < wd; j++) { double c = ui[j] - mu[j]; is[j] += c * c; }
      }
      double unbias = batch > 1 ? (double)batch / (double)(batch - 1) : 1.0;
      for (size_t j = 0; j < wd; j++) {
        double var = is[j] * inv_b;
        if (mode == NET_TRAIN) {
          rm[j] = (1.0 - NET_BN_MOMENTUM) * rm[j] + NET_BN_MOMENTUM * mu[j];
          rv[j] = (1.0 - NET_BN_MOMENTUM) * rv[j] + NET_BN_MOMENTUM * var * unbias;
        }
        is[j] = 1.0 / sqrt(var + NET_NORM_EPS);
      }
    }
    for (size_t i = 0; i < batch; i++) {
      double *ui = u + i * wd, *hi = h + i * wd;
      SB_SIMD
      for (size_t j = 0; j < wd; j++) { ui[j] = (ui[j] - mu[j]) * is[j]; hi[j] = gm[j] * ui[j] + be[j]; }
    }
  } else {  /* layer norm: each example over the layer's units */
    double inv_n = 1.0 / (double)wd;
    for (size_t i = 0; i < batch; i++) {
      double *ui = u + i * wd, *hi = h + i * wd, mu = 0.0, var = 0.0;
      for (size_t j = 0; j < wd; j++) mu += ui[j];
      mu *= inv_n;
      for (size_t j = 0; j < wd; j++) { double c = ui[j] - mu; var += c * c; }
      double r = 1.0 / sqrt(var * inv_n + NET_NORM_EPS);
      is[i] = r;
      SB_SIMD
      for (size_t j = 0; j < wd; j++) { ui[j] = (ui[j] - mu) * r; hi[j] = gm[j] * ui[j] + be[j]; }
    }
  }
}

double net_forward(const net *n, net_work *w, const double *X, const int *y, size_t batch)
{
  /* NET_PROBE writes nothing of n. */
  return net_forward_mode((net *)n, w, X, y, batch, NET_PROBE);
}

double net_forward_mode(net *n, net_work *w, const double *X, const int *y, size_t batch, net_mode mode)
{
  size_t L = n->n_layers, k_res = n->arch.res_stride;
  int normed = n->arch.norm != NORM_NONE, emu = n->prec != PREC_FP64;
  /* The passes' weights: the format's rounding of the master weights. */
  if (emu) {
    memcpy(n->lp, n->params, n->n_params * sizeof(double));
    prec_round_vec(n->prec, n->lp, n->n_params, NULL);
  }
  const double *par = emu ? n->lp : n->params;
  const double *in = X;  /* (batch, fan_in(l)) */
  for (size_t l = 1; l <= L; l++) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1];
    double *h = w->h[l - 1];  /* (batch, fo) */
    double *lin = normed && l < L ? w->uhat[l - 1] : h;
    const double *b = par + n->b_off[l - 1];
    /* Bias first, then accumulate the product onto it (beta = 1). */
    for (size_t i = 0; i < batch; i++) memcpy(lin + i * fo, b, fo * sizeof(double));
    blas_gemm(0, 0, batch, fo, fi, 1.0, in, par + n->w_off[l - 1], 1.0, lin);
    if (emu) emu_round(n, w, l, NET_T_H, lin, batch * fo);
    if (l < L) {
      if (normed) {
        norm_forward(n, w, l, batch, mode);
        if (emu) prec_round_vec(n->prec, h, batch * fo, NULL);
      }
      double *a = w->a[l - 1];
      /* An evaluation reads only the outputs: no phi' to store. */
      act_forward(&n->act, a, mode == NET_EVAL ? NULL : w->dphi[l - 1], h, batch * fo);
      if (net_block_end(n, l)) {
        const double *src = w->a[l - 1 - k_res];
        double s = n->arch.res_scale;
        SB_SIMD
        for (size_t i = 0; i < batch * fo; i++) a[i] = src[i] + s * a[i];
      }
      if (emu) {
        emu_round(n, w, l, NET_T_A, a, batch * fo);
        if (mode != NET_EVAL) prec_round_vec(n->prec, w->dphi[l - 1], batch * fo, NULL);
      }
      in = a;
    }
  }
  size_t k = n->n_out;
  const double *z = w->h[L - 1];
  double *out = w->a[L - 1];
  if (n->loss == LOSS_XENT) {
    double loss = net_softmax_xent(out, z, y, batch, k) / (double)batch;
    /* the softmax in fp32, as mixed precision keeps it */
    if (emu) prec_round_vec(PREC_FP32, out, batch * k, NULL);
    return loss;
  }
  memcpy(out, z, batch * k * sizeof(double));
  if (!y) return 0.0;
  double loss = 0.0;
  for (size_t i = 0; i < batch; i++)
    for (size_t j = 0; j < k; j++) {
      double d = z[i * k + j] - (j == (size_t)y[i] ? 1.0 : 0.0);
      loss += 0.5 * d * d;
    }
  return loss / (double)batch;
}

/* Hidden layer p of a net with a norm, after delta[p-1] = dLoss/dh^p:
 * the gradients of gamma^p and beta^p, and du[p-1] = dLoss/du^p through
 * the batch's (or the example's) statistics. */
SB_CLONES static void norm_backward(net *n, net_work *w, size_t p, size_t batch)
{
  size_t wd = n->width;
  const double *dh = w->delta[p - 1], *uh = w->uhat[p - 1], *is = w->inv_std[p - 1];
  const double *gm = net_gamma(n, p);
  double *dg = net_dgamma(n, p), *dbe = net_dbeta(n, p), *du = w->du[p - 1];
  memset(dg, 0, wd * sizeof(double));
  memset(dbe, 0, wd * sizeof(double));
  for (size_t i = 0; i < batch; i++) {
    const double *di = dh + i * wd, *ui = uh + i * wd;
    SB_SIMD
    for (size_t j = 0; j < wd; j++) { dg[j] += di[j] * ui[j]; dbe[j] += di[j]; }
  }
  if (n->arch.norm == NORM_BATCH) {
    /* du = gamma/sigma (dh - mean(dh) - uhat mean(dh uhat)), per unit */
    double inv_b = 1.0 / (double)batch;
    for (size_t i = 0; i < batch; i++) {
      const double *di = dh + i * wd, *ui = uh + i * wd;
      double *ri = du + i * wd;
      SB_SIMD
      for (size_t j = 0; j < wd; j++)
        ri[j] = gm[j] * is[j] * (di[j] - dbe[j] * inv_b - ui[j] * dg[j] * inv_b);
    }
  } else {
    /* the same per example, over the units, on dx = gamma dh */
    double inv_n = 1.0 / (double)wd;
    for (size_t i = 0; i < batch; i++) {
      const double *di = dh + i * wd, *ui = uh + i * wd;
      double *ri = du + i * wd, s1 = 0.0, s2 = 0.0;
      for (size_t j = 0; j < wd; j++) { double dx = gm[j] * di[j]; s1 += dx; s2 += dx * ui[j]; }
      s1 *= inv_n;
      s2 *= inv_n;
      SB_SIMD
      for (size_t j = 0; j < wd; j++) ri[j] = is[i] * (gm[j] * di[j] - s1 - ui[j] * s2);
    }
  }
}

void net_backward(net *n, net_work *w, const double *X, const int *y, size_t batch)
{
  size_t L = n->n_layers, k = n->n_out, k_res = n->arch.res_stride;
  int normed = n->arch.norm != NORM_NONE, emu = n->prec != PREC_FP64;
  const double *par = emu ? n->lp : n->params;
  double inv_b = 1.0 / (double)batch;
  /* dLoss/dz for the mean loss: (p - onehot)/B for softmax cross-entropy,
   * (z - onehot)/B for 1/2 squared error; out holds p or z. */
  double *dz = w->delta[L - 1];
  const double *out = w->a[L - 1];
  for (size_t i = 0; i < batch; i++)
    for (size_t j = 0; j < k; j++)
      dz[i * k + j] = (out[i * k + j] - (j == (size_t)y[i] ? 1.0 : 0.0)) * inv_b;
  if (n->scale != 1.0)   /* the loss scale (net.h) */
    for (size_t i = 0; i < batch * k; i++) dz[i] *= n->scale;
  if (emu) emu_round(n, w, L, NET_T_DELTA, dz, batch * k);

  for (size_t l = L; l >= 1; l--) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1];
    const double *d = w->du[l - 1];                 /* (batch, fo) dLoss/du^l (= delta^l without a norm) */
    const double *in = l == 1 ? X : w->a[l - 2];    /* (batch, fi) */
    blas_gemm(1, 0, fi, fo, batch, 1.0, in, d, 0.0, net_dW(n, l));  /* in^T d */
    if (emu) emu_round(n, w, l, NET_T_DW, net_dW(n, l), fi * fo);
    if (l == L || normed || emu) {  /* else the pass below made db^l with delta^l */
      double *db = net_db(n, l);
      memset(db, 0, fo * sizeof(double));
      for (size_t i = 0; i < batch; i++) {
        const double *di = d + i * fo;
        SB_SIMD
        for (size_t j = 0; j < fo; j++) db[j] += di[j];
      }
      if (emu) prec_round_vec(n->prec, db, fo, NULL);
    }
    if (l == 1) break;
    /* Layer p = l-1 below: dLoss/da^p = d W^l^T (plus, when a^p feeds the
     * skip of block end p + k, that block's dLoss/da), then
     * delta^p = dLoss/da^p .* phi'(h^p) (times s at a block end). */
    size_t p = l - 1;
    double *g = w->da[p - 1];                       /* (batch, fi); delta[p-1] without skips */
    blas_gemm(0, 1, batch, fi, fo, 1.0, d, par + n->w_off[l - 1], 0.0, g);
    if (emu) emu_round(n, w, p, NET_T_DA, g, batch * fi);
    if (k_res && net_block_end(n, p + k_res)) {
      const double *up = w->da[p + k_res - 1];
      SB_SIMD
      for (size_t i = 0; i < batch * fi; i++) g[i] += up[i];
      if (emu) prec_round_vec(n->prec, g, batch * fi, NULL);
    }
    /* A read of g, before delta^p may overwrite it: the probe's only. */
    if (w->measure_da) w->da_norm[p - 1] = blas_nrm2(g, batch * fi);
    double *dp = w->delta[p - 1];
    const double *gp = w->dphi[p - 1];
    /* (s g) phi' with s = 1 but at a block end is g phi' exactly; without a
     * norm delta^p is dLoss/du^p, whose column sums, db^p, are made in the
     * same sweep (in the same order as a pass of their own would). */
    double s = net_block_end(n, p) ? n->arch.res_scale : 1.0;
    if (normed) {
      SB_SIMD
      for (size_t i = 0; i < batch * fi; i++) dp[i] = s * g[i] * gp[i];
      if (emu) emu_round(n, w, p, NET_T_DELTA, dp, batch * fi);
      norm_backward(n, w, p, batch);
      if (emu) {
        prec_round_vec(n->prec, w->du[p - 1], batch * fi, NULL);
        prec_round_vec(n->prec, net_dgamma(n, p), 2 * n->width, NULL);
      }
    } else if (emu) {   /* delta^p rounded, then its column sums db^p (the loop above, at l = p) */
      SB_SIMD
      for (size_t i = 0; i < batch * fi; i++) dp[i] = s * g[i] * gp[i];
      emu_round(n, w, p, NET_T_DELTA, dp, batch * fi);
    } else {
      double *db = net_db(n, p);
      memset(db, 0, fi * sizeof(double));
      for (size_t i = 0; i < batch; i++) {
        const double *gi = g + i * fi, *gpi = gp + i * fi;
        double *di = dp + i * fi;
        SB_SIMD
        for (size_t j = 0; j < fi; j++) { double v = s * gi[j] * gpi[j]; di[j] = v; db[j] += v; }
      }
    }
  }
}

size_t net_correct(const net *n, const net_work *w, const int *y, size_t batch)
{
  size_t k = n->n_out, c = 0;
  const double *out = w->a[n->n_layers - 1];
  for (size_t i = 0; i < batch; i++) {
    const double *o = out + i * k;
    size_t best = 0;
    for (size_t j = 1; j < k; j++) if (o[j] > o[best]) best = j;
    c += best == (size_t)y[i];
  }
  return c;
}

opt_state *opt_alloc(opt_kind kind, double lr, size_t n_params)
{
  opt_state *o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->kind = kind;
  o->lr = lr;
  o->momentum = 0.9;
  o->beta1 = 0.9;
  o->beta2 = 0.999;
  o->eps = 1e-8;
  if (kind != OPT_SGD) {
    o->m = calloc(n_params, sizeof(double));
    if (!o->m) { opt_free(o); return NULL; }
  }
  if (kind == OPT_ADAM) {
    o->v = calloc(n_params, sizeof(double));
    if (!o->v) { opt_free(o); return NULL; }
  }
  return o;
}

void opt_free(opt_state *o)
{
  if (!o) return;
  free(o->m);
  free(o->v);
  free(o);
}

/* Update params[0..len) in place: one loop per optimizer, with the kind
 * tested once, not per parameter, so that the loops vectorize. */
SB_CLONES static void opt_range(const opt_state *o, double *p, const double *g, double *m, double *v,
                      size_t len, double c1, double c2)
{
  const double lr = o->lr, mu = o->momentum, b1 = o->beta1, b2 = o->beta2, eps = o->eps;
  switch (o->kind) {
  case OPT_MOMENTUM:
    SB_SIMD
    for (size_t i = 0; i < len; i++) { m[i] = mu * m[i] + g[i]; p[i] += -lr * m[i]; }
    break;
  case OPT_ADAM:
    SB_SIMD
    for (size_t i = 0; i < len; i++) {
      m[i] = b1 * m[i] + (1.0 - b1) * g[i];
      v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
      p[i] += -lr * (m[i] * c1) / (sqrt(v[i] * c2) + eps);
    }
    break;
  default:
    SB_SIMD
    for (size_t i = 0; i < len; i++) p[i] += -lr * g[i];
    break;
  }
}

/* Euclidean norm of the update opt_range just made, from the state it
 * left (g, and the updated m and v).  A pass of its own, on logged steps
 * only: folding it into opt_range would give the compiler a reason to
 * round the update differently (no fused multiply-add) on logged steps,
 * and probing must not change training.  Accumulated with a running scale
 * (LAPACK's dlassq idea) so updates of 1e-160 are measured rather than
 * squared to 0. */
static double opt_range_norm(const opt_state *o, const double *g, const double *m, const double *v,
                             size_t len, double c1, double c2)
{
  const double lr = o->lr, eps = o->eps;
  double scale = 0.0, ssq = 1.0;
  for (size_t i = 0; i < len; i++) {
    double d = o->kind == OPT_MOMENTUM ? -lr * m[i]
             : o->kind == OPT_ADAM ? -lr * (m[i] * c1) / (sqrt(v[i] * c2) + eps)
             : -lr * g[i];
    if (d != 0.0) {
      double ad = fabs(d);
      if (scale < ad) { double r = scale / ad; ssq = 1.0 + ssq * r * r; scale = ad; }
      else { double r = ad / scale; ssq += r * r; }
    }
  }
  return scale * sqrt(ssq);
}

void opt_step(opt_state *o, net *n, double *ratio)
{
  o->t++;
  double c1 = 1.0, c2 = 1.0;
  if (o->kind == OPT_ADAM) {
    c1 = 1.0 / (1.0 - pow(o->beta1, (double)o->t));
    c2 = 1.0 / (1.0 - pow(o->beta2, (double)o->t));
  }
  for (size_t l = 1; l <= n->n_layers; l++) {
    size_t wo = n->w_off[l - 1], bo = n->b_off[l - 1];
    size_t nw = bo - wo, nb = n->fan_out[l - 1];
    double wnorm = ratio ? blas_nrm2(n->params + wo, nw) : 0.0;
    double *mw = o->m ? o->m + wo : NULL, *vw = o->v ? o->v + wo : NULL;
    opt_range(o, n->params + wo, n->grads + wo, mw, vw, nw, c1, c2);
    opt_range(o, n->params + bo, n->grads + bo, o->m ? o->m + bo : NULL, o->v ? o->v + bo : NULL,
              nb, c1, c2);
    size_t go = n->g_off[l - 1], ng = (l < n->n_layers ? n->w_off[l] : n->n_params) - go;
    if (ng)  /* gamma^l and beta^l */
      opt_range(o, n->params + go, n->grads + go, o->m ? o->m + go : NULL, o->v ? o->v + go : NULL,
                ng, c1, c2);
    if (ratio) {
      double unorm = opt_range_norm(o, n->grads + wo, mw, vw, nw, c1, c2);
      ratio[l - 1] = wnorm > 0.0 ? unorm / wnorm : (unorm > 0.0 ? INFINITY : 0.0);
    }
  }
  /* Emulation: the master weights and the optimizer's state in fp32. */
  if (n->prec != PREC_FP64) {
    prec_round_vec(PREC_FP32, n->params, n->n_params, NULL);
    if (o->m) prec_round_vec(PREC_FP32, o->m, n->n_params, NULL);
    if (o->v) prec_round_vec(PREC_FP32, o->v, n->n_params, NULL);
  }
}

void opt_step_vec(opt_state *o, double *params, const double *grads, size_t n, const size_t *roff,
                  const size_t *rlen, size_t nr, double *ratio)
{
  o->t++;
  double c1 = 1.0, c2 = 1.0;
  if (o->kind == OPT_ADAM) {
    c1 = 1.0 / (1.0 - pow(o->beta1, (double)o->t));
    c2 = 1.0 / (1.0 - pow(o->beta2, (double)o->t));
  }
  for (size_t k = 0; ratio && k < nr; k++) ratio[k] = blas_nrm2(params + roff[k], rlen[k]);
  opt_range(o, params, grads, o->m, o->v, n, c1, c2);
  for (size_t k = 0; ratio && k < nr; k++) {
    double wnorm = ratio[k], unorm = opt_range_norm(o, grads + roff[k], o->m ? o->m + roff[k] : NULL,
                                                    o->v ? o->v + roff[k] : NULL, rlen[k], c1, c2);
    ratio[k] = wnorm > 0.0 ? unorm / wnorm : (unorm > 0.0 ? INFINITY : 0.0);
  }
}
