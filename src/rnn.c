/* rnn.c - recurrent cells: the table of cell types, allocation and
 * initialization, forward over T steps and back-propagation through time
 * on whole mini-batches, and clipping by the global norm (rnn.h).
 *
 * The products go through blas_gemm: the input side of every step in one
 * GEMM of T batch rows before the recurrence, one GEMM of batch rows per
 * step for h_{t-1} W_hh (forward) and dL/da_t W_hh' (backward), and the
 * weight gradients once per sequence, summed over time inside single GEMMs
 * (dW_hh = [h_0 .. h_{T-1}]' [dL/da_1 .. dL/da_T]).  Nothing is allocated
 * in rnn_forward or rnn_backward: rnn_work_alloc made every buffer. */
#include <config.h>
#include "rnn.h"
#include "blas.h"
#include "names.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* As in net.c: elementwise loops over disjoint buffers, no reductions. */
#ifdef _OPENMP
#define SB_SIMD _Pragma("omp simd")
#else
#define SB_SIMD
#endif

static const rnn_cell_info rnn_cells[] = {
  [RNN_ELMAN] = { "rnn", 1, 0, { "a" }, 0, 0,
                  "Elman: h_t = phi(x_t W_xh + h_{t-1} W_hh + b)" },
  [RNN_LSTM]  = { "lstm", 4, 3, { "i", "f", "o", "g" }, 1, 0,
                  "LSTM: sigmoid gates i, f, o; g = phi(a_g), c_t = f c_{t-1} + i g, h_t = o phi(c_t)" },
  [RNN_GRU]   = { "gru", 3, 2, { "r", "z", "n" }, 0, 1,
                  "GRU (PyTorch's): sigmoid gates r, z; n = phi(x W_xn + b_n + r (h W_hn + b_hn)), "
                  "h_t = (1 - z) n + z h_{t-1}" },
};
_Static_assert(sizeof rnn_cells / sizeof rnn_cells[0] == RNN_CELL_COUNT, "rnn_cells needs one row per rnn_cell");

const rnn_cell_info *rnn_cell_info_of(rnn_cell c)
{
  return (unsigned)c < RNN_CELL_COUNT ? &rnn_cells[c] : NULL;
}

const char *rnn_cell_name(rnn_cell c)
{
  return (unsigned)c < RNN_CELL_COUNT ? rnn_cells[c].name : "unknown";
}

const char *rnn_arch_name(rnn_arch a)
{
  return a == ARCH_MLP ? "mlp" : rnn_cell_name(rnn_arch_cell(a));
}

int rnn_arch_parse(const char *text, rnn_arch *out, sb_error *err)
{
  const char *names[ARCH_COUNT];
  for (int a = 0; a < ARCH_COUNT; a++) {
    names[a] = rnn_arch_name((rnn_arch)a);
    if (strcmp(text, names[a]) == 0) { *out = (rnn_arch)a; return SB_OK; }
  }
  char valid[128];
  const char *near = names_nearest(text, names, ARCH_COUNT);
  if (near) return sb_fail(err, SB_EUSAGE, "unknown architecture '%s' (did you mean '%s'?)", text, near);
  return sb_fail(err, SB_EUSAGE, "unknown architecture '%s' (valid: %s)", text,
                 names_join(valid, sizeof valid, names, ARCH_COUNT));
}

rnn *rnn_alloc(rnn_cell cell, size_t n_in, size_t hidden, size_t n_out, act_fn act, loss_kind loss)
{
  if ((unsigned)cell >= RNN_CELL_COUNT || n_in == 0 || hidden == 0 || n_out == 0) return NULL;
  const rnn_cell_info *ci = &rnn_cells[cell];
  /* n_params = G H (n_in + H + 1) + extra H + H n_out + n_out: each term
   * below SIZE_MAX / 8, so that neither it nor the sum overflows */
  if (hidden > SIZE_MAX / 8 / RNN_MAX_GATES) return NULL;
  size_t H = hidden, GH = ci->n_gates * hidden;
  if (n_in > SIZE_MAX / 8 / GH || H > SIZE_MAX / 8 / GH || n_out > SIZE_MAX / 8 / H) return NULL;
  rnn *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->cell = cell;
  r->n_in = n_in; r->hidden = H; r->n_out = n_out;
  r->n_gates = ci->n_gates;
  r->act = act;
  r->loss = loss;
  size_t off = 0;
  r->w_xh = off;  off += n_in * GH;
  r->w_hh = off;  off += H * GH;
  r->b = off;     off += GH;
  r->b_hn = off;  off += ci->n_extra_bias * H;
  r->w_out = off; off += H * n_out;
  r->b_out = off; off += n_out;
  r->n_params = off;
  r->params = calloc(off, sizeof(double));
  r->grads = calloc(off, sizeof(double));
  if (!r->params || !r->grads) { rnn_free(r); return NULL; }
  return r;
}

