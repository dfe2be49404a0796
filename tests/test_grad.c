/* test_grad.c - the backward pass against independent answers.
 *
 * For every activation and both losses, on a small net with varied weights
 * and biases, the analytic gradient of each parameter group (W^l and b^l,
 * l = 1..depth+1) is compared with central finite differences of the loss,
 * and the back-propagated error delta^l of every layer with finite
 * differences of single-example losses.  The GEMM-based backward pass is
 * also replayed with naive loops.  The gradient of each hidden layer's
 * output, ||dL/da^l|| (the residual stream with skip connections; the
 * probe's stream_grad_norm), is compared with finite differences of an
 * independent forward pass in plain loops that shifts a^l, and asking
 * net_backward for it changes no other bit.  Then: probes are read-only, and
 * opt_step gives bit-identical parameters whether or not it is asked for
 * update ratios, matching a plain re-implementation of each optimizer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "act.h"
#include "init.h"
#include "net.h"
#include "probe.h"
#include "tap.h"

enum { N_IN = 5, WIDTH = 7, DEPTH = 3, N_OUT = 4, BATCH = 6, L = DEPTH + 1 };

/* Finite differences use the fourth-order stencil
 *   g ~ [8 (L(t+h) - L(t-h)) - (L(t+2h) - L(t-2h))] / (12 h)
 * whose truncation error is O(h^4 L^(5)) ~ 1e-16 at h = 1e-4, so the
 * comparison is limited by rounding, ~eps |L| / h ~ 1e-12 per component:
 * six orders below the 1e-6 tolerance even for the small first-layer
 * gradients of sigmoid nets. */
#define FD_H 1e-4
#define GRAD_TOL 1e-6
/* Every hidden pre-activation is kept this far from a kink of phi (relu,
 * leaky_relu, selu, elu at 0; hardtanh at +-1), about ten times what a
 * stencil perturbation moves it; crossings are also checked exactly. */
#define KINK_MARGIN 5e-3

static void die(const char *what)
{
  tap_ok(0, "%s", what);
  exit(tap_done());
}

static double norm2(const double *x, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += x[i] * x[i];
  return sqrt(s);
}

static double diff_norm2(const double *x, const double *y, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
  return sqrt(s);
}

/* ||a - b|| / max(||a||, ||b||); 0 when both are zero. */
static double rel_err(const double *a, const double *b, size_t n)
{
  double na = norm2(a, n), nb = norm2(b, n), m = na > nb ? na : nb;
  return m > 0.0 ? diff_norm2(a, b, n) / m : 0.0;
}

/* Points where phi' jumps.  elu with alpha = 1 is C^1, but its second
 * derivative jumps at 0 and that is enough to spoil a 4th-order stencil. */
static size_t kinks(act_kind k, double *at)
{
  const act_info *ai = act_info_of(k);
  for (size_t i = 0; i < ai->n_kinks; i++) at[i] = ai->kinks[i];
  return ai->n_kinks;
}

/* Index of the smooth piece of phi that x lies on. */
static int piece(const double *at, size_t nk, double x)
{
  int r = 0;
  for (size_t i = 0; i < nk; i++) r += x > at[i];
  return r;
}

/* Pieces of every hidden pre-activation of rows [0, rows) of the last
 * forward pass, written to (or compared with) reg, whose rows start at
 * reg_row.  Returns the number of mismatches when comparing. */
static size_t pieces(const net *n, const net_work *w, size_t rows, const double *at, size_t nk,
                     int *reg, size_t reg_row, int compare)
{
  size_t bad = 0, off = 0;
  for (size_t l = 1; l <= DEPTH; l++) {
    size_t fo = n->fan_out[l - 1];
    for (size_t i = 0; i < rows * fo; i++) {
      int p = piece(at, nk, w->h[l - 1][i]);
      int *slot = reg + off + reg_row * fo + i;
      if (compare) bad += *slot != p;
      else *slot = p;
    }
    off += BATCH * fo;
  }
  return bad;
}

/* Distance of the closest hidden pre-activation to a kink. */
static double kink_distance(const net *n, const net_work *w, size_t rows, const double *at,
                            size_t nk)
{
  double d = INFINITY;
  for (size_t l = 1; l <= DEPTH; l++)
    for (size_t i = 0; i < rows * n->fan_out[l - 1]; i++)
      for (size_t k = 0; k < nk; k++) {
        double e = fabs(w->h[l - 1][i] - at[k]);
        if (e < d) d = e;
      }
  return d;
}

