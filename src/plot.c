/* plot.c - `satbench plot` (see plot.h): its options, the loop over the
 * table of figures (figures.c), and rendering each figure with gnuplot. */
#include <config.h>
#include "plot.h"
#include "cfg.h"
#include "cli.h"
#include "names.h"
#include "figure.h"
#include "fileio.h"
#include "prov.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- options -------------------------------------------------------------- */

static int set_folder(char *dst, size_t size, const char *opt, const char *v, sb_error *err)
{
  if (!*v || strlen(v) >= size) return sb_fail(err, SB_EUSAGE, "--%s: bad folder name '%s'", opt, v);
  strcpy(dst, v);
  return SB_OK;
}

static int po_data(void *ctx, const char *name, const char *v, sb_error *err)
{
  plot_opts *o = ctx;
  if (o->data[0]) return sb_fail(err, SB_EUSAGE, "plot takes one -d; to compare two grids use satbench compare");
  return set_folder(o->data, sizeof o->data, name, v, err);
}

static int po_out(void *ctx, const char *name, const char *v, sb_error *err)
{
  plot_opts *o = ctx;
  return set_folder(o->out, sizeof o->out, name, v, err);
}

/* The values of --format and --terminal, for the setters and the completion. */
static const char *const formats[] = { "pdf", "png", "svg" };
static const char *const terminals[] = { "cairolatex" };

static int po_format(void *ctx, const char *name, const char *v, sb_error *err)
{
  plot_opts *o = ctx;
  char buf[64];
  (void)name;
  if (strlen(v) >= sizeof buf || !*v) return sb_fail(err, SB_EUSAGE, "--format: '%s' is not a list of pdf, png, svg", v);
  strcpy(buf, v);
  o->formats[0] = '\0';
  for (char *tok = buf;;) {
    char *comma = strchr(tok, ',');
    if (comma) *comma = '\0';
    int known = 0;
    for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) known |= !strcmp(tok, formats[k]);
    if (!known) {
      char valid[64];
      return sb_fail(err, SB_EUSAGE, "--format: unknown format '%s' (valid: %s)", tok,
                     names_join(valid, sizeof valid, formats, sizeof formats / sizeof formats[0]));
    }
    if (!strstr(o->formats, tok)) {
      if (o->formats[0]) strcat(o->formats, " ");
      strcat(o->formats, tok);
    }
    if (!comma) break;
    tok = comma + 1;
  }
  return SB_OK;
}

static int po_terminal(void *ctx, const char *name, const char *v, sb_error *err)
{
  (void)name;
  if (strcmp(v, terminals[0])) return sb_fail(err, SB_EUSAGE, "--terminal: unknown terminal '%s' (valid: %s)", v, terminals[0]);
  ((plot_opts *)ctx)->tex = 1;
  return SB_OK;
}

static int po_gnuplot(void *ctx, const char *name, const char *v, sb_error *err)
{
  plot_opts *o = ctx;
  (void)name;
  if (!*v || strlen(v) >= sizeof o->gnuplot) return sb_fail(err, SB_EUSAGE, "--gnuplot: bad program '%s'", v);
  strcpy(o->gnuplot, v);
  return SB_OK;
}

static int po_no_render(void *ctx, const char *name, const char *v, sb_error *err)
{
  (void)name; (void)v; (void)err;
  ((plot_opts *)ctx)->render = 0;
  return SB_OK;
}

static int po_quiet(void *ctx, const char *name, const char *v, sb_error *err)
{
  (void)name; (void)v; (void)err;
  ((plot_opts *)ctx)->quiet = 1;
  return SB_OK;
}

static int po_only(void *ctx, const char *name, const char *v, sb_error *err)
{
  plot_opts *o = ctx;
  (void)name;
  if (!*v || strlen(v) >= sizeof o->only) return sb_fail(err, SB_EUSAGE, "--only: '%s' is not a list of figures", v);
  for (const char *p = v; *p;) {
    size_t n = strcspn(p, ",");
    int found = 0;
    for (size_t k = 0; k < fig_count; k++) found |= strlen(fig_table[k].name) == n && !strncmp(fig_table[k].name, p, n);
    if (!found) return sb_fail(err, SB_EUSAGE, "--only: no figure '%.*s' (satbench list figures)", (int)n, p);
    p += n + (p[n] == ',');
  }
  strcpy(o->only, v);
  return SB_OK;
}

