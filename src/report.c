/* report.c - `satbench report` (see report.h): the figures of satbench
 * plot inlined as SVG, the findings and digest from cells.tsv (compare.c's
 * loader), the configuration, the provenance of manifest.json (jansson),
 * the statuses and links to the tables, in one HTML file written whole or
 * not at all. */
#include <config.h>
#include "report.h"
#include "cli.h"
#include "compare.h"
#include "digest.h"
#include "figure.h"
#include "fileio.h"
#include "plot.h"
#include "table.h"
#include "train.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#define REPORT_SVG_MAX (64u << 20)   /* a figure larger than this is left out, said so */

void report_html_escape(FILE *f, const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    default:
      if (*p < 0x20 && *p != '\n' && *p != '\t') fputs("&#xFFFD;", f);   /* no control characters in HTML */
      else if (*p == 0x7f) fputs("&#xFFFD;", f);
      else fputc(*p, f);
    }
  }
}

/* Shorthand: escaped text. */
static void H(FILE *f, const char *s) { report_html_escape(f, s ? s : ""); }

/* A column's name in a header cell: escaped, and free to wrap after each
 * underscore (<wbr>), so that a digest of a dozen columns fits the page. */
static void H_col(FILE *f, const char *s)
{
  char part[256];
  for (const char *p = s ? s : ""; *p;) {
    size_t n = strcspn(p, "_");
    n += p[n] == '_';
    snprintf(part, sizeof part, "%.*s", (int)(n < sizeof part ? n : sizeof part - 1), p);
    H(f, part);
    p += n;
    if (p[-1] == '_' && *p) fputs("<wbr>", f);
  }
}

/* ---- inlining gnuplot's SVG ------------------------------------------------------ */

/* The elements gnuplot's svg terminal draws with.  Anything else (a
 * script, foreignObject, a style sheet) leaves the figure out: an inlined
 * SVG shares the page's document, so it must carry nothing but drawing. */
static const char *const svg_elements[] = {
  "svg", "g", "path", "text", "tspan", "rect", "circle", "ellipse", "line", "polyline", "polygon", "defs", "use",
  "title", "desc", "clipPath", "linearGradient", "radialGradient", "stop", "pattern", "image", "symbol", "marker",
  "filter", "feFlood", "feComposite",
};

static int svg_element_ok(const char *name, size_t n)
{
  for (size_t k = 0; k < sizeof svg_elements / sizeof svg_elements[0]; k++)
    if (strlen(svg_elements[k]) == n && !strncmp(svg_elements[k], name, n)) return 1;
  return 0;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
  size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
  if (!len || len > n || (len == 2 && s[0] < 0xc2)) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xc0) != 0x80) return 0;
  return len;
}

/* gnuplot's svg terminal writes {/Symbol ...} text as the byte of the
 * Symbol font (0xb6 for the partial sign), which is not UTF-8: the few
 * the figures use become their characters, any other byte U+FFFD. */
static unsigned symbol_char(unsigned char b)
{
  static const struct { unsigned char byte; unsigned code; } map[] = {
    { 0xb6, 0x2202 }, { 0xd1, 0x2207 }, { 0xb1, 0x00b1 }, { 0xb4, 0x00d7 }, { 0xa5, 0x221e },
    { 0xd6, 0x221a }, { 0xb3, 0x2265 }, { 0xa3, 0x2264 }, { 0xb9, 0x2260 }, { 0xbb, 0x2248 },
  };
  for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
    if (map[k].byte == b) return map[k].code;
  return 0xfffd;
}

/* Character data: an entity stays as it is, a bare & < > is escaped. */
static void svg_chars(FILE *f, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char)s[i] >= 0x80) {
      size_t len = utf8_len((const unsigned char *)s + i, n - i);
      if (len) { fwrite(s + i, 1, len, f); i += len - 1; }
      else fprintf(f, "&#x%x;", symbol_char((unsigned char)s[i]));
      continue;
    }
    if (s[i] == '&') {
      size_t j = i + 1;
      if (j < n && s[j] == '#') j++;
      while (j < n && isalnum((unsigned char)s[j])) j++;
      if (j < n && s[j] == ';' && j > i + 1) { fwrite(s + i, 1, j + 1 - i, f); i = j; continue; }
      fputs("&amp;", f);
    } else if (s[i] == '<') fputs("&lt;", f);
    else if (s[i] == '>') fputs("&gt;", f);
    else if (s[i] == '"') fputs("&quot;", f);
    else if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r') fputs("&#xFFFD;", f);
    else fputc(s[i], f);
  }
}

/* An attribute's value: ids and references to them get the figure's
 * prefix (figures share the page, and gnuplot names its ids alike in every
 * file); a reference that leaves the document is refused. */
