/* train.c - one cell from initialization to its last probe (see train.h).
 *
 * All buffers are made before the first step; the loop itself only
 * gathers a mini-batch, runs forward, backward and the update, and probes
 * on the logged steps.  Probing reads and writes only the work buffers and
 * gradients, which every step recomputes, so it cannot change training. */
#include <config.h>
#include "train.h"
#include "theory.h"

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

size_t train_n_logs(long steps, long log_every)
{
  if (steps <= 0) return 1;
  if (log_every <= 0) return 2;
  return 1 + (size_t)(steps / log_every) + (steps % log_every != 0);
}

static int is_log_step(long t, long steps, long log_every)
{
  return t == 0 || t == steps || (log_every > 0 && t % log_every == 0);
}

int train_result_init(train_result *r, const train_params *p)
{
  memset(r, 0, sizeof *r);
  r->n_layers = p->depth + 1;
  r->cap_logs = train_n_logs(p->steps, p->log_every);
  r->log_steps = malloc(r->cap_logs * sizeof(long));
  r->rows = malloc(r->cap_logs * r->n_layers * sizeof(probe_row));
  r->hist = calloc(2 * p->depth * 2 * PROBE_HIST_BINS, sizeof(double));
  r->theory_ratio = malloc((p->depth ? p->depth : 1) * sizeof(double));
  if (!r->log_steps || !r->rows || !r->hist || !r->theory_ratio) { train_result_free(r); return SB_EFAIL; }
  r->final_loss = r->final_train_acc = r->final_test_acc = NAN;
  for (size_t l = 0; l < p->depth; l++) r->theory_ratio[l] = NAN;
  r->theory_decay_rate = NAN;
  return SB_OK;
}

void train_result_free(train_result *r)
{
  if (!r) return;
  free(r->log_steps);
  free(r->rows);
  free(r->hist);
  free(r->theory_ratio);
  r->log_steps = NULL;
  r->rows = NULL;
  r->hist = NULL;
  r->theory_ratio = NULL;
}

/* Mean loss and accuracy over a whole split, in chunks of the work size. */
static void evaluate(const net *n, net_work *w, const double *X, const int *y, size_t count,
                     double *loss, double *acc)
{
  double sum = 0.0;
  size_t correct = 0;
  for (size_t i = 0; i < count; i += w->cap) {
    size_t b = count - i < w->cap ? count - i : w->cap;
    sum += net_forward(n, w, X + i * n->n_in, y + i, b) * (double)b;
    correct += net_correct(n, w, y + i, b);
  }
  *loss = sum / (double)count;
  *acc = (double)correct / (double)count;
}

void train_state_free(train_state *s)
{
  if (!s) return;
  theory_free(s->tw);
  if (s->h) gsl_histogram_free(s->h);
  free(s->ratio);
  free(s->yb);
  free(s->Xb);
  free(s->perm);
  gsl_rng_free(s->rng_order);
  gsl_rng_free(s->rng_init);
  opt_free(s->o);
  probe_work_free(s->pw);
  net_work_free(s->w);
  net_free(s->n);
  memset(s, 0, sizeof *s);
}

int train_state_init(train_state *s, const train_params *p, const dataset *d, train_result *r, sb_error *err)
{
  memset(s, 0, sizeof *s);
  s->p = p;
  s->d = d;
  size_t batch = p->batch, dim = d->dim;
  if (batch == 0 || batch > d->n_train || batch > d->n_test)
    return sb_fail(err, SB_EUSAGE, "--batch: %zu must be between 1 and the train and test sizes", batch);
  s->n = net_alloc(dim, p->width, p->depth, d->classes, p->act, p->loss);
  s->w = s->n ? net_work_alloc(s->n, batch) : NULL;
  s->pw = s->n ? probe_work_alloc(s->n, batch) : NULL;
  s->o = s->n ? opt_alloc(p->opt, p->lr, s->n->n_params) : NULL;
  s->rng_init = gsl_rng_alloc(gsl_rng_mt19937);
  s->rng_order = gsl_rng_alloc(gsl_rng_mt19937);
  s->perm = malloc(d->n_train * sizeof *s->perm);
  s->Xb = malloc(batch * dim * sizeof *s->Xb);
  s->yb = malloc(batch * sizeof *s->yb);
  s->ratio = malloc((p->depth + 1) * sizeof *s->ratio);
  s->h = gsl_histogram_alloc(PROBE_HIST_BINS);
  s->tw = theory_alloc();
  if (!s->n || !s->w || !s->pw || !s->o || !s->rng_init || !s->rng_order || !s->perm || !s->Xb || !s->yb
      || !s->ratio || !s->h || !s->tw) {
    train_state_free(s);
    return sb_fail(err, SB_EFAIL, "out of memory setting up a cell (depth %zu, width %zu)", p->depth, p->width);
  }
  gsl_rng_set(s->rng_init, train_seed(p->master_seed, p->seed_index, STREAM_INIT));
  gsl_rng_set(s->rng_order, train_seed(p->master_seed, p->seed_index, STREAM_ORDER));
  /* `critical` is N(0, sigma_w2 / fan_in) at this activation's edge of
   * chaos; the theory also predicts the cell's profile at init, from the
   * probe batch's second moment (the tables set it beside the measurement). */
  s->spec = p->init;
  int rc = theory_resolve_init(s->tw, &p->act, &s->spec, err);
  if (!rc) rc = net_init_params(s->n, &s->spec, s->rng_init, err);
  if (!rc && r) {
    double q0 = 0.0;
    for (size_t i = 0; i < batch * dim; i++) q0 += d->X_test[i] * d->X_test[i];
    q0 /= (double)(batch * dim);
    rc = theory_cell(s->tw, &p->act, &s->spec, dim, p->width, p->depth, q0, r->theory_ratio,
                     &r->theory_decay_rate, err);
  }
  if (rc) { train_state_free(s); return rc; }
  for (size_t i = 0; i < d->n_train; i++) s->perm[i] = i;
  return SB_OK;
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
  double loss = net_forward(s->n, s->w, s->Xb, s->yb, batch);
  if (!isfinite(loss)) return loss;
  net_backward(s->n, s->w, s->Xb, s->yb, batch);
  opt_step(s->o, s->n, with_ratio ? s->ratio : NULL);
  return loss;
}

