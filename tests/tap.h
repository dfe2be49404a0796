/* tap.h - a tiny TAP producer for satbench's C tests.
 *
 * Each check prints one "ok N - ..." or "not ok N - ..." line with the
 * observed and expected values; tap_done() prints the plan and returns the
 * exit status (non-zero when any check failed). */
#ifndef SB_TAP_H
#define SB_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int tap_n = 0, tap_failed = 0;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline int tap_ok(int cond, const char *fmt, ...)
{
  va_list ap;
  printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  if (!cond) tap_failed++;
  fflush(stdout);
  return cond;
}

/* |obs - exp| <= rel * max(|exp|, tiny): GSL's gsl_test_rel in spirit,
 * which also lets a check expect NaN or an infinity: then obs must be
 * NaN, or that same infinity. */
static inline int tap_rel_ok(double obs, double exp, double rel, double *err_out)
{
  if (isnan(exp) || isinf(exp)) {
    *err_out = NAN;
    return isnan(exp) ? isnan(obs) : obs == exp;
  }
  double scale = fabs(exp) > 1e-300 ? fabs(exp) : 1e-300;
  *err_out = fabs(obs - exp) / scale;
  return isfinite(obs) && *err_out <= rel;
}

static inline int tap_rel(double obs, double exp, double rel, const char *what)
{
  double e;
  int ok = tap_rel_ok(obs, exp, rel, &e);
  return tap_ok(ok, "%s: observed %.17g expected %.17g (rel err %.3g, tol %.3g)",
                what, obs, exp, e, rel);
}

static inline int tap_abs(double obs, double exp, double tol, const char *what)
{
  double e = fabs(obs - exp);
  int ok = isfinite(obs) && e <= tol;
  return tap_ok(ok, "%s: observed %.17g expected %.17g (abs err %.3g, tol %.3g)",
                what, obs, exp, e, tol);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static inline void tap_diag(const char *fmt, ...)
{
  va_list ap;
  printf("# ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

static inline int tap_done(void)
{
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#endif