static int po_select(void *ctx, const char *name, const char *v, sb_error *err)
{
  plot_opts *o = ctx;
  (void)name;
  const char *eq = strchr(v, '=');
  if (!eq || eq == v || !eq[1])
    return sb_fail(err, SB_EUSAGE, "--select: '%s' is not KEY=VALUE[,VALUE...] (e.g. init=he_normal)", v);
  if (o->n_select == FIG_MAX_SELECT) return sb_fail(err, SB_EUSAGE, "--select: more than %d selections", FIG_MAX_SELECT);
  plot_select *s = &o->select[o->n_select];
  if ((size_t)(eq - v) >= sizeof s->key || strlen(eq + 1) >= sizeof s->values)
    return sb_fail(err, SB_EUSAGE, "--select: '%s' is too long", v);
  for (size_t k = 0; k < o->n_select; k++)
    if (strlen(o->select[k].key) == (size_t)(eq - v) && !strncmp(o->select[k].key, v, (size_t)(eq - v)))
      return sb_fail(err, SB_EUSAGE, "--select: '%.*s' given twice (list its values: KEY=A,B)", (int)(eq - v), v);
  snprintf(s->key, sizeof s->key, "%.*s", (int)(eq - v), v);
  snprintf(s->values, sizeof s->values, "%s", eq + 1);
  o->n_select++;
  return SB_OK;
}

static int po_partial(void *ctx, const char *name, const char *v, sb_error *err)
{
  (void)name; (void)v; (void)err;
  ((plot_opts *)ctx)->partial = 1;
  return SB_OK;
}

static int po_force(void *ctx, const char *name, const char *v, sb_error *err)
{
  (void)name; (void)v; (void)err;
  ((plot_opts *)ctx)->force = 1;
  return SB_OK;
}

static const cli_def plot_options[] = {
  { "data", 'd', CLI_VALUE, po_data, "DIR", "the grid's output folder (default data)", 0 },
  { "out", 'o', CLI_VALUE, po_out, "DIR", "where to write the figures (default plots)", 0 },
  { "format", 0, CLI_VALUE, po_format, "LIST", "any of pdf, png, svg (default pdf,png)", 0 },
  { "terminal", 0, CLI_VALUE, po_terminal, "cairolatex", "also write NAME.tex + NAME.pdf for LaTeX", 0 },
  { "gnuplot", 0, CLI_VALUE, po_gnuplot, "PATH", "the gnuplot program (default: gnuplot on the PATH)", 0 },
  { "only", 0, CLI_VALUE, po_only, "NAMES", "only these figures (comma-separated; satbench list figures)", 0 },
  { "select", 0, CLI_VALUE, po_select, "KEY=V[,V]", "only cells with these values of an axis or seed, e.g. init=he_normal depth=30 (repeatable)", 0 },
  { "partial", 0, CLI_FLAG, po_partial, NULL, "draw a grid that has not finished (titles say \"(partial)\")", 0 },
  { "force", 0, CLI_FLAG, po_force, NULL, "overwrite NAME.gp even where you edited it", 0 },
  { "no-render", 0, CLI_FLAG, po_no_render, NULL, "write scripts and data only", 0 },
  { "quiet", 0, CLI_FLAG, po_quiet, NULL, "print nothing but errors", 0 },
};

static const cli_parser plot_parser = { plot_options, sizeof plot_options / sizeof plot_options[0], NULL,
                                        "satbench plot", 0, 0 };

void plot_complete(FILE *f, const char *word)
{
  if (!word) { cli_complete(f, &plot_parser); return; }
  const cli_def *o = cli_find_word(&plot_parser, word);
  if (!o) return;
  if (o->set == po_format)
    for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) fprintf(f, "%s\n", formats[k]);
  else if (o->set == po_terminal)
    for (size_t k = 0; k < sizeof terminals / sizeof terminals[0]; k++) fprintf(f, "%s\n", terminals[k]);
  else if (o->set == po_only)
    for (size_t k = 0; k < fig_count; k++) fprintf(f, "%s\n", fig_table[k].name);
  else if (o->set == po_select)
    cfg_complete_select(f);
}

