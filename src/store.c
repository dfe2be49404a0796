/* store.c - a grid's folder: its configuration, the cells' records
 * (record.h) and the tables merged from them (see store.h).
 *
 * Rows are formatted once, when the cell finishes, so merging is copying
 * and the tables are byte-identical however the cells were scheduled. */
#include <config.h>
#include "store.h"
#include "fileio.h"
#include "record.h"
#include "num.h"
#include "stats.h"
#include "stop.h"
#include "prov.h"
#include "blas.h"
#include "tsv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- paths ------------------------------------------------------------ */

static int path_join(char *buf, size_t size, const char *dir, const char *name, sb_error *err)
{
  int n = snprintf(buf, size, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= size) return sb_fail(err, SB_EUSAGE, "--out: path too long: %s/%s", dir, name);
  return SB_OK;
}

static void record_path(char *buf, size_t size, const sb_config *cfg, size_t cell)
{
  snprintf(buf, size, "%s/records/cell-%06zu.rec", cfg->out, cell);
}

/* ---- configuration fingerprint ----------------------------------------- */

static char *config_text(const sb_config *cfg)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return NULL;
  cfg_write(cfg, f, "");
  if (fclose(f) != 0) { free(buf); return NULL; }
  return buf;
}

/* The grid's fingerprint, which every record carries: the hash of its
 * configuration's lines but comments and the preset's name (only the
 * values it resolves to matter, as for --resume). */
static uint64_t fingerprint(const sb_config *cfg)
{
  char *text = config_text(cfg);
  if (!text) return 0;   /* out of memory: matches no record, so nothing is merged */
  char *keep = text, *w = text;
  for (char *p = text; *p;) {
    size_t n = strcspn(p, "\n");
    size_t step = n + (p[n] == '\n');
    if (p[0] != '#' && strncmp(p, "preset = ", 9)) { memmove(w, p, step); w += step; }
    p += step;
  }
  uint64_t h = record_hash(keep, (size_t)(w - keep));
  free(text);
  return h;
}

/* The value of `key = value` in a config text, or NULL. */
static const char *find_line(const char *text, const char *key, size_t *vlen)
{
  size_t klen = strlen(key);
  for (const char *p = text; p && *p;) {
    const char *nl = strchr(p, '\n');
    if (!strncmp(p, key, klen) && !strncmp(p + klen, " = ", 3)) {
      const char *v = p + klen + 3;
      *vlen = nl ? (size_t)(nl - v) : strlen(v);
      return v;
    }
    p = nl ? nl + 1 : NULL;
  }
  return NULL;
}

/* Keys that differ between two config texts, comma-separated, in a's
 * order then b's extra keys.  The preset name is not compared: only the
 * values it resolves to matter. */
static void diff_keys(const char *a, const char *b, char *out, size_t size)
{
  out[0] = '\0';
  const char *texts[2] = { a, b };
  for (int side = 0; side < 2; side++)
    for (const char *p = texts[side]; p && *p;) {
      const char *nl = strchr(p, '\n');
      const char *eq = strstr(p, " = ");
      if (eq && (!nl || eq < nl) && *p != '#') {
        char key[64];
        size_t klen = (size_t)(eq - p);
        if (klen < sizeof key) {
          memcpy(key, p, klen);
          key[klen] = '\0';
          size_t la, lb;
          const char *va = find_line(texts[side], key, &la);
          const char *vb = find_line(texts[1 - side], key, &lb);
          int differs = !vb || la != lb || strncmp(va, vb, la) != 0;
          if (strcmp(key, "preset") && differs && !(side == 1 && find_line(texts[0], key, &la))) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%s", used ? ", " : "", key);
          }
        }
      }
      p = nl ? nl + 1 : NULL;
    }
}

/* SB_OK when the folder's recorded configuration (conf) is mine; else
 * SB_EUSAGE naming the keys that differ.  what: "--resume" or "--shard". */
static int same_config(const sb_config *cfg, const char *what, const char *conf, const char *mine, sb_error *err)
{
  char *theirs = fileio_read_all(conf, NULL);
  if (!theirs) return sb_fail(err, SB_EFAIL, "%s: cannot read %s: %s", what, conf, strerror(errno));
  char keys[1024];
  diff_keys(mine, theirs, keys, sizeof keys);
  free(theirs);
  if (keys[0])
    return sb_fail(err, SB_EUSAGE, "%s: %s was made by a different configuration (differs in: %s)", what, cfg->out,
                   keys);
  return SB_OK;
}

/* ---- one writer per folder -------------------------------------------- */

static int lock_fd = -1;   /* records/lock, held until the process ends */

int store_lock(const sb_config *cfg, int shared, sb_error *err)
{
  if (lock_fd >= 0) return SB_OK;   /* this process holds it already */
  char path[CFG_PATH_MAX];
  int rc = path_join(path, sizeof path, cfg->out, "records/lock", err);
  if (rc) return rc;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return sb_fail(err, SB_EFAIL, "--out: cannot open %s: %s", path, strerror(errno));
  if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    int e = errno;
    if (e == EWOULDBLOCK) {
      char who[128] = "";
      ssize_t n = pread(fd, who, sizeof who - 1, 0);
      who[n > 0 ? n : 0] = '\0';
      who[strcspn(who, "\n")] = '\0';
      for (char *q = who; *q; q++)
        if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f) *q = '?';
      close(fd);
      return sb_fail(err, SB_EUSAGE, "--out: %s is in use by another satbench%s%s%s; wait for it to finish, or "
                     "choose another --out", cfg->out, who[0] ? " (" : "", who, who[0] ? ")" : "");
    }
    close(fd);
    if (e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS) return SB_OK;   /* a filesystem without locks: see README */
    return sb_fail(err, SB_EFAIL, "--out: cannot lock %s: %s", path, strerror(e));
  }
  /* Say who holds it, for the next one's message (of shards, the last to start). */
  char who[384];
  int n = shared ? snprintf(who, sizeof who, "shard %zu/%zu, pid %ld on %s\n", cfg->shard_k, cfg->shard_n,
                            (long)getpid(), prov_host())
                 : snprintf(who, sizeof who, "pid %ld on %s\n", (long)getpid(), prov_host());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, who, (size_t)n, 0) != n) { /* only the message loses */ }
  lock_fd = fd;
  return SB_OK;
}

int store_check_folder(const sb_config *cfg, sb_error *err)
{
  if (lock_fd < 0) return SB_OK;   /* never locked (a filesystem without locks) */
  char path[CFG_PATH_MAX];
  int rc = path_join(path, sizeof path, cfg->out, "records/lock", err);
  if (rc) return rc;
  struct stat held, now;
  if (fstat(lock_fd, &held) == 0 && stat(path, &now) == 0 && held.st_dev == now.st_dev && held.st_ino == now.st_ino)
    return SB_OK;
  return sb_fail(err, SB_EFAIL, "--out: %s was removed, moved or replaced while satbench ran: the records written "
                 "there are lost and no table was written; run the grid again", cfg->out);
}

