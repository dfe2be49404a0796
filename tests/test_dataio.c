/* test_dataio.c - TAP checks of the IDX and CSV readers and of file
 * datasets through data.h: small files written here (into the build tree,
 * ./tests/out/dataio) read back exactly, in every IDX type, by every file
 * naming, gzip-compressed when zlib is there; then every malformed file --
 * wrong magic, truncated header or data, count and dimension mismatches,
 * labels out of range, ragged rows, non-numbers, empty and missing files --
 * refused with SB_EUSAGE and a message naming the file and the byte offset
 * (IDX) or line (CSV); then splits, scaling by hand-computed values, and
 * the digest that pins a file's contents. */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "data.h"
#include "dataio.h"
#include "fileio.h"
#include "tap.h"

#define DIR "tests/out/dataio"

/* ---- writing test files ---------------------------------------------------- */

/* DIR/name, in one of a ring of buffers so a few can be alive at once. */
static const char *at(const char *name)
{
  static char ring[8][512];
  static int next = 0;
  char *p = ring[next++ % 8];
  snprintf(p, 512, "%s/%s", DIR, name);
  return p;
}


static void write_bytes(const char *name, const void *b, size_t n)
{
  FILE *f = fopen(at(name), "wb");
  if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
    tap_ok(0, "cannot write %s", at(name));
    exit(tap_done());
  }
}

static void write_text(const char *name, const char *text)
{
  write_bytes(name, text, strlen(text));
}

#ifdef HAVE_ZLIB
static void write_gz(const char *name, const void *b, size_t n)
{
  gzFile g = gzopen(at(name), "wb");
  if (!g || gzwrite(g, b, (unsigned)n) != (int)n || gzclose(g) != Z_OK) {
    tap_ok(0, "cannot write %s", at(name));
    exit(tap_done());
  }
}
#endif

typedef struct bytes {
  unsigned char p[4096];
  size_t n;
} bytes;

static void put(bytes *b, const void *src, size_t n)
{
  memcpy(b->p + b->n, src, n);
  b->n += n;
}

static void put_be(bytes *b, uint64_t v, size_t size)
{
  for (size_t i = 0; i < size; i++) b->p[b->n++] = (unsigned char)(v >> (8 * (size - 1 - i)));
}

/* An IDX header: magic 00 00 type ndims, then the sizes. */
static bytes idx_head(int type, int ndims, const uint32_t *dims)
{
  bytes b = { { 0 }, 0 };
  unsigned char m[4] = { 0, 0, (unsigned char)type, (unsigned char)ndims };
  put(&b, m, 4);
  for (int d = 0; d < ndims; d++) put_be(&b, dims[d], 4);
  return b;
}

/* The reference pair: 7 examples of 3 x 2 unsigned bytes, labels i % 5. */
enum { RN = 7, RDIM = 6 };
static unsigned char ref_pixel(size_t i, size_t j)
{
  return (unsigned char)((37 * i + 11 * j + 5) % 256);
}

static bytes ref_images(void)
{
  uint32_t dims[3] = { RN, 3, 2 };
  bytes b = idx_head(0x08, 3, dims);
  for (size_t i = 0; i < RN; i++)
    for (size_t j = 0; j < RDIM; j++) b.p[b.n++] = ref_pixel(i, j);
  return b;
}

static bytes ref_labels(size_t n)
{
  uint32_t dims[1] = { (uint32_t)n };
  bytes b = idx_head(0x08, 1, dims);
  for (size_t i = 0; i < n; i++) b.p[b.n++] = (unsigned char)(i % 5);
  return b;
}

/* ---- reading ------------------------------------------------------------------ */

static int rd(dataio_format fmt, const char *text, size_t dim, size_t classes, size_t keep, double *X, int *y,
              dataio_info *info, sb_error *err)
{
  dataio_want w = { dim, classes, keep, X, y };
  sb_error_clear(err);
  return dataio_read(fmt, text, &w, info, err);
}

/* The file must be refused: SB_EUSAGE, a message naming `file`, the place
 * `where` ("byte 12:" or ":4:") and the problem `what`. */
static void expect_bad(dataio_format fmt, const char *text, size_t dim, size_t classes, const char *file,
                       const char *where, const char *what, const char *desc)
{
  dataio_info info;
  sb_error err;
  int rc = rd(fmt, text, dim, classes, 0, NULL, NULL, &info, &err);
  char place[600];
  if (where[0] == ':') snprintf(place, sizeof place, "%s%s", file, where);
  else snprintf(place, sizeof place, "%s: %s", file, where);
  tap_ok(rc == SB_EUSAGE && err.code == SB_EUSAGE && strstr(err.msg, place) && strstr(err.msg, what),
         "%s -> SB_EUSAGE naming '%s' and '%s': rc %d '%s'", desc, place, what, rc, err.msg);
}

