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
#include <jansson.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif
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

/* A file of the folder that cannot be read: SB_EUSAGE when it is not a
 * regular file (a FIFO, a symbolic link...), SB_EFAIL otherwise. */
static int read_failed(const char *what, const char *path, sb_error *err)
{
  int e = errno;
  if (e == FILEIO_ENOTREG || e == ELOOP) return sb_fail(err, SB_EUSAGE, "%s: %s: %s", what, path, fileio_strerror(e));
  return sb_fail(err, SB_EFAIL, "%s: cannot read %s: %s", what, path, strerror(e));
}

/* SB_OK when the folder's recorded configuration (conf) is mine; else
 * SB_EUSAGE naming the keys that differ.  what: "--resume" or "--shard". */
static int same_config(const sb_config *cfg, const char *what, const char *conf, const char *mine, sb_error *err)
{
  char *theirs = fileio_read_all(conf, NULL);
  if (!theirs) return read_failed(what, conf, err);
  char keys[1024];
  diff_keys(mine, theirs, keys, sizeof keys);
  free(theirs);
  if (keys[0])
    return sb_fail(err, SB_EUSAGE, "%s: %s was made by a different configuration (differs in: %s)", what, cfg->out,
                   keys);
  return SB_OK;
}

/* ---- one writer per folder -------------------------------------------- */

static int lock_fd = -1;      /* records/lock, held until the process ends */
static struct stat lock_dir;  /* records/ when it was locked */

/* The pid of a process of this host that holds a flock on the file st,
 * from /proc/locks (Linux), preferring want; 0 when none is known.  What
 * the lock file says can be stale (a holder that finished, or one that has
 * not written its line yet): only a holder the kernel confirms is named. */
static long lock_holder(const struct stat *st, long want)
{
#ifdef __linux__
  FILE *f = fopen("/proc/locks", "re");
  if (!f) return 0;
  char line[256];
  long found = 0;
  while (fgets(line, sizeof line, f)) {
    char kind[16];
    long pid;
    unsigned maj, min;
    unsigned long long ino;
    if (strstr(line, "->")) continue;   /* a waiter, not a holder */
    if (sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%llu", kind, &pid, &maj, &min, &ino) != 5) continue;
    if (strcmp(kind, "FLOCK") || ino != (unsigned long long)st->st_ino || maj != major(st->st_dev)
        || min != minor(st->st_dev))
      continue;
    if (!found || pid == want) found = pid;
  }
  fclose(f);
  return found;
#else
  (void)st;
  (void)want;
  return 0;
#endif
}

/* The refusal when another process holds the lock (fd, open on it): the
 * holder named only when the kernel says it holds it. */
static int lock_busy(const sb_config *cfg, int fd, sb_error *err)
{
  char said[128] = "", who[192] = "";
  ssize_t n = pread(fd, said, sizeof said - 1, 0);
  said[n > 0 ? n : 0] = '\0';
  said[strcspn(said, "\n")] = '\0';
  for (char *q = said; *q; q++)
    if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f) *q = '?';
  long said_pid = 0;
  char said_host[65] = "";
  const char *p = strstr(said, "pid ");
  if (p) sscanf(p, "pid %ld on %64s", &said_pid, said_host);
  struct stat st;
  long pid = fstat(fd, &st) == 0 ? lock_holder(&st, said_pid) : 0;
  if (pid && pid == said_pid && !strcmp(said_host, prov_host())) snprintf(who, sizeof who, " (%s)", said);
  else if (pid) snprintf(who, sizeof who, " (pid %ld on this host)", pid);
  return sb_fail(err, SB_EUSAGE, "--out: %s is in use by another satbench%s; wait for it to finish, or choose another "
                 "--out", cfg->out, who);
}

