# underflow.gp - where emulated precision makes gradients exactly zero
# (Micikevicius et al. 2018, Fig. 3's zero bin, per layer).
#
# Columns: at step 0 and at the last logged step.  Rows, in two pairs:
# the back-propagated error delta^l, then the weight gradient dL/dW^l;
# in each pair, above, the fraction of entries that are zero (rounded to
# zero here, or already zero in what came down from the layer above),
# below, the fraction this layer's rounding flushed to zero though its
# exact value was not (precision.tsv's zero_frac and flushed_frac).
# Layers 1 .. depth are the hidden layers, depth + 1 the output layer.
# A line per (precision, loss scale): colour = precision, dash = scale;
# means over the seeds.  fp64 rounds nothing and has no rows.
# Data: dat, a block per (pair, step); columns: layer, delta zero,
# delta flushed, dW zero, dW flushed.  Set by satbench: blocks0 (step 0)
# and blocks1 (last step), lcs, dts, nlayers, last, choice, fixed and the
# legend (key_*).

set multiplot title tjoin(sprintf("Gradients rounded to zero per layer%s: %s", note, choice), fixed) noenhanced
NR = 4; NC = 2; IN_B = key_h + 0.45; GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42
set xrange [0.5:nlayers + 0.5]
if (nlayers > 12) { set xtics 0, (nlayers > 30 ? 10 : 5); set xtics add (1) } else { set xtics 1, 1 }
set yrange [-0.04:1.04]
set ytics 0, 0.25, 1
unset key
do for [col = 1:2] {
  b = (col == 1 ? blocks0 : blocks1)
  do for [row = 1:4] {
    eval place(row, col)
    set title (row == 1 ? (col == 1 ? "step 0" : sprintf("step %d (the last logged)", last)) : "") noenhanced font ",8"
    set xlabel (row == 4 ? sprintf("layer (1 = first hidden, %d = output)", nlayers) : "")
    set format x (row % 2 == 0 ? "%g" : "")
    set ylabel (col != 1 ? "" : row == 1 ? "{/Symbol d}^l: zero" : row == 2 ? "{/Symbol d}^l: flushed" : \
                                row == 3 ? "dW^l: zero" : "dW^l: flushed")
    plot for [k = 1:words(b)] dat index (word(b, k) + 0) using 1:(column(row + 1)) \
           with linespoints lc (word(lcs, k) + 0) dt int(word(dts, k)) pt 7 ps 0.35 notitle
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with linespoints lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) \
       pt 7 ps 0.35 title key_titles[k]
unset multiplot