static void test_idx_round_trip(void)
{
  bytes im = ref_images(), lb = ref_labels(RN);
  write_bytes("rt-images-idx3-ubyte", im.p, im.n);
  write_bytes("rt-labels-idx1-ubyte", lb.p, lb.n);
  double X[RN * RDIM];
  int y[RN];
  dataio_info info;
  sb_error err;
  int rc = rd(DATAIO_IDX, at("rt"), 0, 0, RN, X, y, &info, &err);
  int same = rc == SB_OK;
  for (size_t i = 0; i < RN && same; i++) {
    same &= y[i] == (int)(i % 5);
    for (size_t j = 0; j < RDIM; j++) same &= X[i * RDIM + j] == (double)ref_pixel(i, j);
  }
  tap_ok(same && info.n == RN && info.dim == RDIM && info.max_label == 4 && info.has_range && info.lo == 0
         && info.hi == 255 && !strcmp(info.path, at("rt-images-idx3-ubyte")),
         "IDX ubyte 7 x (3 x 2) by prefix reads back exactly: rc %d '%s', n %zu dim %zu max label %ld, "
         "range [%g, %g], path %s", rc, err.msg, info.n, info.dim, info.max_label, info.lo, info.hi, info.path);
  uint64_t digest = info.digest;

  double Xk[RN * RDIM];
  int yk[RN];
  for (size_t i = 0; i < RN * RDIM; i++) Xk[i] = -1.0;
  for (size_t i = 0; i < RN; i++) yk[i] = -1;
  rc = rd(DATAIO_IDX, at("rt"), RDIM, 5, 3, Xk, yk, &info, &err);
  int kept = rc == SB_OK && memcmp(Xk, X, 3 * RDIM * sizeof *X) == 0 && memcmp(yk, y, 3 * sizeof *y) == 0;
  for (size_t i = 3 * RDIM; i < RN * RDIM; i++) kept &= Xk[i] == -1.0;
  for (size_t i = 3; i < RN; i++) kept &= yk[i] == -1;
  tap_ok(kept && info.n == RN, "keep 3 of 7: the first 3 stored, nothing past them written; n still %zu", info.n);

  rc = rd(DATAIO_IDX, at("rt"), 0, 0, 0, NULL, NULL, &info, &err);
  tap_ok(rc == SB_OK && info.n == RN && info.digest == digest, "X = NULL only checks: rc %d, same digest", rc);

  char pair[1100];
  snprintf(pair, sizeof pair, "%s,%s", at("rt-images-idx3-ubyte"), at("rt-labels-idx1-ubyte"));
  rc = rd(DATAIO_IDX, pair, 0, 0, 0, NULL, NULL, &info, &err);
  tap_ok(rc == SB_OK && info.digest == digest, "IMAGES,LABELS names the same pair: rc %d '%s'", rc, err.msg);

  write_bytes("dot-images.idx3-ubyte", im.p, im.n);
  write_bytes("dot-labels.idx1-ubyte", lb.p, lb.n);
  rc = rd(DATAIO_IDX, at("dot"), 0, 0, 0, NULL, NULL, &info, &err);
  tap_ok(rc == SB_OK && info.digest == digest && strstr(info.path, "dot-images.idx3-ubyte"),
         "prefix also finds PREFIX-images.idx3-ubyte: rc %d '%s'", rc, err.msg);

  bytes im2 = im;
  im2.p[im2.n - 1] ^= 1;
  write_bytes("flip-images-idx3-ubyte", im2.p, im2.n);
  write_bytes("flip-labels-idx1-ubyte", lb.p, lb.n);
  rc = rd(DATAIO_IDX, at("flip"), 0, 0, 0, NULL, NULL, &info, &err);
  tap_ok(rc == SB_OK && info.digest != digest, "one flipped bit changes the digest");

#ifdef HAVE_ZLIB
  write_gz("gz-images-idx3-ubyte.gz", im.p, im.n);
  write_gz("gz-labels-idx1-ubyte.gz", lb.p, lb.n);
  double Xg[RN * RDIM];
  int yg[RN];
  rc = rd(DATAIO_IDX, at("gz"), 0, 0, RN, Xg, yg, &info, &err);
  tap_ok(rc == SB_OK && memcmp(Xg, X, sizeof X) == 0 && memcmp(yg, y, sizeof y) == 0 && info.digest == digest,
         "gzip'd pair (found as PREFIX-...-ubyte.gz) reads back the same values and digest: rc %d '%s'", rc, err.msg);
  /* A .gz cut in the middle of its deflate stream. */
  {
    FILE *f = fopen(at("gz-images-idx3-ubyte.gz"), "rb");
    unsigned char z[4096];
    size_t zn = f ? fread(z, 1, sizeof z, f) : 0;
    if (f) fclose(f);
    write_bytes("gzcut-images-idx3-ubyte.gz", z, zn > 20 ? zn - 12 : zn);
    write_gz("gzcut-labels-idx1-ubyte.gz", lb.p, lb.n);
    expect_bad(DATAIO_IDX, at("gzcut"), 0, 0, at("gzcut-images-idx3-ubyte.gz"), "byte ", "cut short",
               "a truncated .gz");
  }
#else
  tap_diag("built without zlib: checking that .gz files are refused by name");
  {
    unsigned char z[20] = { 0x1f, 0x8b, 8, 0 };
    write_bytes("gz-images-idx3-ubyte.gz", z, sizeof z);
    write_bytes("gz-labels-idx1-ubyte", lb.p, lb.n);
    expect_bad(DATAIO_IDX, at("gz"), 0, 0, at("gz-images-idx3-ubyte.gz"), "byte 0:", "without zlib",
               "a .gz file in a build without zlib");
  }
#endif
}