static int svg_value(FILE *f, const char *an, size_t anl, const char *v, size_t n, const char *prefix, char *why,
                     size_t why_size)
{
  int is_id = anl == 2 && !strncmp(an, "id", 2);
  int is_href = (anl == 4 && !strncmp(an, "href", 4)) || (anl == 10 && !strncmp(an, "xlink:href", 10));
  for (size_t i = 0; i + 10 <= n; i++)
    if (!strncasecmp(v + i, "javascript", 10)) { snprintf(why, why_size, "a javascript: value"); return -1; }
  if (is_href) {
    if (n && v[0] == '#') {
      fputc('#', f);
      H(f, prefix);
      svg_chars(f, v + 1, n - 1);
      return 0;
    }
    if (n >= 22 && !strncmp(v, "data:image/png;base64,", 22)) { svg_chars(f, v, n); return 0; }
    snprintf(why, why_size, "a link out of the figure (%.*s=...)", (int)anl, an);
    return -1;
  }
  if (is_id) H(f, prefix);
  for (size_t i = 0; i < n; i++) {
    if (i + 4 <= n && !strncasecmp(v + i, "url(", 4)) {
      size_t j = i + 4;
      while (j < n && (v[j] == ' ' || v[j] == '\'' || v[j] == '"')) j++;
      if (j >= n || v[j] != '#') { snprintf(why, why_size, "a url() out of the figure"); return -1; }
      fputs("url(#", f);
      H(f, prefix);
      i = j;
      continue;
    }
    svg_chars(f, v + i, 1);
  }
  return 0;
}

/* Copy the <svg> element of text to f, checked element by element (see
 * svg_elements) and its ids prefixed.  0, or -1 with why (nothing of the
 * figure should then be kept: the caller writes into a buffer). */
static int svg_inline(FILE *f, const char *text, const char *prefix, char *why, size_t why_size)
{
  const char *p = strstr(text, "<svg");
  if (!p) { snprintf(why, why_size, "no <svg> element"); return -1; }
  int depth = 0;
  while (*p) {
    if (*p != '<') {
      const char *lt = strchr(p, '<');
      size_t n = lt ? (size_t)(lt - p) : strlen(p);
      if (depth == 0) { if (strspn(p, " \t\r\n") < n) { snprintf(why, why_size, "text after </svg>"); return -1; } }
      else svg_chars(f, p, n);
      p += n;
      continue;
    }
    if (!strncmp(p, "<!--", 4)) {   /* comments dropped */
      const char *e = strstr(p + 4, "-->");
      if (!e) { snprintf(why, why_size, "an unclosed comment"); return -1; }
      p = e + 3;
      continue;
    }
    int closing = p[1] == '/';
    const char *name = p + 1 + closing;
    size_t nl = 0;
    while (isalnum((unsigned char)name[nl]) || name[nl] == ':' || name[nl] == '_' || name[nl] == '-') nl++;
    if (!nl || !svg_element_ok(name, nl)) {
      snprintf(why, why_size, "an element <%.*s> that is not drawing", (int)(nl ? nl : 1), nl ? name : p + 1);
      return -1;
    }
    if (depth == 0 && (closing || nl != 3 || strncmp(name, "svg", 3))) {
      snprintf(why, why_size, "content after </svg>");
      return -1;
    }
    const char *q = name + nl;
    if (closing) {
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      if (*q != '>') { snprintf(why, why_size, "a malformed closing tag"); return -1; }
      fprintf(f, "</%.*s>", (int)nl, name);
      p = q + 1;
      if (--depth == 0) break;
      continue;
    }
    fprintf(f, "<%.*s", (int)nl, name);
    for (;;) {
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      if (*q == '>' || (q[0] == '/' && q[1] == '>')) break;
      const char *an = q;
      size_t anl = 0;
      while (isalnum((unsigned char)an[anl]) || an[anl] == ':' || an[anl] == '_' || an[anl] == '-') anl++;
      if (!anl) { snprintf(why, why_size, "a malformed attribute in <%.*s>", (int)nl, name); return -1; }
      if (!strncasecmp(an, "on", 2)) { snprintf(why, why_size, "an event handler (%.*s)", (int)anl, an); return -1; }
      q = an + anl;
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      if (*q != '=') { snprintf(why, why_size, "an attribute without a value"); return -1; }
      q++;
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      char quote = *q;
      if (quote != '"' && quote != '\'') { snprintf(why, why_size, "an unquoted attribute"); return -1; }
      const char *v = q + 1, *e = strchr(v, quote);
      if (!e) { snprintf(why, why_size, "an unclosed attribute"); return -1; }
      fprintf(f, " %.*s=\"", (int)anl, an);
      if (svg_value(f, an, anl, v, (size_t)(e - v), prefix, why, why_size)) return -1;
      fputc('"', f);
      q = e + 1;
    }
    if (*q == '/') { fputs("/>", f); p = q + 2; }
    else {
      fputc('>', f);
      p = q + 1;
      depth++;
    }
    if (depth == 0) break;   /* <svg/> */
  }
  if (depth != 0) { snprintf(why, why_size, "an unclosed <svg>"); return -1; }
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  if (*p) { snprintf(why, why_size, "content after </svg>"); return -1; }
  return 0;
}

/* ---- the figures ---------------------------------------------------------------- */

typedef struct report_fig {
  const figure_def *def;
  char *html;              /* the checked <svg>, or NULL */
  char why[256];           /* why there is none: skipped, not rendered, refused */
} report_fig;

static void remove_tree(const char *dir)
{
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char path[PATH_MAX + 512];
    while ((e = readdir(d)))
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
      }
    closedir(d);
  }
  rmdir(dir);
}

