/* dataio.c - IDX and CSV datasets (see dataio.h).
 *
 * Both readers stream the file through one buffered reader (zlib's gzread
 * when the build has it, which reads plain files as well, else stdio), so
 * memory holds only the examples kept, never the whole file, and every
 * byte passes through one running FNV-1a digest that lets table headers
 * and --resume tell one file's contents from another's.  Every example is
 * checked even when only the first few are kept: a file that is bad at its
 * end is refused before any work starts, not after hours of it. */
#include <config.h>
#include "dataio.h"
#include "fileio.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

int dataio_has_zlib(void)
{
#ifdef HAVE_ZLIB
  return 1;
#else
  return 0;
#endif
}

/* ---- messages ------------------------------------------------------------ */

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static int fail_at(sb_error *err, const char *path, uint64_t off, const char *fmt, ...) PRINTF_LIKE(4, 5);
static int fail_line(sb_error *err, const char *path, unsigned long line, const char *fmt, ...) PRINTF_LIKE(4, 5);

/* "--dataset: FILE: byte N: ..." -- IDX problems, by offset from the start
 * of the (uncompressed) file. */
static int fail_at(sb_error *err, const char *path, uint64_t off, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return sb_fail(err, SB_EUSAGE, "--dataset: %s: byte %" PRIu64 ": %s", path, off, msg);
}

/* "--dataset: FILE:LINE: ..." -- CSV problems, as compilers report them. */
static int fail_line(sb_error *err, const char *path, unsigned long line, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return sb_fail(err, SB_EUSAGE, "--dataset: %s:%lu: %s", path, line, msg);
}

/* ---- buffered reader ----------------------------------------------------- */

#define READER_BUF 65536

typedef struct reader {
  const char *path;
#ifdef HAVE_ZLIB
  gzFile gz;
#else
  FILE *f;
#endif
  uint64_t base;        /* stream offset of buf[0] */
  size_t pos, len;      /* next byte to hand out; bytes in buf */
  int eof;              /* the stream has nothing after buf */
  uint64_t *digest;     /* running FNV-1a of every byte read */
  unsigned char buf[READER_BUF];
} reader;

static uint64_t reader_offset(const reader *rd)
{
  return rd->base + rd->pos;
}

static void reader_close(reader *rd)
{
  if (!rd) return;
#ifdef HAVE_ZLIB
  if (rd->gz) gzclose(rd->gz);
#else
  if (rd->f) fclose(rd->f);
#endif
  free(rd);
}

static int reader_open(reader **out, const char *path, uint64_t *digest, sb_error *err)
{
  *out = NULL;
  reader *rd = malloc(sizeof *rd);
  if (!rd) return sb_fail(err, SB_EFAIL, "out of memory opening %s", path);
  rd->path = path;
  rd->base = 0;
  rd->pos = rd->len = 0;
  rd->eof = 0;
  rd->digest = digest;
  /* A dataset is read twice (checked before anything is written, then
   * loaded): a pipe, a FIFO or a device would be empty, or hang, the
   * second time. */
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    free(rd);
    if (S_ISDIR(st.st_mode)) return sb_fail(err, SB_EUSAGE, "--dataset: %s is a directory, not a file", path);
    return sb_fail(err, SB_EUSAGE, "--dataset: %s is %s, not a regular file: satbench reads a dataset twice (to check "
                   "it before anything is written, then to load it); save it to a file first", path,
                   S_ISFIFO(st.st_mode) ? "a pipe or FIFO" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a special file");
  }
  errno = 0;
#ifdef HAVE_ZLIB
  rd->gz = gzopen(path, "rb");
  if (!rd->gz) {
    int e = errno;
    free(rd);
    return sb_fail(err, SB_EUSAGE, "--dataset: %s: cannot open: %s", path, e ? strerror(e) : "out of memory");
  }
#else
  rd->f = fopen(path, "rb");
  if (!rd->f) {
    int e = errno;
    free(rd);
    return sb_fail(err, SB_EUSAGE, "--dataset: %s: cannot open: %s", path, strerror(e));
  }
#endif
  *out = rd;
  return SB_OK;
}

