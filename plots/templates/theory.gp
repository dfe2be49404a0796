# theory.gp - Figure 7: measurement against mean-field theory.
#
# Left: for every hidden layer of every (activation, init, depth, width) at
# initialization, the measured per-layer ratio ||delta^l||^2/||delta^(l+1)||^2
# (mean over seeds, log10) against the mean-field prediction chi(q^l) =
# sigma_w2 E[phi'(sqrt(q^l) z)^2] (log10); points on the diagonal agree.
# Right: the order-to-chaos phase diagram of one activation: log10 chi_1 over
# (sigma_w2, sigma_b2), the chi_1 = 1 line (edge of chaos) and where the
# grid's initializations sit.  Below the line gradients vanish with depth
# (ordered phase); above it they explode (chaotic phase).
# Data: theory.dat.  Set by satbench: acts, blocks, series, phase_act, phase,
# critline, marks (a block: sigma_w2, sigma_b2, the numbers of the inits
# there, the label's level above the point), mark_lines (the numbers' names, a line each) and nlines
# (how many), swmax, sbmax,
# cbmax, lo, hi.

# The phase diagram's colours are diverging about chi_1 = 1 (white): blue,
# gradients vanish; red, they explode.  The grid's inits are numbered
# points (inits at one point share it: "2,3"); the numbers are named under
# the diagram.
bot = (0.55 + 0.13 * nlines) / fig_h
set multiplot layout 1, 2 margins 0.08, 0.90, bot, 1 - 0.45 / fig_h spacing 0.12, 0 \
    title sprintf("Measurement against mean-field theory (Poole et al. 2016; Schoenholz et al. 2017)%s", note)

pad = (hi - lo) * 0.05 + 0.05
set title "per-layer ratio at initialization" font ",7"
set xlabel "predicted log_{10} {/Symbol c}(q^l)"
set ylabel "measured log_{10} ||{/Symbol d}^l||^2 / ||{/Symbol d}^{l+1}||^2"
set xrange [lo - pad:hi + pad]
set yrange [lo - pad:hi + pad]
set size ratio -1
set key top left Left reverse
plot x with lines lw 0.8 dt 2 lc rgb "#555555" title "agreement", \
     for [k = 1:words(blocks)] dat index (word(blocks, k) + 0) using 1:2 \
       with points pt 7 ps 0.35 lc (word(series, k) + 0) title acts[word(series, k) + 0]
set size noratio

set title sprintf("phase diagram of %s", phase_act) noenhanced font ",7"
set xlabel "{/Symbol s}_w^2"
set ylabel "{/Symbol s}_b^2"
set xrange [0:swmax]
# marks at sigma_b2 = 0 stay whole: the range reaches below 0 by more than
# a mark's radius, and each mark has a white ring that sets it off from the
# map and from the white below its edge
set yrange [-0.07 * sbmax:sbmax]
set cblabel "log_{10} {/Symbol c}_1"
eval diverging
set cbrange [-cbmax:cbmax]
set colorbox user origin screen 0.915, screen 0.2 size screen 0.012, screen 0.6
set style fill solid 1.0 noborder
unset grid
set key top left Left reverse enhanced textcolor rgb "#000000" opaque
set view map
set style textbox opaque noborder margins 0.5, 0.5
# the init names under the diagram
do for [k = 1:nlines] {
  set label 10 + k mark_lines[k] at screen 0.55, screen (0.06 + 0.13 * (nlines - k)) / fig_h font ",6" noenhanced
}
# pm3d draws the grid; the chi_1 = 1 line and the inits on top.
splot dat index phase using 1:2:3 with pm3d notitle, \
      dat index (critline >= 0 ? critline : phase) using 1:2:(critline >= 0 ? 0 : NaN) \
        with lines lw 2 lc rgb "#000000" title (critline >= 0 ? "{/Symbol c}_1 = 1" : ""), \
      dat index (marks >= 0 ? marks : phase) using 1:2:(marks >= 0 ? 0 : NaN) \
        with points pt 7 ps 0.75 lc rgb "#FFFFFF" notitle, \
      dat index (marks >= 0 ? marks : phase) using 1:2:(marks >= 0 ? 0 : NaN) \
        with points pt 7 ps 0.5 lc rgb "#000000" notitle, \
      dat index (marks >= 0 ? marks : phase) using 1:(marks >= 0 ? $2 + $4 * 0.045 * sbmax : NaN):(0):(marks >= 0 ? stringcolumn(3) : "") \
        with labels boxed offset 0, 0.7 font ",6" tc rgb "#000000" notitle
unset multiplot
