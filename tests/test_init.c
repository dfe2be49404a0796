/* test_init.c - initialization schemes: sample moments against
 * init_weight_var, orthogonality and Haar sign symmetry of `orthogonal`,
 * the critical scheme's dependence on a resolved sigma_w2, meanfield's two
 * parameters, determinism, and the parse/format round trip with its error
 * messages. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "init.h"
#include "tap.h"

static const size_t shapes[][2] = { { 512, 512 }, { 300, 700 }, { 700, 300 } };
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

static init_spec parse_ok(const char *text)
{
  init_spec s = { INIT_COUNT, NAN, NAN };
  sb_error err;
  sb_error_clear(&err);
  if (init_parse(text, &s, &err) != SB_OK) tap_ok(0, "parse '%s': %s", text, err.msg);
  return s;
}

/* Mean and variance within the statistical slack of fan_in*fan_out draws;
 * biases all exactly +0 (critical is checked separately). */
static void check_moments(const char *text, init_spec s, gsl_rng *rng)
{
  for (size_t t = 0; t < N_SHAPES; t++) {
    size_t fi = shapes[t][0], fo = shapes[t][1], n = fi * fo;
    double *W = malloc(n * sizeof *W), *b = malloc(fo * sizeof *b);
    if (!W || !b) { tap_ok(0, "out of memory"); free(W); free(b); return; }
    for (size_t j = 0; j < fo; j++) b[j] = 2.385;   /* must be overwritten */
    sb_error err;
    sb_error_clear(&err);
    int rc = init_fill(&s, W, b, fi, fo, rng, &err);
    if (!tap_ok(rc == SB_OK, "%s %zux%zu: init_fill rc %d %s", text, fi, fo, rc, err.msg)) {
      free(W); free(b); continue;
    }
    double sum = 0, sq = 0;
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i++) { sum += W[i]; nonzero += W[i] != 0; }
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) sq += (W[i] - mean) * (W[i] - mean);
    double var = sq / (double)(n - 1), want = init_weight_var(&s, fi, fo);
    char what[160];
    snprintf(what, sizeof what, "%s %zux%zu: weight variance (3%%)", text, fi, fo);
    tap_ok(nonzero > n / 2, "%s %zux%zu: weights not all zero (%zu of %zu)", text, fi, fo, nonzero, n);
    tap_rel(var, want, 0.03, what);
    /* 5 standard errors of the mean */
    double tol = 5 * sqrt(want / (double)n);
    snprintf(what, sizeof what, "%s %zux%zu: weight mean ~ 0 (5 s.e.)", text, fi, fo);
    tap_abs(mean, 0.0, tol, what);
    int zero = 1;
    for (size_t j = 0; j < fo; j++) zero &= b[j] == 0.0 && !signbit(b[j]);
    tap_ok(zero, "%s %zux%zu: biases all +0", text, fi, fo);
    free(W); free(b);
  }
}

/* Uniform schemes must stay inside their stated interval. */
static void check_bound(const char *text, double a, gsl_rng *rng)
{
  init_spec s = parse_ok(text);
  size_t fi = 300, fo = 700, n = fi * fo;
  double *W = malloc(n * sizeof *W);
  if (!W) { tap_ok(0, "out of memory"); return; }
  init_fill(&s, W, NULL, fi, fo, rng, NULL);
  double mx = 0;
  for (size_t i = 0; i < n; i++) mx = fmax(mx, fabs(W[i]));
  tap_ok(mx <= a && mx > 0.99 * a, "%s 300x700: max |w| %.17g within bound %.17g",
         text, mx, a);
  free(W);
}

