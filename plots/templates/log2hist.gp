# log2hist.gp - the histogram of log2|x| of a network's back-propagated
# errors delta^l (bars) and weight gradients dL/dW^l (outlines) per layer
# as an emulated format holds them: times the loss scale, after rounding
# (Micikevicius et al. 2018, "Mixed Precision Training", Figure 3).
#
# A column per (precision, loss scale), a row per layer (at most nine,
# first to last); the bar over [k, k+1) is the share of the layer's
# entries x with 2^k <= |x| < 2^(k+1).  The zero bin (entries exactly 0:
# flushed, or 0 before rounding; labelled "=0") stands apart on the left, the overflow
# bin (+-inf) on the right when some entry overflowed.  The vertical lines
# are the column's format: its smallest subnormal (dashed; below half of it
# a value rounds to 0), its smallest normal (dotted) and its largest finite
# value (dash-dot); a column whose marks lie far outside the values says
# so under its title.  A loss scale S moves the histogram right by log2 S
# against the same marks.  Rows share their y range across columns.
# Data: dat, a block per (layer, column) in that order; columns: bin
# centre (log2), share of delta's entries, share of dW's.  Set by
# satbench: ctitles, cscales, cnotes, coffs (per column: format, scale, range, off the axis), rtitles (per row), marks (3 per
# column: log2 of subnormal, normal, max), ymaxs (per row), fixed, ncols,
# nrows, xlo, xhi (the exponents' axis), xz (the zero bin), has_inf, xinf,
# xtic0, xstep and the legend (key_*).

set multiplot title tjoin(sprintf("Histograms of log2|gradient| per layer as the format holds it%s", note), fixed) noenhanced
NR = nrows; NC = ncols; IN_L = 0.72; IN_R = 0.12; IN_B = key_h + 0.42; IN_T = IN_T + 0.27; GAP_X = 0.1; GAP_Y = 0.08
unset key
set style fill transparent solid 0.55 noborder
set boxwidth 1 absolute
xright = has_inf ? xinf + 1.5 : xhi
set xrange [xz - 2:xright]
xsep = (xz + xlo) / 2 - 0.5   # the break between the zero bin and the exponents
set mxtics 1
set grid noxtics noytics
do for [r = 1:nrows] {
  ym = word(ymaxs, r) * 1.12
  set yrange [0:ym]
  set ytics 0, (ym > 0.5 ? 0.5 : ym > 0.2 ? 0.1 : ym > 0.1 ? 0.05 : ym / 2.2)
  do for [k = 1:ncols] {
    eval place(r, k)
    set title (r == 1 ? ctitles[k] . "\n" . cscales[k] . "\n" . cnotes[k] . (coffs[k] eq "" ? "" : "\n" . coffs[k]) : "") noenhanced font ",7"
    # the exponents' ticks, and the zero (and overflow) bin's, labelled on the bottom row
    set xtics xtic0, xstep format (r == nrows ? "%g" : "")
    set xtics add ((r == nrows ? "=0" : "") xz)
    if (has_inf) { set xtics add ((r == nrows ? "±∞" : "") xinf) }
    set xlabel (r == nrows ? "log_2 |x|" : "")
    set format y (k == 1 ? "%g" : "")
    set ylabel (k == 1 ? rtitles[r] : "") noenhanced offset 0.5,0
    unset arrow
    # the zero bin apart: a break between it and the exponents' axis
    set arrow 1 from first xsep, graph 0 to first xsep, graph 1 nohead lc rgb "#bbbbbb" lw 0.6
    do for [m = 1:3] {
      x = word(marks, (k - 1) * 3 + m) + 0
      if (x >= xlo && x <= xhi) { set arrow 1 + m from first x, graph 0 to first x, graph 1 nohead lc 7 lw 0.9 dt int(11 + m) }
    }
    b = (r - 1) * ncols + k - 1
    plot dat index b using 1:2 with boxes lc 1, \
         dat index b using 1:3 with boxes fs empty border lt 2 lw 0.9 lc 2
  }
}
unset arrow
unset title
eval key_strip
plot for [k = 1:|key_titles|] NaN with lines lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) lw 1.5 title key_titles[k]
unset multiplot
