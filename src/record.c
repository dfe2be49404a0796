/* record.c - writing, recognising and reading cell records (see record.h). */
#include <config.h>
#include "record.h"
#include "fileio.h"
#include "prov.h"
#include "blas.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD_MAGIC "# satbench record 2\n"
#define RECORD_END "# end\n"
#define MAX_COLUMNS_TEXT 8192

/* ---- the format ------------------------------------------------------------ */

uint64_t record_hash(const char *text, size_t n)
{
  return fileio_hash(FILEIO_HASH_INIT, text, n);
}

uint64_t record_format(unsigned features)
{
  uint64_t h = FILEIO_HASH_INIT;
  char buf[MAX_COLUMNS_TEXT];
  for (int k = 0; k < ROW_COUNT; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    if (!ri->tag) continue;
    size_t n = table_columns((row_kind)k, features, buf, sizeof buf);
    h = fileio_hash(h, &ri->tag, 1);
    h = fileio_hash(h, "=", 1);
    h = fileio_hash(h, buf, n < sizeof buf ? n : sizeof buf - 1);
    h = fileio_hash(h, "\n", 1);
  }
  return h;
}

/* Whether fmt is this build's format of a record of some grid (its
 * features, TABLE_*, are the grid's: the configuration fingerprint, checked
 * apart, says which grid). */
static int known_format(uint64_t fmt)
{
  for (unsigned f = 0; f <= TABLE_ALL; f++)
    if (fmt == record_format(f)) return 1;
  return 0;
}

static int row_of_tag(char tag)
{
  for (int k = 0; k < ROW_COUNT; k++)
    if (tag && table_row_info((row_kind)k)->tag == tag) return k;
  return -1;
}

/* ---- writing ----------------------------------------------------------------- */

/* The rows of a record, tagged, in this order. */
static void write_body(FILE *f, const table_cell *c, const train_result *r)
{
  static const row_kind order[] = { ROW_CELLS, ROW_LAYERS, ROW_THEORY, ROW_HIST, ROW_CURVES, ROW_SPECTRA, ROW_PREC, ROW_LOG2HIST, ROW_GATES };
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    char prefix[4];
    snprintf(prefix, sizeof prefix, "%c\t", table_row_info(order[i])->tag);
    table_cell_rows(f, prefix, order[i], c, r);
  }
}

/* Rows of each tag in a body: n[k] for row type k. */
static void count_rows(const char *body, size_t len, size_t n[ROW_COUNT])
{
  for (int k = 0; k < ROW_COUNT; k++) n[k] = 0;
  for (const char *p = body, *end = body + len; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    int k = end - p >= 2 && p[1] == '\t' ? row_of_tag(p[0]) : -1;
    if (k >= 0) n[k]++;
    p = nl ? nl + 1 : end;
  }
}

/* "C:1 L:40 ..." for the header's rows line. */
static void rows_text(const size_t n[ROW_COUNT], char *buf, size_t size)
{
  buf[0] = '\0';
  for (int k = 0; k < ROW_COUNT; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    if (!ri->tag) continue;
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%c:%zu", used ? " " : "", ri->tag, n[k]);
  }
}

static const char *const meta_keys[RECORD_META_COUNT] = {
  [RECORD_VERSION] = "version", [RECORD_HOST] = "host", [RECORD_BLAS] = "blas", [RECORD_BLAS_KERNEL] = "blas_kernel",
  [RECORD_CPU] = "cpu", [RECORD_COMPILER] = "compiler", [RECORD_GIT] = "git", [RECORD_STARTED] = "started",
  [RECORD_ENDED] = "ended", [RECORD_COMMAND] = "command", [RECORD_DATA] = "data",
};

const char *record_meta_key(int k) { return k >= 0 && k < RECORD_META_COUNT ? meta_keys[k] : NULL; }