/* Replace the buffer with the next bytes of the stream (none at its end). */
static int reader_fill(reader *rd, sb_error *err)
{
  rd->base += rd->len;
  rd->pos = rd->len = 0;
  if (rd->eof) return SB_OK;
#ifdef HAVE_ZLIB
  int got = gzread(rd->gz, rd->buf, READER_BUF);
  int zerr = Z_OK;
  const char *zmsg = got <= 0 ? gzerror(rd->gz, &zerr) : "";
  if (got < 0 || (got == 0 && zerr != Z_OK)) {
    /* zlib reports a gzip stream cut short as end of file plus Z_BUF_ERROR:
     * without this check a truncated .gz would read as a short file. */
    if (zerr == Z_BUF_ERROR)
      return fail_at(err, rd->path, rd->base, "the gzip stream is cut short");
    return fail_at(err, rd->path, rd->base, "read error: %s", zerr == Z_ERRNO ? strerror(errno) : zmsg);
  }
  rd->len = (size_t)got;
#else
  size_t got = fread(rd->buf, 1, READER_BUF, rd->f);
  if (got < READER_BUF && ferror(rd->f))
    return fail_at(err, rd->path, rd->base + got, "read error: %s", strerror(errno));
  if (rd->base == 0 && got >= 2 && rd->buf[0] == 0x1f && rd->buf[1] == 0x8b)
    return fail_at(err, rd->path, 0, "the file is gzip-compressed and this satbench was built without zlib "
                   "(gunzip it, or install zlib1g-dev and rebuild)");
  rd->len = got;
#endif
  if (rd->len == 0) rd->eof = 1;
  *rd->digest = fileio_hash(*rd->digest, rd->buf, rd->len);
  return SB_OK;
}

/* Up to n bytes into dst; *got says how many there were before the end. */
static int reader_read(reader *rd, void *dst, size_t n, size_t *got, sb_error *err)
{
  unsigned char *out = dst;
  *got = 0;
  while (*got < n) {
    if (rd->pos == rd->len) {
      int rc = reader_fill(rd, err);
      if (rc) return rc;
      if (rd->len == 0) break;
    }
    size_t k = rd->len - rd->pos;
    if (k > n - *got) k = n - *got;
    memcpy(out + *got, rd->buf + rd->pos, k);
    rd->pos += k;
    *got += k;
  }
  return SB_OK;
}

/* The next line (line number lineno), without its '\n', NUL-terminated,
 * in *line (grown as needed, up to DATAIO_LINE_MAX bytes: a longer one is
 * SB_EUSAGE); *len its length; *more = 0 at the end of the file. */
static int reader_line(reader *rd, unsigned long lineno, char **line, size_t *cap, size_t *len, int *more,
                       sb_error *err)
{
  *len = 0;
  *more = 0;
  for (;;) {
    if (rd->pos == rd->len) {
      int rc = reader_fill(rd, err);
      if (rc) return rc;
      if (rd->len == 0) break;
    }
    *more = 1;
    const unsigned char *start = rd->buf + rd->pos;
    const unsigned char *nl = memchr(start, '\n', rd->len - rd->pos);
    size_t k = nl ? (size_t)(nl - start) : rd->len - rd->pos;
    if (*len + k > DATAIO_LINE_MAX)
      return sb_fail(err, SB_EUSAGE, "--dataset: %s:%lu: the line is longer than the limit of %d bytes (is it a "
                     "CSV file?)", rd->path, lineno, DATAIO_LINE_MAX);
    if (*len + k + 1 > *cap) {
      size_t want = *cap ? *cap : 256;
      while (want < *len + k + 1) {
        if (want > SIZE_MAX / 2) return sb_fail(err, SB_EFAIL, "out of memory for a line of %s", rd->path);
        want *= 2;
      }
      char *grown = realloc(*line, want);
      if (!grown) return sb_fail(err, SB_EFAIL, "out of memory for a line of %s", rd->path);
      *line = grown;
      *cap = want;
    }
    memcpy(*line + *len, start, k);
    *len += k;
    rd->pos += k;
    if (nl) {
      rd->pos++;   /* the '\n' */
      break;
    }
  }
  if (*cap == 0) {   /* an empty file: still hand out "" */
    *line = malloc(1);
    if (!*line) return sb_fail(err, SB_EFAIL, "out of memory");
    *cap = 1;
  }
  (*line)[*len] = '\0';
  return SB_OK;
}

