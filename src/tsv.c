/* tsv.c - a reader for the tables satbench writes (see tsv.h). */
#include <config.h>
#include "tsv.h"
#include "fileio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(HAVE_ZLIB) && defined(HAVE_FOPENCOOKIE)
#include <zlib.h>
#define TSV_GZ 1
#endif

int tsv_can_compress(void)
{
#ifdef TSV_GZ
  return 1;
#else
  return 0;
#endif
}

#ifdef TSV_GZ
static ssize_t gz_cookie_read(void *cookie, char *buf, size_t n)
{
  gzFile z = cookie;
  int got = gzread(z, buf, n > INT_MAX ? INT_MAX : (unsigned)n);
  int zerr = Z_OK;
  if (got == 0) gzerror(z, &zerr);
  /* zlib reports a stream cut short as end of file plus Z_BUF_ERROR */
  if (got < 0 || (got == 0 && zerr != Z_OK && zerr != Z_STREAM_END)) { errno = EIO; return -1; }
  return got;
}

static int gz_cookie_close(void *cookie)
{
  return gzclose_r((gzFile)cookie) == Z_OK ? 0 : -1;
}
#endif

int tsv_resolve(const char *path, char *out, size_t size)
{
  struct stat st;   /* lstat: whatever is there, as tsv_fopen then refuses a link */
  if (lstat(path, &st) == 0) { snprintf(out, size, "%s", path); return 1; }
  int n = snprintf(out, size, "%s.gz", path);
  return n > 0 && (size_t)n < size && lstat(out, &st) == 0;
}

/* A regular file, opened without waiting (fileio_open_read). */
static FILE *open_regular(const char *path)
{
  int fd = fileio_open_read(path);
  FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
  if (!f && fd >= 0) { int e = errno; close(fd); errno = e; }
  return f;
}

FILE *tsv_fopen(const char *path)
{
  FILE *f = open_regular(path);
  if (f || errno != ENOENT) return f;
  char gz[4200];
  int n = snprintf(gz, sizeof gz, "%s.gz", path);
  if (n < 0 || (size_t)n >= sizeof gz) { errno = ENAMETOOLONG; return NULL; }
#ifdef TSV_GZ
  int fd = fileio_open_read(gz);
  if (fd < 0) return NULL;   /* ENOENT as for path itself, or what gz is */
  gzFile z = gzdopen(fd, "rb");
  if (!z) { close(fd); errno = ENOMEM; return NULL; }
  cookie_io_functions_t io = { gz_cookie_read, NULL, NULL, gz_cookie_close };
  f = fopencookie(z, "r", io);
  if (!f) gzclose_r(z);
  return f;
#else
  if (fileio_check_regular(gz) != 0 && errno != ENOENT) return NULL;
  if (access(gz, F_OK) == 0) errno = ENOTSUP;   /* there, but this build cannot read it */
  else errno = ENOENT;
  return NULL;
#endif
}

static size_t split(char *s, char **out, size_t max)
{
  size_t n = 0;
  for (char *p = s;;) {
    char *tab = strchr(p, '\t');
    if (tab) *tab = '\0';
    if (n < max) out[n] = p;
    n++;
    if (!tab) break;
    p = tab + 1;
  }
  return n;
}

/* A table's lines are short (a few KB at most: a cells.tsv row); a line
 * longer than this, or with a NUL byte, is not a satbench table. */
#define TSV_LINE_MAX (16 * 1024 * 1024)
enum { LINE_EOF = -1, LINE_LONG = -2, LINE_BINARY = -3 };

static ssize_t read_line(tsv_reader *t)
{
  ssize_t len;
  while ((len = getline(&t->line, &t->cap, t->f)) >= 0) {
    t->lineno++;
    if (len > TSV_LINE_MAX) return LINE_LONG;
    if (memchr(t->line, '\0', (size_t)len)) return LINE_BINARY;
    while (len > 0 && (t->line[len - 1] == '\n' || t->line[len - 1] == '\r')) t->line[--len] = '\0';
    if (len == 0 || t->line[0] == '#') continue;
    return len;
  }
  return LINE_EOF;
}

