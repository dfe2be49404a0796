# saturation-dynamics.gp - the time-lapse of saturation: per activation,
# the network of the grid whose saturation rises most at the depth where it
# rises most (or the one --select chose), its hidden layers' saturated fraction over training (top) and
# the norms of their weight gradients (bottom, log scale): as the units
# saturate, the gradients that reach the weights fall (a gradient of
# exactly 0, a frozen net, leaves the log axis).  Means over seeds;
# bands: 95% interval over seeds.  At most nine layers, first to last.
# Data: dat, one block per (activation, layer); columns: step, sat_frac,
# ci95, ||dL/dW^l||, ci95.  Set by satbench: titles, nact, ncols, prow,
# blocks_A / layers_A, fixed, tau, steps and the legend (key_*).

set multiplot title sprintf("Saturation and weight gradients over training (%s; {/Symbol t} = %g; bands: 95%% interval)%s", \
    lit(fixed), tau, note)
NR = 2 * prow; NC = ncols; IN_B = key_h + 0.45; GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42; IN_L = 0.66
if (logsteps) { set xrange [0.18:steps * 1.6] } else { set xrange [-0.02 * steps:1.02 * steps] }
unset key
do for [a = 1:nact] {
  pr = (a - 1) / ncols + 1
  col = (a - 1) % ncols + 1
  b = value(sprintf("blocks_%d", a))
  do for [row = 1:2] {
    if (words(b) > 0) {
      eval place(2 * (pr - 1) + row, col)
      set title (row == 1 ? word(titles, a) : "") noenhanced font ",7"
      if (row == 1) { eval steps_axis_top } else { eval steps_axis }
      if (a + ncols <= nact) { set xlabel "" }
      if (row == 1) {
        unset logscale y
        set ylabel (col == 1 ? "saturated fraction" : "")
        set yrange [0:1]
        set format y "%.1f"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):($2 - $3):($2 + $3) with filledcurves lc (20 + k) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):2 with linespoints lc (20 + k) pt 7 ps 0.25 notitle
      } else {
        set logscale y
        set ylabel (col == 1 ? "||{/Symbol \266}L/{/Symbol \266}W^l||" : "")
        set yrange [*:*]
        set format y "10^{%L}"
        plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):($4 > 0 ? ($4 > $5 ? $4 - $5 : $4 / 3) : NaN):($4 > 0 ? $4 + $5 : NaN) \
               with filledcurves lc (20 + k) notitle, \
             for [k = 1:words(b)] dat index (word(b, k) + 0) \
               using (sx($1)):($4 > 0 ? $4 : NaN) with linespoints lc (20 + k) pt 7 ps 0.25 notitle
      }
    }
  }
}
eval key_strip
plot for [k = 1:words(key_titles)] NaN with linespoints lc (word(key_lcs, k) + 0) pt 7 ps 0.3 title word(key_titles, k)
unset multiplot
