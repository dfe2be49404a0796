# spectra.gp - dynamical isometry (Pennington, Schoenholz & Ganguli 2017):
# the singular values of the input-output Jacobian J = d a^depth / d x at
# initialization.
#
# A panel per activation and init (and variant at init); a line per depth,
# dark (shallow) to light (deep): the density of log10 sigma over every
# probed input and seed, binned over each panel's own range (40 bins), on
# a log sigma axis of each panel's own (whole decades around its resolved
# values, at least two), so that a narrow spectrum is not squeezed into a
# sliver by another panel's spread or a floor at 1e-22.  A spectrum that stays narrow as
# depth grows is isometric (tanh near its critical point with orthogonal
# weights); one that spreads over decades is not (Gaussian weights; relu
# under any init).  Its centre moves with the mean of sigma^2, prod chi_l.
# Only singular values above the resolution floor max(width, input dim)
# eps sigma_max are drawn: below it a value is rounding, not the network.
# The density is a share of all of them, so a curve's area is the share
# resolved; the dashed line of a depth's colour is its floor, and each
# panel's title says (on its second line) the share below it per depth, shallow to deep.
# Data: dat, per panel a block per depth of (sigma, density per unit of
# log10 sigma).  Set by satbench: ptitles, pnotes, lcs (per depth),
# floors (per panel and depth, 0 where unknown), fixed, npanels, ndepths,
# ncols, nrows, xlo_P / xhi_P (per panel), ymax and the legend (key_*).

set multiplot title tjoin(sprintf("Singular values of the input-output Jacobian%s", note), fixed) noenhanced
NR = nrows; NC = ncols; IN_B = key_h + 0.5; GAP_Y = 0.55; GAP_X = 0.5
set logscale x
set format x "10^{%L}"
set yrange [0:ymax * 1.12]
unset key
do for [p = 1:npanels] {
  eval place((p - 1) / ncols + 1, (p - 1) % ncols + 1)
  xlo_ = value(sprintf("xlo_%d", p)); xhi_ = value(sprintf("xhi_%d", p))
  set xrange [xlo_:xhi_]
  # at most about five labelled decades
  set xtics xlo_, 10.0 ** ceil(log10(xhi_ / xlo_) / 4.0) * 1.0000001, xhi_
  set title (strlen(pnotes[p]) ? ptitles[p] . "\n" . pnotes[p] : ptitles[p]) noenhanced font ",7"
  set xlabel (p + ncols > npanels ? "singular value {/Symbol s}" : "")   # under the lowest panel of a column
  set ylabel ((p - 1) % ncols == 0 ? "density per unit of log_{10} {/Symbol s}" : "")
  unset arrow
  do for [d = 1:ndepths] {
    fl = word(floors, (p - 1) * ndepths + d) + 0
    if (fl >= xlo_ && fl <= xhi_) { set arrow d from first fl, graph 0 to first fl, graph 1 nohead dt 2 lw 1 lc (word(lcs, d) + 0) }
  }
  plot for [d = 1:ndepths] dat index ((p - 1) * ndepths + d - 1) using 1:2 with lines lc (word(lcs, d) + 0) notitle
}
unset arrow
eval key_strip
plot for [k = 1:|key_titles|] NaN with lines lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) title key_titles[k]
unset multiplot