/* satbench plot --format svg into a private temporary folder, each SVG
 * read back and checked; the folder is removed. */
static int report_figures(const char *dir, const char *gnuplot, int partial, report_fig *figs, size_t *n_drawn,
                          sb_error *err)
{
  const char *tmpdir = getenv("TMPDIR");
  char tmpl[PATH_MAX];
  snprintf(tmpl, sizeof tmpl, "%s/satbench-report.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(tmpl)) return sb_fail(err, SB_EFAIL, "report: cannot make a temporary folder %s: %s", tmpl, strerror(errno));
  plot_opts *po = calloc(1, sizeof *po);
  if (!po) { rmdir(tmpl); return sb_fail(err, SB_EFAIL, "out of memory"); }
  snprintf(po->data, sizeof po->data, "%s", dir);
  snprintf(po->out, sizeof po->out, "%s", tmpl);
  snprintf(po->formats, sizeof po->formats, "svg");
  snprintf(po->gnuplot, sizeof po->gnuplot, "%s", gnuplot ? gnuplot : "");
  po->render = 1;
  po->quiet = 1;
  po->partial = partial;
  int rc = plot_run(po, err);
  free(po);
  *n_drawn = 0;
  for (size_t k = 0; k < fig_count && !rc; k++) {
    report_fig *rf = &figs[k];
    rf->def = &fig_table[k];
    char path[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s.svg", tmpl, rf->def->name);
    size_t len;
    char *svg = fileio_read_bounded(path, REPORT_SVG_MAX, &len);
    if (!svg) {
      snprintf(path, sizeof path, "%s/%s.gp", tmpl, rf->def->name);
      snprintf(rf->why, sizeof rf->why, "%s", access(path, F_OK) == 0 ? "not rendered: gnuplot was not found"
                                                                       : "no data for it in this grid");
      continue;
    }
    (*n_drawn)++;
    if (len > REPORT_SVG_MAX || memchr(svg, '\0', len)) {
      snprintf(rf->why, sizeof rf->why, "left out: its SVG is larger than %u MiB or not text", REPORT_SVG_MAX >> 20);
      free(svg);
      continue;
    }
    char *html = NULL, prefix[64], why[200] = "";
    size_t hlen = 0;
    snprintf(prefix, sizeof prefix, "f%zu-", k);
    FILE *m = open_memstream(&html, &hlen);
    if (!m) { free(svg); rc = sb_fail(err, SB_EFAIL, "out of memory"); break; }
    int bad = svg_inline(m, svg, prefix, why, sizeof why);
    if (fclose(m) != 0 && !bad) { free(svg); free(html); rc = sb_fail(err, SB_EFAIL, "out of memory"); break; }
    free(svg);
    if (bad) {
      free(html);
      snprintf(rf->why, sizeof rf->why, "left out: its SVG holds %s", why);
    } else {
      rf->html = html;
    }
  }
  remove_tree(tmpl);
  return rc;
}

/* ---- the page ----------------------------------------------------------------------- */

static const char report_css[] =
  "body{font-family:\"DejaVu Sans\",\"Liberation Sans\",Helvetica,Arial,sans-serif;color:#1d1d1f;"
  "background:#fff;margin:0;line-height:1.5;font-size:16px}\n"
  "main{max-width:1160px;margin:0 auto;padding:24px 32px 64px}\n"
  "h1{font-size:1.9em;margin:.2em 0 .1em}h2{font-size:1.35em;margin:2em 0 .5em;padding-bottom:.2em;"
  "border-bottom:2px solid #e3e3e8}h3{font-size:1.05em;margin:1.6em 0 .4em}\n"
  ".sub{color:#555;margin:0 0 1.2em}\n"
  "nav{background:#f5f5f7;border:1px solid #e3e3e8;border-radius:6px;padding:10px 18px;margin:1em 0}\n"
  "nav ol{margin:.3em 0;padding-left:1.4em}nav ol ol{columns:3;margin:.1em 0 .2em}nav a{color:#0b57d0;text-decoration:none}\n"
  "table{border-collapse:collapse;margin:.5em 0 1em;font-size:.84em}div.wide{overflow-x:auto}\n"
  "th,td{border-bottom:1px solid #e3e3e8;padding:3px 8px;text-align:left;vertical-align:top;white-space:nowrap}\n"
  "th{background:#f5f5f7;white-space:normal}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th.n{text-align:right}\n"
  "tr.bad td{background:#fff4e5}tr.none td{color:#888}tr.sig td{background:#eaf4ea}\n"
  "figure{margin:1.2em 0 2em;padding:0}div.fig{border:1px solid #eee}"
  "div.fig svg{display:block;width:100%;height:auto}\n"
  "figcaption{color:#444;font-size:.92em;margin-top:.4em}\n"
  "code{font-family:\"DejaVu Sans Mono\",monospace;font-size:.9em;background:#f5f5f7;padding:0 3px}\n"
  ".note{color:#666;font-size:.9em}ul.findings li{margin:.35em 0}ul.findings ul li{margin:.1em 0}\n"
  "table.kv td{white-space:normal;overflow-wrap:anywhere}\n"
  "dl.defs dt{font-weight:bold;font-family:monospace}dl.defs dd{margin:0 0 .4em 1.5em}\n";

/* A number for reading: 3 significant digits, a true minus sign. */
static void num3(FILE *f, double x)
{
  if (isnan(x)) fputs("–", f);
  else if (x < 0) fprintf(f, "−%.3g", -x);
  else fprintf(f, "%.3g", x);
}

/* Every status a table can hold (train_statuses but "stopped"), in the
 * order they are decided, with its count and its meaning; then any other
 * name the table holds. */
static void write_statuses(FILE *f, const compare_grid *g)
{
  const char *st[64];
  size_t n_st = digest_statuses(g, st, 64);
  fputs("<table class=\"kv\"><tr><th>status</th><th>cells</th><th>when (the first that applies)</th></tr>\n", f);
  for (int k = 0; k < TRAIN_NSTATUS; k++) {
    const train_status_info *ts = &train_statuses[k];
    if (!ts->counted && strcmp(ts->name, "ok")) continue;   /* never in a table */
    if (!train_status_counted(k, digest_emulates(g)) && strcmp(ts->name, "ok")) continue;   /* not in this grid */
    size_t n = 0;
    for (size_t i = 0; i < g->n_groups; i++) n += digest_count_status(&g->g[i], ts->name);
    fprintf(f, "<tr%s><td><code>", strcmp(ts->name, "ok") && n ? " class=\"bad\"" : n ? "" : " class=\"none\"");
    H(f, ts->name);
    fprintf(f, "</code></td><td class=\"n\">%zu</td><td>", n);
    H(f, ts->about);
    fputs("</td></tr>\n", f);
  }
  for (size_t s = 0; s < n_st; s++) {
    if (train_status_parse(st[s]) >= 0) continue;
    size_t n = 0;
    for (size_t i = 0; i < g->n_groups; i++) n += digest_count_status(&g->g[i], st[s]);
    fputs("<tr class=\"bad\"><td><code>", f);
    H(f, st[s]);
    fprintf(f, "</code></td><td class=\"n\">%zu</td><td>not a status of this satbench</td></tr>\n", n);
  }
  fputs("</table>\n", f);
}

static void write_digest(FILE *f, const compare_grid *g)
{
  int shown[AXIS_COUNT];
  digest_shown_axes(g, shown);
  const char *st[64];
  size_t n_st = digest_statuses(g, st, 64);
  fputs("<div class=\"wide\"><table><tr>", f);
  for (int k = 0; k < AXIS_COUNT; k++)
    if (shown[k]) { fputs("<th>", f); H_col(f, cfg_axis_name((cfg_axis)k)); fputs("</th>", f); }
  fputs("<th class=\"n\">seeds</th><th>statuses</th>", f);
  for (int c = 0; c < DIGEST_NCOLS; c++) { fputs("<th class=\"n\">", f); H_col(f, digest_cols[c].column); fputs("</th>", f); }
  fputs("</tr>\n", f);
  for (size_t i = 0; i < g->n_groups; i++) {
    const compare_group *cg = &g->g[i];
    fprintf(f, "<tr%s>", digest_count_status(cg, "ok") < cg->n ? " class=\"bad\"" : "");
    for (int k = 0; k < AXIS_COUNT; k++)
      if (shown[k]) { fputs("<td>", f); H(f, cg->axis[k]); fputs("</td>", f); }
    fprintf(f, "<td class=\"n\">%zu</td><td>", cg->n);
    int first = 1;
    for (size_t s = 0; s < n_st; s++) {
      size_t n = digest_count_status(cg, st[s]);
      if (!n) continue;
      fprintf(f, "%s%zu ", first ? "" : ", ", n);
      H(f, st[s]);
      first = 0;
    }
    fputs("</td>", f);
    for (int c = 0; c < DIGEST_NCOLS; c++) {
      int m = digest_metric(digest_cols[c].column);
      char b[64];
      fputs("<td class=\"n\">", f);
      if (m >= 0 && g->has[m]) {
        digest_num(b, sizeof b, c, digest_mean(cg, m), DIGEST_HTML);
        fputs(b, f);
        double sd = digest_sd(cg, m);
        if (digest_cols[c].with_sd && isfinite(sd)) {
          digest_num(b, sizeof b, c, sd, DIGEST_HTML);
          fprintf(f, " ± %s", b);
        }
      } else fputs("–", f);
      fputs("</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table></div>\n<dl class=\"defs\">\n", f);
  for (int c = 0; c < DIGEST_NCOLS; c++) {
    fputs("<dt>", f);
    H(f, digest_cols[c].column);
    fputs("</dt><dd>", f);
    H(f, digest_cols[c].about);
    fputs(".</dd>\n", f);
  }
  fputs("<dt>statuses</dt><dd>how the seeds ended: see <a href=\"#statuses\">Statuses</a>.</dd>\n</dl>\n"
        "<p class=\"note\">Means over the seeds that gave a finite value; – where none did.</p>\n", f);
}

static void write_config(FILE *f, const compare_grid *g)
{
  fputs("<table class=\"kv\"><tr><th>key</th><th>value</th></tr>\n", f);
  for (size_t i = 0; i < g->n_config; i++) {
    const char *line = g->config[i], *eq = strstr(line, " = ");
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - line), line);
    fputs("<tr><td><code>", f);
    H(f, key);
    fputs("</code></td><td>", f);
    H(f, eq + 3);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n<p class=\"note\">From the header comments of cells.tsv (what <code>records/config.txt</code> "
        "holds: <code>satbench grid -c</code> reads it back).</p>\n", f);
}

/* A JSON value as text, escaped: scalars as they are, arrays joined,
 * objects as "key: value" pairs (a provenance value with its count of
 * cells). */
static void json_text(FILE *f, json_t *v, int depth)
{
  char buf[64];
  switch (json_typeof(v)) {
  case JSON_STRING: H(f, json_string_value(v)); break;
  case JSON_INTEGER: fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
  case JSON_REAL:   /* the shortest text that reads back as the same double */
    for (int digits = 1; digits <= 17; digits++) {
      snprintf(buf, sizeof buf, "%.*g", digits, json_real_value(v));
      if (strtod(buf, NULL) == json_real_value(v)) break;
    }
    H(f, buf);
    break;
  case JSON_TRUE: fputs("true", f); break;
  case JSON_FALSE: fputs("false", f); break;
  case JSON_NULL: fputs("null", f); break;
  case JSON_ARRAY: {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      if (i) fputs(", ", f);
      if (depth < 3) json_text(f, e, depth + 1);
    }
    break;
  }
  case JSON_OBJECT: {
    const char *k;
    json_t *e;
    int first = 1;
    json_object_foreach(v, k, e) {
      if (!first) fputs("; ", f);
      first = 0;
      H(f, k);
      fputs(": ", f);
      if (depth < 3) json_text(f, e, depth + 1);
    }
    break;
  }
  }
}

/* manifest.json's provenance: every member but the per-cell list, the
 * configuration (shown from the table) and the files (linked below). */
static void write_provenance(FILE *f, const char *dir)
{
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/manifest.json", dir);
  json_error_t jerr;
  json_t *m = json_load_file(path, 0, &jerr);
  if (!m || !json_is_object(m)) {
    fputs("<p>manifest.json could not be read: ", f);
    H(f, m ? "not a JSON object" : jerr.text);
    fputs("</p>\n", f);
    json_decref(m);
    return;
  }
  fputs("<table class=\"kv\"><tr><th>key</th><th>value</th></tr>\n", f);
  const char *k;
  json_t *v;
  json_object_foreach(m, k, v) {
    if (!strcmp(k, "cells") || !strcmp(k, "config") || !strcmp(k, "files")) continue;
    if (!strcmp(k, "records") && json_is_object(v)) {   /* each provenance key with its values' cells */
      const char *rk;
      json_t *rv;
      json_object_foreach(v, rk, rv) {
        fputs("<tr><td><code>records.", f);
        H(f, rk);
        fputs("</code></td><td>", f);
        json_text(f, rv, 1);
        fputs("</td></tr>\n", f);
      }
      continue;
    }
    fputs("<tr><td><code>", f);
    H(f, k);
    fputs("</code></td><td>", f);
    json_text(f, v, 0);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n<p class=\"note\">From manifest.json; <code>records.KEY</code> lists each value the cells' "
        "records carry, with how many cells carry it.</p>\n", f);
  json_decref(m);
}

/* The path from the folder of the report to dir/name, for a link:
 * relative when both resolve, else absolute. */
static void rel_link(char *out, size_t size, const char *report_dir, const char *dir, const char *name)
{
  char a[PATH_MAX], b[PATH_MAX];
  if (!realpath(report_dir, a) || !realpath(dir, b)) {
    snprintf(out, size, "%s/%s", dir, name);
    return;
  }
  size_t i = 0, common = 0;
  while (a[i] && a[i] == b[i]) {
    i++;
    if (a[i] == '/' || (!a[i] && (b[i] == '/' || !b[i]))) common = i;
  }
  if (!a[i] && !b[i]) common = i;
  if (!strcmp(a, "/")) common = 0;
  size_t len = 0;
  out[0] = '\0';
  for (const char *p = a + common; *p; p++)
    if (*p == '/' && len < size) len += (size_t)snprintf(out + len, size - len, "../");
  const char *rest = b + common;
  while (*rest == '/') rest++;
  if (len < size && (size_t)snprintf(out + len, size - len, "%s%s%s", rest, *rest ? "/" : "", name) >= size - len)
    snprintf(out, size, "%s", name);   /* too long to say: the name alone */
}

/* A path as a URL path: unreserved bytes and '/' as they are, the rest
 * %-encoded (a folder named "a b" or "x?y" still links). */
static void url_path(FILE *f, const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (isalnum(*p) || strchr("/-._~", *p)) fputc(*p, f);
    else fprintf(f, "%%%02X", *p);
  }
}

