/* cmd.c - satbench's subcommands: each parses its arguments, calls the
 * modules that do the work, and returns a status with its message in an
 * sb_error; main.c only dispatches and prints. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "act.h"
#include "blas.h"
#include "cmd.h"
#include "cfg.h"
#include "data.h"
#include "err.h"
#include "grid.h"
#include "init.h"
#include "num.h"
#include "shapeset.h"
#include "plot.h"
#include "table.h"
#include "theory.h"
#include "train.h"

void cmd_usage(FILE *f)
{
  fputs("usage: satbench COMMAND [options]\n"
        "Measure the saturating-gradient problem in deep fully connected networks.\n\n"
        "Commands:\n"
        "  grid    [options]   run a grid in parallel, write results to --out\n"
        "  run     [options]   train one cell, print its per-layer table to stdout\n"
        "  plot    [-d DATA] [-o PLOTS] [--format pdf,png,svg] [--no-render]\n"
        "                      draw the figures of a grid with gnuplot\n"
        "  data    shapeset --out FILE.pgm [--count N] [--seed S] [--columns C] [--zoom Z]\n"
        "                      draw Shapeset samples as a contact sheet (binary PGM)\n"
        "  theory  --activation A (--init I | --sigma-w2 X) [--sigma-b2 Y] [--depth N]\n"
        "                      mean-field q*, chi1, depth scales and critical sigma_w2\n"
        "  list    activations | inits | datasets | presets\n"
        "  --help | --version\n\n"
        "'satbench run --help' lists the options.\n", f);
}

void cmd_version(void)
{
  printf("satbench %s\n", PACKAGE_VERSION);
  printf("BLAS: %s\n", blas_name());
#ifdef _OPENMP
  printf("OpenMP: %d\n", _OPENMP);
#else
  printf("OpenMP: disabled\n");
#endif
}

int cmd_list(int argc, char **argv, sb_error *err)
{
  if (argc != 1) return sb_fail(err, SB_EUSAGE, "list: say what to list: activations, inits, datasets or presets");
  const char *what = argv[0];
  if (!strcmp(what, "activations")) {
    for (int k = 0; k < ACT_COUNT; k++) {
      act_fn f;
      act_parse(act_name((act_kind)k), &f, NULL);
      printf("%s\tmax phi' = %.6g\n", act_name((act_kind)k), act_deriv_max(&f));
    }
  } else if (!strcmp(what, "inits")) {
    static const char *const about[] = {
      "standard\tU[-1/sqrt(fan_in), 1/sqrt(fan_in)] (Glorot & Bengio eq. 1)",
      "normal:STD\tN(0, STD^2)",
      "uniform:A\tU[-A, A]",
      "xavier_uniform\tU[+-sqrt(6/(fan_in+fan_out))] (Glorot & Bengio eq. 16)",
      "xavier_normal\tN(0, 2/(fan_in+fan_out))",
      "he_normal\tN(0, 2/fan_in) (He et al. 2015)",
      "he_uniform\tU[+-sqrt(6/fan_in)]",
      "lecun_normal\tN(0, 1/fan_in)",
      "orthogonal[:GAIN]\tGAIN * orthonormal rows or columns from the QR of a Gaussian matrix",
      "critical[:SB2]\tN(0, sigma_w2*/fan_in), biases N(0, SB2): the edge of chaos (chi1 = 1) of the "
      "cell's activation at sigma_b2 = SB2 (default 0.05), from mean-field theory",
      "meanfield:SW2[:SB2]\tN(0, SW2/fan_in), biases N(0, SB2) (default 0): a point of the phase diagram",
    };
    for (size_t k = 0; k < sizeof about / sizeof about[0]; k++) puts(about[k]);
  } else if (!strcmp(what, "datasets")) {
    puts("gaussian\tx ~ N(0, I); label = argmax of a fixed random linear teacher");
    puts("mixture\tone Gaussian cluster per class, unit noise");
    puts("spirals\tinterleaved 2-D spiral arms, one per class (2-D)");
    puts("shapeset\tShapeset-3x2 (Glorot & Bengio 2010): 32x32 grey images of 1-2 shapes, 9 classes");
    puts("idx:PATH\tMNIST-style IDX files: PATH-images-idx3-ubyte + PATH-labels-idx1-ubyte, or IMAGES,LABELS");
    puts("csv:PATH\ta CSV table: integer label, then features; optional header row, '#' comments");
  } else if (!strcmp(what, "presets")) {
    cfg_list_presets(stdout);
  } else {
    return sb_fail(err, SB_EUSAGE, "list: unknown list '%s' (activations, inits, datasets, presets)", what);
  }
  return SB_OK;
}

