/* data.c - datasets: parsing their names, checking their sizes, drawing
 * the generated ones (the kinds with a generator in data_kinds, the
 * sequence tasks among them) from one seed, reading the file ones (idx,
 * csv) through dataio, and scaling features.
 *
 * Every generated dataset is drawn from one gsl_rng_mt19937 seeded with
 * `seed`, in an order fixed below, so a (spec, seed) pair names one dataset
 * on any machine with the same libm.  The training split is always drawn before the
 * test split, so changing --test-size never changes the training data.
 * mt19937 keeps only the low 32 bits of the seed and maps 0 to its default
 * 4357, so callers should pass derived seeds below 2^32 and not rely on 0
 * and 4357 giving different data. */
#include "data.h"
#include "dataio.h"
#include "shapeset.h"
#include "fileio.h"

#include <ctype.h>
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

/* The longest minimum length of a sequence task: its lengths are drawn
 * with gsl_rng_uniform_int (below 2^32 values), and a billion steps of a
 * single example would not fit in memory anyway. */
#define DATA_MAX_LEN ((size_t)1 << 30)

/* The adding problem (H&S 1997, experiment 4): the first marked value is
 * one of the first ADDING_FIRST steps of the sequence; a sequence is right
 * when the output is within ADDING_TOL of the target. */
#define ADDING_FIRST 10
#define ADDING_TOL 0.04

/* Temporal order's one-hot symbols (H&S 1997, experiment 6a): a-d noise,
 * E starts a sequence, B ends it, X and Y are the two that matter. */
enum { TO_A, TO_B, TO_C, TO_D, TO_START, TO_END, TO_X, TO_Y, TO_SYMBOLS };
/* Copy's one-hot channels: COPY_SYMBOLS symbols, a blank and a "go" cue. */
enum { COPY_SYMBOLS = 8, COPY_BLANK = COPY_SYMBOLS, COPY_GO, COPY_CHANNELS };

typedef struct split {
  size_t n, dim, classes;
  double *X;   /* (n, dim) */
  int *y;      /* (n) */
  /* Sequence tasks: the minimum length, the steps stored and the features
   * per step (dim = seq_len * seq_in), and what the generator fills. */
  size_t T, seq_len, seq_in;
  size_t *start;  /* (n) first real step */
  double *t;      /* (n, targets) real targets, or NULL */
} split;

/* scratch: (dim, classes) teacher or (classes, dim) centers, drawn first,
 * or shapeset's canvas. */
typedef void (*data_gen_fn)(gsl_rng *r, void *scratch, split *train,
                            split *test);

