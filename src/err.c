/* err.c - the error record used across satbench (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages echo what the user gave (a line of a file, a value): a control
 * byte (ESC, a carriage return, a tab) is shown as \xHH, so that a
 * message is always one line of text that cannot drive the terminal. */
static void escape_controls(char *msg, size_t size)
{
  size_t n = strlen(msg), bad = 0;
  for (size_t i = 0; i < n; i++) bad += (unsigned char)msg[i] < 0x20 || msg[i] == 0x7f;
  if (!bad) return;
  char out[sizeof ((sb_error *)0)->msg];
  size_t o = 0;
  for (size_t i = 0; i < n && o + 5 < sizeof out && o + 5 < size; i++) {
    unsigned char c = (unsigned char)msg[i];
    if (c < 0x20 || c == 0x7f) o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
    else out[o++] = (char)c;
  }
  out[o] = '\0';
  memcpy(msg, out, o + 1);
}

int sb_fail(sb_error *err, int code, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof err->msg) memcpy(err->msg + sizeof err->msg - 4, "...", 4);   /* cut: says so */
    escape_controls(err->msg, sizeof err->msg);
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
  escape_controls(err->msg, sizeof err->msg);
  return err->code;
}

void sb_error_clear(sb_error *err)
{
  if (err) {
    err->code = SB_OK;
    err->msg[0] = '\0';
  }
}
