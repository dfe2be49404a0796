/* trainrnn.c - one recurrent cell (train.h's train_rnn_cell): the cells of
 * rnn.h trained by BPTT on whole mini-batches, with the grid's optimizers,
 * schedule and statuses, probed in time.  A sequence is an example's
 * features read as steps: the sequence tasks' own (data.h's seq_len,
 * seq_in, stored right-aligned with a start per example), or any other
 * dataset's dim features as T = depth steps of dim / T each (row-
 * sequential images).  The probe rows are the last T steps, where every
 * example is real (the manual, "Recurrent cells"). */
#include <config.h>
#include "train.h"

#include "blas.h"
#include "probe.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

/* A split or subset seen as sequences. */
typedef struct seqv {
  size_t n;
  const double *X;       /* (n, T_all, n_in) */
  const int *y;          /* (n) */
  const double *t;       /* (n, n_out) real targets, or NULL */
  const size_t *start;   /* (n) first real step, or NULL: all full length */
} seqv;

typedef struct rstate {
  const train_params *p;
  const dataset *d;
  rnn *r;
  rnn_work *w, *pw;       /* a training batch's; the probe set's (also the evaluations' chunks) */
  opt_state *o;
  probe_work *pu;
  gsl_rng *rng_init, *rng_order;
  size_t *perm, *sb;
  double *Xb, *tb, *gw;   /* the batch; gw (H, G H): one step's share of dL/dW_hh */
  int *yb;
  size_t T_all, n_in, T, n_out, blk;   /* blk: the phi block's index among the gates */
  double ratio[2];        /* update ratios of W_hh and W_out at the last logged step */
  double *hh;             /* (H, H) scratch for the spectra */
  double *ubuf;           /* (3 probe n H + G H): the phi units' outputs, inputs, slopes; column sums */
} rstate;

static seqv view_train(const dataset *d)
{
  return (seqv){ d->n_train, d->X_train, d->y_train, d->t_train, d->start_train };
}
static seqv view_test(const dataset *d)
{
  return (seqv){ d->n_test, d->X_test, d->y_test, d->t_test, d->start_test };
}
static seqv view_subset(const data_subset *s)
{
  return (seqv){ s->n, s->X, s->y, s->t, s->start };
}

static void rstate_free(rstate *s)
{
  rnn_free(s->r);
  rnn_work_free(s->w);
  rnn_work_free(s->pw);
  opt_free(s->o);
  probe_work_free(s->pu);
  if (s->rng_init) gsl_rng_free(s->rng_init);
  if (s->rng_order) gsl_rng_free(s->rng_order);
  free(s->perm);
  free(s->sb);
  free(s->Xb);
  free(s->tb);
  free(s->gw);
  free(s->yb);
  free(s->hh);
  free(s->ubuf);
  memset(s, 0, sizeof *s);
}

/* The spectral radius and largest singular value of W_hh's phi block
 * (H, H) (LAPACK dgeev, dgesdd; NaN if either fails). */
static void hh_spectrum(rstate *s, double *rho, double *sigma)
{
  const rnn *r = s->r;
  size_t H = r->hidden, GH = r->n_gates * H;
  const double *W = rnn_W_hh(r) + s->blk * H;
  double *a = s->hh, *wr = s->hh + H * H, *wi = wr + H;
  *rho = *sigma = NAN;
  for (size_t i = 0; i < H; i++)   /* column-major copy of the block */
    for (size_t j = 0; j < H; j++) a[j * H + i] = W[i * GH + j];
  lapack_int n = (lapack_int)H;
  if (LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'N', n, a, n, wr, wi, NULL, 1, NULL, 1) == 0) {
    double m = 0.0;
    for (size_t i = 0; i < H; i++) m = fmax(m, hypot(wr[i], wi[i]));
    *rho = m;
  }
  for (size_t i = 0; i < H; i++)
    for (size_t j = 0; j < H; j++) a[j * H + i] = W[i * GH + j];
  if (LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', n, n, a, n, wr, NULL, 1, NULL, 1) == 0) *sigma = wr[0];
}

