/* err.c - the error record used across satbench (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sb_fail(sb_error *err, int code, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof err->msg) memcpy(err->msg + sizeof err->msg - 4, "...", 4);   /* cut: says so */
    err->code = code;
  }
  return code;
}

int sb_prefix(sb_error *err, const char *fmt, ...)
{
  if (!err) return SB_EFAIL;
  /* The old message is copied out first: passing err->msg to vsnprintf,
   * which writes err->msg, would read the buffer it is writing. */
  char where[5120], inner[sizeof err->msg];
  snprintf(inner, sizeof inner, "%s", err->msg);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(where, sizeof where, fmt, ap);
  va_end(ap);
  /* A message cut to fit says so. */
  int n = snprintf(err->msg, sizeof err->msg, "%s: %s", where, inner);
  if (n >= (int)sizeof err->msg) memcpy(err->msg + sizeof err->msg - 4, "...", 4);
  return err->code;
}

void sb_error_clear(sb_error *err)
{
  if (err) {
    err->code = SB_OK;
    err->msg[0] = '\0';
  }
}
