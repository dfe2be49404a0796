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
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "act.h"
#include "blas.h"
#include "cmd.h"
#include "compare.h"
#include "report.h"
#include "tsv.h"
#include "cfg.h"
#include "cli.h"
#include "data.h"
#include "err.h"
#include "fileio.h"
#include "figure.h"
#include "grid.h"
#include "init.h"
#include "names.h"
#include "num.h"
#include "prec.h"
#include "shapeset.h"
#include "plot.h"
#include "ranks.h"
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
        "  merge   [--out DIR] [--from DIR]... [--partial]\n"
        "                      the tables of a grid run in shards (grid --shard K/N)\n"
        "  plot    [-d DATA] [-o PLOTS] [--format pdf,png,svg] [--no-render]\n"
        "                      draw the figures of a grid with gnuplot\n"
        "  report  [-d DATA [-d DATA2]] [-o FILE.html]\n"
        "                      one self-contained HTML page of a grid: findings, figures,\n"
        "                      digest, configuration, provenance (and a comparison)\n"
        "  compare A B [-o FILE.tsv]\n"
        "                      two grids group by group: means, change, Welch's t-test\n"
        "  data    shapeset --out FILE.pgm [--count N] [--seed S] [--columns C] [--zoom Z]\n"
        "                      draw Shapeset samples as a contact sheet (binary PGM)\n"
        "  theory  --activation A (--init I | --sigma-w2 X) [--sigma-b2 Y] [--depth N]\n"
        "                      mean-field q*, chi1, depth scales and critical sigma_w2\n"
        "  list    activations | inits | datasets | presets | figures | columns\n"
        "                      the names satbench knows, with what they mean\n\n"
        "Options:\n"
        "  -h, --help          print this help and exit (also: satbench help)\n"
        "  -V, --version       print the version, the BLAS, kernels and OpenMP built in\n\n"
        "'satbench COMMAND --help' lists the options of COMMAND.\n", f);
}

void cmd_version(void)
{
  printf("satbench %s\n", PACKAGE_VERSION);
  if (*blas_kernel()) printf("BLAS: %s (kernel %s)%s%s\n", blas_name(), blas_kernel(), blas_kernel_warning() ? "; " : "",
                             blas_kernel_warning() ? blas_kernel_warning() : "");
  else printf("BLAS: %s\n", blas_name());
  printf("GEMM: %s\n", blas_gemm_rule());
  printf("Kernels: %s\n", act_kernel_name());
#ifdef _OPENMP
  printf("OpenMP: %d\n", _OPENMP);
#else
  printf("OpenMP: disabled\n");
#endif
#ifdef HAVE_MPI
  printf("MPI: yes (grid schedules over the ranks of mpirun)\n");
#endif
}

/* The lists of satbench list, in the order its help shows them. */
static const struct { const char *name, *help; } lists[] = {
  { "activations", "the activations: max |phi'|, where a unit can saturate, the output range if bounded, the kinks" },
  { "inits", "the initializations, with their distributions" },
  { "datasets", "the datasets" },
  { "presets", "the presets, each followed by its settings (lines starting with a tab)" },
  { "figures", "the figures of satbench plot" },
  { "statuses", "the statuses of cells.tsv, each the first that applies in this order" },
  { "precisions", "the arithmetic --precisions emulates: each format's significand, range, overflow" },
  { "archs", "the architectures of --archs: mlp and the recurrent cells, with their gates and equations" },
  { "columns", "TABLE<tab>COLUMN<tab>UNIT<tab>MEANING for every column of every table, in order" },
};
enum { N_LISTS = sizeof lists / sizeof lists[0] };

static void list_usage(FILE *f)
{
  fputs("usage: satbench list WHAT\n"
        "       satbench list --complete [COMMAND [OPTION]]\n"
        "Print the names satbench knows, one per line, each followed by a tab and what it\n"
        "means.  WHAT is one of:\n\n", f);
  for (size_t k = 0; k < N_LISTS; k++) fprintf(f, "  %-14s%s\n", lists[k].name, lists[k].help);
  fputs("\nOptions:\n", f);
  fprintf(f, "  %-24s%s\n", "--complete [COMMAND [OPTION]]", "");
  fprintf(f, "  %-24s%s\n", "", "for the bash completion: the commands; COMMAND's options (NAME<tab>ARG);");
  fprintf(f, "  %-24s%s\n", "", "or the values OPTION takes (a VALUE<tab>FILE line: a file name follows)");
  fprintf(f, "  %-24s%s\n", "-h, --help", "print this help and exit");
}

static int cmd_complete(int argc, char **argv, sb_error *err);

