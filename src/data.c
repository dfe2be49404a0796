/* data.c - the generated datasets (gaussian, mixture, spirals): parsing
 * their names, checking their sizes, and drawing them from one seed.
 *
 * Every dataset is drawn from a single gsl_rng_mt19937 seeded with `seed`,
 * in an order fixed below, so a (spec, seed) pair names one dataset on any
 * machine with the same libm.  The training split is always drawn before the
 * test split, so changing --test-size never changes the training data.
 * mt19937 keeps only the low 32 bits of the seed and maps 0 to its default
 * 4357, so callers should pass derived seeds below 2^32 and not rely on 0
 * and 4357 giving different data. */
#include "data.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* Mixture: class centers c_k ~ N(0, s^2 I) with s = MIX_RADIUS/sqrt(dim),
 * so |c_k| ~ 2.5 whatever the dimension, and unit isotropic noise around
 * them.  Two centers are then ~3.5 apart, so a pair of clusters overlaps on
 * a few percent of their points: learnable, yet far from trivial once there
 * are ten classes. */
#define MIX_RADIUS 2.5

/* Spirals: arm k is r = t, theta = 2*pi*(SPIRAL_TURNS*t + k/classes) with
 * t ~ U(0,1].  Along a ray, neighbouring arms are 1/(turns*classes) apart;
 * positional noise is a fixed fraction of that gap so adding classes keeps
 * the arms distinguishable instead of letting noise swamp the geometry
 * (sd ~0.067 for 2 classes, ~0.044 for 3). */
#define SPIRAL_TURNS 1.5
#define SPIRAL_NOISE_OF_GAP 0.2

/* gsl_rng_uniform_int() cannot draw from more than 2^32 values with
 * mt19937 (it calls the GSL error handler), and the shuffle draws indices
 * up to the split size; no split that large would fit in memory anyway. */
#define DATA_MAX_EXAMPLES 4294967295UL

typedef struct split {
  size_t n, dim, classes;
  double *X;   /* (n, dim) */
  int *y;      /* (n) */
} split;

/* scratch: (dim, classes) teacher or (classes, dim) centers, drawn first. */
typedef void (*data_gen_fn)(gsl_rng *r, double *scratch, split *train,
                            split *test);

static void gen_gaussian(gsl_rng *r, double *scratch, split *train,
                         split *test);
static void gen_mixture(gsl_rng *r, double *scratch, split *train,
                        split *test);
static void gen_spirals(gsl_rng *r, double *scratch, split *train,
                        split *test);

/* One row per kind, indexed by data_kind: adding a dataset is one row here
 * and one enumerator in data.h; parsing, the error message's list of valid
 * names and the dimension check all follow from the table. */
static const struct data_kind_info {
  const char *name;
  size_t fixed_dim;     /* required input_dim, 0 = any */
  int needs_scratch;    /* teacher or centers: dim * classes doubles */
  data_gen_fn gen;
} data_kinds[DATA_COUNT] = {
  [DATA_GAUSSIAN] = { "gaussian", 0, 1, gen_gaussian },
  [DATA_MIXTURE]  = { "mixture",  0, 1, gen_mixture },
  [DATA_SPIRALS]  = { "spirals",  2, 0, gen_spirals },
};

const char *data_kind_name(data_kind kind)
{
  /* Cast first: the enum's signedness is implementation-defined. */
  if ((unsigned)kind >= DATA_COUNT) return "unknown";
  return data_kinds[kind].name;
}

int data_parse(const char *text, data_kind *out, sb_error *err)
{
  char valid[256] = "";
  size_t used = 0;

  if (text)
    for (int k = 0; k < DATA_COUNT; k++)
      if (strcmp(text, data_kinds[k].name) == 0) {
        *out = (data_kind)k;
        return SB_OK;
      }
  for (int k = 0; k < DATA_COUNT && used < sizeof valid; k++) {
    int w = snprintf(valid + used, sizeof valid - used, "%s%s",
                     k ? ", " : "", data_kinds[k].name);
    if (w < 0) break;
    used += (size_t)w;
  }
  return sb_fail(err, SB_EUSAGE,
                 "--dataset: unknown dataset '%s' (valid: %s)",
                 text ? text : "", valid);
}

/* a + b into *out; 0 when it would overflow size_t. */
static int add_size(size_t a, size_t b, size_t *out)
{
  if (b > SIZE_MAX - a) return 0;
  *out = a + b;
  return 1;
}

/* a * b into *out; 0 when it would overflow size_t. */
static int mul_size(size_t a, size_t b, size_t *out)
{
  if (a && b > SIZE_MAX / a) return 0;
  *out = a * b;
  return 1;
}

/* Byte counts of one dataset: train and test share one block of features
 * and one of labels; scratch holds the teacher or the centers. */
