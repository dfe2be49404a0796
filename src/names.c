/* names.c - nearest valid name for typo suggestions (see names.h). */
#include "names.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Edit distance with two rolling rows; returns (size_t)-1 when out of memory
 * so the caller simply offers no suggestion. */
static size_t edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  size_t *prev = malloc(2 * (lb + 1) * sizeof *prev);
  if (!prev) return (size_t)-1;
  size_t *cur = prev + lb + 1;

  for (size_t j = 0; j <= lb; j++) prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    int ca = tolower((unsigned char)a[i - 1]);
    cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t sub = prev[j - 1] + (ca != tolower((unsigned char)b[j - 1]));
      size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
      size_t m = sub < del ? sub : del;
      cur[j] = m < ins ? m : ins;
    }
    size_t *t = prev; prev = cur; cur = t;
  }
  size_t d = prev[lb];
  /* prev may point at either half; the block starts at the lower address. */
  free(prev < cur ? prev : cur);
  return d;
}

const char *names_nearest(const char *s, const char *const *names, size_t n)
{
  if (!s || !names) return NULL;
  size_t len = strlen(s);
  size_t limit = len / 2 > 2 ? len / 2 : 2;
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (size_t i = 0; i < n; i++) {
    if (!names[i]) continue;
    size_t d = edit_distance(s, names[i]);
    if (d <= limit && d < best_d) {
      best = names[i];
      best_d = d;
    }
  }
  if (best) return best;

  /* "lecun" is far from "lecun_normal" in edits but plainly means it: a
   * prefix of exactly one name is suggested too. */
  for (size_t i = 0; i < n && len >= 2; i++) {
    if (!names[i] || strlen(names[i]) < len) continue;
    size_t j = 0;
    while (j < len && tolower((unsigned char)s[j]) == tolower((unsigned char)names[i][j])) j++;
    if (j < len) continue;
    if (best) return NULL;   /* ambiguous, e.g. "xavier" */
    best = names[i];
  }
  return best;
}

char *names_join(char *buf, size_t size, const char *const *names, size_t n)
{
  size_t used = 0;
  if (size) buf[0] = '\0';
  for (size_t i = 0; i < n && used < size; i++) {
    if (!names[i]) continue;
    int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", names[i]);
    if (w < 0) break;
    used += (size_t)w;
  }
  return buf;
}
