# report.sh - `satbench report` and `satbench compare` on real small grids:
# the page holds every figure plot draws and nothing that fetches or runs;
# strings planted in the tables and the manifest (<script>, an <img> with
# onerror, </svg>) come out as text; an SVG that holds more than drawing is
# left out; the page is written atomically, never through a symlink; links
# to the tables resolve.  compare: identical grids differ by exactly 0,
# two master seeds show no difference in what the init sets, xavier_normal
# against standard on deep sigmoid/tanh nets does, Welch's t and df equal
# an awk computation from the two cells.tsv, grids without a shared cell
# are refused naming both.  (The page in a real browser: browser.sh.)
. "$srcdir/tests/lib.sh"
t_init report

S="$SATBENCH"
G="--activations sigmoid,tanh --depths 2,8 --widths 16 --seeds 3 --steps 100 --train-size 512 --test-size 128
   --input-dim 8 --classes 4 --optimizers sgd --threads 2 --quiet"
sb grid $G --inits standard,xavier_normal --out "$T/a"
test "$rc" -eq 0 && grep -q "^one page of it all (findings, figures, provenance): satbench report -d $T/a\$" "$out" &&
  t_pass "grid ends saying how to make its report" || t_fail "grid ends saying how to make its report" "exit $rc: $(tail -2 "$out")"
"$S" grid $G --inits standard,xavier_normal --seed 2 --out "$T/b" >/dev/null || t_fail "grid with --seed 2 runs"
"$S" grid $G --inits xavier_normal --out "$T/x" >/dev/null || t_fail "grid of xavier_normal runs"
"$S" grid $G --inits standard --out "$T/s" >/dev/null || t_fail "grid of standard runs"
cp -r "$T/a" "$T/a2"

# ---- compare ---------------------------------------------------------------------------

# col FILE NAME: the column number of NAME in a TSV's header row.
col() { awk -F'\t' -v n="$2" '/^#/ { next } { for (i = 1; i <= NF; i++) if ($i == n) { print i; exit } }' "$1"; }

sb compare "$T/a" "$T/a2" -o "$T/same.tsv"
V=$(col "$T/same.tsv" verdict); D=$(col "$T/same.tsv" diff)
rows=$(grep -vc '^#' "$T/same.tsv")
bad=$(awk -F'\t' -v v="$V" -v d="$D" '/^#/ || NR == 0 { next } !h { h = 1; next } $v != "~" || $d != 0 { n++ } END { print n + 0 }' "$T/same.tsv")
test "$rc" -eq 0 && test "$rows" -eq 57 && test "$bad" -eq 0 &&
  t_pass "compare of a grid with its copy: 56 rows (8 groups, 7 metrics), every difference exactly 0, every verdict ~" ||
  t_fail "compare of a grid with its copy: every difference 0, every verdict ~" "exit $rc, $rows lines, $bad rows not 0/~" "$(cat "$err")"

# Two master seeds draw another dataset and other weights: the measures of
# the init do not move (deterministic: satbench's numbers depend on the
# seeds alone), and few of the 56 tests show a difference.
sb compare "$T/a" "$T/b" -o "$T/seeds.tsv"
M=$(col "$T/seeds.tsv" metric); V=$(col "$T/seeds.tsv" verdict)
sig_att=$(awk -F'\t' -v m="$M" -v v="$V" '$m ~ /^attenuation/ && $v != "~" { n++ } END { print n + 0 }' "$T/seeds.tsv")
sig_all=$(awk -F'\t' -v v="$V" '!/^#/ && NF > 10 && $v != "~" && $v != "verdict" { n++ } END { print n + 0 }' "$T/seeds.tsv")
test "$rc" -eq 0 && test "$sig_att" -eq 0 && test "$sig_all" -le 4 && grep -q '^configurations differ in seed: 1 vs 2$' "$out" &&
  t_pass "compare of two master seeds: attenuation never differs, $sig_all of 56 tests below 0.05 (at most 4)" ||
  t_fail "compare of two master seeds: nothing of the init differs" "exit $rc, attenuation: $sig_att, all: $sig_all" "$(cat "$out" "$err")"

