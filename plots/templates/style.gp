# style.gp - satbench's figure style, prepended to every figure script.
#
# Drawn at the printed size: one column is 3.5 in, two columns 7 in, with
# 8 pt text.  Series: colour is one dimension (activation, or init), the
# dash pattern the other; the Okabe-Ito colorblind-safe colours.  Layers of
# one network: a sequential scale from dark (layer 1) to light (the top).
# Heatmaps: viridis; a quantity whose sign is the point (log10 chi_1): a
# diverging scale centred at 0.  Names from the tables are printed as they
# are (noenhanced); only satbench's own labels use enhanced text.
# Settings from the data are data, never code: single-quoted strings
# (gnuplot expands nothing inside '...'), and lists of names or titles are
# arrays of them (acts[a], ptitles[p], key_titles[k], |key_titles|), since
# word() cannot hold every name; lists of numbers are words (word(lcs, k)).
# `formats` (set above) lists what to render: pdf, png (at 2x for
# screens), svg, tex (cairolatex); `fmt` is the one being drawn.

term(f) = f eq "pdf" ? sprintf("pdfcairo enhanced color font 'Helvetica,8' size %.2fin,%.2fin linewidth 1", fig_w, fig_h) : \
          f eq "png" ? sprintf("pngcairo enhanced color font 'Helvetica,8' fontscale %g linewidth %g pointscale %g size %d,%d", png_text, png_lines, png_text, int(fig_w * 192), int(fig_h * 192)) : \
          f eq "svg" ? sprintf("svg enhanced font 'Helvetica,8' linewidth 1 size %d,%d", int(fig_w * 96), int(fig_h * 96)) : \
          sprintf("cairolatex pdf size %.2fin,%.2fin", fig_w, fig_h)
ext(f) = f eq "tex" ? "tex" : f
# PNGs are for screens: 192 pixels per inch (2x), with text and lines
# scaled so that the PNG matches its PDF rendered at 192 dpi (pdftoppm).
png_text = 1.4
png_lines = 2.0

# Okabe-Ito: blue, vermillion, bluish green, reddish purple, orange, sky
# blue, black, and a dark yellow that stays visible on white.
set linetype 1 lc rgb "#0072B2" lw 1.2 pt 7 ps 0.45 dt 1
set linetype 2 lc rgb "#D55E00" lw 1.2 pt 5 ps 0.45 dt 1
set linetype 3 lc rgb "#009E73" lw 1.2 pt 9 ps 0.55 dt 1
set linetype 4 lc rgb "#CC79A7" lw 1.2 pt 11 ps 0.55 dt 1
set linetype 5 lc rgb "#E69F00" lw 1.2 pt 13 ps 0.5 dt 1
set linetype 6 lc rgb "#56B4E9" lw 1.2 pt 7 ps 0.45 dt 1
set linetype 7 lc rgb "#000000" lw 1.2 pt 5 ps 0.45 dt 1
set linetype 8 lc rgb "#B8A000" lw 1.2 pt 9 ps 0.55 dt 1
set linetype cycle 8
# Layers 1..9 of a network (lc 21..29): dark blue to yellow (viridis).
set linetype 21 lc rgb "#440154" lw 1.1 pt 7 ps 0.35
set linetype 22 lc rgb "#472D7B" lw 1.1 pt 7 ps 0.35
set linetype 23 lc rgb "#3B528B" lw 1.1 pt 7 ps 0.35
set linetype 24 lc rgb "#2C728E" lw 1.1 pt 7 ps 0.35
set linetype 25 lc rgb "#21918C" lw 1.1 pt 7 ps 0.35
set linetype 26 lc rgb "#28AE80" lw 1.1 pt 7 ps 0.35
set linetype 27 lc rgb "#5EC962" lw 1.1 pt 7 ps 0.35
set linetype 28 lc rgb "#ADDC30" lw 1.1 pt 7 ps 0.35
set linetype 29 lc rgb "#E0C800" lw 1.1 pt 7 ps 0.35
# Dash patterns for a series' second dimension.
set dashtype 11 (1, 0)
set dashtype 12 (6, 3)
set dashtype 13 (2, 3)
set dashtype 14 (8, 3, 2, 3)
set dashtype 15 (12, 4)
set dashtype 16 (2, 2, 2, 6)

# Viridis, sampled at nine points.
set palette defined (0 "#440154", 1 "#472D7B", 2 "#3B528B", 3 "#2C728E", 4 "#21918C", \
                     5 "#28AE80", 6 "#5EC962", 7 "#ADDC30", 8 "#FDE725")
# A diverging scale: blue below 0, white at 0, red above.
diverging = "set palette defined (-1 '#2166AC', -0.5 '#92C5DE', 0 '#F7F7F7', 0.5 '#F4A582', 1 '#B2182B')"

# A name from the tables inside satbench's enhanced-text labels, printed
# literally: lit("xavier_normal") is not "xavier" with a subscript n.
lit1_(s, c) = (p_ = strstrt(s, c)) ? s[1:p_ - 1] . "\\" . c . lit1_(s[p_ + 1:], c) : s
lit(s) = lit1_(lit1_(lit1_(lit1_(lit1_(lit1_(lit1_(lit1_(s, "\\"), "_"), "^"), "{"), "}"), "@"), "&"), "~")

