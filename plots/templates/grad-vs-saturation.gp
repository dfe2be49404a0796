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
# Colour = activation.  The y axis holds the middle 99% of the points, or
# less when a few lie far out (the title counts those left out).
# Data: grad-vs-saturation.dat: per activation a points block, a
# binned-mean block, a theory block and a bound block.  Set by satbench:
# acts, blocks, series, means, curves, bounds, tau, ylo, yhi, nout, npts, xhi, fixed and
# the legend (key_*).

set multiplot title sprintf("Per-layer gradient attenuation against saturation%s\n{/=7 %s}\n{/=7 points: a hidden layer of a cell at a logged step; thick: their mean in bins}%s", note, lit(fixed), \
    nout > 0 ? sprintf("\n{/=7 %d of %d points lie beyond the y range}", nout, npts) : "")
IN_L = 0.6; IN_B = key_h + 0.42; IN_T = (nout > 0 ? 0.82 : 0.7); IN_R = 0.1
eval place(1, 1)
unset key
set xlabel sprintf("saturated fraction of the layer's units ({/Symbol t} = %g)", tau)
set ylabel "log_{10} ||{/Symbol d}^l|| / ||{/Symbol d}^{l+1}|| - log_{10} ||W^{l+1}|| / √n_{l+1}"
set xrange [-0.02:xhi]
set yrange [ylo:yhi]
plot for [k = 1:words(blocks)] dat index (word(blocks, k) + 0) \
       using 1:2 with points pt 7 ps 0.15 lc (word(series, k) + 0) notitle, \
     for [k = 1:words(blocks)] dat index (word(bounds, k) + 0) \
       using 1:2 with lines lw 1.0 dt 3 lc (word(series, k) + 0) notitle, \
     for [k = 1:words(blocks)] dat index (word(curves, k) + 0) \
       using 1:2 with lines lw 1.4 dt 2 lc rgb "#000000" notitle, \
     for [k = 1:words(blocks)] dat index (word(curves, k) + 0) \
       using 1:2 with lines lw 0.9 dt 2 lc (word(series, k) + 0) notitle, \
     for [k = 1:words(blocks)] dat index (word(means, k) + 0 < 0 ? word(blocks, k) + 0 : word(means, k) + 0) \
       using 1:(word(means, k) + 0 < 0 ? NaN : $2) with linespoints lw 2 pt 7 ps 0.4 lc (word(series, k) + 0) notitle
eval key_strip
plot for [k = 1:|key_titles|] NaN with lines lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) title key_titles[k]
unset multiplot
