# heatmap.gp - attenuation at initialization, activation x init.
#
# Each cell of a panel is the mean over seeds of log10(||delta^1|| /
# ||delta^depth||) at step 0: 0 means the error reaches the first layer
# undiminished, -5 that it arrives 10^5 times smaller.  One panel per depth
# (and per width or loss when the grid has several), one colour scale for
# all panels, values printed in the cells.
# Data: dat, a block per panel; columns: init index, activation index,
# mean attenuation, seeds.  Set by satbench: acts, inits, ptitles, npanels,
# nact, ninit, ncols, nrows, cblo, cbhi, diverge, fixed, lab_l (inches for the
# activation names), lab_b (for the init names, turned by rot degrees), gap_y (between rows).

set multiplot title tjoin(sprintf("Attenuation at initialization, log_{10} ||{/Symbol d}^1|| / ||{/Symbol d}^{depth}||%s", note), \
    sprintf("%s; mean over seeds", lit(fixed)))
NR = nrows; NC = ncols; IN_L = lab_l; IN_R = 0.85; IN_B = lab_b; IN_T = (fig_w > 5 ? 0.55 : 0.7); GAP_X = 0.15; GAP_Y = gap_y
unset grid
set style fill solid 1.0 noborder   # an opaque colour scale
set border 0
# viridis; a diverging scale centred at 0 when the grid has both vanishing
# (< 0) and exploding (> 0) errors, since then the sign is the point
if (diverge) { eval diverging }
set cbrange [cblo:cbhi]
set xrange [-0.5:ninit - 0.5]
set yrange [-0.5:nact - 0.5]
set label 1 at screen 1 - 0.2 / fig_w, screen 0.5 "attenuation (log_{10})" rotate by 90 center font ",7"
set colorbox user origin screen 1 - 0.62 / fig_w, screen 0.2 size screen 0.1 / fig_w, screen 0.6
set cbtics scale 0.5 font ",7"
do for [d = 1:npanels] {
  eval place((d - 1) / ncols + 1, (d - 1) % ncols + 1)
  set title ptitles[d] noenhanced font ",7"
  if (d > 1) { unset colorbox; unset label 1 }
  # names under every panel with none below it, and left of the first column
  unset xtics
  unset ytics
  if (d + ncols > npanels) {
    set xtics scale 0 rotate by rot right font ",7" noenhanced ()
    do for [i = 1:ninit] { set xtics add (inits[i] i - 1) }
  }
  if ((d - 1) % ncols == 0) {
    set ytics scale 0 font ",7" noenhanced ()
    do for [a = 1:nact] { set ytics add (acts[a] a - 1) }
  }
  # Boxes rather than `with image`: a grid may be a single row or cell.
  plot dat index (d - 1) using 1:2:(0.5):(0.5):3 with boxxyerror fc palette notitle, \
       "" index (d - 1) using 1:2:(sprintf("%.1f", abs($3) < 0.05 ? 0 : $3)):((diverge ? abs($3) > 0.6 * cbhi : $3 < (cblo + cbhi) / 2) ? 0xffffff : 0x000000) \
         with labels font ",7" textcolor rgb variable notitle
}
unset multiplot