void rnn_free(rnn *r)
{
  if (!r) return;
  free(r->params);
  free(r->grads);
  free(r);
}

int rnn_hh_parse(const char *text, rnn_hh_spec *out, sb_error *err)
{
  static const char id[] = "identity";
  size_t n = sizeof id - 1;
  if (text && strncmp(text, id, n) == 0 && (text[n] == '\0' || text[n] == ':')) {
    double s = 1.0;
    if (text[n] == ':') {
      const char *num = text + n + 1;
      char *end = NULL;
      s = *num && !isspace((unsigned char)*num) ? strtod(num, &end) : NAN;
      if (!end || *end || !isfinite(s) || !(s > 0))
        return sb_fail(err, SB_EUSAGE, "init '%s': SCALE '%s' is not a finite number > 0 "
                       "(identity[:SCALE])", text, num);
    }
    out->identity = 1;
    out->scale = s;
    out->spec = (init_spec){ INIT_STANDARD, NAN, NAN };
    return SB_OK;
  }
  out->identity = 0;
  out->scale = NAN;
  /* init.h's names and identity: a name of neither is refused here, so
   * that the suggestion and the list know identity too */
  const char *names[INIT_COUNT + 1];
  char name[64] = "";
  size_t len = text ? strcspn(text, ":") : 0;
  memcpy(name, text ? text : "", len < sizeof name ? len : sizeof name - 1);
  names[0] = id;
  for (int k = 0; k < INIT_COUNT; k++) {
    names[k + 1] = init_kind_name((init_kind)k);
    if (strcmp(name, names[k + 1]) == 0) return init_parse(text, &out->spec, err);
  }
  const char *near = names_nearest(name, names, INIT_COUNT + 1);
  if (near) return sb_fail(err, SB_EUSAGE, "unknown init '%s' (did you mean '%s'?)", text ? text : "", near);
  return sb_fail(err, SB_EUSAGE, "unknown init '%s' (valid: identity[:SCALE] or one of satbench list inits)",
                 text ? text : "");
}

void rnn_hh_format(const rnn_hh_spec *s, char *buf, size_t size)
{
  if (!buf || size == 0) return;
  if (!s->identity) { init_format(&s->spec, buf, size); return; }
  if (s->scale == 1.0) { snprintf(buf, size, "identity"); return; }
  /* the shortest text that reads back as the same double */
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(buf, size, "identity:%.*g", prec, s->scale);
    if (strtod(buf + 9, NULL) == s->scale) return;
  }
}

