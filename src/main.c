/* main.c - satbench's entry point: dispatches subcommands, prints errors,
 * and chooses exit statuses.  Nothing else lives here. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>

#include "cmd.h"
#include "err.h"
#include "prov.h"
#include "ranks.h"

/* OpenBLAS starts a pool of threads (one per core, each with its
 * buffers: 130 MiB of address space on two cores) in a library
 * constructor, before main, unless OPENBLAS_NUM_THREADS says 1; calling
 * openblas_set_num_threads(1) later does not stop them.  satbench never
 * uses the pool (BLAS runs one thread per cell), and under ulimit -v
 * those threads crashed a tiny grid or hung it at exit.  So satbench runs
 * itself again, once, with the variable set, before any work; the pid,
 * the arguments and every other variable stay.  Where /proc/self/exe
 * cannot be run, it goes on as it is. */
static void blas_pool_off(char **argv)
{
#if defined HAVE_OPENBLAS_SET_NUM_THREADS && defined __linux__
  const char *v = getenv("OPENBLAS_NUM_THREADS");
  if (v && !strcmp(v, "1")) return;
  if (setenv("OPENBLAS_NUM_THREADS", "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
#else
  (void)argv;
#endif
}

int main(int argc, char **argv)
{
  blas_pool_off(argv);
  sb_error err;
  sb_error_clear(&err);
  /* GSL's errors come back as return codes, which the callers check (an
   * SVD that does not converge fails its cell; it must not abort a grid). */
  gsl_set_error_handler_off();
  prov_init(argc, argv);
  int rc;
  if (argc < 2) {
    cmd_usage(stderr);
    return SB_EUSAGE;
  }
  const char *cmd = argv[1];
  /* A grid or a merge writes tables: a closed pipe on stdout or stderr
   * (satbench grid ... 2>&1 | head -1) must not kill it before they are
   * written.  Their writes then fail with EPIPE, the command finishes and
   * says so on whichever channel still works.  The others keep the Unix
   * default, so that satbench theory | head stops at once. */
  if (!strcmp(cmd, "grid") || !strcmp(cmd, "merge")) signal(SIGPIPE, SIG_IGN);
  /* A file over `ulimit -f` would kill any command with SIGXFSZ, silently,
   * leaving a cut file; ignored, the write fails with EFBIG and is
   * reported like any failed write. */
  signal(SIGXFSZ, SIG_IGN);
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    cmd_usage(stdout);
    rc = SB_OK;
  } else if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    cmd_version();
    rc = SB_OK;
  } else if (!strcmp(cmd, "grid")) {
    rc = cmd_grid(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "merge")) {
    rc = cmd_merge(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "plot")) {
    rc = cmd_plot(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "report")) {
    rc = cmd_report(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "compare")) {
    rc = cmd_compare(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "run")) {
    rc = cmd_run(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "data")) {
    rc = cmd_data(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "theory")) {
    rc = cmd_theory(argc - 2, argv + 2, &err);
  } else if (!strcmp(cmd, "list")) {
    rc = cmd_list(argc - 2, argv + 2, &err);
  } else {
    rc = sb_fail(&err, SB_EUSAGE, "'%s': unknown command (try satbench --help)", cmd);
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (!rc) rc = sb_fail(&err, SB_EFAIL, "writing to stdout: %s", strerror(errno));
  }
  if (rc) {
    /* Under mpirun, rank 0 reports what every rank found (bad options are
     * bad on all of them); another rank speaks only of its own failure. */
    if ((ranks_rank() > 0 && rc == SB_EUSAGE) || (ranks_size() > 1 && !err.msg[0])) return rc;
    clearerr(stderr);
    fprintf(stderr, "satbench: %s\n", err.msg[0] ? err.msg : "failed");
    if (rc == SB_EUSAGE && !err.msg[0]) fprintf(stderr, "try satbench --help\n");
    if (ferror(stderr)) {   /* stderr is gone (a closed pipe): the last channel left */
      clearerr(stdout);
      printf("satbench: %s\n", err.msg[0] ? err.msg : "failed");
      fflush(stdout);
    }
    return rc;
  }
  return SB_OK;
}
