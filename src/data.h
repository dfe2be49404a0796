/* data.h - datasets: generated (gaussian, mixture, spirals) and, later,
 * loaded from files.  A dataset is generated once per grid from the master
 * seed and shared read-only by every cell. */
#ifndef SB_DATA_H
#define SB_DATA_H

#include <stddef.h>
#include "err.h"

typedef enum {
  DATA_GAUSSIAN,  /* x ~ N(0, I_d); y = argmax of a fixed random linear teacher */
  DATA_MIXTURE,   /* one Gaussian cluster per class                         */
  DATA_SPIRALS,   /* `classes` interleaved 2-D spiral arms (input_dim 2)    */
  DATA_COUNT
} data_kind;

typedef struct data_spec {
  data_kind kind;
  size_t input_dim;   /* features per example                  */
  size_t classes;     /* number of labels, >= 2                */
  size_t train_size;
  size_t test_size;
} data_spec;

typedef struct dataset {
  size_t n_train, n_test, dim, classes;
  double *X_train;  /* (n_train, dim) row-major */
  int *y_train;     /* (n_train), in [0, classes) */
  double *X_test;   /* (n_test, dim) */
  int *y_test;      /* (n_test) */
} dataset;

const char *data_kind_name(data_kind kind);
/* Parse a --dataset value; SB_EUSAGE naming the option on unknown names. */
int data_parse(const char *text, data_kind *out, sb_error *err);
/* Check sizes against the kind (e.g. spirals needs input_dim 2). */
int data_check(const data_spec *spec, sb_error *err);

/* Generate train and test splits deterministically from seed. */
dataset *data_alloc(const data_spec *spec, unsigned long seed, sb_error *err);
void data_free(dataset *d);

#endif
