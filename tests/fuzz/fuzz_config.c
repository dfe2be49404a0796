/* fuzz_config.c - libFuzzer harness of the config file reader: the input
 * is the file of `-c FILE`, parsed by cfg_parse for a grid and for a run
 * exactly as satbench's command line would (read_config_file, the
 * options' setters, presets, validation).  A file dataset the input names
 * (csv:PATH, idx:PATH) is read by validation, never written: cfg_parse
 * writes nothing.  A parse that succeeds is written back with cfg_write,
 * as table headers and --resume do; nothing trains. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (too_slow(data, size)) return 0;
  static sb_config cfg;   /* large (the axes' arrays): not on the stack */
  static sb_error err;
  char opt[] = "-c", path[sizeof fuzz_paths[0]];
  snprintf(path, sizeof path, "%s", fuzz_file("in.conf", data, size));
  char *argv[] = { opt, path, NULL };
  const cfg_command cmds[] = { CMD_GRID, CMD_RUN };
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    if (cfg_parse(&cfg, cmds[i], 2, argv, NULL, &err) != SB_OK) continue;
    (void)cfg_n_cells(&cfg);
    (void)cfg_total_steps(&cfg);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) abort();
    cfg_write(&cfg, f, "# ");
    fclose(f);
    free(text);
  }
  return 0;
}