/* Temporary files that a process killed mid-write left behind (a
 * record's, a table's of a merge: NAME.tmp.HOST.PID.TAG, fileio.h), in
 * dir.  Called only under the exclusive lock, when no other process of
 * this folder can be writing one. */
/* Whether name is a temporary name (fileio_is_tmp) of a file satbench
 * writes there: a table or manifest.json in --out, a record or
 * config.txt in records/.  Nothing else of the folder is touched. */
static int is_our_tmp(const char *name, int in_records)
{
  size_t fl;
  if (!fileio_is_tmp(name, &fl)) return 0;
  if (in_records)
    return (fl == 10 && !strncmp(name, "config.txt", 10)) ||
           (fl > 9 && !strncmp(name, "cell-", 5) && !strncmp(name + fl - 4, ".rec", 4));
  if (fl == 13 && !strncmp(name, "manifest.json", 13)) return 1;
  for (int k = 0; k < ROW_COUNT; k++) {
    const char *f = table_row_info((row_kind)k)->file;
    if (f && strlen(f) == fl && !strncmp(name, f, fl)) return 1;
  }
  return 0;
}

static int clean_tmp_in(const char *dir, int in_records, size_t *n, unsigned long long *bytes, sb_error *err)
{
  DIR *d = opendir(dir);
  if (!d) return errno == ENOENT ? SB_OK : sb_fail(err, SB_EFAIL, "--out: cannot read %s: %s", dir, strerror(errno));
  int rc = SB_OK;
  struct dirent *e;
  char path[CFG_PATH_MAX + 300];
  while (!rc && (e = readdir(d))) {
    if (!is_our_tmp(e->d_name, in_records)) continue;
    if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (unlink(path) != 0) rc = sb_fail(err, SB_EFAIL, "--out: cannot remove %s: %s", path, strerror(errno));
    else (*n)++, *bytes += (unsigned long long)st.st_size;
  }
  closedir(d);
  return rc;
}

int store_clean_tmp(const sb_config *cfg, sb_error *err)
{
  char rec[CFG_PATH_MAX];
  int rc = path_join(rec, sizeof rec, cfg->out, "records", err);
  size_t n = 0;
  unsigned long long bytes = 0;
  if (!rc) rc = clean_tmp_in(cfg->out, 0, &n, &bytes, err);
  if (!rc) rc = clean_tmp_in(rec, 1, &n, &bytes, err);
  if (!rc && n && !cfg->quiet)
    fprintf(stderr, "satbench: removed %zu temporary file%s (%.1f MB) that an interrupted run left in %s/\n", n,
            n == 1 ? "" : "s", (double)bytes / 1e6, cfg->out);
  return rc;
}

/* A new grid creates the folder; --resume continues one; a shard creates
 * it or joins it (the first of the shards to get here writes the
 * configuration, with an atomic link, no lock; the others compare). */
int store_prepare(const sb_config *cfg, sb_error *err)
{
  char rec[CFG_PATH_MAX], conf[CFG_PATH_MAX];
  int rc;
  if ((rc = path_join(rec, sizeof rec, cfg->out, "records", err))) return rc;
  if ((rc = path_join(conf, sizeof conf, rec, "config.txt", err))) return rc;
  const char *what = cfg->shard_n ? "--shard" : "--resume";
  char *mine = config_text(cfg);
  if (!mine) return sb_fail(err, SB_EFAIL, "out of memory");
  struct stat st;
  int exists = stat(conf, &st) == 0;
  /* Shards share a folder on purpose (a shared lock each); any other
   * writer has it to itself, checked and created under the lock. */
  if (exists && (cfg->resume || cfg->shard_n) && (rc = store_lock(cfg, cfg->shard_n != 0, err))) {
    free(mine);
    return rc;
  }
  if (exists && (cfg->resume || cfg->shard_n)) {
    rc = same_config(cfg, what, conf, mine, err);
    if (!rc && !cfg->shard_n) rc = store_clean_tmp(cfg, err);   /* alone in the folder: the lock is exclusive */
  }
  else if (exists)
    rc = sb_fail(err, SB_EUSAGE, "--out: %s already holds a grid; add --resume to continue it, or choose another --out",
                 cfg->out);
  else if (cfg->resume && !cfg->shard_n)
    rc = sb_fail(err, SB_EUSAGE, "--resume: %s holds no grid to resume (no %s)", cfg->out, conf);
  else if (!(rc = fileio_mkdirs(rec, err)) && !(rc = store_lock(cfg, cfg->shard_n != 0, err))) {
    char tmp[CFG_PATH_MAX + 128];
    FILE *f = fileio_open_tmp(tmp, sizeof tmp, conf, err);
    if (!f) rc = SB_EFAIL;
    else {
      fputs(mine, f);
      int existed = 0;
      rc = fileio_commit_new(f, tmp, conf, &existed, err);
      if (!rc && existed) {   /* another shard was first */
        if (cfg->shard_n) rc = same_config(cfg, what, conf, mine, err);
        else rc = sb_fail(err, SB_EUSAGE, "--out: %s already holds a grid; add --resume to continue it, or choose "
                                          "another --out", cfg->out);
      }
    }
  }
  free(mine);
  return rc;
}

int store_pending(const sb_config *cfg, size_t cell, int *pending, sb_error *err)
{
  char path[CFG_PATH_MAX + 64];
  record_path(path, sizeof path, cfg, cell);
  record_state st = record_probe(path);
  *pending = st == RECORD_MISSING || st == RECORD_INCOMPLETE;
  if (*pending) return SB_OK;
  record rec;   /* a complete one proves itself, or the grid stops here */
  int rc = record_load(path, fingerprint(cfg), cell, &rec, err);
  record_free(&rec);
  return rc;
}

int store_write_record(const sb_config *cfg, const table_cell *c, const train_result *r, const record_prov *pv,
                       sb_error *err)
{
  char path[CFG_PATH_MAX + 64];
  record_path(path, sizeof path, cfg, c->cell);
  return record_write(path, fingerprint(cfg), c, r, pv, err);
}

int store_missing(const sb_config *cfg, size_t *n_missing, size_t *first, size_t n_first, sb_error *err)
{
  size_t n = cfg_n_cells(cfg);
  *n_missing = 0;
  uint64_t fp = fingerprint(cfg);
  for (size_t c = 0; c < n; c++) {
    char path[CFG_PATH_MAX + 64];
    record_path(path, sizeof path, cfg, c);
    record_state st = record_probe(path);
    if (st == RECORD_FOREIGN) {   /* refused, saying what wrote it and how its columns differ */
      record rec;
      int rc = record_load(path, fp, c, &rec, err);
      record_free(&rec);
      if (rc) return rc;
    }
    int pending = st == RECORD_MISSING || st == RECORD_INCOMPLETE;
    if (pending && *n_missing < n_first) first[*n_missing] = c;
    *n_missing += pending != 0;
  }
  return SB_OK;
}

