/* num.h - numbers as text: the shortest decimal that reads back to the same
 * double, so tables and headers are exact and still readable
 * (0.05, not 0.050000000000000003), and strict parsing of the numbers
 * users type. */
#ifndef SB_NUM_H
#define SB_NUM_H

#include <stddef.h>
#include "err.h"

#define NUM_BUFSIZE 32

/* NaN, Inf and -Inf are spelled so that gnuplot, R, pandas and awk read them. */
void num_format(char *buf, size_t size, double x);
/* At most `digits` significant digits (still the shortest that reads back
 * when fewer suffice): for bulky tables whose columns say so (hist.tsv). */
void num_format_digits(char *buf, size_t size, double x, int digits);

/* Strict parsing of option values.  `what` names the value in the message
 * ("--lr", "theory: --depth").  A count is unsigned decimal digits only,
 * within [min, max]: no sign, blank or trailing junk ("12abc").  A real is
 * a finite double with nothing around it.  SB_EUSAGE otherwise. */
int num_parse_count(const char *what, const char *s, unsigned long min, unsigned long max,
                    unsigned long *out, sb_error *err);
int num_parse_real(const char *what, const char *s, double *out, sb_error *err);

#endif