/* Every IDX value type, with values at the edges of its range. */
static void test_idx_types(void)
{
  static const struct { int type; size_t size; double v[4]; } cases[] = {
    { 0x09, 1, { -128, -1, 0, 127 } },
    { 0x0B, 2, { -32768, -2, 300, 32767 } },
    { 0x0C, 4, { -2147483648.0, -5, 70000, 2147483647.0 } },
    { 0x0D, 4, { -2.5, 0.15625, 3e5, 1.0 / 1024 } },
    { 0x0E, 8, { -1.2345678901234567, 2.385e-300, 1e300, 0.1 } },
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    uint32_t dims[2] = { 2, 2 };
    bytes im = idx_head(cases[c].type, 2, dims);
    for (size_t k = 0; k < 4; k++) {
      double v = cases[c].v[k];
      uint64_t u;
      if (cases[c].type == 0x0D) {
        float f = (float)v;
        uint32_t w;
        memcpy(&w, &f, 4);
        u = w;
      } else if (cases[c].type == 0x0E) {
        memcpy(&u, &v, 8);
      } else {
        u = (uint64_t)(int64_t)v;
      }
      put_be(&im, u, cases[c].size);
    }
    /* Labels as 16-bit and 32-bit integers too. */
    uint32_t ld[1] = { 2 };
    int ltype = c % 2 ? 0x0B : 0x0C;
    bytes lb = idx_head(ltype, 1, ld);
    put_be(&lb, 1, ltype == 0x0B ? 2 : 4);
    put_be(&lb, 0, ltype == 0x0B ? 2 : 4);
    char a[64], b[64];
    snprintf(a, sizeof a, "type%zu-images-idx3-ubyte", c);
    snprintf(b, sizeof b, "type%zu-labels-idx1-ubyte", c);
    write_bytes(a, im.p, im.n);
    write_bytes(b, lb.p, lb.n);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "type%zu", c);
    double X[4];
    int y[2];
    dataio_info info;
    sb_error err;
    int rc = rd(DATAIO_IDX, at(prefix), 0, 0, 2, X, y, &info, &err);
    int same = rc == SB_OK && y[0] == 1 && y[1] == 0 && info.dim == 2 && info.n == 2;
    for (size_t k = 0; k < 4 && same; k++)
      same &= X[k] == (cases[c].type == 0x0D ? (double)(float)cases[c].v[k] : cases[c].v[k]);
    tap_ok(same && info.has_range == (cases[c].type == 0x09),
           "IDX type 0x%02X (labels 0x%02X) reads back exactly: rc %d '%s' X = %.17g %.17g %.17g %.17g",
           cases[c].type, ltype, rc, err.msg, X[0], X[1], X[2], X[3]);
  }
}

