/* shapeset.c - Shapeset-3x2 images (see shapeset.h) and their contact sheet.
 *
 * Glorot & Bengio's generator is not available here, so this one follows
 * the paper's description (sec. 2.1) and makes its own choices where the
 * paper is silent; the manual lists them.  Objects are rasterized at 4x4
 * subsamples per pixel and a pixel is the mean of its subsamples, so edges
 * are anti-aliased and a pixel inside an object has exactly its grey level.
 * The overlap rule is checked on the same subsample masks that make the
 * pixels, so what the tests measure is what the network sees. */
#include "shapeset.h"
#include "fileio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_math.h>

/* Size: the farthest vertex (or the major semi-axis) lies R_MIN..R_MAX
 * pixels from the shape's centre.  R_MAX keeps an object within 24 of the
 * 30 usable pixels, so a second one usually fits beside it; R_MIN keeps the
 * thinnest triangle above MIN_AREA_PX most of the time. */
#define R_MIN 6.0
#define R_MAX 12.0
/* Objects stay this many pixels clear of the border, so none is cut. */
#define MARGIN 1.0
/* A drawing smaller than this (in pixels of area) is drawn again: a
 * network cannot be asked to name a shape that is a handful of pixels. */
#define MIN_AREA_PX 12
#define MIN_AREA (MIN_AREA_PX * SHAPESET_SUB * SHAPESET_SUB)
/* Triangles: every angle at least 30 degrees, so none is a sliver that
 * reads as a line.  Parallelograms: sides in ratio 0.4..1 meeting at 45..90
 * degrees (an angle of 90 + t gives the same shape as 90 - t).  Ellipses:
 * axes in ratio 0.4..1.  "Random shape parameters (relative lengths and/or
 * angles)" in the paper; these bounds are ours. */
#define TRI_MIN_ANGLE (M_PI / 6.0)
#define PAR_MIN_RATIO 0.4
#define PAR_MIN_ANGLE (M_PI / 4.0)
#define ELL_MIN_RATIO 0.4
/* Grey levels: U[GREY_MIN, 1] on a black background, and the two objects
 * of a pair at least GREY_SEP apart, so both stay visible where they touch. */
#define GREY_MIN 0.25
#define GREY_SEP 0.2
/* The paper: "the second object does not overlap with the first by more
 * than fifty percent of its area, to avoid hiding it entirely".  Its = the
 * first's: the object underneath stays at least half visible. */
#define OVERLAP_MAX 0.5
/* Attempts at placing the second object before the first one is redrawn
 * (a large first object can leave no room). */
#define SECOND_TRIES 32

static const char *const class_names[SHAPESET_CLASSES] = {
  "triangle", "parallelogram", "ellipse",
  "triangle+parallelogram", "triangle+ellipse", "parallelogram+ellipse",
  "triangle+triangle", "parallelogram+parallelogram", "ellipse+ellipse",
};

/* Classes 0-2 are the single shapes, 3-8 the six unordered pairs. */
static const shapeset_shape class_shapes[SHAPESET_CLASSES][2] = {
  { SHAPESET_TRIANGLE, SHAPESET_SHAPES },
  { SHAPESET_PARALLELOGRAM, SHAPESET_SHAPES },
  { SHAPESET_ELLIPSE, SHAPESET_SHAPES },
  { SHAPESET_TRIANGLE, SHAPESET_PARALLELOGRAM },
  { SHAPESET_TRIANGLE, SHAPESET_ELLIPSE },
  { SHAPESET_PARALLELOGRAM, SHAPESET_ELLIPSE },
  { SHAPESET_TRIANGLE, SHAPESET_TRIANGLE },
  { SHAPESET_PARALLELOGRAM, SHAPESET_PARALLELOGRAM },
  { SHAPESET_ELLIPSE, SHAPESET_ELLIPSE },
};

const char *shapeset_class_name(int label)
{
  if (label < 0 || label >= SHAPESET_CLASSES) return "unknown";
  return class_names[label];
}

size_t shapeset_class_shapes(int label, shapeset_shape shapes[2])
{
  if (label < 0 || label >= SHAPESET_CLASSES) return 0;
  shapes[0] = class_shapes[label][0];
  shapes[1] = class_shapes[label][1];
  return shapes[1] == SHAPESET_SHAPES ? 1 : 2;
}

static double uniform(gsl_rng *r, double lo, double hi)
{
  return lo + (hi - lo) * gsl_rng_uniform(r);
}

/* ---- geometry ----------------------------------------------------------- */

