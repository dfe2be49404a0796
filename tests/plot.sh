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
sb grid $GRID --activations tanh,relu --depths 2,3 --norms none,layernorm --jacobian 2 --out "$T/data"
test "$rc" -eq 0 || t_fail "a tiny grid runs" "exit $rc: $(cat "$err")"
sb plot -d "$T/data" -o "$T/scripts" --no-render
if test "$rc" -eq 0 && ! test -s "$err"; then t_pass "plot --no-render exits 0 quietly on stderr"; else t_fail "plot --no-render exits 0" "exit $rc: $(cat "$err")"; fi
missing=
# The figures of an emulated precision need its tables (log2hist.tsv,
# cells.tsv's flush columns): drawn from a precision grid below.
PREC_FIGS="log2hist flush-depth underflow"
NPREC=$(echo $PREC_FIGS | wc -w)
# Those of recurrent cells need one (tests/plot-rnn.sh): skipped here.
RNN_FIGS="grad-time gate-saturation success-length"
NPREC=$((NPREC + $(echo $RNN_FIGS | wc -w)))
for f in $FIGS; do
  test "$f" = trainability && continue   # needs a phase-diagram grid: below
  case " $PREC_FIGS $RNN_FIGS " in *" $f "*) continue ;; esac
  test -s "$T/scripts/$f.gp" && test -s "$T/scripts/$f.dat" || missing="$missing $f"
  test -e "$T/scripts/$f.pdf" && missing="$missing $f.pdf(should not exist)"
done
grep -q '^skipped trainability: no data' "$out" || missing="$missing (no note that trainability was skipped)"
grep -q '^skipped underflow: no data' "$out" || missing="$missing (no note that underflow was skipped)"
for f in $RNN_FIGS; do
  grep -q "^skipped $f: no data" "$out" && ! test -e "$T/scripts/$f.gp" || missing="$missing (no note that $f was skipped)"
done
test -z "$missing" && t_pass "--no-render writes every NAME.gp and NAME.dat and no picture" || t_fail "--no-render writes every NAME.gp and NAME.dat" "missing:$missing"

# The spectra figure draws only the singular values above the resolution
# floor (relu's dead top units and layer norm leave exact zeros), and each
# panel's title gives the share below it per depth, as spectra.tsv counts.
minfloor=$(awk -F'\t' '/^#/ || $1 == "cell" { next } $12 == 0 && (m == "" || $16 + 0 < m) { m = $16 + 0 } END { printf "%.17g", m }' "$T/data/spectra.tsv")
minx=$(awk -F'\t' '!/^#/ && $1 != "NaN" && NF == 2 && (m == "" || $1 + 0 < m) { m = $1 + 0 } END { printf "%.17g", m }' "$T/scripts/spectra.dat")
awk -v a="$minx" -v b="$minfloor" 'BEGIN { exit !(b > 0 && a >= b) }' &&
  t_pass "spectra: nothing below the resolution floor is drawn (lowest sigma $minx >= lowest floor $minfloor)" ||
  t_fail "spectra: nothing below the resolution floor is drawn" "lowest sigma $minx, lowest floor $minfloor"
want=$(awk -F'\t' '/^#/ || $1 == "cell" { next }
  $12 == 0 { k = $2 " " $3 ", " ($6 == "none" ? "no norm" : $6); n[k, $4]++; if ($17 == 0) z[k, $4]++
             if (!(k in seen)) { seen[k] = 1; order[++np] = k } }
  END { for (p = 1; p <= np; p++) { k = order[p]; s = ""; any = 0
          for (d = 2; d <= 3; d++) { s = s (d > 2 ? " · " : "") sprintf("%.0f%%", 100 * z[k, d] / n[k, d]); if (z[k, d]) any = 1 }
          printf "%s'\''%s'\''", (p > 1 ? ", " : ""), any ? "below the floor " s : "" } }' "$T/data/spectra.tsv")
got=$(sed -n 's/^array pnotes\[[0-9]*\] = \[\(.*\)\]$/\1/p' "$T/scripts/spectra.gp")
test -n "$got" && test "$got" = "$want" && case "$got" in *"below the floor"*) true ;; *) false ;; esac &&
  t_pass "spectra: every panel's share below the floor per depth, as spectra.tsv counts ($got)" ||
  t_fail "spectra: every panel's share below the floor per depth" "want: $want; got: $got"

