# grad-layers.gp - gradient norms per layer at initialization.
#
# Top of each pair of rows: the norm of the back-propagated error
# ||delta^l|| (Glorot & Bengio's eq. 6); below: the norm of the weight
# gradient ||dL/dW^l|| (their eq. 7), at the deepest depth of the grid (or
# the one --select chose).  One panel per activation, a line per
# initialization (colour; dash: width, when the grid has several).  At
# initialization the learning rate, optimizer and loss do not matter.
# Norms span decades, so seeds are pooled on the log scale: the line is the
# geometric mean over seeds; the band, with up to 5 seeds, runs from the
# lowest seed to the highest, beyond that it is the 95% Student-t interval
# of the mean of log10 (the title says which, and over how many seeds).
# Data: dat, block k = a series; columns: layer, delta geometric mean, lo,
# hi, gradW geometric mean, lo, hi.  Set by satbench: acts, nact, ncols,
# prow, blocks_A / lcs_A / dts_A (per activation A), depth, fixed, and the
# legend (key_*).

set multiplot title tjoin(sprintf("Gradient norms per layer at initialization, depth %d%s", depth, note), \
    fixed) noenhanced
NR = 2 * prow; NC = ncols; IN_B = key_h + 0.45; GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42
set logscale y
set format y "10^{%L}"
set xrange [0.5:depth + 0.5]
if (depth > 10) { set xtics 0, (depth > 30 ? 10 : 5); set xtics add (1) } else { set xtics 1, 1 }
unset key
do for [a = 1:nact] {
  pr = (a - 1) / ncols + 1
  col = (a - 1) % ncols + 1
  b = value(sprintf("blocks_%d", a))
  lc_ = value(sprintf("lcs_%d", a))
  dt_ = value(sprintf("dts_%d", a))
  do for [row = 1:2] {
    if (words(b) > 0) {
      eval place(2 * (pr - 1) + row, col)
      set title (row == 1 ? acts[a] : "") noenhanced font ",7"
      set xlabel (row == 2 && (a + ncols > nact) ? "layer l (1 = first hidden)" : "")
      set format x (row == 2 ? "%g" : "")
      set ylabel (col == 1 ? (row == 1 ? "||{/Symbol d}^l||" : "||{/Symbol \266}L/{/Symbol \266}W^l||") : "")
      c = 2 + 3 * (row - 1)
      plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
             using 1:c+1:c+2 with filledcurves lc (word(lc_, k) + 0) notitle, \
           for [k = 1:words(b)] dat index (word(b, k) + 0) \
             using 1:c with linespoints lc (word(lc_, k) + 0) dt int(word(dt_, k)) pt 7 ps 0.3 notitle
    }
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with linespoints lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) \
       pt 7 ps 0.3 title key_titles[k]
unset multiplot
