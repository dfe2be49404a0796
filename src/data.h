/* data.h - datasets: generated (gaussian, mixture, spirals, shapeset) or
 * read from files (idx, csv; see dataio.h), then scaled.  A dataset is made
 * once per grid, generated ones from the master seed, and shared read-only
 * by every cell. */
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
  size_t input_dim;   /* features per example                  */
  size_t classes;     /* number of labels, >= 2                */
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
  size_t *start;    /* (n) sequences' first real step, or NULL */
  double *t;        /* (n, n_out) real targets, or NULL */
} data_subset;

typedef struct dataset {
  size_t n_train, n_test, dim, classes;
  double *X_train;  /* (n_train, dim) row-major */
  int *y_train;     /* (n_train), in [0, classes) */
  double *X_test;   /* (n_test, dim) */
  int *y_test;      /* (n_test) */
  /* Made by data_subsets, shared by every cell: the probe set (probes.tsv,
   * layers.tsv) and each split's evaluation subset (curves.tsv). */
  data_subset probe, eval_train, eval_test;
  size_t seq_len, seq_in, n_out;
  size_t *start_train, *start_test;
  double *t_train, *t_test;
  double success_tol;
} dataset;

const char *data_kind_name(data_kind kind);
/* One line per kind, "NAME[:PATH]<TAB>what it is" (satbench list datasets). */
void data_list(FILE *f);
/* The datasets as the completion offers them, one a line after prefix;
 * a file kind as "csv:<TAB>FILE" (a file name follows). */
void data_complete(FILE *f, const char *prefix);
int data_kind_is_sequence(data_kind kind);
/* Whether the kind reads a file (idx, csv). */
int data_kind_is_file(data_kind kind);
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

/* Generate train and test splits deterministically from seed (ignored
 * by file datasets), or read them from the file, then scale them. */
dataset *data_alloc(const data_spec *spec, unsigned long seed, sb_error *err);
void data_free(dataset *d);

/* FNV-1a 64 of the dataset's features and labels as trained on (both
 * splits, after scaling): the same on two hosts only if they made the
 * very same doubles, which provenance records per cell. */
uint64_t data_digest(const dataset *d);

/* The probe set, probe_size examples of one split (DATA_SPLIT_*), and the
 * evaluation subsets, min(eval_size, split) examples of each split: each
 * the first examples of a fixed random order of its split, drawn from
 * seed, so every cell of a grid measures on the same examples and the
 * probe set lies in the training evaluation subset when both come from
 * the training split. */
int data_subsets(dataset *d, int probe_split, size_t probe_size, size_t eval_size, unsigned long seed,
                 sb_error *err);

#endif
