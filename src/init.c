/* init.c - weight initialization schemes: parsing "name[:param]" texts,
 * the per-entry weight variance each scheme implies (the sigma_w2 / fan_in of
 * mean-field theory), and filling a layer's W and b from a cell's rng.
 *
 * Draws are taken in a fixed order (W row-major, then b) so a given rng
 * state always yields the same bytes. */
#include "init.h"
#include "names.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_vector.h>

#define CRITICAL_SB2_DEFAULT 0.05

/* How a scheme's ":param" behaves. */
enum { PARAM_NONE, PARAM_REQUIRED, PARAM_OPTIONAL };

/* One row per scheme: its name, its parameter, and its line in `satbench
 * list inits`.  Its variance and its draw are the cases of
 * init_weight_var and init_fill below (-Wswitch names a missing one). */
static const struct init_info {
  const char *name;
  int mode;             /* PARAM_* */
  const char *syntax;   /* as the user writes it */
  const char *what;     /* what the parameter must be */
  const char *about;
} init_table[] = {
  [INIT_STANDARD]       = { "standard", PARAM_NONE, "standard", "nothing",
                            "U[-1/sqrt(fan_in), 1/sqrt(fan_in)] (Glorot & Bengio eq. 1)" },
  [INIT_NORMAL]         = { "normal", PARAM_REQUIRED, "normal:STD", "STD (a finite number > 0)", "N(0, STD^2)" },
  [INIT_UNIFORM]        = { "uniform", PARAM_REQUIRED, "uniform:A", "A (a finite number > 0)", "U[-A, A]" },
  [INIT_XAVIER_UNIFORM] = { "xavier_uniform", PARAM_NONE, "xavier_uniform", "nothing",
                            "U[+-sqrt(6/(fan_in+fan_out))] (Glorot & Bengio eq. 16)" },
  [INIT_XAVIER_NORMAL]  = { "xavier_normal", PARAM_NONE, "xavier_normal", "nothing", "N(0, 2/(fan_in+fan_out))" },
  [INIT_HE_NORMAL]      = { "he_normal", PARAM_NONE, "he_normal", "nothing", "N(0, 2/fan_in) (He et al. 2015)" },
  [INIT_HE_UNIFORM]     = { "he_uniform", PARAM_NONE, "he_uniform", "nothing", "U[+-sqrt(6/fan_in)]" },
  [INIT_LECUN_NORMAL]   = { "lecun_normal", PARAM_NONE, "lecun_normal", "nothing", "N(0, 1/fan_in)" },
  [INIT_ORTHOGONAL]     = { "orthogonal", PARAM_OPTIONAL, "orthogonal[:GAIN]", "GAIN (a finite number > 0)",
                            "GAIN * orthonormal rows or columns from the QR of a Gaussian matrix" },
  [INIT_CRITICAL]       = { "critical", PARAM_OPTIONAL, "critical[:SB2]", "SB2 (a finite number >= 0)",
                            "N(0, sigma_w2*/fan_in), biases N(0, SB2): the edge of chaos (chi1 = 1) of the "
                            "cell's activation at sigma_b2 = SB2 (default 0.05), from mean-field theory" },
  [INIT_MEANFIELD]      = { "meanfield", PARAM_REQUIRED, "meanfield:SW2[:SB2]",
                            "SW2[:SB2] (finite numbers, SW2 > 0, SB2 >= 0)",
                            "N(0, SW2/fan_in), biases N(0, SB2) (default 0): a point of the phase diagram" },
  [INIT_IDENTITY]       = { "identity", PARAM_OPTIONAL, "identity[:SCALE]", "SCALE (a finite number > 0)",
                            "SCALE times the identity (default 1): recurrent cells' W_hh only (IRNN, Le et al. "
                            "2015; their W_xh and readout then N(0, 0.001^2))" },
};
_Static_assert(sizeof init_table / sizeof init_table[0] == INIT_COUNT, "init_table needs one row per init_kind");

static int param_mode(init_kind k) { return (unsigned)k < INIT_COUNT ? init_table[k].mode : PARAM_NONE; }

/* SB2 of critical and meanfield may be 0 (no bias noise); STD, A, GAIN
 * and SW2 must be > 0 because a zero scale gives a network whose gradients
 * are all zero.  For meanfield, p is SB2 (SW2 is checked on its own). */
