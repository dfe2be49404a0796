/* num.c - shortest round-trip formatting of doubles (see num.h). */
#include <config.h>
#include "num.h"

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
