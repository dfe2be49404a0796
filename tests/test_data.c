/* test_data.c - TAP checks of the generated datasets: name parsing, size
 * checks and their messages, determinism, label ranges, class balance,
 * feature moments, and that each task carries learnable signal (class means
 * apart, a nearest-neighbour rule beating chance). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "tap.h"

/* Sanitizer allocators abort on impossible requests instead of returning
 * NULL; gcc says so with __SANITIZE_ADDRESS__, clang with __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) \
    || __has_feature(thread_sanitizer)
#define SANITIZED_MALLOC 1
#endif
#endif

static const unsigned long SEED = 20240917UL;

static data_spec spec_of(data_kind kind, size_t dim, size_t classes,
                         size_t n_train, size_t n_test)
{
  data_spec s = { .kind = kind, .input_dim = dim, .classes = classes,
                  .train_size = n_train, .test_size = n_test };
  return s;
}

/* Allocation that must succeed: a failure is reported, then aborts the
 * program, since every later check would read through NULL. */
static dataset *must_alloc(const data_spec *s, unsigned long seed)
{
  sb_error err;
  sb_error_clear(&err);
  dataset *d = data_alloc(s, seed, &err);
  if (!d) {
    tap_ok(0, "data_alloc(%s) failed: %s", data_kind_name(s->kind), err.msg);
    exit(tap_done());
  }
  return d;
}

static int same_split(const double *Xa, const int *ya, const double *Xb,
                      const int *yb, size_t n, size_t dim)
{
  return memcmp(Xa, Xb, n * dim * sizeof *Xa) == 0
         && memcmp(ya, yb, n * sizeof *ya) == 0;
}

static int same_dataset(const dataset *a, const dataset *b)
{
  return a->n_train == b->n_train && a->n_test == b->n_test && a->dim == b->dim
         && same_split(a->X_train, a->y_train, b->X_train, b->y_train,
                       a->n_train, a->dim)
         && same_split(a->X_test, a->y_test, b->X_test, b->y_test, a->n_test,
                       a->dim);
}

static int labels_in_range(const int *y, size_t n, size_t classes)
{
  for (size_t i = 0; i < n; i++)
    if (y[i] < 0 || (size_t)y[i] >= classes) return 0;
  return 1;
}

static int all_finite(const double *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}

/* count: (classes) */
static void count_labels(size_t *count, const int *y, size_t n, size_t classes)
{
  memset(count, 0, classes * sizeof *count);
  for (size_t i = 0; i < n; i++) count[y[i]]++;
}

/* Exact balance: every class holds floor(n/classes) or ceil(n/classes). */
static void check_balance(const int *y, size_t n, size_t classes, const char *what)
{
  size_t *count = malloc(classes * sizeof *count);
  size_t lo = n / classes, hi = lo + (n % classes ? 1 : 0);
  size_t min = SIZE_MAX, max = 0;
  count_labels(count, y, n, classes);
  for (size_t k = 0; k < classes; k++) {
    if (count[k] < min) min = count[k];
    if (count[k] > max) max = count[k];
  }
  tap_ok(min >= lo && max <= hi,
         "%s: class counts in [%zu, %zu]: observed [%zu, %zu]", what, lo, hi,
         min, max);
  free(count);
}

/* means: (classes, dim) - per-class means of X. */
static void class_means(double *means, const double *X, const int *y, size_t n,
                        size_t dim, size_t classes)
{
  size_t *count = calloc(classes, sizeof *count);
  memset(means, 0, classes * dim * sizeof *means);
  for (size_t i = 0; i < n; i++) {
    count[y[i]]++;
    for (size_t j = 0; j < dim; j++) means[y[i] * dim + j] += X[i * dim + j];
  }
  for (size_t k = 0; k < classes; k++)
    for (size_t j = 0; j < dim; j++)
      means[k * dim + j] /= count[k] ? (double)count[k] : 1.0;
  free(count);
}