/* Vertices around the origin, before translation.  A triangle with angles
 * A, B, C inscribed in a circle of radius rad has its vertices 2C and 2A
 * apart on the circle (inscribed angle theorem), which draws the angles
 * directly instead of rejecting random point triples. */
static void triangle_at_origin(gsl_rng *r, double rad, double theta, shapeset_object *o)
{
  double A, B, C;
  do {
    A = uniform(r, TRI_MIN_ANGLE, M_PI - 2.0 * TRI_MIN_ANGLE);
    B = uniform(r, TRI_MIN_ANGLE, M_PI - 2.0 * TRI_MIN_ANGLE);
    C = M_PI - A - B;
  } while (C < TRI_MIN_ANGLE);
  double phi[3] = { theta, theta + 2.0 * C, theta + 2.0 * C + 2.0 * A };
  o->n_vertices = 3;
  for (int k = 0; k < 3; k++) {
    o->vx[k] = rad * cos(phi[k]);
    o->vy[k] = rad * sin(phi[k]);
  }
}

/* Edge vectors u = (1, 0) and v = ratio (cos beta, sin beta); vertices at
 * (+-u +- v)/2, scaled so the long half-diagonal is rad, then rotated. */
static void parallelogram_at_origin(gsl_rng *r, double rad, double theta, shapeset_object *o)
{
  double ratio = uniform(r, PAR_MIN_RATIO, 1.0);
  double beta = uniform(r, PAR_MIN_ANGLE, M_PI / 2.0);
  double ux = 1.0, uy = 0.0, vx = ratio * cos(beta), vy = ratio * sin(beta);
  double half_diag = 0.5 * hypot(ux + vx, uy + vy);
  double s = rad / half_diag, c = cos(theta), sn = sin(theta);
  static const double su[4] = { -0.5, 0.5, 0.5, -0.5 }, sv[4] = { -0.5, -0.5, 0.5, 0.5 };
  o->n_vertices = 4;
  for (int k = 0; k < 4; k++) {
    double px = s * (su[k] * ux + sv[k] * vx), py = s * (su[k] * uy + sv[k] * vy);
    o->vx[k] = c * px - sn * py;
    o->vy[k] = sn * px + c * py;
  }
}

/* Half extents of the bounding box of the shape around the origin. */
static void extent(const shapeset_object *o, double *lo_x, double *hi_x, double *lo_y, double *hi_y)
{
  if (o->n_vertices == 0) {
    double c = cos(o->angle), s = sin(o->angle);
    double hx = sqrt(o->a * o->a * c * c + o->b * o->b * s * s);
    double hy = sqrt(o->a * o->a * s * s + o->b * o->b * c * c);
    *lo_x = o->cx - hx; *hi_x = o->cx + hx;
    *lo_y = o->cy - hy; *hi_y = o->cy + hy;
    return;
  }
  *lo_x = *hi_x = o->vx[0];
  *lo_y = *hi_y = o->vy[0];
  for (size_t k = 1; k < o->n_vertices; k++) {
    *lo_x = GSL_MIN(*lo_x, o->vx[k]); *hi_x = GSL_MAX(*hi_x, o->vx[k]);
    *lo_y = GSL_MIN(*lo_y, o->vy[k]); *hi_y = GSL_MAX(*hi_y, o->vy[k]);
  }
}

static int inside(const shapeset_object *o, double px, double py)
{
  if (o->n_vertices == 0) {
    double c = cos(o->angle), s = sin(o->angle);
    double dx = px - o->cx, dy = py - o->cy;
    double u = (c * dx + s * dy) / o->a, v = (-s * dx + c * dy) / o->b;
    return u * u + v * v <= 1.0;
  }
  /* Convex polygon: the point is on the inner side of every edge; the
   * inner side is the sign of the polygon's own orientation. */
  double orient = 0.0;
  size_t n = o->n_vertices;
  for (size_t k = 0; k < n; k++) {
    size_t k1 = (k + 1) % n;
    orient += o->vx[k] * o->vy[k1] - o->vx[k1] * o->vy[k];
  }
  for (size_t k = 0; k < n; k++) {
    size_t k1 = (k + 1) % n;
    double cross = (o->vx[k1] - o->vx[k]) * (py - o->vy[k]) - (o->vy[k1] - o->vy[k]) * (px - o->vx[k]);
    if (orient > 0 ? cross < 0 : cross > 0) return 0;
  }
  return 1;
}

/* Fill mask with o's coverage; returns the covered subsamples.  Only the
 * subsamples inside the bounding box are tested. */