static void plot_usage(FILE *f)
{
  fputs("usage: satbench plot [-d DATA] [-o PLOTS] [--format pdf,png,svg] [--terminal cairolatex]\n"
        "                     [--only NAMES] [--select KEY=V[,V]]... [--partial] [--force]\n"
        "                     [--gnuplot PATH] [--no-render] [--quiet]\n"
        "Draw the figures of a grid: for each, PLOTS/NAME.gp (a standalone gnuplot script),\n"
        "the NAME.dat it reads, and NAME.pdf / NAME.png when gnuplot is found.\n\n", f);
  cli_usage(f, &plot_parser);
  fputs("\nFigures:\n", f);
  for (size_t k = 0; k < fig_count; k++) fprintf(f, "  %-22s%s\n", fig_table[k].name, fig_table[k].title);
}

int plot_parse(plot_opts *o, int argc, char **argv, FILE *help, sb_error *err)
{
  memset(o, 0, sizeof *o);   /* o->data stays "" until -d, so that a second -d is refused */
  strcpy(o->out, "plots");
  strcpy(o->formats, "pdf png");
  o->render = 1;
  if (cli_wants_help(argc, argv)) { plot_usage(help); return -1; }
  int rc = cli_parse(&plot_parser, argc, argv, o, err);
  if (rc) return rc;
  if (!o->data[0]) strcpy(o->data, "data");
  if (o->tex && !strstr(o->formats, "tex")) strcat(o->formats, " tex");
  return SB_OK;
}

/* ---- rendering -------------------------------------------------------------------------- */

static int find_program(const char *name, char *out, size_t size)
{
  if (strchr(name, '/')) {
    snprintf(out, size, "%s", name);
    return access(out, X_OK) == 0;
  }
  const char *path = getenv("PATH");
  if (!path) return 0;
  for (const char *p = path; *p;) {
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    int m = snprintf(out, size, "%.*s/%s", (int)n, n ? p : ".", name);
    if (m > 0 && (size_t)m < size && access(out, X_OK) == 0) return 1;
    if (!colon) break;
    p = colon + 1;
  }
  return 0;
}

/* Every figure is written and rendered in a private folder inside -o, the
 * stage: OUT/.satbench-plot.tmp.HOST.PID.XXXXXX (mkdtemp: mode 0700, a
 * name nobody can guess or plant), and its files are renamed into -o only
 * when its pictures proved complete and the tables did not change under
 * it.  Nothing is ever opened in -o for writing, so a symlink planted
 * there is replaced by the rename, never followed.  A plot killed before
 * it removed its stage leaves it behind: the next plot on this host
 * removes those whose process is gone (stale_remove). */
#define STAGE_PREFIX ".satbench-plot.tmp."

/* This host as temporary names spell it (fileio_open_tmp's rule: no '/'
 * or '.', at most 32 bytes), so that a stage's owner can be read back. */
static void tmp_host(char *host, size_t size)
{
  snprintf(host, size, "%.32s", prov_host());
  for (char *p = host; *p; p++)
    if (*p == '/' || *p == '.') *p = '_';
}

/* Remove the entries of the folder name inside dfd, then the folder
 * (nothing is followed: the entries are removed by name). */
static void remove_tree_at(int dfd, const char *name)
{
  int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    DIR *d = fdopendir(fd);
    if (!d) close(fd);
    else {
      for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlinkat(fd, e->d_name, 0);
      closedir(d);
    }
  }
  unlinkat(dfd, name, AT_REMOVEDIR);
}

/* The pid in "HOST.PID.TAG" (after the ".tmp." of a temporary's name) when
 * HOST is this host and TAG has tag_len characters; else 0. */
static long tmp_owner(const char *rest, const char *host, size_t tag_len)
{
  size_t hl = strlen(host);
  if (strncmp(rest, host, hl) || rest[hl] != '.') return 0;
  const char *pid = rest + hl + 1;
  size_t digits = strspn(pid, "0123456789");
  if (!digits || digits > 9 || pid[digits] != '.' || strlen(pid + digits + 1) != tag_len) return 0;
  return strtol(pid, NULL, 10);
}

/* Whether the process pid is gone (one of another user is alive). */
static int pid_gone(long pid) { return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH; }

