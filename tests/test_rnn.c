/* test_rnn.c - the recurrent cells (rnn.c) against independent answers.
 *
 * For every cell type x every activation x both losses, on small sequences
 * with varied weights and biases:
 *  - the loss against a plain-loop forward written from rnn.h's equations
 *    (not rnn.c's code): a check of the cells' definitions, the GRU's
 *    variant included;
 *  - every entry of every parameter group (W_xh, W_hh, b, b_hn, W_out,
 *    b_out) against central differences of rnn_forward, per gate block;
 *  - dL/dh_t and ||dL/dh_t|| for t = 0..T against central differences of
 *    the plain-loop forward shifting one entry of h_t after it is made;
 *  - the same gradients from a work of larger capacity (the layout
 *    follows the pass's batch), bit for bit.
 * Then a known answer (a linear Elman RNN with W_hh = a I has
 * dL/dh_{T-k} = a^k dL/dh_T), the initializations (identity, orthogonal,
 * forget-gate bias, parsing), clipping by the global norm, and the table. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "act.h"
#include "init.h"
#include "rnn.h"
#include "tap.h"

/* The fourth-order stencil of test_grad.c: truncation ~1e-16 at h = 1e-4,
 * rounding ~eps |L| / h ~ 1e-12 per component. */
#define FD_H 1e-4
#define GRAD_TOL 1e-6
/* Every input of phi kept this far from a kink (test_grad.c's margin);
 * crossings under the stencil are also counted exactly. */
#define KINK_MARGIN 5e-3

typedef struct shape { size_t n_in, H, T, B, n_out; } shape;

static void die(const char *what)
{
  tap_ok(0, "%s", what);
  exit(tap_done());
}

static void *xcalloc(size_t n, size_t size)
{
  void *p = calloc(n ? n : 1, size);
  if (!p) die("allocation");
  return p;
}

static double norm2(const double *x, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += x[i] * x[i];
  return sqrt(s);
}

static double rel_err(const double *a, const double *b, size_t n)
{
  double na = norm2(a, n), nb = norm2(b, n), m = na > nb ? na : nb, d = 0.0;
  for (size_t i = 0; i < n; i++) d += (a[i] - b[i]) * (a[i] - b[i]);
  return m > 0.0 ? sqrt(d) / m : 0.0;
}