static size_t rasterize(const shapeset_object *o, unsigned char *mask)
{
  memset(mask, 0, (size_t)SHAPESET_FINE * SHAPESET_FINE);
  double lo_x, hi_x, lo_y, hi_y;
  extent(o, &lo_x, &hi_x, &lo_y, &hi_y);
  /* Subsample j sits at (j + 0.5) / SUB. */
  long j0 = (long)ceil(lo_x * SHAPESET_SUB - 0.5), j1 = (long)floor(hi_x * SHAPESET_SUB - 0.5);
  long i0 = (long)ceil(lo_y * SHAPESET_SUB - 0.5), i1 = (long)floor(hi_y * SHAPESET_SUB - 0.5);
  j0 = GSL_MAX(j0, 0); i0 = GSL_MAX(i0, 0);
  j1 = GSL_MIN(j1, SHAPESET_FINE - 1); i1 = GSL_MIN(i1, SHAPESET_FINE - 1);
  size_t area = 0;
  for (long i = i0; i <= i1; i++)
    for (long j = j0; j <= j1; j++)
      if (inside(o, ((double)j + 0.5) / SHAPESET_SUB, ((double)i + 0.5) / SHAPESET_SUB)) {
        mask[i * SHAPESET_FINE + j] = 1;
        area++;
      }
  return area;
}

/* Draw one object of the given shape -- size, shape parameters, rotation,
 * then a translation that keeps it MARGIN inside the image -- until it
 * covers MIN_AREA subsamples.  Draw order: rad, theta, shape parameters,
 * x, y. */
static void draw_object(gsl_rng *r, shapeset_shape shape, shapeset_object *o, unsigned char *mask)
{
  for (;;) {
    memset(o, 0, sizeof *o);
    o->shape = shape;
    double rad = uniform(r, R_MIN, R_MAX);
    double theta = uniform(r, 0.0, 2.0 * M_PI);
    if (shape == SHAPESET_TRIANGLE) triangle_at_origin(r, rad, theta, o);
    else if (shape == SHAPESET_PARALLELOGRAM) parallelogram_at_origin(r, rad, theta, o);
    else {
      o->a = rad;
      o->b = rad * uniform(r, ELL_MIN_RATIO, 1.0);
      o->angle = theta;
    }
    double lo_x, hi_x, lo_y, hi_y;
    extent(o, &lo_x, &hi_x, &lo_y, &hi_y);
    /* R_MAX < (SIDE - 2 MARGIN) / 2, so these ranges are never empty. */
    double tx = uniform(r, MARGIN - lo_x, SHAPESET_SIDE - MARGIN - hi_x);
    double ty = uniform(r, MARGIN - lo_y, SHAPESET_SIDE - MARGIN - hi_y);
    if (o->n_vertices == 0) {
      o->cx = tx;
      o->cy = ty;
    } else {
      for (size_t k = 0; k < o->n_vertices; k++) {
        o->vx[k] += tx;
        o->vy[k] += ty;
      }
    }
    o->area = rasterize(o, mask);
    if (o->area >= MIN_AREA) return;
  }
}

static size_t overlap(const unsigned char *m0, const unsigned char *m1)
{
  size_t n = 0;
  for (size_t i = 0; i < (size_t)SHAPESET_FINE * SHAPESET_FINE; i++) n += m0[i] & m1[i];
  return n;
}