int rnn_init_params(rnn *r, const init_spec *xh, const rnn_hh_spec *hh, double forget_bias,
                    gsl_rng *rng, sb_error *err)
{
  if (!isfinite(forget_bias) || (forget_bias != 0.0 && r->cell != RNN_LSTM))
    return sb_fail(err, SB_EUSAGE, "forget-gate bias %g: only an LSTM has one, and it must be finite",
                   forget_bias);
  size_t H = r->hidden, G = r->n_gates, GH = G * H, ni = r->n_in;
  size_t rows = ni > H ? ni : H;
  /* A gate's block is strided in W_xh and W_hh (G H columns a row):
   * drawn whole into a scratch block, then copied in. */
  double *blk = malloc(rows * H * sizeof *blk);
  if (!blk) return sb_fail(err, SB_EFAIL, "rnn init: out of memory for a %zu x %zu block", rows, H);
  int rc = SB_OK;
  for (size_t k = 0; k < G && rc == SB_OK; k++) {
    rc = init_fill(xh, blk, rnn_b(r) + k * H, ni, H, rng, err);
    for (size_t a = 0; a < ni && rc == SB_OK; a++)
      memcpy(rnn_W_xh(r) + a * GH + k * H, blk + a * H, H * sizeof *blk);
  }
  for (size_t k = 0; k < G && rc == SB_OK; k++) {
    if (hh->identity)
      for (size_t a = 0; a < H * H; a++) blk[a] = a % (H + 1) == 0 ? hh->scale : 0.0;
    else
      rc = init_fill(&hh->spec, blk, NULL, H, H, rng, err);
    for (size_t a = 0; a < H && rc == SB_OK; a++)
      memcpy(rnn_W_hh(r) + a * GH + k * H, blk + a * H, H * sizeof *blk);
  }
  free(blk);
  if (rc == SB_OK) rc = init_fill(xh, rnn_W_out(r), rnn_b_out(r), H, r->n_out, rng, err);
  if (rc != SB_OK) return rc;
  for (size_t j = r->b_hn; j < r->w_out; j++) r->params[j] = 0.0;
  if (r->cell == RNN_LSTM)   /* the forget gate is block 1: [i f o g] */
    for (size_t j = 0; j < H; j++) rnn_b(r)[H + j] += forget_bias;
  return SB_OK;
}

/* ---- work ---------------------------------------------------------------*/

/* a * b, or SIZE_MAX when it overflows (and then every sum with it). */
static size_t mul(size_t a, size_t b) { return b && a > SIZE_MAX / b ? SIZE_MAX : a * b; }
static size_t add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

/* The sizes of the buffers in the order rnn_work_alloc carves them. */
enum { W_XT, W_PRE, W_GATE, W_DGATE, W_HS, W_CS, W_PHIC, W_DPHIC, W_GHN, W_GH, W_Z, W_OUT,
       W_DPRE, W_DGH, W_DH, W_DC, W_DZ, W_DHN, W_N };

static size_t work_sizes(const rnn *r, size_t cap, size_t t_cap, size_t *sz)
{
  size_t H = r->hidden, GH = r->n_gates * H, no = r->n_out;
  int lstm = r->cell == RNN_LSTM, gru = r->cell == RNN_GRU, elman = r->cell == RNN_ELMAN;
  size_t tb = mul(t_cap, cap), t1b = mul(add(t_cap, 1), cap);
  sz[W_XT] = mul(tb, r->n_in);
  sz[W_PRE] = mul(tb, GH);
  sz[W_GATE] = elman ? 0 : mul(tb, GH);
  sz[W_DGATE] = mul(tb, GH);
  sz[W_HS] = mul(t1b, H);
  sz[W_CS] = lstm ? mul(t1b, H) : 0;
  sz[W_PHIC] = lstm ? mul(tb, H) : 0;
  sz[W_DPHIC] = lstm ? mul(tb, H) : 0;
  sz[W_GHN] = gru ? mul(tb, H) : 0;
  sz[W_GH] = gru ? mul(cap, GH) : 0;
  sz[W_Z] = mul(cap, no);
  sz[W_OUT] = mul(cap, no);
  sz[W_DPRE] = mul(tb, GH);
  sz[W_DGH] = gru ? mul(tb, GH) : 0;
  sz[W_DH] = mul(t1b, H);
  sz[W_DC] = lstm ? mul(cap, H) : 0;
  sz[W_DZ] = mul(cap, no);
  sz[W_DHN] = add(t_cap, 1);
  size_t total = 0;
  for (int k = 0; k < W_N; k++) total = add(total, sz[k]);
  return total > SIZE_MAX / sizeof(double) ? 0 : total;
}

size_t rnn_work_doubles(const rnn *r, size_t cap, size_t t_cap)
{
  size_t sz[W_N];
  return cap && t_cap ? work_sizes(r, cap, t_cap, sz) : 0;
}