typedef struct data_sizes {
  size_t x_bytes, y_bytes, scratch_bytes, total;
} data_sizes;

/* Fails with SB_EUSAGE when the sizes overflow size_t, so a spec that
 * could never be allocated is refused while checking, before anything is
 * written, not when the grid starts. */
static int sizes_of(const data_spec *spec, data_sizes *z, sb_error *err)
{
  size_t n, n_x, scratch_n = 0;
  z->scratch_bytes = 0;
  if (!add_size(spec->train_size, spec->test_size, &n)
      || !mul_size(n, spec->input_dim, &n_x)
      || !mul_size(n_x, sizeof(double), &z->x_bytes)
      || !mul_size(n, sizeof(int), &z->y_bytes)
      || (data_kinds[spec->kind].needs_scratch
          && (!mul_size(spec->input_dim, spec->classes, &scratch_n)
              || !mul_size(scratch_n, sizeof(double), &z->scratch_bytes)))
      || !add_size(z->x_bytes, z->y_bytes, &z->total)
      || !add_size(z->total, z->scratch_bytes, &z->total)
      || !add_size(z->total, sizeof(dataset), &z->total))
    return sb_fail(err, SB_EUSAGE,
                   "--input-dim, --train-size, --test-size: %zu + %zu examples "
                   "of %zu features (%zu classes) overflow the address space",
                   spec->train_size, spec->test_size, spec->input_dim,
                   spec->classes);
  return SB_OK;
}

int data_check(const data_spec *spec, sb_error *err)
{
  if ((unsigned)spec->kind >= DATA_COUNT)
    return sb_fail(err, SB_EUSAGE, "--dataset: unknown dataset kind %d",
                   (int)spec->kind);
  if (spec->classes < 2)
    return sb_fail(err, SB_EUSAGE, "--classes: need at least 2 classes (got %zu)",
                   spec->classes);
  /* Labels are stored as int. */
  if (spec->classes > (size_t)INT_MAX)
    return sb_fail(err, SB_EUSAGE, "--classes: at most %d classes (got %zu)",
                   INT_MAX, spec->classes);
  if (spec->input_dim < 1)
    return sb_fail(err, SB_EUSAGE, "--input-dim: need at least 1 feature (got %zu)",
                   spec->input_dim);
  if (spec->train_size < 1)
    return sb_fail(err, SB_EUSAGE, "--train-size: need at least 1 example (got %zu)",
                   spec->train_size);
  if (spec->test_size < 1)
    return sb_fail(err, SB_EUSAGE, "--test-size: need at least 1 example (got %zu)",
                   spec->test_size);
  if (spec->train_size > DATA_MAX_EXAMPLES)
    return sb_fail(err, SB_EUSAGE, "--train-size: at most %lu examples (got %zu)",
                   DATA_MAX_EXAMPLES, spec->train_size);
  if (spec->test_size > DATA_MAX_EXAMPLES)
    return sb_fail(err, SB_EUSAGE, "--test-size: at most %lu examples (got %zu)",
                   DATA_MAX_EXAMPLES, spec->test_size);

  const struct data_kind_info *info = &data_kinds[spec->kind];
  if (info->fixed_dim && spec->input_dim != info->fixed_dim)
    return sb_fail(err, SB_EUSAGE,
                   "--input-dim: the %s dataset is %zu-dimensional (got %zu)",
                   info->name, info->fixed_dim, spec->input_dim);
  data_sizes z;
  return sizes_of(spec, &z, err);
}

/* Shuffled labels with exact balance: example i gets class i % classes,
 * then a Fisher-Yates shuffle.  Counts differ by at most one between
 * classes, where independent uniform labels would leave some classes
 * short by sampling noise on small splits. */
static void balanced_labels(gsl_rng *r, split *s)
{
  for (size_t i = 0; i < s->n; i++) s->y[i] = (int)(i % s->classes);
  for (size_t i = s->n; i > 1; i--) {
    size_t j = (size_t)gsl_rng_uniform_int(r, (unsigned long)i);
    int tmp = s->y[i - 1];
    s->y[i - 1] = s->y[j];
    s->y[j] = tmp;
  }
}

/* Label = argmax_k x . T[:,k] (zero teacher biases); ties go to the lowest
 * k but have probability zero.  T: (dim, classes). */
static void teacher_labels(const double *T, split *s)
{
  for (size_t i = 0; i < s->n; i++) {
    const double *x = s->X + i * s->dim;
    size_t best = 0;
    double best_score = -INFINITY;
    for (size_t k = 0; k < s->classes; k++) {
      double score = 0.0;
      for (size_t j = 0; j < s->dim; j++) score += x[j] * T[j * s->classes + k];
      if (score > best_score) {
        best_score = score;
        best = k;
      }
    }
    s->y[i] = (int)best;
  }
}

