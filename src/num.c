/* num.c - shortest round-trip formatting of doubles (see num.h). */
#include <config.h>
#include "num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void num_format(char *buf, size_t size, double x)
{
  if (isnan(x)) { snprintf(buf, size, "NaN"); return; }
  if (isinf(x)) { snprintf(buf, size, x > 0 ? "Inf" : "-Inf"); return; }
  /* 17 significant digits always round-trip; fewer often do and read better. */
  for (int prec = 15; prec < 17; prec++) {
    snprintf(buf, size, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) return;
  }
  snprintf(buf, size, "%.17g", x);
}