static int rstate_init(rstate *s, const train_params *p, const dataset *d, train_result *r, sb_error *err)
{
  memset(s, 0, sizeof *s);
  s->p = p;
  s->d = d;
  s->T = p->depth;
  if (d->seq_len) {
    s->T_all = d->seq_len;
    s->n_in = d->seq_in;
    if (s->T > s->T_all)
      return sb_fail(err, SB_EUSAGE, "--depths: %zu steps, but the sequences have %zu", s->T, s->T_all);
  } else {
    if (s->T == 0 || d->dim % s->T)
      return sb_fail(err, SB_EUSAGE, "--depths: a recurrent cell reads the %zu features of an example as "
                     "depth steps, and %zu does not divide %zu", d->dim, s->T, d->dim);
    s->T_all = s->T;
    s->n_in = d->dim / s->T;
  }
  s->n_out = d->n_out ? d->n_out : d->classes;
  size_t B = p->batch, np = d->probe.n, H = p->width;
  if (B == 0 || B > d->n_train)
    return sb_fail(err, SB_EUSAGE, "--batch: %zu must be between 1 and the training split's size", B);
  if (np == 0) return sb_fail(err, SB_EUSAGE, "--probe-size: the probe set is empty");
  if (d->t_train && p->loss != LOSS_MSE)
    return sb_fail(err, SB_EUSAGE, "--losses: the task's targets are real numbers; it needs mse");
  rnn_cell cell = rnn_arch_cell(p->cell_arch);
  const rnn_cell_info *ci = rnn_cell_info_of(cell);
  s->blk = ci->n_sigmoid;
  s->r = rnn_alloc(cell, s->n_in, H, s->n_out, p->act, p->loss);
  s->w = s->r ? rnn_work_alloc(s->r, B, s->T_all) : NULL;
  s->pw = s->r ? rnn_work_alloc(s->r, np, s->T_all) : NULL;
  s->o = s->r ? opt_alloc(p->opt, p->lr, s->r->n_params) : NULL;
  s->pu = probe_work_alloc_width(np, H > s->n_out ? H : s->n_out);
  s->rng_init = gsl_rng_alloc(gsl_rng_mt19937);
  s->rng_order = gsl_rng_alloc(gsl_rng_mt19937);
  s->perm = malloc(d->n_train * sizeof *s->perm);
  s->sb = malloc(B * sizeof *s->sb);
  s->Xb = malloc(B * s->T_all * s->n_in * sizeof *s->Xb);
  s->tb = malloc(B * s->n_out * sizeof *s->tb);
  s->gw = malloc(H * ci->n_gates * H * sizeof *s->gw);
  s->yb = malloc(B * sizeof *s->yb);
  s->hh = malloc((H * H + 2 * H) * sizeof *s->hh);
  s->ubuf = malloc((3 * np * H + ci->n_gates * H) * sizeof *s->ubuf);
  if (!s->ubuf || !s->r || !s->w || !s->pw || !s->o || !s->pu || !s->rng_init || !s->rng_order || !s->perm || !s->sb || !s->Xb
      || !s->tb || !s->gw || !s->yb || !s->hh) {
    size_t T = s->T_all;
    rstate_free(s);
    return sb_fail(err, SB_EFAIL, "out of memory setting up a %s cell (%zu steps, hidden %zu)", ci->name, T, H);
  }
  gsl_rng_set(s->rng_init, train_seed(p->master_seed, p->seed_index, STREAM_INIT));
  gsl_rng_set(s->rng_order, train_seed(p->master_seed, p->seed_index, STREAM_ORDER));
  /* The probe set's mean x^2 per input over the last T steps (all real):
   * the mean-field theory's q0. */
  const data_subset *ps = &d->probe;
  double q0 = 0.0;
  size_t off = s->T_all - s->T;
  for (size_t i = 0; i < np; i++)
    for (size_t k = off * s->n_in; k < s->T_all * s->n_in; k++) {
      double x = ps->X[i * s->T_all * s->n_in + k];
      q0 += x * x;
    }
  q0 /= (double)(np * s->T * s->n_in);
  /* The init axis draws W_hh; W_xh and the readout take the same scheme,
   * but for an identity W_hh (IRNN), whose inputs Le et al. (2015) draw
   * small: N(0, 0.001^2), and for critical, whose W_xh is meanfield:1:SB2
   * (input variance q0 per unit, the biases' SB2) and whose W_hh sits at
   * the recurrent edge of chaos: chi_1 = 1 at the fixed point of the
   * length map with the input entering every step, sigma_b2 + q0
   * (theory_critical with q0 = 0: the map has no first layer). */
  rnn_hh_spec hh = { 0, NAN, p->init };
  init_spec xh = p->init;
  if (p->init.kind == INIT_IDENTITY) {
    hh.identity = 1;
    hh.scale = isnan(p->init.param) ? 1.0 : p->init.param;
    xh = (init_spec){ INIT_NORMAL, 0.001, NAN };
  }
  theory_work *tw = theory_alloc();
  int rc = tw ? SB_OK : sb_fail(err, SB_EFAIL, "out of memory for the theory");
  if (!rc && p->init.kind == INIT_CRITICAL) {
    xh = (init_spec){ INIT_MEANFIELD, p->init.param, 1.0 };
    rc = theory_critical(tw, &p->act, p->init.param + q0, 0.0, &hh.spec.sigma_w2, err);
  } else if (!rc && !hh.identity) {
    rc = theory_resolve_init(tw, &p->act, &hh.spec, err);
    xh = hh.spec;
  }
  if (!rc && r) {
    r->sigma_w2 = hh.identity ? hh.scale * hh.scale : init_sigma_w2(&hh.spec, H, H);
    r->sigma_b2 = hh.identity ? 0.0 : init_bias_var(&xh);
  }
  /* The prediction at init: the Elman cell's untied mean field (theory.h),
   * per step t = 1..T as the probe rows; NaN for the gated cells and an
   * identity W_hh, where it does not hold. */
  if (!rc && r && cell == RNN_ELMAN && !hh.identity) {
    double *ratio = malloc((s->T + 1) * sizeof *ratio);
    if (!ratio) rc = sb_fail(err, SB_EFAIL, "out of memory for the theory");
    double decay;
    if (!rc) rc = theory_rnn_cell(tw, &p->act, &xh, &hh.spec, 0, s->n_in, H, s->T, q0, ratio, &decay, err);
    if (!rc) {
      for (size_t t = 1; t <= s->T; t++) r->theory_ratio[t - 1] = ratio[t];
      r->theory_decay_rate = theory_decay_rate(r->theory_ratio, s->T);
    }
    free(ratio);
  }
  if (!rc) rc = rnn_init_params(s->r, &xh, &hh, cell == RNN_LSTM ? p->forget_bias : 0.0, s->rng_init, err);
  theory_free(tw);
  if (rc) { rstate_free(s); return rc; }
  for (size_t i = 0; i < d->n_train; i++) s->perm[i] = i;
  return SB_OK;
}

