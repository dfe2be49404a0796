/* shapeset.h - a generator of Shapeset-3x2 (Glorot & Bengio 2010, sec. 2.1):
 * 32x32 grey images holding one or two objects -- triangle, parallelogram,
 * ellipse -- of random shape, scale, rotation, translation and grey level,
 * the second covering at most half of the first, labelled by the set of
 * shapes present (9 classes).  Also the PGM contact sheet that lets a person
 * look at the samples. */
#ifndef SB_SHAPESET_H
#define SB_SHAPESET_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "err.h"

#define SHAPESET_SIDE 32                              /* pixels per side */
#define SHAPESET_DIM (SHAPESET_SIDE * SHAPESET_SIDE)  /* 1024 features */
#define SHAPESET_CLASSES 9
#define SHAPESET_SUB 4                                /* subsamples per pixel and axis */
#define SHAPESET_FINE (SHAPESET_SIDE * SHAPESET_SUB)  /* 128: side of a mask */

typedef enum {
  SHAPESET_TRIANGLE,
  SHAPESET_PARALLELOGRAM,
  SHAPESET_ELLIPSE,
  SHAPESET_SHAPES
} shapeset_shape;

/* One object, in pixel units: x to the right, y down, the image spanning
 * [0, 32) on both axes. */
typedef struct shapeset_object {
  shapeset_shape shape;
  double grey;            /* its grey level, in (0, 1]; the background is 0 */
  size_t n_vertices;      /* 3 or 4 for polygons, 0 for the ellipse */
  double vx[4], vy[4];    /* polygon vertices, in order around it */
  double cx, cy;          /* ellipse centre */
  double a, b, angle;     /* ellipse semi-axes and the rotation of a (radians) */
  size_t area;            /* subsamples it covers, before any occlusion */
} shapeset_object;

/* The objects of the last drawing and their supersampled masks.  Caller
 * owned (about 33 KB) and reused from one image to the next, so drawing
 * allocates nothing. */
typedef struct shapeset_canvas {
  size_t n_objects;       /* 1 or 2; object 1 is painted over object 0 */
  shapeset_object obj[2];
  /* mask[k][i * SHAPESET_FINE + j] = 1 where object k covers subsample
   * (i, j), i.e. the point ((j + 0.5) / SUB, (i + 0.5) / SUB); object 0's
   * mask ignores the occlusion by object 1. */
  unsigned char mask[2][SHAPESET_FINE * SHAPESET_FINE];
} shapeset_canvas;

/* "triangle", ..., "triangle+parallelogram", ...; "unknown" out of range. */
const char *shapeset_class_name(int label);
/* The shapes of a class into shapes[]; returns their number (1 or 2), or 0
 * for a label outside [0, SHAPESET_CLASSES). */
size_t shapeset_class_shapes(int label, shapeset_shape shapes[2]);

/* Draw one image of class `label` (in [0, SHAPESET_CLASSES)) from r into
 * x (SHAPESET_DIM doubles in [0, 1], row-major, top row first); c keeps
 * the objects and masks.  The draws taken from r depend only on r's state
 * and the label. */
void shapeset_draw(shapeset_canvas *c, gsl_rng *r, int label, double *x);

/* Write n images (X: (n, SHAPESET_DIM), values in [0, 1]) as one binary
 * PGM (P5): `columns` tiles per row, each magnified `zoom` times, with a
 * 1-pixel mid-grey frame around every tile.  `comment` (one line, may be
 * NULL) goes into the header.  The sheet is written beside path and
 * renamed over it whole (a failed write keeps the previous file);
 * SB_EUSAGE when path is there but not a regular file (a link, a device,
 * a FIFO), SB_EFAIL naming the path and the error. */
int shapeset_sheet_write(const char *path, const double *X, size_t n, size_t columns,
                         unsigned zoom, const char *comment, sb_error *err);

#endif
