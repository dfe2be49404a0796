/* plot.c - `satbench plot` (see plot.h): its options, the loop over the
 * table of figures (figures.c), and rendering each figure with gnuplot. */
#include <config.h>
#include "plot.h"
#include "cli.h"
#include "figure.h"
#include "fileio.h"

#include <errno.h>
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
    if (strcmp(tok, "pdf") && strcmp(tok, "png") && strcmp(tok, "svg"))
      return sb_fail(err, SB_EUSAGE, "--format: unknown format '%s' (valid: pdf, png, svg)", tok);
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
  if (strcmp(v, "cairolatex")) return sb_fail(err, SB_EUSAGE, "--terminal: unknown terminal '%s' (valid: cairolatex)", v);
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

/* Run `gnuplot NAME.gp` inside the plots folder; its stderr goes to a file
 * that is relayed, so warnings are seen.  Returns SB_OK, or SB_EFAIL when
 * gnuplot failed; *warned is set when it printed anything. */
static int render(const plot_opts *o, const char *gnuplot, const char *name, int *warned, sb_error *err)
{
  char errfile[4200];
  snprintf(errfile, sizeof errfile, "%s/%s.gnuplot-stderr", o->out, name);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return sb_fail(err, SB_EFAIL, "cannot start gnuplot: %s", strerror(errno));
  if (pid == 0) {
    FILE *e = freopen(errfile, "w", stderr);
    if (!e || chdir(o->out) != 0) _exit(126);
    char script[128];
    snprintf(script, sizeof script, "%s.gp", name);
    execl(gnuplot, gnuplot, script, (char *)NULL);
    fprintf(stderr, "cannot run %s: %s\n", gnuplot, strerror(errno));
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sb_fail(err, SB_EFAIL, "waiting for gnuplot: %s", strerror(errno));
  FILE *e = fopen(errfile, "r");
  if (e) {
    char line[1024];
    while (fgets(line, sizeof line, e)) {
      fprintf(stderr, "gnuplot (%s.gp): %s", name, line);
      *warned = 1;
    }
    fclose(e);
  }
  unlink(errfile);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return sb_fail(err, SB_EFAIL, "gnuplot failed on %s/%s.gp (exit status %d)", o->out, name,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return SB_OK;
}

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
  fig_grid g;
  memset(&g, 0, sizeof g);
  int rc = fig_grid_load(o, o->data, &g, err);
  if (!rc && g.incomplete && !o->partial)
    rc = sb_fail(err, SB_EUSAGE, "%s: the grid is not complete (manifest.json); finish it with --resume, or draw it "
                 "anyway with --partial (titles then say so)", o->data);
  if (rc) { fig_grid_free(&g); return rc; }
  if ((rc = fileio_mkdirs(o->out, err))) { fig_grid_free(&g); return rc; }
  unsigned char *written = calloc(fig_count, 1), *kept = calloc(fig_count, 1);
  theory_work *tw = theory_alloc();
  if (!tw || !written || !kept) {
    free(written); free(kept); theory_free(tw); fig_grid_free(&g);
    return sb_fail(err, SB_EFAIL, "out of memory");
  }
  c.g = &g;
  c.tw = tw;
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
  if (rc) { free(written); free(kept); return rc; }

  int warned = 0;
  for (size_t k = 0; k < fig_count && !o->quiet; k++)
    if (written[k] == 2) printf("skipped %s: no data for it in %s/\n", fig_table[k].name, o->data);
  for (size_t k = 0; k < fig_count && !rc; k++) {
    if (written[k] != 1) continue;
    if (kept[k])
      fprintf(stderr, "satbench: kept %s/%s.gp, which was edited since satbench wrote it; the new script is "
              "%s.gp.new (--force overwrites)\n", o->out, fig_table[k].name, fig_table[k].name);
    if (have) rc = render(o, gnuplot, fig_table[k].name, &warned, err);
    if (!rc && !o->quiet) printf("%s/%s.gp%s\n", o->out, fig_table[k].name, have ? " (rendered)" : "");
  }
  free(written);
  free(kept);
  if (!rc && !o->quiet && o->render && !have)
    printf("gnuplot was not found: the scripts are written; render them with\n  cd %s && for f in *.gp; do gnuplot \"$f\"; done\n", o->out);
  if (!rc && !o->quiet && !o->render)
    printf("render with: cd %s && for f in *.gp; do gnuplot \"$f\"; done\n", o->out);
  return rc;
}
