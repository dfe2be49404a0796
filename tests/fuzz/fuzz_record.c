/* fuzz_record.c - libFuzzer harness of the record reader (record.c): the
 * input is a file records/cell-N.rec, recognised by record_probe and read
 * by record_load as --resume, --from and the merge do, and its rows split
 * by record_fields as the merge does.  Three reads:
 *   1. against the grid fingerprint and cell its own header names, so the
 *      checks of its checksum and row counts run, not only the refusal of
 *      another grid's record;
 *   2. against a fixed grid and cell (the seed corpus's: cell 0 of the
 *      grid in HACKING.md, "Fuzzing"), as a grid would read it;
 *   3. resealed: the header's checksum and row counts recomputed from the
 *      body, so that edited rows get past the checksum to the row index.
 * Every refusal is a normal outcome. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "table.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fingerprint of the seed records' grid. */
#define FUZZ_CONFIG 0x8e320f3599a10528ULL
#define FUZZ_CELL 0

/* The value of header line "# KEY = fnv1a64:HEX" or "# KEY = N" in
 * text (NUL-terminated); 0 when there is none. */
static int header_number(const char *text, const char *key, int hex, uint64_t *out)
{
  char pat[64];
  snprintf(pat, sizeof pat, "\n# %s = %s", key, hex ? "fnv1a64:" : "");
  const char *p = strstr(text, pat);
  if (!p) return 0;
  *out = strtoull(p + strlen(pat), NULL, hex ? 16 : 10);
  return 1;
}

/* Load path against (config, cell); on success split every row. */
static int load(const char *path, uint64_t config, size_t cell)
{
  static sb_error err;
  record rec;
  int rc = record_load(path, config, cell, &rec, &err);
  if (rc == SB_OK) {
    char *fields[256];
    for (int k = 0; k < ROW_COUNT; k++)
      for (size_t i = 0; i < rec.n[k]; i++) (void)record_fields(rec.rows[k][i], fields, 256);
  }
  record_free(&rec);
  return rc;
}

/* The input with its "# checksum" and "# rows" lines made to match its
 * body, as record_load splits header from body, and its "# format" this
 * build's; NULL when it has no "# end" to delimit the body, or no rows or
 * checksum line. */
static char *reseal(const char *text, size_t len, size_t *out_len)
{
  static const char end_mark[] = "# end\n";
  size_t n_end = sizeof end_mark - 1;
  if (len < n_end || memcmp(text + len - n_end, end_mark, n_end)) return NULL;
  const char *end = text + len - n_end, *body = text;
  while (body < end && body[0] == '#') {
    const char *nl = memchr(body, '\n', (size_t)(end - body));
    body = nl ? nl + 1 : end;
  }
  size_t count[ROW_COUNT] = { 0 };
  for (const char *p = body; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    for (int k = 0; k < ROW_COUNT; k++)
      if (end - p >= 2 && p[1] == '\t' && table_row_info((row_kind)k)->tag &&
          p[0] == table_row_info((row_kind)k)->tag)
        count[k]++;
    p = nl ? nl + 1 : end;
  }
  char rows[256] = "", sum[64], fmt[64];
  for (int k = 0; k < ROW_COUNT; k++) {
    char tag = table_row_info((row_kind)k)->tag;
    if (!tag) continue;
    size_t used = strlen(rows);
    snprintf(rows + used, sizeof rows - used, "%s%c:%zu", used ? " " : "", tag, count[k]);
  }
  snprintf(sum, sizeof sum, "fnv1a64:%016llx", (unsigned long long)record_hash(body, (size_t)(end - body)));
  snprintf(fmt, sizeof fmt, "fnv1a64:%016llx", (unsigned long long)record_format(TABLE_HIST));   /* the seeds' grid: histograms, no Jacobian */
  /* The header line by line, the first line of each key with a value (as
   * record.c's header_value finds it) replaced; then the body.  The format
   * too, so that the seeds reach the rows whatever the columns now are. */
  struct { const char *key, *value; int done; } keys[] = {
    { "rows", rows, 0 }, { "checksum", sum, 0 }, { "format", fmt, 0 },
  };
  enum { N_KEYS = sizeof keys / sizeof keys[0] };
  char *out = malloc(len + N_KEYS * 64 + sizeof rows + 1);
  if (!out) abort();
  size_t w = 0;
  for (const char *p = text; p < body;) {
    const char *nl = memchr(p, '\n', (size_t)(body - p));
    size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(body - p);
    int replaced = 0;
    for (int i = 0; i < N_KEYS && !replaced; i++) {
      size_t kl = strlen(keys[i].key);
      if (keys[i].done || !nl || n <= kl + 6 || memcmp(p, "# ", 2) || memcmp(p + 2, keys[i].key, kl) ||
          memcmp(p + 2 + kl, " = ", 3))
        continue;
      w += (size_t)sprintf(out + w, "# %s = %s\n", keys[i].key, keys[i].value);
      keys[i].done = replaced = 1;
    }
    if (!replaced) {
      memcpy(out + w, p, n);
      w += n;
    }
    p += n;
  }
  if (!keys[0].done || !keys[1].done) { free(out); return NULL; }
  memcpy(out + w, body, len - (size_t)(body - text));
  w += len - (size_t)(body - text);
  *out_len = w;
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[sizeof fuzz_paths[0]];
  snprintf(path, sizeof path, "%s", fuzz_file("cell-000000.rec", data, size));
  (void)record_probe(path);
  /* the header's own grid and cell, as far as the harness can read them */
  char *text = malloc(size + 1);
  if (!text) abort();
  memcpy(text, data, size);
  text[size] = '\0';
  uint64_t config = FUZZ_CONFIG, cell = FUZZ_CELL;
  (void)header_number(text, "config", 1, &config);
  (void)header_number(text, "cell", 0, &cell);
  int rc = load(path, config, (size_t)cell);
  if (config != FUZZ_CONFIG || cell != FUZZ_CELL) (void)load(path, FUZZ_CONFIG, FUZZ_CELL);
  size_t len;
  char *sealed = reseal(text, size, &len);
  if (sealed) {
    const char *p2 = fuzz_file("resealed.rec", (const uint8_t *)sealed, len);
    int rc2 = load(p2, config, (size_t)cell);
    /* a record that proves itself still does when resealed */
    if (rc == SB_OK && rc2 != SB_OK) abort();
    free(sealed);
  }
  free(text);
  return 0;
}
