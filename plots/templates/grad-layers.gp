# grad-layers.gp - Figure 1: gradient norms per layer at initialization.
#
# Top row: norm of the back-propagated error ||delta^l|| (Glorot & Bengio's
# eq. 6); bottom row: norm of the weight gradient ||dL/dW^l|| (their eq. 7).
# One panel per activation, a line per initialization.  Norms span decades,
# so seeds are pooled on the log scale: the line is the geometric mean over
# seeds and the band the 95% Student-t interval of log10 norm.
# Data: grad-layers.dat, block k = series (activation, init); columns:
# layer, delta geometric mean, lo, hi, gradW geometric mean, lo, hi.
# Set by satbench: acts, inits, nact, blocks_A / series_A (per panel A),
# depth, width, nseeds.

set multiplot layout 2, nact margins 0.63 / fig_w, 0.98, 0.12, 0.86 spacing 0.35 / fig_w, 0.1 \
    title sprintf("Gradient norms per layer at initialization (depth %d, width %d, %d seed%s)", depth, width, nseeds, nseeds == 1 ? "" : "s")
set logscale y
set format y "10^{%L}"
set xrange [0.5:depth + 0.5]
if (depth > 10) { set xtics 0, 5; set xtics add (1) } else { set xtics 1, 1 }
do for [row = 1:2] {
  do for [a = 1:nact] {
    b = value(sprintf("blocks_%d", a))
    s = value(sprintf("series_%d", a))
    set title (row == 1 ? word(acts, a) : "") noenhanced
    set xlabel (row == 2 ? "layer l (1 = first hidden)" : "")
    set format x (row == 2 ? "%g" : "")
    set ylabel (a == 1 ? (row == 1 ? "||{/Symbol d}^l||" : "||{/Symbol \266}L/{/Symbol \266}W^l||") : "")
    # One legend for the figure, above the panels, where it hides nothing.
    if (row == 1 && a == 1) { set key at screen 0.5, screen 0.935 center center horizontal Left reverse } else { unset key }
    if (words(b) == 0) {
      set multiplot next
    } else {
      c = 2 + 3 * (row - 1)
      plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
             using 1:c+1:c+2 with filledcurves lc (word(s, k) + 0) notitle, \
           for [k = 1:words(b)] dat index (word(b, k) + 0) \
             using 1:c with linespoints lc (word(s, k) + 0) title word(inits, word(s, k) + 0)
    }
  }
}
unset multiplot