/* W^T W (fan_in >= fan_out) or W W^T must be gain^2 I. */
static void check_orthogonal(double gain, gsl_rng *rng)
{
  char text[64];
  snprintf(text, sizeof text, gain == 1.0 ? "orthogonal" : "orthogonal:%g", gain);
  init_spec s = parse_ok(text);
  for (size_t t = 0; t < N_SHAPES; t++) {
    size_t fi = shapes[t][0], fo = shapes[t][1];
    double *W = malloc(fi * fo * sizeof *W);
    if (!W) { tap_ok(0, "out of memory"); return; }
    int rc = init_fill(&s, W, NULL, fi, fo, rng, NULL);
    /* Gram matrix of the shorter side: columns when fi >= fo, else rows */
    int cols = fi >= fo;
    size_t k = cols ? fo : fi, m = cols ? fi : fo;
    double worst = 0;
    for (size_t a = 0; a < k; a++) {
      for (size_t c = a; c < k; c++) {
        double dot = 0;
        for (size_t i = 0; i < m; i++)
          dot += cols ? W[i * fo + a] * W[i * fo + c] : W[a * fo + i] * W[c * fo + i];
        double want = a == c ? gain * gain : 0.0;
        worst = fmax(worst, fabs(dot - want));
      }
    }
    char what[160];
    snprintf(what, sizeof what, "%s %zux%zu: max |%s - gain^2 I| (rc %d)", text, fi, fo,
             cols ? "W^T W" : "W W^T", rc);
    tap_abs(worst, 0.0, 1e-10, what);
    free(W);
  }
}

/* Haar measure is invariant under sign flips, so every entry has mean 0.
 * Without the sign(R_ii) correction Householder QR makes W[0][0] negative
 * on every draw, and this check fails by ~18 standard errors. */
static void check_haar_signs(gsl_rng *rng)
{
  enum { FI = 5, FO = 3, DRAWS = 400 };
  init_spec s = parse_ok("orthogonal");
  double W[FI * FO], acc[FI * FO] = { 0 };
  for (int d = 0; d < DRAWS; d++) {
    init_fill(&s, W, NULL, FI, FO, rng, NULL);
    for (int i = 0; i < FI * FO; i++) acc[i] += W[i];
  }
  double worst = 0;
  for (int i = 0; i < FI * FO; i++) worst = fmax(worst, fabs(acc[i] / DRAWS));
  /* each entry has variance 1/5; the mean of 400 has s.e. 0.022 */
  tap_abs(worst, 0.0, 0.1, "orthogonal 5x3: max |mean entry| over 400 draws (Haar sign symmetry)");
}

