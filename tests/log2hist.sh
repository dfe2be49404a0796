# log2hist.sh - log2hist.tsv, the histogram of log2|x| of each layer's
# errors and weight gradients as an emulated format holds them, against
# independent answers: each (cell, step, layer, tensor)'s counts sum to the
# tensor's size (probe set x fan_out, fan_in x fan_out); its zero bin and
# its bins below 2^emin are precision.tsv's zero_frac and subnormal_frac,
# which prec.c's rounding counted on its own; no bin lies outside the
# format's exponents; a loss scale of 2^10 shifts an fp32 histogram by 10
# bins exactly (scaling by a power of two commutes with rounding above the
# subnormals); only emulated cells have rows, and no table without
# histograms or without an emulated cell.
. "${srcdir:-.}/tests/lib.sh"
t_init log2hist

GRID="--activations sigmoid --inits xavier_normal --depths 6 --widths 16 --seeds 1 --steps 4 --log-every 2
  --train-size 64 --test-size 16 --probe-size 24 --batch 8 --input-dim 4 --classes 3 --optimizers sgd --quiet"
"$SATBENCH" grid $GRID --precisions fp64,fp32,fp16 --loss-scales 1,1024 --out "$T/a" >"$T/a.out" 2>&1
t_result $? "grid with fp64, fp32, fp16 and loss scales 1, 1024" "$(cat "$T/a.out")"
test -s "$T/a/log2hist.tsv"
t_result $? "log2hist.tsv is written" "$(ls "$T/a")"

# body FILE: the table without its comment lines (header first)
body() { grep -v '^#' "$1"; }
# The awk programs find columns by name: c["NAME"].
COLS='NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }'