/* Whether example i of v (row chunk_row of the last pass on w) meets the
 * task's criterion: every output within success_tol of its target, or
 * the argmax its label. */
static int success_row(const rstate *s, const rnn_work *w, const seqv *v, size_t chunk_row, size_t i)
{
  const double *z = w->z + chunk_row * s->n_out;
  if (s->d->success_tol > 0.0 && v->t) {
    for (size_t j = 0; j < s->n_out; j++)
      if (!(fabs(z[j] - v->t[i * s->n_out + j]) < s->d->success_tol)) return 0;
    return 1;
  }
  size_t best = 0;
  for (size_t j = 1; j < s->n_out; j++) if (z[j] > z[best]) best = j;
  return best == (size_t)v->y[i];
}

/* The mean loss and the share of successes over v, in chunks of the
 * probe work's size. */
static void evaluate(rstate *s, const seqv *v, double *loss, double *succ)
{
  size_t cap = s->pw->cap, per = s->T_all * s->n_in, hits = 0;
  double sum = 0.0;
  for (size_t i0 = 0; i0 < v->n; i0 += cap) {
    size_t m = v->n - i0 < cap ? v->n - i0 : cap;
    double l = rnn_forward(s->r, s->pw, v->X + i0 * per, v->start ? v->start + i0 : NULL, v->y + i0,
                           v->t ? v->t + i0 * s->n_out : NULL, m, s->T_all);
    sum += l * (double)m;
    for (size_t i = 0; i < m; i++) hits += (size_t)success_row(s, s->pw, v, i, i0 + i);
  }
  *loss = v->n ? sum / (double)v->n : NAN;
  *succ = v->n ? (double)hits / (double)v->n : NAN;
}

