/* prec.h - the arithmetic a cell emulates (the --precisions axis): the
 * floating-point formats, rounding a double to one of them, and counting
 * what the rounding did (underflow to zero, overflow, subnormal results).
 *
 * Emulation the way Higham & Pranesh's chop and Fasi & Mikaitis's CPFloat
 * do it: every value is a double that holds a number of the format; after
 * an operation computed in double, its result is rounded to the format,
 * round to nearest with ties to even, with the format's subnormals (gradual
 * underflow: below half the smallest subnormal a value becomes a signed
 * zero), and overflow to +-inf, or to +-max for a format without
 * infinities (fp8e4m3, the OCP E4M3 "fn" encoding saturating as NVIDIA's
 * .satfinite conversions do).  NaN and +-inf pass through, -0 stays -0.
 *
 * Every fact about a format is one row of prec.c's prec_formats. */
#ifndef SB_PREC_H
#define SB_PREC_H

#include <stddef.h>
#include "err.h"

typedef enum {
  PREC_FP64, PREC_FP32, PREC_BF16, PREC_FP16, PREC_FP8E5M2, PREC_FP8E4M3,
  PREC_COUNT
} prec_kind;

typedef struct prec_format {
  const char *name;     /* the CLI's and the tables' name */
  int p;                /* significand bits, the implicit one included */
  int emin, emax;       /* exponents of the normal numbers: [2^emin, 2^(emax+1)) */
  double max;           /* the largest finite value */
  int saturate;         /* overflow gives +-max (no infinities), else +-inf */
  const char *about;    /* one line: `satbench list precisions`, the manual */
} prec_format;
extern const prec_format prec_formats[PREC_COUNT];

const char *prec_name(prec_kind k);
int prec_parse(const char *text, prec_kind *out, sb_error *err);
/* The smallest positive subnormal 2^(emin - p + 1) and normal 2^emin. */
double prec_min_subnormal(prec_kind k);
double prec_min_normal(prec_kind k);

/* x rounded to format k (PREC_FP64: x itself). */
double prec_round(prec_kind k, double x);

/* What rounding a tensor did, summed over the calls that share it. */
typedef struct prec_count {
  double n;        /* entries rounded */
  double uflow;    /* nonzero before, exactly 0 after (flushed to zero) */
  double oflow;    /* finite before, +-inf after (or +-max, saturated, for a format without inf) */
  double subn;     /* nonzero and below 2^emin after: in the subnormal range */
  double zero;     /* exactly 0 after (the flushed ones and those 0 before) */
} prec_count;

/* Round x[0..n) in place to format k; with c non-NULL also count into it
 * (the probe's passes; training steps pass NULL and pay nothing more).
 * PREC_FP64 leaves x alone (and counts zeros only). */
void prec_round_vec(prec_kind k, double *x, size_t n, prec_count *c);

/* Loss scaling (the --loss-scales axis): a fixed scale S, or dynamic as
 * the frameworks do it (PyTorch's GradScaler, Micikevicius et al. 2018):
 * start at PREC_DYN_INIT, halve and skip the step when a gradient is not
 * finite, double after PREC_DYN_WINDOW finite steps in a row. */
#define PREC_DYN_INIT 65536.0     /* 2^16, GradScaler's init_scale */
#define PREC_DYN_WINDOW 2000      /* GradScaler's growth_interval (--loss-scale-window's default) */
#define PREC_DYN_WINDOW_TEXT "2000"
#define PREC_DYN_MIN 0x1p-24      /* halving stops here: a scale that small means the loss itself overflowed */
#define PREC_DYN_MAX 0x1p+64

#endif