int cmd_grid(int argc, char **argv, sb_error *err)
{
  sb_config *cfg = malloc(sizeof *cfg);
  if (!cfg) return sb_fail(err, SB_EFAIL, "out of memory");
  int rc = cfg_parse(cfg, CMD_GRID, argc, argv, stdout, err);
  if (rc == 0) rc = grid_run(cfg, err);
  free(cfg);
  return rc < 0 ? SB_OK : rc;
}

int cmd_plot(int argc, char **argv, sb_error *err)
{
  plot_opts o;
  int rc = plot_parse(&o, argc, argv, stdout, err);
  if (rc) return rc < 0 ? SB_OK : rc;
  return plot_run(&o, err);
}

/* satbench data shapeset --out F.pgm: the training examples of
 * `--dataset shapeset --seed S --train-size N`, as a contact sheet a
 * person can look at, with their labels on stdout. */
int cmd_data(int argc, char **argv, sb_error *err)
{
  static const char usage_text[] =
    "usage: satbench data shapeset --out FILE.pgm [--count N] [--seed S] [--columns C] [--zoom Z]\n"
    "Write the first N training images of `--dataset shapeset --seed S --train-size N`\n"
    "as one binary PGM: C tiles per row (default: a square), each magnified Z times\n"
    "(default 2), framed in mid grey; print their labels, row by row, on stdout.\n"
    "Defaults: --count 36, --seed 1.\n";
  const char *out = NULL;
  unsigned long count = 36, seed = 1, columns = 0, zoom = 2;
  if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
    fputs(usage_text, stdout);
    return SB_OK;
  }
  if (argc < 1 || strcmp(argv[0], "shapeset") != 0)
    return sb_fail(err, SB_EUSAGE, "data: say which dataset to draw: 'satbench data shapeset --out FILE.pgm'%s%s%s",
                   argc >= 1 ? " (got '" : "", argc >= 1 ? argv[0] : "", argc >= 1 ? "')" : "");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(usage_text, stdout);
      return SB_OK;
    }
    if (strncmp(a, "--", 2) != 0)
      return sb_fail(err, SB_EUSAGE, "data: '%s': unexpected argument (options start with --)", a);
    char key[32];
    const char *eq = strchr(a, '=');
    size_t klen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    if (klen >= sizeof key) return sb_fail(err, SB_EUSAGE, "data: '%s': unknown option", a);
    memcpy(key, a + 2, klen);
    key[klen] = '\0';
    if (strcmp(key, "out") && strcmp(key, "count") && strcmp(key, "seed") && strcmp(key, "columns")
        && strcmp(key, "zoom"))
      return sb_fail(err, SB_EUSAGE, "data: --%s: unknown option (--out, --count, --seed, --columns, --zoom)", key);
    if (eq) val = eq + 1;
    else if (i + 1 < argc) val = argv[++i];
    else return sb_fail(err, SB_EUSAGE, "data: --%s: needs a value", key);
    int rc = SB_OK;
    char what[80];
    snprintf(what, sizeof what, "data: --%s", key);
    if (!strcmp(key, "out")) {
      if (!*val) return sb_fail(err, SB_EUSAGE, "data: --out: empty file name");
      out = val;
    } else if (!strcmp(key, "count")) rc = num_parse_count(what, val, 1, 10000, &count, err);
    else if (!strcmp(key, "seed")) rc = num_parse_count(what, val, 0, ULONG_MAX, &seed, err);
    else if (!strcmp(key, "columns")) rc = num_parse_count(what, val, 1, 1000, &columns, err);
    else rc = num_parse_count(what, val, 1, 16, &zoom, err);
    if (rc) return rc;
  }
  if (!out) return sb_fail(err, SB_EUSAGE, "data: --out: say where to write the contact sheet (FILE.pgm)");
  if (!columns)
    while (columns * columns < count) columns++;
  if (columns > count) columns = count;

  data_spec spec = { .kind = DATA_SHAPESET, .input_dim = SHAPESET_DIM, .classes = SHAPESET_CLASSES,
                     .train_size = count, .test_size = 1 };
  dataset *d = data_alloc(&spec, train_seed(seed, 0, STREAM_DATASET), err);
  if (!d) return err->code ? err->code : SB_EFAIL;
  char comment[128];
  snprintf(comment, sizeof comment, "satbench shapeset: %lu training images, --seed %lu", count, seed);
  int rc = shapeset_sheet_write(out, d->X_train, count, columns, (unsigned)zoom, comment, err);
  if (!rc) {
    printf("# %s: %lu shapeset images (--seed %lu --train-size %lu), %lu per row, %lux%lu pixels each\n",
           out, count, seed, count, columns, SHAPESET_SIDE * zoom, SHAPESET_SIDE * zoom);
    printf("# classes:");
    for (int k = 0; k < SHAPESET_CLASSES; k++) printf(" %d=%s", k, shapeset_class_name(k));
    printf("\n");
    for (unsigned long i = 0; i < count; i++)
      printf("%d%c", d->y_train[i], (i + 1) % columns == 0 || i + 1 == count ? '\n' : ' ');
  }
  data_free(d);
  return rc;
}

