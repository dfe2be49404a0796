/* names.h - "did you mean ...?" for the CLI's fixed vocabularies.
 *
 * Activation, init, dataset and option names are short fixed lists; when a
 * user mistypes one, the error message suggests the closest valid spelling. */
#ifndef SB_NAMES_H
#define SB_NAMES_H

#include <stddef.h>

/* The entry of names[0..n) nearest to s by Levenshtein distance, compared
 * case-insensitively (first one wins on ties), if within max(2, strlen(s)/2)
 * edits; else the one name that s (2+ characters) is a prefix of; else NULL,
 * so wild or ambiguous input gets no misleading suggestion. */
const char *names_nearest(const char *s, const char *const *names, size_t n);

/* names[0..n) joined by ", " into buf (size bytes; NULL entries skipped),
 * for the "valid: ..." part of a message.  Returns buf. */
char *names_join(char *buf, size_t size, const char *const *names, size_t n);

#endif
