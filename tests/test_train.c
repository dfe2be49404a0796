/* test_train.c - one cell end to end (train.h): a small ReLU net learns a
 * Gaussian teacher task; the log schedule; determinism; probing does not
 * change training; a diverging cell is recorded, not a crash; and the
 * cell's random streams (train_seed). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "train.h"
#include "tap.h"

static const unsigned long MASTER = 2385UL;

static void die(const char *what)
{
  tap_ok(0, "%s", what);
  exit(tap_done());
}

static train_params base_params(void)
{
  train_params p;
  sb_error err;
  memset(&p, 0, sizeof p);
  if (act_parse("relu", &p.act, &err) != SB_OK || init_parse("he_normal", &p.init, &err) != SB_OK)
    die(err.msg);
  p.depth = 3;
  p.width = 64;
  p.master_seed = MASTER;
  p.seed_index = 0;
  p.batch = 32;
  p.steps = 600;
  p.lr = 0.05;
  p.opt = OPT_SGD;
  p.loss = LOSS_XENT;
  p.log_every = 100;
  p.tau = 0.05;
  return p;
}

/* Run a cell that must not fail (it may diverge). */
static void run(const train_params *p, const dataset *d, train_result *r)
{
  sb_error err;
  sb_error_clear(&err);
  if (train_result_init(r, p) != SB_OK) die("train_result_init: out of memory");
  if (train_cell(p, d, r, &err) != SB_OK) die(err.msg);
}

static int same_rows(const train_result *a, const train_result *b)
{
  return a->n_logs == b->n_logs && a->n_layers == b->n_layers
         && memcmp(a->log_steps, b->log_steps, a->n_logs * sizeof(long)) == 0
         && memcmp(a->rows, b->rows, a->n_logs * a->n_layers * sizeof(probe_row)) == 0;
}

static int same_finals(const train_result *a, const train_result *b)
{
  return a->status == b->status && a->steps_done == b->steps_done
         && a->final_loss == b->final_loss && a->final_train_acc == b->final_train_acc
         && a->final_test_acc == b->final_test_acc;
}

/* Index of the log taken at `step`, or -1. */
static long log_at(const train_result *r, long step)
{
  for (size_t i = 0; i < r->n_logs; i++) if (r->log_steps[i] == step) return (long)i;
  return -1;
}

static const probe_row *rows_of(const train_result *r, size_t log)
{
  return r->rows + log * r->n_layers;
}