/* ---- satbench theory ------------------------------------------------------ */

static const char theory_usage[] =
  "usage: satbench theory --activation A (--init I | --sigma-w2 X) [--sigma-b2 Y]\n"
  "                       [--q0 Q] [--width N] [--depth N]\n"
  "       satbench theory --activation A --phase [--sigma-w2-range LO:HI:STEP]\n"
  "                       [--sigma-b2-range LO:HI:STEP] [--q0 Q]\n"
  "       satbench theory --activation A --critical-line [--sigma-b2-range LO:HI:STEP] [--q0 Q]\n"
  "Mean-field signal propagation (Poole et al. 2016; Schoenholz et al. 2017) as TSV:\n"
  "  (default)        activation sigma_w2 sigma_b2 q_star chi1 xi_q xi_grad critical_sigma_w2\n"
  "  --depth N        layer q chi log10_delta_ratio for a net of N hidden layers\n"
  "  --phase          sigma_w2 sigma_b2 q_star chi1 on a grid, one block per sigma_b2\n"
  "                   (defaults 0.1:5:0.1 and 0:2:0.1)\n"
  "  --critical-line  sigma_b2 critical_sigma_w2 (where chi1 = 1), default 0:2:0.1\n"
  "--init takes satbench's init names: sigma_w2 is the weight variance times fan_in\n"
  "for fan_in = fan_out = --width (default 1000), sigma_b2 is 0, or SB2 for\n"
  "critical[:SB2] and meanfield:SW2[:SB2].  --q0 (default 1) is the inputs' second\n"
  "moment: the first layer has q^1 = sigma_w2 q0 + sigma_b2.\n";

typedef struct theory_opts {
  act_fn act;
  init_spec init;
  double sw2, sb2, q0;
  unsigned long depth, width;
  double w_range[3], b_range[3];   /* LO, HI, STEP */
  /* which options were given */
  int act_set, init_set, sw2_set, sb2_set, q0_set, depth_set, width_set, w_range_set, b_range_set;
  int phase, critical_line;
} theory_opts;