static double rstep(rstate *s, long t, int with_ratio)
{
  const dataset *d = s->d;
  size_t B = s->p->batch, per_epoch = d->n_train / B, pos = (size_t)t % per_epoch;
  size_t per = s->T_all * s->n_in, no = s->n_out;
  if (pos == 0) gsl_ran_shuffle(s->rng_order, s->perm, d->n_train, sizeof *s->perm);
  for (size_t i = 0; i < B; i++) {
    size_t k = s->perm[pos * B + i];
    memcpy(s->Xb + i * per, d->X_train + k * per, per * sizeof *s->Xb);
    s->yb[i] = d->y_train[k];
    if (d->t_train) memcpy(s->tb + i * no, d->t_train + k * no, no * sizeof *s->tb);
    if (d->start_train) s->sb[i] = d->start_train[k];
  }
  const size_t *st = d->start_train ? s->sb : NULL;
  const double *tg = d->t_train ? s->tb : NULL;
  double loss = rnn_forward(s->r, s->w, s->Xb, st, s->yb, tg, B, s->T_all);
  if (!isfinite(loss)) return loss;
  rnn_backward(s->r, s->w, st, s->yb, tg, B, s->T_all);
  if (s->p->clip > 0.0) rnn_clip(s->r->grads, s->r->n_params, s->p->clip);
  rnn *r = s->r;
  size_t H = r->hidden, GH = r->n_gates * H;
  const size_t roff[2] = { r->w_hh, r->w_out }, rlen[2] = { H * GH, H * no };
  opt_step_vec(s->o, r->params, r->grads, r->n_params, roff, rlen, 2, with_ratio ? s->ratio : NULL);
  return loss;
}

/* The probe rows of the pass on the probe set just made (rnn_work pw):
 * rows[t - 1] of the last T steps, rows[T] the readout; the gates. */
