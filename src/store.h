/* store.h - a grid's results on disk.
 *
 * Each finished cell becomes one record file (records/cell-NNNNNN.rec,
 * record.h), written to a temporary name, flushed to disk and renamed, so
 * a grid killed at any moment keeps every finished cell and never a half
 * one.  The tables are merged from the records, in cell order, and each
 * table is itself written beside its final name and renamed, so a failure
 * never leaves a damaged table. */
#ifndef SB_STORE_H
#define SB_STORE_H

#include <stddef.h>
#include "cfg.h"
#include "err.h"
#include "table.h"
#include "record.h"
#include "train.h"

/* Create --out and its records folder, and record the configuration; with
 * resume, check the folder was made by the same configuration instead
 * (SB_EUSAGE listing the differing keys when not). */
int store_prepare(const sb_config *cfg, sb_error *err);

/* Hold cfg->out's lock (records/lock, flock) until the process ends:
 * exclusive for a grid, --resume or merge, shared for a shard (the shards
 * of a grid write one folder together, the records proving themselves).
 * SB_EUSAGE naming the holder when another process has it; none on a
 * filesystem without locks.  Taking it again in one process is a no-op. */
int store_lock(const sb_config *cfg, int shared, sb_error *err);

/* Remove the temporary files (NAME.tmp.HOST.PID.TAG) that a process
 * killed mid-write left in --out and its records/, saying how many on
 * stderr; only under the exclusive lock (--resume, merge). */
int store_clean_tmp(const sb_config *cfg, sb_error *err);

/* Whether the folder this process locked is still there: SB_EFAIL when
 * --out was removed, moved or replaced while the grid ran (its lock file
 * is not the one locked), so that a grid never ends with exit 0 and
 * tables of a folder that lost records. */
int store_check_folder(const sb_config *cfg, sb_error *err);

/* Whether a cell still has to run (*pending: no record, or half a one).
 * A record that another satbench wrote, with other columns, is an error
 * (SB_EUSAGE, saying so): it cannot be resumed or merged. */
int store_pending(const sb_config *cfg, size_t cell, int *pending, sb_error *err);

/* Durably write the record of a finished cell. */
int store_write_record(const sb_config *cfg, const table_cell *c, const train_result *r, const record_prov *pv,
                       sb_error *err);

/* The cells without a complete record: their number, and the first
 * n_first of them in first[].  A foreign record is an error, as in
 * store_pending; a complete one is not read here: the merge verifies it,
 * once (store_merge). */
int store_missing(const sb_config *cfg, size_t *n_missing, size_t *first, size_t n_first, sb_error *err);

/* SB_OK when the folder from holds a grid of cfg's configuration; else
 * SB_EUSAGE naming the folder, or the keys that differ. */
int store_same_grid(const sb_config *cfg, const char *from, sb_error *err);

/* Copy into cfg->out the complete records of another folder of the same
 * grid (SB_EUSAGE naming the keys when its configuration differs) that
 * cfg->out lacks; *n_copied says how many. */
int store_import(const sb_config *cfg, const char *from, size_t *n_copied, sb_error *err);

/* Whether the cell records of the grid in cfg->out were removed after a
 * complete merge (*compacted): its manifest.json says "complete": true
 * and "records_kept": false, and a record is missing (with none missing,
 * the removal never ran and the records merge again).  The tables, which
 * no record can rebuild now, are then checked against the manifest:
 * SB_EUSAGE naming the first that is missing or differs. */
int store_compacted(const sb_config *cfg, int *compacted, sb_error *err);

/* Whether the tables in dir are one set: each matches its size and
 * checksum in manifest.json (SB_EUSAGE naming the first that does not, or
 * the missing manifest, and saying to merge again).  SB_OK when dir holds
 * no cells.tsv (reading it says so). */
int store_check_set(const char *dir, sb_error *err);

/* Whether the manifest.json of dir says "complete": false (0 when it says
 * true, or cannot be read: store_check_set reports that). */
int store_incomplete(const char *dir);

typedef struct store_merge_info {
  size_t n_cells, n_done, n_status[TRAIN_NSTATUS];
  int threads;
  double wall_seconds;   /* of this invocation */
  int complete;          /* every cell has a record */
  size_t n_present;      /* cells with a complete record when the merge began */
  size_t n_hosts;        /* hosts the records came from */
  char mixed_blas[1024]; /* a warning when they came from several BLAS kernels, else "" */
  size_t n_groups;
  int keep_records;      /* in: keep the cell records after a complete merge too (--keep-records) */
  size_t n_removed;      /* records removed after the merge */
  char records_warning[CFG_PATH_MAX + 256];   /* why some could not be removed, else "" */
} store_merge_info;

/* Merge every record present into cells.tsv, layers.tsv, summary.tsv,
 * hist.tsv and manifest.json.  When every cell was merged and not
 * keep_records, the cell records (the same rows again) are then removed,
 * once the set is in place and durable; records/config.txt and the lock
 * stay, and the manifest says "records_kept": false.  A failure to remove
 * one is a warning (records_warning), never a failed merge. */
int store_merge(const sb_config *cfg, store_merge_info *info, sb_error *err);

#endif