/* theory's option values: "theory: --NAME" in messages. */
static int theory_real(const char *opt, const char *s, double *out, sb_error *err)
{
  char what[80];
  snprintf(what, sizeof what, "theory: --%s", opt);
  return num_parse_real(what, s, out, err);
}

static int theory_count(const char *opt, const char *s, unsigned long min, unsigned long max,
                        unsigned long *out, sb_error *err)
{
  char what[80];
  snprintf(what, sizeof what, "theory: --%s", opt);
  return num_parse_count(what, s, min, max, out, err);
}

/* LO:HI:STEP with LO <= HI, STEP > 0, at most 100000 values, or one value X. */
static int theory_range(const char *opt, const char *s, double lo_min, double *r, sb_error *err)
{
  char buf[256], *parts[3] = { buf, NULL, NULL };
  if (strlen(s) >= sizeof buf) return sb_fail(err, SB_EUSAGE, "theory: --%s: value too long", opt);
  strcpy(buf, s);
  size_t n = 1;
  for (char *p = buf; *p; p++)
    if (*p == ':') {
      if (n == 3) return sb_fail(err, SB_EUSAGE, "theory: --%s: '%s' is not LO:HI:STEP", opt, s);
      *p = '\0';
      parts[n++] = p + 1;
    }
  if (n == 2) return sb_fail(err, SB_EUSAGE, "theory: --%s: '%s' is not LO:HI:STEP", opt, s);
  for (size_t k = 0; k < n; k++) {
    int rc = theory_real(opt, parts[k], &r[k], err);
    if (rc) return rc;
  }
  if (n == 1) { r[1] = r[0]; r[2] = 1.0; }
  if (!(r[0] >= lo_min) || r[1] < r[0] || !(r[2] > 0) || (r[1] - r[0]) / r[2] > 1e5)
    return sb_fail(err, SB_EUSAGE, "theory: --%s: '%s' needs 0 %s LO <= HI, STEP > 0 and at "
                   "most 100000 values", opt, s, lo_min > 0 ? "<" : "<=");
  return SB_OK;
}

/* Values of a range: LO + i STEP up to HI, which is included when a step
 * lands on it (to within rounding). */
static size_t theory_range_count(const double *r)
{
  return (size_t)floor((r[1] - r[0]) / r[2] * (1 + 1e-12) + 1e-9) + 1;
}

/* The i-th value, rounded to 15 significant digits so that 0 + 19 x 0.1
 * prints as the 1.9 the user asked for, not 1.9000000000000001. */
static double theory_range_value(const double *r, size_t i)
{
  char buf[64];
  snprintf(buf, sizeof buf, "%.15g", r[0] + (double)i * r[2]);
  return strtod(buf, NULL);
}

