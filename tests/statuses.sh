# statuses.sh - every status of cells.tsv on one tiny grid (18 cells, a
# fraction of a second): sigmoid, tanh and relu at learning rates 0.05, 10
# and 100 under SGD and Adam.  Each cell's status is checked against the
# definition in `satbench list statuses`, evaluated here from the tables
# (curves.tsv's last loss, layers.tsv's gradients at the last probe), and
# the grid's digest and manifest against the counts of cells.tsv.
. "$srcdir/tests/lib.sh"
t_init statuses

GRID="--activations sigmoid,tanh,relu --inits xavier_normal --depths 3 --widths 16 --lrs 0.05,10,100
  --optimizers sgd,adam --steps 200 --train-size 512 --test-size 128 --input-dim 8 --classes 4 --seeds 1"
# shellcheck disable=SC2086
sb grid $GRID --threads 2 --out "$T/g"
test "$rc" -eq 0 && t_pass "the grid runs" || t_fail "the grid runs" "exit $rc: $(cat "$err")"
digest=$out
# shellcheck disable=SC2086
sb grid $GRID --threads 1 --quiet --out "$T/g1"
same=1
for f in cells layers curves summary curves_summary hist; do cmp -s "$T/g/$f.tsv" "$T/g1/$f.tsv" || same=0; done
test "$same" -eq 1 && t_pass "the tables are the same bytes on 1 and 2 threads" || t_fail "tables across threads"

# One status per cell, by hand from the definitions.
statuses=$("$SATBENCH" list statuses | cut -f1 | tr '\n' ' ')
test "$statuses" = "ok diverged exploded flushed frozen vanished stalled stopped " \
  && t_pass "satbench list statuses: $statuses" || t_fail "satbench list statuses" "got: $statuses"

# ACT LR OPT -> status, as the rules of `satbench list statuses` give it:
# the first of diverged (a non-finite value: the cell stops early),
# exploded (last eval_train_loss > 10 x chance), frozen (every hidden
# gradient exactly 0), vanished (loss > 0.99 x chance and layer 1's
# |(dW, db)| <= 2^-52 |W|), stalled (loss > 0.99 x chance), else ok.
by_hand=$(awk -F'\t' -v steps=200 '
  FNR == 1 && /^#/ { file++ }
  /^#/ { next }
  !hdr[file]++ { for (i = 1; i <= NF; i++) col[file, $i] = i; next }
  file == 1 { k = $(col[1, "cell"]); name[k] = $(col[1, "activation"]) " " $(col[1, "lr"]) " " $(col[1, "optimizer"])
              chance[k] = $(col[1, "chance_loss"]); got[k] = $(col[1, "status"]); n++ }
  file == 2 { k = $(col[2, "cell"]); last[k] = $(col[2, "step"]); loss[k] = $(col[2, "eval_train_loss"]) }
  file == 3 && $(col[3, "layer"]) < $(col[3, "depth"]) + 1 {
    k = $(col[3, "cell"]); s = $(col[3, "step"])
    if (s != step[k]) { step[k] = s; zero[k] = 1 }
    gw = $(col[3, "grad_w_norm"]); gb = $(col[3, "grad_b_norm"]); w = $(col[3, "weight_norm"])
    if (gw != 0 || gb != 0) zero[k] = 0
    if ($(col[3, "layer"]) == 1) small[k] = sqrt(gw * gw + gb * gb) <= 2 ^ -52 * w }
  END {
    for (k = 0; k < n; k++) {
      st = last[k] < steps ? "diverged" : loss[k] > 10 * chance[k] ? "exploded" : zero[k] ? "frozen" \
           : loss[k] <= 0.99 * chance[k] ? "ok" : small[k] ? "vanished" : "stalled"
      printf "%s %s %s\n", name[k], got[k], st
    } }' "$T/g/cells.tsv" "$T/g/curves.tsv" "$T/g/layers.tsv")
bad=$(echo "$by_hand" | awk '$4 != $5')
test -z "$bad" && t_pass "every cell's status is the one its tables give by the definitions" \
  || t_fail "statuses by the definitions" "$bad"
# The grid was chosen to show each of them: which cell has which.
while read -r a lr o st; do
  got=$(echo "$by_hand" | awk -v a="$a" -v lr="$lr" -v o="$o" '$1 == a && $2 == lr && $3 == o { print $4 }')
  test "$got" = "$st" && t_pass "$a lr $lr $o is $st" || t_fail "$a lr $lr $o is $st" "got: $got"
done <<EOF
sigmoid 10 adam vanished
sigmoid 100 sgd exploded
sigmoid 0.05 sgd stalled
relu 10 sgd diverged
relu 10 adam frozen
relu 0.05 sgd ok
EOF

# A diverged cell has no final metrics: NaN, not numbers from the weights
# after the divergence.
div=$(grep -v '^#' "$T/g/cells.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $(c["status"]) == "diverged" { print $(c["final_loss"]), $(c["final_train_acc"]), $(c["final_test_acc"]) }')
test "$div" = "NaN NaN NaN" && t_pass "the diverged cell's final_loss and accuracies are NaN" \
  || t_fail "the diverged cell's final metrics are NaN" "got: $div"

# The digest: its header names the counted statuses in order, each group's
# counts add up to cells.tsv's, and so do the end line and the manifest.
count() { echo "$by_hand" | awk -v s="$1" '$4 == s' | wc -l | tr -d ' '; }
head=$(grep '^activation .* seeds ' "$digest")
case $head in
  *"diverged/exploded/frozen/vanished/stalled") t_pass "the digest's header: diverged/exploded/frozen/vanished/stalled" ;;
  *) t_fail "the digest's header names the statuses" "$head" ;;
