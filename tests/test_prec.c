/* test_prec.c - prec.c's rounding against independent answers: the
 * hardware's round-to-nearest-even conversions (GCC's _Float16 for fp16,
 * float for fp32) and MPFR (mpfr_subnormalize in each format's exponent
 * range, with fp8e4m3's saturation at 448 applied by hand) for every
 * format, over every bit pattern of the 8- and 16-bit formats with the
 * midpoints between neighbours (exactly, and one double ulp either side),
 * each binade's edges and halfway cases, hand-checked answers, and 4e6
 * random doubles per format spread over and around its range (plus random
 * bit patterns: double subnormals, NaNs, infinities, huge values).
 * prec_round_vec, with and without counting, must give prec_round's bits,
 * and its counts a recount from their definitions (prec.h).
 * Without MPFR (configure did not find libmpfr-dev) its checks are skipped;
 * the hardware's still run. */
#include <config.h>
#include "prec.h"
#include "tap.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_MPFR
#include <mpfr.h>
#endif

#define N_RANDOM 4000000

/* ---- independent answers ------------------------------------------------ */

/* The hardware's conversions, stored through memory so that no excess
 * precision (GCC evaluates _Float16 in float) survives the cast. */
static int have_native(prec_kind k)
{
#ifdef __FLT16_MAX__
  if (k == PREC_FP16) return 1;
#endif
  return k == PREC_FP32;
}

static double ref_native(prec_kind k, double x)
{
#ifdef __FLT16_MAX__
  if (k == PREC_FP16) { volatile _Float16 h = (_Float16)x; return (double)h; }
#endif
  volatile float f = (float)x;
  (void)k;
  return (double)f;
}

#ifdef HAVE_MPFR
/* MPFR's exponent e is that of 0.1xxx * 2^e, one more than the format's:
 * normal numbers [2^emin, 2^(emax+1)) need emax + 1, and the smallest
 * subnormal 2^(emin - p + 1) is 2^(E - 1) with E = emin - p + 2, the emin
 * mpfr_subnormalize takes (its manual's binary64 example: -1073, 1024).
 * A format without infinities (fp8e4m3) rounds as if it had them, then
 * anything above its max saturates: the value its encoding would give
 * (480 is a NaN in E4M3's "fn" encoding). */
static double ref_mpfr(prec_kind k, double x)
{
  static mpfr_t r[PREC_COUNT];
  static int made[PREC_COUNT];
  const prec_format *f = &prec_formats[k];
  if (!made[k]) { mpfr_init2(r[k], f->p); made[k] = 1; }
  mpfr_exp_t emin0 = mpfr_get_emin(), emax0 = mpfr_get_emax();
  mpfr_set_emin(f->emin - f->p + 2);
  mpfr_set_emax(f->emax + 1);
  int t = mpfr_set_d(r[k], x, MPFR_RNDN);
  t = mpfr_check_range(r[k], t, MPFR_RNDN);
  mpfr_subnormalize(r[k], t, MPFR_RNDN);
  double y = mpfr_get_d(r[k], MPFR_RNDN);
  mpfr_set_emin(emin0);
  mpfr_set_emax(emax0);
  if (f->saturate && isfinite(x) && fabs(y) > f->max) y = copysign(f->max, x);
  return y;
}
#endif

