#!/bin/sh
# tables-typed.sh - the tables as an analyst's tools read them: every table
# of a small grid, with and without --jacobian, with a residual axis and
# meanfield and critical inits, read by pandas, by R (read.delim with only
# comment.char = "#") and by gnuplot, without any other option.  Numeric
# columns must come out numeric (residual, sigma_w2, sigma_b2 among them,
# with their values), no column may be all NaN, no table header-only; a
# feature that was off (--jacobian, --histograms none) leaves no table and
# no column behind, and plot, merge and --resume say nothing is missing;
# manifest.json's config values are typed by their option (a list is an
# array of one type).  pandas and R are skipped, saying why, when absent
# (Debian: python3-pandas, r-base-core; CI installs both).
. "${srcdir:-.}/tests/lib.sh"
t_init tables-typed

GRID="--activations tanh --depths 2 --widths 8 --seeds 2 --steps 2 --log-every 1 --train-size 64
  --test-size 16 --batch 8 --input-dim 4 --classes 3 --optimizers sgd --lr 1 --residual none,1 --quiet
  --inits standard,lecun_normal,he_normal,xavier_normal,orthogonal:1.5,meanfield:1.5:0.05,critical:0.05"
# A: no Jacobian, histograms at the ends; B: the Jacobian, no histograms,
# and an emulated precision with a fixed and a dynamic loss scale
# (precision.tsv, the precision and loss_scale columns, whose "dynamic"
# makes loss_scale a name; fp8e4m3 at scale 1/16 flushes errors from the
# last hidden layer on, so the flush depths have values).
B_EMU="--precisions fp64,fp8e4m3 --loss-scales 0.0625,dynamic"
"$SATBENCH" grid $GRID --out "$T/a" >"$T/a.out" 2>&1
t_result $? "grid without --jacobian" "$(cat "$T/a.out")"
"$SATBENCH" grid $GRID --jacobian 2 --histograms none $B_EMU --out "$T/b" >"$T/b.out" 2>&1
t_result $? "grid with --jacobian 2 --histograms none $B_EMU" "$(cat "$T/b.out")"

# ---- the set of tables ----------------------------------------------------------
names() { ls "$1" | grep '\.tsv' | tr '\n' ' '; }
have=$(names "$T/a")
test "$have" = "cells.tsv curves.tsv curves_summary.tsv hist.tsv layers.tsv summary.tsv "
t_result $? "without --jacobian: no spectra.tsv" "tables: $have"
have=$(names "$T/b")
test "$have" = "cells.tsv curves.tsv curves_summary.tsv layers.tsv precision.tsv spectra.tsv summary.tsv "
t_result $? "with --histograms none: no hist.tsv" "tables: $have"
! grep -q 'spectra' "$T/a/manifest.json" && ! grep -q 'hist\.tsv' "$T/b/manifest.json"
t_result $? "the manifests name only the tables written"
hdr() { grep -v '^#' "$1" | head -n 1 | tr '\t' '\n'; }
n_jac_a=$(hdr "$T/a/cells.tsv" | grep -c '^jac_')
n_jac_b=$(hdr "$T/b/cells.tsv" | grep -c '^jac_')
test "$n_jac_a" -eq 0 && test "$n_jac_b" -eq 11
t_result $? "cells.tsv's jac_* columns only with --jacobian" "without: $n_jac_a, with: $n_jac_b (11 expected)"
for d in a b; do
  "$SATBENCH" merge --out "$T/$d" >"$T/m.out" 2>&1 &&
    grep -q 'nothing to merge: the tables .* are complete' "$T/m.out" && ! grep -qi 'missing' "$T/m.out"
  t_result $? "merge of $d: complete, nothing missing" "$(cat "$T/m.out")"
  "$SATBENCH" grid $GRID $(test $d = b && echo --jacobian 2 --histograms none $B_EMU) --out "$T/$d" --resume \
    >"$T/r.out" 2>&1 && grep -q 'nothing to do' "$T/r.out" && ! grep -qi 'missing' "$T/r.out"
  t_result $? "--resume of $d: nothing to do, nothing missing" "$(cat "$T/r.out")"
