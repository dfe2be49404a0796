# trainability.gp - which depths train, over the order-to-chaos phase
# diagram (Schoenholz et al. 2017, Figs. 5-6, on satbench's data).
#
# Each box is a (sigma_w2, depth) cell of the grid: its colour the test
# accuracy after the grid's training steps, mean over seeds (viridis, from
# the chance accuracy up).  White circles: per sigma_w2 the deepest net whose
# accuracy is above halfway from chance to the panel's best.  Red line: 6 xi_c
# from mean-field theory (xi_c = -1/ln chi_c, the correlation depth scale,
# satbench theory); white dashes on black: the critical sigma_w2 (chi_1 = 1), ordered to its
# left, chaotic to its right.  The theory says nets train to about 6 xi_c.
# Data: dat, per panel three blocks: the boxes (sigma_w2, depth, half widths,
# test accuracy, seeds), the deepest trained depth per sigma_w2, and the
# 6 xi_c curve.  Set by satbench: ptitles, crits, chances, fixed, sb2,
# steps, npanels, ncols, nrows, xlo, xhi, ylo, yhi, nseeds and the legend
# (key_*: the third entry, lc -1, is drawn as the circles).

set multiplot title tjoin(sprintf("Trainability over the phase diagram, {/Symbol s}_b^2 = %s%s", sb2, note), \
    sprintf("%s; test accuracy after %d steps%s", lit(fixed), steps, nseeds == 1 ? "" : ", mean over the seeds"))
NR = nrows; NC = ncols; IN_R = 0.85; IN_B = key_h + 0.5; GAP_X = 0.6; GAP_Y = 0.55
set xrange [xlo:xhi]
set yrange [ylo:yhi]
set style fill solid 1.0 noborder
unset grid
set label 1 at screen 1 - 0.2 / fig_w, screen 0.5 "test accuracy" rotate by 90 center font ",7"
set colorbox user origin screen 1 - 0.62 / fig_w, screen 0.2 size screen 0.1 / fig_w, screen 0.6
set cbtics scale 0.5 font ",7"
do for [p = 1:npanels] {
  eval place((p - 1) / ncols + 1, (p - 1) % ncols + 1)
  set title ptitles[p] noenhanced font ",7"
  if (p > 1) { unset colorbox; unset label 1 }
  ch = word(chances, p) + 0
  if (ch == ch) { set cbrange [ch:*] } else { set cbrange [*:*] }
  set xlabel "{/Symbol s}_w^2"
  set ylabel ((p - 1) % ncols == 0 ? "hidden layers" : "")
  cr = word(crits, p) + 0
  # the edge: white dashes on a black line, visible on every colour of the
  # map, under the circles; none where the activation has no critical point
  plot dat index (3 * (p - 1)) using 1:2:3:4:5 with boxxyerror fc palette notitle, \
       [t = ylo:yhi] "+" using (cr == cr ? cr : NaN):(t) with lines lc rgb "#000000" lw 2.5 notitle, \
       [t = ylo:yhi] "+" using (cr == cr ? cr : NaN):(t) with lines lc rgb "#FFFFFF" dt (4, 4) lw 1.2 notitle, \
       dat index (3 * (p - 1) + 2) using 1:2 with lines lc rgb "#D55E00" lw 2 notitle, \
       dat index (3 * (p - 1) + 1) using 1:2 with points pt 7 ps 0.6 lc rgb "#FFFFFF" notitle, \
       dat index (3 * (p - 1) + 1) using 1:2 with points pt 6 ps 0.6 lc rgb "#000000" notitle
}
eval key_strip
unset colorbox
plot NaN with lines lc rgb "#D55E00" lw 2 title "6 ξ_c (mean-field)" enhanced, \
     NaN with lines lc rgb "#000000" lw 2.5 title "edge of chaos, χ_1 = 1 (white dashes)" enhanced, \
     NaN with points pt 6 ps 0.6 lc rgb "#000000" title "deepest net that learned"
unset multiplot
