/* test_data.c - TAP checks of the generated datasets: name parsing, size
 * checks and their messages, determinism, label ranges, class balance,
 * feature moments, and that each task carries learnable signal (class means
 * apart, a nearest-neighbour rule beating chance).  The sequence tasks:
 * lengths, right alignment and zero padding, and each example's label or
 * target worked out again from its inputs alone, by the paper's rules. */
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
 * program, since every later check would read through NULL.  T: a
 * sequence task's length (data_alloc_len), 0 for data_alloc. */
static dataset *must_alloc_len(const data_spec *s, unsigned long seed, size_t T)
{
  sb_error err;
  sb_error_clear(&err);
  dataset *d = T ? data_alloc_len(s, seed, T, &err) : data_alloc(s, seed, &err);
  if (!d) {
    tap_ok(0, "data_alloc(%s, T %zu) failed: %s", data_kind_name(s->kind), T, err.msg);
    exit(tap_done());
  }
  return d;
}

static dataset *must_alloc(const data_spec *s, unsigned long seed)
{
  return must_alloc_len(s, seed, 0);
}

static int same_split(const double *Xa, const int *ya, const double *Xb,
                      const int *yb, size_t n, size_t dim)
{
  return memcmp(Xa, Xb, n * dim * sizeof *Xa) == 0
         && memcmp(ya, yb, n * sizeof *ya) == 0;
}

/* Two optional blocks of n items of `size` bytes hold the same bytes. */
static int same_block(const void *a, const void *b, size_t n, size_t size)
{
  if (!a || !b) return a == b;
  return memcmp(a, b, n * size) == 0;
}

static int same_dataset(const dataset *a, const dataset *b)
{
  size_t n = a->n_train + a->n_test;
  return a->n_train == b->n_train && a->n_test == b->n_test && a->dim == b->dim
         && a->seq_len == b->seq_len && a->seq_in == b->seq_in && a->n_out == b->n_out
         && same_split(a->X_train, a->y_train, b->X_train, b->y_train,
                       a->n_train, a->dim)
         && same_split(a->X_test, a->y_test, b->X_test, b->y_test, a->n_test,
                       a->dim)
         && same_block(a->start_train, b->start_train, n, sizeof *a->start_train)
         && same_block(a->t_train, b->t_train, n * a->n_out, sizeof *a->t_train);
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
    [DATA_ADDING] = "adding", [DATA_TEMPORAL_ORDER] = "temporal_order", [DATA_COPY] = "copy",
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
    "idx", "csv", "idx:", "csv:", "shapeset:x", "CSV:x", "temporal-order", "adding:100",
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
                         "(valid: gaussian, mixture, spirals, shapeset, adding, temporal_order, copy, "
                         "idx:PATH, csv:PATH)") == 0,
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

/* Properties every kind must have, on a small odd-sized problem; T: a
 * sequence task's length (dim is then its features per step), else 0. */
static void test_common_len(data_kind kind, size_t dim, size_t classes, size_t T)
{
  const char *name = data_kind_name(kind);
  data_spec s = spec_of(kind, dim, classes, 503, 211);
  dataset *a = must_alloc_len(&s, SEED, T);
  dataset *b = must_alloc_len(&s, SEED, T);
  dataset *c = must_alloc_len(&s, SEED + 1, T);
  data_spec s2 = spec_of(kind, dim, classes, 503, 97);
  dataset *e = must_alloc_len(&s2, SEED, T);
  size_t steps = T ? T + T / 10 : 1;

  tap_ok(a->n_train == 503 && a->n_test == 211 && a->dim == steps * dim
         && a->classes == classes && a->X_test && a->y_test
         && a->seq_len == (T ? steps : 0) && a->seq_in == (T ? dim : 0),
         "%s: shape %zu/%zu x %zu (%zu steps of %zu), %zu classes", name, a->n_train, a->n_test,
         a->dim, a->seq_len, a->seq_in, a->classes);
  dim = a->dim;
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
  tap_ok(same_split(a->X_train, a->y_train, e->X_train, e->y_train, 503, dim)
         && same_block(a->start_train, e->start_train, 503, sizeof *a->start_train)
         && same_block(a->t_train, e->t_train, 503 * a->n_out, sizeof *a->t_train),
         "%s: train split does not depend on test_size", name);
  tap_ok(data_digest(a) == data_digest(b) && data_digest(a) != data_digest(c),
         "%s: the digest follows the data: %016llx, seed+1 %016llx", name,
         (unsigned long long)data_digest(a), (unsigned long long)data_digest(c));

  data_free(a);
  data_free(b);
  data_free(c);
  data_free(e);
}

