/* data.h - datasets: generated (gaussian, mixture, spirals, shapeset; the
 * sequence tasks adding, temporal_order and copy) or read from files (idx,
 * csv; see dataio.h), then scaled.  A dataset is made once per grid,
 * generated ones from the master seed, and shared read-only by every cell.
 *
 * Sequence tasks (data_kind_is_sequence) depend on a minimum length T
 * (data_alloc_len): example i has a length T_i drawn uniformly from
 * [T, T + T/10] (Hochreiter & Schmidhuber 1997) and is stored right-aligned
 * in seq_len = T + T/10 steps of seq_in features: its real steps are
 * start[i] .. seq_len - 1, the steps before start[i] are padding, all
 * zero.  Right alignment makes "k steps before the end" the same step for
 * every example.  Their input_dim (data_spec) is the features per step;
 * dataset.dim is seq_len * seq_in, one row per example as for any kind. */
#ifndef SB_DATA_H
#define SB_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "err.h"

#define DATA_PATH_MAX 4096

typedef enum {
  DATA_GAUSSIAN,  /* x ~ N(0, I_d); y = argmax of a fixed random linear teacher */
  DATA_MIXTURE,   /* one Gaussian cluster per class                         */
  DATA_SPIRALS,   /* `classes` interleaved 2-D spiral arms (input_dim 2)    */
  DATA_SHAPESET,  /* Glorot & Bengio's Shapeset-3x2: 32x32 images, 9 classes */
  DATA_ADDING,    /* H&S 1997 exp. 4: 0.5 + (sum of two marked values)/4, regression */
  DATA_TEMPORAL_ORDER, /* H&S 1997 exp. 6a: order of X/Y at two steps, 4 classes */
  DATA_COPY,      /* the symbol of the first step, asked for at the last: 8 classes */
  DATA_IDX,       /* MNIST-style IDX files: idx:PREFIX or idx:IMAGES,LABELS */
  DATA_CSV,       /* a CSV table: label column, then features: csv:FILE    */
  DATA_COUNT
} data_kind;

/* How features are scaled after loading or generating (--input-scale).
 * Statistics come from the training split only and are applied to both. */
typedef enum {
  DATA_SCALE_DEFAULT,   /* the kind's own: unit for idx and shapeset, standard
                           for csv, none for the others */
  DATA_SCALE_NONE,      /* as read or generated */
  DATA_SCALE_UNIT,      /* into [0, 1]: the format's range when it has one
                           (IDX bytes: x / 255), else each feature's
                           training min..max */
  DATA_SCALE_STANDARD,  /* per feature (x - mean) / sd over the training split */
  DATA_SCALE_COUNT
} data_scale;

/* data_spec.given: values the user set (not a preset), which a dataset
 * that determines them (from its kind or its file) must agree with rather
 * than overwrite. */
enum { DATA_GIVEN_DIM = 1, DATA_GIVEN_CLASSES = 2 };

typedef struct data_spec {
  data_kind kind;
  size_t input_dim;   /* features per example (sequence tasks: per step) */
  size_t classes;     /* number of labels, >= 2; a regression kind (adding)
                         has 1: its output count, every label 0 (see n_out) */
  size_t train_size;  /* file datasets: the first train_size examples ... */
  size_t test_size;   /* ... then the next test_size */
  data_scale scale;
  unsigned given;     /* DATA_GIVEN_* bits */
  char path[DATA_PATH_MAX];  /* idx and csv: the text after "idx:" / "csv:" */
  uint64_t digest;    /* file datasets: FNV-1a of the file(s), by data_resolve */
} data_spec;

/* The splits, as --probe-split names them. */
enum { DATA_SPLIT_TRAIN, DATA_SPLIT_TEST };

/* A fixed subset of a split, copied out so that it is one contiguous
 * block for the GEMMs. */
typedef struct data_subset {
  size_t n;
  double *X;        /* (n, dim) */
  int *y;           /* (n) */
  size_t *start;    /* (n) first real step, or NULL (as dataset.start_train) */
  double *t;        /* (n, n_out) real targets, or NULL (as dataset.t_train) */
} data_subset;