/* ---- IDX ----------------------------------------------------------------- */

/* IDX (LeCun's MNIST format): magic 00 00 TYPE NDIMS, then NDIMS big-endian
 * uint32 sizes, then the values, big-endian, last index fastest. */
typedef struct idx_head {
  int type;
  unsigned ndims;
  size_t n;       /* first dimension: examples */
  size_t dim;     /* product of the others: values per example */
  size_t esize;   /* bytes per value */
} idx_head;

static size_t idx_esize(int type)
{
  switch (type) {
  case 0x08: case 0x09: return 1;
  case 0x0B: return 2;
  case 0x0C: case 0x0D: return 4;
  case 0x0E: return 8;
  default: return 0;
  }
}

static const char *idx_type_name(int type)
{
  switch (type) {
  case 0x08: return "unsigned bytes";
  case 0x09: return "signed bytes";
  case 0x0B: return "16-bit integers";
  case 0x0C: return "32-bit integers";
  case 0x0D: return "floats";
  case 0x0E: return "doubles";
  default: return "unknown";
  }
}

static uint64_t big_endian(const unsigned char *p, size_t n)
{
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v = (v << 8) | p[i];
  return v;
}

/* One big-endian value of the given IDX type. */
static double idx_value(int type, const unsigned char *p)
{
  uint64_t u = big_endian(p, idx_esize(type));
  switch (type) {
  case 0x08: return (double)u;
  case 0x09: return u >= 0x80 ? (double)u - 256.0 : (double)u;
  case 0x0B: return u >= 0x8000 ? (double)u - 65536.0 : (double)u;
  case 0x0C: return u >= 0x80000000u ? (double)u - 4294967296.0 : (double)u;
  case 0x0D: {
    uint32_t w = (uint32_t)u;
    float f;
    memcpy(&f, &w, sizeof f);
    return (double)f;
  }
  default: {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
  }
  }
}

static int idx_read_head(reader *rd, int labels, idx_head *h, sb_error *err)
{
  unsigned char m[4];
  size_t got;
  int rc = reader_read(rd, m, 4, &got, err);
  if (rc) return rc;
  if (got == 0) return fail_at(err, rd->path, 0, "empty file (an IDX file starts with a 4-byte magic number)");
  if (got < 4) return fail_at(err, rd->path, got, "truncated header: the file ends inside the 4-byte magic number");
  if (m[0] || m[1] || !idx_esize(m[2]) || m[3] == 0)
    return fail_at(err, rd->path, 0, "wrong magic number 0x%08" PRIx64 ": not an IDX file (expected 00 00, "
                   "a type code 08, 09, 0B, 0C, 0D or 0E, then the number of dimensions)", big_endian(m, 4));
  h->type = m[2];
  h->ndims = m[3];
  h->esize = idx_esize(h->type);
  if (labels && h->ndims != 1)
    return fail_at(err, rd->path, 3, "a labels file must be 1-dimensional, this one has %u dimensions", h->ndims);
  if (labels && (h->type == 0x0D || h->type == 0x0E))
    return fail_at(err, rd->path, 2, "labels must be integers, this file holds %s", idx_type_name(h->type));
  h->dim = 1;
  for (unsigned d = 0; d < h->ndims; d++) {
    unsigned char b[4];
    if ((rc = reader_read(rd, b, 4, &got, err))) return rc;
    if (got < 4)
      return fail_at(err, rd->path, reader_offset(rd), "truncated header: the file ends inside size %u of %u",
                     d + 1, h->ndims);
    uint64_t v = big_endian(b, 4);
    uint64_t at = 4 + 4 * (uint64_t)d;
    if (v == 0) return fail_at(err, rd->path, at, "size %u of %u is 0", d + 1, h->ndims);
    if (d == 0) h->n = (size_t)v;
    else if (v > DATAIO_MAX_DIM / h->dim)
      return fail_at(err, rd->path, at, "an example would hold more than %lu values", DATAIO_MAX_DIM);
    else h->dim *= (size_t)v;
  }
  return SB_OK;
}

