# saturation-training.gp - activations and saturation per layer over
# training, in the manner of Glorot & Bengio's Figures 2 (sigmoid) and 3
# (tanh).
#
# Top row: the mean of each hidden layer's outputs on the probe set (the
# quantity of Glorot's Figure 2), on a y range fitted per activation to
# the means and their spread; bottom row: the layer's mean slope
# |phi'(h)| / max|phi'| over the probe set's (example, unit) pairs: 1 is
# the linear regime, 0 flat; saturation measured without a threshold
# (Glorot's sigmoid top layer ends near 0.04 with 15% of its slope left,
# which sat_frac's threshold, 5% of the slope, does not count).  Lines:
# means over seeds; bands: with up to 5 seeds from the lowest to the
# highest, beyond the 95% interval of the mean (the title says which).
# The outputs' percentiles are in layers.tsv (act_p02, act_p98), their
# distributions in the histograms figure.  One depth (nearest 4, as in
# the paper, or the one --select chose), one init (standard when the grid
# has it) and the variant whose slope falls most (among those where no
# seed diverged and no loss ended above 1.5 x chance); at most nine
# layers, first to last (the legend says when some are not drawn).
# Data: dat, one block per (activation, layer); columns: step, act mean,
# low, high, slope_mean, low, high.  Set by satbench: acts, nact, ncols,
# prow, blocks_A / layers_A / lcs_A (the layers' colours), ylo_A / yhi_A,
# what, depth, tau, relu (a ReLU-like activation is drawn), steps and the
# legend (key_*).

caption = sprintf("top: mean of a layer's outputs;%sbottom: mean slope |φ′(h)| / max|φ′|%s", \
    fig_w > 5 ? " " : "\n", relu ? " (a ReLU's: its active share)" : "")
set multiplot title tjoin(sprintf("Activations and saturation per layer during training, depth %d%s", depth, note), what) . "\n" . caption noenhanced
NR = 2 * prow; NC = ncols; IN_B = key_h + 0.45; IN_T = (fig_w > 5 ? 0.62 : 1.3); GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42
eval steps_range(0)
unset key
do for [a = 1:nact] {
  pr = (a - 1) / ncols + 1
  col = (a - 1) % ncols + 1
  b = value(sprintf("blocks_%d", a))
  lc_ = value(sprintf("lcs_%d", a))
  do for [row = 1:2] {
    if (words(b) > 0) {
      eval place(2 * (pr - 1) + row, col)
      set title (row == 1 ? acts[a] : "") noenhanced font ",7"
      eval steps_axis(row == 1)
      if (a + ncols <= nact) { set xlabel "" }
      if (row == 1) {
        set ylabel (col == 1 ? "mean output" : "")
        set yrange [value(sprintf("ylo_%d", a)):value(sprintf("yhi_%d", a))]
        set format y "%.3g"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):3:4 with filledcurves lc (word(lc_, k) + 0) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):2 with linespoints lc (word(lc_, k) + 0) pt 7 ps 0.25 notitle
      } else {
        set ylabel (col == 1 ? "mean slope |φ′| / max|φ′|" : "")
        set yrange [0:1.02]
        set format y "%.1f"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):(max0($6)):(min1($7)) with filledcurves lc (word(lc_, k) + 0) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):5 with linespoints lc (word(lc_, k) + 0) pt 7 ps 0.25 notitle
      }
    }
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with linespoints lc (word(key_lcs, k) + 0) pt 7 ps 0.3 title key_titles[k]
unset multiplot
