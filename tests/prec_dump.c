/* prec_dump.c - a helper of tests/prec-numpy.sh (built by make check, not
 * installed): `prec_dump FORMAT` reads doubles from stdin, one a line in
 * any form strtod takes (the script writes C99 hex, %a), and prints each
 * rounded by prec_round to FORMAT, as %a, one a line, so that another
 * implementation (numpy's float16, PyTorch's bfloat16) can be compared bit
 * for bit.  Bad input: a message naming the line, exit 2. */
#include <config.h>
#include "prec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
  prec_kind k;
  sb_error err = { 0 };
  if (argc != 2) { fprintf(stderr, "usage: prec_dump FORMAT < doubles\n"); return 2; }
  if (prec_parse(argv[1], &k, &err) != SB_OK) { fprintf(stderr, "prec_dump: %s\n", err.msg); return 2; }
  char line[256];
  for (long no = 1; fgets(line, sizeof line, stdin); no++) {
    char *end;
    errno = 0;
    double x = strtod(line, &end);
    if (end == line || (*end != '\n' && *end != '\0')) {
      fprintf(stderr, "prec_dump: stdin line %ld: not a number: %s", no, line);
      return 2;
    }
    printf("%a\n", prec_round(k, x));
  }
  if (ferror(stdin)) { fprintf(stderr, "prec_dump: reading stdin failed\n"); return 1; }
  if (fflush(stdout) != 0 || ferror(stdout)) { fprintf(stderr, "prec_dump: writing stdout failed\n"); return 1; }
  return 0;
}