static double dist2(const double *a, const double *b, size_t dim)
{
  double s = 0.0;
  for (size_t j = 0; j < dim; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

/* Index of the row of P (m, dim) nearest to x. */
static size_t nearest(const double *x, const double *P, size_t m, size_t dim)
{
  size_t best = 0;
  double best_d = DBL_MAX;
  for (size_t i = 0; i < m; i++) {
    double d = dist2(x, P + i * dim, dim);
    if (d < best_d) {
      best_d = d;
      best = i;
    }
  }
  return best;
}

static void test_names(void)
{
  static const char *const expect[DATA_COUNT] = {
    [DATA_GAUSSIAN] = "gaussian", [DATA_MIXTURE] = "mixture",
    [DATA_SPIRALS] = "spirals", [DATA_SHAPESET] = "shapeset",
    [DATA_IDX] = "idx", [DATA_CSV] = "csv",
  };
  for (int k = 0; k < DATA_COUNT; k++) {
    sb_error err;
    data_spec got = { .kind = DATA_COUNT };
    char text[64], back[64];
    sb_error_clear(&err);
    const char *name = data_kind_name((data_kind)k);
    /* File kinds are NAME:PATH. */
    snprintf(text, sizeof text, "%s%s", name, data_kind_is_file((data_kind)k) ? ":some/file" : "");
    int rc = data_parse(text, &got, &err);
    data_format(&got, back, sizeof back);
    if (!expect[k]) tap_diag("data_kind %d ('%s'): give its spelling to test_names' list", k, name);
    tap_ok(expect[k] && strcmp(name, expect[k]) == 0 && rc == SB_OK && got.kind == (data_kind)k
           && strcmp(back, text) == 0,
           "data_parse('%s') round-trips through data_format: rc %d kind %d '%s'",
           text, rc, (int)got.kind, back);
  }
  tap_ok(data_kind_name(DATA_COUNT) != NULL,
         "data_kind_name(DATA_COUNT) is not NULL: '%s'",
         data_kind_name(DATA_COUNT));

  static const char *const bad[] = {
    "Gaussian", "spiral", "", "mixture ", " spirals", "Shapeset", "gaussian:3",
    "idx", "csv", "idx:", "csv:", "shapeset:x", "CSV:x",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    sb_error err;
    data_spec got = { .kind = DATA_SPIRALS };
    sb_error_clear(&err);
    int rc = data_parse(bad[i], &got, &err);
    tap_ok(rc == SB_EUSAGE && err.code == SB_EUSAGE
           && strncmp(err.msg, "--dataset: ", 11) == 0 && strstr(err.msg, bad[i])
           && got.kind == DATA_SPIRALS && got.path[0] == '\0',
           "data_parse('%s') -> SB_EUSAGE: rc %d, out untouched, msg '%s'",
           bad[i], rc, err.msg);
  }
  sb_error err;
  data_spec got;
  sb_error_clear(&err);
  data_parse("spiral", &got, &err);
  tap_ok(strcmp(err.msg, "--dataset: unknown dataset 'spiral' "
                         "(valid: gaussian, mixture, spirals, shapeset, idx:PATH, csv:PATH)") == 0,
         "unknown dataset message lists the valid names: '%s'", err.msg);
}

/* spec must fail data_check and data_alloc with SB_EUSAGE; msg_prefix is
 * the start of the expected message (the option's name). */
static void expect_usage(data_spec s, const char *msg_prefix, const char *what)
{
  sb_error err;
  sb_error_clear(&err);
  int rc = data_check(&s, &err);
  tap_ok(rc == SB_EUSAGE && err.code == SB_EUSAGE
         && strncmp(err.msg, msg_prefix, strlen(msg_prefix)) == 0,
         "data_check %s -> SB_EUSAGE '%s...': rc %d msg '%s'", what, msg_prefix,
         rc, err.msg);
  sb_error_clear(&err);
  dataset *d = data_alloc(&s, SEED, &err);
  tap_ok(d == NULL && err.code == SB_EUSAGE
         && strncmp(err.msg, msg_prefix, strlen(msg_prefix)) == 0,
         "data_alloc %s -> NULL, SB_EUSAGE: msg '%s'", what, err.msg);
  data_free(d);
}

static void test_checks(void)
{
  sb_error err;
  data_spec ok = spec_of(DATA_MIXTURE, 7, 3, 11, 5);
  sb_error_clear(&err);
  tap_ok(data_check(&ok, &err) == SB_OK, "data_check accepts mixture 7x3 11/5");
  data_spec sp = spec_of(DATA_SPIRALS, 2, 5, 11, 5);
  tap_ok(data_check(&sp, &err) == SB_OK, "data_check accepts spirals in 2-D");

  expect_usage(spec_of(DATA_GAUSSIAN, 7, 1, 11, 5), "--classes", "classes 1");
  expect_usage(spec_of(DATA_GAUSSIAN, 7, 0, 11, 5), "--classes", "classes 0");
  expect_usage(spec_of(DATA_MIXTURE, 0, 3, 11, 5), "--input-dim", "input_dim 0");
  expect_usage(spec_of(DATA_MIXTURE, 7, 3, 0, 5), "--train-size", "train_size 0");
  expect_usage(spec_of(DATA_MIXTURE, 7, 3, 11, 0), "--test-size", "test_size 0");
  expect_usage(spec_of(DATA_SPIRALS, 3, 3, 11, 5),
               "--input-dim: the spirals dataset is 2-dimensional (got 3)",
               "spirals in 3-D");
  expect_usage(spec_of(DATA_SPIRALS, 1, 2, 11, 5),
               "--input-dim: the spirals dataset is 2-dimensional (got 1)",
               "spirals in 1-D");
  expect_usage(spec_of(DATA_GAUSSIAN, 7, 3, SIZE_MAX, 5), "--train-size",
               "train_size SIZE_MAX");
  /* Valid counts whose product overflows size_t: refused before malloc. */
  expect_usage(spec_of(DATA_GAUSSIAN, SIZE_MAX / 4, 3, 3, 1), "--input-dim",
               "(3+1) x SIZE_MAX/4 features");
  expect_usage(spec_of(DATA_MIXTURE, SIZE_MAX / 16, 3, 1, 1), "--input-dim",
               "2 x SIZE_MAX/16 doubles");

  /* 1 PB of features passes the overflow checks but exceeds any 64-bit user
   * address space, so malloc fails even under overcommit (skipped under
   * sanitizers, see SANITIZED_MALLOC). */
#if SIZE_MAX > 0xffffffffu && !defined(SANITIZED_MALLOC)
  {
    data_spec big = spec_of(DATA_MIXTURE, (size_t)1 << 46, 2, 1, 1);
    sb_error_clear(&err);
    dataset *d = data_alloc(&big, SEED, &err);
    tap_ok(d == NULL && err.code == SB_EFAIL
           && strncmp(err.msg, "out of memory allocating dataset (", 34) == 0,
           "data_alloc of 1 PB -> NULL, SB_EFAIL: msg '%s'", err.msg);
    data_free(d);
  }
#endif

  data_free(NULL);
  tap_ok(1, "data_free(NULL) is a no-op");
}

/* Properties every kind must have, on a small odd-sized problem. */
static void test_common(data_kind kind, size_t dim, size_t classes)
{
  const char *name = data_kind_name(kind);
  data_spec s = spec_of(kind, dim, classes, 503, 211);
  dataset *a = must_alloc(&s, SEED);
  dataset *b = must_alloc(&s, SEED);
  dataset *c = must_alloc(&s, SEED + 1);
  data_spec s2 = spec_of(kind, dim, classes, 503, 97);
  dataset *e = must_alloc(&s2, SEED);

  tap_ok(a->n_train == 503 && a->n_test == 211 && a->dim == dim
         && a->classes == classes && a->X_test && a->y_test,
         "%s: shape %zu/%zu x %zu, %zu classes", name, a->n_train, a->n_test,
         a->dim, a->classes);
  tap_ok(same_dataset(a, b), "%s: same seed gives identical bytes", name);
  tap_ok(memcmp(a->X_train, c->X_train, 503 * dim * sizeof(double)) != 0
         && memcmp(a->X_test, c->X_test, 211 * dim * sizeof(double)) != 0,
         "%s: seed+1 gives different train and test features", name);
  tap_ok(labels_in_range(a->y_train, a->n_train, classes)
         && labels_in_range(a->y_test, a->n_test, classes),
         "%s: labels in [0, %zu)", name, classes);
  tap_ok(all_finite(a->X_train, a->n_train * dim)
         && all_finite(a->X_test, a->n_test * dim),
         "%s: all features finite", name);
  tap_ok(memcmp(a->X_train, a->X_test, 211 * dim * sizeof(double)) != 0,
         "%s: test split is not a copy of the train split's start", name);
  tap_ok(same_split(a->X_train, a->y_train, e->X_train, e->y_train, 503, dim),
         "%s: train split does not depend on test_size", name);

  data_free(a);
  data_free(b);
  data_free(c);
  data_free(e);
}

static void test_gaussian(void)
{
  const size_t dim = 32, classes = 10, n = 20000;
  data_spec s = spec_of(DATA_GAUSSIAN, dim, classes, n, 4000);
  dataset *d = must_alloc(&s, SEED);

  size_t count[10];
  count_labels(count, d->y_train, n, classes);
  double min_share = 1.0, max_share = 0.0;
  for (size_t k = 0; k < classes; k++) {
    double share = (double)count[k] / (double)n;
    if (share < min_share) min_share = share;
    if (share > max_share) max_share = share;
  }
  tap_ok(min_share > 0.02,
         "gaussian 32x10: every class share > 2%%: min %.4f max %.4f",
         min_share, max_share);

  double sum = 0.0, sum2 = 0.0, worst_mean = 0.0, worst_var = 1.0;
  for (size_t j = 0; j < dim; j++) {
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++) m += d->X_train[i * dim + j];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) {
      double z = d->X_train[i * dim + j] - m;
      v += z * z;
    }
    v /= (double)(n - 1);
    if (fabs(m) > fabs(worst_mean)) worst_mean = m;
    if (fabs(v - 1.0) > fabs(worst_var - 1.0)) worst_var = v;
  }
  for (size_t i = 0; i < n * dim; i++) {
    sum += d->X_train[i];
    sum2 += d->X_train[i] * d->X_train[i];
  }
  double mean = sum / (double)(n * dim);
  double var = sum2 / (double)(n * dim) - mean * mean;
  tap_abs(mean, 0.0, 0.03, "gaussian: pooled feature mean");
  tap_rel(var, 1.0, 0.03, "gaussian: pooled feature variance");
  tap_abs(worst_mean, 0.0, 0.03, "gaussian: worst per-feature mean");
  /* Per feature, the sample variance has sd sqrt(2/n) = 0.01. */
  tap_rel(worst_var, 1.0, 0.05, "gaussian: worst per-feature variance");

  /* The test labels come from the same teacher: class means of the train
   * split point along the teacher's directions, so classifying test points
   * by the largest x . mean_k must beat chance (0.1) by far. */
  double *means = malloc(classes * dim * sizeof *means);
  class_means(means, d->X_train, d->y_train, n, dim, classes);
  size_t hits = 0;
  for (size_t i = 0; i < d->n_test; i++) {
    const double *x = d->X_test + i * dim;
    size_t best = 0;
    double best_score = -DBL_MAX;
    for (size_t k = 0; k < classes; k++) {
      double score = 0.0;
      for (size_t j = 0; j < dim; j++) score += x[j] * means[k * dim + j];
      if (score > best_score) {
        best_score = score;
        best = k;
      }
    }
    hits += (int)best == d->y_test[i];
  }
  double acc = (double)hits / (double)d->n_test;
  tap_ok(acc > 0.5, "gaussian: train-mean direction rule on test: accuracy "
                    "%.4f > 0.5 (chance 0.1)", acc);
  free(means);
  data_free(d);

  /* A 1-D teacher can only ever pick the columns with the largest and the
   * smallest weight; the split must still be generated without trouble. */
  data_spec s1 = spec_of(DATA_GAUSSIAN, 1, 4, 999, 10);
  dataset *d1 = must_alloc(&s1, SEED);
  size_t c1[4], present = 0;
  count_labels(c1, d1->y_train, 999, 4);
  for (size_t k = 0; k < 4; k++) present += c1[k] > 0;
  tap_ok(present == 2, "gaussian dim 1, 4 classes: exactly 2 classes win: %zu",
         present);
  data_free(d1);
}

