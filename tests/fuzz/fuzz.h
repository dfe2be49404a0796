/* fuzz.h - what the libFuzzer harnesses share (tests/fuzz/run.sh builds
 * them; HACKING.md, "Fuzzing").  satbench's readers take paths, not
 * buffers, so an input is written to a file first: one fixed name per use
 * in a directory made once per process, on tmpfs when there is one
 * ($TMPDIR, else /dev/shm, else /tmp), and removed at exit.  Nothing else
 * is ever written. */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_MAX_FILES 4

static char fuzz_dir[512];
static char fuzz_paths[FUZZ_MAX_FILES][600];
static int fuzz_n_paths;

static void fuzz_cleanup(void)
{
  for (int i = 0; i < fuzz_n_paths; i++) unlink(fuzz_paths[i]);
  if (fuzz_dir[0]) rmdir(fuzz_dir);
}

/* A failure here is the machine's, not the input's: stop loudly rather
 * than fuzz nothing. */
static void fuzz_die(const char *what, const char *path)
{
  fprintf(stderr, "fuzz: %s %s: ", what, path);
  perror(NULL);
  abort();
}

/* The path of file `name` in the process's directory, holding the n bytes
 * of data. */
static const char *fuzz_file(const char *name, const uint8_t *data, size_t n)
{
  if (!fuzz_dir[0]) {
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/satbench-fuzz.XXXXXX", base);
    if (!mkdtemp(fuzz_dir)) fuzz_die("cannot make a directory like", fuzz_dir);
    atexit(fuzz_cleanup);
  }
  char path[sizeof fuzz_paths[0]];
  snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
  int known = 0;
  for (int i = 0; i < fuzz_n_paths && !known; i++) known = !strcmp(fuzz_paths[i], path);
  if (!known) {
    if (fuzz_n_paths == FUZZ_MAX_FILES) fuzz_die("too many files, at", path);
    snprintf(fuzz_paths[fuzz_n_paths++], sizeof fuzz_paths[0], "%s", path);
  }
  FILE *f = fopen(path, "wb");
  if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) fuzz_die("cannot write", path);
  for (int i = 0; i < fuzz_n_paths; i++)
    if (!strcmp(fuzz_paths[i], path)) return fuzz_paths[i];
  return NULL;   /* not reached */
}

#endif
