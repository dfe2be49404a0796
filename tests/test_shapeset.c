/* test_shapeset.c - TAP checks of the Shapeset-3x2 generator: the class
 * table, exact class balance, image statistics, each drawing against its
 * own geometry (shapes of the class, areas against closed forms, angles,
 * margins, grey levels, the 50% overlap rule re-measured on the masks, the
 * pixels re-composed from the masks), determinism, that single and paired
 * shapes can be told apart by a simple statistic, and the contact sheet. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>

#include "data.h"
#include "shapeset.h"
#include "fileio.h"
#include "tap.h"

static const unsigned long SEED = 20100513UL;
#define SUB2 (SHAPESET_SUB * SHAPESET_SUB)
#define FINE2 (SHAPESET_FINE * SHAPESET_FINE)

static dataset *must_alloc(size_t n_train, size_t n_test, unsigned long seed)
{
  data_spec s = { .kind = DATA_SHAPESET, .input_dim = SHAPESET_DIM, .classes = SHAPESET_CLASSES,
                  .train_size = n_train, .test_size = n_test };
  sb_error err;
  sb_error_clear(&err);
  dataset *d = data_alloc(&s, seed, &err);
  if (!d) {
    tap_ok(0, "data_alloc(shapeset %zu/%zu) failed: %s", n_train, n_test, err.msg);
    exit(tap_done());
  }
  return d;
}

static void test_classes(void)
{
  int seen[SHAPESET_SHAPES][SHAPESET_SHAPES] = { { 0 } };
  int ok = 1;
  for (int k = 0; k < SHAPESET_CLASSES; k++) {
    shapeset_shape s[2];
    size_t n = shapeset_class_shapes(k, s);
    if (n != (k < 3 ? 1u : 2u)) ok = 0;
    if (n == 1) seen[s[0]][s[0]] += 100;   /* singles apart from pairs */
    if (n == 2) {
      shapeset_shape a = GSL_MIN(s[0], s[1]), b = GSL_MAX(s[0], s[1]);
      seen[a][b]++;
    }
  }
  int pairs = 0, singles = 0;
  for (int a = 0; a < SHAPESET_SHAPES; a++)
    for (int b = a; b < SHAPESET_SHAPES; b++) {
      if (seen[a][b] % 100 == 1) pairs++;
      if (a == b && seen[a][b] / 100 == 1) singles++;
      if (seen[a][b] % 100 > 1) ok = 0;
    }
  tap_ok(ok && pairs == 6 && singles == 3,
         "9 classes = 3 single shapes + the 6 unordered pairs, each once (pairs %d, singles %d)", pairs, singles);
  shapeset_shape s[2];
  tap_ok(shapeset_class_shapes(-1, s) == 0 && shapeset_class_shapes(SHAPESET_CLASSES, s) == 0
         && strcmp(shapeset_class_name(9), "unknown") == 0 && strcmp(shapeset_class_name(4), "triangle+ellipse") == 0,
         "labels out of range have no shapes; class 4 is '%s'", shapeset_class_name(4));
}

static void test_checks(void)
{
  sb_error err;
  data_spec s = { .kind = DATA_SHAPESET, .input_dim = 32, .classes = 10, .train_size = 9, .test_size = 9 };
  sb_error_clear(&err);
  int rc = data_check(&s, &err);
  tap_ok(rc == SB_EUSAGE && strcmp(err.msg, "--input-dim: the shapeset dataset is 1024-dimensional (got 32)") == 0,
         "data_check: shapeset with input_dim 32 -> '%s'", err.msg);
  /* A preset's values give way to the kind's; the user's must agree. */
  data_spec r = s;
  sb_error_clear(&err);
  rc = data_resolve(&r, &err);
  tap_ok(rc == SB_OK && r.input_dim == 1024 && r.classes == 9 && data_check(&r, &err) == SB_OK,
         "data_resolve: shapeset takes 1024 x 9 when not given: rc %d, %zu x %zu", rc, r.input_dim, r.classes);
  r = s;
  r.given = DATA_GIVEN_CLASSES;
  data_resolve(&r, &err);
  sb_error_clear(&err);
  rc = data_check(&r, &err);
  tap_ok(rc == SB_EUSAGE && r.input_dim == 1024
         && strcmp(err.msg, "--classes: the shapeset dataset has 9 classes (got 10)") == 0,
         "a given --classes 10 is refused: '%s'", err.msg);
  tap_ok(data_scale_of(&r) == DATA_SCALE_UNIT, "shapeset's default --input-scale is unit (%s)",
         data_scale_name(data_scale_of(&r)));
}