static void test_mixture(void)
{
  const size_t dim = 32, classes = 10, n = 20003, nt = 2000;
  data_spec s = spec_of(DATA_MIXTURE, dim, classes, n, nt);
  dataset *d = must_alloc(&s, SEED);

  check_balance(d->y_train, n, classes, "mixture train 20003/10");
  check_balance(d->y_test, nt, classes, "mixture test 2000/10");

  double *mtr = malloc(classes * dim * sizeof *mtr);
  double *mte = malloc(classes * dim * sizeof *mte);
  class_means(mtr, d->X_train, d->y_train, n, dim, classes);
  class_means(mte, d->X_test, d->y_test, nt, dim, classes);

  double dmin = DBL_MAX, dmax = 0.0, norm2 = 0.0;
  for (size_t k = 0; k < classes; k++) {
    for (size_t j = 0; j < dim; j++) norm2 += mtr[k * dim + j] * mtr[k * dim + j];
    for (size_t l = k + 1; l < classes; l++) {
      double dd = sqrt(dist2(mtr + k * dim, mtr + l * dim, dim));
      if (dd < dmin) dmin = dd;
      if (dd > dmax) dmax = dd;
    }
  }
  norm2 /= (double)classes;
  tap_ok(dmax > 1.0, "mixture: some pair of class means > 1 apart: max %.4f",
         dmax);
  tap_ok(dmin > 1.0, "mixture: every pair of class means > 1 apart: min %.4f",
         dmin);
  /* Centers are drawn with |c|^2 ~ 6.25 on average; over 10 classes that
   * mean has sd ~0.5, hence the loose tolerance. */
  tap_rel(norm2, 6.25, 0.3, "mixture: mean squared norm of class means");

  /* Unit isotropic noise: the pooled within-class variance is 1. */
  double ss = 0.0;
  for (size_t i = 0; i < n; i++)
    ss += dist2(d->X_train + i * dim, mtr + (size_t)d->y_train[i] * dim, dim);
  tap_rel(ss / (double)((n - classes) * dim), 1.0, 0.03,
          "mixture: pooled within-class variance");

  /* Train and test share the centers: each test class mean is nearest to
   * the train mean of the same class. */
  size_t matched = 0;
  for (size_t k = 0; k < classes; k++)
    matched += nearest(mte + k * dim, mtr, classes, dim) == k;
  tap_ok(matched == classes,
         "mixture: test class means match train class means: %zu of %zu",
         matched, classes);

  /* Learnable but not trivial: the nearest-train-mean rule. */
  size_t hits = 0;
  for (size_t i = 0; i < nt; i++)
    hits += nearest(d->X_test + i * dim, mtr, classes, dim)
            == (size_t)d->y_test[i];
  double acc = (double)hits / (double)nt;
  tap_ok(acc > 0.5 && acc < 0.99,
         "mixture: nearest-class-mean test accuracy %.4f in (0.5, 0.99)", acc);
  free(mtr);
  free(mte);
  data_free(d);
}

