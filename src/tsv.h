/* tsv.h - reading satbench's own tables back: '#' comment lines skipped,
 * columns found by header name, fields split in place.  Errors name the
 * file and line. */
#ifndef SB_TSV_H
#define SB_TSV_H

#include <stddef.h>
#include <stdio.h>
#include "err.h"

typedef struct tsv_reader {
  FILE *f;
  char path[4096];
  char *line, *header;     /* current row and the header row (owned) */
  size_t cap, lineno;
  size_t ncols;
  char **names;            /* (ncols) column names, into header */
  char **fields;           /* (ncols) fields of the current row, into line */
} tsv_reader;

/* Tables may be gzip-compressed (satbench grid --compress writes
 * NAME.tsv.gz): whether this build can write and read them (zlib and
 * fopencookie). */
int tsv_can_compress(void);
/* Open a table for reading as text: path, or when there is no such file
 * path.gz, decompressed while it is read (a gzip stream cut short is a
 * read error).  NULL with errno set when neither can be opened. */
FILE *tsv_fopen(const char *path);
/* The file that tsv_fopen(path) reads, into out: path, or path.gz; 0 when
 * neither exists. */
int tsv_resolve(const char *path, char *out, size_t size);

/* Open and read up to the header row; NULL with SB_EUSAGE when the file is
 * missing, empty or has no header. */
tsv_reader *tsv_open(const char *path, sb_error *err);
void tsv_close(tsv_reader *t);
/* Index of a column, or -1. */
int tsv_col(const tsv_reader *t, const char *name);
/* Like tsv_col, but a missing column is an error naming the file. */
int tsv_need(const tsv_reader *t, const char *name, int *col, sb_error *err);
/* Next row: 1 read, 0 end of file, SB_EUSAGE/SB_EFAIL (negated) on a
 * malformed row or read error. */
int tsv_next(tsv_reader *t, sb_error *err);
static inline const char *tsv_str(const tsv_reader *t, int col) { return t->fields[col]; }
/* Field col of the current row, or dflt for a column the table has not
 * (col < 0: an optional axis, cfg_axis_default). */
static inline const char *tsv_str_or(const tsv_reader *t, int col, const char *dflt)
{
  return col >= 0 ? t->fields[col] : dflt;
}
double tsv_num(const tsv_reader *t, int col);

#endif