/* Draw order: teacher T row-major, then train X row-major, then test X.
 * The classes' shares are not equal (they depend on the angles between the
 * teacher's columns) and with dim 1 only two classes can ever win; that is
 * the teacher's doing and part of the task. */
static void gen_gaussian(gsl_rng *r, double *T, split *train, split *test)
{
  for (size_t i = 0; i < train->dim * train->classes; i++)
    T[i] = gsl_ran_gaussian(r, 1.0);
  split *parts[2] = { train, test };
  for (int p = 0; p < 2; p++) {
    split *s = parts[p];
    for (size_t i = 0; i < s->n * s->dim; i++)
      s->X[i] = gsl_ran_gaussian(r, 1.0);
    teacher_labels(T, s);
  }
}

/* Draw order: centers (classes, dim) row-major; then per split the label
 * shuffle, then the noise of each example row by row. */
static void gen_mixture(gsl_rng *r, double *C, split *train, split *test)
{
  double s_center = MIX_RADIUS / sqrt((double)train->dim);
  for (size_t i = 0; i < train->classes * train->dim; i++)
    C[i] = gsl_ran_gaussian(r, s_center);
  split *parts[2] = { train, test };
  for (int p = 0; p < 2; p++) {
    split *s = parts[p];
    balanced_labels(r, s);
    for (size_t i = 0; i < s->n; i++) {
      const double *c = C + (size_t)s->y[i] * s->dim;
      double *x = s->X + i * s->dim;
      for (size_t j = 0; j < s->dim; j++) x[j] = c[j] + gsl_ran_gaussian(r, 1.0);
    }
  }
}

/* Draw order per split: the label shuffle, then for each example t, then
 * the x and y noise. */
static void gen_spirals(gsl_rng *r, double *unused, split *train, split *test)
{
  (void)unused;
  double sd = SPIRAL_NOISE_OF_GAP / (SPIRAL_TURNS * (double)train->classes);
  /* With r ~ U(0,1] and arms rotated evenly, E x = 0 and each coordinate
   * has variance (E r^2 + 2 sd^2)/2 = (1/3 + 2 sd^2)/2.  A fixed scale (not
   * the sample's) gives unit variance while treating train and test alike. */
  double scale = 1.0 / sqrt((1.0 / 3.0 + 2.0 * sd * sd) / 2.0);
  split *parts[2] = { train, test };
  for (int p = 0; p < 2; p++) {
    split *s = parts[p];
    balanced_labels(r, s);
    for (size_t i = 0; i < s->n; i++) {
      double t = gsl_rng_uniform_pos(r);
      double theta = 2.0 * M_PI * (SPIRAL_TURNS * t
                                   + (double)s->y[i] / (double)s->classes);
      double nx = gsl_ran_gaussian(r, sd);
      double ny = gsl_ran_gaussian(r, sd);
      s->X[2 * i] = scale * (t * cos(theta) + nx);
      s->X[2 * i + 1] = scale * (t * sin(theta) + ny);
    }
  }
}

void data_free(dataset *d)
{
  if (!d) return;
  free(d->X_train);   /* base of the one feature block */
  free(d->y_train);   /* base of the one label block */
  free(d);
}

dataset *data_alloc(const data_spec *spec, unsigned long seed, sb_error *err)
{
  data_sizes z;
  if (data_check(spec, err) != SB_OK || sizes_of(spec, &z, err) != SB_OK)
    return NULL;
  const struct data_kind_info *info = &data_kinds[spec->kind];

  dataset *d = calloc(1, sizeof *d);
  double *scratch = z.scratch_bytes ? malloc(z.scratch_bytes) : NULL;
  if (d) {
    d->X_train = malloc(z.x_bytes);
    d->y_train = malloc(z.y_bytes);
  }
  if (!d || !d->X_train || !d->y_train || (z.scratch_bytes && !scratch)) {
    free(scratch);
    data_free(d);
    sb_fail(err, SB_EFAIL, "out of memory allocating dataset (%zu bytes)", z.total);
    return NULL;
  }
  d->n_train = spec->train_size;
  d->n_test = spec->test_size;
  d->dim = spec->input_dim;
  d->classes = spec->classes;
  d->X_test = d->X_train + d->n_train * d->dim;
  d->y_test = d->y_train + d->n_train;

  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) {
    free(scratch);
    data_free(d);
    sb_fail(err, SB_EFAIL, "out of memory allocating the dataset's generator");
    return NULL;
  }
  gsl_rng_set(r, seed);
  split train = { d->n_train, d->dim, d->classes, d->X_train, d->y_train };
  split test = { d->n_test, d->dim, d->classes, d->X_test, d->y_test };
  info->gen(r, scratch, &train, &test);
  gsl_rng_free(r);
  free(scratch);
  return d;
}