static void test_dataset(void)
{
  const size_t n = 900, nt = 450;
  dataset *d = must_alloc(n, nt, SEED);
  size_t count[SHAPESET_CLASSES] = { 0 }, count_t[SHAPESET_CLASSES] = { 0 };
  int in_range = 1;
  for (size_t i = 0; i < n; i++) {
    if (d->y_train[i] < 0 || d->y_train[i] >= SHAPESET_CLASSES) in_range = 0;
    else count[d->y_train[i]]++;
  }
  for (size_t i = 0; i < nt; i++) {
    if (d->y_test[i] < 0 || d->y_test[i] >= SHAPESET_CLASSES) in_range = 0;
    else count_t[d->y_test[i]]++;
  }
  int balanced = in_range;
  for (int k = 0; k < SHAPESET_CLASSES; k++) balanced &= count[k] == 100 && count_t[k] == 50;
  tap_ok(balanced, "class balance exact: 100 of each class in 900 train, 50 in 450 test (class 0: %zu, %zu)",
         count[0], count_t[0]);
  size_t i_first_other = 1;
  while (i_first_other < n && d->y_train[i_first_other] == d->y_train[0]) i_first_other++;
  tap_ok(i_first_other < 5, "labels are shuffled, not in runs (first run has length %zu)", i_first_other);

  /* Image statistics. */
  double lo = INFINITY, hi = -INFINITY, sum = 0.0, sum2 = 0.0;
  size_t min_on = SIZE_MAX, on_single = 0, on_pair = 0, n_single = 0, n_pair = 0, min_sd_i = 0;
  double min_sd = INFINITY;
  for (size_t i = 0; i < n; i++) {
    const double *x = d->X_train + i * SHAPESET_DIM;
    double m = 0.0, m2 = 0.0;
    size_t on = 0;
    for (size_t j = 0; j < SHAPESET_DIM; j++) {
      lo = GSL_MIN(lo, x[j]);
      hi = GSL_MAX(hi, x[j]);
      m += x[j];
      m2 += x[j] * x[j];
      on += x[j] > 0.0;
    }
    sum += m;
    sum2 += m2;
    m /= SHAPESET_DIM;
    double sd = sqrt(m2 / SHAPESET_DIM - m * m);
    if (sd < min_sd) { min_sd = sd; min_sd_i = i; }
    min_on = GSL_MIN(min_on, on);
    if (d->y_train[i] < 3) { on_single += on; n_single++; }
    else { on_pair += on; n_pair++; }
  }
  double mean = sum / (double)(n * SHAPESET_DIM);
  double sd = sqrt(sum2 / (double)(n * SHAPESET_DIM) - mean * mean);
  tap_ok(lo == 0.0 && hi <= 1.0 && hi > 0.95, "pixels lie in [0, 1]: min %g max %g", lo, hi);
  tap_ok(mean > 0.05 && mean < 0.35, "mean pixel %.4f in (0.05, 0.35): mostly background, objects visible", mean);
  tap_ok(sd > 0.15 && sd < 0.45, "pixel sd %.4f in (0.15, 0.45)", sd);
  tap_ok(min_sd > 0.02, "every image has contrast: smallest per-image sd %.4f (image %zu)", min_sd, min_sd_i);
  tap_ok(min_on >= 12, "every image has at least 12 non-background pixels (min %zu)", min_on);
  double avg_single = (double)on_single / (double)n_single, avg_pair = (double)on_pair / (double)n_pair;
  tap_ok(avg_pair > 1.4 * avg_single, "pairs cover more pixels than single shapes: %.1f vs %.1f", avg_pair, avg_single);

  /* Determinism. */
  dataset *b = must_alloc(n, nt, SEED), *c = must_alloc(n, nt, SEED + 1), *e = must_alloc(n, 17, SEED);
  size_t bytes = (n + nt) * SHAPESET_DIM * sizeof(double);
  tap_ok(memcmp(d->X_train, b->X_train, bytes) == 0 && memcmp(d->y_train, b->y_train, (n + nt) * sizeof(int)) == 0,
         "same seed, same images and labels, byte for byte");
  tap_ok(memcmp(d->X_train, c->X_train, n * SHAPESET_DIM * sizeof(double)) != 0
         && memcmp(d->X_test, c->X_test, nt * SHAPESET_DIM * sizeof(double)) != 0,
         "seed + 1 gives other train and test images");
  tap_ok(memcmp(d->X_train, e->X_train, n * SHAPESET_DIM * sizeof(double)) == 0
         && memcmp(d->y_train, e->y_train, n * sizeof(int)) == 0,
         "the train split does not depend on --test-size");
  data_free(b);
  data_free(c);
  data_free(e);
  data_free(d);
}

