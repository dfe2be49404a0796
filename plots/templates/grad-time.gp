# grad-time.gp - the gradient against "steps in the past" (Pascanu,
# Mikolov & Bengio 2013, Fig. 2's view; Bengio et al. 1994).
#
# For a recurrent cell unrolled over T steps, the norm of the gradient
# reaching the hidden state k steps before the last, ||dL/dh_{T-k}||,
# relative to the last step's ||dL/dh_T|| (layers.tsv's stream_grad_norm
# at t = T - k over the one at t = T), against k: a vanishing gradient
# falls like (sigma_max(W_hh) gamma)^k, an exploding one rises.  A row per
# recurrent cell type (and width or loss when they vary); on the left at
# initialization, beside it at the last probe, a panel per trained variant
# (learning rate, optimizer).  The longest T of the grid, or the one
# --select depth=T chose.  A line per (activation, init): colour =
# activation, dash = init (colour = init with one activation).  Ratios per
# cell, then pooled over seeds on log10: the line is their geometric mean;
# the band, with up to 5 seeds, from the lowest seed to the highest,
# beyond that the 95% interval of the mean (the title says which).  A row
# shares its y range, so that training's change reads across.
# Data: dat, a block per (panel, activation, init); columns: k, ratio
# geometric mean, lo, hi.  Set by satbench: ptitles, places (row-major slot
# of each panel), blocks_P / lcs_P / dts_P, ylos / yhis (per panel, decades: exponents of 10),
# npanels, ncols, nrows, T, fixed and the legend (key_*).

set multiplot title tjoin(sprintf("Gradient against steps in the past, T = %d%s", T, note), fixed) noenhanced
NR = nrows; NC = ncols; IN_B = key_h + 0.5; GAP_Y = 0.5; GAP_X = 0.5; IN_L = 0.75
set logscale y
set format y "10^{%L}"
set xrange [-0.5:T - 0.5]
if (T > 12) { set xtics 0, (T > 60 ? 20 : T > 30 ? 10 : 5) } else { set xtics 0, 1 }
unset key
do for [p = 1:npanels] {
  b = value(sprintf("blocks_%d", p))
  lc_ = value(sprintf("lcs_%d", p))
  dt_ = value(sprintf("dts_%d", p))
  slot = word(places, p) + 0
  r = slot / ncols + 1
  eval place(r, slot % ncols + 1)
  set title ptitles[p] noenhanced font ",7"
  set xlabel (r == nrows ? "steps in the past, k = T − t" : "")
  set ylabel (slot % ncols == 0 ? "||{/Symbol \266}L/{/Symbol \266}h_{T−k}|| / ||{/Symbol \266}L/{/Symbol \266}h_T||" : "")
  set yrange [10.0**(word(ylos, p) + 0):10.0**(word(yhis, p) + 0)]
  if (words(b) > 0) {
    plot 1 with lines ls 101 notitle, \
         for [k = 1:words(b)] dat index (word(b, k) + 0) \
           using 1:3:4 with filledcurves lc (word(lc_, k) + 0) notitle, \
         for [k = 1:words(b)] dat index (word(b, k) + 0) \
           using 1:2 with linespoints lc (word(lc_, k) + 0) dt int(word(dt_, k)) pt 7 ps 0.3 notitle
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with linespoints lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) \
       pt 7 ps 0.3 title key_titles[k]
unset multiplot