int record_write(const char *path, uint64_t config, const table_cell *c, const train_result *r,
                 const record_prov *pv, sb_error *err)
{
  double ended = prov_now();
  char *body = NULL;
  size_t blen = 0;
  FILE *mem = open_memstream(&body, &blen);
  if (!mem) return sb_fail(err, SB_EFAIL, "out of memory writing %s", path);
  write_body(mem, c, r);
  if (fclose(mem) != 0) { free(body); return sb_fail(err, SB_EFAIL, "out of memory writing %s", path); }
  size_t n[ROW_COUNT];
  count_rows(body, blen, n);
  char counts[256];
  rows_text(n, counts, sizeof counts);

  char tmp[4200];
  FILE *f = fileio_open_tmp(tmp, sizeof tmp, path, err);
  if (!f) { free(body); return SB_EFAIL; }
  fputs(RECORD_MAGIC, f);
  fprintf(f, "# version = %s\n# format = fnv1a64:%016llx\n", PACKAGE_VERSION,
          (unsigned long long)record_format(c->features));
  char buf[MAX_COLUMNS_TEXT];
  for (int k = 0; k < ROW_COUNT; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    if (!ri->tag) continue;
    table_columns((row_kind)k, c->features, buf, sizeof buf);
    fprintf(f, "# columns %c = %s\n", ri->tag, buf);
  }
  fprintf(f, "# config = fnv1a64:%016llx\n# cell = %zu\n# rows = %s\n# checksum = fnv1a64:%016llx\n",
          (unsigned long long)config, c->cell, counts, (unsigned long long)record_hash(body, blen));
  fprintf(f, "# wall_seconds = %.3f\n# status = %s\n# steps_done = %ld\n", pv->wall_seconds,
          table_status_name(r->status), r->steps_done);
  char t0[32], t1[32];
  prov_utc(ended - pv->wall_seconds, t0, sizeof t0);
  prov_utc(ended, t1, sizeof t1);
  fprintf(f, "# host = %s\n# threads = %d\n# blas = %s\n# blas_kernel = %s\n", prov_host(), pv->threads, blas_name(),
          *blas_kernel() ? blas_kernel() : "-");
  fprintf(f, "# cpu = %s\n# compiler = %s\n# git = %s\n# started = %s\n# ended = %s\n# command = %s\n"
          "# data = fnv1a64:%016llx\n", prov_cpu(), prov_compiler(), prov_git(), t0, t1, prov_command(),
          (unsigned long long)pv->data_digest);
  fwrite(body, 1, blen, f);
  free(body);
  fputs(RECORD_END, f);
  int rc = fileio_commit(f, tmp, path, err);
  if (rc) return rc;
  /* Make the rename itself durable (power loss, not just kill -9). */
  char dir[4200];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) {
    *slash = '\0';
    fileio_sync_dir(dir);
  }
  return SB_OK;
}

/* ---- recognising ---------------------------------------------------------------- */

/* "# format = fnv1a64:HEX" of a record's header; 0 when it has none. */
static int header_format(const char *text, uint64_t *fmt)
{
  const char *p = strstr(text, "\n# format = fnv1a64:");
  const char *body = strstr(text, "\n# end");
  if (!p || (body && p > body)) return 0;
  char *end;
  *fmt = strtoull(p + strlen("\n# format = fnv1a64:"), &end, 16);
  return *end == '\n';
}

record_state record_probe(const char *path)
{
  /* Something else under a record's name (a FIFO, a device, a symbolic
   * link) is never waited on nor run over: record_load refuses it by name. */
  int fd = fileio_open_read(path);
  if (fd < 0) return errno == FILEIO_ENOTREG || errno == ELOOP ? RECORD_FOREIGN : RECORD_MISSING;
  FILE *f = fdopen(fd, "rb");
  if (!f) { close(fd); return RECORD_MISSING; }
  char head[512];
  size_t got = fread(head, 1, sizeof head - 1, f);
  head[got] = '\0';
  char tail[sizeof RECORD_END];
  size_t n = strlen(RECORD_END);
  int complete = fseek(f, -(long)n, SEEK_END) == 0 && fread(tail, 1, n, f) == n && !memcmp(tail, RECORD_END, n);
  fclose(f);
  if (!complete) return RECORD_INCOMPLETE;
  uint64_t fmt;
  if (strncmp(head, RECORD_MAGIC, strlen(RECORD_MAGIC)) || !header_format(head, &fmt) || !known_format(fmt))
    return RECORD_FOREIGN;
  return RECORD_COMPLETE;
}

/* ---- reading -------------------------------------------------------------------- */

/* The value of "# columns TAG = ..." in a header, or NULL (*len set). */
static const char *header_columns(const char *text, char tag, size_t *len)
{
  char key[32];
  snprintf(key, sizeof key, "\n# columns %c = ", tag);
  const char *p = strstr(text, key);
  if (!p) return NULL;
  p += strlen(key);
  *len = strcspn(p, "\n");
  return p;
}

/* What a foreign record's columns are, against ours: the first row type
 * that differs and a column it lacks or has beyond ours. */