static void measure(rstate *s, const seqv *v, double *gates, probe_row *rows, int with_ratio)
{
  const rnn *r = s->r;
  const rnn_work *w = s->pw;
  size_t B = v->n, H = r->hidden, G = r->n_gates, GH = G * H, no = s->n_out, off = s->T_all - s->T;
  double whh = blas_nrm2(rnn_W_hh(r), H * GH), wout = blas_nrm2(rnn_W_out(r), H * no);
  double dmax_sig = 0.25;
  for (size_t l = 1; l <= s->T; l++) {
    size_t st = off + l;   /* rnn.c's step, 1-based */
    double *val = rows[l - 1].v;
    const double *dp = w->dpre + (st - 1) * B * GH, *dq = w->dgh + (st - 1) * B * GH;
    const double *hprev = w->hs + (st - 1) * B * H, *h = w->hs + st * B * H;
    blas_gemm(1, 0, H, GH, B, 1.0, hprev, dq, 0.0, s->gw);
    val[PROBE_GRAD_W_NORM] = blas_nrm2(s->gw, H * GH);
    double *phi = s->ubuf, *pre = phi + B * H, *dphi = pre + B * H, *cs = dphi + B * H;
    /* column sums of dp: the step's share of db */
    memset(cs, 0, GH * sizeof *cs);
    for (size_t i = 0; i < B; i++)
      for (size_t j = 0; j < GH; j++) cs[j] += dp[i * GH + j];
    val[PROBE_GRAD_B_NORM] = blas_nrm2(cs, GH);
    val[PROBE_DELTA_NORM] = blas_nrm2(dp, B * GH);
    val[PROBE_STREAM_GRAD_NORM] = w->dh_norm[st];
    /* phi's units: the candidate block (Elman: the state itself) */
    const double *a = w->pre + (st - 1) * B * GH, *dg = w->dgate + (st - 1) * B * GH;
    for (size_t i = 0; i < B; i++) {
      memcpy(pre + i * H, a + i * GH + s->blk * H, H * sizeof *pre);
      memcpy(dphi + i * H, dg + i * GH + s->blk * H, H * sizeof *dphi);
    }
    /* the units' outputs phi(pre): for the recurrent candidate, by the
     * activation itself (the gated cells keep them in gate) */
    if (w->gate) for (size_t i = 0; i < B; i++) memcpy(phi + i * H, w->gate + (st - 1) * B * GH + i * GH + s->blk * H, H * sizeof *phi);
    else memcpy(phi, h, B * H * sizeof *phi);
    probe_units(&r->act, s->p->tau, phi, pre, dphi, B, H, s->pu, val);
    val[PROBE_STREAM_RMS] = blas_nrm2(h, B * H) / sqrt((double)(B * H));
    const double *up = st < s->T_all ? w->dpre + st * B * GH : w->dz;
    val[PROBE_DELTA_GAIN] = probe_gain_mean(dp, GH, up, st < s->T_all ? GH : no, B);
    val[PROBE_UPDATE_RATIO] = with_ratio ? s->ratio[0] : NAN;
    val[PROBE_WEIGHT_NORM] = whh;
    /* the sigmoid gates */
    for (size_t k = 0; k < s->blk && gates; k++) {
      double low = 0, high = 0, mean = 0, slope = 0;
      for (size_t i = 0; i < B; i++) {
        const double *gv = w->gate + (st - 1) * B * GH + i * GH + k * H, *dv = w->dgate + (st - 1) * B * GH + i * GH + k * H;
        for (size_t j = 0; j < H; j++) {
          low += gv[j] < TRAIN_GATE_LO;
          high += gv[j] > TRAIN_GATE_HI;
          mean += gv[j];
          slope += dv[j];
        }
      }
      double m = (double)(B * H), *o = gates + ((l - 1) * s->blk + k) * TRAIN_GATE;
      o[TRAIN_GATE_LOW] = low / m;
      o[TRAIN_GATE_HIGH] = high / m;
      o[TRAIN_GATE_MEAN] = mean / m;
      o[TRAIN_GATE_SLOPE] = slope / m / dmax_sig;
    }
  }
  /* The readout: linear, as a net's output layer. */
  double *val = rows[s->T].v;
  const double *gr = r->grads;
  val[PROBE_GRAD_W_NORM] = blas_nrm2(gr + r->w_out, H * no);
  val[PROBE_GRAD_B_NORM] = blas_nrm2(gr + r->b_out, no);
  val[PROBE_DELTA_NORM] = val[PROBE_STREAM_GRAD_NORM] = blas_nrm2(w->dz, B * no);
  probe_units(&r->act, s->p->tau, w->z, w->z, NULL, B, no, s->pu, val);   /* linear: as a net's output row */
  val[PROBE_DELTA_GAIN] = NAN;
  val[PROBE_UPDATE_RATIO] = with_ratio ? s->ratio[1] : NAN;
  val[PROBE_WEIGHT_NORM] = wout;
}

