# prec-numpy.sh - prec_round (through tests/prec_dump) against a second
# implementation in another language, bit for bit: numpy's float16 (its
# own double -> half conversion, round to nearest even with subnormals)
# for fp16 and float32 for fp32, and PyTorch's bfloat16 for bf16, on every
# fp16 and bf16 bit pattern, the midpoints between neighbours exactly and
# one double ulp either side, edges (+-0, +-inf, NaN, max, the overflow
# tie, the smallest subnormal and half of it, -tiny) and random doubles
# from a fixed seed.  PyTorch converts a double to bfloat16 through float
# (two roundings: 1 + 2^-8 + 2^-30 becomes 1, not 1 + 2^-7), so its inputs
# are floats, whose rounding to bfloat16 is one step.  Skipped without a
# python3 with numpy (Debian: python3-numpy), the bf16 part without torch
# (python3-torch).
. "${srcdir:-.}/tests/lib.sh"
t_init prec-numpy

DUMP="${top_builddir:-.}/tests/prec_dump"
test -x "$DUMP" || { echo "Bail out! $DUMP is not built (make check builds it)" >&2; exit 99; }

PY= TPY=
for p in python3 /usr/bin/python3; do
  command -v "$p" >/dev/null 2>&1 || continue
  test -z "$PY" && "$p" -c 'import numpy' 2>/dev/null && PY=$p
  test -z "$TPY" && "$p" -c 'import numpy, torch' 2>/dev/null && TPY=$p
done
test -n "$PY" || t_skip_all "no python3 with numpy (Debian: python3-numpy)"

# gen FORMAT FILE: FORMAT's test doubles, one a line in hex (float.hex).
gen()
{
  "$1" - "$2" "$3" <<'PYEOF'
import sys
import numpy as np
np.seterr(all="ignore")
fmt, path = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(20261207)
if fmt == "bf16":
    pat = (np.arange(65536, dtype=np.uint32) << 16).view(np.float32).astype(np.float64)
    lo, hi, lim = -140, 130, np.float32
elif fmt == "fp16":
    pat = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float64)
    lo, hi, lim = -40, 20, np.float64
else:
    pat = np.array([], dtype=np.float64)
    lo, hi, lim = -160, 132, np.float64
fin = np.unique(np.abs(pat[np.isfinite(pat)]))
mid = (fin[:-1] + fin[1:]) / 2
near = np.concatenate([mid, np.nextafter(mid, np.inf), np.nextafter(mid, -np.inf)])
n = 250000
e = rng.integers(lo, hi, n)
ran = np.ldexp(1.0 + rng.random(n), e) * rng.choice([-1.0, 1.0], n)
bits = rng.integers(0, 2**63, 50000, dtype=np.int64).view(np.float64)
edge = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, 65519.99, 65520.0, -65520.0, 2.0**-24,
                 2.0**-25, -2.0**-25, 3 * 2.0**-25, 2.0**-14 - 2.0**-25, -1e-300, 5e-324, -5e-324,
                 1.0 + 2.0**-11, 1.0 + 2.0**-8, 2.0**-133, 2.0**-134, 3.3961e38, 3.4e38, 1e300])
x = np.concatenate([pat, -near, near, ran, bits, edge])
if lim is np.float32:   # see the script's header: PyTorch rounds through float
    with np.errstate(over="ignore"):
        x = x.astype(np.float32).astype(np.float64)
with open(path, "w") as f:
    f.write("\n".join(float(v).hex() for v in x) + "\n")
PYEOF
}

# compare PYTHON FORMAT LABEL: prec_dump's answers against PYTHON's.
compare()
{
  "$1" - "$T/$2.in" "$T/$2.out" "$2" <<'PYEOF'
import sys
import numpy as np
np.seterr(all="ignore")
src, got, fmt = sys.argv[1:4]
x = np.array([float.fromhex(l) for l in open(src)])
y = np.array([float.fromhex(l) for l in open(got)])
with np.errstate(over="ignore"):
    if fmt == "fp16":
        ref = x.astype(np.float16).astype(np.float64)
    elif fmt == "fp32":
        ref = x.astype(np.float32).astype(np.float64)
    else:
        import torch
        ref = torch.tensor(x, dtype=torch.float64).to(torch.bfloat16).to(torch.float64).numpy()
same = (y.view(np.uint64) == ref.view(np.uint64)) | (np.isnan(y) & np.isnan(ref))
bad = np.flatnonzero(~same)
print(len(x), len(bad))
for i in bad[:5]:
    print("%s -> %s, reference %s" % (x[i].hex(), y[i].hex(), ref[i].hex()))
PYEOF
}

# one FORMAT PYTHON REFERENCE
one()
{
  gen "$2" "$1" "$T/$1.in" || { t_fail "$1: writing the test values" "$2 failed"; return; }
  if ! "$DUMP" "$1" <"$T/$1.in" >"$T/$1.out" 2>"$T/$1.err"; then
    t_fail "$1: prec_dump" "$(cat "$T/$1.err")"; return
  fi
  r=$(compare "$2" "$1" 2>&1)
  set -- "$1" "$3" $r
  if test "${4-x}" = 0; then
    t_pass "$1: $3 values rounded by prec_round, the same bits as $2"
  else
    t_fail "$1: the same bits as $2" "$r"
  fi
}

one fp16 "$PY" "numpy's float16"
one fp32 "$PY" "numpy's float32"
if test -n "$TPY"; then
  one bf16 "$TPY" "PyTorch's bfloat16"
else
  t_skip "bf16: the same bits as PyTorch's bfloat16" "no python3 with torch (Debian: python3-torch)"
fi

# prec_dump refuses what it cannot read, naming the line.
printf '1.5\nabc\n' >"$T/bad.in"
"$DUMP" fp16 <"$T/bad.in" >"$T/bad.out" 2>"$T/bad.err"
rc=$?
if test "$rc" -eq 2 && grep -q 'line 2' "$T/bad.err"; then t_pass "prec_dump: a line that is no number: exit 2 naming line 2"
else t_fail "prec_dump: a line that is no number: exit 2 naming line 2" "exit $rc" "$(cat "$T/bad.err")"; fi

t_done