# Saturation without a threshold: the layer figures draw the mean slope
# |phi'(h)| / max|phi'| of summary.tsv (its slope_mean_mean), not sat_frac.
bad=$(awk -F'\t' 'FNR == 1 { file++ } /^#/ { next }
  file == 1 && $1 == "cell" { next }
  file == 1 && !hdr { for (i = 1; i <= NF; i++) c[$i] = i; hdr = 1; next }
  file == 1 { v[++n] = $(c["slope_mean_mean"]) + 0; next }
  NF == 7 && $5 != "NaN" { rows++; ok = 0; for (k = 1; k <= n; k++) if ($5 - v[k] < 1e-8 && v[k] - $5 < 1e-8) { ok = 1; break }
                           if (!ok || $5 < 0 || $5 > 1) bad++ }
  END { print (rows ? bad + 0 : "no rows") }' "$T/data/summary.tsv" "$T/scripts/saturation-training.dat")
grep -q 'slope_mean lo hi' "$T/scripts/saturation-training.dat" && test "$bad" = 0 &&
  t_pass "saturation-training: the bottom row is each layer's slope_mean_mean from summary.tsv" ||
  t_fail "saturation-training: the bottom row is each layer's slope_mean_mean from summary.tsv" "$bad rows differ"

# Titles print an init's numbers to four digits (orthogonal:1.414, not
# 1.4142135623730951) unless two would then read the same (meanfield:1:0.05
# and meanfield:1.0000001:0.05 keep their names), and the spectra figure
# puts the inits compared side by side: a row per activation.
sb grid $GRID --steps 0 --activations tanh,relu --inits orthogonal:1.4142135623730951,meanfield:1.0000001:0.05,meanfield:1:0.05 --depths 2,3 \
  --jacobian 2 --out "$T/labels"
sb plot -d "$T/labels" -o "$T/labels-plots" --no-render
raw=$(cat "$T/labels-plots"/*.gp | grep -v '^#' | grep -c '1\.4142135623730951')
short=$(cat "$T/labels-plots"/*.gp | grep -v '^#' | grep -c "orthogonal:1\.414'")
test "$rc" -eq 0 && test "$raw" -eq 0 && test "$short" -ge 3 &&
  grep -q "^array inits\[3\] = \['orthogonal:1.414', 'meanfield:1.0000001:0.05', 'meanfield:1:0.05'\]$" "$T/labels-plots/heatmap.gp" &&
  grep -q '^ncols = 3$' "$T/labels-plots/spectra.gp" && grep -q '^nrows = 2$' "$T/labels-plots/spectra.gp" &&
  t_pass "titles: orthogonal:1.414 (in $short scripts' lines, the raw float in none); spectra: a row per activation, its inits side by side" ||
  t_fail "titles: orthogonal:1.414, not the raw float; spectra: a row per activation" "exit $rc, raw $raw, short $short: $(grep '^n\(cols\|rows\) =' "$T/labels-plots/spectra.gp" | tr '\n' ' ')"

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

# --only and --select draw subsets; a typo is an error, not an empty figure.
sb plot -d "$T/data" -o "$T/only" --no-render --only heatmap,depth
got=$(cd "$T/only" 2>/dev/null && ls *.gp | tr '\n' ' ')
test "$rc" -eq 0 && test "$got" = "depth.gp heatmap.gp " && t_pass "--only heatmap,depth writes just those two" ||
  t_fail "--only heatmap,depth writes just those two" "exit $rc, wrote: $got"
t_label="plot --only nosuch"
expect_fail 2 '--only.*nosuch' plot -d "$T/data" -o "$T/x" --only heatmap,nosuch
sb plot -d "$T/data" -o "$T/sel" --no-render --select depth=3 --select init=xavier_normal --select norm=none
blocks=$(grep '^# block' "$T/sel/heatmap.dat" 2>/dev/null | grep -c 'depth')
if test "$rc" -eq 0 && test "$blocks" -eq 1 && grep -q '^# block 0: depth 3' "$T/sel/heatmap.dat" &&
   grep -q "^array inits\[1\] = \['xavier_normal'\]" "$T/sel/heatmap.gp"; then
  t_pass "--select depth=3 --select init=xavier_normal --select norm=none: the heatmap has one panel, depth 3, of xavier_normal"
else
  t_fail "--select depth=3 --select init=xavier_normal: one panel of depth 3, xavier_normal" "exit $rc: $(cat "$err")"
fi
t_label="plot --select init=nosuch"
expect_fail 2 'no cell has init=nosuch.*standard, xavier_normal' plot -d "$T/data" -o "$T/x" --select init=nosuch
t_label="plot --select colour=red"
expect_fail 2 "--select: 'colour' is not a column" plot -d "$T/data" -o "$T/x" --select colour=red
t_label="plot --select depth"
expect_fail 2 '--select' plot -d "$T/data" -o "$T/x" --select depth

# A script the user edited is never overwritten: satbench says so and
# writes its own beside it; --force overwrites (and leaves no .gp.new).
sb plot -d "$T/data" -o "$T/edit" --no-render
echo '# my edit' >>"$T/edit/heatmap.gp"
cp "$T/edit/depth.gp" "$T/depth.before"
sb plot -d "$T/data" -o "$T/edit" --no-render
if test "$rc" -eq 0 && grep -q 'kept .*edit/heatmap.gp.*heatmap.gp.new' "$err" && grep -q '^# my edit' "$T/edit/heatmap.gp" &&
   cmp -s "$T/edit/heatmap.gp.new" "$T/scripts/heatmap.gp"; then
  t_pass "an edited heatmap.gp is kept, said on stderr, and the new script is heatmap.gp.new"
else
  t_fail "an edited heatmap.gp is kept, said on stderr, and the new script is heatmap.gp.new" "exit $rc: $(cat "$err")"
fi
test -e "$T/edit/depth.gp.new" && t_fail "an unedited depth.gp is simply rewritten" ||
  { cmp -s "$T/edit/depth.gp" "$T/depth.before" && t_pass "an unedited depth.gp is simply rewritten"; } ||
  t_fail "an unedited depth.gp is simply rewritten"
sb plot -d "$T/data" -o "$T/edit" --no-render --force
if test "$rc" -eq 0 && ! grep -q 'my edit' "$T/edit/heatmap.gp" && ! test -e "$T/edit/heatmap.gp.new"; then
  t_pass "--force overwrites the edited script and removes heatmap.gp.new"
else
  t_fail "--force overwrites the edited script and removes heatmap.gp.new" "exit $rc: $(cat "$err")"
fi

# An interrupted grid is refused, and drawn with --partial, titles saying so.
# (held after its third record, stop.h's hold point, and sent SIGINT there)
hold_start record-3 "$T/cut.out" "$T/cut.err" grid --optimizers sgd --activations tanh,relu --inits standard,he_normal \
  --depths 2,6 --widths 32 --seeds 3 --train-size 512 --test-size 64 --batch 16 --input-dim 8 --classes 3 --steps 6000 \
  --log-every 500 --quiet --threads 2 --out "$T/cut"
test "$held" = 1 && kill -INT "$held_pid"
hold_release
hold_end
if grep -q '"complete": false' "$T/cut/manifest.json" 2>/dev/null; then
  t_label="plot of an interrupted grid"
  expect_fail 2 'not complete.*--partial' plot -d "$T/cut" -o "$T/cut-plots" --no-render
  test -e "$T/cut-plots" && t_fail "the refusal writes nothing" || t_pass "the refusal writes nothing"
  sb plot -d "$T/cut" -o "$T/cut-plots" --no-render --partial
  test "$rc" -eq 0 && grep -q '^partial = 1' "$T/cut-plots/heatmap.gp" && t_pass "--partial draws it, marked partial" ||
    t_fail "--partial draws it, marked partial" "exit $rc: $(cat "$err")"
else
  t_skip "plot of an interrupted grid" "the grid finished before it could be interrupted"
  t_skip "the refusal writes nothing" "the grid finished before it could be interrupted"
  t_skip "--partial draws it, marked partial" "the grid finished before it could be interrupted"
fi

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
# trainability needs a phase-diagram grid (meanfield inits, 3 depths): below
test "$n" -eq $((NFIGS - 1 - NPREC)) && ! test -e "$T/plots/trainability.gp" &&
  t_pass "all $NFIGS figures but trainability, the precision figures ($PREC_FIGS) and the recurrent ones ($RNN_FIGS) drawn" \
  || t_fail "all $NFIGS figures but trainability and the precision figures drawn" "got $n scripts"
# An emulated precision's grid: its figures drawn, every other figure too.
sb grid $GRID --activations sigmoid,tanh --depths 3,6 --precisions fp32,fp16,fp8e5m2 --loss-scales 1,8 --out "$T/prec"
render_ok "a precision grid (fp32, fp16, fp8e5m2 x loss scales 1, 8)" "$T/prec" "$T/precplots"
bad=
for f in $PREC_FIGS; do test -s "$T/precplots/$f.png" || bad="$bad $f"; done
test -z "$bad" && t_pass "the precision figures ($PREC_FIGS) drawn for it" || t_fail "the precision figures drawn" "missing:$bad"
# an fp64 grid's titles say nothing of the precision axis (its default)
n=$(grep -l '^fixed = .*\(precision\|loss_scale\|scale 1\)' "$T/plots"/*.gp | tr '\n' ' ')
test -z "$n" && t_pass "an fp64 grid's titles do not name the precision or the loss scale" ||
  t_fail "an fp64 grid's titles do not name the precision or the loss scale" "in: $n"
# nor a feed-forward grid's the architecture (its default, mlp)
n=$(grep -l "^\(fixed\|what\|choice\) = .*\(arch\|mlp\)" "$T/plots"/*.gp | tr '\n' ' ')
test -z "$n" && t_pass "a feed-forward grid's titles do not name the architecture (mlp)" ||
  t_fail "a feed-forward grid's titles do not name the architecture (mlp)" "in: $n"
sb grid $GRID --activations tanh --inits meanfield:1:0.05,meanfield:1.8:0.05,meanfield:3:0.05 --depths 2,3,4 --out "$T/phase"
render_ok "a phase-diagram grid (3 meanfield inits x 3 depths)" "$T/phase" "$T/phaseplots"
if test -s "$T/phaseplots/trainability.png" && grep -q '^# block 2: panel 1: sigma_w2, 6 xi_c' "$T/phaseplots/trainability.dat"; then
  t_pass "trainability drawn for the phase-diagram grid, with its 6 xi_c curve"
else
  t_fail "trainability drawn for the phase-diagram grid, with its 6 xi_c curve" "$(ls "$T/phaseplots")"
fi
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

# An init beyond the phase diagram's window (sigma_w2 = 60): no point to
# mark on it, and the figure still draws.
sb grid --activations tanh --inits meanfield:60:0.05 --depths 2,3 --widths 8 --seeds 1 --train-size 64 \
  --test-size 16 --batch 8 --input-dim 4 --classes 3 --steps 0 --quiet --out "$T/far"
sb plot -d "$T/far" -o "$T/far-plots" --gnuplot "$GNUPLOT" --only theory --format png
test "$rc" -eq 0 && ! test -s "$err" && grep -q '^marks = -1' "$T/far-plots/theory.gp" && test -s "$T/far-plots/theory.png" &&
  t_pass "theory draws when no init lies on the phase diagram" ||
  t_fail "theory draws when no init lies on the phase diagram" "exit $rc: $(cat "$err")"

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
# Every activation, 30 layers, one init, one seed, trained on the log
# schedule: the layer figures draw a subset of nine with a legend of nine.
sb grid --activations "$("$SATBENCH" list activations | cut -f1 | tr '\n' ',' | sed 's/,$//')" --inits xavier_normal \
  --depths 30 --widths 8 --seeds 1 --train-size 64 --test-size 16 --batch 8 --input-dim 4 --classes 3 --steps 20 \
  --log-schedule log --optimizers sgd --quiet --out "$T/all"
test "$rc" -eq 0 || t_fail "a grid of every activation at depth 30 runs" "exit $rc: $(cat "$err")"
render_ok "every activation, 30 layers, 1 init, 1 seed" "$T/all" "$T/all-plots"
grep -q '^skipped depth' "$out" && t_pass "one depth: the depth figure is skipped, with a note" ||
  t_fail "one depth: the depth figure is skipped, with a note" "$(cat "$out")"
n=$(grep '^array key_titles\[' "$T/all-plots/saturation-dynamics.gp" | grep -o "'layer [0-9]*'" | tr '\n' ' ')
test "$n" = "'layer 1' 'layer 5' 'layer 8' 'layer 12' 'layer 16' 'layer 19' 'layer 23' 'layer 26' 'layer 30' " && t_pass "30 layers: saturation-dynamics draws nine of them, first to last" ||
  t_fail "30 layers: saturation-dynamics draws nine of them" "$(grep '^array key_titles' "$T/all-plots/saturation-dynamics.gp")"
# Several learning rates, optimizers, losses and widths: variants, never overplotted.
sb grid --activations tanh,relu --inits standard --depths 2,4 --widths 8,12 --lrs 0.05,0.5 --optimizers sgd,adam \
  --losses xent,mse --seeds 2 --train-size 64 --test-size 16 --batch 8 --input-dim 4 --classes 3 --steps 10 \
  --log-schedule log --quiet --out "$T/axes"
test "$rc" -eq 0 || t_fail "a grid of widths x lrs x optimizers x losses runs" "exit $rc: $(cat "$err")"
render_ok "2 widths x 2 lrs x 2 optimizers x 2 losses" "$T/axes" "$T/axes-plots"
n=$(grep -c '^# block .*: step loss lo hi' "$T/axes-plots/learning-curves.dat")
test "$n" -eq 64 && t_pass "learning curves: a series per activation, init, variant (16) and depth" ||
  t_fail "learning curves: 64 series (2 acts x 16 variants x 2 depths)" "got $n"
# at initialization the learning rate and the optimizer do not matter yet:
# heatmap panels per depth x width x loss, each network counted once
n=$(grep '^# block' "$T/axes-plots/heatmap.dat" | wc -l)
seeds=$(grep -v '^#' "$T/axes-plots/heatmap.dat" | awk 'NF == 4 { print $4 }' | sort -u | tr '\n' ' ')
test "$n" -eq 8 && test "$seeds" = "2 " && t_pass "heatmap: 8 panels (depth x width x loss), 2 networks per cell" ||
  t_fail "heatmap: 8 panels (depth x width x loss), 2 networks per cell" "blocks $n, counts: $seeds"

# Precisions and loss scales: the lines of one panel, never panels of
# their own; the underflow figure from precision.tsv.
sb grid $GRID --activations sigmoid --inits standard --depths 4 --precisions fp32,fp16 --loss-scales 1,dynamic --out "$T/prec2"
test "$rc" -eq 0 || t_fail "a grid of 2 precisions x 2 loss scales runs" "exit $rc: $(cat "$err")"
render_ok "2 precisions x 2 loss scales" "$T/prec2" "$T/prec2-plots"
keys="'fp32 · scale 1' 'fp32 · dynamic scale' 'fp16 · scale 1' 'fp16 · dynamic scale'"
for f in learning-curves underflow; do
  n=$(grep '^array key_titles\[' "$T/prec2-plots/$f.gp" | grep -o "'[^']*'" | grep -v chance | tr '\n' ' ')
  test "$n" = "$keys " && t_pass "$f: a line per precision and loss scale, named in the legend" ||
    t_fail "$f: a line per precision and loss scale, named in the legend" "got: $n"
done
# at initialization too: grad-layers draws the four, one init, each in its own colour
nlc=$(sed -n "s/^lcs_1 = '\(.*\)'$/\1/p" "$T/prec2-plots/grad-layers.gp" | tr ' ' '\n' | sort -u | wc -l)
nbl=$(sed -n "s/^blocks_1 = '\(.*\)'$/\1/p" "$T/prec2-plots/grad-layers.gp" | wc -w)
test "$nbl" -eq 4 && test "$nlc" -eq 4 && t_pass "grad-layers: the 4 precisions and scales at step 0 as 4 lines of 4 colours" ||
  t_fail "grad-layers: the 4 precisions and scales at step 0 as 4 lines of 4 colours" "$nbl lines, $nlc colours"
grep -q '^ngroups = 1$' "$T/prec2-plots/learning-curves.gp" && grep -q "^blocks_1 = '[0-9]* [0-9]* [0-9]* [0-9]*'" "$T/prec2-plots/learning-curves.gp" &&
  t_pass "learning-curves: the four in one panel" ||
  t_fail "learning-curves: the four in one panel" "$(grep '^\(ngroups\|blocks_\)' "$T/prec2-plots/learning-curves.gp")"
# underflow.dat's fp16 unscaled step-0 row of layer 1 against precision.tsv's mean over the seeds
want=$(awk -F'\t' '/^#/ { next } $1 == "cell" { for (k = 1; k <= NF; k++) c[$k] = k; next }
  $c["precision"] == "fp16" && $c["loss_scale"] == "1" && $c["step"] == 0 && $c["layer"] == 1 {
    if ($c["tensor"] == "delta") { dz += $c["zero_frac"]; df += $c["flushed_frac"]; n++ }
    if ($c["tensor"] == "dW") { wz += $c["zero_frac"]; wf += $c["flushed_frac"]; m++ } }
  END { printf "%.6g %.6g %.6g %.6g", dz / n, df / n, wz / m, wf / m }' "$T/prec2/precision.tsv")
got=$(awk '/^# block/ { on = /fp16 · scale 1 step 0:/; next } on && $1 == 1 { printf "%.6g %.6g %.6g %.6g", $2, $3, $4, $5; exit }' "$T/prec2-plots/underflow.dat")
test -n "$want" && test "$got" = "$want" && t_pass "underflow: layer 1 at step 0 is precision.tsv's mean over the seeds ($got)" ||
  t_fail "underflow: layer 1 at step 0 is precision.tsv's mean over the seeds" "got '$got', want '$want'"
# the digest names them as the figures do
sb report -d "$T/prec2" -o "$T/prec2.html" --quiet
grep -q 'fp16 · dynamic scale' "$T/prec2.html" && ! grep -q 'precision=\|loss_scale=' "$T/prec2.html" &&
  t_pass "report: the groups read fp16 · dynamic scale" ||
  t_fail "report: the groups read fp16 · dynamic scale" "$(grep -o '[a-z0-9_]*=[a-z0-9]*' "$T/prec2.html" | sort -u | head -5)"

# Deep, with a diverged cell among healthy ones.
sb grid --activations relu,tanh --inits he_normal --depths 12 --widths 8 --seeds 2 --train-size 64 \
  --test-size 16 --batch 8 --input-dim 4 --classes 3 --steps 30 --log-every 10 --lr 50 --quiet --out "$T/wild"
render_ok "deep cells, some diverged" "$T/wild" "$T/wild-plots"

t_done