typedef struct dataset {
  size_t n_train, n_test, dim, classes;
  double *X_train;  /* (n_train, dim) row-major */
  int *y_train;     /* (n_train), in [0, classes) */
  double *X_test;   /* (n_test, dim) */
  int *y_test;      /* (n_test) */
  /* Sequence tasks (0 and NULL for the other kinds, but n_out). */
  size_t seq_len;   /* T_max: steps stored per example (dim = seq_len * seq_in) */
  size_t seq_in;    /* features per step */
  size_t *start_train, *start_test;  /* (n) first real step of each example, or NULL */
  double *t_train, *t_test;          /* (n, n_out) real targets (adding), or NULL */
  size_t n_out;     /* outputs: classes, or the targets' count (every kind) */
  double success_tol; /* >0: an example is right when every |output - target|
                         < success_tol (adding: 0.04); 0: when argmax == label */
  /* Made by data_subsets, shared by every cell: the probe set (probes.tsv,
   * layers.tsv) and each split's evaluation subset (curves.tsv). */
  data_subset probe, eval_train, eval_test;
} dataset;

const char *data_kind_name(data_kind kind);
/* One line per kind, "NAME[:PATH]<TAB>what it is" (satbench list datasets). */
void data_list(FILE *f);
/* The datasets as the completion offers them, one a line after prefix;
 * a file kind as "csv:<TAB>FILE" (a file name follows). */
void data_complete(FILE *f, const char *prefix);
/* Whether the kind reads a file (idx, csv). */
int data_kind_is_file(data_kind kind);
/* Whether the kind is a sequence task, made by data_alloc_len at a length T. */
int data_kind_is_sequence(data_kind kind);
/* The steps a sequence task of minimum length T stores: T + T/10. */
size_t data_seq_len(size_t T);
/* Parse a --dataset value into spec's kind and path, leaving the rest of
 * spec alone; SB_EUSAGE naming the option on unknown names. */
int data_parse(const char *text, data_spec *spec, sb_error *err);
/* The --dataset value back: "gaussian", "csv:PATH", ...; returns buf. */
const char *data_format(const data_spec *spec, char *buf, size_t size);

const char *data_scale_name(data_scale scale);
int data_scale_parse(const char *text, data_scale *out, sb_error *err);
/* The scale in effect: spec->scale, or the kind's default. */
data_scale data_scale_of(const data_spec *spec);

/* Settle what the dataset itself determines: input_dim and classes of the
 * fixed kinds (spirals: 2-D; shapeset: 1024 x 9) and of files, which are
 * read and checked in full (and digested).  Values in spec->given must
 * agree; a file must hold train_size + test_size examples.  Call before
 * data_check when the user may have left input_dim or classes to the data. */
int data_resolve(data_spec *spec, sb_error *err);
/* Check sizes against the kind (e.g. spirals needs input_dim 2). */
int data_check(const data_spec *spec, sb_error *err);
/* Check a sequence task's minimum length T (SB_EUSAGE naming --depths,
 * which is the sequence length for sequence tasks; T 0 is "no length");
 * SB_OK for any T with the other kinds. */
int data_check_len(const data_spec *spec, size_t T, sb_error *err);

/* Generate train and test splits deterministically from seed (ignored
 * by file datasets), or read them from the file, then scale them. */
dataset *data_alloc(const data_spec *spec, unsigned long seed, sb_error *err);
/* data_alloc for the sequence tasks at minimum length T (data_check_len);
 * T is ignored by the other kinds, for which data_alloc(spec, seed, err)
 * == data_alloc_len(spec, seed, 0, err). */
dataset *data_alloc_len(const data_spec *spec, unsigned long seed, size_t T, sb_error *err);
void data_free(dataset *d);

/* FNV-1a 64 of the dataset's features and labels as trained on (both
 * splits, after scaling), then of the starts and targets when it has
 * them: the same on two hosts only if they made the very same doubles,
 * which provenance records per cell. */
uint64_t data_digest(const dataset *d);

/* The 1/2 squared error of the best constant prediction (the training
 * split's mean target), on the training split: 1/2 sum over the outputs of
 * the targets' variance.  NaN for a dataset without real targets (its
 * chance levels come from the labels). */
double data_chance_mse(const dataset *d);

/* The probe set, probe_size examples of one split (DATA_SPLIT_*), and the
 * evaluation subsets, min(eval_size, split) examples of each split: each
 * the first examples of a fixed random order of its split, drawn from
 * seed, so every cell of a grid measures on the same examples and the
 * probe set lies in the training evaluation subset when both come from
 * the training split. */
int data_subsets(dataset *d, int probe_split, size_t probe_size, size_t eval_size, unsigned long seed,
                 sb_error *err);

#endif