/* The message for a line that read_line refused. */
static int bad_line(const tsv_reader *t, ssize_t why, sb_error *err)
{
  if (why == LINE_LONG)
    return sb_fail(err, SB_EUSAGE, "%s:%zu: a line longer than %d bytes: not a satbench table", t->path, t->lineno,
                   TSV_LINE_MAX);
  return sb_fail(err, SB_EUSAGE, "%s:%zu: a NUL byte: a binary file, not a satbench table", t->path, t->lineno);
}

tsv_reader *tsv_open(const char *path, sb_error *err)
{
  tsv_reader *t = calloc(1, sizeof *t);
  if (!t) { sb_fail(err, SB_EFAIL, "out of memory"); return NULL; }
  /* messages name the file read: NAME.tsv, or NAME.tsv.gz */
  if (!tsv_resolve(path, t->path, sizeof t->path)) snprintf(t->path, sizeof t->path, "%s", path);
  t->f = tsv_fopen(path);
  if (!t->f) {
    if (errno == ENOTSUP)
      sb_fail(err, SB_EUSAGE, "%s.gz: a compressed table, and this satbench was built without zlib; gunzip it, or "
              "install zlib1g-dev and rebuild", path);
    else sb_fail(err, SB_EUSAGE, "%s: cannot open: %s", t->path, fileio_strerror(errno));
    tsv_close(t);
    return NULL;
  }
  ssize_t got = read_line(t);
  if (got < 0) {
    if (got == LINE_EOF) sb_fail(err, SB_EUSAGE, "%s: no header row", path);
    else bad_line(t, got, err);
    tsv_close(t);
    return NULL;
  }
  t->header = strdup(t->line);
  size_t n = 1;
  for (const char *p = t->line; *p; p++) n += *p == '\t';
  t->names = calloc(n ? n : 1, sizeof *t->names);
  t->fields = calloc(n ? n : 1, sizeof *t->fields);
  if (!t->header || !t->names || !t->fields) {
    sb_fail(err, SB_EFAIL, "out of memory");
    tsv_close(t);
    return NULL;
  }
  t->ncols = split(t->header, t->names, n);
  return t;
}

void tsv_close(tsv_reader *t)
{
  if (!t) return;
  if (t->f) fclose(t->f);
  free(t->line);
  free(t->header);
  free(t->names);
  free(t->fields);
  free(t);
}

int tsv_col(const tsv_reader *t, const char *name)
{
  for (size_t k = 0; k < t->ncols; k++)
    if (!strcmp(t->names[k], name)) return (int)k;
  return -1;
}

int tsv_need(const tsv_reader *t, const char *name, int *col, sb_error *err)
{
  *col = tsv_col(t, name);
  if (*col < 0) return sb_fail(err, SB_EUSAGE, "%s: no column '%s' (not a satbench table?)", t->path, name);
  return SB_OK;
}

int tsv_next(tsv_reader *t, sb_error *err)
{
  errno = 0;
  ssize_t got = read_line(t);
  if (got < LINE_EOF) return -bad_line(t, got, err);
  if (got < 0) {
    if (ferror(t->f)) return -sb_fail(err, SB_EFAIL, "%s: read error: %s", t->path, strerror(errno));
    return 0;
  }
  size_t n = split(t->line, t->fields, t->ncols);
  if (n != t->ncols)
    return -sb_fail(err, SB_EUSAGE, "%s:%zu: %zu fields, the header has %zu", t->path, t->lineno, n, t->ncols);
  return 1;
}

double tsv_num(const tsv_reader *t, int col)
{
  char *end;
  double v = strtod(t->fields[col], &end);
  return end == t->fields[col] ? NAN : v;
}
