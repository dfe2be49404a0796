# success-length.gp - success rate against sequence length (Pascanu,
# Mikolov & Bengio 2013, Fig. 7's template; Hochreiter & Schmidhuber 1997).
#
# The share of test sequences a trained recurrent cell gets right by the
# task's criterion (cells.tsv's success: the right class, or every output
# within the task's tolerance), against the sequence length T (the depth
# axis of a recurrent cell).  A panel per recurrent cell type and trained
# variant (learning rate, optimizer ...); a line per (activation, init)
# joining the means over seeds: colour = activation, dash = init (colour =
# init with one activation).  With up to 5 seeds each seed is an open
# circle (filled: their mean), beyond, bars of the 95% interval of the
# mean.  Dashed grey: chance, the success of the best constant prediction
# (1 - chance_error).  Gradient clipping (--clip) and the forget-gate bias
# are the grid's, said in the title.
# Data: dat, per panel a block per (activation, init) of means (T, mean,
# ci95, seeds) and one of each seed's value (T, success).  Set by
# satbench: blocks_P, seeds_P, lcs, dts, ptitles, chances (per panel),
# npanels, ncols, nrows, fixed, bars (more than 5 seeds), lengths, minT,
# maxT and the legend (key_*).

set multiplot title tjoin(sprintf("Success rate against sequence length%s", note), fixed) noenhanced
NR = nrows; NC = ncols; IN_B = key_h + 0.5; GAP_Y = 0.5; GAP_X = 0.5
pad = (maxT - minT) * 0.04 + 0.5
set xrange [minT - pad:maxT + pad]
if (words(lengths) <= 6) { set xtics (); do for [d = 1:words(lengths)] { set xtics add (word(lengths, d) word(lengths, d) + 0) } } \
else { set xtics autofreq; set format x "%.0f" }
set mxtics 1
set yrange [0:1.02]
set format y "%.1f"
jit(k, n) = (k - (n + 1) / 2.0) * (maxT - minT) * 0.004
unset key
do for [p = 1:npanels] {
  b = value(sprintf("blocks_%d", p))
  sd_ = value(sprintf("seeds_%d", p))
  eval place((p - 1) / ncols + 1, (p - 1) % ncols + 1)
  set title ptitles[p] noenhanced font ",7"
  set xlabel "sequence length T (steps)"
  set ylabel ((p - 1) % ncols == 0 ? "success rate (test share)" : "")
  plot word(chances, p) + 0 with lines ls 101 notitle, \
       for [k = 1:words(b)] dat index (word(sd_, k) + 0) using ($1 + jit(k, words(b))):(bars ? NaN : $2) \
         with points lc (word(lcs, k) + 0) pt 6 ps 0.5 notitle, \
       for [k = 1:words(b)] dat index (word(b, k) + 0) using ($1 + jit(k, words(b))):(bars ? $2 : NaN):3 \
         with yerrorbars lc (word(lcs, k) + 0) dt 1 pt 7 ps 0.3 notitle, \
       for [k = 1:words(b)] dat index (word(b, k) + 0) using ($1 + jit(k, words(b))):(bars ? NaN : $2) \
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