/* Weights N(0, 0.6^2), biases varied and nonzero, inputs N(0.2, 1.3^2):
 * a forward pass that reaches both branches of every kinked phi and the
 * curved parts of the smooth ones. */
static void draw(net *n, gsl_rng *r, double *X, int *y)
{
  init_spec spec;
  sb_error err;
  if (init_parse("normal:0.6", &spec, &err) != SB_OK) die(err.msg);
  if (net_init_params(n, &spec, r, &err) != SB_OK) die(err.msg);
  for (size_t l = 1; l <= L; l++)
    for (size_t j = 0; j < n->fan_out[l - 1]; j++)
      net_b(n, l)[j] = 0.1 * sin(1.7 * (double)(j + 1) + 0.9 * (double)l)
                       + 0.05 * gsl_ran_gaussian(r, 1.0);
  for (size_t i = 0; i < BATCH * N_IN; i++) X[i] = 0.2 + gsl_ran_gaussian(r, 1.3);
  for (size_t i = 0; i < BATCH; i++) y[i] = (int)gsl_rng_uniform_int(r, N_OUT);
}

/* Fourth-order central difference of the loss in parameter p[i]; counts in
 * *crossed the perturbations that moved a pre-activation across a kink
 * (rows [0, rows) of the pass compared with reg starting at reg_row). */
static double fd_param(net *n, net_work *w, const double *X, const int *y, size_t rows,
                       double *p, const double *at, size_t nk, int *reg, size_t reg_row,
                       size_t *crossed)
{
  static const double mult[4] = { 1.0, -1.0, 2.0, -2.0 };
  double old = *p, h = FD_H * (fabs(old) > 1.0 ? fabs(old) : 1.0), f[4];
  for (int s = 0; s < 4; s++) {
    *p = old + mult[s] * h;
    f[s] = net_forward(n, w, X, y, rows);
    if (nk && pieces(n, w, rows, at, nk, reg, reg_row, 1)) (*crossed)++;
  }
  *p = old;
  return (8.0 * (f[0] - f[1]) - (f[2] - f[3])) / (12.0 * h);
}

/* The backward pass replayed with naive loops from the saved forward
 * buffers: db^l = column sums of delta^l, dW^l = a^{l-1}T delta^l and
 * delta^{l-1} = phi'(h^{l-1}) .* (delta^l W^lT).  Returns the largest
 * relative error. */
static double naive_backward(const net *n, const net_work *w, const double *X)
{
  double worst = 0.0;
  for (size_t l = L; l >= 1; l--) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1];
    const double *d = w->delta[l - 1];
    const double *in = l == 1 ? X : w->a[l - 2];
    double dW[WIDTH * WIDTH], db[WIDTH], dp[BATCH * WIDTH];
    for (size_t a = 0; a < fi; a++)
      for (size_t b = 0; b < fo; b++) {
        double s = 0.0;
        for (size_t i = 0; i < BATCH; i++) s += in[i * fi + a] * d[i * fo + b];
        dW[a * fo + b] = s;
      }
    for (size_t b = 0; b < fo; b++) {
      double s = 0.0;
      for (size_t i = 0; i < BATCH; i++) s += d[i * fo + b];
      db[b] = s;
    }
    double e1 = rel_err(dW, net_dW(n, l), fi * fo), e2 = rel_err(db, net_db(n, l), fo);
    if (e1 > worst) worst = e1;
    if (e2 > worst) worst = e2;
    if (l == 1) break;
    const double *W = net_W(n, l), *g = w->dphi[l - 2];
    for (size_t i = 0; i < BATCH; i++)
      for (size_t a = 0; a < fi; a++) {
        double s = 0.0;
        for (size_t b = 0; b < fo; b++) s += d[i * fo + b] * W[a * fo + b];
        dp[i * fi + a] = g[i * fi + a] * s;
      }
    double e3 = rel_err(dp, w->delta[l - 2], BATCH * fi);
    if (e3 > worst) worst = e3;
  }
  return worst;
}

static size_t work_doubles(const net *n, const net_work *w)
{
  size_t total = 0;
  for (size_t l = 0; l < n->n_layers; l++) total += n->fan_out[l];
  if (w->len < 4 * total * w->cap) die("net_work.len is shorter than its h, a, dphi and delta");
  return w->len;
}