static void test_idx_bad(void)
{
  bytes good = ref_images(), lb = ref_labels(RN);
  write_bytes("bad-labels-idx1-ubyte", lb.p, lb.n);
  char img[600], lab[600], prefix[600];
  snprintf(img, sizeof img, "%s", at("bad-images-idx3-ubyte"));
  snprintf(lab, sizeof lab, "%s", at("bad-labels-idx1-ubyte"));
  snprintf(prefix, sizeof prefix, "%s", at("bad"));
  bytes b;

  b = good; b.p[1] = 1;
  write_bytes("bad-images-idx3-ubyte", b.p, b.n);
  expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 0:", "wrong magic", "IDX: magic 00 01 08 03");
  b = good; b.p[2] = 0x07;
  write_bytes("bad-images-idx3-ubyte", b.p, b.n);
  expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 0:", "wrong magic", "IDX: unknown type code 07");
  b = good; b.p[3] = 0;
  write_bytes("bad-images-idx3-ubyte", b.p, b.n);
  expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 0:", "wrong magic", "IDX: zero dimensions");
  write_bytes("bad-images-idx3-ubyte", "", 0);
  expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 0:", "empty file", "IDX: empty file");
  write_bytes("bad-images-idx3-ubyte", good.p, 2);
  expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 2:", "truncated header", "IDX: file of 2 bytes");
  write_bytes("bad-images-idx3-ubyte", good.p, 10);
  expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 10:", "truncated header", "IDX: header cut inside size 2");
  /* 7 examples of 6 bytes declared, 40 given: example 7 starts at 16 + 36
   * = 52 and the file ends 4 bytes into it. */
  write_bytes("bad-images-idx3-ubyte", good.p, 16 + 40);
  expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 56:", "truncated", "IDX: data cut inside example 7");
  b = good;
  put(&b, "xyz", 3);
  write_bytes("bad-images-idx3-ubyte", b.p, b.n);
  expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 58:", "more data", "IDX: 3 bytes past the declared data");
  {
    uint32_t dims[3] = { RN, 0, 2 };
    b = idx_head(0x08, 3, dims);
    write_bytes("bad-images-idx3-ubyte", b.p, b.n);
    expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 8:", "is 0", "IDX: a size of 0");
    uint32_t big[3] = { 1, 65536, 65536 };
    b = idx_head(0x08, 3, big);
    write_bytes("bad-images-idx3-ubyte", b.p, b.n);
    expect_bad(DATAIO_IDX, prefix, 0, 0, img, "byte 12:", "more than", "IDX: 65536 x 65536 values per example");
    uint32_t fd[2] = { 2, 2 };
    b = idx_head(0x0E, 2, fd);
    double vals[4] = { 1.0, 2.0, NAN, 4.0 };
    for (int k = 0; k < 4; k++) {
      uint64_t u;
      memcpy(&u, &vals[k], 8);
      put_be(&b, u, 8);
    }
    write_bytes("nan-images-idx3-ubyte", b.p, b.n);
    bytes l2 = ref_labels(2);
    write_bytes("nan-labels-idx1-ubyte", l2.p, l2.n);
    /* Value 1 of example 2: byte 12 + 16 + 0. */
    expect_bad(DATAIO_IDX, at("nan"), 0, 0, at("nan-images-idx3-ubyte"), "byte 28:", "not a finite",
               "IDX doubles: a NaN");
  }

  /* Labels. */
  write_bytes("bad-images-idx3-ubyte", good.p, good.n);
  bytes l6 = ref_labels(6);
  write_bytes("bad-labels-idx1-ubyte", l6.p, l6.n);
  {
    dataio_info info;
    sb_error err;
    int rc = rd(DATAIO_IDX, prefix, 0, 0, 0, NULL, NULL, &info, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, img) && strstr(err.msg, lab) && strstr(err.msg, "byte 4")
           && strstr(err.msg, "7 examples") && strstr(err.msg, "6 labels"),
           "IDX: 7 images but 6 labels -> both files and their counts: '%s'", err.msg);
  }
  write_bytes("bad-labels-idx1-ubyte", lb.p, lb.n);
  {
    dataio_info info;
    sb_error err;
    int rc = rd(DATAIO_IDX, prefix, 5, 0, 0, NULL, NULL, &info, &err);
    tap_ok(rc == SB_EUSAGE && !strncmp(err.msg, "--input-dim: ", 13) && strstr(err.msg, img)
           && strstr(err.msg, "byte 8") && strstr(err.msg, "6 values per example"),
           "IDX: --input-dim 5 against 3 x 2 images -> '%s'", err.msg);
  }
  /* Labels are i % 5: label 4 of example 5 sits at byte 8 + 4. */
  expect_bad(DATAIO_IDX, prefix, 0, 4, lab, "byte 12:", "--classes 4", "IDX: label 4 with --classes 4");
  b = lb;
  b.n -= 2;
  write_bytes("bad-labels-idx1-ubyte", b.p, b.n);
  expect_bad(DATAIO_IDX, prefix, 0, 0, lab, "byte 13:", "truncated", "IDX: labels cut after 5 of 7");
  {
    uint32_t d1[1] = { RN };
    b = idx_head(0x09, 1, d1);
    for (int i = 0; i < RN; i++) b.p[b.n++] = i == 3 ? 0xFF : 1;   /* -1 as a signed byte */
    write_bytes("bad-labels-idx1-ubyte", b.p, b.n);
    expect_bad(DATAIO_IDX, prefix, 0, 0, lab, "byte 11:", "out of range", "IDX: a label of -1");
    b = idx_head(0x0C, 1, d1);
    for (int i = 0; i < RN; i++) put_be(&b, i == 6 ? DATAIO_MAX_CLASSES : 1, 4);
    write_bytes("bad-labels-idx1-ubyte", b.p, b.n);
    expect_bad(DATAIO_IDX, prefix, 0, 0, lab, "byte 32:", "out of range", "IDX: a label of 2^20");
    uint32_t d3[3] = { RN, 1, 1 };
    b = idx_head(0x08, 3, d3);
    write_bytes("bad-labels-idx1-ubyte", b.p, b.n);
    expect_bad(DATAIO_IDX, prefix, 0, 0, lab, "byte 3:", "1-dimensional", "IDX: 3-D labels");
    b = idx_head(0x0D, 1, d1);
    write_bytes("bad-labels-idx1-ubyte", b.p, b.n);
    expect_bad(DATAIO_IDX, prefix, 0, 0, lab, "byte 2:", "integers", "IDX: float labels");
  }

  /* Missing files. */
  {
    dataio_info info;
    sb_error err;
    int rc = rd(DATAIO_IDX, at("nothing"), 0, 0, 0, NULL, NULL, &info, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, at("nothing-images-idx3-ubyte")) && strstr(err.msg, "no IDX files"),
           "IDX: a prefix without files -> what was tried: '%s'", err.msg);
    write_bytes("lonely-images-idx3-ubyte", good.p, good.n);
    rc = rd(DATAIO_IDX, at("lonely"), 0, 0, 0, NULL, NULL, &info, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, at("lonely-labels-idx1-ubyte")) && strstr(err.msg, "no labels file"),
           "IDX: images without labels -> '%s'", err.msg);
    char pair[1100];
    snprintf(pair, sizeof pair, "%s,%s", at("rt-images-idx3-ubyte"), at("missing-labels"));
    rc = rd(DATAIO_IDX, pair, 0, 0, 0, NULL, NULL, &info, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, at("missing-labels")) && strstr(err.msg, "cannot open"),
           "IDX: IMAGES,LABELS with a missing labels file -> '%s'", err.msg);
    rc = rd(DATAIO_IDX, "a,", 0, 0, 0, NULL, NULL, &info, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, "empty file name"), "IDX: 'a,' -> '%s'", err.msg);
  }
}

