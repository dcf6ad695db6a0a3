#!/usr/bin/env python3
"""Validates Protocol/: schemas are valid draft 2020-12, examples and vector envelopes match their
schemas, negative samples are refused, vectors pass the reference checker, openapi.yaml is valid 3.0.3.
Run from anywhere: python3 Protocol/tools/validate.py"""
import json, os, subprocess, sys
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
failures = 0

def load(*p):
    with open(os.path.join(ROOT, *p)) as f:
        return json.load(f)

schemas = {}
for name in sorted(os.listdir(os.path.join(ROOT, "schemas"))):
    s = load("schemas", name)
    Draft202012Validator.check_schema(s)
    schemas[name] = s
registry = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in schemas.values()])

def validator(name):
    return Draft202012Validator(schemas[name], registry=registry)

def check(name, instance, label, expect_valid=True):
    global failures
    errors = list(validator(name).iter_errors(instance))
    if expect_valid and errors:
        failures += 1
        print(f"FAIL {label}: {errors[0].json_path}: {errors[0].message[:200]}")
    elif not expect_valid and not errors:
        failures += 1
        print(f"FAIL {label}: expected to be refused by {name}")
    else:
        print(f"ok   {label}")

EXAMPLES = {
    "push-request.json": "push-request.schema.json", "push-response.json": "push-response.schema.json",
    "pull-page.json": "pull-page.schema.json", "session.json": "session.schema.json",
    "diff-request.json": "diff-request.schema.json", "diff-response.json": "diff-response.schema.json",
    "authors.json": "authors.schema.json", "policy.json": "policy.schema.json",
    "code-lease-request.json": "code-lease-request.schema.json", "code-block.json": "code-block.schema.json",
}
for name in sorted(os.listdir(os.path.join(ROOT, "examples"))):
    schema = EXAMPLES.get(name, "error.schema.json" if name.startswith("error-") else None)
    if schema is None:
        failures += 1
        print("FAIL no schema for example", name)
        continue
    check(schema, load("examples", name), f"examples/{name}")

merge = load("vectors", "merge.json")
for case in merge["cases"]:
    for side in ("left", "right", "expected"):
        check("record.schema.json", case[side], f"vectors/merge.json {case['name']} {side}")
for case in load("vectors", "complaint-deadlines.json")["cases"]:
    check("policy.schema.json", case["policy"], f"vectors/complaint-deadlines.json {case['name']} policy")
    fields = dict(case["fields"], customer="00000000-0000-4000-8000-000000000009", channel="phone", content="x")
    check("complaint.schema.json", fields, f"vectors/complaint-deadlines.json {case['name']} fields")
for case in load("vectors", "clock-compare.json")["cases"]:
    for side in ("left", "right", "merged"):
        check("clock.schema.json", case[side], f"vectors/clock-compare.json {case['name']} {side}")

# Negative samples: things the Swift decoder / validator refuses must be refused by the schemas too.
base = load("examples", "push-request.json")["records"][0]
def variant(mutate):
    r = json.loads(json.dumps(base))
    mutate(r)
    return r
negatives = {
    "unknown envelope member": lambda r: r.update(extra=1),
    "unknown customer field": lambda r: r["fields"].update(colour=[{"dot": ["7f3a9c2e1b4d6a80", 1], "hlc": [1, 0], "value": "red"}]),
    "tier outside enum": lambda r: r["fields"]["tier"][0].update(value="gold"),
    "null in required field": lambda r: r["fields"]["name"][0].update(value=None),
    "empty register": lambda r: r["fields"].update(name=[]),
    "dot counter zero": lambda r: r["fields"]["name"][0].update(dot=["7f3a9c2e1b4d6a80", 0]),
    "bad node id": lambda r: r["clock"].update({"node id": 1}),
    "negative clock counter": lambda r: r["clock"].update({"x": -1}),
    "fractional clock counter": lambda r: r["clock"].update({"x": 1.5}),
    "unknown sibling member": lambda r: r["fields"]["name"][0].update(author="me"),
    "restore with seen": lambda r: r.update(lifecycle=[{"dot": ["7f3a9c2e1b4d6a80", 2], "hlc": [1, 0], "deleted": False, "seen": {}}]),
    "delete without seen": lambda r: r.update(lifecycle=[{"dot": ["7f3a9c2e1b4d6a80", 2], "hlc": [1, 0], "deleted": True}]),
    "bad branch": lambda r: r.update(branch="Bei Jing"),
    "unknown type": lambda r: r.update(type="lead"),
    "code too long": lambda r: r["fields"]["code"][0].update(value="C" * 33),
    "decimal too large": lambda r: r["fields"]["annualPurchase"][0].update(value=1e14),
}
for label, mutate in negatives.items():
    check("record.schema.json", variant(mutate), f"negative: {label}", expect_valid=False)
check("visit.schema.json", {"customer": "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "method": "phone"},
      "negative: uppercase reference", expect_valid=False)
check("visit.schema.json", {"customer": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "method": "phone", "plannedAt": "2026-13-01T00:00:00Z"},
      "negative: month 13", expect_valid=False)
check("contact.schema.json", {"customer": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "name": "X", "phones": ["12"]},
      "negative: phone with 2 digits", expect_valid=False)
check("contact.schema.json", {"customer": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "name": "X", "email": "a@b."},
      "negative: email ending with a dot", expect_valid=False)
check("contact.schema.json", {"customer": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "name": "X", "email": "x.y@example.com",
                              "phones": ["+86 (10) 5555-0101"], "title": None},
      "positive: contact with email, phones and a cleared title")
check("visit.schema.json", {"customer": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "method": "phone", "survey": {"service": 5, "quality": 4}},
      "positive: visit with a survey")
for label, survey in {"score 0": {"service": 0}, "score 6": {"service": 6}, "fractional score": {"service": 4.5},
                      "score as text": {"service": "5"}, "upper-case key": {"Service": 5}, "no answers": {},
                      "21 answers": {f"q{i}": 3 for i in range(21)}}.items():
    check("visit.schema.json", {"customer": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "method": "phone", "survey": survey}, f"negative: survey {label}", expect_valid=False)
check("push-request.schema.json", {"batch": "5f0c2d1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f", "records": [base] * 1001},
      "negative: 1001 records", expect_valid=False)

# OpenAPI
from openapi_spec_validator import validate
try:
    validate(yaml.safe_load(open(os.path.join(ROOT, "openapi.yaml"))))
    print("ok   openapi.yaml is valid OpenAPI 3.0.3")
except Exception as e:  # noqa
    failures += 1
    print("FAIL openapi.yaml:", str(e)[:500])

rc = subprocess.call([sys.executable, os.path.join(ROOT, "tools", "check_vectors.py")])
failures += rc != 0
print("validation", "FAILED" if failures else "passed", f"({failures} failures)")
sys.exit(1 if failures else 0)