/* After the last example: anything more means the header is wrong. */
static int idx_expect_end(reader *rd, size_t n, sb_error *err)
{
  unsigned char extra;
  size_t got;
  uint64_t at = reader_offset(rd);
  int rc = reader_read(rd, &extra, 1, &got, err);
  if (rc) return rc;
  if (got)
    return fail_at(err, rd->path, at, "more data after the %zu examples the header declares "
                   "(the sizes in the header do not match the file)", n);
  return SB_OK;
}

static int idx_read_labels(reader *rd, const idx_head *h, const dataio_want *want, long *max_label,
                           sb_error *err)
{
  size_t bound = want->classes ? want->classes : DATAIO_MAX_CLASSES;
  *max_label = -1;
  for (size_t i = 0; i < h->n; i++) {
    unsigned char b[4];
    size_t got;
    uint64_t at = reader_offset(rd);
    int rc = reader_read(rd, b, h->esize, &got, err);
    if (rc) return rc;
    if (got < h->esize)
      return fail_at(err, rd->path, at + got, "truncated: the header declares %zu labels, the file ends inside label %zu",
                     h->n, i + 1);
    double v = idx_value(h->type, b);
    if (v < 0 || v >= (double)bound) {
      if (want->classes)
        return fail_at(err, rd->path, at, "label %.0f of example %zu is out of range: --classes %zu allows 0..%zu",
                       v, i + 1, want->classes, want->classes - 1);
      return fail_at(err, rd->path, at, "label %.0f of example %zu is out of range 0..%lu", v, i + 1,
                     DATAIO_MAX_CLASSES - 1);
    }
    if ((long)v > *max_label) *max_label = (long)v;
    if (want->y && i < want->keep) want->y[i] = (int)v;
  }
  return idx_expect_end(rd, h->n, err);
}

/* The values are read in blocks of a fixed size, never a whole example
 * at once: a header may declare examples of 2^24 values, and a 20-byte
 * file must not cost 128 MiB before it is found to be cut short. */
#define IDX_BLOCK 4096

static int idx_read_images(reader *rd, const idx_head *h, const dataio_want *want, sb_error *err)
{
  unsigned char *block = malloc(IDX_BLOCK * h->esize);
  if (!block) return sb_fail(err, SB_EFAIL, "out of memory reading %s", rd->path);
  size_t row_bytes = h->dim * h->esize;
  int rc = SB_OK, is_float = h->type == 0x0D || h->type == 0x0E;
  for (size_t i = 0; i < h->n && !rc; i++) {
    double *x = want->X && i < want->keep ? want->X + i * h->dim : NULL;
    for (size_t j0 = 0; j0 < h->dim && !rc; j0 += IDX_BLOCK) {
      size_t nv = h->dim - j0 < IDX_BLOCK ? h->dim - j0 : IDX_BLOCK, got;
      uint64_t at = reader_offset(rd);
      if ((rc = reader_read(rd, block, nv * h->esize, &got, err))) break;
      if (got < nv * h->esize) {
        rc = fail_at(err, rd->path, at + got, "truncated: the header declares %zu examples of %zu bytes, "
                     "the file ends inside example %zu", h->n, row_bytes, i + 1);
        break;
      }
      for (size_t j = 0; j < nv; j++) {
        double v = idx_value(h->type, block + j * h->esize);
        if (is_float && !isfinite(v)) {
          rc = fail_at(err, rd->path, at + j * h->esize, "value %zu of example %zu is not a finite number",
                       j0 + j + 1, i + 1);
          break;
        }
        if (x) x[j0 + j] = v;
      }
    }
  }
  free(block);
  return rc ? rc : idx_expect_end(rd, h->n, err);
}

