/* main.c - satbench's entry point: dispatches subcommands, prints errors,
 * and chooses exit statuses.  Nothing else lives here. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "act.h"
#include "blas.h"
#include "cfg.h"
#include "data.h"
#include "err.h"
#include "grid.h"
#include "init.h"
#include "table.h"
#include "train.h"

static void usage(FILE *f)
{
  fputs("usage: satbench COMMAND [options]\n"
        "Measure the saturating-gradient problem in deep fully connected networks.\n\n"
        "Commands:\n"
        "  grid    [options]   run a grid in parallel, write results to --out\n"
        "  run     [options]   train one cell, print its per-layer table to stdout\n"
        "  list    activations | inits | datasets | presets\n"
        "  --help | --version\n\n"
        "'satbench run --help' lists the options.\n", f);
}

static void version(void)
{
  printf("satbench %s\n", PACKAGE_VERSION);
  printf("BLAS: %s\n", blas_name());
#ifdef _OPENMP
  printf("OpenMP: %d\n", _OPENMP);
#else
  printf("OpenMP: disabled\n");
#endif
}

static int list(int argc, char **argv, sb_error *err)
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
    };
    for (size_t k = 0; k < sizeof about / sizeof about[0]; k++) puts(about[k]);
  } else if (!strcmp(what, "datasets")) {
    puts("gaussian\tx ~ N(0, I); label = argmax of a fixed random linear teacher");
    puts("mixture\tone Gaussian cluster per class, unit noise");
    puts("spirals\tinterleaved 2-D spiral arms, one per class (--input-dim 2)");
  } else if (!strcmp(what, "presets")) {
    cfg_list_presets(stdout);
  } else {
    return sb_fail(err, SB_EUSAGE, "list: unknown list '%s' (activations, inits, datasets, presets)", what);
  }
  return SB_OK;
}

static int cmd_grid(int argc, char **argv, sb_error *err)
{
  sb_config *cfg = malloc(sizeof *cfg);
  if (!cfg) return sb_fail(err, SB_EFAIL, "out of memory");
  int rc = cfg_parse(cfg, CMD_GRID, argc, argv, stdout, err);
  if (rc == 0) rc = grid_run(cfg, err);
  free(cfg);
  return rc < 0 ? SB_OK : rc;
}

static int cmd_run(int argc, char **argv, sb_error *err)
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
  rc = train_cell(&p, d, &r, err);
  if (!rc) {
    char init_text[64];
    init_format(&p.init, init_text, sizeof init_text);
    table_cell c = { 0, act_name(p.act.kind), init_text, p.depth, p.width, p.seed_index };
    table_comments(stdout, cfg);
    table_layers_header(stdout);
    table_layers_rows(stdout, &c, &r);
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

int main(int argc, char **argv)
{
  sb_error err;
  sb_error_clear(&err);
  int rc;
  if (argc < 2) {
    usage(stderr);
    return SB_EUSAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    rc = SB_OK;
  } else if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    version();
    rc = SB_OK;
  } else if (!strcmp(cmd, "grid")) {
    rc = cmd_grid(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "run")) {
    rc = cmd_run(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "list")) {
    rc = list(argc - 2, argv + 2, &err);
  } else {
    rc = sb_fail(&err, SB_EUSAGE, "'%s': unknown command (try satbench --help)", cmd);
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (!rc) rc = sb_fail(&err, SB_EFAIL, "writing to stdout: %s", strerror(errno));
  }
  if (rc) {
    fprintf(stderr, "satbench: %s\n", err.msg[0] ? err.msg : "failed");
    if (rc == SB_EUSAGE && !err.msg[0]) fprintf(stderr, "try satbench --help\n");
    return rc;
  }
  return SB_OK;
}