/* Whether final is a file plot writes: NAME.dat, NAME.gp or NAME.gp.new. */
static int plot_file(const char *final, size_t len)
{
  for (size_t k = 0; k < fig_count; k++) {
    size_t n = strlen(fig_table[k].name);
    if (len > n && !strncmp(final, fig_table[k].name, n)
        && ((len - n == 4 && !strncmp(final + n, ".dat", 4)) || (len - n == 3 && !strncmp(final + n, ".gp", 3))
            || (len - n == 7 && !strncmp(final + n, ".gp.new", 7))))
      return 1;
  }
  return 0;
}

/* Remove what plots on this host that died left in out: their stages,
 * and the temporaries of NAME.dat / NAME.gp that plot wrote beside the
 * final names before it had a stage.  Those of live processes (a plot
 * running now) and of other hosts (whose processes cannot be asked)
 * stay.  Best effort: a failure only leaves the file. */
static void stale_remove(const char *out)
{
  char host[40];
  tmp_host(host, sizeof host);
  int dfd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  int fd2 = dup(dfd);
  DIR *d = fd2 >= 0 ? fdopendir(fd2) : NULL;
  if (!d) { if (fd2 >= 0) close(fd2); close(dfd); return; }
  for (struct dirent *e; (e = readdir(d));) {
    const char *name = e->d_name;
    size_t final_len;
    if (!strncmp(name, STAGE_PREFIX, strlen(STAGE_PREFIX))) {
      if (pid_gone(tmp_owner(name + strlen(STAGE_PREFIX), host, 6))) remove_tree_at(dfd, name);
    } else if (fileio_is_tmp(name, &final_len) && plot_file(name, final_len)) {
      if (pid_gone(tmp_owner(name + final_len + 5, host, 6))) unlinkat(dfd, name, 0);
    }
  }
  closedir(d);
  close(dfd);
}

static int stage_make(const char *out, char *stage, size_t size, sb_error *err)
{
  char host[40];
  tmp_host(host, sizeof host);
  int n = snprintf(stage, size, "%s/" STAGE_PREFIX "%s.%ld.XXXXXX", out, host, (long)getpid());
  if (n < 0 || (size_t)n >= size) return sb_fail(err, SB_EUSAGE, "-o %s: path too long", out);
  if (!mkdtemp(stage)) return sb_fail(err, SB_EFAIL, "cannot create a folder in %s: %s", out, strerror(errno));
  return SB_OK;
}

static void stage_remove(const char *stage)
{
  const char *slash = strrchr(stage, '/');
  char dir[4200];
  snprintf(dir, sizeof dir, "%.*s", (int)(slash - stage), stage);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  remove_tree_at(dfd, slash + 1);
  close(dfd);
}

/* ---- is a picture complete ------------------------------------------------------------- */

/* gnuplot can exit 0 and leave a cut picture (a full disk, a file size
 * limit, a terminal's write error it only warns of): each format is
 * checked to its end.  NULL when complete, else the reason. */
static const char *png_incomplete(const unsigned char *b, size_t n)
{
  static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  if (n < 8 || memcmp(b, sig, 8)) return "not a PNG (no signature)";
  for (size_t pos = 8;;) {
    if (n - pos < 12) return "cut short (no IEND chunk at its end)";
    size_t len = (size_t)b[pos] << 24 | (size_t)b[pos + 1] << 16 | (size_t)b[pos + 2] << 8 | b[pos + 3];
    if (len > n - pos - 12) return "cut short inside a chunk";
    int iend = !memcmp(b + pos + 4, "IEND", 4);
    pos += 12 + len;
    if (iend) return pos == n ? NULL : "bytes after its IEND chunk";
  }
}

static const char *pdf_incomplete(const unsigned char *b, size_t n)
{
  if (n < 5 || memcmp(b, "%PDF-", 5)) return "not a PDF (no %PDF- header)";
  size_t from = n > 1024 ? n - 1024 : 0;
  for (size_t k = n >= 5 ? n - 5 + 1 : 0; k-- > from;)
    if (!memcmp(b + k, "%%EOF", 5)) return NULL;
  return "cut short (no %%EOF at its end)";
}

/* b without the blanks at its end (n bytes) ends with tail. */
static int ends_with(const unsigned char *b, size_t n, const char *tail)
{
  while (n && (b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == ' ' || b[n - 1] == '\t')) n--;
  size_t m = strlen(tail);
  return n >= m && !memcmp(b + n - m, tail, m);
}

