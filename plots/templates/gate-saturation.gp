# gate-saturation.gp - the saturation of LSTM and GRU gates over training
# (Karpathy, Johnson & Fei-Fei 2015, Fig. 3's view; Gu et al. 2020).
#
# A gate is saturated where its sigmoid is below 0.1 (closed) or above 0.9
# (open): there its derivative sigma'(a) is under 0.09, and the gradient
# through it is cut.  Top of each pair: the share of a gate's values below
# 0.1; below: the share above 0.9 (gates.tsv's low_frac and high_frac,
# over the probe set's examples and the hidden units), averaged over the
# last T time steps of a cell.  A line per gate of each gated cell type:
# colour = gate, dash = cell type (LSTM: input i, forget f, output o; GRU:
# reset r, update z).  A pair of panels per (activation, init), the inits
# side by side (or the preferred one when there are more than four);
# every panel at the longest T of the gated cells and at one trained
# variant: where the gates end most saturated, or what --select chose
# (the title says which).  Bands: with up to 5 seeds from the lowest seed
# to the highest, beyond that the 95% interval of the mean.
# Data: dat, one block per (panel, gate); columns: step, below-0.1 share
# mean, lo, hi, above-0.9 share mean, lo, hi.  Set by satbench: choice
# (the rule, or ''), titles, ytops (the top of each panel's two
# share axes), npan, ncols, prow, blocks_P / lcs_P / dts_P,
# fixed, T, steps and the legend (key_*).

if (fig_w > 5) { lines_ = (choice ne "" ? choice . "\n" : "") . fixed } else { lines_ = semis_((choice ne "" ? choice . "; " : "") . fixed) }
set multiplot title sprintf("Gate saturation over training, T = %d%s", T, note) . "\n" . lines_ noenhanced
TL_ = 1 + (fig_w > 5 ? 1 + (choice ne "") : 1 + nsemi_((choice ne "" ? choice . "; " : "") . fixed))
NR = 2 * prow; NC = ncols; IN_B = key_h + 0.45; GAP_Y = 0.12; PAIRS = 1; GAP_G = 0.42; IN_L = 0.7
eval steps_range(0)
unset key
do for [p = 1:npan] {
  pr = (p - 1) / ncols + 1
  col = (p - 1) % ncols + 1
  b = value(sprintf("blocks_%d", p))
  lc_ = value(sprintf("lcs_%d", p))
  dt_ = value(sprintf("dts_%d", p))
  do for [row = 1:2] {
    if (words(b) > 0) {
      eval place(2 * (pr - 1) + row, col)
      set title (row == 1 ? titles[p] : "") noenhanced font ",7"
      eval steps_axis(row == 1)
      if (p + ncols <= npan) { set xlabel "" }
      set ylabel (col == 1 ? (row == 1 ? "share of gate values < 0.1" : "share of gate values > 0.9") : "")
      set yrange [0:word(ytops, 2 * (p - 1) + row) + 0]
      set format y "%.2g"
      c = 2 + 3 * (row - 1)
      plot for [k = 1:words(b)] dat index (word(b, k) + 0) \
             using (sx($1)):(max0(column(c + 1))):(min1(column(c + 2))) with filledcurves lc (word(lc_, k) + 0) notitle, \
           for [k = 1:words(b)] dat index (word(b, k) + 0) \
             using (sx($1)):c with linespoints lc (word(lc_, k) + 0) dt int(word(dt_, k)) pt 7 ps 0.25 notitle
    }
  }
}
eval key_strip
plot for [k = 1:|key_titles|] NaN with linespoints lc (word(key_lcs, k) + 0) dt int(word(key_dts, k)) \
       pt 7 ps 0.3 title key_titles[k]
unset multiplot