/* A probe at step t (train.c's probe_at for a recurrent cell). */
static int rprobe(rstate *s, long t, int with_ratio, double train_loss, train_result *r)
{
  const dataset *d = s->d;
  seqv pv = view_subset(&d->probe);
  probe_row *rows = r->rows + r->n_logs * r->n_layers;
  double loss = rnn_forward(s->r, s->pw, pv.X, pv.start, pv.y, pv.t, pv.n, s->T_all);
  if (!isfinite(loss)) return 0;
  rnn_backward(s->r, s->pw, pv.start, pv.y, pv.t, pv.n, s->T_all);
  double gnorm = blas_nrm2(s->r->grads, s->r->n_params);
  measure(s, &pv, r->gates ? r->gates + r->n_logs * s->T * r->n_gates * TRAIN_GATE : NULL, rows, with_ratio);
  for (size_t l = 0; l < r->n_layers; l++)
    for (int k = 0; k < PROBE_NCOLS; k++)
      if (isnan(rows[l].v[k]) && !probe_cols[k].nan_ok) return 0;
  double *c = r->curves + r->n_logs * CURVE_NCOLS;
  c[CURVE_TRAIN_LOSS] = train_loss;
  c[CURVE_GRAD_NORM] = gnorm;
  seqv et = view_subset(&d->eval_train), ee = view_subset(&d->eval_test);
  evaluate(s, &et, &c[CURVE_EVAL_TRAIN_LOSS], &c[CURVE_EVAL_TRAIN_ACC]);
  evaluate(s, &ee, &c[CURVE_EVAL_TEST_LOSS], &c[CURVE_EVAL_TEST_ACC]);
  if (!isfinite(c[CURVE_EVAL_TRAIN_LOSS]) || !isfinite(c[CURVE_EVAL_TEST_LOSS])) return 0;
  r->log_steps[r->n_logs++] = t;
  return 1;
}

/* The chance levels of a task with real targets: the training mean's loss
 * 1/2 sum_j Var(t_j) there, and its test error, the share of test
 * examples it misses by the task's tolerance. */
static void chance_regression(const dataset *d, size_t no, double *chance_loss, double *chance_error)
{
  size_t miss = 0;
  double *mean = calloc(no, sizeof *mean);
  if (!mean) { *chance_loss = *chance_error = NAN; return; }
  for (size_t i = 0; i < d->n_train; i++)
    for (size_t j = 0; j < no; j++) mean[j] += d->t_train[i * no + j] / (double)d->n_train;
  for (size_t i = 0; i < d->n_test; i++) {
    int ok = 1;
    for (size_t j = 0; j < no; j++) ok &= fabs(d->t_test[i * no + j] - mean[j]) < d->success_tol;
    miss += !ok;
  }
  *chance_loss = data_chance_mse(d);
  *chance_error = d->n_test ? (double)miss / (double)d->n_test : NAN;
  free(mean);
}

static double loop_step(void *s, long t, int with_ratio) { return rstep(s, t, with_ratio); }
static int loop_probe(void *s, long t, int after_step, double train_loss, train_result *r)
{
  return rprobe(s, t, after_step, train_loss, r);
}

int train_rnn_cell(const train_params *p, const dataset *d, train_result *r, sb_error *err)
{
  rstate s;
  int rc = rstate_init(&s, p, d, r, err);
  if (rc) return rc;
  r->status = TRAIN_OK;
  if (d->t_train) chance_regression(d, s.n_out, &r->chance_loss, &r->chance_error);
  else train_chance_levels(d, p->loss, &r->chance_loss, &r->chance_error);
  r->gamma = act_deriv_max(&p->act);
  hh_spectrum(&s, &r->hh_rho[0], &r->hh_sigma[0]);
  r->steps_done = train_loop(p, r, &s, loop_step, loop_probe);
  if (r->status == TRAIN_OK) {
    seqv tr = view_train(d), te = view_test(d);
    double test_loss;
    evaluate(&s, &tr, &r->final_loss, &r->final_train_acc);
    evaluate(&s, &te, &test_loss, &r->final_test_acc);
    r->success = r->final_test_acc;
    hh_spectrum(&s, &r->hh_rho[1], &r->hh_sigma[1]);
    if (!isfinite(r->final_loss)) {
      r->status = TRAIN_DIVERGED;
      r->final_loss = r->final_train_acc = r->final_test_acc = r->success = NAN;
    } else r->status = train_status_at_end(r, p->depth);
  }
  rstate_free(&s);
  return SB_OK;
}
