/* store.c - per-cell records and the tables merged from them (see store.h).
 *
 * A record is a text file of tagged lines:
 *     # satbench record 1          header
 *     # wall_seconds = 1.25        comments (timing stays out of tables)
 *     C<TAB>cells.tsv row
 *     L<TAB>layers.tsv row         one per (logged step, layer)
 *     H<TAB>hist.tsv row           one per (moment, layer, kind, bin)
 *     T<TAB>layer<TAB>value        mean-field log10(||delta^l||/||delta^depth||)
 *                                  at init, one per hidden layer (theory.h)
 *     # end                        written last: a record without it is
 *                                  incomplete and is run again
 * Rows are formatted once, when the cell finishes, so merging is copying
 * and the tables are byte-identical however the cells were scheduled. */
#include <config.h>
#include "store.h"
#include "fileio.h"
#include "num.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_MAGIC "# satbench record 1\n"
#define RECORD_END "# end\n"

/* ---- paths ------------------------------------------------------------ */

static int path_join(char *buf, size_t size, const char *dir, const char *name, sb_error *err)
{
  int n = snprintf(buf, size, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= size) return sb_fail(err, SB_EUSAGE, "--out: path too long: %s/%s", dir, name);
  return SB_OK;
}

static void record_path(char *buf, size_t size, const sb_config *cfg, size_t cell)
{
  snprintf(buf, size, "%s/records/cell-%06zu.rec", cfg->out, cell);
}

/* ---- configuration fingerprint ----------------------------------------- */

static char *config_text(const sb_config *cfg)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return NULL;
  cfg_write(cfg, f, "");
  if (fclose(f) != 0) { free(buf); return NULL; }
  return buf;
}

static char *slurp(const char *path, size_t *len_out)
{
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 + 1 > cap) {
      cap = 2 * cap + 8192;
      char *g = realloc(buf, cap);
      if (!g) { free(buf); fclose(f); return NULL; }
      buf = g;
    }
    size_t got = fread(buf + len, 1, 4096, f);
    len += got;
    if (got < 4096) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(buf); return NULL; }
  buf[len] = '\0';
  if (len_out) *len_out = len;
  return buf;
}

/* The value of `key = value` in a config text, or NULL. */
static const char *find_line(const char *text, const char *key, size_t *vlen)
{
  size_t klen = strlen(key);
  for (const char *p = text; p && *p;) {
    const char *nl = strchr(p, '\n');
    if (!strncmp(p, key, klen) && !strncmp(p + klen, " = ", 3)) {
      const char *v = p + klen + 3;
      *vlen = nl ? (size_t)(nl - v) : strlen(v);
      return v;
    }
    p = nl ? nl + 1 : NULL;
  }
  return NULL;
}

/* Keys that differ between two config texts, comma-separated, in a's
 * order then b's extra keys.  The preset name is not compared: only the
 * values it resolves to matter. */
static void diff_keys(const char *a, const char *b, char *out, size_t size)
{
  out[0] = '\0';
  const char *texts[2] = { a, b };
  for (int side = 0; side < 2; side++)
    for (const char *p = texts[side]; p && *p;) {
      const char *nl = strchr(p, '\n');
      const char *eq = strstr(p, " = ");
      if (eq && (!nl || eq < nl) && *p != '#') {
        char key[64];
        size_t klen = (size_t)(eq - p);
        if (klen < sizeof key) {
          memcpy(key, p, klen);
          key[klen] = '\0';
          size_t la, lb;
          const char *va = find_line(texts[side], key, &la);
          const char *vb = find_line(texts[1 - side], key, &lb);
          int differs = !vb || la != lb || strncmp(va, vb, la) != 0;
          if (strcmp(key, "preset") && differs && !(side == 1 && find_line(texts[0], key, &la))) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%s", used ? ", " : "", key);
          }
        }
      }
      p = nl ? nl + 1 : NULL;
    }
}