static void write_tables(FILE *f, const char *report_dir, const char *dir)
{
  fputs("<ul>\n", f);
  for (int k = 0; k < ROW_COUNT; k++) {
    const row_info *ri = table_row_info((row_kind)k);
    if (!ri->file) continue;
    char plain[PATH_MAX + 64], found[PATH_MAX + 64], link[PATH_MAX];
    snprintf(plain, sizeof plain, "%s/%s", dir, ri->file);
    if (!tsv_resolve(plain, found, sizeof found)) continue;
    const char *base = strrchr(found, '/');
    base = base ? base + 1 : found;
    rel_link(link, sizeof link, report_dir, dir, base);
    struct stat sbuf;
    fputs("<li><a href=\"", f);
    url_path(f, link);
    fputs("\"><code>", f);
    H(f, base);
    fputs("</code></a>", f);
    if (stat(found, &sbuf) == 0) {
      double b = (double)sbuf.st_size;
      if (b < 1e6) fprintf(f, " (%.3g kB)", b / 1e3);
      else if (b < 1e9) fprintf(f, " (%.3g MB)", b / 1e6);
      else fprintf(f, " (%.3g GB)", b / 1e9);
    }
    fputs("</li>\n", f);
  }
  char link[PATH_MAX];
  rel_link(link, sizeof link, report_dir, dir, "manifest.json");
  fputs("<li><a href=\"", f);
  url_path(f, link);
  fputs("\"><code>manifest.json</code></a></li>\n</ul>\n<p class=\"note\">Links relative to this page: they work "
        "while the page stays beside the grid's folder.  info satbench, \"Columns\", and satbench list columns define every column.</p>\n", f);
}