/* ---- one drawing against its geometry ------------------------------------ */

static double polygon_area(const shapeset_object *o)
{
  double a = 0.0;
  for (size_t k = 0; k < o->n_vertices; k++) {
    size_t k1 = (k + 1) % o->n_vertices;
    a += o->vx[k] * o->vy[k1] - o->vx[k1] * o->vy[k];
  }
  return fabs(a) / 2.0;
}

static double analytic_area(const shapeset_object *o)
{
  return o->n_vertices ? polygon_area(o) : M_PI * o->a * o->b;
}

static double min_angle(const shapeset_object *o)
{
  double m = INFINITY;
  size_t n = o->n_vertices;
  for (size_t k = 0; k < n; k++) {
    size_t p = (k + n - 1) % n, q = (k + 1) % n;
    double ax = o->vx[p] - o->vx[k], ay = o->vy[p] - o->vy[k];
    double bx = o->vx[q] - o->vx[k], by = o->vy[q] - o->vy[k];
    double c = (ax * bx + ay * by) / (hypot(ax, ay) * hypot(bx, by));
    m = GSL_MIN(m, acos(GSL_MAX(-1.0, GSL_MIN(1.0, c))));
  }
  return m;
}

/* The shapes of the class as a sorted pair (single: second = SHAPES). */
static int same_shapes(const shapeset_canvas *cv, int label)
{
  shapeset_shape want[2];
  size_t n = shapeset_class_shapes(label, want);
  if (cv->n_objects != n) return 0;
  if (n == 1) return cv->obj[0].shape == want[0];
  return (cv->obj[0].shape == want[0] && cv->obj[1].shape == want[1])
         || (cv->obj[0].shape == want[1] && cv->obj[1].shape == want[0]);
}

/* Distinct non-zero grey levels of pixels equal to their four
 * neighbours: a pixel wholly inside an object has exactly the object's
 * grey level, while equal partial coverage along edges rarely repeats
 * around a pixel.  One level for a single shape, two for a pair. */
static size_t plateaus(const double *x)
{
  double vals[SHAPESET_DIM];
  size_t nv = 0, n = 0;
  for (size_t py = 1; py + 1 < SHAPESET_SIDE; py++)
    for (size_t px = 1; px + 1 < SHAPESET_SIDE; px++) {
      double v = x[py * SHAPESET_SIDE + px];
      if (v > 0.0 && x[(py - 1) * SHAPESET_SIDE + px] == v && x[(py + 1) * SHAPESET_SIDE + px] == v
          && x[py * SHAPESET_SIDE + px - 1] == v && x[py * SHAPESET_SIDE + px + 1] == v) {
        size_t k = 0;
        while (k < nv && vals[k] != v) k++;
        if (k == nv) vals[nv++] = v;
      }
    }
  n = nv;
  return n;
}

