# gemm.sh - `--gemm auto|libxsmm|cblas`: auto's tables are byte-identical
# across --threads 1 and 2 and a rerun; cblas and libxsmm tables differ at
# most in the last digits (fewer than GEMM_DIGITS of the nine agree nowhere)
# and in the config comment that names the library; a record and the
# manifest say which kernel made them; a forced library is part of the
# grid (--resume with another is refused); a bad value, and libxsmm in a
# build without it, are refused with exit 2 and nothing written.
. "$srcdir/tests/lib.sh"
t_init gemm

# Cells at widths whose products libxsmm makes whole (40) and k-sliced
# (144: a multiple of 16, a 144 x 1024 panel beyond the slice); Adam's
# cells carry the two libraries' rounding into the tables (SGD's agree in
# all 9 digits here), so that a library flipped between runs would show.
G="--activations tanh,relu --inits he_normal --depths 4 --widths 40,144 --seeds 2 --optimizers sgd,adam --steps 40
   --batch 32 --input-dim 1024 --train-size 512 --test-size 128 --log-every 10 --quiet"
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv"   # no --jacobian: no spectra.tsv
# At most this many of a number's last printed digits (9 significant, 4
# for the spreads _sd and _ci95) differ between the two libraries.
# Measured on this grid: none in SGD's cells, up to 3 in Adam's (the
# products differ by tens of units in the last place, test_blas says how
# many); longer training loses more, and a cell whose training amplifies
# rounding (Adam at lr 0.05, stalled, 100 steps at width 200) can differ in
# every digit (the manual, "Speed").
GEMM_DIGITS=3

same_tables()  # DIR_A DIR_B: 0 when every table is byte-identical
{
  for t_f in $TABLES; do cmp -s "$1/$t_f" "$2/$t_f" || { echo "$t_f differs"; return 1; }; done
  test "$(cd "$1" && ls *.tsv)" = "$(cd "$2" && ls *.tsv)" || { echo "other tables: $(cd "$1" && ls *.tsv) / $(cd "$2" && ls *.tsv)"; return 1; }
  return 0
}

xsmm=yes
"$SATBENCH" --version | grep -q '^GEMM: the CBLAS (built without libxsmm)' && xsmm=no

for thr in 1 2; do
  sb grid $G --threads $thr --keep-records --out "$T/auto$thr"
  test "$rc" -eq 0 && t_pass "--gemm auto (the default), $thr thread(s), runs" \
    || t_fail "--gemm auto (the default), $thr thread(s), runs" "exit $rc: $(cat "$err")"
done
sb grid $G --gemm auto --threads 2 --out "$T/rerun"
d=$(same_tables "$T/auto1" "$T/auto2") && t_pass "--gemm auto: the tables of 1 and 2 threads are byte-identical" \
  || t_fail "--gemm auto: the tables of 1 and 2 threads are byte-identical" "$d"
d=$(same_tables "$T/auto1" "$T/rerun") && t_pass "--gemm auto: a rerun writes byte-identical tables" \
  || t_fail "--gemm auto: a rerun writes byte-identical tables" "$d"
test -f "$T/auto1/records/config.txt" && ! grep -q '^gemm' "$T/auto1/records/config.txt" && t_pass "--gemm auto writes no gemm line (the grid's fingerprint is the same as before it)" \
  || t_fail "--gemm auto writes no gemm line" "$(grep '^gemm' "$T/auto1/records/config.txt")"

# Which kernel made a record: the one --version names for auto, in every
# record and in the manifest.
kernel=$("$SATBENCH" --version | sed -n 's/^BLAS: [^ ]* (kernel \(.*\))$/\1/p')
if test -z "$kernel"; then
  t_skip "records name the kernel --version names" "no kernel name in --version (another CBLAS than OpenBLAS, no libxsmm)"
else
  n_rec=$(ls "$T/auto1/records/"*.rec | wc -l)
  n_same=$(grep -lxF "# blas_kernel = $kernel" "$T/auto1/records/"*.rec | wc -l)
  test "$n_rec" -gt 0 && test "$n_same" -eq "$n_rec" && grep -qF "\"blas_kernel\": \"$kernel\"" "$T/auto1/manifest.json" &&
    t_pass "every record and the manifest name the kernel of --version ($kernel)" ||
    t_fail "every record and the manifest name the kernel of --version ($kernel)" "$n_same of $n_rec records" \
      "$(grep -h '^# blas_kernel' "$T/auto1/records/"*.rec | sort | uniq -c)"
fi