/* The forward pass again, in plain loops written from net.h's algebra
 * (not net.c's code), with eps added to a^lp's entry k after a^lp is made
 * (lp = 0: no shift); returns the mean loss.  Batch norm takes the batch's
 * statistics (a probe pass). */
static double ref_forward(const net *n, const double *X, const int *y, size_t batch, size_t lp, size_t k,
                          double eps)
{
  enum { MAXW = N_IN > WIDTH ? N_IN : WIDTH };
  double a[L][BATCH * MAXW], z[BATCH * N_OUT];
  size_t k_res = n->arch.res_stride;
  for (size_t l = 1; l <= L; l++) {
    size_t fi = n->fan_in[l - 1], fo = n->fan_out[l - 1];
    const double *in = l == 1 ? X : a[l - 2];
    double *out = l == L ? z : a[l - 1], u[BATCH * MAXW];
    for (size_t i = 0; i < batch; i++)
      for (size_t j = 0; j < fo; j++) {
        double t = net_b(n, l)[j];
        for (size_t c = 0; c < fi; c++) t += in[i * fi + c] * net_W(n, l)[c * fo + j];
        u[i * fo + j] = t;
      }
    if (l == L) { memcpy(out, u, batch * fo * sizeof *u); break; }
    if (n->arch.norm == NORM_BATCH)
      for (size_t j = 0; j < fo; j++) {
        double mu = 0.0, var = 0.0;
        for (size_t i = 0; i < batch; i++) mu += u[i * fo + j] / (double)batch;
        for (size_t i = 0; i < batch; i++) var += (u[i * fo + j] - mu) * (u[i * fo + j] - mu) / (double)batch;
        for (size_t i = 0; i < batch; i++)
          u[i * fo + j] = net_gamma(n, l)[j] * (u[i * fo + j] - mu) / sqrt(var + NET_NORM_EPS) + net_beta(n, l)[j];
      }
    if (n->arch.norm == NORM_LAYER)
      for (size_t i = 0; i < batch; i++) {
        double mu = 0.0, var = 0.0;
        for (size_t j = 0; j < fo; j++) mu += u[i * fo + j] / (double)fo;
        for (size_t j = 0; j < fo; j++) var += (u[i * fo + j] - mu) * (u[i * fo + j] - mu) / (double)fo;
        for (size_t j = 0; j < fo; j++)
          u[i * fo + j] = net_gamma(n, l)[j] * (u[i * fo + j] - mu) / sqrt(var + NET_NORM_EPS) + net_beta(n, l)[j];
      }
    int end = k_res && l >= 2 && (l - 1) % k_res == 0;   /* a^l = a^{l-k} + s phi(h^l) */
    for (size_t i = 0; i < batch * fo; i++)
      out[i] = (end ? a[l - 1 - k_res][i] + n->arch.res_scale * act_eval(&n->act, u[i]) : act_eval(&n->act, u[i]))
               + (l == lp && i == k ? eps : 0.0);
  }
  double loss = 0.0;
  for (size_t i = 0; i < batch; i++) {
    const double *zi = z + i * N_OUT;
    if (n->loss == LOSS_XENT) {
      double m = zi[0], s = 0.0;
      for (size_t j = 1; j < N_OUT; j++) m = fmax(m, zi[j]);
      for (size_t j = 0; j < N_OUT; j++) s += exp(zi[j] - m);
      loss += m + log(s) - zi[y[i]];
    } else
      for (size_t j = 0; j < N_OUT; j++) {
        double d = zi[j] - (j == (size_t)y[i] ? 1.0 : 0.0);
        loss += 0.5 * d * d;
      }
  }
  return loss / (double)batch;
}

/* ||dL/da^l|| from net_backward with measure_da set, against the fourth-
 * order stencil on ref_forward for every entry of a^l, every hidden
 * layer; the reference's own loss must be the net's.  With skip
 * connections net_backward also keeps the whole dL/da^l (w->da), checked
 * entry by entry.  Returns the worst relative error; *smallest gets the
 * smallest norm (the guard that a gradient is not all zero). */