# Nets that stalled answer the commonest class: acc_over_chance is 0 on both
# datasets (final_test_acc - (1 - chance_error) in doubles left 2.8e-17 on
# one, 0 on the other, and "p<0.001" between two groups without spread).
for s in 1 2; do
  "$S" grid --activations sigmoid --inits standard --depths 10 --widths 8 --steps 300 --seeds 3 --optimizers sgd \
    --seed $s --threads 2 --quiet --out "$T/stall$s" >/dev/null
done
sb compare "$T/stall1" "$T/stall2" -o "$T/stall.tsv"
M=$(col "$T/stall.tsv" metric); V=$(col "$T/stall.tsv" verdict); MA=$(col "$T/stall.tsv" mean_a); MB=$(col "$T/stall.tsv" mean_b)
row=$(awk -F'\t' -v m="$M" -v v="$V" -v a="$MA" -v b="$MB" '$m == "acc_over_chance" { print $a, $b, $v }' "$T/stall.tsv")
stalled=$(grep -c '	stalled	' "$T/stall1/cells.tsv" "$T/stall2/cells.tsv" | awk -F: '{ n += $2 } END { print n }')
test "$rc" -eq 0 && test "$stalled" -eq 6 && test "$row" = "0 0 ~" &&
  t_pass "two master seeds, every net stalled: acc_over_chance exactly 0 on each side, ~" ||
  t_fail "two master seeds, every net stalled: acc_over_chance exactly 0 on each side, ~" "stalled: $stalled, row: $row" "$(cat "$err")"

# xavier_normal against standard: one value of init on each side, paired across.
sb compare "$T/x" "$T/s" -o "$T/init.tsv"
M=$(col "$T/init.tsv" metric); V=$(col "$T/init.tsv" verdict); P=$(col "$T/init.tsv" depth)
sig=$(awk -F'\t' -v m="$M" -v v="$V" -v p="$P" '$m == "attenuation0" && $p == 8 && $v ~ /^p/ { n++ } END { print n + 0 }' "$T/init.tsv")
test "$rc" -eq 0 && test "$sig" -eq 2 && grep -q '^paired across init: xavier_normal (A) vs standard (B)$' "$out" &&
  grep -q '^attenuation0: 4 of 4 groups differ' "$out" &&
  t_pass "compare xavier_normal against standard: attenuation0 differs at depth 8 for sigmoid and tanh, said paired across init" ||
  t_fail "compare xavier_normal against standard: the differences" "exit $rc, significant at depth 8: $sig" "$(cat "$out" "$err")"

# Welch's t and df, again in awk from the seeds' attenuation0 in each cells.tsv.
welch=$(awk -F'\t' '
  FNR == 1 { file++ }
  /^#/ { next }
  !seen[file]++ { for (i = 1; i <= NF; i++) c[file, $i] = i; next }
  file <= 2 { k = $c[file, "activation"] SUBSEP $c[file, "depth"]; n[file, k]++; x[file, k, n[file, k]] = $c[file, "attenuation0"]; keys[k] = 1; next }
  $c[3, "metric"] == "attenuation0" {
    k = $c[3, "activation"] SUBSEP $c[3, "depth"]
    for (f = 1; f <= 2; f++) {
      s = 0; for (i = 1; i <= n[f, k]; i++) s += x[f, k, i]; m[f] = s / n[f, k]
      ss = 0; for (i = 1; i <= n[f, k]; i++) ss += (x[f, k, i] - m[f]) ^ 2; v[f] = ss / (n[f, k] - 1) / n[f, k]
    }
    t = (m[2] - m[1]) / sqrt(v[1] + v[2]); df = (v[1] + v[2]) ^ 2 / (v[1] ^ 2 / (n[1, k] - 1) + v[2] ^ 2 / (n[2, k] - 1))
    et = (t - $c[3, "t"]) / t; edf = (df - $c[3, "df"]) / df
    if (et < 0) et = -et; if (edf < 0) edf = -edf
    rows++; if (et > 1e-6 || edf > 1e-6) { bad++; printf "%s: t %s (awk %.9g), df %s (awk %.9g)\n", k, $c[3, "t"], t, $c[3, "df"], df }
  }
  END { printf "%d rows %d bad\n", rows, bad }' "$T/x/cells.tsv" "$T/s/cells.tsv" "$T/init.tsv")
case $welch in
  "4 rows 0 bad") t_pass "Welch's t and df of attenuation0 equal an awk computation from the seeds (4 groups, rel 1e-6)" ;;
  *) t_fail "Welch's t and df equal an awk computation" "$welch" ;;
