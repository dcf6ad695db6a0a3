#!/usr/bin/env python3
"""A minimal Outpost client written from Protocol/SPEC.md alone, in plain Python (standard library
only): in-memory replicas with an outbox, local writes (§4.3), push with batch ids (§10), pull with
cursors (§11) and the merge rules (§4, outpost_reference.py).

It shows that another team can build a client from the spec, and it is the other-language peer in
the Swift end-to-end tests (Tests/OutpostEndToEndTests/ReferenceClientTests.swift):

    python3 Protocol/tools/reference_client.py selftest --server http://127.0.0.1:8080 --token TOKEN

`selftest` plays two devices of one user (a manager, who may delete) against a running server:
concurrent edits to the same and to different fields, a delete racing an edit, a contact,
retrying a batch whose answer was lost, and a copy of a device's database that pushes under the
same node id (409 node_reused: the copy takes a fresh node id and re-stamps its unsent edits,
§10.5). It checks that the devices converge, then prints the records it holds as JSON
({"records": [envelope, ...]}) for comparison with other clients.
Exit status 0 when every check passed, 1 otherwise (the failures are printed on stderr)."""
import argparse, copy, json, os, secrets, sys, time, urllib.error, urllib.parse, urllib.request, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from outpost_reference import conflicts, merge, normalize, winner  # noqa: E402

PROTOCOL = "2"
MAX_LOGICAL = 4294967295


class ServerError(Exception):
    """A non-200 answer: the status and the error body (§13)."""

    def __init__(self, status, body):
        super().__init__(f"{status} {body.get('error', {}).get('code')}: {body.get('error', {}).get('message')}")
        self.status, self.body = status, body


