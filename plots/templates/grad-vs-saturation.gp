# grad-vs-saturation.gp - Figure 3: how gradient norms decay with saturation.
#
# Every hidden layer of every cell at every logged step is a point
# (diverged cells are left out): x, the layer's saturated fraction; y, the
# orders of magnitude the back-propagated error loses crossing it,
# log10(||delta^l|| / ||delta^(l+1)||), less the current gain of the
# weights above it, log10(||W^(l+1)||_F / sqrt(n_(l+1))) (at init, half of
# log10 sigma_w2).  What is left is 1/2 log10 E[phi'(h^l)^2], the
# activation's own part, for weights independent of the errors.  Thick
# lines: means in bins of saturation.  Dashed: mean-field theory, a layer of
# pre-activations N(0, q) for q from 1e-3 to 1e3 (saturation grows with q;
# a ReLU has none: its saturated fraction is 1/2 for every q).  Dotted: the
# bound every activation obeys, (1 - s) max phi'^2 + s (tau max phi')^2.
# Panels by a rule said under the title (`rule`): one per init and per
# value of every other axis that varies (optimizer, learning rate, width,
# loss), so that a panel holds one run's settings; colour = activation.
# At most 16 panels: beyond, the title says how many are left out (draw
# them with --select).  The y axis, shared by the panels, holds the middle
# 99% of the points, or less when a few lie far out (the title counts
# those left out).
# Data: grad-vs-saturation.dat: per activation a theory block and a bound
# block, then per panel and activation a points block and a binned-mean
# block.  Set by satbench: acts, ptitles, pans (the panel of each points
# block), blocks, series, means, curves, bounds, tau, ylo, yhi, nout, npts,
# xhi, npanels, nfull, ncols, nrows, fixed, rule and the legend (key_*).

set multiplot title sprintf("Per-layer gradient attenuation against saturation%s\n{/=7 %s; %s}\n{/=7 points: a hidden layer of a cell at a logged step; thick: their mean in bins%s%s}", note, lit(fixed), lit(rule), \
    nout > 0 ? sprintf("; %d of %d points beyond the y range", nout, npts) : "", \
    nfull > npanels ? sprintf("; %d of %d panels shown (the rest: --select)", npanels, nfull) : "")
NR = nrows; NC = ncols; IN_L = 0.78; IN_B = key_h + 0.42; IN_T = 0.62; IN_R = 0.1; GAP_X = 0.3; GAP_Y = 0.3
unset key
set xrange [-0.02:xhi]
set yrange [ylo:yhi]
do for [pn = 1:npanels] {
  r = (pn - 1) / ncols + 1; cl = (pn - 1) % ncols + 1
  eval place(r, cl)
  set title ptitles[pn] noenhanced font ",7" offset 0, -0.4
  # labels on the outer panels only: the axes are shared
  set xlabel (r == nrows || pn + ncols > npanels ? sprintf("saturated fraction ({/Symbol t} = %g)", tau) : "")
  set format x (r == nrows || pn + ncols > npanels ? "%g" : "")
  set ylabel (cl == 1 ? "attenuation across layer l (log_{10})\nlog_{10}(||{/Symbol d}^l|| / ||{/Symbol d}^{l+1}||) - log_{10}(||W^{l+1}||_F / √n)" : "") font ",7"
  set format y (cl == 1 ? "%g" : "")
  plot for [k = 1:words(blocks)] dat index (word(pans, k) + 0 == pn ? word(blocks, k) + 0 : word(curves, 1) + 0) \
         using 1:(word(pans, k) + 0 == pn ? $2 : NaN) with points pt 7 ps 0.15 lc (word(series, k) + 0) notitle, \
       for [a = 1:words(bounds)] dat index (word(bounds, a) + 0) \
         using 1:2 with lines lw 1.0 dt 3 lc a notitle, \
       for [a = 1:words(curves)] dat index (word(curves, a) + 0) \
         using 1:2 with lines lw 1.4 dt 2 lc rgb "#000000" notitle, \
       for [a = 1:words(curves)] dat index (word(curves, a) + 0) \
         using 1:2 with lines lw 0.9 dt 2 lc a notitle, \
       for [k = 1:words(blocks)] dat index (word(pans, k) + 0 == pn && word(means, k) + 0 >= 0 ? word(means, k) + 0 : word(curves, 1) + 0) \
         using 1:(word(pans, k) + 0 == pn && word(means, k) + 0 >= 0 ? $2 : NaN) with linespoints lw 2 pt 7 ps 0.4 lc (word(series, k) + 0) notitle
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with lines lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) title key_titles[k]
unset multiplot
