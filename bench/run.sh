#!/bin/sh
# bench/run.sh - satbench's five benchmarks (the manual, "Speed").  `make bench`
# runs it from the build folder; each benchmark prints a table, and the
# whole report is appended to RESULTS (bench/RESULTS.md in the source tree)
# with the machine, compiler, BLAS and the exact commands.
#
#   1 kernel    training GFLOP/s of one cell on one thread against the GEMMs
#               at the same shapes: libxsmm's, the CBLAS's, the faster of the
#               two product by product (train/best), auto's; and each
#               product's rates with both libraries and auto's pick
#               (bench_kernel, bench_kernel -g)
#   2 scaling   the grid G at 1, 2, ... all cores: speedup, efficiency, and
#               that the tables are byte-identical
#   3 pytorch   G at width 128 and a smaller grid at width 1024, done with
#               PyTorch (torch_grid.py) on the same number of threads; where
#               OpenBLAS runs its generic kernels, again with the
#               OPENBLAS_CORETYPE the CPU can run, for both
#   4 probes    G with --log-every 1, 10 and 0 (only at init and the end),
#               and a probe's cost against its own flop floor (bench_kernel)
#   5 memory    peak resident size against the number of cells and width
#   6 remedies  the step with batch norm, layer norm and skip connections
#               against the plain step, the Jacobian probe's cost per
#               input at widths 128, 512 and 1024 (bench_kernel -N, -R, -J),
#               and the step in each emulated precision against fp64's at
#               widths 128 and 512 (bench_kernel -p, -S)
#   7 scale     grids of 10^2, 10^3, 10^4 tiny init-only cells and 10^3
#               small trained ones: wall and merge seconds, time per cell,
#               peak memory, bytes on disk per cell (tables, records), the
#               fitted exponent of time and bytes in the number of cells;
#               and the bytes of a typical trained cell (depth 10, width
#               128, 1000 steps, probes every 100)
#   8 recurrent the recurrent step (rnn, lstm, gru; T 50, batch 64, 32
#               inputs; H 64, 128, 256) on one thread: its GFLOP/s against
#               its GEMMs' at the same shapes (bench_rnn), and PyTorch's
#               time for the same step (torch_rnn.py: torch.nn.RNN, LSTM,
#               GRU in float64, one thread), torch / satbench
#
# Environment: SATBENCH, BENCH_KERNEL (the programs), PYTHON (with torch;
# default /usr/bin/python3, where Debian's python3-torch lives),
# BENCH_SECTIONS (default "1 2 3 4 5 6 7 8"), BENCH_SCALE (the cell counts of
# benchmark 7's init-only grids, default "100 1000 10000"), BENCH_REPEAT (runs per timing, the
# fastest is kept; default 3), BENCH_LABEL (a title for the entry), CC and
# CFLAGS (reported only).
set -eu