static int theory_parse(theory_opts *o, int argc, char **argv, sb_error *err)
{
  static const char *const names[] = {
    "activation", "init", "sigma-w2", "sigma-b2", "q0", "depth", "width", "phase",
    "critical-line", "sigma-w2-range", "sigma-b2-range",
  };
  memset(o, 0, sizeof *o);
  o->q0 = 1.0;
  o->width = 1000;
  o->w_range[0] = 0.1; o->w_range[1] = 5.0; o->w_range[2] = 0.1;
  o->b_range[0] = 0.0; o->b_range[1] = 2.0; o->b_range[2] = 0.1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *val = NULL;
    if (strncmp(a, "--", 2) != 0)
      return sb_fail(err, SB_EUSAGE, "theory: '%s': unexpected argument (options start with --)", a);
    char key[32];
    const char *eq = strchr(a, '=');
    size_t klen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    int k = -1;
    if (klen < sizeof key) {
      memcpy(key, a + 2, klen);
      key[klen] = '\0';
      for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
        if (!strcmp(key, names[j])) k = (int)j;
    }
    if (k < 0)
      return sb_fail(err, SB_EUSAGE, "theory: '%s': unknown option (see satbench theory --help)", a);
    int *seen[] = { &o->act_set, &o->init_set, &o->sw2_set, &o->sb2_set, &o->q0_set, &o->depth_set,
                    &o->width_set, &o->phase, &o->critical_line, &o->w_range_set, &o->b_range_set };
    if (*seen[k]) return sb_fail(err, SB_EUSAGE, "theory: --%s: given twice", key);
    *seen[k] = 1;
    if (k == 7 || k == 8) {   /* flags */
      if (eq) return sb_fail(err, SB_EUSAGE, "theory: --%s: takes no value", key);
      continue;
    }
    if (eq) val = eq + 1;
    else if (i + 1 < argc) val = argv[++i];
    else return sb_fail(err, SB_EUSAGE, "theory: --%s: needs a value", key);
    int rc = SB_OK;
    switch (k) {
    case 0:
      if ((rc = act_parse(val, &o->act, err))) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        return sb_fail(err, rc, "theory: --activation: %s", inner);
      }
      break;
    case 1:
      if ((rc = init_parse(val, &o->init, err))) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        return sb_fail(err, rc, "theory: --init: %s", inner);
      }
      break;
    case 2:
      if ((rc = theory_real(key, val, &o->sw2, err))) return rc;
      if (!(o->sw2 > 0)) return sb_fail(err, SB_EUSAGE, "theory: --sigma-w2: %s must be > 0", val);
      break;
    case 3:
      if ((rc = theory_real(key, val, &o->sb2, err))) return rc;
      if (!(o->sb2 >= 0)) return sb_fail(err, SB_EUSAGE, "theory: --sigma-b2: %s must be >= 0", val);
      if (o->sb2 == 0) o->sb2 = 0.0;   /* -0 */
      break;
    case 4:
      if ((rc = theory_real(key, val, &o->q0, err))) return rc;
      if (!(o->q0 > 0)) return sb_fail(err, SB_EUSAGE, "theory: --q0: %s must be > 0", val);
      break;
    case 5: rc = theory_count(key, val, 1, 1000000, &o->depth, err); break;
    case 6: rc = theory_count(key, val, 1, 100000000, &o->width, err); break;
    case 9: rc = theory_range(key, val, 1e-300, o->w_range, err); break;
    case 10: rc = theory_range(key, val, 0.0, o->b_range, err); break;
    }
    if (rc) return rc;
  }
  if (!o->act_set) return sb_fail(err, SB_EUSAGE, "theory: --activation: say which activation (satbench list activations)");
  int sweep = o->phase || o->critical_line;
  if (o->phase && o->critical_line)
    return sb_fail(err, SB_EUSAGE, "theory: --phase and --critical-line exclude each other");
  if (sweep) {
    const char *bad = o->init_set ? "init" : o->sw2_set ? "sigma-w2" : o->sb2_set ? "sigma-b2"
                    : o->depth_set ? "depth" : o->width_set ? "width"
                    : o->critical_line && o->w_range_set ? "sigma-w2-range" : NULL;
    if (bad)
      return sb_fail(err, SB_EUSAGE, "theory: --%s: not with --%s, which sweeps its own values "
                     "(--sigma-w2-range, --sigma-b2-range)", bad, o->phase ? "phase" : "critical-line");
    return SB_OK;
  }
  if (o->w_range_set || o->b_range_set)
    return sb_fail(err, SB_EUSAGE, "theory: --%s: only with --phase or --critical-line",
                   o->w_range_set ? "sigma-w2-range" : "sigma-b2-range");
  if (o->init_set && o->sw2_set)
    return sb_fail(err, SB_EUSAGE, "theory: --init and --sigma-w2 exclude each other: give one");
  if (!o->init_set && !o->sw2_set)
    return sb_fail(err, SB_EUSAGE, "theory: --sigma-w2: give --init I or --sigma-w2 X");
  if (o->width_set && !o->init_set)
    return sb_fail(err, SB_EUSAGE, "theory: --width: only with --init (it sets the fans of the init's variance)");
  if (o->init_set && o->sb2_set && (o->init.kind == INIT_CRITICAL || o->init.kind == INIT_MEANFIELD))
    return sb_fail(err, SB_EUSAGE, "theory: --sigma-b2: init '%s' sets sigma_b2 itself (its SB2)",
                   init_kind_name(o->init.kind));
  return SB_OK;
}