static void write_comparison(FILE *f, const compare_result *r)
{
  fputs("<p>A: <code>", f);
  H(f, r->a.dir);
  fprintf(f, "</code> (%zu cells); B: <code>", r->a.n_cells);
  H(f, r->b.dir);
  fprintf(f, "</code> (%zu cells). %zu groups compared", r->b.n_cells, r->n_shared);
  if (r->left_a || r->left_b) fprintf(f, "; left out: %zu only in A, %zu only in B", r->left_a, r->left_b);
  fputs(".", f);
  if (r->varied[0]) { fputs(" Paired across ", f); H(f, r->varied); fputs(".", f); }
  if (r->config_diff[0]) { fputs(" The configurations differ in ", f); H(f, r->config_diff); fputs(".", f); }
  fprintf(f, "</p>\n<p class=\"note\">Means over the seeds; Δ = B − A (loss_over_chance: (B − A) / |A|); Welch's t-test over the seeds, "
             "two-sided; <code>~</code> where p ≥ %g (no evidence of a difference). Rows with a difference are "
             "shaded.</p>\n", COMPARE_ALPHA);
  int shown[AXIS_COUNT];
  digest_shown_axes(&r->a, shown);
  for (int k = 0; k < AXIS_COUNT; k++) {
    if (!r->paired_by_value[k]) shown[k] = 1;
    for (size_t j = 1; j < r->b.n_groups && !shown[k]; j++) shown[k] = strcmp(r->b.g[j].axis[k], r->b.g[0].axis[k]) != 0;
  }
  for (int m = 0; m < COMPARE_NMETRICS; m++) {
    size_t n = 0, sig = 0;
    for (size_t i = 0; i < r->n_rows; i++)
      if (r->rows[i].metric == m) { n++; sig += r->rows[i].p < COMPARE_ALPHA; }
    if (!n) continue;
    fprintf(f, "<h3>%s: %zu of %zu groups differ</h3>\n<p class=\"note\">%s</p>\n<div class=\"wide\"><table><tr>",
            compare_metrics[m].column, sig, n, compare_metrics[m].what);
    for (int k = 0; k < AXIS_COUNT; k++)
      if (shown[k]) { fputs("<th>", f); H(f, cfg_axis_name((cfg_axis)k)); fputs("</th>", f); }
    fputs("<th class=\"n\">A</th><th class=\"n\">B</th><th class=\"n\">Δ</th><th class=\"n\">p</th></tr>\n", f);
    for (size_t i = 0; i < r->n_rows; i++) {
      const compare_row *w = &r->rows[i];
      if (w->metric != m) continue;
      int s = w->p < COMPARE_ALPHA;
      fprintf(f, "<tr%s>", s ? " class=\"sig\"" : "");
      for (int k = 0; k < AXIS_COUNT; k++) {
        if (!shown[k]) continue;
        fputs("<td>", f);
        H(f, r->a.g[w->ga].axis[k]);
        if (!r->paired_by_value[k]) { fputs(" → ", f); H(f, r->b.g[w->gb].axis[k]); }
        fputs("</td>", f);
      }
      fputs("<td class=\"n\">", f);
      num3(f, w->mean_a);
      fputs("</td><td class=\"n\">", f);
      num3(f, w->mean_b);
      fputs("</td><td class=\"n\">", f);
      char v[32];
      compare_change(w, v, sizeof v);
      if (v[0] == '-') fputs("−", f);   /* a true minus sign, as num3 */
      H(f, v + (v[0] == '-'));
      compare_verdict(w->p, v, sizeof v);
      fputs("</td><td class=\"n\">", f);
      H(f, v);
      fputs("</td></tr>\n", f);
    }
    fputs("</table></div>\n", f);
  }
}