static void test_common(data_kind kind, size_t dim, size_t classes)
{
  test_common_len(kind, dim, classes, 0);
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


/* ---- sequence tasks ------------------------------------------------------ */

/* spec fails data_check_len(T) and data_alloc_len(T) with SB_EUSAGE, the
 * message starting with msg_prefix and naming --depths. */
static void expect_len_usage(data_spec s, size_t T, const char *msg_prefix, const char *what)
{
  sb_error err;
  sb_error_clear(&err);
  int rc = data_check_len(&s, T, &err);
  tap_ok(rc == SB_EUSAGE && strncmp(err.msg, msg_prefix, strlen(msg_prefix)) == 0 && strstr(err.msg, "--depths"),
         "data_check_len %s -> SB_EUSAGE '%s...' naming --depths: rc %d msg '%s'", what, msg_prefix, rc, err.msg);
  sb_error_clear(&err);
  dataset *d = data_alloc_len(&s, SEED, T, &err);
  tap_ok(d == NULL && err.code == SB_EUSAGE && strncmp(err.msg, msg_prefix, strlen(msg_prefix)) == 0,
         "data_alloc_len %s -> NULL, SB_EUSAGE: msg '%s'", what, err.msg);
  data_free(d);
}

static void test_seq_checks(void)
{
  tap_ok(data_kind_is_sequence(DATA_ADDING) && data_kind_is_sequence(DATA_TEMPORAL_ORDER)
         && data_kind_is_sequence(DATA_COPY) && !data_kind_is_sequence(DATA_GAUSSIAN)
         && !data_kind_is_sequence(DATA_SHAPESET) && !data_kind_is_sequence(DATA_IDX)
         && !data_kind_is_sequence(DATA_COUNT),
         "data_kind_is_sequence: adding, temporal_order and copy only");
  tap_ok(data_seq_len(100) == 110 && data_seq_len(9) == 9 && data_seq_len(19) == 20,
         "data_seq_len: T + T/10: 100 -> %zu, 9 -> %zu, 19 -> %zu", data_seq_len(100), data_seq_len(9),
         data_seq_len(19));

  /* Settled by data_resolve: the features per step and the classes. */
  static const struct { data_kind kind; size_t dim, classes, min_len; } fixed[] = {
    { DATA_ADDING, 2, 1, 6 }, { DATA_TEMPORAL_ORDER, 8, 4, 4 }, { DATA_COPY, 10, 8, 2 },
  };
  for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
    sb_error err;
    sb_error_clear(&err);
    const char *name = data_kind_name(fixed[k].kind);
    data_spec r = spec_of(fixed[k].kind, 32, 10, 11, 5);
    int rc = data_resolve(&r, &err);
    tap_ok(rc == SB_OK && r.input_dim == fixed[k].dim && r.classes == fixed[k].classes
           && data_check(&r, &err) == SB_OK,
           "%s: data_resolve sets %zu features per step, %zu classes: %zu, %zu", name, fixed[k].dim,
           fixed[k].classes, r.input_dim, r.classes);
    char msg[160];
    snprintf(msg, sizeof msg, "--input-dim: the %s dataset has %zu features per step (got %zu)", name,
             fixed[k].dim, fixed[k].dim + 1);
    expect_usage(spec_of(fixed[k].kind, fixed[k].dim + 1, fixed[k].classes, 11, 5), msg, "a step's features");
    data_spec sc = spec_of(fixed[k].kind, fixed[k].dim, fixed[k].classes, 11, 5);
    sc.scale = DATA_SCALE_STANDARD;
    expect_usage(sc, "--input-scale: ", "--input-scale standard");
    sc.scale = DATA_SCALE_NONE;
    sb_error_clear(&err);
    tap_ok(data_check(&sc, &err) == SB_OK, "%s: --input-scale none is accepted: %s", name, err.msg);

    data_spec ok = spec_of(fixed[k].kind, fixed[k].dim, fixed[k].classes, 11, 5);
    sb_error_clear(&err);
    dataset *d = data_alloc(&ok, SEED, &err);
    tap_ok(d == NULL && err.code == SB_EUSAGE && strncmp(err.msg, "--dataset: ", 11) == 0
           && strstr(err.msg, name) && strstr(err.msg, "--depths") && strstr(err.msg, "sequence length"),
           "%s: data_alloc (no length) -> SB_EUSAGE saying --depths is the sequence length: '%s'", name, err.msg);
    data_free(d);
    expect_len_usage(ok, 0, "--dataset: ", "T 0");
    char lmsg[128];
    snprintf(lmsg, sizeof lmsg, "--depths: the %s task needs sequences of at least %zu steps (got %zu", name,
             fixed[k].min_len, fixed[k].min_len - 1);
    if (fixed[k].min_len > 1) expect_len_usage(ok, fixed[k].min_len - 1, lmsg, "T below the shortest");
    expect_len_usage(ok, ((size_t)1 << 30) + 1, "--depths: ", "T 2^30 + 1");
    sb_error_clear(&err);
    d = data_alloc_len(&ok, SEED, fixed[k].min_len, &err);
    tap_ok(d && d->seq_len == fixed[k].min_len + fixed[k].min_len / 10,
           "%s: the shortest T, %zu, is made: %s", name, fixed[k].min_len, d ? "yes" : err.msg);
    data_free(d);
  }
  /* The classes a regression task has, and a classification task's own. */
  expect_usage(spec_of(DATA_ADDING, 2, 2, 11, 5),
               "--classes: the adding dataset is a regression task with 1 real target", "adding with 2 classes");
  expect_usage(spec_of(DATA_ADDING, 2, 0, 11, 5), "--classes: ", "adding with 0 classes");
  expect_usage(spec_of(DATA_COPY, 10, 1, 11, 5), "--classes", "copy with 1 class");
  expect_usage(spec_of(DATA_TEMPORAL_ORDER, 8, 5, 11, 5), "--classes: the temporal_order dataset has 4 classes",
               "temporal_order with 5 classes");
  expect_usage(spec_of(DATA_GAUSSIAN, 7, 1, 11, 5), "--classes: need at least 2", "gaussian with 1 class still");
  /* Sizes that overflow once the steps multiply them. */
  {
    sb_error err;
    sb_error_clear(&err);
    data_spec big = spec_of(DATA_COPY, 10, 8, ((size_t)1 << 32) - 1, 1);
    dataset *d = data_alloc_len(&big, SEED, (size_t)1 << 30, &err);
    tap_ok(d == NULL && err.code == SB_EUSAGE && strncmp(err.msg, "--depths, --train-size", 22) == 0,
           "2^32 sequences of 2^30 steps: refused as overflowing: '%s'", err.msg);
    data_free(d);
  }

  /* T means nothing to the other kinds: data_alloc is data_alloc_len(0). */
  data_spec g = spec_of(DATA_MIXTURE, 7, 3, 53, 21);
  dataset *a = must_alloc(&g, SEED), *b = must_alloc_len(&g, SEED, 17);
  tap_ok(same_dataset(a, b) && data_digest(a) == data_digest(b) && !a->start_train && !a->t_train
         && a->seq_len == 0 && a->seq_in == 0 && a->n_out == 3 && a->success_tol == 0.0,
         "mixture: data_alloc_len(T 17) is data_alloc: no starts, no targets, n_out = classes %zu", a->n_out);
  tap_ok(isnan(data_chance_mse(a)), "mixture: data_chance_mse is NaN (labels only): %g", data_chance_mse(a));
  data_free(a);
  data_free(b);
}