double train_measure(train_state *s, const double *ratio, probe_row *rows)
{
  size_t batch = s->p->batch;
  double loss = net_forward(s->n, s->w, s->d->X_test, s->d->y_test, batch);
  if (!isfinite(loss)) return loss;
  net_backward(s->n, s->w, s->d->X_test, s->d->y_test, batch);
  probe_measure(s->n, s->w, batch, s->p->tau, ratio, s->pw, rows);
  return loss;
}

/* A probe at step t: the measurement, then its histograms at the first
 * probe and at the last step.  Returns 0 when the probe met a non-finite
 * loss or value (the cell has diverged). */
static int probe_at(train_state *s, long t, const double *ratio, train_result *r)
{
  probe_row *rows = r->rows + r->n_logs * r->n_layers;
  if (!isfinite(train_measure(s, ratio, rows))) return 0;
  for (size_t l = 0; l < r->n_layers; l++)
    for (int k = 0; k < PROBE_NCOLS; k++)
      if (isnan(rows[l].v[k]) && !probe_cols[k].nan_ok) return 0;
  /* Histograms at the first probe (slot 0) and at the last step (slot 1)
   * only: they cost a quarter of a training step, and the probes between
   * need none.  A cell that diverges keeps only its first. */
  const net *n = s->n;
  int slot = r->n_logs == 0 ? 0 : t == s->p->steps ? 1 : -1;
  size_t per_slot = n->depth * 2 * PROBE_HIST_BINS;
  if (slot >= 0) {
    probe_hist(n, s->w, s->p->batch, s->h, r->hist + slot * per_slot, r->hist_range[slot]);
    r->hist_step[slot] = t;
  }
  if (slot == 0) {  /* until the last step, the end is the beginning */
    memcpy(r->hist + per_slot, r->hist, per_slot * sizeof(double));
    memcpy(r->hist_range[1], r->hist_range[0], sizeof r->hist_range[0]);
    r->hist_step[1] = t;
  }
  r->log_steps[r->n_logs++] = t;
  return 1;
}

int train_cell(const train_params *p, const dataset *d, train_result *r, sb_error *err)
{
  train_state s;
  int rc = train_state_init(&s, p, d, r, err);
  if (rc) return rc;
  r->status = TRAIN_OK;
  if (!probe_at(&s, 0, NULL, r)) r->status = TRAIN_DIVERGED;
  long t = 0;
  for (; t < p->steps && r->status == TRAIN_OK; t++) {
    if (p->stop && *p->stop) { r->status = TRAIN_STOPPED; break; }
    int log_next = is_log_step(t + 1, p->steps, p->log_every);
    if (!isfinite(train_step(&s, t, log_next))) { r->status = TRAIN_DIVERGED; break; }
    if (log_next && !probe_at(&s, t + 1, s.ratio, r)) {
      r->status = TRAIN_DIVERGED;
      t++;
      break;
    }
  }
  r->steps_done = t;
  if (r->status != TRAIN_STOPPED) {
    evaluate(s.n, s.w, d->X_train, d->y_train, d->n_train, &r->final_loss, &r->final_train_acc);
    double test_loss;
    evaluate(s.n, s.w, d->X_test, d->y_test, d->n_test, &test_loss, &r->final_test_acc);
    if (!isfinite(r->final_loss) && r->status == TRAIN_OK) r->status = TRAIN_DIVERGED;
  }
  train_state_free(&s);
  return SB_OK;
}