static void write_page(FILE *f, const compare_grid *g, const report_fig *figs, const char *report_dir,
                       const compare_result *cmp)
{
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">\n<title>satbench report: ", f);
  H(f, g->dir);
  fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>satbench report</h1>\n<p class=\"sub\">"
          "The grid in <code>", report_css);
  H(f, g->dir);
  fprintf(f, "</code>: %zu cells, %zu groups%s; satbench %s.</p>\n", g->n_cells, g->n_groups,
          g->complete ? "" : " (<strong>not complete</strong>)", PACKAGE_VERSION);
  size_t n_fig = 0;
  for (size_t k = 0; k < fig_count; k++) n_fig += figs[k].html != NULL;
  fputs("<nav><strong>Contents</strong><ol>\n<li><a href=\"#findings\">Findings</a></li>\n"
        "<li><a href=\"#statuses\">Statuses</a></li>\n<li><a href=\"#digest\">Digest</a></li>\n", f);
  if (cmp) fputs("<li><a href=\"#comparison\">Comparison</a></li>\n", f);
  fputs("<li><a href=\"#figures\">Figures</a><ol>\n", f);
  for (size_t k = 0; k < fig_count; k++)
    if (figs[k].html) fprintf(f, "<li><a href=\"#fig-%s\">%s</a></li>\n", figs[k].def->name, figs[k].def->name);
  fputs("</ol></li>\n", f);
  fputs("<li><a href=\"#configuration\">Configuration</a></li>\n<li><a href=\"#provenance\">Provenance</a></li>\n"
        "<li><a href=\"#tables\">Tables</a></li>\n</ol></nav>\n", f);
  fputs("<h2 id=\"findings\">Findings</h2>\n", f);
  digest_findings(f, g, DIGEST_HTML);
  fputs("<h2 id=\"statuses\">Statuses</h2>\n", f);
  write_statuses(f, g);
  fputs("<h2 id=\"digest\">Digest</h2>\n<p>One row per group, over its seeds (shaded: a seed did not end "
        "<code>ok</code>).</p>\n", f);
  write_digest(f, g);
  if (cmp) {
    fputs("<h2 id=\"comparison\">Comparison</h2>\n", f);
    write_comparison(f, cmp);
  }
  fprintf(f, "<h2 id=\"figures\">Figures</h2>\n<p>%zu figure%s of <code>satbench plot</code>, drawn as SVG "
          "(<code>satbench plot -d DIR</code> writes each as PDF and PNG with its gnuplot script).</p>\n", n_fig,
          n_fig == 1 ? "" : "s");
  for (size_t k = 0; k < fig_count; k++) {
    const report_fig *rf = &figs[k];
    if (!rf->html) continue;
    /* gnuplot sizes every figure with the same font in points: one scale
     * for all keeps their lettering alike (8 pt at 1.45: 11.6 px). */
    double w = 0;
    const char *wa = strstr(rf->html, " width=\"");
    if (!wa || sscanf(wa + 8, "%lf", &w) != 1 || !(w > 0)) w = 672;
    fprintf(f, "<figure id=\"fig-%s\">\n<h3>%s</h3>\n<div class=\"fig\" style=\"max-width:%.0fpx\">", rf->def->name,
            rf->def->name, 1.45 * w);
    fputs(rf->html, f);
    fputs("</div>", f);
    fputs("\n<figcaption>", f);
    H(f, rf->def->title);
    fputs("</figcaption>\n</figure>\n", f);
  }
  int any_out = 0;
  for (size_t k = 0; k < fig_count; k++) any_out |= !figs[k].html && figs[k].why[0];
  if (any_out) {
    fputs("<p class=\"note\">Not shown: ", f);
    int first = 1;
    for (size_t k = 0; k < fig_count; k++) {
      if (figs[k].html || !figs[k].why[0]) continue;
      fprintf(f, "%s<code>%s</code> (", first ? "" : "; ", figs[k].def->name);
      H(f, figs[k].why);
      fputc(')', f);
      first = 0;
    }
    fputs(".</p>\n", f);
  }
  fputs("<h2 id=\"configuration\">Configuration</h2>\n", f);
  write_config(f, g);
  fputs("<h2 id=\"provenance\">Provenance</h2>\n", f);
  write_provenance(f, g->dir);
  fputs("<h2 id=\"tables\">Tables</h2>\n", f);
  write_tables(f, report_dir, g->dir);
  fputs("</main>\n</body>\n</html>\n", f);
}