int cmd_list(int argc, char **argv, sb_error *err)
{
  const char *names[N_LISTS];
  for (size_t k = 0; k < N_LISTS; k++) names[k] = lists[k].name;
  char valid[256];
  names_join(valid, sizeof valid, names, N_LISTS);
  if (cli_wants_help(argc, argv)) {
    list_usage(stdout);
    return SB_OK;
  }
  if (argc >= 1 && !strcmp(argv[0], "--complete")) return cmd_complete(argc - 1, argv + 1, err);
  if (argc != 1) return sb_fail(err, SB_EUSAGE, "list: say what to list: %s", valid);
  const char *what = argv[0];
  if (!strcmp(what, "activations")) {
    for (int k = 0; k < ACT_COUNT; k++) {
      act_fn f;
      const act_info *ai = act_info_of((act_kind)k);
      if (!ai || act_parse(ai->name, &f, NULL)) continue;
      printf("%s\tmax phi' = %.6g", ai->name, act_deriv_max(&f));
      /* the tails of act.h, where |phi'| < tau max |phi'| counts as saturated */
      if (isinf(ai->tail_lo) && isinf(ai->tail_hi)) printf("\tsaturates nowhere");
      else if (ai->tail_lo >= ai->tail_hi) printf("\tsaturates at any h");
      else {
        printf("\tsaturates only at h <= %.6g", ai->tail_lo);
        if (!isinf(ai->tail_hi)) printf(" or h >= %.6g", ai->tail_hi);
      }
      if (ai->bounded) printf("\toutputs in [%g, %g]", ai->lo, ai->hi);
      for (size_t i = 0; i < ai->n_kinks; i++) printf("%s%g", i ? ", " : "\tnot smooth at ", ai->kinks[i]);
      putchar('\n');
    }
  } else if (!strcmp(what, "inits")) {
    init_list(stdout);
  } else if (!strcmp(what, "datasets")) {
    data_list(stdout);
  } else if (!strcmp(what, "presets")) {
    cfg_list_presets(stdout);
  } else if (!strcmp(what, "statuses")) {
    for (int k = 0; k < TRAIN_NSTATUS; k++) printf("%s\t%s\n", train_statuses[k].name, train_statuses[k].about);
  } else if (!strcmp(what, "archs")) {
    printf("mlp\tfeed-forward: depth hidden layers of width units (the manual, \"The network\")\n");
    for (int c = 0; c < RNN_CELL_COUNT; c++) {
      const rnn_cell_info *ci = rnn_cell_info_of((rnn_cell)c);
      printf("%s\t%s; blocks of W_hh:", ci->name, ci->about);
      for (size_t g = 0; g < ci->n_gates; g++) printf(" %s", ci->gates[g]);
      printf("; sigmoid gates (gates.tsv):");
      for (size_t g = 0; g < ci->n_sigmoid; g++) printf(" %s", ci->gates[g]);
      printf("%s\n", ci->n_sigmoid ? "" : " none");
    }
  } else if (!strcmp(what, "precisions")) {
    for (int k = 0; k < PREC_COUNT; k++) printf("%s\t%s\n", prec_formats[k].name, prec_formats[k].about);
  } else if (!strcmp(what, "figures")) {
    for (size_t k = 0; k < fig_count; k++) printf("%s\t%s\n", fig_table[k].name, fig_table[k].title);
  } else if (!strcmp(what, "columns")) {
    /* TABLE<TAB>COLUMN<TAB>UNIT<TAB>MEANING, in each table's order; a
     * column table.c does not describe says so (tests/manual.sh fails) */
    char cols[8192], name[128], about[512];
    for (int k = 0; k < ROW_COUNT; k++) {
      const row_info *ri = table_row_info((row_kind)k);
      if (!ri->file) continue;
      table_columns((row_kind)k, TABLE_ALL, cols, sizeof cols);
      for (char *p = cols; *p;) {
        size_t n = strcspn(p, "\t");
        const char *unit;
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        if (table_column_doc((row_kind)k, name, &unit, about, sizeof about))
          printf("%s\t%s\t?\tUNDOCUMENTED: describe it in table.c's col_docs\n", ri->file, name);
        else
          printf("%s\t%s\t%s\t%s\n", ri->file, name, unit, about);
        p += n + (p[n] != '\0');
      }
    }
  } else {
    return sb_fail(err, SB_EUSAGE, "list: unknown list '%s' (valid: %s)", what, valid);
  }
  return SB_OK;
}

int cmd_grid(int argc, char **argv, sb_error *err)
{
  /* MPI starts here, for grid only (a build --with-mpi under mpirun). */
  int rc = ranks_init(&argc, &argv, err);
  if (rc) return rc;
  sb_config *cfg = malloc(sizeof *cfg);
  if (!cfg) rc = sb_fail(err, SB_EFAIL, "out of memory");
  else rc = cfg_parse(cfg, CMD_GRID, argc, argv, ranks_rank() == 0 ? stdout : NULL, err);
  if (rc == 0) rc = grid_run(cfg, err);
  free(cfg);
  if (ranks_size() > 1) {
    /* Said here, before the ranks part (every rank comes here, failed or
     * not): mpirun ends the job when a rank exits non-zero and may cut
     * rank 0 off before main prints. */
    if (rc > 0 && (ranks_rank() == 0 || (err->msg[0] && rc != SB_EUSAGE)))
      fprintf(stderr, "satbench: %s\n", err->msg[0] ? err->msg : "failed");
    fflush(stderr);
    if (rc > 0) err->msg[0] = '\0';
    ranks_barrier();
  }
  ranks_finalize();
  return rc < 0 ? SB_OK : rc;
}

int cmd_plot(int argc, char **argv, sb_error *err)
{
  plot_opts o;
  int rc = plot_parse(&o, argc, argv, stdout, err);
  if (rc) return rc < 0 ? SB_OK : rc;
  return plot_run(&o, err);
}

int cmd_report(int argc, char **argv, sb_error *err) { return report_main(argc, argv, err); }

int cmd_compare(int argc, char **argv, sb_error *err) { return compare_main(argc, argv, err); }

/* satbench merge --out DIR [--from DIR]... [--partial]: the tables of a
 * grid whose cells were run by shards (or by several hosts into several
 * folders). */
typedef struct merge_opts {
  const char *out;
  const char *from[64];
  size_t n_from;
  int partial, quiet, compress, keep_records;
} merge_opts;

static int merge_set(void *ctx, const char *name, const char *val, sb_error *err)
{
  merge_opts *o = ctx;
  if (!strcmp(name, "partial")) { o->partial = !val || strcmp(val, "false"); return SB_OK; }
  if (!strcmp(name, "quiet")) { o->quiet = !val || strcmp(val, "false"); return SB_OK; }
  if (!strcmp(name, "compress")) {
    o->compress = !val || strcmp(val, "false");
    if (o->compress && !tsv_can_compress())
      return sb_fail(err, SB_EUSAGE, "merge: --compress: this satbench was built without zlib (or fopencookie), so it "
                     "cannot write .tsv.gz tables; install zlib1g-dev and rebuild");
    return SB_OK;
  }
  if (!strcmp(name, "keep-records")) { o->keep_records = !val || strcmp(val, "false"); return SB_OK; }
  if (!*val) return sb_fail(err, SB_EUSAGE, "merge: --%s: empty folder name", name);
  if (!strcmp(name, "out")) { o->out = val; return SB_OK; }
  if (o->n_from == sizeof o->from / sizeof o->from[0])
    return sb_fail(err, SB_EUSAGE, "merge: --from: at most %zu folders", sizeof o->from / sizeof o->from[0]);
  o->from[o->n_from++] = val;
  return SB_OK;
}

static const cli_def merge_options[] = {
  { "out", 'o', CLI_VALUE, merge_set, "DIR", "the grid's folder (default data/): its records become its tables", 0 },
  { "from", 0, CLI_VALUE, merge_set, "DIR", "first copy in the records of another folder of the same grid (repeatable)", 0 },
  { "partial", 0, CLI_BOOL, merge_set, NULL, "write the tables of an unfinished grid, marked '# complete = false' (default: refuse)", 0 },
  { "compress", 0, CLI_BOOL, merge_set, NULL, "write the tables gzip-compressed, as NAME.tsv.gz (the plain ones are removed)", 0 },
  { "keep-records", 0, CLI_BOOL, merge_set, NULL, "keep the records after the tables are complete (default: removed once merged; never those of --from)", 0 },
  { "quiet", 0, CLI_BOOL, merge_set, NULL, "no notes on stderr", 0 },
};