static int param_ok(init_kind k, double p)
{
  if (!isfinite(p)) return 0;
  return k == INIT_CRITICAL || k == INIT_MEANFIELD ? p >= 0 : p > 0;
}

static const char *param_what(init_kind k) { return (unsigned)k < INIT_COUNT ? init_table[k].what : "nothing"; }

void init_list(FILE *f)
{
  for (int k = 0; k < INIT_COUNT; k++) fprintf(f, "%s\t%s\n", init_table[k].syntax, init_table[k].about);
}

void init_complete(FILE *f, const char *prefix)
{
  /* "normal:" wants its parameter; "orthogonal" may go without */
  for (int k = 0; k < INIT_COUNT; k++)
    fprintf(f, "%s%s%s\n", prefix, init_table[k].name, init_table[k].mode == PARAM_REQUIRED ? ":" : "");
}

/* A finite number at s, with no leading blank (the canonical text has
 * none), ending at the end of s or at a ':' when colon_ok; *rest (if not
 * NULL) gets where it ended. */
static int parse_strict(const char *s, int colon_ok, double *out, const char **rest)
{
  char *end = NULL;
  errno = 0;
  if (!*s || isspace((unsigned char)*s)) return -1;
  double v = strtod(s, &end);
  if (end == s || (*end && !(colon_ok && *end == ':')) || errno == ERANGE || !isfinite(v))
    return -1;
  *out = v;
  if (rest) *rest = end;
  return 0;
}

const char *init_kind_name(init_kind kind)
{
  return (unsigned)kind < INIT_COUNT && init_table[kind].name ? init_table[kind].name : "unknown";
}

int init_parse(const char *text, init_spec *out, sb_error *err)
{
  if (!text || !*text)
    return sb_fail(err, SB_EUSAGE, "empty init name");

  const char *colon = strchr(text, ':');
  size_t len = colon ? (size_t)(colon - text) : strlen(text);
  char name[64];
  if (len >= sizeof name) len = sizeof name - 1;   /* too long to match anyway */
  memcpy(name, text, len);
  name[len] = '\0';

  int kind = -1;
  const char *names[INIT_COUNT], *syntax[INIT_COUNT];
  for (int k = 0; k < INIT_COUNT; k++) {
    names[k] = init_table[k].name;
    syntax[k] = init_table[k].syntax;
    if (strcmp(name, init_table[k].name) == 0) kind = k;
  }
  if (kind < 0) {
    const char *near = names_nearest(name, names, INIT_COUNT);
    if (near)
      return sb_fail(err, SB_EUSAGE, "unknown init '%s' (did you mean '%s'?)", text, near);
    char valid[512];
    return sb_fail(err, SB_EUSAGE, "unknown init '%s' (valid: %s)", text,
                   names_join(valid, sizeof valid, syntax, INIT_COUNT));
  }

  init_kind k = (init_kind)kind;
  int mode = param_mode(k);
  double p = NAN, sw2 = NAN;
  if (!colon) {
    if (k == INIT_MEANFIELD)
      return sb_fail(err, SB_EUSAGE, "init '%s' needs a parameter: meanfield:SW2[:SB2], "
                     "e.g. meanfield:1.5 or meanfield:1.5:0.05", text);
    if (mode == PARAM_REQUIRED)
      return sb_fail(err, SB_EUSAGE, "init '%s' needs a parameter: %s:%s, e.g. %s:0.05",
                     text, name, k == INIT_NORMAL ? "STD" : "A", name);
    if (k == INIT_ORTHOGONAL || k == INIT_IDENTITY) p = 1.0;
    if (k == INIT_CRITICAL) p = CRITICAL_SB2_DEFAULT;
  } else {
    const char *num = colon + 1;
    if (mode == PARAM_NONE)
      return sb_fail(err, SB_EUSAGE, "init '%s': '%s' takes no parameter", text, name);
    if (!*num)
      return sb_fail(err, SB_EUSAGE, "init '%s': empty parameter after ':' (expected %s)",
                     text, param_what(k));
    if (k == INIT_MEANFIELD) {
      /* SW2, then an optional ":SB2" (default 0) */
      if (parse_strict(num, 1, &sw2, &num) || !(sw2 > 0))
        return sb_fail(err, SB_EUSAGE, "init '%s': SW2 is not a finite number > 0 (expected %s)",
                       text, param_what(k));
      p = 0.0;
      const char *sb2 = num + 1;
      if (*num == ':' && (parse_strict(sb2, 0, &p, NULL) || !param_ok(k, p)))
        return sb_fail(err, SB_EUSAGE, "init '%s': SB2 '%s' is not a finite number >= 0 "
                       "(expected %s)", text, sb2, param_what(k));
    } else if (parse_strict(num, 0, &p, NULL) || !param_ok(k, p)) {
      return sb_fail(err, SB_EUSAGE, "init '%s': parameter '%s' is not a valid %s",
                     text, num, param_what(k));
    }
  }
  if (p == 0) p = 0.0;   /* "critical:-0" must not format as "-0" */
  out->kind = k;
  out->param = p;
  out->sigma_w2 = sw2;   /* NaN; critical: resolved later by the theory module */
  return SB_OK;
}