static void check_critical(gsl_rng *rng)
{
  init_spec s = parse_ok("critical");
  tap_ok(s.kind == INIT_CRITICAL && s.param == 0.05 && isnan(s.sigma_w2),
         "critical parses with SB2 0.05 and sigma_w2 unresolved (NaN): %g %g", s.param, s.sigma_w2);
  double W[12], b[4];
  sb_error err;
  sb_error_clear(&err);
  int rc = init_fill(&s, W, b, 3, 4, rng, &err);
  tap_ok(rc == SB_EUSAGE && strstr(err.msg, "theory") && strstr(err.msg, "critical"),
         "critical with unresolved sigma_w2 -> SB_EUSAGE: \"%s\"", err.msg);
  s.sigma_w2 = -1;
  tap_ok(init_fill(&s, W, b, 3, 4, rng, NULL) == SB_EUSAGE, "critical with sigma_w2 = -1 -> SB_EUSAGE");
  s.sigma_w2 = INFINITY;
  tap_ok(init_fill(&s, W, b, 3, 4, rng, NULL) == SB_EUSAGE, "critical with sigma_w2 = inf -> SB_EUSAGE");

  /* resolved: weights N(0, 1.7/fan_in), biases N(0, SB2) */
  s = parse_ok("critical:0.2385");
  s.sigma_w2 = 1.7;
  tap_rel(init_weight_var(&s, 300, 700), 1.7 / 300, 1e-15, "critical weight var = sigma_w2/fan_in");
  size_t fi = 700, fo = 2000;
  double *Wb = malloc(fi * fo * sizeof *Wb), *bb = malloc(fo * sizeof *bb);
  if (!Wb || !bb) { tap_ok(0, "out of memory"); free(Wb); free(bb); return; }
  rc = init_fill(&s, Wb, bb, fi, fo, rng, NULL);
  double sq = 0, bs = 0, bsq = 0;
  for (size_t i = 0; i < fi * fo; i++) sq += Wb[i] * Wb[i];
  for (size_t j = 0; j < fo; j++) { bs += bb[j]; bsq += bb[j] * bb[j]; }
  tap_rel(sq / (double)(fi * fo), 1.7 / 700, 0.03, "critical 700x2000: weight variance (3%)");
  /* 2000 biases: s.e. of the variance ~3.2%, of the mean ~0.011 */
  tap_rel(bsq / fo, 0.2385, 0.15, "critical 700x2000: bias variance ~ SB2 (15%)");
  tap_abs(bs / fo, 0.0, 0.06, "critical 700x2000: bias mean ~ 0");
  tap_ok(rc == SB_OK, "critical resolved fills (rc %d)", rc);

  /* SB2 = 0: biases exactly +0, and the rng advances as for SB2 > 0 */
  init_spec z = parse_ok("critical:0");
  z.sigma_w2 = 1.7;
  gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r1, 2385);
  gsl_rng_set(r2, 2385);
  double b1[64], b2[64], W1[64 * 8], W2[64 * 8];
  init_fill(&z, W1, b1, 8, 64, r1, NULL);
  init_fill(&s, W2, b2, 8, 64, r2, NULL);
  int pos0 = 1;
  for (int j = 0; j < 64; j++) pos0 &= b1[j] == 0.0 && !signbit(b1[j]);
  tap_ok(pos0, "critical:0 gives biases all +0");
  tap_ok(gsl_rng_get(r1) == gsl_rng_get(r2), "critical:0 consumes the rng like critical:0.2385");
  gsl_rng_free(r1);
  gsl_rng_free(r2);
  free(Wb);
  free(bb);
}

