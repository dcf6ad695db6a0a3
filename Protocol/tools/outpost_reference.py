"""Outpost's clock and merge rules (Protocol/SPEC.md §2–§5) in plain Python, written from the spec
alone. Shared by check_vectors.py (which cross-checks the vectors) and reference_client.py (a
minimal client in another language). Envelopes are plain dicts as they appear on the wire."""
import json

def canon_clock(c):
    return {k: v for k, v in c.items() if v > 0}

def covers(clock, dot):
    return clock.get(dot[0], 0) >= dot[1]

def dominates(x, y):
    return all(x.get(n, 0) >= c for n, c in y.items())

def compare(x, y):
    a, b = dominates(x, y), dominates(y, x)
    return {(True, True): "equal", (True, False): "after", (False, True): "before", (False, False): "concurrent"}[(a, b)]

def merge_clock(x, y):
    out = dict(canon_clock(x))
    for n, c in y.items():
        if c > out.get(n, 0):
            out[n] = c
    return canon_clock(out)

def dot_key(d):
    return (d[0].encode("utf-8"), d[1])

def canonical(value):
    """Canonical JSON bytes (SPEC §7.2): members sorted bytewise, no whitespace, UTF-8 unescaped.
    Sorting str keys by code point is the same as sorting their UTF-8 bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")

def merge_register(left, lclock, right, rclock):
    ldots = {tuple(s["dot"]): s for s in left}
    rdots = {tuple(s["dot"]): s for s in right}
    out = []
    for d in sorted(set(ldots) | set(rdots), key=dot_key):
        if d in ldots and d in rdots:
            # Same dot on both sides: identical for honest replicas; otherwise keep the sibling whose
            # canonical JSON is bytewise smaller (SPEC §4.1), whatever the argument order.
            a, b = ldots[d], rdots[d]
            out.append(b if canonical(normalize_sibling(b)) < canonical(normalize_sibling(a)) else a)
        elif d in ldots:
            if not covers(rclock, d):
                out.append(ldots[d])
        elif not covers(lclock, d):
            out.append(rdots[d])
    return out

def precedence(s):
    return (s["hlc"][0], s["hlc"][1], s["dot"][0].encode("utf-8"), s["dot"][1])

def winner(siblings):
    return max(siblings, key=precedence) if siblings else None

def distinct_values(siblings):
    """One sibling per distinct value (canonical JSON), each its highest-precedence sibling,
    in descending precedence (SPEC §5)."""
    out, shown = [], set()
    for s in sorted(siblings, key=precedence, reverse=True):
        key = canonical(s["value"])
        if key not in shown:
            shown.add(key)
            out.append(s)
    return out

def in_conflict(register):
    """A field is in conflict iff its register holds at least two distinct values (SPEC §5)."""
    return len({canonical(s["value"]) for s in register}) >= 2

def reused_write(l, r):
    """The first place both versions hold the same dot with different content (fields in bytewise
    name order, then "lifecycle"), or "record" when the clocks are equal but the versions differ;
    None when they agree (SPEC §4.5)."""
    for name in sorted(set(l["fields"]) & set(r["fields"]), key=lambda n: n.encode("utf-8")):
        rdots = {tuple(s["dot"]): s for s in r["fields"][name]}
        for s in sorted(l["fields"][name], key=lambda s: dot_key(s["dot"])):
            other = rdots.get(tuple(s["dot"]))
            if other is not None and canonical(other) != canonical(s):
                return name
    rdots = {tuple(s["dot"]): s for s in (r.get("lifecycle") or [])}
    for s in l.get("lifecycle") or []:
        other = rdots.get(tuple(s["dot"]))
        if other is not None and canonical(normalize_sibling(other)) != canonical(normalize_sibling(s)):
            return "lifecycle"
    if canon_clock(l["clock"]) == canon_clock(r["clock"]) and normalize(l) != normalize(r):
        return "record"
    return None

def normalize_sibling(s):
    s = dict(s)
    if "seen" in s:
        s["seen"] = canon_clock(s["seen"])
    return s

def merge(l, r):
    assert (l["id"], l["type"], l["branch"]) == (r["id"], r["type"], r["branch"])
    lc, rc = canon_clock(l["clock"]), canon_clock(r["clock"])
    fields = {}
    for name in set(l["fields"]) | set(r["fields"]):
        reg = merge_register(l["fields"].get(name, []), lc, r["fields"].get(name, []), rc)
        if reg:
            fields[name] = reg
    out = {"id": l["id"], "type": l["type"], "branch": l["branch"], "clock": merge_clock(lc, rc), "fields": fields}
    life = merge_register(l.get("lifecycle") or [], lc, r.get("lifecycle") or [], rc)
    if life:
        out["lifecycle"] = life
    return out

def conflicts(rec):
    out = sorted((n for n, reg in rec["fields"].items() if in_conflict(reg)), key=lambda n: n.encode("utf-8"))
    life = rec.get("lifecycle") or []
    deletes = [s for s in life if s["deleted"]]
    if deletes:
        if len(deletes) != len(life):
            out.append("lifecycle")
        else:
            seen = {}
            for s in deletes:
                seen = merge_clock(seen, s["seen"])
            if any(not covers(seen, s["dot"]) for reg in rec["fields"].values() for s in reg):
                out.append("lifecycle")
    return out

def normalize(rec):
    r = json.loads(json.dumps(rec))
    r["clock"] = canon_clock(r["clock"])
    r["fields"] = {n: sorted(reg, key=lambda s: dot_key(s["dot"])) for n, reg in r["fields"].items()}
    life = sorted(r.get("lifecycle") or [], key=lambda s: dot_key(s["dot"]))
    r.pop("lifecycle", None)
    if life:
        for s in life:
            if "seen" in s:
                s["seen"] = canon_clock(s["seen"])
        r["lifecycle"] = life
    return r

# ---- limits and hybrid clocks (SPEC §2.5, §14) ----

HLC_MAX_MILLIS = 253402300799999        # 9999-12-31T23:59:59.999Z
MAX_LOGICAL = 4294967295
MAX_COUNTER = 2**63 - 1
MAX_CLOCK_ENTRIES, MAX_FIELDS, MAX_SIBLINGS, MAX_RECORD_BYTES = 256, 64, 64, 256 * 1024

def hlc_in_range(hlc):
    return 0 <= hlc[0] <= HLC_MAX_MILLIS and 0 <= hlc[1] <= MAX_LOGICAL

def limit_problem(rec):
    """The first §14 limit an envelope breaks (a short description), or None."""
    if len(rec["clock"]) > MAX_CLOCK_ENTRIES:
        return "clock"
    if len(rec["fields"]) > MAX_FIELDS:
        return "fields"
    for name in sorted(rec["fields"], key=lambda n: n.encode("utf-8")):
        if len(rec["fields"][name]) > MAX_SIBLINGS:
            return "fields." + name
    life = rec.get("lifecycle") or []
    if len(life) > MAX_SIBLINGS:
        return "lifecycle"
    if any(len(s.get("seen") or {}) > MAX_CLOCK_ENTRIES for s in life):
        return "seen"
    if len(canonical(normalize(rec))) > MAX_RECORD_BYTES:
        return "size"
    return None

def hlc_now(last, wall):
    """The next timestamp after `last` (SPEC §2.5): never outside the range, never overflowing."""
    wall = min(max(wall, 0), HLC_MAX_MILLIS)
    if not 0 <= last[0] <= HLC_MAX_MILLIS:
        last = [0, 0]
    if wall > last[0]:
        return [wall, 0]
    if last[1] < MAX_LOGICAL:
        return [last[0], last[1] + 1]
    if last[0] < HLC_MAX_MILLIS:
        return [last[0] + 1, 0]
    return list(last)

def hlc_observe(last, t, wall, drift=3_600_000):
    """`last` after seeing a remote timestamp `t` (ignored when out of range or too far ahead)."""
    if not 0 <= t[0] <= HLC_MAX_MILLIS or t[0] > wall + drift:
        return list(last)
    if not 0 <= last[0] <= HLC_MAX_MILLIS or tuple(t) > tuple(last):
        return list(t)
    return list(last)

def increment(clock, node):
    """The clock after a write by `node`, and the write's dot; ValueError when the counter is exhausted."""
    counter = clock.get(node, 0)
    if counter >= MAX_COUNTER:
        raise ValueError(f"counter of {node} exhausted")
    out = dict(clock)
    out[node] = counter + 1
    return out, [node, counter + 1]
