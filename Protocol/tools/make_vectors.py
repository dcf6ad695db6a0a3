#!/usr/bin/env python3
"""Writes Protocol/vectors/*.json.

Every expected result below was derived BY HAND from the rules in SPEC.md ("Merge rules");
this script only saves typing (it builds envelopes from short helper calls). It does not
compute any merge. `check_vectors.py` re-checks the expected results with an independent
Python implementation written from the spec, and the Swift test suite checks them against
the Swift model.
"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "vectors")

ID = "00000000-0000-4000-8000-000000000001"

def s(node, counter, millis, logical, value):
    return {"dot": [node, counter], "hlc": [millis, logical], "value": value}

def dele(node, counter, millis, logical, seen):
    return {"dot": [node, counter], "hlc": [millis, logical], "deleted": True, "seen": seen}

def rest(node, counter, millis, logical):
    return {"dot": [node, counter], "hlc": [millis, logical], "deleted": False}

def env(clock, fields, lifecycle=None):
    e = {"id": ID, "type": "customer", "branch": "BJ", "clock": clock, "fields": fields}
    if lifecycle:
        e["lifecycle"] = lifecycle
    return e

# The base version: node "a" creates a customer at t=1000 (one edit, one dot a:1 for every field).
def base_fields():
    return {
        "code": [s("a", 1, 1000, 0, "C-0001")],
        "name": [s("a", 1, 1000, 0, "Acme")],
        "kind": [s("a", 1, 1000, 0, "enterprise")],
        "tier": [s("a", 1, 1000, 0, "core")],
    }

def with_fields(**changes):
    f = base_fields()
    for k, v in changes.items():
        f[k] = v
    return f

cases = []

def case(name, left, right, expected, conflicts, winners, deleted=False, note=None, display=None, reused=None):
    c = {"name": name}
    if note:
        c["note"] = note
    c.update({"left": left, "right": right, "expected": expected, "conflicts": conflicts,
              "winners": winners, "deleted": deleted})
    if display is not None:
        c["display"] = display
    if reused is not None:
        c["reused"] = reused
    cases.append(c)

# 1. Different fields edited concurrently (a edits name+industry in one edit, b edits tier).
case("different fields edited concurrently",
     env({"a": 2}, with_fields(name=[s("a", 2, 2000, 0, "Acme Ltd")], industry=[s("a", 2, 2000, 0, "Steel")])),
     env({"a": 1, "b": 1}, with_fields(tier=[s("b", 1, 3000, 0, "important")])),
     env({"a": 2, "b": 1}, with_fields(name=[s("a", 2, 2000, 0, "Acme Ltd")], industry=[s("a", 2, 2000, 0, "Steel")],
                                       tier=[s("b", 1, 3000, 0, "important")])),
     [], {"name": "Acme Ltd", "industry": "Steel", "tier": "important", "code": "C-0001"},
     note="a:1 siblings the other side has seen and replaced are dropped; new dots the other side has not seen survive")

# 2. Same field edited concurrently: both siblings kept, later hlc wins provisionally.
conflict_name = env({"a": 2, "b": 1}, with_fields(name=[s("a", 2, 5000, 0, "Left"), s("b", 1, 4000, 0, "Right")]))
case("same field edited concurrently keeps both siblings; later hlc wins",
     env({"a": 2}, with_fields(name=[s("a", 2, 5000, 0, "Left")])),
     env({"a": 1, "b": 1}, with_fields(name=[s("b", 1, 4000, 0, "Right")])),
     conflict_name, ["name"], {"name": "Left"},
     note="hlc 5000 beats 4000 although node b > node a")

# 3. Tie on hlc broken by node id.
case("hlc tie broken by node id",
     env({"a": 2}, with_fields(name=[s("a", 2, 7000, 0, "From a")])),
     env({"a": 1, "b": 1}, with_fields(name=[s("b", 1, 7000, 0, "From b")])),
     env({"a": 2, "b": 1}, with_fields(name=[s("a", 2, 7000, 0, "From a"), s("b", 1, 7000, 0, "From b")])),
     ["name"], {"name": "From b"})

# 4. Same millis, logical counter decides before node id.
case("hlc logical counter decides within one millisecond",
     env({"a": 2}, with_fields(name=[s("a", 2, 7000, 2, "From a")])),
     env({"a": 1, "b": 1}, with_fields(name=[s("b", 1, 7000, 1, "From b")])),
     env({"a": 2, "b": 1}, with_fields(name=[s("a", 2, 7000, 2, "From a"), s("b", 1, 7000, 1, "From b")])),
     ["name"], {"name": "From a"})

# 5. Node ids compare bytewise: "alpha" (0x61...) > "Zulu" (0x5A...).
case("node ids compare bytewise (uppercase sorts before lowercase)",
     env({"a": 1, "Zulu": 1}, with_fields(name=[s("Zulu", 1, 7000, 0, "From Zulu")])),
     env({"a": 1, "alpha": 1}, with_fields(name=[s("alpha", 1, 7000, 0, "From alpha")])),
     env({"a": 1, "Zulu": 1, "alpha": 1},
         with_fields(name=[s("Zulu", 1, 7000, 0, "From Zulu"), s("alpha", 1, 7000, 0, "From alpha")])),
     ["name"], {"name": "From alpha"},
     note="a case-insensitive or locale-aware comparison would wrongly pick Zulu")

# 6. Dominating version replaces the older one.
case("dominating version replaces the older one",
     env({"a": 1}, base_fields()),
     env({"a": 1, "b": 2}, with_fields(name=[s("b", 1, 2000, 0, "Acme Ltd")], tier=[s("b", 2, 2500, 0, "general")])),
     env({"a": 1, "b": 2}, with_fields(name=[s("b", 1, 2000, 0, "Acme Ltd")], tier=[s("b", 2, 2500, 0, "general")])),
     [], {"name": "Acme Ltd", "tier": "general"})

# 7. Identical versions (here holding a conflict) merge to themselves.
case("identical versions merge to themselves (conflict kept)",
     conflict_name, conflict_name, conflict_name, ["name"], {"name": "Left"})

# 8. A resolution that has seen both siblings replaces them, even against a concurrent edit.
case("a resolution that has seen the siblings replaces them",
     env({"a": 2, "b": 1, "c": 1}, with_fields(name=[s("c", 1, 8000, 0, "Agreed")])),
     env({"a": 1, "b": 2}, with_fields(name=[s("b", 1, 4000, 0, "Right")], tier=[s("b", 2, 9000, 0, "important")])),
     env({"a": 2, "b": 2, "c": 1}, with_fields(name=[s("c", 1, 8000, 0, "Agreed")], tier=[s("b", 2, 9000, 0, "important")])),
     [], {"name": "Agreed", "tier": "important"},
     note="left is the merged conflict of case 2 after c resolved name; right is b's side that went on to edit tier")

# 9. Delete racing an edit: the edit is kept, the record stays deleted, lifecycle conflict.
deleted_by_a = env({"a": 2}, base_fields(), [dele("a", 2, 2000, 0, {"a": 2})])
edited_by_b = env({"a": 1, "b": 1}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")]))
raced = env({"a": 2, "b": 1}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")]), [dele("a", 2, 2000, 0, {"a": 2})])
case("delete racing an edit keeps the edit and flags the lifecycle",
     deleted_by_a, edited_by_b, raced, ["lifecycle"], {"name": "Acme Ltd", "tier": "core"}, deleted=True,
     note="name's dot b:1 is not covered by the delete's seen clock {a:2}")

# 9b. A compact delete (SPEC §4.3): seen names only the deleter and the writers of the held
# siblings, not c, whose write a had overwritten. c's old version brings nothing back: its
# sibling is covered by the deleter's clock and dropped, so no conflict.
compact_deleted = env({"a": 3, "c": 1}, with_fields(name=[s("a", 2, 1500, 0, "Acme")]), [dele("a", 3, 2000, 0, {"a": 3})])
case("a compact delete merged with an overwritten write is not a conflict",
     compact_deleted,
     env({"a": 1, "c": 1}, with_fields(name=[s("c", 1, 1200, 0, "C's name")])),
     compact_deleted, [], {"name": "Acme", "tier": "core"}, deleted=True,
     note="the delete's seen {a:3} leaves out c:1; c:1 is covered by the left clock and not held there, so it is dropped")

# 10. Delete after seeing the edit: no conflict.
case("delete after seeing edits is not a conflict",
     env({"a": 2, "b": 1}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")]), [dele("a", 2, 4000, 0, {"a": 2, "b": 1})]),
     edited_by_b,
     env({"a": 2, "b": 1}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")]), [dele("a", 2, 4000, 0, {"a": 2, "b": 1})]),
     [], {"name": "Acme Ltd"}, deleted=True)

# 11. Concurrent deletes that each saw every field write: two lifecycle siblings, no conflict.
seen_edit = with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")])
case("concurrent deletes are not a conflict",
     env({"a": 2, "b": 1}, seen_edit, [dele("a", 2, 4000, 0, {"a": 2, "b": 1})]),
     env({"a": 1, "b": 2}, seen_edit, [dele("b", 2, 4100, 0, {"a": 1, "b": 2})]),
     env({"a": 2, "b": 2}, seen_edit, [dele("a", 2, 4000, 0, {"a": 2, "b": 1}), dele("b", 2, 4100, 0, {"a": 1, "b": 2})]),
     [], {"name": "Acme Ltd"}, deleted=True,
     note="the union of the deletes' seen clocks {a:2,b:2} covers every field dot")

# 12. Restore after a delete conflict, merged with a concurrent edit from b: no conflict, live.
case("restore after a delete conflict resolves it",
     env({"a": 3, "b": 1}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")]), [rest("a", 3, 5000, 0)]),
     env({"a": 1, "b": 2}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")], tier=[s("b", 2, 4500, 0, "important")])),
     env({"a": 3, "b": 2}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")], tier=[s("b", 2, 4500, 0, "important")]),
         [rest("a", 3, 5000, 0)]),
     [], {"name": "Acme Ltd", "tier": "important"}, deleted=False,
     note="left is case 9's result after a restored it; b kept editing without seeing the delete")

# 13. A restore concurrent with a new delete: both lifecycle siblings kept, conflict; the later delete wins.
case("restore concurrent with a delete is a lifecycle conflict",
     env({"a": 3, "b": 1}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")]), [rest("a", 3, 5000, 0)]),
     env({"a": 2, "b": 2}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")]), [dele("b", 2, 6000, 0, {"a": 2, "b": 2})]),
     env({"a": 3, "b": 2}, with_fields(name=[s("b", 1, 3000, 0, "Acme Ltd")]),
         [rest("a", 3, 5000, 0), dele("b", 2, 6000, 0, {"a": 2, "b": 2})]),
     ["lifecycle"], {"name": "Acme Ltd"}, deleted=True,
     note="both started from case 9's result: a restored, b deleted again")

# 14. Null clears an optional field and merges like any value.
case("null value is a write like any other",
     env({"a": 2}, with_fields(industry=[s("a", 2, 2000, 0, None)])),
     env({"a": 1, "b": 1}, with_fields(industry=[s("b", 1, 2000, 0, "Steel")])),
     env({"a": 2, "b": 1}, with_fields(industry=[s("a", 2, 2000, 0, None), s("b", 1, 2000, 0, "Steel")])),
     ["industry"], {"industry": "Steel"},
     note="left wrote null (first write of industry on a), right wrote Steel concurrently; tie on hlc, b > a")

# 15. Same dot, different content (never made by honest replicas): keep the sibling whose canonical
#     JSON is bytewise smaller, in both argument orders. Here the bytes differ first in the hlc:
#     {"dot":["a",2],"hlc":[1000,0],... < {"dot":["a",2],"hlc":[2000,0],... ('1' < '2').
case("same dot with different content keeps the canonically smaller sibling",
     env({"a": 2}, with_fields(name=[s("a", 2, 2000, 0, "Acme Ltd")])),
     env({"a": 2}, with_fields(name=[s("a", 2, 1000, 0, "Zeta")])),
     env({"a": 2}, with_fields(name=[s("a", 2, 1000, 0, "Zeta")])),
     [], {"name": "Zeta"}, reused="name",
     note="dishonest input (receivers refuse it: reusedWrite); neither the later hlc nor the value decides, the canonical bytes do")

# 16. Same dot and hlc, different values: the value's bytes decide ("Acme" < "acme": 'A' = 0x41 < 'a' = 0x61).
case("same dot and hlc with different values: value bytes decide",
     env({"a": 1}, with_fields(name=[s("a", 1, 1000, 0, "acme")])),
     env({"a": 1}, with_fields(name=[s("a", 1, 1000, 0, "Acme")])),
     env({"a": 1}, base_fields()),
     [], {"name": "Acme"}, reused="name",
     note="equal clocks, different content: dishonest input; the merge is still deterministic")

# 17. Same lifecycle dot: a delete on one side, a restore on the other. {"deleted":false,... <
#     {"deleted":true,... ('f' < 't'): the restore is kept.
case("same lifecycle dot as delete and restore keeps the canonically smaller one",
     env({"a": 2}, base_fields(), [dele("a", 2, 2000, 0, {"a": 2})]),
     env({"a": 2}, base_fields(), [rest("a", 2, 2000, 0)]),
     env({"a": 2}, base_fields(), [rest("a", 2, 2000, 0)]),
     [], {"name": "Acme"}, deleted=False, reused="lifecycle")

# 18. Two devices resolve a field to the same value concurrently: two siblings, one value, no conflict.
case("equal-valued siblings are not a conflict",
     env({"a": 2}, with_fields(tier=[s("a", 2, 2000, 0, "important")])),
     env({"a": 1, "b": 1}, with_fields(tier=[s("b", 1, 2500, 0, "important")])),
     env({"a": 2, "b": 1}, with_fields(tier=[s("a", 2, 2000, 0, "important"), s("b", 1, 2500, 0, "important")])),
     [], {"tier": "important"}, display={"tier": ["important"]},
     note="both siblings are kept (no lost write); the field shows one value and is not in conflict")

# 19. Three siblings, two distinct values: a conflict showing each value once, by its highest sibling.
case("conflict display lists each distinct value once",
     env({"a": 2, "c": 1}, with_fields(tier=[s("a", 2, 2000, 0, "important"), s("c", 1, 3000, 0, "important")])),
     env({"a": 1, "b": 1}, with_fields(tier=[s("b", 1, 2500, 0, "general")])),
     env({"a": 2, "b": 1, "c": 1}, with_fields(tier=[s("a", 2, 2000, 0, "important"), s("b", 1, 2500, 0, "general"),
                                                     s("c", 1, 3000, 0, "important")])),
     ["tier"], {"tier": "important"}, display={"tier": ["important", "general"]},
     note="important is shown by c:1 (hlc 3000), then general (2500); a:2 (2000) repeats important")

# 20. A stale delete re-sent inside a version whose clock dominates: the general rule drops it.
case("stale delete inside a dominating version is dropped",
     env({"a": 1, "m": 2}, base_fields(), [rest("m", 2, 3000, 0)]),
     env({"a": 1, "m": 2, "s": 1}, with_fields(notes=[s("s", 1, 4000, 0, "called")]),
         [dele("m", 1, 2000, 0, {"a": 1, "m": 1})]),
     env({"a": 1, "m": 2, "s": 1}, with_fields(notes=[s("s", 1, 4000, 0, "called")])),
     [], {"notes": "called", "name": "Acme"}, deleted=False,
     note="right claims m:2 (its clock dominates) but holds m:1's delete, which left has seen and overwritten: "
          "dropped; left's restore m:2 is covered by right's clock and not held there: dropped too. "
          "A 'dominating version replaces the other' shortcut would wrongly keep the delete")

# 21. The tie-break compares UTF-8 bytes: "～" (U+FF5E, EF BD 9E) < "😀" (U+1F600, F0 9F 98 80).
#     (A UTF-16 comparison would pick the emoji: its surrogate D83D sorts before FF5E.)
case("reused dot tie-break compares UTF-8 bytes, not UTF-16 units",
     env({"a": 2}, with_fields(notes=[s("a", 2, 2000, 0, "\U0001F600")])),
     env({"a": 2}, with_fields(notes=[s("a", 2, 2000, 0, "\uFF5E")])),
     env({"a": 2}, with_fields(notes=[s("a", 2, 2000, 0, "\uFF5E")])),
     [], {"notes": "\uFF5E"}, reused="notes")

# 22. Canonical escapes take part in the comparison: "\n" is written \n, U+0001 as \u0001; 'n' < 'u'.
case("reused dot tie-break compares canonical escapes",
     env({"a": 2}, with_fields(notes=[s("a", 2, 2000, 0, "line\u0001")])),
     env({"a": 2}, with_fields(notes=[s("a", 2, 2000, 0, "line\nbreak")])),
     env({"a": 2}, with_fields(notes=[s("a", 2, 2000, 0, "line\nbreak")])),
     [], {"notes": "line\nbreak"}, reused="notes")

merge_doc = {
    "description": (
        "Record merge vectors. For every case, merge(left, right) and merge(right, left) must both equal "
        "`expected` (compare envelopes semantically: object member order and sibling array order do not matter; "
        "canonical sibling order is by dot). `conflicts` lists the conflicts of `expected` (SPEC §5: a field is in "
        "conflict when its siblings hold at least two distinct values) in the order field names "
        "ascending (bytewise), then \"lifecycle\" for a delete-raced-edit / delete-vs-restore conflict. `winners` gives "
        "the provisional value of some fields of `expected` (null is a value). `deleted` is true when the provisional "
        "lifecycle winner is a delete. `display` (optional) gives, for some fields of `expected`, the distinct values "
        "shown to a person, each once, in descending precedence of its highest sibling (SPEC §5). `reused` (optional) "
        "names where left and right hold the same dot with different content (a field name, \"lifecycle\", or "
        "\"record\" for equal clocks with different content; SPEC §4.5): receivers refuse such input, and the merge "
        "is still deterministic (the sibling with the bytewise smaller canonical JSON is kept). Cases without "
        "`reused` have none. `note` explains the case. Every expected result was derived by hand from "
        "SPEC.md, section 'Merge rules'."),
    "cases": cases,
}

# ---- clock vectors ----
clock_cases = [
    ("both empty", {}, {}, "equal", {}),
    ("empty before non-empty", {}, {"a": 1}, "before", {"a": 1}),
    ("non-empty after empty", {"a": 1}, {}, "after", {"a": 1}),
    ("identical", {"a": 2, "b": 5}, {"a": 2, "b": 5}, "equal", {"a": 2, "b": 5}),
    ("zero entries count as absent", {"a": 3, "b": 0}, {"a": 3}, "equal", {"a": 3}),
    ("one counter ahead", {"a": 1, "b": 2}, {"a": 1, "b": 3}, "before", {"a": 1, "b": 3}),
    ("extra node means after", {"a": 1, "b": 1}, {"a": 1}, "after", {"a": 1, "b": 1}),
    ("disjoint nodes are concurrent", {"a": 1}, {"b": 1}, "concurrent", {"a": 1, "b": 1}),
    ("crossing counters are concurrent", {"a": 2, "b": 1}, {"a": 1, "b": 2}, "concurrent", {"a": 2, "b": 2}),
    ("dominates on every node", {"a": 5, "b": 3, "c": 1}, {"a": 4, "b": 3}, "after", {"a": 5, "b": 3, "c": 1}),
    ("concurrent with partial overlap", {"a": 3, "c": 7}, {"a": 4, "b": 1}, "concurrent", {"a": 4, "b": 1, "c": 7}),
    ("node ids are case-sensitive", {"A": 1}, {"a": 1}, "concurrent", {"A": 1, "a": 1}),
    ("large counters", {"a": 9007199254740993}, {"a": 9007199254740992}, "after", {"a": 9007199254740993}),
    ("zero entry on both sides", {"a": 0}, {"b": 0}, "equal", {}),
]
clock_doc = {
    "description": (
        "Vector clock vectors. `order` is compare(left, right): equal (each has seen everything the other has), "
        "before (right has seen everything left has, and more), after (the reverse), concurrent (each has seen "
        "something the other has not). `merged` is the pointwise maximum in canonical form (zero entries omitted). "
        "Absent nodes count as zero. Counters above 2^53 must be handled exactly (64-bit integers)."),
    "cases": [{"name": n, "left": l, "right": r, "order": o, "merged": m} for n, l, r, o, m in clock_cases],
}

for name, doc in (("merge.json", merge_doc), ("clock-compare.json", clock_doc)):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
print("wrote", len(cases), "merge cases and", len(clock_cases), "clock cases")