int store_prepare(const sb_config *cfg, sb_error *err)
{
  char rec[CFG_PATH_MAX], conf[CFG_PATH_MAX];
  int rc;
  if ((rc = path_join(rec, sizeof rec, cfg->out, "records", err))) return rc;
  if ((rc = path_join(conf, sizeof conf, rec, "config.txt", err))) return rc;
  char *mine = config_text(cfg);
  if (!mine) return sb_fail(err, SB_EFAIL, "out of memory");
  struct stat st;
  int exists = stat(conf, &st) == 0;
  if (cfg->resume) {
    if (!exists) {
      free(mine);
      return sb_fail(err, SB_EUSAGE, "--resume: %s holds no grid to resume (no %s)", cfg->out, conf);
    }
    char *theirs = slurp(conf, NULL);
    if (!theirs) {
      free(mine);
      return sb_fail(err, SB_EFAIL, "--resume: cannot read %s: %s", conf, strerror(errno));
    }
    char keys[1024];
    diff_keys(mine, theirs, keys, sizeof keys);
    free(theirs);
    free(mine);
    if (keys[0])
      return sb_fail(err, SB_EUSAGE, "--resume: %s was made by a different configuration (differs in: %s)",
                     cfg->out, keys);
    return SB_OK;
  }
  if (exists) {
    free(mine);
    return sb_fail(err, SB_EUSAGE, "--out: %s already holds a grid; add --resume to continue it, or choose another --out",
                   cfg->out);
  }
  if ((rc = fileio_mkdirs(rec, err))) { free(mine); return rc; }
  char tmp[CFG_PATH_MAX + 32];
  FILE *f = fileio_open_tmp(tmp, sizeof tmp, conf, err);
  if (!f) { free(mine); return SB_EFAIL; }
  fputs(mine, f);
  free(mine);
  return fileio_commit(f, tmp, conf, err);
}

int store_has_record(const sb_config *cfg, size_t cell)
{
  char path[CFG_PATH_MAX + 32];
  record_path(path, sizeof path, cfg, cell);
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  char tail[sizeof RECORD_END];
  size_t n = strlen(RECORD_END);
  int ok = fseek(f, -(long)n, SEEK_END) == 0 && fread(tail, 1, n, f) == n && !memcmp(tail, RECORD_END, n);
  fclose(f);
  return ok;
}

/* ---- writing a record --------------------------------------------------- */

static void put_num(FILE *f, double x)
{
  char b[NUM_BUFSIZE];
  num_format(b, sizeof b, x);
  fputc('\t', f);
  fputs(b, f);
}

/* hist.tsv has 200 rows per hidden layer of every cell: 9 significant
 * digits keep it a third smaller and are far finer than any bin. */
static void put_num9(FILE *f, double x)
{
  char b[NUM_BUFSIZE];
  num_format_digits(b, sizeof b, x, 9);
  fputc('\t', f);
  fputs(b, f);
}

static const char *status_name(int status)
{
  return status == TRAIN_OK ? "ok" : status == TRAIN_DIVERGED ? "diverged" : "stopped";
}