/* meanfield:SW2[:SB2]: weights N(0, SW2/fan_in), biases N(0, SB2). */
static void check_meanfield(gsl_rng *rng)
{
  init_spec s = parse_ok("meanfield:1.7:0.2385");
  tap_ok(s.kind == INIT_MEANFIELD && s.sigma_w2 == 1.7 && s.param == 0.2385,
         "meanfield:1.7:0.2385 parses to SW2 %.17g, SB2 %.17g", s.sigma_w2, s.param);
  tap_rel(init_weight_var(&s, 300, 700), 1.7 / 300, 1e-15, "meanfield weight var = SW2/fan_in");
  tap_ok(init_bias_var(&s) == 0.2385, "meanfield bias var = SB2: %.17g", init_bias_var(&s));
  init_spec z = parse_ok("meanfield:2.385");
  tap_ok(z.kind == INIT_MEANFIELD && z.sigma_w2 == 2.385 && z.param == 0.0 && !signbit(z.param),
         "meanfield:2.385 has SB2 +0 by default: %.17g", z.param);
  tap_ok(init_bias_var(&z) == 0.0, "meanfield:2.385 bias var 0");
  init_spec c = parse_ok("critical:0.2385"), h = parse_ok("he_normal");
  tap_ok(init_bias_var(&c) == 0.2385 && init_bias_var(&h) == 0.0,
         "init_bias_var: critical SB2 %.17g, he_normal %.17g", init_bias_var(&c), init_bias_var(&h));

  size_t fi = 700, fo = 2000;
  double *W = malloc(fi * fo * sizeof *W), *b = malloc(fo * sizeof *b);
  if (!W || !b) { tap_ok(0, "out of memory"); free(W); free(b); return; }
  int rc = init_fill(&s, W, b, fi, fo, rng, NULL);
  double sq = 0, bs = 0, bsq = 0;
  for (size_t i = 0; i < fi * fo; i++) sq += W[i] * W[i];
  for (size_t j = 0; j < fo; j++) { bs += b[j]; bsq += b[j] * b[j]; }
  tap_ok(rc == SB_OK, "meanfield:1.7:0.2385 fills (rc %d)", rc);
  tap_rel(sq / (double)(fi * fo), 1.7 / 700, 0.03, "meanfield 700x2000: weight variance (3%)");
  /* 2000 biases: s.e. of the variance ~3.2%, of the mean ~0.011 */
  tap_rel(bsq / fo, 0.2385, 0.15, "meanfield 700x2000: bias variance ~ SB2 (15%)");
  tap_abs(bs / fo, 0.0, 0.06, "meanfield 700x2000: bias mean ~ 0");
  free(W);
  free(b);

  /* SB2 = 0 draws the biases anyway, so the rng advances alike */
  gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r1, 2385);
  gsl_rng_set(r2, 2385);
  double b1[64], b2[64], W1[64 * 8], W2[64 * 8];
  init_fill(&z, W1, b1, 8, 64, r1, NULL);
  init_fill(&s, W2, b2, 8, 64, r2, NULL);
  int pos0 = 1;
  for (int j = 0; j < 64; j++) pos0 &= b1[j] == 0.0 && !signbit(b1[j]);
  tap_ok(pos0, "meanfield:2.385 gives biases all +0");
  tap_ok(gsl_rng_get(r1) == gsl_rng_get(r2), "meanfield SB2 0 consumes the rng like SB2 0.2385");
  gsl_rng_free(r1);
  gsl_rng_free(r2);

  /* hand-built specs get the same checks as parsed ones */
  init_spec bad = s;
  bad.sigma_w2 = NAN;
  tap_ok(init_fill(&bad, W1, b1, 8, 64, rng, NULL) == SB_EUSAGE, "meanfield with SW2 NaN -> SB_EUSAGE");
  bad.sigma_w2 = 0;
  tap_ok(init_fill(&bad, W1, b1, 8, 64, rng, NULL) == SB_EUSAGE, "meanfield with SW2 0 -> SB_EUSAGE");
  bad = s;
  bad.param = -0.1;
  tap_ok(init_fill(&bad, W1, b1, 8, 64, rng, NULL) == SB_EUSAGE, "meanfield with SB2 -0.1 -> SB_EUSAGE");
}

static void check_determinism(const char *text)
{
  init_spec s = parse_ok(text);
  if (s.kind == INIT_CRITICAL) s.sigma_w2 = 1.3;
  enum { FI = 37, FO = 53 };
  static double W1[FI * FO], W2[FI * FO], W3[FI * FO], b1[FO], b2[FO];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 2385);
  init_fill(&s, W1, b1, FI, FO, r, NULL);
  gsl_rng_set(r, 2385);
  init_fill(&s, W2, b2, FI, FO, r, NULL);
  gsl_rng_set(r, 2386);
  init_fill(&s, W3, NULL, FI, FO, r, NULL);
  gsl_rng_free(r);
  tap_ok(memcmp(W1, W2, sizeof W1) == 0 && memcmp(b1, b2, sizeof b1) == 0
         && memcmp(W1, W3, sizeof W1) != 0,
         "%s: same seed -> identical bytes, other seed -> different", text);
}