static double check_stream(const net *n, const net_work *w, const double *X, const int *y, double loss,
                           double *loss_err, double *smallest)
{
  double worst = 0.0;
  *smallest = INFINITY;
  *loss_err = fabs(ref_forward(n, X, y, BATCH, 0, 0, 0.0) - loss) / fabs(loss);
  for (size_t l = 1; l <= DEPTH; l++) {
    size_t m = BATCH * WIDTH;
    double fd[BATCH * WIDTH], h = FD_H;
    for (size_t k = 0; k < m; k++)
      fd[k] = (8.0 * (ref_forward(n, X, y, BATCH, l, k, h) - ref_forward(n, X, y, BATCH, l, k, -h))
               - (ref_forward(n, X, y, BATCH, l, k, 2 * h) - ref_forward(n, X, y, BATCH, l, k, -2 * h)))
              / (12.0 * h);
    double f = norm2(fd, m), e = fabs(w->da_norm[l - 1] - f) / f;
    if (n->arch.res_stride) e = fmax(e, rel_err(w->da[l - 1], fd, m));
    worst = fmax(worst, e);
    *smallest = fmin(*smallest, w->da_norm[l - 1]);
  }
  return worst;
}

static int probe_read_only_ok = 1;

static void check_one(act_kind kind, loss_kind loss, const net_arch *arch, gsl_rng *r)
{
  act_fn act;
  sb_error err;
  if (act_parse(act_name(kind), &act, &err) != SB_OK) die(err.msg);
  char an[96];
  const char *ln = loss_name(loss);
  if (arch)
    snprintf(an, sizeof an, "%s norm=%s residual=%zu scale=%g", act_name(kind), norm_name(arch->norm),
             arch->res_stride, arch->res_scale);
  else
    snprintf(an, sizeof an, "%s", act_name(kind));
  int normed = arch && arch->norm != NORM_NONE, batchnorm = arch && arch->norm == NORM_BATCH;
  net *n = net_alloc_arch(N_IN, WIDTH, DEPTH, N_OUT, act, loss, arch);
  net_work *w = n ? net_work_alloc(n, BATCH) : NULL;
  probe_work *pw = n ? probe_work_alloc(n, BATCH) : NULL;
  if (!w || !pw) die("allocation");
  double X[BATCH * N_IN], at[ACT_MAX_KINKS];
  int y[BATCH], reg[DEPTH * BATCH * WIDTH];
  size_t nk = kinks(kind, at);

  /* Redraw until no hidden pre-activation is near a kink and every piece
   * of phi is visited by at least 5 of the 126 hidden pre-activations. */
  int tries = 0, accepted = 0;
  size_t count[ACT_MAX_KINKS + 1] = { 0 };
  double kd = INFINITY;
  while (!accepted && tries < 500) {
    tries++;
    draw(n, r, X, y);
    if (normed)  /* a learned scale and shift away from 1 and 0 */
      for (size_t l = 1; l <= DEPTH; l++)
        for (size_t j = 0; j < WIDTH; j++) {
          net_gamma(n, l)[j] = 0.8 + 0.5 * gsl_rng_uniform(r);
          net_beta(n, l)[j] = 0.3 * gsl_ran_gaussian(r, 1.0);
        }
    net_forward(n, w, X, y, BATCH);
    if (!nk) { accepted = 1; break; }
    kd = kink_distance(n, w, BATCH, at, nk);
    pieces(n, w, BATCH, at, nk, reg, 0, 0);
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < DEPTH * BATCH * WIDTH; i++) count[reg[i]]++;
    accepted = kd >= KINK_MARGIN;
    for (size_t p = 0; p <= nk; p++) accepted &= count[p] >= 5;
  }
  if (nk > 0) {
    char pieces_seen[128] = "";
    for (size_t p = 0, used = 0; p <= nk && used < sizeof pieces_seen; p++)
      used += (size_t)snprintf(pieces_seen + used, sizeof pieces_seen - used, "%s%zu", p ? "/" : "", count[p]);
    tap_ok(accepted, "%s/%s: data %d draw(s): closest pre-activation %.3g from a kink "
           "(margin %.3g), %s on the %zu smooth pieces", an, ln, tries, kd, KINK_MARGIN,
           pieces_seen, nk + 1);
  }

  double loss0 = net_forward(n, w, X, y, BATCH);
  net_backward(n, w, X, y, BATCH);
  double *ga = malloc(n->n_params * sizeof *ga), *gf = malloc(n->n_params * sizeof *gf);
  double *delta = malloc(BATCH * WIDTH * L * sizeof *delta);
  size_t nwork = work_doubles(n, w) - DEPTH;  /* all but da_norm, the last DEPTH doubles */
  double *wplain = malloc(nwork * sizeof *wplain);
  if (!ga || !gf || !delta || !wplain || w->da_norm != w->buf + nwork) die("allocation");
  memcpy(ga, n->grads, n->n_params * sizeof *ga);
  memcpy(wplain, w->buf, nwork * sizeof *wplain);
  /* The probe's request: the same pass again, now measuring dL/da^l. */
  w->measure_da = 1;
  net_backward(n, w, X, y, BATCH);
  tap_ok(!memcmp(ga, n->grads, n->n_params * sizeof *ga) && !memcmp(wplain, w->buf, nwork * sizeof *wplain),
         "%s/%s: net_backward measuring dL/da^l leaves every gradient and work buffer bit-identical",
         an, ln);
  {
    double lerr, smallest, e = check_stream(n, w, X, y, loss0, &lerr, &smallest);
    tap_ok(lerr <= 1e-13 && smallest > 1e-8 && e <= GRAD_TOL,
           "%s/%s ||dL/da^l||%s vs finite differences of a plain-loop forward shifting a^l: worst rel err "
           "%.3g (tol %.0g), smallest norm %.4g (> 1e-8), the reference's loss within %.3g (tol 1e-13)",
           an, ln, arch && arch->res_stride ? " and dL/da^l" : "", e, GRAD_TOL, smallest, lerr);
  }
  free(wplain);
  double naive = arch ? 0.0 : naive_backward(n, w, X);
  size_t doff[L + 1];
  doff[0] = 0;
  for (size_t l = 1; l <= L; l++) {
    size_t m = BATCH * n->fan_out[l - 1];
    memcpy(delta + doff[l - 1], w->delta[l - 1], m * sizeof *delta);
    doff[l] = doff[l - 1] + m;
  }

  /* Probes read the net and its buffers, never write them. */
  {
    size_t nb = work_doubles(n, w);
    double *pb = malloc(n->n_params * sizeof *pb), *wb = malloc(nb * sizeof *wb);
    probe_row rows[L];
    if (!pb || !wb) die("allocation");
    memcpy(pb, n->params, n->n_params * sizeof *pb);
    memcpy(wb, w->buf, nb * sizeof *wb);
    probe_measure(n, w, BATCH, 0.05, NULL, pw, rows);
    if (memcmp(pb, n->params, n->n_params * sizeof *pb) != 0
        || memcmp(ga, n->grads, n->n_params * sizeof *ga) != 0
        || memcmp(wb, w->buf, nb * sizeof *wb) != 0)
      probe_read_only_ok = 0;
    free(pb);
    free(wb);
  }

  /* Finite differences of the batch loss in every parameter. */
  size_t crossed = 0;
  for (size_t i = 0; i < n->n_params; i++)
    gf[i] = fd_param(n, w, X, y, BATCH, n->params + i, at, nk, reg, 0, &crossed);

  tap_diag("%s/%s: loss %.6f", an, ln, loss0);
  for (size_t l = 1; l <= L; l++) {
    size_t wo = n->w_off[l - 1], bo = n->b_off[l - 1];
    size_t nw = bo - wo, nb = n->fan_out[l - 1];
    double e = rel_err(ga + wo, gf + wo, nw), g = norm2(ga + wo, nw);
    tap_ok(g > 1e-8 && e <= GRAD_TOL,
           "%s/%s dL/dW^%zu: rel err %.3g (tol %.0g), ||analytic|| %.6g ||fd|| %.6g (> 1e-8)",
           an, ln, l, e, GRAD_TOL, g, norm2(gf + wo, nw));
    e = rel_err(ga + bo, gf + bo, nb);
    g = norm2(ga + bo, nb);
    if (batchnorm && l < L)  /* batch norm subtracts the batch mean: b^l has no effect */
      tap_ok(g <= 1e-12 && norm2(gf + bo, nb) <= 1e-9,
             "%s/%s dL/db^%zu = 0 (the batch mean removes it): ||analytic|| %.3g (<= 1e-12) ||fd|| %.3g (<= 1e-9)",
             an, ln, l, g, norm2(gf + bo, nb));
    else
      tap_ok(g > 1e-8 && e <= GRAD_TOL,
             "%s/%s dL/db^%zu: rel err %.3g (tol %.0g), ||analytic|| %.6g ||fd|| %.6g (> 1e-8)",
             an, ln, l, e, GRAD_TOL, g, norm2(gf + bo, nb));
    if (normed && l < L)
      for (int half = 0; half < 2; half++) {
        size_t go = n->g_off[l - 1] + (size_t)half * WIDTH;
        e = rel_err(ga + go, gf + go, WIDTH);
        g = norm2(ga + go, WIDTH);
        tap_ok(g > 1e-8 && e <= GRAD_TOL,
               "%s/%s dL/d%s^%zu: rel err %.3g (tol %.0g), ||analytic|| %.6g ||fd|| %.6g (> 1e-8)",
               an, ln, half ? "beta" : "gamma", l, e, GRAD_TOL, g, norm2(gf + go, WIDTH));
      }
  }

  /* delta^l[i][j] = dL/dh^l_ij for the mean loss = (1/B) dL_i/db^l_j, where
   * L_i is the loss of example i alone (a batch of one); with a norm, h^l
   * moves with beta^l, not b^l.  Batch norm couples the examples, so
   * there its deltas are checked through the gradients above only. */
  double *dfd = malloc(doff[L] * sizeof *dfd);
  if (!dfd) die("allocation");
  for (size_t i = 0; i < BATCH && !batchnorm; i++)
    for (size_t l = 1; l <= L; l++) {
      size_t fo = n->fan_out[l - 1];
      double *shift = normed && l < L ? net_beta(n, l) : net_b(n, l);
      for (size_t j = 0; j < fo; j++)
        dfd[doff[l - 1] + i * fo + j] =
          fd_param(n, w, X + i * N_IN, y + i, 1, shift + j, at, nk, reg, i, &crossed)
          / (double)BATCH;
    }
  double worst = 0.0, dmin = INFINITY;
  size_t worst_l = 0;
  for (size_t l = 1; l <= L && !batchnorm; l++) {   /* dfd is not computed under batch norm */
    size_t m = doff[l] - doff[l - 1];
    double e = rel_err(delta + doff[l - 1], dfd + doff[l - 1], m);
    double g = norm2(delta + doff[l - 1], m);
    if (e > worst) { worst = e; worst_l = l; }
    if (g < dmin) dmin = g;
  }
  if (!batchnorm)
    tap_ok(dmin > 1e-8 && worst <= GRAD_TOL,
           "%s/%s delta^l vs single-example finite differences: worst rel err %.3g at layer %zu "
           "(tol %.0g), smallest ||delta^l|| %.4g (> 1e-8)", an, ln, worst, worst_l, GRAD_TOL, dmin);
  if (!arch) tap_ok(naive <= 1e-13, "%s/%s GEMM backward vs naive loops (dW, db, delta): worst rel err "
         "%.3g (tol 1e-13)", an, ln, naive);
  if (nk)
    tap_ok(crossed == 0, "%s/%s: finite-difference perturbations crossing a kink: %zu "
           "(expected 0)", an, ln, crossed);

  free(dfd);
  free(delta);
  free(gf);
  free(ga);
  probe_work_free(pw);
  net_work_free(w);
  net_free(n);
}

