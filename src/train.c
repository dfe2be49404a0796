/* train.c - one cell from initialization to its last probe (see train.h).
 *
 * All buffers are made before the first step; the loop itself only
 * gathers a mini-batch, runs forward, backward and the update, and probes
 * on the logged steps.  Probing reads and writes only the work buffers and
 * gradients, which every step recomputes, so it cannot change training. */
#include <config.h>
#include "train.h"
#include "theory.h"
#include "blas.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static uint64_t splitmix64(uint64_t x)
{
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

unsigned long train_seed(unsigned long master, unsigned long seed_index, unsigned stream)
{
  /* Hash, not add: master 1 / index 0 and master 0 / index 1 must differ.
   * MT19937 keeps 32 bits of its seed, so fold the hash to 32 bits. */
  uint64_t s = splitmix64(splitmix64(splitmix64((uint64_t)master) ^ seed_index) ^ stream);
  return (unsigned long)((s ^ (s >> 32)) & 0xffffffffUL);
}

const curve_col_info train_curve_cols[] = {
  [CURVE_TRAIN_LOSS]      = { "train_loss", "mean mini-batch loss of the optimizer steps since the previous logged step (NaN at step 0)" },
  [CURVE_EVAL_TRAIN_LOSS] = { "eval_train_loss", "mean loss on the training evaluation subset" },
  [CURVE_EVAL_TRAIN_ACC]  = { "eval_train_acc", "accuracy on the training evaluation subset" },
  [CURVE_EVAL_TEST_LOSS]  = { "eval_test_loss", "mean loss on the test evaluation subset" },
  [CURVE_EVAL_TEST_ACC]   = { "eval_test_acc", "accuracy on the test evaluation subset" },
  [CURVE_GRAD_NORM]       = { "grad_norm", "||dL/dtheta|| over every parameter (weights, biases, a norm's gamma and beta), on the probe set" },
};
_Static_assert(sizeof train_curve_cols / sizeof train_curve_cols[0] == CURVE_NCOLS,
               "train_curve_cols needs one row per CURVE_ column");

const train_status_info train_statuses[] = {
  [TRAIN_OK]       = { "ok", 0, "trained, and none of the below" },
  [TRAIN_DIVERGED] = { "diverged", 1, "a NaN or Inf loss or probe value met: the cell stopped there; final_loss and the "
                                      "accuracies are NaN" },
  [TRAIN_EXPLODED] = { "exploded", 1, "the training evaluation loss at the last probe is above 10 times the chance "
                                      "loss (finite: diverged otherwise)" },
  [TRAIN_FLUSHED]  = { "flushed", 1, .emulated_only = 1, .about = "an emulated precision (--precisions): stalled or frozen, at the last probe at least half "
                                     "of the first hidden layer's weight-gradient entries 0, and some layer's error or "
                                     "weight gradient with at least half of its nonzero entries rounded to 0" },
  [TRAIN_FROZEN]   = { "frozen", 1, "at the last probe every hidden layer's gradient is exactly 0 (all ReLUs dead)" },
  [TRAIN_VANISHED] = { "vanished", 1, "stalled, and the first hidden layer's gradient norm at the last probe is at "
                                      "most 2^-52 times its weights' norm: below their resolution" },
  [TRAIN_STALLED]  = { "stalled", 1, "the training evaluation loss at the last probe is less than 1% below the chance "
                                     "loss" },
  [TRAIN_STOPPED]  = { "stopped", 0, "interrupted by a signal: never written to a table" },
};
_Static_assert(sizeof train_statuses / sizeof train_statuses[0] == TRAIN_NSTATUS,
               "train_statuses needs one row per status");

int train_status_counted(int k, int emulates)
{
  return train_statuses[k].counted && (emulates || !train_statuses[k].emulated_only);
}

int train_status_parse(const char *name)
{
  for (int k = 0; k < TRAIN_NSTATUS; k++)
    if (train_statuses[k].name && !strcmp(name, train_statuses[k].name)) return k;
  return -1;
}

/* 1, 2, 5 times a power of ten. */
static int is_125(long t)
{
  if (t <= 0) return 0;
  while (t % 10 == 0) t /= 10;
  return t == 1 || t == 2 || t == 5;
}

int train_is_log_step(long t, long steps, long log_every, int schedule)
{
  return t == 0 || t == steps || (log_every > 0 && t % log_every == 0)
         || (schedule == TRAIN_LOG_LOG && is_125(t) && t <= steps);
}

size_t train_n_logs(long steps, long log_every, int schedule)
{
  if (steps <= 0) return 1;
  /* 0, the multiples of log_every up to steps, steps itself, and the 1-2-5
   * steps that are none of those: counted, not enumerated (steps may be
   * 2^40). */
  size_t n = 1 + (log_every > 0 ? (size_t)(steps / log_every) : 0);
  if (log_every <= 0 || steps % log_every != 0) n++;
  if (schedule == TRAIN_LOG_LOG)
    for (long p = 1; p <= steps && p <= LONG_MAX / 10; p *= 10)
      for (long m = 1; m <= 5; m += m == 1 ? 1 : 3) {
        long t = p * m;
        if (t < steps && (log_every <= 0 || t % log_every != 0)) n++;
      }
  return n;
}

size_t train_hist_cap(int hist_mode, size_t n_logs)
{
  return hist_mode == TRAIN_HIST_NONE ? 0 : hist_mode == TRAIN_HIST_ALL ? n_logs : n_logs < 2 ? n_logs : 2;
}

int train_emulates(const train_params *p)
{
  return p->prec != PREC_FP64 || p->ls_dynamic || (p->loss_scale != 0.0 && p->loss_scale != 1.0);
}

void train_l2h_range(prec_kind k, int *emin, size_t *nexp)
{
  const prec_format *f = &prec_formats[k];
  *emin = f->emin - f->p + 1;
  *nexp = (size_t)(f->emax - *emin + 1);
}

/* Doubles of one histogram slot of r (train_result.l2h). */
static size_t l2h_per_slot(const train_result *r)
{
  return r->n_layers * TRAIN_L2H_NT * (TRAIN_L2H_EXP + r->l2h_nexp);
}

int train_result_init(train_result *r, const train_params *p)
{
  memset(r, 0, sizeof *r);
  r->n_layers = p->depth + 1;
  r->skips = net_arch_has_skip(&p->arch, p->depth);
  r->cap_logs = train_n_logs(p->steps, p->log_every, p->log_schedule);
  r->log_steps = malloc(r->cap_logs * sizeof(long));
  r->rows = malloc(r->cap_logs * r->n_layers * sizeof(probe_row));
  r->curves = malloc(r->cap_logs * CURVE_NCOLS * sizeof(double));
  r->hist_cap = train_hist_cap(p->hist_mode, r->cap_logs);
  size_t hc = r->hist_cap ? r->hist_cap : 1;
  r->hist = calloc(hc * p->depth * 2 * PROBE_HIST_BINS, sizeof(double));
  r->hist_range = calloc(hc * 4, sizeof(double));
  r->hist_step = calloc(hc, sizeof(long));
  r->theory_ratio = malloc((p->depth ? p->depth : 1) * sizeof(double));
  r->emulated = train_emulates(p);
  if (r->emulated) {
    r->prec_frac = calloc(r->cap_logs * r->n_layers * NET_NT * TRAIN_PF, sizeof(double));
    r->prec_scale = calloc(r->cap_logs, sizeof(double));
    r->prec_skipped = calloc(r->cap_logs, sizeof(long));
    if (!r->prec_frac || !r->prec_scale || !r->prec_skipped) {
      train_result_free(r);
      return SB_EFAIL;
    }
    if (r->hist_cap) {
      train_l2h_range(p->prec, &r->l2h_emin, &r->l2h_nexp);
      r->l2h = calloc(r->hist_cap * l2h_per_slot(r), sizeof(double));
      if (!r->l2h) {
        train_result_free(r);
        return SB_EFAIL;
      }
    }
  }
  r->flush_depth0 = r->flush_depth_theory = NAN;
  r->recurrent = rnn_arch_recurrent(p->cell_arch);
  r->arch = p->cell_arch;
  if (r->recurrent) {
    const rnn_cell_info *ci = rnn_cell_info_of(rnn_arch_cell(p->cell_arch));
    r->n_gates = ci->n_sigmoid;
    if (r->n_gates) {
      r->gates = calloc(r->cap_logs * p->depth * r->n_gates * TRAIN_GATE, sizeof(double));
      if (!r->gates) {
        train_result_free(r);
        return SB_EFAIL;
      }
    }
  }
  r->hh_rho[0] = r->hh_rho[1] = r->hh_sigma[0] = r->hh_sigma[1] = r->gamma = r->success = NAN;
  if (!r->log_steps || !r->rows || !r->curves || !r->hist || !r->hist_range || !r->hist_step || !r->theory_ratio) {
    train_result_free(r);
    return SB_EFAIL;
  }
  r->final_loss = r->final_train_acc = r->final_test_acc = r->chance_loss = r->chance_error = NAN;
  for (size_t l = 0; l < p->depth; l++) r->theory_ratio[l] = NAN;
  r->theory_decay_rate = NAN;
  r->sigma_w2 = r->sigma_b2 = NAN;
  r->jac_msv_theory = NAN;
  return SB_OK;
}

void train_result_free(train_result *r)
{
  if (!r) return;
  free(r->log_steps);
  free(r->rows);
  free(r->curves);
  free(r->hist);
  free(r->hist_range);
  free(r->hist_step);
  free(r->theory_ratio);
  free(r->jac_steps);
  free(r->jac_sv);
  free(r->prec_frac);
  free(r->prec_scale);
  free(r->prec_skipped);
  free(r->l2h);
  free(r->gates);
  r->gates = NULL;
  r->l2h = NULL;
  r->prec_frac = r->prec_scale = NULL;
  r->prec_skipped = NULL;
  r->jac_steps = NULL;
  r->jac_sv = NULL;
  r->log_steps = NULL;
  r->rows = NULL;
  r->curves = NULL;
  r->hist = NULL;
  r->hist_range = NULL;
  r->hist_step = NULL;
  r->theory_ratio = NULL;
}

/* train_evaluate of X's examples from `start` on, the first `start` of
 * them already seen by a forward pass of the same net on chunks of the
 * probe work's size (sum: the sum of their chunks' mean loss times the
 * chunk's size; correct: their hits). */
static void evaluate_from(train_state *s, const double *X, const int *y, size_t count, size_t start, double sum,
                          size_t correct, double *loss, double *acc)
{
  const net *n = s->n;
  net_work *w = s->pwk;
  for (size_t i = start; i < count; i += w->cap) {
    size_t b = count - i < w->cap ? count - i : w->cap;
    sum += net_forward_mode(s->n, w, X + i * n->n_in, y + i, b, NET_EVAL) * (double)b;
    correct += net_correct(n, w, y + i, b);
  }
  *loss = count ? sum / (double)count : NAN;
  *acc = count ? (double)correct / (double)count : NAN;
}

void train_evaluate(train_state *s, const double *X, const int *y, size_t count, double *loss, double *acc)
{
  evaluate_from(s, X, y, count, 0, 0.0, 0, loss, acc);
}

void train_state_free(train_state *s)
{
  if (!s) return;
  theory_free(s->tw);
  jac_free(s->jw);
  if (s->h) gsl_histogram_free(s->h);
  free(s->ratio);
  free(s->yb);
  free(s->Xb);
  free(s->perm);
  gsl_rng_free(s->rng_order);
  gsl_rng_free(s->rng_init);
  opt_free(s->o);
  probe_work_free(s->pw);
  net_work_free(s->pwk);
  net_work_free(s->w);
  net_free(s->n);
  memset(s, 0, sizeof *s);
}

/* Mean-field mean of sigma^2 of J at init: tr(J J^T) = width prod_l chi_l
 * over the min(width, n_in) singular values, where chi_1 has the first
 * layer's sigma_w2 (n_in times its weight variance) and q^1, the others
 * the hidden layers' sigma_w2 and q^l. */
static double jac_theory_msv(const theory_work *tw, const train_params *p, const init_spec *spec, size_t n_in,
                             double q0)
{
  size_t depth = p->depth, width = p->width;
  double sw2_in = (double)n_in * init_weight_var(spec, n_in, width);
  double sw2 = (double)width * init_weight_var(spec, width, width);
  double sb2 = init_bias_var(spec);
  double *q = malloc(2 * depth * sizeof *q);  /* q, then the profile's ratios (unused) */
  if (!q) return NAN;
  sb_error e;
  double lg = NAN;
  if (theory_profile(tw, &p->act, sw2, sb2, sw2_in * q0 + sb2, depth, q, NULL, q + depth, &e) == SB_OK) {
    lg = log((double)width / (double)(width < n_in ? width : n_in));
    for (size_t l = 1; l <= depth; l++) lg += log(theory_chi(tw, &p->act, l == 1 ? sw2_in : sw2, q[l - 1]));
  }
  free(q);
  return exp(lg);
}

/* The Jacobian probe's work and the result's room for its spectra. */
static int jac_setup(train_state *s, const train_params *p, train_result *r, sb_error *err)
{
  if (p->width > JAC_MAX_WIDTH)
    return sb_fail(err, SB_EUSAGE, "--jacobian: width %zu is over the limit of %d units", p->width, JAC_MAX_WIDTH);
  if (p->jacobian > s->d->probe.n)
    return sb_fail(err, SB_EUSAGE, "--jacobian: %zu inputs, but the probe set has %zu", p->jacobian, s->d->probe.n);
  s->jw = jac_alloc(s->n);
  if (!s->jw) return sb_fail(err, SB_EFAIL, "out of memory for the Jacobian probe (width %zu)", p->width);
  if (!r) return SB_OK;
  r->jac_inputs = p->jacobian;
  r->jac_nsv = s->jw->nsv;
  r->jac_side = s->jw->width > s->jw->n_in ? s->jw->width : s->jw->n_in;
  r->jac_cap = p->jacobian_init_only ? 1 : r->cap_logs;
  r->jac_steps = malloc(r->jac_cap * sizeof *r->jac_steps);
  r->jac_sv = malloc(r->jac_cap * r->jac_inputs * r->jac_nsv * sizeof *r->jac_sv);
  if (!r->jac_steps || !r->jac_sv) return sb_fail(err, SB_EFAIL, "out of memory for the Jacobian spectra");
  return SB_OK;
}

int train_state_init(train_state *s, const train_params *p, const dataset *d, train_result *r, sb_error *err)
{
  memset(s, 0, sizeof *s);
  s->p = p;
  s->d = d;
  size_t batch = p->batch, dim = d->dim, np = d->probe.n;
  if (batch == 0 || batch > d->n_train)
    return sb_fail(err, SB_EUSAGE, "--batch: %zu must be between 1 and the training split's size", batch);
  if (np == 0) return sb_fail(err, SB_EUSAGE, "--probe-size: the probe set is empty");
  s->n = net_alloc_arch(dim, p->width, p->depth, d->classes, p->act, p->loss, &p->arch);
  s->w = s->n ? net_work_alloc(s->n, batch) : NULL;
  s->pwk = s->n ? net_work_alloc(s->n, np) : NULL;
  s->pw = s->n ? probe_work_alloc(s->n, np) : NULL;
  s->o = s->n ? opt_alloc(p->opt, p->lr, s->n->n_params) : NULL;
  s->rng_init = gsl_rng_alloc(gsl_rng_mt19937);
  s->rng_order = gsl_rng_alloc(gsl_rng_mt19937);
  s->perm = malloc(d->n_train * sizeof *s->perm);
  s->Xb = malloc(batch * dim * sizeof *s->Xb);
  s->yb = malloc(batch * sizeof *s->yb);
  s->ratio = malloc((p->depth + 1) * sizeof *s->ratio);
  s->h = gsl_histogram_alloc(PROBE_HIST_BINS);
  s->tw = theory_alloc();
  if (!s->n || !s->w || !s->pwk || !s->pw || !s->o || !s->rng_init || !s->rng_order || !s->perm || !s->Xb
      || !s->yb || !s->ratio || !s->h || !s->tw) {
    train_state_free(s);
    return sb_fail(err, SB_EFAIL, "out of memory setting up a cell (depth %zu, width %zu)", p->depth, p->width);
  }
  gsl_rng_set(s->rng_init, train_seed(p->master_seed, p->seed_index, STREAM_INIT));
  gsl_rng_set(s->rng_order, train_seed(p->master_seed, p->seed_index, STREAM_ORDER));
  /* `critical` is N(0, sigma_w2 / fan_in) at this activation's edge of
   * chaos; the theory also predicts the cell's profile at init, from the
   * probe set's second moment (the tables set it beside the measurement). */
  s->spec = p->init;
  int rc = theory_resolve_init(s->tw, &p->act, &s->spec, err);
  if (!rc && r) {
    r->sigma_w2 = init_sigma_w2(&s->spec, p->width, p->width);
    r->sigma_b2 = init_bias_var(&s->spec);
  }
  if (!rc) rc = net_init_params(s->n, &s->spec, s->rng_init, err);
  /* Emulation: the master weights in fp32 from the start (net.h). */
  if (!rc && p->prec != PREC_FP64) {
    if (net_set_prec(s->n, p->prec)) rc = sb_fail(err, SB_EFAIL, "out of memory for the %s weights", prec_name(p->prec));
    else prec_round_vec(PREC_FP32, s->n->params, s->n->n_params, NULL);
  }
  if (p->loss_scale > 0.0) s->n->scale = p->loss_scale;
  /* Mean-field theory here is that of plain nets: with a norm or skip
   * connections the prediction stays NaN. */
  int plain = p->arch.norm == NORM_NONE && p->arch.res_stride == 0;
  if (!rc && r && plain) {
    double q0 = 0.0;
    for (size_t i = 0; i < np * dim; i++) q0 += d->probe.X[i] * d->probe.X[i];
    q0 /= (double)(np * dim);
    rc = theory_cell(s->tw, &p->act, &s->spec, dim, p->width, p->depth, q0, r->theory_ratio,
                     &r->theory_decay_rate, err);
    if (!rc && p->jacobian) r->jac_msv_theory = jac_theory_msv(s->tw, p, &s->spec, dim, q0);
  }
  if (!rc && p->jacobian) rc = jac_setup(s, p, r, err);
  if (rc) { train_state_free(s); return rc; }
  /* The default probe set is the first --probe-size examples of the
   * training evaluation subset (data_subsets draws both from one order):
   * then an evaluation's first chunk (the probe work's size) is the probe
   * set itself, and with the same forward arithmetic (no batch norm, whose
   * probe pass takes the batch's statistics) the probe pass already made
   * it, to the bit. */
  const data_subset *et = &d->eval_train;
  s->probe_leads_eval = p->arch.norm != NORM_BATCH && et->n >= np
                        && !memcmp(et->X, d->probe.X, np * dim * sizeof *et->X)
                        && !memcmp(et->y, d->probe.y, np * sizeof *et->y);
  for (size_t i = 0; i < d->n_train; i++) s->perm[i] = i;
  s->pwk->measure_da = 1;  /* the probe's backward passes measure dL/da^l (s->w's do not) */
  return SB_OK;
}

/* g / scale (exact for a power of two), rounded to fp32 when fp32 is the
 * master's format; whether every entry is finite. */
/* x[0..len) divided by a loss scale (times 1/scale: exact for a power of
 * two); nothing for scale 1. */
static void divide_scale(double *x, size_t len, double scale)
{
  if (scale == 1.0) return;
  double inv = 1.0 / scale;
  for (size_t i = 0; i < len; i++) x[i] *= inv;
}

static int unscale(double *g, size_t len, double scale, int to_fp32)
{
  int finite = 1;
  divide_scale(g, len, scale);
  if (to_fp32) prec_round_vec(PREC_FP32, g, len, NULL);
  for (size_t i = 0; i < len; i++) finite &= isfinite(g[i]) != 0;
  return finite;
}

double train_step(train_state *s, long t, int with_ratio)
{
  const dataset *d = s->d;
  size_t batch = s->p->batch, dim = d->dim, per_epoch = d->n_train / batch;
  size_t pos = (size_t)t % per_epoch;
  if (pos == 0) gsl_ran_shuffle(s->rng_order, s->perm, d->n_train, sizeof *s->perm);
  for (size_t i = 0; i < batch; i++) {
    size_t k = s->perm[pos * batch + i];
    memcpy(s->Xb + i * dim, d->X_train + k * dim, dim * sizeof *s->Xb);
    s->yb[i] = d->y_train[k];
  }
  double loss = net_forward_mode(s->n, s->w, s->Xb, s->yb, batch, NET_TRAIN);
  if (!isfinite(loss)) return loss;
  net_backward(s->n, s->w, s->Xb, s->yb, batch);
  if (s->n->prec != PREC_FP64 || s->n->scale != 1.0 || s->p->ls_dynamic) {
    /* Unscale into the fp32 master gradients (net.h); a dynamic scale
     * skips a step whose gradient is not finite and halves, and doubles
     * after ls_window finite steps in a row (prec.h). */
    net *n = s->n;
    int finite = unscale(n->grads, n->n_params, n->scale, n->prec != PREC_FP64);
    if (s->p->ls_dynamic) {
      if (!finite) {
        if (n->scale > PREC_DYN_MIN) n->scale *= 0.5;
        s->ls_good = 0;
        s->ls_skipped++;
        if (with_ratio) for (size_t l = 0; l < n->n_layers; l++) s->ratio[l] = 0.0;
        return loss;
      }
      if (++s->ls_good >= s->p->ls_window) {
        if (n->scale < PREC_DYN_MAX) n->scale *= 2.0;
        s->ls_good = 0;
      }
    }
  }
  opt_step(s->o, s->n, with_ratio ? s->ratio : NULL);
  return loss;
}

/* x's entries into a histogram of floor(log2|x|) (train_result.l2h's
 * bins: zero, inf, NaN, then the exponents from emin, nexp of them).
 * ilogb is exact for subnormals too; a value outside the range, which the
 * format's rounding never leaves, counts in the nearest end bin. */
static void l2h_count(const double *x, size_t len, int emin, size_t nexp, double *h)
{
  for (size_t i = 0; i < len; i++) {
    double v = x[i];
    if (v == 0.0) h[TRAIN_L2H_ZERO] += 1.0;
    else if (isnan(v)) h[TRAIN_L2H_NAN] += 1.0;
    else if (isinf(v)) h[TRAIN_L2H_INF] += 1.0;
    else {
      long e = (long)ilogb(v) - emin;
      h[TRAIN_L2H_EXP + (e < 0 ? 0 : (size_t)e >= nexp ? nexp - 1 : (size_t)e)] += 1.0;
    }
  }
}

double train_measure(train_state *s, const double *ratio, probe_row *rows)
{
  const data_subset *ps = &s->d->probe;
  net *n = s->n;
  net_work *w = s->pwk;
  /* An emulated net's probe counts what rounding does to its passes'
   * tensors (net_work.pc), and measures the gradient at the loss's own
   * scale: the scale is divided out of the errors and gradients it reads,
   * not rounded again (the counts saw the scaled values the format holds). */
  if (n->prec != PREC_FP64) {
    memset(w->pc, 0, n->n_layers * NET_NT * sizeof *w->pc);
    w->count_prec = 1;
  }
  double loss = net_forward(n, w, ps->X, ps->y, ps->n);
  if (isfinite(loss)) net_backward(n, w, ps->X, ps->y, ps->n);
  w->count_prec = 0;
  if (!isfinite(loss)) return loss;
  if (s->l2h_into) {   /* the errors and weight gradients the format holds: scaled, rounded */
    size_t per = TRAIN_L2H_EXP + s->l2h_nexp;
    memset(s->l2h_into, 0, n->n_layers * TRAIN_L2H_NT * per * sizeof *s->l2h_into);
    for (size_t l = 1; l <= n->n_layers; l++) {
      double *h = s->l2h_into + (l - 1) * TRAIN_L2H_NT * per;
      l2h_count(w->delta[l - 1], ps->n * n->fan_out[l - 1], s->l2h_emin, s->l2h_nexp, h + TRAIN_L2H_DELTA * per);
      l2h_count(net_dW(n, l), n->fan_in[l - 1] * n->fan_out[l - 1], s->l2h_emin, s->l2h_nexp,
                h + TRAIN_L2H_DW * per);
    }
  }
  if (n->scale != 1.0) {
    divide_scale(n->grads, n->n_params, n->scale);
    for (size_t l = 0; l < n->n_layers; l++) {
      divide_scale(w->delta[l], ps->n * n->fan_out[l], n->scale);
      if (w->du[l] != w->delta[l]) divide_scale(w->du[l], ps->n * n->fan_out[l], n->scale);
    }
    divide_scale(w->da_norm, n->depth, n->scale);
  }
  probe_measure(n, w, ps->n, s->p->tau, ratio, s->pw, rows);
  return loss;
}

/* Each layer's weight and bias gradient norms from the probe rows, then
 * the norms' gamma and beta (contiguous per layer), by hypot so that norms
 * of 1e-200 and 1e200 neither underflow nor overflow; a net without a
 * norm gets the bits of the weights and biases alone. */
double train_grad_norm(const train_state *s, const probe_row *rows)
{
  const net *n = s->n;
  double g = 0.0;
  for (size_t l = 0; l < n->n_layers; l++)
    g = hypot(hypot(g, rows[l].v[PROBE_GRAD_W_NORM]), rows[l].v[PROBE_GRAD_B_NORM]);
  if (n->arch.norm != NORM_NONE)
    for (size_t l = 1; l <= n->depth; l++) g = hypot(g, blas_nrm2(net_dgamma(n, l), 2 * n->width));
  return g;
}

/* The depth below the last hidden layer of the first layer whose error
 * entries are at least half zero, from the top down; NaN if none.  zero(l)
 * is layer l's fraction (l = 1..depth). */
static double flush_depth(size_t depth, const double *frac0)
{
  for (size_t l = depth; l >= 1; l--)
    if (frac0[((l - 1) * NET_NT + NET_T_DELTA) * TRAIN_PF + TRAIN_PF_ZERO] >= 0.5) return (double)(depth - l);
  return NAN;
}

/* The same predicted: the entries of delta^l taken as N(0, s_l^2), with
 * s_l the top hidden layer's measured rms error times the loss scale and
 * the mean-field profile's ratio down to l (theory_ratio); round to
 * nearest makes an entry 0 below half the smallest subnormal, so half of
 * them are 0 where theory_flush_frac >= 1/2: s_l <= (u / 2) / 0.67449 (the
 * median of |N(0, 1)|). */
double train_flush_depth_theory(const double *theory_ratio, size_t depth, double top_rms, double scale,
                                prec_kind prec)
{
  double u = prec_min_subnormal(prec);
  for (size_t l = depth; l >= 1; l--) {
    double sl = top_rms * scale * pow(10.0, theory_ratio[l - 1]);
    if (!isfinite(sl)) return NAN;
    if (theory_flush_frac(sl, u) >= 0.5) return (double)(depth - l);   /* the one formula: theory.h */
  }
  return NAN;
}

/* An emulated cell's probe: what rounding did to its tensors, the loss
 * scale, the skipped steps; at step 0 the measured and predicted flush
 * depths. */
static void prec_record(const train_state *s, const probe_row *rows, train_result *r)
{
  const net *n = s->n;
  double *f = r->prec_frac + r->n_logs * r->n_layers * NET_NT * TRAIN_PF;
  for (size_t i = 0; i < r->n_layers * NET_NT; i++) {
    const prec_count *c = &s->pwk->pc[i];
    double *o = f + i * TRAIN_PF;
    double nn = c->n > 0 ? c->n : NAN;
    o[TRAIN_PF_ZERO] = c->zero / nn;
    o[TRAIN_PF_UFLOW] = c->uflow / nn;
    o[TRAIN_PF_OFLOW] = c->oflow / nn;
    o[TRAIN_PF_SUBN] = c->subn / nn;
  }
  r->prec_scale[r->n_logs] = n->scale;
  r->prec_skipped[r->n_logs] = s->ls_skipped;
  if (r->n_logs == 0 && n->prec != PREC_FP64 && n->depth > 0) {
    r->flush_depth0 = flush_depth(n->depth, f);
    double top_rms = rows[n->depth - 1].v[PROBE_DELTA_NORM] / sqrt((double)(s->d->probe.n * n->width));
    r->flush_depth_theory = train_flush_depth_theory(r->theory_ratio, n->depth, top_rms, n->scale, n->prec);
  }
}

/* A probe at step t: the measurement and the learning curve's point, then
 * the histograms at the first probe and at the last step.  train_loss is
 * the mean batch loss since the previous probe.  Returns 0 when the probe
 * met a non-finite loss or value (the cell has diverged). */
static int probe_at(train_state *s, long t, const double *ratio, double train_loss, train_result *r)
{
  probe_row *rows = r->rows + r->n_logs * r->n_layers;
  const data_subset *ps = &s->d->probe;
  int take = r->hist_n < r->hist_cap
             && (s->p->hist_mode == TRAIN_HIST_ALL || r->n_logs == 0 || t == s->p->steps);
  /* the log2 histogram goes into the slot the histograms take below */
  s->l2h_into = take && r->l2h ? r->l2h + r->hist_n * l2h_per_slot(r) : NULL;
  s->l2h_emin = r->l2h_emin;
  s->l2h_nexp = r->l2h_nexp;
  double probe_loss = train_measure(s, ratio, rows);
  s->l2h_into = NULL;
  if (!isfinite(probe_loss)) return 0;
  /* examples of the training evaluation the probe pass has made, and their hits */
  size_t seen = s->probe_leads_eval ? ps->n : 0;
  size_t probe_hits = seen ? net_correct(s->n, s->pwk, ps->y, ps->n) : 0;
  for (size_t l = 0; l < r->n_layers; l++)
    for (int k = 0; k < PROBE_NCOLS; k++)
      if (isnan(rows[l].v[k]) && !probe_cols[k].nan_ok) return 0;
  /* The spectra and the histograms read the probe pass's buffers, so they
   * come before the evaluations reuse them.  Histograms cost a quarter of
   * a training step: by default (ends) only the first probe and the last
   * step have them, and a cell that diverges keeps only its first. */
  if (s->jw && r->jac_n < r->jac_cap && (t == 0 || !s->p->jacobian_init_only)) {
    double *sv = r->jac_sv + r->jac_n * r->jac_inputs * r->jac_nsv;
    for (size_t i = 0; i < r->jac_inputs; i++)
      if (jac_singular_values(s->n, s->pwk, i, s->jw, sv + i * r->jac_nsv) != SB_OK) return 0;
    r->jac_steps[r->jac_n++] = t;
  }
  const net *n = s->n;
  if (take) {
    size_t per_slot = n->depth * 2 * PROBE_HIST_BINS, slot = r->hist_n++;
    probe_hist(n, s->pwk, s->d->probe.n, s->pw, s->h, r->hist + slot * per_slot, r->hist_range + 4 * slot);
    r->hist_step[slot] = t;
  }
  double *c = r->curves + r->n_logs * CURVE_NCOLS;
  const dataset *d = s->d;
  c[CURVE_TRAIN_LOSS] = train_loss;
  c[CURVE_GRAD_NORM] = train_grad_norm(s, rows);
  evaluate_from(s, d->eval_train.X, d->eval_train.y, d->eval_train.n, seen, probe_loss * (double)seen, probe_hits,
                &c[CURVE_EVAL_TRAIN_LOSS], &c[CURVE_EVAL_TRAIN_ACC]);
  train_evaluate(s, d->eval_test.X, d->eval_test.y, d->eval_test.n, &c[CURVE_EVAL_TEST_LOSS],
                 &c[CURVE_EVAL_TEST_ACC]);
  if (!isfinite(c[CURVE_EVAL_TRAIN_LOSS]) || !isfinite(c[CURVE_EVAL_TEST_LOSS])) return 0;
  if (r->emulated) prec_record(s, rows, r);
  r->log_steps[r->n_logs++] = t;
  return 1;
}

/* The best constant prediction, fitted on the training split: its loss
 * there, with the class shares p_k for cross-entropy (the label entropy,
 * not ln C: the classes of a task need not be balanced) and for 1/2
 * squared error (1/2 sum_k p_k (1 - p_k)); and its error on the test
 * split, predicting the commonest training class (the first of a tie). */
void train_chance_levels(const dataset *d, loss_kind loss, double *chance_loss, double *chance_error)
{
  size_t *count = calloc(d->classes, sizeof *count);
  *chance_loss = *chance_error = NAN;
  if (!count) return;
  for (size_t i = 0; i < d->n_train; i++) count[d->y_train[i]]++;
  double c = 0.0;
  size_t top = 0;
  for (size_t k = 0; k < d->classes; k++) {
    double pk = (double)count[k] / (double)d->n_train;
    if (pk > 0) c += loss == LOSS_XENT ? -pk * log(pk) : 0.5 * pk * (1.0 - pk);
    if (count[k] > count[top]) top = k;
  }
  size_t hit = 0;
  for (size_t i = 0; i < d->n_test; i++) hit += (size_t)d->y_test[i] == top;
  *chance_loss = c;
  *chance_error = d->n_test ? 1.0 - (double)hit / (double)d->n_test : NAN;
  free(count);
}

/* Whether rounding, not the arithmetic of the net, zeroed the gradient
 * that reaches the first hidden layer at the last probe: at least
 * TRAIN_FLUSH_FRAC of its weight-gradient entries are 0, and some layer's
 * error (delta) or weight gradient lost at least TRAIN_FLUSH_FRAC of its
 * nonzero entries to rounding (dead ReLUs' exact zeros are no flush). */
static int flushed_at_end(const train_result *r)
{
  const double *f = r->prec_frac + (r->n_logs - 1) * r->n_layers * NET_NT * TRAIN_PF;
  if (!(f[NET_T_DW * TRAIN_PF + TRAIN_PF_ZERO] >= TRAIN_FLUSH_FRAC)) return 0;
  for (size_t l = 0; l < r->n_layers; l++)
    for (int t = NET_T_DA; t <= NET_T_DW; t++) {
      const double *v = f + (l * NET_NT + t) * TRAIN_PF;
      double nonzero = 1.0 - (v[TRAIN_PF_ZERO] - v[TRAIN_PF_UFLOW]);   /* share not 0 before rounding */
      if (nonzero > 0.0 && v[TRAIN_PF_UFLOW] >= TRAIN_FLUSH_FRAC * nonzero) return 1;
    }
  return 0;
}

/* The order of train.h: exploded, flushed, frozen, vanished, stalled. */
int train_status_at_end(const train_result *r, size_t depth)
{
  if (r->n_logs < 2 || r->steps_done == 0) return TRAIN_OK;
  const probe_row *last = r->rows + (r->n_logs - 1) * r->n_layers;
  double l1 = r->curves[(r->n_logs - 1) * CURVE_NCOLS + CURVE_EVAL_TRAIN_LOSS];
  if (l1 > TRAIN_EXPLODE_FACTOR * r->chance_loss) return TRAIN_EXPLODED;
  int frozen = 1;
  for (size_t l = 0; l < depth; l++)
    frozen &= last[l].v[PROBE_GRAD_W_NORM] == 0.0 && last[l].v[PROBE_GRAD_B_NORM] == 0.0;
  int stalled = l1 > (1.0 - TRAIN_STALL_GAIN) * r->chance_loss;
  if ((frozen || stalled) && r->prec_frac && depth > 0 && flushed_at_end(r)) return TRAIN_FLUSHED;
  if (frozen) return TRAIN_FROZEN;
  if (!stalled) return TRAIN_OK;
  /* the error has to cross every layer to reach the first */
  double g1 = hypot(last[0].v[PROBE_GRAD_W_NORM], last[0].v[PROBE_GRAD_B_NORM]);
  return depth > 0 && g1 <= TRAIN_VANISH_RES * last[0].v[PROBE_WEIGHT_NORM] ? TRAIN_VANISHED : TRAIN_STALLED;
}

long train_loop(const train_params *p, train_result *r, void *state, double (*step)(void *, long, int),
                int (*probe)(void *, long, int, double, train_result *))
{
  if (!probe(state, 0, 0, NAN, r)) r->status = TRAIN_DIVERGED;
  long t = 0, since = 0;
  double loss_sum = 0.0;
  for (; t < p->steps && r->status == TRAIN_OK; t++) {
    if (p->stop && atomic_load_explicit(p->stop, memory_order_relaxed)) { r->status = TRAIN_STOPPED; break; }
    int log_next = train_is_log_step(t + 1, p->steps, p->log_every, p->log_schedule);
    double loss = step(state, t, log_next);
    if (!isfinite(loss)) { r->status = TRAIN_DIVERGED; break; }
    loss_sum += loss;
    since++;
    if (log_next) {
      if (!probe(state, t + 1, 1, loss_sum / (double)since, r)) {
        r->status = TRAIN_DIVERGED;
        t++;
        break;
      }
      loss_sum = 0.0;
      since = 0;
    }
  }
  return t;
}

static double mlp_step(void *s, long t, int with_ratio) { return train_step(s, t, with_ratio); }
static int mlp_probe(void *v, long t, int after_step, double train_loss, train_result *r)
{
  train_state *s = v;
  return probe_at(s, t, after_step ? s->ratio : NULL, train_loss, r);
}

int train_cell(const train_params *p, const dataset *d, train_result *r, sb_error *err)
{
  if (rnn_arch_recurrent(p->cell_arch)) return train_rnn_cell(p, d, r, err);
  train_state s;
  int rc = train_state_init(&s, p, d, r, err);
  if (rc) return rc;
  r->status = TRAIN_OK;
  train_chance_levels(d, p->loss, &r->chance_loss, &r->chance_error);
  r->steps_done = train_loop(p, r, &s, mlp_step, mlp_probe);
  /* A diverged cell's weights are those after the divergence: no final
   * metrics from them (they stay NaN), so that an average that forgets to
   * filter on status cannot take them for results. */
  if (r->status == TRAIN_OK) {
    train_evaluate(&s, d->X_train, d->y_train, d->n_train, &r->final_loss, &r->final_train_acc);
    double test_loss;
    train_evaluate(&s, d->X_test, d->y_test, d->n_test, &test_loss, &r->final_test_acc);
    if (!isfinite(r->final_loss)) {
      r->status = TRAIN_DIVERGED;
      r->final_loss = r->final_train_acc = r->final_test_acc = NAN;
    } else r->status = train_status_at_end(r, p->depth);
    r->success = r->final_test_acc;
  }
  train_state_free(&s);
  return SB_OK;
}
