/* fileio.c - atomic file replacement and mkdir -p (see fileio.h). */
#include <config.h>
#include "fileio.h"
#include "prov.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

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
  /* Unique across the hosts of a shared filesystem, not only across the
   * processes of one: host, pid and a random tag, created with O_EXCL
   * (as mkstemp does, but with the umask's permissions, not 0600). */
  char host[33];
  snprintf(host, sizeof host, "%s", prov_host());
  for (char *p = host; *p; p++)
    if (*p == '/' || *p == '.') *p = '_';
  static _Atomic unsigned long counter;
  for (int attempt = 0;; attempt++) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long tag = ((unsigned long)ts.tv_nsec * 2654435761UL) ^ ((unsigned long)ts.tv_sec << 20) ^ counter++;
    int n = snprintf(tmp, size, "%s.tmp.%s.%ld.%06lx", final, host, (long)getpid(), tag & 0xffffffUL);
    if (n < 0 || (size_t)n >= size) {
      sb_fail(err, SB_EFAIL, "cannot write %s: path too long", final);
      return NULL;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST && attempt < 100) continue;
    if (fd < 0) {
      sb_fail(err, SB_EFAIL, "cannot write %s: %s", tmp, strerror(errno));
      return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
      sb_fail(err, SB_EFAIL, "cannot write %s: %s", tmp, strerror(errno));
      close(fd);
      unlink(tmp);
    }
    return f;
  }
}

int fileio_is_tmp(const char *name, size_t *final_len)
{
  const char *t = strstr(name, ".tmp.");
  if (!t || t == name) return 0;
  const char *host = t + 5, *dot1 = strchr(host, '.');
  if (!dot1 || dot1 == host) return 0;
  const char *pid = dot1 + 1, *dot2 = strchr(pid, '.');
  if (!dot2 || dot2 == pid || strspn(pid, "0123456789") != (size_t)(dot2 - pid)) return 0;
  const char *tag = dot2 + 1;
  if (strlen(tag) != 6 || strspn(tag, "0123456789abcdef") != 6) return 0;
  *final_len = (size_t)(t - name);
  return 1;
}

/* Flush, fsync and close f; on failure remove tmp and name final. */
static int flush_close(FILE *f, const char *tmp, const char *final, sb_error *err)
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
  return SB_OK;
}

int fileio_commit(FILE *f, const char *tmp, const char *final, sb_error *err)
{
  int rc = flush_close(f, tmp, final, err);
  if (rc) return rc;
  if (rename(tmp, final) != 0) {
    int saved = errno;
    unlink(tmp);
    return sb_fail(err, SB_EFAIL, "renaming %s to %s: %s", tmp, final, strerror(saved));
  }
  return SB_OK;
}

/* Flush, fsync and close f, then link tmp to final if final does not
 * exist yet (link is atomic where rename would replace); tmp is removed
 * either way.  *existed says whether another writer came first. */
int fileio_commit_new(FILE *f, const char *tmp, const char *final, int *existed, sb_error *err)
{
  *existed = 0;
  int rc = flush_close(f, tmp, final, err);
  if (rc) return rc;
  if (link(tmp, final) != 0) {
    if (errno == EEXIST) *existed = 1;
    else rc = sb_fail(err, SB_EFAIL, "creating %s: %s", final, strerror(errno));
  }
  unlink(tmp);
  return rc;
}

void fileio_sync_dir(const char *dir)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