rnn_work *rnn_work_alloc(const rnn *r, size_t cap, size_t t_cap)
{
  size_t sz[W_N], total = rnn_work_doubles(r, cap, t_cap);
  if (total == 0) return NULL;
  work_sizes(r, cap, t_cap, sz);
  rnn_work *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->buf = calloc(total, sizeof(double));
  if (!w->buf) { free(w); return NULL; }
  w->cap = cap;
  w->t_cap = t_cap;
  w->len = total;
  double *p = w->buf, *v[W_N];
  for (int k = 0; k < W_N; k++) { v[k] = sz[k] ? p : NULL; p += sz[k]; }
  w->xt = v[W_XT]; w->pre = v[W_PRE]; w->gate = v[W_GATE]; w->dgate = v[W_DGATE];
  w->hs = v[W_HS]; w->cs = v[W_CS]; w->phic = v[W_PHIC]; w->dphic = v[W_DPHIC];
  w->ghn = v[W_GHN]; w->gh = v[W_GH]; w->z = v[W_Z]; w->out = v[W_OUT];
  w->dpre = v[W_DPRE]; w->dgh = r->cell == RNN_GRU ? v[W_DGH] : v[W_DPRE];
  w->dh = v[W_DH]; w->dc = v[W_DC]; w->dz = v[W_DZ]; w->dh_norm = v[W_DHN];
  return w;
}

void rnn_work_free(rnn_work *w)
{
  if (!w) return;
  free(w->buf);
  free(w);
}

/* ---- forward ------------------------------------------------------------*/

static const act_fn sigmoid_fn = { ACT_SIGMOID, 0.0 };

/* One step of each cell: a = pre_t holds x_t W_xh + b; hp = h_{t-1};
 * writes h = h_t and what the backward pass reads at step s (1-based). */
static void elman_step(const rnn *r, rnn_work *w, size_t B, size_t s)
{
  size_t H = r->hidden;
  double *a = w->pre + (s - 1) * B * H, *h = w->hs + s * B * H;
  blas_gemm(0, 0, B, H, H, 1.0, w->hs + (s - 1) * B * H, rnn_W_hh(r), 1.0, a);
  act_forward(&r->act, h, w->dgate + (s - 1) * B * H, a, B * H);
}

static void lstm_step(const rnn *r, rnn_work *w, size_t B, size_t s)
{
  size_t H = r->hidden, GH = 4 * H, off = (s - 1) * B * GH;
  double *a = w->pre + off, *g = w->gate + off, *dg = w->dgate + off;
  const double *cp = w->cs + (s - 1) * B * H;
  double *c = w->cs + s * B * H, *h = w->hs + s * B * H;
  double *pc = w->phic + (s - 1) * B * H;
  blas_gemm(0, 0, B, GH, H, 1.0, w->hs + (s - 1) * B * H, rnn_W_hh(r), 1.0, a);
  for (size_t i = 0; i < B; i++) {
    act_forward(&sigmoid_fn, g + i * GH, dg + i * GH, a + i * GH, 3 * H);
    act_forward(&r->act, g + i * GH + 3 * H, dg + i * GH + 3 * H, a + i * GH + 3 * H, H);
    const double *gi = g + i * GH, *cpi = cp + i * H;
    double *ci = c + i * H;
    SB_SIMD
    for (size_t j = 0; j < H; j++) ci[j] = gi[H + j] * cpi[j] + gi[j] * gi[3 * H + j];
  }
  act_forward(&r->act, pc, w->dphic + (s - 1) * B * H, c, B * H);
  for (size_t i = 0; i < B; i++) {
    const double *o = g + i * GH + 2 * H, *pci = pc + i * H;
    double *hi = h + i * H;
    SB_SIMD
    for (size_t j = 0; j < H; j++) hi[j] = o[j] * pci[j];
  }
}