static void describe_foreign(const char *path, const char *text, sb_error *err)
{
  char by[96] = "an earlier satbench";
  const char *v = strstr(text, "\n# version = ");
  if (v) snprintf(by, sizeof by, "satbench %.*s", (int)strcspn(v + 13, "\n"), v + 13);
  if (strncmp(text, RECORD_MAGIC, strlen(RECORD_MAGIC))) {
    int n = (int)strcspn(text, "\n");
    sb_fail(err, SB_EUSAGE, "%s was written by %s ('%.*s'), whose columns this build of satbench does "
            "not read; rerun without --resume into a new --out, or resume with the build that wrote it",
            path, by, n > 40 ? 40 : n, text);
    return;
  }
  char ours[MAX_COLUMNS_TEXT];
  for (int k = 0; k < ROW_COUNT; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    if (!ri->tag) continue;
    size_t tl = 0, ol = 0;
    const char *theirs = header_columns(text, ri->tag, &tl);
    int same = 0;   /* as ours are with some features (TABLE_*): the record's grid's are not known here */
    for (unsigned f = 0; f <= TABLE_ALL && !same; f++) {
      ol = table_columns((row_kind)k, f, ours, sizeof ours);
      same = theirs && tl == ol && !memcmp(theirs, ours, ol);
    }
    if (same) continue;
    /* compared with our columns under the features whose list shares the
     * longest beginning with theirs (the record's grid's, most likely) */
    unsigned best = TABLE_ALL;
    size_t best_common = 0;
    for (unsigned f = 0; f <= TABLE_ALL && theirs; f++) {
      ol = table_columns((row_kind)k, f, ours, sizeof ours);
      size_t c = 0;
      while (c < ol && c < tl && ours[c] == theirs[c]) c++;
      if (c > best_common) { best_common = c; best = f; }
    }
    ol = table_columns((row_kind)k, best, ours, sizeof ours);
    /* the first column of one list missing from the other */
    char what[160] = "";
    const char *lists[2] = { ours, theirs ? theirs : "" };
    size_t lens[2] = { ol, theirs ? tl : 0 };
    for (int side = 0; side < 2 && !what[0]; side++)
      for (size_t i = 0; i < lens[side] && !what[0];) {
        size_t n = strcspn(lists[side] + i, "\t\n");
        if (n > lens[side] - i) n = lens[side] - i;
        int found = 0;
        for (size_t j = 0; j < lens[1 - side] && !found;) {
          size_t m = strcspn(lists[1 - side] + j, "\t\n");
          if (m > lens[1 - side] - j) m = lens[1 - side] - j;
          found = m == n && !memcmp(lists[side] + i, lists[1 - side] + j, n);
          j += m + 1;
        }
        if (!found)
          snprintf(what, sizeof what, "%s '%.*s'", side ? "has a column" : "lacks the column", (int)n, lists[side] + i);
        i += n + 1;
      }
    if (!what[0]) snprintf(what, sizeof what, "has them in another order");
    sb_fail(err, SB_EUSAGE, "%s was written by %s with other %s columns (it %s that this build of "
            "satbench writes); rerun without --resume into a new --out, or resume with the build that wrote it",
            path, by, ri->file ? ri->file : "record", what);
    return;
  }
  sb_fail(err, SB_EUSAGE, "%s: unrecognised record header; rerun without --resume into a new --out", path);
}

void record_free(record *rec)
{
  if (!rec) return;
  free(rec->text);
  for (int k = 0; k < ROW_COUNT; k++) free(rec->rows[k]);
  memset(rec, 0, sizeof *rec);
}

/* The value of "# KEY = " in the header (the lines before the first row),
 * or NULL; *len its length. */
static const char *header_value(const char *text, const char *body, const char *key, size_t *len)
{
  size_t kl = strlen(key);
  for (const char *p = text; p < body;) {
    const char *nl = memchr(p, '\n', (size_t)(body - p));
    if (!nl) break;
    if ((size_t)(nl - p) > kl + 5 && !memcmp(p, "# ", 2) && !memcmp(p + 2, key, kl) && !memcmp(p + 2 + kl, " = ", 3)) {
      *len = (size_t)(nl - p) - kl - 5;
      return p + kl + 5;
    }
    p = nl + 1;
  }
  return NULL;
}