int store_lock(const sb_config *cfg, int shared, sb_error *err)
{
  if (lock_fd >= 0) return SB_OK;   /* this process holds it already */
  char rec[CFG_PATH_MAX], path[CFG_PATH_MAX];
  int rc = path_join(rec, sizeof rec, cfg->out, "records", err);
  if (!rc) rc = path_join(path, sizeof path, rec, "lock", err);
  if (rc) return rc;
  /* Never through a link: records/ planted as a symbolic link, or a lock
   * planted as one (or as a hard link, a FIFO, a device), would have this
   * process write, and truncate, a file of someone else's choosing. */
  /* The lock is looked at and opened relative to records/ opened once
   * (O_NOFOLLOW), so that records/ swapped for a link in between changes
   * nothing. */
  struct stat dir, st;
  int dfd = open(rec, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (dfd < 0) {
    int e = errno;
    if (lstat(rec, &dir) != 0 || S_ISDIR(dir.st_mode))
      return sb_fail(err, SB_EFAIL, "--out: cannot read %s: %s", rec, strerror(e));
    return sb_fail(err, SB_EUSAGE, "--out: %s is %s, not a directory: refused (satbench writes a grid's records "
                   "only into a directory of its own)", rec, S_ISLNK(dir.st_mode) ? "a symbolic link" : "not a directory");
  }
  int fd = -1;
  if (fstat(dfd, &dir) != 0) rc = sb_fail(err, SB_EFAIL, "--out: cannot read %s: %s", rec, strerror(errno));
  else if (fstatat(dfd, "lock", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))   /* not even opened: a device may act on open */
    rc = sb_fail(err, SB_EUSAGE, "--out: %s: %s", path, fileio_strerror(S_ISLNK(st.st_mode) ? ELOOP : FILEIO_ENOTREG));
  else if ((fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644)) < 0)
    rc = errno == ELOOP ? sb_fail(err, SB_EUSAGE, "--out: %s: %s", path, fileio_strerror(ELOOP))
                        : sb_fail(err, SB_EFAIL, "--out: cannot open %s: %s", path, strerror(errno));
  close(dfd);
  if (rc) return rc;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    int reg = S_ISREG(st.st_mode);
    close(fd);
    return sb_fail(err, SB_EUSAGE, "--out: %s: %s", path, reg ? "a file with other hard links: refused (satbench "
                   "writes its lock only into a file of its own; remove it)" : fileio_strerror(FILEIO_ENOTREG));
  }
  if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    int e = errno;
    if (e == EWOULDBLOCK) {
      rc = lock_busy(cfg, fd, err);
      close(fd);
      return rc;
    }
    close(fd);
    if (e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS) return SB_OK;   /* a filesystem without locks: see the manual, "Running on a cluster" */
    return sb_fail(err, SB_EFAIL, "--out: cannot lock %s: %s", path, strerror(e));
  }
  /* Say who holds it, for the next one's message (of shards, the last to
   * start); a reader trusts it only when the kernel confirms that pid. */
  char who[384];
  int n = shared ? snprintf(who, sizeof who, "shard %zu/%zu, pid %ld on %s\n", cfg->shard_k, cfg->shard_n,
                            (long)getpid(), prov_host())
                 : snprintf(who, sizeof who, "pid %ld on %s\n", (long)getpid(), prov_host());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, who, (size_t)n, 0) != n) { /* only the message loses */ }
  lock_fd = fd;
  lock_dir = dir;
  return SB_OK;
}

