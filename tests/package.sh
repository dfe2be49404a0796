#!/bin/sh
# package.sh - what a tarball and an install give a researcher: every option
# of every command in its --help and in the man page (against the option
# tables in the sources), a man page that renders without warnings, the bash
# completion (driven through _satbench, as bash calls it), the README's
# images, LICENSE and CITATION.cff present and agreeing with the version,
# and make install / uninstall into a DESTDIR (the manual too) leaving
# nothing behind.
# Writes only under ./tests/out in the build directory.

. "${srcdir:-.}/tests/lib.sh"
t_init package

version=$("$SATBENCH" --version | sed -n '1s/^satbench //p')

# ---- every option, from the sources' tables ---------------------------------

# The commands main.c dispatches, and its top-level options.
main_words() { grep -o 'strcmp(cmd, "[^"]*")' "$srcdir/src/main.c" | sed 's/.*"\(.*\)")/\1/' | sort -u; }
COMMANDS=$(main_words | grep -v -e '^-' -e '^help$')
TOPOPTS=$(main_words | grep -e '^-')
test -n "$COMMANDS" && test -n "$TOPOPTS" ||
  { echo "Bail out! no commands or options found in $srcdir/src/main.c" >&2; exit 99; }

# src_options: "COMMAND --name [-x]" for every row of every cli_def table of
# src/cfg.c (scope FOR_GRID, FOR_RUN, FOR_BOTH), src/cmd.c (merge_options,
# data_options, theory_options, run_from_options: COMMAND_...) and src/plot.c (plot_options).
src_options()
{
  awk '
    /static const cli_def [a-z_]+\[\] = \{/ {
      t = $0; sub(/.*cli_def /, "", t); sub(/\[.*/, "", t); next
    }
    t != "" && /^};/ { t = ""; next }
    t != "" && /^  \{ "/ {
      line = $0
      name = line; sub(/^  \{ "/, "", name); sub(/".*/, "", name)
      alias = ""
      if (match(line, /", '\''.'\''/)) alias = "-" substr(line, RSTART + 4, 1)
      if (t == "options") {          # cfg.c: grid and run, by scope
        cmds = line ~ /FOR_GRID[ }]/ ? "grid" : line ~ /FOR_RUN[ }]/ ? "run" : "grid run"
      } else {
        cmds = t; sub(/_.*/, "", cmds)   # merge_options: merge; run_from_options: run
      }
      n = split(cmds, c, " ")
      for (i = 1; i <= n; i++) print c[i], "--" name, alias
    }' "$srcdir/src/cfg.c" "$srcdir/src/cmd.c" "$srcdir/src/plot.c"
}
src_options >"$T/src-options"
nsrc=$(lines "$T/src-options")
if test "$nsrc" -gt 60 && grep -q '^theory --sigma-w2-range' "$T/src-options" &&
   grep -q '^merge --out -o$' "$T/src-options" && grep -q '^run --seed-index' "$T/src-options"; then
  t_pass "the option tables of cfg.c, cmd.c and plot.c read: $nsrc options"
else
  t_fail "the option tables of cfg.c, cmd.c and plot.c read" "$nsrc options:" "$(head -n 5 "$T/src-options")"
fi

# help_has CMD OPT: `satbench CMD --help` has a line "  [-x, ]OPT[ ARG]  help".
missing=
for cmd in $COMMANDS; do
  "$SATBENCH" "$cmd" --help >"$T/help-$cmd" 2>&1 || missing="$missing $cmd(--help exits $?)"
done
while read -r cmd opt alias; do
  grep -E -q -e "^  (-[A-Za-z0-9], )?$opt( [^ ]+)?( |\$)" "$T/help-$cmd" || missing="$missing $cmd:$opt"
  test -z "$alias" || grep -E -q -e "^  $alias, $opt( |\$)" "$T/help-$cmd" || missing="$missing $cmd:$alias"
done <"$T/src-options"
for cmd in $COMMANDS; do
  grep -E -q -e '^  -h, --help( |$)' "$T/help-$cmd" || missing="$missing $cmd:-h,--help"
done
"$SATBENCH" --help >"$T/help-top"
for o in $TOPOPTS; do
  grep -E -q -e "^  (-[A-Za-z], )?$o( |,|\$)" "$T/help-top" || missing="$missing top:$o"
done
for cmd in $COMMANDS; do
  grep -q "^  $cmd " "$T/help-top" || missing="$missing top:$cmd"
done
if test -z "$missing"; then t_pass "every command's --help lists each of its options, -h/--help too, and satbench --help every command"
else t_fail "every command's --help lists each of its options" "missing:$missing"; fi

# ---- the man page -----------------------------------------------------------

man=man/satbench.1
test -f "$man" || man=$srcdir/man/satbench.1
if ! test -f "$man"; then
  t_fail "the man page exists" "neither man/satbench.1 nor $srcdir/man/satbench.1"
else
  # sect NAME: the lines of the page's section or subsection NAME.
  sect()
  {
    awk -v want="$1" '
      /^\.S[HS] / { s = $0; sub(/^\.S[HS] /, "", s); gsub(/"/, "", s); on = (s == want); next }
      on' "$man"
  }
  # roff writes every hyphen of the page as \-.
  roff() { printf '%s' "$1" | sed 's/-/\\-/g'; }
  missing=
  for cmd in $COMMANDS; do
    sect "satbench $cmd" >"$T/man-$cmd"
    test -s "$T/man-$cmd" || { missing="$missing $cmd(no section)"; continue; }
    # grid's and run's common options are in a subsection of their own
    case $cmd in grid|run) sect "Options of grid and run" >>"$T/man-$cmd" ;; esac
    for opt in $(awk -v c="$cmd" '$1 == c { print $2; if ($3 != "") print $3 }' "$T/src-options") -h --help; do
      grep -F -q -e "\\fB$(roff "$opt")\\fR" "$T/man-$cmd" || missing="$missing $cmd:$opt"
    done
  done
  sect OPTIONS >"$T/man-options"
  for o in $TOPOPTS; do
    grep -F -q -e "\\fB$(roff "$o")\\fR" "$T/man-options" || missing="$missing OPTIONS:$o"
  done
  if test -z "$missing"; then t_pass "$man: a section per command with each of its options, and the top-level options"
  else t_fail "$man: every option of every command" "missing:$missing" "(the page is made by man/mkman.sh from satbench's --help: make remakes it)"; fi

  th=$(sed -n 's/^\.TH //p' "$man")
  if test "$th" = "SATBENCH 1 \"$RELEASE_DATE\" \"satbench $version\" \"User Commands\""; then
    t_pass "$man: .TH names version $version and date $RELEASE_DATE"
  else
    t_fail "$man: .TH names the version and date" ".TH $th" "want version $version, date $RELEASE_DATE"
  fi

  if "${SHELL:-/bin/sh}" "$srcdir/man/mkman.sh" "$SATBENCH" "$srcdir/man/satbench.1.in" "$RELEASE_DATE" >"$T/again.1" 2>"$T/mkman.err" &&
     cmp -s "$T/again.1" "$man"; then
    t_pass "$man is what man/mkman.sh makes of this satbench"
  else
    t_fail "$man is what man/mkman.sh makes of this satbench" "$(cat "$T/mkman.err")" "$(diff "$man" "$T/again.1" | head -n 10)"
  fi

  if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$man" >"$T/groff.err" 2>&1
    if test $? -eq 0 && ! test -s "$T/groff.err"; then t_pass "groff -man -ww renders $man without a warning"
    else t_fail "groff -man -ww renders $man without a warning" "$(head -n 10 "$T/groff.err")"; fi
  else
    t_skip "groff renders the man page" "no groff"
  fi
  if command -v mandoc >/dev/null 2>&1; then
    mandoc -Tlint -W warning "$man" >"$T/mandoc.err" 2>&1
    if test $? -eq 0 && ! test -s "$T/mandoc.err"; then t_pass "mandoc -Tlint -W warning: no warning in $man"
    else t_fail "mandoc -Tlint -W warning: no warning in $man" "$(head -n 10 "$T/mandoc.err")"; fi
  else
    t_skip "mandoc lints the man page" "no mandoc"
  fi
  if command -v lexgrog >/dev/null 2>&1; then
    whatis=$(lexgrog "$man" 2>&1)
    case $whatis in
      *'"satbench - measure the saturating-gradient problem'*) t_pass "lexgrog reads the NAME line (whatis, apropos)" ;;
      *) t_fail "lexgrog reads the NAME line (whatis, apropos)" "$whatis" ;;
    esac
  else
    t_skip "lexgrog reads the NAME line" "no lexgrog"
  fi
fi

# ---- the bash completion ----------------------------------------------------

COMPLETION=$srcdir/contrib/bash-completion/satbench
if ! command -v bash >/dev/null 2>&1; then
  t_skip "the bash completion" "no bash"
else
  # comp WORD...: what _satbench offers for the command line "satbench
  # WORD..." with the cursor at the end of the last WORD (split as bash
  # splits it, at ':' and '=' too), sorted, on one line.
  # It runs in a folder of its own, which must stay empty: asking satbench
  # for a value's names must never start a grid or write a figure.
  TA=$(cd "$T" && pwd)
  mkdir -p "$TA/cwd"
  case $COMPLETION in /*) ;; *) COMPLETION=$(pwd)/$COMPLETION ;; esac
  comp()
  {
    (cd "$TA/cwd" && bash -c '. "$1" || exit 1; shift
       COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
       _satbench; printf "%s\n" "${COMPREPLY[@]}"' \
       _ "$COMPLETION" "$SATBENCH" "$@") 2>"$TA/comp.err" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
  }
  sorted() { printf '%s\n' $1 | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }
  # expect_comp DESC "WANT" WORD...
  expect_comp()
  {
    ec_d=$1 ec_want=$2
    shift 2
    ec_have=$(comp "$@")
    if test "$ec_have" = "$ec_want" && ! test -s "$TA/comp.err"; then t_pass "completion: $ec_d"
    else t_fail "completion: $ec_d" "satbench $*<TAB>" "offers: $ec_have" "wanted: $ec_want" "$(cat "$TA/comp.err")"; fi
  }

  expect_comp "the commands" "$(sorted "$COMMANDS")" ''
  expect_comp "a command from its first letters" "theory" th
  expect_comp "the top-level options" "$(sorted "$(echo "$TOPOPTS" | grep -e '^--')")" --
  expect_comp "every option of grid" \
    "$(sorted "$(awk '$1 == "grid" { print $2 }' "$T/src-options") --help")" grid --
  expect_comp "an option of grid from its first letters" "--activations" grid --act
  expect_comp "an option of theory" "--sigma-b2 --sigma-b2-range --sigma-w2 --sigma-w2-range" theory --sig
  expect_comp "every activation (satbench list activations)" \
    "$(sorted "$("$SATBENCH" list activations | cut -f1)")" grid --activations ''
  expect_comp "the next item of an --activations list, not one it has" \
    "sigmoid,selu sigmoid,softplus sigmoid,softsign sigmoid,swish" grid --activations sigmoid,s
  expect_comp "--inits: meanfield:SW2[:SB2] as meanfield:" "meanfield:" run --inits me
  expect_comp "--inits: he_" "he_normal he_uniform" grid --inits he_
  expect_comp "--inits: orthogonal[:GAIN] as orthogonal" "orthogonal" grid --inits or
  expect_comp "every preset (satbench list presets)" \
    "$(sorted "$("$SATBENCH" list presets | grep -v '^	' | cut -f1)")" grid --preset ''
  expect_comp "--norms values" "batchnorm layernorm none" grid --norms ''
  expect_comp "--norms=VALUE, split at '=' as bash does" "batchnorm" grid --norms = ba
  expect_comp "--optimizer values" "adam momentum sgd" run --optimizer ''
  expect_comp "--jacobian-at values" "all init" grid --jacobian-at ''
  expect_comp "plot --format, the next item of the list" "pdf,png pdf,svg" plot --format pdf,
  expect_comp "plot --only figures" "heatmap histograms" plot --only h
  expect_comp "theory --activation" "tanh" theory --activation ta
  expect_comp "the lists of satbench list" "$(sorted "activations inits datasets presets figures statuses precisions archs columns")" list ''
  expect_comp "the dataset of satbench data" "shapeset" data ''
  expect_comp "data's options after shapeset" "--columns --count" data shapeset --co

  D=$TA/compdir
  mkdir -p "$D/sub" && : >"$D/table.csv" && : >"$D/grid.conf"
  expect_comp "--dataset names, csv: and idx: among them" \
    "$(sorted "$("$SATBENCH" list datasets | cut -f1 | sed 's/:.*/:/')")" run --dataset ''
  expect_comp "--dataset csv: then a file" "$D/table.csv" run --dataset csv : "$D/t"
  expect_comp "-c FILE: files" "$D/grid.conf" grid -c "$D/g"
  expect_comp "--out DIR: folders only" "$D/sub" grid --out "$D/"
  expect_comp "plot -d DIR: folders only" "$D/sub" plot -d "$D/"
  expect_comp "--out=DIR, split at '=' as bash does" "$D/sub" merge --out = "$D/s"
  expect_comp "a flag takes no value: options follow --resume" "--quiet" grid --resume --qu
  expect_comp "nothing for a number" "" grid --depths ''
  left=$(ls -A "$TA/cwd")
  if test -z "$left"; then t_pass "completing wrote nothing (no grid, no figure ran)"
  else t_fail "completing wrote nothing (no grid, no figure ran)" "in its folder: $left"; fi
fi

# ---- what the tarball carries -----------------------------------------------

# Every image the README shows, and LICENSE and CITATION.cff, in $srcdir
# (under make distcheck, the unpacked tarball).
missing=
nimg=0
for f in $(sed -n 's/.*!\[[^]]*\](\([^)]*\)).*/\1/p' "$srcdir/README.md"); do
  case $f in http://* | https://*) continue ;; esac
  nimg=$((nimg + 1))
  test -f "$srcdir/$f" || missing="$missing $f"
done
if test "$nimg" -gt 0 && test -z "$missing"; then t_pass "README.md: its $nimg images are in $srcdir"
else t_fail "README.md: every image it shows is in $srcdir" "missing:${missing:- (no images found)}"; fi

if head -n 2 "$srcdir/LICENSE" | grep -q 'GNU GENERAL PUBLIC LICENSE' && head -n 2 "$srcdir/LICENSE" | grep -q 'Version 3'; then
  t_pass "LICENSE is the GNU GPL, version 3"
else
  t_fail "LICENSE is the GNU GPL, version 3" "$(head -n 2 "$srcdir/LICENSE" 2>&1)"
fi

cff=$srcdir/CITATION.cff
cff_problems=$(awk -v version="$version" -v date="$RELEASE_DATE" '
  /^cff-version: 1\.2\.0$/ { cffv = 1 }
  /^title: satbench$/ { title = 1 }
  /^license: GPL-3\.0-or-later$/ { lic = 1 }
  /^version: / { v = $2 }
  /^date-released: / { d = $2; gsub(/"/, "", d) }
  /^  - type: / { refs++ }
  END {
    if (!cffv) print "no cff-version: 1.2.0"
    if (!title) print "no title: satbench"
    if (!lic) print "no license: GPL-3.0-or-later"
    if (v != version) print "version: " v ", satbench --version says " version
    if (d != date) print "date-released: " d ", configure.ac says " date
    if (refs < 6) print refs + 0 " references, expected the 6 papers"
  }' "$cff" 2>&1)
if test -z "$cff_problems"; then t_pass "CITATION.cff: CFF 1.2.0, version $version, date $RELEASE_DATE, GPL-3.0-or-later, 6 references"
else t_fail "CITATION.cff agrees with satbench" "$cff_problems"; fi
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
  # The keys CFF 1.2.0 requires, with the types its schema gives them.
  py_problems=$(python3 - "$cff" <<'EOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
bad = []
for k in ("cff-version", "message", "title", "authors"):
    if k not in d: bad.append("missing " + k)
if not isinstance(d.get("date-released"), str): bad.append("date-released is not a string (quote it)")
for i, r in enumerate(d.get("references", [])):
    for k in ("type", "title", "authors"):
        if k not in r: bad.append("reference %d: missing %s" % (i + 1, k))
    for k in ("year", "volume", "start", "end"):
        if k in r and not isinstance(r[k], int): bad.append("reference %d: %s is not an integer" % (i + 1, k))
    for a in r.get("authors", []):
        if not ("family-names" in a or "name" in a): bad.append("reference %d: an author without a name" % (i + 1))
print("\n".join(bad))
EOF
)
  if test $? -eq 0 && test -z "$py_problems"; then t_pass "CITATION.cff parses as YAML with CFF's required keys"
  else t_fail "CITATION.cff parses as YAML with CFF's required keys" "$py_problems"; fi
else
  t_skip "CITATION.cff parses as YAML" "no python3 with yaml"
fi

# ---- make install / uninstall into a DESTDIR --------------------------------

if test -z "${top_builddir-}" || ! test -f "$top_builddir/Makefile" || test -z "${SB_BINDIR-}"; then
  t_skip "make install DESTDIR=... and uninstall" "not run from make check (top_builddir, SB_BINDIR unset)"
else
  root=$(cd "$T" && pwd)/root
  # The make running this test is busy; its jobserver and flags are not ours.
  (unset MAKEFLAGS MFLAGS; ${MAKE:-make} -C "$top_builddir" install DESTDIR="$root") >"$T/install.log" 2>&1
  rc=$?
  bin=$root$SB_BINDIR/satbench
  page=$root$SB_MAN1DIR/satbench.1
  if test "$rc" -ne 0; then
    t_fail "make install DESTDIR=$root" "exit $rc" "$(tail -n 10 "$T/install.log")"
  elif test -x "$bin" && test -f "$page"; then
    t_pass "make install DESTDIR=...: bin/satbench and man1/satbench.1"
  else
    t_fail "make install DESTDIR=...: bin/satbench and man1/satbench.1" "$(cd "$root" && find . ! -type d)"
  fi
  if test -n "$SB_BASHCOMPDIR"; then
    if cmp -s "$root$SB_BASHCOMPDIR/satbench" "$COMPLETION"; then t_pass "make install: the bash completion in $SB_BASHCOMPDIR"
    else t_fail "make install: the bash completion in $SB_BASHCOMPDIR" "$(cd "$root" && find . ! -type d)"; fi
  else
    t_skip "make install: the bash completion" "configured --without-bash-completion-dir"
  fi
  if test -x "$bin" && test "$("$bin" --version | sed -n 1p)" = "satbench $version"; then
    t_pass "the installed satbench runs: --version says satbench $version"
  else
    t_fail "the installed satbench runs" "$("$bin" --version 2>&1 | head -n 2)"
  fi
  if test -f "$page" && cmp -s "$page" "$man"; then t_pass "the installed man page is the built one"
  else t_fail "the installed man page is the built one" "$page"; fi
  info=$root$SB_INFODIR/satbench.info
  html=$root$SB_HTMLDIR/satbench.html
  if test -f "$info" && cmp -s "$info" "$srcdir/doc/satbench.info" && test -f "$html" &&
     cmp -s "$html" "$srcdir/doc/manual.html" && test -f "$root$SB_HTMLDIR/gallery/grad-layers.png"; then
    t_pass "make install: the manual in info and HTML (with its figures)"
  else
    t_fail "make install: the manual in info and HTML (with its figures)" "$(cd "$root" && find . ! -type d)"
  fi

  (unset MAKEFLAGS MFLAGS; ${MAKE:-make} -C "$top_builddir" uninstall DESTDIR="$root") >"$T/uninstall.log" 2>&1
  rc=$?
  # info's directory file stays, as automake's distuninstallcheck allows
  left=$(cd "$root" && find . ! -type d ! -path ".$SB_INFODIR/dir" | sort)
  if test "$rc" -eq 0 && test -z "$left"; then t_pass "make uninstall DESTDIR=... leaves only empty folders"
  else t_fail "make uninstall DESTDIR=... leaves only empty folders" "exit $rc" "left: $left" "$(tail -n 5 "$T/uninstall.log")"; fi
fi

t_done