int main(void)
{
  sb_error err;
  data_spec spec = { .kind = DATA_GAUSSIAN, .input_dim = 16, .classes = 4, .train_size = 2048, .test_size = 512 };
  dataset *d = data_alloc(&spec, train_seed(MASTER, 0, STREAM_DATASET), &err);
  if (!d || data_subsets(d, DATA_SPLIT_TRAIN, 256, 512, train_seed(MASTER, 0, STREAM_SUBSETS), &err)) die(err.msg);
  train_params p = base_params();
  train_result r0, r1, r2;

  /* ---- learning ----------------------------------------------------- */
  train_params p0 = p;
  p0.steps = 0;
  run(&p0, d, &r0);
  tap_ok(r0.status == TRAIN_OK && r0.steps_done == 0 && r0.n_logs == 1 && r0.log_steps[0] == 0,
         "steps 0: status %d, steps_done %ld, %zu log(s) at step %ld (expected ok, 0, 1, 0)",
         r0.status, r0.steps_done, r0.n_logs, r0.n_logs ? r0.log_steps[0] : -1L);

  run(&p, d, &r1);
  tap_diag("relu/he_normal depth 3 width 64, sgd lr 0.05 batch 32: loss %.6f at step 0, "
           "%.6f after 600 steps; train acc %.4f -> %.4f, test acc %.4f -> %.4f",
           r0.final_loss, r1.final_loss, r0.final_train_acc, r1.final_train_acc,
           r0.final_test_acc, r1.final_test_acc);
  tap_ok(r1.status == TRAIN_OK && r1.steps_done == 600, "600 steps: status %d steps_done %ld",
         r1.status, r1.steps_done);
  tap_ok(isfinite(r0.final_loss) && r1.final_loss < 0.5 * r0.final_loss,
         "training loss %.6f after 600 steps is under half of %.6f at step 0", r1.final_loss,
         r0.final_loss);
  /* Chance is 1/4; a linear teacher in 16 dimensions is learnable well
   * beyond it by a 3-layer ReLU net in 600 steps (~9 epochs). */
  tap_ok(r1.final_train_acc > 0.8, "final train accuracy %.4f > 0.8 (chance 0.25; at init %.4f)",
         r1.final_train_acc, r0.final_train_acc);
  tap_ok(r1.final_test_acc > 0.75, "final test accuracy %.4f > 0.75 (at init %.4f)",
         r1.final_test_acc, r0.final_test_acc);

  /* ---- log schedule ----------------------------------------------- */
  int steps_ok = r1.n_logs == 7;
  for (size_t i = 0; i < r1.n_logs && steps_ok; i++) steps_ok = r1.log_steps[i] == 100 * (long)i;
  tap_ok(steps_ok && r1.n_logs == train_n_logs(600, 100, TRAIN_LOG_LINEAR),
         "600 steps, log_every 100: %zu logs (train_n_logs %zu) at 0, 100, ..., 600",
         r1.n_logs, train_n_logs(600, 100, TRAIN_LOG_LINEAR));
#define NL(s, e) train_n_logs((s), (e), TRAIN_LOG_LINEAR)
  tap_ok(NL(0, 100) == 1 && NL(600, 0) == 2 && NL(600, 1) == 601 && NL(250, 100) == 4 && NL(1, 100) == 2,
         "train_n_logs(0,100)=%zu (1) (600,0)=%zu (2) (600,1)=%zu (601) (250,100)=%zu (4) "
         "(1,100)=%zu (2)", NL(0, 100), NL(600, 0), NL(600, 1), NL(250, 100), NL(1, 100));
#undef NL
  /* The log schedule: 0, 1, 2, 5, 10, 20, ..., the multiples of log_every
   * and the last step; counted (train_n_logs) as enumerated
   * (train_is_log_step). */
  {
    static const long cases[][2] = { { 1000, 0 }, { 1000, 100 }, { 999, 0 }, { 7, 3 }, { 1, 0 }, { 0, 0 },
                                     { 123456, 1000 }, { 5000, 250 } };
    int agree = 1;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
      size_t n = 0;
      for (long t = 0; t <= cases[k][0]; t++) n += train_is_log_step(t, cases[k][0], cases[k][1], TRAIN_LOG_LOG);
      if (n != train_n_logs(cases[k][0], cases[k][1], TRAIN_LOG_LOG)) {
        agree = 0;
        tap_diag("steps %ld log_every %ld: %zu enumerated, %zu counted", cases[k][0], cases[k][1], n,
                 train_n_logs(cases[k][0], cases[k][1], TRAIN_LOG_LOG));
      }
    }
    tap_ok(agree, "log schedule: train_n_logs counts what train_is_log_step enumerates (8 cases)");
    long want[] = { 0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
    int match = train_n_logs(1000, 0, TRAIN_LOG_LOG) == 11;
    for (size_t k = 0; k < 11; k++) match &= train_is_log_step(want[k], 1000, 0, TRAIN_LOG_LOG);
    tap_ok(match, "log schedule over 1000 steps: 0 1 2 5 10 20 50 100 200 500 1000 (%zu probes)",
           train_n_logs(1000, 0, TRAIN_LOG_LOG));
    tap_ok(train_n_logs(1000, 100, TRAIN_LOG_LOG) == 17 && train_n_logs(999, 0, TRAIN_LOG_LOG) == 11,
           "log schedule with log_every 100: %zu probes (17); 999 steps: %zu (0..500 and 999: 11)",
           train_n_logs(1000, 100, TRAIN_LOG_LOG), train_n_logs(999, 0, TRAIN_LOG_LOG));
  }
  tap_ok(memcmp(rows_of(&r1, 0), rows_of(&r0, 0), r1.n_layers * sizeof(probe_row)) == 0,
         "the step-0 probe does not depend on how long the cell then trains");
  {
    /* A first probe at init, with update ratios still undefined. */
    int nan_ok = 1, later_ok = 1;
    for (size_t l = 0; l < r1.n_layers; l++) {
      nan_ok &= isnan(rows_of(&r1, 0)[l].v[PROBE_UPDATE_RATIO]);
      later_ok &= rows_of(&r1, 1)[l].v[PROBE_UPDATE_RATIO] > 0.0;
    }
    tap_ok(nan_ok && later_ok, "update_ratio is NaN at step 0 and > 0 after updates "
           "(layer 1 at step 100: %.4g)", rows_of(&r1, 1)[0].v[PROBE_UPDATE_RATIO]);
  }
  {
    train_result r;
    train_params q = p;
    q.steps = 250;
    run(&q, d, &r);
    tap_ok(r.n_logs == 4 && r.log_steps[0] == 0 && r.log_steps[1] == 100 && r.log_steps[2] == 200
           && r.log_steps[3] == 250, "250 steps, log_every 100: logs at %ld %ld %ld %ld "
           "(expected 0 100 200 250)", r.log_steps[0], r.n_logs > 1 ? r.log_steps[1] : -1L,
           r.n_logs > 2 ? r.log_steps[2] : -1L, r.n_logs > 3 ? r.log_steps[3] : -1L);
    tap_ok(r.hist_n == 2 && r.hist_step[0] == 0 && r.hist_step[1] == 250,
           "histograms at the first probe and the last step: %zu, at steps %ld and %ld (expected 2: 0 and 250)",
           r.hist_n, r.hist_step[0], r.hist_step[1]);
    {
      /* every value falls in one bin: each kind's counts sum to probe x width */
      size_t nb = PROBE_HIST_BINS, bad = 0;
      for (size_t k = 0; k < r.hist_n * q.depth * 2; k++) {
        double sum = 0.0;
        for (size_t b = 0; b < nb; b++) sum += r.hist[k * nb + b];
        bad += sum != (double)(d->probe.n * q.width);
      }
      tap_ok(bad == 0, "histogram counts sum to probe size x width (%zu of %zu do not)", bad, r.hist_n * q.depth * 2);
    }
    /* --histograms none: none; all: one per probe, the ends the same as by default */
    for (int mode = TRAIN_HIST_NONE; mode <= TRAIN_HIST_ALL; mode++) {
      train_params q2 = q;
      q2.hist_mode = mode;
      train_result ra;
      run(&q2, d, &ra);
      size_t per = q.depth * 2 * PROBE_HIST_BINS;
      int same = ra.n_logs == r.n_logs;
      if (mode == TRAIN_HIST_ALL && same && ra.hist_n == ra.n_logs) {
        same &= !memcmp(ra.hist, r.hist, per * sizeof(double));
        same &= !memcmp(ra.hist + (ra.hist_n - 1) * per, r.hist + per, per * sizeof(double));
        for (size_t i = 0; i < ra.hist_n; i++) same &= ra.hist_step[i] == ra.log_steps[i];
      }
      tap_ok(same && ra.hist_n == (mode == TRAIN_HIST_NONE ? 0 : ra.n_logs),
             "--histograms %s: %zu histogram steps of %zu probes%s", mode == TRAIN_HIST_NONE ? "none" : "all",
             ra.hist_n, ra.n_logs, same ? "" : " (differ from the default's)");
      train_result_free(&ra);
    }
    /* The first 250 steps of a 600-step run are the same steps. */
    tap_ok(r.n_logs >= 3 && r1.n_logs >= 3
           && memcmp(rows_of(&r, 2), rows_of(&r1, 2), r.n_layers * sizeof(probe_row)) == 0,
           "a 250-step run's step-200 probe equals the 600-step run's");
    train_result_free(&r);
  }

  /* ---- determinism ------------------------------------------------ */
  run(&p, d, &r2);
  tap_ok(same_rows(&r1, &r2) && same_finals(&r1, &r2),
         "two runs of the same cell give bit-identical rows and final numbers");
  train_result_free(&r2);
  {
    train_params q = p;
    q.seed_index = 1;
    run(&q, d, &r2);
    tap_ok(!same_rows(&r1, &r2) && r2.final_loss != r1.final_loss,
           "seed index 1 gives different rows and loss (%.6f vs %.6f)", r2.final_loss,
           r1.final_loss);
    train_result_free(&r2);
  }

  /* ---- probing does not change training --------------------------- */
  {
    train_result ra, rb, rc;
    train_params q = p;
    q.log_every = 1;
    run(&q, d, &ra);
    q.log_every = 0;
    run(&q, d, &rb);
    q.log_every = 7;
    run(&q, d, &rc);
    tap_ok(same_finals(&ra, &rb) && same_finals(&rc, &rb),
           "log_every 1, 7 and 0 reach bit-identical final loss and accuracies (%.17g, %.17g, "
           "%.17g)", ra.final_loss, rc.final_loss, rb.final_loss);
    tap_ok(ra.n_logs == 601 && rb.n_logs == 2 && rc.n_logs == train_n_logs(600, 7, TRAIN_LOG_LINEAR),
           "log counts %zu, %zu, %zu (expected 601, 2, %zu)", ra.n_logs, rb.n_logs, rc.n_logs,
           train_n_logs(600, 7, TRAIN_LOG_LINEAR));
    /* Every probe of the sparse runs appears bit for bit in the dense one. */
    int match = 1;
    const train_result *sparse[3] = { &rb, &rc, &r1 };
    for (int s = 0; s < 3; s++)
      for (size_t i = 0; i < sparse[s]->n_logs; i++) {
        long j = log_at(&ra, sparse[s]->log_steps[i]);
        match &= j >= 0 && memcmp(rows_of(&ra, (size_t)j), rows_of(sparse[s], i),
                                  ra.n_layers * sizeof(probe_row)) == 0;
      }
    tap_ok(match, "rows logged with log_every 0, 7 and 100 equal the log_every 1 rows at the "
           "same steps, byte for byte");
    train_result_free(&rc);
    train_result_free(&rb);
    train_result_free(&ra);
  }

  /* ---- divergence -------------------------------------------------- */
  /* linear/mse overflows the loss within a few steps; relu/xent is the
   * harder case: log-sum-exp keeps the loss finite while activations reach
   * 1e150 and beyond, so the cell keeps logging rows whose statistics must
   * still be finite numbers, up to the step where a NaN/Inf appears. */
  static const struct { const char *act; loss_kind loss; double lr; } div[] = {
    { "linear", LOSS_MSE, 1e6 }, { "relu", LOSS_XENT, 100.0 }, { "relu", LOSS_XENT, 10.0 },
  };
  for (size_t k = 0; k < sizeof div / sizeof *div; k++) {
    train_result r;
    train_params q = p;
    if (act_parse(div[k].act, &q.act, &err) != SB_OK) die(err.msg);
    q.loss = div[k].loss;
    q.lr = div[k].lr;
    q.steps = 300;
    q.log_every = 1;
    run(&q, d, &r);
    size_t bad = 0;
    double big = 0.0;
    for (size_t i = 0; i < r.n_logs; i++)
      for (size_t l = 0; l < r.n_layers; l++)
        for (int c = 0; c < PROBE_NCOLS; c++) {
          double v = rows_of(&r, i)[l].v[c];
          if (c == PROBE_UPDATE_RATIO && i == 0) continue;  /* NaN by definition */
          if (c == PROBE_DELTA_GAIN && l == r.n_layers - 1) continue;  /* no layer above the output */
          bad += !isfinite(v);
          if (isfinite(v) && fabs(v) > big) big = fabs(v);
        }
    tap_ok(r.status == TRAIN_DIVERGED && r.steps_done < q.steps,
           "%s/%s lr %g: status %d (TRAIN_DIVERGED = %d) after %ld of %ld steps", div[k].act,
           loss_name(div[k].loss), div[k].lr, r.status, TRAIN_DIVERGED, r.steps_done, q.steps);
    tap_ok(r.n_logs >= 1 && r.n_logs <= r.cap_logs && bad == 0,
           "%s/%s lr %g diverged: %zu logged rows (cap %zu), %zu non-finite values (expected "
           "0), largest %.3g", div[k].act, loss_name(div[k].loss), div[k].lr, r.n_logs,
           r.cap_logs, bad, big);
    int consecutive = 1;
    for (size_t i = 0; i < r.n_logs; i++) consecutive &= r.log_steps[i] == (long)i;
    tap_ok(consecutive && r.log_steps[r.n_logs - 1] <= r.steps_done,
           "%s/%s lr %g diverged: logs at consecutive steps 0..%ld, none past steps_done %ld",
           div[k].act, loss_name(div[k].loss), div[k].lr, r.log_steps[r.n_logs - 1],
           r.steps_done);
    tap_ok(isnan(r.final_loss) && isnan(r.final_train_acc) && isnan(r.final_test_acc),
           "%s/%s lr %g diverged: final_loss %g and accuracies %g, %g are NaN, not the weights' after divergence",
           div[k].act, loss_name(div[k].loss), div[k].lr, r.final_loss, r.final_train_acc, r.final_test_acc);
    /* A diverged cell has no end: its histograms are those of step 0. */
    tap_ok(r.hist_n == 1 && r.hist_step[0] == 0,
           "%s/%s lr %g diverged: %zu histograms, the first at step %ld (expected 1, at 0)", div[k].act,
           loss_name(div[k].loss), div[k].lr, r.hist_n, r.hist_step[0]);
    train_result_free(&r);
  }

  /* ---- bad batch sizes are usage errors ---------------------------- */
  {
    train_result r;
    train_params q = p;
    q.batch = 2049;  /* more than the 2048 training examples */
    if (train_result_init(&r, &q) != SB_OK) die("train_result_init");
    sb_error_clear(&err);
    int rc = train_cell(&q, d, &r, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, "--batch") != NULL,
           "batch 2049 > training size: status %d (SB_EUSAGE %d), message \"%s\"", rc, SB_EUSAGE,
           err.msg);
    train_result_free(&r);
  }


  /* ---- the probe set and the evaluation subsets -------------------- */
  {
    int in_train = 1;
    for (size_t i = 0; i < d->eval_train.n && in_train; i++) {
      int found = 0;
      for (size_t k = 0; k < d->n_train && !found; k++)
        found = !memcmp(d->eval_train.X + i * d->dim, d->X_train + k * d->dim, d->dim * sizeof(double))
                && d->eval_train.y[i] == d->y_train[k];
      in_train &= found;
    }
    tap_ok(in_train && d->eval_train.n == 512 && d->eval_test.n == 512 && d->probe.n == 256,
           "the evaluation subsets are 512 training and 512 test examples, the probe set 256, all drawn from their splits");
    tap_ok(!memcmp(d->probe.X, d->eval_train.X, 256 * d->dim * sizeof(double)),
           "the probe set is the first 256 of the training evaluation subset (one fixed order)");
  }

  /* ---- the learning curve ---------------------------------------------- */
  {
    /* At step 0 the curve's losses are the mean cross-entropy of the
     * initial network over each evaluation subset, here recomputed with a
     * plain forward pass (loops, no BLAS) and log-sum-exp. */
    train_state s;
    if (train_state_init(&s, &p, d, NULL, &err)) die(err.msg);
    const data_subset *sub[2] = { &d->eval_train, &d->eval_test };
    double want_loss[2], want_acc[2];
    size_t width = p.width;
    double *a = malloc(width * sizeof *a), *h = malloc(width * sizeof *h), z[4];
    for (int k = 0; k < 2; k++) {
      double sum = 0.0;
      size_t correct = 0;
      for (size_t i = 0; i < sub[k]->n; i++) {
        const double *in = sub[k]->X + i * d->dim;
        size_t fin = d->dim;
        for (size_t l = 1; l <= s.n->n_layers; l++) {
          size_t fo = s.n->fan_out[l - 1];
          double *out = l == s.n->n_layers ? z : h;
          for (size_t j = 0; j < fo; j++) {
            double v = net_b(s.n, l)[j];
            for (size_t q = 0; q < fin; q++) v += in[q] * net_W(s.n, l)[q * fo + j];
            out[j] = v;
          }
          if (l < s.n->n_layers) {
            for (size_t j = 0; j < fo; j++) a[j] = act_eval(&p.act, h[j]);
            in = a;
            fin = fo;
          }
        }
        double m = z[0], se = 0.0;
        size_t best = 0;
        for (int j = 1; j < 4; j++) { if (z[j] > m) m = z[j]; if (z[j] > z[best]) best = (size_t)j; }
        for (int j = 0; j < 4; j++) se += exp(z[j] - m);
        sum += m + log(se) - z[sub[k]->y[i]];
        correct += best == (size_t)sub[k]->y[i];
      }
      want_loss[k] = sum / (double)sub[k]->n;
      want_acc[k] = (double)correct / (double)sub[k]->n;
    }
    free(a);
    free(h);
    tap_rel(r0.curves[CURVE_EVAL_TRAIN_LOSS], want_loss[0], 1e-12, "step 0: eval_train_loss = the mean cross-entropy over the training subset, by hand");
    tap_rel(r0.curves[CURVE_EVAL_TEST_LOSS], want_loss[1], 1e-12, "step 0: eval_test_loss = the mean cross-entropy over the test subset, by hand");
    tap_ok(r0.curves[CURVE_EVAL_TRAIN_ACC] == want_acc[0] && r0.curves[CURVE_EVAL_TEST_ACC] == want_acc[1],
           "step 0: accuracies %.6g and %.6g as counted by hand (%.6g, %.6g)", r0.curves[CURVE_EVAL_TRAIN_ACC],
           r0.curves[CURVE_EVAL_TEST_ACC], want_acc[0], want_acc[1]);
    /* The probe pass stands in for the evaluation's first 256 examples
     * (the probe set): the bits of the whole evaluation, done afresh. */
    double fresh_loss, fresh_acc;
    train_evaluate(&s, d->eval_train.X, d->eval_train.y, d->eval_train.n, &fresh_loss, &fresh_acc);
    tap_ok(s.probe_leads_eval && r0.curves[CURVE_EVAL_TRAIN_LOSS] == fresh_loss && r0.curves[CURVE_EVAL_TRAIN_ACC] == fresh_acc,
           "step 0: with the probe pass reused (%d), eval_train_loss %.17g and acc %.17g have the bits of a whole "
           "evaluation (%.17g, %.17g)", s.probe_leads_eval, r0.curves[CURVE_EVAL_TRAIN_LOSS],
           r0.curves[CURVE_EVAL_TRAIN_ACC], fresh_loss, fresh_acc);
    {
      /* batch norm's probe pass takes the batch's statistics, its
       * evaluation the running averages: nothing to reuse */
      train_params pb = p;
      pb.arch.norm = NORM_BATCH;
      train_state sb;
      if (train_state_init(&sb, &pb, d, NULL, &err)) die(err.msg);
      tap_ok(!sb.probe_leads_eval, "batch norm: the evaluation does not reuse the probe pass");
      train_state_free(&sb);
    }
    tap_rel(r0.curves[CURVE_TRAIN_LOSS], NAN, 0, "step 0: train_loss is NaN (no steps yet)");
    /* train_loss at step 100 is the mean of the first 100 batch losses. */
    double sum = 0.0;
    for (long t = 0; t < 100; t++) sum += train_step(&s, t, 0);
    tap_ok(sum / 100.0 == r1.curves[1 * CURVE_NCOLS + CURVE_TRAIN_LOSS],
           "step 100: train_loss %.17g = the mean of the 100 mini-batch losses before it (%.17g)",
           r1.curves[1 * CURVE_NCOLS + CURVE_TRAIN_LOSS], sum / 100.0);
    train_state_free(&s);
    double l0 = r1.curves[CURVE_EVAL_TRAIN_LOSS], l6 = r1.curves[6 * CURVE_NCOLS + CURVE_EVAL_TRAIN_LOSS];
    tap_ok(l6 < 0.5 * l0, "the curve's training loss falls from %.4g at step 0 to %.4g at step 600", l0, l6);
    tap_rel(r1.chance_loss, r0.chance_loss, 0, "the chance loss is the dataset's, not the cell's");
    /* by hand: the label entropy of the training split, and the test error
     * of always answering its commonest class */
    {
      size_t cnt[64] = { 0 }, top = 0, hit = 0;   /* this task has 4 classes */
      for (size_t i = 0; i < d->n_train; i++) cnt[d->y_train[i]]++;
      double hent = 0.0;
      for (size_t k = 0; k < d->classes; k++) {
        double pk = (double)cnt[k] / (double)d->n_train;
        if (pk > 0) hent -= pk * log(pk);
        if (cnt[k] > cnt[top]) top = k;
      }
      for (size_t i = 0; i < d->n_test; i++) hit += (size_t)d->y_test[i] == top;
      tap_rel(r0.chance_loss, hent, 1e-15, "chance_loss = the training labels' entropy, by hand");
      tap_rel(r0.chance_error, 1.0 - (double)hit / (double)d->n_test, 1e-15,
              "chance_error = the test error of the commonest training class, by hand");
    }
  }

  /* ---- grad_norm covers every parameter ------------------------------ */
  /* curves.tsv's grad_norm at step 0 of a cell with a norm against the
   * square root of the sum of squares of the whole flat gradient buffer
   * (W, b, gamma, beta of every layer), after a probe pass of the same
   * net built again; and it exceeds the weights' and biases' part alone. */
  for (int nk = NORM_NONE; nk < NORM_COUNT; nk++) {
    train_params q = p;
    q.arch.norm = (norm_kind)nk;
    q.steps = 0;
    train_result r;
    run(&q, d, &r);
    train_state s;
    if (train_state_init(&s, &q, d, NULL, &err) != SB_OK) die(err.msg);
    probe_row rows[8];
    if (q.depth + 1 > 8) die("test_train: rows[] too small");
    train_measure(&s, NULL, rows);
    double ss = 0.0, wb = 0.0;
    for (size_t i = 0; i < s.n->n_params; i++) ss += s.n->grads[i] * s.n->grads[i];
    for (size_t l = 1; l <= s.n->n_layers; l++) {
      for (size_t i = 0; i < s.n->fan_in[l - 1] * s.n->fan_out[l - 1]; i++) wb += net_dW(s.n, l)[i] * net_dW(s.n, l)[i];
      for (size_t i = 0; i < s.n->fan_out[l - 1]; i++) wb += net_db(s.n, l)[i] * net_db(s.n, l)[i];
    }
    double g = r.curves[CURVE_GRAD_NORM];
    tap_rel(g, sqrt(ss), 1e-13, nk == NORM_NONE ? "grad_norm = sqrt(sum of squares of the flat gradient buffer), no norm"
                                                : nk == NORM_BATCH ? "grad_norm = sqrt(sum of squares of the flat gradient buffer), batch norm"
                                                                   : "grad_norm = sqrt(sum of squares of the flat gradient buffer), layer norm");
    tap_ok(nk == NORM_NONE ? g == train_grad_norm(&s, rows) : g > sqrt(wb) * (1.0 + 1e-6),
           "%s: grad_norm %.10g, weights and biases alone %.10g", norm_name((norm_kind)nk), g, sqrt(wb));
    train_state_free(&s);
    train_result_free(&r);
  }

  /* ---- statuses of cells that did not learn ------------------------------ */
  {
    train_result r;
    train_params q = p;
    q.opt = OPT_ADAM;
    q.lr = 0.3;
    q.steps = 300;
    run(&q, d, &r);
    const probe_row *last = rows_of(&r, r.n_logs - 1);
    tap_ok(r.status == TRAIN_FROZEN && last[0].v[PROBE_GRAD_W_NORM] == 0.0 && last[q.depth - 1].v[PROBE_DEAD_FRAC] == 1.0,
           "relu/adam lr 0.3: status %d (TRAIN_FROZEN %d): no gradient below the output, the last hidden layer all dead (%g)",
           r.status, TRAIN_FROZEN, last[q.depth - 1].v[PROBE_DEAD_FRAC]);
    train_result_free(&r);
    q = p;
    if (act_parse("sigmoid", &q.act, &err) || init_parse("standard", &q.init, &err)) die(err.msg);
    q.depth = 10;
    q.steps = 300;
    run(&q, d, &r);
    double end = r.curves[(r.n_logs - 1) * CURVE_NCOLS + CURVE_EVAL_TRAIN_LOSS];
    tap_ok(r.status == TRAIN_STALLED && end > 0.99 * r.chance_loss,
           "sigmoid/standard depth 10: status %d (TRAIN_STALLED %d): loss %.6g stays within 1%% of chance %.6g",
           r.status, TRAIN_STALLED, end, r.chance_loss);
    train_result_free(&r);
  }

  /* ---- the statuses' rules on constructed cells --------------------- */
  /* A cell of depth 2 with two logs, chance loss 1.5: the last probe's
   * rows and loss set by hand on each side of each boundary. */
  {
    enum { DEPTH = 2, L = DEPTH + 1 };
    static const struct {
      double loss;          /* eval_train_loss at the last probe */
      double g[L][2];       /* grad_w_norm, grad_b_norm per layer */
      double w;             /* every weight_norm */
      int want;
      const char *why;
    } cases[] = {
      { 15.01, { { 0, 0 }, { 0, 0 }, { 0, 0 } }, 4.0, TRAIN_EXPLODED, "loss 15.01 > 10 x 1.5: exploded before frozen" },
      { 15.0, { { 0, 0 }, { 0, 0 }, { 0.3, 0.1 } }, 4.0, TRAIN_FROZEN, "loss 15 = 10 x chance is not exploded; hidden gradients 0" },
      { 15.0, { { 0x1p-60, 0 }, { 0, 0x1p-60 }, { 0.3, 0.1 } }, 4.0, TRAIN_VANISHED,
        "loss 15 stalled, layer 1 |(dW, db)| 2^-60 <= 2^-52 x 4, not all 0: vanished" },
      { 1.49, { { 4e-16, 4e-16 }, { 1e-3, 1e-3 }, { 0.3, 0.1 } }, 4.0, TRAIN_VANISHED,
        "loss 1.49 > 0.99 x 1.5, layer 1 |(dW, db)| 5.66e-16 <= 2^-52 x 4 = 8.88e-16: vanished (layer 2 does not count)" },
      { 1.49, { { 8e-16, 4e-16 }, { 0, 0 }, { 0.3, 0.1 } }, 4.0, TRAIN_STALLED,
        "layer 1 |(dW, db)| 8.94e-16 > 8.88e-16: not vanished; loss 1.49 > 0.99 x 1.5: stalled" },
      { 1.48, { { 4e-16, 4e-16 }, { 4e-16, 4e-16 }, { 0.3, 0.1 } }, 4.0, TRAIN_OK,
        "loss 1.48 < 0.99 x 1.5 = 1.485: ok, though layer 1 gets no usable gradient (the top layers learned)" },
      { 1.0, { { 0, 0 }, { 1e-3, 0 }, { 0.3, 0.1 } }, 4.0, TRAIN_OK, "one hidden layer still learns, loss low: ok" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
      probe_row rows[2 * L];
      double curves[2 * CURVE_NCOLS];
      long steps[2] = { 0, 10 };
      memset(rows, 0, sizeof rows);
      memset(curves, 0, sizeof curves);
      for (int l = 0; l < L; l++) {
        rows[L + l].v[PROBE_GRAD_W_NORM] = cases[k].g[l][0];
        rows[L + l].v[PROBE_GRAD_B_NORM] = cases[k].g[l][1];
        rows[L + l].v[PROBE_WEIGHT_NORM] = cases[k].w;
      }
      curves[CURVE_NCOLS + CURVE_EVAL_TRAIN_LOSS] = cases[k].loss;
      train_result r;
      memset(&r, 0, sizeof r);
      r.n_layers = L;
      r.n_logs = r.cap_logs = 2;
      r.steps_done = 10;
      r.chance_loss = 1.5;
      r.rows = rows;
      r.curves = curves;
      r.log_steps = steps;
      int got = train_status_at_end(&r, DEPTH);
      tap_ok(got == cases[k].want, "%s: %s (expected %s)", cases[k].why, train_statuses[got].name,
             train_statuses[cases[k].want].name);
    }
  }

  /* ---- random streams ---------------------------------------------- */
  {
    unsigned long a = train_seed(MASTER, 0, STREAM_INIT);
    int distinct = 1, same = 1, bounded = 1;
    unsigned long seen[3 * 4 * 3];
    size_t k = 0;
    for (unsigned long m = 0; m < 3; m++)
      for (unsigned long i = 0; i < 4; i++)
        for (unsigned s = 0; s < 3; s++) {
          unsigned long v = train_seed(MASTER + m, i, s);
          same &= v == train_seed(MASTER + m, i, s);
          bounded &= v <= 0xffffffffUL;
          for (size_t j = 0; j < k; j++) distinct &= seen[j] != v;
          seen[k++] = v;
        }
    tap_ok(distinct, "train_seed: 36 (master, index, stream) triples give 36 distinct seeds");
    tap_ok(same && a == train_seed(MASTER, 0, STREAM_INIT), "train_seed: same inputs, same seed");
    tap_ok(bounded, "train_seed: seeds fit the 32 bits mt19937 keeps");
    tap_ok(train_seed(1, 0, STREAM_INIT) != train_seed(0, 1, STREAM_INIT)
           && train_seed(1, 0, STREAM_ORDER) != train_seed(0, 1, STREAM_ORDER),
           "train_seed: master 1 / index 0 differs from master 0 / index 1");
  }
  /* Cells that differ only in activation or init draw their data order
   * from train_seed(master, index, STREAM_ORDER), which takes neither: the
   * pairing is by construction.  It shows as identical training when the
   * two activations agree on the data: relu and leaky_relu with slope 0
   * are the same function. */
  {
    train_result ra;
    train_params q = p;
    if (act_parse("leaky_relu", &q.act, &err) != SB_OK) die(err.msg);
    q.act.alpha = 0.0;
    run(&q, d, &ra);
    tap_ok(same_finals(&ra, &r1), "leaky_relu with slope 0 trains exactly like relu (loss %.17g "
           "vs %.17g): same init and data order", ra.final_loss, r1.final_loss);
    train_result_free(&ra);
  }

  train_result_free(&r1);
  train_result_free(&r0);
  data_free(d);
  return tap_done();
}