/* Each example's length T_i = seq_len - start[i] lies in [T, T + T/10],
 * every length of that range is drawn, and the steps before start[i] are
 * all zero while the first real step is not. */
static void check_layout(const dataset *d, size_t T, const char *name)
{
  size_t n = d->n_train + d->n_test, span = T / 10 + 1, bad_len = 0, bad_pad = 0, bad_first = 0;
  size_t *seen = calloc(span, sizeof *seen);
  for (size_t i = 0; i < n; i++) {
    size_t b = d->start_train[i], len = d->seq_len - b;
    const double *x = d->X_train + i * d->dim;
    if (len < T || len > T + T / 10) { bad_len++; continue; }
    seen[len - T]++;
    for (size_t j = 0; j < b * d->seq_in; j++) bad_pad += x[j] != 0.0;
    int any = 0;
    for (size_t j = 0; j < d->seq_in; j++) any |= x[b * d->seq_in + j] != 0.0;
    bad_first += !any;
  }
  size_t missing = 0;
  for (size_t k = 0; k < span; k++) missing += seen[k] == 0;
  tap_ok(d->start_test == d->start_train + d->n_train && d->seq_len == T + T / 10 && bad_len == 0 && missing == 0,
         "%s T %zu: lengths in [%zu, %zu], each drawn: %zu outside, %zu lengths never drawn", name, T, T,
         T + T / 10, bad_len, missing);
  tap_ok(bad_pad == 0 && bad_first == 0, "%s T %zu: right-aligned: padding all zero (%zu nonzero), the first real "
         "step not empty (%zu empty)", name, T, bad_pad, bad_first);
  free(seen);
}

