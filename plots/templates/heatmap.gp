# heatmap.gp - Figure 4: attenuation at initialization, activation x init.
#
# Each cell of a panel is the mean over seeds of log10(||delta^1|| /
# ||delta^depth||) at step 0: 0 means the error reaches the first layer
# undiminished, -5 that it arrives 10^5 times smaller.  One panel per depth,
# one colour scale for all panels, values printed in the cells.
# Data: heatmap.dat, a block per depth; columns: init index, activation
# index, mean attenuation, seeds.  Set by satbench: acts, inits, depths,
# nact, ninit, ncols, nrows, width, cblo, cbhi.

set multiplot layout nrows, ncols margins 0.16, 0.86, 0.14, 0.86 spacing 0.04, 0.12 \
    title sprintf("Attenuation at initialization, log_{10} ||{/Symbol d}^1|| / ||{/Symbol d}^{depth}|| (width %d)", width)
unset grid
set style fill solid 1.0 noborder   # an opaque colour scale
set border 0
set tics scale 0
set cbrange [cblo:cbhi]
set xrange [-0.5:ninit - 0.5]
set yrange [-0.5:nact - 0.5]
set xtics () rotate by 30 right font ",7" noenhanced
set ytics () font ",7" noenhanced
do for [i = 1:ninit] { set xtics add (word(inits, i) i - 1) }
do for [a = 1:nact] { set ytics add (word(acts, a) a - 1) }
set label 1 at screen 0.95, screen 0.5 "attenuation" rotate by 90 center font ",7"
set colorbox user origin screen 0.89, screen 0.2 size screen 0.015, screen 0.6
nd = words(depths)
do for [d = 1:nd] {
  set title sprintf("depth %s", word(depths, d))
  if (d > 1) { unset colorbox }
  set format x ((d - 1) / ncols == nrows - 1 || d + ncols > nd ? "%g" : "")
  # Boxes rather than `with image`: a grid may be a single row or cell.
  plot dat index (d - 1) using 1:2:(0.5):(0.5):3 with boxxyerror fc palette notitle, \
       "" index (d - 1) using 1:2:(sprintf("%.1f", $3)):($3 < (cblo + cbhi) / 2 ? 0xffffff : 0x000000) \
         with labels font ",7" textcolor rgb variable notitle
}
unset multiplot