static const char *svg_incomplete(const unsigned char *b, size_t n)
{
  size_t k = 0;
  while (k < n && (b[k] == ' ' || b[k] == '\n' || b[k] == '\r' || b[k] == '\t')) k++;
  if (n - k < 5 || (memcmp(b + k, "<?xml", 5) && memcmp(b + k, "<svg", 4))) return "not an SVG (no XML or <svg> start)";
  return ends_with(b, n, "</svg>") ? NULL : "cut short (no </svg> at its end)";
}

static const char *tex_incomplete(const unsigned char *b, size_t n)
{
  return ends_with(b, n, "\\endgroup") ? NULL : "cut short (no \\endgroup at its end)";
}

/* The pictures each format makes: NAME.EXT checked by its rule (cairolatex
 * makes NAME.tex and the picture it includes, NAME.pdf). */
static const struct picture_kind {
  const char *format, *ext;
  const char *(*incomplete)(const unsigned char *b, size_t n);
} picture_kinds[] = {
  { "pdf", "pdf", pdf_incomplete },
  { "png", "png", png_incomplete },
  { "svg", "svg", svg_incomplete },
  { "tex", "tex", tex_incomplete },
  { "tex", "pdf", pdf_incomplete },
};
#define N_PICTURE_KINDS (sizeof picture_kinds / sizeof picture_kinds[0])

/* Whether --format asked for this format. */
static int format_on(const plot_opts *o, const char *format)
{
  size_t n = strlen(format);
  for (const char *p = o->formats; *p;) {
    size_t m = strcspn(p, " ");
    if (m == n && !strncmp(p, format, n)) return 1;
    p += m + (p[m] == ' ');
  }
  return 0;
}

/* Check stage/NAME.EXT; SB_OK, or SB_EFAIL naming the figure and why. */
static int picture_check(const char *stage, const char *name, const struct picture_kind *pk, sb_error *err)
{
  char path[4400];
  snprintf(path, sizeof path, "%s/%s.%s", stage, name, pk->ext);
  size_t n = 0;
  unsigned char *b = NULL;
  const char *why = NULL;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  if (fd < 0) why = errno == ENOENT ? "gnuplot wrote none" : strerror(errno);
  else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) why = "not a regular file";
  else if (st.st_size == 0) why = "empty";
  else if (!(b = malloc((size_t)st.st_size))) why = "out of memory";
  else {
    while (n < (size_t)st.st_size) {
      ssize_t got = read(fd, b + n, (size_t)st.st_size - n);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      n += (size_t)got;
    }
    why = n < (size_t)st.st_size ? "cannot be read back" : pk->incomplete(b, n);
  }
  if (fd >= 0) close(fd);
  free(b);
  if (!why) return SB_OK;
  return sb_fail(err, SB_EFAIL, "%s: %s.%s is %s%s; the previous one (if any) is kept", name, name, pk->ext,
                 strncmp(why, "gnuplot", 7) ? "" : "missing: ", why);
}

/* ---- gnuplot ------------------------------------------------------------------------------ */

/* The environment gnuplot runs in: ours, with -o in GNUPLOT_LIB, where
 * gnuplot also looks for the files a script loads or plots, so that a
 * script edited to read its own files beside it still finds them from the
 * stage.  Made before fork (the child only calls execve). */
static char **gnuplot_env(const char *out)
{
  extern char **environ;
  size_t n = 0;
  while (environ[n]) n++;
  char **env = calloc(n + 2, sizeof *env);
  char *abs = realpath(out, NULL);
  if (!env || !abs) { free(env); free(abs); return NULL; }
  const char *old = getenv("GNUPLOT_LIB");
  size_t len = strlen(abs) + (old ? strlen(old) + 1 : 0) + sizeof "GNUPLOT_LIB=";
  char *lib = malloc(len);
  if (!lib) { free(env); free(abs); return NULL; }
  snprintf(lib, len, "GNUPLOT_LIB=%s%s%s", abs, old ? ":" : "", old ? old : "");
  free(abs);
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (strncmp(environ[k], "GNUPLOT_LIB=", 12)) env[m++] = environ[k];
  env[m++] = lib;
  env[m] = NULL;
  return env;
}

static void gnuplot_env_free(char **env)
{
  if (!env) return;
  for (size_t k = 0; env[k]; k++)
    if (!strncmp(env[k], "GNUPLOT_LIB=", 12)) free(env[k]);
  free(env);
}