/* Whether x (steps of `width` features) holds exactly one 1 and zeros
 * otherwise at every step from b to end; *sym: the step's 1, per step. */
static int one_hot_steps(const double *x, size_t b, size_t end, size_t width, size_t *sym)
{
  for (size_t k = b; k < end; k++) {
    size_t ones = 0;
    for (size_t j = 0; j < width; j++) {
      double v = x[k * width + j];
      if (v == 1.0) { ones++; sym[k] = j; }
      else if (v != 0.0) return 0;
    }
    if (ones != 1) return 0;
  }
  return 1;
}

/* The adding problem, by H&S 1997's rules read back from X alone: two
 * marked steps (marker 1), the earlier among the first 10 and both among
 * the first T/2 - 1 ... or one of them among the first 10 and the other
 * among the first T/2 - 1; markers -1 at the first and the last step when
 * unmarked, 0 elsewhere; values in [-1, 1], 0 at a marked first step; and
 * the target 0.5 + (sum of the marked values)/4. */
static void test_adding(size_t T)
{
  data_spec s = spec_of(DATA_ADDING, 2, 1, 3001, 503);
  dataset *d = must_alloc_len(&s, SEED, T);
  size_t n = d->n_train + d->n_test, w1 = T - 1 < 10 ? T - 1 : 10, w2 = T / 2 - 1;
  size_t bad_marks = 0, bad_window = 0, bad_values = 0, bad_target = 0, first_marked = 0, labels = 0;
  size_t hit_w1 = 0, hit_w2 = 0;
  check_layout(d, T, "adding");
  for (size_t i = 0; i < n; i++) {
    size_t b = d->start_train[i], len = d->seq_len - b, m[2], nm = 0;
    const double *x = d->X_train + i * d->dim + 2 * b;
    double sum = 0.0;
    for (size_t k = 0; k < len; k++) {
      double v = x[2 * k], mk = x[2 * k + 1];
      if (!(v >= -1.0 && v <= 1.0)) bad_values++;
      if (mk == 1.0) {
        if (nm < 2) m[nm] = k;
        nm++;
        sum += v;
      } else if (mk != ((k == 0 || k == len - 1) ? -1.0 : 0.0)) bad_marks++;
    }
    if (nm != 2) { bad_marks++; continue; }
    if (!((m[0] < w1 && m[1] < w2) || (m[1] < w1 && m[0] < w2))) bad_window++;
    if (m[1] == w1 - 1 || m[0] == w1 - 1) hit_w1++;
    if (m[1] == w2 - 1) hit_w2++;
    if (m[0] == 0) {
      first_marked++;
      if (x[0] != 0.0) bad_values++;
    }
    if (d->t_train[i] != 0.5 + sum / 4.0) bad_target++;
    labels += d->y_train[i] != 0;
  }
  tap_ok(bad_marks == 0 && bad_window == 0,
         "adding T %zu: two marked steps, one among the first %zu and the other among the first %zu, "
         "-1 at the ends, 0 elsewhere: %zu wrong markers, %zu outside the windows", T, w1, w2, bad_marks, bad_window);
  tap_ok(hit_w1 > 0 && hit_w2 > 0, "adding T %zu: the windows' last steps are drawn: step %zu %zu times, %zu %zu times",
         T, w1, hit_w1, w2, hit_w2);
  tap_ok(bad_values == 0, "adding T %zu: values in [-1, 1], 0 where the first step is marked (%zu such): %zu wrong",
         T, first_marked, bad_values);
  tap_ok(bad_target == 0 && labels == 0,
         "adding T %zu: target = 0.5 + (sum of the marked values)/4 for all %zu: %zu wrong; labels all 0: %zu not",
         T, n, bad_target, labels);
  tap_ok(d->n_out == 1 && d->classes == 1 && d->success_tol == 0.04 && d->t_test == d->t_train + d->n_train,
         "adding: n_out 1, classes 1, success_tol 0.04: %zu %zu %g", d->n_out, d->classes, d->success_tol);

  /* The chance level against an independent computation, and against
   * its value in closed form: Var(0.5 + (X1 + X2)/4) = (2 - p)/3/16 for X
   * uniform in [-1, 1] (variance 1/3), but for the value zeroed when the
   * first step is marked, with probability p = 1/10 + (9/10)/(T/2 - 2). */
  long double m = 0.0L, v = 0.0L;
  for (size_t i = 0; i < d->n_train; i++) m += d->t_train[i];
  m /= d->n_train;
  for (size_t i = 0; i < d->n_train; i++) v += (d->t_train[i] - m) * (d->t_train[i] - m);
  double chance = data_chance_mse(d);
  tap_rel(chance, (double)(0.5L * v / d->n_train), 1e-12, "adding: data_chance_mse = 1/2 Var(target), training split");
  if (T >= 100) {
    double p = 0.1 + 0.9 / (double)(T / 2 - 2);
    tap_rel(chance, 0.5 * (2.0 - p) / 48.0, 0.06, "adding: data_chance_mse near its expected value");
  }

  /* The subsets carry each example's start and target along. */
  sb_error err;
  sb_error_clear(&err);
  int rc = data_subsets(d, DATA_SPLIT_TEST, 101, 257, SEED + 7, &err);
  const data_subset *subs[3] = { &d->probe, &d->eval_train, &d->eval_test };
  size_t bad = 0, total = 0;
  for (int k = 0; k < 3 && rc == SB_OK; k++) {
    const data_subset *u = subs[k];
    if (!u->start || !u->t) { bad++; continue; }
    for (size_t i = 0; i < u->n; i++, total++) {
      const double *x = u->X + i * d->dim;
      size_t b = 0;
      while (b < d->seq_len && x[2 * b + 1] == 0.0) b++;   /* the first marker is -1 or 1 */
      double sum = 0.0;
      for (size_t k2 = b; k2 < d->seq_len; k2++) sum += x[2 * k2 + 1] == 1.0 ? x[2 * k2] : 0.0;
      bad += u->start[i] != b || u->t[i] != 0.5 + sum / 4.0;
    }
  }
  tap_ok(rc == SB_OK && bad == 0 && total == 101 + 257 + 257,
         "adding: data_subsets copies start and t with X (probe from the test split, evaluation subsets): "
         "%zu of %zu wrong", bad, total);

  /* The digest covers the starts and the targets. */
  uint64_t h0 = data_digest(d);
  size_t keep = d->start_test[3];
  d->start_test[3] = keep + 1;
  uint64_t h1 = data_digest(d);
  d->start_test[3] = keep;
  double tk = d->t_train[5];
  d->t_train[5] = nextafter(tk, 2.0);
  uint64_t h2 = data_digest(d);
  d->t_train[5] = tk;
  tap_ok(h1 != h0 && h2 != h0 && data_digest(d) == h0,
         "adding: the digest changes with a start (%016llx) and with a target (%016llx), from %016llx",
         (unsigned long long)h1, (unsigned long long)h2, (unsigned long long)h0);
  data_free(d);
}