/* ---- the generators ---------------------------------------------------- */

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
static void gen_gaussian(gsl_rng *r, void *scratch, split *train, split *test)
{
  double *T = scratch;
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
static void gen_mixture(gsl_rng *r, void *scratch, split *train, split *test)
{
  double *C = scratch;
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
static void gen_spirals(gsl_rng *r, void *unused, split *train, split *test)
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

/* Draw order per split: the label shuffle (balanced: the 9 classes differ
 * by at most one example), then each image as shapeset_draw takes it. */
static void gen_shapeset(gsl_rng *r, void *scratch, split *train, split *test)
{
  shapeset_canvas *c = scratch;
  split *parts[2] = { train, test };
  for (int p = 0; p < 2; p++) {
    split *s = parts[p];
    balanced_labels(r, s);
    for (size_t i = 0; i < s->n; i++) shapeset_draw(c, r, s->y[i], s->X + i * s->dim);
  }
}

/* ---- the sequence tasks ------------------------------------------------- */

/* Every example's length T_i is drawn first, uniformly from [T, T + T/10],
 * and the example is right-aligned in seq_len = T + T/10 steps: returns its
 * first real step.  Positions below count from the example's first step,
 * 1-based as in the paper. */
static size_t seq_draw_start(gsl_rng *r, const split *s)
{
  size_t len = s->T + (size_t)gsl_rng_uniform_int(r, (unsigned long)(s->T / 10 + 1));
  return s->seq_len - len;
}

/* Padding and every channel not set are 0. */
static void seq_clear(split *s)
{
  memset(s->X, 0, s->n * s->dim * sizeof *s->X);
}

/* H&S 1997, experiment 4.  Each step is (value, marker), values uniform in
 * [-1, 1).  The first marked position is one of the first 10 (of the first
 * T - 1 when T < 11, so that it is never the last step), the second one of
 * the first T/2 - 1 other than the first; the marker is 1 at those two, -1
 * at the first and the last position when unmarked, 0 elsewhere.  When the
 * first position is marked its value is 0 (the paper's "we set X1 to
 * zero").  Target 0.5 + (X1 + X2)/4, in [0, 1]; every label 0.  Draw order
 * per example: the length, the values in order, the first mark, the second
 * (among the other positions of its range, in order). */
static void gen_adding(gsl_rng *r, void *unused, split *train, split *test)
{
  (void)unused;
  split *parts[2] = { train, test };
  for (int p = 0; p < 2; p++) {
    split *s = parts[p];
    size_t w1 = s->T - 1 < ADDING_FIRST ? s->T - 1 : ADDING_FIRST;
    size_t w2 = s->T / 2 - 1;   /* >= 2: data_kinds' min_len */
    seq_clear(s);
    for (size_t i = 0; i < s->n; i++) {
      size_t b = seq_draw_start(r, s), len = s->seq_len - b;
      double *x = s->X + i * s->dim + b * 2;   /* (len, 2) */
      for (size_t k = 0; k < len; k++) x[2 * k] = 2.0 * gsl_rng_uniform(r) - 1.0;
      size_t m1 = (size_t)gsl_rng_uniform_int(r, (unsigned long)w1);
      size_t m2 = (size_t)gsl_rng_uniform_int(r, (unsigned long)(m1 < w2 ? w2 - 1 : w2));
      if (m1 < w2 && m2 >= m1) m2++;
      x[1] = -1.0;
      x[2 * (len - 1) + 1] = -1.0;
      x[2 * m1 + 1] = x[2 * m2 + 1] = 1.0;
      if (m1 == 0 || m2 == 0) x[0] = 0.0;
      s->start[i] = b;
      s->y[i] = 0;
      s->t[i] = 0.5 + (x[2 * m1] + x[2 * m2]) / 4.0;
    }
  }
}

/* The range [lo, hi] of temporal order's two relevant positions, the
 * paper's for T = 100 (t1 in [10, 20], t2 in [50, 60]) scaled with T:
 * [T/10, T/5] and [T/2, T/2 + T/10], kept inside the sequence (after E,
 * before B) and apart for short T (T >= 4). */
static void temporal_ranges(size_t T, size_t *lo1, size_t *hi1, size_t *lo2, size_t *hi2)
{
  *lo1 = T / 10 > 2 ? T / 10 : 2;
  *hi1 = T / 5 > *lo1 ? T / 5 : *lo1;
  *lo2 = T / 2 > *hi1 + 1 ? T / 2 : *hi1 + 1;
  *hi2 = T / 2 + T / 10 > *lo2 ? T / 2 + T / 10 : *lo2;
}

/* H&S 1997, experiment 6a.  One-hot symbols: E at the first position, B at
 * the last, X or Y at positions t1 and t2, a random one of a-d elsewhere;
 * the class is the order of X and Y: XX 0, XY 1, YX 2, YY 3 (the label's
 * high bit is the symbol at t1, its low bit the one at t2).  Draw order per
 * split: the label shuffle (balanced classes), then per example the
 * length, t1, t2, then the noise symbols in order. */
static void gen_temporal_order(gsl_rng *r, void *unused, split *train, split *test)
{
  (void)unused;
  split *parts[2] = { train, test };
  for (int p = 0; p < 2; p++) {
    split *s = parts[p];
    size_t lo1, hi1, lo2, hi2;
    temporal_ranges(s->T, &lo1, &hi1, &lo2, &hi2);
    balanced_labels(r, s);
    seq_clear(s);
    for (size_t i = 0; i < s->n; i++) {
      size_t b = seq_draw_start(r, s), len = s->seq_len - b;
      size_t t1 = lo1 + (size_t)gsl_rng_uniform_int(r, (unsigned long)(hi1 - lo1 + 1));
      size_t t2 = lo2 + (size_t)gsl_rng_uniform_int(r, (unsigned long)(hi2 - lo2 + 1));
      double *x = s->X + i * s->dim + b * TO_SYMBOLS;   /* (len, 8) */
      x[TO_START] = 1.0;
      for (size_t pos = 2; pos < len; pos++) {
        size_t sym = pos == t1   ? (s->y[i] & 2 ? TO_Y : TO_X)
                     : pos == t2 ? (s->y[i] & 1 ? TO_Y : TO_X)
                                 : TO_A + (size_t)gsl_rng_uniform_int(r, 4);
        x[(pos - 1) * TO_SYMBOLS + sym] = 1.0;
      }
      x[(len - 1) * TO_SYMBOLS + TO_END] = 1.0;
      s->start[i] = b;
    }
  }
}

/* Copy (memorisation): the class's symbol, one-hot, at the first position,
 * the blank at every position between, the go cue at the last.  Draw order
 * per split: the label shuffle (balanced classes), then each length. */
static void gen_copy(gsl_rng *r, void *unused, split *train, split *test)
{
  (void)unused;
  split *parts[2] = { train, test };
  for (int p = 0; p < 2; p++) {
    split *s = parts[p];
    balanced_labels(r, s);
    seq_clear(s);
    for (size_t i = 0; i < s->n; i++) {
      size_t b = seq_draw_start(r, s), len = s->seq_len - b;
      double *x = s->X + i * s->dim + b * COPY_CHANNELS;   /* (len, 10) */
      x[s->y[i]] = 1.0;
      for (size_t k = 1; k + 1 < len; k++) x[k * COPY_CHANNELS + COPY_BLANK] = 1.0;
      x[(len - 1) * COPY_CHANNELS + COPY_GO] = 1.0;
      s->start[i] = b;
    }
  }
}

enum { SCRATCH_NONE, SCRATCH_DIM_CLASSES, SCRATCH_CANVAS };

/* One row per kind, indexed by data_kind: adding a dataset is one row here
 * and one enumerator in data.h; parsing, the error message's list of valid
 * names and the dimension check all follow from the table. */
static const struct data_kind_info {
  const char *name;
  size_t fixed_dim;     /* required input_dim (sequence tasks: per step), 0 = any */
  size_t fixed_classes; /* required classes, 0 = any (a regression task: its targets) */
  int scratch;          /* SCRATCH_*: what gen needs besides the splits */
  data_gen_fn gen;      /* NULL: read from a file (dataio) */
  data_scale scale;     /* the default --input-scale */
  int has_range;        /* the generator's values lie in [lo, hi] */
  double lo, hi;
  size_t min_len;       /* a sequence task's shortest T; 0: not a sequence task */
  size_t targets;       /* real targets per example (regression), 0: labels */
  double success_tol;   /* dataset.success_tol */
  const char *about;    /* its line in `satbench list datasets` */
} data_kinds[] = {
  [DATA_GAUSSIAN] = { .name = "gaussian", .scratch = SCRATCH_DIM_CLASSES, .gen = gen_gaussian,
                      .scale = DATA_SCALE_NONE,
                      .about = "x ~ N(0, I); label = argmax of a fixed random linear teacher" },
  [DATA_MIXTURE]  = { .name = "mixture", .scratch = SCRATCH_DIM_CLASSES, .gen = gen_mixture,
                      .scale = DATA_SCALE_NONE, .about = "one Gaussian cluster per class, unit noise" },
  [DATA_SPIRALS]  = { .name = "spirals", .fixed_dim = 2, .gen = gen_spirals, .scale = DATA_SCALE_NONE,
                      .about = "interleaved 2-D spiral arms, one per class (2-D)" },
  [DATA_SHAPESET] = { .name = "shapeset", .fixed_dim = SHAPESET_DIM, .fixed_classes = SHAPESET_CLASSES,
                      .scratch = SCRATCH_CANVAS, .gen = gen_shapeset, .scale = DATA_SCALE_UNIT,
                      .has_range = 1, .lo = 0.0, .hi = 1.0,
                      .about = "Shapeset-3x2 (Glorot & Bengio 2010): 32x32 grey images of 1-2 shapes, 9 classes" },
  [DATA_ADDING]   = { .name = "adding", .fixed_dim = 2, .fixed_classes = 1, .gen = gen_adding,
                      .scale = DATA_SCALE_NONE, .min_len = 6, .targets = 1, .success_tol = ADDING_TOL,
                      .about = "sequence task (recurrent cells; --depths is its length T >= 6): the adding "
                               "problem (Hochreiter & Schmidhuber 1997, exp. 4), lengths T to T + T/10 of "
                               "(value, marker) pairs, target 0.5 + (sum of the two marked values)/4, right "
                               "when within 0.04" },
  [DATA_TEMPORAL_ORDER] = { .name = "temporal_order", .fixed_dim = TO_SYMBOLS, .fixed_classes = 4,
                      .gen = gen_temporal_order, .scale = DATA_SCALE_NONE, .min_len = 4,
                      .about = "sequence task (recurrent cells; --depths is its length T >= 4): temporal "
                               "order (Hochreiter & Schmidhuber 1997, exp. 6a), lengths T to T + T/10 of 8 "
                               "one-hot symbols, class = the order of X and Y at two far-apart steps (4 classes)" },
  [DATA_COPY]     = { .name = "copy", .fixed_dim = COPY_CHANNELS, .fixed_classes = COPY_SYMBOLS,
                      .gen = gen_copy, .scale = DATA_SCALE_NONE, .min_len = 2,
                      .about = "sequence task (recurrent cells; --depths is its length T >= 2): recall the "
                               "symbol shown at the first step (one of 8) at a go cue at the last, blanks "
                               "between; 10 one-hot channels, 8 classes" },
  [DATA_IDX]      = { .name = "idx", .scale = DATA_SCALE_UNIT,
                      .about = "MNIST-style IDX files: PATH-images-idx3-ubyte + PATH-labels-idx1-ubyte, or IMAGES,LABELS" },
  [DATA_CSV]      = { .name = "csv", .scale = DATA_SCALE_STANDARD,
                      .about = "a CSV table: integer label, then features; optional header row, '#' comments" },
};
_Static_assert(sizeof data_kinds / sizeof data_kinds[0] == DATA_COUNT, "data_kinds needs one row per data_kind");

static const char *const scale_names[DATA_SCALE_COUNT] = {
  [DATA_SCALE_DEFAULT] = "default", [DATA_SCALE_NONE] = "none",
  [DATA_SCALE_UNIT] = "unit", [DATA_SCALE_STANDARD] = "standard",
};

const char *data_kind_name(data_kind kind)
{
  /* Cast first: the enum's signedness is implementation-defined. */
  if ((unsigned)kind >= DATA_COUNT || !data_kinds[kind].name) return "unknown";
  return data_kinds[kind].name;
}

void data_list(FILE *f)
{
  for (int k = 0; k < DATA_COUNT; k++)
    fprintf(f, "%s%s\t%s\n", data_kinds[k].name, data_kinds[k].gen ? "" : ":PATH", data_kinds[k].about);
}

void data_complete(FILE *f, const char *prefix)
{
  for (int k = 0; k < DATA_COUNT; k++) fprintf(f, "%s%s%s\n", prefix, data_kinds[k].name, data_kinds[k].gen ? "" : ":\tFILE");
}

int data_kind_is_file(data_kind kind)
{
  return (unsigned)kind < DATA_COUNT && !data_kinds[kind].gen;
}

int data_kind_is_sequence(data_kind kind)
{
  return (unsigned)kind < DATA_COUNT && data_kinds[kind].min_len > 0;
}

size_t data_seq_len(size_t T)
{
  return T + T / 10;
}

int data_parse(const char *text, data_spec *spec, sb_error *err)
{
  char valid[256] = "";
  size_t used = 0;

  if (text)
    for (int k = 0; k < DATA_COUNT; k++) {
      const char *name = data_kinds[k].name;
      size_t len = strlen(name);
      if (!data_kinds[k].gen) {
        /* A file kind is NAME:PATH. */
        if (strncmp(text, name, len) != 0 || text[len] != ':') continue;
        const char *path = text + len + 1;
        if (!*path)
          return sb_fail(err, SB_EUSAGE, "--dataset: '%s' needs a file: %s:PATH", text, name);
        if (strlen(path) >= sizeof spec->path)
          return sb_fail(err, SB_EUSAGE, "--dataset: %s: path longer than %zu bytes", name,
                         sizeof spec->path - 1);
        /* The path goes into one-line `key = value` headers and messages. */
        for (const char *c = path; *c; c++)
          if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return sb_fail(err, SB_EUSAGE, "--dataset: %s: the path holds a control character", name);
        /* ... and is read back from records/config.txt (merge, --resume,
         * shards, run --from), where '#' starts a comment and spaces
         * around a value are trimmed. */
        size_t pl = strlen(path);
        if (strchr(path, '#') || isspace((unsigned char)path[0]) || isspace((unsigned char)path[pl - 1]))
          return sb_fail(err, SB_EUSAGE, "--dataset: %s: the path '%s' holds a '#' or starts or ends with a space, "
                         "which the grid's config.txt cannot keep; rename the file", name, path);
        spec->kind = (data_kind)k;
        strcpy(spec->path, path);
        return SB_OK;
      }
      if (strcmp(text, name) == 0) {
        spec->kind = (data_kind)k;
        spec->path[0] = '\0';
        return SB_OK;
      }
    }
  for (int k = 0; k < DATA_COUNT && used < sizeof valid; k++) {
    int w = snprintf(valid + used, sizeof valid - used, "%s%s%s",
                     k ? ", " : "", data_kinds[k].name, data_kinds[k].gen ? "" : ":PATH");
    if (w < 0) break;
    used += (size_t)w;
  }
  return sb_fail(err, SB_EUSAGE,
                 "--dataset: unknown dataset '%s' (valid: %s)",
                 text ? text : "", valid);
}

const char *data_format(const data_spec *spec, char *buf, size_t size)
{
  if (data_kind_is_file(spec->kind))
    snprintf(buf, size, "%s:%s", data_kind_name(spec->kind), spec->path);
  else
    snprintf(buf, size, "%s", data_kind_name(spec->kind));
  return buf;
}

const char *data_scale_name(data_scale scale)
{
  if ((unsigned)scale >= DATA_SCALE_COUNT) return "unknown";
  return scale_names[scale];
}

int data_scale_parse(const char *text, data_scale *out, sb_error *err)
{
  /* "default" is not accepted: a table header must say what was done. */
  for (int k = DATA_SCALE_NONE; k < DATA_SCALE_COUNT; k++)
    if (text && strcmp(text, scale_names[k]) == 0) {
      *out = (data_scale)k;
      return SB_OK;
    }
  return sb_fail(err, SB_EUSAGE, "--input-scale: unknown scaling '%s' (valid: unit, standard, none)",
                 text ? text : "");
}

data_scale data_scale_of(const data_spec *spec)
{
  if (spec->scale != DATA_SCALE_DEFAULT && (unsigned)spec->scale < DATA_SCALE_COUNT) return spec->scale;
  if ((unsigned)spec->kind >= DATA_COUNT) return DATA_SCALE_NONE;
  return data_kinds[spec->kind].scale;
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
 * and one of labels (and, for sequence tasks, one of starts and one of
 * targets); scratch holds the teacher or the centers.  dim: the features
 * per example. */
typedef struct data_sizes {
  size_t dim, x_bytes, y_bytes, start_bytes, t_bytes, scratch_bytes, total;
} data_sizes;

/* Fails with SB_EUSAGE when the sizes overflow size_t, so a spec that
 * could never be allocated is refused while checking, before anything is
 * written, not when the grid starts.  T: a sequence task's minimum length
 * (below its shortest, as data_check has none, the shortest). */
static int sizes_of(const data_spec *spec, size_t T, data_sizes *z, sb_error *err)
{
  const struct data_kind_info *info = &data_kinds[spec->kind];
  size_t n, n_x, scratch_n = 0, steps = 1;
  z->scratch_bytes = z->start_bytes = z->t_bytes = 0;
  if (info->min_len) steps = data_seq_len(T > info->min_len ? T : info->min_len);   /* T <= DATA_MAX_LEN */
  if (!add_size(spec->train_size, spec->test_size, &n)
      || !mul_size(steps, spec->input_dim, &z->dim)
      || !mul_size(n, z->dim, &n_x)
      || !mul_size(n_x, sizeof(double), &z->x_bytes)
      || !mul_size(n, sizeof(int), &z->y_bytes)
      || (info->min_len && !mul_size(n, sizeof(size_t), &z->start_bytes))
      || (info->targets && (!mul_size(n, info->targets, &z->t_bytes)
                            || !mul_size(z->t_bytes, sizeof(double), &z->t_bytes)))
      || (info->scratch == SCRATCH_DIM_CLASSES
          && (!mul_size(spec->input_dim, spec->classes, &scratch_n)
              || !mul_size(scratch_n, sizeof(double), &z->scratch_bytes)))
      || !add_size(z->x_bytes, z->y_bytes, &z->total)
      || !add_size(z->total, z->start_bytes, &z->total)
      || !add_size(z->total, z->t_bytes, &z->total)
      || !add_size(z->total, z->scratch_bytes, &z->total)
      || !add_size(z->total, sizeof(dataset), &z->total)) {
    if (info->min_len)
      return sb_fail(err, SB_EUSAGE,
                     "--depths, --train-size, --test-size: %zu + %zu sequences of %zu steps "
                     "of %zu features overflow the address space",
                     spec->train_size, spec->test_size, steps, spec->input_dim);
    return sb_fail(err, SB_EUSAGE,
                   "--input-dim, --train-size, --test-size: %zu + %zu examples "
                   "of %zu features (%zu classes) overflow the address space",
                   spec->train_size, spec->test_size, spec->input_dim,
                   spec->classes);
  }
  if (data_kinds[spec->kind].scratch == SCRATCH_CANVAS) {
    z->scratch_bytes = sizeof(shapeset_canvas);
    if (!add_size(z->total, z->scratch_bytes, &z->total))
      return sb_fail(err, SB_EUSAGE, "--train-size: the dataset overflows the address space");
  }
  return SB_OK;
}

int data_check(const data_spec *spec, sb_error *err)
{
  if ((unsigned)spec->kind >= DATA_COUNT)
    return sb_fail(err, SB_EUSAGE, "--dataset: unknown dataset kind %d",
                   (int)spec->kind);
  const struct data_kind_info *info = &data_kinds[spec->kind];
  /* A regression task's classes are its outputs, every label 0. */
  if (info->targets && spec->classes != info->fixed_classes)
    return sb_fail(err, SB_EUSAGE,
                   "--classes: the %s dataset is a regression task with %zu real target%s and no "
                   "classes to choose (got %zu)", info->name, info->targets, info->targets == 1 ? "" : "s",
                   spec->classes);
  if (!info->targets && spec->classes < 2)
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

  if (info->fixed_dim && spec->input_dim != info->fixed_dim)
    return info->min_len ? sb_fail(err, SB_EUSAGE, "--input-dim: the %s dataset has %zu features per step (got %zu)",
                                   info->name, info->fixed_dim, spec->input_dim)
                         : sb_fail(err, SB_EUSAGE, "--input-dim: the %s dataset is %zu-dimensional (got %zu)",
                                   info->name, info->fixed_dim, spec->input_dim);
  if (info->fixed_classes && spec->classes != info->fixed_classes)
    return sb_fail(err, SB_EUSAGE,
                   "--classes: the %s dataset has %zu classes (got %zu)",
                   info->name, info->fixed_classes, spec->classes);
  if (!info->gen && !spec->path[0])
    return sb_fail(err, SB_EUSAGE, "--dataset: %s needs a file: %s:PATH", info->name, info->name);
  if ((unsigned)spec->scale >= DATA_SCALE_COUNT)
    return sb_fail(err, SB_EUSAGE, "--input-scale: unknown scaling %d", (int)spec->scale);
  /* Scaling per feature would move the zeros of the padding, and make
   * each step's features a scale of its own. */
  if (info->min_len && data_scale_of(spec) != DATA_SCALE_NONE)
    return sb_fail(err, SB_EUSAGE, "--input-scale: the %s dataset is a sequence task, whose inputs are not "
                   "scaled (%s: give none, or leave it out)", info->name, data_scale_name(spec->scale));
  data_sizes z;
  return sizes_of(spec, 0, &z, err);
}

int data_check_len(const data_spec *spec, size_t T, sb_error *err)
{
  if (!data_kind_is_sequence(spec->kind)) return SB_OK;
  const struct data_kind_info *info = &data_kinds[spec->kind];
  if (T == 0)
    return sb_fail(err, SB_EUSAGE, "--dataset: %s is a sequence task, for recurrent cells, which read "
                   "--depths as the sequence length T; it has no length here", info->name);
  if (T < info->min_len)
    return sb_fail(err, SB_EUSAGE, "--depths: the %s task needs sequences of at least %zu steps (got %zu; "
                   "for a sequence task --depths is the sequence length T)", info->name, info->min_len, T);
  if (T > DATA_MAX_LEN)
    return sb_fail(err, SB_EUSAGE, "--depths: the %s task takes sequences of at most %zu steps (got %zu; "
                   "for a sequence task --depths is the sequence length T)", info->name, DATA_MAX_LEN, T);
  return SB_OK;
}

/* ---- files ---------------------------------------------------------------- */

static dataio_format file_format(data_kind kind)
{
  return kind == DATA_IDX ? DATAIO_IDX : DATAIO_CSV;
}

/* The file must hold both splits: the first train_size examples train,
 * the next test_size test. */
static int check_count(const data_spec *spec, const dataio_info *fi, sb_error *err)
{
  size_t need = spec->train_size + spec->test_size;   /* both <= 2^32: no overflow */
  if (fi->n < need)
    return sb_fail(err, SB_EUSAGE,
                   "--train-size, --test-size: %s holds %zu examples, fewer than --train-size %zu "
                   "+ --test-size %zu (the first %zu train, the next %zu test)",
                   fi->path, fi->n, spec->train_size, spec->test_size, spec->train_size, spec->test_size);
  return SB_OK;
}

int data_resolve(data_spec *spec, sb_error *err)
{
  if ((unsigned)spec->kind >= DATA_COUNT)
    return sb_fail(err, SB_EUSAGE, "--dataset: unknown dataset kind %d", (int)spec->kind);
  const struct data_kind_info *info = &data_kinds[spec->kind];
  if (info->gen) {
    /* data_check then reports a given value that disagrees. */
    if (info->fixed_dim && !(spec->given & DATA_GIVEN_DIM)) spec->input_dim = info->fixed_dim;
    if (info->fixed_classes && !(spec->given & DATA_GIVEN_CLASSES)) spec->classes = info->fixed_classes;
    return SB_OK;
  }
  dataio_want want = {
    .dim = spec->given & DATA_GIVEN_DIM ? spec->input_dim : 0,
    .classes = spec->given & DATA_GIVEN_CLASSES ? spec->classes : 0,
  };
  dataio_info *fi = malloc(sizeof *fi);
  if (!fi) return sb_fail(err, SB_EFAIL, "out of memory");
  int rc = dataio_read(file_format(spec->kind), spec->path, &want, fi, err);
  if (!rc && !want.classes && fi->max_label < 1)
    rc = sb_fail(err, SB_EUSAGE, "--classes: every label in %s is %ld; a task needs at least 2 classes",
                 fi->path, fi->max_label);
  if (!rc) rc = check_count(spec, fi, err);
  if (!rc && spec->digest && fi->digest != spec->digest)
    rc = sb_fail(err, SB_EUSAGE, "--dataset-digest: %s holds other data (fnv1a64:%016llx, not fnv1a64:%016llx)",
                 fi->path, (unsigned long long)fi->digest, (unsigned long long)spec->digest);
  if (!rc) {
    spec->input_dim = fi->dim;
    if (!want.classes) spec->classes = (size_t)fi->max_label + 1;
    spec->digest = fi->digest;
  }
  free(fi);
  return rc;
}

/* ---- scaling ------------------------------------------------------------- */

/* x -> (x - shift) / div per feature, over both splits; div 0 counts as 1
 * so a constant feature becomes 0 instead of NaN. */
static void affine(dataset *d, const double *shift, const double *div)
{
  size_t n = d->n_train + d->n_test;
  for (size_t i = 0; i < n; i++) {
    double *x = d->X_train + i * d->dim;
    for (size_t j = 0; j < d->dim; j++) x[j] = (x[j] - shift[j]) / (div[j] > 0 ? div[j] : 1.0);
  }
}

/* Statistics come from the training split alone: the test split must not
 * leak into what the network is trained on. */
/* How `unit` finds its range: the generator's own (shapeset's [0, 1]),
 * the smallest and largest value over every feature of the training split
 * (files whose format bounds the values, IDX images: an image's pixels
 * keep their relative brightness, and a file of bytes 0-16 is scaled by
 * 16, not 255), or each feature's own. */
enum { RANGE_FIXED, RANGE_GLOBAL, RANGE_PER_FEATURE };

/* Values so large (near 1e308) that a range, a sum or a square would
 * overflow, or so small (near 1e-300) that a square would vanish, are
 * first multiplied by a power of two that brings the training split's
 * largest magnitude near 1: exact, and the scaled result is then what it
 * would be in exact arithmetic.  Per feature when each feature has its
 * own range, one factor when they share one.  Ordinary data (magnitudes
 * between 2^-400 and 2^400) is never touched. */
static int extreme(double m) { return m > 0x1p400 || (m > 0.0 && m < 0x1p-400); }

static void prescale_by(dataset *d, size_t j0, size_t j1, double m)
{
  int e;
  frexp(m, &e);
  size_t n = d->n_train + d->n_test;
  for (size_t i = 0; i < n; i++)
    for (size_t j = j0; j < j1; j++) d->X_train[i * d->dim + j] = ldexp(d->X_train[i * d->dim + j], -e);
}

static void prescale(dataset *d, int per_feature)
{
  double all = 0.0;
  for (size_t j = 0; j < d->dim; j++) {
    double m = 0.0;
    for (size_t i = 0; i < d->n_train; i++) m = fmax(m, fabs(d->X_train[i * d->dim + j]));
    if (per_feature && extreme(m)) prescale_by(d, j, j + 1, m);
    all = fmax(all, m);
  }
  if (!per_feature && extreme(all)) prescale_by(d, 0, d->dim, all);
}

/* Every scaled value must be a number: a test value far outside the
 * training split's range can still leave the doubles. */
static int check_scaled(const dataset *d, data_scale how, sb_error *err)
{
  size_t n = d->n_train + d->n_test;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d->dim; j++)
      if (!isfinite(d->X_train[i * d->dim + j]))
        return sb_fail(err, SB_EUSAGE, "--input-scale %s: feature %zu of %s example %zu is not finite once scaled "
                       "(it lies too far outside the training split's range); rescale the data, or use "
                       "--input-scale none", scale_names[how], j + 1, i < d->n_train ? "training" : "test",
                       (i < d->n_train ? i : i - d->n_train) + 1);
  return SB_OK;
}

static int apply_scale(dataset *d, data_scale how, int range, double lo, double hi, sb_error *err)
{
  if (how == DATA_SCALE_NONE) return SB_OK;
  if (how == DATA_SCALE_UNIT && range == RANGE_FIXED && lo == 0.0 && hi == 1.0) return SB_OK;
  if (range != RANGE_FIXED) prescale(d, range == RANGE_PER_FEATURE);
  if (how == DATA_SCALE_UNIT && range == RANGE_GLOBAL) {
    lo = INFINITY;
    hi = -INFINITY;
    for (size_t i = 0; i < d->n_train * d->dim; i++) {
      double v = d->X_train[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    range = RANGE_FIXED;
  }
  double *a = malloc(2 * d->dim * sizeof *a);
  if (!a) return sb_fail(err, SB_EFAIL, "out of memory scaling the dataset");
  double *b = a + d->dim;
  if (how == DATA_SCALE_UNIT && range == RANGE_FIXED) {
    for (size_t j = 0; j < d->dim; j++) { a[j] = lo; b[j] = hi - lo; }
  } else if (how == DATA_SCALE_UNIT) {
    for (size_t j = 0; j < d->dim; j++) { a[j] = INFINITY; b[j] = -INFINITY; }
    for (size_t i = 0; i < d->n_train; i++)
      for (size_t j = 0; j < d->dim; j++) {
        double v = d->X_train[i * d->dim + j];
        if (v < a[j]) a[j] = v;
        if (v > b[j]) b[j] = v;
      }
    for (size_t j = 0; j < d->dim; j++) b[j] -= a[j];
  } else {
    /* Two passes (mean, then squared deviations): one-pass sums lose the
     * variance of features with a large mean, such as raw pixel counts. */
    for (size_t j = 0; j < d->dim; j++) a[j] = b[j] = 0.0;
    for (size_t i = 0; i < d->n_train; i++)
      for (size_t j = 0; j < d->dim; j++) a[j] += d->X_train[i * d->dim + j];
    for (size_t j = 0; j < d->dim; j++) a[j] /= (double)d->n_train;
    for (size_t i = 0; i < d->n_train; i++)
      for (size_t j = 0; j < d->dim; j++) {
        double z = d->X_train[i * d->dim + j] - a[j];
        b[j] += z * z;
      }
    /* Population sd (divide by n), as the usual standardizers do. */
    for (size_t j = 0; j < d->dim; j++) b[j] = sqrt(b[j] / (double)d->n_train);
  }
  affine(d, a, b);
  free(a);
  return check_scaled(d, how, err);
}

static void subset_free(data_subset *s)
{
  free(s->X);
  free(s->y);
  free(s->start);
  free(s->t);
  memset(s, 0, sizeof *s);
}

uint64_t data_digest(const dataset *d)
{
  uint64_t h = FILEIO_HASH_INIT;
  size_t n = d->n_train + d->n_test;
  h = fileio_hash(h, d->X_train, n * d->dim * sizeof *d->X_train);
  h = fileio_hash(h, d->y_train, n * sizeof *d->y_train);
  /* Only the sequence tasks go on, so every other digest is what it was.
   * Starts as 64-bit integers: the same on 32- and 64-bit hosts. */
  if (d->start_train)
    for (size_t i = 0; i < n; i++) {
      uint64_t b = d->start_train[i];
      h = fileio_hash(h, &b, sizeof b);
    }
  if (d->t_train) h = fileio_hash(h, d->t_train, n * d->n_out * sizeof *d->t_train);
  return h;
}

double data_chance_mse(const dataset *d)
{
  if (!d->t_train || d->n_train == 0) return NAN;
  double c = 0.0;
  for (size_t k = 0; k < d->n_out; k++) {
    /* Two passes, as apply_scale's standard deviation. */
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < d->n_train; i++) m += d->t_train[i * d->n_out + k];
    m /= (double)d->n_train;
    for (size_t i = 0; i < d->n_train; i++) {
      double z = d->t_train[i * d->n_out + k] - m;
      v += z * z;
    }
    c += 0.5 * v / (double)d->n_train;
  }
  return c;
}

void data_free(dataset *d)
{
  if (!d) return;
  subset_free(&d->probe);
  subset_free(&d->eval_train);
  subset_free(&d->eval_test);
  free(d->X_train);   /* base of the one feature block */
  free(d->y_train);   /* base of the one label block */
  free(d->start_train);   /* the starts' and the targets' ones */
  free(d->t_train);
  free(d);
}

dataset *data_alloc(const data_spec *spec, unsigned long seed, sb_error *err)
{
  return data_alloc_len(spec, seed, 0, err);
}

dataset *data_alloc_len(const data_spec *spec, unsigned long seed, size_t T, sb_error *err)
{
  data_sizes z;
  if (data_check(spec, err) != SB_OK || data_check_len(spec, T, err) != SB_OK
      || sizes_of(spec, T, &z, err) != SB_OK)
    return NULL;
  const struct data_kind_info *info = &data_kinds[spec->kind];

  dataset *d = calloc(1, sizeof *d);
  void *scratch = z.scratch_bytes ? malloc(z.scratch_bytes) : NULL;
  if (d) {
    d->X_train = malloc(z.x_bytes);
    d->y_train = malloc(z.y_bytes);
    if (z.start_bytes) d->start_train = malloc(z.start_bytes);
    if (z.t_bytes) d->t_train = malloc(z.t_bytes);
  }
  if (!d || !d->X_train || !d->y_train || (z.scratch_bytes && !scratch) || (z.start_bytes && !d->start_train)
      || (z.t_bytes && !d->t_train)) {
    free(scratch);
    data_free(d);
    sb_fail(err, SB_EFAIL, "out of memory allocating dataset (%zu bytes)", z.total);
    return NULL;
  }
  d->n_train = spec->train_size;
  d->n_test = spec->test_size;
  d->dim = z.dim;
  d->classes = spec->classes;
  d->X_test = d->X_train + d->n_train * d->dim;
  d->y_test = d->y_train + d->n_train;
  d->n_out = info->targets ? info->targets : d->classes;
  d->success_tol = info->success_tol;
  if (info->min_len) {
    d->seq_len = data_seq_len(T);
    d->seq_in = spec->input_dim;
    d->start_test = d->start_train + d->n_train;
  }
  if (d->t_train) d->t_test = d->t_train + d->n_train * d->n_out;

  if (!info->gen) {
    /* The splits are contiguous, so the file's first train + test
     * examples land in both at once. */
    dataio_want want = { spec->input_dim, spec->classes, spec->train_size + spec->test_size,
                         d->X_train, d->y_train };
    dataio_info *fi = malloc(sizeof *fi);
    int rc = fi ? dataio_read(file_format(spec->kind), spec->path, &want, fi, err)
                : sb_fail(err, SB_EFAIL, "out of memory");
    if (!rc) rc = check_count(spec, fi, err);
    if (!rc && spec->digest && fi->digest != spec->digest)
      rc = sb_fail(err, SB_EUSAGE, "--dataset: %s changed while satbench was reading it", fi->path);
    if (!rc) rc = apply_scale(d, data_scale_of(spec), fi->has_range ? RANGE_GLOBAL : RANGE_PER_FEATURE, 0.0, 0.0, err);
    free(fi);
    free(scratch);
    if (rc) {
      data_free(d);
      return NULL;
    }
    return d;
  }

  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) {
    free(scratch);
    data_free(d);
    sb_fail(err, SB_EFAIL, "out of memory allocating the dataset's generator");
    return NULL;
  }
  gsl_rng_set(r, seed);
  split train = { .n = d->n_train, .dim = d->dim, .classes = d->classes, .X = d->X_train, .y = d->y_train,
                  .T = T, .seq_len = d->seq_len, .seq_in = d->seq_in, .start = d->start_train, .t = d->t_train };
  split test = { .n = d->n_test, .dim = d->dim, .classes = d->classes, .X = d->X_test, .y = d->y_test,
                 .T = T, .seq_len = d->seq_len, .seq_in = d->seq_in, .start = d->start_test, .t = d->t_test };
  info->gen(r, scratch, &train, &test);
  gsl_rng_free(r);
  free(scratch);
  if (apply_scale(d, data_scale_of(spec), info->has_range ? RANGE_FIXED : RANGE_PER_FEATURE, info->lo, info->hi, err)) {
    data_free(d);
    return NULL;
  }
  return d;
}

/* The first n examples of `order` (a permutation of the split's indices)
 * of split `test` (else the training split) copied into s, with their
 * starts and targets when the dataset has them. */
static int subset_copy(data_subset *s, const dataset *d, int test, const size_t *order, size_t n)
{
  size_t dim = d->dim, m = n ? n : 1;
  const double *X = test ? d->X_test : d->X_train, *t = test ? d->t_test : d->t_train;
  const int *y = test ? d->y_test : d->y_train;
  const size_t *start = test ? d->start_test : d->start_train;
  subset_free(s);
  s->X = malloc(m * dim * sizeof *s->X);
  s->y = malloc(m * sizeof *s->y);
  if (start) s->start = malloc(m * sizeof *s->start);
  if (t) s->t = malloc(m * d->n_out * sizeof *s->t);
  if (!s->X || !s->y || (start && !s->start) || (t && !s->t)) { subset_free(s); return SB_EFAIL; }
  for (size_t i = 0; i < n; i++) {
    memcpy(s->X + i * dim, X + order[i] * dim, dim * sizeof *s->X);
    s->y[i] = y[order[i]];
    if (start) s->start[i] = start[order[i]];
    if (t) memcpy(s->t + i * d->n_out, t + order[i] * d->n_out, d->n_out * sizeof *s->t);
  }
  s->n = n;
  return SB_OK;
}

int data_subsets(dataset *d, int probe_split, size_t probe_size, size_t eval_size, unsigned long seed,
                 sb_error *err)
{
  size_t n = d->n_train > d->n_test ? d->n_train : d->n_test;
  size_t *train = malloc(d->n_train * sizeof *train), *test = malloc(d->n_test * sizeof *test);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = SB_OK;
  if (!train || !test || !r || n == 0) rc = sb_fail(err, SB_EFAIL, "out of memory for the probe set");
  if (!rc) {
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < d->n_train; i++) train[i] = i;
    for (size_t i = 0; i < d->n_test; i++) test[i] = i;
    /* The training order first, so the test split's size never changes it. */
    gsl_ran_shuffle(r, train, d->n_train, sizeof *train);
    gsl_ran_shuffle(r, test, d->n_test, sizeof *test);
    size_t n_eval_train = eval_size < d->n_train ? eval_size : d->n_train;
    size_t n_eval_test = eval_size < d->n_test ? eval_size : d->n_test;
    int from_test = probe_split == DATA_SPLIT_TEST;
    size_t n_split = from_test ? d->n_test : d->n_train;
    if (probe_size > n_split)
      rc = sb_fail(err, SB_EUSAGE, "--probe-size: %zu is larger than the split (%zu examples)", probe_size, n_split);
    else if (subset_copy(&d->probe, d, from_test, from_test ? test : train, probe_size)
             || subset_copy(&d->eval_train, d, 0, train, n_eval_train)
             || subset_copy(&d->eval_test, d, 1, test, n_eval_test))
      rc = sb_fail(err, SB_EFAIL, "out of memory for the probe set");
  }
  if (r) gsl_rng_free(r);
  free(train);
  free(test);
  return rc;
}