/* ---- satbench report ------------------------------------------------------------------ */

typedef struct report_opts {
  const char *dir[2];
  size_t n_dir;
  const char *out, *gnuplot;
  int partial, quiet;
} report_opts;

static int ro_set(void *ctx, const char *name, const char *val, sb_error *err)
{
  report_opts *o = ctx;
  if (!strcmp(name, "partial")) { o->partial = 1; return SB_OK; }
  if (!strcmp(name, "quiet")) { o->quiet = 1; return SB_OK; }
  if (!*val) return sb_fail(err, SB_EUSAGE, "report: --%s: empty name", name);
  if (!strcmp(name, "data")) {
    if (o->n_dir == 2)
      return sb_fail(err, SB_EUSAGE, "report: -d: at most two folders (a grid, and one to compare it with)");
    o->dir[o->n_dir++] = val;
  } else if (!strcmp(name, "out")) {
    if (o->out) return sb_fail(err, SB_EUSAGE, "report: -o: given twice");
    o->out = val;
  } else {
    o->gnuplot = val;
  }
  return SB_OK;
}

static const cli_def report_options[] = {
  { "data", 'd', CLI_VALUE, ro_set, "DIR", "the grid's folder (default data); a second -d adds a comparison with that grid", 0 },
  { "out", 'o', CLI_VALUE, ro_set, "FILE.html", "where to write the page (default DIR/report.html)", 0 },
  { "gnuplot", 0, CLI_VALUE, ro_set, "PATH", "the gnuplot program (default: gnuplot on the PATH)", 0 },
  { "partial", 0, CLI_FLAG, ro_set, NULL, "report a grid that has not finished", 0 },
  { "quiet", 0, CLI_FLAG, ro_set, NULL, "print nothing but errors", 0 },
};