static void test_drawings(void)
{
  const int per_class = 150;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, SEED);
  shapeset_canvas *cv = malloc(sizeof *cv);
  double *x = malloc(SHAPESET_DIM * sizeof *x), *y = malloc(SHAPESET_DIM * sizeof *y);
  if (!r || !cv || !x || !y) {
    tap_ok(0, "out of memory");
    exit(tap_done());
  }
  int bad_shapes = 0, bad_area = 0, bad_overlap = 0, bad_grey = 0, bad_compose = 0, bad_margin = 0,
      bad_angle = 0, bad_par = 0, bad_ell = 0, right = 0;
  double worst_overlap = 0.0, sum_mask = 0.0, sum_exact = 0.0, worst_tri = M_PI, worst_par = M_PI;
  size_t smallest = SIZE_MAX;
  int beneath[2] = { 0, 0 };   /* class 3: triangle under / over the parallelogram */
  for (int label = 0; label < SHAPESET_CLASSES; label++)
    for (int t = 0; t < per_class; t++) {
      shapeset_draw(cv, r, label, x);
      if (!same_shapes(cv, label)) bad_shapes++;
      if (label == 3) beneath[cv->obj[0].shape == SHAPESET_TRIANGLE]++;
      for (size_t k = 0; k < cv->n_objects; k++) {
        const shapeset_object *o = &cv->obj[k];
        const unsigned char *m = cv->mask[k];
        size_t area = 0;
        for (size_t i = 0; i < FINE2; i++) area += m[i];
        if (area != o->area || area < 12 * SUB2) bad_area++;
        smallest = GSL_MIN(smallest, area);
        sum_mask += (double)area / SUB2;
        sum_exact += analytic_area(o);
        /* One pixel (SUB subsamples) clear of every border. */
        for (size_t i = 0; i < SHAPESET_FINE; i++)
          for (size_t j = 0; j < SHAPESET_FINE; j++)
            if (m[i * SHAPESET_FINE + j]
                && (i < SHAPESET_SUB || j < SHAPESET_SUB || i >= SHAPESET_FINE - SHAPESET_SUB
                    || j >= SHAPESET_FINE - SHAPESET_SUB)) {
              bad_margin++;
              i = j = SHAPESET_FINE;
            }
        if (!(o->grey >= 0.25 && o->grey <= 1.0)) bad_grey++;
        if (o->shape == SHAPESET_TRIANGLE) {
          double a = min_angle(o);
          worst_tri = GSL_MIN(worst_tri, a);
          if (o->n_vertices != 3 || a < M_PI / 6 - 1e-9) bad_angle++;
        } else if (o->shape == SHAPESET_PARALLELOGRAM) {
          /* Opposite sides equal and parallel: v1 - v0 = v2 - v3. */
          double dx = (o->vx[1] - o->vx[0]) - (o->vx[2] - o->vx[3]);
          double dy = (o->vy[1] - o->vy[0]) - (o->vy[2] - o->vy[3]);
          double a = min_angle(o);
          worst_par = GSL_MIN(worst_par, a);
          if (o->n_vertices != 4 || hypot(dx, dy) > 1e-9 || a < M_PI / 4 - 1e-9) bad_par++;
        } else if (!(o->n_vertices == 0 && o->b <= o->a && o->b >= 0.4 * o->a - 1e-12)) {
          bad_ell++;
        }
      }
      if (cv->n_objects == 2) {
        size_t ov = 0;
        for (size_t i = 0; i < FINE2; i++) ov += cv->mask[0][i] & cv->mask[1][i];
        double frac = (double)ov / (double)cv->obj[0].area;
        worst_overlap = GSL_MAX(worst_overlap, frac);
        if (frac > 0.5) bad_overlap++;
        if (fabs(cv->obj[0].grey - cv->obj[1].grey) < 0.2) bad_grey++;
      }
      /* Pixels re-composed from the masks: object 1 over object 0 over 0. */
      for (size_t py = 0; py < SHAPESET_SIDE; py++)
        for (size_t px = 0; px < SHAPESET_SIDE; px++) {
          double s = 0.0;
          for (size_t si = 0; si < SHAPESET_SUB; si++)
            for (size_t sj = 0; sj < SHAPESET_SUB; sj++) {
              size_t k = (py * SHAPESET_SUB + si) * SHAPESET_FINE + px * SHAPESET_SUB + sj;
              s += cv->n_objects == 2 && cv->mask[1][k] ? cv->obj[1].grey : cv->mask[0][k] ? cv->obj[0].grey : 0.0;
            }
          y[py * SHAPESET_SIDE + px] = s / SUB2;
        }
      for (size_t j = 0; j < SHAPESET_DIM; j++)
        if (fabs(x[j] - y[j]) > 1e-12) { bad_compose++; break; }
      /* Single or pair, from the image alone. */
      if ((plateaus(x) >= 2) == (label >= 3)) right++;
    }
  int total = per_class * SHAPESET_CLASSES;
  tap_ok(bad_shapes == 0, "every drawing holds the shapes of its class (%d wrong of %d)", bad_shapes, total);
  tap_ok(bad_area == 0, "every object covers >= 12 pixels and its recorded area (%d wrong; smallest %zu subsamples)",
         bad_area, smallest);
  tap_rel(sum_mask, sum_exact, 0.01, "total mask area against the closed-form areas (shoelace, pi a b), pixels");
  tap_ok(bad_overlap == 0, "the second object covers at most 50%% of the first: worst %.4f, %d violations",
         worst_overlap, bad_overlap);
  tap_ok(worst_overlap > 0.3, "... and overlaps do happen (worst %.4f > 0.3)", worst_overlap);
  tap_ok(bad_grey == 0, "grey levels in [0.25, 1], a pair's at least 0.2 apart (%d violations)", bad_grey);
  tap_ok(bad_compose == 0, "pixels = mean of the subsamples, object 1 painted over object 0 (%d mismatches)",
         bad_compose);
  tap_ok(bad_margin == 0, "objects stay a pixel clear of the border (%d touch it)", bad_margin);
  tap_ok(bad_angle == 0, "triangles: no angle below 30 degrees (smallest %.2f)", worst_tri * 180 / M_PI);
  tap_ok(bad_par == 0, "parallelograms: opposite sides equal and parallel, angles >= 45 degrees (smallest %.2f)",
         worst_par * 180 / M_PI);
  tap_ok(bad_ell == 0, "ellipses: axis ratio in [0.4, 1] (%d violations)", bad_ell);
  tap_ok(beneath[0] > per_class / 4 && beneath[1] > per_class / 4,
         "either shape of a mixed pair may be underneath: triangle under %d, over %d", beneath[1], beneath[0]);
  double acc = (double)right / total;
  tap_ok(acc > 0.95, "'two grey plateaus' tells pairs from single shapes: %.4f of %d right", acc, total);

  /* Drawing depends only on the generator's state and the label. */
  gsl_rng_set(r, 77);
  shapeset_draw(cv, r, 5, x);
  gsl_rng_set(r, 77);
  shapeset_draw(cv, r, 5, y);
  tap_ok(memcmp(x, y, SHAPESET_DIM * sizeof *x) == 0, "the same generator state draws the same image");
  gsl_rng_free(r);
  free(cv);
  free(x);
  free(y);
}

