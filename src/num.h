/* num.h - numbers as text: the shortest decimal that reads back to the same
 * double, so tables and headers are exact and still readable
 * (0.05, not 0.050000000000000003). */
#ifndef SB_NUM_H
#define SB_NUM_H

#include <stddef.h>

#define NUM_BUFSIZE 32

/* NaN, Inf and -Inf are spelled so that gnuplot, R, pandas and awk read them. */
void num_format(char *buf, size_t size, double x);
/* At most `digits` significant digits (still the shortest that reads back
 * when fewer suffice): for bulky tables whose columns say so (hist.tsv). */
void num_format_digits(char *buf, size_t size, double x, int digits);

#endif
