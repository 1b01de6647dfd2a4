#!/usr/bin/env python3
"""Two countries, two hosts (issue 19): a Thai host and a Lao host on loopback, each with its own SQLite
store, personal-data key and federation keys, peers of each other.

    python3 Tests/federation/test_two_countries.py BIN

1. The Lao woman's return end to end: the Thai caseworker sends the handover packet; the Lao host opens
   its own case (owned by the Lao Women's Union) with its reception steps and answers "accepted"; the
   reception is recorded in Laos and "received" comes back, completing the Thai reception step.
2. A follow-up (a trial date) reaches the Lao case; a deportation notice reaches the Lao host.
3. The Lao host down while the Thai host sends: delivered once when it is back.
4. The Thai host killed with SIGKILL just after its commit: the message still goes, once.
5. The same handover carried in an offline file and imported twice: one case.
6. A tampered message posted to the inbox: refused, audited, nothing stored.
Prints "N passed, M failed" last; exits 1 on any failure.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = tempfile.mkdtemp(prefix="glo-two-countries-")
NAME = "Chanthavy"
passed, failures = 0, []


def check(condition, what):
    global passed
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if condition:
        passed += 1
    else:
        failures.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(what, predicate, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


class Host:
    def __init__(self, host_id, jurisdiction, organisation):
        self.id, self.jurisdiction, self.port = host_id, jurisdiction, free_port()
        self.dir = os.path.join(WORK, host_id)
        os.makedirs(self.dir)
        self.config = os.path.join(self.dir, "glo-host.yaml")
        self.organisation = organisation
        with open(self.config, "w") as f:
            f.write(f"""db: {self.dir}/glo.sqlite
key_file: {self.dir}/keys/personal-data.key
rules: {ROOT}/Config/jurisdictions
jurisdictions: [{jurisdiction}]
plugins: [identification, legal-aid, shelter, legal-process, return, immigration, reporting]
http:
  address: 127.0.0.1
  port: {self.port}
reload:
  watch: false
events:
  poll_interval_ms: 50
federation:
  host_id: {host_id}
  organisation_id: {organisation}
  organisation_name: {jurisdiction} receiving agency
  endpoint: http://127.0.0.1:{self.port}
  key_file: {self.dir}/keys/federation.key
  retry_attempts: 200
  retry_first_delay_ms: 100
  retry_max_delay_ms: 400
  poll_interval_ms: 50