/* ---- contact sheet -------------------------------------------------------- */


static void test_sheet(void)
{
  const char *dir = "tests/out/shapeset";
  fileio_mkdirs(dir, NULL);
  dataset *d = must_alloc(7, 1, SEED);
  char path[256];
  snprintf(path, sizeof path, "%s/sheet.pgm", dir);
  sb_error err;
  sb_error_clear(&err);
  int rc = shapeset_sheet_write(path, d->X_train, 7, 3, 2, "test sheet", &err);
  tap_ok(rc == SB_OK, "shapeset_sheet_write 7 images, 3 per row, zoom 2: rc %d '%s'", rc, err.msg);

  /* 3 x 3 tiles of 64 px with 1-px frames: 3 * 65 + 1 = 196 square. */
  FILE *f = fopen(path, "rb");
  char magic[3] = "", comment[64] = "";
  unsigned w = 0, h = 0, maxv = 0;
  int got = f ? fscanf(f, "%2s # %63[^\n] %u %u %u", magic, comment, &w, &h, &maxv) : 0;
  if (f) fgetc(f);   /* the one whitespace byte after 255 */
  size_t body = (size_t)w * h;
  unsigned char *px = body && body < 1000000 ? malloc(body) : NULL;
  size_t read = px ? fread(px, 1, body, f) : 0;
  int at_end = f && fgetc(f) == EOF;
  if (f) fclose(f);
  tap_ok(got == 5 && !strcmp(magic, "P5") && !strcmp(comment, "test sheet") && w == 196 && h == 196 && maxv == 255
         && read == body && at_end,
         "sheet header: P5, '# test sheet', 196 x 196, 255, then exactly w*h bytes (got %s '%s' %u x %u %u, %zu bytes)",
         magic, comment, w, h, maxv, read);
  if (px && read == body) {
    int frame_ok = 1, tile_ok = 1, blank_ok = 1;
    for (size_t i = 0; i < w; i++)
      frame_ok &= px[i] == 128 && px[65 * w + i] == 128 && px[i * w + 130] == 128;
    /* Image 4 is at row 1, column 1: its brightest pixel (py, px) covers
     * sheet rows 66 + 2 py + 0..1 and columns 66 + 2 px + 0..1. */
    const double *img = d->X_train + 4 * SHAPESET_DIM;
    size_t best = 0;
    for (size_t j = 1; j < SHAPESET_DIM; j++)
      if (img[j] > img[best]) best = j;
    size_t by = best / SHAPESET_SIDE, bx = best % SHAPESET_SIDE;
    unsigned char want = (unsigned char)lround(img[best] * 255.0);
    for (size_t a = 0; a < 2; a++)
      for (size_t b = 0; b < 2; b++) tile_ok &= px[(66 + 2 * by + a) * w + 66 + 2 * bx + b] == want;
    tile_ok &= want > 60;
    /* Tiles 8 and 9 of the 3 x 3 grid are empty: frame grey throughout. */
    for (size_t yy = 131; yy < 195; yy++)
      for (size_t xx = 66; xx < 195; xx++) blank_ok &= px[yy * w + xx] == 128;
    tap_ok(frame_ok, "frames are mid grey (128)");
    tap_ok(tile_ok, "a pixel of image 4 appears 2x2 at its place with value round(255 x) = %u", want);
    tap_ok(blank_ok, "the unused tiles after the 7th image are left blank");
  }
  free(px);

  sb_error_clear(&err);
  rc = shapeset_sheet_write("/dev/full", d->X_train, 7, 3, 2, NULL, &err);
  tap_ok(rc == SB_EUSAGE && strstr(err.msg, "/dev/full: a device, not a regular file"),
         "/dev/full, a device the sheet cannot replace whole, is refused: rc %d '%s'", rc, err.msg);
  sb_error_clear(&err);
  rc = shapeset_sheet_write("tests/out/shapeset/no/such/dir/x.pgm", d->X_train, 7, 3, 2, NULL, &err);
  tap_ok(rc == SB_EFAIL && strstr(err.msg, "no/such/dir/x.pgm") && strstr(err.msg, "No such file"),
         "an unwritable path fails with its name: '%s'", err.msg);
  data_free(d);
}

int main(void)
{
  test_classes();
  test_checks();
  test_dataset();
  test_drawings();
  test_sheet();
  return tap_done();
}