static void gru_step(const rnn *r, rnn_work *w, size_t B, size_t s)
{
  size_t H = r->hidden, GH = 3 * H, off = (s - 1) * B * GH;
  double *a = w->pre + off, *g = w->gate + off, *dg = w->dgate + off;
  double *gn = w->ghn + (s - 1) * B * H, *h = w->hs + s * B * H;
  const double *hp = w->hs + (s - 1) * B * H, *bhn = r->params + r->b_hn;
  blas_gemm(0, 0, B, GH, H, 1.0, hp, rnn_W_hh(r), 0.0, w->gh);
  for (size_t i = 0; i < B; i++) {
    double *ai = a + i * GH, *gi = g + i * GH, *dgi = dg + i * GH, *gni = gn + i * H;
    const double *ghi = w->gh + i * GH, *hpi = hp + i * H;
    double *hi = h + i * H;
    SB_SIMD
    for (size_t j = 0; j < 2 * H; j++) ai[j] += ghi[j];
    act_forward(&sigmoid_fn, gi, dgi, ai, 2 * H);
    SB_SIMD
    for (size_t j = 0; j < H; j++) {
      gni[j] = ghi[2 * H + j] + bhn[j];
      ai[2 * H + j] += gi[j] * gni[j];
    }
    act_forward(&r->act, gi + 2 * H, dgi + 2 * H, ai + 2 * H, H);
    SB_SIMD
    for (size_t j = 0; j < H; j++) {
      double z = gi[H + j];
      hi[j] = (1.0 - z) * gi[2 * H + j] + z * hpi[j];
    }
  }
}

/* The target of output j of example i: label's one-hot code or t. */
static inline double target(const rnn *r, const int *y, const double *t, size_t i, size_t j)
{
  return r->loss == LOSS_MSE && t ? t[i * r->n_out + j] : (j == (size_t)y[i] ? 1.0 : 0.0);
}

/* Rows whose sequence starts after step s (1-based: s <= start[i]) are
 * padding there: their state stays h = 0 (c = 0). */
static void hold_padding(const rnn *r, rnn_work *w, const size_t *start, size_t B, size_t s)
{
  size_t H = r->hidden;
  for (size_t i = 0; i < B; i++)
    if (s <= start[i]) {
      memset(w->hs + (s * B + i) * H, 0, H * sizeof(double));
      if (w->cs) memset(w->cs + (s * B + i) * H, 0, H * sizeof(double));
    }
}

double rnn_forward(const rnn *r, rnn_work *w, const double *X, const size_t *start, const int *y,
                   const double *t, size_t B, size_t T)
{
  size_t H = r->hidden, GH = r->n_gates * H, ni = r->n_in, no = r->n_out;
  /* Time-major input, then a_t = x_t W_xh + b for every step at once. */
  for (size_t i = 0; i < B; i++)
    for (size_t s = 0; s < T; s++)
      memcpy(w->xt + (s * B + i) * ni, X + (i * T + s) * ni, ni * sizeof(double));
  for (size_t row = 0; row < T * B; row++) memcpy(w->pre + row * GH, rnn_b(r), GH * sizeof(double));
  blas_gemm(0, 0, T * B, GH, ni, 1.0, w->xt, rnn_W_xh(r), 1.0, w->pre);
  memset(w->hs, 0, B * H * sizeof(double));
  if (w->cs) memset(w->cs, 0, B * H * sizeof(double));
  for (size_t s = 1; s <= T; s++) {
    switch (r->cell) {
    case RNN_ELMAN: elman_step(r, w, B, s); break;
    case RNN_LSTM:  lstm_step(r, w, B, s); break;
    case RNN_GRU:   gru_step(r, w, B, s); break;
    case RNN_CELL_COUNT: break;
    }
    if (start) hold_padding(r, w, start, B, s);
  }
  /* The readout on h_T. */
  for (size_t i = 0; i < B; i++) memcpy(w->z + i * no, rnn_b_out(r), no * sizeof(double));
  blas_gemm(0, 0, B, no, H, 1.0, w->hs + T * B * H, rnn_W_out(r), 1.0, w->z);
  if (r->loss == LOSS_XENT)
    return net_softmax_xent(w->out, w->z, y, B, no) / (double)B;
  memcpy(w->out, w->z, B * no * sizeof(double));
  if (!y && !t) return 0.0;
  double loss = 0.0;
  for (size_t i = 0; i < B; i++)
    for (size_t j = 0; j < no; j++) {
      double d = w->z[i * no + j] - target(r, y, t, i, j);
      loss += 0.5 * d * d;
    }
  return loss / (double)B;
}

/* ---- backward -----------------------------------------------------------*/

