/* stop.c - SIGINT and SIGTERM as a request to stop (see stop.h). */
#include <config.h>
#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler may store only to a lock-free atomic");

static stop_flag flag;
static struct sigaction old_int, old_term;
static int caught;

static void on_signal(int sig) { atomic_store_explicit(&flag, sig, memory_order_relaxed); }

void stop_catch(void)
{
  if (caught++) return;   /* nested (a grid's merge): the outer one clears and restores */
  atomic_store(&flag, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
}

void stop_release(void)
{
  if (caught == 0 || --caught) return;
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
}

void stop_clear(void) { atomic_store(&flag, 0); }

const stop_flag *stop_flag_ptr(void) { return &flag; }

int stop_requested(void) { return atomic_load_explicit(&flag, memory_order_relaxed); }

const char *stop_name(int sig)
{
  static char buf[32];
  if (sig == SIGINT) return "SIGINT";
  if (sig == SIGTERM) return "SIGTERM";
  snprintf(buf, sizeof buf, "signal %d", sig);
  return buf;
}

void stop_hold(const char *point)
{
  static atomic_int held;
  const char *v = getenv("SATBENCH_TEST_HOLD");
  size_t n = strlen(point);
  if (!v || strncmp(v, point, n) != 0 || v[n] != ':' || atomic_exchange(&held, 1)) return;
  const char *fifo = v + n + 1;
  char go[PATH_MAX];
  if (snprintf(go, sizeof go, "%s.go", fifo) >= (int)sizeof go) return;
  /* No open() here waits for the other end, so no interleaving with the
   * test (it gone, a signal, a kill -9 it sent) leaves either side
   * blocked.  The test keeps the FIFO open while this process runs, so
   * the line is never lost; nobody reading it (ENXIO) means no hold. */
  int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  char line[64];
  int len = snprintf(line, sizeof line, "%s %ld\n", point, (long)getpid());
  ssize_t w;
  while ((w = write(fd, line, (size_t)len)) < 0 && errno == EINTR) continue;
  close(fd);
  if (w != len) return;
  /* Released at end of file on FIFO.go: when the test closes the one
   * writer it holds (before or after this open) or is gone.  A caught
   * signal interrupts the read (no SA_RESTART): the hold goes on. */
  int g = open(go, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (g < 0) return;
  int fl = fcntl(g, F_GETFL);
  if (fl == -1 || fcntl(g, F_SETFL, fl & ~O_NONBLOCK) == -1) {
    close(g);
    return;
  }
  char buf[64];
  ssize_t r;
  while ((r = read(g, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR)) continue;
  close(g);
}