/* ---- CSV ------------------------------------------------------------------------ */

static void test_csv_round_trip(void)
{
  /* High-entropy values written with %.17g read back exactly. */
  const double v[3][2] = { { 2.385, -1e-300 }, { 0.1, 7.0 / 3.0 }, { -123456.789, 1e300 } };
  const int lab[3] = { 2, 0, 1 };
  char text[1024];
  size_t n = (size_t)snprintf(text, sizeof text, "# made by test_dataio\r\nlabel , x1,x2\r\n\r\n");
  for (int i = 0; i < 3; i++) {
    n += (size_t)snprintf(text + n, sizeof text - n, " %d,%.17g ,\t%.17g\r\n", lab[i], v[i][0], v[i][1]);
    if (i == 0) n += (size_t)snprintf(text + n, sizeof text - n, "   # a comment between rows\n");
  }
  write_text("rt.csv", text);
  double X[6];
  int y[3];
  dataio_info info;
  sb_error err;
  int rc = rd(DATAIO_CSV, at("rt.csv"), 0, 0, 3, X, y, &info, &err);
  int same = rc == SB_OK;
  for (int i = 0; i < 3 && same; i++) same &= y[i] == lab[i] && X[2 * i] == v[i][0] && X[2 * i + 1] == v[i][1];
  tap_ok(same && info.n == 3 && info.dim == 2 && info.max_label == 2 && !info.has_range,
         "CSV with comments, a header, blanks, CRLF and spaces reads back exactly: rc %d '%s'", rc, err.msg);
  uint64_t digest = info.digest;
  rc = rd(DATAIO_CSV, at("rt.csv"), 2, 3, 0, NULL, NULL, &info, &err);
  tap_ok(rc == SB_OK && info.digest == digest, "reading again gives the same digest");

  write_text("nohead.csv", "1,0.5,0.25\n0,1e-3,-4\n");
  double Xn[4];
  int yn[2];
  rc = rd(DATAIO_CSV, at("nohead.csv"), 0, 0, 2, Xn, yn, &info, &err);
  tap_ok(rc == SB_OK && info.n == 2 && yn[0] == 1 && yn[1] == 0 && Xn[0] == 0.5 && Xn[3] == -4
         && info.digest != digest,
         "CSV without a header: the first line is data: rc %d '%s'", rc, err.msg);
#ifdef HAVE_ZLIB
  write_gz("rt.csv.gz", text, strlen(text));
  double Xg[6];
  int yg[3];
  rc = rd(DATAIO_CSV, at("rt.csv.gz"), 0, 0, 3, Xg, yg, &info, &err);
  tap_ok(rc == SB_OK && memcmp(Xg, X, sizeof X) == 0 && memcmp(yg, y, sizeof y) == 0 && info.digest == digest,
         "gzip'd CSV reads back the same rows and digest: rc %d '%s'", rc, err.msg);
#endif
}

