/* test_stats.c - cell metrics and across-seed summaries against hand
 * computations. */
#include <config.h>
#include <math.h>
#include <string.h>
#include "stats.h"
#include "tap.h"

int main(void)
{
  /* Three seeds: mean, sample sd and the Student-t half-interval, by hand.
   * With 2 degrees of freedom the t CDF is 1/2 + t / (2 sqrt(2 + t^2)), so
   * t(0.975, 2) = sqrt(2 * 0.95^2 / (1 - 0.95^2)) = 4.3027; with 1 it is
   * the Cauchy quantile tan(0.475 pi) = 12.7062. */
  double t2 = sqrt(2.0 * 0.9025 / (1.0 - 0.9025)), t1 = tan(0.475 * M_PI);
  double x[] = { 2.385, 1.25, 3.5 };
  seed_summary s;
  stats_over_seeds(x, 3, &s);
  double mean = (2.385 + 1.25 + 3.5) / 3.0;
  double ss = (2.385 - mean) * (2.385 - mean) + (1.25 - mean) * (1.25 - mean) + (3.5 - mean) * (3.5 - mean);
  double sd = sqrt(ss / 2.0);
  tap_ok(s.n == 3, "n of three seeds: observed %zu expected 3", s.n);
  tap_rel(s.mean, mean, 1e-15, "mean of three seeds");
  tap_rel(s.sd, sd, 1e-14, "sample sd of three seeds");
  tap_rel(s.ci95, t2 * sd / sqrt(3.0), 1e-9, "95% half-interval of three seeds");

  /* NaN values (a seed without this measurement) are left out. */
  double y[] = { NAN, 0.75, NAN, 1.5 };
  stats_over_seeds(y, 4, &s);
  tap_ok(s.n == 2, "NaN values are skipped: n observed %zu expected 2", s.n);
  tap_rel(s.mean, 1.125, 1e-15, "mean without the NaN values");
  tap_rel(s.ci95, t1 * (0.75 / sqrt(2.0)) / sqrt(2.0), 1e-9, "95% half-interval of two seeds (t = 12.7062)");
  double z[] = { 0.5 };
  stats_over_seeds(z, 1, &s);
  tap_ok(s.n == 1 && s.mean == 0.5 && isnan(s.sd) && isnan(s.ci95), "one seed: mean 0.5, sd and interval NaN");

  /* A cell whose ||delta^l|| = 3.7 * 10^(0.45 l) exactly: decay_rate 0.45,
   * R^2 = 1, attenuation log10(delta1/delta5) = -1.8. */
  enum { DEPTH = 5 };
  probe_row first[DEPTH + 1], last[DEPTH + 1];
  memset(first, 0, sizeof first);
  memset(last, 0, sizeof last);
  for (int l = 1; l <= DEPTH + 1; l++) {
    first[l - 1].v[PROBE_DELTA_NORM] = 3.7 * pow(10.0, 0.45 * l);
    last[l - 1].v[PROBE_DELTA_NORM] = 2.0 * pow(10.0, 0.1 * l * l);  /* not a line */
    last[l - 1].v[PROBE_SAT_FRAC] = 0.1 * l;
    last[l - 1].v[PROBE_DEAD_FRAC] = l == 2 ? 0.5 : 0.0;
  }
  cell_stats c;
  stats_cell(first, last, DEPTH, 0, &c);
  tap_rel(c.decay_rate, 0.45, 1e-12, "decay_rate of an exact exponential profile");
  tap_rel(c.decay_rate_r2, 1.0, 1e-12, "R^2 of an exact fit");
  tap_rel(c.attenuation0, -0.45 * 4, 1e-12, "attenuation0 = log10(delta1/delta_depth)");
  tap_rel(c.attenuation_end, 0.1 * (1 - 25), 1e-12, "attenuation_end");
  tap_rel(c.end_mean[PROBE_SAT_FRAC], (0.1 + 0.2 + 0.3 + 0.4 + 0.5) / 5, 1e-14, "sat_frac_end = mean over hidden layers");
  tap_rel(c.end_mean[PROBE_DEAD_FRAC], 0.1, 1e-14, "dead_frac_end = mean over hidden layers");

  /* A bent profile: R^2 by hand for y = 0.1 l^2, l = 1..5 (log10 of 2 cancels
   * in the residuals): fitted slope 0.6, SSE = 0.14, SST = 3.74. */
  stats_cell(last, NULL, DEPTH, 0, &c);
  tap_rel(c.decay_rate, 0.6, 1e-12, "slope of log10 norms 0.1 l^2 by least squares");
  tap_rel(c.decay_rate_r2, 1.0 - 0.14 / 3.74, 1e-12, "R^2 of a bent profile");
  tap_rel(c.attenuation_end, NAN, 0, "no last probe gives NaN attenuation_end");
  tap_rel(c.end_mean[PROBE_SAT_FRAC], NAN, 0, "no last probe gives NaN sat_frac_end");
  double e;
  tap_ok(!tap_rel_ok(0.5, NAN, 1e300, &e) && !tap_rel_ok(NAN, 0.5, 1e300, &e) && tap_rel_ok(NAN, NAN, 0, &e)
         && tap_rel_ok(INFINITY, INFINITY, 0, &e) && !tap_rel_ok(-INFINITY, INFINITY, 0, &e),
         "tap_rel: NaN expects NaN and an infinity itself, and nothing else matches them");

  /* With skip connections the profile is the stream's, ||dL/da^l||: here
   * 5.2 * 10^(-0.05 l) (decay_rate -0.05, attenuation0 log10(g1/g5) =
   * +0.2), while delta_norm keeps the exact 0.45 l profile above, and a
   * branch scale s = 1/sqrt(20) at every layer but the first (delta^1
   * carries no s: the jump of log10 s the stream does not have). */
  {
    probe_row sf[DEPTH + 1], sl[DEPTH + 1];
    memset(sf, 0, sizeof sf);
    memset(sl, 0, sizeof sl);
    for (int l = 1; l <= DEPTH + 1; l++) {
      sf[l - 1].v[PROBE_DELTA_NORM] = 3.7 * pow(10.0, 0.45 * l) * (l > 1 ? 1.0 / sqrt(20.0) : 1.0);
      sf[l - 1].v[PROBE_STREAM_GRAD_NORM] = 5.2 * pow(10.0, -0.05 * l);
      sl[l - 1].v[PROBE_DELTA_NORM] = 1.0;
      sl[l - 1].v[PROBE_STREAM_GRAD_NORM] = 2.0 * pow(10.0, 0.1 * l * l);
    }
    stats_cell(sf, sl, DEPTH, 1, &c);
    tap_rel(c.attenuation0, 0.05 * 4, 1e-12, "skips: attenuation0 = log10(||dL/da^1|| / ||dL/da^depth||), the stream's");
    tap_rel(c.attenuation_end, 0.1 * (1 - 25), 1e-12, "skips: attenuation_end from the stream at the last probe");
    tap_rel(c.decay_rate, -0.05, 1e-12, "skips: decay_rate, the slope of log10 ||dL/da^l||");
    tap_rel(c.decay_rate_r2, 1.0, 1e-12, "skips: R^2 of the stream's exact profile");
    stats_cell(sf, sl, DEPTH, 0, &c);
    tap_rel(c.attenuation0, -0.45 * 4 + 0.5 * log10(20.0), 1e-12,
            "no skips: the same rows give the delta profile's attenuation0 (with its jump at layer 1)");
  }

  /* A zero norm (all units dead) has no log-linear fit. */
  first[2].v[PROBE_DELTA_NORM] = 0.0;
  stats_cell(first, last, DEPTH, 0, &c);
  tap_ok(isnan(c.decay_rate) && isnan(c.decay_rate_r2), "a zero delta norm gives NaN decay_rate, not a crash");
  return tap_done();
}
