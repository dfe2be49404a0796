# histograms.gp - Figure 6: distributions of activations and of
# back-propagated errors per layer (Glorot & Bengio's Figures 6 and 7).
#
# Normalized histograms (densities) of each hidden layer's outputs and of
# its back-propagated error delta^l on the probe batch of one network (seed
# 0), at initialization and at the end of training.  Rows: initializations
# (standard on top, as in the paper).  All layers of a panel share its bins.
# Data: histograms.dat, a block per (init, moment, kind, layer) in that
# order; columns: bin centre, density.  Set by satbench: act, inits,
# inits_text (the same, escaped for enhanced text), endsteps, ninit, depth,
# width, xmax_S_P (half-width of the x axis of panel P in row S).

set multiplot layout ninit, 4 margins 0.07, 0.98, 0.12, 0.84 spacing 0.05, 0.12 \
    title sprintf("%s network, depth %d, width %d: distributions per layer (seed 0)", act, depth, width) noenhanced
set yrange [0:*]
set format y "%g"
do for [s = 1:ninit] {
  do for [p = 1:4] {
    moment = (p - 1) / 2
    kind = (p - 1) % 2
    set title sprintf("%s, %s, %s", kind == 0 ? "activations" : "back-propagated {/Symbol d}", \
                      moment == 0 ? "init" : sprintf("step %s", word(endsteps, s)), word(inits_text, s)) font ",7"
    set xlabel (s == ninit ? (kind == 0 ? "output value" : "{/Symbol d} value") : "")
    set ylabel (p == 1 ? "density" : "")
    # One legend for the figure, above the panels, where it hides nothing.
    if (s == 1 && p == 1) { set key at screen 0.5, screen 0.925 center center horizontal Left reverse title "layer" } else { unset key }
    first = (((s - 1) * 4 + moment * 2 + kind) * depth)
    xm = value(sprintf("xmax_%d_%d", s, p))
    set xrange [-xm:xm]
    set xtics -xm, xm / 2.0, xm
    set format x "%.2g"
    plot for [l = 1:depth] dat index (first + l - 1) using 1:2 \
           with lines lc l title sprintf("%d", l)
  }
}
unset multiplot