/* Shortest %g that reads back as the same double, so "normal:0.05" stays
 * short yet formatting and parsing never change a value. */
static void format_num(char *buf, size_t size, double v)
{
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) return;
  }
}

void init_format(const init_spec *spec, char *buf, size_t size)
{
  if (!buf || size == 0) return;
  const char *name = init_kind_name(spec->kind);
  int mode = param_mode(spec->kind);
  /* gain 1 is the default and is left out; critical always shows SB2;
   * meanfield shows SW2, and SB2 unless it is the default 0 */
  if (mode == PARAM_NONE || ((spec->kind == INIT_ORTHOGONAL || spec->kind == INIT_IDENTITY) && spec->param == 1.0)) {
    snprintf(buf, size, "%s", name);
    return;
  }
  char num[40];
  format_num(num, sizeof num, spec->param);
  if (spec->kind == INIT_MEANFIELD) {
    char sw[40];
    format_num(sw, sizeof sw, spec->sigma_w2);
    if (spec->param == 0) snprintf(buf, size, "%s:%s", name, sw);
    else snprintf(buf, size, "%s:%s:%s", name, sw, num);
    return;
  }
  snprintf(buf, size, "%s:%s", name, num);
}

double init_weight_var(const init_spec *spec, size_t fan_in, size_t fan_out)
{
  double fi = (double)fan_in, fo = (double)fan_out, p = spec->param;
  switch (spec->kind) {
  case INIT_STANDARD:       return 1.0 / (3.0 * fi);        /* (1/sqrt n)^2 / 3 */
  case INIT_NORMAL:         return p * p;
  case INIT_UNIFORM:        return p * p / 3.0;
  case INIT_XAVIER_UNIFORM: return 2.0 / (fi + fo);         /* (6/(fi+fo)) / 3 */
  case INIT_XAVIER_NORMAL:  return 2.0 / (fi + fo);
  case INIT_HE_NORMAL:      return 2.0 / fi;
  case INIT_HE_UNIFORM:     return 2.0 / fi;                /* (6/fi) / 3 */
  case INIT_LECUN_NORMAL:   return 1.0 / fi;
  /* min(fi,fo) orthonormal vectors of length max(fi,fo): the squares sum to
   * min(fi,fo) over fi*fo entries */
  case INIT_ORTHOGONAL:     return p * p / (fi > fo ? fi : fo);
  case INIT_IDENTITY:       return p * p / (fi > fo ? fi : fo);   /* min(fi,fo) entries of p */
  case INIT_CRITICAL:       return spec->sigma_w2 / fi;
  case INIT_MEANFIELD:      return spec->sigma_w2 / fi;
  case INIT_COUNT:          break;
  }
  return NAN;
}

