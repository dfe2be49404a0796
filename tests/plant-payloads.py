#!/usr/bin/env python3
# plant-payloads.py DIR - the test grid of report.sh and browser.sh made
# hostile: HTML and script payloads planted in the string fields of every
# table (activation, init, the configuration comments) and in manifest.json
# (config, command), whose sizes and FNV-1a 64 checksums are then redone
# in place, whatever its layout, as an attacker would.
import json, os, re, sys
d = sys.argv[1]
subs = [("xavier_normal", "x<script>alert(1)</script>"), ("tanh", "t\"><img src=x onerror=alert(2)>"),
        ("sigmoid", "s'</svg><b>&amp")]
def fnv(data):
    h = 0xcbf29ce484222325
    for c in data:
        h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
    return h
for name in os.listdir(d):
    if name.endswith(".tsv"):
        p = os.path.join(d, name)
        s = open(p, encoding="utf-8").read()
        for a, b in subs:
            s = s.replace(a, b)
        open(p, "w", encoding="utf-8").write(s)
mp = os.path.join(d, "manifest.json")
m = open(mp, encoding="utf-8").read()
for a, b in subs:
    m = m.replace(a, json.dumps(b)[1:-1])
files = json.loads(m)["files"]
at = m.index('"files"')
for name, e in files.items():
    data = open(os.path.join(d, name), "rb").read()
    k = m.index(json.dumps(name), at)
    end = m.index("}", k)
    seg = m[k:end].replace(e["fnv1a64"], "%016x" % fnv(data), 1)
    seg = re.sub(r"(?<![0-9])%d(?![0-9])" % e["bytes"], str(len(data)), seg, count=1)
    m = m[:k] + seg + m[end:]
open(mp, "w", encoding="utf-8").write(m)