int store_check_folder(const sb_config *cfg, sb_error *err)
{
  if (lock_fd < 0) return SB_OK;   /* never locked (a filesystem without locks) */
  char rec[CFG_PATH_MAX], path[CFG_PATH_MAX];
  int rc = path_join(rec, sizeof rec, cfg->out, "records", err);
  if (!rc) rc = path_join(path, sizeof path, rec, "lock", err);
  if (rc) return rc;
  struct stat held, now, dir;
  int gone = lstat(path, &now) != 0;
  if (fstat(lock_fd, &held) == 0 && !gone && held.st_dev == now.st_dev && held.st_ino == now.st_ino) return SB_OK;
  if (lstat(rec, &dir) != 0 || dir.st_dev != lock_dir.st_dev || dir.st_ino != lock_dir.st_ino)
    return sb_fail(err, SB_EFAIL, "--out: %s was removed, moved or replaced while satbench ran: the records written "
                   "there are no longer in it and no table was written; run the grid again", cfg->out);
  /* Only the lock went: the folder and its records are where they were,
   * but another satbench may have taken a new lock since, so nothing more
   * is written; say what is there. */
  size_t n = cfg_n_cells(cfg), have = 0;
  for (size_t c = 0; c < n; c++) {
    char rp[CFG_PATH_MAX + 64];
    record_path(rp, sizeof rp, cfg, c);
    have += record_probe(rp) == RECORD_COMPLETE;
  }
  return sb_fail(err, SB_EFAIL, "--out: %s was %s while satbench ran, so the folder was no longer locked against "
                 "another satbench and nothing more was written; its records are intact: %zu of the grid's %zu cells "
                 "have a complete record in %s/; %s %s", path, gone ? "removed" : "replaced", have, n, rec,
                 have == n ? "write the tables with satbench merge --out" : "finish the grid with --resume (or its "
                 "shards), then satbench merge --out", cfg->out);
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
  int exists = lstat(conf, &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {   /* neither read nor replaced: refused by name */
    free(mine);
    return sb_fail(err, SB_EUSAGE, "%s: %s: %s", cfg->resume || cfg->shard_n ? what : "--out", conf,
                   fileio_strerror(S_ISLNK(st.st_mode) ? ELOOP : FILEIO_ENOTREG));
  }
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

/* Copy one file to a new name, whole or not at all. */
static int copy_file(const char *from, const char *to, sb_error *err)
{
  size_t len;
  char *text = fileio_read_all(from, &len);
  if (!text) return read_failed("--from", from, err);
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
  if (!theirs) { free(mine); return read_failed("--from", conf, err); }
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

/* ---- manifest.json -------------------------------------------------------
 * Written and read with jansson: every value encoded by it, and read back
 * by its parser, so that any equivalent JSON (re-indented, keys reordered,
 * keys added) is the same manifest. */

/* Text as a JSON string: bytes that are not UTF-8 (a host name, a command
 * line in another encoding) become '?', since JSON text is UTF-8. */
static json_t *jstr(const char *s)
{
  json_t *j = json_string(s);
  if (j) return j;
  char *copy = strdup(s);
  if (!copy) return NULL;
  for (char *q = copy; *q; q++)
    if ((unsigned char)*q >= 0x80) *q = '?';
  j = json_string(copy);
  free(copy);
  return j;
}

/* A real, or null for NaN and infinities (which JSON has no word for). */
static json_t *jreal(double x)
{
  return isfinite(x) ? json_real(x) : json_null();
}

/* A configuration value, typed by its option (cfg_key_type), never by
 * its text: every value of a key, and every item of a list, is of one
 * JSON type.  Text that is not of its type (which cfg_write does not
 * write; a seed beyond jansson's integers) stays a string. */
static json_t *config_scalar(const char *s, cfg_type type)
{
  char *end;
  errno = 0;
  switch (type) {
  case CFG_INTEGER: {
    long long v = strtoll(s, &end, 10);
    if (*s && !*end && errno != ERANGE) return json_integer(v);
    break;
  }
  case CFG_REAL: {
    double v = strtod(s, &end);
    if (*s && !*end && isfinite(v)) return json_real(v);
    break;
  }
  case CFG_BOOL:
    if (!strcmp(s, "true") || !strcmp(s, "false")) return json_boolean(!strcmp(s, "true"));
    break;
  case CFG_STRING:
    break;
  }
  return jstr(s);
}

static json_t *config_value(const char *key, const char *s)
{
  int list;
  cfg_type type = cfg_key_type(key, &list);
  if (!list) return config_scalar(s, type);
  json_t *a = json_array();
  char item[4096];
  for (const char *p = s; a && *p;) {
    size_t n = strcspn(p, ",");
    snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), p);
    if (json_array_append_new(a, config_scalar(item, type))) { json_decref(a); return NULL; }
    p += n;
    if (*p == ',') p++;
  }
  return a;
}

/* key = v into object o; a failure (out of memory, invalid UTF-8 in the
 * key) marks *bad. */
static void jset(json_t *o, const char *key, json_t *v, int *bad)
{
  if (!o || !v || json_object_set_new(o, key, v)) {
    json_t *k = jstr(key);   /* a key that is not UTF-8: '?' for its odd bytes */
    if (o && v && k && !json_object_set_new(o, json_string_value(k), v)) { json_decref(k); return; }
    json_decref(k);
    *bad = 1;
  }
}

/* The fewest significant digits (%.*g) that give x back, 1 to 17. */
static int real_digits(double x)
{
  char b[40];
  for (int p = 1; p < 17; p++) {
    snprintf(b, sizeof b, "%.*g", p, x);
    if (strtod(b, NULL) == x) return p;
  }
  return 17;
}

/* The digits that every real of v needs to round-trip. */
static int tree_digits(json_t *v)
{
  int d = 1, e;
  const char *k;
  json_t *c;
  size_t i;
  if (json_is_real(v)) return real_digits(json_real_value(v));
  if (json_is_object(v))
    json_object_foreach(v, k, c) if ((e = tree_digits(c)) > d) d = e;
  if (json_is_array(v))
    json_array_foreach(v, i, c) if ((e = tree_digits(c)) > d) d = e;
  return d;
}

/* One value on one line, its reals in their shortest round-trip form. */
static int jput(FILE *f, json_t *v)
{
  return json_dumpf(v, f, JSON_ENCODE_ANY | JSON_REAL_PRECISION(tree_digits(v)));
}

/* A key as a JSON string, then ": ". */
static int jkey(FILE *f, const char *k)
{
  json_t *s = json_string(k);
  int rc = s ? jput(f, s) : -1;
  json_decref(s);
  fputs(": ", f);
  return rc;
}

/* manifest.json's layout: a line per key, and a line per member of the
 * values of config, cells, records and files (a cell, a table per line). */
static int manifest_dump(FILE *f, json_t *root)
{
  static const char *const expand[] = { "config", "cells", "records", "files" };
  const char *k, *k2;
  json_t *v, *c;
  size_t i;
  int bad = 0, first = 1;
  fputc('{', f);
  json_object_foreach(root, k, v) {
    fputs(first ? "\n  " : ",\n  ", f);
    first = 0;
    bad |= jkey(f, k);
    int open = 0;
    for (size_t e = 0; e < sizeof expand / sizeof expand[0]; e++) open |= !strcmp(k, expand[e]);
    if (open && json_is_object(v)) {
      fputc('{', f);
      int f2 = 1;
      json_object_foreach(v, k2, c) {
        fputs(f2 ? "\n    " : ",\n    ", f);
        f2 = 0;
        bad |= jkey(f, k2) | jput(f, c);
      }
      fputs("\n  }", f);
    } else if (open && json_is_array(v)) {
      fputc('[', f);
      json_array_foreach(v, i, c) {
        fputs(i ? ",\n    " : "\n    ", f);
        bad |= jput(f, c);
      }
      fputs("\n  ]", f);
    } else bad |= jput(f, v);
  }
  fputs("\n}\n", f);
  return bad ? -1 : 0;
}

/* The manifest of dir, parsed, in *root (NULL, and SB_OK, when there is
 * none); its path in mpath.  SB_EUSAGE naming it when it is not a regular
 * file, too large or not a JSON object. */
#define MANIFEST_MAX (1UL << 30)
static int manifest_read(const char *dir, char *mpath, size_t size, json_t **root, sb_error *err)
{
  *root = NULL;
  snprintf(mpath, size, "%s/manifest.json", dir);
  size_t len;
  char *text = fileio_read_regular(mpath, MANIFEST_MAX, &len);
  if (!text) {
    int e = errno;
    if (e == ENOENT) return SB_OK;
    if (e == FILEIO_ENOTREG || e == ELOOP) return sb_fail(err, SB_EUSAGE, "%s: %s", mpath, fileio_strerror(e));
    return sb_fail(err, SB_EFAIL, "cannot read %s: %s", mpath, strerror(e));
  }
  if (len > MANIFEST_MAX) {
    free(text);
    return sb_fail(err, SB_EUSAGE, "%s: larger than %lu MiB: not a manifest satbench wrote", mpath, MANIFEST_MAX >> 20);
  }
  json_error_t je;
  /* integers as reals: a configuration's seed may be beyond jansson's
   * integers; the sizes read back are checked to be whole numbers */
  *root = json_loadb(text, len, JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES, &je);
  free(text);
  if (!*root) return sb_fail(err, SB_EUSAGE, "%s:%d:%d: not valid JSON: %s", mpath, je.line, je.column, je.text);
  if (!json_is_object(*root)) {
    json_decref(*root);
    *root = NULL;
    return sb_fail(err, SB_EUSAGE, "%s: not a JSON object", mpath);
  }
  return SB_OK;
}

/* A boolean of the manifest's top level; SB_EUSAGE naming the key when it
 * is missing or not true/false. */
static int manifest_bool(json_t *root, const char *mpath, const char *key, int *out, const char *fix, sb_error *err)
{
  json_t *v = json_object_get(root, key);
  if (!json_is_boolean(v))
    return sb_fail(err, SB_EUSAGE, "%s: \"%s\" is %s, not true or false; %s", mpath, key, v ? "of another type" : "missing",
                   fix);
  *out = json_is_true(v);
  return SB_OK;
}

/* A table's entry in "files": its size (a whole number of bytes) and its
 * checksum (16 hex digits) under the keys kb and kh.  *found = 0 when both
 * keys are absent and optional; else SB_EUSAGE naming the key. */
static int manifest_sum(json_t *e, const char *mpath, const char *file, const char *kb, const char *kh, int optional,
                        int *found, size_t *bytes, uint64_t *hash, const char *fix, sb_error *err)
{
  json_t *b = json_object_get(e, kb), *h = json_object_get(e, kh);
  *found = b || h;
  if (!*found && optional) return SB_OK;
  double v = json_is_number(b) ? json_number_value(b) : -1;
  if (!(v >= 0 && v < 9007199254740992.0 && v == floor(v)))
    return sb_fail(err, SB_EUSAGE, "%s: \"files\": \"%s\": \"%s\" is %s, not a whole number of bytes; %s", mpath, file,
                   kb, b ? "of another type or out of range" : "missing", fix);
  const char *t = json_string_value(h);
  if (!t || strlen(t) != 16 || strspn(t, "0123456789abcdefABCDEF") != 16)
    return sb_fail(err, SB_EUSAGE, "%s: \"files\": \"%s\": \"%s\" is %s, not 16 hex digits; %s", mpath, file, kh,
                   h ? "of another type or length" : "missing", fix);
  *bytes = (size_t)v;
  *hash = strtoull(t, NULL, 16);
  return SB_OK;
}

/* The hash and size of a table's text, read as tsv_fopen reads it (a
 * .gz decompressed); 0, or -1 with errno set. */
static int hash_text(const char *plain, uint64_t *hash, size_t *bytes)
{
  FILE *f = tsv_fopen(plain);
  return f ? fileio_hash_stream(f, hash, bytes) : -1;
}

/* The tables that the manifest (root, read from mpath) names, against the
 * files in dir: SB_OK, or SB_EUSAGE naming the first that is missing or
 * differs, with why (what a difference means here) and fix (what to do).
 * A table is found as NAME.tsv or NAME.tsv.gz, whichever tsv_fopen reads:
 * the same encoding as the manifest's entry is checked byte for byte; a
 * table gzipped or gunzipped since is checked by its text (the plain
 * entry's bytes and checksum, a .gz entry's text_bytes and text_fnv1a64). */
static int check_files(const char *dir, json_t *root, const char *mpath, const char *why, const char *fix,
                       sb_error *err)
{
  json_t *files = json_object_get(root, "files");
  if (!json_is_object(files))
    return sb_fail(err, SB_EUSAGE, "%s: \"files\" is %s, not an object naming the tables; %s", mpath,
                   files ? "of another type" : "missing", fix);
  int rc = SB_OK;
  for (int k = 0; k < ROW_COUNT && !rc; k++) {
    const char *name = table_row_info((row_kind)k)->file;
    if (!name) continue;
    char key[96];
    snprintf(key, sizeof key, "%s", name);
    json_t *e = json_object_get(files, key);
    if (!e) {
      snprintf(key, sizeof key, "%s.gz", name);
      e = json_object_get(files, key);
    }
    char plain[CFG_PATH_MAX + 64], path[CFG_PATH_MAX + 80];
    snprintf(plain, sizeof plain, "%s/%s", dir, name);
    if (!e && table_row_info((row_kind)k)->needs) {
      /* a table of a feature that was off: none, or one of another merge */
      if (tsv_resolve(plain, path, sizeof path))
        rc = sb_fail(err, SB_EUSAGE, "%s is there, but manifest.json does not name it (the grid ran without its "
                     "option): it is of another merge; remove it, or %s", path, fix);
      continue;
    }
    if (!e) {
      rc = sb_fail(err, SB_EUSAGE, "%s: manifest.json does not name %s (nor %s.gz); %s", dir, name, name, fix);
      break;
    }
    if (!json_is_object(e)) {
      rc = sb_fail(err, SB_EUSAGE, "%s: \"files\": \"%s\" is not an object; %s", mpath, key, fix);
      break;
    }
    int entry_gz = strcmp(key, name) != 0, found;
    size_t want_bytes, got_bytes;
    uint64_t want, got;
    if ((rc = manifest_sum(e, mpath, key, "bytes", "fnv1a64", 0, &found, &want_bytes, &want, fix, err))) break;
    if (!tsv_resolve(plain, path, sizeof path)) {
      rc = sb_fail(err, SB_EUSAGE, "%s/%s, which manifest.json names, is missing (nor is %s there); %s", dir, key,
                   entry_gz ? name : "its .gz", fix);
      break;
    }
    int present_gz = strcmp(path, plain) != 0, r;
    if (present_gz == entry_gz) r = fileio_hash_file(path, &got, &got_bytes);
    else {
      if (entry_gz) {   /* gunzipped since: its text against the text's sums */
        if ((rc = manifest_sum(e, mpath, key, "text_bytes", "text_fnv1a64", 1, &found, &want_bytes, &want, fix, err)))
          break;
        if (!found) {
          rc = sb_fail(err, SB_EUSAGE, "%s: manifest.json has only the checksum of %s, not of its text (a merge by an "
                       "earlier satbench), so %s cannot be checked; gzip it again, or %s", path, key, path, fix);
          break;
        }
      }
      r = hash_text(plain, &got, &got_bytes);
    }
    if (r != 0)
      rc = sb_fail(err, SB_EUSAGE, "%s, which manifest.json names, cannot be read: %s; %s", path,
                   fileio_strerror(errno), fix);
    else if (got_bytes != want_bytes || got != want)
      rc = sb_fail(err, SB_EUSAGE, "%s does not match manifest.json (%zu bytes, %zu expected%s): %s; %s", path,
                   got_bytes, want_bytes, present_gz == entry_gz ? "" : present_gz ? ", decompressed" : ", as text",
                   why, fix);
  }
  return rc;
}

int store_check_set(const char *dir, sb_error *err)
{
  char path[CFG_PATH_MAX + 64], mpath[CFG_PATH_MAX + 64], fix[CFG_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/cells.tsv", dir);
  if (!tsv_resolve(path, mpath, sizeof mpath)) return SB_OK;   /* no tables: reading cells.tsv says so */
  json_t *root;
  int rc = manifest_read(dir, mpath, sizeof mpath, &root, err);
  if (rc) return rc;
  if (!root)
    return sb_fail(err, SB_EUSAGE, "%s: no manifest.json beside the tables: they are not a finished merge (one was "
                   "interrupted?); run satbench merge --out %s", dir, dir);
  snprintf(fix, sizeof fix, "run satbench merge --out %s", dir);
  rc = check_files(dir, root, mpath, "the tables are of two merges, one of them interrupted", fix, err);
  json_decref(root);
  return rc;
}

int store_incomplete(const char *dir)
{
  char mpath[CFG_PATH_MAX + 64];
  json_t *root;
  sb_error e;
  if (manifest_read(dir, mpath, sizeof mpath, &root, &e) || !root) return 0;
  int incomplete = json_is_false(json_object_get(root, "complete"));
  json_decref(root);
  return incomplete;
}

int store_compacted(const sb_config *cfg, int *compacted, sb_error *err)
{
  *compacted = 0;
  /* With every record there, the records rebuild everything: the
   * manifest is not even read. */
  size_t n = cfg_n_cells(cfg);
  int missing = 0;
  for (size_t c = 0; c < n && !missing; c++) {
    char path[CFG_PATH_MAX + 64];
    struct stat st;
    record_path(path, sizeof path, cfg, c);
    missing = lstat(path, &st) != 0;
  }
  if (!missing) return SB_OK;
  char mpath[CFG_PATH_MAX + 64];
  json_t *root;
  const char *fix = "if the grid's records were not removed by a complete merge, remove manifest.json and run again";
  int rc = manifest_read(cfg->out, mpath, sizeof mpath, &root, err);
  if (rc) return rc;
  if (!root) return SB_OK;   /* no manifest: no complete merge removed anything */
  int complete = 0, kept = 1;
  if (!(rc = manifest_bool(root, mpath, "complete", &complete, fix, err)) &&
      !(rc = manifest_bool(root, mpath, "records_kept", &kept, fix, err)))
    *compacted = complete && !kept;
  if (!rc && *compacted)
    rc = check_files(cfg->out, root, mpath, "it was changed after the merge",
                     "its records were removed after that merge (--keep-records keeps them), so nothing can rebuild "
                     "it, and nothing was written: run the grid again, into a new --out", err);
  json_decref(root);
  return rc;
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
  double *scratch;
  seed_summary *sums;          /* (curve columns) */
  double *values;              /* (max values of a row) */
  double *theory;              /* the current group's mean-field profile (T rows) */
  size_t theory_cap, n_theory;
  /* columns of the records' rows, by name */
  int c_axis[AXIS_COUNT], c_depth, c_sw2, c_sb2;
  int l_step, l_layer, l_first, k_step;
  size_t c_ncols, l_ncols, k_ncols, k_nv;
  char **fields;               /* (max columns of a row) */
  table_group group;           /* the current group, from its cells' rows */
  size_t group_n;              /* its cells merged */
  name_set hosts, kernels;     /* where the records came from, and with which BLAS kernels */
  name_set prov[RECORD_META_COUNT];   /* every provenance value of the records, counted */
  char started[32], ended[32]; /* the earliest start and the latest end of a cell, UTC */
  json_t *man, *cells;         /* manifest.json, written at the end; its "cells" */
  int json_bad;                /* jansson failed (out of memory) */
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
  int fd = fflush(o->f) != 0 ? -1 : fileio_open_read(o->tmp);   /* its own temporary, never through a link */
  if (fd >= 0 && !(src = fdopen(fd, "rb"))) close(fd);
  int bad = !src || fileio_gzip(src, z.f) != 0;
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

static size_t ncols(row_kind k, unsigned features)
{
  char buf[8192];
  size_t n = 1;
  table_columns(k, features, buf, sizeof buf);
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
  unsigned ft = table_features(cfg);
  for (int k = 0; k < ROW_COUNT && !rc; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    if (!ri->file || (ri->needs & ~ft)) continue;   /* a feature that was off: no table */
    if (!(rc = out_open(&m->table[k], cfg->out, ri->file, err))) {
      table_comments(m->table[k].f, cfg);
      fprintf(m->table[k].f, "# complete = %s\n# cells = %zu of %zu\n",
              m->info->n_present == m->info->n_cells ? "true" : "false", m->info->n_present, m->info->n_cells);
      table_header(m->table[k].f, (row_kind)k, ft);
    }
  }
  if (!rc) rc = out_open(&m->manifest, cfg->out, "manifest.json", err);
  if (rc) return rc;

  for (int k = 0; k < AXIS_COUNT; k++) m->c_axis[k] = table_col(ROW_CELLS, ft, cfg_axis_name((cfg_axis)k));
  m->c_depth = table_col(ROW_CELLS, ft, "depth");
  m->c_sw2 = table_col(ROW_CELLS, ft, "sigma_w2");
  m->c_sb2 = table_col(ROW_CELLS, ft, "sigma_b2");
  m->l_step = table_col(ROW_LAYERS, ft, "step");
  m->l_layer = table_col(ROW_LAYERS, ft, "layer");
  m->l_first = table_col(ROW_LAYERS, ft, probe_cols[0].name);
  m->k_step = table_col(ROW_CURVES, ft, "step");
  m->c_ncols = ncols(ROW_CELLS, ft);
  m->l_ncols = ncols(ROW_LAYERS, ft);
  m->k_ncols = ncols(ROW_CURVES, ft);
  m->k_nv = table_curve_ncols();   /* the values after the step */
  size_t maxcols = m->c_ncols > m->l_ncols ? m->c_ncols : m->l_ncols;
  if (m->k_ncols > maxcols) maxcols = m->k_ncols;
  size_t ns = m->ns = cfg->seeds, n_groups = ns ? m->info->n_cells / ns : 0;
  m->layers = calloc(ns, sizeof *m->layers);
  m->curves = calloc(ns, sizeof *m->curves);
  m->pos = calloc(ns, sizeof *m->pos);
  m->scratch = malloc(ns * sizeof *m->scratch);
  m->sums = malloc(m->k_nv * sizeof *m->sums);
  m->values = malloc((PROBE_NCOLS > m->k_nv ? PROBE_NCOLS : m->k_nv) * sizeof *m->values);
  m->fields = malloc(maxcols * sizeof *m->fields);
  m->info->n_groups = n_groups;
  if (!m->layers || !m->curves || !m->pos || !m->scratch || !m->sums || !m->values || !m->fields)
    return sb_fail(err, SB_EFAIL, "out of memory merging tables");
  for (size_t s = 0; s < ns; s++) {
    m->layers[s].nv = PROBE_NCOLS;
    m->curves[s].nv = m->k_nv;
  }

  char merged[32];
  prov_utc(prov_now(), merged, sizeof merged);
  /* What made these tables: this process's build, machine and command
   * (the records' own are counted at the end). */
  json_t *o = m->man = json_object(), *conf = json_object();
  int *bad = &m->json_bad;
  jset(o, "satbench", jstr(PACKAGE_VERSION), bad);
  jset(o, "git_commit", jstr(prov_git()), bad);
  jset(o, "compiler", jstr(prov_compiler()), bad);
  jset(o, "blas", jstr(SB_CBLAS_NAME), bad);
  jset(o, "blas_kernel", jstr(*blas_kernel() ? blas_kernel() : "-"), bad);
  jset(o, "host", jstr(prov_host()), bad);
  jset(o, "cpu", jstr(prov_cpu()), bad);
  jset(o, "threads", json_integer(m->info->threads), bad);
  jset(o, "command", jstr(prov_command()), bad);
  jset(o, "merged", jstr(merged), bad);
  jset(o, "wall_seconds", jreal(round(m->info->wall_seconds * 1000) / 1000), bad);
  char *ct = config_text(cfg);
  if (!ct) *bad = 1;
  for (char *p = ct; p && *p;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    char *eq = strstr(p, " = ");
    if (eq && *p != '#') {
      *eq = '\0';
      jset(conf, p, config_value(p, eq + 3), bad);
    }
    p = nl ? nl + 1 : NULL;
  }
  free(ct);
  jset(o, "config", conf, bad);
  m->cells = json_array();
  jset(o, "cells", json_incref(m->cells), bad);
  if (*bad) return sb_fail(err, SB_EFAIL, "out of memory writing %s", m->manifest.path);
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
 * into its seed's slots; its cell row names the group. */
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
  for (size_t i = 0; i < rec.n[ROW_CELLS] && !rc; i++) {
    if (record_fields(rec.rows[ROW_CELLS][i], m->fields, m->c_ncols) != m->c_ncols) {
      rc = sb_fail(err, SB_EUSAGE, "%s: malformed cell row", path);
      break;
    }
    char **fl = m->fields;
    for (int k = 0; k < AXIS_COUNT; k++)
      snprintf(m->group.axis[k], sizeof m->group.axis[k], "%s",
               m->c_axis[k] >= 0 ? fl[m->c_axis[k]] : cfg_axis_default((cfg_axis)k));
    m->group.features = table_features(m->cfg);
    m->group.depth = strtoul(fl[m->c_depth], NULL, 10);
    snprintf(m->group.sigma_w2, sizeof m->group.sigma_w2, "%s", fl[m->c_sw2]);
    snprintf(m->group.sigma_b2, sizeof m->group.sigma_b2, "%s", fl[m->c_sb2]);
    m->group_n++;
  }
  if (!rc) {
    m->info->n_done++;
    int sk = train_status_parse(rec.status);
    if (sk >= 0) m->info->n_status[sk]++;
    json_t *c = json_object();
    int *bad = &m->json_bad;
    jset(c, "cell", json_integer((json_int_t)cell), bad);
    jset(c, "status", jstr(rec.status), bad);
    jset(c, "wall_seconds", jreal(round(rec.wall_seconds * 1000) / 1000), bad);
    jset(c, "host", jstr(rec.meta[RECORD_HOST]), bad);
    jset(c, "threads", json_integer(rec.threads), bad);
    jset(c, "blas_kernel", jstr(rec.meta[RECORD_BLAS_KERNEL]), bad);
    if (!c || json_array_append_new(m->cells, c)) *bad = 1;
    if (merge_provenance(m, &rec)) rc = sb_fail(err, SB_EFAIL, "out of memory merging %s", path);
  }
  record_free(&rec);
  return rc;
}

/* Step 3: a group's summary rows, once its seeds are in. */
static void merge_group_end(merger *m)
{
  if (!m->group_n) return;
  summarize_layers(m->table[ROW_SUMMARY].f, &m->group, m->layers, m->ns, m->pos, m->scratch,
                   m->n_theory ? m->theory : NULL, m->n_theory);
  summarize_curves(m->table[ROW_CURVES_SUMMARY].f, &m->group, m->curves, m->ns, m->pos, m->scratch, m->sums);
}

/* Step 4: the manifest's tail, then every file or none: commit only when
 * everything was written. */
static int merge_close(merger *m, int rc, sb_error *err)
{
  store_merge_info *info = m->info;
  if (!rc) {
    info->complete = info->n_done == info->n_cells;
    json_t *o = m->man, *hosts = json_array(), *kernels = json_object(), *recs = json_object(), *files = json_object();
    int *bad = &m->json_bad;
    jset(o, "cells_total", json_integer((json_int_t)info->n_cells), bad);
    jset(o, "cells_done", json_integer((json_int_t)info->n_done), bad);
    for (int k = 0; k < TRAIN_NSTATUS; k++)   /* cells_diverged, cells_frozen, ...: train_statuses */
      if (train_status_counted(k, cfg_emulates(m->cfg))) {
        char key[64];
        snprintf(key, sizeof key, "cells_%s", train_statuses[k].name);
        jset(o, key, json_integer((json_int_t)info->n_status[k]), bad);
      }
    jset(o, "complete", json_boolean(info->complete), bad);
    jset(o, "records_kept", json_boolean(!(info->complete && !info->keep_records)), bad);
    /* The hosts that contributed; and, since kernels round differently,
     * a warning when the records come from more than one. */
    for (size_t h = 0; h < m->hosts.n; h++)
      if (!hosts || json_array_append_new(hosts, jstr(m->hosts.name[h]))) *bad = 1;
    jset(o, "hosts", hosts, bad);
    for (size_t k = 0; k < m->kernels.n; k++)
      jset(kernels, m->kernels.name[k], json_integer((json_int_t)m->kernels.count[k]), bad);
    jset(o, "blas_kernels", kernels, bad);
    /* When the cells ran, and every provenance value of the records with
     * its count of cells (one value each, for a grid of one machine). */
    jset(o, "started", jstr(m->started[0] ? m->started : "?"), bad);
    jset(o, "ended", jstr(m->ended[0] ? m->ended : "?"), bad);
    jset(o, "data_digest", jstr(m->prov[RECORD_DATA].n == 1 ? m->prov[RECORD_DATA].name[0]
                                : m->prov[RECORD_DATA].n ? "mixed: see records" : "?"), bad);
    for (int j = 0; j < RECORD_META_COUNT; j++) {
      if (j == RECORD_STARTED || j == RECORD_ENDED) continue;
      json_t *vals = json_object();
      for (size_t i = 0; i < m->prov[j].n; i++)
        jset(vals, m->prov[j].name[i], json_integer((json_int_t)m->prov[j].count[i]), bad);
      jset(recs, record_meta_key(j), vals, bad);
    }
    jset(o, "records", recs, bad);
    /* The set of tables this manifest vouches for: a reader that finds a
     * table whose bytes differ (a merge killed between two renames) knows
     * the set is mixed.  A compressed table's text has its own sums, so
     * that it still checks once gunzipped. */
    for (int k = 0; k < ROW_COUNT && !rc; k++) {
      out_file *o2 = &m->table[k];
      if (!o2->f) continue;
      uint64_t h, th = 0;
      size_t bytes, tbytes = 0;
      char key[96];
      if (m->cfg->compress && (fflush(o2->f) != 0 || fileio_hash_file(o2->tmp, &th, &tbytes) != 0)) {
        rc = sb_fail(err, SB_EFAIL, "writing %s: %s", o2->path, strerror(errno));
        break;
      }
      if (m->cfg->compress && (rc = out_compress(o2, err))) break;
      if (fflush(o2->f) != 0 || fileio_hash_file(o2->tmp, &h, &bytes) != 0) {
        rc = sb_fail(err, SB_EFAIL, "writing %s: %s", o2->path, strerror(errno));
        break;
      }
      char hex[17];
      json_t *e = json_object();
      jset(e, "bytes", json_integer((json_int_t)bytes), bad);
      snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
      jset(e, "fnv1a64", jstr(hex), bad);
      if (m->cfg->compress) {
        jset(e, "text_bytes", json_integer((json_int_t)tbytes), bad);
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)th);
        jset(e, "text_fnv1a64", jstr(hex), bad);
      }
      snprintf(key, sizeof key, "%s%s", table_row_info((row_kind)k)->file, m->cfg->compress ? ".gz" : "");
      jset(files, key, e, bad);
    }
    jset(o, "files", files, bad);
    if (!rc && (*bad || manifest_dump(m->manifest.f, o) != 0))
      rc = sb_fail(err, SB_EFAIL, "writing %s: %s", m->manifest.path, *bad ? "out of memory" : strerror(errno));
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
                 "OPENBLAS_CORETYPE on every host, or build --without-cblas (info satbench, \"Running on a cluster\")");
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
  /* And a table this set does not have (a feature off: spectra.tsv
   * without --jacobian) would be read as its own, in either encoding. */
  for (int k = 0; k < ROW_COUNT && !rc; k++) {
    const char *name = table_row_info((row_kind)k)->file;
    char other[CFG_PATH_MAX + 48];
    if (!name) continue;
    for (int gz = 0; gz < 2 && !rc; gz++) {
      if (m->table[k].f && gz == (m->cfg->compress != 0)) continue;   /* the new one's encoding */
      snprintf(other, sizeof other, "%s/%s%s", m->cfg->out, name, gz ? ".gz" : "");
      if (unlink(other) != 0 && errno != ENOENT)
        rc = sb_fail(err, SB_EFAIL, "cannot remove %s: %s", other, strerror(errno));
    }
  }
  for (size_t k = 0; k < nf; k++) {
    out_file *o = files[k];
    if (!o->f) continue;
    if (rc) { fclose(o->f); unlink(o->tmp); }
    else rc = fileio_commit(o->f, o->tmp, o->path, err);
    o->f = NULL;
  }
  json_decref(m->man);
  json_decref(m->cells);
  m->man = m->cells = NULL;
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
    m.group_n = 0;
    m.n_theory = 0;
    for (size_t s = 0; s < m.ns; s++) m.layers[s].n = m.curves[s].n = 0;
    for (size_t s = 0; s < m.ns && !rc; s++) rc = merge_cell(&m, g, s, err);
    if (!rc) merge_group_end(&m);
    if (!rc) rc = merge_stopped(cfg, err);
  }
  rc = merge_close(&m, rc, err);
  info->n_removed = 0;
  info->records_warning[0] = '\0';
  if (!rc && info->complete && !info->keep_records) remove_records(cfg, info);
  return rc;
}