static void check_parse_errors(void)
{
  static const char *const bad[] = {
    "normal", "normal:abc", "normal:0.1x", "normal:-1", "uniform:nan", "orthogonal:",
    "normal:0", "uniform:inf", "normal:1e999", "normal: 0.1", "orthogonal:0",
    "orthogonal:-1.2", "critical:-0.1", "critical:", "he_normal:2", "standard:1",
    "uniform", "normal:", "xavier", "", "meanfield", "meanfield:", "meanfield:0",
    "meanfield:-1", "meanfield:abc", "meanfield:1x", "meanfield: 1", "meanfield:1:",
    "meanfield:1:-0.1", "meanfield:1:2:3", "meanfield:1: 2", "meanfield:inf", "meanfield:1:nan",
    "meanfield:1e999",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    init_spec s;
    sb_error err;
    sb_error_clear(&err);
    int rc = init_parse(bad[i], &s, &err);
    tap_ok(rc == SB_EUSAGE && err.code == SB_EUSAGE && err.msg[0]
           && (!bad[i][0] || strstr(err.msg, bad[i])),
           "'%s' -> SB_EUSAGE naming the text: \"%s\"", bad[i], err.msg);
  }
  static const struct { const char *in, *hint; } typos[] = {
    { "he_norml", "'he_normal'" }, { "orthogonl:1.2", "'orthogonal'" },
    { "xavier-uniform", "'xavier_uniform'" }, { "Standard", "'standard'" },
    { "critcal", "'critical'" }, { "lecun", "'lecun_normal'" },
    { "meanfeld:1", "'meanfield'" },
  };
  for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
    init_spec s;
    sb_error err;
    sb_error_clear(&err);
    int rc = init_parse(typos[i].in, &s, &err);
    tap_ok(rc == SB_EUSAGE && strstr(err.msg, typos[i].hint) != NULL,
           "'%s' suggests %s: \"%s\"", typos[i].in, typos[i].hint, err.msg);
  }
}

static void check_format(void)
{
  static const char *const canon[] = {
    "standard", "normal:0.05", "uniform:0.2385", "xavier_uniform", "xavier_normal",
    "he_normal", "he_uniform", "lecun_normal", "orthogonal", "orthogonal:1.5",
    "critical:0.05", "critical:0", "normal:0.12345678901234566", "uniform:1e-07",
    "meanfield:1.5", "meanfield:1.5:0.05", "meanfield:0.1:2.385",
  };
  char buf[128];
  for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
    init_spec s = parse_ok(canon[i]);
    init_format(&s, buf, sizeof buf);
    tap_ok(strcmp(buf, canon[i]) == 0, "format(parse(\"%s\")) = \"%s\"", canon[i], buf);
  }
  static const struct { const char *in, *out; } norm[] = {
    { "orthogonal:1", "orthogonal" }, { "critical", "critical:0.05" },
    { "normal:5e-2", "normal:0.05" }, { "orthogonal:1.50", "orthogonal:1.5" },
    { "meanfield:15e-1:0", "meanfield:1.5" }, { "meanfield:1.5:-0", "meanfield:1.5" },
    { "meanfield:2:5e-2", "meanfield:2:0.05" },
  };
  for (size_t i = 0; i < sizeof norm / sizeof norm[0]; i++) {
    init_spec s = parse_ok(norm[i].in);
    init_format(&s, buf, sizeof buf);
    tap_ok(strcmp(buf, norm[i].out) == 0, "format(parse(\"%s\")) = \"%s\" (want \"%s\")",
           norm[i].in, buf, norm[i].out);
  }
  /* values survive format -> parse exactly */
  init_spec s = { INIT_NORMAL, 0.1 + 0.2, NAN };
  init_format(&s, buf, sizeof buf);
  init_spec back = parse_ok(buf);
  tap_ok(back.kind == INIT_NORMAL && back.param == s.param, "normal:0.1+0.2 -> \"%s\" -> %.17g",
         buf, back.param);
  for (int k = 0; k < INIT_COUNT; k++)
    tap_ok(strcmp(init_kind_name((init_kind)k), "unknown") != 0 && init_kind_name((init_kind)k)[0],
           "init_kind_name(%d) = \"%s\"", k, init_kind_name((init_kind)k));
  char tiny[4];
  s = parse_ok("xavier_uniform");
  init_format(&s, tiny, sizeof tiny);
  tap_ok(strcmp(tiny, "xav") == 0, "init_format truncates to the buffer: \"%s\"", tiny);
}

