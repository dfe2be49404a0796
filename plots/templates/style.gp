# style.gp - satbench's figure style, prepended to every figure script.
#
# Drawn at the printed size: one column is 3.5 in, two columns 7 in, with
# 8 pt text.  Lines use the Okabe-Ito colorblind-safe palette; heatmaps use
# viridis.  `formats` (set above) lists what to render: pdf, png (at 2x for
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

# Okabe-Ito: blue, vermillion, bluish green, orange, reddish purple, sky blue,
# yellow, black.
set linetype 1 lc rgb "#0072B2" lw 1.2 pt 7 ps 0.45 dt 1
set linetype 2 lc rgb "#D55E00" lw 1.2 pt 5 ps 0.45 dt 1
set linetype 3 lc rgb "#009E73" lw 1.2 pt 9 ps 0.55 dt 1
set linetype 4 lc rgb "#E69F00" lw 1.2 pt 13 ps 0.5 dt 1
set linetype 5 lc rgb "#CC79A7" lw 1.2 pt 11 ps 0.55 dt 1
set linetype 6 lc rgb "#56B4E9" lw 1.2 pt 7 ps 0.45 dt 1
set linetype 7 lc rgb "#F0E442" lw 1.2 pt 5 ps 0.45 dt 1
set linetype 8 lc rgb "#000000" lw 1.2 pt 9 ps 0.55 dt 1
set linetype cycle 8

# Viridis, sampled at nine points.
set palette defined (0 "#440154", 1 "#472D7B", 2 "#3B528B", 3 "#2C728E", 4 "#21918C", \
                     5 "#28AE80", 6 "#5EC962", 7 "#ADDC30", 8 "#FDE725")

# Light grid behind the data, no chart junk.
set style line 100 lc rgb "#dddddd" lw 0.5 dt 1
set grid back ls 100
set border 3 lw 0.8
set tics nomirror out scale 0.5
set mxtics default
set key top right samplen 1.5 spacing 0.9 font ",7" noopaque noenhanced
set style fill transparent solid 0.18 noborder
set bars small

eval "set terminal ".term(fmt)
set output name.".".ext(fmt)
