/* test_compare.c - satbench compare's Welch test against closed forms, and
 * the report's HTML escaping against hostile strings. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "report.h"
#include "tap.h"

static char *escaped(const char *s)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  report_html_escape(m, s);
  fclose(m);
  return buf;
}

int main(void)
{
  /* Equal sizes and variances: a = {1.25, 3.635}, b = {4.1, 6.485} have
   * var 2.8441125 each, so Welch's df = 2(n - 1) = 2, where the t CDF is
   * 1/2 + t / (2 sqrt(2 + t^2)): p = 1 - |t| / sqrt(2 + t^2). */
  double a[] = { 1.25, 3.635 }, b[] = { 4.1, 6.485 }, t, df;
  double va = (3.635 - 1.25) * (3.635 - 1.25) / 2, t_hand = (5.2925 - 2.4425) / sqrt(va / 2 + va / 2);
  double p = compare_welch(a, 2, b, 2, &t, &df);
  tap_rel(t, t_hand, 1e-13, "Welch t, two against two");
  tap_rel(df, 2, 1e-13, "Welch df of equal sizes and variances: 2(n - 1)");
  tap_rel(p, 1 - fabs(t_hand) / sqrt(2 + t_hand * t_hand), 1e-10, "two-sided p at df 2 (closed form)");
  /* One side without spread: df = n_a - 1 = 1, the Cauchy distribution,
   * p = 1 - 2 atan(|t|) / pi. */
  double c[] = { 1.5, 4.25 }, d[] = { 5.125, 5.125 };
  double t_c = (5.125 - 2.875) / sqrt((4.25 - 1.5) * (4.25 - 1.5) / 2 / 2);
  p = compare_welch(c, 2, d, 2, &t, &df);
  tap_rel(t, t_c, 1e-13, "Welch t, one side without spread");
  tap_rel(df, 1, 1e-13, "Welch df with one side without spread: n - 1 = 1");
  tap_rel(p, 1 - 2 * atan(fabs(t_c)) / M_PI, 1e-10, "two-sided p at df 1 (Cauchy)");
  /* Unequal sizes: df by Welch-Satterthwaite, by hand. */
  double e[] = { 0.31, 0.47, 0.52, 0.38 }, g[] = { 0.12, 0.29, 0.05 };
  double me = (0.31 + 0.47 + 0.52 + 0.38) / 4, mg = (0.12 + 0.29 + 0.05) / 3, ve = 0, vg = 0;
  for (int i = 0; i < 4; i++) ve += (e[i] - me) * (e[i] - me) / 3;
  for (int i = 0; i < 3; i++) vg += (g[i] - mg) * (g[i] - mg) / 2;
  double se = ve / 4, sg = vg / 3;
  p = compare_welch(e, 4, g, 3, &t, &df);
  tap_rel(t, (mg - me) / sqrt(se + sg), 1e-13, "Welch t, four against three");
  tap_rel(df, (se + sg) * (se + sg) / (se * se / 3 + sg * sg / 2), 1e-13, "Welch-Satterthwaite df, four against three");
  tap_ok(p > 0 && p < 0.05, "four against three differ: p = %g below 0.05", p);
  /* NaN values are left out; fewer than two on a side: no test. */
  double h[] = { NAN, 2.5, NAN }, k[] = { 1.0, 2.0, 3.0 };
  p = compare_welch(h, 3, k, 3, &t, &df);
  tap_ok(isnan(p) && isnan(t) && isnan(df), "one finite value on a side: no test (p %g, t %g, df %g)", p, t, df);
  double h2[] = { NAN, 2.5, 3.75 };
  p = compare_welch(h2, 3, k, 3, &t, &df);
  double mh = 3.125, vh = (0.625 * 0.625) * 2;
  tap_rel(t, (2.0 - mh) / sqrt(vh / 2 + 1.0 / 3), 1e-13, "NaN values are left out of the t statistic");
  /* No spread on either side: equal means, p = 1; different means, p = 0. */
  double s1[] = { 0.4296875, 0.4296875, 0.4296875 }, s2[] = { 0.359375, 0.359375, 0.359375 };
  p = compare_welch(s1, 3, s1, 3, &t, &df);
  tap_ok(p == 1 && t == 0, "identical values without spread: p = 1 (observed %g), t = 0 (observed %g)", p, t);
  p = compare_welch(s1, 3, s2, 3, &t, &df);
  tap_ok(p == 0 && isinf(t) && t < 0, "different values without spread: p = 0 (observed %g), t = -Inf (observed %g)", p, t);
  /* The verdicts. */
  char v[32];
  compare_verdict(0.05, v, sizeof v);
  tap_ok(!strcmp(v, "~"), "p = 0.05 is no evidence: '%s'", v);
  compare_verdict(NAN, v, sizeof v);
  tap_ok(!strcmp(v, "~"), "no test is no evidence: '%s'", v);
  compare_verdict(0.0123, v, sizeof v);
  tap_ok(!strcmp(v, "p=0.012"), "p = 0.0123: '%s'", v);
  compare_verdict(0.0002, v, sizeof v);
  tap_ok(!strcmp(v, "p<0.001"), "p = 0.0002: '%s'", v);

  /* HTML escaping: every payload comes out as text. */
  static const struct { const char *in, *out; } cases[] = {
    { "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
    { "\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" },
    { "</svg>", "&lt;/svg&gt;" },
    { "a'b&c", "a&#39;b&amp;c" },
    { "&amp;", "&amp;amp;" },
    { "bell\a", "bell&#xFFFD;" },
    { "σ_w² = 2", "σ_w² = 2" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = escaped(cases[i].in);
    tap_ok(got && !strcmp(got, cases[i].out), "escaped '%s': observed '%s' expected '%s'", cases[i].in, got ? got : "(null)",
           cases[i].out);
    free(got);
  }
  return tap_done();
}