/* Run `gnuplot NAME.gp` inside the stage; its stderr goes to a file there
 * that is relayed, so warnings are seen.  Then every picture
 * --format asked for must be complete.  SB_OK, or SB_EFAIL naming the
 * figure and why: gnuplot's exit status or signal, or the picture. */
static int render(const plot_opts *o, const char *gnuplot, char **env, const char *stage, const char *name,
                  sb_error *err)
{
  char errfile[4400], script[128];
  snprintf(errfile, sizeof errfile, "%s/gnuplot-stderr", stage);
  snprintf(script, sizeof script, "%s.gp", name);
  int efd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (efd < 0) return sb_fail(err, SB_EFAIL, "cannot write %s: %s", errfile, strerror(errno));
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) { close(efd); return sb_fail(err, SB_EFAIL, "cannot start gnuplot: %s", strerror(errno)); }
  if (pid == 0) {
    if (dup2(efd, 2) < 0 || chdir(stage) != 0) _exit(126);
    char *const argv[] = { (char *)gnuplot, script, NULL };
    execve(gnuplot, argv, env);
    _exit(127);
  }
  close(efd);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sb_fail(err, SB_EFAIL, "waiting for gnuplot: %s", strerror(errno));
  FILE *e = fopen(errfile, "r");
  if (e) {
    char line[1024];
    while (fgets(line, sizeof line, e)) fprintf(stderr, "gnuplot (%s.gp): %s%s", name, line, strchr(line, '\n') ? "" : "\n");
    fclose(e);
  }
  unlink(errfile);
  if (WIFSIGNALED(status))
    return sb_fail(err, SB_EFAIL, "%s: gnuplot was killed by signal %d (%s) drawing it; the previous pictures (if any) "
                   "are kept", name, WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return sb_fail(err, SB_EFAIL, "%s: gnuplot failed on %s.gp (exit status %d%s); the previous pictures (if any) "
                   "are kept (--no-render writes the scripts into %s without drawing them)", name, name,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                   WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": could not run it" : "", o->out);
  for (size_t k = 0; k < N_PICTURE_KINDS; k++) {
    if (!format_on(o, picture_kinds[k].format)) continue;
    int rc = picture_check(stage, name, &picture_kinds[k], err);
    if (rc) return rc;
  }
  return SB_OK;
}

/* ---- the tables did not change while we read them -------------------------------------- */

/* What plot reads from -d: manifest.json and the tables under either name
 * (NAME.tsv, NAME.tsv.gz), each by identity (device, inode, size,
 * modification time: a rename or a rewrite) and content (FNV-1a 64). */
#define SNAP_FILES 15
typedef struct snap_file {
  int present;
  dev_t dev;
  ino_t ino;
  mode_t mode;
  off_t size;
  struct timespec mtime;
  uint64_t hash;
} snap_file;
typedef struct tables_snap { snap_file f[SNAP_FILES]; } tables_snap;

static void snap_one(const char *path, snap_file *s)
{
  memset(s, 0, sizeof *s);
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);   /* a FIFO is not waited on */
  if (fd < 0) { s->present = errno == ENOENT ? 0 : -errno; return; }
  struct stat st;
  if (fstat(fd, &st) != 0) { s->present = -errno; close(fd); return; }
  s->present = 1;
  s->dev = st.st_dev;
  s->ino = st.st_ino;
  s->mode = st.st_mode;
  s->size = st.st_size;
  s->mtime = st.st_mtim;
  s->hash = FILEIO_HASH_INIT;
  if (S_ISREG(st.st_mode)) {
    unsigned char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) { s->present = -errno; break; }
      s->hash = fileio_hash(s->hash, buf, (size_t)n);
    }
  }
  close(fd);
}

static void snap_take(const fig_ctx *c, const char *data, tables_snap *s)
{
  const char *tables[] = { c->cells, c->summary, c->layers, c->hist, c->curves, c->curves_summary, c->spectra };
  _Static_assert(2 * (sizeof tables / sizeof tables[0]) + 1 == SNAP_FILES, "a table is missing from the snapshot");
  char path[4300];
  size_t k = 0;
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
    snap_one(tables[t], &s->f[k++]);
    snprintf(path, sizeof path, "%s.gz", tables[t]);
    snap_one(path, &s->f[k++]);
  }
  snprintf(path, sizeof path, "%s/manifest.json", data);
  snap_one(path, &s->f[k]);
}