int store_write_record(const sb_config *cfg, const table_cell *c, const train_result *r,
                       double wall_seconds, sb_error *err)
{
  char path[CFG_PATH_MAX + 32], tmp[CFG_PATH_MAX + 64];
  record_path(path, sizeof path, cfg, c->cell);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);  /* one writer per cell: no clash */
  FILE *f = fopen(tmp, "w");
  if (!f) return sb_fail(err, SB_EFAIL, "cannot write %s: %s", tmp, strerror(errno));
  fputs(RECORD_MAGIC, f);
  fprintf(f, "# wall_seconds = %.3f\n# status = %s\n# steps_done = %ld\n", wall_seconds,
          status_name(r->status), r->steps_done);

  size_t L = r->n_layers, depth = c->depth;
  cell_stats cs;
  stats_cell(r->n_logs ? r->rows : NULL, r->n_logs ? r->rows + (r->n_logs - 1) * L : NULL, depth, &cs);
  fprintf(f, "C\t%zu\t%s\t%s\t%zu\t%zu\t%lu\t%s", c->cell, c->activation, c->init, c->depth,
          c->width, c->seed, status_name(r->status));
  put_num(f, r->final_loss);
  put_num(f, r->final_train_acc);
  put_num(f, r->final_test_acc);
  put_num(f, cs.attenuation0);
  put_num(f, cs.attenuation_end);
  put_num(f, cs.decay_rate);
  put_num(f, cs.decay_rate_r2);
  put_num(f, cs.sat_frac_end);
  put_num(f, cs.dead_frac_end);
  put_num(f, r->theory_decay_rate);
  fputc('\n', f);

  for (size_t s = 0; s < r->n_logs; s++)
    for (size_t l = 1; l <= L; l++) {
      fprintf(f, "L\t%zu\t%s\t%s\t%zu\t%zu\t%lu\t%ld\t%zu", c->cell, c->activation, c->init,
              c->depth, c->width, c->seed, r->log_steps[s], l);
      const probe_row *row = &r->rows[s * L + (l - 1)];
      for (int k = 0; k < PROBE_NCOLS; k++) put_num(f, row->v[k]);
      fputc('\n', f);
    }
  for (size_t l = 1; l <= depth; l++) {
    fprintf(f, "T\t%zu", l);
    put_num(f, r->theory_ratio ? r->theory_ratio[l - 1] : NAN);
    fputc('\n', f);
  }

  /* Histograms at init and, when training moved on, at the last probe. */
  size_t per_slot = depth * 2 * PROBE_HIST_BINS;
  int slots = r->n_logs == 0 ? 0 : r->hist_step[1] != r->hist_step[0] ? 2 : 1;
  for (int slot = 0; slot < slots; slot++)
    for (size_t l = 1; l <= depth; l++)
      for (int kind = 0; kind < 2; kind++) {
        const double *dens = r->hist + slot * per_slot + ((l - 1) * 2 + kind) * PROBE_HIST_BINS;
        double lo = r->hist_range[slot][2 * kind], hi = r->hist_range[slot][2 * kind + 1];
        double wdt = (hi - lo) / PROBE_HIST_BINS;
        for (int b = 0; b < PROBE_HIST_BINS; b++) {
          fprintf(f, "H\t%zu\t%s\t%s\t%zu\t%zu\t%lu\t%ld\t%zu\t%s", c->cell, c->activation, c->init,
                  c->depth, c->width, c->seed, r->hist_step[slot], l, kind ? "delta" : "act");
          put_num9(f, lo + b * wdt);
          put_num9(f, b + 1 == PROBE_HIST_BINS ? hi : lo + (b + 1) * wdt);
          put_num9(f, dens[b]);
          fputc('\n', f);
        }
      }
  fputs(RECORD_END, f);
  int rc = fileio_commit(f, tmp, path, err);
  if (rc) return rc;
  /* Make the rename itself durable (power loss, not just kill -9). */
  char dir[CFG_PATH_MAX + 16];
  snprintf(dir, sizeof dir, "%s/records", cfg->out);
  fileio_sync_dir(dir);
  return SB_OK;
}

/* ---- merging ------------------------------------------------------------ */

static const char *const cells_cols =
  "cell\tactivation\tinit\tdepth\twidth\tseed\tstatus\tfinal_loss\tfinal_train_acc\t"
  "final_test_acc\tattenuation0\tattenuation_end\tdecay_rate\tdecay_rate_r2\t"
  "sat_frac_end\tdead_frac_end\tdecay_rate_theory\n";
static const char *const hist_cols =
  "cell\tactivation\tinit\tdepth\twidth\tseed\tstep\tlayer\tkind\tbin_lo\tbin_hi\tdensity\n";

/* Split a tab-separated line in place into at most max fields. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
  size_t n = 0;
  for (char *p = line; n < max;) {
    fields[n++] = p;
    char *t = strchr(p, '\t');
    if (!t) break;
    *t = '\0';
    p = t + 1;
  }
  return n;
}

/* One seed's layer rows of a group, parsed back from its record. */
typedef struct seed_rows {
  size_t n;        /* rows */
  long *step;      /* (n) */
  size_t *layer;   /* (n) */
  double *v;       /* (n, PROBE_NCOLS) */
} seed_rows;

static void seed_rows_free(seed_rows *s)
{
  free(s->step);
  free(s->layer);
  free(s->v);
  memset(s, 0, sizeof *s);
}

static int seed_rows_add(seed_rows *s, size_t *cap, long step, size_t layer, const double *v)
{
  if (s->n == *cap) {
    size_t nc = *cap ? 2 * *cap : 64;
    long *st = realloc(s->step, nc * sizeof *st);
    if (st) s->step = st;
    size_t *ly = realloc(s->layer, nc * sizeof *ly);
    if (ly) s->layer = ly;
    double *vv = realloc(s->v, nc * PROBE_NCOLS * sizeof *vv);
    if (vv) s->v = vv;
    if (!st || !ly || !vv) return SB_EFAIL;
    *cap = nc;
  }
  s->step[s->n] = step;
  s->layer[s->n] = layer;
  memcpy(s->v + s->n * PROBE_NCOLS, v, PROBE_NCOLS * sizeof *v);
  s->n++;
  return SB_OK;
}

/* log10(||delta^l|| / ||delta^depth||) of one seed's row i, from the
 * same step's row of layer `depth` (rows of a step are contiguous and
 * sorted by layer); NaN when either norm is missing, 0 or not finite. */
