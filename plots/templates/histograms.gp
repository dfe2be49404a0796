# histograms.gp - distributions of activations and of back-propagated
# errors per layer (Glorot & Bengio's Figures 6 and 7).
#
# Normalized histograms (densities) of the outputs and of the
# back-propagated errors delta^l of one network's hidden layers (the first
# seed) on the probe set, at initialization and at the end of training.
# Rows: every init of the grid, by sigma_w2 (standard on top, as in the
# paper; a phase diagram's inits from ordered through critical to chaotic),
# each with every variant (learning rate, optimizer, ...; at init only,
# those that change the network at step 0), named on the row; at most
# eight rows, the inits evenly spaced with the critical ones kept, the
# others named in the title (rows_txt says which rule held).  All layers of
# a panel share its bins; at most nine layers, first to last; x ranges
# fitted to the values that occur (the errors' symmetric about 0); a
# logarithmic density, for a whole column, where one layer's peak stands
# five times above the median layer's.  A grid measured at init only has
# the two init columns.
# Data: dat, a block per (init, moment, kind, layer) in that order;
# columns: bin centre, density.  Set by satbench: act, inits and rvars
# (each row's init and variant), endsteps,
# layers, lcs (their colours), ninit, npan (columns), nlayers, depth, fixed, rows_txt,
# xlo_S_P / xhi_S_P / logy_S_P (panel P of row S) and the legend (key_*).
# A column whose values are all below 0.01 shows them in units of a power
# of ten, the same for every row (said in the column's title and in the
# x label, which only the bottom row carries), its density per that unit.
# delta^l = dL/dh^l, the loss's gradient at layer l's pre-activations.

set multiplot title sprintf("%s, depth %d (%s): distributions per layer on the probe set%s\n{/=7 %s}", lit(act), depth, lit(fixed), note, lit(rows_txt)) enhanced
NR = ninit; NC = npan; IN_L = 1.0; IN_B = key_h + 0.42; IN_T = 0.62; GAP_X = 0.42; GAP_Y = (ninit > 2 ? 0.22 : 0.3)
unset key
do for [s = 1:ninit] {
  do for [p = 1:npan] {
    eval place(s, p)
    moment = (p - 1) / 2
    kind = (p - 1) % 2
    first = ((s - 1) * npan + p - 1) * nlayers
    xlo = value(sprintf("xlo_%d_%d", s, p))
    xhi = value(sprintf("xhi_%d_%d", s, p))
    # values far below 1 (the errors of a deep net, 1e-6) in units of a
    # power of ten, so that ticks stay short; the density is then per unit.
    # One unit per column: its label is printed under the bottom row only.
    colhi = 0
    do for [s2 = 1:ninit] { h = value(sprintf("xhi_%d_%d", s2, p)); if (h > colhi) { colhi = h } }
    ex = (colhi > 0 && colhi < 0.01) ? floor(log10(colhi)) : 0
    xs = 10.0 ** ex
    unit = ex != 0 ? sprintf(" (×10^{%d})", ex) : ""
    set title (s == 1 ? sprintf("%s%s, %s", kind == 0 ? "activations φ(h^l)" : "errors {/Symbol d}^l = ∂L/∂h^l", \
                        kind == 0 ? "" : unit, moment == 0 ? "at init" : sprintf("step %s", word(endsteps, s))) : "") font ",7" enhanced
    set xlabel (s == ninit ? sprintf("%s%s", kind == 0 ? "output value" : "{/Symbol d}^l value", unit) : "") enhanced
    set ylabel (p == 1 ? sprintf("%s%s\ndensity", inits[s], strlen(rvars[s]) ? ", " . rvars[s] : "") : "") offset -1.5,0 noenhanced
    set xrange [xlo / xs:xhi / xs]
    set xtics xlo / xs, (xhi - xlo) / xs / 2.0, xhi / xs
    set format x "%g"
    if (value(sprintf("logy_%d_%d", s, p))) {
      set logscale y
      set yrange [*:*]
      set format y "10^{%L}"
    } else {
      unset logscale y
      set yrange [0:*]
      set format y "%g"
    }
    plot for [l = 1:nlayers] dat index (first + l - 1) using ($1 / xs):($2 > 0 || !value(sprintf("logy_%d_%d", s, p)) ? $2 * xs : NaN) \
           with lines lc (word(lcs, l) + 0) notitle
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with lines lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) title key_titles[k]
unset multiplot