/* The tables that manifest text m names, against the files in dir: SB_OK,
 * or SB_EUSAGE naming the first that is missing or differs, with why (what
 * a difference means here) and fix (what to do). */
static int check_files(const char *dir, const char *m, const char *why, const char *fix, sb_error *err)
{
  const char *files = strstr(m, "\n  \"files\": {");
  char path[CFG_PATH_MAX + 64];
  int rc = SB_OK;
  for (int k = 0; files && k < ROW_COUNT && !rc; k++) {
    const char *name = table_row_info((row_kind)k)->file;
    if (!name) continue;
    /* NAME.tsv, or NAME.tsv.gz after --compress */
    char key[96];
    const char *gz = "";
    snprintf(key, sizeof key, "\"%s\": {\"bytes\": ", name);
    const char *p = strstr(files, key);
    if (!p) {
      gz = ".gz";
      snprintf(key, sizeof key, "\"%s.gz\": {\"bytes\": ", name);
      p = strstr(files, key);
    }
    size_t bytes, got_bytes;
    unsigned long long want;
    uint64_t got;
    snprintf(path, sizeof path, "%s/%s%s", dir, name, gz);
    if (!p || sscanf(p + strlen(key), "%zu, \"fnv1a64\": \"%16llx\"", &bytes, &want) != 2)
      rc = sb_fail(err, SB_EUSAGE, "%s: manifest.json does not name %s; %s", dir, name, fix);
    else if (fileio_hash_file(path, &got, &got_bytes) != 0)
      rc = sb_fail(err, SB_EUSAGE, "%s: %s, which manifest.json names, cannot be read: %s; %s", dir, name,
                   strerror(errno), fix);
    else if (got_bytes != bytes || got != (uint64_t)want)
      rc = sb_fail(err, SB_EUSAGE, "%s does not match manifest.json (%zu bytes, %zu expected): %s; %s", path,
                   got_bytes, bytes, why, fix);
  }
  return rc;
}

