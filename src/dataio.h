/* dataio.h - datasets read from files: MNIST-style IDX pairs (images and
 * labels) and CSV tables (a label column, then features).  Every example of
 * a file is read and checked, whatever part of it is kept; a malformed file
 * is SB_EUSAGE with a message naming the file and the byte offset (IDX) or
 * line (CSV) at fault.  With zlib, gzip-compressed files are read as they
 * are (offsets then count uncompressed bytes). */
#ifndef SB_DATAIO_H
#define SB_DATAIO_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define DATAIO_PATH_MAX 4096
/* Labels above this are refused when the number of classes is not given
 * (the largest --classes the command line accepts). */
#define DATAIO_MAX_CLASSES (1UL << 20)
/* CSV lines longer than this are refused (a row of DATAIO_MAX_DIM short
 * numbers fits; a binary file or /dev/zero does not grow without bound). */
#define DATAIO_LINE_MAX (256 * 1024 * 1024)
/* Features per example above this are refused (the largest --input-dim). */
#define DATAIO_MAX_DIM (1UL << 24)

typedef enum { DATAIO_IDX, DATAIO_CSV } dataio_format;

/* What the caller expects and where the examples go. */
typedef struct dataio_want {
  size_t dim;      /* features per example; 0 = whatever the file has */
  size_t classes;  /* labels must lie in [0, classes); 0 = any up to DATAIO_MAX_CLASSES - 1 */
  size_t keep;     /* store the first min(keep, n) examples ...          */
  double *X;       /* ... into X: (keep, dim) row-major (NULL: store nothing) */
  int *y;          /* ... and y: (keep) */
} dataio_want;

/* What the file holds. */
typedef struct dataio_info {
  size_t n;               /* examples in the file */
  size_t dim;             /* features per example */
  long max_label;         /* the largest label */
  int has_range;          /* 1 when the format bounds the values (IDX bytes) ... */
  double lo, hi;          /* ... to [lo, hi] */
  uint64_t digest;        /* FNV-1a 64 of every byte read, labels file first */
  char path[DATAIO_PATH_MAX];  /* the file the features came from */
} dataio_info;

/* Whether this build reads gzip-compressed files. */
int dataio_has_zlib(void);

/* Read a dataset.  For DATAIO_IDX, `text` is either IMAGES,LABELS or a
 * prefix P naming the first pair that exists of
 *   P-images-idx3-ubyte       P-labels-idx1-ubyte       (MNIST's names)
 *   P-images.idx3-ubyte       P-labels.idx1-ubyte
 * each also tried with ".gz" appended when zlib is there.  For DATAIO_CSV,
 * `text` is the file.  Errors: SB_EUSAGE for a missing or malformed file
 * and for a file that disagrees with `want` (dim, classes); SB_EFAIL when
 * out of memory. */
int dataio_read(dataio_format fmt, const char *text, const dataio_want *want,
                dataio_info *info, sb_error *err);

#endif
