# grad-vs-saturation.gp - Figure 3: how gradient norms decay with saturation.
#
# Every hidden layer of every cell at every logged step is a point: x, the
# layer's saturated fraction; y, its attenuation log10(||delta^l|| /
# ||delta^(l+1)||), the orders of magnitude the back-propagated error loses
# crossing layer l (negative: it shrinks).  Lines: mean attenuation in bins
# of saturation.  Colour = activation.
# Data: grad-vs-saturation.dat, a points block and a binned-mean block per
# activation.  Set by satbench: acts, blocks, series, means.

do for [fi = 1:words(formats)] {
  fmt = word(formats, fi)
  eval "set terminal ".term(fmt)
  set output name.".".ext(fmt)
  set title "Per-layer gradient attenuation against saturation"
  set xlabel "saturated fraction of the layer's units"
  set ylabel "log_{10} ||{/Symbol d}^l|| / ||{/Symbol d}^{l+1}||"
  set xrange [-0.02:1.02]
  set yrange [*:*]
  set key bottom left Left reverse
  plot for [k = 1:words(blocks)] "grad-vs-saturation.dat" index (word(blocks, k) + 0) \
         using 1:2 with points pt 7 ps 0.15 lc (word(series, k) + 0) notitle, \
       for [k = 1:words(blocks)] "grad-vs-saturation.dat" index (word(means, k) + 0 < 0 ? word(blocks, k) + 0 : word(means, k) + 0) \
         using 1:(word(means, k) + 0 < 0 ? NaN : $2) with linespoints lw 2 pt 7 ps 0.4 lc (word(series, k) + 0) \
         title word(acts, word(series, k) + 0)
  set output
}
