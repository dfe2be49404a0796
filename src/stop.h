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

/* A hold point for the tests, so that they act at a known moment of a run
 * (a signal, a kill -9, the folder removed) instead of after a sleep.
 * When SATBENCH_TEST_HOLD is "POINT:FIFO" and `point` is POINT, the first
 * time (per process) write "POINT PID" and a newline to the FIFO, then
 * wait for end of file on the FIFO "FIFO.go" (the test has closed its end,
 * or is gone).  No open waits for the other end (tests/lib.sh holds both
 * open): a FIFO nobody reads means no hold.  Signals arriving meanwhile
 * are caught as usual.
 * The points: "start" (a grid's folder prepared, no cell run yet),
 * "record-N" (the grid's worker that wrote this process's Nth
 * record, holding every other worker as it reports) and "merge" (its
 * temporary tables about to be written). Otherwise a no-op. */
void stop_hold(const char *point);

#endif