# A title and its details: on one line in a two-column figure (two when
# they would not fit in one); in a
# one-column one (3.5 in), where one line would be cut, the details go
# below, a line for each "; "-separated part, and TL_ (the number of those
# lines) moves the panels down to make room.
nsemi_(s) = strstrt(s, "; ") > 0 ? 1 + nsemi_(s[strstrt(s, "; ") + 2:]) : 0
semis_(s) = strstrt(s, "; ") > 0 ? s[1:strstrt(s, "; ") - 1] . "\n" . semis_(s[strstrt(s, "; ") + 2:]) : s
TL_ = 1
tjoin(main, detail) = fig_w > 5 ? (strlen(main) + strlen(detail) < 21 * fig_w ? main . " (" . detail . ")" : \
                                    (TL_ = 2, main . "\n" . detail)) : (TL_ = 1 + nsemi_(detail), main . "\n" . semis_(detail))

# Bands clipped to what the quantity can be (a loss is not negative, an
# error rate lies in [0, 1]): a t interval of three seeds can reach beyond.
max0(x) = x < 0 ? 0 : x
min1(x) = x > 1 ? 1 : x

# Light grid behind the data, no chart junk.
set style line 100 lc rgb "#dddddd" lw 0.5 dt 1
set grid back ls 100
set border 3 lw 0.8
set tics nomirror out scale 0.5
set mxtics default
set key samplen 2.5 spacing 0.9 font ",7" noopaque noenhanced
set style fill transparent solid 0.18 noborder
# Error bars drawn solid, whatever a series' dash pattern.
set bars small
# A chance level or a reference: thin, grey, dashed (also as lc 30 dt 12
# in a legend).
set style line 101 lc rgb "#777777" lw 0.8 dt 2
set linetype 30 lc rgb "#777777" lw 0.8 pt 7 ps 0.3

# Optimizer steps on x: on a log axis when the probes follow the log
# schedule (step 0 is drawn at 0.25 and labelled 0), else linear.
sx(s) = logsteps ? (s < 1 ? 0.25 : s) : s
# `eval steps_axis(top)`: top = 1 for a panel with another below it (no
# tick labels, no axis label).
steps_axis(top) = (logsteps ? "set logscale x; set xtics autofreq; " : "unset logscale x; set xtics autofreq; ") . \
  (top ? "set format x ''; set xlabel ''" : \
   logsteps ? "set format x '10^{%L}'; set xtics add ('0' 0.25); set xlabel 'optimizer steps (log)'" : \
   "set format x '%g'; set xlabel 'optimizer steps'")
# The x range of the steps, on either axis.
steps_range(dummy) = logsteps ? sprintf("set xrange [0.18:%g]", steps * 1.6) : sprintf("set xrange [%g:%g]", -0.02 * steps, 1.02 * steps)

# Panels placed by their margins, so that they align whatever their tick
# labels: a template sets the grid (NR x NC), its region in inches from the
# figure's edges (IN_L, IN_R, IN_B, IN_T) and the gaps (GAP_X, GAP_Y), and
# `eval place(r, c)` before each plot (row 1 on top).
IN_L = 0.62; IN_R = 0.2; IN_B = 0.45; IN_T = (fig_w > 5 ? 0.5 : 0.62); GAP_X = 0.4; GAP_Y = 0.35; NR = 1; NC = 1
# Rows in pairs (a panel and the one below it, sharing its x axis):
# PAIRS = 1 adds GAP_G between pairs, room for the next pair's titles.
PAIRS = 0; GAP_G = 0.3
ng_(dummy) = PAIRS ? NR / 2 - 1 : 0
pw_(dummy) = (fig_w - IN_L - IN_R - (NC - 1) * GAP_X) / NC
top_(dummy) = IN_T + (TL_ - 1) * 0.12
ph_(dummy) = (fig_h - IN_B - top_(0) - (NR - 1) * GAP_Y - ng_(0) * GAP_G) / NR
py_(r) = top_(0) + (r - 1) * (ph_(0) + GAP_Y) + (PAIRS ? int((r - 1) / 2) * GAP_G : 0)
place(r, c) = sprintf("set lmargin at screen %.5f; set rmargin at screen %.5f; set tmargin at screen %.5f; set bmargin at screen %.5f", \
  (IN_L + (c - 1) * (pw_(0) + GAP_X)) / fig_w, (IN_L + (c - 1) * (pw_(0) + GAP_X) + pw_(0)) / fig_w, \
  1 - py_(r) / fig_h, 1 - (py_(r) + ph_(0)) / fig_h)
# The legend, in a strip of its own under the panels (key_h inches tall),
# where it hides nothing: `eval key_strip`, then a plot of NaN series with
# their titles.
key_strip = "set lmargin at screen 0.01; set rmargin at screen 0.99; set bmargin at screen 0.0; " . \
  "set tmargin at screen key_h / fig_h; unset border; unset tics; unset xlabel; unset ylabel; unset title; " . \
  "unset logscale; unset grid; set xrange [0:1]; set yrange [0:1]; " . \
  "set key center center horizontal Left reverse maxcols key_per_row samplen 2.5"

eval "set terminal ".term(fmt)
set output name.".".ext(fmt)