/* Batch norm's running averages: a training pass from fresh averages
 * moves them a tenth of the way to the batch's mean and unbiased
 * variance, a probe pass leaves them, and evaluating with averages equal
 * to the batch's statistics (biased variance) gives the probe's output. */
static void check_running_stats(gsl_rng *r)
{
  act_fn act;
  sb_error err;
  if (act_parse("tanh", &act, &err) != SB_OK) die(err.msg);
  net_arch arch = { NORM_BATCH, 0, 1.0 };
  net *n = net_alloc_arch(N_IN, WIDTH, DEPTH, N_OUT, act, LOSS_XENT, &arch);
  net_work *w = n ? net_work_alloc(n, BATCH) : NULL;
  if (!w) die("allocation");
  double X[BATCH * N_IN];
  int y[BATCH];
  draw(n, r, X, y);
  double probe_loss = net_forward(n, w, X, y, BATCH);
  int untouched = 1;
  for (size_t i = 0; i < DEPTH * WIDTH; i++) untouched &= n->run_mean[i] == 0.0 && n->run_var[i] == 1.0;
  tap_ok(untouched, "batchnorm: a probe pass leaves the running averages at mean 0, variance 1");
  /* The batch statistics of layer 1 from its u = X W + b. */
  double mu[WIDTH], var[WIDTH];
  for (size_t j = 0; j < WIDTH; j++) {
    double u[BATCH];
    mu[j] = 0.0;
    for (size_t i = 0; i < BATCH; i++) {
      u[i] = net_b(n, 1)[j];
      for (size_t a = 0; a < N_IN; a++) u[i] += X[i * N_IN + a] * net_W(n, 1)[a * WIDTH + j];
      mu[j] += u[i] / BATCH;
    }
    var[j] = 0.0;
    for (size_t i = 0; i < BATCH; i++) var[j] += (u[i] - mu[j]) * (u[i] - mu[j]) / BATCH;
  }
  double train_loss = net_forward_mode(n, w, X, y, BATCH, NET_TRAIN), worst = 0.0;
  for (size_t j = 0; j < WIDTH; j++) {
    double em = 0.1 * mu[j], ev = 0.9 + 0.1 * var[j] * BATCH / (BATCH - 1.0);
    worst = fmax(worst, fmax(fabs(n->run_mean[j] - em), fabs(n->run_var[j] - ev)));
  }
  tap_ok(worst <= 1e-14 && train_loss == probe_loss,
         "batchnorm: a training pass moves layer 1's running mean and variance to 0.1 x the batch's "
         "(unbiased variance): worst abs err %.3g (tol 1e-14), same loss as the probe pass", worst);
  /* Averages equal to every layer's batch statistics: evaluation = probe. */
  double zp[BATCH * N_OUT];
  memcpy(zp, w->h[L - 1], sizeof zp);
  for (size_t l = 1; l <= DEPTH; l++) {
    net_forward(n, w, X, y, BATCH);
    for (size_t j = 0; j < WIDTH; j++) {
      double m = 0.0, v = 0.0;
      /* u = uhat / inv_std + mean is gone; recompute it from the layer below */
      const double *in = l == 1 ? X : w->a[l - 2];
      size_t fi = n->fan_in[l - 1];
      double u[BATCH];
      for (size_t i = 0; i < BATCH; i++) {
        u[i] = net_b(n, l)[j];
        for (size_t a = 0; a < fi; a++) u[i] += in[i * fi + a] * net_W(n, l)[a * WIDTH + j];
        m += u[i] / BATCH;
      }
      for (size_t i = 0; i < BATCH; i++) v += (u[i] - m) * (u[i] - m) / BATCH;
      n->run_mean[(l - 1) * WIDTH + j] = m;
      n->run_var[(l - 1) * WIDTH + j] = v;
    }
  }
  double eval_loss = net_forward_mode(n, w, X, y, BATCH, NET_EVAL);
  double e = rel_err(zp, w->h[L - 1], BATCH * N_OUT);
  tap_ok(e <= 1e-12 && fabs(eval_loss - probe_loss) <= 1e-12,
         "batchnorm: evaluation with running averages equal to the batch statistics gives the probe's "
         "logits: rel err %.3g (tol 1e-12), loss %.15g vs %.15g", e, eval_loss, probe_loss);
  net_work_free(w);
  net_free(n);
}

