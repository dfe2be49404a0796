#!/bin/sh
# inputs.sh - hostile input, each case with a clear refusal (exit 2, one
# line on stderr naming the file, line or option and the limit, nothing
# written) or, where the input is legitimate, the right result: config
# files that are binary, endless, long or marked with a byte-order mark;
# datasets that are pipes, FIFOs or devices, that start with a BOM, hold
# values near 1e308 or lines without end; control bytes in messages; a
# run too large for the machine's memory.
. "${srcdir:-.}/tests/lib.sh"
t_init inputs

export OMP_NUM_THREADS=1
A="--activations tanh --inits standard --depths 2 --widths 8 --steps 0"
G="--activations tanh --inits standard --depths 2 --widths 8 --seeds 1 --steps 4 --log-every 2 --batch 10 --quiet"

# refused DESC RE ARGS...: exit 2 with one line matching RE (expect_fail),
# and for a grid, no --out folder ($T/never).
refused()
{
  t_label=$1
  shift
  t_re=$1
  shift
  expect_fail 2 "$t_re" "$@"
}

# -- config files -----------------------------------------------------------------------
if command -v timeout >/dev/null 2>&1; then
  t_runs=$((t_runs + 1))
  # (timeout: a guard against a hang, not a synchronisation)
  timeout 120 "$SATBENCH" run -c /dev/zero $A >"$T/z.out" 2>"$T/z.err"
  rc=$?
  test "$rc" -eq 2 && grep -q "^satbench: -c /dev/zero:1: a NUL byte: a binary file" "$T/z.err" &&
    t_pass "-c /dev/zero: refused at once as binary (exit 2)" || t_fail "-c /dev/zero: refused at once as binary" "exit $rc: $(cat "$T/z.err")"
else
  t_skip "-c /dev/zero" "no timeout(1)"
fi
head -c 64 /dev/zero > "$T/nul.cfg"
refused "-c of NUL bytes" "^satbench: -c .*/nul.cfg:1: a NUL byte: a binary file, not a config file$" run -c "$T/nul.cfg" $A
printf 'steps = 0\n\000depths = 3\n' > "$T/after.cfg"
refused "-c with text after a NUL" "after.cfg:2: a NUL byte" run -c "$T/after.cfg" $A
awk 'BEGIN { s = "activations = tanh"; for (i = 0; i < 900; i++) s = s ",tanh"; print s }' > "$T/long.cfg"
refused "-c with a value over 4095 bytes" "long.cfg:1: --activations: value of [0-9]+ bytes is too long \\(at most 4095\\)" run -c "$T/long.cfg" $A
# A final line of exactly 8191 bytes, no newline: fits; one more byte: refused, naming both.
awk 'BEGIN { s = "#"; while (length(s) < 8191) s = s "x"; printf "steps = 0\n%s", s }' > "$T/edge.cfg"
sb run -c "$T/edge.cfg" $A
test "$rc" -eq 0 && t_pass "-c whose last line is 8191 bytes, without a newline: accepted" || t_fail "-c whose last line is 8191 bytes: accepted" "exit $rc: $(cat "$err")"
printf 'x' >> "$T/edge.cfg"
refused "-c with a line of 8192 bytes" "edge.cfg:2: the line is 8192 bytes long; the limit is 8191$" run -c "$T/edge.cfg" $A
head -c 1100000 /dev/zero | tr '\000' '#' > "$T/huge.cfg"
refused "-c of 1.1 MB" "huge.cfg: larger than the limit of 1048576 bytes" run -c "$T/huge.cfg" $A
printf '\357\273\277steps = 0\ndepths = 3\n' > "$T/bom.cfg"
sb run -c "$T/bom.cfg" --activations tanh --inits standard --widths 8
test "$rc" -eq 0 && grep -q '^# depths = 3$' "$out" && t_pass "-c with a UTF-8 byte-order mark: its first line applies" ||
  t_fail "-c with a UTF-8 byte-order mark: its first line applies" "exit $rc: $(cat "$err")"