/* dL/da_s (dpre) from dh = dL/dh_s, and dL/dh_{s-1} into dhp. */
static void elman_back(const rnn *r, rnn_work *w, size_t B, size_t s, const double *dh, double *dhp)
{
  size_t H = r->hidden, off = (s - 1) * B * H;
  double *dp = w->dpre + off;
  const double *dg = w->dgate + off;
  SB_SIMD
  for (size_t k = 0; k < B * H; k++) dp[k] = dh[k] * dg[k];
  blas_gemm(0, 1, B, H, H, 1.0, dp, rnn_W_hh(r), 0.0, dhp);
}

/* w->dc holds dL/dc_s through c_{s+1} (0 at s = T) and leaves with
 * dL/dc_{s-1}. */
static void lstm_back(const rnn *r, rnn_work *w, size_t B, size_t s, const double *dh, double *dhp)
{
  size_t H = r->hidden, GH = 4 * H, off = (s - 1) * B * GH;
  double *dp = w->dpre + off;
  const double *g = w->gate + off, *dg = w->dgate + off;
  const double *cp = w->cs + (s - 1) * B * H;
  const double *pc = w->phic + (s - 1) * B * H, *dpc = w->dphic + (s - 1) * B * H;
  for (size_t i = 0; i < B; i++) {
    const double *gi = g + i * GH, *dgi = dg + i * GH, *dhi = dh + i * H;
    const double *cpi = cp + i * H, *pci = pc + i * H, *dpci = dpc + i * H;
    double *dpi = dp + i * GH, *dci = w->dc + i * H;
    SB_SIMD
    for (size_t j = 0; j < H; j++) {
      double ig = gi[j], f = gi[H + j], o = gi[2 * H + j], gg = gi[3 * H + j];
      double dc = dci[j] + dhi[j] * o * dpci[j];
      dpi[j] = dc * gg * dgi[j];                  /* i */
      dpi[H + j] = dc * cpi[j] * dgi[H + j];      /* f */
      dpi[2 * H + j] = dhi[j] * pci[j] * dgi[2 * H + j];  /* o */
      dpi[3 * H + j] = dc * ig * dgi[3 * H + j];  /* g */
      dci[j] = dc * f;
    }
  }
  blas_gemm(0, 1, B, H, GH, 1.0, dp, rnn_W_hh(r), 0.0, dhp);
}

/* dpre: the input side's gradient (r, z, n pre-activations); dgh: the
 * hidden side's, which differs in n: r dL/dn_pre. */
static void gru_back(const rnn *r, rnn_work *w, size_t B, size_t s, const double *dh, double *dhp)
{
  size_t H = r->hidden, GH = 3 * H, off = (s - 1) * B * GH;
  double *dp = w->dpre + off, *dq = w->dgh + off;
  const double *g = w->gate + off, *dg = w->dgate + off;
  const double *hp = w->hs + (s - 1) * B * H, *gn = w->ghn + (s - 1) * B * H;
  for (size_t i = 0; i < B; i++) {
    const double *gi = g + i * GH, *dgi = dg + i * GH, *dhi = dh + i * H;
    const double *hpi = hp + i * H, *gni = gn + i * H;
    double *dpi = dp + i * GH, *dqi = dq + i * GH, *dhpi = dhp + i * H;
    SB_SIMD
    for (size_t j = 0; j < H; j++) {
      double rr = gi[j], z = gi[H + j], n = gi[2 * H + j];
      double dn = dhi[j] * (1.0 - z) * dgi[2 * H + j];
      double dz = dhi[j] * (hpi[j] - n) * dgi[H + j];
      double dr = dn * gni[j] * dgi[j];
      dpi[j] = dqi[j] = dr;
      dpi[H + j] = dqi[H + j] = dz;
      dpi[2 * H + j] = dn;
      dqi[2 * H + j] = dn * rr;
      dhpi[j] = dhi[j] * z;
    }
  }
  blas_gemm(0, 1, B, H, GH, 1.0, dq, rnn_W_hh(r), 1.0, dhp);
}

/* Column sums of x (rows, cols) into s. */
static void col_sums(double *s, const double *x, size_t rows, size_t cols, size_t ld)
{
  memset(s, 0, cols * sizeof(double));
  for (size_t i = 0; i < rows; i++) {
    const double *xi = x + i * ld;
    SB_SIMD
    for (size_t j = 0; j < cols; j++) s[j] += xi[j];
  }
}

