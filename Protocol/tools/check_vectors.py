#!/usr/bin/env python3
"""Cross-checks Protocol/vectors/*.json (written by hand) with the independent Python implementation
of SPEC.md's clock and merge rules in outpost_reference.py. Exit status 1 on any mismatch."""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from outpost_reference import (canon_clock, compare, merge, merge_clock, conflicts, normalize, winner,  # noqa: E402
                               distinct_values, reused_write)

HERE = os.path.dirname(os.path.abspath(__file__))
VEC = os.path.join(HERE, "..", "vectors")

failures = 0
clocks = json.load(open(os.path.join(VEC, "clock-compare.json")))
for c in clocks["cases"]:
    got_order, got_merged = compare(canon_clock(c["left"]), canon_clock(c["right"])), merge_clock(c["left"], c["right"])
    if got_order != c["order"] or got_merged != c["merged"]:
        failures += 1
        print("CLOCK FAIL", c["name"], got_order, got_merged)
merges = json.load(open(os.path.join(VEC, "merge.json")))
for c in merges["cases"]:
    exp = normalize(c["expected"])
    for a, b, label in ((c["left"], c["right"], "left+right"), (c["right"], c["left"], "right+left")):
        got = normalize(merge(a, b))
        if got != exp:
            failures += 1
            print("MERGE FAIL", c["name"], label, json.dumps(got))
    if conflicts(exp) != c["conflicts"]:
        failures += 1
        print("CONFLICTS FAIL", c["name"], conflicts(exp))
    for f, v in c["winners"].items():
        if winner(exp["fields"].get(f, []))["value"] != v:
            failures += 1
            print("WINNER FAIL", c["name"], f)
    for f, shown in c.get("display", {}).items():
        got = [x["value"] for x in distinct_values(exp["fields"].get(f, []))]
        if got != shown:
            failures += 1
            print("DISPLAY FAIL", c["name"], f, got)
    for a, b, label in ((c["left"], c["right"], "left/right"), (c["right"], c["left"], "right/left")):
        got = reused_write(a, b)
        if got != c.get("reused"):
            failures += 1
            print("REUSED FAIL", c["name"], label, got)
    lw = winner(exp.get("lifecycle") or [])
    if bool(lw and lw["deleted"]) != c["deleted"]:
        failures += 1
        print("DELETED FAIL", c["name"])
# Poison values (SPEC §2.5, §2.3, §14): the same expectations as the Swift PoisonValueTests.
from outpost_reference import hlc_now, hlc_observe, increment, limit_problem, HLC_MAX_MILLIS, MAX_COUNTER  # noqa: E402
checks = [
    (hlc_now([2**63 - 1, 4294967295], 1795512600000), [1795512600000, 0]),
    (hlc_now([HLC_MAX_MILLIS, 4294967295], 2**63 - 1), [HLC_MAX_MILLIS, 4294967295]),
    (hlc_now([0, 0], 2**63 - 1), [HLC_MAX_MILLIS, 0]),
    (hlc_now([10, 4294967295], 3), [11, 0]),
    (hlc_observe([1000, 0], [1000 + 3_600_001, 0], 1000), [1000, 0]),
    (hlc_observe([1000, 0], [1000 + 3_600_000, 0], 1000), [3_601_000, 0]),
    (hlc_observe([1000, 0], [2**63 - 1, 0], 2**63 - 1), [1000, 0]),
    (increment({"a": MAX_COUNTER - 1}, "a")[1], ["a", MAX_COUNTER]),
    (limit_problem(merges["cases"][0]["expected"]), None),
]
try:
    increment({"a": MAX_COUNTER}, "a")
    checks.append(("no error", "counter exhausted"))
except ValueError:
    pass
for got, want in checks:
    if got != want:
        failures += 1
        print("POISON FAIL", got, want)
print(f"{len(clocks['cases'])} clock cases, {len(merges['cases'])} merge cases, {failures} failures")
sys.exit(1 if failures else 0)