static void csv_bad(const char *name, const char *text, size_t len, size_t dim, size_t classes,
                    const char *where, const char *what, const char *desc)
{
  write_bytes(name, text, len);
  expect_bad(DATAIO_CSV, at(name), dim, classes, at(name), where, what, desc);
}

#define CSV_BAD(name, text, dim, classes, where, what, desc) \
  csv_bad(name, text, sizeof text - 1, dim, classes, where, what, desc)

static void test_csv_bad(void)
{
  CSV_BAD("ragged.csv", "0,1,2\n1,3,4\n0,5\n", 0, 0, ":3:", "2 fields, expected 3 as on line 1", "CSV: a short row");
  CSV_BAD("ragged2.csv", "y,a,b\n0,1,2\n1,3,4,5\n", 0, 0, ":3:", "4 fields, expected 3 as on line 1",
          "CSV: a long row after a header");
  CSV_BAD("ragged3.csv", "y,a,b\n0,1\n", 0, 0, ":2:", "2 fields, expected 3 as on line 1",
          "CSV: the first row disagrees with the header");
  CSV_BAD("nan.csv", "0,1,2\n1,abc,4\n", 0, 0, ":2:", "field 2 ('abc') is not a number", "CSV: a word");
  CSV_BAD("junk.csv", "0,1,2\n# ok\n1,3,4x\n", 0, 0, ":3:", "field 3 ('4x') is not a number", "CSV: trailing junk");
  CSV_BAD("inf.csv", "0,1,inf\n", 0, 0, ":1:", "not a finite number", "CSV: inf");
  CSV_BAD("nan2.csv", "0,1,2\n1,NaN,2\n", 0, 0, ":2:", "not a finite number", "CSV: NaN");
  CSV_BAD("emptyfield.csv", "0,1,2\n1,,2\n", 0, 0, ":2:", "field 2 is empty", "CSV: an empty field");
  CSV_BAD("labelreal.csv", "0,1\n1.5,2\n", 0, 0, ":2:", "label '1.5' is not a non-negative integer",
          "CSV: a label of 1.5");
  CSV_BAD("labelneg.csv", "0,1\n-1,2\n", 0, 0, ":2:", "label '-1' is not a non-negative integer",
          "CSV: a label of -1");
  CSV_BAD("labelword.csv", "y,x\n0,1\ncat,2\n", 0, 0, ":3:", "label 'cat'", "CSV: a label 'cat'");
  CSV_BAD("labelbig.csv", "0,1\n2,1\n", 0, 2, ":2:", "label 2 is out of range: --classes 2",
          "CSV: label 2 with --classes 2");
  CSV_BAD("labelhuge.csv", "0,1\n1048576,1\n", 0, 0, ":2:", "out of range", "CSV: a label of 2^20");
  CSV_BAD("empty.csv", "", 0, 0, ":1:", "empty file", "CSV: an empty file");
  CSV_BAD("header.csv", "label,a,b\n", 0, 0, ":1:", "no data rows", "CSV: a header only");
  CSV_BAD("comments.csv", "# one\n\n# two\n", 0, 0, ":3:", "no data rows", "CSV: comments only");
  CSV_BAD("onecol.csv", "0\n1\n", 0, 0, ":1:", "one column", "CSV: one column");
  CSV_BAD("nul.csv", "0,1\n1,2\0\n", 0, 0, ":2:", "NUL", "CSV: a NUL byte");
  {
    dataio_info info;
    sb_error err;
    write_text("dim.csv", "# c\n0,1,2\n");
    int rc = rd(DATAIO_CSV, at("dim.csv"), 3, 0, 0, NULL, NULL, &info, &err);
    char place[600];
    snprintf(place, sizeof place, "%s:2:", at("dim.csv"));
    tap_ok(rc == SB_EUSAGE && !strncmp(err.msg, "--input-dim: ", 13) && strstr(err.msg, place)
           && strstr(err.msg, "2 features per row"),
           "CSV: --input-dim 3 against 2 features -> '%s'", err.msg);
    rc = rd(DATAIO_CSV, at("no-such.csv"), 0, 0, 0, NULL, NULL, &info, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, at("no-such.csv")) && strstr(err.msg, "cannot open")
           && strstr(err.msg, "No such file"),
           "CSV: a missing file -> '%s'", err.msg);
    rc = rd(DATAIO_CSV, "", 0, 0, 0, NULL, NULL, &info, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, "csv:PATH"), "CSV: an empty path -> '%s'", err.msg);
  }
}