/* Same bits, or both NaN (no payload is promised). */
static int same(double a, double b)
{
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- the values checked ---------------------------------------------- */

typedef struct { double *x; size_t n, cap; } vals;

static void put(vals *v, double x)
{
  if (v->n == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 4096;
    v->x = realloc(v->x, v->cap * sizeof *v->x);
    if (!v->x) { fprintf(stderr, "test_prec: out of memory\n"); exit(99); }
  }
  v->x[v->n++] = x;
}

/* x, one double ulp either side, and the same negated. */
static void put_near(vals *v, double x)
{
  double s[3] = { nextafter(x, -INFINITY), x, nextafter(x, INFINITY) };
  for (int i = 0; i < 3; i++) { put(v, s[i]); put(v, -s[i]); }
}

/* The 8- and 16-bit encodings, decoded here from their bit layouts (not
 * from prec.c's table, which the decoding checks): exponent and mantissa
 * widths, and whether the top exponent is inf/NaN (IEEE) or, as in E4M3
 * "fn", only its all-ones mantissa is NaN. */
typedef struct { prec_kind k; int ebits, mbits, ieee; } layout;
static const layout layouts[] = {
  { PREC_FP16, 5, 10, 1 }, { PREC_BF16, 8, 7, 1 }, { PREC_FP8E5M2, 5, 2, 1 }, { PREC_FP8E4M3, 4, 3, 0 },
};
#define N_LAYOUTS (sizeof layouts / sizeof layouts[0])

static double decode(const layout *lo, unsigned bits)
{
  unsigned emask = (1u << lo->ebits) - 1, mmask = (1u << lo->mbits) - 1;
  unsigned s = bits >> (lo->ebits + lo->mbits) & 1, e = bits >> lo->mbits & emask, m = bits & mmask;
  int bias = (int)(emask >> 1);
  double v;
  if (lo->ieee && e == emask) v = m ? NAN : INFINITY;
  else if (!lo->ieee && e == emask && m == mmask) v = NAN;
  else if (e == 0) v = ldexp((double)m, 1 - bias - lo->mbits);
  else v = ldexp((double)((1u << lo->mbits) | m), (int)e - bias - lo->mbits);
  return s ? -v : v;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Every bit pattern of layout lo decoded (the representable values), and
 * the midpoints between consecutive nonnegative ones, exactly and one
 * double ulp either side, both signs; also the midpoint between the max
 * and the next value the exponent field would give (the overflow
 * threshold).  Checks the decoding against prec.c's table on the way. */
static void put_all_patterns(vals *v, const layout *lo)
{
  const prec_format *f = &prec_formats[lo->k];
  unsigned n = 1u << (1 + lo->ebits + lo->mbits);
  double *pos = malloc(n * sizeof *pos), mx = 0.0, minsub = INFINITY;
  size_t np = 0;
  int nan_seen = 0, inf_seen = 0;
  if (!pos) exit(99);
  for (unsigned b = 0; b < n; b++) {
    double x = decode(lo, b);
    put(v, x);
    if (isnan(x)) { nan_seen = 1; continue; }
    if (isinf(x)) { inf_seen = 1; continue; }
    if (x >= 0.0 && !signbit(x)) pos[np++] = x;
    if (x > mx) mx = x;
    if (x > 0.0 && x < minsub) minsub = x;
  }
  qsort(pos, np, sizeof *pos, cmp_double);
  for (size_t i = 0; i + 1 < np; i++) put_near(v, 0.5 * (pos[i] + pos[i + 1]));
  double ulp_max = ldexp(1.0, (int)floor(log2(mx)) - lo->mbits);
  put_near(v, mx + 0.5 * ulp_max);
  put_near(v, mx + ulp_max);
  tap_ok(lo->mbits + 1 == f->p && mx == f->max && minsub == prec_min_subnormal(lo->k)
           && ldexp(1.0, 1 - (int)(((1u << lo->ebits) - 1) >> 1)) == prec_min_normal(lo->k)
           && nan_seen && inf_seen == lo->ieee && (!f->saturate) == lo->ieee,
         "%s: its %u bit patterns decode to %zu values >= 0, max %a (table %a), smallest subnormal %a (table %a), "
         "p %d (table %d), inf %s, saturating %s",
         f->name, n, np, mx, f->max, minsub, prec_min_subnormal(lo->k), lo->mbits + 1, f->p,
         inf_seen ? "yes" : "no", f->saturate ? "yes" : "no");
  free(pos);
}

/* Each binade's edges: 2^e, the ties above it (to 2^e, even, and to
 * 2^e + 2 ulp), the tie below 2^(e+1) that rounds up into the next binade
 * (or into overflow above the top binade), the subnormal range's quanta
 * and halfway points, and the double's own extremes. */
static void put_edges(vals *v, prec_kind k)
{
  const prec_format *f = &prec_formats[k];
  for (int e = f->emin; e <= f->emax + 1; e++) {
    double b = ldexp(1.0, e), u = ldexp(1.0, e - f->p + 1);
    put_near(v, b);
    put_near(v, b + 0.5 * u);
    put_near(v, b + 1.5 * u);
    put_near(v, b + u);
    put_near(v, 2.0 * b - 0.5 * u);
    put_near(v, 2.0 * b - 1.5 * u);
    put_near(v, 2.0 * b - u);
  }
  double q = prec_min_subnormal(k);
  for (int i = 0; i < 64; i++) { put_near(v, i * q); put_near(v, (i + 0.5) * q); }
  for (int i = 1; i < 8; i++) put_near(v, q / (1 << i));
  put_near(v, f->max);
  put_near(v, 0x1p-1074);
  put_near(v, DBL_MIN);
  put_near(v, DBL_MAX);
  put_near(v, INFINITY);
  put(v, NAN);
  put(v, -NAN);
}

/* A fixed-seed generator (splitmix64): the same values on every run. */
static uint64_t rng_state = 0x5eed2026u;
static uint64_t rnd(void)
{
  uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static double from_bits(uint64_t u) { double x; memcpy(&x, &u, sizeof x); return x; }

/* N_RANDOM doubles for format k: half with exponents uniform from 12
 * binades below its smallest subnormal to 4 above its max and random
 * significands, a quarter within 3 double ulps of a random halfway point
 * of the format, an eighth within 2^-20 relative of a random value of the
 * format, an eighth random 64-bit patterns (any double: subnormals,
 * huge, NaN, inf). */
static void put_random(vals *v, prec_kind k)
{
  const prec_format *f = &prec_formats[k];
  int lo = f->emin - f->p - 12, hi = f->emax + 4;
  for (size_t i = 0; i < N_RANDOM; i++) {
    uint64_t r = rnd(), s = r >> 63;
    unsigned kind = (unsigned)(r & 7);
    uint64_t m = rnd() & ((UINT64_C(1) << 52) - 1);
    int e = lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
    double x;
    if (kind < 4) {
      x = ldexp(1.0 + ldexp((double)m, -52), e);
    } else if (kind < 7) {
      /* a value of the format with a random significand of p bits at
       * exponent e (or a subnormal multiple of the quantum below emin) */
      int ee = e < f->emin ? f->emin : e;
      double u = ldexp(1.0, ee - f->p + 1);
      double base = e < f->emin ? (double)(m % (UINT64_C(1) << (f->p - 1))) * u
                                : ldexp(1.0, ee) + (double)(m % (UINT64_C(1) << (f->p - 1))) * u;
      if (kind < 6) {
        x = base + 0.5 * u;
        int d = (int)(rnd() % 7) - 3;
        for (; d > 0; d--) x = nextafter(x, INFINITY);
        for (; d < 0; d++) x = nextafter(x, -INFINITY);
      } else {
        x = base * (1.0 + ldexp((double)(rnd() >> 44) - 524288.0, -40));
      }
    } else {
      x = from_bits(rnd());
    }
    put(v, s ? -x : x);
  }
}

/* Hand-checked answers: each worked out on paper from the format's
 * definition (ties to even named). */
typedef struct { prec_kind k; double x, want; const char *why; } known;
static const known knowns[] = {
  { PREC_FP16, 1.0 + 0x1p-11, 1.0, "1 + half ulp: tie to 1 (even)" },
  { PREC_FP16, 1.0 + 3 * 0x1p-11, 1.0 + 0x1p-9, "1 + 3/2 ulp: tie to 1 + 2 ulp (even)" },
  { PREC_FP16, 0x1.0020000000001p+0, 1.0 + 0x1p-10, "1 + half ulp + a double ulp: up" },
  { PREC_FP16, 2.0 - 0x1p-12, 2.0, "2 - half ulp: tie up into the next binade" },
  { PREC_FP16, 65504.0, 65504.0, "max" },
  { PREC_FP16, 65519.99, 65504.0, "just below the overflow tie" },
  { PREC_FP16, 65520.0, INFINITY, "the overflow tie (max is odd): inf" },
  { PREC_FP16, -1e6, -INFINITY, "-1e6: -inf" },
  { PREC_FP16, 0x1p-24, 0x1p-24, "smallest subnormal" },
  { PREC_FP16, 0x1p-25, 0.0, "half the smallest subnormal: tie to 0" },
  { PREC_FP16, -0x1p-25, -0.0, "-half the smallest subnormal: -0" },
  { PREC_FP16, 0x1.0000000000001p-25, 0x1p-24, "just above half the smallest subnormal: up" },
  { PREC_FP16, 3 * 0x1p-25, 0x1p-23, "3/2 smallest subnormal: tie to 2 (even)" },
  { PREC_FP16, 5 * 0x1p-25, 0x1p-23, "5/2 smallest subnormal: tie to 2 (even)" },
  { PREC_FP16, 0x1p-14 - 0x1p-25, 0x1p-14, "top subnormal + half quantum: tie up to the smallest normal" },
  { PREC_FP16, -1e-300, -0.0, "-1e-300: -0" },
  { PREC_FP16, -0x1p-1074, -0.0, "-(smallest double subnormal): -0" },
  { PREC_FP16, 0.1, 0x1.998p-4, "0.1" },
  { PREC_BF16, 1.0 + 0x1p-8, 1.0, "1 + half ulp: tie to 1 (even)" },
  { PREC_BF16, 0x1.fep+127, 0x1.fep+127, "max" },
  { PREC_BF16, 0x1.ffp+127, INFINITY, "the overflow tie: inf" },
  { PREC_BF16, 0x1p-133, 0x1p-133, "smallest subnormal 2^-133" },
  { PREC_BF16, 0x1p-134, 0.0, "2^-134: tie to 0" },
  { PREC_BF16, 0.1, 0x1.9ap-4, "0.1" },
  { PREC_FP8E5M2, 57344.0, 57344.0, "max" },
  { PREC_FP8E5M2, 61440.0, INFINITY, "the overflow tie: inf" },
  { PREC_FP8E5M2, 61439.0, 57344.0, "below the overflow tie" },
  { PREC_FP8E5M2, 1.125, 1.0, "1 + half ulp: tie to 1 (even)" },
  { PREC_FP8E5M2, 1.375, 1.5, "1 + 3/2 ulp: tie to 1.5 (even)" },
  { PREC_FP8E5M2, 0x1p-16, 0x1p-16, "smallest subnormal" },
  { PREC_FP8E5M2, 0x1p-17, 0.0, "half the smallest subnormal: tie to 0" },
  { PREC_FP8E4M3, 448.0, 448.0, "max" },
  { PREC_FP8E4M3, 464.0, 448.0, "the tie between 448 and 480: to 448 (even)" },
  { PREC_FP8E4M3, 465.0, 448.0, "above the tie: saturates at 448" },
  { PREC_FP8E4M3, 1e30, 448.0, "1e30: saturates" },
  { PREC_FP8E4M3, -1e30, -448.0, "-1e30: saturates at -448" },
  { PREC_FP8E4M3, 0x1p-9, 0x1p-9, "smallest subnormal" },
  { PREC_FP8E4M3, 0x1p-10, 0.0, "half the smallest subnormal: tie to 0" },
  { PREC_FP8E4M3, 3 * 0x1p-10, 0x1p-8, "3/2 smallest subnormal: tie to 2 (even)" },
  { PREC_FP8E4M3, 1.0625, 1.0, "1 + half ulp: tie to 1 (even)" },
  { PREC_FP8E4M3, INFINITY, INFINITY, "inf passes through (prec.h)" },
  { PREC_FP32, 1.0 + 0x1p-24, 1.0, "1 + half ulp: tie to 1 (even)" },
  { PREC_FP32, 0x1p-150, 0.0, "half the smallest subnormal: tie to 0" },
  { PREC_FP32, 0x1.ffffff1p+127, INFINITY, "above the overflow tie: inf" },
  { PREC_FP64, 0x1p-1074, 0x1p-1074, "fp64: nothing rounded" },
};

/* ---- the checks --------------------------------------------------------- */

/* prec_round against ref over v; one TAP line naming the count. */
static void check_against(prec_kind k, const vals *v, const char *what, const char *refname,
                          double (*ref)(prec_kind, double))
{
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < v->n; i++)
    if (!same(prec_round(k, v->x[i]), ref(k, v->x[i]))) { if (!bad++) first = i; }
  if (bad) {
    double x = v->x[first];
    tap_ok(0, "%s %s: %zu values against %s: %zu differ, first %a -> %a, %s says %a",
           prec_name(k), what, v->n, refname, bad, x, prec_round(k, x), refname, ref(k, x));
  } else {
    tap_ok(1, "%s %s: %zu values against %s, all the same bits", prec_name(k), what, v->n, refname);
  }
}

static void check_refs(prec_kind k, const vals *v, const char *what)
{
  if (have_native(k))
    check_against(k, v, what, k == PREC_FP16 ? "_Float16" : "float", ref_native);
#ifdef HAVE_MPFR
  check_against(k, v, what, "MPFR", ref_mpfr);
#else
  printf("ok %d - # SKIP %s %s against MPFR: configure found no MPFR (Debian: apt-get install libmpfr-dev)\n",
         ++tap_n, prec_name(k), what);
#endif
}

/* prec_round_vec without and with counting gives prec_round's bits, and
 * its counts (in two calls that sum) a recount from prec.h's definitions:
 * uflow nonzero before and 0 after, oflow finite before and +-inf after
 * (for a saturating format: above the tie between max and the next value
 * its exponent would give), subn nonzero below 2^emin after, zero 0 after. */
static void check_vec(prec_kind k, const vals *v)
{
  const prec_format *f = &prec_formats[k];
  size_t n = v->n, h = n / 2;
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  if (!a || !b) exit(99);
  memcpy(a, v->x, n * sizeof *a);
  memcpy(b, v->x, n * sizeof *b);
  prec_round_vec(k, a, n, NULL);
  prec_count c = { 0 };
  prec_round_vec(k, b, h, &c);
  prec_round_vec(k, b + h, n - h, &c);
  size_t bad_a = 0, bad_b = 0;
  prec_count r = { 0 };
  double tie = f->max + ldexp(1.0, (int)floor(log2(f->max)) - f->p);
  for (size_t i = 0; i < n; i++) {
    double x = v->x[i], y = prec_round(k, x);
    bad_a += !same(a[i], y);
    bad_b += !same(b[i], y);
    r.n++;
    if (isnan(x) || isinf(x)) continue;
    if (y == 0.0) { r.zero++; r.uflow += x != 0.0; }
    else if (k != PREC_FP64 && fabs(y) < prec_min_normal(k)) r.subn++;
    if (k != PREC_FP64 && (f->saturate ? fabs(x) > tie : isinf(y))) r.oflow++;
  }
  tap_ok(!bad_a && !bad_b, "%s prec_round_vec on %zu values: %zu differ from prec_round without counting, %zu with",
         f->name, n, bad_a, bad_b);
  tap_ok(c.n == r.n && c.uflow == r.uflow && c.oflow == r.oflow && c.subn == r.subn && c.zero == r.zero,
         "%s prec_round_vec's counts n %.0f uflow %.0f oflow %.0f subn %.0f zero %.0f; "
         "recount %.0f %.0f %.0f %.0f %.0f", f->name, c.n, c.uflow, c.oflow, c.subn, c.zero,
         r.n, r.uflow, r.oflow, r.subn, r.zero);
  free(a);
  free(b);
}

int main(void)
{
  /* The hand-checked answers, all formats. */
  size_t kbad = 0;
  for (size_t i = 0; i < sizeof knowns / sizeof knowns[0]; i++) {
    const known *q = &knowns[i];
    double y = prec_round(q->k, q->x);
    if (!same(y, q->want)) {
      kbad++;
      tap_diag("%s %a (%s): got %a", prec_name(q->k), q->x, q->why, y);
    }
  }
  tap_ok(!kbad, "%zu hand-checked answers (ties to even, overflow ties, saturation, -0): %zu wrong",
         sizeof knowns / sizeof knowns[0], kbad);

  /* Signs: +-0, +-inf and NaN pass through every format, -0 keeps its sign. */
  size_t sbad = 0;
  for (int k = 0; k < PREC_COUNT; k++) {
    sbad += !same(prec_round((prec_kind)k, 0.0), 0.0) + !same(prec_round((prec_kind)k, -0.0), -0.0)
      + !same(prec_round((prec_kind)k, INFINITY), INFINITY) + !same(prec_round((prec_kind)k, -INFINITY), -INFINITY)
      + !isnan(prec_round((prec_kind)k, NAN)) + !same(prec_round((prec_kind)k, -1e-320), k == PREC_FP64 ? -1e-320 : -0.0);
  }
  tap_ok(!sbad, "+0, -0, +-inf, NaN and -1e-320 in all %d formats: %zu wrong", PREC_COUNT, sbad);

  size_t total = 0;
  for (int k = 0; k < PREC_COUNT; k++) {
    vals all = { 0 };
    const layout *lo = NULL;
    for (size_t i = 0; i < N_LAYOUTS; i++) if (layouts[i].k == (prec_kind)k) lo = &layouts[i];
    if (k != PREC_FP64) {
      if (lo) {
        vals pat = { 0 };
        put_all_patterns(&pat, lo);
        char what[80];
        snprintf(what, sizeof what, "all %u bit patterns, midpoints +-1 double ulp", 1u << (1 + lo->ebits + lo->mbits));
        check_refs((prec_kind)k, &pat, what);
        for (size_t i = 0; i < pat.n; i++) put(&all, pat.x[i]);
        free(pat.x);
      }
      vals edge = { 0 };
      put_edges(&edge, (prec_kind)k);
      check_refs((prec_kind)k, &edge, "binade edges and ties");
      for (size_t i = 0; i < edge.n; i++) put(&all, edge.x[i]);
      free(edge.x);
    }
    vals ran = { 0 };
    put_random(&ran, (prec_kind)k);
    if (k == PREC_FP64) {
      size_t bad = 0;
      for (size_t i = 0; i < ran.n; i++) bad += !same(prec_round(PREC_FP64, ran.x[i]), ran.x[i]);
      tap_ok(!bad, "fp64 random: %zu values, %zu not left alone", ran.n, bad);
    } else {
      check_refs((prec_kind)k, &ran, "random (fixed seed)");
    }
    for (size_t i = 0; i < ran.n; i++) put(&all, ran.x[i]);
    free(ran.x);
    check_vec((prec_kind)k, &all);
    total += all.n;
    free(all.x);
  }
  tap_diag("%zu values checked over the %d formats", total, PREC_COUNT);
#ifdef HAVE_MPFR
  mpfr_free_cache();
#endif
  return tap_done();
}
