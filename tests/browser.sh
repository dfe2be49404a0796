# browser.sh - satbench report's page in a real browser (Debian's
# chromium, headless): it renders (a screenshot, the DOM), every figure plot
# draws is an <svg> of the DOM, the strings planted in a grid's tables are
# no element of the DOM, and the page fetches nothing (chromium's network
# log names no request that the page started; a control page that does
# fetch shows that the log would).  Without chromium the script is skipped,
# except under CI=true, where a missing browser is a failure (.ci/run
# installs it).  CHROMIUM=PATH picks the program.
. "$srcdir/tests/lib.sh"
t_init browser

B=${CHROMIUM:-}
test -n "$B" && ! test -x "$B" && B=
if test -z "${CHROMIUM:-}"; then
  for c in chromium chromium-browser; do command -v $c >/dev/null 2>&1 && { B=$(command -v $c); break; }; done
fi
if test -z "$B"; then
  if test "${CI:-}" = true; then
    t_fail "chromium is installed (CI=true: the browser test may not be skipped)" "no chromium on the PATH: apt-get install chromium"
    t_done
  fi
  t_skip_all "chromium is not installed (apt-get install chromium)"
fi
if ! command -v gnuplot >/dev/null 2>&1; then
  test "${CI:-}" = true && { t_fail "gnuplot is installed (CI=true)" "the page's figures need it"; t_done; }
  t_skip_all "gnuplot is not installed: the page would have no figures"
fi

# browse NAME PAGE: chromium's DOM of PAGE in $T/NAME.dom, its screenshot in
# $T/NAME.png, its network log in $T/NAME.net; its exit status in $rc.
browse()
{
  profile=$(mktemp -d "$PWD/$T/profile.XXXXXX")
  abs=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
  set -- "$1" "$abs" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile"
  page=$1; url=file://$2; shift 2
  # timeout: a guard against a browser that hangs, not a wait for anything
  timeout 180 "$B" "$@" --log-net-log="$PWD/$T/$page.net" --dump-dom "$url" >"$T/$page.dom" 2>"$T/$page.err"
  rc=$?
  test "$rc" -eq 0 && { timeout 180 "$B" "$@" --screenshot="$PWD/$T/$page.png" --window-size=1280,4000 "$url" \
    >>"$T/$page.err" 2>&1; rc=$?; }
  rm -rf "$profile"
}

# fetched NAME: the requests of NAME's network log that a page started
# (chromium's own, update checks and the like, have no initiator).
fetched()
{
  grep -o '"initiator":"[^"]*"' "$T/$1.net" | grep -vc '"initiator":"not an origin"'
}

"$SATBENCH" grid --activations sigmoid,tanh --inits standard,xavier_normal --depths 2,8 --widths 16 --seeds 3 --steps 100 \
  --train-size 512 --test-size 128 --input-dim 8 --classes 4 --optimizers sgd --threads 2 --quiet --out "$T/g" >/dev/null ||
  t_fail "a small grid runs"
"$SATBENCH" plot -d "$T/g" -o "$T/plots" --format svg --quiet
ndrawn=$(ls "$T/plots"/*.svg | wc -l)
sb report -d "$T/g"
test "$rc" -eq 0 || t_fail "report -d runs" "exit $rc: $(cat "$err")"

browse page "$T/g/report.html"
ndom=$(grep -o '<svg' "$T/page.dom" | wc -l)
test "$rc" -eq 0 && grep -q '<h1>satbench report</h1>' "$T/page.dom" && grep -q '<h2 id="findings">Findings</h2>' "$T/page.dom" &&
  t_pass "chromium renders the page (its DOM has the title and the findings)" ||
  t_fail "chromium renders the page" "exit $rc: $(tail -3 "$T/page.err")"
test "$ndrawn" -ge 7 && test "$ndom" -eq "$ndrawn" && t_pass "every figure plot draws is in the DOM ($ndom <svg> elements)" ||
  t_fail "every figure plot draws is in the DOM" "$ndom <svg> in the DOM, $ndrawn drawn"
size=$(wc -c <"$T/page.png" 2>/dev/null || echo 0)
magic=$(head -c 8 "$T/page.png" 2>/dev/null | od -An -c | tr -d ' \n')
test "$magic" = '211PNG\r\n032\n' && test "$size" -gt 100000 && t_pass "a screenshot of 1280 x 4000 pixels, not blank ($size bytes)" ||
  t_fail "a screenshot that is not blank" "magic '$magic', $size bytes"
n=$(fetched page)
test -s "$T/page.net" && test "$n" -eq 0 && t_pass "the page fetches nothing (no request of the page's in chromium's network log)" ||
  t_fail "the page fetches nothing" "$n requests: $(grep -o '"url":"[^"]*"' "$T/page.net" | sort -u | head -5)"
n=$(grep -c '<script\|<img\|<link\|<iframe' "$T/page.dom")
test "$n" -eq 0 && t_pass "no script, image, link or frame element in the DOM" || t_fail "no script or image element in the DOM" "$n lines"

# A control: a page that loads an image and a style sheet from elsewhere
# shows up in the log, so that "nothing fetched" above means something.
printf '%s\n' '<!DOCTYPE html><html><body><p>control</p><img src="http://127.0.0.1:9/x.png">' \
  '<link rel="stylesheet" href="http://127.0.0.1:9/a.css"></body></html>' >"$T/control.html"
browse control "$T/control.html"
n=$(fetched control)
test "$n" -ge 1 && t_pass "a control page that fetches shows its requests in the log ($n)" ||
  t_fail "a control page that fetches shows its requests in the log" "$n: the log cannot tell"

# Strings planted in the tables (tests/plant-payloads.py, as report.sh
# does) are text in the browser's DOM, not elements.
if command -v python3 >/dev/null 2>&1; then
  cp -r "$T/g" "$T/evil"
  rm -f "$T/evil/report.html"
  python3 "$srcdir/tests/plant-payloads.py" "$T/evil"
  # (no activation name satbench knows: no phase diagram, so the figures plot draws of it)
  "$SATBENCH" plot -d "$T/evil" -o "$T/evilplots" --format svg --quiet
  nevil=$(ls "$T/evilplots"/*.svg | wc -l)
  sb report -d "$T/evil"
  browse evil "$T/evil/report.html"
  nsvg=$(grep -o '<svg' "$T/evil.dom" | wc -l)
  nbad=$(grep -o '<script\|<img\|<b>' "$T/evil.dom" | wc -l)
  ntext=$(grep -o 'x&lt;script&gt;alert(1)&lt;/script&gt;' "$T/evil.dom" | wc -l)
  test "$rc" -eq 0 && test "$nbad" -eq 0 && test "$ntext" -gt 0 && test "$nevil" -ge 7 && test "$nsvg" -eq "$nevil" &&
    t_pass "planted <script>, <img onerror> and </svg> are text in the DOM ($ntext times), never elements; $nsvg figures" ||
    t_fail "planted strings are text in the DOM" "exit $rc, $nbad elements, $ntext as text, $nsvg figures of $nevil"
  test "$(fetched evil)" -eq 0 && t_pass "the planted page fetches nothing" || t_fail "the planted page fetches nothing"
elif test "${CI:-}" = true; then
  t_fail "python3 is installed (CI=true)" "the planted page needs it"
else
  t_skip "strings planted in the tables, in the browser" "python3 is not installed"
fi

t_done