/* ---- file datasets through data.h ----------------------------------------------- */

static data_spec file_spec(data_kind kind, const char *path, size_t n_train, size_t n_test)
{
  data_spec s = { .kind = kind, .input_dim = 32, .classes = 10, .train_size = n_train, .test_size = n_test };
  snprintf(s.path, sizeof s.path, "%s", path);
  return s;
}

static void test_datasets(void)
{
  /* Feature 1: train 1, 2, 3, 4 (mean 2.5, population sd sqrt(1.25));
   * feature 2: constant 7 on train.  Test rows: (5, 9) and (0, 7). */
  write_text("split.csv", "y,f1,f2\n0,1,7\n1,2,7\n0,3,7\n2,4,7\n1,5,9\n0,0,7\n9,9,9\n");
  data_spec s = file_spec(DATA_CSV, at("split.csv"), 4, 2);
  sb_error err;
  sb_error_clear(&err);
  int rc = data_resolve(&s, &err);
  tap_ok(rc == SB_OK && s.input_dim == 2 && s.classes == 10 && s.digest != 0,
         "data_resolve csv: input_dim 2 and classes 10 (largest label 9, +1) from the file: rc %d '%s' %zu x %zu",
         rc, err.msg, s.input_dim, s.classes);
  tap_ok(data_check(&s, &err) == SB_OK && data_scale_of(&s) == DATA_SCALE_STANDARD,
         "csv passes data_check; its default scaling is standard");

  dataset *d = data_alloc(&s, 0, &err);
  int ok = d != NULL;
  if (d) {
    double sd = sqrt(1.25);
    const double want[6][2] = { { -1.5 / sd, 0 }, { -0.5 / sd, 0 }, { 0.5 / sd, 0 }, { 1.5 / sd, 0 },
                                { 2.5 / sd, 2 }, { -2.5 / sd, 0 } };
    const int ywant[6] = { 0, 1, 0, 2, 1, 0 };
    ok = d->n_train == 4 && d->n_test == 2 && d->dim == 2 && d->X_test == d->X_train + 8;
    for (int i = 0; i < 6 && ok; i++) {
      ok &= d->y_train[i] == ywant[i];
      for (int j = 0; j < 2; j++) ok &= fabs(d->X_train[2 * i + j] - want[i][j]) <= 1e-15;
    }
    tap_ok(ok, "csv standard: first 4 rows train, next 2 test, z-scored by the train rows "
           "(a constant feature shifted only): test row 1 = (%.17g, %.17g)", d->X_test[0], d->X_test[1]);
  } else {
    tap_ok(0, "data_alloc csv failed: %s", err.msg);
  }
  data_free(d);

  s.scale = DATA_SCALE_UNIT;
  d = data_alloc(&s, 0, &err);
  tap_ok(d && d->X_train[0] == 0 && d->X_train[6] == 1 && d->X_test[0] == 4.0 / 3.0 && d->X_test[1] == 2
         && d->X_train[3] == 0,
         "csv unit: (x - train min) / (train max - min): train 1 -> 0, 4 -> 1, test 5 -> %.17g, constant 7 -> 0",
         d ? d->X_test[0] : NAN);
  data_free(d);
  s.scale = DATA_SCALE_NONE;
  d = data_alloc(&s, 0, &err);
  tap_ok(d && d->X_train[0] == 1 && d->X_test[0] == 5 && d->X_test[1] == 9, "csv none: values as written");
  data_free(d);

  /* What the user gave must agree with the file. */
  data_spec g = file_spec(DATA_CSV, at("split.csv"), 4, 2);
  g.given = DATA_GIVEN_DIM;
  g.input_dim = 3;
  sb_error_clear(&err);
  rc = data_resolve(&g, &err);
  tap_ok(rc == SB_EUSAGE && !strncmp(err.msg, "--input-dim: ", 13) && strstr(err.msg, at("split.csv")),
         "a given --input-dim 3 against the file's 2 -> '%s'", err.msg);
  g = file_spec(DATA_CSV, at("split.csv"), 4, 2);
  g.given = DATA_GIVEN_CLASSES;
  g.classes = 5;
  sb_error_clear(&err);
  rc = data_resolve(&g, &err);
  tap_ok(rc == SB_EUSAGE && strstr(err.msg, "split.csv:8:") && strstr(err.msg, "--classes 5"),
         "a given --classes 5 against a label 9 on line 8 -> '%s'", err.msg);
  g = file_spec(DATA_CSV, at("split.csv"), 4, 2);
  g.given = DATA_GIVEN_CLASSES;
  g.classes = 12;
  sb_error_clear(&err);
  rc = data_resolve(&g, &err);
  tap_ok(rc == SB_OK && g.classes == 12, "a given --classes 12 above the largest label is kept: %zu", g.classes);
  g = file_spec(DATA_CSV, at("split.csv"), 5, 3);
  sb_error_clear(&err);
  rc = data_resolve(&g, &err);
  tap_ok(rc == SB_EUSAGE && strstr(err.msg, at("split.csv")) && strstr(err.msg, "7 examples")
         && strstr(err.msg, "--train-size 5") && strstr(err.msg, "--test-size 3"),
         "--train-size 5 + --test-size 3 from 7 rows -> '%s'", err.msg);
  write_text("oneclass.csv", "0,1\n0,2\n0,4\n");
  g = file_spec(DATA_CSV, at("oneclass.csv"), 2, 1);
  sb_error_clear(&err);
  rc = data_resolve(&g, &err);
  tap_ok(rc == SB_EUSAGE && !strncmp(err.msg, "--classes: ", 11) && strstr(err.msg, "oneclass.csv"),
         "a file whose labels are all 0 -> '%s'", err.msg);

  /* The digest pins the contents. */
  g = file_spec(DATA_CSV, at("split.csv"), 4, 2);
  g.digest = s.digest ^ 1;
  sb_error_clear(&err);
  rc = data_resolve(&g, &err);
  tap_ok(rc == SB_EUSAGE && !strncmp(err.msg, "--dataset-digest: ", 18) && strstr(err.msg, "split.csv"),
         "data_resolve with another file's digest -> '%s'", err.msg);
  g.input_dim = 2;
  sb_error_clear(&err);
  d = data_alloc(&g, 0, &err);
  tap_ok(!d && err.code == SB_EUSAGE && strstr(err.msg, "changed"), "data_alloc with a stale digest -> '%s'", err.msg);
  data_free(d);

  /* A malformed file fails data_resolve and data_alloc alike. */
  data_spec m = file_spec(DATA_CSV, at("ragged.csv"), 1, 1);
  sb_error_clear(&err);
  rc = data_resolve(&m, &err);
  tap_ok(rc == SB_EUSAGE && strstr(err.msg, "ragged.csv:3:"), "data_resolve of a ragged file -> '%s'", err.msg);
  m.input_dim = 2;
  m.classes = 2;
  sb_error_clear(&err);
  d = data_alloc(&m, 0, &err);
  tap_ok(!d && err.code == SB_EUSAGE && strstr(err.msg, "ragged.csv:3:"), "data_alloc of it -> '%s'", err.msg);

  /* IDX: `unit` scales by the range the training images actually span,
   * (x - min) / (max - min) over all their pixels (x / 255 for MNIST,
   * x / 16 for a file of 0-16 values), the test split by the same. */
  data_spec x = file_spec(DATA_IDX, at("rt"), 5, 2);
  sb_error_clear(&err);
  rc = data_resolve(&x, &err);
  d = rc ? NULL : data_alloc(&x, 0, &err);
  double lo = 255, hi = 0;
  for (size_t i = 0; i < 5; i++)
    for (size_t j = 0; j < RDIM; j++) {
      lo = fmin(lo, ref_pixel(i, j));
      hi = fmax(hi, ref_pixel(i, j));
    }
  ok = d && x.input_dim == RDIM && x.classes == 5 && data_scale_of(&x) == DATA_SCALE_UNIT && hi - lo < 255;
  for (size_t i = 0; i < RN && ok; i++)
    for (size_t j = 0; j < RDIM; j++) ok &= d->X_train[i * RDIM + j] == ((double)ref_pixel(i, j) - lo) / (hi - lo);
  for (size_t i = 0; i < RN && ok; i++) ok &= d->y_train[i] == (int)(i % 5);
  tap_ok(ok, "idx: 5 train + 2 test examples, pixels scaled by the training range [%g, %g] exactly, labels as written: '%s'",
         lo, hi, err.msg);
  data_free(d);
}

int main(void)
{
  fileio_mkdirs(DIR, NULL);
  tap_diag("zlib: %s", dataio_has_zlib() ? "yes" : "no");
  test_idx_round_trip();
  test_idx_types();
  test_idx_bad();
  test_csv_round_trip();
  test_csv_bad();
  test_datasets();
  return tap_done();
}
