/* fuzz_config.c - libFuzzer harness of the config file reader: the input
 * is the file of `-c FILE`, parsed by cfg_parse for a grid and for a run
 * exactly as satbench's command line would (read_config_file, the
 * options' setters, presets, validation).  A file dataset the input names
 * (csv:PATH, idx:PATH) is read by validation, never written: cfg_parse
 * writes nothing.  A parse that succeeds is written back with cfg_write,
 * as table headers and records/config.txt are, and that text must be a
 * config file of the same grid: parsed, it is written the same (else
 * abort(), a crash to libFuzzer).  Nothing trains. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Validation finds the edge of chaos of every activation for every
 * critical init (a root search of the mean-field theory, some 60 ms under
 * ASan): 10 activations by 100 of them take a minute, slow by design, not
 * a hang.  Inputs naming more than two are left alone. */
#define FUZZ_MAX_CRITICAL 2

static int too_slow(const uint8_t *data, size_t size)
{
  static const char word[] = "critical";
  size_t n = 0, w = sizeof word - 1;
  for (size_t i = 0; i + w <= size; i++) n += !memcmp(data + i, word, w);
  return n > FUZZ_MAX_CRITICAL;
}

/* cfg_write of cfg, malloc'd (*len bytes). */
static char *written(const sb_config *cfg, size_t *len)
{
  char *text = NULL;
  FILE *f = open_memstream(&text, len);
  if (!f || cfg_write(cfg, f, "") != SB_OK || fclose(f) != 0) abort();
  return text;
}

/* cfg_parse of `-c path` for cmd. */
static int parse(sb_config *cfg, cfg_command cmd, const char *path, sb_error *err)
{
  char opt[] = "-c", file[sizeof fuzz_paths[0]];
  snprintf(file, sizeof file, "%s", path);
  char *argv[] = { opt, file, NULL };
  return cfg_parse(cfg, cmd, 2, argv, NULL, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (too_slow(data, size)) return 0;
  static sb_config cfg;   /* large (the axes' arrays): not on the stack */
  static sb_error err;
  const char *path = fuzz_file("in.conf", data, size);
  const cfg_command cmds[] = { CMD_GRID, CMD_RUN };
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    if (parse(&cfg, cmds[i], path, &err) != SB_OK) continue;
    (void)cfg_n_cells(&cfg);
    (void)cfg_total_steps(&cfg);
    /* What cfg_write says (records/config.txt, the tables' headers) is a
     * config file of the same grid: read back, it is written the same. */
    size_t len, len2;
    char *text = written(&cfg, &len);
    const char *again = fuzz_file("written.conf", (const uint8_t *)text, len);
    if (parse(&cfg, cmds[i], again, &err) != SB_OK) {
      fprintf(stderr, "fuzz_config: cfg_write's text is refused: %s\n%s", err.msg, text);
      abort();
    }
    char *text2 = written(&cfg, &len2);
    if (len2 != len || memcmp(text, text2, len)) {
      fprintf(stderr, "fuzz_config: cfg_write's text read back is written otherwise:\n%s---\n%s", text, text2);
      abort();
    }
    free(text);
    free(text2);
  }
  return 0;
}