/* Plain re-implementation of one update of parameter value p with
 * gradient g and state m, v (t = updates including this one). */
static double ref_update(opt_kind k, const opt_state *o, double p, double g, double *m, double *v,
                         long t)
{
  switch (k) {
  case OPT_MOMENTUM:
    *m = o->momentum * *m + g;
    return p - o->lr * *m;
  case OPT_ADAM: {
    *m = o->beta1 * *m + (1.0 - o->beta1) * g;
    *v = o->beta2 * *v + (1.0 - o->beta2) * g * g;
    double mh = *m / (1.0 - pow(o->beta1, (double)t));
    double vh = *v / (1.0 - pow(o->beta2, (double)t));
    return p - o->lr * mh / (sqrt(vh) + o->eps);
  }
  default:
    return p - o->lr * g;
  }
}

static void check_opt(opt_kind k, gsl_rng *r)
{
  act_fn act;
  sb_error err;
  init_spec spec;
  if (act_parse("tanh", &act, &err) != SB_OK || init_parse("normal:0.6", &spec, &err) != SB_OK)
    die(err.msg);
  net *a = net_alloc(N_IN, WIDTH, DEPTH, N_OUT, act, LOSS_XENT);
  net *b = net_alloc(N_IN, WIDTH, DEPTH, N_OUT, act, LOSS_XENT);
  opt_state *oa = a ? opt_alloc(k, 0.0237, a->n_params) : NULL;
  opt_state *ob = b ? opt_alloc(k, 0.0237, b->n_params) : NULL;
  if (!oa || !ob) die("allocation");
  size_t np = a->n_params;
  double *before = malloc(np * sizeof *before), *ref = malloc(np * sizeof *ref);
  double *rm = calloc(np, sizeof *rm), *rv = calloc(np, sizeof *rv);
  if (!before || !ref || !rm || !rv) die("allocation");
  if (net_init_params(a, &spec, r, &err) != SB_OK) die(err.msg);
  for (size_t i = 0; i < np; i++) if (i % 3 == 0) a->params[i] += 0.1 * sin(2.385 * (double)i);
  memcpy(b->params, a->params, np * sizeof *before);
  memcpy(ref, a->params, np * sizeof *ref);

  int same = 1;
  double worst_ratio = 0.0, worst_ref = 0.0, gmin = INFINITY;
  for (long t = 1; t <= 4; t++) {
    /* gradients spanning five decades, some exactly zero */
    for (size_t i = 0; i < np; i++) {
      double g = gsl_ran_gaussian(r, 1.0) * pow(10.0, -4.0 * gsl_rng_uniform(r));
      a->grads[i] = b->grads[i] = i % 17 == 5 ? 0.0 : g;
    }
    gmin = fmin(gmin, norm2(a->grads, np));
    memcpy(before, a->params, np * sizeof *before);
    double ratio[L];
    opt_step(oa, a, ratio);
    opt_step(ob, b, NULL);
    same &= memcmp(a->params, b->params, np * sizeof *before) == 0;
    if (oa->m) same &= memcmp(oa->m, ob->m, np * sizeof(double)) == 0;
    if (oa->v) same &= memcmp(oa->v, ob->v, np * sizeof(double)) == 0;
    for (size_t l = 1; l <= L; l++) {
      size_t wo = a->w_off[l - 1], nw = a->b_off[l - 1] - wo;
      double direct = diff_norm2(a->params + wo, before + wo, nw) / norm2(before + wo, nw);
      double e = fabs(ratio[l - 1] - direct) / direct;
      if (!(e <= worst_ratio)) worst_ratio = e;
    }
    for (size_t i = 0; i < np; i++) {
      ref[i] = ref_update(k, oa, ref[i], a->grads[i], rm + i, rv + i, t);
      double e = fabs(ref[i] - a->params[i]) / fmax(fabs(ref[i]), 1e-300);
      if (!(e <= worst_ref)) worst_ref = e;
    }
  }
  tap_ok(same && gmin > 0.0, "opt_step %s: 4 updates with and without ratios give bit-identical "
         "parameters and state", opt_name(k));
  tap_ok(worst_ratio <= 1e-9, "opt_step %s: ratio vs ||W_after - W_before|| / ||W_before||: worst "
         "rel err %.3g (tol 1e-9)", opt_name(k), worst_ratio);
  tap_ok(worst_ref <= 1e-13, "opt_step %s: parameters vs a plain re-implementation after 4 "
         "updates: worst rel err %.3g (tol 1e-13)", opt_name(k), worst_ref);
  free(rv);
  free(rm);
  free(ref);
  free(before);
  opt_free(ob);
  opt_free(oa);
  net_free(b);
  net_free(a);
}

