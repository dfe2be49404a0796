/* cli.h - the one command-line parser of every subcommand: a table of
 * options, each with its setter, its argument's name and a line of help,
 * from which the parser, the "unknown option (did you mean ...?)" message
 * and the usage text all follow.
 *
 * Accepted forms: --name VALUE, --name=VALUE, -x VALUE (one-letter
 * aliases), and --name alone for flags.  Anything else that is not an
 * option is an error, as is an option the table does not have. */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <stddef.h>
#include <stdio.h>
#include "err.h"

typedef enum {
  CLI_VALUE,   /* needs a value */
  CLI_FLAG,    /* takes none */
  CLI_BOOL,    /* alone means true; --name=false also works */
} cli_kind;

typedef int (*cli_setter)(void *ctx, const char *name, const char *val, sb_error *err);

typedef struct cli_def {
  const char *name;     /* without the dashes */
  char alias;           /* a one-letter alias (-x), or 0 */
  cli_kind kind;
  cli_setter set;       /* val is NULL for a flag given alone */
  const char *arg;      /* the value's name in the usage text ("N", "LIST") */
  const char *help;
  unsigned scope;       /* 0: every command of the table; else the bits of
                           the commands (cli_parser.scope) that have it */
} cli_def;

typedef struct cli_parser {
  const cli_def *defs;
  size_t n;
  const char *who;      /* message prefix ("theory"), or NULL */
  const char *command;  /* "satbench theory", for "see ... --help" */
  int once;             /* refuse an option given twice */
  unsigned scope;       /* this command's bit, for tables shared by commands */
} cli_parser;

/* The option called name (an exact match) that this command has, or NULL. */
const cli_def *cli_find(const cli_parser *p, const char *name);

/* SB_EUSAGE for an unknown option: the nearest name when there is one,
 * or that another command of the table has it. */
int cli_unknown(const cli_parser *p, const char *name, sb_error *err);

/* One argument at argv[*i] (which may take argv[*i + 1] as its value):
 * the option and its value, *i moved past them.  SB_EUSAGE for an
 * argument that is not an option, an unknown option, a missing value or a
 * value given to a flag. */
int cli_next(const cli_parser *p, int argc, char **argv, int *i, const cli_def **o, const char **val,
             sb_error *err);

/* Every argument, each applied through its setter with ctx. */
int cli_parse(const cli_parser *p, int argc, char **argv, void *ctx, sb_error *err);

/* Whether argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

/* "  --name ARG   help" lines, one per option, then -h, --help. */
void cli_usage(FILE *f, const cli_parser *p);

/* The same, each help that does not speak of its default followed by
 * " (default: TEXT)", TEXT = dflt(option, ctx) (none where it is NULL). */
typedef const char *(*cli_default)(const cli_def *o, void *ctx);
void cli_usage_defaults(FILE *f, const cli_parser *p, cli_default dflt, void *ctx);

/* satbench list --complete COMMAND: "--name<TAB>ARG" per option this
 * command has ("-x<TAB>ARG" for its alias; ARG empty for a flag), then
 * --help and -h. */
void cli_complete(FILE *f, const cli_parser *p);

/* The option a word names ("--name" or "-x") in this command, or NULL. */
const cli_def *cli_find_word(const cli_parser *p, const char *word);

#endif