printf 'steps 0 \033[31mred\n' > "$T/esc.cfg"
refused "-c with an escape sequence" "esc.cfg:1: expected 'key = value', got 'steps 0 \\\\x1b\\[31mred'$" run -c "$T/esc.cfg" $A
grep -q "$(printf '\033')" "$err" && t_fail "the escape byte is not echoed raw" || t_pass "the escape byte is not echoed raw"
t_runs=$((t_runs + 1))
printf 'depths = 3\n' | "$SATBENCH" run -c /dev/stdin --activations tanh --inits standard --widths 8 --steps 0 >"$T/p.out" 2>"$T/p.err"
rc=$?
test "$rc" -eq 0 && grep -q '^# depths = 3$' "$T/p.out" && t_pass "-c /dev/stdin from a pipe: read once" || t_fail "-c /dev/stdin from a pipe: read once" "exit $rc: $(cat "$T/p.err")"

# -- datasets ---------------------------------------------------------------------------
# 200 rows: label, two features.
awk 'BEGIN { for (i = 0; i < 200; i++) printf "%d,%.6f,%.6f\n", i % 2, sin(i), cos(3 * i) }' > "$T/plain.csv"
D="--dataset csv:$T/plain.csv --train-size 150 --test-size 50"
{ printf '\357\273\277'; cat "$T/plain.csv"; } > "$T/bom.csv"
sb run --dataset "csv:$T/bom.csv" --train-size 150 --test-size 50 $A
grep -v '^#' "$out" > "$T/bom.rows"
sb run $D $A
grep -v '^#' "$out" > "$T/plain.rows"
test "$rc" -eq 0 && test -s "$T/bom.rows" && cmp -s "$T/bom.rows" "$T/plain.rows" &&
  t_pass "a CSV with a byte-order mark: read as without it (the same rows, byte for byte)" ||
  t_fail "a CSV with a byte-order mark: read as without it" "exit $rc: $(cat "$err")"
refused "a CSV of 200 rows, a BOM, asked for 201" "holds 200 examples, fewer than --train-size 150 \\+ --test-size 51" \
  run --dataset "csv:$T/bom.csv" --train-size 150 --test-size 51 $A
t_runs=$((t_runs + 1))
cat "$T/plain.csv" | "$SATBENCH" grid --dataset csv:/dev/stdin --train-size 150 --test-size 50 $G --out "$T/never" >"$T/pp.out" 2>"$T/pp.err"
rc=$?
test "$rc" -eq 2 && grep -q "is a pipe or FIFO, not a regular file" "$T/pp.err" && test ! -e "$T/never" &&
  t_pass "grid on a dataset piped to /dev/stdin: refused, nothing written" || t_fail "grid on a piped dataset: refused, nothing written" "exit $rc: $(cat "$T/pp.err")"
if command -v mkfifo >/dev/null 2>&1 && mkfifo "$T/fifo" 2>/dev/null; then
  refused "a dataset that is a FIFO" "fifo is a pipe or FIFO, not a regular file" run --dataset "csv:$T/fifo" --train-size 150 --test-size 50 $A
else
  t_skip "a dataset that is a FIFO" "no mkfifo"
fi
refused "a dataset that is a device" "^satbench: --dataset: /dev/zero is a device, not a regular file" run --dataset csv:/dev/zero $A
refused "a dataset that is a directory" "is a directory, not a file$" run --dataset "csv:$T" $A
# A line without end: refused at the limit (a sparse file: no disk).
if truncate -s 300M "$T/endless.csv" 2>/dev/null; then
  refused "a CSV line of 300 MB" "endless.csv:1: the line is longer than the limit of 268435456 bytes" run --dataset "csv:$T/endless.csv" $A
  rm -f "$T/endless.csv"
else
  t_skip "a CSV line of 300 MB" "no truncate(1)"