int cmd_merge(int argc, char **argv, sb_error *err)
{
  cli_parser p = { merge_options, sizeof merge_options / sizeof merge_options[0], "merge", "satbench merge", 0, 0 };
  if (cli_wants_help(argc, argv)) {
    fputs("usage: satbench merge [--out DIR] [--from DIR]... [--partial] [--compress] [--keep-records] [--quiet]\n"
          "Build every table of the grid in DIR from its records, byte for byte those of a\n"
          "one-process run: after `satbench grid --shard K/N` has run for every K, or to\n"
          "gather folders that several hosts filled (--from).  Once the tables are complete\n"
          "DIR's records are removed (not with --keep-records; never those of --from); a\n"
          "merge of a folder whose records were removed so writes nothing and says whether\n"
          "its tables match manifest.json.  Exit status: 0 ok (or nothing to merge: the\n"
          "tables are complete), 1 cells are missing (nothing written) or a write failed,\n"
          "2 bad usage or input (or tables that no longer match, without records).\n\n", stdout);
    cli_usage(stdout, &p);
    return SB_OK;
  }
  merge_opts o = { .out = "data" };
  int rc = cli_parse(&p, argc, argv, &o, err);
  if (rc) return rc;
  return grid_merge(o.out, o.partial, o.compress, o.from, o.n_from, o.quiet, o.keep_records, err);
}

/* satbench data shapeset --out F.pgm: the training examples of
 * `--dataset shapeset --seed S --train-size N`, as a contact sheet a
 * person can look at, with their labels on stdout. */
typedef struct data_opts {
  const char *out;
  unsigned long count, seed, columns, zoom;
} data_opts;

static int data_set(void *ctx, const char *name, const char *val, sb_error *err)
{
  data_opts *o = ctx;
  char what[80];
  snprintf(what, sizeof what, "data: --%s", name);
  if (!strcmp(name, "out")) {
    if (!*val) return sb_fail(err, SB_EUSAGE, "data: --out: empty file name");
    o->out = val;
    return SB_OK;
  }
  if (!strcmp(name, "count")) return num_parse_count(what, val, 1, 10000, &o->count, err);
  if (!strcmp(name, "seed")) return num_parse_count(what, val, 0, ULONG_MAX, &o->seed, err);
  if (!strcmp(name, "columns")) return num_parse_count(what, val, 1, 1000, &o->columns, err);
  return num_parse_count(what, val, 1, 16, &o->zoom, err);
}

static const cli_def data_options[] = {
  { "out", 0, CLI_VALUE, data_set, "FILE.pgm", "where to write the contact sheet", 0 },
  { "count", 0, CLI_VALUE, data_set, "N", "images (default 36)", 0 },
  { "seed", 0, CLI_VALUE, data_set, "S", "the master seed (default 1)", 0 },
  { "columns", 0, CLI_VALUE, data_set, "C", "images per row (default: a square)", 0 },
  { "zoom", 0, CLI_VALUE, data_set, "Z", "magnification, 1-16 (default 2)", 0 },
};

