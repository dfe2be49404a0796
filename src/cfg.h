/* cfg.h - the resolved configuration of a run or a grid, and how it is
 * built: preset, then `key = value` config file (-c), then command line,
 * each overriding the one before.  Every value is checked before any work
 * starts; errors name the option (or file and line) at fault. */
#ifndef SB_CFG_H
#define SB_CFG_H

#include <stddef.h>
#include <stdio.h>
#include "act.h"
#include "data.h"
#include "init.h"
#include "net.h"
#include "err.h"

#define CFG_MAX_AXIS 1024   /* values per axis */
#define CFG_PATH_MAX 4096

typedef enum { CMD_RUN, CMD_GRID } cfg_command;

typedef struct sb_config {
  cfg_command cmd;
  char preset[64];
  /* axes */
  size_t n_acts, n_inits, n_depths, n_widths;
  act_fn acts[CFG_MAX_AXIS];
  init_spec inits[CFG_MAX_AXIS];
  size_t depths[CFG_MAX_AXIS];
  size_t widths[CFG_MAX_AXIS];
  size_t seeds;                /* grid: seed indices 0..seeds-1 */
  unsigned long seed_index;    /* run: the one seed index */
  unsigned long master_seed;
  /* data */
  data_spec data;
  /* training */
  long epochs, steps;          /* exactly one is >= 0; see cfg_total_steps */
  size_t batch;
  double lr;
  opt_kind opt;
  loss_kind loss;
  long log_every;
  double tau;
  /* running */
  int threads;                 /* 0 = OMP_NUM_THREADS, else all cores */
  char out[CFG_PATH_MAX];
  int resume, quiet;
} sb_config;

/* Parse argv (after the subcommand name) into cfg.  Returns SB_OK, SB_EUSAGE
 * with a message, or -1 when help was requested and printed to `help`. */
int cfg_parse(sb_config *cfg, cfg_command cmd, int argc, char **argv, FILE *help, sb_error *err);

/* Optimizer steps a cell takes, from --steps or --epochs. */
long cfg_total_steps(const sb_config *cfg);

/* Write the resolved configuration as `prefix key = value` lines, one per
 * key that affects results, in a fixed order (table headers, resume check). */
int cfg_write(const sb_config *cfg, FILE *f, const char *prefix);

/* The preset table for `satbench list presets`. */
void cfg_list_presets(FILE *f);
/* Usage text of run/grid options. */
void cfg_usage(FILE *f, cfg_command cmd);

#endif
