# depth.gp - Figure 5: trainability against depth (He et al.'s question).
#
# Left: attenuation at initialization, log10(||delta^1|| / ||delta^depth||),
# mean ± sd over seeds.  Right: the final training loss.  Colour =
# activation, dash pattern = initialization.
# Data: depth.dat, a block per (activation, init); columns: depth,
# attenuation mean, sd, loss mean, sd, seeds.  Set by satbench: blocks,
# colors, dashes, titles, width, mindepth, maxdepth.

set multiplot layout 1, 2 margins 0.08, 0.80, 0.15, 0.88 spacing 0.09, 0 \
    title sprintf("Gradient attenuation and trainability against depth (width %d)", width)
pad = (maxdepth - mindepth) * 0.04 + 0.5
set xrange [mindepth - pad:maxdepth + pad]
set xlabel "hidden layers"
set ylabel "log_{10} ||{/Symbol d}^1|| / ||{/Symbol d}^{depth}|| at init"
unset key
plot for [k = 1:words(blocks)] dat index (word(blocks, k) + 0) using 1:2:3 \
       with yerrorbars lc (word(colors, k) + 0) pt 7 ps 0.3 notitle, \
     for [k = 1:words(blocks)] dat index (word(blocks, k) + 0) using 1:2 \
       with lines lc (word(colors, k) + 0) dt int(word(dashes, k)) notitle
set ylabel "final training loss"
set key outside right top vertical Left reverse
plot for [k = 1:words(blocks)] dat index (word(blocks, k) + 0) using 1:4:5 \
       with yerrorbars lc (word(colors, k) + 0) pt 7 ps 0.3 notitle, \
     for [k = 1:words(blocks)] dat index (word(blocks, k) + 0) using 1:4 \
       with lines lc (word(colors, k) + 0) dt int(word(dashes, k)) title word(titles, k)
unset multiplot