static int exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

/* Name of `base + suffix` (plain, else .gz) that exists into out; 0 if none. */
static int find_variant(char *out, size_t size, const char *base, const char *suffix)
{
  static const char *const zip[] = { "", ".gz" };
  for (size_t z = 0; z < 2; z++) {
    int w = snprintf(out, size, "%s%s%s", base, suffix, zip[z]);
    if (w > 0 && (size_t)w < size && exists(out)) return 1;
  }
  return 0;
}

static int idx_paths(const char *text, char *images, char *labels, sb_error *err)
{
  const char *comma = strchr(text, ',');
  if (comma) {
    size_t a = (size_t)(comma - text), b = strlen(comma + 1);
    if (strchr(comma + 1, ','))
      return sb_fail(err, SB_EUSAGE, "--dataset: idx:%s: give IMAGES,LABELS (two files) or a prefix", text);
    if (a == 0 || b == 0)
      return sb_fail(err, SB_EUSAGE, "--dataset: idx:%s: empty file name in IMAGES,LABELS", text);
    if (a >= DATAIO_PATH_MAX || b >= DATAIO_PATH_MAX)
      return sb_fail(err, SB_EUSAGE, "--dataset: idx:%s: file name too long", text);
    memcpy(images, text, a);
    images[a] = '\0';
    memcpy(labels, comma + 1, b + 1);
    return SB_OK;
  }
  /* MNIST's own names first (train-images-idx3-ubyte = prefix "train"),
   * then the renaming with a dot that some mirrors use. */
  static const char *const names[][2] = {
    { "-images-idx3-ubyte", "-labels-idx1-ubyte" },
    { "-images.idx3-ubyte", "-labels.idx1-ubyte" },
  };
  for (size_t k = 0; k < 2; k++)
    if (find_variant(images, DATAIO_PATH_MAX, text, names[k][0])) {
      if (find_variant(labels, DATAIO_PATH_MAX, text, names[k][1])) return SB_OK;
      return sb_fail(err, SB_EUSAGE, "--dataset: idx:%s: found %s but no labels file %s%s[.gz]",
                     text, images, text, names[k][1]);
    }
  return sb_fail(err, SB_EUSAGE, "--dataset: idx:%s: no IDX files: tried %s%s and %s%s (and .gz); "
                 "or name them as idx:IMAGES,LABELS", text, text, names[0][0], text, names[1][0]);
}

static int read_idx(const char *text, const dataio_want *want, dataio_info *info, sb_error *err)
{
  char *images = malloc(DATAIO_PATH_MAX), *labels = malloc(DATAIO_PATH_MAX);
  reader *ri = NULL, *rl = NULL;
  int rc;
  if (!images || !labels) { rc = sb_fail(err, SB_EFAIL, "out of memory"); goto out; }
  if ((rc = idx_paths(text, images, labels, err))) goto out;
  snprintf(info->path, sizeof info->path, "%s", images);

  idx_head hi, hl;
  if ((rc = reader_open(&rl, labels, &info->digest, err))) goto out;
  if ((rc = idx_read_head(rl, 1, &hl, err))) goto out;
  if ((rc = reader_open(&ri, images, &info->digest, err))) goto out;
  if ((rc = idx_read_head(ri, 0, &hi, err))) goto out;
  if (hi.n != hl.n) {
    rc = sb_fail(err, SB_EUSAGE, "--dataset: %s: byte 4: %zu examples, but %s: byte 4: %zu labels",
                 images, hi.n, labels, hl.n);
    goto out;
  }
  if (want->dim && hi.dim != want->dim) {
    rc = sb_fail(err, SB_EUSAGE, "--input-dim: %s: byte 8: %zu values per example (got --input-dim %zu)",
                 images, hi.dim, want->dim);
    goto out;
  }
  info->n = hi.n;
  info->dim = hi.dim;
  info->has_range = hi.type == 0x08 || hi.type == 0x09;
  info->lo = hi.type == 0x08 ? 0.0 : -128.0;
  info->hi = hi.type == 0x08 ? 255.0 : 127.0;
  if ((rc = idx_read_labels(rl, &hl, want, &info->max_label, err))) goto out;
  rc = idx_read_images(ri, &hi, want, err);
out:
  reader_close(ri);
  reader_close(rl);
  free(images);
  free(labels);
  return rc;
}

