# saturation-dynamics.gp - the time-lapse of saturation: a panel per
# (activation, init), the inits side by side (or the preferred one when
# the grid has more than four), every panel at the same variant (learning
# rate, optimizer ...) and depth: where saturation rises most over all the
# panels together (among groups where no seed diverged and no loss ended
# above 1.5 x chance), or what --select chose.  The title says the choice.
# Top: the hidden layers' mean slope |phi'(h)| / max|phi'| over training
# (saturation without a threshold: 1 linear, 0 flat), or for units that
# can die outright (ReLU) their dead fraction.
# Bottom: the norms of the layers' weight gradients on a log scale,
# geometric means over seeds: as the units saturate, the gradients that
# reach the weights fall.  A line ends where a seed's gradient is exactly
# 0 (its units froze).  At most nine layers, first to last (the legend
# says when some are not drawn).
# Bands: with up to 5 seeds from the lowest seed to the highest, beyond
# that the 95% interval of the mean (of log10 for the norms); the title
# says which and over how many seeds.
# Data: dat, one block per (panel, layer); columns: step, slope or dead
# fraction, low, high, gradient geometric mean, low, high.  Set by
# satbench: choice (the rule, or ''), titles, kinds (1: dead fraction, per panel), npan, ncols,
# prow, blocks_P / lcs_P, fixed, depth, tau, steps and the legend (key_*).

details = sprintf("%s%s%s", fixed, strstrt(kinds, "0") > 0 ? "; slope: mean |φ′(h)| / max|φ′|" : "", \
    strstrt(kinds, "1") > 0 ? "; a gradient line ends where it is exactly 0 (dead units)" : "")
# three lines (the choice on its own), or one per "; "-part on a one-column figure
if (fig_w > 5) { lines_ = (choice ne "" ? choice . "\n" : "") . details } else { lines_ = semis_((choice ne "" ? choice . "; " : "") . details) }
set multiplot title sprintf("Saturation and weight gradients over training, depth %d%s", depth, note) . "\n" . lines_ noenhanced
TL_ = 1 + (fig_w > 5 ? 1 + (choice ne "") : 1 + nsemi_((choice ne "" ? choice . "; " : "") . details))
NR = 2 * prow; NC = ncols; IN_B = key_h + 0.45; GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42; IN_L = 0.66
eval steps_range(0)
unset key
do for [p = 1:npan] {
  pr = (p - 1) / ncols + 1
  col = (p - 1) % ncols + 1
  b = value(sprintf("blocks_%d", p))
  lc_ = value(sprintf("lcs_%d", p))
  dead = word(kinds, p) eq "1"
  do for [row = 1:2] {
    if (words(b) > 0) {
      eval place(2 * (pr - 1) + row, col)
      set title (row == 1 ? titles[p] : "") noenhanced font ",7"
      eval steps_axis(row == 1)
      if (p + ncols <= npan) { set xlabel "" }
      if (row == 1) {
        unset logscale y
        set ylabel (dead ? "dead fraction" : col == 1 ? "mean slope |φ′| / max|φ′|" : "")
        set yrange [0:1.02]
        set format y "%.1f"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):(max0($3)):(min1($4)) with filledcurves lc (word(lc_, k) + 0) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):2 with linespoints lc (word(lc_, k) + 0) pt 7 ps 0.25 notitle
      } else {
        set logscale y
        set ylabel (col == 1 ? "||{/Symbol \266}L/{/Symbol \266}W^l||" : "")
        set yrange [*:*]
        set format y "10^{%L}"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):6:7 with filledcurves lc (word(lc_, k) + 0) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):5 with linespoints lc (word(lc_, k) + 0) pt 7 ps 0.25 notitle
      }
    }
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with linespoints lc (word(key_lcs, k) + 0) pt 7 ps 0.3 title key_titles[k]
unset multiplot