static void check_var_formulas(void)
{
  init_spec s;
  s = parse_ok("standard");       tap_rel(init_weight_var(&s, 300, 700), 1.0 / 900, 1e-15, "standard var 1/(3 fan_in)");
  s = parse_ok("normal:0.2385");  tap_rel(init_weight_var(&s, 300, 700), 0.2385 * 0.2385, 1e-15, "normal var STD^2");
  s = parse_ok("uniform:0.2385"); tap_rel(init_weight_var(&s, 300, 700), 0.2385 * 0.2385 / 3, 1e-15, "uniform var A^2/3");
  s = parse_ok("xavier_uniform"); tap_rel(init_weight_var(&s, 300, 700), 2.0 / 1000, 1e-15, "xavier_uniform var 2/(fi+fo)");
  s = parse_ok("xavier_normal");  tap_rel(init_weight_var(&s, 300, 700), 2.0 / 1000, 1e-15, "xavier_normal var 2/(fi+fo)");
  s = parse_ok("he_normal");      tap_rel(init_weight_var(&s, 300, 700), 2.0 / 300, 1e-15, "he_normal var 2/fan_in");
  s = parse_ok("he_uniform");     tap_rel(init_weight_var(&s, 300, 700), 2.0 / 300, 1e-15, "he_uniform var 2/fan_in");
  s = parse_ok("lecun_normal");   tap_rel(init_weight_var(&s, 300, 700), 1.0 / 300, 1e-15, "lecun_normal var 1/fan_in");
  s = parse_ok("orthogonal:1.7"); tap_rel(init_weight_var(&s, 300, 700), 1.7 * 1.7 / 700, 1e-15, "orthogonal var gain^2/max(fi,fo)");
  tap_rel(init_weight_var(&s, 700, 300), 1.7 * 1.7 / 700, 1e-15, "orthogonal var gain^2/max(fi,fo), tall");

  /* sigma_w2 (the tables' column): fan_in x the variance, by hand at equal
   * fans (1/3, 1, 2, 1, G^2, SW2) and against init_weight_var at unequal
   * ones, every scheme */
  static const struct { const char *init; double want; } eq[] = {
    { "standard", 1.0 / 3 }, { "lecun_normal", 1 }, { "he_normal", 2 }, { "he_uniform", 2 },
    { "xavier_normal", 1 }, { "xavier_uniform", 1 }, { "orthogonal:1.5", 2.25 }, { "meanfield:1.5:0.05", 1.5 },
    { "normal:0.25", 0.0625 * 64 }, { "uniform:0.25", 0.0625 * 64 / 3 },
  };
  for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
    s = parse_ok(eq[i].init);
    char what[96];
    snprintf(what, sizeof what, "%s: sigma_w2 at fan_in = fan_out = 64", eq[i].init);
    tap_rel(init_sigma_w2(&s, 64, 64), eq[i].want, 1e-15, what);
  }
  for (int k = 0; k < INIT_COUNT; k++) {
    s = (init_spec){ (init_kind)k, k == INIT_CRITICAL || k == INIT_MEANFIELD ? 0.05 : 1.3, 1.7 };
    char what[96];
    snprintf(what, sizeof what, "%s: sigma_w2 = fan_in x var", init_kind_name((init_kind)k));
    tap_rel(init_sigma_w2(&s, 300, 700), 300 * init_weight_var(&s, 300, 700), 1e-14, what);
  }
  s = parse_ok("meanfield:1.5:0.05");
  tap_rel(init_bias_var(&s), 0.05, 0, "meanfield:1.5:0.05: sigma_b2 0.05");
  s = parse_ok("he_normal");
  tap_rel(init_bias_var(&s), 0, 0, "he_normal: sigma_b2 0");

  double W[4];
  sb_error err;
  sb_error_clear(&err);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  s = parse_ok("he_normal");
  tap_ok(init_fill(&s, W, NULL, 0, 4, r, &err) == SB_EUSAGE, "zero fan_in -> SB_EUSAGE: \"%s\"", err.msg);
  s.kind = INIT_NORMAL; s.param = NAN;
  tap_ok(init_fill(&s, W, NULL, 2, 2, r, NULL) == SB_EUSAGE, "hand-built normal:NaN -> SB_EUSAGE");
  gsl_rng_free(r);
}