/* Temporal order (H&S 1997, 6a) read back from the symbols: one-hot
 * steps, E first, B last, exactly two of X/Y, at positions (1-based) in
 * the ranges given, noise a-d elsewhere; the class the order of X and Y. */
static void test_temporal_order(size_t T, size_t lo1, size_t hi1, size_t lo2, size_t hi2)
{
  enum { A, B_, C, D, E, B, X, Y };
  data_spec s = spec_of(DATA_TEMPORAL_ORDER, 8, 4, 2003, 401);
  dataset *d = must_alloc_len(&s, SEED, T);
  size_t n = d->n_train + d->n_test;
  size_t *sym = malloc(d->seq_len * sizeof *sym);
  size_t bad_hot = 0, bad_ends = 0, bad_pos = 0, bad_class = 0, noise[4] = { 0 }, hit1[2] = { 0 }, hit2[2] = { 0 };
  size_t count[4] = { 0 };
  check_layout(d, T, "temporal_order");
  for (size_t i = 0; i < n; i++) {
    size_t b = d->start_train[i], len = d->seq_len - b;
    const double *x = d->X_train + i * d->dim;
    if (!one_hot_steps(x, b, d->seq_len, 8, sym)) { bad_hot++; continue; }
    if (sym[b] != E || sym[d->seq_len - 1] != B) bad_ends++;
    size_t pos[2], got[2], nxy = 0;
    for (size_t p = 2; p < len; p++) {
      size_t v = sym[b + p - 1];
      if (v == X || v == Y) {
        if (nxy < 2) { pos[nxy] = p; got[nxy] = v; }
        nxy++;
      } else if (v <= D) noise[v]++;
      else bad_ends++;
    }
    if (nxy != 2 || pos[0] < lo1 || pos[0] > hi1 || pos[1] < lo2 || pos[1] > hi2) { bad_pos++; continue; }
    hit1[0] += pos[0] == lo1; hit1[1] += pos[0] == hi1;
    hit2[0] += pos[1] == lo2; hit2[1] += pos[1] == hi2;
    int cls = 2 * (got[0] == Y) + (got[1] == Y);
    bad_class += d->y_train[i] != cls;
    if (d->y_train[i] >= 0 && d->y_train[i] < 4) count[d->y_train[i]]++;
  }
  tap_ok(bad_hot == 0 && bad_ends == 0, "temporal_order T %zu: one symbol a step, E first, B last, none elsewhere: "
         "%zu not one-hot, %zu misplaced", T, bad_hot, bad_ends);
  tap_ok(bad_pos == 0 && hit1[0] && hit1[1] && hit2[0] && hit2[1],
         "temporal_order T %zu: two of X/Y, at t1 in [%zu, %zu] and t2 in [%zu, %zu], both ends drawn: %zu wrong",
         T, lo1, hi1, lo2, hi2, bad_pos);
  tap_ok(bad_class == 0, "temporal_order T %zu: class = XX 0, XY 1, YX 2, YY 3 from the symbols: %zu wrong", T,
         bad_class);
  /* At T = 4 every position is E, t1, t2 or B: no noise. */
  int noise_ok = T == 4 ? !noise[0] && !noise[1] && !noise[2] && !noise[3]
                        : noise[0] && noise[1] && noise[2] && noise[3];
  tap_ok(count[0] && count[1] && count[2] && count[3] && noise_ok,
         "temporal_order T %zu: every class (%zu %zu %zu %zu) and noise symbol appears", T, count[0], count[1],
         count[2], count[3]);
  check_balance(d->y_train, d->n_train, 4, "temporal_order train");
  tap_ok(d->n_out == 4 && !d->t_train && d->success_tol == 0.0 && isnan(data_chance_mse(d)),
         "temporal_order: n_out 4, no targets, success by argmax, chance from the labels");
  free(sym);
  data_free(d);
}