/* A hex fnv1a64 value "fnv1a64:HEX" of the header. */
static int header_hash(const char *text, const char *body, const char *key, uint64_t *out)
{
  size_t len;
  const char *v = header_value(text, body, key, &len);
  if (!v || len != 8 + 16 || memcmp(v, "fnv1a64:", 8)) return 0;
  uint64_t h = 0;
  for (size_t i = 8; i < len; i++) {
    int c = v[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return 0;
    h = h << 4 | (uint64_t)d;
  }
  *out = h;
  return 1;
}

int record_load(const char *path, uint64_t config, size_t cell, record *rec, sb_error *err)
{
  memset(rec, 0, sizeof *rec);
  size_t len;
  char *text = fileio_read_all(path, &len);
  if (!text && (errno == FILEIO_ENOTREG || errno == ELOOP))
    return sb_fail(err, SB_EUSAGE, "%s: %s; remove it and run with --resume to compute the cell again", path,
                   fileio_strerror(errno));
  if (!text) return sb_fail(err, SB_EFAIL, "cannot read %s: %s", path, strerror(errno));
  rec->text = text;
  size_t n_end = strlen(RECORD_END);
  if (len < n_end || memcmp(text + len - n_end, RECORD_END, n_end)) {
    record_free(rec);
    return sb_fail(err, SB_EUSAGE, "%s: incomplete record (no '# end')", path);
  }
  if (memchr(text, '\0', len)) {
    record_free(rec);
    return sb_fail(err, SB_EUSAGE, "%s: not a record: it holds NUL bytes (a binary file)", path);
  }
  uint64_t fmt;
  if (strncmp(text, RECORD_MAGIC, strlen(RECORD_MAGIC)) || !header_format(text, &fmt) || !known_format(fmt)) {
    describe_foreign(path, text, err);
    record_free(rec);
    return SB_EUSAGE;
  }
  /* The header is every line up to the first row; the body the rows up
   * to "# end", nothing else. */
  char *body = text, *end = text + len - n_end;
  while (body < end && body[0] == '#') {
    char *nl = memchr(body, '\n', (size_t)(end - body));
    body = nl ? nl + 1 : end;
  }
  const char *why = NULL;
  char whybuf[160];
  uint64_t their_config, sum;
  size_t vl;
  const char *cv = header_value(text, body, "cell", &vl);
  const char *rv = header_value(text, body, "rows", &vl);
  if (!header_hash(text, body, "config", &their_config) || !cv || !rv || !header_hash(text, body, "checksum", &sum))
    why = "its header lacks the config, cell, rows or checksum line";
  else if (their_config != config)
    why = "it belongs to another grid (its configuration fingerprint is not this grid's)";
  else if (strtoull(cv, NULL, 10) != cell || cv[0] < '0' || cv[0] > '9') {
    snprintf(whybuf, sizeof whybuf, "it is the record of cell %.*s, not of cell %zu", (int)strcspn(cv, "\n"), cv, cell);
    why = whybuf;
  } else if (record_hash(body, (size_t)(end - body)) != sum)
    why = "its rows do not match their checksum (the file was changed after satbench wrote it)";
  else {
    size_t n[ROW_COUNT];
    char counts[256];
    count_rows(body, (size_t)(end - body), n);
    rows_text(n, counts, sizeof counts);
    if (strlen(counts) != strcspn(rv, "\n") || memcmp(counts, rv, strlen(counts)))
      why = "its row counts do not match its header";
    else if (n[ROW_CELLS] != 1)
      why = "it does not hold exactly one cell row";
  }
  if (why) {
    record_free(rec);
    return sb_fail(err, SB_EUSAGE, "%s: refused: %s; delete it and run with --resume to compute the cell again",
                   path, why);
  }
  for (int k = 0; k < ROW_COUNT; k++) rec->n[k] = 0;
  size_t cap[ROW_COUNT];
  count_rows(body, (size_t)(end - body), cap);
  for (int k = 0; k < ROW_COUNT; k++)
    if (cap[k] && !(rec->rows[k] = malloc(cap[k] * sizeof *rec->rows[k]))) {
      record_free(rec);
      return sb_fail(err, SB_EFAIL, "out of memory reading %s", path);
    }
  rec->wall_seconds = NAN;
  snprintf(rec->status, sizeof rec->status, "?");
  for (int k = 0; k < RECORD_META_COUNT; k++) rec->meta[k] = "?";
  size_t lineno = 0;
  for (char *p = text; p < end;) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    lineno++;
    if (!nl) break;   /* cannot happen: the text ends in "# end\n" */
    *nl = '\0';
    if (p < body) {
      sscanf(p, "# wall_seconds = %lf", &rec->wall_seconds);
      sscanf(p, "# status = %15s", rec->status);
      sscanf(p, "# threads = %d", &rec->threads);
      for (int k = 0; k < RECORD_META_COUNT; k++) {
        size_t kl = strlen(meta_keys[k]);
        if (!strncmp(p, "# ", 2) && !strncmp(p + 2, meta_keys[k], kl) && !strncmp(p + 2 + kl, " = ", 3))
          rec->meta[k] = p + 5 + kl;
      }
    } else {
      int k = p[0] && p[1] == '\t' ? row_of_tag(p[0]) : -1;
      if (k < 0 || rec->n[k] >= cap[k]) {
        record_free(rec);
        return sb_fail(err, SB_EUSAGE, "%s:%zu: refused: not a record row", path, lineno);
      }
      rec->rows[k][rec->n[k]++] = p + 2;
    }
    p = nl + 1;
  }
  return SB_OK;
}

size_t record_fields(char *row, char **fields, size_t max)
{
  size_t n = 0;
  for (char *p = row;;) {
    char *t = strchr(p, '\t');
    if (n < max) fields[n] = p;
    n++;
    if (!t) break;
    *t = '\0';
    p = t + 1;
  }
  return n;
}