static int snap_same(const tables_snap *a, const tables_snap *b)
{
  for (size_t k = 0; k < SNAP_FILES; k++) {
    const snap_file *x = &a->f[k], *y = &b->f[k];
    if (x->present != y->present || x->dev != y->dev || x->ino != y->ino || x->mode != y->mode || x->size != y->size
        || x->mtime.tv_sec != y->mtime.tv_sec || x->mtime.tv_nsec != y->mtime.tv_nsec || x->hash != y->hash)
      return 0;
  }
  return 1;
}

/* ---- the run ------------------------------------------------------------------------------ */

/* Whether --only names the figure (or there is no --only). */
static int wanted(const plot_opts *o, const char *name)
{
  if (!o->only[0]) return 1;
  size_t n = strlen(name);
  for (const char *p = o->only; *p;) {
    size_t m = strcspn(p, ",");
    if (m == n && !strncmp(p, name, n)) return 1;
    p += m + (p[m] == ',');
  }
  return 0;
}

/* Rename stage/file over out/file (a symlink there is replaced, not
 * followed); missing is whether a file that is not there is fine. */
static int commit_file(const plot_opts *o, const char *stage, const char *file, sb_error *err)
{
  char from[4400], to[4400];
  snprintf(from, sizeof from, "%s/%s", stage, file);
  snprintf(to, sizeof to, "%s/%s", o->out, file);
  if (rename(from, to) != 0) return sb_fail(err, SB_EFAIL, "renaming %s to %s: %s", from, to, strerror(errno));
  return SB_OK;
}

/* Move figure k's files from the stage into -o: its pictures, NAME.dat,
 * and NAME.gp (or NAME.gp.new beside an edited NAME.gp; a new NAME.gp
 * makes an older NAME.gp.new only misleading: removed). */
static int commit_figure(const plot_opts *o, const char *stage, const char *name, int rendered, int kept,
                         sb_error *err)
{
  char file[160];
  int rc = SB_OK;
  for (size_t k = 0; rendered && !rc && k < N_PICTURE_KINDS; k++) {
    if (!format_on(o, picture_kinds[k].format)) continue;
    if (!strcmp(picture_kinds[k].ext, "pdf") && strcmp(picture_kinds[k].format, "pdf") && format_on(o, "pdf"))
      continue;   /* one NAME.pdf for pdf and tex: moved once */
    snprintf(file, sizeof file, "%s.%s", name, picture_kinds[k].ext);
    rc = commit_file(o, stage, file, err);
  }
  snprintf(file, sizeof file, "%s.dat", name);
  if (!rc) rc = commit_file(o, stage, file, err);
  snprintf(file, sizeof file, "%s.gp%s", name, kept ? ".new" : "");
  if (!rc) rc = commit_file(o, stage, file, err);
  if (!rc && !kept) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.gp.new", o->out, name);
    if (unlink(path) && errno != ENOENT) rc = sb_fail(err, SB_EFAIL, "cannot remove %s: %s", path, strerror(errno));
  }
  return rc;
}