done
# A stale spectra.tsv that the manifest does not name is of another merge:
# refused by name; a merge (from kept records) removes it.
echo x > "$T/a/spectra.tsv"
"$SATBENCH" compare "$T/a" "$T/b" >"$T/c.out" 2>&1
rc=$?
test $rc -eq 2 && grep -q 'spectra.tsv is there, but manifest.json does not name it.*remove it' "$T/c.out"
t_result $? "a spectra.tsv the manifest does not name is refused" "exit $rc: $(cat "$T/c.out")"
rm -f "$T/a/spectra.tsv"
"$SATBENCH" grid $GRID --inits standard --keep-records --out "$T/k" >"$T/k.out" 2>&1 && echo x > "$T/k/spectra.tsv" &&
  echo x > "$T/k/spectra.tsv.gz" && "$SATBENCH" merge --out "$T/k" --quiet >"$T/m.out" 2>&1 &&
  test ! -e "$T/k/spectra.tsv" && test ! -e "$T/k/spectra.tsv.gz"
t_result $? "merge removes a spectra.tsv (and .gz) of another merge" "$(cat "$T/k.out" "$T/m.out"; ls "$T/k")"
if command -v gnuplot >/dev/null 2>&1; then
  # the spectra figure is skipped for want of data, as any figure is
  "$SATBENCH" plot -d "$T/a" -o "$T/a/plots" >"$T/p.out" 2>&1 && ! grep -qi 'missing\|manifest' "$T/p.out" &&
    grep -q '^skipped spectra: no data for it' "$T/p.out"
  t_result $? "plot without --jacobian: nothing missing, the spectra figure skipped for want of data" "$(cat "$T/p.out")"
else
  t_skip "plot without --jacobian" "gnuplot is not installed"
fi

# ---- the expected values ------------------------------------------------------------
# sigma_w2 in fan-in units at a hidden layer (fan_in = fan_out = width);
# critical's from satbench theory, which resolves it on its own.
crit=$("$SATBENCH" theory --activation tanh --init critical:0.05 --width 8 |
       awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "sigma_w2") c = i } NR == 2 { print $c }')
