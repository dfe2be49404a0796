# depth.gp - trainability against depth (He et al.'s question).
#
# First the attenuation at initialization, log10(||delta^1|| /
# ||delta^depth||), a panel per width or loss when the grid has several.
# Then, when the grid trained, a panel per variant of the final training
# loss, with the chance loss (dashed grey): at or above it the net learned
# nothing; on a log axis when the means span more than two decades.
# Lines join the means over seeds.  With up to 5 seeds each seed is an open
# circle (filled: their mean) and no interval is drawn (a t interval of 3
# seeds is 4.3 standard errors wide); beyond, bars of the 95% interval of
# the mean (none on a log axis).  The legend and the title say which.
# Series are set side by side at each depth (jit) so that their circles do
# not hide each other.  Colour = activation, dash = initialization (colour
# = init when the grid has one activation).
# Data: dat, per panel a block per (activation, init) of means (depth,
# mean, ci95, seeds) and one of each seed's value (depth, value).  Set by
# satbench: blocks_P, seeds_P, lcs, dts, ptitles, kinds (0 attenuation,
# 1 loss, per panel), chances and logys (per panel), npanels, ncols,
# nrows, fixed, trained, bars (more than 5 seeds), depths, mindepth, maxdepth and the legend (key_*).

set multiplot title tjoin(sprintf("%s%s", trained ? "Gradient attenuation and trainability against depth" : \
    "Gradient attenuation at initialization against depth", note), fixed) noenhanced
NR = nrows; NC = ncols; IN_B = key_h + 0.5; GAP_Y = 0.5; GAP_X = 0.5
pad = (maxdepth - mindepth) * 0.04 + 0.5
set xrange [mindepth - pad:maxdepth + pad]
# ticks at the grid's depths when they are few, else whole numbers
if (words(depths) <= 6) { set xtics (); do for [d = 1:words(depths)] { set xtics add (word(depths, d) word(depths, d) + 0) } } \
else { set xtics autofreq; set format x "%.0f" }
set mxtics 1
# series side by side at each depth, so that their seeds' circles do not hide each other
jit(k, n) = (k - (n + 1) / 2.0) * (maxdepth - mindepth) * 0.004
unset key
do for [p = 1:npanels] {
  b = value(sprintf("blocks_%d", p))
  sd_ = value(sprintf("seeds_%d", p))
  eval place((p - 1) / ncols + 1, (p - 1) % ncols + 1)
  set title ptitles[p] noenhanced font ",7"
  set xlabel "hidden layers"
  loss = word(kinds, p) eq "1"
  first = p == 1 || (loss && word(kinds, p - 1) eq "0") || (p - 1) % ncols == 0
  set ylabel (!first ? "" : loss ? "final training loss" : "log_{10} ||{/Symbol d}^1|| / ||{/Symbol d}^{depth}||")
  logy = loss && word(logys, p) eq "1"
  if (logy) {
    set logscale y; set yrange [*:*]; set format y "10^{%L}"
  } else {
    unset logscale y; set format y "%g"
    if (loss) { set yrange [0:*] } else { set yrange [*:*] }
  }
  plot (loss ? word(chances, p) + 0 : NaN) with lines ls 101 notitle, \
       for [k = 1:words(b)] dat index (word(sd_, k) + 0) using ($1 + jit(k, words(b))):(bars ? NaN : $2) \
         with points lc (word(lcs, k) + 0) pt 6 ps 0.5 notitle, \
       for [k = 1:words(b)] dat index (word(b, k) + 0) using ($1 + jit(k, words(b))):(bars && !logy ? $2 : NaN):3 \
         with yerrorbars lc (word(lcs, k) + 0) dt 1 pt 7 ps 0.3 notitle, \
       for [k = 1:words(b)] dat index (word(b, k) + 0) using ($1 + jit(k, words(b))):(bars && !logy ? NaN : $2) \
         with points lc (word(lcs, k) + 0) pt 7 ps 0.3 notitle, \
       for [k = 1:words(b)] dat index (word(b, k) + 0) using ($1 + jit(k, words(b))):2 \
         with lines lc (word(lcs, k) + 0) dt int(word(dts, k)) notitle
}
eval key_strip
# entries of dash -6 / -7 are point marks (an open circle: each seed; filled: a mean)
plot for [k = 1:|key_titles|] NaN with lines lc (word(key_lcs, k) + 0) dt int(word(key_dts, k) + 0 < 0 ? "11" : word(key_dts, k)) \
       title (word(key_dts, k) + 0 < 0 ? "" : key_titles[k]), \
     for [k = 1:|key_titles|] NaN with points lc (word(key_lcs, k) + 0) pt (word(key_dts, k) + 0 < 0 ? -(word(key_dts, k) + 0) : 7) ps 0.5 \
       title (word(key_dts, k) + 0 < 0 ? key_titles[k] : "")
unset multiplot