static double seed_log_ratio(const seed_rows *sr, size_t i, size_t depth)
{
  size_t j = i + depth - sr->layer[i];   /* where it is when no row is missing */
  if (sr->layer[i] > depth) j = i - (sr->layer[i] - depth);
  if (j >= sr->n || sr->step[j] != sr->step[i] || sr->layer[j] != depth) return NAN;
  double r = log10(sr->v[i * PROBE_NCOLS + PROBE_DELTA_NORM] / sr->v[j * PROBE_NCOLS + PROBE_DELTA_NORM]);
  return isfinite(r) ? r : NAN;
}

/* Write summary.tsv rows for one group (same activation, init, depth,
 * width) from its seeds' rows.  Rows of every seed are sorted by (step,
 * layer); a diverged seed simply has fewer.  theory (depth values, or
 * NULL) is the group's mean-field profile at init, the same for every
 * seed (they share the probe batch), written on every step's rows. */
static void summarize_group(FILE *f, const char *act, const char *init, size_t depth, size_t width,
                            seed_rows *seeds, size_t ns, size_t *pos, double *scratch,
                            const double *theory, size_t n_theory)
{
  for (size_t s = 0; s < ns; s++) pos[s] = 0;
  for (;;) {
    /* The smallest (step, layer) not yet written. */
    int any = 0;
    long step = 0;
    size_t layer = 0;
    for (size_t s = 0; s < ns; s++) {
      if (pos[s] >= seeds[s].n) continue;
      long st = seeds[s].step[pos[s]];
      size_t ly = seeds[s].layer[pos[s]];
      if (!any || st < step || (st == step && ly < layer)) { step = st; layer = ly; any = 1; }
    }
    if (!any) break;
    size_t n = 0;
    for (size_t s = 0; s < ns; s++)
      if (pos[s] < seeds[s].n && seeds[s].step[pos[s]] == step && seeds[s].layer[pos[s]] == layer) n++;
    fprintf(f, "%s\t%s\t%zu\t%zu\t%ld\t%zu\t%zu", act, init, depth, width, step, layer, n);
    for (int k = 0; k < PROBE_NCOLS; k++) {
      size_t m = 0;
      for (size_t s = 0; s < ns; s++)
        if (pos[s] < seeds[s].n && seeds[s].step[pos[s]] == step && seeds[s].layer[pos[s]] == layer)
          scratch[m++] = seeds[s].v[pos[s] * PROBE_NCOLS + k];
      seed_summary sum;
      stats_over_seeds(scratch, m, &sum);
      put_num(f, sum.mean);
      put_num(f, sum.sd);
      put_num(f, sum.ci95);
    }
    size_t m = 0;
    for (size_t s = 0; s < ns; s++)
      if (pos[s] < seeds[s].n && seeds[s].step[pos[s]] == step && seeds[s].layer[pos[s]] == layer)
        scratch[m++] = seed_log_ratio(&seeds[s], pos[s], depth);
    seed_summary sum;
    stats_over_seeds(scratch, m, &sum);
    put_num(f, sum.mean);
    put_num(f, sum.sd);
    put_num(f, sum.ci95);
    put_num(f, theory && layer >= 1 && layer <= n_theory && layer <= depth ? theory[layer - 1] : NAN);
    fputc('\n', f);
    for (size_t s = 0; s < ns; s++)
      if (pos[s] < seeds[s].n && seeds[s].step[pos[s]] == step && seeds[s].layer[pos[s]] == layer) pos[s]++;
  }
}

typedef struct out_table { const char *name; char path[CFG_PATH_MAX + 32]; char tmp[CFG_PATH_MAX + 64]; FILE *f; } out_table;

