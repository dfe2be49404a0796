/* fuzz_dataio.h - the reads of a dataset file that fuzz_csv.c and
 * fuzz_idx.c make: dataio_read as data.c calls it, then data.c itself
 * (the dataset a grid makes from the file, in every --input-scale).
 * Every error return is a normal outcome; what must not happen is a
 * crash, a leak, undefined behaviour, two reads of one file disagreeing
 * or a loaded dataset holding a value that is not a number or a label out
 * of range (then abort(), which libFuzzer reports as a crash). */
#ifndef SB_FUZZ_DATAIO_H
#define SB_FUZZ_DATAIO_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data.h"
#include "dataio.h"

#define FUZZ_KEEP 8            /* examples kept by the reads that keep any */
#define FUZZ_KEEP_VALUES 4096  /* at most this many doubles kept */

static void fuzz_dataio(dataio_format fmt, const char *text)
{
  static dataio_info info, again;
  static sb_error err;
  /* 1. The shape, nothing kept (data_resolve). */
  dataio_want want = { 0 };
  int rc = dataio_read(fmt, text, &want, &info, &err);
  /* 2. Into buffers of that shape, with the dimension and the classes
   *    given (data_alloc after data_resolve). */
  if (rc == SB_OK) {
    if (info.n == 0 || info.dim == 0 || info.max_label < 0) abort();   /* a success holds data */
    size_t keep = info.n < FUZZ_KEEP ? info.n : FUZZ_KEEP;
    if (info.dim <= FUZZ_KEEP_VALUES / keep) {
      double *X = malloc(keep * info.dim * sizeof *X);
      int *y = malloc(keep * sizeof *y);
      if (!X || !y) abort();
      dataio_want w2 = { .dim = info.dim, .classes = (size_t)info.max_label + 1, .keep = keep, .X = X, .y = y };
      if (dataio_read(fmt, text, &w2, &again, &err) != SB_OK || again.n != info.n || again.dim != info.dim ||
          again.max_label != info.max_label || again.digest != info.digest)
        abort();
      for (size_t i = 0; i < keep; i++)
        if (y[i] < 0 || (long)y[i] > info.max_label) abort();
      free(X);
      free(y);
    }
  }
  /* 3. Small fixed buffers, a given dimension and number of classes. */
  double X[FUZZ_KEEP * 4];
  int y[FUZZ_KEEP];
  dataio_want w3 = { .dim = 4, .classes = 3, .keep = FUZZ_KEEP, .X = X, .y = y };
  (void)dataio_read(fmt, text, &w3, &again, &err);
  /* 4. The dataset a grid makes (data_resolve, data_check, data_alloc,
   *    data_subsets): a quarter of the file tests, the rest trains. */
  if (rc != SB_OK || info.n < 2) return;
  for (int s = 0; s < DATA_SCALE_COUNT; s++) {
    static data_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.kind = fmt == DATAIO_IDX ? DATA_IDX : DATA_CSV;
    snprintf(spec.path, sizeof spec.path, "%s", text);
    spec.test_size = info.n / 4 ? info.n / 4 : 1;
    spec.train_size = info.n - spec.test_size;
    spec.scale = (data_scale)s;
    if (data_resolve(&spec, &err) != SB_OK || data_check(&spec, &err) != SB_OK) continue;
    dataset *d = data_alloc(&spec, 1, &err);
    if (!d) continue;
    size_t n = d->n_train + d->n_test;
    for (size_t i = 0; i < n * d->dim; i++)
      if (!isfinite(d->X_train[i])) abort();
    for (size_t i = 0; i < n; i++)
      if (d->y_train[i] < 0 || (size_t)d->y_train[i] >= d->classes) abort();
    (void)data_subsets(d, DATA_SPLIT_TRAIN, d->n_train < 8 ? d->n_train : 8, 8, 1, &err);
    data_free(d);
  }
}

#endif
