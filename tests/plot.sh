# plot.sh - `satbench plot`: every figure renders from a tiny grid without a
# gnuplot warning, the scripts redraw their figures standalone, small grids
# (one activation, one depth) still give sensible figures, and bad input is
# refused.  The rendering checks need gnuplot and are skipped without it.
. "$srcdir/tests/lib.sh"
t_init plot

# The figures, as the program lists them.
FIGS=$("$SATBENCH" list figures | cut -f1 | tr '\n' ' ')
NFIGS=$(echo $FIGS | wc -w)
test "$NFIGS" -ge 7 && t_pass "satbench list figures names $NFIGS figures" || t_fail "satbench list figures names the figures" "got: $FIGS"
GRID="--optimizers sgd --log-schedule linear --inits standard,xavier_normal --widths 8 --seeds 2 --train-size 128 --test-size 32
      --batch 8 --input-dim 4 --classes 3 --steps 20 --log-every 5 --quiet"

# Without gnuplot: scripts and data only, and a note on how to render.
sb grid $GRID --activations tanh,relu --depths 2,3 --out "$T/data"
test "$rc" -eq 0 || t_fail "a tiny grid runs" "exit $rc: $(cat "$err")"
sb plot -d "$T/data" -o "$T/scripts" --no-render
if test "$rc" -eq 0 && ! test -s "$err"; then t_pass "plot --no-render exits 0 quietly on stderr"; else t_fail "plot --no-render exits 0" "exit $rc: $(cat "$err")"; fi
missing=
for f in $FIGS; do
  test -s "$T/scripts/$f.gp" && test -s "$T/scripts/$f.dat" || missing="$missing $f"
  test -e "$T/scripts/$f.pdf" && missing="$missing $f.pdf(should not exist)"
done
test -z "$missing" && t_pass "--no-render writes every NAME.gp and NAME.dat and no picture" || t_fail "--no-render writes every NAME.gp and NAME.dat" "missing:$missing"

t_label="plot of a folder without tables"
expect_fail 2 'nothing/cells.tsv' plot -d "$T/nothing" -o "$T/x"
t_label="plot --format gif"
expect_fail 2 '--format.*gif' plot -d "$T/data" -o "$T/x" --format gif
t_label="plot --bogus"
expect_fail 2 'bogus' plot --bogus
t_label="plot --gnuplot /nonexistent"
expect_fail 2 '--gnuplot' plot -d "$T/data" -o "$T/x" --gnuplot /nonexistent/gnuplot
# A figure that cannot be written is a failure, not "no data": a directory
# where grad-layers.dat must go.
mkdir -p "$T/blocked/grad-layers.dat"
t_label="plot where a figure's data file cannot be renamed into place"
expect_fail 1 'grad-layers.dat' plot -d "$T/data" -o "$T/blocked" --no-render

GNUPLOT=${GNUPLOT:-$(command -v gnuplot)}
if test -z "$GNUPLOT" || ! test -x "$GNUPLOT"; then
  t_skip "rendering every figure as PDF, PNG and SVG" "gnuplot not found"
  t_done
fi

render_ok()  # DESC DATA OUT: plot renders every figure present, no warning
{
  sb plot -d "$2" -o "$3" --gnuplot "$GNUPLOT" --format pdf,png,svg
  if test "$rc" -ne 0 || test -s "$err"; then
    t_fail "$1: plot exits 0 and gnuplot prints no warning" "exit $rc" "stderr: $(cat "$err")"
    return
  fi
  t_pass "$1: plot exits 0 and gnuplot prints no warning"
  bad=
  for f in $FIGS; do
    test -f "$3/$f.gp" || continue
    for ext in pdf png svg; do test -s "$3/$f.$ext" || bad="$bad $f.$ext"; done
  done
  test -z "$bad" && t_pass "$1: every script has a non-empty PDF, PNG and SVG" || t_fail "$1: every script has a non-empty PDF, PNG and SVG" "missing or empty:$bad"
}

render_ok "2 activations x 2 inits x 2 depths" "$T/data" "$T/plots"
n=$(ls "$T/plots"/*.gp | wc -l)
test "$n" -eq "$NFIGS" && t_pass "all $NFIGS figures drawn" || t_fail "all $NFIGS figures drawn" "got $n scripts"
head -c 4 "$T/plots/depth.pdf" | grep -q '%PDF' && t_pass "depth.pdf is a PDF" || t_fail "depth.pdf is a PDF"
od -An -c -N 4 "$T/plots/depth.png" | grep -q 'P   N   G' && t_pass "depth.png is a PNG" || t_fail "depth.png is a PNG"

# A script redraws its figure standalone, from inside the plots folder.
rm -f "$T/plots/heatmap.pdf" "$T/plots/heatmap.png"
(cd "$T/plots" && "$GNUPLOT" heatmap.gp) >"$T/gp.out" 2>"$T/gp.err"
if test -s "$T/plots/heatmap.pdf" && test -s "$T/plots/heatmap.png" && ! test -s "$T/gp.err"; then
  t_pass "cd plots && gnuplot heatmap.gp redraws the figure"
else
  t_fail "cd plots && gnuplot heatmap.gp redraws the figure" "$(cat "$T/gp.err")"
fi

# Degrading gracefully: one activation, one init, one depth, one seed, no training.
sb grid --activations sigmoid --inits standard --depths 3 --widths 8 --seeds 1 --train-size 64 \
  --test-size 16 --batch 8 --input-dim 4 --classes 3 --steps 0 --quiet --out "$T/small"
render_ok "one cell at init only" "$T/small" "$T/small-plots"
# LaTeX output: NAME.tex with its NAME.pdf picture.
sb plot -d "$T/small" -o "$T/tex-plots" --gnuplot "$GNUPLOT" --terminal cairolatex --format pdf
if test "$rc" -eq 0 && ! test -s "$err" && test -s "$T/tex-plots/heatmap.tex"; then
  t_pass "--terminal cairolatex writes NAME.tex without a warning"
else
  t_fail "--terminal cairolatex writes NAME.tex without a warning" "exit $rc: $(cat "$err")"
fi
# Deep, with a diverged cell among healthy ones.
sb grid --activations relu,tanh --inits he_normal --depths 12 --widths 8 --seeds 2 --train-size 64 \
  --test-size 16 --batch 8 --input-dim 4 --classes 3 --steps 30 --log-every 10 --lr 50 --quiet --out "$T/wild"
render_ok "deep cells, some diverged" "$T/wild" "$T/wild-plots"

t_done
