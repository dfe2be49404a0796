/* err.h - satbench's one error channel.
 *
 * Functions that can fail return an int status (SB_OK, SB_EUSAGE for bad
 * input, SB_EFAIL for a failed run or I/O) and fill an sb_error with a
 * one-line message that names the option, file and line at fault.  Only
 * main() prints the message and exits. */
#ifndef SB_ERR_H
#define SB_ERR_H

#include <stddef.h>

enum { SB_OK = 0, SB_EFAIL = 1, SB_EUSAGE = 2 };

typedef struct sb_error {
  int code;        /* SB_OK, SB_EFAIL or SB_EUSAGE: the exit status to use */
  char msg[10240]; /* one line, no trailing newline: room for two of the longest paths */
} sb_error;

/* Record a failure with a printf-style message; returns code so callers can
 * write `return sb_fail(err, SB_EUSAGE, "...")`.  err may be NULL. */
int sb_fail(sb_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Put "WHERE: " before err's message (WHERE from fmt), keeping its code;
 * returns the code, so `return sb_prefix(err, "--inits")` passes a
 * callee's failure up with the place it came from. */
int sb_prefix(sb_error *err, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* Reset to "no error". */
void sb_error_clear(sb_error *err);

#endif