static void theory_cols(int n, ...)
{
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) {
    if (i) putchar('\t');
    table_double(stdout, va_arg(ap, double));
  }
  va_end(ap);
  putchar('\n');
}

int cmd_theory(int argc, char **argv, sb_error *err)
{
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(theory_usage, stdout);
      return SB_OK;
    }
  theory_opts o;
  int rc = theory_parse(&o, argc, argv, err);
  if (rc) return rc;
  theory_work *w = theory_alloc();
  if (!w) return sb_fail(err, SB_EFAIL, "theory: out of memory");
  const char *an = act_name(o.act.kind);

  if (o.phase) {
    size_t nw = theory_range_count(o.w_range), nb = theory_range_count(o.b_range);
    printf("# satbench theory --phase: activation = %s, q0 = ", an);
    table_double(stdout, o.q0);
    printf("\n# one block per sigma_b2 (gnuplot: splot ... using 1:2:4 with pm3d)\n");
    printf("sigma_w2\tsigma_b2\tq_star\tchi1\n");
    for (size_t j = 0; j < nb && !rc; j++) {
      double sb2 = theory_range_value(o.b_range, j);
      if (j) putchar('\n');
      for (size_t i = 0; i < nw && !rc; i++) {
        double sw2 = theory_range_value(o.w_range, i);
        theory_point p;
        rc = theory_point_at(w, &o.act, sw2, sb2, o.q0, &p, err);
        if (!rc) theory_cols(4, sw2, sb2, p.q_star, p.chi1);
      }
    }
  } else if (o.critical_line) {
    size_t nb = theory_range_count(o.b_range);
    printf("# satbench theory --critical-line: activation = %s, q0 = ", an);
    table_double(stdout, o.q0);
    printf("\n# NaN: no sigma_w2 with chi1 = 1 at that sigma_b2 (chi1 jumps over 1)\n");
    printf("sigma_b2\tcritical_sigma_w2\n");
    for (size_t j = 0; j < nb; j++) {
      double sb2 = theory_range_value(o.b_range, j), c;
      int crc = theory_critical(w, &o.act, sb2, o.q0, &c, NULL);
      if (crc == SB_EFAIL) { rc = sb_fail(err, SB_EFAIL, "theory: out of memory"); break; }
      theory_cols(2, sb2, c);
    }
  } else {
    double sw2 = o.sw2, sb2 = o.sb2;
    if (o.init_set) {
      if (o.init.kind == INIT_CRITICAL) {
        rc = theory_critical(w, &o.act, o.init.param, o.q0, &o.init.sigma_w2, err);
        if (rc) {
          char inner[sizeof err->msg];
          snprintf(inner, sizeof inner, "%s", err->msg);
          sb_fail(err, rc, "theory: --init: %s", inner);
        }
      }
      size_t n = o.width;
      sw2 = init_weight_var(&o.init, n, n) * (double)n;
      if (!o.sb2_set) sb2 = init_bias_var(&o.init);
    }
    if (!rc && o.depth_set) {
      size_t depth = o.depth;
      double *q = malloc(3 * depth * sizeof *q), *chi = q + depth, *ratio = chi + depth;
      if (!q) rc = sb_fail(err, SB_EFAIL, "theory: out of memory");
      if (!rc) rc = theory_profile(w, &o.act, sw2, sb2, sw2 * o.q0 + sb2, depth, q, chi, ratio, err);
      if (!rc) {
        printf("# satbench theory: activation = %s, sigma_w2 = ", an);
        table_double(stdout, sw2);
        printf(", sigma_b2 = ");
        table_double(stdout, sb2);
        printf(", q0 = ");
        table_double(stdout, o.q0);
        printf(", depth = %zu\n", depth);
        printf("# log10_delta_ratio = log10(||delta^l|| / ||delta^depth||)\n");
        printf("layer\tq\tchi\tlog10_delta_ratio\n");
        for (size_t l = 1; l <= depth; l++) {
          printf("%zu\t", l);
          theory_cols(3, q[l - 1], chi[l - 1], ratio[l - 1]);
        }
      }
      free(q);
    } else if (!rc) {
      theory_point p;
      double c;
      rc = theory_point_at(w, &o.act, sw2, sb2, o.q0, &p, err);
      if (!rc && theory_critical(w, &o.act, sb2, o.q0, &c, NULL) == SB_EFAIL)
        rc = sb_fail(err, SB_EFAIL, "theory: out of memory");
      if (!rc) {
        printf("activation\tsigma_w2\tsigma_b2\tq_star\tchi1\txi_q\txi_grad\tcritical_sigma_w2\n%s\t", an);
        theory_cols(7, sw2, sb2, p.q_star, p.chi1, p.xi_q, p.xi_grad, c);
      }
    }
  }
  theory_free(w);
  return rc;
}