int main(void)
{
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 2385);

  static const char *const schemes[] = {
    "standard", "normal:0.05", "uniform:0.2385", "xavier_uniform", "xavier_normal",
    "he_normal", "he_uniform", "lecun_normal", "orthogonal", "orthogonal:1.7", "meanfield:1.7",
  };
  int covered[INIT_COUNT] = { 0 };
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
    init_spec s = parse_ok(schemes[i]);
    if ((unsigned)s.kind < INIT_COUNT) covered[s.kind] = 1;
    check_moments(schemes[i], s, rng);
  }
  init_spec crit = parse_ok("critical:0");
  crit.sigma_w2 = 1.7;
  covered[INIT_CRITICAL] = 1;
  check_moments("critical:0 (sigma_w2 1.7)", crit, rng);
  /* identity[:SCALE]: exactly SCALE I on a square matrix, its mean square
   * the variance init_weight_var gives, no bias, no draw; refused on a
   * rectangular one */
  {
    enum { N = 64 };
    static double Wi[N * N], bi[N];
    init_spec id = parse_ok("identity:0.9");
    sb_error e;
    gsl_rng *r0 = gsl_rng_clone(rng);
    int rc = init_fill(&id, Wi, bi, N, N, rng, &e);
    int exact = rc == SB_OK && gsl_rng_get(r0) == gsl_rng_get(rng);
    double ms = 0.0;
    for (size_t i = 0; i < N * N; i++) {
      exact &= Wi[i] == ((i / N == i % N) ? 0.9 : 0.0);
      ms += Wi[i] * Wi[i] / (N * N);
    }
    for (size_t j = 0; j < N; j++) exact &= bi[j] == 0.0 && !signbit(bi[j]);
    tap_ok(exact, "identity:0.9 64x64: exactly 0.9 I, biases +0, no random number drawn");
    tap_rel(ms, init_weight_var(&id, N, N), 1e-15, "identity:0.9: mean square = init_weight_var = 0.81/64");
    tap_ok(init_fill(&id, Wi, NULL, 3, 4, rng, &e) == SB_EUSAGE && strstr(e.msg, "square"),
           "identity on a 3 x 4 matrix -> SB_EUSAGE: \"%s\"", e.msg);
    char b[32];
    init_spec one = parse_ok("identity:1");
    init_format(&one, b, sizeof b);
    tap_ok(!strcmp(b, "identity") && one.param == 1.0, "identity:1 formats as \"%s\"", b);
    gsl_rng_free(r0);
    covered[INIT_IDENTITY] = 1;
  }
  int all = 1;
  for (int k = 0; k < INIT_COUNT; k++)
    if (!covered[k]) { all = 0; tap_diag("no moment check for init '%s'", init_kind_name((init_kind)k)); }
  tap_ok(all, "every init scheme (%d) has its moments checked", INIT_COUNT);

  check_bound("standard", 1 / sqrt(300.0), rng);
  check_bound("uniform:0.2385", 0.2385, rng);
  check_bound("xavier_uniform", sqrt(6.0 / 1000), rng);
  check_bound("he_uniform", sqrt(6.0 / 300), rng);

  check_orthogonal(1.0, rng);
  check_orthogonal(1.7, rng);
  check_haar_signs(rng);
  check_critical(rng);
  check_meanfield(rng);
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) check_determinism(schemes[i]);
  check_determinism("critical:0.05");
  check_var_formulas();
  check_parse_errors();
  check_format();

  gsl_rng_free(rng);
  return tap_done();
}
