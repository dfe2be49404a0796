/* fileio.c - atomic file replacement and mkdir -p (see fileio.h). */
#include <config.h>
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fileio_mkdirs(const char *path, sb_error *err)
{
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return sb_fail(err, SB_EUSAGE, "%s: path too long", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char c = *p;
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return sb_fail(err, SB_EFAIL, "cannot create directory %s: %s", buf, strerror(errno));
      *p = c;
      if (!c) break;
    }
  }
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
    return sb_fail(err, SB_EFAIL, "%s: not a directory", path);
  return SB_OK;
}

FILE *fileio_open_tmp(char *tmp, size_t size, const char *final, sb_error *err)
{
  snprintf(tmp, size, "%s.tmp.%ld", final, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) sb_fail(err, SB_EFAIL, "cannot write %s: %s", tmp, strerror(errno));
  return f;
}

int fileio_commit(FILE *f, const char *tmp, const char *final, sb_error *err)
{
  int bad = ferror(f) != 0;
  int saved = errno;
  if (fflush(f) != 0) { bad = 1; saved = errno; }
  if (!bad && fsync(fileno(f)) != 0 && errno != EINVAL) { bad = 1; saved = errno; }
  if (fclose(f) != 0 && !bad) { bad = 1; saved = errno; }
  if (bad) {
    unlink(tmp);
    return sb_fail(err, SB_EFAIL, "writing %s: %s", final, strerror(saved ? saved : EIO));
  }
  if (rename(tmp, final) != 0) {
    saved = errno;
    unlink(tmp);
    return sb_fail(err, SB_EFAIL, "renaming %s to %s: %s", tmp, final, strerror(saved));
  }
  return SB_OK;
}

void fileio_sync_dir(const char *dir)
{
  int fd = open(dir, O_RDONLY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

char *fileio_read_all(const char *path, size_t *len_out)
{
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 65536 + 1 > cap) {
      cap = 2 * cap + 131072;
      char *g = realloc(buf, cap);
      if (!g) { free(buf); fclose(f); errno = ENOMEM; return NULL; }
      buf = g;
    }
    size_t got = fread(buf + len, 1, 65536, f);
    len += got;
    if (got < 65536) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(buf); errno = EIO; return NULL; }
  buf[len] = '\0';
  if (len_out) *len_out = len;
  return buf;
}
