/* test_shard.c - the split of a grid over N shards: every cell in exactly
 * one shard, the same split on every call, the largest shard at most the
 * average plus one cell (longest-first, least-loaded), K/N parsing; and on
 * real configurations through grid_shards. */
#include <config.h>
#include "tap.h"
#include "../src/cfg.h"
#include "../src/grid.h"
#include "../src/shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Check one split; returns max load / average load. */
static double check_split(const char *what, const double *cost, size_t n, size_t N)
{
  size_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  double *load = calloc(N, sizeof *load), *mine = calloc(N, sizeof *mine);
  int ok1 = shard_assign(cost, n, N, a, load) == SB_OK;
  int ok2 = shard_assign(cost, n, N, b, NULL) == SB_OK;
  int in_range = 1, same = 1;
  double total = 0.0, biggest = 0.0;
  for (size_t c = 0; c < n; c++) {
    in_range &= a[c] < N;
    same &= a[c] == b[c];
    if (a[c] < N) mine[a[c]] += cost[c];
    total += cost[c];
    if (cost[c] > biggest) biggest = cost[c];
  }
  /* Each cell is in exactly one shard: the shards' cost sums recount
   * every cell once. */
  int sums_match = 1;
  double worst = 0.0;
  for (size_t s = 0; s < N; s++) {
    sums_match &= mine[s] == load[s];
    if (load[s] > worst) worst = load[s];
  }
  double avg = total / (double)N;
  tap_ok(ok1 && ok2 && in_range, "%s: every cell gets a shard in 0..%zu", what, N - 1);
  tap_ok(same, "%s: the same split on a second call", what);
  tap_ok(sums_match, "%s: the loads reported are the cells' costs, each cell counted once", what);
  tap_ok(worst <= avg + biggest * (1 + 1e-12), "%s: largest shard %.4g <= average %.4g + one cell %.4g", what, worst,
         avg, biggest);
  free(a);
  free(b);
  free(load);
  free(mine);
  return avg > 0 ? worst / avg : 1.0;
}

static int parse_ok(const char *text, size_t k, size_t n)
{
  size_t kk = 99, nn = 99;
  sb_error e;
  sb_error_clear(&e);
  return shard_parse("shard", text, &kk, &nn, &e) == SB_OK && kk == k && nn == n;
}

static int parse_bad(const char *text)
{
  size_t kk, nn;
  sb_error e;
  sb_error_clear(&e);
  return shard_parse("shard", text, &kk, &nn, &e) == SB_EUSAGE && strstr(e.msg, "--shard") != NULL;
}

/* The split of a real configuration (a preset or options) through grid_shards. */
static void check_config(const char *what, int argc, char **argv, size_t N)
{
  sb_config *cfg = malloc(sizeof *cfg);
  sb_error e;
  sb_error_clear(&e);
  if (cfg_parse(cfg, CMD_GRID, argc, argv, stdout, &e) != SB_OK) {
    tap_ok(0, "%s: configuration parses (%s)", what, e.msg);
    free(cfg);
    return;
  }
  size_t n = cfg_n_cells(cfg);
  size_t *of = NULL;
  double *load = calloc(N, sizeof *load);
  int rc = grid_shards(cfg, N, &of, load, &e);
  size_t *count = calloc(N, sizeof *count);
  int in_range = rc == SB_OK;
  for (size_t c = 0; in_range && c < n; c++) {
    in_range &= of[c] < N;
    if (of[c] < N) count[of[c]]++;
  }
  double total = 0.0, worst = 0.0;
  size_t sum = 0, empty = 0;
  for (size_t s = 0; s < N; s++) {
    total += load[s];
    if (load[s] > worst) worst = load[s];
    sum += count[s];
    empty += count[s] == 0;
  }
  tap_ok(in_range && sum == n, "%s, N = %zu: the %zu cells are split, each into one shard", what, N, n);
  tap_ok(n < N || empty == 0, "%s, N = %zu: no shard is empty", what, N);
  tap_diag("%s, N = %zu: largest shard / average = %.4f", what, N, worst / (total / (double)N));
  free(of);
  free(load);
  free(count);
  free(cfg);
}

int main(void)
{
  tap_ok(parse_ok("0/1", 0, 1) && parse_ok("3/4", 3, 4) && parse_ok("63/64", 63, 64), "K/N parses");
  const char *bad[] = { "4/4", "5/2", "-1/2", "1/0", "2", "a/b", "/4", "1/", "1/2/3", "", "1 /2", "0x1/2" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    tap_ok(parse_bad(bad[i]), "'%s' is refused, naming --shard", bad[i]);

  /* Equal costs: shards differ by at most one cell. */
  enum { N_EQ = 100 };
  double eq[N_EQ];
  for (size_t c = 0; c < N_EQ; c++) eq[c] = 1.0;
  double r = check_split("100 equal cells over 7", eq, N_EQ, 7);
  tap_ok(r <= 15.0 / (100.0 / 7.0) + 1e-12, "100 equal cells over 7: largest is 15 cells (ratio %.4f)", r);

  /* Costs spread over three orders of magnitude, as depth x width^2 do. */
  enum { N_R = 1000 };
  double *rc = malloc(N_R * sizeof *rc);
  unsigned long x = 12345;
  for (size_t c = 0; c < N_R; c++) {
    x = x * 6364136223846793005UL + 1442695040888963407UL;
    rc[c] = 1.0 + (double)(x >> 40) / (double)(1UL << 24) * 999.0;
  }
  size_t Ns[] = { 1, 2, 3, 4, 16, 64, 1000, 1500 };
  for (size_t i = 0; i < sizeof Ns / sizeof Ns[0]; i++) {
    char what[64];
    snprintf(what, sizeof what, "1000 random cells over %zu", Ns[i]);
    double ratio = check_split(what, rc, N_R, Ns[i]);
    tap_diag("%s: largest / average = %.4f", what, ratio);
  }
  free(rc);

  /* One shard: everything in shard 0.  More shards than cells: one cell each at most. */
  size_t of[5];
  double five[5] = { 5, 4, 3, 2, 1 };
  shard_assign(five, 5, 8, of, NULL);
  int distinct = 1;
  for (size_t i = 0; i < 5; i++)
    for (size_t j = 0; j < i; j++) distinct &= of[i] != of[j];
  tap_ok(distinct && of[0] == 0 && of[4] == 4, "5 cells over 8 shards: one each, longest in shard 0");

  char *quick[] = { "--preset", "quick", "--quiet" };
  size_t qN[] = { 4, 16, 64 };
  for (size_t i = 0; i < 3; i++) check_config("quick preset", 3, quick, qN[i]);
  char *big[] = { "--activations", "sigmoid,tanh,relu,elu,selu", "--inits", "standard,xavier_normal,he_normal,lecun_normal",
                  "--depths", "2,5,10,20,40", "--widths", "32,128", "--seeds", "5", "--optimizers", "sgd", "--quiet" };
  for (size_t i = 0; i < 3; i++) check_config("1000-cell grid", 13, big, qN[i]);
  return tap_done();
}