RESULTS=${1:-bench/RESULTS.md}
SATBENCH=${SATBENCH:-./satbench}
KERNEL=${BENCH_KERNEL:-./bench/bench_kernel}
PYTHON=${PYTHON:-/usr/bin/python3}
SECTIONS=${BENCH_SECTIONS:-1 2 3 4 5 6 7 8}
RNN=${BENCH_RNN:-./bench/bench_rnn}
SCALE=${BENCH_SCALE:-100 1000 10000}
REPEAT=${BENCH_REPEAT:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/satbench-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
REPORT=$TMP/report.md
: >"$REPORT"

# The grid G of benchmarks 2-4, and the width-1024 grid of benchmark 3.
G="--activations tanh,relu --inits standard,he_normal --depths 5,10 --widths 128 --seeds 2 --optimizers sgd --steps 200 --batch 128 --lr 0.05 --log-every 50 --log-schedule linear"
G1024="--activations tanh,relu --inits he_normal --depths 5 --widths 1024 --seeds 1 --optimizers sgd --steps 40 --batch 128 --lr 0.05 --log-every 10 --log-schedule linear"
# Benchmark 7's grids: tiny init-only cells (10 depths), small trained
# ones, and 8 typical trained cells.
TINY="--activations tanh --inits standard --depths 2:11:1 --widths 8 --optimizers sgd --steps 0 --train-size 256 --test-size 64"
SMALL="--activations tanh --inits standard --depths 2:11:1 --widths 32 --optimizers sgd --steps 200 --log-every 50 --train-size 1024 --test-size 256"
TYPICAL="--activations tanh,relu --inits standard,he_normal --depths 10 --widths 128 --optimizers sgd --seeds 2 --steps 1000 --log-every 100"

say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
now() { date +%s.%N; }
# secs START END
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# best_grid OUT THREADS ARGS...: the fastest of REPEAT runs of a grid, in
# seconds; the tables of the last run stay in OUT.
best_grid() {
  out=$1 thr=$2
  shift 2
  best=
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    rm -rf "$out"
    t0=$(now)
    "$SATBENCH" grid "$@" --threads "$thr" --out "$out" --quiet >/dev/null
    t1=$(now)
    t=$(secs "$t0" "$t1")
    best=$(awk -v a="${best:-$t}" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
    i=$((i + 1))
  done
  echo "$best"
}

# peak_kb COMMAND...: peak resident set of the command, in KiB.
peak_kb() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$TMP/rss" "$@" >/dev/null 2>&1 && cat "$TMP/rss"
  else
    "$PYTHON" -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
  fi
}

model=$(awk -F': *' '/^model name/ { m = $2 } /^cpu family/ { f = $2 } /^model\t/ { n = $2 }
  /^flags/ { v = index($0, " avx512f ") ? ", AVX-512" : index($0, " avx2 ") ? ", AVX2" : "" }
  END { printf "%s (family %s, model %s%s)", m, f, n, v }' /proc/cpuinfo 2>/dev/null || echo unknown)
cc1=${CC:-cc}
cc1=${cc1%% *}
say ""
say "## $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n)${BENCH_LABEL:+: $BENCH_LABEL}"
say ""
say "- machine: $model, $NCPU cores ($(uname -sr)); load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
say "- compiler: \`${CC:-cc}\` ($("$cc1" --version 2>/dev/null | head -n 1)), CFLAGS='${CFLAGS:-}'"
say "- $("$SATBENCH" --version | tr '\n' ' ')"
say "- BLAS: $("$KERNEL" -c)"
say "- commands: \`$SATBENCH grid\` with G = \`$G\`; G1024 = \`$G1024\`; each timing the fastest of $REPEAT runs"
say ""

for s in $SECTIONS; do
  case $s in
  1)
    say "### 1. Kernel efficiency: one cell, one thread, against the GEMMs at the same shapes"
    say ""
    say "\`$KERNEL\` (step = gather, forward, backward, SGD update; 6 x batch x sum fan_in x fan_out flops;"
    say "xsmm, cblas = the same 3 x L products, untransposed, by libxsmm's kernels (k-sliced) and by cblas_dgemm alone;"
    say "best = the products in the step's order, each through the library faster at its shape (or either library whole, if faster); auto = as --gemm auto dispatches them on this CPU;"
    say "train/best = the training's rate over best's; probe/step = one probe (256 examples) in steps, floor/step = its"
    say "GEMM flops in steps, probe/floor = what it costs against that floor)"
    say ""
    say '```'
    "$KERNEL" | tee -a "$REPORT"
    say '```'
    say ""
    say "Each product of the step at widths 128, 512 and 1024 with both libraries, the faster, and what"
    say "\`--gemm auto\` picks (\`$KERNEL -g 128 512 1024\`; the rule: $("$SATBENCH" --version | sed -n 's/^GEMM: //p')):"
    say ""
    say '```'
    "$KERNEL" -g 128 512 1024 | tee -a "$REPORT"
    say '```'
    say ""
    say "The same with batch norm before every hidden phi (\`$KERNEL -N batchnorm 128 512 1024\`; DGEMM the same products):"
    say ""
    say '```'
    "$KERNEL" -N batchnorm 128 512 1024 | tee -a "$REPORT"
    say '```'
    say ""
    ;;
  2)
    say "### 2. Scaling: G (16 cells) at 1 .. $NCPU threads"
    say ""
    say "| threads | wall s | speedup | efficiency | tables identical to 1 thread |"
    say "|---|---|---|---|---|"
    t1=
    for thr in $(awk -v n="$NCPU" 'BEGIN { for (t = 1; t < n; t *= 2) printf "%d ", t; print n }'); do
      t=$(best_grid "$TMP/g$thr" "$thr" $G)
      [ -n "$t1" ] || t1=$t
      same=yes
      for f in cells.tsv layers.tsv summary.tsv hist.tsv; do
        cmp -s "$TMP/g1/$f" "$TMP/g$thr/$f" || same="NO ($f differs)"
      done
      sp=$(ratio "$t1" "$t")
      eff=$(awk -v s="$sp" -v n="$thr" 'BEGIN { printf "%.0f%%", 100 * s / n }')
      say "| $thr | $t | $sp | $eff | $same |"
    done
    say ""
    ;;
  3)
    say "### 3. Side by side with PyTorch ($NCPU threads, the same grid, the same probes)"
    say ""
    if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
      say "skipped: PyTorch is not installed for $PYTHON (Debian: apt-get install python3-torch)"
      say ""
      continue
    fi
    say "torch_grid.py: one process, torch.set_num_threads($NCPU) (the usual way), and the tuned way,"
    say "$NCPU worker processes of one thread each with OPENBLAS_NUM_THREADS=1; ratio = PyTorch s / satbench s."
    say ""
    say "| grid | satbench s | PyTorch s (1 process) | ratio | PyTorch s (tuned) | ratio |"
    say "|---|---|---|---|---|---|"
    for grid in G G1024; do
      eval "args=\$$grid"
      ts=$(best_grid "$TMP/s$grid" "$NCPU" $args)
      "$PYTHON" "$HERE/torch_grid.py" $args --threads "$NCPU" --out "$TMP/t$grid" >"$TMP/t$grid.txt"
      tt=$(awk '/^wall_seconds/ { print $2 }' "$TMP/t$grid.txt")
      OPENBLAS_NUM_THREADS=1 "$PYTHON" "$HERE/torch_grid.py" $args --threads 1 --jobs "$NCPU" \
        --out "$TMP/u$grid" >"$TMP/u$grid.txt"
      tu=$(awk '/^wall_seconds/ { print $2 }' "$TMP/u$grid.txt")
      say "| $grid | $ts | $tt | $(ratio "$tt" "$ts") | $tu | $(ratio "$tu" "$ts") |"
    done
    say ""
    # Where OpenBLAS falls back to its generic kernels (a CPU newer than
    # it), PyTorch's GEMMs run several times slower than they can, and an
    # expert sets OPENBLAS_CORETYPE: the ratio that counts is then against
    # that PyTorch (satbench run with the same setting, for its norms).
    better=$("$SATBENCH" --version | sed -n 's/.*OPENBLAS_CORETYPE=\([A-Za-z0-9]*\).*/\1/p')
    if [ -n "$better" ] && [ -z "${OPENBLAS_CORETYPE:-}" ]; then
      say "OpenBLAS uses its generic kernels on this CPU; the same, tuned, with OPENBLAS_CORETYPE=$better for both (the kernels the CPU runs):"
      say ""
      say "| grid | satbench s | PyTorch s (tuned, $better) | ratio |"
      say "|---|---|---|---|"
      for grid in G G1024; do
        eval "args=\$$grid"
        ts=$(export OPENBLAS_CORETYPE="$better"; best_grid "$TMP/c$grid" "$NCPU" $args)
        OPENBLAS_CORETYPE=$better OPENBLAS_NUM_THREADS=1 "$PYTHON" "$HERE/torch_grid.py" $args --threads 1 \
          --jobs "$NCPU" --out "$TMP/v$grid" >"$TMP/v$grid.txt"
        tv=$(awk '/^wall_seconds/ { print $2 }' "$TMP/v$grid.txt")
        say "| $grid | $ts | $tv | $(ratio "$tv" "$ts") |"
      done
      say ""
    fi
    say "Sanity: mean attenuation at init, log10(||delta^1|| / ||delta^depth||), over seeds (different random"
    say "streams, the same distributions):"
    say ""
    say "| activation | init | depth | width | satbench | PyTorch |"
    say "|---|---|---|---|---|---|"
    for grid in G G1024; do
      awk -F'\t' 'FNR == NR { if ($1 == "attenuation0") t[$2 FS $3 FS $4 FS $5] = $6; next }
        /^#/ { next }
        $1 == "cell" { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { k = $(c["activation"]) FS $(c["init"]) FS $(c["depth"]) FS $(c["width"]); s[k] += $(c["attenuation0"]); n[k]++
          if (!(k in o)) { o[k] = ++m; key[m] = k } }
        END { for (i = 1; i <= m; i++) { k = key[i]; split(k, a, FS)
          printf "| %s | %s | %s | %s | %.3f | %.3f |\n", a[1], a[2], a[3], a[4], s[k] / n[k], t[k] } }' \
        "$TMP/t$grid.txt" "$TMP/s$grid/cells.tsv" | tee -a "$REPORT"
    done
    say ""
    ;;
  4)
    say "### 4. Probe overhead: G on $NCPU threads"
    say ""
    say "| --log-every | probes per cell | wall s | overhead vs end only |"
    say "|---|---|---|---|"
    t0=$(best_grid "$TMP/p0" "$NCPU" $G --log-every 0)
    for le in 0 10 1; do
      if [ "$le" = 0 ]; then t=$t0; np=2; else t=$(best_grid "$TMP/p$le" "$NCPU" $G --log-every "$le"); np=$((200 / le + 1)); fi
      say "| $le | $np | $t | $(awk -v a="$t" -v b="$t0" 'BEGIN { printf "%+.1f%%", 100 * (a / b - 1) }') |"
    done
    say ""
    # The overhead above is no target: a probe over 256 examples does twice
    # a training step's GEMM work by its flops.  What is kept is a probe's
    # cost against that floor, at G's shapes.
    say "A probe against its own flop floor at G's shapes (\`$KERNEL -P 256 -d D 128\`: probe = forward, backward and"
    say "measurements on 256 examples; floor = its GEMM flops, in training steps of batch 128):"
    say ""
    say "| depth | probe, steps | floor, steps | probe / floor |"
    say "|---|---|---|---|"
    for dep in 5 10; do
      "$KERNEL" -P 256 -d "$dep" 128 | awk -v d="$dep" '!/^#/ && $1 ~ /^[0-9]+$/ { printf "| %s | %s | %s | %s |\n", d, $10, $11, $12 }' | tee -a "$REPORT"
    done
    say ""
    ;;
  5)
    say "### 5. Peak memory (resident set of \`satbench grid\`, KiB; depth 5, 50 steps, 1 thread)"
    say ""
    say "| cells (width 128) | peak KiB |"
    say "|---|---|"
    for seeds in 1 4 16 64; do
      kb=$(peak_kb "$SATBENCH" grid --activations tanh --inits he_normal --depths 5 --widths 128 \
           --seeds "$seeds" --steps 50 --batch 128 --log-every 10 --threads 1 --quiet --out "$TMP/m$seeds")
      rm -rf "$TMP/m$seeds"
      say "| $seeds | $kb |"
    done
    say ""
    say "| width (1 cell) | peak KiB |"
    say "|---|---|"
    for w in 64 128 256 512 1024; do
      kb=$(peak_kb "$SATBENCH" grid --activations tanh --inits he_normal --depths 5 --widths "$w" \
           --seeds 1 --steps 5 --batch 128 --log-every 1 --threads 1 --quiet --out "$TMP/w$w")
      rm -rf "$TMP/w$w"
      say "| $w | $kb |"
    done
    say ""
    ;;
  6)
    say "### 6. Remedies and the Jacobian probe: one cell, one thread, depth 10, batch 128"
    say ""
    say "| width | plain ms/step | batchnorm | layernorm | residual 1 |"
    say "|---|---|---|---|---|"
    for w in 64 256 1024; do
      row="| $w"
      base=
      for arch in "-N none" "-N batchnorm" "-N layernorm" "-R 1"; do
        # shellcheck disable=SC2086
        t=$("$KERNEL" $arch -d 10 -r 5 -t 0.3 "$w" | awk '!/^#/ && $1 ~ /^[0-9]+$/ { print $3 }')
        if [ -z "$base" ]; then base=$t; row="$row | $t"
        else row="$row | $t ($(awk -v a="$t" -v b="$base" 'BEGIN { printf "%+.1f%%", 100 * (a / b - 1) }'))"; fi
      done
      say "$row |"
    done
    say ""
    say "| width = input | Jacobian + SVD of one input, ms | in training steps |"
    say "|---|---|---|"
    for w in 128 512 1024; do
      line=$("$KERNEL" -J -i "$w" -d 10 -r 1 -t 0.2 "$w" | grep '^# jacobian')
      ms=$(echo "$line" | sed 's/.*: \([0-9.]*\) ms.*/\1/')
      st=$(echo "$line" | sed 's/.*= \([0-9.]*\) steps/\1/')
      say "| $w | $ms | $st |"
    done
    say ""
    say "Emulated precision (\`--precisions\`: every tensor the step stores rounded to the format;"
    say "\`$KERNEL -p PREC [-S dynamic] -d 10 W\`): ms per step, and its ratio to the fp64 step."
    say ""
    say "| width | fp64 ms/step | fp32 | bf16 | fp16 | fp16, dynamic loss scale | fp8e5m2 | fp8e4m3 |"
    say "|---|---|---|---|---|---|---|---|"
    for w in 128 512; do
      row="| $w"
      base=
      for pr in "-p fp64" "-p fp32" "-p bf16" "-p fp16" "-p fp16 -S dynamic" "-p fp8e5m2" "-p fp8e4m3"; do
        # shellcheck disable=SC2086
        t=$("$KERNEL" $pr -d 10 -r 5 -t 0.3 "$w" | awk '!/^#/ && $1 ~ /^[0-9]+$/ { print $3 }')
        if [ -z "$base" ]; then base=$t; row="$row | $t"
        else row="$row | $t ($(awk -v a="$t" -v b="$base" 'BEGIN { printf "%.2fx", a / b }'))"; fi
      done
      say "$row |"
    done
    say ""
    ;;
  7)
    say "### 7. Scale: cost against the number of cells ($NCPU threads)"
    say ""
    say "Init-only tiny cells: \`$TINY --seeds S\` (10 depths x S seeds); trained:"
    say "\`$SMALL --seeds S\`. wall = the grid, merge included; merge = \`satbench merge\`"
    say "of the same folder again (both with \`--keep-records\`, so that there are records to merge and to measure);"
    say "table bytes = the sizes of \`*.tsv\` and \`manifest.json\`, record bytes = \`du -sb records/\` (what \`--keep-records\` keeps;"
    say "without it a complete merge removes them)."
    say ""
    say "| cells | kind | wall s | ms/cell | merge s | peak MB | table bytes/cell | record bytes/cell |"
    say "|---|---|---|---|---|---|---|---|"
    : >"$TMP/fit"
    for n in $SCALE trained:1000; do
      case $n in
        trained:*) n=${n#trained:}; kind=trained; args=$SMALL ;;
        *) kind=init; args=$TINY ;;
      esac
      seeds=$((n / 10))
      rm -rf "$TMP/s"
      t0=$(now)
      kb=$(peak_kb "$SATBENCH" grid $args --seeds "$seeds" --threads "$NCPU" --quiet --keep-records --out "$TMP/s")
      t1=$(now)
      t=$(secs "$t0" "$t1")
      t2=$(now)
      "$SATBENCH" merge --out "$TMP/s" --quiet --keep-records >/dev/null
      t3=$(now)
      tb=$(cat "$TMP"/s/*.tsv "$TMP/s/manifest.json" | wc -c)
      rb=$(du -sb "$TMP/s/records" | cut -f1)
      say "| $n | $kind | $t | $(awk -v t="$t" -v n="$n" 'BEGIN { printf "%.2f", 1000 * t / n }') | $(secs "$t2" "$t3") | $(awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }') | $((tb / n)) | $((rb / n)) |"
      [ "$kind" = init ] && echo "$n $t $tb $(secs "$t2" "$t3")" >>"$TMP/fit"
      rm -rf "$TMP/s"
    done
    say ""
    # Least squares of log y on log n over the init-only grids: 1 is linear.
    fit() { awk -v c="$1" '{ x = log($1); y = log($c); sx += x; sy += y; sxx += x * x; sxy += x * y; k++ }
      END { if (k < 2 || k * sxx == sx * sx) print "-"; else printf "%.2f", (k * sxy - sx * sy) / (k * sxx - sx * sx) }' "$TMP/fit"; }
    say "Fitted exponents over the init-only grids (cost ~ cells^e; 1 is linear): wall $(fit 2), table bytes $(fit 3), merge $(fit 4)."
    say ""
    # The typical trained cell: its tables per cell, plain and --compress,
    # at 2 and at 10 seeds (summary.tsv and curves_summary.tsv are per group
    # of seeds, so their share per cell falls with more seeds); folder =
    # everything on disk after the grid, records removed as by default.
    say "A typical trained cell (\`$TYPICAL\` with S seeds: 4 S cells), bytes per cell:"
    say ""
    say "| seeds | tables | tables, --compress | folder on disk (default) | folder, --compress | records (--keep-records) |"
    say "|---|---|---|---|---|---|"
    for s7 in 2 10; do
      nc=$((4 * s7))
      rm -rf "$TMP/t" "$TMP/tz"
      "$SATBENCH" grid $TYPICAL --seeds "$s7" --threads "$NCPU" --quiet --keep-records --out "$TMP/t" >/dev/null
      rb=$(du -sb "$TMP/t/records" | cut -f1)
      # the same grid's tables once more, compressed, from the kept records
      cp -r "$TMP/t" "$TMP/tz"
      "$SATBENCH" merge --out "$TMP/tz" --compress --quiet >/dev/null
      "$SATBENCH" merge --out "$TMP/t" --quiet >/dev/null
      tb=$(cat "$TMP"/t/*.tsv "$TMP/t/manifest.json" | wc -c)
      tz=$(cat "$TMP"/tz/*.tsv.gz "$TMP/tz/manifest.json" | wc -c)
      fb=$(du -sb "$TMP/t" | cut -f1); fz=$(du -sb "$TMP/tz" | cut -f1)
      say "| $s7 | $((tb / nc)) | $((tz / nc)) | $((fb / nc)) | $((fz / nc)) | $((rb / nc)) |"
      [ "$s7" = 2 ] && per="$(for f in "$TMP"/t/*.tsv; do printf '%s %s, ' "$(basename "$f")" "$(( $(wc -c <"$f") / nc ))"; done | sed 's/, $//')"
    done
    say ""
    say "Per table at 2 seeds: $per."
    rm -rf "$TMP/t" "$TMP/tz"
    say ""
    ;;
  8)
    say "### 8. The recurrent step against its GEMMs and PyTorch"
    say ""
    say "\`bench_rnn 64 128 256\` and \`torch_rnn.py 64 128 256\` (tanh, T 50, batch 64, 32 inputs, SGD; one thread, best of 5):"
    say ""
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$RNN" 64 128 256 >"$TMP/rnn.tsv"
    if OMP_NUM_THREADS=1 "$PYTHON" "$HERE/torch_rnn.py" 64 128 256 >"$TMP/torch_rnn.tsv" 2>"$TMP/torch_rnn.err"; then :; else
      : >"$TMP/torch_rnn.tsv"
    fi
    say "| cell | H | satbench ms/step | step GF/s | its GEMMs GF/s | step/GEMM | PyTorch ms/step | PyTorch / satbench |"
    say "|---|---|---|---|---|---|---|---|"
    awk -F'\t' 'NR == FNR { if (FNR > 1) t[$1 FS $2] = $6; next }
      FNR > 1 { p = ($1 FS $2) in t ? t[$1 FS $2] : ""
                printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $6, $7, $8, $9, p == "" ? "-" : p,
                       p == "" ? "-" : sprintf("%.2f", p / $6) }' "$TMP/torch_rnn.tsv" "$TMP/rnn.tsv" | tee -a "$REPORT"
    [ -s "$TMP/torch_rnn.tsv" ] || say "(PyTorch not run: $(head -c 200 "$TMP/torch_rnn.err"))"
    say ""
    ;;
  esac
done

cat "$REPORT" >>"$RESULTS"
echo "bench: appended to $RESULTS"