t_label="grid --gemm blas" expect_fail 2 "^satbench: --gemm: unknown GEMM 'blas' \\(valid: auto, (libxsmm, )?cblas\\)$" \
  grid $G --gemm blas --out "$T/bad"
test ! -e "$T/bad" && t_pass "a bad --gemm writes nothing" || t_fail "a bad --gemm writes nothing" "$(ls -la "$T/bad")"

if test $xsmm = no; then
  t_label="grid --gemm libxsmm (no libxsmm)" expect_fail 2 '^satbench: --gemm libxsmm: this satbench was built without libxsmm \(valid: auto, cblas\)$' \
    grid $G --gemm libxsmm --out "$T/x"
  t_label="run --gemm libxsmm (no libxsmm)" expect_fail 2 '^satbench: --gemm libxsmm: this satbench was built without libxsmm' \
    run --gemm libxsmm --steps 1
  t_skip_rest="built without libxsmm: one library only"
  for c in "cblas and libxsmm tables agree but in the last digits" "a record says (libxsmm off) with --gemm cblas" \
           "--resume with another --gemm is refused"; do t_skip "$c" "$t_skip_rest"; done
  t_done
fi

sb grid $G --gemm libxsmm --threads 2 --out "$T/x"
test "$rc" -eq 0 && t_pass "--gemm libxsmm runs" || t_fail "--gemm libxsmm runs" "exit $rc: $(cat "$err")"
sb grid $G --gemm cblas --threads 2 --keep-records --out "$T/c"
test "$rc" -eq 0 && t_pass "--gemm cblas runs" || t_fail "--gemm cblas runs" "exit $rc: $(cat "$err")"
grep -qx 'gemm = cblas' "$T/c/records/config.txt" && grep -qx '# gemm = cblas' "$T/c/cells.tsv" &&
  t_pass "a forced --gemm is in records/config.txt and the tables' comments" ||
  t_fail "a forced --gemm is in records/config.txt and the tables' comments" "$(grep gemm "$T/c/records/config.txt")"

# Field by field, how many of the last printed significant digits differ
# between the libxsmm and cblas tables (the comments apart); the most over
# all (-1: a text field or a row's shape differs).
digits=$(for t_f in $TABLES; do
  awk 'function sig(t) { sub(/^-/, "", t); sub(/e.*/, "", t); sub(/\./, "", t); sub(/^0+/, "", t); return length(t) }
    BEGIN { FS = "\t"; worst = 0 } FNR == 1 { file++ } /^#/ { next }
    file == 1 { a[FNR] = $0; next }
    { n = split(a[FNR], x, "\t"); if (n != NF) { worst = -1; exit }
      for (i = 1; i <= NF; i++) {
        if (x[i] == $i) continue
        if (x[i] !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ || $i !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { worst = -1; exit }
        u = x[i] + 0; v = $i + 0; m = u < 0 ? -u : u; w = v < 0 ? -v : v; if (w > m) m = w
        dd = u > v ? u - v : v - u; agree = int(-log(dd / m) / log(10))
        p = sig(x[i]) > sig($i) ? sig(x[i]) : sig($i); k = p - agree; if (k < 1) k = 1
        if (k > worst) worst = k } }
    END { print worst }' "$T/x/$t_f" "$T/c/$t_f"
done | sort -n | awk '$1 < 0 { bad = 1 } { last = $1 } END { print bad ? -1 : last }')
n_diff=$(for t_f in $TABLES; do diff "$T/x/$t_f" "$T/c/$t_f" | grep -c '^>'; done | awk '{ s += $1 } END { print s }')
test "$digits" -ge 0 && test "$digits" -le "$GEMM_DIGITS" &&
  t_pass "cblas and libxsmm tables differ at most in a number's last $GEMM_DIGITS digits (most: $digits; lines that differ: $n_diff, one of them the gemm comment per table)" ||
  t_fail "cblas and libxsmm tables differ at most in a number's last $GEMM_DIGITS digits" "most last digits differing: $digits (-1: a text field or a row's shape differs)"

grep -qx '# blas_kernel = .*(libxsmm off)' "$T/c/records/cell-000000.rec" && grep -q '"blas_kernel": "[^"]*(libxsmm off)"' "$T/c/manifest.json" &&
  t_pass "a record and the manifest say (libxsmm off) with --gemm cblas" ||
  t_fail "a record and the manifest say (libxsmm off) with --gemm cblas" "$(grep blas_kernel "$T/c/records/cell-000000.rec")"

rm -f "$T/c/records/cell-000001.rec" "$T/c/manifest.json"
expect_fail 2 'resume.*gemm' grid $G --gemm libxsmm --resume --out "$T/c"
t_done
