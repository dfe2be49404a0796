/* stop.h - SIGINT and SIGTERM as a request to stop: one flag, set by the
 * handler and read by every worker thread, the merge and the scheduler.
 *
 * The flag is a lock-free atomic (C11 lets a handler store to one; a plain
 * volatile read by other threads is a data race).  stop_catch() installs
 * the handlers and clears the flag; stop_release() puts back what was
 * there.  Whoever reads the flag finishes its unit of work cleanly (a
 * cell not written, a merge abandoned with nothing published) and the
 * command exits 128 + the signal with a message saying how to go on. */
#ifndef SB_STOP_H
#define SB_STOP_H

#include <stdatomic.h>

typedef atomic_int stop_flag;

void stop_catch(void);
void stop_release(void);

/* The flag itself, for train_params and ranks_job (NULL-able there). */
const stop_flag *stop_flag_ptr(void);

/* Forget a signal already acted on (a grid stopped by one still merges
 * what it saved; a second one stops the merge). */
void stop_clear(void);

/* 0, or the signal that asked to stop. */
int stop_requested(void);

/* "SIGINT" or "SIGTERM" (or "signal N"). */
const char *stop_name(int sig);

#endif
