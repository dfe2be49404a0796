/* prec.c - the emulated floating-point formats and rounding to them
 * (prec.h).  The rounding works on a double's bits in the format's normal
 * range and adds a power of two below it (round_one); no branch, so that
 * rounding a tensor is one vectorized pass.  tests/test_prec.c checks every
 * class of value against GCC's _Float16 and float conversions and MPFR,
 * tests/prec-numpy.sh against numpy's float16 and PyTorch's bfloat16. */
#include <config.h>
#include "prec.h"
#include "act.h"   /* SB_CLONES */

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

/* Rounding to a format, the constants of its one loop (rounder_of) and
 * one value (round_one).  Without a branch, so that a tensor's loop
 * vectorizes (prec_round_vec is one pass over each tensor the emulated
 * passes store): every value takes both roads and a select keeps one. */
typedef struct rounder {
  int shift;            /* 53 - p: the double's significand bits dropped */
  uint64_t half, keep;  /* half an ulp less one; the kept bits' mask */
  double tiny;          /* 2^emin: below it the subnormal road */
  double big;           /* 2^52 quantum: x + big - big rounds x to the quantum */
  double max, ovf;      /* the largest finite; what overflow gives (+inf or max) */
} rounder;

#define SIGN_BIT (UINT64_C(1) << 63)
#define EXP_ALL UINT64_C(0x7ff0000000000000)   /* |x|'s bits from here on: inf or NaN */

static double pow2(int e) { uint64_t u = (uint64_t)(e + 1023) << 52; double x; memcpy(&x, &u, sizeof x); return x; }

static rounder rounder_of(const prec_format *f)
{
  int shift = 53 - f->p;
  return (rounder){ shift, (UINT64_C(1) << (shift - 1)) - 1, ~((UINT64_C(1) << shift) - 1), pow2(f->emin),
                    pow2(f->emin - f->p + 1 + 52), f->max, f->saturate ? f->max : INFINITY };
}

/* v rounded, and in *pre the magnitude before the overflow test (a
 * count's).  The normal road adds half an ulp less one, plus the kept last
 * bit (ties to even), to |v|'s bits and clears the dropped bits, a carry
 * running into the exponent as it should.  The subnormal road: below 2^emin
 * the unit is the fixed quantum q = 2^(emin - p + 1), and |v| + 2^52 q
 * (|v| < 2^emin <= 2^52 q: its ulp is q) rounds |v| to a multiple of q,
 * ties to even, in the default rounding mode; subtracting 2^52 q is exact.
 * The sign goes back on last (-tiny becomes -0); NaN, +-inf and +-0 come
 * out as they went in. */
static inline double round_one(const rounder *c, double v, double *pre)
{
  uint64_t u, a;
  memcpy(&u, &v, sizeof u);
  a = u & ~SIGN_BIT;
  uint64_t nb = (a + c->half + ((a >> c->shift) & 1)) & c->keep;
  double av, rn;
  memcpy(&av, &a, sizeof av);
  memcpy(&rn, &nb, sizeof rn);
  double rs = (av + c->big) - c->big;
  double r = av >= c->tiny ? rn : rs;
  *pre = r;
  r = r > c->max ? c->ovf : r;
  uint64_t rb;
  memcpy(&rb, &r, sizeof rb);
  rb |= u & SIGN_BIT;
  uint64_t out = a < EXP_ALL ? rb : u;
  double y;
  memcpy(&y, &out, sizeof y);
  return y;
}

double prec_round(prec_kind k, double x)
{
  if (k == PREC_FP64) return x;
  rounder c = rounder_of(&prec_formats[k]);
  double pre;
  return round_one(&c, x, &pre);
}

/* The loops vectorize under `omp simd` (OpenMP) and are compiled for AVX2
 * and AVX-512 too (SB_CLONES): integer and IEEE arithmetic only, so every
 * version gives the same bits; the counts are sums of integers. */
#ifdef _OPENMP
#define SB_SIMD_COUNT _Pragma("omp simd reduction(+: uf, of, sub, z)")
#define SB_SIMD _Pragma("omp simd")
#else
#define SB_SIMD_COUNT
#define SB_SIMD
#endif

/* The clones on a static function, called through prec_round_vec: clang 14
 * leaves an external target_clones function undefined at link time (CI's
 * fuzz build), as the static kernels of act.c and net.c never were. */
SB_CLONES static void round_vec(prec_kind k, double *x, size_t n, prec_count *c)
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
  const rounder r = rounder_of(&prec_formats[k]);
  if (!c) {
    SB_SIMD
    for (size_t i = 0; i < n; i++) {
      double pre;
      x[i] = round_one(&r, x[i], &pre);
    }
    return;
  }
  size_t uf = 0, of = 0, sub = 0, z = 0;
  SB_SIMD_COUNT
  for (size_t i = 0; i < n; i++) {
    double v = x[i], pre;
    double y = round_one(&r, v, &pre);
    /* NaN and +-inf count as nothing but entries; pre > max is overflow
     * for finite v only (an infinite v's pre is inf) */
    int fin = fabs(v) < INFINITY;
    z += y == 0.0;
    uf += y == 0.0 && v != 0.0;
    of += fin && pre > r.max;
    sub += y != 0.0 && fabs(y) < r.tiny;
    x[i] = y;
  }
  c->n += (double)n;
  c->uflow += (double)uf;
  c->oflow += (double)of;
  c->subn += (double)sub;
  c->zero += (double)z;
}

void prec_round_vec(prec_kind k, double *x, size_t n, prec_count *c)
{
  round_vec(k, x, n, c);
}