/* Copy read back from the symbols: the class's symbol first, blanks, the
 * go cue last. */
static void test_copy(size_t T)
{
  data_spec s = spec_of(DATA_COPY, 10, 8, 1001, 333);
  dataset *d = must_alloc_len(&s, SEED, T);
  size_t n = d->n_train + d->n_test, bad = 0, count[8] = { 0 };
  size_t *sym = malloc(d->seq_len * sizeof *sym);
  check_layout(d, T, "copy");
  for (size_t i = 0; i < n; i++) {
    size_t b = d->start_train[i];
    const double *x = d->X_train + i * d->dim;
    if (!one_hot_steps(x, b, d->seq_len, 10, sym)) { bad++; continue; }
    int ok = (int)sym[b] == d->y_train[i] && sym[b] < 8 && sym[d->seq_len - 1] == 9;
    for (size_t k = b + 1; k + 1 < d->seq_len; k++) ok &= sym[k] == 8;
    bad += !ok;
    if (ok) count[sym[b]]++;
  }
  size_t absent = 0;
  for (int k = 0; k < 8; k++) absent += count[k] == 0;
  tap_ok(bad == 0 && absent == 0, "copy T %zu: class = the first step's symbol, blanks, go last: %zu wrong, "
         "%zu classes absent", T, bad, absent);
  check_balance(d->y_train, d->n_train, 8, "copy train");
  tap_ok(d->n_out == 8 && !d->t_train && d->success_tol == 0.0, "copy: n_out 8, no targets, success by argmax");
  free(sym);
  data_free(d);
}

int main(void)
{
  test_names();
  test_checks();
  test_common(DATA_GAUSSIAN, 5, 3);
  test_common(DATA_MIXTURE, 7, 4);
  test_common(DATA_SPIRALS, 2, 3);
  test_common_len(DATA_ADDING, 2, 1, 23);
  test_common_len(DATA_TEMPORAL_ORDER, 8, 4, 21);
  test_common_len(DATA_COPY, 10, 8, 12);
  test_seq_checks();
  test_gaussian();
  test_mixture();
  test_spirals();
  test_adding(100);
  test_adding(13);
  test_adding(6);
  /* The paper's ranges at T = 100 (t1 in [10, 20], t2 in [50, 60]); short
   * sequences keep them inside and apart. */
  test_temporal_order(100, 10, 20, 50, 60);
  test_temporal_order(30, 3, 6, 15, 18);
  test_temporal_order(4, 2, 2, 3, 3);
  test_copy(40);
  test_copy(2);
  return tap_done();
}