double init_sigma_w2(const init_spec *spec, size_t fan_in, size_t fan_out)
{
  double fi = (double)fan_in, fo = (double)fan_out, p = spec->param;
  /* fan_in x init_weight_var, with the fan-in schemes' constants exact
   * (1/3, not fan_in / (3 fan_in)) */
  switch (spec->kind) {
  case INIT_STANDARD:       return 1.0 / 3.0;
  case INIT_NORMAL:         return fi * p * p;
  case INIT_UNIFORM:        return fi * p * p / 3.0;
  case INIT_XAVIER_UNIFORM: return 2.0 * fi / (fi + fo);
  case INIT_XAVIER_NORMAL:  return 2.0 * fi / (fi + fo);
  case INIT_HE_NORMAL:      return 2.0;
  case INIT_HE_UNIFORM:     return 2.0;
  case INIT_LECUN_NORMAL:   return 1.0;
  case INIT_ORTHOGONAL:     return p * p * fi / (fi > fo ? fi : fo);
  case INIT_IDENTITY:       return p * p * fi / (fi > fo ? fi : fo);
  case INIT_CRITICAL:       return spec->sigma_w2;
  case INIT_MEANFIELD:      return spec->sigma_w2;
  case INIT_COUNT:          break;
  }
  return NAN;
}

double init_bias_var(const init_spec *spec)
{
  return spec->kind == INIT_CRITICAL || spec->kind == INIT_MEANFIELD ? spec->param : 0.0;
}

static void fill_uniform(double *W, size_t n, double a, gsl_rng *rng)
{
  for (size_t i = 0; i < n; i++) W[i] = a * (2.0 * gsl_rng_uniform(rng) - 1.0);
}

static void fill_gaussian(double *W, size_t n, double sd, gsl_rng *rng)
{
  for (size_t i = 0; i < n; i++) W[i] = gsl_ran_gaussian(rng, sd);
}

/* Haar-distributed orthogonal W (fan_in, fan_out) times gain.  With
 * m = max(fan_in, fan_out) and k = min: QR of a Gaussian (m, k) matrix; the
 * first k columns of Q, each multiplied by sign(R_ii), are Haar on the
 * Stiefel manifold (without the sign fix the law depends on the Householder
 * sign convention).  Q is formed column by column with QR_Qvec so the
 * scratch is (m, k), not (m, m); our own malloc keeps GSL's abort-on-error
 * allocator out of the way so failure can be reported. */
static int fill_orthogonal(double *W, size_t fan_in, size_t fan_out, double gain,
                           gsl_rng *rng, sb_error *err)
{
  size_t m = fan_in > fan_out ? fan_in : fan_out;
  size_t k = fan_in > fan_out ? fan_out : fan_in;
  if (m > SIZE_MAX / sizeof(double) / (k + 2))   /* m*k + k + m <= m*(k+2) */
    return sb_fail(err, SB_EFAIL, "orthogonal init: %zu x %zu layer too large", fan_in, fan_out);
  double *buf = malloc((m * k + k + m) * sizeof *buf);
  if (!buf)
    return sb_fail(err, SB_EFAIL, "orthogonal init: out of memory for a %zu x %zu layer",
                   fan_in, fan_out);

  gsl_matrix_view A = gsl_matrix_view_array(buf, m, k);
  gsl_vector_view tau = gsl_vector_view_array(buf + m * k, k);
  gsl_vector_view v = gsl_vector_view_array(buf + m * k + k, m);
  fill_gaussian(buf, m * k, 1.0, rng);

  int rc = gsl_linalg_QR_decomp(&A.matrix, &tau.vector);
  if (rc == 0) {
    for (size_t j = 0; j < k && rc == 0; j++) {
      gsl_vector_set_basis(&v.vector, j);
      rc = gsl_linalg_QR_Qvec(&A.matrix, &tau.vector, &v.vector);
      /* R is the upper triangle of the packed QR; R_jj = 0 has probability 0 */
      double s = gsl_matrix_get(&A.matrix, j, j) < 0 ? -gain : gain;
      const double *q = v.vector.data;   /* stride 1: a view of a plain array */
      if (fan_in >= fan_out)       /* W = Q_k: orthonormal columns */
        for (size_t i = 0; i < m; i++) W[i * fan_out + j] = s * q[i];
      else                         /* W = Q_k^T: orthonormal rows */
        for (size_t i = 0; i < m; i++) W[j * fan_out + i] = s * q[i];
    }
  }
  free(buf);
  if (rc != 0)
    return sb_fail(err, SB_EFAIL, "orthogonal init: QR of a %zu x %zu matrix failed (gsl %d)",
                   m, k, rc);
  return SB_OK;
}

