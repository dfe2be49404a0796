# grad-vs-saturation.gp - Figure 3: how gradient norms decay with saturation.
#
# Every hidden layer of every cell at every logged step is a point: x, the
# layer's saturated fraction; y, the orders of magnitude the back-propagated
# error loses crossing it, log10(||delta^l|| / ||delta^(l+1)||), less the
# share of the weights' scale, log10(sigma_w2)/2.  What is left is
# 1/2 log10 E[phi'(h^l)^2], the activation's own part, so cells of every
# initialization line up.  Thick lines: means in bins of saturation.  Thin
# lines: mean-field theory, a layer of pre-activations N(0, q) for q from
# 1e-3 to 1e3 (saturation grows with q).  Colour = activation.
# Data: grad-vs-saturation.dat: per activation a points block, a binned-mean
# block and a theory block.  Set by satbench: acts, blocks, series, means,
# curves, tau.

set title "Per-layer gradient attenuation against saturation"
set xlabel sprintf("saturated fraction of the layer's units ({/Symbol t} = %g)", tau)
set ylabel "log_{10} ||{/Symbol d}^l|| / ||{/Symbol d}^{l+1}|| - ½ log_{10} {/Symbol s}_w^2"
set xrange [-0.02:1.02]
set yrange [*:*]
set key bottom left Left reverse
plot for [k = 1:words(blocks)] dat index (word(blocks, k) + 0) \
       using 1:2 with points pt 7 ps 0.15 lc (word(series, k) + 0) notitle, \
     for [k = 1:words(blocks)] dat index (word(means, k) + 0 < 0 ? word(blocks, k) + 0 : word(means, k) + 0) \
       using 1:(word(means, k) + 0 < 0 ? NaN : $2) with linespoints lw 2 pt 7 ps 0.4 lc (word(series, k) + 0) \
       title word(acts, word(series, k) + 0), \
     for [k = 1:words(blocks)] dat index (word(curves, k) + 0) \
       using 1:2 with lines lw 0.8 dt 2 lc (word(series, k) + 0) notitle, \
     NaN with lines lw 0.8 dt 2 lc rgb "#555555" title "mean-field"
