/* num.c - shortest round-trip formatting of doubles (see num.h). */
#include <config.h>
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void num_format_digits(char *buf, size_t size, double x, int digits)
{
  if (isnan(x)) { snprintf(buf, size, "NaN"); return; }
  if (isinf(x)) { snprintf(buf, size, x > 0 ? "Inf" : "-Inf"); return; }
  /* 17 significant digits always round-trip; fewer often do and read better. */
  int start = digits < 15 ? digits : 15;
  for (int prec = start; prec < digits; prec++) {
    snprintf(buf, size, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) return;
  }
  snprintf(buf, size, "%.*g", digits, x);
}

void num_format(char *buf, size_t size, double x)
{
  num_format_digits(buf, size, x, 17);
}

int num_parse_count(const char *what, const char *s, unsigned long min, unsigned long max,
                    unsigned long *out, sb_error *err)
{
  if (!*s || !isdigit((unsigned char)*s))
    return sb_fail(err, SB_EUSAGE, "%s: '%s' is not a non-negative integer", what, s);
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (*end) return sb_fail(err, SB_EUSAGE, "%s: '%s' is not a non-negative integer (junk '%s')", what, s, end);
  if (errno == ERANGE || v < min || v > max)
    return sb_fail(err, SB_EUSAGE, "%s: '%s' is out of range (%lu to %lu)", what, s, min, max);
  *out = v;
  return SB_OK;
}

int num_parse_real(const char *what, const char *s, double *out, sb_error *err)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (!*s || isspace((unsigned char)*s) || end == s || *end)
    return sb_fail(err, SB_EUSAGE, "%s: '%s' is not a number", what, s);
  if (errno == ERANGE)
    return sb_fail(err, SB_EUSAGE, "%s: '%s' is out of the range of doubles", what, s);
  if (!isfinite(v))
    return sb_fail(err, SB_EUSAGE, "%s: '%s' is not a finite number", what, s);
  *out = v;
  return SB_OK;
}
