# saturation-training.gp - activations and saturation per layer over
# training, in the manner of Glorot & Bengio's Figures 2 (sigmoid) and 3
# (tanh).
#
# Top row: the mean of each hidden layer's outputs on the probe set, with
# bars from its 2nd to its 98th percentile (both means over seeds); bottom
# row: the layer's mean slope |phi'(h)| / max|phi'| over the probe set's
# (example, unit) pairs, with bands of the 95% interval over seeds: 1 is
# the linear regime, 0 flat; saturation measured without a threshold
# (Glorot's sigmoid top layer keeps sat_frac 0 while it loses most of its
# slope).  One depth (nearest 4, as in the paper, or the
# one --select chose), one init (standard when the grid has it) and the
# variant whose saturation rises most (among those where no seed diverged
# and no loss ended above 1.5 x chance); at most nine layers, first to last.
# Data: dat, one block per (activation, layer); columns: step, act mean,
# p02, p98, slope_mean, slope_mean ci95, bar (1: draw the percentile bar
# there: at most about a dozen steps).  Set by satbench: acts, nact, ncols,
# prow, blocks_A / layers_A / lcs_A (the layers' colours), what, depth, tau, relu (a ReLU-like activation is drawn), steps and the legend (key_*).

# Layers' bars side by side around each logged step, so none hides another.
# On a linear axis a group is kept inside [0, steps] (the bars of step 0
# go to its right, those of the last step to its left).
hw_(n) = (n - 1) / 2.0 * steps * 0.008
xmid_(s, n) = s < hw_(n) ? hw_(n) : (s > steps - hw_(n) ? steps - hw_(n) : s)
xoff(s, k, n) = logsteps ? sx(s) * 1.07 ** (k - (n + 1) / 2.0) : xmid_(s, n) + (k - (n + 1) / 2.0) * steps * 0.008

caption = sprintf("bars: 2nd to 98th percentile of a layer's outputs;%sslope: mean |φ′(h)| / max|φ′|%s;%sbands: 95%% interval over seeds", \
    fig_w > 5 ? " " : "\n", relu ? " (a ReLU's: its active share)" : "", fig_w > 5 ? " " : "\n")
set multiplot title tjoin(sprintf("Activations and saturation per layer during training, depth %d%s", depth, note), what) . "\n" . caption noenhanced
NR = 2 * prow; NC = ncols; IN_B = key_h + 0.45; IN_T = (fig_w > 5 ? 0.62 : 0.98); GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42
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
        set ylabel (col == 1 ? "output: mean, 2-98 %" : "")
        set yrange [*:*]
        set format y "%.3g"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (xoff($1, k, words(b))):($7 > 0.5 ? $2 : NaN):3:4 with yerrorbars lc (word(lc_, k) + 0) lw 0.6 dt 1 pt 7 ps 0.25 notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):2 with lines lc (word(lc_, k) + 0) notitle
      } else {
        set ylabel (col == 1 ? "mean slope |φ′| / max|φ′|" : "")
        set yrange [0:1.02]
        set format y "%.1f"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):($5 - $6):($5 + $6) with filledcurves lc (word(lc_, k) + 0) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):5 with linespoints lc (word(lc_, k) + 0) pt 7 ps 0.25 notitle
      }
    }
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with linespoints lc (word(key_lcs, k) + 0) pt 7 ps 0.3 title key_titles[k]
unset multiplot
