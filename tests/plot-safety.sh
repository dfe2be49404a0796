# plot-safety.sh - `satbench plot` on a folder received from someone else
# and into a shared -o: nothing in the tables or in the folder names runs
# as code (in plot or when a NAME.gp is rerun by hand), nothing is written
# through a symlink planted in -o, a picture gnuplot did not finish never
# replaces a good one, tables replaced while plot draws them are noticed,
# and the stages of killed plots are removed.  Needs gnuplot and python3
# (which reseals the tampered tables' manifest).
. "$srcdir/tests/lib.sh"
t_init plot-safety

GNUPLOT=${GNUPLOT:-$(command -v gnuplot)}
if test -z "$GNUPLOT" || ! test -x "$GNUPLOT"; then t_skip_all "gnuplot not found"; fi
command -v python3 >/dev/null 2>&1 || t_skip_all "python3 not found"
case $GNUPLOT in /*) ;; *) GNUPLOT=$(cd "$(dirname "$GNUPLOT")" && pwd)/$(basename "$GNUPLOT") ;; esac
A=$(cd "$T" && pwd)

sb grid --activations tanh,relu --inits standard,xavier_normal --depths 2,3 --widths 8 --norms none,layernorm \
  --residual none,1 --optimizers sgd --log-schedule linear --seeds 2 --train-size 64 --test-size 16 --batch 8 \
  --input-dim 4 --classes 3 --steps 10 --log-every 5 --jacobian 2 --quiet --out "$T/grid"
test "$rc" -eq 0 || t_fail "a small grid runs" "exit $rc: $(cat "$err")"

# ---- 1. payloads in every name of the tables and in -d / -o -----------------
# Every name column of every table (and cells.tsv's status and its header's
# residual-scale) gets a payload: `command`, $(command), system("..."), an
# @macro, both quotes, backslashes, leading quotes; the manifest is resealed
# (sizes and FNV-1a 64 checksums replaced in place), as anyone can.  The
# canaries are relative (../canary-*): whatever directory gnuplot runs in
# (-o, a folder inside it), a run command leaves a file in $T.
tamper()  # SRC DST [cr|nl]: DST = SRC's tables with payloads (cr, nl: a carriage return or a newline in a name too)
{
  python3 - "$1" "$2" "${3-}" <<'EOF'
import os, re, shutil, sys
src, dst, control = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(dst, exist_ok=True)
pay = {
    # tanh stays tanh: the theory figure draws only activations satbench knows
    'activation': lambda v: v if v == 'tanh' else v + " `touch ../canary-act`'\"\\",
    'init': lambda v: "'" + v + ' system("touch ../canary-init")',
    'norm': lambda v: v + ' $(touch ../canary-norm) "\'',
    'residual': lambda v: v + ' `touch ../canary-res` \\',
    'lr': lambda v: v + ' @key_strip `touch ../canary-lr`',
    'optimizer': lambda v: '"' + v + "' `touch ../canary-opt`; !touch ../canary-bang",
    'loss': lambda v: v + ' \\" `touch ../canary-loss` system("touch ../canary-loss2")',
    'status': lambda v: v + '`touch ../canary-st`',
}
if control:
    pay['activation'] = lambda v: v + {'cr': '\r', 'nl': '\n'}[control] + '!touch ../canary-' + control
def fnv(b):
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
    return h
sums = {}
for name in sorted(os.listdir(src)):
    if not name.endswith('.tsv'):
        continue
    out, header = [], None
    for line in open(os.path.join(src, name), encoding='utf-8').read().split('\n'):
        if line.startswith('# residual-scale = '):
            line = "# residual-scale = 1 `touch ../canary-rs`'"
        elif line.startswith('#') or not line:
            pass
        elif header is None:
            header = line.split('\t')
        else:
            f = line.split('\t')
            line = '\t'.join(pay[h](x) if h in pay else x for h, x in zip(header, f))
        out.append(line)
    data = '\n'.join(out).encode('utf-8')
    open(os.path.join(dst, name), 'wb').write(data)
    sums[name] = (len(data), fnv(data))
m = open(os.path.join(src, 'manifest.json'), encoding='utf-8').read()
for name, (size, h) in sums.items():
    # the object after "NAME": its "bytes" and "fnv1a64" values, in place
    at = m.index('"%s"' % name, m.index('"files"'))
    end = m.index('}', at)
    obj = m[at:end]
    obj = re.sub(r'("bytes"\s*:\s*)\d+', lambda k: k.group(1) + str(size), obj)
    obj = re.sub(r'("fnv1a64"\s*:\s*")[0-9a-f]+', lambda k: k.group(1) + '%016x' % h, obj)
    m = m[:at] + obj + m[end:]
open(os.path.join(dst, 'manifest.json'), 'w', encoding='utf-8').write(m)
EOF
}
# canaries: the canaries made since the last call (listed, then removed,
# so that each check sees only what its own step ran)
canaries() { find "$A" -type f -name 'canary-*' | sed "s|^$A/||" | tr '\n' ' '; find "$A" -type f -name 'canary-*' -exec rm -f {} +; }

# First the tables (in plain folders), then the same tables in a folder,
# and into one, named with payloads: a newline then a gnuplot shell
# command, a `command`, $(command), system(...), quotes and a backslash.
EVIL=$(printf 'x\n!touch ../canary-nl\n`touch ../canary-bt`$(touch ../canary-sh) system("touch ../canary-sys")'"'"'"\\y')
tamper "$T/grid" "$T/evil/tables"
tamper "$T/grid" "$T/d/$EVIL"
for where in tables folders; do
  if test $where = tables; then D="$T/evil/tables" O="$T/evil/plots"; else D="$T/d/$EVIL" O="$T/o/$EVIL"; fi
  sb plot -d "$D" -o "$O" --format png,svg
  if test "$rc" -eq 0 && test -s "$O/heatmap.png" && test -s "$O/remedies.svg"; then
    t_pass "$where: plot of tables with payloads in every name renders"
  else
    t_fail "$where: plot of tables with payloads in every name renders" "exit $rc: $(cat "$err")"
  fi
  c=$(canaries)
  test -z "$c" && t_pass "$where: no payload ran in satbench plot" || t_fail "$where: no payload ran in satbench plot" "made: $c"
  n=0 total=0
  for f in "$O"/*.gp; do
    total=$((total + 1))
    (cd "$O" && "$GNUPLOT" "$(basename "$f")") >/dev/null 2>>"$T/rerun.err" && n=$((n + 1))
  done
  c=$(canaries)
  if test -z "$c" && test "$n" -ge 11 && test "$n" -eq "$total"; then
    t_pass "$where: no payload ran when each of the $n scripts is rerun by gnuplot in -o"
  else
    t_fail "$where: no payload ran when each script is rerun by gnuplot in -o" "made: $c" "$n of $total scripts ran" \
      "$(head -5 "$T/rerun.err")"
  fi
done
# Shown literally: the names are in the pictures as they are in the tables
# (gnuplot may warn of a backslash while it measures a title with an
# underscore; it draws it as it is).
bad=
grep -F -q 'relu `touch ../canary-act`' "$O/heatmap.svg" || bad="$bad activation"
grep -F -q 'relu `touch ../canary-act`' "$O/theory.svg" || bad="$bad activation(theory)"
grep -F -q "'standard system(\"touch ../canary-init\")" "$O/heatmap.svg" || bad="$bad init"
grep -F -q '$(touch ../canary-norm)' "$O/remedies.svg" || bad="$bad norm"
grep -F -q '`touch ../canary-rs`' "$O/remedies.svg" || bad="$bad residual-scale"
test -z "$bad" && t_pass "the names are drawn literally (SVG text)" || t_fail "the names are drawn literally (SVG text)" "not found:$bad"
# In the script: an array of single-quoted strings, each quote a string of
# its own ("'", joined on with .), so that nothing in it is expanded.
want="array acts[2] = ['tanh', 'relu \`touch ../canary-act\`'.\"'\".'\"\\']"
grep -F -q "$want" "$O/heatmap.gp" && t_pass "a name is single-quoted gnuplot strings in an array" ||
  t_fail "a name is single-quoted gnuplot strings in an array" "want: $want" "have: $(grep '^array acts' "$O/heatmap.gp")"
# A control byte in a name (a carriage return) is refused, named.
tamper "$T/grid" "$T/cr" cr
t_label="plot of a cells.tsv with a carriage return inside a name"
expect_fail 2 'cells.tsv:[0-9]+: column activation: a control byte in .*\\x0d!touch' plot -d "$T/cr" -o "$T/cr-plots" --no-render
c=$(canaries)
test -z "$c" && test ! -e "$T/cr-plots" && t_pass "the refusal runs nothing and writes nothing" ||
  t_fail "the refusal runs nothing and writes nothing" "made: $c" "$(ls "$T/cr-plots" 2>&1)"
# A newline inside a name, then !command: the row is cut in two, refused.
tamper "$T/grid" "$T/nl" nl
t_label="plot of a cells.tsv with a newline then !touch inside a name"
expect_fail 2 'cells.tsv:[0-9]+: 2 fields, the header has [0-9]+' plot -d "$T/nl" -o "$T/nl-plots"
c=$(canaries)
test -z "$c" && test ! -e "$T/nl-plots" && t_pass "that refusal runs nothing and writes nothing" ||
  t_fail "that refusal runs nothing and writes nothing" "made: $c" "$(ls "$T/nl-plots" 2>&1)"

# ---- 2. symlinks planted in -o -------------------------------------------------
printf 'precious\n' >"$T/victim"
cp "$T/victim" "$T/victim.ref"
mkdir -p "$T/sym"
for f in heatmap depth; do
  for ext in png pdf svg gp gp.new dat tex gnuplot-stderr; do ln -s "$A/victim" "$T/sym/$f.$ext"; done
done
sb plot -d "$T/grid" -o "$T/sym" --only heatmap,depth --format pdf,png,svg
cmp -s "$T/victim" "$T/victim.ref" && t_pass "plot into a folder of symlinks to a victim leaves the victim alone" ||
  t_fail "plot into a folder of symlinks to a victim leaves the victim alone" "victim now: $(head -c 200 "$T/victim")" "exit $rc: $(cat "$err")"
bad=
for f in heatmap depth; do
  for ext in png pdf svg gp dat; do
    if test -h "$T/sym/$f.$ext" || ! test -s "$T/sym/$f.$ext"; then bad="$bad $f.$ext"; fi
  done
  test -e "$T/sym/$f.gp.new" && bad="$bad $f.gp.new(left)"
done
test "$rc" -eq 0 && test -z "$bad" && t_pass "each symlink is replaced by the figure's own file (the link, not its target)" ||
  t_fail "each symlink is replaced by the figure's own file" "exit $rc: $(cat "$err")" "still links or empty:$bad"
# a FIFO named like a script is not read (it would never end), just replaced
rm -f "$T/sym/heatmap.gp"
mkfifo "$T/sym/heatmap.gp"
sb plot -d "$T/grid" -o "$T/sym" --only heatmap --format png
test "$rc" -eq 0 && test -f "$T/sym/heatmap.gp" && ! test -p "$T/sym/heatmap.gp" &&
  t_pass "a FIFO named heatmap.gp is replaced, never read" || t_fail "a FIFO named heatmap.gp is replaced, never read" "exit $rc: $(cat "$err")"

# ---- 3. gnuplot that fails, or leaves a picture unfinished ---------------------
sb plot -d "$T/grid" -o "$T/good" --only heatmap --format png
cp "$T/good/heatmap.png" "$T/heatmap.png.ref"
mkdir -p "$T/bin"
fake()  # NAME BODY: a gnuplot that runs BODY (with $GNUPLOT the real one, $1 the script)
{
  { echo '#!/bin/sh'; echo "GNUPLOT='$GNUPLOT'"; echo "$2"; } >"$T/bin/$1"
  chmod +x "$T/bin/$1"
}
fake cut '"$GNUPLOT" "$@" || exit; f=${1%.gp}.png; head -c 300 "$f" >"$f.cut" && mv "$f.cut" "$f"'
# (fails draws another picture, a complete one, then exits 3)
fake fails '"$GNUPLOT" -e "set terminal pngcairo size 64,64; set output \"${1%.gp}.png\"; plot x" 2>/dev/null; exit 3'
fake empty ': >"${1%.gp}.png"'
fake nopng 'exit 0'
fake notpng 'echo "<html>" >"${1%.gp}.png"'
fake fsize 'ulimit -f 4; exec "$GNUPLOT" "$@"'
for case in "cut:heatmap: heatmap.png is cut short" "fails:heatmap: gnuplot failed on heatmap\\.gp \\(exit status 3\\).*--no-render writes" \
            "empty:heatmap: heatmap.png is empty" "nopng:heatmap: heatmap.png is missing" \
            "notpng:heatmap: heatmap.png is not a PNG" "fsize:heatmap: (gnuplot was killed by signal|heatmap.png is cut)"; do
  prog=${case%%:*}
  t_label="plot with a gnuplot that $prog"
  expect_fail 1 "${case#*:}" plot -d "$T/grid" -o "$T/good" --only heatmap --format png --gnuplot "$A/bin/$prog"
  cmp -s "$T/good/heatmap.png" "$T/heatmap.png.ref" && t_pass "$prog: the good heatmap.png is kept, byte for byte" ||
    t_fail "$prog: the good heatmap.png is kept, byte for byte"
done
# The gnuplot found on PATH (no --gnuplot) is checked the same way.
mkdir -p "$T/path"
cp "$T/bin/fails" "$T/path/gnuplot"
t_label="plot with a failing gnuplot first on PATH"
PATH_WAS=$PATH
PATH="$A/path:$PATH"
expect_fail 1 'heatmap: gnuplot failed .*exit status 3' plot -d "$T/grid" -o "$T/good" --only heatmap --format png
PATH=$PATH_WAS
cmp -s "$T/good/heatmap.png" "$T/heatmap.png.ref" && t_pass "PATH: the good heatmap.png is kept, byte for byte" ||
  t_fail "PATH: the good heatmap.png is kept, byte for byte"
test -z "$(ls -A "$T/good" | grep -v '^heatmap\.\(png\|gp\|dat\)$')" && t_pass "the failures leave nothing else in -o" ||
  t_fail "the failures leave nothing else in -o" "$(ls -A "$T/good")"

# ---- 4. the tables replaced while plot draws them -----------------------------
# A gnuplot that, the first time it runs, puts another grid's tables in
# place (each renamed over the old one, and one it lacks removed, as a
# merge does), then draws.
sb grid --activations tanh,relu --inits standard,xavier_normal --depths 2,3 --widths 8 --optimizers sgd \
  --log-schedule linear --seeds 1 --train-size 64 --test-size 16 --batch 8 --input-dim 4 --classes 3 --steps 10 \
  --log-every 5 --quiet --out "$T/other"
cp -R "$T/grid" "$T/swap"
sb plot -d "$T/swap" -o "$T/swap-plots" --only heatmap,depth --format png
test "$rc" -eq 0 || t_fail "plot of the first set" "exit $rc: $(cat "$err")"
cp -R "$T/swap-plots" "$T/swap-plots.ref"
cat >"$T/bin/swap" <<EOF
#!/bin/sh
if mkdir '$A/swapped' 2>/dev/null; then
  for f in '$A/other'/*.tsv '$A/other/manifest.json'; do
    cp "\$f" '$A/swap/.incoming' && mv '$A/swap/.incoming' "$A/swap/\$(basename "\$f")" || exit 9
  done
  for f in '$A/swap'/*.tsv; do   # a table the new set has not (spectra.tsv): removed, as by a merge
    test -e '$A/other'/"\$(basename "\$f")" || rm -f "\$f"
  done
fi
exec '$GNUPLOT' "\$@"
EOF
chmod +x "$T/bin/swap"
t_label="plot while a merge replaces the tables"
expect_fail 1 'swap: the tables changed while plot read them.*no figure was replaced; run satbench plot again' \
  plot -d "$T/swap" -o "$T/swap-plots" --only heatmap,depth --format png --gnuplot "$A/bin/swap"
test -d "$T/swapped" && diff -r "$T/swap-plots" "$T/swap-plots.ref" >/dev/null &&
  t_pass "the figures of the first set stay, all of them, byte for byte" ||
  t_fail "the figures of the first set stay" "$(diff -r "$T/swap-plots" "$T/swap-plots.ref" 2>&1 | head -5)"
sb plot -d "$T/swap" -o "$T/swap-plots" --only heatmap,depth --format png
test "$rc" -eq 0 && ! cmp -s "$T/swap-plots/heatmap.dat" "$T/swap-plots.ref/heatmap.dat" &&
  t_pass "plot again draws the new set" || t_fail "plot again draws the new set" "exit $rc: $(cat "$err")"

# ---- 5. temporaries of plots that were killed ---------------------------------
# A plot killed (SIGKILL) while its gnuplot draws: the gnuplot, a wrapper,
# cuts the picture it drew in plot's stage and tells the test plot's pid
# (its parent) and where it is; the test kills plot there, lets the
# wrapper end (a plot sent SIGKILL runs none of its code again) and waits
# for the news of plot's death.  The stage stays; the next plot into the
# same -o removes it.
# No step can wait forever, in any order the processes run: the test and
# the subshell that runs plot each open the two FIFOs once, first thing,
# in the same order (the opens pair); the wrapper only writes and reads
# the ends it inherits (fd 8, 9).  So no line can go to a reader that is
# gone, and no writer closing late can pass for the end of the news
# (FIFOs reopened for each line did both: the test hung on a loaded
# machine).  The test reads news until every writer closed; the wrapper
# waits for go to be closed, not for a line.
mkfifo "$T/news" "$T/go"
cat >"$T/bin/hang" <<EOF
#!/bin/sh
'$GNUPLOT' "\$@" 8>&- 9<&- && head -c 100 heatmap.png >heatmap.cut && mv heatmap.cut heatmap.png
echo "drawing \$PPID \$(pwd)" >&8
exec 8>&-
read go <&9
EOF
chmod +x "$T/bin/hang"
(exec 8>"$A/news" 9<"$A/go"
 "$SATBENCH" plot -d "$T/grid" -o "$T/killed" --only heatmap --format png --gnuplot "$A/bin/hang" >"$T/killed.out" 2>&1
 echo "exit $?" >&8) 2>"$T/killed.sh.err" &
exec 3<"$T/news" 4>"$T/go"
read word victim stage <&3 || word=eof
test "$word" = drawing && kill -KILL "$victim"
exec 4>&-   # the wrapper ends
krc=none
case $word in
  drawing) read word krc <&3 || krc=none ;;
  exit) krc=$victim ;;   # plot ended before its gnuplot said where it draws
esac
cat <&3 >/dev/null   # until the wrapper, plot and the subshell are all gone
exec 3<&-
wait
left=$(ls -A "$T/killed" | grep -c '^\.satbench-plot\.tmp\.')
if test "$krc" = 137 && test "$left" -eq 1 && test -s "$stage/heatmap.png" && ! test -e "$T/killed/heatmap.png"; then
  t_pass "a plot killed while gnuplot draws leaves its stage (a cut heatmap.png in it), not in -o"
else
  t_fail "a plot killed while gnuplot draws leaves its stage" "plot's status $krc, stages in -o: $left" "$(ls -A "$T/killed")"
fi
sb plot -d "$T/grid" -o "$T/killed" --only heatmap --format png
if test "$rc" -eq 0 && ! test -e "$stage" && test -z "$(ls -A "$T/killed" | grep '^\.')" && test -s "$T/killed/heatmap.png"; then
  t_pass "the next plot removes the killed plot's stage, and draws"
else
  t_fail "the next plot removes the killed plot's stage" "exit $rc: $(cat "$err")" "$(ls -A "$T/killed")"
fi
# By name: stages and temporaries of dead plots of this host go; those of
# a live process and of another host, and files plot does not write, stay.
HOST=$(uname -n | tr './' '__' | cut -c1-32)
sh -c 'echo $$' >"$T/dead.pid"
DEAD=$(cat "$T/dead.pid")
S="$T/stale"
mkdir -p "$S/.satbench-plot.tmp.$HOST.$DEAD.Ab12Cd" "$S/.satbench-plot.tmp.$HOST.$$.Ef34Gh" \
  "$S/.satbench-plot.tmp.elsewhere.$DEAD.Ij56Kl"
echo x >"$S/.satbench-plot.tmp.$HOST.$DEAD.Ab12Cd/heatmap.png"
echo x >"$S/.satbench-plot.tmp.$HOST.$$.Ef34Gh/heatmap.png"
echo x >"$S/heatmap.dat.tmp.$HOST.$DEAD.0a1b2c"
echo x >"$S/depth.gp.tmp.$HOST.$$.3d4e5f"
echo x >"$S/notes.txt.tmp.$HOST.$DEAD.6a7b8c"
sb plot -d "$T/grid" -o "$S" --only heatmap --no-render
got=$(ls -A "$S" | grep 'tmp' | sort | tr '\n' ' ')
want=$(printf '%s\n' ".satbench-plot.tmp.$HOST.$$.Ef34Gh" ".satbench-plot.tmp.elsewhere.$DEAD.Ij56Kl" \
  "depth.gp.tmp.$HOST.$$.3d4e5f" "notes.txt.tmp.$HOST.$DEAD.6a7b8c" | sort | tr '\n' ' ')
if test "$rc" -eq 0 && test "$got" = "$want" && test -f "$S/.satbench-plot.tmp.$HOST.$$.Ef34Gh/heatmap.png"; then
  t_pass "plot removes the temporaries of dead plots on this host; a live one's, another host's and others' stay"
else
  t_fail "plot removes the temporaries of dead plots on this host only" "exit $rc: $(cat "$err")" "left: $got" "want: $want"
fi

t_done
