# output.sh - what a grid writes and how big it is (issue 14): hist.tsv's
# wide rows of counts and --histograms none|ends|all, the digits of the
# tables, and --compress (NAME.tsv.gz, read back by plot and run --from,
# the other encoding removed).
. "$srcdir/tests/lib.sh"
t_init output

TINY="--optimizers sgd --log-schedule linear --activations tanh,relu --inits standard,he_normal --depths 2,3 --widths 8 --seeds 2
      --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 20 --log-every 5 --quiet"
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv"   # no spectra.tsv: no --jacobian here
rows() { grep -v '^#' "$1" | tail -n +2 | wc -l; }

# -- hist.tsv: one row per (cell, step, layer, kind), 50 counts -------------------
sb grid $TINY --out "$T/ends"
test "$rc" -eq 0 || t_fail "grid exits 0" "exit $rc: $(cat "$err")"
# 16 cells of depths 2 and 3 (8 each): (8 x 2 + 8 x 3) layers x 2 kinds x 2 steps
n=$(rows "$T/ends/hist.tsv")
test "$n" -eq 160 && t_pass "hist.tsv (ends, the default): 160 rows, one per cell, step, layer, kind" ||
  t_fail "hist.tsv (ends, the default): 160 rows" "got $n"
t_in_order "hist.tsv's columns: the cell, step layer kind lo hi count_1 .. count_50" \
  "cell seed step layer kind lo hi count_1 count_2 count_50" \
  "$(grep -v '^#' "$T/ends/hist.tsv" | head -n 1 | tr '\t' ' ')"
# every value of a layer falls in one bin: the counts sum to probe x width
# (the probe set is the 128 training examples, width 8), and the steps are
# the first and the last
if grep -v '^#' "$T/ends/hist.tsv" | awk -F'\t' '
     NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
     { s = 0; for (b = 1; b <= 50; b++) { v = $(c["count_" b]); if (v !~ /^[0-9]+$/) bad++; s += v }
       if (s != 128 * 8) bad++
       st = $(c["step"]); if (st != 0 && st != 20) bad++
       if ($(c["lo"]) >= $(c["hi"])) bad++ }
     END { exit bad > 0 }'; then
  t_pass "hist.tsv counts are integers summing to probe size x width, at steps 0 and 20"
else
  t_fail "hist.tsv counts are integers summing to probe size x width, at steps 0 and 20"
fi
grep -q '^# histograms = ends$' "$T/ends/hist.tsv" && t_pass "the tables say histograms = ends" ||
  t_fail "the tables say histograms = ends"

sb grid $TINY --histograms none --out "$T/none"
n=$(rows "$T/none/hist.tsv")
test "$rc" -eq 0 && test "$n" -eq 0 && t_pass "--histograms none: hist.tsv has its header and no rows" ||
  t_fail "--histograms none: hist.tsv has no rows" "exit $rc, $n rows"
sb grid $TINY --histograms all --out "$T/all"
n=$(rows "$T/all/hist.tsv")
# 5 probes (0 5 10 15 20) instead of 2
test "$rc" -eq 0 && test "$n" -eq 400 && t_pass "--histograms all: one per probe, 400 rows" ||
  t_fail "--histograms all: one per probe, 400 rows" "exit $rc, $n rows"