esac
# Every column of the header is defined above it, in words.
undef=
for c in attenuation0 final_loss final_test_acc sat_frac_end diverged/exploded/frozen/vanished/stalled; do
  case $head in *" $c "* | *" $c") ;; *) undef="$undef $c (not in the header)"; continue ;; esac
  grep -q "^  $c: ..*\.$" "$digest" || undef="$undef $c"
done
test -z "$undef" && t_pass "the digest defines each of its columns (attenuation0 in decades, final_loss over the seeds that did not diverge, ...)" \
  || t_fail "the digest defines its columns" "undefined:$undef; $(head -12 "$digest")"
grep -q '^  final_loss: .*mean over the seeds that did not diverge' "$digest" \
  && t_pass "the digest says how final_loss is counted" || t_fail "the digest's final_loss definition" "$(cat "$digest")"
# The same decimals in every row of a column on a fixed scale (one seed:
# attenuation0 without its sd is one field).
digits=$(awk '/^activation .* seeds /{on=1; next} /^Findings:/{on=0} on { print $(NF-4) "|" $(NF-2) "|" $(NF-1) }' "$digest" \
  | awk -F'|' '{ for (i = 1; i <= 3; i++) { d = $i; if (d == "nan") continue; sub(/^[^.]*/, "", d); print i, length(d) } }' | sort -u)
test "$digits" = "1 3
2 4
3 4" && t_pass "attenuation0 with 2 decimals, final_test_acc and sat_frac_end with 3, in every row" \
  || t_fail "the digest's digits are the same in a column" "$digits"
grep -q '^Findings:$' "$digest" && grep -q '^- 18 cells in 18 groups' "$digest" \
  && t_pass "the digest tells its findings in words" || t_fail "the digest's findings" "$(sed -n '/^Findings/,$p' "$digest")"
end="18 of 18 cells done ($(count diverged) diverged, $(count exploded) exploded, $(count frozen) frozen, $(count vanished) vanished, $(count stalled) stalled)"
grep -qF "$end" "$digest" && t_pass "the end line: $end" || t_fail "the end line" "want: $end; got: $(tail -n 1 "$digest")"
row=$(grep '^relu .* 10 sgd ' "$digest" | awk '{ print $(NF - 3), $NF }')
test "$row" = "nan 1/0/0/0/0" && t_pass "the diverged group: final_loss nan (no seed left), counts 1/0/0/0/0" \
  || t_fail "the diverged group's digest row" "got: $row"
for s in diverged exploded frozen vanished stalled; do
  grep -q "\"cells_$s\": $(count "$s")," "$T/g/manifest.json" && t_pass "manifest.json: cells_$s = $(count "$s")" \
    || t_fail "manifest.json: cells_$s" "$(grep cells_ "$T/g/manifest.json")"
done

t_done
