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
# activation names), lab_b (for the init names, turned by rot degrees), gap_y (between rows),
# phase (0 here).
#
# A phase-diagram grid (phase = 1: every init meanfield:SW2:SB2 or
# critical:SB2, several depths) is one map per activation, sigma_b2 and
# variant at init instead: depth up, sigma_w2 across in columns of equal
# width (ticks: the grid's sigma_w2), with mean-field theory's depth over
# which the error changes tenfold, 2 / |log10 chi_1| = 2 ln 10 |xi_grad|
# (vermillion; cells above it are beyond one order of magnitude), and
# the edge of chaos chi_1 = 1 (white dashes on black), both drawn through
# the columns.  Data: per panel a block of (column, row, mean attenuation,
# seeds) and a block of the theory's (column, row).  Set by satbench:
# ptitles, xticks (every panel's column labels in turn), ncol (columns
# per panel), crits (the edge's column position, NaN for none), depths,
# npanels, ndepth, ncols, nrows, cblo, cbhi, diverge, fixed, the legend.

if (!phase) {
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
} else {
set multiplot title tjoin(sprintf("Attenuation at initialization, log_{10} ||{/Symbol d}^1|| / ||{/Symbol d}^{depth}||%s", note), \
    sprintf("%s; mean over seeds", lit(fixed)))
NR = nrows; NC = ncols; IN_L = 0.7; IN_R = 0.85; IN_B = key_h + 0.5; IN_T = (fig_w > 5 ? 0.55 : 0.62); GAP_X = 0.55; GAP_Y = 0.75
unset grid
set style fill solid 1.0 noborder
set border 0
if (diverge) { eval diverging }
set cbrange [cblo:cbhi]
set yrange [-0.5:ndepth - 0.5]
set label 1 at screen 1 - 0.2 / fig_w, screen 0.5 "attenuation (log_{10})" rotate by 90 center font ",7"
set colorbox user origin screen 1 - 0.62 / fig_w, screen 0.25 size screen 0.1 / fig_w, screen 0.55
set cbtics scale 0.5 font ",7"
set ytics scale 0 font ",7" noenhanced ()
do for [d = 1:ndepth] { set ytics add (depths[d] d - 1) }
first = 0
do for [p = 1:npanels] {
  eval place((p - 1) / ncols + 1, (p - 1) % ncols + 1)
  set title ptitles[p] noenhanced font ",7"
  if (p > 1) { unset colorbox; unset label 1 }
  n = word(ncol, p) + 0
  set xrange [-0.5:n - 0.5]
  set xtics scale 0 font ",7" noenhanced ()
  do for [k = 1:n] { set xtics add (xticks[first + k] k - 1) }
  first = first + n
  set xlabel "{/Symbol s}_w^2" enhanced
  set ylabel ((p - 1) % ncols == 0 ? "hidden layers" : "") enhanced
  cr = word(crits, p) + 0
  # the lines under the numbers, so that every number stays legible
  plot dat index (2 * (p - 1)) using 1:2:(0.5):(0.5):3 with boxxyerror fc palette notitle, \
       [t = -0.5:ndepth - 0.5] "+" using (cr == cr ? cr : NaN):(t) with lines lc rgb "#000000" lw 1.6 notitle, \
       [t = -0.5:ndepth - 0.5] "+" using (cr == cr ? cr : NaN):(t) with lines lc rgb "#FFFFFF" dt (3, 3) lw 0.8 notitle, \
       dat index (2 * (p - 1) + 1) using 1:2 with lines lc rgb "#D55E00" lw 2 notitle, \
       dat index (2 * (p - 1)) using 1:2:(sprintf("%.1f", abs($3) < 0.05 ? 0 : $3)):((diverge ? abs($3) > 0.6 * cbhi : $3 < (cblo + cbhi) / 2) ? 0xffffff : 0x000000) \
         with labels font ",7" textcolor rgb variable notitle
}
eval key_strip
unset colorbox
unset label 1
plot NaN with lines lc rgb "#D55E00" lw 2 title key_titles[1], \
     NaN with lines lc rgb "#000000" lw 1.6 title key_titles[2]
unset multiplot
}