int fileio_open_read(const char *path)
{
  /* Looked at before it is opened: opening a device may act on it (a
   * tape rewinds).  Then opened O_NONBLOCK (a FIFO put there since would
   * wait for a writer) and looked at again. */
  struct stat st;
  if (lstat(path, &st) != 0) return -1;
  if (!S_ISREG(st.st_mode)) {
    errno = S_ISLNK(st.st_mode) ? ELOOP : FILEIO_ENOTREG;
    return -1;
  }
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  int bad = fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? FILEIO_ENOTREG : 0;
  if (bad) {
    close(fd);
    errno = bad;
    return -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int fileio_check_regular(const char *path)
{
  struct stat st;
  if (lstat(path, &st) != 0) return -1;
  if (S_ISLNK(st.st_mode)) { errno = ELOOP; return -1; }
  if (!S_ISREG(st.st_mode)) { errno = FILEIO_ENOTREG; return -1; }
  return 0;
}

const char *fileio_strerror(int e)
{
  if (e == FILEIO_ENOTREG) return "not a regular file (a FIFO, a device, a socket or a directory): refused";
  if (e == ELOOP) return "a symbolic link: refused (satbench reads and writes a grid's files only as regular files)";
  return strerror(e);
}

/* Read fd to its end, or to max + 1 bytes; closes fd. */
static char *read_fd_bounded(int fd, size_t max, size_t *len_out)
{
  char *buf = NULL;
  size_t len = 0, cap = 0;
  while (len <= max) {
    if (len + 1 >= cap) {
      size_t want = cap ? 2 * cap : 4096;
      if (want > max + 2) want = max + 2;
      char *g = realloc(buf, want);
      if (!g) { free(buf); close(fd); errno = ENOMEM; return NULL; }
      buf = g;
      cap = want;
    }
    ssize_t got = read(fd, buf + len, cap - 1 - len);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) { int e = errno; free(buf); close(fd); errno = e; return NULL; }
    if (got == 0) break;
    len += (size_t)got;
  }
  close(fd);
  if (!buf && !(buf = malloc(1))) { errno = ENOMEM; return NULL; }
  buf[len] = '\0';
  *len_out = len;
  return buf;
}

char *fileio_read_bounded(const char *path, size_t max, size_t *len_out)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  return read_fd_bounded(fd, max, len_out);
}

char *fileio_read_regular(const char *path, size_t max, size_t *len_out)
{
  int fd = fileio_open_read(path);
  return fd < 0 ? NULL : read_fd_bounded(fd, max, len_out);
}

char *fileio_read_all(const char *path, size_t *len_out)
{
  size_t len;
  char *buf = fileio_read_regular(path, SIZE_MAX / 2, &len);
  if (buf && len_out) *len_out = len;
  return buf;
}

uint64_t fileio_hash(uint64_t h, const void *data, size_t n)
{
  const unsigned char *s = data;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

int fileio_hash_file(const char *path, uint64_t *hash, size_t *bytes)
{
  int fd = fileio_open_read(path);
  FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
  if (!f) {
    int e = errno;
    if (fd >= 0) close(fd);
    errno = e;
    return -1;
  }
  return fileio_hash_stream(f, hash, bytes);
}

int fileio_hash_stream(FILE *f, uint64_t *hash, size_t *bytes)
{
  static _Thread_local unsigned char buf[1 << 16];
  uint64_t h = FILEIO_HASH_INIT;
  size_t total = 0, n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    h = fileio_hash(h, buf, n);
    total += n;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { errno = EIO; return -1; }
  *hash = h;
  *bytes = total;
  return 0;
}

int fileio_gzip(FILE *src, FILE *dst)
{
#ifdef HAVE_ZLIB
  if (fflush(src) != 0 || fseek(src, 0, SEEK_SET) != 0 || fflush(dst) != 0) return -1;
  int fd = dup(fileno(dst));
  if (fd < 0) return -1;
  gzFile z = gzdopen(fd, "wb6");
  if (!z) { close(fd); errno = ENOMEM; return -1; }
  char buf[1 << 16];
  size_t n;
  int bad = 0;
  while (!bad && (n = fread(buf, 1, sizeof buf, src)) > 0) bad = gzwrite(z, buf, (unsigned)n) != (int)n;
  int saved = errno;
  bad |= ferror(src) != 0;
  if (gzclose_w(z) != Z_OK && !bad) { bad = 1; saved = EIO; }
  if (bad) { errno = saved ? saved : EIO; return -1; }
  return 0;
#else
  (void)src;
  (void)dst;
  errno = ENOTSUP;
  return -1;
#endif
}