/* ---- CSV ----------------------------------------------------------------- */

static char *trim(char *s)
{
  while (*s == ' ' || *s == '\t') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = '\0';
  return s;
}

/* strtod that must consume all of a non-empty s; *v gets the value. */
static int parse_number(const char *s, double *v)
{
  if (!*s) return 0;
  char *end;
  errno = 0;
  *v = strtod(s, &end);
  return *end == '\0' && end != s;
}

typedef struct csv_fields {
  char **f;
  size_t n, cap;
} csv_fields;

/* Split s at commas, in place, into trimmed fields. */
static int split_fields(char *s, csv_fields *fs, sb_error *err)
{
  fs->n = 0;
  for (char *p = s;;) {
    char *comma = strchr(p, ',');
    if (comma) *comma = '\0';
    if (fs->n == fs->cap) {
      size_t cap = fs->cap ? 2 * fs->cap : 64;
      char **g = realloc(fs->f, cap * sizeof *g);
      if (!g) return sb_fail(err, SB_EFAIL, "out of memory splitting a CSV line");
      fs->f = g;
      fs->cap = cap;
    }
    fs->f[fs->n++] = trim(p);
    if (!comma) break;
    p = comma + 1;
  }
  return SB_OK;
}

/* One data row: label then features, checked, into x and *label. */
static int csv_row(const char *path, unsigned long line, const csv_fields *fs, size_t bound,
                   size_t given_classes, double *x, long *label, sb_error *err)
{
  const char *l = fs->f[0];
  size_t k = 0;
  while (l[k] >= '0' && l[k] <= '9') k++;
  if (k == 0 || l[k])
    return fail_line(err, path, line, "label '%.40s' is not a non-negative integer", l);
  errno = 0;
  unsigned long v = strtoul(l, NULL, 10);
  if (errno == ERANGE || v >= bound) {
    if (given_classes)
      return fail_line(err, path, line, "label %.40s is out of range: --classes %zu allows 0..%zu", l,
                       given_classes, given_classes - 1);
    return fail_line(err, path, line, "label %.40s is out of range 0..%zu", l, bound - 1);
  }
  *label = (long)v;
  for (size_t j = 1; j < fs->n; j++) {
    const char *s = fs->f[j];
    double d;
    if (!*s) return fail_line(err, path, line, "field %zu is empty", j + 1);
    if (!parse_number(s, &d)) return fail_line(err, path, line, "field %zu ('%.40s') is not a number", j + 1, s);
    if (!isfinite(d)) return fail_line(err, path, line, "field %zu ('%.40s') is not a finite number", j + 1, s);
    x[j - 1] = d;
  }
  return SB_OK;
}