static void test_spirals(void)
{
  const size_t classes = 3, n = 6000, nt = 1500;
  data_spec s = spec_of(DATA_SPIRALS, 2, classes, n, nt);
  dataset *d = must_alloc(&s, SEED);

  check_balance(d->y_train, n, classes, "spirals train 6000/3");
  check_balance(d->y_test, nt, classes, "spirals test 1500/3");

  for (size_t j = 0; j < 2; j++) {
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++) m += d->X_train[2 * i + j];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) {
      double z = d->X_train[2 * i + j] - m;
      v += z * z;
    }
    v /= (double)(n - 1);
    tap_abs(m, 0.0, 0.05, j ? "spirals: mean of x2" : "spirals: mean of x1");
    tap_rel(v, 1.0, 0.05, j ? "spirals: variance of x2" : "spirals: variance of x1");
  }

  /* The arms are thin and apart: one nearest training neighbour predicts
   * the arm of a test point except near the origin, where all arms meet. */
  size_t hits = 0;
  for (size_t i = 0; i < nt; i++)
    hits += d->y_train[nearest(d->X_test + 2 * i, d->X_train, n, 2)]
            == d->y_test[i];
  double acc = (double)hits / (double)nt;
  tap_ok(acc > 0.85, "spirals 3 arms: 1-NN test accuracy %.4f > 0.85", acc);

  /* Exact balance when classes do not divide n. */
  data_spec s7 = spec_of(DATA_SPIRALS, 2, 7, 1000, 33);
  dataset *d7 = must_alloc(&s7, SEED);
  check_balance(d7->y_train, 1000, 7, "spirals train 1000/7");
  check_balance(d7->y_test, 33, 7, "spirals test 33/7");
  data_free(d7);
  data_free(d);
}

int main(void)
{
  test_names();
  test_checks();
  test_common(DATA_GAUSSIAN, 5, 3);
  test_common(DATA_MIXTURE, 7, 4);
  test_common(DATA_SPIRALS, 2, 3);
  test_gaussian();
  test_mixture();
  test_spirals();
  return tap_done();
}