void shapeset_draw(shapeset_canvas *c, gsl_rng *r, int label, double *x)
{
  shapeset_shape shapes[2];
  size_t n = shapeset_class_shapes(label, shapes);
  if (n == 0) {   /* a caller's bug; a blank image rather than a crash */
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < SHAPESET_DIM; i++) x[i] = 0.0;
    return;
  }
  c->n_objects = n;
  /* Labels ignore which object is in front, so either shape of a mixed
   * pair may be the one underneath. */
  if (n == 2 && shapes[0] != shapes[1] && gsl_rng_uniform(r) < 0.5) {
    shapeset_shape t = shapes[0];
    shapes[0] = shapes[1];
    shapes[1] = t;
  }
  int placed = 0;
  while (!placed) {
    draw_object(r, shapes[0], &c->obj[0], c->mask[0]);
    if (n == 1) {
      memset(&c->obj[1], 0, sizeof c->obj[1]);
      memset(c->mask[1], 0, sizeof c->mask[1]);
      placed = 1;
      break;
    }
    for (int t = 0; t < SECOND_TRIES && !placed; t++) {
      draw_object(r, shapes[1], &c->obj[1], c->mask[1]);
      placed = (double)overlap(c->mask[0], c->mask[1]) <= OVERLAP_MAX * (double)c->obj[0].area;
    }
  }
  c->obj[0].grey = uniform(r, GREY_MIN, 1.0);
  if (n == 2)
    do c->obj[1].grey = uniform(r, GREY_MIN, 1.0);
    while (fabs(c->obj[1].grey - c->obj[0].grey) < GREY_SEP);

  /* Pixel = mean of its subsamples, from integer counts: a pixel wholly
   * inside an object is exactly 16 g / 16 = g. */
  double g0 = c->obj[0].grey, g1 = c->obj[1].grey;
  for (size_t py = 0; py < SHAPESET_SIDE; py++)
    for (size_t px = 0; px < SHAPESET_SIDE; px++) {
      unsigned n0 = 0, n1 = 0;
      for (size_t si = 0; si < SHAPESET_SUB; si++)
        for (size_t sj = 0; sj < SHAPESET_SUB; sj++) {
          size_t k = (py * SHAPESET_SUB + si) * SHAPESET_FINE + px * SHAPESET_SUB + sj;
          if (c->mask[1][k]) n1++;
          else if (c->mask[0][k]) n0++;
        }
      x[py * SHAPESET_SIDE + px] = ((double)n0 * g0 + (double)n1 * g1) / (SHAPESET_SUB * SHAPESET_SUB);
    }
}

/* ---- contact sheet ------------------------------------------------------ */

/* Frame between tiles: mid grey, so black backgrounds and white objects
 * are both told apart from it. */
#define SHEET_FRAME 128

int shapeset_sheet_write(const char *path, const double *X, size_t n, size_t columns,
                         unsigned zoom, const char *comment, sb_error *err)
{
  if (n == 0 || columns == 0 || zoom == 0 || zoom > 64)
    return sb_fail(err, SB_EUSAGE, "contact sheet: need at least one image, one column and a zoom of 1..64");
  if (columns > n) columns = n;
  size_t rows = (n + columns - 1) / columns, tile = (size_t)SHAPESET_SIDE * zoom;
  size_t width = columns * (tile + 1) + 1, height = rows * (tile + 1) + 1;
  /* The sheet replaces a regular file or nothing: a device, a FIFO or a
   * directory cannot be replaced whole (a FIFO would block the write), and
   * a symbolic link would be replaced by a file where /dev/stdout or a
   * link planted in a shared folder stands. */
  struct stat st;
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return sb_fail(err, SB_EUSAGE, "%s: %s, not a regular file; give the path of a file to create or replace", path,
                   S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a directory"
                   : S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                   : "a special file");
  /* Written beside its name and renamed over it once whole and on disk:
   * a full disk, ulimit -f or a kill keeps the previous sheet. */
  size_t tsize = strlen(path) + 64;
  char *tmp = malloc(tsize);
  unsigned char *line = malloc(width);
  if (!line || !tmp) {
    free(line);
    free(tmp);
    return sb_fail(err, SB_EFAIL, "out of memory for a %zu-pixel line", width);
  }
  FILE *f = fileio_open_tmp(tmp, tsize, path, err);
  if (!f) {
    free(line);
    free(tmp);
    return SB_EFAIL;
  }
  fprintf(f, "P5\n");
  if (comment) fprintf(f, "# %s\n", comment);
  fprintf(f, "%zu %zu\n255\n", width, height);
  for (size_t y = 0; y < height; y++) {
    memset(line, SHEET_FRAME, width);
    size_t in_row = y % (tile + 1);
    if (in_row != 0) {
      size_t trow = y / (tile + 1), py = (in_row - 1) / zoom;
      for (size_t tcol = 0; tcol < columns; tcol++) {
        size_t i = trow * columns + tcol;
        if (i >= n) break;
        const double *img = X + i * SHAPESET_DIM + py * SHAPESET_SIDE;
        unsigned char *dst = line + tcol * (tile + 1) + 1;
        for (size_t px = 0; px < tile; px++) {
          double v = img[px / zoom];
          v = v >= 0.0 ? (v <= 1.0 ? v : 1.0) : 0.0;   /* NaN -> 0 too */
          dst[px] = (unsigned char)lround(v * 255.0);
        }
      }
    }
    if (fwrite(line, 1, width, f) != width) break;
  }
  free(line);
  /* A failed fwrite above left ferror set: the commit then removes tmp
   * and names path and the error. */
  int rc = fileio_commit(f, tmp, path, err);
  free(tmp);
  return rc;
}
