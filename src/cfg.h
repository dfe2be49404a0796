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
#include "prec.h"
#include "rnn.h"
#include "train.h"
#include "err.h"

#define CFG_MAX_AXIS 1024   /* values per axis */
#define CFG_MAX_THREADS 4096   /* --threads, and OMP_NUM_THREADS for a grid */
/* Cells of a grid (seeds times every axis's values): at 2^32 their
 * bookkeeping alone (grid.c's schedule, the merge's digest: 100 bytes and
 * more each) is 400 GiB, and a cell count times any per-cell size stays
 * far from overflowing a 64-bit size_t.  grid_check_memory then holds the
 * bookkeeping to the memory there is. */
#define CFG_MAX_CELLS 4294967296.0
#define CFG_PATH_MAX 4096
/* --out's longest path: the files satbench makes under it (a record's
 * temporary name holds the host name, the pid and a tag) need the rest
 * of the system's 4096. */
#define CFG_OUT_MAX 3840

typedef enum { CMD_RUN, CMD_GRID } cfg_command;

/* Defaults of the probe and evaluation sets: "a fixed training subset of a
 * few hundred examples" (the manual, "Probes"), capped at the split's size. */
#define CFG_PROBE_SIZE_DEFAULT 256
#define CFG_EVAL_SIZE_DEFAULT 512

/* The axes of a grid, in the order of the cell index (the seed is the
 * last and fastest): each is a column of every table.  Adding an axis is
 * a row of cfg.c's axis table and its values' field here. */
typedef enum {
  AXIS_ACT, AXIS_INIT, AXIS_DEPTH, AXIS_WIDTH, AXIS_NORM, AXIS_RESIDUAL, AXIS_LR, AXIS_OPT, AXIS_LOSS,
  AXIS_PREC, AXIS_LSCALE, AXIS_ARCH, AXIS_CLIP, AXIS_FBIAS,
  AXIS_COUNT
} cfg_axis;

typedef struct sb_config {
  cfg_command cmd;
  char preset[64];
  /* axes */
  size_t n_acts, n_inits, n_depths, n_widths;
  act_fn acts[CFG_MAX_AXIS];
  init_spec inits[CFG_MAX_AXIS];
  size_t depths[CFG_MAX_AXIS];
  size_t widths[CFG_MAX_AXIS];
  /* the remedies: normalization and skip connections (net.h) */
  size_t n_norms, n_residuals;
  norm_kind norms[NORM_COUNT];
  size_t residuals[CFG_MAX_AXIS];  /* skip stride k; 0 = none */
  double res_scale;                /* s of a^l = a^{l-k} + s phi(h^l) */
  int res_scale_depth;             /* --residual-scale 1/sqrt(depth): s per cell */
  size_t seeds;                /* grid: seed indices 0..seeds-1 */
  unsigned long seed_index;    /* run: the one seed index */
  unsigned long master_seed;
  /* data */
  data_spec data;
  /* training: axes too */
  size_t n_lrs, n_opts, n_losses;
  double lrs[CFG_MAX_AXIS];
  opt_kind opts[OPT_COUNT];
  loss_kind losses[LOSS_COUNT];
  /* arithmetic: the emulated precision and the loss scale (prec.h) */
  size_t n_precs, n_lscales;
  prec_kind precs[PREC_COUNT];
  double lscales[CFG_MAX_AXIS];  /* a fixed scale, or 0: dynamic */
  long lscale_window;          /* --loss-scale-window: a dynamic scale doubles after this many finite steps */
  /* architecture: mlp or a recurrent cell (rnn.h), whose depth is the
   * sequence length T and width the hidden size */
  size_t n_archs;
  rnn_arch archs[ARCH_COUNT];
  size_t n_clips, n_fbiases;
  double clips[CFG_MAX_AXIS];    /* --clips: recurrent cells' gradient clipped to this global norm; 0: none */
  double fbiases[CFG_MAX_AXIS];  /* --forget-biases: added to the LSTM's forget-gate biases */
  long epochs, steps;          /* exactly one is >= 0; see cfg_total_steps */
  size_t batch;
  /* probing */
  long log_every;
  int log_schedule;            /* TRAIN_LOG_LINEAR or TRAIN_LOG_LOG */
  size_t probe_size;           /* examples of the probe set (capped at the split when not given) */
  int probe_size_given;        /* set by the user, not a default or a preset: must fit */
  int probe_split;             /* DATA_SPLIT_TRAIN or DATA_SPLIT_TEST */
  size_t eval_size;            /* examples of each split's evaluation subset (curves.tsv) */
  double tau;
  size_t jacobian;             /* --jacobian N: spectra for N probe inputs; 0 off */
  int jacobian_init_only;      /* --jacobian-at init */
  int gemm;                    /* --gemm: blas_gemm_mode, BLAS_GEMM_AUTO by default */
  int hist_mode;               /* --histograms: TRAIN_HIST_ENDS (default), _NONE, _ALL */
  /* running */
  int threads;                 /* 0 = OMP_NUM_THREADS, else all cores */
  char out[CFG_PATH_MAX];
  int resume, quiet;
  int compress;                /* --compress: the tables as NAME.tsv.gz (not part of the grid) */
  int keep_records;            /* --keep-records: keep records/cell-*.rec after a complete merge */
  size_t shard_k, shard_n;     /* --shard K/N: this process runs shard K of N; shard_n 0: the whole grid */
} sb_config;