esac

# Partial overlap: depths 2,8 against 2,5 compare the depth-2 groups, saying what was left out.
"$S" grid $G --inits standard,xavier_normal --depths 2,5 --out "$T/p" >/dev/null
sb compare "$T/a" "$T/p"
test "$rc" -eq 0 && grep -q '^4 groups compared; left out: 4 groups only in A, 4 only in B$' "$out" &&
  t_pass "grids with part of their cells in common: the shared compared, the others counted" ||
  t_fail "grids with part of their cells in common" "exit $rc: $(head -5 "$out") $(cat "$err")"
"$S" grid $G --inits standard,xavier_normal --depths 3,5 --out "$T/q" >/dev/null
t_label="compare of grids without a shared cell"
expect_fail 2 "compare: .*/a and .*/q share no cell" compare "$T/a" "$T/q"
t_label="compare of one folder"
expect_fail 2 'compare: give two grid folders' compare "$T/a"
t_label="compare of three folders"
expect_fail 2 "a third folder" compare "$T/a" "$T/b" "$T/x"
t_label="compare of a folder without a grid"
expect_fail 2 'nothing' compare "$T/a" "$T/nothing"
sb compare "$T/a" "$T/b" -o "$T/no/such/dir/c.tsv"
test "$rc" -eq 1 && ! test -e "$T/no" && t_pass "compare -o into a missing folder: exit 1, nothing written" ||
  t_fail "compare -o into a missing folder: exit 1" "exit $rc: $(cat "$err")"

# ---- plot takes one -d --------------------------------------------------------------------
t_label="plot -d A -d B"
expect_fail 2 'plot takes one -d; to compare two grids use satbench compare' plot -d "$T/a" -d "$T/b" -o "$T/never"
test -e "$T/never" && t_fail "plot -d A -d B writes nothing" || t_pass "plot -d A -d B writes nothing"

# ---- report ---------------------------------------------------------------------------------
if ! command -v gnuplot >/dev/null 2>&1; then
  sb report -d "$T/a"
  test "$rc" -eq 0 && grep -q '0 figures (none drawn' "$out" && t_pass "report without gnuplot: the page without figures, saying so" ||
    t_fail "report without gnuplot" "exit $rc: $(cat "$out" "$err")"
  t_skip "report's figures" "gnuplot is not installed"
  t_done
fi