class Replica:
    """One device: records by id, an outbox in first-edit order, a pull cursor, a node id and an HLC."""

    def __init__(self, server, token):
        self.server, self.token = server.rstrip("/"), token
        self.node = secrets.token_hex(8)          # §2.1: fresh random node id per local database
        self.hlc = [0, 0]
        self.records = {}                         # id -> envelope (wire form)
        self.outbox = []                          # ids changed since their last successful push
        self.edits = {}                           # id -> local edit count (to keep re-edited ids queued)
        self.cursor = None
        self.pending = None                       # (body bytes, {id: edit count}) of the batch until answered
        self.last_batch = None                    # §10.5: this node's last acknowledged batch ("after")
        self.base = {}                            # id -> a version the server is known to hold (re-stamping)
        self.rescoping = None                     # §11.2: ids received since a re-scope began (None: none under way)
        self.set_aside = {}                       # §11.2: id -> record that left the scope with unsent edits

    # -- HTTP (§7, §9) -------------------------------------------------------------------------

    def request(self, method, path, query=None, body=None):
        url = self.server + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Authorization": "Bearer " + self.token, "Outpost-Protocol": PROTOCOL}
        if body is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                if response.headers.get("Outpost-Protocol") != PROTOCOL:
                    raise ServerError(response.status, {"error": {"code": "protocol", "message": "no Outpost-Protocol: " + PROTOCOL}})
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise ServerError(error.code, json.loads(error.read() or b"{}")) from None

    def session(self):
        return self.request("GET", "/v1/session")

    # -- HLC (§2.5) ----------------------------------------------------------------------------

    def now(self):
        wall = int(time.time() * 1000)
        if wall > self.hlc[0]:
            self.hlc = [wall, 0]
        elif self.hlc[1] == MAX_LOGICAL:
            self.hlc = [self.hlc[0] + 1, 0]
        else:
            self.hlc = [self.hlc[0], self.hlc[1] + 1]
        return list(self.hlc)

    def observe(self, record):
        for register in list(record["fields"].values()) + [record.get("lifecycle") or []]:
            for sibling in register:
                if tuple(sibling["hlc"]) > tuple(self.hlc):
                    self.hlc = list(sibling["hlc"])

    # -- Local writes (§4.3) -------------------------------------------------------------------

    def _queue(self, record_id):
        self.edits[record_id] = self.edits.get(record_id, 0) + 1
        if record_id not in self.outbox:
            self.outbox.append(record_id)

    def _next_dot(self, record):
        counter = record["clock"].get(self.node, 0) + 1
        record["clock"][self.node] = counter
        return [self.node, counter]

    def create(self, entity, branch, values):
        record_id = str(uuid.uuid4())
        hlc = self.now()
        self.records[record_id] = {
            "id": record_id, "type": entity, "branch": branch, "clock": {self.node: 1},
            "fields": {name: [{"dot": [self.node, 1], "hlc": hlc, "value": value}] for name, value in values.items()},
        }
        self._queue(record_id)
        return record_id

    def edit(self, record_id, values):
        record = self.records[record_id]
        if self.is_deleted(record_id):
            raise ValueError("restore the record before editing it")
        dot, hlc = self._next_dot(record), self.now()
        for name, value in values.items():
            record["fields"][name] = [{"dot": dot, "hlc": hlc, "value": value}]   # replaces every sibling
        self._queue(record_id)

    def delete(self, record_id):
        record = self.records[record_id]
        dot = self._next_dot(record)
        # seen: the clock restricted to this node and the writers of the held field siblings (SPEC §4.3).
        writers = {self.node} | {s["dot"][0] for reg in record["fields"].values() for s in reg}
        seen = {node: count for node, count in record["clock"].items() if node in writers}
        record["lifecycle"] = [{"dot": dot, "hlc": self.now(), "deleted": True, "seen": seen}]
        self._queue(record_id)

    def restore(self, record_id):
        record = self.records[record_id]
        dot = self._next_dot(record)
        record["lifecycle"] = [{"dot": dot, "hlc": self.now(), "deleted": False}]
        self._queue(record_id)

    # -- Reading -------------------------------------------------------------------------------

    def value(self, record_id, field):
        sibling = winner(self.records[record_id]["fields"].get(field, []))
        return sibling["value"] if sibling else None

    def is_deleted(self, record_id):
        sibling = winner(self.records[record_id].get("lifecycle") or [])
        return bool(sibling and sibling["deleted"])

    def conflicts(self, record_id):
        return conflicts(self.records[record_id])

    # -- Sync (§15) ----------------------------------------------------------------------------

    def push(self, lose_answer=False):
        """Pushes the outbox in batches. `lose_answer` drops the first answer as if the connection
        broke after the server applied the batch (the batch is then retried unchanged)."""
        while self.outbox or self.pending:
            if self.pending is None:
                ids = self.outbox[:1000]
                batch = str(uuid.uuid4())
                body = json.dumps({"batch": batch, "node": self.node, "after": self.last_batch,
                                   "records": [self.records[i] for i in ids]}).encode()
                self.pending = (body, {i: self.edits[i] for i in ids}, batch)
            body, sent, batch = self.pending
            try:
                answer = self.request("POST", "/v1/push", body=body)
            except ServerError as error:
                if error.status == 409 and error.body.get("error", {}).get("code") in ("node_reused", "dot_reused"):
                    self.pending = None
                    self.restamp()                 # §10.5: a copy of this replica pushed under our node id
                    continue
                raise
            if lose_answer:
                lose_answer = False
                continue                           # retry: same batch id, same body (§10.4)
            self.pending = None
            self.last_batch = batch
            for result in answer["results"]:
                if result["status"] not in ("accepted", "merged", "conflict"):
                    raise ValueError(f"unknown push status {result['status']}")
            for record in json.loads(body)["records"]:
                known = self.base.get(record["id"])
                self.base[record["id"]] = merge(known, record) if known else record
            for record_id, count in sent.items():
                if self.edits.get(record_id) == count:   # not edited again since the batch was built
                    self.outbox.remove(record_id)

    def restamp(self):
        """Takes a fresh node id and re-makes every unsent edit under it (§10.5): each outbox record
        becomes the version the server is known to hold plus one new write of the values that differ."""
        self.node, self.last_batch = secrets.token_hex(8), None
        for record_id in self.outbox:
            current, known = self.records[record_id], self.base.get(record_id)
            values = {name: winner(register)["value"] for name, register in current["fields"].items()
                      if known is None or known["fields"].get(name) != register}
            if known is None:
                hlc = self.now()
                rebuilt = {"id": record_id, "type": current["type"], "branch": current["branch"], "clock": {self.node: 1},
                           "fields": {n: [{"dot": [self.node, 1], "hlc": hlc, "value": v}] for n, v in values.items()}}
            else:
                rebuilt = copy.deepcopy(known)
                if values:
                    dot, hlc = self._next_dot(rebuilt), self.now()
                    for name, value in values.items():
                        rebuilt["fields"][name] = [{"dot": dot, "hlc": hlc, "value": value}]
                deleted = self.is_deleted(record_id)
                self.records[record_id] = rebuilt
                if deleted != self.is_deleted(record_id):
                    (self.delete if deleted else self.restore)(record_id)
                    continue
            self.records[record_id] = rebuilt

    def clone(self):
        """A copy of this device's whole database, as a file copy or a restored phone backup makes."""
        return copy.deepcopy(self)

    def pull(self):
        while True:
            query = {"limit": "2"}                # small pages, to exercise the cursor
            if self.cursor is not None:
                query["cursor"] = self.cursor
            try:
                page = self.request("GET", "/v1/pull", query=query)
            except ServerError as error:
                if error.status == 400 and error.body.get("error", {}).get("code") == "invalid_cursor" and self.cursor:
                    self.cursor = None
                    continue
                if error.status == 409 and error.body.get("error", {}).get("code") == "scope_changed":
                    self.cursor, self.rescoping = None, set()     # §11.2: pull everything this user may read now
                    continue
                raise
            for remote in page["records"]:
                local = self.records.get(remote["id"])
                self.records[remote["id"]] = merge(local, remote) if local else remote
                known = self.base.get(remote["id"])
                self.base[remote["id"]] = merge(known, remote) if known else remote
                self.observe(remote)
            self.cursor = page["cursor"]
            if self.rescoping is not None:
                self.rescoping.update(remote["id"] for remote in page["records"])
                if not page["hasMore"]:
                    for gone in [i for i in self.records if i not in self.rescoping]:
                        if gone in self.outbox:           # unsent edits: kept aside, never dropped silently
                            self.set_aside[gone] = self.records[gone]
                            self.outbox.remove(gone)
                        del self.records[gone]
                        self.base.pop(gone, None)
                    self.rescoping = None
            if not page["hasMore"]:
                return

    def sync(self, lose_answer=False):
        self.push(lose_answer=lose_answer)
        self.pull()


