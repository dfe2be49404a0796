/* cmd.h - the subcommands of satbench.  Each takes the arguments after its
 * name and returns SB_OK, SB_EFAIL, SB_EUSAGE or 128 + signal, with the
 * message in err; main() prints it. */
#ifndef SB_CMD_H
#define SB_CMD_H

#include <stdio.h>
#include "err.h"

void cmd_usage(FILE *f);
void cmd_version(void);
int cmd_list(int argc, char **argv, sb_error *err);
int cmd_run(int argc, char **argv, sb_error *err);
int cmd_grid(int argc, char **argv, sb_error *err);
int cmd_plot(int argc, char **argv, sb_error *err);
int cmd_report(int argc, char **argv, sb_error *err);
int cmd_compare(int argc, char **argv, sb_error *err);
int cmd_merge(int argc, char **argv, sb_error *err);
int cmd_data(int argc, char **argv, sb_error *err);
int cmd_theory(int argc, char **argv, sb_error *err);

#endif