void report_complete(FILE *f, const char *option)
{
  cli_parser p = { report_options, sizeof report_options / sizeof report_options[0], "report", "satbench report", 0, 0 };
  if (!option) cli_complete(f, &p);
}

int report_main(int argc, char **argv, sb_error *err)
{
  cli_parser p = { report_options, sizeof report_options / sizeof report_options[0], "report", "satbench report", 0, 0 };
  if (cli_wants_help(argc, argv)) {
    fputs("usage: satbench report [-d DIR [-d DIR2]] [-o FILE.html] [--gnuplot PATH] [--partial] [--quiet]\n"
          "Write one self-contained HTML page of the grid in DIR: its findings in words, the\n"
          "statuses, the digest per group, every figure of satbench plot inlined as SVG, the\n"
          "configuration, the provenance of manifest.json and links to the tables.  It needs\n"
          "no network and no script to be read.  With a second -d, a section compares the\n"
          "two grids as satbench compare does.  Exit status: 0 ok, 1 a write or gnuplot\n"
          "failed, 2 bad usage or input.\n\n", stdout);
    cli_usage(stdout, &p);
    return SB_OK;
  }
  report_opts o;
  memset(&o, 0, sizeof o);
  int rc = cli_parse(&p, argc, argv, &o, err);
  if (rc) return rc;
  if (!o.n_dir) o.dir[o.n_dir++] = "data";
  char out[PATH_MAX];
  if (o.out) {
    if (strlen(o.out) >= sizeof out - 80) return sb_fail(err, SB_EUSAGE, "report: -o: path too long");
    strcpy(out, o.out);
  } else if (snprintf(out, sizeof out - 80, "%s/report.html", o.dir[0]) >= (int)sizeof out - 80) {
    return sb_fail(err, SB_EUSAGE, "report: -d: path too long");
  }
  char report_dir[PATH_MAX];
  const char *slash = strrchr(out, '/');
  if (slash) snprintf(report_dir, sizeof report_dir, "%.*s", (int)(slash - out) ? (int)(slash - out) : 1, out);
  else strcpy(report_dir, ".");
  struct stat st;
  if (stat(report_dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return sb_fail(err, SB_EUSAGE, "report: -o: %s is not a folder", report_dir);

  compare_grid g;
  if ((rc = compare_grid_load(o.dir[0], &g, err))) return sb_prefix(err, "report");
  if (!g.complete && !o.partial) {
    compare_grid_free(&g);
    return sb_fail(err, SB_EUSAGE, "report: %s: the grid is not complete; finish it with --resume, or report it "
                   "anyway with --partial", o.dir[0]);
  }
  compare_result cmp, *cp = NULL;
  if (o.n_dir == 2) {
    if ((rc = compare_run(o.dir[0], o.dir[1], &cmp, err))) { compare_grid_free(&g); return sb_prefix(err, "report"); }
    cp = &cmp;
  }
  report_fig *figs = calloc(fig_count, sizeof *figs);
  size_t n_drawn = 0;
  if (!figs) rc = sb_fail(err, SB_EFAIL, "out of memory");
  if (!rc) rc = report_figures(o.dir[0], o.gnuplot, o.partial, figs, &n_drawn, err);
  if (rc) sb_prefix(err, "report");
  char tmp[PATH_MAX + 128];
  FILE *f = NULL;
  if (!rc && !(f = fileio_open_tmp(tmp, sizeof tmp, out, err))) rc = sb_prefix(err, "report: -o");
  if (!rc) {
    write_page(f, &g, figs, report_dir, cp);
    rc = fileio_commit(f, tmp, out, err);
    if (rc) sb_prefix(err, "report: -o");
  }
  size_t n_fig = 0, n_out = 0;
  for (size_t k = 0; figs && k < fig_count; k++) {
    n_fig += figs[k].html != NULL;
    n_out += !figs[k].html && !strncmp(figs[k].why, "left out", 8);
    free(figs[k].html);
  }
  free(figs);
  if (!rc && !o.quiet) {
    printf("%s: %zu cells, %zu figure%s", out, g.n_cells, n_fig, n_fig == 1 ? "" : "s");
    if (n_out) printf(" (%zu left out: their SVG held more than drawing; the page says which)", n_out);
    if (!n_drawn) printf(" (none drawn: is gnuplot installed? satbench plot -d %s says)", o.dir[0]);
    if (cp) printf("; compared with %s (%zu groups)", o.dir[1], cp->n_shared);
    putchar('\n');
  }
  if (cp) compare_result_free(cp);
  compare_grid_free(&g);
  return rc;
}