# the ends of "all" are the default's rows
a=$(grep -v '^#' "$T/all/hist.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
                                                   $(c["step"]) == 0 || $(c["step"]) == 20')
b=$(grep -v '^#' "$T/ends/hist.tsv")
test "$a" = "$b" && t_pass "--histograms all: its first and last steps are the default's rows, byte for byte" ||
  t_fail "--histograms all: its first and last steps are the default's rows"
# the other tables do not depend on it
same=1
for f in cells.tsv layers.tsv summary.tsv curves.tsv curves_summary.tsv; do
  grep -v '^# histograms' "$T/ends/$f" > "$T/a.txt"; grep -v '^# histograms' "$T/all/$f" > "$T/b.txt"
  cmp -s "$T/a.txt" "$T/b.txt" || same=0
done
test "$same" -eq 1 && t_pass "--histograms changes hist.tsv only" || t_fail "--histograms changes hist.tsv only"
sb grid $TINY --histograms some --out "$T/bad"
test "$rc" -eq 2 && grep -q -- "--histograms: unknown value 'some' (valid: ends, none, all)" "$err" && test ! -e "$T/bad" &&
  t_pass "--histograms some: exit 2 naming the option and the valid values, nothing written" ||
  t_fail "--histograms some: exit 2, nothing written" "exit $rc: $(cat "$err")"

# -- digits: measured values 9 significant digits, spreads 4 ----------------------
if grep -v '^#' "$T/ends/layers.tsv" | awk -F'\t' '
     NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
     { v = $(c["delta_norm"]); m = v; sub(/[eE].*/, "", m); gsub(/[-.]/, "", m); sub(/^0+/, "", m)
       if (length(m) > 9) bad++ }
     END { exit bad > 0 }' &&
   grep -v '^#' "$T/ends/summary.tsv" | awk -F'\t' '
     NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
     { v = $(c["delta_norm_sd"]); m = v; sub(/[eE].*/, "", m); gsub(/[-.]/, "", m); sub(/^0+/, "", m)
       if (v != "NaN" && length(m) > 4) bad++ }
     END { exit bad > 0 }'; then
  t_pass "layers.tsv values have at most 9 significant digits, summary.tsv's sd at most 4"
else
  t_fail "layers.tsv values have at most 9 significant digits, summary.tsv's sd at most 4"
fi

# -- --compress ---------------------------------------------------------------------
if "$SATBENCH" grid $TINY --compress --out "$T/gzprobe" 2>"$T/gzprobe.err"; then
  sb grid $TINY --compress --keep-records --threads 2 --out "$T/gz"
  ok=1
  for f in $TABLES; do
    test -f "$T/gz/$f.gz" && test ! -e "$T/gz/$f" || ok=0
    gzip -dc "$T/gz/$f.gz" 2>/dev/null | cmp -s - "$T/ends/$f" || ok=0
  done
  test "$rc" -eq 0 && test "$ok" -eq 1 && t_pass "--compress: every table as NAME.tsv.gz, its text byte-identical to the plain run's" ||
    t_fail "--compress: every table as NAME.tsv.gz, byte-identical when decompressed" "exit $rc: $(cat "$err")"
  grep -q '"hist.tsv.gz": {"bytes": ' "$T/gz/manifest.json" && t_pass "manifest.json names the .gz files" ||
    t_fail "manifest.json names the .gz files"
  sb plot --data "$T/gz" --out "$T/gz/plots" --no-render
  test "$rc" -eq 0 && test -s "$T/gz/plots/histograms.dat" && test -s "$T/gz/plots/grad-layers.dat" &&
    t_pass "plot reads the compressed tables" || t_fail "plot reads the compressed tables" "exit $rc: $(cat "$err")"
  sb plot --data "$T/ends" --out "$T/ends/plots" --no-render
  cmp -s "$T/ends/plots/histograms.dat" "$T/gz/plots/histograms.dat" && cmp -s "$T/ends/plots/saturation-dynamics.dat" "$T/gz/plots/saturation-dynamics.dat" &&
    t_pass "the figures' data are the same from compressed and plain tables" ||
    t_fail "the figures' data are the same from compressed and plain tables"
  sb run --from "$T/gz" --cell 5 --table hist
  test "$rc" -eq 0 && grep -q "byte-identical to its rows in .*hist.tsv.gz" "$err" &&
    t_pass "run --from checks a cell against a compressed table" || t_fail "run --from checks a cell against a compressed table" "exit $rc: $(cat "$err")"
  # merge without --compress: plain tables, the .gz ones gone; and back
  sb merge --out "$T/gz" --keep-records --quiet
  ok=1
  for f in $TABLES; do test -f "$T/gz/$f" && test ! -e "$T/gz/$f.gz" && cmp -s "$T/gz/$f" "$T/ends/$f" || ok=0; done
  test "$rc" -eq 0 && test "$ok" -eq 1 && t_pass "merge without --compress writes plain tables and removes the .gz ones" ||
    t_fail "merge without --compress writes plain tables and removes the .gz ones" "exit $rc: $(cat "$err")"
  sb merge --out "$T/gz" --compress --quiet
  ok=1
  for f in $TABLES; do test -f "$T/gz/$f.gz" && test ! -e "$T/gz/$f" || ok=0; done
  test "$rc" -eq 0 && test "$ok" -eq 1 && t_pass "merge --compress turns them back into .gz, the plain ones removed" ||
    t_fail "merge --compress turns them back into .gz" "exit $rc: $(cat "$err")"
  # a compressed table cut short is refused by name
  head -c 200 "$T/gz/layers.tsv.gz" > "$T/cut.gz" && mv "$T/cut.gz" "$T/gz/layers.tsv.gz"
  sb plot --data "$T/gz" --out "$T/gz/plots2" --no-render
  test "$rc" -eq 2 && grep -q "layers.tsv.gz does not match manifest.json" "$err" &&
    t_pass "a cut .gz table: plot exits 2 naming it" || t_fail "a cut .gz table: plot exits 2 naming it" "exit $rc: $(cat "$err")"
  # smaller: under a third of the plain bytes even for these tiny tables
  p=$(cat "$T/ends"/*.tsv | wc -c); z=$(cat "$T/gzprobe"/*.tsv.gz | wc -c)
  test $((z * 3)) -lt "$p" && t_pass "compressed tables are under a third of the plain bytes ($z of $p)" ||
    t_fail "compressed tables are under a third of the plain bytes" "$z of $p"
else
  grep -q -- "--compress: this satbench was built without zlib" "$T/gzprobe.err" &&
    t_pass "--compress without zlib: refused, saying so" || t_fail "--compress without zlib: refused, saying so" "$(cat "$T/gzprobe.err")"
fi

t_done
