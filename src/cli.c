/* cli.c - the command-line parser (see cli.h). */
#include <config.h>
#include "cli.h"
#include "names.h"

#include <stdlib.h>
#include <string.h>

/* "who: " or nothing. */
static const char *pre(const cli_parser *p) { return p->who ? p->who : ""; }
static const char *sep(const cli_parser *p) { return p->who ? ": " : ""; }

static int in_scope(const cli_parser *p, const cli_def *o)
{
  return !o->scope || (o->scope & p->scope);
}

const cli_def *cli_find(const cli_parser *p, const char *name)
{
  for (size_t k = 0; k < p->n; k++)
    if (!strcmp(name, p->defs[k].name)) return in_scope(p, &p->defs[k]) ? &p->defs[k] : NULL;
  return NULL;
}

int cli_unknown(const cli_parser *p, const char *name, sb_error *err)
{
  for (size_t k = 0; k < p->n; k++)
    if (!strcmp(name, p->defs[k].name))
      return sb_fail(err, SB_EUSAGE, "%s%s--%s: not an option of '%s'", pre(p), sep(p), name, p->command);
  const char **names = malloc((p->n ? p->n : 1) * sizeof *names);
  const char *near = NULL;
  if (names) {
    size_t m = 0;
    for (size_t k = 0; k < p->n; k++)
      if (in_scope(p, &p->defs[k])) names[m++] = p->defs[k].name;
    near = names_nearest(name, names, m);
    free(names);
  }
  if (near)
    return sb_fail(err, SB_EUSAGE, "%s%s--%s: unknown option (did you mean --%s?)", pre(p), sep(p), name, near);
  return sb_fail(err, SB_EUSAGE, "%s%s--%s: unknown option (see %s --help)", pre(p), sep(p), name, p->command);
}

int cli_next(const cli_parser *p, int argc, char **argv, int *i, const cli_def **o, const char **val,
             sb_error *err)
{
  const char *a = argv[*i];
  *o = NULL;
  *val = NULL;
  char key[64];
  const char *eq = NULL;
  if (a[0] == '-' && a[1] && a[1] != '-' && !a[2]) {   /* -x */
    for (size_t k = 0; k < p->n && !*o; k++)
      if (p->defs[k].alias == a[1] && in_scope(p, &p->defs[k])) *o = &p->defs[k];
    if (!*o) return sb_fail(err, SB_EUSAGE, "%s%s'%s': unknown option (see %s --help)", pre(p), sep(p), a, p->command);
    snprintf(key, sizeof key, "%s", (*o)->name);
  } else if (!strncmp(a, "--", 2) && a[2]) {
    eq = strchr(a + 2, '=');
    size_t klen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    if (klen >= sizeof key)
      return sb_fail(err, SB_EUSAGE, "%s%s'%.64s...': unknown option (see %s --help)", pre(p), sep(p), a, p->command);
    memcpy(key, a + 2, klen);
    key[klen] = '\0';
    if (!(*o = cli_find(p, key))) return cli_unknown(p, key, err);
  } else {
    return sb_fail(err, SB_EUSAGE, "%s%s'%s': unexpected argument (options start with --)", pre(p), sep(p), a);
  }
  if (eq) {
    if ((*o)->kind == CLI_FLAG) return sb_fail(err, SB_EUSAGE, "%s%s--%s: takes no value", pre(p), sep(p), key);
    *val = eq + 1;
  } else if ((*o)->kind == CLI_VALUE) {
    if (*i + 1 >= argc)
      return sb_fail(err, SB_EUSAGE, "%s%s--%s: needs a value%s%s%s", pre(p), sep(p), key,
                     (*o)->arg ? " (" : "", (*o)->arg ? (*o)->arg : "", (*o)->arg ? ")" : "");
    *val = argv[++*i];
  }
  ++*i;
  return SB_OK;
}

int cli_parse(const cli_parser *p, int argc, char **argv, void *ctx, sb_error *err)
{
  unsigned char *seen = calloc(p->n ? p->n : 1, 1);
  if (!seen) return sb_fail(err, SB_EFAIL, "out of memory");
  int rc = SB_OK;
  for (int i = 0; i < argc && !rc;) {
    const cli_def *o;
    const char *val;
    if ((rc = cli_next(p, argc, argv, &i, &o, &val, err))) break;
    size_t k = (size_t)(o - p->defs);
    if (p->once && seen[k]) { rc = sb_fail(err, SB_EUSAGE, "%s%s--%s: given twice", pre(p), sep(p), o->name); break; }
    seen[k] = 1;
    rc = o->set(ctx, o->name, val, err);
  }
  free(seen);
  return rc;
}

int cli_wants_help(int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
  return 0;
}

void cli_usage_defaults(FILE *f, const cli_parser *p, cli_default dflt, void *ctx)
{
  for (size_t k = 0; k < p->n; k++) {
    const cli_def *o = &p->defs[k];
    if (!in_scope(p, o)) continue;
    char lhs[80];
    int n = 0;
    if (o->alias) n = snprintf(lhs, sizeof lhs, "-%c, ", o->alias);
    snprintf(lhs + n, sizeof lhs - (size_t)n, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    /* A help that says its default itself keeps its words. */
    const char *d = dflt && !strstr(o->help, "default") ? dflt(o, ctx) : NULL;
    /* A name too long for the column gets a line of its own, so that two
     * spaces always part it from its help (man/mkman.sh and the bash
     * completion read these lines). */
    if (strlen(lhs) > 22) fprintf(f, "  %s\n%26s", lhs, "");
    else fprintf(f, "  %-24s", lhs);
    if (d) fprintf(f, "%s (default: %s)\n", o->help, d);
    else fprintf(f, "%s\n", o->help);
  }
  fprintf(f, "  %-24s%s\n", "-h, --help", "print this help and exit");
}

void cli_usage(FILE *f, const cli_parser *p)
{
  cli_usage_defaults(f, p, NULL, NULL);
}

void cli_complete(FILE *f, const cli_parser *p)
{
  for (size_t k = 0; k < p->n; k++) {
    const cli_def *o = &p->defs[k];
    if (!in_scope(p, o)) continue;
    fprintf(f, "--%s\t%s\n", o->name, o->arg ? o->arg : "");
    if (o->alias) fprintf(f, "-%c\t%s\n", o->alias, o->arg ? o->arg : "");
  }
  fputs("--help\t\n-h\t\n", f);
}

const cli_def *cli_find_word(const cli_parser *p, const char *word)
{
  if (word[0] == '-' && word[1] && word[1] != '-' && !word[2]) {
    for (size_t k = 0; k < p->n; k++)
      if (p->defs[k].alias == word[1] && in_scope(p, &p->defs[k])) return &p->defs[k];
    return NULL;
  }
  return strncmp(word, "--", 2) ? NULL : cli_find(p, word + 2);
}
