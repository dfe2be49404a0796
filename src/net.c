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
  return sb_fail(err, SB_EUSAGE, "--loss: unknown loss '%s' (valid: xent, mse)", text);
}

int opt_parse(const char *text, opt_kind *out, sb_error *err)
{
  for (int k = 0; k < OPT_COUNT; k++)
    if (strcmp(text, opt_names[k]) == 0) { *out = (opt_kind)k; return SB_OK; }
  return sb_fail(err, SB_EUSAGE,
                 "--optimizer: unknown optimizer '%s' (valid: sgd, momentum, adam)", text);
}

net *net_alloc(size_t n_in, size_t width, size_t depth, size_t n_out,
               act_fn act, loss_kind loss)
{
  if (n_in == 0 || width == 0 || depth == 0 || n_out == 0) return NULL;
  net *n = calloc(1, sizeof *n);
  if (!n) return NULL;
  n->n_in = n_in; n->width = width; n->depth = depth; n->n_out = n_out;
  n->n_layers = depth + 1;
  n->act = act;
  n->loss = loss;
  size_t L = n->n_layers;
  n->fan_in = calloc(4 * L, sizeof(size_t));
  if (!n->fan_in) { net_free(n); return NULL; }
  n->fan_out = n->fan_in + L;
  n->w_off = n->fan_in + 2 * L;
  n->b_off = n->fan_in + 3 * L;
  size_t off = 0;
  for (size_t l = 1; l <= L; l++) {
    size_t fi = l == 1 ? n_in : width, fo = l == L ? n_out : width;
    n->fan_in[l - 1] = fi;
    n->fan_out[l - 1] = fo;
    n->w_off[l - 1] = off; off += fi * fo;
    n->b_off[l - 1] = off; off += fo;
  }
  n->n_params = off;
  n->params = calloc(off, sizeof(double));
  n->grads = calloc(off, sizeof(double));
  if (!n->params || !n->grads) { net_free(n); return NULL; }
  return n;
}

void net_free(net *n)
{
  if (!n) return;
  free(n->params);
  free(n->grads);
  free(n->fan_in);
  free(n);
}

int net_init_params(net *n, const init_spec *spec, gsl_rng *rng, sb_error *err)
{
  for (size_t l = 1; l <= n->n_layers; l++) {
    int rc = init_fill(spec, net_W(n, l), net_b(n, l), n->fan_in[l - 1], n->fan_out[l - 1], rng, err);
    if (rc != SB_OK) return rc;
  }
  return SB_OK;
}

net_work *net_work_alloc(const net *n, size_t cap)
{
  if (cap == 0) return NULL;
  size_t L = n->n_layers, total = 0;
  for (size_t l = 0; l < L; l++) total += n->fan_out[l];
  net_work *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->cap = cap;
  w->h = calloc(4 * L, sizeof(double *));
  w->buf = calloc(4 * total * cap, sizeof(double));
  if (!w->h || !w->buf) { net_work_free(w); return NULL; }
  w->a = w->h + L;
  w->dphi = w->h + 2 * L;
  w->delta = w->h + 3 * L;
  double *p = w->buf;
  for (int k = 0; k < 4; k++)
    for (size_t l = 0; l < L; l++) {
      w->h[k * L + l] = p;
      p += cap * n->fan_out[l];
    }
  return w;
}

void net_work_free(net_work *w)
{
  if (!w) return;
  free(w->buf);
  free(w->h);
  free(w);
}

/* Softmax of each row of z (batch, k) into p; returns the summed
 * cross-entropy -log p[y] computed from the log-sum-exp, so a confident
 * wrong answer gives a large finite loss, not log(0). */
static double softmax_xent(double *p, const double *z, const int *y, size_t batch, size_t k)
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

double net_forward(const net *n, net_work *w, const double *X, const int *y, size_t batch)
{
  size_t L = n->n_layers;
  const double *in = X;  /* (batch, fan_in(l)) */
  for (size_t l = 1; l <= L; l++) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1];
    double *h = w->h[l - 1];  /* (batch, fo) */
    const double *b = net_b(n, l);
    /* Bias first, then accumulate the product onto it (beta = 1). */
    for (size_t i = 0; i < batch; i++) memcpy(h + i * fo, b, fo * sizeof(double));
    blas_gemm(0, 0, batch, fo, fi, 1.0, in, net_W(n, l), 1.0, h);
    if (l < L) {
      act_forward(&n->act, w->a[l - 1], w->dphi[l - 1], h, batch * fo);
      in = w->a[l - 1];
    }
  }
  size_t k = n->n_out;
  const double *z = w->h[L - 1];
  double *out = w->a[L - 1];
  if (n->loss == LOSS_XENT)
    return softmax_xent(out, z, y, batch, k) / (double)batch;
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

void net_backward(net *n, net_work *w, const double *X, const int *y, size_t batch)
{
  size_t L = n->n_layers, k = n->n_out;
  double inv_b = 1.0 / (double)batch;
  /* dLoss/dz for the mean loss: (p - onehot)/B for softmax cross-entropy,
   * (z - onehot)/B for 1/2 squared error; out holds p or z. */
  double *dz = w->delta[L - 1];
  const double *out = w->a[L - 1];
  for (size_t i = 0; i < batch; i++)
    for (size_t j = 0; j < k; j++)
      dz[i * k + j] = (out[i * k + j] - (j == (size_t)y[i] ? 1.0 : 0.0)) * inv_b;

  for (size_t l = L; l >= 1; l--) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1];
    const double *d = w->delta[l - 1];              /* (batch, fo) */
    const double *in = l == 1 ? X : w->a[l - 2];    /* (batch, fi) */
    blas_gemm(1, 0, fi, fo, batch, 1.0, in, d, 0.0, net_dW(n, l));  /* in^T d */
    double *db = net_db(n, l);
    memset(db, 0, fo * sizeof(double));
    for (size_t i = 0; i < batch; i++) {
      const double *di = d + i * fo;
      SB_SIMD
      for (size_t j = 0; j < fo; j++) db[j] += di[j];
    }
    if (l == 1) break;
    /* delta^{l-1} = (delta^l W^l^T) .* phi'(h^{l-1}) */
    double *dp = w->delta[l - 2];                   /* (batch, fi) */
    blas_gemm(0, 1, batch, fi, fo, 1.0, d, net_W(n, l), 0.0, dp);
    const double *g = w->dphi[l - 2];
    SB_SIMD
    for (size_t i = 0; i < batch * fi; i++) dp[i] *= g[i];
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
    if (ratio) {
      double unorm = opt_range_norm(o, n->grads + wo, mw, vw, nw, c1, c2);
      ratio[l - 1] = wnorm > 0.0 ? unorm / wnorm : (unorm > 0.0 ? INFINITY : 0.0);
    }
  }
}