int plot_run(const plot_opts *o, sb_error *err)
{
  fig_ctx c;
  memset(&c, 0, sizeof c);
  c.o = o;
  snprintf(c.cells, sizeof c.cells, "%s/cells.tsv", o->data);
  snprintf(c.summary, sizeof c.summary, "%s/summary.tsv", o->data);
  snprintf(c.layers, sizeof c.layers, "%s/layers.tsv", o->data);
  snprintf(c.hist, sizeof c.hist, "%s/hist.tsv", o->data);
  snprintf(c.curves, sizeof c.curves, "%s/curves.tsv", o->data);
  snprintf(c.curves_summary, sizeof c.curves_summary, "%s/curves_summary.tsv", o->data);
  snprintf(c.spectra, sizeof c.spectra, "%s/spectra.tsv", o->data);
  /* A --gnuplot that cannot run is bad input: refused before anything is written. */
  char gnuplot[4096] = "";
  int have = o->render && find_program(o->gnuplot[0] ? o->gnuplot : "gnuplot", gnuplot, sizeof gnuplot);
  if (o->render && o->gnuplot[0] && !have) return sb_fail(err, SB_EUSAGE, "--gnuplot: cannot run '%s'", o->gnuplot);
  /* The tables as they are before the set is checked: the same at the end,
   * or the figures could mix two sets (a merge replacing them meanwhile). */
  tables_snap *before = malloc(sizeof *before), *after = malloc(sizeof *after);
  if (!before || !after) { free(before); free(after); return sb_fail(err, SB_EFAIL, "out of memory"); }
  snap_take(&c, o->data, before);
  fig_grid g;
  memset(&g, 0, sizeof g);
  int rc = fig_grid_load(o, o->data, &g, err);
  if (!rc && g.incomplete && !o->partial)
    rc = sb_fail(err, SB_EUSAGE, "%s: the grid is not complete (manifest.json); finish it with --resume, or draw it "
                 "anyway with --partial (titles then say so)", o->data);
  char stage[4300] = "";
  if (!rc) rc = fileio_mkdirs(o->out, err);
  if (!rc) {
    stale_remove(o->out);
    rc = stage_make(o->out, stage, sizeof stage, err);
  }
  if (rc) { fig_grid_free(&g); free(before); free(after); return rc; }
  unsigned char *written = calloc(fig_count, 1), *kept = calloc(fig_count, 1);
  theory_work *tw = theory_alloc();
  if (!tw || !written || !kept) rc = sb_fail(err, SB_EFAIL, "out of memory");
  c.g = &g;
  c.tw = tw;
  c.stage = stage;
  for (size_t k = 0; k < fig_count && !rc; k++) {
    if (!wanted(o, fig_table[k].name)) continue;
    int kept_one = 0;
    c.def = &fig_table[k];
    c.kept = &kept_one;
    int r = c.def->write(&c, err);
    if (r == FIG_SKIPPED) {
      written[k] = 2;   /* said after the loop, so a failing run prints nothing on stdout */
    } else if (r) {
      rc = r;   /* a failure, never taken for "no data" */
    } else {
      written[k] = 1;
      kept[k] = (unsigned char)kept_one;
    }
  }
  theory_free(tw);
  fig_grid_free(&g);

  /* Render each figure in the stage; the first that fails stops the run. */
  char **env = have && !rc ? gnuplot_env(o->out) : NULL;
  if (have && !rc && !env) rc = sb_fail(err, SB_EFAIL, "cannot resolve %s: %s", o->out, strerror(errno));
  for (size_t k = 0; k < fig_count && have && !rc; k++)
    if (written[k] == 1) rc = render(o, gnuplot, env, stage, fig_table[k].name, err);
  gnuplot_env_free(env);
  /* Then, only when every figure is complete and the tables did not
   * change meanwhile, the figures move into -o: a failure leaves the
   * previous ones there, all of them (none from a mixed or failed run). */
  snap_take(&c, o->data, after);
  if (!rc && !snap_same(before, after))
    rc = sb_fail(err, SB_EFAIL, "%s: the tables changed while plot read them (a merge or a grid replaced them): no "
                 "figure was replaced; run satbench plot again", o->data);
  free(before);
  free(after);
  for (size_t k = 0; k < fig_count && !rc; k++)
    if (written[k] == 1) rc = commit_figure(o, stage, fig_table[k].name, have, kept[k], err);
  stage_remove(stage);
  if (!rc) fileio_sync_dir(o->out);
  for (size_t k = 0; k < fig_count && !rc && !o->quiet; k++)
    if (written[k] == 2) printf("skipped %s: no data for it in %s/\n", fig_table[k].name, o->data);
  for (size_t k = 0; k < fig_count && !rc; k++) {
    if (written[k] != 1) continue;
    if (kept[k])
      fprintf(stderr, "satbench: kept %s/%s.gp, which was edited since satbench wrote it; the new script is "
              "%s.gp.new (--force overwrites)\n", o->out, fig_table[k].name, fig_table[k].name);
    if (!o->quiet) printf("%s/%s.gp%s\n", o->out, fig_table[k].name, have ? " (rendered)" : "");
  }
  free(written);
  free(kept);
  if (!rc && !o->quiet && o->render && !have)
    printf("gnuplot was not found: the scripts are written; render them with\n  cd %s && for f in *.gp; do gnuplot \"$f\"; done\n", o->out);
  if (!rc && !o->quiet && !o->render)
    printf("render with: cd %s && for f in *.gp; do gnuplot \"$f\"; done\n", o->out);
  return rc;
}
