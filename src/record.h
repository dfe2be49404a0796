/* record.h - a finished cell on disk: the one owner of the record format.
 *
 * A record is a text file of tagged rows, each in its table's own format
 * (table.h), under a header that says which columns they have:
 *     # satbench record 2                 the framing of this file
 *     # version = 0.1.0                   the satbench that wrote it
 *     # format = fnv1a64:HEX              hash of the column lists below
 *     # columns C = cell activation ...   one per tagged row type
 *     # config = fnv1a64:HEX              the grid's configuration fingerprint
 *     # cell = 17                         the cell it is the record of
 *     # rows = C:1 L:40 T:10 ...          how many rows of each tag follow
 *     # checksum = fnv1a64:HEX            hash of the rows' bytes, "C" to "# end"
 *     # wall_seconds = 1.25               timing stays out of the tables
 *     # host = node17                     provenance: where and how it ran
 *     # threads = 2                       (the grid's threads on that host)
 *     # blas = openblas                   the BLAS and, for OpenBLAS, the
 *     # blas_kernel = Haswell             kernels it chose (they round differently)
 *     # cpu = AMD EPYC 7B13               the CPU model, the compiler and the
 *     # compiler = gcc 12.2.0             git commit of the build ("-" when
 *     # git = 0b9299b3a1c2                not built from git)
 *     # started = 2026-12-04T18:12:03Z    the cell's start and end, UTC
 *     # ended = 2026-12-04T18:12:04Z
 *     # command = satbench grid ...       the command line that ran it
 *     # data = fnv1a64:HEX                hash of the dataset's doubles as trained on
 *     # status = ok
 *     # steps_done = 1000
 *     C<TAB>cells.tsv row
 *     L<TAB>layers.tsv row                 one per (logged step, layer)
 *     H<TAB>hist.tsv row                   one per (moment, layer, kind, bin)
 *     T<TAB>layer<TAB>value                the mean-field profile at init
 *     K<TAB>curves.tsv row                 one per logged step
 *     # end                                written last: a record without
 *                                          it is incomplete and run again
 * The format hash changes whenever a column list does, so a record written
 * by a satbench with other columns is recognised (RECORD_FOREIGN) and
 * reported, never merged into tables it does not fit.  A record proves
 * itself: record_load checks its grid, its cell, its row counts and its
 * checksum, so a record copied over another, cut, edited or concatenated
 * with another is refused by name, never merged. */
#ifndef SB_RECORD_H
#define SB_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "table.h"
#include "train.h"

/* FNV-1a 64 of every tagged row type's tag and column list, with the
 * grid's features (TABLE_*). */
uint64_t record_format(unsigned features);

/* FNV-1a 64 of n bytes (the checksum, and the configuration fingerprint). */
uint64_t record_hash(const char *text, size_t n);

/* Durably write the record of a finished cell (c->cell) of the grid whose
 * configuration fingerprint is config to path (a temporary name, flushed,
 * synced and renamed, then the directory synced). */
typedef struct record_prov {
  double wall_seconds;        /* the cell's training time */
  int threads;                /* the grid's threads on this host */
  uint64_t data_digest;       /* data_digest() of the dataset it trained on */
} record_prov;

int record_write(const char *path, uint64_t config, const table_cell *c, const train_result *r,
                 const record_prov *pv, sb_error *err);

typedef enum {
  RECORD_MISSING,     /* no file */
  RECORD_INCOMPLETE,  /* no "# end": the cell is run again */
  RECORD_COMPLETE,    /* complete and in this satbench's format */
  RECORD_FOREIGN,     /* complete, but another format, or not a regular file: refused */
} record_state;

/* What a record file is, from its first lines and its last. */
record_state record_probe(const char *path);

/* The provenance lines a record carries, in record.meta[]. */
enum { RECORD_VERSION, RECORD_HOST, RECORD_BLAS, RECORD_BLAS_KERNEL, RECORD_CPU, RECORD_COMPILER, RECORD_GIT,
       RECORD_STARTED, RECORD_ENDED, RECORD_COMMAND, RECORD_DATA, RECORD_META_COUNT };

/* Their keys in the header ("host" for "# host = ..."). */
const char *record_meta_key(int k);

/* A complete record in memory, its rows indexed by type. */
typedef struct record {
  char *text;                 /* the whole file, rows split in place */
  char status[16];            /* a name of train_statuses: ok, diverged, ... */
  double wall_seconds;
  int threads;                /* 0 when not recorded */
  const char *meta[RECORD_META_COUNT];   /* provenance, pointing into text; "?" when not recorded */
  size_t n[ROW_COUNT];        /* rows of each type */
  char **rows[ROW_COUNT];     /* (n[k]) each row, without tag and newline */
} record;


/* Read and check a record of cell `cell` of the grid with fingerprint
 * config.  SB_EUSAGE naming the file when it is not a complete record of
 * this format (the message says what wrote it and how its columns differ),
 * or not of this grid and cell, or its rows do not match their counts and
 * checksum; SB_EFAIL on a read error. */
int record_load(const char *path, uint64_t config, size_t cell, record *rec, sb_error *err);
void record_free(record *rec);

/* Split a row of type k in place into its fields (fields holds up to max
 * pointers); the count found, which callers compare with the expected. */
size_t record_fields(char *row, char **fields, size_t max);

#endif