static void json_string(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

int store_merge(const sb_config *cfg, store_merge_info *info, sb_error *err)
{
  enum { T_CELLS, T_LAYERS, T_SUMMARY, T_HIST, T_MANIFEST, T_COUNT };
  static const char *const names[T_COUNT] = { "cells.tsv", "layers.tsv", "summary.tsv", "hist.tsv", "manifest.json" };
  out_table t[T_COUNT];
  memset(t, 0, sizeof t);
  int rc = SB_OK;
  for (int k = 0; k < T_COUNT && !rc; k++) {
    t[k].name = names[k];
    if ((rc = path_join(t[k].path, sizeof t[k].path, cfg->out, t[k].name, err))) break;
    if (!(t[k].f = fileio_open_tmp(t[k].tmp, sizeof t[k].tmp, t[k].path, err))) rc = SB_EFAIL;
  }
  size_t ns = cfg->seeds, n_cells = info->n_cells, n_groups = ns ? n_cells / ns : 0;
  seed_rows *seeds = calloc(ns, sizeof *seeds);
  size_t *caps = calloc(ns, sizeof *caps), *pos = calloc(ns, sizeof *pos);
  double *scratch = malloc(ns * sizeof *scratch), *att = malloc(ns * sizeof *att);
  info->digest = calloc(n_groups ? n_groups : 1, sizeof *info->digest);
  info->n_groups = n_groups;
  info->n_done = info->n_diverged = 0;
  char *line = NULL;
  double *theory = NULL;   /* the current group's mean-field profile (T rows) */
  size_t theory_cap = 0, n_theory = 0;
  size_t line_cap = 0;
  if (!rc && (!seeds || !caps || !pos || !scratch || !att || !info->digest))
    rc = sb_fail(err, SB_EFAIL, "out of memory merging tables");
  if (!rc) {
    for (int k = 0; k < T_MANIFEST; k++) table_comments(t[k].f, cfg);
    fputs(cells_cols, t[T_CELLS].f);
    table_layers_header(t[T_LAYERS].f);
    fputs("activation\tinit\tdepth\twidth\tstep\tlayer\tn", t[T_SUMMARY].f);
    for (int k = 0; k < PROBE_NCOLS; k++)
      fprintf(t[T_SUMMARY].f, "\t%s_mean\t%s_sd\t%s_ci95", probe_col_names[k], probe_col_names[k],
              probe_col_names[k]);
    fputs("\tlog10_delta_ratio_mean\tlog10_delta_ratio_sd\tlog10_delta_ratio_ci95"
          "\tlog10_delta_ratio_theory\n", t[T_SUMMARY].f);
    fputs(hist_cols, t[T_HIST].f);

    FILE *m = t[T_MANIFEST].f;
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    fprintf(m, "{\n  \"satbench\": \"%s\",\n  \"blas\": \"%s\",\n  \"host\": ", PACKAGE_VERSION, SB_CBLAS_NAME);
    json_string(m, host);
    fprintf(m, ",\n  \"threads\": %d,\n  \"wall_seconds\": %.3f,\n  \"config\": {", info->threads, info->wall_seconds);
    char *ct = config_text(cfg);
    int first = 1;
    for (char *p = ct; p && *p;) {
      char *nl = strchr(p, '\n');
      if (nl) *nl = '\0';
      char *eq = strstr(p, " = ");
      if (eq && *p != '#') {
        *eq = '\0';
        fprintf(m, "%s\n    ", first ? "" : ",");
        json_string(m, p);
        fputs(": ", m);
        json_string(m, eq + 3);
        first = 0;
      }
      p = nl ? nl + 1 : NULL;
    }
    free(ct);
    fputs("\n  },\n  \"cells\": [", m);

    for (size_t g = 0; g < n_groups && !rc; g++) {
      store_digest_row *dg = &info->digest[g];
      double loss_sum = 0.0, sat_sum = 0.0;
      size_t n_att = 0;
      n_theory = 0;
      for (size_t s = 0; s < ns && !rc; s++) {
        size_t cell = g * ns + s;
        seeds[s].n = 0;
        if (!store_has_record(cfg, cell)) continue;
        char path[CFG_PATH_MAX + 32];
        record_path(path, sizeof path, cfg, cell);
        FILE *in = fopen(path, "r");
        if (!in) { rc = sb_fail(err, SB_EFAIL, "cannot read %s: %s", path, strerror(errno)); break; }
        double wall = NAN;
        char status[16] = "?";
        ssize_t len;
        while ((len = getline(&line, &line_cap, in)) > 0) {
          if (line[0] == '#') {
            sscanf(line, "# wall_seconds = %lf", &wall);
            sscanf(line, "# status = %15s", status);
            continue;
          }
          if (len < 3 || line[1] != '\t' || line[len - 1] != '\n') continue;
          if (line[0] == 'T') {   /* the same profile for every seed: keep the first */
            char *end;
            size_t l = strtoul(line + 2, &end, 10);
            if (l == 0 || l > 1000000 || *end != '\t') { rc = sb_fail(err, SB_EFAIL, "%s: malformed theory row", path); break; }
            if (l > theory_cap) {
              double *grown = realloc(theory, l * sizeof *grown);
              if (!grown) { rc = sb_fail(err, SB_EFAIL, "out of memory merging %s", path); break; }
              theory = grown;
              theory_cap = l;
            }
            for (; n_theory < l; n_theory++) theory[n_theory] = NAN;
            if (isnan(theory[l - 1])) theory[l - 1] = strtod(end + 1, NULL);
            continue;
          }
          FILE *dst = line[0] == 'C' ? t[T_CELLS].f : line[0] == 'L' ? t[T_LAYERS].f : line[0] == 'H' ? t[T_HIST].f : NULL;
          if (!dst) continue;
          size_t tabs = 0;
          for (const char *c = line + 2; *c; c++) tabs += *c == '\t';
          if (line[0] == 'C' && tabs == 15) {
            /* a record from before decay_rate_theory: the column is unknown */
            fwrite(line + 2, 1, (size_t)len - 3, dst);
            fputs("\tNaN\n", dst);
          } else {
            fputs(line + 2, dst);
          }
          char *fields[8 + PROBE_NCOLS + 1];
          if (line[0] == 'L') {
            line[len - 1] = '\0';
            size_t nf = split_tabs(line + 2, fields, 8 + PROBE_NCOLS);
            if (nf != 8 + PROBE_NCOLS) { rc = sb_fail(err, SB_EFAIL, "%s: malformed layer row", path); break; }
            double v[PROBE_NCOLS];
            for (int k = 0; k < PROBE_NCOLS; k++) v[k] = strtod(fields[8 + k], NULL);
            if (seed_rows_add(&seeds[s], &caps[s], strtol(fields[6], NULL, 10), strtoul(fields[7], NULL, 10), v)) {
              rc = sb_fail(err, SB_EFAIL, "out of memory merging %s", path);
              break;
            }
          } else if (line[0] == 'C') {
            line[len - 1] = '\0';
            size_t nf = split_tabs(line + 2, fields, 17);
            if (nf != 16 && nf != 17) { rc = sb_fail(err, SB_EFAIL, "%s: malformed cell row", path); break; }
            snprintf(dg->activation, sizeof dg->activation, "%s", fields[1]);
            snprintf(dg->init, sizeof dg->init, "%s", fields[2]);
            dg->depth = strtoul(fields[3], NULL, 10);
            dg->width = strtoul(fields[4], NULL, 10);
            dg->n++;
            if (strcmp(fields[6], "ok")) dg->diverged++;
            double a0 = strtod(fields[10], NULL);
            if (isfinite(a0)) att[n_att++] = a0;
            loss_sum += strtod(fields[7], NULL);
            sat_sum += strtod(fields[14], NULL);
          }
        }
        fclose(in);
        info->n_done++;
        if (strcmp(status, "ok")) info->n_diverged++;
        fprintf(m, "%s\n    {\"cell\": %zu, \"status\": \"%s\", \"wall_seconds\": %.3f}",
                info->n_done == 1 ? "" : ",", cell, status, wall);
      }
      if (rc) break;
      seed_summary a;
      stats_over_seeds(att, n_att, &a);
      dg->att_mean = a.mean;
      dg->att_sd = a.sd;
      dg->loss_mean = dg->n ? loss_sum / (double)dg->n : NAN;
      dg->sat_mean = dg->n ? sat_sum / (double)dg->n : NAN;
      if (dg->n) summarize_group(t[T_SUMMARY].f, dg->activation, dg->init, dg->depth, dg->width,
                                 seeds, ns, pos, scratch, n_theory ? theory : NULL, n_theory);
    }
    info->complete = info->n_done == n_cells;
    fprintf(m, "\n  ],\n  \"cells_total\": %zu,\n  \"cells_done\": %zu,\n  \"cells_diverged\": %zu,\n"
               "  \"complete\": %s\n}\n", n_cells, info->n_done, info->n_diverged,
            info->complete ? "true" : "false");
  }
  /* All tables or none: commit only when everything was written. */
  for (int k = 0; k < T_COUNT; k++) {
    if (!t[k].f) continue;
    if (rc) { fclose(t[k].f); unlink(t[k].tmp); continue; }
    rc = fileio_commit(t[k].f, t[k].tmp, t[k].path, err);
    if (rc)
      for (int j = k + 1; j < T_COUNT; j++)
        if (t[j].f) { fclose(t[j].f); unlink(t[j].tmp); t[j].f = NULL; }
  }
  free(line);
  free(theory);
  for (size_t s = 0; seeds && s < ns; s++) seed_rows_free(&seeds[s]);
  free(seeds);
  free(caps);
  free(pos);
  free(scratch);
  free(att);
  return rc;
}
