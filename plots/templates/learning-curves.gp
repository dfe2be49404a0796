# learning-curves.gp - training loss and test error against optimizer
# steps (He et al. 2015 Fig. 3; Glorot & Bengio Fig. 11).
#
# One pair of panels per group: above, the loss on the training
# evaluation subset; below, the error on the test evaluation subset
# (README, "Probes").  Groups are faceted by optimizer (a block of rows
# each, in the grid's order, never interleaved with the other axes), then,
# when the grid has more than four (activation, init) series, by
# activation (a row each, the inits in colour), and in columns by the
# other variant axes (learning rate, width ...) and depth; `places` puts
# each group.  Else colour = activation, dash = init.  With several
# precisions or loss scales those are the lines (colour = precision,
# dash = scale) and each (activation, init) a row of its own.  Lines: means over
# seeds; bands: with up to 5 seeds from the lowest seed to the highest,
# beyond the 95% interval of the mean (the title says which).  Dashed
# grey: the chance loss, that of the best constant prediction (the label
# entropy for xent, not ln C) and below it the chance error, that of
# always answering the commonest training class.  A loss axis ends at 2.5
# times the chance loss when a run went higher (the title then says so).
# A panel where some series lies mostly above that cut draws its loss on
# a log axis instead (ymins > 0), so no series is hidden whole.
# A series stops where a seed diverged, marked x, rather than go on as the
# mean of fewer seeds.  Steps on a linear axis, as in He et al., unless the
# grid probed on the log schedule alone.
# Data: dat, one block per series and group; columns: step, loss, low,
# high, test error, low, high.  Set by satbench: ptitles, places (row *
# ncols + column, from 0), ngroups, ncols, grows, blocks_G / lcs_G /
# dts_G, fixed, chances, chance_errors, ymins, ymaxs and cuts (per
# group), clipped, logged, steps and the legend (key_*; a dash of 0 is the
# x marker).

set multiplot title tjoin(sprintf("Learning curves%s", note), sprintf("%s%s%s", fixed, \
    clipped ? "; loss axes end at 2.5× chance" : "", logged ? "; log loss axes where a run stays above that" : "")) noenhanced
NR = 2 * grows; NC = ncols; IN_B = key_h + 0.45; GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42
eval steps_range(0)
unset key
do for [gi = 1:ngroups] {
  pl = word(places, gi) + 0
  gr = pl / ncols + 1
  col = pl % ncols + 1
  b = value(sprintf("blocks_%d", gi))
  lc_ = value(sprintf("lcs_%d", gi))
  dt_ = value(sprintf("dts_%d", gi))
  do for [row = 1:2] {
    eval place(2 * (gr - 1) + row, col)
    set title (row == 1 ? ptitles[gi] : "") noenhanced font ",7"
    eval steps_axis(row == 1)
    if (gr < grows) { set xlabel "" }
    if (row == 1) {
      set ylabel (col == 1 ? "training loss" : "")
      ylo = word(ymins, gi) + 0
      if (ylo > 0) { set logscale y; set format y "10^{%T}" } else { unset logscale y }
      set yrange [ylo:word(ymaxs, gi) + 0]
    } else {
      set ylabel (col == 1 ? "test error" : "")
      unset logscale y
      set yrange [0:1]
    }
    if (row == 2 || ylo <= 0) { set format y "%g" }
    plot (row == 1 ? word(chances, gi) + 0 : word(chance_errors, gi) + 0) with lines ls 101 notitle, \
         for [k = 1:words(b)] dat index (word(b, k) + 0) \
           using (sx($1)):(row == 1 ? (ylo > 0 && $3 < ylo ? ylo : max0($3)) : max0($6)):(row == 1 ? $4 : min1($7)) \
           with filledcurves lc (word(lc_, k) + 0) notitle, \
         for [k = 1:words(b)] dat index (word(b, k) + 0) \
           using (sx($1)):(row == 1 ? $2 : $5) with lines lc (word(lc_, k) + 0) dt int(word(dt_, k)) notitle, \
         dat index (word(cuts, gi) + 0) using (sx($1)):(row == 1 ? $2 : $3) with points pt 2 ps 0.8 lc rgb "#000000" notitle
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with lines lc (word(key_lcs, k) + 0) dt int(word(key_dts, k) eq "0" ? "11" : word(key_dts, k)) \
       title (word(key_dts, k) eq "0" ? "" : key_titles[k]), \
     for [k = 1:|key_titles|] NaN with points pt 2 ps 0.8 lc rgb "#000000" title (word(key_dts, k) eq "0" ? key_titles[k] : "")
unset multiplot