test -n "$crit"
t_result $? "satbench theory gives critical:0.05's sigma_w2 for tanh" "got '$crit'"
cat > "$T/expect.tsv" <<EOF
init	sigma_w2	sigma_b2
standard	0.333333333	0
lecun_normal	1	0
he_normal	2	0
xavier_normal	1	0
orthogonal:1.5	2.25	0
meanfield:1.5:0.05	1.5	0.05
critical:0.05	$crit	0.05
EOF
TEXT='activation init norm optimizer loss precision loss_scale status kind tensor'
TABLES=$(cd "$T" && ls a/*.tsv b/*.tsv | tr '\n' ' ')

# reader_results TOOL OUT: a check that TOOL ran (OUT not empty), then one
# check per "ok WHAT" / "FAIL WHAT" line it printed.
reader_results()
{
  test -s "$2"
  t_result $? "$1 ran" "$(cat "$2")"
  while read -r st what; do
    test "$st" = ok
    t_result $? "$1: $what" "$st $what"
  done <<EOF
$(grep -E '^(ok|FAIL) ' "$2")
EOF
}

# ---- pandas -----------------------------------------------------------------------------
PY=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import pandas' 2>/dev/null; then PY=$p; break; fi
done
if test -n "$PY"; then
  (cd "$T" && "$PY" - "$TEXT" $TABLES) >"$T/pandas.out" 2>&1 <<'EOF'
import json, sys
import pandas as pd
text = set(sys.argv[1].split())
want = pd.read_csv("expect.tsv", sep="\t").set_index("init")
for path in sys.argv[2:]:
    t = pd.read_csv(path, sep="\t", comment="#")
    bad = []
    if len(t) == 0: bad.append("no rows")
    bad += ["%s: all NaN" % c for c in t.columns if t[c].isna().all()]
    bad += ["%s: %s" % (c, t[c].dtype) for c in t.columns if c not in text and t[c].dtype.kind not in "iuf"]
    sigmas = path.split("/")[1] in ("cells.tsv", "summary.tsv", "curves_summary.tsv")
    for c in ("residual",) + (("sigma_w2", "sigma_b2") if sigmas else ()):
        if c not in t.columns: bad.append(c + ": no such column")
    if not bad:
        if sorted(t.residual.unique()) != [0, 1]: bad.append("residual: %s" % sorted(t.residual.unique()))
        if (t.residual == 1).sum() * 2 != len(t): bad.append("residual == 1: %d of %d" % ((t.residual == 1).sum(), len(t)))
        if sigmas:
            for c in ("sigma_w2", "sigma_b2"):
                exp = t.init.map(want[c])
                off = ~((t[c] - exp).abs() <= 1e-8 * exp.abs().clip(lower=1))
                if off.any(): bad.append("%s: %s, not %s" % (c, t[c][off].iloc[0], exp[off].iloc[0]))
    print(("ok " if not bad else "FAIL ") + path + ("" if not bad else ": " + "; ".join(bad)))
for d in ("a", "b"):
    conf = json.load(open(d + "/manifest.json"))["config"]
    bad = []
    for k, v in conf.items():
        if isinstance(v, list) and len({type(x) for x in v}) > 1: bad.append("%s mixes types: %s" % (k, v))
    # lr 1 is a real (1.0) all the same: its option is a real, whatever its text
    for k, typ in (("residual", int), ("depths", int), ("widths", int), ("lrs", float)):
        if not all(type(x) is typ for x in conf[k]): bad.append("%s: %s, not all %s" % (k, conf[k], typ.__name__))
    for k, typ in (("jacobian", int), ("steps", int), ("seed", int), ("sat-threshold", float), ("histograms", str)):
        if type(conf[k]) is not typ: bad.append("%s: %r, not %s" % (k, conf[k], typ.__name__))
    print(("ok " if not bad else "FAIL ") + d + "/manifest.json config" + ("" if not bad else ": " + "; ".join(bad)))
EOF
  reader_results pandas "$T/pandas.out"
else
  t_skip "pandas reads every table with its types" "python3 with pandas is not installed (Debian: python3-pandas)"
fi

# ---- R ---------------------------------------------------------------------------------
if command -v Rscript >/dev/null 2>&1; then
  (cd "$T" && Rscript - "$TEXT" $TABLES) >"$T/r.out" 2>&1 <<'EOF'
args <- commandArgs(trailingOnly = TRUE)
text <- strsplit(args[1], " ")[[1]]
want <- read.delim("expect.tsv", comment.char = "#")
for (path in args[-1]) {
  t <- read.delim(path, comment.char = "#")
  bad <- character(0)
  if (nrow(t) == 0) bad <- c(bad, "no rows")
  for (c in names(t)) {
    if (all(is.na(t[[c]]))) bad <- c(bad, paste0(c, ": all NA"))
    if (!(c %in% text) && !is.numeric(t[[c]])) bad <- c(bad, paste0(c, ": ", class(t[[c]])))
  }
  sigmas <- basename(path) %in% c("cells.tsv", "summary.tsv", "curves_summary.tsv")
  for (c in c("residual", if (sigmas) c("sigma_w2", "sigma_b2")))
    if (!(c %in% names(t))) bad <- c(bad, paste0(c, ": no such column"))
  if (length(bad) == 0) {
    if (!identical(sort(unique(t$residual)), c(0L, 1L))) bad <- c(bad, paste("residual:", toString(unique(t$residual))))
    if (sum(t$residual == 1) * 2 != nrow(t)) bad <- c(bad, "residual == 1 in not half the rows")
    for (c in if (sigmas) c("sigma_w2", "sigma_b2")) {
      exp <- want[[c]][match(t$init, want$init)]
      if (!isTRUE(all(abs(t[[c]] - exp) <= 1e-8 * pmax(abs(exp), 1)))) bad <- c(bad, paste0(c, ": not the expected values"))
    }
  }
  cat(if (length(bad)) "FAIL" else "ok", " ", path, if (length(bad)) paste0(": ", paste(bad, collapse = "; ")), "\n", sep = "")
}
EOF
  reader_results R "$T/r.out"
else
  t_skip "R reads every table with its types" "R (Rscript) is not installed (Debian: r-base-core)"
fi

# ---- gnuplot -------------------------------------------------------------------------------
# Columns by their header's name; '#' is gnuplot's own comment character.
if command -v gnuplot >/dev/null 2>&1; then
  for f in a/cells.tsv a/summary.tsv b/cells.tsv b/curves_summary.tsv; do
    rows=$(grep -v '^#' "$T/$f" | sed 1d | wc -l | tr -d ' ')
    got=$(cd "$T" && gnuplot -e "set datafile separator tab; set datafile columnheaders;
      stats '$f' using 'residual' nooutput; r = STATS_records; ri = STATS_invalid; rmax = STATS_max;
      stats '$f' using 'sigma_w2' nooutput; w = STATS_records; wi = STATS_invalid;
      print sprintf('%d %d %g %d %d', r, ri, rmax, w, wi)" 2>&1)
    test "$got" = "$rows 0 1 $rows 0"
    t_result $? "gnuplot reads $f's residual and sigma_w2 as numbers" "got '$got', expected '$rows 0 1 $rows 0'"
  done
else
  t_skip "gnuplot reads the tables' numbers" "gnuplot is not installed"
fi
t_done