/* A padding row at step s (s <= start[i]) has no gradient: its state is
 * the constant 0, so nothing flows into the step's pre-activations, into
 * h_{s-1} or (LSTM) c_{s-1}. */
static void cut_padding(const rnn *r, rnn_work *w, const size_t *start, size_t B, size_t s)
{
  size_t H = r->hidden, GH = r->n_gates * H, off = (s - 1) * B * GH;
  for (size_t i = 0; i < B; i++)
    if (s <= start[i]) {
      memset(w->dpre + off + i * GH, 0, GH * sizeof(double));
      if (w->dgh != w->dpre) memset(w->dgh + off + i * GH, 0, GH * sizeof(double));
      memset(w->dh + ((s - 1) * B + i) * H, 0, H * sizeof(double));
      if (w->dc) memset(w->dc + i * H, 0, H * sizeof(double));
    }
}

void rnn_backward(rnn *r, rnn_work *w, const size_t *start, const int *y, const double *t, size_t B,
                  size_t T)
{
  size_t H = r->hidden, GH = r->n_gates * H, ni = r->n_in, no = r->n_out;
  double inv_b = 1.0 / (double)B, *gr = r->grads;
  /* dL/dz = (p - onehot)/B (xent) or (z - target)/B (mse); out holds p or z. */
  for (size_t i = 0; i < B; i++)
    for (size_t j = 0; j < no; j++)
      w->dz[i * no + j] = (w->out[i * no + j] - target(r, y, t, i, j)) * inv_b;
  const double *hT = w->hs + T * B * H;
  blas_gemm(1, 0, H, no, B, 1.0, hT, w->dz, 0.0, gr + r->w_out);
  col_sums(gr + r->b_out, w->dz, B, no, no);
  blas_gemm(0, 1, B, H, no, 1.0, w->dz, rnn_W_out(r), 0.0, w->dh + T * B * H);
  if (w->dc) memset(w->dc, 0, B * H * sizeof(double));
  for (size_t s = T; s >= 1; s--) {
    const double *dh = w->dh + s * B * H;
    double *dhp = w->dh + (s - 1) * B * H;
    switch (r->cell) {
    case RNN_ELMAN: elman_back(r, w, B, s, dh, dhp); break;
    case RNN_LSTM:  lstm_back(r, w, B, s, dh, dhp); break;
    case RNN_GRU:   gru_back(r, w, B, s, dh, dhp); break;
    case RNN_CELL_COUNT: break;
    }
    if (start) cut_padding(r, w, start, B, s);
  }
  for (size_t s = 0; s <= T; s++) w->dh_norm[s] = blas_nrm2(w->dh + s * B * H, B * H);
  /* The weights' gradients, summed over the steps inside the GEMMs. */
  blas_gemm(1, 0, ni, GH, T * B, 1.0, w->xt, w->dpre, 0.0, gr + r->w_xh);
  blas_gemm(1, 0, H, GH, T * B, 1.0, w->hs, w->dgh, 0.0, gr + r->w_hh);
  col_sums(gr + r->b, w->dpre, T * B, GH, GH);
  if (r->b_hn < r->w_out)   /* GRU: b_hn's is the n block of dgh */
    col_sums(gr + r->b_hn, w->dgh + 2 * H, T * B, H, GH);
}

size_t rnn_correct(const rnn *r, const rnn_work *w, const int *y, size_t B)
{
  size_t k = r->n_out, c = 0;
  for (size_t i = 0; i < B; i++) {
    const double *o = w->out + i * k;
    size_t best = 0;
    for (size_t j = 1; j < k; j++) if (o[j] > o[best]) best = j;
    c += best == (size_t)y[i];
  }
  return c;
}

double rnn_clip(double *g, size_t n, double max_norm)
{
  double nrm = blas_nrm2(g, n);
  if (isfinite(nrm) && nrm > max_norm) {
    double s = max_norm / nrm;
    SB_SIMD
    for (size_t i = 0; i < n; i++) g[i] *= s;
  }
  return nrm;
}
