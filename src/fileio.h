/* fileio.h - files that appear whole or not at all: written beside their
 * final name, flushed to disk and renamed, so a crash, a full disk or a
 * kill -9 never leaves a damaged table, record or figure. */
#ifndef SB_FILEIO_H
#define SB_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include "err.h"

/* mkdir -p; SB_EFAIL naming the path when a component cannot be made or
 * the result is not a directory. */
int fileio_mkdirs(const char *path, sb_error *err);

/* Open "FINAL.tmp.HOST.PID.TAG" (unique across the hosts of a shared
 * filesystem: created with O_EXCL, a new random TAG on a clash) for writing; its name goes to tmp (size bytes, at
 * least strlen(final) + 64). */
FILE *fileio_open_tmp(char *tmp, size_t size, const char *final, sb_error *err);

/* Whether name is a temporary name that fileio_open_tmp makes,
 * FINAL.tmp.HOST.PID.TAG; *final_len gets the length of FINAL. */
int fileio_is_tmp(const char *name, size_t *final_len);

/* Flush, fsync and close f, then rename tmp over final.  On any failure
 * tmp is removed, final is untouched, and the error names final and errno. */
int fileio_commit(FILE *f, const char *tmp, const char *final, sb_error *err);

/* As fileio_commit, but final is created only if it does not exist (an
 * atomic link, no lock): *existed = 1 when another writer was first, and
 * then final is left as that writer made it. */
int fileio_commit_new(FILE *f, const char *tmp, const char *final, int *existed, sb_error *err);

/* Open a file of a grid's folder for reading, never waiting and never
 * through a symbolic link: O_NOFOLLOW | O_NONBLOCK, then fstat; a FIFO, a
 * device, a socket or a directory is refused (errno FILEIO_ENOTREG), a
 * symbolic link too (ELOOP).  The descriptor returned blocks as usual;
 * -1 with errno set otherwise. */
int fileio_open_read(const char *path);

/* Whether path names a regular file, not through a symbolic link (lstat):
 * 0, or -1 with errno ENOENT, ELOOP (a link) or FILEIO_ENOTREG. */
int fileio_check_regular(const char *path);

/* The errno fileio_open_read sets for a file that is not a regular file. */
#if defined(EFTYPE)
#define FILEIO_ENOTREG EFTYPE
#elif defined(EMEDIUMTYPE)
#define FILEIO_ENOTREG EMEDIUMTYPE
#else
#define FILEIO_ENOTREG EINVAL
#endif

/* strerror, but saying what FILEIO_ENOTREG and ELOOP mean here. */
const char *fileio_strerror(int e);

/* The whole of a regular file (fileio_open_read: never a FIFO, a device
 * or a symbolic link), NUL-terminated, in a malloc'd buffer (*len gets its
 * size when len is not NULL); NULL with errno set when it cannot be read. */
char *fileio_read_all(const char *path, size_t *len);

/* As fileio_read_all, but at most max + 1 bytes (*len > max says the file
 * is larger than max). */
char *fileio_read_regular(const char *path, size_t max, size_t *len);

/* At most max + 1 bytes of a file of any kind (a pipe, a FIFO, /dev/stdin:
 * read once), NUL-terminated, in a malloc'd buffer; *len gets how many
 * were read, so that *len > max says the file is larger than max.  NULL
 * with errno set when it cannot be read. */
char *fileio_read_bounded(const char *path, size_t max, size_t *len);

/* FNV-1a 64 over n more bytes, from FILEIO_HASH_INIT: the one checksum of
 * satbench (records' rows, the tables named in manifest.json). */
#define FILEIO_HASH_INIT 0xcbf29ce484222325ULL
uint64_t fileio_hash(uint64_t h, const void *data, size_t n);

/* The hash and size of a whole regular file (fileio_open_read); SB_OK,
 * or -1 with errno set. */
int fileio_hash_file(const char *path, uint64_t *hash, size_t *bytes);

/* The same of what is left to read of f, which it closes; 0, or -1 with
 * errno set. */
int fileio_hash_stream(FILE *f, uint64_t *hash, size_t *bytes);

/* Write the whole of src (open for reading, read from its start) to dst gzip-compressed,
 * level 6, through dst's file descriptor (dst's own buffer stays empty);
 * SB_OK, or -1 with errno set (ENOTSUP in a build without zlib). */
int fileio_gzip(FILE *src, FILE *dst);

/* fsync a directory, making the renames inside it durable (power loss,
 * not just kill -9).  Best effort: errors are ignored. */
void fileio_sync_dir(const char *dir);

#endif