/* Parse argv (after the subcommand name) into cfg.  Returns SB_OK, SB_EUSAGE
 * with a message, or -1 when help was requested and printed to `help`. */
int cfg_parse(sb_config *cfg, cfg_command cmd, int argc, char **argv, FILE *help, sb_error *err);
/* The configuration of a grid folder (its records/config.txt: conf) for
 * merging its records into out: as cfg_parse of --config conf --out out
 * --quiet, but a file dataset is not read: the records were trained on it,
 * and config.txt names its digest, dimension and classes. */
int cfg_parse_folder(sb_config *cfg, const char *conf, const char *out, sb_error *err);

/* The column name of an axis ("activation", "init", "depth", ...), its
 * number of values in cfg, and the text of value i (as the tables write
 * it, the canonical spelling of its option). */
const char *cfg_axis_name(cfg_axis k);
size_t cfg_axis_len(const sb_config *cfg, cfg_axis k);
void cfg_axis_text(const sb_config *cfg, cfg_axis k, size_t i, char *buf, size_t size);
/* An axis whose column the tables have only when some cell leaves its
 * default (precision fp64, loss_scale 1: the arithmetic of every grid
 * before them, whose tables keep their bytes): its default's text, NULL
 * for an axis that is always a column.  A reader of a table without the
 * column takes every row at the default. */
const char *cfg_axis_default(cfg_axis k);
/* The optional axes come in groups, each with its tables' feature bit
 * (table.h's TABLE_PREC, TABLE_RNN have these values): the group of axis
 * k, 0 for an axis that is always a column. */
enum { CFG_GROUP_PREC = 1u << 2, CFG_GROUP_RNN = 1u << 3 };
unsigned cfg_axis_group(cfg_axis k);
/* Whether some cell of cfg leaves an optional axis's default in the
 * arithmetic's group (precision, loss_scale): the tables then have their
 * columns (table.h's TABLE_PREC). */
int cfg_emulates(const sb_config *cfg);
/* Whether some cell is recurrent (--archs other than mlp): the arch column
 * and the recurrent tables (TABLE_RNN). */
int cfg_recurrent(const sb_config *cfg);
/* Cells of the grid: the product of the axes' lengths and seeds. */
size_t cfg_n_cells(const sb_config *cfg);

/* Optimizer steps a cell takes, from --steps or --epochs. */
long cfg_total_steps(const sb_config *cfg);

/* Write the resolved configuration as `prefix key = value` lines, one per
 * key that affects results, in a fixed order (table headers, resume check). */
int cfg_write(const sb_config *cfg, FILE *f, const char *prefix);

/* The preset table for `satbench list presets`. */
void cfg_list_presets(FILE *f);
/* satbench list --complete grid|run [OPTION]: without OPTION the options
 * of the command (cli_complete); with one, its values one a line, when it
 * takes a word of a list (activations, presets, norms, ...). */
void cfg_complete(FILE *f, cfg_command cmd, const char *option);
/* The keys of plot's --select, "KEY=" (each axis's column, and seed=), each
 * followed by "KEY=VALUE" for the values its option lists. */
void cfg_complete_select(FILE *f);
/* Usage text of run/grid options. */
void cfg_usage(FILE *f, cfg_command cmd);

/* Whether a config key (as config.txt writes it) is a list option:
 * activations, inits, depths, ... (their manifest values are arrays). */
int cfg_key_is_list(const char *key);

/* The type of a configuration key's value, as the manifest writes it: an
 * option's argument says it (N, K and MASTER whole numbers, X and TAU
 * reals, a flag a boolean, anything else text), a LIST's items are of
 * their axis's type (depths, widths and residual whole numbers, lrs reals,
 * the others names); *list is set for a LIST.  CFG_STRING for an unknown
 * key. */
typedef enum { CFG_STRING, CFG_INTEGER, CFG_REAL, CFG_BOOL } cfg_type;
cfg_type cfg_key_type(const char *key, int *list);

#endif