static double sigm(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Inputs of phi per (step, example): Elman a, LSTM a_g and c_t, GRU a_n. */
static size_t phi_per(const rnn *r) { return r->cell == RNN_LSTM ? 2 * r->hidden : r->hidden; }

/* The forward pass in plain loops, example by example, from rnn.h's
 * equations and parameter layout; eps is added to entry k (of the (B, H)
 * matrix) of h_{pt} once it is made (pt = 0: the initial state; pt > T: no
 * shift).  Returns the mean loss; phin (if not NULL) gets phi's inputs at
 * ((s - 1) B + i) phi_per + p. */
static double ref_forward(const rnn *r, const double *X, const int *y, const double *tg, size_t B,
                          size_t T, size_t pt, size_t k, double eps, double *phin)
{
  size_t H = r->hidden, G = r->n_gates, GH = G * H, ni = r->n_in, no = r->n_out, P = phi_per(r);
  const double *Wx = r->params + r->w_xh, *Wh = r->params + r->w_hh, *b = r->params + r->b;
  const double *bhn = r->params + r->b_hn, *Wo = r->params + r->w_out, *bo = r->params + r->b_out;
  double *h = xcalloc(H, sizeof *h), *c = xcalloc(H, sizeof *c), *hn = xcalloc(H, sizeof *hn);
  double *ax = xcalloc(GH, sizeof *ax), *ah = xcalloc(GH, sizeof *ah), loss = 0.0;
  for (size_t i = 0; i < B; i++) {
    for (size_t j = 0; j < H; j++) {
      h[j] = c[j] = 0.0;
      if (pt == 0 && k == i * H + j) h[j] += eps;
    }
    for (size_t s = 1; s <= T; s++) {
      const double *x = X + (i * T + s - 1) * ni;
      for (size_t q = 0; q < GH; q++) {   /* input side (with b) and hidden side apart */
        ax[q] = b[q];
        ah[q] = 0.0;
        for (size_t a = 0; a < ni; a++) ax[q] += x[a] * Wx[a * GH + q];
        for (size_t a = 0; a < H; a++) ah[q] += h[a] * Wh[a * GH + q];
      }
      double *pin = phin ? phin + ((s - 1) * B + i) * P : NULL;
      for (size_t j = 0; j < H; j++) {
        if (r->cell == RNN_ELMAN) {
          double a = ax[j] + ah[j];
          if (pin) pin[j] = a;
          hn[j] = act_eval(&r->act, a);
        } else if (r->cell == RNN_LSTM) {
          double ig = sigm(ax[j] + ah[j]), f = sigm(ax[H + j] + ah[H + j]);
          double o = sigm(ax[2 * H + j] + ah[2 * H + j]), ag = ax[3 * H + j] + ah[3 * H + j];
          c[j] = f * c[j] + ig * act_eval(&r->act, ag);
          if (pin) { pin[j] = ag; pin[H + j] = c[j]; }
          hn[j] = o * act_eval(&r->act, c[j]);
        } else {
          double rr = sigm(ax[j] + ah[j]), z = sigm(ax[H + j] + ah[H + j]);
          double an = ax[2 * H + j] + rr * (ah[2 * H + j] + bhn[j]);
          if (pin) pin[j] = an;
          hn[j] = (1.0 - z) * act_eval(&r->act, an) + z * h[j];
        }
      }
      for (size_t j = 0; j < H; j++) h[j] = hn[j] + (s == pt && k == i * H + j ? eps : 0.0);
    }
    double z[8] = { 0.0 };
    for (size_t q = 0; q < no; q++) {
      z[q] = bo[q];
      for (size_t a = 0; a < H; a++) z[q] += h[a] * Wo[a * no + q];
    }
    if (r->loss == LOSS_XENT) {
      double m = z[0], sum = 0.0;
      for (size_t q = 1; q < no; q++) m = fmax(m, z[q]);
      for (size_t q = 0; q < no; q++) sum += exp(z[q] - m);
      loss += m + log(sum) - z[y[i]];
    } else
      for (size_t q = 0; q < no; q++) {
        double d = z[q] - (tg ? tg[i * no + q] : (q == (size_t)y[i] ? 1.0 : 0.0));
        loss += 0.5 * d * d;
      }
  }
  free(h); free(c); free(hn); free(ax); free(ah);
  return loss / (double)B;
}

/* phi's inputs of the library's last pass, in ref_forward's order. */
static void work_phi_inputs(const rnn *r, const rnn_work *w, size_t B, size_t T, double *phin)
{
  size_t H = r->hidden, GH = r->n_gates * H, P = phi_per(r);
  for (size_t s = 1; s <= T; s++)
    for (size_t i = 0; i < B; i++) {
      const double *a = w->pre + ((s - 1) * B + i) * GH;
      double *pin = phin + ((s - 1) * B + i) * P;
      for (size_t j = 0; j < H; j++)
        if (r->cell == RNN_ELMAN) pin[j] = a[j];
        else if (r->cell == RNN_LSTM) { pin[j] = a[3 * H + j]; pin[H + j] = w->cs[(s * B + i) * H + j]; }
        else pin[j] = a[2 * H + j];
    }
}

static int piece(const act_info *ai, double x)
{
  int p = 0;
  for (size_t i = 0; i < ai->n_kinks; i++) p += x > ai->kinks[i];
  return p;
}

static size_t crossings(const act_info *ai, const double *base, const double *now, size_t n)
{
  size_t c = 0;
  for (size_t i = 0; i < n; i++) c += piece(ai, base[i]) != piece(ai, now[i]);
  return c;
}

/* Weights from init.h's normal:0.5 (W_hh: normal:0.45, or identity), the
 * LSTM's forget bias 0.7, every bias then moved off 0 by a smooth pattern
 * and noise; inputs N(0.2, 1), targets N(0.3, 0.8^2), labels uniform. */
/* W_hh's scheme in draw (main walks the init families through it). */
static const char *hh_text = "normal:0.45";

static void draw(rnn *r, const shape *sh, gsl_rng *g, double *X, int *y, double *tg)
{
  init_spec xh;
  rnn_hh_spec hh;
  sb_error err;
  if (init_parse("normal:0.5", &xh, &err) != SB_OK || rnn_hh_parse(hh_text, &hh, &err) != SB_OK
      || rnn_init_params(r, &xh, &hh, r->cell == RNN_LSTM ? 0.7 : 0.0, g, &err) != SB_OK)
    die(err.msg);
  for (size_t j = r->b; j < r->w_out; j++)
    r->params[j] += 0.1 * sin(1.7 * (double)(j + 1)) + 0.05 * gsl_ran_gaussian(g, 1.0);
  for (size_t j = r->b_out; j < r->n_params; j++) r->params[j] += 0.1 * gsl_ran_gaussian(g, 1.0);
  for (size_t i = 0; i < sh->B * sh->T * sh->n_in; i++) X[i] = 0.2 + gsl_ran_gaussian(g, 1.0);
  for (size_t i = 0; i < sh->B; i++) y[i] = (int)gsl_rng_uniform_int(g, sh->n_out);
  for (size_t i = 0; i < sh->B * sh->n_out; i++) tg[i] = 0.3 + gsl_ran_gaussian(g, 0.8);
}

/* The parameter groups and, for W_xh, W_hh and b, their gate blocks. */
typedef struct group { const char *name; size_t off, rows, cols, blocks; } group;

static size_t groups(const rnn *r, group *gs)
{
  size_t H = r->hidden, G = r->n_gates, GH = G * H, n = 0;
  gs[n++] = (group){ "W_xh", r->w_xh, r->n_in, GH, G };
  gs[n++] = (group){ "W_hh", r->w_hh, H, GH, G };
  gs[n++] = (group){ "b", r->b, 1, GH, G };
  if (r->b_hn < r->w_out) gs[n++] = (group){ "b_hn", r->b_hn, 1, H, 1 };
  gs[n++] = (group){ "W_out", r->w_out, H, r->n_out, 1 };
  gs[n++] = (group){ "b_out", r->b_out, 1, r->n_out, 1 };
  return n;
}

static size_t configs_checked = 0;

static void check_one(rnn_cell cell, act_kind kind, loss_kind loss, const shape *sh, int real_targets,
                      gsl_rng *g)
{
  act_fn act;
  sb_error err;
  if (act_parse(act_name(kind), &act, &err) != SB_OK) die(err.msg);
  const act_info *ai = act_info_of(kind);
  size_t H = sh->H, B = sh->B, T = sh->T, no = sh->n_out;
  rnn *r = rnn_alloc(cell, sh->n_in, H, no, act, loss);
  rnn_work *w = r ? rnn_work_alloc(r, B, T) : NULL;
  rnn_work *wbig = r ? rnn_work_alloc(r, B + 2, T + 3) : NULL;
  if (!w || !wbig) die("rnn_alloc / rnn_work_alloc");
  char an[128];
  snprintf(an, sizeof an, "%s/%s/%s%s T=%zu H=%zu B=%zu W_hh %s", rnn_cell_name(cell), act_name(kind),
           loss_name(loss), loss == LOSS_MSE ? (real_targets ? "(targets)" : "(one-hot)") : "", T, H, B, hh_text);
  double *X = xcalloc(B * T * sh->n_in, sizeof *X), *tg = xcalloc(B * no, sizeof *tg);
  int *y = xcalloc(B, sizeof *y);
  size_t nphi = T * B * phi_per(r);
  double *phi0 = xcalloc(nphi, sizeof *phi0), *phi1 = xcalloc(nphi, sizeof *phi1);
  const double *t = real_targets ? tg : NULL;

  /* Redraw until every input of phi is KINK_MARGIN from a kink (exact
   * zeros of an LSTM's c_t excepted: c stays 0 while every g was 0, and
   * the crossing count below would see it move) and, for a kinked phi,
   * every smooth piece is visited by at least 3 inputs. */
  int tries = 0, accepted = 0;
  double kd = INFINITY;
  while (!accepted && tries < 500) {
    tries++;
    draw(r, sh, g, X, y, tg);
    rnn_forward(r, w, X, NULL, y, t, B, T);
    if (!ai->n_kinks) { accepted = 1; break; }
    work_phi_inputs(r, w, B, T, phi0);
    size_t count[ACT_MAX_KINKS + 1] = { 0 };
    kd = INFINITY;
    for (size_t i = 0; i < nphi; i++) {
      count[piece(ai, phi0[i])]++;
      int c_zero = cell == RNN_LSTM && (i % (2 * H)) >= H && phi0[i] == 0.0;
      for (size_t q = 0; q < ai->n_kinks && !c_zero; q++) kd = fmin(kd, fabs(phi0[i] - ai->kinks[q]));
    }
    accepted = kd >= KINK_MARGIN;
    size_t need = nphi >= 6 * (ai->n_kinks + 1) ? 3 : 0;   /* none on the one-step shapes */
    for (size_t p = 0; p <= ai->n_kinks; p++) accepted &= count[p] >= need;
  }
  if (ai->n_kinks)
    tap_ok(accepted, "%s: %d draw(s) until every input of phi is %.3g from a kink (closest %.3g) "
           "and each smooth piece is visited", an, tries, KINK_MARGIN, kd);
  if (ai->n_kinks) work_phi_inputs(r, w, B, T, phi0);

  double loss0 = rnn_forward(r, w, X, NULL, y, t, B, T);
  rnn_backward(r, w, NULL, y, t, B, T);
  size_t np = r->n_params;
  double *ga = xcalloc(np, sizeof *ga), *gf = xcalloc(np, sizeof *gf);
  memcpy(ga, r->grads, np * sizeof *ga);

  /* The definitions: the library's loss is the plain loops'. */
  double lref = ref_forward(r, X, y, t, B, T, SIZE_MAX, 0, 0.0, NULL);
  tap_ok(fabs(lref - loss0) <= 1e-13 * fabs(lref) && loss0 > 0.0,
         "%s: loss %.15g vs the plain-loop forward's %.15g (rel tol 1e-13)", an, loss0, lref);

  if (loss == LOSS_XENT) {   /* argmax of the logits, and out = softmax(z) */
    size_t right = 0;
    double worst = 0.0;
    for (size_t i = 0; i < B; i++) {
      const double *zi = w->z + i * no;
      size_t best = 0;
      double sum = 0.0;
      for (size_t q = 1; q < no; q++) if (zi[q] > zi[best]) best = q;
      right += best == (size_t)y[i];
      for (size_t q = 0; q < no; q++) sum += exp(zi[q]);
      for (size_t q = 0; q < no; q++) worst = fmax(worst, fabs(w->out[i * no + q] - exp(zi[q]) / sum));
    }
    tap_ok(rnn_correct(r, w, y, B) == right && worst <= 1e-15,
           "%s: rnn_correct %zu = the argmax of the logits' %zu; probabilities = softmax(z), worst abs err "
           "%.3g (tol 1e-15)", an, rnn_correct(r, w, y, B), right, worst);
  }

  /* Every parameter, central differences of rnn_forward. */
  static const double mult[4] = { 1.0, -1.0, 2.0, -2.0 };
  size_t crossed = 0;
  for (size_t i = 0; i < np; i++) {
    double *p = r->params + i, old = *p, h = FD_H * fmax(1.0, fabs(old)), f[4];
    for (int s = 0; s < 4; s++) {
      *p = old + mult[s] * h;
      f[s] = rnn_forward(r, w, X, NULL, y, t, B, T);
      if (ai->n_kinks) { work_phi_inputs(r, w, B, T, phi1); crossed += crossings(ai, phi0, phi1, nphi); }
    }
    *p = old;
    gf[i] = (8.0 * (f[0] - f[1]) - (f[2] - f[3])) / (12.0 * h);
  }
  group gs[6];
  size_t ng = groups(r, gs);
  const rnn_cell_info *ci = rnn_cell_info_of(cell);
  for (size_t q = 0; q < ng; q++) {
    const group *gp = &gs[q];
    size_t bw = gp->cols / gp->blocks;   /* a block's columns */
    double worst = 0.0, smallest = INFINITY, zeros = 0.0, *ba = xcalloc(gp->rows * bw, sizeof *ba);
    double *bf = xcalloc(gp->rows * bw, sizeof *bf);
    size_t worst_k = 0, nzero = 0;
    for (size_t k = 0; k < gp->blocks; k++) {
      for (size_t a = 0; a < gp->rows; a++)
        for (size_t j = 0; j < bw; j++) {
          ba[a * bw + j] = ga[gp->off + a * gp->cols + k * bw + j];
          bf[a * bw + j] = gf[gp->off + a * gp->cols + k * bw + j];
        }
      /* One step from h_0 = 0 (and c_0 = 0): W_hh and the LSTM's forget
       * gate have no effect, and their gradient is exactly 0. */
      int zero = T == 1 && (gp->off == r->w_hh
                            || (cell == RNN_LSTM && k == 1 && (gp->off == r->w_xh || gp->off == r->b)));
      if (zero) {
        nzero++;
        zeros = fmax(zeros, fmax(norm2(ba, gp->rows * bw) * 1e10, norm2(bf, gp->rows * bw)));
        continue;
      }
      double e = rel_err(ba, bf, gp->rows * bw);
      if (e > worst) { worst = e; worst_k = k; }
      smallest = fmin(smallest, norm2(ba, gp->rows * bw));
    }
    if (nzero < gp->blocks)
      tap_ok(smallest > 1e-8 && worst <= GRAD_TOL,
             "%s dL/d%s (%zu entries, %zu block(s)): worst rel err %.3g (block %s, tol %.0g), smallest "
             "||analytic|| of a block %.4g (> 1e-8)", an, gp->name, gp->rows * gp->cols, gp->blocks, worst,
             gp->blocks > 1 ? ci->gates[worst_k] : "-", GRAD_TOL, smallest);
    if (nzero)
      tap_ok(zeros <= 1e-10, "%s dL/d%s: %zu block(s) without effect at T = 1: analytic exactly 0 and "
             "||fd|| <= 1e-10 (worst %.3g)", an, gp->name, nzero, zeros);
    free(ba);
    free(bf);
  }

  /* dL/dh_t: central differences of the plain loops shifting h_t. */
  {
    size_t m = B * H;
    double *fd = xcalloc(m, sizeof *fd), worst = 0.0, worst_n = 0.0, smallest = INFINITY;
    size_t worst_t = 0;
    for (size_t s = 0; s <= T; s++) {
      for (size_t k = 0; k < m; k++) {
        double f[4];
        for (int q = 0; q < 4; q++) {
          f[q] = ref_forward(r, X, y, t, B, T, s, k, mult[q] * FD_H, ai->n_kinks ? phi1 : NULL);
          if (ai->n_kinks) crossed += crossings(ai, phi0, phi1, nphi);
        }
        fd[k] = (8.0 * (f[0] - f[1]) - (f[2] - f[3])) / (12.0 * FD_H);
      }
      double e = rel_err(w->dh + s * m, fd, m);
      double en = fabs(w->dh_norm[s] - norm2(fd, m)) / norm2(fd, m);
      if (e > worst) { worst = e; worst_t = s; }
      worst_n = fmax(worst_n, en);
      smallest = fmin(smallest, w->dh_norm[s]);
    }
    tap_ok(smallest > 1e-8 && worst <= GRAD_TOL && worst_n <= GRAD_TOL,
           "%s dL/dh_t, t = 0..%zu, vs finite differences shifting h_t: worst rel err %.3g (t = %zu), "
           "of ||dL/dh_t|| %.3g (tol %.0g), smallest norm %.4g (> 1e-8)", an, T, worst, worst_t, worst_n,
           GRAD_TOL, smallest);
    tap_diag("%s ||dL/dh_t||, t = %zu..0: %.4g ... %.4g", an, T, w->dh_norm[T], w->dh_norm[0]);
    free(fd);
  }
  if (ai->n_kinks)
    tap_ok(crossed == 0, "%s: finite-difference perturbations crossing a kink of phi: %zu (expected 0)",
           an, crossed);

  /* A work of larger capacity: the same bits. */
  double l2 = rnn_forward(r, wbig, X, NULL, y, t, B, T);
  rnn_backward(r, wbig, NULL, y, t, B, T);
  tap_ok(l2 == loss0 && !memcmp(ga, r->grads, np * sizeof *ga)
         && !memcmp(w->dh, wbig->dh, (T + 1) * B * H * sizeof *ga)
         && !memcmp(w->dh_norm, wbig->dh_norm, (T + 1) * sizeof *ga),
         "%s: a work for %zu x %zu steps gives the same loss, gradients and dL/dh_t bit for bit", an,
         B + 2, T + 3);
  configs_checked++;
  free(ga); free(gf); free(phi0); free(phi1); free(X); free(tg); free(y);
  rnn_work_free(wbig);
  rnn_work_free(w);
  rnn_free(r);
}

/* Known answer: phi linear and W_hh = a I make the backward recursion
 * dL/dh_{t-1} = dL/dh_t W_hh' = a dL/dh_t, so dL/dh_{T-k} = a^k dL/dh_T.
 * a = 0.5: every product is exact, so the equality is bit for bit; a = 0.9
 * rounds once per step. */
static void check_linear_identity(const char *hhtext, double a, loss_kind loss, gsl_rng *g)
{
  act_fn act;
  sb_error err;
  init_spec xh;
  rnn_hh_spec hh;
  enum { NI = 3, H = 4, T = 6, B = 3, NO = 3 };
  if (act_parse("linear", &act, &err) != SB_OK || init_parse("normal:0.7", &xh, &err) != SB_OK
      || rnn_hh_parse(hhtext, &hh, &err) != SB_OK)
    die(err.msg);
  rnn *r = rnn_alloc(RNN_ELMAN, NI, H, NO, act, loss);
  rnn_work *w = r ? rnn_work_alloc(r, B, T) : NULL;
  if (!w) die("allocation");
  if (rnn_init_params(r, &xh, &hh, 0.0, g, &err) != SB_OK) die(err.msg);
  double X[B * T * NI], tg[B * NO];
  int y[B];
  for (size_t i = 0; i < B * T * NI; i++) X[i] = gsl_ran_gaussian(g, 1.0);
  for (size_t i = 0; i < B * NO; i++) tg[i] = gsl_ran_gaussian(g, 1.0);
  for (size_t i = 0; i < B; i++) y[i] = (int)i % NO;
  rnn_forward(r, w, X, NULL, y, tg, B, T);
  rnn_backward(r, w, NULL, y, tg, B, T);
  const double *dT = w->dh + T * B * H;
  double worst = 0.0, worst_n = 0.0;
  for (size_t k = 0; k <= T; k++) {
    const double *dk = w->dh + (T - k) * B * H;
    double ak = pow(a, (double)k);
    for (size_t q = 0; q < B * H; q++) {
      double e = fabs(dk[q] - ak * dT[q]) / fmax(fabs(ak * dT[q]), 1e-300);
      worst = fmax(worst, e);
    }
    worst_n = fmax(worst_n, fabs(w->dh_norm[T - k] - ak * w->dh_norm[T]) / (ak * w->dh_norm[T]));
  }
  double tol = a == 0.5 ? 0.0 : 1e-14;
  tap_ok(norm2(dT, B * H) > 1e-3 && worst <= tol && worst_n <= 1e-15 + tol,
         "linear Elman, W_hh = %s, %s: dL/dh_{T-k} = %g^k dL/dh_T for k = 0..%d: worst rel err %.3g "
         "(tol %.0g), of the norms %.3g", hhtext, loss_name(loss), a, T, worst, tol, worst_n);
  rnn_work_free(w);
  rnn_free(r);
}

static void check_init(gsl_rng *g)
{
  act_fn act;
  sb_error err;
  init_spec xh;
  rnn_hh_spec hh;
  if (act_parse("tanh", &act, &err) != SB_OK || init_parse("standard", &xh, &err) != SB_OK) die(err.msg);
  enum { NI = 3, H = 5, NO = 2 };
  for (int c = 0; c < RNN_CELL_COUNT; c++) {
    const rnn_cell_info *ci = rnn_cell_info_of((rnn_cell)c);
    size_t G = ci->n_gates, GH = G * H;
    rnn *r = rnn_alloc((rnn_cell)c, NI, H, NO, act, LOSS_XENT);
    rnn *r2 = rnn_alloc((rnn_cell)c, NI, H, NO, act, LOSS_XENT);
    if (!r || !r2) die("allocation");
    size_t expect = NI * GH + H * GH + GH + ci->n_extra_bias * H + H * NO + NO;
    tap_ok(r->n_params == expect && r->n_gates == G,
           "%s: %zu parameters (n_in G H + H G H + G H + extra H + H n_out + n_out = %zu), G = %zu", ci->name,
           r->n_params, expect, G);

    /* identity: exactly scale I in every gate block of W_hh */
    if (rnn_hh_parse("identity:0.9", &hh, &err) != SB_OK) die(err.msg);
    if (rnn_init_params(r, &xh, &hh, 0.0, g, &err) != SB_OK) die(err.msg);
    int exact = 1;
    for (size_t a = 0; a < H; a++)
      for (size_t q = 0; q < GH; q++) exact &= rnn_W_hh(r)[a * GH + q] == (q % H == a ? 0.9 : 0.0);
    tap_ok(exact, "%s: W_hh from identity:0.9 is 0.9 I in each of its %zu gate blocks, bit for bit",
           ci->name, G);

    /* orthogonal: Q'Q = gain^2 I in each block */
    if (rnn_hh_parse("orthogonal:1.3", &hh, &err) != SB_OK) die(err.msg);
    if (rnn_init_params(r, &xh, &hh, 0.0, g, &err) != SB_OK) die(err.msg);
    double worst = 0.0;
    for (size_t k = 0; k < G; k++)
      for (size_t p = 0; p < H; p++)
        for (size_t q = 0; q < H; q++) {
          double s = 0.0;
          for (size_t a = 0; a < H; a++) s += rnn_W_hh(r)[a * GH + k * H + p] * rnn_W_hh(r)[a * GH + k * H + q];
          worst = fmax(worst, fabs(s - (p == q ? 1.69 : 0.0)));
        }
    tap_ok(worst <= 1e-13, "%s: W_hh from orthogonal:1.3: Q'Q = 1.69 I per gate block, worst abs err %.3g "
           "(tol 1e-13)", ci->name, worst);

    /* the same seed, the same bytes; the biases: 0 (standard), b_f the forget bias */
    double fb = c == RNN_LSTM ? 1.0 : 0.0;
    gsl_rng_set(g, 77);
    if (rnn_init_params(r, &xh, &hh, fb, g, &err) != SB_OK) die(err.msg);
    gsl_rng_set(g, 77);
    if (rnn_init_params(r2, &xh, &hh, fb, g, &err) != SB_OK) die(err.msg);
    tap_ok(!memcmp(r->params, r2->params, r->n_params * sizeof(double)),
           "%s: the same rng state gives the same parameters, bit for bit", ci->name);
    int biases = 1;
    for (size_t j = r->b; j < r->w_out; j++)
      biases &= r->params[j] == (c == RNN_LSTM && j - r->b >= H && j - r->b < 2 * H ? 1.0 : 0.0);
    tap_ok(biases, "%s: biases after a standard init%s: %s", ci->name,
           c == RNN_LSTM ? " with forget bias 1" : "",
           c == RNN_LSTM ? "b_f = 1 (block f of [i f o g]), every other 0" : "all 0 (b_hn included)");
    if (c != RNN_LSTM) {
      int rc = rnn_init_params(r, &xh, &hh, 1.0, g, &err);
      tap_ok(rc == SB_EUSAGE && strstr(err.msg, "only an LSTM"),
             "%s: a forget-gate bias is refused (rc %d, '%s')", ci->name, rc, rc ? err.msg : "");
    }
    rnn_free(r2);
    rnn_free(r);
  }

  /* rnn_hh_parse / rnn_hh_format */
  static const struct { const char *in, *out; int identity; double scale; } ok[] = {
    { "identity", "identity", 1, 1.0 }, { "identity:0.9", "identity:0.9", 1, 0.9 },
    { "identity:1", "identity", 1, 1.0 }, { "orthogonal:1.5", "orthogonal:1.5", 0, NAN },
    { "he_normal", "he_normal", 0, NAN }, { "identity:0.123456789012", "identity:0.123456789012", 1, 0.123456789012 },
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    char buf[64] = "";
    int rc = rnn_hh_parse(ok[i].in, &hh, &err);
    if (rc == SB_OK) rnn_hh_format(&hh, buf, sizeof buf);
    tap_ok(rc == SB_OK && hh.identity == ok[i].identity && (!ok[i].identity || hh.scale == ok[i].scale)
           && strcmp(buf, ok[i].out) == 0,
           "rnn_hh_parse('%s'): identity %d scale %.17g, formats as '%s' (expected '%s')", ok[i].in,
           hh.identity, hh.scale, buf, ok[i].out);
  }
  static const struct { const char *in, *msg; } bad[] = {
    { "identity:0", "SCALE" }, { "identity:-1", "SCALE" }, { "identity:", "SCALE" },
    { "identity:x", "SCALE" }, { "identity:1x", "SCALE" }, { "identity: 1", "SCALE" },
    { "identity:inf", "SCALE" }, { "identiti", "did you mean 'identity'" },
    { "orthogonl:2", "did you mean 'orthogonal'" }, { "bogus", "valid: identity[:SCALE]" },
    { "orthogonal:0", "orthogonal" }, { "normal", "needs a parameter" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = rnn_hh_parse(bad[i].in, &hh, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, bad[i].msg),
           "rnn_hh_parse('%s') refused: rc %d, '%s' (expected '%s' in it)", bad[i].in, rc,
           rc ? err.msg : "", bad[i].msg);
  }
}

static void check_table(void)
{
  sb_error err;
  for (int c = 0; c < RNN_CELL_COUNT; c++) {
    const rnn_cell_info *ci = rnn_cell_info_of((rnn_cell)c);
    rnn_arch back = ARCH_COUNT;
    int rc = ci && ci->name ? rnn_arch_parse(ci->name, &back, &err) : -1;
    int named = 1;
    for (size_t k = 0; ci && k < ci->n_gates; k++) named &= ci->gates[k] != NULL;
    tap_ok(rc == SB_OK && rnn_arch_recurrent(back) && rnn_arch_cell(back) == (rnn_cell)c && ci->n_gates >= 1 && ci->n_gates <= RNN_MAX_GATES
           && ci->n_sigmoid < ci->n_gates && named && ci->about,
           "cell %d: row '%s', %zu gates (%zu sigmoid), each named; parses back", c,
           ci && ci->name ? ci->name : "(none)", ci ? ci->n_gates : 0, ci ? ci->n_sigmoid : 0);
  }
  rnn_arch out;
  int rc = rnn_arch_parse("lstn", &out, &err);
  tap_ok(rc == SB_EUSAGE && strstr(err.msg, "did you mean 'lstm'"), "rnn_arch_parse('lstn'): '%s'",
         rc ? err.msg : "");
  rc = rnn_arch_parse("transformer", &out, &err);
  tap_ok(rc == SB_EUSAGE && strstr(err.msg, "valid: mlp, rnn, lstm, gru"), "rnn_arch_parse('transformer'): '%s'",
         rc ? err.msg : "");
  tap_ok(rnn_cell_info_of(RNN_CELL_COUNT) == NULL && strcmp(rnn_cell_name(RNN_CELL_COUNT), "unknown") == 0,
         "a value that is not a cell has no row");
  act_fn act = { ACT_TANH, 0.0 };
  rnn *r = rnn_alloc(RNN_LSTM, 3, 4, 2, act, LOSS_XENT);
  if (!r) die("allocation");
  tap_ok(rnn_work_doubles(r, SIZE_MAX / 4, 2) == 0 && rnn_work_alloc(r, SIZE_MAX / 4, 2) == NULL
         && rnn_work_doubles(r, 2, 0) == 0 && rnn_alloc(RNN_GRU, 1, SIZE_MAX / 4, 1, act, LOSS_XENT) == NULL,
         "sizes that overflow are refused (rnn_work_doubles 0, rnn_work_alloc and rnn_alloc NULL)");
  rnn_work *w = rnn_work_alloc(r, 3, 5);
  tap_ok(w && w->len == rnn_work_doubles(r, 3, 5) && w->dh_norm + 6 == w->buf + w->len,
         "rnn_work_doubles is the work's length (%zu)", w ? w->len : 0);
  rnn_work_free(w);
  rnn_free(r);
}

/* rnn_clip against direct computation. */
static void check_clip(gsl_rng *g)
{
  enum { N = 53 };
  double x[N], y[N], z[N];
  for (size_t i = 0; i < N; i++) x[i] = gsl_ran_gaussian(g, 1.0) * pow(10.0, -3.0 * gsl_rng_uniform(g));
  double n0 = norm2(x, N);
  for (size_t i = 0; i < N; i++) x[i] *= 2.385 / n0;   /* ||x|| = 2.385 */
  n0 = norm2(x, N);
  memcpy(y, x, sizeof x);
  double ret = rnn_clip(y, N, 1.3);
  double worst = 0.0;
  for (size_t i = 0; i < N; i++) worst = fmax(worst, fabs(y[i] - x[i] * (1.3 / n0)) / fabs(x[i] * (1.3 / n0)));
  tap_ok(fabs(ret - n0) <= 1e-15 * n0 && fabs(norm2(y, N) - 1.3) <= 1e-14 * 1.3 && worst <= 2.3e-16,
         "rnn_clip at 1.3 of ||g|| = %.17g: returns %.17g, ||g|| after %.17g (rel tol 1e-14), g scaled by "
         "1.3/||g||: worst rel err %.3g", n0, ret, norm2(y, N), worst);
  memcpy(y, x, sizeof x);
  ret = rnn_clip(y, N, 2.4);
  double r2 = rnn_clip(y, N, ret);   /* at exactly the norm: not above it */
  tap_ok(!memcmp(x, y, sizeof x) && fabs(ret - n0) <= 1e-15 * n0 && r2 == ret,
         "rnn_clip at 2.4 and at ||g|| itself leaves g bit-identical and returns ||g||");
  for (size_t i = 0; i < N; i++) z[i] = x[i] * 1e-200;
  ret = rnn_clip(z, N, 1e-201);
  for (size_t i = 0; i < N; i++) z[i] *= 1e200;   /* the test's norm2 squares plainly */
  tap_ok(fabs(norm2(z, N) - 0.1) <= 1e-14 * 0.1 && fabs(ret / n0 - 1e-200) <= 1e-214,
         "rnn_clip on a gradient of norm %.4g (its squares underflow) to 1e-201: after %.17g x 1e-200",
         ret, norm2(z, N) * 1e-0);
  memcpy(y, x, sizeof x);
  y[7] = INFINITY;
  memcpy(z, y, sizeof y);
  ret = rnn_clip(y, N, 1.0);
  int same_inf = !memcmp(y, z, sizeof y) && isinf(ret);
  y[7] = NAN;
  memcpy(z, y, sizeof y);
  ret = rnn_clip(y, N, 1.0);
  tap_ok(same_inf && !memcmp(y, z, sizeof y) && isnan(ret),
         "rnn_clip of a gradient holding inf or NaN leaves it and returns the non-finite norm");
}

/* Variable lengths (start): a padded batch is each row run alone on its
 * own sequence.  Rows of length T - start[i], stored right-aligned with
 * random numbers (not zeros) in the padding, which must not matter: the
 * batch's loss is the mean of the rows' own losses, its gradient the mean
 * of theirs, and dL/dh_t of a row at t >= start[i] its own run's
 * dL/dh_{t - start[i]}; its padding states' rows are 0. */
static void check_padding(rnn_cell cell, act_kind kind, loss_kind loss, gsl_rng *g)
{
  const size_t B = 4, T = 5, ni = 2, H = 3, no = 2;
  const size_t start[4] = { 0, 2, 4, 1 };
  act_fn f;
  sb_error e;
  if (act_parse(act_name(kind), &f, &e) != SB_OK) die(e.msg);
  rnn *r = rnn_alloc(cell, ni, H, no, f, loss);
  rnn_work *w = rnn_work_alloc(r, B, T), *w1 = rnn_work_alloc(r, 1, T);
  if (!r || !w || !w1) die("alloc");
  init_spec xh;
  rnn_hh_spec hh;
  if (init_parse("xavier_normal", &xh, &e) || rnn_hh_parse("orthogonal:1.2", &hh, &e)) die(e.msg);
  if (rnn_init_params(r, &xh, &hh, cell == RNN_LSTM ? 1.0 : 0.0, g, &e)) die("init params");
  for (size_t i = 0; i < r->n_params; i++) r->params[i] += 0.1 * gsl_ran_gaussian(g, 1.0);
  double X[4 * 5 * 2], tg[4 * 2];
  int y[4];
  for (size_t i = 0; i < B * T * ni; i++) X[i] = gsl_ran_gaussian(g, 1.0);
  for (size_t i = 0; i < B * no; i++) tg[i] = gsl_ran_gaussian(g, 1.0);
  for (size_t i = 0; i < B; i++) y[i] = (int)gsl_rng_uniform_int(g, no);
  const double *t = loss == LOSS_MSE ? tg : NULL;
  double lb = rnn_forward(r, w, X, start, y, t, B, T);
  rnn_backward(r, w, start, y, t, B, T);
  double *gb = xcalloc(r->n_params, sizeof *gb), *gm = xcalloc(r->n_params, sizeof *gm);
  memcpy(gb, r->grads, r->n_params * sizeof *gb);
  double lm = 0.0, dh_err = 0.0, pad_max = 0.0;
  for (size_t i = 0; i < B; i++) {
    size_t Ti = T - start[i];
    lm += rnn_forward(r, w1, X + (i * T + start[i]) * ni, NULL, y + i, t ? t + i * no : NULL, 1, Ti) / (double)B;
    rnn_backward(r, w1, NULL, y + i, t ? t + i * no : NULL, 1, Ti);
    for (size_t k = 0; k < r->n_params; k++) gm[k] += r->grads[k] / (double)B;
    /* The batch's dL/dh is of the mean loss: B times smaller than the row's own. */
    for (size_t s = 0; s <= T; s++)
      for (size_t j = 0; j < H; j++) {
        double v = w->dh[(s * B + i) * H + j];
        if (s < start[i]) pad_max = fmax(pad_max, fabs(v));
        else dh_err = fmax(dh_err, fabs(v * (double)B - w1->dh[(s - start[i]) * H + j]));
      }
  }
  char an[96];
  snprintf(an, sizeof an, "%s/%s/%s padded", rnn_cell_name(cell), act_name(kind), loss_name(loss));
  tap_ok(fabs(lb - lm) <= 1e-14 * fabs(lm) && lm > 0.0, "%s: loss %.15g = the rows' own mean %.15g", an, lb, lm);
  tap_ok(rel_err(gb, gm, r->n_params) <= 1e-13, "%s: gradient = the mean of the rows' own (rel err %.3g)", an,
         rel_err(gb, gm, r->n_params));
  tap_ok(dh_err <= 1e-14 && pad_max == 0.0, "%s: dL/dh_t = the row's own at t >= start (worst %.3g); padding "
         "states' rows exactly 0 (max %.3g)", an, dh_err, pad_max);
  free(gb);
  free(gm);
  rnn_work_free(w);
  rnn_work_free(w1);
  rnn_free(r);
}

int main(void)
{
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  if (!g) die("gsl_rng_alloc");
  gsl_rng_set(g, 2385UL);
  check_table();
  /* Every cell x every activation x both losses (mse against real targets),
   * at the brief's largest sizes; then mse against one-hot labels and the
   * smallest shapes (one step, one example). */
  const shape big = { 3, 5, 6, 3, 3 }, tiny = { 2, 2, 1, 1, 2 }, mid = { 1, 3, 4, 2, 2 };
  for (int c = 0; c < RNN_CELL_COUNT; c++)
    for (int k = 0; k < ACT_COUNT; k++)
      for (int l = 0; l < LOSS_COUNT; l++)
        check_one((rnn_cell)c, (act_kind)k, (loss_kind)l, &big, l == LOSS_MSE, g);
  for (int c = 0; c < RNN_CELL_COUNT; c++) {
    check_one((rnn_cell)c, ACT_TANH, LOSS_MSE, &mid, 0, g);
    check_one((rnn_cell)c, ACT_TANH, LOSS_XENT, &tiny, 0, g);
    check_one((rnn_cell)c, ACT_RELU, LOSS_MSE, &tiny, 1, g);
  }
  /* Every init family of W_hh the grid offers (the gradient does not care
   * how the weights were drawn, but the checks run where the grid does):
   * the Gaussian and uniform fan schemes, orthogonal, identity (IRNN,
   * with relu) and a mean-field point; every cell, tanh and relu. */
  static const char *const hh_families[] = {
    "standard", "xavier_uniform", "he_normal", "lecun_normal", "orthogonal:1.1", "identity:0.9", "meanfield:1.5:0.05",
  };
  for (size_t f = 0; f < sizeof hh_families / sizeof hh_families[0]; f++) {
    hh_text = hh_families[f];
    for (int c = 0; c < RNN_CELL_COUNT; c++) {
      check_one((rnn_cell)c, ACT_TANH, LOSS_XENT, &big, 0, g);
      check_one((rnn_cell)c, ACT_RELU, LOSS_MSE, &big, 1, g);
    }
  }
  hh_text = "normal:0.45";
  tap_diag("%zu configurations checked", configs_checked);
  for (int l = 0; l < LOSS_COUNT; l++) {
    check_linear_identity("identity:0.5", 0.5, (loss_kind)l, g);
    check_linear_identity("identity:0.9", 0.9, (loss_kind)l, g);
  }
  for (int c = 0; c < RNN_CELL_COUNT; c++)
    for (int l = 0; l < LOSS_COUNT; l++) check_padding((rnn_cell)c, ACT_TANH, (loss_kind)l, g);
  check_padding(RNN_ELMAN, ACT_RELU, LOSS_MSE, g);
  check_padding(RNN_LSTM, ACT_SIGMOID, LOSS_XENT, g);
  check_init(g);
  check_clip(g);
  gsl_rng_free(g);
  return tap_done();
}
