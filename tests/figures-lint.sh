# figures-lint.sh - the worst defects a reviewer finds in satbench's figures,
# checked in the scripts `satbench plot` writes (NAME.gp) on small grids
# shaped like the default grid and the meanfield, trainability and isometry
# presets: no raw float of more than six significant digits in any title,
# label, tick or legend; spectra keeps each Gaussian / orthogonal pair of
# the same sigma_w2 side by side in one row; histograms cover every init of
# the grid (and each variant of a trained grid) or name the ones left out;
# a phase-diagram grid's heatmap and
# trainability map are one panel per activation (depth x sigma_w2), not a
# strip per depth; grad-vs-saturation holds one init and optimizer per
# panel.  Then those figures render without a gnuplot warning.
. "$srcdir/tests/lib.sh"
t_init figures-lint

SMALL="--widths 8 --seeds 1 --train-size 64 --test-size 32 --input-dim 4 --classes 3 --probe-size 16
       --eval-size 16 --batch 8 --quiet"
# The default grid's axes (and a long-float init) on tiny networks.
sb grid --activations sigmoid,tanh,relu --inits standard,xavier_normal,he_normal,orthogonal:1.4142135623730951 \
  --depths 2,3 --optimizers sgd,adam --steps 10 --jacobian 2 --jacobian-at init $SMALL --out "$T/default"
test "$rc" -eq 0 || t_fail "the small default grid runs" "exit $rc: $(cat "$err")"
sb grid --preset meanfield --depths 2,3 $SMALL --out "$T/meanfield"
test "$rc" -eq 0 || t_fail "the small meanfield grid runs" "exit $rc: $(cat "$err")"
sb grid --preset trainability --depths 2:8:2 --steps 10 $SMALL --out "$T/trainability"
test "$rc" -eq 0 || t_fail "the small trainability grid runs" "exit $rc: $(cat "$err")"
sb grid --preset isometry --depths 2,4 $SMALL --out "$T/isometry"
test "$rc" -eq 0 || t_fail "the small isometry grid runs" "exit $rc: $(cat "$err")"
GRIDS="default meanfield trainability isometry"
for g in $GRIDS; do
  sb plot -d "$T/$g" -o "$T/$g/scripts" --no-render --quiet
  test "$rc" -eq 0 || t_fail "plot --no-render on the $g grid" "exit $rc: $(cat "$err")"
done

# The settings satbench writes into a script (before the style), as
# "name<TAB>value" lines: `key = '...'` strings and every item of
# `array key[N] = ['...', ...]`.  Items are gnuplot single-quoted strings
# (a quote inside is '' ... joined with "'"; the names here have none).
settings()  # FILE
{
  sed -n '/^# ---- settings from the data/,/^# ---- one rendering/p' "$1" | awk '
    /^array / { name = $2; sub(/\[.*/, "", name); s = $0; sub(/^[^=]*= \[/, "", s); sub(/\]$/, "", s)
                while (match(s, /\x27[^\x27]*\x27/)) { print name "\t" substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) }
                next }
    /^[A-Za-z_][A-Za-z0-9_]* = \x27/ { name = $1; s = $0; sub(/^[^=]*= \x27/, "", s); sub(/\x27$/, "", s); print name "\t" s }'
}

# 1. No raw float in a label.  A text setting (one with a word that is not
# a number: numeric lists such as block indices or limits are code) holds
# no number of more than six significant digits (orthogonal:1.4142135623730951).
bad=
n=0
for g in $GRIDS; do
  for f in "$T/$g/scripts"/*.gp; do
    n=$((n + 1))
    hit=$(settings "$f" | awk -F'\t' '
      { textual = 0; nw = split($2, w, /[ ]+/)
        for (i = 1; i <= nw; i++) if (w[i] != "" && w[i] !~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ && w[i] !~ /^[-+]?(NaN|Inf|nan|inf)$/) textual = 1
        if (!textual) next
        s = $2
        while (match(s, /[0-9]+\.?[0-9]*([eE][-+]?[0-9]+)?/)) {
          m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
          d = m; sub(/[eE].*/, "", d); gsub(/\./, "", d); sub(/^0+/, "", d)
          if (length(d) > 6) { print $1 ": " $2; exit } } }')
    test -n "$hit" && bad="$bad