# the figures plot draws, to count
"$S" plot -d "$T/a" -o "$T/plots" --format svg --quiet
nsvg=$(ls "$T/plots"/*.svg | wc -l)
sb report -d "$T/a"
page="$T/a/report.html"
nin=$(grep -o '<svg' "$page" | wc -l)
test "$rc" -eq 0 && test "$nsvg" -ge 7 && test "$nin" -eq "$nsvg" && grep -q "^$page: 24 cells, $nsvg figures\$" "$out" &&
  t_pass "report -d DIR: DIR/report.html with the $nsvg figures plot draws" ||
  t_fail "report -d DIR: every figure plot draws" "exit $rc, $nin <svg> in the page, $nsvg drawn" "$(cat "$out" "$err")"
# Self-contained: no script, nothing fetched (src or href to another site, CSS imports).
ext=$(grep -oiE '(src|href)=["'"'"']?[a-z]+:|<script|@import|url\(["'"'"']?[a-z]+:' "$page" | grep -v 'data:' | sort -u | tr '\n' ' ')
test -z "$ext" && t_pass "the page has no script and fetches nothing" || t_fail "the page has no script and fetches nothing" "found: $ext"
for what in '<h2 id="findings">Findings</h2>' '<li><strong>sigmoid · standard</strong>: depth 2 (−0.85), 8 (−6.08)</li>' \
            'The gradient vanishes most in <strong>sigmoid · standard at depth 8</strong>, attenuation0 = −6.08' \
            '<td><code>stalled</code></td><td class="n">14</td>' '<td><code>git_commit</code></td>' \
            '<a href="cells.tsv"><code>cells.tsv</code></a>' '<td><code>inits</code></td><td>standard,xavier_normal</td>' \
            '<th class="n">slope_<wbr>mean_<wbr>end</th>' \
            '<td><code>stalled</code></td><td class="n">14</td><td>the training evaluation loss at the last probe is less than 1% below' \
            '<tr class="none"><td><code>exploded</code></td><td class="n">0</td>'; do
  grep -qF "$what" "$page" && t_pass "the page says: $what" || t_fail "the page says: $what"
done

# Every kind of figure passes the SVG check: a grid that draws all but
# trainability (norms, skips, the Jacobian), and a phase-diagram grid for it.
TINY="--optimizers sgd --log-schedule linear --inits standard,xavier_normal --widths 8 --seeds 2 --train-size 128
      --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 20 --log-every 5 --quiet"
"$S" grid $TINY --activations tanh,relu --depths 2,3 --norms none,layernorm --jacobian 2 --out "$T/all" >/dev/null
"$S" grid $TINY --activations tanh --inits meanfield:1:0.05,meanfield:1.8:0.05,meanfield:3:0.05 --depths 2,3,4 \
  --out "$T/phase" >/dev/null
for g in all phase; do
  "$S" plot -d "$T/$g" -o "$T/$g-plots" --format svg --quiet
  drawn=$(ls "$T/$g-plots"/*.svg | wc -l)
  sb report -d "$T/$g"
  test "$rc" -eq 0 && grep -q ": [0-9]* cells, $drawn figures\$" "$out" && ! grep -q 'left out: its SVG' "$T/$g/report.html" &&
    t_pass "report of the $g grid: its $drawn figures inlined, none left out" ||
    t_fail "report of the $g grid: every figure inlined" "exit $rc, $drawn drawn: $(cat "$out" "$err")"
done
grep -q '<figure id="fig-trainability">' "$T/phase/report.html" && grep -q '<figure id="fig-spectra">' "$T/all/report.html" &&
  grep -q '<figure id="fig-remedies">' "$T/all/report.html" && t_pass "spectra, remedies and trainability are among them" ||
  t_fail "spectra, remedies and trainability are among them"

# Links from a page elsewhere resolve to the tables.
mkdir -p "$T/pages/deep"
sb report -d "$T/a" -o "$T/pages/deep/r.html"
n=0; bad=
for h in $(grep -o 'href="[^"#][^"]*"' "$T/pages/deep/r.html" | sed 's/^href="//; s/"$//'); do
  n=$((n + 1)); test -s "$T/pages/deep/$h" || bad="$bad $h"
done
# (7: the tables and the manifest; no spectra.tsv without --jacobian)
test "$rc" -eq 0 && test "$n" -eq 7 && test -z "$bad" && t_pass "report -o elsewhere: its 7 links to the tables resolve (../../a/...)" ||
  t_fail "report -o elsewhere: links resolve" "exit $rc, $n links, unresolved:$bad"

# Atomic, and never through a symlink: the link is replaced, its target untouched.
echo precious > "$T/target"
ln -s "$T/target" "$T/pages/link.html"
sb report -d "$T/a" -o "$T/pages/link.html" --quiet
test "$rc" -eq 0 && test ! -L "$T/pages/link.html" && test "$(cat "$T/target")" = precious && grep -q '<svg' "$T/pages/link.html" &&
  t_pass "report -o onto a symlink: the link replaced by the page, its target untouched" ||
  t_fail "report -o onto a symlink" "exit $rc: $(ls -l "$T/pages") $(cat "$T/target" | head -c 80)"
leftover=$(ls "$T/pages" "$T/a" | grep -c '\.tmp\.')
test "$leftover" -eq 0 && t_pass "no temporary file left beside the pages" || t_fail "no temporary file left" "$(ls "$T/pages" "$T/a")"
t_label="report -o into a missing folder"
expect_fail 2 'report: -o: .*/missing is not a folder' report -d "$T/a" -o "$T/missing/r.html"
t_label="report -d thrice"
expect_fail 2 'report: -d: at most two folders' report -d "$T/a" -d "$T/b" -d "$T/x"
t_label="report of a folder without a grid"
expect_fail 2 'nothing' report -d "$T/nothing" -o "$T/pages/n.html"
cp -r "$T/a" "$T/tampered"
rm "$T/tampered/report.html"
sed -i 's/stalled/diverged/' "$T/tampered/cells.tsv"
t_label="report of tables that no longer match manifest.json"
expect_fail 2 'does not match manifest.json' report -d "$T/tampered"
test -e "$T/tampered/report.html" && t_fail "a refused report writes nothing" || t_pass "a refused report writes nothing"

# With two folders, a comparison section.
sb report -d "$T/x" -d "$T/s" -o "$T/pages/cmp.html"
test "$rc" -eq 0 && grep -q '<h2 id="comparison">Comparison</h2>' "$T/pages/cmp.html" &&
  grep -q '<h3>attenuation0: 4 of 4 groups differ</h3>' "$T/pages/cmp.html" && grep -q 'compared with .*/s (4 groups)' "$out" &&
  grep -q 'class="n">−[0-9.e+-]*%\{0,1\}</td><td class="n">p[<=]' "$T/pages/cmp.html" &&
  ! grep -q 'class="n">-' "$T/pages/cmp.html" &&
  t_pass "report -d A -d B: a comparison section (attenuation0: 4 of 4 groups differ), changes with a true minus sign" ||
  t_fail "report -d A -d B: a comparison section" "exit $rc: $(cat "$out" "$err")"

# ---- hostile strings --------------------------------------------------------------------------
# Payloads planted in the string fields of every table (activation, init,
# and the configuration comments) and in the manifest (config, command),
# whose sizes and checksums (FNV-1a 64) are then redone in place, whatever
# its layout: the page must show them as text only.
if command -v python3 >/dev/null 2>&1; then
  cp -r "$T/a" "$T/evil"
  rm -f "$T/evil/report.html"
  python3 "$srcdir/tests/plant-payloads.py" "$T/evil"
  # (theory has no phase diagram when no activation's name is one satbench
  # knows: the page holds what plot draws of this grid)
  "$S" plot -d "$T/evil" -o "$T/evilplots" --format svg --quiet
  nevil=$(ls "$T/evilplots"/*.svg | wc -l)
  sb report -d "$T/evil"
  test "$rc" -eq 0 && test "$nevil" -ge 7 && grep -q " $nevil figures\$" "$out" &&
    t_pass "report of the planted grid: the manifest matches again, $nevil figures" ||
    t_fail "report of the planted grid" "exit $rc, plot drew $nevil: $(cat "$out" "$err")"
  # Every element and attribute of the page, as an HTML parser sees them.
  verdict=$(python3 - "$T/evil/report.html" <<'EOF'
import sys
from html.parser import HTMLParser
page = set("html head meta title style body main h1 h2 h3 p nav ol ul li a strong code table tr th td dl dt dd sup wbr figure figcaption div".split())
svg = set("svg g path text tspan rect circle ellipse line polyline polygon defs use title desc clippath lineargradient "
          "radialgradient stop pattern image symbol marker filter feflood fecomposite".split())
bad = []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag not in page | svg: bad.append("<%s>" % tag)
        for k, v in attrs:
            v = v or ""
            if k.startswith("on"): bad.append("%s on <%s>" % (k, tag))
            if k in ("src", "href", "xlink:href") and not (v.startswith("#") or v.startswith("data:image/png") or
                                                           (tag == "a" and ":" not in v)):
                bad.append("%s=%s" % (k, v))
P().feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
print(" ".join(sorted(set(bad))) or "clean")
EOF
)
  test "$verdict" = clean && t_pass "the planted strings became no element and no attribute (an HTML parser's view)" ||
    t_fail "the planted strings became no element and no attribute" "$verdict"
  for p in 'x&lt;script&gt;alert(1)&lt;/script&gt;' 't&quot;&gt;&lt;img src=x onerror=alert(2)&gt;' "s&#39;&lt;/svg&gt;&lt;b&gt;&amp;amp"; do
    grep -qF "$p" "$T/evil/report.html" && t_pass "the page shows the payload as text: $p" ||
      t_fail "the page shows the payload as text: $p"
  done
  # gnuplot's own SVG escapes the table's text (what the page inlines is checked again).
  raw=$(cat "$T/evilplots"/*.svg | grep -c '<script\|<img\|<b>' )
  esc=$(cat "$T/evilplots"/*.svg | grep -c 'x&lt;script>alert(1)&lt;/script>')
  test "$raw" -eq 0 && test "$esc" -gt 0 && t_pass "gnuplot's SVG carries the table's strings escaped ($esc lines)" ||
    t_fail "gnuplot's SVG carries the table's strings escaped" "raw: $raw, escaped: $esc"
else
  t_skip "strings planted in the tables" "python3 is not installed"
fi

# An SVG that holds more than drawing is left out, saying why: a stand-in
# gnuplot that writes a script, an event handler, a link out or content
# after </svg>.
n=0
for body in "<script>alert(1)</script>" "<rect onload='alert(1)' width='1' height='1'/>" \
            "<image xlink:href='http://example.com/x.png'/>" "</svg><img src=x onerror=alert(1)><svg>" \
            "<rect style='fill:url(https://example.com/#a)'/>" "<foreignObject><div>x</div></foreignObject>"; do
  n=$((n + 1))
  cat > "$T/fakegnuplot$n" <<EOF
#!/bin/sh
name=\${1%.gp}
printf '%s' "<?xml version='1.0'?><svg width='100' height='50' xmlns='http://www.w3.org/2000/svg'><g>$body</g></svg>" > "\$name.svg"
EOF
  chmod +x "$T/fakegnuplot$n"
  sb report -d "$T/a" -o "$T/pages/fake$n.html" --gnuplot "$PWD/$T/fakegnuplot$n"
  left=$(grep -o 'left out: its SVG holds' "$T/pages/fake$n.html" | wc -l)
  test "$rc" -eq 0 && test "$left" -eq "$nsvg" && ! grep -q '<svg' "$T/pages/fake$n.html" &&
    grep -q "0 figures ($nsvg left out" "$out" && t_pass "an SVG holding $body: left out, said so" ||
    t_fail "an SVG holding $body: left out" "exit $rc, $left left out: $(cat "$out" "$err")"
done
# A well-behaved stand-in is inlined, its ids and references prefixed per figure.
cat > "$T/goodgnuplot" <<'EOF'
#!/bin/sh
name=${1%.gp}
printf '%s' "<?xml version='1.0'?><svg width='100' height='50' xmlns='http://www.w3.org/2000/svg'><defs><path id='gpPt0' d='M0,0'/></defs><use xlink:href='#gpPt0'/><text>a &amp; b</text></svg>" > "$name.svg"
EOF
chmod +x "$T/goodgnuplot"
sb report -d "$T/a" -o "$T/pages/good.html" --gnuplot "$PWD/$T/goodgnuplot"
ids=$(grep -o "id=\"f[0-9]*-gpPt0\"" "$T/pages/good.html" | sort -u | wc -l)
refs=$(grep -o "xlink:href=\"#f[0-9]*-gpPt0\"" "$T/pages/good.html" | sort -u | wc -l)
test "$rc" -eq 0 && test "$ids" -eq "$nsvg" && test "$refs" -eq "$nsvg" && grep -q '<text>a &amp; b</text>' "$T/pages/good.html" &&
  t_pass "a drawing-only SVG is inlined, its ids prefixed per figure ($ids distinct)" ||
  t_fail "a drawing-only SVG is inlined, ids prefixed" "exit $rc, $ids ids, $refs refs: $(cat "$err")"

t_done
