# flush-depth.gp - where an emulated format flushes the vanishing gradient
# to zero: the depth below the last hidden layer of the first layer whose
# error entries delta are at least half exactly 0 at initialization,
# measured (cells.tsv's flush_depth0) against the mean-field prediction
# (flush_depth_theory: the profile chi_1 gives times the top layer's
# measured error scale and the loss scale, against half the format's
# smallest subnormal over the median of |N(0, 1)|).
#
# A panel per activation; a point per network (its seed: cells that
# differ only in the learning rate or the optimizer are one network at
# step 0), coloured by precision, an open or filled mark per loss scale,
# a mark's area the number of networks at that (predicted, measured);
# the series moved off each other along the diagonal by a fraction of a
# layer, since depths are whole numbers.  On the diagonal the theory is
# right; "none" beyond the axis is a depth one of the two does not have
# (no layer flushed, or the theory predicts none).
# Data: dat, a block per (panel, series) of (predicted, measured, networks).  Set by
# satbench: ptitles, lcs and pts (per series), fixed, npanels, nser, ncols,
# nrows, none (where "none" is drawn), xstep and the legend (key_*).

set multiplot title tjoin(sprintf("Underflow depth at initialization: measured against predicted%s", note), fixed) noenhanced
NR = nrows; NC = ncols; IN_B = key_h + 0.45; GAP_X = 0.45; GAP_Y = 0.3
unset key
set xrange [-0.7:none + 0.7]
set yrange [-0.7:none + 0.7]
set xtics 0, xstep, none - 1.5
set xtics add ("none" none)
set ytics 0, xstep, none - 1.5
set ytics add ("none" none)
set mxtics 1
set mytics 1
do for [p = 1:npanels] {
  eval place((p - 1) / ncols + 1, (p - 1) % ncols + 1)
  set title ptitles[p] noenhanced font ",8"
  set xlabel (p + ncols > npanels ? "predicted (layers below the top)" : "")
  set ylabel ((p - 1) % ncols == 0 ? "measured (layers below the top)" : "")
  # the diagonal, and the "none" row and column set apart
  set arrow 1 from first 0, first 0 to first none - 1.2, first none - 1.2 nohead ls 101
  set arrow 2 from first none - 1, graph 0 to first none - 1, graph 1 nohead lc rgb "#dddddd" lw 0.6
  set arrow 3 from graph 0, first none - 1 to graph 1, first none - 1 nohead lc rgb "#dddddd" lw 0.6
  plot for [s = 1:nser] dat index ((p - 1) * nser + s - 1) using 1:2:(0.45 * sqrt($3)) with points lc (word(lcs, s) + 0) pt (word(pts, s) + 0) ps variable
}
unset arrow
eval key_strip
plot for [k = 1:|key_titles|] NaN with points lc (word(key_lcs, k) + 0) pt (word(key_dts, k) + 0) ps 0.8 title key_titles[k]
unset multiplot
