# learning-curves.gp - training loss and test error against optimizer
# steps (He et al. 2015 Fig. 3; Glorot & Bengio Fig. 11).
#
# One pair of panels per (variant, depth): above, the loss on the training
# evaluation subset; below, the error on the test evaluation subset
# (README, "Probes").  Colour = activation, dash = init; means over seeds
# with bands of the 95% Student-t interval (none for one seed).  Dashed
# grey: the chance loss, that of the best constant prediction (the label
# entropy for xent, not ln C) and below it the chance error, that of
# always answering the commonest training class.  A loss axis ends at 2.5
# times the chance loss when a run went higher (the title then says so).
# A panel where some series lies mostly above that cut draws its loss on
# a log axis instead (ymins > 0), so no series is hidden whole.
# A series stops where a seed diverged, marked x, rather than go on as the
# mean of fewer seeds.  Steps on a linear axis, as in He et al., unless the
# grid probed on the log schedule alone.
# Data: dat, one block per series and group; columns: step, loss, ci95,
# test error, ci95.  Set by satbench: ptitles, ngroups, ncols, grows,
# blocks_G / lcs_G / dts_G, fixed, chances, chance_errors, ymins, ymaxs
# and cuts (per group), clipped, logged, steps and the legend (key_*; a dash of 0 is
# the x marker).

set multiplot title tjoin(sprintf("Learning curves%s", note), sprintf("%s; bands: 95%% interval over seeds%s%s", fixed, \
    clipped ? "; loss axes end at 2.5× chance" : "", logged ? "; log loss axes where a run stays above that" : "")) noenhanced
NR = 2 * grows; NC = ncols; IN_B = key_h + 0.45; GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42
eval steps_range(0)
unset key
do for [gi = 1:ngroups] {
  gr = (gi - 1) / ncols + 1
  col = (gi - 1) % ncols + 1
  b = value(sprintf("blocks_%d", gi))
  lc_ = value(sprintf("lcs_%d", gi))
  dt_ = value(sprintf("dts_%d", gi))
  do for [row = 1:2] {
    eval place(2 * (gr - 1) + row, col)
    set title (row == 1 ? ptitles[gi] : "") noenhanced font ",7"
    eval steps_axis(row == 1)
    if (gi + ncols <= ngroups) { set xlabel "" }
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
           using (sx($1)):(row == 1 ? (ylo > 0 && $2 - $3 < ylo ? ylo : max0($2 - $3)) : max0($4 - $5)):(row == 1 ? $2 + $3 : min1($4 + $5)) \
           with filledcurves lc (word(lc_, k) + 0) notitle, \
         for [k = 1:words(b)] dat index (word(b, k) + 0) \
           using (sx($1)):(row == 1 ? $2 : $4) with lines lc (word(lc_, k) + 0) dt int(word(dt_, k)) notitle, \
         dat index (word(cuts, gi) + 0) using (sx($1)):(row == 1 ? $2 : $3) with points pt 2 ps 0.8 lc rgb "#000000" notitle
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with lines lc (word(key_lcs, k) + 0) dt int(word(key_dts, k) eq "0" ? "11" : word(key_dts, k)) \
       title (word(key_dts, k) eq "0" ? "" : key_titles[k]), \
     for [k = 1:|key_titles|] NaN with points pt 2 ps 0.8 lc rgb "#000000" title (word(key_dts, k) eq "0" ? key_titles[k] : "")
unset multiplot
