# saturation-training.gp - Figure 2: saturation over training, per layer.
#
# In the manner of Glorot & Bengio's Figures 2 (sigmoid) and 3 (tanh): top
# row, the mean of each hidden layer's outputs on the probe batch, with bars
# of one standard deviation (mean over seeds of the per-layer sd); bottom
# row, the fraction of saturated (unit, input) pairs, with 95% bands over
# seeds.  Data: saturation-training.dat, one block per (activation, layer);
# columns: step, act mean, act sd, sat_frac, sat_frac ci95, act p98.
# Set by satbench: acts, nact, blocks_A / layers_A, init, depth, width, maxstep.

# Layers' bars side by side around each logged step, so none hides another.
dx(k, n) = (k - (n + 1) / 2.0) * maxstep * 0.012

set multiplot layout 2, nact margins 0.63 / fig_w, 0.98, 0.11, 0.86 spacing 0.35 / fig_w, 0.08 \
    title sprintf("Activations and saturation per layer during training (%s init, depth %d, width %d)", init, depth, width)
set xrange [-0.02 * maxstep:1.02 * maxstep]
set offsets 0, 0, 0, 0
do for [row = 1:2] {
  do for [a = 1:nact] {
    b = value(sprintf("blocks_%d", a))
    ls = value(sprintf("layers_%d", a))
    set title (row == 1 ? word(acts, a) : "") noenhanced
    set xlabel (row == 2 ? "optimizer steps" : "")
    set format x (row == 2 ? "%g" : "")
    if (row == 1) {
      set ylabel (a == 1 ? "activation mean ± sd" : "")
      set yrange [*:*]
      set format y "%g"
    } else {
      set ylabel (a == 1 ? "saturated fraction" : "")
      set yrange [0:1]
      set format y "%.1f"
    }
    # One legend for the figure, above the panels, where it hides nothing.
    if (row == 1 && a == 1) { set key at screen 0.5, screen 0.935 center center horizontal Left reverse title "layer" } else { unset key }
    if (words(b) == 0) {
      set multiplot next
    } else {
      if (row == 1) {
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using ($1 + dx(k, words(b))):2:3 with yerrorbars lc (word(ls, k) + 0) lw 0.6 pt 7 ps 0.25 notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using 1:2 with lines lc (word(ls, k) + 0) title word(ls, k)
      } else {
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using 1:($4 - $5):($4 + $5) with filledcurves lc (word(ls, k) + 0) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using 1:4 with linespoints lc (word(ls, k) + 0) title word(ls, k)
      }
    }
  }
}
unset multiplot