int main(void)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) die("gsl_rng_alloc");
  gsl_rng_set(r, 2385UL);
  for (int k = 0; k < ACT_COUNT; k++)
    for (int loss = 0; loss < LOSS_COUNT; loss++)
      check_one((act_kind)k, (loss_kind)loss, NULL, r);
  /* The remedies: each norm with and without skip connections (every
   * layer, scaled, and every other layer), on smooth and kinked units. */
  static const act_kind arch_acts[] = { ACT_TANH, ACT_SIGMOID, ACT_RELU };
  static const net_arch archs[] = {
    { NORM_BATCH, 0, 1.0 }, { NORM_LAYER, 0, 1.0 }, { NORM_NONE, 1, 1.0 }, { NORM_NONE, 1, 0.5 },
    { NORM_NONE, 2, 1.0 }, { NORM_BATCH, 1, 1.0 }, { NORM_LAYER, 2, 0.7 },
  };
  for (size_t a = 0; a < sizeof arch_acts / sizeof arch_acts[0]; a++)
    for (size_t k = 0; k < sizeof archs / sizeof archs[0]; k++)
      for (int loss = 0; loss < LOSS_COUNT; loss++) check_one(arch_acts[a], (loss_kind)loss, &archs[k], r);
  tap_ok(probe_read_only_ok, "probe_measure leaves params, grads and work buffers bit-identical "
         "(%d nets)", ACT_COUNT * LOSS_COUNT);
  check_running_stats(r);
  for (int k = 0; k < OPT_COUNT; k++) check_opt((opt_kind)k, r);
  gsl_rng_free(r);
  return tap_done();
}