int init_fill(const init_spec *spec, double *W, double *b,
              size_t fan_in, size_t fan_out, gsl_rng *rng, sb_error *err)
{
  if (!spec || !W || !rng)
    return sb_fail(err, SB_EFAIL, "init_fill: missing weights or rng");
  if (fan_in == 0 || fan_out == 0)
    return sb_fail(err, SB_EUSAGE, "init: layer of shape %zu x %zu has no weights",
                   fan_in, fan_out);
  if ((unsigned)spec->kind >= INIT_COUNT)
    return sb_fail(err, SB_EUSAGE, "init: unknown scheme %d", (int)spec->kind);
  /* specs built by hand rather than by init_parse get the same checks */
  if (param_mode(spec->kind) != PARAM_NONE && !param_ok(spec->kind, spec->param))
    return sb_fail(err, SB_EUSAGE, "init '%s': parameter %g is not a valid %s",
                   init_kind_name(spec->kind), spec->param, param_what(spec->kind));
  if (spec->kind == INIT_CRITICAL && !(isfinite(spec->sigma_w2) && spec->sigma_w2 > 0))
    return sb_fail(err, SB_EUSAGE, "init 'critical' needs sigma_w2 resolved by the theory "
                   "module (got %g); it cannot be filled on its own", spec->sigma_w2);
  if (spec->kind == INIT_MEANFIELD && !(isfinite(spec->sigma_w2) && spec->sigma_w2 > 0))
    return sb_fail(err, SB_EUSAGE, "init 'meanfield': SW2 %g is not a finite number > 0",
                   spec->sigma_w2);

  size_t n = fan_in * fan_out;
  double fi = (double)fan_in, fo = (double)fan_out;
  switch (spec->kind) {
  case INIT_STANDARD:       fill_uniform(W, n, 1.0 / sqrt(fi), rng); break;
  case INIT_NORMAL:         fill_gaussian(W, n, spec->param, rng); break;
  case INIT_UNIFORM:        fill_uniform(W, n, spec->param, rng); break;
  case INIT_XAVIER_UNIFORM: fill_uniform(W, n, sqrt(6.0 / (fi + fo)), rng); break;
  case INIT_XAVIER_NORMAL:  fill_gaussian(W, n, sqrt(2.0 / (fi + fo)), rng); break;
  case INIT_HE_NORMAL:      fill_gaussian(W, n, sqrt(2.0 / fi), rng); break;
  case INIT_HE_UNIFORM:     fill_uniform(W, n, sqrt(6.0 / fi), rng); break;
  /* A plain normal, not the truncated normal of Keras's lecun_normal: the
   * spec (and the mean-field theory) only fix the variance 1/fan_in, and an
   * untruncated law keeps every scheme here a simple Gaussian or uniform. */
  case INIT_LECUN_NORMAL:   fill_gaussian(W, n, sqrt(1.0 / fi), rng); break;
  case INIT_ORTHOGONAL: {
    int rc = fill_orthogonal(W, fan_in, fan_out, spec->param, rng, err);
    if (rc != SB_OK) return rc;
    break;
  }
  case INIT_CRITICAL:
  case INIT_MEANFIELD:      fill_gaussian(W, n, sqrt(spec->sigma_w2 / fi), rng); break;
  case INIT_IDENTITY:
    if (fan_in != fan_out)
      return sb_fail(err, SB_EUSAGE, "init 'identity' needs a square weight matrix, not %zu x %zu (it is for "
                     "recurrent cells' W_hh: --archs rnn, lstm or gru)", fan_in, fan_out);
    for (size_t i = 0; i < n; i++) W[i] = 0.0;
    for (size_t i = 0; i < fan_in; i++) W[i * fan_out + i] = spec->param;
    break;
  case INIT_COUNT:          break;
  }

  if (b) {
    if (spec->kind == INIT_CRITICAL || spec->kind == INIT_MEANFIELD) {
      double sd = sqrt(spec->param);
      /* always draw, so SB2 = 0 consumes the rng like SB2 > 0, and never
       * write -0 (0 * a negative draw) into the tables */
      for (size_t j = 0; j < fan_out; j++) {
        double g = gsl_ran_gaussian(rng, 1.0);
        b[j] = sd > 0 ? sd * g : 0.0;
      }
    } else {
      for (size_t j = 0; j < fan_out; j++) b[j] = 0.0;
    }
  }
  return SB_OK;
}