int cmd_run(int argc, char **argv, sb_error *err)
{
  sb_config *cfg = malloc(sizeof *cfg);
  if (!cfg) return sb_fail(err, SB_EFAIL, "out of memory");
  int rc = cfg_parse(cfg, CMD_RUN, argc, argv, stdout, err);
  if (rc) { free(cfg); return rc < 0 ? SB_OK : rc; }

  dataset *d = data_alloc(&cfg->data, train_seed(cfg->master_seed, 0, STREAM_DATASET), err);
  if (!d) { free(cfg); return err->code ? err->code : SB_EFAIL; }
  train_params p = {
    .act = cfg->acts[0], .init = cfg->inits[0], .depth = cfg->depths[0], .width = cfg->widths[0],
    .master_seed = cfg->master_seed, .seed_index = cfg->seed_index, .batch = cfg->batch,
    .steps = cfg_total_steps(cfg), .lr = cfg->lr, .opt = cfg->opt, .loss = cfg->loss,
    .log_every = cfg->log_every, .tau = cfg->tau,
  };
  train_result r;
  if (train_result_init(&r, &p)) {
    data_free(d);
    free(cfg);
    return sb_fail(err, SB_EFAIL, "out of memory for the probe records");
  }
  /* One BLAS thread, as in a grid: a threaded GEMM may round differently
   * (OpenBLAS does for the output layer's shapes), and `run` must print
   * the numbers the grid writes for the same cell. */
  blas_set_threads(1);
  rc = train_cell(&p, d, &r, err);
  if (!rc) {
    char init_text[64];
    init_format(&p.init, init_text, sizeof init_text);
    table_cell c = { 0, act_name(p.act.kind), init_text, p.depth, p.width, p.seed_index };
    table_comments(stdout, cfg);
    table_header(stdout, ROW_LAYERS);
    table_layers_rows(stdout, "", &c, &r);
    printf("# status = %s\n# steps_done = %ld\n# final_loss = ", r.status == TRAIN_OK ? "ok" : "diverged", r.steps_done);
    table_double(stdout, r.final_loss);
    printf("\n# final_train_acc = ");
    table_double(stdout, r.final_train_acc);
    printf("\n# final_test_acc = ");
    table_double(stdout, r.final_test_acc);
    printf("\n");
    if (fflush(stdout) || ferror(stdout))
      rc = sb_fail(err, SB_EFAIL, "writing the table to stdout: %s", strerror(errno));
  }
  train_result_free(&r);
  data_free(d);
  free(cfg);
  return rc;
}