def selftest(server, token):
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    a, b = Replica(server, token), Replica(server, token)
    branch = a.session()["branch"]
    customer = a.create("customer", branch, {"code": "PY-1", "name": "Python Trading", "kind": "enterprise", "tier": "core"})
    doomed = a.create("customer", branch, {"code": "PY-2", "name": "Short Lived", "kind": "tenant", "tier": "general"})
    contact = a.create("contact", branch, {"customer": customer, "name": "Li Wei", "phones": ["+86 10 5555"]})
    a.sync(lose_answer=True)                       # the first answer is lost; the retry changes nothing
    b.sync()
    check(b.value(customer, "name") == "Python Trading", "device b received the customer")
    check(contact in b.records, "device b received the contact")

    a.edit(customer, {"name": "Python Trading Ltd", "industry": "Steel"})
    b.edit(customer, {"name": "PYTHON GROUP", "tier": "important"})
    a.delete(doomed)
    b.edit(doomed, {"notes": "Still buying"})
    a.sync(); b.sync(); a.sync()

    check(normalize(a.records[customer]) == normalize(b.records[customer]), "both devices hold the same customer")
    check(a.conflicts(customer) == ["name"], f"the name is in conflict, got {a.conflicts(customer)}")
    check(a.value(customer, "industry") == "Steel" and a.value(customer, "tier") == "important",
          "edits to different fields merged")
    check(a.is_deleted(doomed) and a.conflicts(doomed) == ["lifecycle"], "a delete racing an edit is a conflict")
    check(a.value(doomed, "notes") == "Still buying", "the racing edit is kept")

    # Resolve both conflicts on device b; device a sees the decisions.
    b.edit(customer, {"name": "Python Trading Ltd"})
    b.restore(doomed)
    b.sync(); a.sync()
    for record_id in (customer, doomed, contact):
        check(normalize(a.records[record_id]) == normalize(b.records[record_id]), f"devices agree on {record_id}")
    check(a.conflicts(customer) == [] and a.value(customer, "name") == "Python Trading Ltd", "the name conflict is resolved")
    check(not a.is_deleted(doomed) and a.conflicts(doomed) == [], "the delete conflict is resolved by restoring")
    check(not a.outbox and not b.outbox, "nothing is left to send")

    # A copy of device a's database (same node id, same last batch) edits on its own; device a
    # syncs first, so the copy's push is refused as node_reused and it re-stamps under a new node.
    c = a.clone()
    a.edit(customer, {"notes": "From the original device"})
    c.edit(contact, {"title": "Buyer"})
    a.sync()
    old_node = c.node
    c.sync(); a.sync(); b.sync()
    check(c.node != old_node, "the copy took a fresh node id")
    check(c.value(customer, "notes") == "From the original device", "the copy received the original's edit")
    for device in (a, b):
        check(device.value(contact, "title") == "Buyer", "the copy's re-stamped edit reached every device")
    for record_id in (customer, doomed, contact):
        check(normalize(a.records[record_id]) == normalize(c.records[record_id]), f"the copy agrees on {record_id}")

    for failure in failures:
        print("FAIL " + failure, file=sys.stderr)
    print(json.dumps({"records": [normalize(a.records[i]) for i in sorted(a.records)]}))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description="A minimal Outpost client written from SPEC.md.")
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("selftest", help="two devices of one manager sync through a running server")
    test.add_argument("--server", required=True, help="the server's URL, e.g. http://127.0.0.1:8080")
    test.add_argument("--token", required=True, help="a token of a manager or hq user")
    args = parser.parse_args()
    try:
        sys.exit(selftest(args.server, args.token))
    except (ServerError, OSError) as error:
        print(f"FAIL {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
