/* prec.c - the emulated floating-point formats and rounding to them
 * (prec.h).  The rounding works on a double's bits: for a result in the
 * format's normal range it adds half a unit of the format's last place
 * (less one, plus the kept last bit: ties to even) and clears the dropped
 * bits, a carry running into the exponent as it should; below 2^emin the
 * unit is the fixed quantum 2^(emin - p + 1), and x / quantum (exact: a
 * power of two) is rounded to an integer, ties to even, by nearbyint in
 * the default rounding mode.  tests/test_prec.c checks every class of
 * value against GCC's _Float16 and float conversions and MPFR. */
#include <config.h>
#include "prec.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

const prec_format prec_formats[PREC_COUNT] = {
  [PREC_FP64] = { "fp64", 53, -1022, 1023, 0x1.fffffffffffffp+1023, 0,
                  "IEEE binary64: satbench's own arithmetic, nothing rounded (the default)" },
  [PREC_FP32] = { "fp32", 24, -126, 127, 0x1.fffffep+127, 0,
                  "IEEE binary32: 24-bit significand, smallest subnormal 2^-149, max 3.4e38" },
  [PREC_BF16] = { "bf16", 8, -126, 127, 0x1.fep+127, 0,
                  "bfloat16: fp32's range with an 8-bit significand, smallest subnormal 2^-133" },
  [PREC_FP16] = { "fp16", 11, -14, 15, 65504.0, 0,
                  "IEEE binary16: 11-bit significand, smallest subnormal 2^-24 (6e-8), max 65504" },
  [PREC_FP8E5M2] = { "fp8e5m2", 3, -14, 15, 57344.0, 0,
                     "OCP FP8 E5M2: fp16's range with a 3-bit significand, smallest subnormal 2^-16, max 57344" },
  [PREC_FP8E4M3] = { "fp8e4m3", 4, -6, 8, 448.0, 1,
                     "OCP FP8 E4M3 (fn): 4-bit significand, smallest subnormal 2^-9, max 448, no inf (saturates)" },
};

const char *prec_name(prec_kind k) { return (unsigned)k < PREC_COUNT ? prec_formats[k].name : "?"; }

int prec_parse(const char *text, prec_kind *out, sb_error *err)
{
  for (int k = 0; k < PREC_COUNT; k++)
    if (!strcmp(text, prec_formats[k].name)) { *out = (prec_kind)k; return SB_OK; }
  return sb_fail(err, SB_EUSAGE,
                 "--precisions: unknown precision '%s' (valid: fp64, fp32, bf16, fp16, fp8e5m2, fp8e4m3)", text);
}

double prec_min_subnormal(prec_kind k) { return ldexp(1.0, prec_formats[k].emin - prec_formats[k].p + 1); }
double prec_min_normal(prec_kind k) { return ldexp(1.0, prec_formats[k].emin); }

/* x (finite, nonzero) rounded to p bits with normal exponents from emin
 * on, before the overflow test. */
static inline double round_bits(double x, int p, int emin)
{
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  int e = (int)((u >> 52) & 0x7ff) - 1023;   /* -1023: a double subnormal, far below any format's */
  if (e >= emin) {
    int shift = 53 - p;
    if (shift == 0) return x;
    uint64_t half = (UINT64_C(1) << (shift - 1)) - 1 + ((u >> shift) & 1);
    u = (u + half) & ~((UINT64_C(1) << shift) - 1);
    memcpy(&x, &u, sizeof x);
    return x;
  }
  double q = ldexp(1.0, emin - p + 1);
  return copysign(nearbyint(x / q) * q, x);   /* copysign: -tiny becomes -0 */
}

double prec_round(prec_kind k, double x)
{
  if (k == PREC_FP64 || !isfinite(x) || x == 0.0) return x;
  const prec_format *f = &prec_formats[k];
  double r = round_bits(x, f->p, f->emin);
  if (fabs(r) > f->max) r = copysign(f->saturate ? f->max : INFINITY, x);
  return r;
}

void prec_round_vec(prec_kind k, double *x, size_t n, prec_count *c)
{
  if (k == PREC_FP64) {
    if (c) {
      size_t z = 0;
      for (size_t i = 0; i < n; i++) z += x[i] == 0.0;
      c->n += (double)n;
      c->zero += (double)z;
    }
    return;
  }
  const prec_format *f = &prec_formats[k];
  const int p = f->p, emin = f->emin, sat = f->saturate;
  const double max = f->max, tiny = ldexp(1.0, emin);
  if (!c) {
    for (size_t i = 0; i < n; i++) {
      double v = x[i];
      if (!isfinite(v) || v == 0.0) continue;
      double r = round_bits(v, p, emin);
      if (fabs(r) > max) r = copysign(sat ? max : INFINITY, v);
      x[i] = r;
    }
    return;
  }
  size_t uf = 0, of = 0, sub = 0, z = 0;
  for (size_t i = 0; i < n; i++) {
    double v = x[i];
    if (!isfinite(v)) continue;
    if (v == 0.0) { z++; continue; }
    double r = round_bits(v, p, emin);
    if (fabs(r) > max) {
      r = copysign(sat ? max : INFINITY, v);
      of++;
    }
    if (r == 0.0) { uf++; z++; }
    else if (fabs(r) < tiny) sub++;
    x[i] = r;
  }
  c->n += (double)n;
  c->uflow += (double)uf;
  c->oflow += (double)of;
  c->subn += (double)sub;
  c->zero += (double)z;
}
