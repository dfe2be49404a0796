/* err.c - the error record used across satbench (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int sb_fail(sb_error *err, int code, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
  }
  return code;
}

void sb_error_clear(sb_error *err)
{
  if (err) {
    err->code = SB_OK;
    err->msg[0] = '\0';
  }
}
