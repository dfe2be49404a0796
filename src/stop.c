/* stop.c - SIGINT and SIGTERM as a request to stop (see stop.h). */
#include <config.h>
#include "stop.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

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