int store_check_set(const char *dir, sb_error *err)
{
  char path[CFG_PATH_MAX + 64], mpath[CFG_PATH_MAX + 64], fix[CFG_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/cells.tsv", dir);
  if (!tsv_resolve(path, mpath, sizeof mpath)) return SB_OK;   /* no tables: reading cells.tsv says so */
  snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
  char *m = fileio_read_all(mpath, NULL);
  if (!m)
    return sb_fail(err, SB_EUSAGE, "%s: no manifest.json beside the tables: they are not a finished merge (one was "
                   "interrupted?); run satbench merge --out %s", dir, dir);
  snprintf(fix, sizeof fix, "run satbench merge --out %s", dir);
  int rc = check_files(dir, m, "the tables are of two merges, one of them interrupted", fix, err);
  free(m);
  return rc;
}

int store_compacted(const sb_config *cfg, int *compacted, sb_error *err)
{
  *compacted = 0;
  char mpath[CFG_PATH_MAX + 64];
  snprintf(mpath, sizeof mpath, "%s/manifest.json", cfg->out);
  char *m = fileio_read_all(mpath, NULL);
  if (!m) return SB_OK;   /* no manifest: no complete merge removed anything */
  int removed = strstr(m, "\n  \"complete\": true,") && strstr(m, "\n  \"records_kept\": false,");
  size_t n = cfg_n_cells(cfg);
  for (size_t c = 0; removed && c < n && !*compacted; c++) {
    char path[CFG_PATH_MAX + 64];
    record_path(path, sizeof path, cfg, c);
    *compacted = access(path, F_OK) != 0;
  }
  int rc = SB_OK;
  if (*compacted)
    rc = check_files(cfg->out, m, "it was changed after the merge",
                     "its records were removed after that merge (--keep-records keeps them), so nothing can rebuild "
                     "it, and nothing was written: run the grid again, into a new --out", err);
  free(m);
  return rc;
}

/* Copy one file to a new name, whole or not at all. */
static int copy_file(const char *from, const char *to, sb_error *err)
{
  size_t len;
  char *text = fileio_read_all(from, &len);
  if (!text) return sb_fail(err, SB_EFAIL, "cannot read %s: %s", from, strerror(errno));
  char tmp[CFG_PATH_MAX + 160];
  FILE *f = fileio_open_tmp(tmp, sizeof tmp, to, err);
  if (!f) { free(text); return SB_EFAIL; }
  fwrite(text, 1, len, f);
  free(text);
  return fileio_commit(f, tmp, to, err);
}

int store_same_grid(const sb_config *cfg, const char *from, sb_error *err)
{
  char conf[CFG_PATH_MAX + 32];
  snprintf(conf, sizeof conf, "%s/records/config.txt", from);
  struct stat st;
  if (stat(conf, &st) != 0) return sb_fail(err, SB_EUSAGE, "--from: %s holds no grid (no %s)", from, conf);
  char *mine = config_text(cfg);
  if (!mine) return sb_fail(err, SB_EFAIL, "out of memory");
  char *theirs = fileio_read_all(conf, NULL);
  if (!theirs) { free(mine); return sb_fail(err, SB_EFAIL, "--from: cannot read %s: %s", conf, strerror(errno)); }
  char keys[1024];
  diff_keys(mine, theirs, keys, sizeof keys);
  free(mine);
  free(theirs);
  if (keys[0])
    return sb_fail(err, SB_EUSAGE, "--from: %s is another grid than %s (differs in: %s)", from, cfg->out, keys);
  return SB_OK;
}

int store_import(const sb_config *cfg, const char *from, size_t *n_copied, sb_error *err)
{
  *n_copied = 0;
  int rc0 = store_same_grid(cfg, from, err);
  if (rc0) return rc0;
  size_t n = cfg_n_cells(cfg);
  uint64_t fp = fingerprint(cfg);
  int copied_any = 0;
  for (size_t c = 0; c < n; c++) {
    char src[CFG_PATH_MAX + 64], dst[CFG_PATH_MAX + 64];
    snprintf(src, sizeof src, "%s/records/cell-%06zu.rec", from, c);
    record_path(dst, sizeof dst, cfg, c);
    record_state s = record_probe(src);
    if (s == RECORD_MISSING || s == RECORD_INCOMPLETE) continue;
    record rec;   /* only a record that proves itself is copied */
    int rc = record_load(src, fp, c, &rec, err);
    record_free(&rec);
    if (rc) return rc;
    if (record_probe(dst) == RECORD_COMPLETE) continue;   /* the first copy of a cell wins */
    if ((rc = copy_file(src, dst, err))) return rc;
    (*n_copied)++;
    copied_any = 1;
  }
  if (copied_any) {
    char dir[CFG_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/records", cfg->out);
    fileio_sync_dir(dir);
  }
  return SB_OK;
}

/* ---- merging ------------------------------------------------------------ */

/* One seed's rows of one type (layers or curves) in a group, parsed back
 * from its record: a key (step, layer; layer 0 for curves) and nv values
 * per row, in the record's order (sorted by step, then layer). */
typedef struct seed_rows {
  size_t n, cap, nv;
  long *step;      /* (n) */
  size_t *layer;   /* (n) */
  double *v;       /* (n, nv) */
} seed_rows;

static void seed_rows_free(seed_rows *s)
{
  free(s->step);
  free(s->layer);
  free(s->v);
  memset(s, 0, sizeof *s);
}

static int seed_rows_add(seed_rows *s, long step, size_t layer, const double *v)
{
  if (s->n == s->cap) {
    size_t nc = s->cap ? 2 * s->cap : 64;
    long *st = realloc(s->step, nc * sizeof *st);
    if (st) s->step = st;
    size_t *ly = realloc(s->layer, nc * sizeof *ly);
    if (ly) s->layer = ly;
    double *vv = realloc(s->v, nc * s->nv * sizeof *vv);
    if (vv) s->v = vv;
    if (!st || !ly || !vv) return SB_EFAIL;
    s->cap = nc;
  }
  s->step[s->n] = step;
  s->layer[s->n] = layer;
  memcpy(s->v + s->n * s->nv, v, s->nv * sizeof *v);
  s->n++;
  return SB_OK;
}

/* log10(||delta^l|| / ||delta^depth||) of one seed's layer row i, from the
 * same step's row of layer `depth` (rows of a step are contiguous and
 * sorted by layer); NaN when either norm is missing, 0 or not finite. */
static double seed_log_ratio(const seed_rows *sr, size_t i, size_t depth)
{
  size_t j = i + depth - sr->layer[i];   /* where it is when no row is missing */
  if (sr->layer[i] > depth) j = i - (sr->layer[i] - depth);
  if (j >= sr->n || sr->step[j] != sr->step[i] || sr->layer[j] != depth) return NAN;
  double r = log10(sr->v[i * sr->nv + PROBE_DELTA_NORM] / sr->v[j * sr->nv + PROBE_DELTA_NORM]);
  return isfinite(r) ? r : NAN;
}

/* The merge's walk over one group's seeds: each summary row is the
 * smallest (step, layer) not yet written and the seeds that have it; a
 * diverged seed simply has fewer rows. */
typedef struct group_walk {
  seed_rows *seeds;
  size_t ns, *pos;
  long step;
  size_t layer, n;
} group_walk;

static int walk_at(const group_walk *w, size_t s);

static int walk_next(group_walk *w)
{
  int any = 0;
  for (size_t s = 0; s < w->ns; s++) {
    if (w->pos[s] >= w->seeds[s].n) continue;
    long st = w->seeds[s].step[w->pos[s]];
    size_t ly = w->seeds[s].layer[w->pos[s]];
    if (!any || st < w->step || (st == w->step && ly < w->layer)) { w->step = st; w->layer = ly; any = 1; }
  }
  w->n = 0;
  for (size_t s = 0; any && s < w->ns; s++) w->n += walk_at(w, s);
  return any;
}

/* Whether seed s has a row at the walk's key (its row is pos[s]). */
static int walk_at(const group_walk *w, size_t s)
{
  const seed_rows *sr = &w->seeds[s];
  return w->pos[s] < sr->n && sr->step[w->pos[s]] == w->step && sr->layer[w->pos[s]] == w->layer;
}

static void walk_advance(group_walk *w)
{
  for (size_t s = 0; s < w->ns; s++)
    if (walk_at(w, s)) w->pos[s]++;
}

/* Value c of every seed at the walk's key, summarized over the seeds. */
static void walk_summary(const group_walk *w, size_t c, double *scratch, seed_summary *out)
{
  size_t m = 0;
  for (size_t s = 0; s < w->ns; s++)
    if (walk_at(w, s)) scratch[m++] = w->seeds[s].v[w->pos[s] * w->seeds[s].nv + c];
  stats_over_seeds(scratch, m, out);
}

/* summary.tsv rows of one group.  theory (n_theory values, or NULL) is the
 * group's mean-field profile at init, the same for every seed (they share
 * the probe set), written on every step's rows. */
static void summarize_layers(FILE *f, const table_group *g, seed_rows *seeds, size_t ns, size_t *pos,
                             double *scratch, const double *theory, size_t n_theory)
{
  group_walk w = { seeds, ns, pos, 0, 0, 0 };
  for (size_t s = 0; s < ns; s++) pos[s] = 0;
  while (walk_next(&w)) {
    seed_summary cols[PROBE_NCOLS], ratio;
    for (int c = 0; c < PROBE_NCOLS; c++) walk_summary(&w, (size_t)c, scratch, &cols[c]);
    size_t m = 0;
    for (size_t s = 0; s < ns; s++)
      if (walk_at(&w, s)) scratch[m++] = seed_log_ratio(&seeds[s], pos[s], g->depth);
    stats_over_seeds(scratch, m, &ratio);
    double th = theory && w.layer >= 1 && w.layer <= n_theory && w.layer <= g->depth ? theory[w.layer - 1] : NAN;
    table_summary_row(f, g, w.step, w.layer, w.n, cols, &ratio, th);
    walk_advance(&w);
  }
}

/* curves_summary.tsv rows of one group. */
static void summarize_curves(FILE *f, const table_group *g, seed_rows *seeds, size_t ns, size_t *pos,
                             double *scratch, seed_summary *cols)
{
  group_walk w = { seeds, ns, pos, 0, 0, 0 };
  for (size_t s = 0; s < ns; s++) pos[s] = 0;
  while (walk_next(&w)) {
    for (size_t c = 0; c < seeds[0].nv; c++) walk_summary(&w, c, scratch, &cols[c]);
    table_curves_summary_row(f, g, w.step, w.n, cols);
    walk_advance(&w);
  }
}

/* Whether s is a JSON number as it is (JSON's grammar, not strtod's:
 * no "inf", no "0x1p3", no leading '+' or '.'). */
static int json_number(const char *s)
{
  const char *p = s;
  if (*p == '-') p++;
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
  else return 0;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9') p++;
  }
  return *p == '\0';
}

static void json_string(FILE *f, const char *s);

/* A configuration value, typed: a number as a number, true and false as
 * booleans, other text as a string; a list option's value as an array of
 * such. */
static void json_scalar(FILE *f, const char *s)
{
  if (json_number(s) || !strcmp(s, "true") || !strcmp(s, "false")) fputs(s, f);
  else json_string(f, s);
}

static void json_typed(FILE *f, const char *s, int list)
{
  if (!list) { json_scalar(f, s); return; }
  fputc('[', f);
  char item[4096];
  for (const char *p = s; *p;) {
    size_t n = strcspn(p, ",");
    snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), p);
    if (p != s) fputs(", ", f);
    json_scalar(f, item);
    p += n;
    if (*p == ',') p++;
  }
  fputc(']', f);
}