""")
        self.process, self.token = None, None

    def cli(self, *args, stdin=""):
        return subprocess.run([BIN, *args, "--config", self.config], input=stdin, capture_output=True, text=True, cwd=self.dir)

    def start(self):
        self.log = open(os.path.join(self.dir, "serve.log"), "a")
        self.process = subprocess.Popen([BIN, "serve", "--config", self.config], stdout=self.log, stderr=self.log, cwd=self.dir)
        ok = wait_for("healthz", lambda: self.healthy(), 60)
        assert ok, f"{self.id} did not start: {self.logtext()[-2000:]}"

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                return r.status == 200
        except Exception:
            return False

    def stop(self, sig=signal.SIGTERM):
        self.process.send_signal(sig)
        self.process.wait(30)
        self.log.close()

    def logtext(self):
        with open(os.path.join(self.dir, "serve.log")) as f:
            return f.read()

    def call(self, method, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def lines(self, *args):
        out = self.cli(*args, "--json")
        assert out.returncode == 0, out.stderr
        return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]

    def inbox(self):
        return self.lines("federation", "inbox")

    def outbox(self):
        return self.lines("federation", "outbox")


def case_for(host, given_names, screening):
    status, person = host.call("POST", "/api/v1/persons", {
        "given_names": given_names, "family_name": "Sisouphanh", "other_names": [], "date_of_birth": "1999-08-14",
        "date_of_birth_estimated": False, "sex": "female", "citizenship": ["LA"], "languages": ["lo"], "identity_documents": []})
    assert status == 201, person
    status, c = host.call("POST", "/api/v1/cases", {"person": person["id"], "jurisdiction": host.jurisdiction, "opened": "2026-03-02"})
    assert status == 201, c
    status, s = host.call("POST", f"/api/v1/cases/{c['id']}/screenings", screening)
    assert status == 201, s
    return c["id"]


FORCED_LABOUR = {"date": "2026-03-02", "acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"],
                 "ilo_indicators": ["deception", "withholding_of_wages"],
                 "migration": {"entry": "irregular", "country": "TH", "origin": "LA"}, "identified_by": "mdt"}
IRREGULAR = {"date": "2026-03-02", "acts": [], "means": [], "exploitation": [], "ilo_indicators": [], "identified_by": "police",
             "migration": {"entry": "irregular", "smuggler_paid": True, "consented": True, "country": "TH", "origin": "LA"}}


def ready_to_send(th, la, given_names):
    """A confirmed victim in Thailand who wishes to return, her consent to the handover to the Lao Women's Union
    recorded: the return planned, its first steps done, and the packet previewed. Returns (case, return, packet)."""
    case = case_for(th, given_names, FORCED_LABOUR)
    assert th.call("POST", f"/api/v1/cases/{case}/confirmation", {"identified_by": "mdt"})[0] == 200
    assert th.call("POST", f"/api/v1/cases/{case}/facts", {"wishes_to_return": True, "return_risk": "low"})[0] == 200
    status, planned = th.call("POST", f"/api/v1/cases/{case}/returns", {"to": "LA"})
    assert status == 201, planned
    assert th.call("POST", f"/api/v1/cases/{case}/consents", {"purpose": "return_handover", "recipients": [la.organisation]})[0] == 201
    for step in ["consent", "risk_assessment", "family_tracing", "travel_documents"]:
        assert th.call("POST", f"/api/v1/returns/{planned['id']}/steps", {"step": step, "on": "2026-06-01"})[0] == 200
    status, preview = th.call("POST", f"/api/v1/returns/{planned['id']}/packet-preview", {
        "receiving_organisation": la.organisation,
        "logistics": {"route": "repatriation_as_victim", "from": "TH", "to": "LA", "handover_date": "2026-06-05",
                      "border_point": "Friendship Bridge I"}, "needs": ["counselling"]})
    assert status == 200, preview
    return case, planned["id"], preview


def delivered(th, message_id):
    return next((m for m in th.outbox() if m["id"] == message_id and m["state"] == "delivered"), None)


def main():
    th = Host("th-msdhs", "TH", str(uuid.uuid4()))
    la = Host("la-lwu", "LA", str(uuid.uuid4()))
    for host in (th, la):
        out = host.cli("federation", "init")
        assert out.returncode == 0, out.stderr
        host.start()
    # The identity documents, handed over out of band; each side checks the fingerprint read to it.
    for me, other in ((th, la), (la, th)):
        document = os.path.join(me.dir, "peer.json")
        with open(document, "w") as f:
            f.write(other.cli("federation", "identity").stdout)
        fingerprint = json.load(open(document))["fingerprint"]
        wrong = me.cli("federation", "peers", "add", document, "--fingerprint", "0000 1111")
        check(wrong.returncode == 1 and "not the document's fingerprint" in wrong.stderr, f"{me.id}: a wrong fingerprint registers nothing")
        added = me.cli("federation", "peers", "add", document, "--fingerprint", fingerprint)
        check(added.returncode == 0, f"{me.id} registers {other.id} after checking its fingerprint: {added.stderr}")
        user = me.cli("users", "add", "--name", f"{me.jurisdiction} supervisor", "--roles", "supervisor",
                      "--organisation", me.organisation, "--jurisdictions", me.jurisdiction)
        me.token = user.stdout.split("token ")[1].strip()
    check(th.lines("federation", "peers", "list")[0]["host_id"] == "la-lwu", "the Thai host lists its peer")

    # 1. The return, end to end.
    th_case, th_return, preview = ready_to_send(th, la, NAME)
    status, sent = th.call("POST", f"/api/v1/returns/{th_return}/packet", preview)
    check(status == 202 and sent.get("peer") == "la-lwu", f"the packet goes to the Lao host, sealed ({status} {sent})")
    handover = sent.get("message_id")
    message = wait_for("handover stored", lambda: next((m for m in la.inbox() if m["id"] == handover and m["case_id"]), None))
    check(message is not None and message["kind"] == "handover", "the Lao host stored the handover and opened its own case")
    la_case = message["case_id"] if message else ""
    status, opened = la.call("GET", f"/api/v1/cases/{la_case}")
    check(status == 200 and opened.get("owner_organisation") == la.organisation and opened.get("jurisdiction") == "LA",
          f"the Lao case is owned by the Lao receiving agency ({status})")
    status, la_returns = la.call("GET", f"/api/v1/cases/{la_case}/returns")
    steps = la_returns.get("items", [{}])[0].get("steps", []) if status == 200 else []
    check([s["id"] for s in steps][:1] == ["reception_at_border"] and all(s["status"] == "pending" for s in steps),
          "the Lao host planned its own reception steps (return.steps of LA)")
    check(delivered(th, handover) is not None and delivered(th, handover)["receipt"]["receiver"] == "la-lwu",
          "the Thai host keeps the Lao host's signed receipt")
    answered = wait_for("accepted", lambda: "accepted" in [a["kind"] for a in th.call("GET", f"/api/v1/returns/{th_return}")[1].get("answers") or []])
    check(answered, "the Lao host's 'accepted' is recorded on the Thai return")
    status, received = la.call("POST", f"/api/v1/cases/{la_case}/reception", {"on": "2026-06-05"})
    check(status == 201, f"the Lao caseworker records the reception ({status} {received})")
    reception = wait_for("received", lambda: next((s for s in th.call("GET", f"/api/v1/returns/{th_return}")[1]["steps"]
                                                   if s["id"] == "reception" and s["status"] == "done"), None))
    check(reception is not None and reception["done_on"] == "2026-06-05", "'received' came back: the Thai reception step is done on that day")
    check(th.call("GET", f"/api/v1/cases/{la_case}")[0] == 404, "the Thai host holds no Lao case")

    # 2. A follow-up reaches the Lao case; a deportation notice reaches the Lao host.
    status, follow = th.call("POST", f"/api/v1/cases/{th_case}/follow-ups",
                             {"topic": "trial_date", "on": "2026-09-14", "court_case_reference": "Criminal Court 1234/2569"})
    check(status == 202, f"the Thai caseworker sends a trial date ({status} {follow})")
    flagged = wait_for("follow-up", lambda: [f for f in la.call("GET", f"/api/v1/cases/{la_case}")[1].get("flags", []) if f["code"] == "follow_up"])
    check(bool(flagged) and "trial date 2026-09-14" in flagged[0]["message"], "the trial date reaches the Lao case, flagged for its caseworker")
    migrant = case_for(th, "Bounthanh", IRREGULAR)
    status, deported = th.call("POST", f"/api/v1/cases/{migrant}/deportations", {
        "to": "LA", "on": "2026-03-10", "notification": {"authority": "Lao PDR Immigration Department", "on": "2026-03-08"}})
    check(status == 201, f"a deportation is recorded in Thailand ({status} {deported})")
    notice = wait_for("notice", lambda: [m for m in la.inbox() if m["kind"] == "deportation_notice"])
    check(bool(notice), "the deportation notice reaches the Lao host")

    # 3. The Lao host down while the Thai host sends: delivered once when it is back.
    la.stop()
    status, follow = th.call("POST", f"/api/v1/cases/{th_case}/follow-ups", {"topic": "testimony_request", "on": "2026-10-01", "testimony": "video"})
    waiting = wait_for("tries", lambda: next((m for m in th.outbox() if m["id"] == follow["message_id"] and m["attempts"] >= 2), None), 60)
    check(waiting is not None and waiting["state"] == "pending" and "no answer" in waiting["last_error"],
          "while the Lao host is down the message waits in the outbox, tried again and again")
    la.start()
    check(wait_for("delivered", lambda: delivered(th, follow["message_id"])) is not None, "delivered when the Lao host is back")
    check([m["id"] for m in la.inbox()].count(follow["message_id"]) == 1, "and stored once")

    # 4. The Thai host killed just after its commit: the message still goes, once.
    status, follow = th.call("POST", f"/api/v1/cases/{th_case}/follow-ups", {"topic": "compensation_awarded", "on": "2026-11-02",
                                                                            "amount": 40000, "currency": "THB"})
    th.stop(signal.SIGKILL)
    check(status == 202, "the follow-up was acknowledged before the kill")
    th.start()
    check(wait_for("after kill", lambda: delivered(th, follow["message_id"])) is not None, "after the restart the message is delivered")
    check([m["id"] for m in la.inbox()].count(follow["message_id"]) == 1, "and stored once by the Lao host")

    # 5. Offline: the same handover on removable media, imported twice: one case.
    la.stop()
    second_case, second_return, second_preview = ready_to_send(th, la, "Noy")
    status, sent = th.call("POST", f"/api/v1/returns/{second_return}/packet", second_preview)
    offline = os.path.join(WORK, "for-la.jsonl")
    exported = th.cli("federation", "export", "--peer", "la-lwu", "--to", offline)
    check(exported.returncode == 0 and "written to" in exported.stdout, f"the waiting messages are written to a file: {exported.stderr}")
    cases_before = len([m for m in la.inbox() if m["kind"] == "handover"])
    first = la.cli("federation", "import", "--from", offline, "--receipts-to", os.path.join(WORK, "receipts.jsonl"))
    again = la.cli("federation", "import", "--from", offline)
    check(first.returncode == 0 and "1 received" in first.stdout, f"imported once: {first.stdout} {first.stderr}")
    check(again.returncode == 0 and "0 received, 1 received before" in again.stdout, f"imported again: nothing changes ({again.stdout})")
    la.start()
    opened = wait_for("offline case", lambda: next((m for m in la.inbox() if m["id"] == sent["message_id"] and m["case_id"]), None))
    check(opened is not None and len([m for m in la.inbox() if m["kind"] == "handover"]) == cases_before + 1,
          "the Lao host opened one case from it")
    check(wait_for("replayed sender", lambda: delivered(th, sent["message_id"])) is not None,
          "the Thai host's own delivery, when the link is back, gets the first receipt: delivered, not stored twice")

    # 6. A tampered message: refused, audited, nothing stored.
    envelope = json.loads(open(offline).read().splitlines()[1])
    envelope["ciphertext"] = envelope["ciphertext"][::-1]
    envelope["id"] = str(uuid.uuid4())
    before = len(la.inbox())
    status, problem = la.call("POST", "/federation/v1/inbox", raw=json.dumps(envelope).encode())
    check(status == 403 and problem.get("code") == "bad_signature", f"a tampered message is refused ({status} {problem})")
    check(len(la.inbox()) == before, "nothing of it is stored")
    refusals = la.lines("federation", "inbox", "--refused")
    check(any("bad_signature" in r["detail"] for r in refusals), "the refusal is in the audit log, shown to the admin")

    for host in (th, la):
        host.stop()
        check(NAME not in host.logtext(), f"{host.id}: no personal data in the logs")
    check(NAME not in json.dumps(th.outbox()) + json.dumps(la.inbox()), "no personal data in the queues as shown")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a step that could not run is a failure, with why
        failures.append(f"{type(error).__name__}: {error}")
        print(f"FAIL {type(error).__name__}: {error}", flush=True)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    print(f"{passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)