static int read_csv(const char *path, const dataio_want *want, dataio_info *info, sb_error *err)
{
  reader *rd = NULL;
  char *line = NULL;
  size_t cap = 0, len;
  csv_fields fs = { NULL, 0, 0 };
  double *row = NULL;
  size_t bound = want->classes ? want->classes : DATAIO_MAX_CLASSES;
  size_t nfields = 0;            /* fields per row, from the first row */
  unsigned long lineno = 0, shape_line = 0;
  int first = 1, more, rc;
  snprintf(info->path, sizeof info->path, "%s", path);
  info->max_label = -1;
  if ((rc = reader_open(&rd, path, &info->digest, err))) return rc;
  for (;;) {
    if ((rc = reader_line(rd, lineno + 1, &line, &cap, &len, &more, err))) break;
    if (!more) break;
    lineno++;
    if (memchr(line, '\0', len)) {
      rc = fail_line(err, path, lineno, "a NUL byte: a binary file, not CSV text");
      break;
    }
    /* A UTF-8 byte-order mark (spreadsheets write one) is not part of the
     * first field: left there, it would make a data row read as a header. */
    char *s = trim(lineno == 1 && !strncmp(line, "\xEF\xBB\xBF", 3) ? line + 3 : line);
    if (!*s || *s == '#') continue;
    if ((rc = split_fields(s, &fs, err))) break;
    if (first) {
      first = 0;
      /* A header names the columns; the label column's name is what
       * tells it from data (a data row starts with a number). */
      double unused;
      if (!parse_number(fs.f[0], &unused)) {
        nfields = fs.n;
        shape_line = lineno;
        continue;
      }
    }
    if (!nfields) {
      nfields = fs.n;
      shape_line = lineno;
    }
    if (fs.n != nfields) {
      rc = fail_line(err, path, lineno, "%zu fields, expected %zu as on line %lu", fs.n, nfields, shape_line);
      break;
    }
    if (!row) {
      if (nfields < 2) {
        rc = fail_line(err, path, shape_line,
                       "one column only: a CSV dataset needs a label column, then at least one feature");
        break;
      }
      info->dim = nfields - 1;
      if (info->dim > DATAIO_MAX_DIM) {
        rc = fail_line(err, path, shape_line, "%zu features per row; at most %lu", info->dim, DATAIO_MAX_DIM);
        break;
      }
      if (want->dim && info->dim != want->dim) {
        rc = sb_fail(err, SB_EUSAGE, "--input-dim: %s:%lu: %zu features per row (got --input-dim %zu)",
                     path, shape_line, info->dim, want->dim);
        break;
      }
      row = malloc(info->dim * sizeof *row);
      if (!row) { rc = sb_fail(err, SB_EFAIL, "out of memory reading %s", path); break; }
    }
    int keep = want->X && info->n < want->keep;
    double *x = keep ? want->X + info->n * info->dim : row;
    long label = 0;
    if ((rc = csv_row(path, lineno, &fs, bound, want->classes, x, &label, err))) break;
    if (label > info->max_label) info->max_label = label;
    if (keep && want->y) want->y[info->n] = (int)label;
    info->n++;
  }
  if (!rc && info->n == 0) {
    if (lineno == 0) rc = fail_line(err, path, 1, "empty file: no data rows");
    else rc = fail_line(err, path, lineno, "no data rows (the file ends after %lu line%s of header, comments "
                        "or blanks)", lineno, lineno == 1 ? "" : "s");
  }
  free(row);
  free(fs.f);
  free(line);
  reader_close(rd);
  return rc;
}

/* ---- entry --------------------------------------------------------------- */

int dataio_read(dataio_format fmt, const char *text, const dataio_want *want,
                dataio_info *info, sb_error *err)
{
  memset(info, 0, sizeof *info);
  info->digest = FILEIO_HASH_INIT;
  info->max_label = -1;
  if (!text || !*text)
    return sb_fail(err, SB_EUSAGE, "--dataset: %s: needs a file (%s:PATH)", fmt == DATAIO_IDX ? "idx" : "csv",
                   fmt == DATAIO_IDX ? "idx" : "csv");
  return fmt == DATAIO_IDX ? read_idx(text, want, info, err) : read_csv(text, want, info, err);
}
