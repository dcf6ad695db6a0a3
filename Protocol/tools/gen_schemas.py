#!/usr/bin/env python3
"""Writes Protocol/schemas/*.schema.json (JSON Schema draft 2020-12).

The entity tables below are a transcription of Sources/OutpostModel/Schema/EntitySchema+Definitions.swift;
ProtocolVectorTests.swift checks that every entity schema lists exactly the Swift fields and required set.
"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "schemas")
BASE = "https://outpost.invalid/protocol/v1/schemas/"
D = "https://json-schema.org/draft/2020-12/schema"

UUID_LOWER = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
UUID_ANY = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
NODE = "^[A-Za-z0-9_-]{1,64}$"
BRANCH = "^[A-Za-z0-9_-]{1,32}$"
TIMESTAMP = ("^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
             "(\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
PHONE = "^(?=(?:[^0-9]*[0-9]){3,20}[^0-9]*$)[0-9 +()-]{1,32}$"
EMAIL = "^[^@ \\t\\n]+@[^@ \\t\\n.](?:[^@ \\t\\n]*\\.[^@ \\t\\n]*)[^@ \\t\\n.]$"
CREDIT_CODE = "^[0-9A-HJ-NPQRTUWXY]{18}$"
SURVEY_KEY = "^[a-z][a-z0-9_-]{0,31}$"
INT64_MAX = 9223372036854775807

def text(n): return ("text", n)
def code(n): return ("code", n)
def one_of(*v): return ("oneOf", list(v))
TIERS = ["core", "important", "potential", "general"]
VISIT_METHODS = ["onsite", "phone", "email", "video"]
COMPLAINT_CATEGORIES = ["responsible-major", "responsible-general", "not-responsible", "assist"]

# (name, kind, required, description) — same order as the Swift definitions.
ENTITIES = {
    "customer": ("A customer file: unique code, kind, tier, owner and commercial facts.", [
        ("code", code(32), True, "Unique customer code, e.g. C-0001"),
        ("name", text(200), True, "Registered name"),
        ("kind", one_of("enterprise", "individual", "channel-partner", "tenant"), True, "Kind of customer"),
        ("tier", ("oneOf", TIERS), True, "Tier; sets the contact cadence"),
        ("industry", text(100), False, "Industry"),
        ("address", text(500), False, "Postal address"),
        ("region", text(100), False, "Sales region within the branch"),
        ("owner", text(100), False, "User name of the responsible salesperson (decides who sees the customer)"),
        ("sharedWith", ("userList", 20), False, "Other users who may read and write the customer"),
        ("status", one_of("prospect", "active", "dormant", "lost"), False, "Relationship status"),
        ("creditRating", one_of("A", "B", "C", "D"), False, "Credit rating, A best"),
        ("annualPurchase", ("decimal", 0, 10**13), False, "Annual purchase amount"),
        ("notes", text(4000), False, "Free notes"),
        ("creditCode", ("creditCode",), False, "Unified social credit code (统一社会信用代码)"),
        ("margin", ("decimal", -1, 1), False, "Gross margin as a fraction, e.g. 0.18 (tier input)"),
        ("cooperationSince", ("timestamp",), False, "When cooperation began (years of cooperation; customers at the start of a month)"),
        ("lostAt", ("timestamp",), False, "When the customer was lost (retention)"),
        ("mergedInto", ("reference", "customer"), False, "On a merged duplicate: the customer it was merged into (§6.6)"),
    ]),
    "contact": ("A person at a customer.", [
        ("customer", ("reference", "customer"), True, "The customer's record id"),
        ("name", text(200), True, "Full name"),
        ("title", text(100), False, "Job title"),
        ("phones", ("phoneList", 5), False, "Phone numbers"),
        ("email", ("email",), False, "E-mail address"),
        ("decisionMaker", ("boolean",), False, "Takes purchase decisions"),
    ]),
    "visit": ("A planned or completed visit.", [
        ("customer", ("reference", "customer"), True, "The customer's record id"),
        ("plannedAt", ("timestamp",), False, "Planned time"),
        ("actualAt", ("timestamp",), False, "Actual time (set when the visit took place)"),
        ("method", ("oneOf", VISIT_METHODS), True, "How the visit is made"),
        ("purpose", text(500), False, "Purpose"),
        ("summary", text(4000), False, "What happened"),
        ("outcome", text(1000), False, "Outcome"),
        ("nextStep", text(1000), False, "Agreed next step"),
        ("satisfaction", ("integer", 1, 5), False, "Customer satisfaction, 1 (poor) to 5 (excellent)"),
        ("materials", text(1000), False, "Materials to bring (plan)"),
        ("needs", text(2000), False, "Customer needs heard (report)"),
        ("valueDelivered", text(2000), False, "Value delivered (report)"),
        ("problemsSolved", text(2000), False, "Problems solved (report)"),
        ("checkIn", text(100), False, "Optional check-in location, e.g. 31.2304,121.4737"),
        ("survey", ("scores", 1, 5, 20), False, "Satisfaction survey: score 1 (poor) to 5 (excellent) per question of the policy document"),
    ]),
    "complaint": ("A complaint received from a customer.", [
        ("customer", ("reference", "customer"), True, "The customer's record id"),
        ("receivedAt", ("timestamp",), True, "When the complaint was received"),
        ("channel", one_of("phone", "email", "onsite", "letter", "web", "other"), True, "How it arrived"),
        ("complainant", text(200), False, "Who complained"),
        ("content", text(4000), True, "What the complaint says"),
        ("category", ("oneOf", COMPLAINT_CATEGORIES), True, "Responsibility category; sets the deadline"),
        ("status", one_of("open", "in-progress", "resolved", "closed"), True, "Handling status"),
        ("resolution", text(4000), False, "How it was resolved"),
        ("complainants", ("integer", 1, 100000), False, "How many people complain about the same matter (5 or more: collective, major)"),
        ("onSite", ("boolean",), False, "For assist: the matter is inside the site (same day) or outside (3 working days)"),
        ("requestedBy", ("timestamp",), False, "Date the customer asked for a general complaint to be handled by"),
        ("resolvedAt", ("timestamp",), False, "When handling was completed (on-time rate)"),
        ("revisitedAt", ("timestamp",), False, "When the customer was revisited after handling (revisit rate)"),
    ]),
}

def kind_schema(kind, required, description):
    k = kind[0]
    nullable = not required
    def t(base):
        return [base, "null"] if nullable else base
    if k == "text":
        s = {"type": t("string"), "maxLength": kind[1],
             "description": f"{description}. Text, at most {kind[1]} characters (the server counts user-perceived characters, "
                            "i.e. extended grapheme clusters; maxLength here counts code points and is therefore never more lenient)."}
    elif k == "code":
        s = {"type": t("string"), "pattern": f"^[A-Za-z0-9._-]{{1,{kind[1]}}}$",
             "description": f"{description}. Code: 1–{kind[1]} ASCII letters, digits, '-', '_' or '.'."}
    elif k == "oneOf":
        s = {"enum": kind[1] + ([None] if nullable else []), "description": f"{description}. One of: {', '.join(kind[1])}."}
    elif k == "integer":
        s = {"type": t("integer"), "minimum": kind[1], "maximum": kind[2],
             "description": f"{description}. Whole number {kind[1]}–{kind[2]}, written without fraction or exponent."}
    elif k == "decimal":
        s = {"type": t("number"), "minimum": kind[1], "maximum": kind[2],
             "description": f"{description}. Number {kind[1]}–{kind[2]} inclusive (integer or decimal)."}
    elif k == "boolean":
        s = {"type": t("boolean"), "description": f"{description}. true or false."}
    elif k == "timestamp":
        s = {"type": t("string"), "pattern": TIMESTAMP,
             "description": f"{description}. RFC 3339 date-time, e.g. 2026-11-24T09:30:00Z (the day must exist in its month; "
                            "second 60 is refused; send UTC with 'Z')."}
    elif k == "reference":
        s = {"type": t("string"), "pattern": UUID_LOWER,
             "description": f"{description}. Record id (lowercase UUID) of a {kind[1]}; existence is not checked."}
    elif k == "email":
        s = {"type": t("string"), "maxLength": 254, "pattern": EMAIL,
             "description": f"{description}. One '@', non-empty local part, a domain containing '.' that neither starts "
                            "nor ends with '.', no spaces, tabs or line feeds, at most 254 characters."}
    elif k == "phoneList":
        s = {"type": t("array"), "maxItems": kind[1],
             "items": {"type": "string", "pattern": PHONE,
                       "description": "3–20 digits, plus spaces, '+', '-', '(' and ')'; at most 32 characters."},
             "description": f"{description}. At most {kind[1]} phone numbers."}
    elif k == "userList":
        s = {"type": t("array"), "maxItems": kind[1], "uniqueItems": True,
             "items": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$",
                       "description": "A user name: 1–64 ASCII letters, digits, '.', '-' or '_'."},
             "description": f"{description}. At most {kind[1]} distinct user names."}
    elif k == "creditCode":
        s = {"type": t("string"), "pattern": CREDIT_CODE,
             "description": f"{description}. 18 characters of 0-9 and A-Y without I, O, S, V and Z, upper case; the "
                            "last is the GB 32100-2015 check character (31 minus the weighted sum of the first 17 "
                            "character values, weights 3^i mod 31, modulo 31), which this pattern cannot check."}
    elif k == "scores":
        s = {"type": t("object"), "minProperties": 1, "maxProperties": kind[3],
             "propertyNames": {"pattern": SURVEY_KEY},
             "additionalProperties": {"type": "integer", "minimum": kind[1], "maximum": kind[2]},
             "description": f"{description}. Object of 1–{kind[3]} answers: question key (1–32 lowercase ASCII letters, digits, "
                            f"'-' or '_', starting with a letter) → whole number {kind[1]}–{kind[2]}. Devices only record "
                            "questions their policy document asks (satisfaction.questions); the server accepts any well-formed key."}
    else:
        raise ValueError(k)
    return s

def write(name, doc):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")

for entity, (summary, fields) in ENTITIES.items():
    write(f"{entity}.schema.json", {
        "$schema": D, "$id": BASE + f"{entity}.schema.json",
        "title": f"{entity} field values",
        "description": f"{summary} The values of a {entity} record's fields (one value per field, e.g. the provisional "
                       "winners, or the fields one edit writes). `required` lists the fields a live (not deleted) "
                       "record must hold; an edit may write any subset. null clears an optional field; a required "
                       "field never holds null.",
        "type": "object",
        "properties": {n: kind_schema(k, r, d) for n, k, r, d in fields},
        "required": [n for n, k, r, d in fields if r],
        "additionalProperties": False,
    })

write("clock.schema.json", {
    "$schema": D, "$id": BASE + "clock.schema.json", "title": "Vector clock",
    "description": "Node id → number of that node's writes seen. Absent nodes count as 0; senders omit zero entries "
                   "(receivers ignore them). Counters are JSON integers (no fraction, no exponent) up to 2^63-1. "
                   "At most 256 entries (SPEC §14).",
    "type": "object",
    "maxProperties": 256,
    "propertyNames": {"pattern": NODE},
    "additionalProperties": {"type": "integer", "minimum": 0, "maximum": INT64_MAX},
})

dot = {"type": "array", "prefixItems": [{"type": "string", "pattern": NODE},
                                        {"type": "integer", "minimum": 1, "maximum": INT64_MAX}],
       "minItems": 2, "maxItems": 2, "description": "[node id, counter]: the counter-th write of that node to this record."}
hlc = {"type": "array", "prefixItems": [{"type": "integer", "minimum": 0, "maximum": 253402300799999},
                                        {"type": "integer", "minimum": 0, "maximum": 4294967295}],
       "minItems": 2, "maxItems": 2,
       "description": "[wall-clock milliseconds since 1970 UTC, at most 253402300799999 (end of year 9999), logical counter]."}

entity_conditions = []
for entity, (summary, fields) in ENTITIES.items():
    entity_conditions.append({
        "if": {"properties": {"type": {"const": entity}}, "required": ["type"]},
        "then": {"properties": {"fields": {
            "propertyNames": {"enum": [n for n, *_ in fields]},
            "properties": {n: {"items": {"properties": {"value": {"$ref": f"{entity}.schema.json#/properties/{n}"}}}}
                           for n, *_ in fields},
        }}},
    })

write("record.schema.json", {
    "$schema": D, "$id": BASE + "record.schema.json", "title": "Record envelope",
    "description": "One version of one record, as pushed, pulled and stored. Beyond this schema a receiver checks: "
                   "every dot (field and lifecycle siblings) is covered by `clock`; no register holds two siblings with "
                   "the same dot; the record's canonical JSON is at most 256 KiB (SPEC §14). Push additionally validates values against the entity schema and, for a live record, "
                   "the presence of required fields.",
    "type": "object",
    "required": ["id", "type", "branch", "clock", "fields"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": UUID_ANY,
               "description": "Record id: a UUID made by the creating device. Accepted in any case; always sent lowercase."},
        "type": {"enum": list(ENTITIES), "description": "Entity type; fixed at creation."},
        "branch": {"type": "string", "pattern": BRANCH, "description": "Branch code; fixed at creation; decides access."},
        "clock": {"$ref": "clock.schema.json", "description": "Every write merged into this version."},
        "fields": {
            "type": "object",
            "maxProperties": 64,
            "description": "Field name → register: the surviving writes (siblings) of that field. One sibling normally; "
                           "several when concurrent writes are unresolved (a conflict). Fields never written are absent. "
                           "At most 64 fields (SPEC §14).",
            "additionalProperties": {"$ref": "#/$defs/register"},
        },
        "lifecycle": {
            "type": ["array", "null"],
            "maxItems": 64,
            "description": "Delete/restore writes (a register). Absent for a record never deleted; null and [] mean the same.",
            "items": {"$ref": "#/$defs/lifecycleSibling"},
        },
    },
    "allOf": entity_conditions,
    "$defs": {
        "dot": dot,
        "hlc": hlc,
        "register": {"type": "array", "minItems": 1, "maxItems": 64, "items": {"$ref": "#/$defs/fieldSibling"}},
        "fieldSibling": {
            "type": "object", "required": ["dot", "hlc", "value"], "additionalProperties": False,
            "properties": {"dot": {"$ref": "#/$defs/dot"}, "hlc": {"$ref": "#/$defs/hlc"},
                           "value": {"description": "The value written (any JSON value; null clears an optional field)."}},
        },
        "lifecycleSibling": {
            "oneOf": [
                {"type": "object", "required": ["dot", "hlc", "deleted", "seen"], "additionalProperties": False,
                 "description": "A delete, made by a writer whose record clock (including the delete's own dot) was `seen`.",
                 "properties": {"dot": {"$ref": "#/$defs/dot"}, "hlc": {"$ref": "#/$defs/hlc"},
                                "deleted": {"const": True}, "seen": {"$ref": "clock.schema.json"}}},
                {"type": "object", "required": ["dot", "hlc", "deleted"], "additionalProperties": False,
                 "description": "A restore (undelete).",
                 "properties": {"dot": {"$ref": "#/$defs/dot"}, "hlc": {"$ref": "#/$defs/hlc"}, "deleted": {"const": False}}},
            ],
        },
    },
})

write("push-request.schema.json", {
    "$schema": D, "$id": BASE + "push-request.schema.json", "title": "POST /v1/push request body",
    "type": "object", "required": ["batch", "node", "records"], "additionalProperties": False,
    "properties": {
        "batch": {"type": "string", "pattern": UUID_ANY,
                  "description": "Client-chosen UUID identifying this batch (idempotence key). Case-insensitive."},
        "node": {"type": "string", "pattern": NODE,
                 "description": "The pushing replica's own node id: new writes in the batch must be this node's (SPEC §10.5)."},
        "after": {"type": ["string", "null"], "pattern": UUID_ANY,
                  "description": "The batch id of this node's last acknowledged push; absent or null for its first push."},
        "relay": {"type": "boolean",
                  "description": "true for a server relaying its own clients' writes upstream (roles hq, admin, manager): "
                                 "writes under other nodes are accepted. Omit otherwise."},
        "recoveringFrom": {"type": "string", "pattern": NODE,
                           "description": "During a recovery sync after a server restore (SPEC §11.1): the epoch the client "
                                          "last synced in. Writes under other nodes the server lacks are then accepted."},
        "records": {"type": "array", "maxItems": 1000, "items": {"$ref": "record.schema.json"},
                    "description": "0–1000 full envelopes; record ids must be distinct (compared case-insensitively)."},
    },
})

write("diff-request.schema.json", {
    "$schema": D, "$id": BASE + "diff-request.schema.json", "title": "POST /v1/diff request body",
    "description": "Which of these record versions hold writes the server lacks? (recovery sync, SPEC §9.4)",
    "type": "object", "required": ["records"], "additionalProperties": False,
    "properties": {
        "records": {"type": "array", "maxItems": 1000, "description": "0–1000 entries: a record id and the clock of the client's version.",
                    "items": {"type": "object", "required": ["id", "clock"], "additionalProperties": False,
                              "properties": {"id": {"type": "string", "pattern": UUID_ANY, "description": "Record id."},
                                             "clock": {"$ref": "clock.schema.json", "description": "The client's version's clock."}}}},
    },
})

write("diff-response.schema.json", {
    "$schema": D, "$id": BASE + "diff-response.schema.json", "title": "POST /v1/diff response body (200)",
    "type": "object", "required": ["missing"], "additionalProperties": False,
    "properties": {
        "missing": {"type": "array", "items": {"type": "string", "pattern": UUID_ANY},
                    "description": "Ids (lowercase, in request order) whose given clock holds a write the server's version "
                                   "has not seen, or that the server does not hold; only records the caller may read."},
    },
})

DATE = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
CALENDAR = {
    "type": "object", "additionalProperties": False,
    "description": "A working calendar. Members left out take the default calendar's values.",
    "properties": {
        "timeZone": {"type": "string", "description": "IANA time zone, e.g. Asia/Shanghai (default)."},
        "weekend": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 7}, "uniqueItems": True,
                    "description": "ISO weekdays off (1 = Monday … 7 = Sunday); default [6, 7]."},
        "holidays": {"type": "array", "items": {"type": "string", "pattern": DATE}, "description": "Public holidays, YYYY-MM-DD."},
        "workdays": {"type": "array", "items": {"type": "string", "pattern": DATE},
                     "description": "Make-up working days (worked even on the weekend), YYYY-MM-DD."},
    },
}
STEP = {
    "type": "object", "required": ["step", "days"], "additionalProperties": False,
    "properties": {
        "step": {"type": "string", "description": "What must be done, e.g. notify-manager, report-hq, resolve, identify."},
        "days": {"type": "integer", "minimum": 0, "maximum": 366, "description": "Days after the day received; 0 = the same day."},
        "working": {"type": "boolean", "description": "Count working days of the branch calendar (default true) or calendar days."},
    },
}
def number(description, minimum=None, maximum=None):
    s = {"type": "number", "description": description}
    if minimum is not None: s["minimum"] = minimum
    if maximum is not None: s["maximum"] = maximum
    return s
write("policy.schema.json", {
    "$schema": D, "$id": BASE + "policy.schema.json", "title": "Policy document (GET /v1/policy, outpost-server policy set)",
    "description": "The company's policies (SPEC §6.6). Every member is optional and defaults to the published number. "
                   "`outpost-server policy set` refuses unknown members; devices ignore members they do not know.",
    "type": "object", "additionalProperties": False,
    "properties": {
        "format": {"type": "integer", "minimum": 1, "description": "Document format (1)."},
        "version": {"type": "integer", "minimum": 0, "description": "Set by the server: 0 = built-in defaults, +1 per policy set."},
        "codes": {"type": "object", "additionalProperties": False, "properties": {
            "scheme": {"type": "string", "description": "Customer code pattern with {branch}, {yyyy}, {yy} and exactly one {seq} or {seq:0N}; default {branch}-{yyyy}-{seq:05}."},
            "blockSize": {"type": "integer", "minimum": 1, "maximum": 10000, "description": "Codes per lease (default 50)."},
        }},
        "cadence": {"type": "object", "additionalProperties": False, "properties": {
            "intervalDays": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 3660},
                             "description": "Days between contacts per tier (core 30, important 60, potential 90, general 90)."},
            "keyTiers": {"type": "array", "items": {"type": "string"}, "description": "Tiers of key customers (core)."},
            "keyContactsPerMonth": {"type": "integer", "minimum": 0, "description": "Effective contacts per active key customer per month (2)."},
            "prospectFollowUpsPerMonth": {"type": "integer", "minimum": 0, "description": "Follow-ups per prospect per month (1)."},
        }},
        "complaints": {"type": "object", "additionalProperties": False, "properties": {
            "deadlines": {"type": "object", "additionalProperties": {"type": "array", "minItems": 1, "items": STEP},
                          "description": "Steps per category (and assist-outside); the last step is the complaint's deadline."},
            "collectiveComplainants": {"type": "integer", "minimum": 2, "description": "Complainants making a complaint collective, hence major (5)."},
            "escalateAfterMonths": {"type": "integer", "minimum": 1, "description": "Months after which an unresolved responsible complaint becomes major (1)."},
            "revisitWorkingDays": {"type": "integer", "minimum": 0, "description": "Working days after handling to revisit the customer (2)."},
        }},
        "calendars": {"type": "object", "additionalProperties": False, "properties": {
            "default": CALENDAR,
            "branches": {"type": "object", "propertyNames": {"pattern": BRANCH}, "additionalProperties": CALENDAR,
                         "description": "Calendars of branches that differ from the default."},
        }},
        "tiers": {"type": "object", "additionalProperties": False, "properties": {
            "classAShare": number("Cumulative share of a branch's annual purchase in class A (0.75).", 0, 1),
            "classABShare": number("Cumulative share in classes A and B (0.95).", 0, 1),
            "highValueAnnualPurchase": number("High-value threshold (50000).", 0),
            "currency": {"type": "string", "description": "Currency of amounts (CNY)."},
            "tierForClass": {"type": "object", "additionalProperties": {"enum": TIERS}, "description": "Tier proposed per ABC class."},
            "loyaltyYears": number("Years of cooperation that, with loyaltyMargin, lift a proposal one tier (5).", 0),
            "loyaltyMargin": number("Margin that, with loyaltyYears, lifts a proposal one tier (0.25).", -1, 1),
        }},
        "satisfaction": {"type": "object", "additionalProperties": False, "properties": {
            "questions": {"type": "array", "minItems": 1, "maxItems": 20,
                          "description": "The survey's questions in the order asked (default: service, quality, timeliness, communication). "
                                         "Keys are unique; visits store answers under them.",
                          "items": {"type": "object", "additionalProperties": False, "required": ["key", "label"], "properties": {
                              "key": {"type": "string", "pattern": SURVEY_KEY, "description": "Question key, e.g. service."},
                              "label": {"type": "object", "additionalProperties": False, "required": ["en", "zh"], "properties": {
                                  "en": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The question in English."},
                                  "zh": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The question in Chinese."},
                              }},
                          }}},
            "good": number("Average at or above which satisfaction is good (4.0).", 1, 5),
            "improvementBelow": number("Average below which an improvement plan is required (3.5).", 1, 5),
        }},
        "reports": {"type": "object", "additionalProperties": False, "properties": {
            "retentionTargetMin": number("Lowest acceptable retention (0.80).", 0, 1),
            "retentionTargetMax": number("Retention aimed for (0.90).", 0, 1),
            "complaintRateTarget": number("Complaint rate to stay under (0.05).", 0, 1),
        }},
    },
})

write("code-lease-request.schema.json", {
    "$schema": D, "$id": BASE + "code-lease-request.schema.json", "title": "POST /v1/codes/lease request body",
    "type": "object", "required": ["lease", "branch", "year"], "additionalProperties": False,
    "properties": {
        "lease": {"type": "string", "pattern": UUID_ANY, "description": "Client-chosen lease id; a repeated id returns the same block."},
        "branch": {"type": "string", "pattern": BRANCH, "description": "Branch the codes are for (the caller must be allowed to write it)."},
        "year": {"type": "integer", "minimum": 2000, "maximum": 9999, "description": "Year of the codes (local year of the branch calendar)."},
    },
})

write("code-block.schema.json", {
    "$schema": D, "$id": BASE + "code-block.schema.json", "title": "POST /v1/codes/lease response body (200)",
    "type": "object", "required": ["lease", "branch", "year", "first", "last", "scheme"], "additionalProperties": False,
    "properties": {
        "lease": {"type": "string", "description": "The lease id (lowercase)."},
        "branch": {"type": "string", "pattern": BRANCH},
        "year": {"type": "integer", "minimum": 0, "description": "The series' year; 0 when the scheme has no year."},
        "first": {"type": "integer", "minimum": 1, "maximum": INT64_MAX, "description": "First sequence number leased."},
        "last": {"type": "integer", "minimum": 1, "maximum": INT64_MAX, "description": "Last sequence number leased (inclusive)."},
        "scheme": {"type": "string", "description": "The code scheme to format the numbers with."},
    },
})

write("authors.schema.json", {
    "$schema": D, "$id": BASE + "authors.schema.json", "title": "GET /v1/authors response body (200)",
    "type": "object", "required": ["authors"], "additionalProperties": False,
    "properties": {
        "authors": {"type": "object", "propertyNames": {"pattern": NODE}, "additionalProperties": {"type": "string"},
                    "description": "Node id → user name of the user the node is enrolled for, for users whose home branch "
                                   "the caller may read (every user for admin, hq and auditor)."},
    },
})

write("push-response.schema.json", {
    "$schema": D, "$id": BASE + "push-response.schema.json", "title": "POST /v1/push response body (200)",
    "type": "object", "required": ["batch", "results"], "additionalProperties": False,
    "properties": {
        "batch": {"type": "string", "description": "The batch id (lowercase UUID)."},
        "results": {"type": "array", "description": "One result per pushed record, in request order.", "items": {
            "type": "object", "required": ["id", "status", "seq"], "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": UUID_ANY, "description": "Record id (lowercase)."},
                "status": {"enum": ["accepted", "merged", "conflict"],
                           "description": "accepted: the server had nothing the pushed version had not seen; merged: "
                                          "concurrent writes merged without conflict; conflict: the merged version holds conflicts."},
                "seq": {"type": "integer", "minimum": 1, "maximum": INT64_MAX,
                        "description": "The server sequence number of the record's stored version after this push."},
            }}},
    },
})

write("pull-page.schema.json", {
    "$schema": D, "$id": BASE + "pull-page.schema.json", "title": "GET /v1/pull response body (200)",
    "type": "object", "required": ["records", "cursor", "hasMore"], "additionalProperties": False,
    "properties": {
        "records": {"type": "array", "items": {"$ref": "record.schema.json"},
                    "description": "Current merged versions of changed records in the caller's read scope, in server sequence order."},
        "cursor": {"type": "string", "description": "Opaque; send it as ?cursor= on the next pull (SPEC §11)."},
        "hasMore": {"type": "boolean", "description": "true: more changes wait, pull again at once with `cursor`."},
    },
})

write("session.schema.json", {
    "$schema": D, "$id": BASE + "session.schema.json", "title": "GET /v1/session response body (200)",
    "type": "object",
    "required": ["user", "role", "branch", "serverId", "epoch", "protocolVersions", "maxBatchRecords", "maxPageRecords"],
    "additionalProperties": False,
    "properties": {
        "user": {"type": "string", "description": "The token owner's user name."},
        "role": {"enum": ["admin", "hq", "manager", "branch-admin", "sales", "auditor"], "description": "The user's role."},
        "branch": {"type": "string", "description": "The user's home branch."},
        "serverId": {"type": "string", "description": "Stable id of the server database; a change means cursors restart."},
        "epoch": {"type": "string", "pattern": NODE,
                  "description": "The server database's current epoch; it changes when the server is restored from a "
                                 "backup, and a client that last synced in another epoch runs a recovery sync (SPEC §11.1)."},
        "protocolVersions": {"type": "array", "items": {"type": "integer"}, "minItems": 1,
                             "description": "Protocol versions the server speaks."},
        "maxBatchRecords": {"type": "integer", "minimum": 1, "description": "Most records per push batch (1000)."},
        "maxPageRecords": {"type": "integer", "minimum": 1, "description": "Largest pull `limit` accepted (5000)."},
    },
})

write("error.schema.json", {
    "$schema": D, "$id": BASE + "error.schema.json", "title": "Error response body (every 4xx/5xx)",
    "description": "Clients must ignore members they do not know here (servers may add detail).",
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "description": "Stable machine-readable code, see SPEC.md 'Errors'.",
                     "examples": ["malformed_json", "invalid_request", "invalid_cursor", "unsupported_protocol",
                                  "unauthorized", "forbidden", "not_found", "method_not_allowed", "batch_reused",
                                  "node_reused", "dot_reused", "recovery_required", "scope_changed", "body_too_large",
                                  "record_too_large", "headers_too_large", "invalid_record", "record_mismatch",
                                  "clock_ahead", "internal", "unavailable"]},
            "message": {"type": "string", "description": "A sentence for the person using the client."},
            "details": {"type": "array", "items": {
                "type": "object", "required": ["message"],
                "properties": {
                    "message": {"type": "string", "description": "What is wrong."},
                    "path": {"type": "string", "description": "JSON path in the request body, e.g. $.records[3].fields.tier"},
                    "record": {"type": "string", "description": "Record id concerned."},
                    "field": {"type": "string", "description": "Field concerned."},
                }}},
        }}},
})
print("schemas written")