int cmd_data(int argc, char **argv, sb_error *err)
{
  static const char usage_text[] =
    "usage: satbench data shapeset --out FILE.pgm [--count N] [--seed S] [--columns C] [--zoom Z]\n"
    "Write the first N training images of `--dataset shapeset --seed S --train-size N`\n"
    "as one binary PGM: C tiles per row (default: a square), each magnified Z times\n"
    "(default 2), framed in mid grey; print their labels, row by row, on stdout.\n\n";
  cli_parser p = { data_options, sizeof data_options / sizeof data_options[0], "data", "satbench data", 0, 0 };
  if (cli_wants_help(argc, argv)) {
    fputs(usage_text, stdout);
    cli_usage(stdout, &p);
    return SB_OK;
  }
  if (argc < 1 || strcmp(argv[0], "shapeset") != 0)
    return sb_fail(err, SB_EUSAGE, "data: say which dataset to draw: 'satbench data shapeset --out FILE.pgm'%s%s%s",
                   argc >= 1 ? " (got '" : "", argc >= 1 ? argv[0] : "", argc >= 1 ? "')" : "");
  data_opts o = { NULL, 36, 1, 0, 2 };
  int prc = cli_parse(&p, argc - 1, argv + 1, &o, err);
  if (prc) return prc;
  const char *out = o.out;
  unsigned long count = o.count, seed = o.seed, columns = o.columns, zoom = o.zoom;
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
  if (rc == SB_EUSAGE) sb_prefix(err, "data: --out");
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
  "       satbench theory --activation A (--init I | --sigma-w2 X) --depth N --precision FMT\n"
  "                       [--loss-scale S] [--top-error E | --classes C --probe-size B]\n"
  "       satbench theory --activation A --phase [--sigma-w2-range LO:HI:STEP]\n"
  "                       [--sigma-b2-range LO:HI:STEP] [--q0 Q]\n"
  "       satbench theory --activation A --critical-line [--sigma-b2-range LO:HI:STEP] [--q0 Q]\n"
  "       satbench theory --arch rnn --activation A (--init I | --sigma-w2 X) [--sigma-b2 Y]\n"
  "                       [--q-in Q | --q0 Q] [--width N] --depth T\n"
  "Mean-field signal propagation (Poole et al. 2016; Schoenholz et al. 2017) as TSV:\n"
  "  (default)        activation sigma_w2 sigma_b2 q_star chi1 xi_q xi_grad critical_sigma_w2\n"
  "                   c_star chi_c xi_c (the correlation map's fixed point and depth scale)\n"
  "  --depth N        layer q chi log10_delta_ratio for a net of N hidden layers\n"
  "  --precision FMT  with --depth: also rms_error (the rms entry of delta^l times the\n"
  "                   loss scale) and flushed_frac (P(|N(0, rms_error^2)| <= u/2), u the\n"
  "                   format's smallest subnormal: the share rounding makes 0), and in\n"
  "                   a comment flush_depth, the layers below the last hidden one down to\n"
  "                   the first with flushed_frac >= 1/2 (cells.tsv's flush_depth_theory)\n"
  "  --phase          sigma_w2 sigma_b2 q_star chi1 on a grid, one block per sigma_b2\n"
  "                   (defaults 0.1:5:0.1 and 0:2:0.1)\n"
  "  --critical-line  sigma_b2 critical_sigma_w2 (where chi1 = 1), default 0:2:0.1\n"
  "  --arch rnn       t q chi log10_dh_ratio for an Elman RNN over T = --depth steps\n"
  "                   under untied weights, sigma_w2 and --init being W_hh's, the input\n"
  "                   entering every step: q_1 = sigma_b2 + q_in, q_t = sigma_w2\n"
  "                   E[phi(sqrt(q_{t-1}) z)^2] + sigma_b2 + q_in; in comments the decay\n"
  "                   rate (decades per step) and the timescale xi = -1/ln chi(q*) (steps)\n"
  "--init takes satbench's init names: sigma_w2 is the weight variance times fan_in\n"
  "for fan_in = fan_out = --width (default 1000), sigma_b2 is 0, or SB2 for\n"
  "critical[:SB2] and meanfield:SW2[:SB2].  --q0 (default 1) is the inputs' second\n"
  "moment: the first layer has q^1 = sigma_w2 q0 + sigma_b2.  --top-error is the rms\n"
  "entry of delta^depth at the loss's own scale (cells.tsv's prediction takes the\n"
  "measured one); by default that of cross-entropy at initialization, p = 1/C: the\n"
  "output error (p - onehot)/B has rms sqrt(C-1)/(C B), times sqrt(C v_out E[phi'^2])\n"
  "one layer down (v_out the output weights' variance: --init's at --width, else\n"
  "sigma_w2/--width).  --q-in (--arch rnn) is the input's share of q_t, n_in Var(W_xh)\n"
  "E[x^2]; by default sigma_w2 q0, W_xh drawn like W_hh.\n";

typedef struct theory_opts {
  act_fn act;
  init_spec init;
  int rnn;                         /* --arch rnn */
  double sw2, sb2, q0, q_in;
  unsigned long depth, width;
  double w_range[3], b_range[3];   /* LO, HI, STEP */
  /* which options were given */
  int act_set, init_set, sw2_set, sb2_set, q0_set, depth_set, width_set, w_range_set, b_range_set;
  int arch_set, q_in_set;
  int phase, critical_line;
  /* --precision: where the format flushes the error */
  prec_kind prec;
  double loss_scale, top_error;
  unsigned long classes, probe_size;
  int prec_set, ls_set, top_set, classes_set, probe_set;
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

/* The setters of theory's options, each marking its option as given. */
static int th_activation(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  (void)name;
  o->act_set = 1;
  return act_parse(val, &o->act, err) ? sb_prefix(err, "theory: --activation") : SB_OK;
}

static int th_init(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  (void)name;
  o->init_set = 1;
  return init_parse(val, &o->init, err) ? sb_prefix(err, "theory: --init") : SB_OK;
}

static int th_sigma_w2(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->sw2_set = 1;
  int rc = theory_real(name, val, &o->sw2, err);
  if (!rc && !(o->sw2 > 0)) rc = sb_fail(err, SB_EUSAGE, "theory: --sigma-w2: %s must be > 0", val);
  return rc;
}

static int th_sigma_b2(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->sb2_set = 1;
  int rc = theory_real(name, val, &o->sb2, err);
  if (!rc && !(o->sb2 >= 0)) rc = sb_fail(err, SB_EUSAGE, "theory: --sigma-b2: %s must be >= 0", val);
  if (!rc && o->sb2 == 0) o->sb2 = 0.0;   /* -0 */
  return rc;
}

static int th_q0(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->q0_set = 1;
  int rc = theory_real(name, val, &o->q0, err);
  if (!rc && !(o->q0 > 0)) rc = sb_fail(err, SB_EUSAGE, "theory: --q0: %s must be > 0", val);
  return rc;
}

/* The architectures the theory covers: the MLP's layers, and the Elman
 * RNN's steps (theory.h, "recurrent nets"); the gated cells have none. */
static int th_arch(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  (void)name;
  o->arch_set = 1;
  if (!strcmp(val, "mlp") || !strcmp(val, "rnn")) {
    o->rnn = !strcmp(val, "rnn");
    return SB_OK;
  }
  return sb_fail(err, SB_EUSAGE, "theory: --arch: '%s' has no mean-field theory here (valid: mlp, rnn)", val);
}

static int th_q_in(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->q_in_set = 1;
  int rc = theory_real(name, val, &o->q_in, err);
  if (!rc && !(o->q_in >= 0)) rc = sb_fail(err, SB_EUSAGE, "theory: --q-in: %s must be >= 0", val);
  if (!rc && o->q_in == 0) o->q_in = 0.0;   /* -0 */
  return rc;
}

static int th_depth(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->depth_set = 1;
  return theory_count(name, val, 1, 1000000, &o->depth, err);
}

static int th_width(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->width_set = 1;
  return theory_count(name, val, 1, 100000000, &o->width, err);
}

static int th_phase(void *ctx, const char *name, const char *val, sb_error *err)
{
  (void)name; (void)val; (void)err;
  ((theory_opts *)ctx)->phase = 1;
  return SB_OK;
}

static int th_critical_line(void *ctx, const char *name, const char *val, sb_error *err)
{
  (void)name; (void)val; (void)err;
  ((theory_opts *)ctx)->critical_line = 1;
  return SB_OK;
}

static int th_w_range(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->w_range_set = 1;
  return theory_range(name, val, 1e-300, o->w_range, err);
}

static int th_b_range(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->b_range_set = 1;
  return theory_range(name, val, 0.0, o->b_range, err);
}

static int th_precision(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  (void)name;
  o->prec_set = 1;
  return prec_parse(val, &o->prec, err) ? sb_prefix(err, "theory: --precision") : SB_OK;
}

/* A finite real > 0 ("theory: --NAME: ..." otherwise). */
static int theory_positive(const char *name, const char *val, double *out, sb_error *err)
{
  int rc = theory_real(name, val, out, err);
  if (!rc && !(*out > 0 && isfinite(*out)))
    rc = sb_fail(err, SB_EUSAGE, "theory: --%s: %s must be a finite number > 0", name, val);
  return rc;
}

static int th_loss_scale(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->ls_set = 1;
  return theory_positive(name, val, &o->loss_scale, err);
}

static int th_top_error(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->top_set = 1;
  return theory_positive(name, val, &o->top_error, err);
}

static int th_classes(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->classes_set = 1;
  return theory_count(name, val, 2, 1000000, &o->classes, err);
}

static int th_probe_size(void *ctx, const char *name, const char *val, sb_error *err)
{
  theory_opts *o = ctx;
  o->probe_set = 1;
  return theory_count(name, val, 1, 100000000, &o->probe_size, err);
}

static const cli_def theory_options[] = {
  { "arch", 0, CLI_VALUE, th_arch, "ARCH", "mlp (the default) or rnn: an Elman RNN over --depth steps", 0 },
  { "activation", 0, CLI_VALUE, th_activation, "A", "the activation (satbench list activations)", 0 },
  { "init", 0, CLI_VALUE, th_init, "I", "an init: sigma_w2 from its variance at --width", 0 },
  { "sigma-w2", 0, CLI_VALUE, th_sigma_w2, "X", "the weight variance times fan_in", 0 },
  { "sigma-b2", 0, CLI_VALUE, th_sigma_b2, "Y", "the bias variance (default 0)", 0 },
  { "q0", 0, CLI_VALUE, th_q0, "Q", "the inputs' second moment (default 1)", 0 },
  { "q-in", 0, CLI_VALUE, th_q_in, "Q", "--arch rnn: the input's share of q_t, n_in Var(W_xh) E[x^2] (default sigma_w2 q0)", 0 },
  { "depth", 0, CLI_VALUE, th_depth, "N", "the per-layer profile of N hidden layers", 0 },
  { "width", 0, CLI_VALUE, th_width, "N", "fan_in = fan_out for --init (default 1000)", 0 },
  { "phase", 0, CLI_FLAG, th_phase, NULL, "the (sigma_w2, sigma_b2) phase diagram", 0 },
  { "critical-line", 0, CLI_FLAG, th_critical_line, NULL, "the critical sigma_w2 per sigma_b2", 0 },
  { "sigma-w2-range", 0, CLI_VALUE, th_w_range, "LO:HI:STEP", "--phase's sigma_w2 values", 0 },
  { "sigma-b2-range", 0, CLI_VALUE, th_b_range, "LO:HI:STEP", "--phase's and --critical-line's sigma_b2 values", 0 },
  { "precision", 0, CLI_VALUE, th_precision, "FMT", "with --depth: where format FMT flushes the error (satbench list precisions)", 0 },
  { "loss-scale", 0, CLI_VALUE, th_loss_scale, "S", "--precision's loss scale (default 1)", 0 },
  { "top-error", 0, CLI_VALUE, th_top_error, "E", "--precision's rms entry of delta^depth (default: cross-entropy's at init)", 0 },
  { "classes", 0, CLI_VALUE, th_classes, "C", "--precision's classes, for the default --top-error (default 10)", 0 },
  { "probe-size", 0, CLI_VALUE, th_probe_size, "B", "--precision's examples the loss averages, for the default --top-error (default 256)", 0 },
};

static int theory_parse(theory_opts *o, int argc, char **argv, sb_error *err)
{
  memset(o, 0, sizeof *o);
  o->q0 = 1.0;
  o->width = 1000;
  o->w_range[0] = 0.1; o->w_range[1] = 5.0; o->w_range[2] = 0.1;
  o->b_range[0] = 0.0; o->b_range[1] = 2.0; o->b_range[2] = 0.1;
  o->loss_scale = 1.0;
  o->classes = 10;
  o->probe_size = CFG_PROBE_SIZE_DEFAULT;
  cli_parser p = { theory_options, sizeof theory_options / sizeof theory_options[0], "theory",
                   "satbench theory", 1, 0 };
  int rc = cli_parse(&p, argc, argv, o, err);
  if (rc) return rc;
  if (!o->act_set) return sb_fail(err, SB_EUSAGE, "theory: --activation: say which activation (satbench list activations)");
  int sweep = o->phase || o->critical_line;
  if (o->rnn) {
    /* the RNN has its per-step profile only */
    const char *mlp_only = o->phase ? "phase" : o->critical_line ? "critical-line" : o->prec_set ? "precision"
                         : o->ls_set ? "loss-scale" : o->top_set ? "top-error" : o->classes_set ? "classes"
                         : o->probe_set ? "probe-size" : NULL;
    if (mlp_only) return sb_fail(err, SB_EUSAGE, "theory: --%s: not with --arch rnn (the MLP's only)", mlp_only);
    if (!o->depth_set) return sb_fail(err, SB_EUSAGE, "theory: --depth: --arch rnn needs --depth T, the sequence length");
    if (o->q_in_set && o->q0_set)
      return sb_fail(err, SB_EUSAGE, "theory: --q-in and --q0 exclude each other: give one");
  } else if (o->q_in_set) {
    return sb_fail(err, SB_EUSAGE, "theory: --q-in: only with --arch rnn");
  }
  if (o->phase && o->critical_line)
    return sb_fail(err, SB_EUSAGE, "theory: --phase and --critical-line exclude each other");
  if (sweep) {
    const char *bad = o->init_set ? "init" : o->sw2_set ? "sigma-w2" : o->sb2_set ? "sigma-b2"
                    : o->depth_set ? "depth" : o->width_set ? "width" : o->prec_set ? "precision"
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
  const char *prec_only = o->ls_set ? "loss-scale" : o->top_set ? "top-error" : o->classes_set ? "classes"
                         : o->probe_set ? "probe-size" : NULL;
  if (prec_only && !o->prec_set) return sb_fail(err, SB_EUSAGE, "theory: --%s: only with --precision", prec_only);
  if (o->prec_set && !o->depth_set)
    return sb_fail(err, SB_EUSAGE, "theory: --precision: needs --depth N (the per-layer profile it rounds)");
  if (o->top_set && (o->classes_set || o->probe_set))
    return sb_fail(err, SB_EUSAGE, "theory: --%s: not with --top-error, which it would only compute",
                   o->classes_set ? "classes" : "probe-size");
  if (o->width_set && !o->init_set && !o->prec_set)
    return sb_fail(err, SB_EUSAGE, "theory: --width: only with --init (it sets the fans of the init's variance) "
                   "or --precision (the output layer's)");
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

/* satbench theory --arch rnn: the Elman RNN's per-step profile over T
 * steps, with the decay rate and the stationary point in comments. */
static int theory_rnn_print(const theory_work *w, const act_fn *f, double sw2, double sb2, double q_in,
                            size_t T, sb_error *err)
{
  double *q = malloc((2 * T + 1) * sizeof *q), *ratio = q ? q + T : NULL;
  if (!q) return sb_fail(err, SB_EFAIL, "theory: out of memory");
  theory_point p;
  int rc = theory_rnn_profile(w, f, sw2, sb2, q_in, T, q, ratio, err);
  if (!rc) rc = theory_rnn_point(w, f, sw2, sb2, q_in, &p, err);
  if (!rc) {
    printf("# satbench theory --arch rnn: activation = %s, sigma_w2 = ", act_name(f->kind));
    table_double(stdout, sw2);
    printf(", sigma_b2 = ");
    table_double(stdout, sb2);
    printf(", q_in = ");
    table_double(stdout, q_in);
    printf(", T = %zu\n", T);
    printf("# untied weights: q_1 = sigma_b2 + q_in, q_t = sigma_w2 E[phi(sqrt(q_{t-1}) z)^2] + sigma_b2 + q_in\n");
    printf("# log10_dh_ratio = log10(||dL/dh_t|| / ||dL/dh_T||); chi = chi(q_t) = ||dL/dh_{t-1}||^2 / ||dL/dh_t||^2\n");
    printf("# decay_rate = ");
    table_double(stdout, theory_rnn_decay_rate(ratio, T));
    printf(" (decades per step, > 0: the error shrinks into the past; the least-squares slope of "
           "log10_dh_ratio over t = 0..T)\n# q_star = ");
    table_double(stdout, p.q_star);
    printf(", chi1 = ");
    table_double(stdout, p.chi1);
    printf(", xi = ");
    table_double(stdout, p.xi_grad);
    printf(" (steps: -1/ln chi1; once q_t has settled, ||dL/dh_{T-k}||^2 falls by e every xi steps)\n");
    printf("t\tq\tchi\tlog10_dh_ratio\n0\t");
    theory_cols(3, NAN, NAN, ratio[0]);   /* h_0 = 0 has no pre-activation */
    for (size_t t = 1; t <= T; t++) {
      printf("%zu\t", t);
      theory_cols(3, q[t - 1], theory_chi(w, f, sw2, q[t - 1]), ratio[t]);
    }
  }
  free(q);
  return rc;
}

int cmd_theory(int argc, char **argv, sb_error *err)
{
  if (cli_wants_help(argc, argv)) {
    cli_parser p = { theory_options, sizeof theory_options / sizeof theory_options[0], "theory",
                     "satbench theory", 1, 0 };
    fputs(theory_usage, stdout);
    fputs("\nOptions:\n", stdout);
    cli_usage(stdout, &p);
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
    double sw2 = o.sw2, sb2 = o.sb2, q_in = NAN;
    if (o.init_set) {
      if (o.init.kind == INIT_CRITICAL && o.rnn) {
        /* as the grid draws a recurrent critical cell (trainrnn.c): W_xh
         * meanfield:1:SB2, so q_in = q0, and W_hh at the recurrent edge of
         * chaos, chi_1 = 1 at sigma_b2 + q_in with no first layer (q0 0) */
        q_in = o.q_in_set ? o.q_in : o.q0;
        rc = theory_critical(w, &o.act, o.init.param + q_in, 0.0, &o.init.sigma_w2, err);
        if (rc) sb_prefix(err, "theory: --init");
      } else if (o.init.kind == INIT_CRITICAL) {
        rc = theory_critical(w, &o.act, o.init.param, o.q0, &o.init.sigma_w2, err);
        if (rc) sb_prefix(err, "theory: --init");
      }
      size_t n = o.width;
      sw2 = init_weight_var(&o.init, n, n) * (double)n;
      if (!o.sb2_set) sb2 = init_bias_var(&o.init);
    }
    if (!rc && o.rnn) {
      rc = theory_rnn_print(w, &o.act, sw2, sb2, !isnan(q_in) ? q_in : o.q_in_set ? o.q_in : sw2 * o.q0, o.depth, err);
    } else if (!rc && o.depth_set) {
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
        if (!o.prec_set) {
          printf("layer\tq\tchi\tlog10_delta_ratio\n");
          for (size_t l = 1; l <= depth; l++) {
            printf("%zu\t", l);
            theory_cols(3, q[l - 1], chi[l - 1], ratio[l - 1]);
          }
        } else {
          /* the top hidden layer's rms error: given, or cross-entropy's at
           * init through the output layer (theory_xent_top_rms) */
          double top = o.top_error;
          if (!o.top_set) {
            size_t wd = o.width, nc = o.classes;
            double v_out = o.init_set ? init_weight_var(&o.init, wd, nc) : sw2 / (double)wd;
            top = theory_xent_top_rms(nc, o.probe_size, v_out, chi[depth - 1] / sw2);
          }
          double u = prec_min_subnormal(o.prec);
          printf("# precision = %s, loss_scale = ", prec_name(o.prec));
          table_double(stdout, o.loss_scale);
          printf(", smallest subnormal u = ");
          table_double(stdout, u);
          printf("\n# top_error = ");
          table_double(stdout, top);
          if (o.top_set) printf(" (--top-error: the rms entry of delta^depth)\n");
          else printf(" (cross-entropy at init: %lu classes, %lu examples, width %lu)\n", o.classes, o.probe_size,
                      o.width);
          printf("# flush_depth = ");
          table_double(stdout, train_flush_depth_theory(ratio, depth, top, o.loss_scale, o.prec));
          printf(" (layers below the last hidden one to the first with flushed_frac >= 1/2; NaN: none)\n");
          printf("# rms_error = top_error x loss_scale x 10^log10_delta_ratio; flushed_frac = P(|N(0, rms_error^2)| <= u/2)\n");
          printf("layer\tq\tchi\tlog10_delta_ratio\trms_error\tflushed_frac\n");
          for (size_t l = 1; l <= depth; l++) {
            double s_l = top * o.loss_scale * pow(10.0, ratio[l - 1]);
            printf("%zu\t", l);
            theory_cols(5, q[l - 1], chi[l - 1], ratio[l - 1], s_l, theory_flush_frac(s_l, u));
          }
        }
      }
      free(q);
    } else if (!rc) {
      theory_point p;
      double c;
      rc = theory_point_at(w, &o.act, sw2, sb2, o.q0, &p, err);
      if (!rc) rc = theory_point_corr(w, &o.act, &p, err);
      if (!rc && theory_critical(w, &o.act, sb2, o.q0, &c, NULL) == SB_EFAIL)
        rc = sb_fail(err, SB_EFAIL, "theory: out of memory");
      if (!rc) {
        printf("activation\tsigma_w2\tsigma_b2\tq_star\tchi1\txi_q\txi_grad\tcritical_sigma_w2\tc_star\tchi_c\txi_c\n%s\t", an);
        theory_cols(10, sw2, sb2, p.q_star, p.chi1, p.xi_q, p.xi_grad, c, p.c_star, p.chi_c, p.xi_c);
      }
    }
  }
  theory_free(w);
  return rc;
}

/* Train cell `cell` of cfg exactly as a grid's worker does: its dataset,
 * its parameters, one BLAS thread (a threaded GEMM may round differently:
 * OpenBLAS does for the output layer's shapes), so that `run` prints the
 * numbers the grid writes for the same cell.  *r is initialised here and
 * the caller frees it (also on failure). */
static int train_one(const sb_config *cfg, size_t cell, table_cell *c, train_result *r, sb_error *err)
{
  memset(r, 0, sizeof *r);
  int rc = grid_check_memory(cfg, 1, err);
  if (rc) return rc;
  grid_pos pos;
  grid_cell_pos(cfg, cell, &pos);
  dataset *d = grid_dataset_len(cfg, cfg->depths[pos.at[AXIS_DEPTH]], err);
  if (!d) return err->code ? err->code : SB_EFAIL;
  train_params p;
  grid_cell_params(cfg, &pos, &p);
  if (train_result_init(r, &p)) {
    data_free(d);
    return sb_fail(err, SB_EFAIL, "out of memory for the probe records");
  }
  blas_set_threads(1);
  blas_gemm_set((blas_gemm_mode)cfg->gemm);   /* cfg_parse refused what the build cannot */
  rc = train_cell(&p, d, r, err);
  grid_cell_id(cfg, &pos, c);
  data_free(d);
  return rc;
}

/* satbench run --from DIR --cell N [--table NAME]: cell N of the grid in
 * DIR, trained again from its configuration, printed as that table's
 * rows; compared with DIR's own table when it has one. */
typedef struct from_opts {
  const char *dir, *table;
  size_t cell;
  int have_cell;
} from_opts;

static int from_set(void *ctx, const char *name, const char *val, sb_error *err)
{
  from_opts *o = ctx;
  if (!strcmp(name, "from")) {
    if (!*val) return sb_fail(err, SB_EUSAGE, "run: --from: empty folder name");
    o->dir = val;
  } else if (!strcmp(name, "cell")) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(val, &end, 10);
    if (*val < '0' || *val > '9' || *end || errno) return sb_fail(err, SB_EUSAGE, "run: --cell: '%s' is not a cell number", val);
    o->cell = (size_t)v;
    o->have_cell = 1;
  } else {
    o->table = val;
  }
  return SB_OK;
}

static const cli_def run_from_options[] = {
  { "from", 0, CLI_VALUE, from_set, "DIR", "a grid's folder (its records/config.txt): rerun one of its cells", 0 },
  { "cell", 0, CLI_VALUE, from_set, "N", "the cell to rerun (the cell column of its tables)", 0 },
  { "table", 0, CLI_VALUE, from_set, "NAME", "the rows to print: a per-cell table's name without .tsv (layers, the default; a wrong name lists them)", 0 },
};

static void from_usage(FILE *f)
{
  cli_parser p = { run_from_options, sizeof run_from_options / sizeof run_from_options[0], "run", "satbench run", 0, 0 };
  fputs("\nusage: satbench run --from DIR --cell N [--table NAME]\n"
        "Train cell N of the grid in DIR again, from its configuration alone, and print\n"
        "that cell's rows of one table: byte for byte the rows of cell N in DIR's table on\n"
        "the same machine, which is checked when DIR has the table (exit 1 when they\n"
        "differ; other BLAS kernels change last digits: info satbench, \"Running on a cluster\").\n\n", f);
  cli_usage(f, &p);
}

/* The rows of cell `cell` in a table file, in order, into a memstream. */
static int table_rows_of(const char *path, size_t cell, char **text, size_t *len, size_t *n)
{
  FILE *f = tsv_fopen(path), *m = open_memstream(text, len);
  if (!f || !m) { if (f) fclose(f); if (m) fclose(m); return -1; }
  char key[32];
  int kl = snprintf(key, sizeof key, "%zu\t", cell), header = 1;
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  *n = 0;
  while ((got = getline(&line, &cap, f)) > 0) {
    if (line[0] == '#') continue;
    if (header) { header = 0; continue; }
    if (!strncmp(line, key, (size_t)kl)) { fwrite(line, 1, (size_t)got, m); (*n)++; }
  }
  free(line);
  fclose(f);
  return fclose(m);
}

static int cmd_run_from(int argc, char **argv, sb_error *err)
{
  cli_parser p = { run_from_options, sizeof run_from_options / sizeof run_from_options[0], "run", "satbench run", 0, 0 };
  from_opts o = { NULL, "layers", 0, 0 };
  int rc = cli_parse(&p, argc, argv, &o, err);
  if (rc) return rc;
  if (!o.dir || !o.have_cell)
    return sb_fail(err, SB_EUSAGE, "run: --from DIR needs --cell N (and no other option: the grid's configuration is used)");
  row_kind kind = ROW_COUNT;
  char tname[64];
  snprintf(tname, sizeof tname, "%s.tsv", o.table);
  for (int k = 0; k < ROW_COUNT; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    if (ri->tag && ri->file && !strcmp(ri->file, tname)) kind = (row_kind)k;
  }
  if (kind == ROW_COUNT) {   /* the tables of one cell's rows, from row_table */
    char valid[256] = "";
    size_t len = 0;
    for (int k = 0; k < ROW_COUNT; k++) {
      const row_info *ri = table_row_info((row_kind)k);
      if (ri->tag && ri->file && len < sizeof valid)
        len += (size_t)snprintf(valid + len, sizeof valid - len, "%s%.*s", len ? ", " : "",
                                (int)(strlen(ri->file) - 4), ri->file);
    }
    return sb_fail(err, SB_EUSAGE, "run: --table: '%s' is not a table of one cell's rows (valid: %s)", o.table, valid);
  }
  char conf[CFG_PATH_MAX + 32];
  if (snprintf(conf, sizeof conf, "%s/records/config.txt", o.dir) >= (int)sizeof conf)
    return sb_fail(err, SB_EUSAGE, "run: --from: path too long");
  if (access(conf, R_OK) != 0)
    return sb_fail(err, SB_EUSAGE, "run: --from: %s holds no grid (no %s)", o.dir, conf);
  sb_config *cfg = malloc(sizeof *cfg);
  if (!cfg) return sb_fail(err, SB_EFAIL, "out of memory");
  char *cargv[] = { "--config", conf, "--out", (char *)o.dir, "--quiet" };
  rc = cfg_parse(cfg, CMD_GRID, 5, cargv, NULL, err);
  if (rc) { free(cfg); return rc < 0 ? SB_EUSAGE : sb_prefix(err, "run: --from %s", o.dir); }
  size_t n_cells = cfg_n_cells(cfg);
  if (o.cell >= n_cells) {
    free(cfg);
    return sb_fail(err, SB_EUSAGE, "run: --cell: %zu is not a cell of the grid in %s (cells 0 to %zu)", o.cell, o.dir,
                   n_cells - 1);
  }
  table_cell c;
  train_result r;
  rc = train_one(cfg, o.cell, &c, &r, err);
  char *mine = NULL;
  size_t mlen = 0;
  if (!rc) {
    FILE *m = open_memstream(&mine, &mlen);
    if (!m) rc = sb_fail(err, SB_EFAIL, "out of memory");
    else {
      table_cell_rows(m, "", kind, &c, &r);
      if (fclose(m) != 0) rc = sb_fail(err, SB_EFAIL, "out of memory");
    }
  }
  if (!rc) {
    table_comments(stdout, cfg);
    printf("# cell = %zu\n", o.cell);
    table_header(stdout, kind, c.features);
    fwrite(mine, 1, mlen, stdout);
    if (fflush(stdout) || ferror(stdout)) rc = sb_fail(err, SB_EFAIL, "writing the rows to stdout: %s", strerror(errno));
  }
  if (!rc) {
    char path[CFG_PATH_MAX + 64], *theirs = NULL;
    size_t tlen = 0, n_theirs = 0, n_mine = 0;
    for (size_t i = 0; i < mlen; i++) n_mine += mine[i] == '\n';
    char plain[CFG_PATH_MAX + 64];
    snprintf(plain, sizeof plain, "%s/%s", o.dir, tname);
    if (!tsv_resolve(plain, path, sizeof path))
      fprintf(stderr, "satbench run: cell %zu: %zu row%s; %s has no %s to compare with\n", o.cell, n_mine,
              n_mine == 1 ? "" : "s", o.dir, tname);
    else if (table_rows_of(plain, o.cell, &theirs, &tlen, &n_theirs) != 0)
      rc = errno == FILEIO_ENOTREG || errno == ELOOP ? sb_fail(err, SB_EUSAGE, "%s: %s", path, fileio_strerror(errno))
                                                     : sb_fail(err, SB_EFAIL, "cannot read %s: %s", path, strerror(errno));
    else if (tlen == mlen && !memcmp(theirs, mine, mlen))
      fprintf(stderr, "satbench run: cell %zu: %zu row%s, byte-identical to %s in %s\n", o.cell, n_mine,
              n_mine == 1 ? "" : "s", n_mine == 1 ? "its row" : "its rows", path);
    else {
      size_t i = 0, row = 1;
      while (i < tlen && i < mlen && theirs[i] == mine[i]) row += mine[i++] == '\n';
      rc = sb_fail(err, SB_EFAIL, "cell %zu: its %zu rows differ from its %zu in %s, first at row %zu (another "
                   "machine's BLAS kernels change last digits: info satbench, \"Running on a cluster\")", o.cell, n_mine, n_theirs,
                   path, row);
    }
    free(theirs);
  }
  free(mine);
  train_result_free(&r);
  free(cfg);
  return rc;
}

int cmd_run(int argc, char **argv, sb_error *err)
{
  if (cli_wants_help(argc, argv)) {
    cfg_usage(stdout, CMD_RUN);
    from_usage(stdout);
    return SB_OK;
  }
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--from") || !strncmp(argv[i], "--from=", 7)) return cmd_run_from(argc, argv, err);
  sb_config *cfg = malloc(sizeof *cfg);
  if (!cfg) return sb_fail(err, SB_EFAIL, "out of memory");
  int rc = cfg_parse(cfg, CMD_RUN, argc, argv, stdout, err);
  if (rc) { free(cfg); return rc < 0 ? SB_OK : rc; }

  table_cell c;
  train_result r;
  rc = train_one(cfg, 0, &c, &r, err);
  if (!rc) {
    table_comments(stdout, cfg);
    table_header(stdout, ROW_LAYERS, c.features);
    table_layers_rows(stdout, "", &c, &r);
    printf("# status = %s\n# steps_done = %ld\n# final_loss = ", table_status_name(r.status), r.steps_done);
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
  free(cfg);
  return rc;
}


/* ---- satbench list --complete: what the bash completion offers ----------------------- */

static void merge_complete(FILE *f, const char *option)
{
  cli_parser p = { merge_options, sizeof merge_options / sizeof merge_options[0], "merge", "satbench merge", 0, 0 };
  if (!option) cli_complete(f, &p);
}

static void data_complete_cmd(FILE *f, const char *option)
{
  cli_parser p = { data_options, sizeof data_options / sizeof data_options[0], "data", "satbench data", 0, 0 };
  if (option) return;
  fputs("shapeset\n", f);   /* the first word, before the options */
  cli_complete(f, &p);
}

static void theory_complete(FILE *f, const char *option)
{
  cli_parser p = { theory_options, sizeof theory_options / sizeof theory_options[0], "theory", "satbench theory", 1, 0 };
  if (!option) { cli_complete(f, &p); return; }
  const cli_def *o = cli_find_word(&p, option);
  if (o && o->set == th_activation) cfg_complete(f, CMD_GRID, "--activations");
  else if (o && o->set == th_init) init_complete(f, "");
  else if (o && o->set == th_precision) cfg_complete(f, CMD_GRID, "--precisions");
  else if (o && o->set == th_arch) fputs("mlp\nrnn\n", f);
}

static void run_complete(FILE *f, const char *option)
{
  cli_parser p = { run_from_options, sizeof run_from_options / sizeof run_from_options[0], "run", "satbench run", 0, 0 };
  if (!option) {
    cfg_complete(f, CMD_RUN, NULL);
    cli_complete(f, &p);
    return;
  }
  const cli_def *o = cli_find_word(&p, option);
  if (!o) { cfg_complete(f, CMD_RUN, option); return; }
  if (strcmp(o->name, "table")) return;
  /* the tables of one cell's rows, as --table names them */
  for (int k = 0; k < ROW_COUNT; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    const char *dot = ri->tag && ri->file ? strchr(ri->file, '.') : NULL;
    if (dot) fprintf(f, "%.*s\n", (int)(dot - ri->file), ri->file);
  }
}

static void grid_complete(FILE *f, const char *option) { cfg_complete(f, CMD_GRID, option); }

static void list_complete(FILE *f, const char *option)
{
  if (option) return;
  for (size_t k = 0; k < N_LISTS; k++) fprintf(f, "%s\n", lists[k].name);
  fputs("--complete\t\n--help\t\n-h\t\n", f);
}

/* Every command, in the order of satbench --help, with its completion. */
static const struct { const char *name; void (*complete)(FILE *f, const char *option); } commands[] = {
  { "grid", grid_complete }, { "run", run_complete }, { "merge", merge_complete },
  { "plot", plot_complete }, { "report", report_complete }, { "compare", compare_complete },
  { "data", data_complete_cmd }, { "theory", theory_complete }, { "list", list_complete },
};

/* satbench list --complete [COMMAND [OPTION]]: one candidate a line. */
static int cmd_complete(int argc, char **argv, sb_error *err)
{
  size_t n = sizeof commands / sizeof commands[0];
  if (argc == 0) {
    for (size_t k = 0; k < n; k++) printf("%s\n", commands[k].name);
    fputs("--help\t\n-h\t\n--version\t\n-V\t\n", stdout);
    return SB_OK;
  }
  if (argc > 2) return sb_fail(err, SB_EUSAGE, "list: --complete [COMMAND [OPTION]]: too many arguments");
  for (size_t k = 0; k < n; k++)
    if (!strcmp(argv[0], commands[k].name)) {
      commands[k].complete(stdout, argc == 2 ? argv[1] : NULL);
      return SB_OK;
    }
  return SB_OK;   /* an unknown command completes to nothing */
}