fi
printf '0,1.5\n1,2\033]0;title\007\n' > "$T/ctl.csv"
refused "a CSV field with control bytes" "ctl.csv:2: field 2 \\('2\\\\x1b\\]0;title\\\\x07'\\) is not a number" run --dataset "csv:$T/ctl.csv" $A
# Values near 1e308 or 1e-300: the scaling is exact under powers of two,
# so a file of x * 2^1023 or x * 2^-1000 must train to the very numbers
# of the file of x (no overflow of a range, a sum or a square, no square
# that vanishes).
for scale in standard unit; do
  sb run $D --input-scale $scale --activations tanh --inits standard --depths 2 --widths 8 --steps 20 --batch 10 --log-every 10
  grep -v '^#' "$out" > "$T/x.rows"
  for k in 1023 -1000; do
    awk -F, -v k=$k 'BEGIN { f = 2 ^ k } { printf "%s,%.17g,%.17g\n", $1, $2 * f, $3 * f }' "$T/plain.csv" > "$T/pow.csv"
    sb run --dataset "csv:$T/pow.csv" --train-size 150 --test-size 50 --input-scale $scale --activations tanh --inits standard \
      --depths 2 --widths 8 --steps 20 --batch 10 --log-every 10
    grep -v '^#' "$out" > "$T/pow.rows"
    test "$rc" -eq 0 && test -s "$T/x.rows" && cmp -s "$T/x.rows" "$T/pow.rows" &&
      t_pass "--input-scale $scale of x * 2^$k: the same rows as of x, byte for byte" ||
      t_fail "--input-scale $scale of x * 2^$k: the same rows as of x" "exit $rc: $(cat "$err")" "$(head -c 300 "$T/pow.csv")"
  done
done
# A test value far outside the training range cannot be scaled: refused
# before --out exists.
{ awk 'BEGIN { for (i = 0; i < 150; i++) printf "%d,%.3g,%.6f\n", i % 2, 1e-300 * (i % 7), cos(i) }'
  awk 'BEGIN { for (i = 0; i < 50; i++) printf "%d,%.3g,%.6f\n", i % 2, 1e10, cos(i) }'; } > "$T/far.csv"
t_runs=$((t_runs + 1))
"$SATBENCH" grid --dataset "csv:$T/far.csv" --train-size 150 --test-size 50 $G --out "$T/never" >"$T/far.out" 2>"$T/far.err"
rc=$?
test "$rc" -eq 2 && grep -q "^satbench: --input-scale standard: feature 1 of test example 1 is not finite once scaled" "$T/far.err" &&
  test ! -e "$T/never" && t_pass "a test value that overflows the scaling: exit 2, nothing written" ||
  t_fail "a test value that overflows the scaling: exit 2, nothing written" "exit $rc: $(cat "$T/far.err")" "$(ls "$T")"

refused "a dataset path with a '#'" "--dataset: csv: the path '.*a#b.csv' holds a '#' or starts or ends with a space" \
  run --dataset "csv:$T/a#b.csv" $A
# An IDX header declaring examples of 2^24 values, in a 20-byte file: refused at once (no 128 MiB row).
printf '\000\000\010\002\000\000\000\002\001\000\000\000\000\000\000\000\000\000' > "$T/big.img"
printf '\000\000\010\001\000\000\000\002\000\001' > "$T/big.lab"
refused "an IDX header declaring 2^24 values per example in 18 bytes" "big.img: byte 18: truncated: the header declares 2 examples of 16777216 bytes" \
  run --dataset "idx:$T/big.img,$T/big.lab" $A

# -- memory -----------------------------------------------------------------------------
refused "run --widths 50000" "^satbench: the run needs about [0-9.]+ GiB of memory \\(1 thread\\) but .* GiB; reduce --widths, --train-size$" \
  run --activations tanh --inits standard --depths 2 --widths 50000 --steps 0

t_done