$g/$(basename "$f") $hit"
  done
done
test "$n" -ge 20 && test -z "$bad" &&
  t_pass "no title, label, tick or legend of the $n scripts holds a number of more than 6 significant digits" ||
  t_fail "no title, label, tick or legend holds a raw float" "scripts: $n" "found:$bad"

# 2. spectra: the Gaussian and the orthogonal init of the same sigma_w2
# (meanfield:1 and orthogonal; he_normal and orthogonal:1.414) of an
# activation sit side by side in one row of the panel grid, which the
# script lays out by place((p - 1) / ncols + 1, (p - 1) % ncols + 1).
f="$T/isometry/scripts/spectra.gp"
if test -f "$f"; then
  ncols=$(sed -n 's/^ncols = \([0-9]*\)$/\1/p' "$f")
  grep -q 'place((p - 1) / ncols + 1, (p - 1) % ncols + 1)' "$f" || ncols=
  res=$(settings "$f" | awk -F'\t' -v nc="$ncols" '
    $1 == "ptitles" { p++; t[p] = " " $2 " " }
    function panel(act, init,   k) { for (k = 1; k <= p; k++) if (index(t[k], " " act " ") && index(t[k], " " init " ")) return k; return 0 }
    END {
      if (nc == "") { print "no panel layout found"; exit }
      na = split("tanh relu", A, " ")
      np = split("meanfield:1 orthogonal he_normal orthogonal:1.414", I, " ")
      for (a = 1; a <= na; a++)
        for (k = 1; k < np; k += 2) {
          x = panel(A[a], I[k]); y = panel(A[a], I[k + 1])
          if (!x || !y) { printf "%s: no panel titled %s or %s; ", A[a], I[k], I[k + 1]; continue }
          rx = int((x - 1) / nc); ry = int((y - 1) / nc); d = x - y
          if (rx != ry || (d != 1 && d != -1)) printf "%s %s (panel %d) and %s (panel %d) apart in %d columns; ", A[a], I[k], x, I[k + 1], y, nc
        }
    }')
  test -z "$res" && t_pass "spectra: every Gaussian / orthogonal pair of an activation side by side in one row ($ncols columns)" ||
    t_fail "spectra: every Gaussian / orthogonal pair side by side in one row" "$res"
else
  t_fail "spectra: every Gaussian / orthogonal pair side by side in one row" "no spectra.gp on the isometry grid"
fi

# 3. histograms: every init of the grid is a row, or the figure names it
# among those left out (by its label: a number of more than six
# significant digits cut to four, orthogonal:1.414).
for g in default meanfield trainability; do
  f="$T/$g/scripts/histograms.gp"
  want=$(awk -F'\t' '/^#/ { next } !c { for (i = 1; i <= NF; i++) if ($i == "init") c = i; next }
    !($c in s) { s[$c] = 1; t = $c; o = ""
                 while (match(t, /[0-9]+\.[0-9]+/)) { m = substr(t, RSTART, RLENGTH); d = m; gsub(/\./, "", d); sub(/^0+/, "", d)
                   o = o substr(t, 1, RSTART - 1) (length(d) > 6 ? sprintf("%.4g", m) : m); t = substr(t, RSTART + RLENGTH) }
                 print o t }' "$T/$g/cells.tsv")
  have=$(settings "$f" | awk -F'\t' '$1 == "inits" { print $2 }')
  left=$(settings "$f" | awk -F'\t' '$1 == "rows_txt" { s = $2; if (sub(/.*left out: */, "", s)) print s }')
  miss=
  for i in $want; do
    printf '%s\n' "$have" | grep -qxF "$i" && continue
    case ", $left," in *", $i,"*) continue ;; esac
    miss="$miss $i"
  done
  test -n "$want" && test -z "$miss" &&
    t_pass "histograms ($g grid): every init of the grid is drawn or named as left out ($(echo $want | wc -w) inits)" ||
    t_fail "histograms ($g grid): every init of the grid is drawn or named as left out" "missing:$miss" "drawn: $(echo $have)"
done

# ... and the optimizers of a trained grid (its reason to exist in the
# saturation preset: the lr x optimizer variants), each on a row.
have=$(settings "$T/default/scripts/histograms.gp" | awk -F'\t' '$1 == "rvars" { print $2 }' | sort -u | tr '\n' ' ')
test "$have" = "adam sgd " &&
  t_pass "histograms (default grid): both optimizers of the grid on rows ($have)" ||
  t_fail "histograms (default grid): both optimizers of the grid on rows" "rows' variants: '$have', want: 'adam sgd '"

# 4. A phase-diagram grid (trainability, meanfield): heatmap and
# trainability are one depth x sigma_w2 map per activation.
for g in trainability meanfield; do
  nact=$(awk -F'\t' '/^#/ { next } !c { for (i = 1; i <= NF; i++) if ($i == "activation") c = i; next } !($c in s) { s[$c] = 1; n++ } END { print n + 0 }' "$T/$g/cells.tsv")
  for fig in heatmap trainability; do
    f="$T/$g/scripts/$fig.gp"
    test -f "$f" || { test "$fig" = trainability && test "$g" = meanfield && continue; t_fail "$fig ($g grid): one panel per activation" "no $fig.gp"; continue; }
    np=$(sed -n 's/^npanels = \([0-9]*\)$/\1/p' "$f")
    test -n "$np" && test "$np" -eq "$nact" &&
      t_pass "$fig ($g grid): one depth x sigma_w2 map per activation ($np panel(s), $nact activation(s))" ||
      t_fail "$fig ($g grid): one depth x sigma_w2 map per activation" "panels: ${np:-?}, activations: $nact"
  done
done

# 5. grad-vs-saturation: a panel per init and optimizer (the default
# grid's inits x sgd, adam), each titled with both, never one cloud.
f="$T/default/scripts/grad-vs-saturation.gp"
np=$(sed -n 's/^npanels = \([0-9]*\)$/\1/p' "$f")
titles=$(settings "$f" | awk -F'\t' '$1 == "ptitles"' | sort -u | wc -l)
rule=$(settings "$f" | awk -F'\t' '$1 == "rule" { print $2 }')
test "${np:-0}" -eq 8 && test "$titles" -eq 8 && test -n "$rule" &&
  t_pass "grad-vs-saturation: 8 panels (4 inits x sgd, adam), each its own title, the rule said ($rule)" ||
  t_fail "grad-vs-saturation: a panel per init and optimizer" "panels: ${np:-none}, distinct titles: $titles, rule: '$rule'"

# 6. They render without a gnuplot warning.
GNUPLOT=${GNUPLOT:-$(command -v gnuplot)}
if test -z "$GNUPLOT" || ! test -x "$GNUPLOT"; then
  t_skip "every figure of the small grids renders without a gnuplot warning" "gnuplot not found"
else
  # the figures checked here (plot.sh renders all of them on its grids)
  for g in $GRIDS; do
    sb plot -d "$T/$g" -o "$T/$g/png" --gnuplot "$GNUPLOT" --format png --quiet \
      --only grad-vs-saturation,heatmap,histograms,theory,spectra,trainability
    test "$rc" -eq 0 && ! test -s "$err" &&
      t_pass "the checked figures of the small $g grid render without a gnuplot warning" ||
      t_fail "the checked figures of the small $g grid render without a gnuplot warning" "exit $rc" "stderr: $(cat "$err")"
  done
fi

t_done
