# saturation-dynamics.gp - the time-lapse of saturation: per activation,
# the group of the grid whose saturation grows most (among those where no
# seed diverged and the loss did not end above 1.5 x chance), at the depth
# where it rises most, or the one --select chose.  Top: its hidden layers'
# mean slope |phi'(h)| / max|phi'| over training (saturation without a
# threshold: 1 linear, 0 flat; the group chosen where it falls most), or
# for units that can die outright (ReLU) their dead fraction; means over
# seeds, bands the 95% interval.
# Bottom: the norms of the layers' weight gradients on a log scale,
# geometric means over seeds with the 95% interval of log10: as the units
# saturate, the gradients that reach the weights fall.  A line ends where a
# seed's gradient is exactly 0 (its units froze).  At most nine layers,
# first to last.
# Data: dat, one block per (activation, layer); columns: step, slope or
# dead fraction, ci95, gradient geometric mean, low, high.  Set by
# satbench: titles, kinds (1: dead fraction), nact, ncols, prow, blocks_A
# / lcs_A, fixed, depth, tau, steps and the legend (key_*).

set multiplot title tjoin(sprintf("Saturation and weight gradients over training, depth %d%s", depth, note), \
    sprintf("%s; slope: mean |φ′(h)| / max|φ′|; bands: 95%% interval over seeds%s", fixed, \
    strstrt(kinds, "1") > 0 ? "; a gradient line ends where it is exactly 0 (dead units)" : "")) noenhanced
NR = 2 * prow; NC = ncols; IN_B = key_h + 0.45; GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42; IN_L = 0.66
eval steps_range(0)
unset key
do for [a = 1:nact] {
  pr = (a - 1) / ncols + 1
  col = (a - 1) % ncols + 1
  b = value(sprintf("blocks_%d", a))
  lc_ = value(sprintf("lcs_%d", a))
  dead = word(kinds, a) eq "1"
  do for [row = 1:2] {
    if (words(b) > 0) {
      eval place(2 * (pr - 1) + row, col)
      set title (row == 1 ? titles[a] : "") noenhanced font ",7"
      eval steps_axis(row == 1)
      if (a + ncols <= nact) { set xlabel "" }
      if (row == 1) {
        unset logscale y
        set ylabel (dead ? "dead fraction" : col == 1 ? "mean slope |φ′| / max|φ′|" : "")
        set yrange [0:1.02]
        set format y "%.1f"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):($2 - $3 < 0 ? 0 : $2 - $3):($2 + $3 > 1 ? 1 : $2 + $3) with filledcurves lc (word(lc_, k) + 0) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):2 with linespoints lc (word(lc_, k) + 0) pt 7 ps 0.25 notitle
      } else {
        set logscale y
        set ylabel (col == 1 ? "||{/Symbol \266}L/{/Symbol \266}W^l||" : "")
        set yrange [*:*]
        set format y "10^{%L}"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):5:6 with filledcurves lc (word(lc_, k) + 0) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):4 with linespoints lc (word(lc_, k) + 0) pt 7 ps 0.25 notitle
      }
    }
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with linespoints lc (word(key_lcs, k) + 0) pt 7 ps 0.3 title key_titles[k]
unset multiplot