static void json_string(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* A signal during the merge abandons it (SIGINT, SIGTERM: stop.h):
 * the temporary tables are removed and the old set, if any, stays. */
static int merge_stopped(const sb_config *cfg, sb_error *err)
{
  int sig = stop_requested();
  if (!sig) return SB_OK;
  return sb_fail(err, 128 + sig, "interrupted by %s during the merge: no table was replaced and the records are "
                 "intact; run satbench merge --out %s to write the tables", stop_name(sig), cfg->out);
}

/* An output file, written beside its final name until the merge commits. */
typedef struct out_file { char path[CFG_PATH_MAX + 32], tmp[CFG_PATH_MAX + 128]; FILE *f; } out_file;

/* Distinct names with a count each (hosts, BLAS kernels, CPUs, commands
 * of the records). */
typedef struct name_set {
  char **name;
  size_t *count;
  size_t n, cap;
} name_set;

/* Count one more of name; SB_EFAIL when out of memory. */
static int name_set_add(name_set *ns, const char *name)
{
  size_t i = 0;
  while (i < ns->n && strcmp(ns->name[i], name)) i++;
  if (i == ns->n) {
    if (ns->n == ns->cap) {
      size_t cap = ns->cap ? 2 * ns->cap : 8;
      char **nm = realloc(ns->name, cap * sizeof *nm);
      if (!nm) return SB_EFAIL;
      ns->name = nm;
      size_t *ct = realloc(ns->count, cap * sizeof *ct);
      if (!ct) return SB_EFAIL;
      ns->count = ct;
      ns->cap = cap;
    }
    if (!(ns->name[i] = strdup(name))) return SB_EFAIL;
    ns->count[i] = 0;
    ns->n++;
  }
  ns->count[i]++;
  return SB_OK;
}

static void name_set_free(name_set *ns)
{
  for (size_t i = 0; i < ns->n; i++) free(ns->name[i]);
  free(ns->name);
  free(ns->count);
}

/* The state of one merge: the output files (one per row type with a
 * table, and the manifest), the current group's seeds, and where in a
 * record's rows the values merge needs are. */
typedef struct merger {
  const sb_config *cfg;
  uint64_t config;             /* the grid's fingerprint, which its records carry */
  store_merge_info *info;
  out_file table[ROW_COUNT], manifest;
  size_t ns;
  seed_rows *layers, *curves;  /* (ns) each */
  size_t *pos;
  double *scratch, *att;
  seed_summary *sums;          /* (curve columns) */
  double *values;              /* (max values of a row) */
  double *theory;              /* the current group's mean-field profile (T rows) */
  size_t theory_cap, n_theory;
  /* columns of the records' rows, by name */
  int c_axis[AXIS_COUNT], c_depth, c_status, c_att0, c_loss, c_sat;
  int l_step, l_layer, l_first, k_step;
  size_t c_ncols, l_ncols, k_ncols, k_nv;
  char **fields;               /* (max columns of a row) */
  size_t n_att;                /* the current group's digest sums */
  double loss_sum, sat_sum;
  size_t n_loss;         /* cells in loss_sum: those with a finite final_loss */
  name_set hosts, kernels;     /* where the records came from, and with which BLAS kernels */
  name_set prov[RECORD_META_COUNT];   /* every provenance value of the records, counted */
  char started[32], ended[32]; /* the earliest start and the latest end of a cell, UTC */
} merger;

/* Note where a record came from: its host, BLAS kernel, CPU, build,
 * command, data and times. */
static int merge_provenance(merger *m, const record *rec)
{
  char k[200];
  snprintf(k, sizeof k, "%s %s", rec->meta[RECORD_BLAS], rec->meta[RECORD_BLAS_KERNEL]);
  if (name_set_add(&m->hosts, rec->meta[RECORD_HOST]) || name_set_add(&m->kernels, k)) return SB_EFAIL;
  for (int j = 0; j < RECORD_META_COUNT; j++)
    if (j != RECORD_STARTED && j != RECORD_ENDED && name_set_add(&m->prov[j], rec->meta[j])) return SB_EFAIL;
  /* ISO 8601 UTC times order as strings do. */
  const char *t0 = rec->meta[RECORD_STARTED], *t1 = rec->meta[RECORD_ENDED];
  if (strlen(t0) < sizeof m->started && *t0 != '?' && (!m->started[0] || strcmp(t0, m->started) < 0))
    snprintf(m->started, sizeof m->started, "%s", t0);
  if (strlen(t1) < sizeof m->ended && *t1 != '?' && strcmp(t1, m->ended) > 0)
    snprintf(m->ended, sizeof m->ended, "%s", t1);
  return SB_OK;
}

static int out_open(out_file *o, const char *dir, const char *name, sb_error *err)
{
  int rc = path_join(o->path, sizeof o->path, dir, name, err);
  if (rc) return rc;
  o->f = fileio_open_tmp(o->tmp, sizeof o->tmp, o->path, err);
  return o->f ? SB_OK : SB_EFAIL;
}

/* --compress: the table written so far becomes NAME.tsv.gz, a temporary
 * of its own; the plain temporary is removed. */
static int out_compress(out_file *o, sb_error *err)
{
  out_file z;
  int n = snprintf(z.path, sizeof z.path, "%s.gz", o->path);
  if (n < 0 || (size_t)n >= sizeof z.path) return sb_fail(err, SB_EUSAGE, "%s.gz: path too long", o->path);
  if (!(z.f = fileio_open_tmp(z.tmp, sizeof z.tmp, z.path, err))) return SB_EFAIL;
  FILE *src = NULL;
  int bad = fflush(o->f) != 0 || !(src = fopen(o->tmp, "rb")) || fileio_gzip(src, z.f) != 0;
  int saved = errno;
  if (src) fclose(src);
  fclose(o->f);
  unlink(o->tmp);
  if (bad) {
    fclose(z.f);
    unlink(z.tmp);
    o->f = NULL;
    return sb_fail(err, SB_EFAIL, "writing %s: %s", z.path, strerror(saved));
  }
  *o = z;
  return SB_OK;
}

static size_t ncols(row_kind k)
{
  char buf[8192];
  size_t n = 1;
  table_columns(k, buf, sizeof buf);
  for (const char *p = buf; *p; p++) n += *p == '\t';
  return n;
}

/* Step 1: the output files with their comments and headers, the
 * manifest's head, and the buffers of a group. */
static int merge_open(merger *m, sb_error *err)
{
  const sb_config *cfg = m->cfg;
  int rc = SB_OK;
  /* A table of an unfinished grid says so above its header. */
  m->info->n_present = 0;
  for (size_t c = 0; c < m->info->n_cells; c++) {
    char path[CFG_PATH_MAX + 64];
    record_path(path, sizeof path, cfg, c);
    m->info->n_present += record_probe(path) == RECORD_COMPLETE;
  }
  for (int k = 0; k < ROW_COUNT && !rc; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    if (!ri->file) continue;
    if (!(rc = out_open(&m->table[k], cfg->out, ri->file, err))) {
      table_comments(m->table[k].f, cfg);
      fprintf(m->table[k].f, "# complete = %s\n# cells = %zu of %zu\n",
              m->info->n_present == m->info->n_cells ? "true" : "false", m->info->n_present, m->info->n_cells);
      table_header(m->table[k].f, (row_kind)k);
    }
  }
  if (!rc) rc = out_open(&m->manifest, cfg->out, "manifest.json", err);
  if (rc) return rc;

  for (int k = 0; k < AXIS_COUNT; k++) m->c_axis[k] = table_col(ROW_CELLS, cfg_axis_name((cfg_axis)k));
  m->c_depth = table_col(ROW_CELLS, "depth");
  m->c_status = table_col(ROW_CELLS, "status");
  m->c_att0 = table_col(ROW_CELLS, "attenuation0");
  m->c_loss = table_col(ROW_CELLS, "final_loss");
  m->c_sat = table_col(ROW_CELLS, "sat_frac_end");
  m->l_step = table_col(ROW_LAYERS, "step");
  m->l_layer = table_col(ROW_LAYERS, "layer");
  m->l_first = table_col(ROW_LAYERS, probe_cols[0].name);
  m->k_step = table_col(ROW_CURVES, "step");
  m->c_ncols = ncols(ROW_CELLS);
  m->l_ncols = ncols(ROW_LAYERS);
  m->k_ncols = ncols(ROW_CURVES);
  m->k_nv = table_curve_ncols();   /* the values after the step */
  size_t maxcols = m->c_ncols > m->l_ncols ? m->c_ncols : m->l_ncols;
  if (m->k_ncols > maxcols) maxcols = m->k_ncols;
  size_t ns = m->ns = cfg->seeds, n_groups = ns ? m->info->n_cells / ns : 0;
  m->layers = calloc(ns, sizeof *m->layers);
  m->curves = calloc(ns, sizeof *m->curves);
  m->pos = calloc(ns, sizeof *m->pos);
  m->scratch = malloc(ns * sizeof *m->scratch);
  m->att = malloc(ns * sizeof *m->att);
  m->sums = malloc(m->k_nv * sizeof *m->sums);
  m->values = malloc((PROBE_NCOLS > m->k_nv ? PROBE_NCOLS : m->k_nv) * sizeof *m->values);
  m->fields = malloc(maxcols * sizeof *m->fields);
  m->info->digest = calloc(n_groups ? n_groups : 1, sizeof *m->info->digest);
  m->info->n_groups = n_groups;
  if (!m->layers || !m->curves || !m->pos || !m->scratch || !m->att || !m->sums || !m->values || !m->fields
      || !m->info->digest)
    return sb_fail(err, SB_EFAIL, "out of memory merging tables");
  for (size_t s = 0; s < ns; s++) {
    m->layers[s].nv = PROBE_NCOLS;
    m->curves[s].nv = m->k_nv;
  }

  FILE *mf = m->manifest.f;
  char merged[32];
  prov_utc(prov_now(), merged, sizeof merged);
  /* What made these tables: this process's build, machine and command
   * (the records' own are counted at the end). */
  fprintf(mf, "{\n  \"satbench\": \"%s\",\n  \"git_commit\": ", PACKAGE_VERSION);
  json_string(mf, prov_git());
  fputs(",\n  \"compiler\": ", mf);
  json_string(mf, prov_compiler());
  fprintf(mf, ",\n  \"blas\": \"%s\",\n  \"blas_kernel\": ", SB_CBLAS_NAME);
  json_string(mf, *blas_kernel() ? blas_kernel() : "-");
  fputs(",\n  \"host\": ", mf);
  json_string(mf, prov_host());
  fputs(",\n  \"cpu\": ", mf);
  json_string(mf, prov_cpu());
  fprintf(mf, ",\n  \"threads\": %d,\n  \"command\": ", m->info->threads);
  json_string(mf, prov_command());
  fprintf(mf, ",\n  \"merged\": \"%s\",\n  \"wall_seconds\": %.3f,\n  \"config\": {", merged,
          m->info->wall_seconds);
  char *ct = config_text(cfg);
  int first = 1;
  for (char *p = ct; p && *p;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    char *eq = strstr(p, " = ");
    if (eq && *p != '#') {
      *eq = '\0';
      fprintf(mf, "%s\n    ", first ? "" : ",");
      json_string(mf, p);
      fputs(": ", mf);
      json_typed(mf, eq + 3, cfg_key_is_list(p));
      first = 0;
    }
    p = nl ? nl + 1 : NULL;
  }
  free(ct);
  fputs("\n  },\n  \"cells\": [", mf);
  return SB_OK;
}

/* The record's T rows: the group's profile, the same for every seed, so
 * the first seed's is kept. */
static int merge_theory(merger *m, const record *rec, const char *path, sb_error *err)
{
  for (size_t i = 0; i < rec->n[ROW_THEORY]; i++) {
    const char *row = rec->rows[ROW_THEORY][i];
    char *end;
    size_t l = strtoul(row, &end, 10);
    if (l == 0 || l > 1000000 || *end != '\t') return sb_fail(err, SB_EUSAGE, "%s: malformed theory row", path);
    if (l > m->theory_cap) {
      double *grown = realloc(m->theory, l * sizeof *grown);
      if (!grown) return sb_fail(err, SB_EFAIL, "out of memory merging %s", path);
      m->theory = grown;
      m->theory_cap = l;
    }
    for (; m->n_theory < l; m->n_theory++) m->theory[m->n_theory] = NAN;
    if (isnan(m->theory[l - 1])) m->theory[l - 1] = strtod(end + 1, NULL);
  }
  return SB_OK;
}

/* Rows of one type into a seed's slot: the key and nv values from first. */
static int merge_series(merger *m, char **rows, size_t n, size_t ncol, int c_step, int c_layer, int first,
                        seed_rows *sr, const char *path, sb_error *err)
{
  for (size_t i = 0; i < n; i++) {
    if (record_fields(rows[i], m->fields, ncol) != ncol) return sb_fail(err, SB_EUSAGE, "%s: malformed row", path);
    for (size_t k = 0; k < sr->nv; k++) m->values[k] = strtod(m->fields[first + (int)k], NULL);
    size_t layer = c_layer >= 0 ? strtoul(m->fields[c_layer], NULL, 10) : 0;
    if (seed_rows_add(sr, strtol(m->fields[c_step], NULL, 10), layer, m->values))
      return sb_fail(err, SB_EFAIL, "out of memory merging %s", path);
  }
  return SB_OK;
}

/* Step 2: one cell's record into the tables, its layer and curve rows
 * into its seed's slots and its cell row into the group's digest. */
static int merge_cell(merger *m, size_t g, size_t s, sb_error *err)
{
  size_t cell = g * m->ns + s;
  char path[CFG_PATH_MAX + 64];
  record_path(path, sizeof path, m->cfg, cell);
  record_state st = record_probe(path);
  if (st == RECORD_MISSING || st == RECORD_INCOMPLETE) return SB_OK;   /* not run yet, or half written */
  record rec;
  int rc = record_load(path, m->config, cell, &rec, err);
  if (rc) return rc;
  for (int k = 0; k < ROW_COUNT; k++) {
    FILE *f = m->table[k].f;
    if (!f || !table_row_info((row_kind)k)->tag) continue;
    for (size_t i = 0; i < rec.n[k]; i++) {
      fputs(rec.rows[k][i], f);
      fputc('\n', f);
    }
  }
  rc = merge_series(m, rec.rows[ROW_LAYERS], rec.n[ROW_LAYERS], m->l_ncols, m->l_step, m->l_layer, m->l_first,
                    &m->layers[s], path, err);
  if (!rc)
    rc = merge_series(m, rec.rows[ROW_CURVES], rec.n[ROW_CURVES], m->k_ncols, m->k_step, -1, m->k_step + 1,
                      &m->curves[s], path, err);
  if (!rc) rc = merge_theory(m, &rec, path, err);
  store_digest_row *dg = &m->info->digest[g];
  for (size_t i = 0; i < rec.n[ROW_CELLS] && !rc; i++) {
    if (record_fields(rec.rows[ROW_CELLS][i], m->fields, m->c_ncols) != m->c_ncols) {
      rc = sb_fail(err, SB_EUSAGE, "%s: malformed cell row", path);
      break;
    }
    char **fl = m->fields;
    for (int k = 0; k < AXIS_COUNT; k++) snprintf(dg->g.axis[k], sizeof dg->g.axis[k], "%s", fl[m->c_axis[k]]);
    dg->g.depth = strtoul(fl[m->c_depth], NULL, 10);
    dg->n++;
    int sk = train_status_parse(fl[m->c_status]);
    if (sk >= 0) dg->status[sk]++;
    double a0 = strtod(fl[m->c_att0], NULL);
    if (isfinite(a0)) m->att[m->n_att++] = a0;
    double loss = strtod(fl[m->c_loss], NULL);   /* NaN for a diverged cell */
    if (isfinite(loss)) { m->loss_sum += loss; m->n_loss++; }
    m->sat_sum += strtod(fl[m->c_sat], NULL);
  }
  if (!rc) {
    m->info->n_done++;
    int sk = train_status_parse(rec.status);
    if (sk >= 0) m->info->n_status[sk]++;
    fprintf(m->manifest.f, "%s\n    {\"cell\": %zu, \"status\": \"%s\", \"wall_seconds\": %.3f, \"host\": ",
            m->info->n_done == 1 ? "" : ",", cell, rec.status, rec.wall_seconds);
    json_string(m->manifest.f, rec.meta[RECORD_HOST]);
    fprintf(m->manifest.f, ", \"threads\": %d, \"blas_kernel\": ", rec.threads);
    json_string(m->manifest.f, rec.meta[RECORD_BLAS_KERNEL]);
    fputc('}', m->manifest.f);
    if (merge_provenance(m, &rec)) rc = sb_fail(err, SB_EFAIL, "out of memory merging %s", path);
  }
  record_free(&rec);
  return rc;
}

/* Step 3: a group's digest and summary rows, once its seeds are in. */
static void merge_group_end(merger *m, size_t g)
{
  store_digest_row *dg = &m->info->digest[g];
  seed_summary a;
  stats_over_seeds(m->att, m->n_att, &a);
  dg->att_mean = a.mean;
  dg->att_sd = a.sd;
  dg->loss_mean = m->n_loss ? m->loss_sum / (double)m->n_loss : NAN;
  dg->sat_mean = dg->n ? m->sat_sum / (double)dg->n : NAN;
  if (!dg->n) return;
  summarize_layers(m->table[ROW_SUMMARY].f, &dg->g, m->layers, m->ns, m->pos, m->scratch,
                   m->n_theory ? m->theory : NULL, m->n_theory);
  summarize_curves(m->table[ROW_CURVES_SUMMARY].f, &dg->g, m->curves, m->ns, m->pos, m->scratch, m->sums);
}

/* Step 4: the manifest's tail, then every file or none: commit only when
 * everything was written. */
static int merge_close(merger *m, int rc, sb_error *err)
{
  store_merge_info *info = m->info;
  if (!rc) {
    info->complete = info->n_done == info->n_cells;
    fprintf(m->manifest.f, "\n  ],\n  \"cells_total\": %zu,\n  \"cells_done\": %zu,\n", info->n_cells, info->n_done);
    for (int k = 0; k < TRAIN_NSTATUS; k++)   /* cells_diverged, cells_frozen, ...: train_statuses */
      if (train_statuses[k].counted)
        fprintf(m->manifest.f, "  \"cells_%s\": %zu,\n", train_statuses[k].name, info->n_status[k]);
    fprintf(m->manifest.f, "  \"complete\": %s", info->complete ? "true" : "false");
    fprintf(m->manifest.f, ",\n  \"records_kept\": %s", info->complete && !info->keep_records ? "false" : "true");
    /* The hosts that contributed; and, since kernels round differently,
     * a warning when the records come from more than one. */
    fputs(",\n  \"hosts\": [", m->manifest.f);
    for (size_t h = 0; h < m->hosts.n; h++) {
      fputs(h ? ", " : "", m->manifest.f);
      json_string(m->manifest.f, m->hosts.name[h]);
    }
    fputs("],\n  \"blas_kernels\": {", m->manifest.f);
    for (size_t k = 0; k < m->kernels.n; k++) {
      fputs(k ? ", " : "", m->manifest.f);
      json_string(m->manifest.f, m->kernels.name[k]);
      fprintf(m->manifest.f, ": %zu", m->kernels.count[k]);
    }
    fputc('}', m->manifest.f);
    /* The set of tables this manifest vouches for: a reader that finds a
     * table whose bytes differ (a merge killed between two renames) knows
     * the set is mixed. */
    /* When the cells ran, and every provenance value of the records with
     * its count of cells (one value each, for a grid of one machine). */
    fputs(",\n  \"started\": ", m->manifest.f);
    json_string(m->manifest.f, m->started[0] ? m->started : "?");
    fputs(",\n  \"ended\": ", m->manifest.f);
    json_string(m->manifest.f, m->ended[0] ? m->ended : "?");
    fputs(",\n  \"data_digest\": ", m->manifest.f);
    json_string(m->manifest.f, m->prov[RECORD_DATA].n == 1 ? m->prov[RECORD_DATA].name[0]
                               : m->prov[RECORD_DATA].n ? "mixed: see records" : "?");
    fputs(",\n  \"records\": {", m->manifest.f);
    for (int j = 0; j < RECORD_META_COUNT; j++) {
      if (j == RECORD_STARTED || j == RECORD_ENDED) continue;
      fprintf(m->manifest.f, "%s\n    \"%s\": {", j ? "," : "", record_meta_key(j));
      for (size_t i = 0; i < m->prov[j].n; i++) {
        fputs(i ? ", " : "", m->manifest.f);
        json_string(m->manifest.f, m->prov[j].name[i]);
        fprintf(m->manifest.f, ": %zu", m->prov[j].count[i]);
      }
      fputc('}', m->manifest.f);
    }
    fputs("\n  }", m->manifest.f);
    fputs(",\n  \"files\": {", m->manifest.f);
    int firstf = 1;
    for (int k = 0; k < ROW_COUNT && !rc; k++) {
      out_file *o = &m->table[k];
      if (!o->f) continue;
      uint64_t h;
      size_t bytes;
      if (m->cfg->compress && (rc = out_compress(o, err))) break;
      if (fflush(o->f) != 0 || fileio_hash_file(o->tmp, &h, &bytes) != 0)
        rc = sb_fail(err, SB_EFAIL, "writing %s: %s", o->path, strerror(errno));
      else {
        fprintf(m->manifest.f, "%s\n    \"%s%s\": {\"bytes\": %zu, \"fnv1a64\": \"%016llx\"}", firstf ? "" : ",",
                table_row_info((row_kind)k)->file, m->cfg->compress ? ".gz" : "", bytes, (unsigned long long)h);
        firstf = 0;
      }
    }
    fputs("\n  }\n}\n", m->manifest.f);
    info->n_hosts = m->hosts.n;
    info->mixed_blas[0] = '\0';
    if (m->kernels.n > 1) {
      size_t len = (size_t)snprintf(info->mixed_blas, sizeof info->mixed_blas, "the records come from %zu BLAS kernels (",
                                    m->kernels.n);
      for (size_t k = 0; k < m->kernels.n && len < sizeof info->mixed_blas; k++)
        len += (size_t)snprintf(info->mixed_blas + len, sizeof info->mixed_blas - len, "%s%s: %zu cells",
                                k ? ", " : "", m->kernels.name[k], m->kernels.count[k]);
      if (len < sizeof info->mixed_blas)
        snprintf(info->mixed_blas + len, sizeof info->mixed_blas - len,
                 "), which round differently: the tables are not those of one machine; set the same "
                 "OPENBLAS_CORETYPE on every host, or build --without-cblas (README, \"Running on a cluster\")");
    }
  }
  out_file *files[ROW_COUNT + 1];
  size_t nf = 0;
  for (int k = 0; k < ROW_COUNT; k++) files[nf++] = &m->table[k];
  files[nf++] = &m->manifest;   /* last: while the tables are renamed there is none */
  if (!rc) rc = merge_stopped(m->cfg, err);   /* the last moment to stop: from here the set is replaced */
  if (!rc) rc = store_check_folder(m->cfg, err);
  if (!rc && m->manifest.f && unlink(m->manifest.path) != 0 && errno != ENOENT)
    rc = sb_fail(err, SB_EFAIL, "cannot replace %s: %s", m->manifest.path, strerror(errno));
  /* A table of the other encoding (an earlier merge with or without
   * --compress) would be read instead of, or beside, the new one. */
  for (int k = 0; k < ROW_COUNT && !rc; k++) {
    const char *name = table_row_info((row_kind)k)->file;
    char other[CFG_PATH_MAX + 48];
    if (!name || !m->table[k].f) continue;
    snprintf(other, sizeof other, "%s/%s%s", m->cfg->out, name, m->cfg->compress ? "" : ".gz");
    if (unlink(other) != 0 && errno != ENOENT)
      rc = sb_fail(err, SB_EFAIL, "cannot remove %s: %s", other, strerror(errno));
  }
  for (size_t k = 0; k < nf; k++) {
    out_file *o = files[k];
    if (!o->f) continue;
    if (rc) { fclose(o->f); unlink(o->tmp); }
    else rc = fileio_commit(o->f, o->tmp, o->path, err);
    o->f = NULL;
  }
  free(m->theory);
  name_set_free(&m->hosts);
  name_set_free(&m->kernels);
  for (int j = 0; j < RECORD_META_COUNT; j++) name_set_free(&m->prov[j]);
  for (size_t s = 0; s < m->ns; s++) {
    if (m->layers) seed_rows_free(&m->layers[s]);
    if (m->curves) seed_rows_free(&m->curves[s]);
  }
  free(m->layers);
  free(m->curves);
  free(m->pos);
  free(m->scratch);
  free(m->att);
  free(m->sums);
  free(m->values);
  free(m->fields);
  return rc;
}

/* After a complete merge, with its tables and manifest in place: the cell
 * records, which hold the same rows again.  The renames of the set are
 * made durable first, so that a power cut cannot leave a folder with its
 * records gone and its old tables back.  Only this grid's cell-N.rec go:
 * config.txt (--resume, run --from) and the lock stay. */
static void remove_records(const sb_config *cfg, store_merge_info *info)
{
  char dir[CFG_PATH_MAX + 16], path[CFG_PATH_MAX + 64], first[CFG_PATH_MAX + 64] = "";
  size_t failed = 0;
  int e = 0;
  fileio_sync_dir(cfg->out);
  info->n_removed = 0;
  for (size_t c = 0; c < info->n_cells; c++) {
    record_path(path, sizeof path, cfg, c);
    if (unlink(path) == 0) info->n_removed++;
    else if (errno != ENOENT && !failed++) {
      e = errno;
      snprintf(first, sizeof first, "%s", path);
    }
  }
  snprintf(dir, sizeof dir, "%s/records", cfg->out);
  fileio_sync_dir(dir);
  if (failed)
    snprintf(info->records_warning, sizeof info->records_warning, "%zu of the %zu records could not be removed "
             "after the merge (%s: %s); the tables in %s/ are complete all the same", failed, info->n_cells, first,
             strerror(e), cfg->out);
}

int store_merge(const sb_config *cfg, store_merge_info *info, sb_error *err)
{
  merger m;
  memset(&m, 0, sizeof m);
  m.cfg = cfg;
  m.config = fingerprint(cfg);
  m.info = info;
  info->n_done = 0;
  memset(info->n_status, 0, sizeof info->n_status);
  int rc = merge_open(&m, err);
  for (size_t g = 0; !rc && g < info->n_groups; g++) {
    m.n_att = 0;
    m.loss_sum = m.sat_sum = 0.0;
    m.n_loss = 0;
    m.n_theory = 0;
    for (size_t s = 0; s < m.ns; s++) m.layers[s].n = m.curves[s].n = 0;
    for (size_t s = 0; s < m.ns && !rc; s++) rc = merge_cell(&m, g, s, err);
    if (!rc) merge_group_end(&m, g);
    if (!rc) rc = merge_stopped(cfg, err);
  }
  rc = merge_close(&m, rc, err);
  info->n_removed = 0;
  info->records_warning[0] = '\0';
  if (!rc && info->complete && !info->keep_records) remove_records(cfg, info);
  return rc;
}