# ---- which cells and steps ------------------------------------------------------------
got=$(body "$T/a/log2hist.tsv" | awk -F '\t' "$COLS"'
  { seen[$c["precision"] "/" $c["loss_scale"] "@" $c["step"]] = 1 }
  END { for (k in seen) print k }' | sort | tr '\n' ' ')
want="fp16/1024@0 fp16/1024@4 fp16/1@0 fp16/1@4 fp32/1024@0 fp32/1024@4 fp32/1@0 fp32/1@4 fp64/1024@0 fp64/1024@4 "
test "$got" = "$want"
t_result $? "rows for every emulated cell at the first and last step, none for fp64 unscaled" "got:  $got" "want: $want"

# ---- sizes: the counts of a tensor sum to its entries ---------------------------------
# layer l of 7: fan_in 4 (l = 1) or 16, fan_out 16 (l <= 6) or 3; 24 probe inputs
bad=$(body "$T/a/log2hist.tsv" | awk -F '\t' "$COLS"'
  { k = $c["cell"] SUBSEP $c["step"] SUBSEP $c["layer"] SUBSEP $c["tensor"]; n[k] += $c["count"] }
  END {
    for (k in n) {
      split(k, p, SUBSEP); l = p[3]
      fi = l == 1 ? 4 : 16; fo = l == 7 ? 3 : 16
      want = p[4] == "delta" ? 24 * fo : fi * fo
      if (n[k] != want) { print "cell " p[1] " step " p[2] " layer " l " " p[4] ": " n[k] ", not " want; bad++ }
      rows++
    }
    if (rows != 5 * 2 * 7 * 2) print rows " (cell, step, layer, tensor) groups, not 140 (5 emulated cells)"
  }')
test -z "$bad"
t_result $? "each tensor's counts sum to its entries (probe set x fan_out, fan_in x fan_out)" "$bad"

# ---- the zero bin and the subnormal bins against precision.tsv ------------------------------
# emin of the normal numbers: fp16 -14, fp32 -126
bad=$( (body "$T/a/precision.tsv" | sed 's/^/P\t/'; body "$T/a/log2hist.tsv" | sed 's/^/H\t/') | awk -F '\t' '
  $1 == "P" && !hp { for (i = 2; i <= NF; i++) p[$i] = i; hp = 1; next }
  $1 == "H" && !hh { for (i = 2; i <= NF; i++) h[$i] = i; hh = 1; next }
  $1 == "P" { k = $p["cell"] SUBSEP $p["step"] SUBSEP $p["layer"] SUBSEP $p["tensor"]
              if ($p["tensor"] == "delta" || $p["tensor"] == "dW") { zf[k] = $p["zero_frac"]; sf[k] = $p["subnormal_frac"] } next }
  $h["precision"] == "fp64" { next }   # scaled, not rounded: precision.tsv counts nothing
  { k = $h["cell"] SUBSEP $h["step"] SUBSEP $h["layer"] SUBSEP $h["tensor"]
    emin = $h["precision"] == "fp16" ? -14 : -126
    n[k] += $h["count"]
    if ($h["log2"] == "-Inf") z[k] += $h["count"]
    else if ($h["log2"] + 0 < emin) s[k] += $h["count"] }
  function off(a, b) { d = a - b; return (d < 0 ? -d : d) > 1e-8 * (b < 0 ? -b : b) + 1e-12 }
  END {
    for (k in n) {
      split(k, q, SUBSEP)
      if (!(k in zf)) { print "no precision.tsv row for cell " q[1] " step " q[2] " layer " q[3] " " q[4]; continue }
      if (off(z[k] / n[k], zf[k])) print "cell " q[1] " step " q[2] " layer " q[3] " " q[4] ": zero bin " z[k] "/" n[k] ", zero_frac " zf[k]
      if (off(s[k] / n[k], sf[k])) print "cell " q[1] " step " q[2] " layer " q[3] " " q[4] ": below 2^emin " s[k] "/" n[k] ", subnormal_frac " sf[k]
      if (z[k] > 0) zeros++
      if (s[k] > 0) subs++
    }
    if (!zeros || !subs) print "no zero or no subnormal entry anywhere (zeros " zeros ", subnormal " subs "): the check saw nothing"
  }')
test -z "$bad"
t_result $? "the zero bin and the bins below 2^emin are precision.tsv's zero_frac and subnormal_frac" "$bad"

# ---- bins within the format's exponents ------------------------------------------------------
bad=$(body "$T/a/log2hist.tsv" | awk -F '\t' "$COLS"'
  $c["log2"] == "-Inf" || $c["log2"] == "Inf" || $c["log2"] == "NaN" { next }
  { e = $c["log2"] + 0; pr = $c["precision"]
    lo = pr == "fp16" ? -24 : pr == "fp32" ? -149 : -1074; hi = pr == "fp16" ? 15 : pr == "fp32" ? 127 : 1023
    if (e != int(e) || e < lo || e > hi) print pr ": bin " $c["log2"] " outside [" lo ", " hi "]" }')
test -z "$bad"
t_result $? "every bin is a whole exponent of the format (fp16 -24..15, fp32 -149..127)" "$bad"

# ---- a loss scale of 2^10 shifts fp32's histogram by 10 ------------------------------------------------
a=$(body "$T/a/log2hist.tsv" | awk -F '\t' "$COLS"'
  $c["precision"] == "fp32" && $c["step"] == 0 && $c["log2"] != "-Inf" {
    print $c["loss_scale"], $c["layer"], $c["tensor"], $c["log2"] - ($c["loss_scale"] == 1024 ? 10 : 0), $c["count"] }')
s1=$(printf '%s\n' "$a" | awk '$1 == 1 { $1 = ""; print }')
s2=$(printf '%s\n' "$a" | awk '$1 == 1024 { $1 = ""; print }')
test -n "$s1" && test "$s1" = "$s2"
t_result $? "fp32 at loss scale 1024: the loss scale 1 histogram, 10 bins up" \
  "scale 1:    $(printf '%s' "$s1" | head -n 3 | tr '\n' '|')" "scale 1024: $(printf '%s' "$s2" | head -n 3 | tr '\n' '|')"
scale=$(body "$T/a/log2hist.tsv" | awk -F '\t' "$COLS"' $c["loss_scale"] != $c["scale"] { print $c["loss_scale"] " " $c["scale"]; exit }')
test -z "$scale"
t_result $? "the scale column is the cell's fixed loss scale" "$scale"

# ---- read by an analyst's tools: every column but the names numeric, log2's -Inf a number ---------------
TEXT='activation init norm optimizer loss precision tensor'
if command -v Rscript >/dev/null 2>&1; then
  got=$(Rscript -e 'args <- commandArgs(trailingOnly = TRUE); text <- strsplit(args[1], " ")[[1]]
    t <- read.delim(args[2], comment.char = "#"); bad <- character(0)
    for (c in names(t)) if (!(c %in% text) && !is.numeric(t[[c]])) bad <- c(bad, paste0(c, ": ", class(t[[c]])))
    if (!any(t$log2 == -Inf)) bad <- c(bad, "no -Inf in log2")
    cat(if (length(bad)) paste(bad, collapse = "; ") else "ok", "\n")' "$TEXT" "$T/a/log2hist.tsv" 2>&1)
  test "$got" = "ok "
  t_result $? "R's read.delim reads every column but the names as numbers, the zero bin as -Inf" "$got"
else
  t_skip "R reads log2hist.tsv's types" "R (Rscript) is not installed (Debian: r-base-core)"
fi
if command -v gnuplot >/dev/null 2>&1; then
  rows=$(body "$T/a/log2hist.tsv" | sed 1d | wc -l | tr -d ' ')
  zeros=$(body "$T/a/log2hist.tsv" | awk -F '\t' "$COLS"' $c["log2"] == "-Inf" { n++ } END { print n + 0 }')
  got=$(cd "$T/a" && gnuplot -e "set datafile separator tab; set datafile columnheaders;
    stats 'log2hist.tsv' using 'count' nooutput; r = STATS_records; ri = STATS_invalid;
    stats 'log2hist.tsv' using (column('log2') < -1e308 ? 1 : 0) nooutput;
    print sprintf('%d %d %d', r, ri, STATS_sum)" 2>&1)
  test "$got" = "$rows 0 $zeros"
  t_result $? "gnuplot reads count by name and log2's -Inf as a number" "got '$got', expected '$rows 0 $zeros'"
else
  t_skip "gnuplot reads log2hist.tsv" "gnuplot is not installed"
fi

# ---- no table without histograms or without an emulated cell ------------------------------------------
"$SATBENCH" grid $GRID --precisions fp16 --histograms none --out "$T/b" >"$T/b.out" 2>&1 &&
  test -e "$T/b/precision.tsv" && test ! -e "$T/b/log2hist.tsv"
t_result $? "--histograms none: precision.tsv but no log2hist.tsv" "$(cat "$T/b.out"; ls "$T/b")"
"$SATBENCH" grid $GRID --out "$T/c" >"$T/c.out" 2>&1 && test ! -e "$T/c/log2hist.tsv"
t_result $? "an fp64 grid: no log2hist.tsv" "$(cat "$T/c.out"; ls "$T/c")"
t_done
