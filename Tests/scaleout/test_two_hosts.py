#!/usr/bin/env python3
"""Two `glo-host serve` processes on one PostgreSQL database (issue 7), and moving a store.

    python3 Tests/scaleout/test_two_hosts.py BIN POSTGRES_URL

POSTGRES_URL is a server the test may create databases on (scripts/postgres-test-server.sh starts one).

1. Two hosts: screenings are posted to both at once; host A, which holds the subscribers' leases, is
   killed with SIGKILL mid-load; its subscriptions must move to host B within the lease (2 s) plus a
   renewal; A is restarted and the load goes on. Afterwards:
   - every screening acknowledged (201) is stored;
   - the event log is gap-free;
   - every event was handled exactly once by the tally subscriber, as its effect shows: the tally of
     each jurisdiction counts exactly the decision.made events of the log. (The tally skips any event
     at or below the last one it counted, so an event handled twice is not counted twice, and one
     handled out of order would be skipped and missing from the count.)
   - no dead letters; both hosts stop cleanly on SIGTERM.
2. The store moves: PostgreSQL -> export -> SQLite -> export -> a new PostgreSQL database; the digests
   (counts and SHA-256) are the same at every step, and a host on the SQLite copy reads a person
   (same personal-data key).
3. The master key is rotated while both hosts serve, each with a key file of its own, as the README
   says: `keys rotate --new-key-only` on host A, its key file copied to host B's, `keys rotate` on A.
   Host B, never restarted, opens a person whose data key was re-wrapped, and host A opens one host B
   registered afterwards; a host given only the old key is refused at start, saying why.
"""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

BIN, BASE_URL = os.path.abspath(sys.argv[1]), sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = tempfile.mkdtemp(prefix="glo-scaleout-")
PSQL = shutil.which("psql") or next(
    (p for p in sorted(__import__("glob").glob("/usr/lib/postgresql/*/bin/psql"), reverse=True)), "psql")
LEASE_MS = 2000
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def sql(url, query):
    out = subprocess.run([PSQL, url, "-At", "-v", "ON_ERROR_STOP=1", "-c", query], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql: {out.stderr.strip()}")
    return out.stdout.strip()


def fresh_database():
    name = "glo_two_" + uuid.uuid4().hex
    sql(BASE_URL, f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(BASE_URL)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def glohost(*args, stdin=""):
    out = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, cwd=WORK)
    return out


KEY = os.path.join(WORK, "personal-data.key")
with open(os.open(KEY, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
    f.write(base64.b64encode(os.urandom(32)).decode())


def config(name, db, port, key=KEY):
    path = os.path.join(WORK, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(f"""db: {db}
key_file: {key}
rules: {ROOT}/Config/jurisdictions
jurisdictions: [TH, LA]
plugins: [identification, immigration, reporting, tally]
http: {{ address: 127.0.0.1, port: {port} }}
host: {{ id: {name} }}
events: {{ poll_interval_ms: 100, lease_ms: {LEASE_MS} }}
log_level: notice
""")
    return path


class Host:
    def __init__(self, name, db, key=KEY):
        self.name, self.port = name, free_port()
        self.config = config(name, db, self.port, key)
        self.log = open(os.path.join(WORK, f"{name}.log"), "ab")
        self.start()

    def start(self):
        self.process = subprocess.Popen([BIN, "serve", "--config", self.config], stdout=self.log, stderr=self.log, cwd=WORK)
        for _ in range(300):
            try:
                ready = json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2))
                assert ready["database"] == "postgresql" or ready["database"] == "sqlite"
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready; see {self.log.name}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def api(host, method, path, body=None, token=None, key=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(f"http://127.0.0.1:{host.port}{path}", method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, json.load(answer)


SCREENING = {"date": "2026-03-02", "acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"],
             "ilo_indicators": ["deception"], "migration": {"entry": "irregular", "country": "TH", "origin": "LA"},
             "identified_by": "mdt"}


def two_hosts():
    db = fresh_database()
    migrated = glohost("migrate", "--db", db)
    check(migrated.returncode == 0 and "applied" in migrated.stdout, "glo-host migrate creates the tables")
    check("up to date" in glohost("migrate", "--db", db).stdout, "a second migrate has nothing to do")
    added = glohost("users", "add", "--config", config("users", db, 1), "--name", "Load", "--roles",
                    "caseworker", "--jurisdictions", "TH,LA")
    token = re.search(r"^token (\S+)", added.stdout, re.M).group(1)

    a = Host("host-a", db)
    time.sleep(0.5)  # A takes the leases first
    b = Host("host-b", db)
    holders = sql(db, "SELECT string_agg(DISTINCT holder, ',') FROM subscriber_leases")
    check(holders == "host-a", f"host A holds the subscribers' leases ({holders})")

    # Whichever host a request reaches: a web session opened on A works on B; a POST retried on B with
    # the Idempotency-Key it had on A gets A's answer and creates nothing twice.
    glohost("users", "add", "--config", a.config, "--name", "Web", "--roles", "caseworker", "--jurisdictions", "TH",
            "--login", "webuser", stdin="a long enough password\n")
    login = urllib.request.Request(f"http://127.0.0.1:{a.port}/login", method="POST",
                                   data=b"name=webuser&password=a+long+enough+password",
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    try:
        urllib.request.build_opener(NoRedirect).open(login, timeout=10)
        cookie = None
    except urllib.error.HTTPError as answer:
        cookie = (answer.headers.get("Set-Cookie") or "").split(";")[0]
    session = urllib.request.Request(f"http://127.0.0.1:{b.port}/session", headers={"Cookie": cookie or ""})
    check(cookie is not None and json.load(urllib.request.urlopen(session, timeout=10))["role"] == "caseworker",
          "a web session opened on host A is valid on host B")
    person = {"given_names": "Retry", "other_names": [], "date_of_birth_estimated": False, "citizenship": ["LA"],
              "languages": [], "identity_documents": []}
    persons = int(sql(db, "SELECT count(*) FROM records WHERE collection = 'person'"))
    _, first = api(a, "POST", "/api/v1/persons", person, token, key="retried-key")
    _, again = api(b, "POST", "/api/v1/persons", person, token, key="retried-key")
    check(first["id"] == again["id"], "a POST retried on host B with host A's Idempotency-Key gets the same answer")
    check(int(sql(db, "SELECT count(*) FROM records WHERE collection = 'person'")) == persons + 1,
          "and creates nothing twice")

    cases = []
    for i in range(40):
        jurisdiction = "TH" if i % 2 == 0 else "LA"
        _, person = api(a if i % 3 else b, "POST", "/api/v1/persons", {
            "given_names": f"Load {i}", "other_names": [], "date_of_birth_estimated": False, "citizenship": ["LA"],
            "languages": [], "identity_documents": []}, token)
        _, case = api(b if i % 3 else a, "POST", "/api/v1/cases",
                      {"person": person["id"], "jurisdiction": jurisdiction, "opened": "2026-03-02"}, token)
        cases.append(case["id"])

    acknowledged, lock, stop = [], threading.Lock(), threading.Event()
    errors = {"refused": 0, "other": 0}

    def load(host, seed):
        n = seed
        while not stop.is_set():
            n += 7
            try:
                status, answer = api(host, "POST", f"/api/v1/cases/{cases[n % len(cases)]}/screenings", SCREENING, token,
                                     key=str(uuid.uuid4()))
                if status == 201:
                    with lock:
                        acknowledged.append(answer["screening"]["id"])
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                with lock:
                    errors["refused"] += 1
                time.sleep(0.02)
            except Exception:
                with lock:
                    errors["other"] += 1

    threads = [threading.Thread(target=load, args=(h, s)) for h, s in [(a, 0), (a, 1), (b, 2), (b, 3)]]
    for t in threads:
        t.start()
    time.sleep(2)
    before_kill = len(acknowledged)
    a.kill()
    killed_at = time.time()
    moved = None
    while time.time() - killed_at < 15:
        if sql(db, "SELECT count(*) FROM subscriber_leases WHERE holder = 'host-a' AND expires_at > clock_timestamp()") == "0" and \
                sql(db, "SELECT count(*) FROM subscriber_leases WHERE holder = 'host-b'") != "0":
            moved = time.time() - killed_at
            break
        time.sleep(0.1)
    check(moved is not None and moved < LEASE_MS / 1000 + 3,
          f"after SIGKILL of host A its subscriptions moved to host B in {moved and round(moved, 2)} s (lease {LEASE_MS} ms)")
    # B delivers while A is down: the tally's checkpoint moves on.
    position = int(sql(db, "SELECT position FROM checkpoints WHERE subscriber = 'tally'") or 0)
    advanced = False
    for _ in range(60):
        time.sleep(0.1)
        if int(sql(db, "SELECT position FROM checkpoints WHERE subscriber = 'tally'") or 0) > position:
            advanced = True
            break
    check(advanced, "host B delivers to the tally while host A is down")
    a.start()
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join()
    print(f"     {len(acknowledged)} screenings acknowledged ({before_kill} before the kill); "
          f"{errors['refused']} refused while host A was down; {errors['other']} other errors", flush=True)
    check(errors["other"] == 0, "no request failed other than by reaching the killed host")
    check(len(acknowledged) > 100, "the load ran")

    # Everything delivered: each subscriber's checkpoint reaches the end of the log.
    deadline = time.time() + 30
    while time.time() < deadline:
        last = int(sql(db, "SELECT coalesce(max(sequence), 0) FROM events"))
        # The key migrations keep their resumable cursors in the same table (glo.keys.*): not subscribers.
        behind = sql(db, f"SELECT count(*) FROM checkpoints WHERE position < {last} AND subscriber NOT LIKE 'glo.keys.%'")
        if behind == "0":
            break
        time.sleep(0.2)
    lagging = sql(db, f"SELECT subscriber || ' at ' || position FROM checkpoints WHERE position < {last} AND subscriber NOT LIKE 'glo.keys.%'")
    check(behind == "0", f"every subscriber caught up with the log (at {last}; behind: {lagging or 'none'})")

    stored = set(sql(db, "SELECT id FROM records WHERE collection = 'screening'").split())
    check(set(acknowledged) <= stored, f"every acknowledged screening is stored ({len(set(acknowledged) - stored)} missing)")
    count, low, high = map(int, sql(db, "SELECT count(*), min(sequence), max(sequence) FROM events").split("|"))
    check(count == high and low == 1, f"the event log is gap-free (1..{high}, {count} events)")
    tallies = [json.loads(t) for t in sql(db, "SELECT convert_from(body, 'UTF8') FROM records WHERE collection = 'tally'").split("\n") if t]
    for jurisdiction in ["TH", "LA"]:
        made = int(sql(db, f"SELECT count(*) FROM events WHERE type = 'decision.made' AND jurisdiction = '{jurisdiction}'"))
        counted = sum(sum(t["counts"].values()) for t in tallies if t["jurisdiction"] == jurisdiction)
        check(made == counted and made > 0,
              f"{jurisdiction}: the tally counted each of the {made} decisions exactly once, in order ({counted})")
    check(sql(db, "SELECT count(*) FROM dead_letters") == "0", "no dead letters")
    check(a.stop() == 0 and b.stop() == 0, "both hosts stop cleanly on SIGTERM")
    return db, token


def move_store(db):
    first, second, third = (os.path.join(WORK, n) for n in ["pg.jsonl", "sqlite.jsonl", "pg2.jsonl"])
    exported = glohost("store", "export", "--db", db, "--to", first)
    check(exported.returncode == 0, "export from PostgreSQL")
    check(oct(os.stat(first).st_mode & 0o777) == "0o600", "the export is readable by its owner only")
    digest = exported.stdout.strip().removeprefix("exported ")
    sqlite = os.path.join(WORK, "copy", "glo.sqlite")
    imported = glohost("store", "import", "--db", sqlite, "--from", first)
    check(imported.returncode == 0 and digest in imported.stdout, "import into SQLite: the same counts and hash")
    # An export never holds the key ring (an erasure reaches every export): the move copies it, as the README says.
    copied = glohost("keys", "copy", "--db", sqlite, "--from", db)
    check(copied.returncode == 0, f"the key ring copied to the SQLite store: {copied.stderr.strip()}")
    again = glohost("store", "export", "--db", sqlite, "--to", second)
    back = fresh_database()
    glohost("migrate", "--db", back)
    returned = glohost("store", "import", "--db", back, "--from", second)
    check(returned.returncode == 0 and digest in returned.stdout and digest in again.stdout,
          "and back into a new PostgreSQL database: the same counts and hash")
    refused = glohost("store", "import", "--db", back, "--from", second)
    check(refused.returncode != 0 and "not empty" in refused.stderr, "an import into a store that is not empty is refused")
    with open(second) as f:
        lines = f.read().split("\n")
    # One record's version changed, as a careless edit would.
    lines[1] = lines[1].replace('"version":', '"version":9', 1)
    with open(third, "w") as f:
        f.write("\n".join(lines))
    damaged = glohost("store", "import", "--db", os.path.join(WORK, "copy2", "glo.sqlite"), "--from", third)
    check(damaged.returncode != 0 and ("digest" in damaged.stderr or "line" in damaged.stderr),
          "a changed export is refused")
    # A host on the SQLite copy reads the people, sealed with the same key.
    host = Host("host-sqlite", sqlite)
    token = re.search(r"^token (\S+)", glohost("users", "add", "--config", host.config, "--name", "Reader", "--roles",
                                               "caseworker", "--jurisdictions", "TH").stdout, re.M).group(1)
    _, cases = api(host, "GET", "/api/v1/cases?jurisdiction=TH&limit=1", token=token)
    _, person = api(host, "GET", f"/api/v1/persons/{cases['items'][0]['person']}", token=token)
    check(person["personal"]["given_names"].startswith("Load "), "a host on the SQLite copy opens a person's sealed data")
    host.stop()


def personal(name):
    return {"given_names": name, "other_names": [], "date_of_birth_estimated": False, "citizenship": ["LA"],
            "languages": [], "identity_documents": []}


def failed(run):
    """A command's stderr, for a check's message when the command failed."""
    return "" if run.returncode == 0 else f": {run.stderr.strip()}"


def rotate_keys(db, token):
    key_b = os.path.join(WORK, "host-b.key")
    shutil.copy(KEY, key_b)
    a, b = Host("host-a", db), Host("host-b", db, key=key_b)
    # Registered on A: host B has never opened this person's data key.
    _, before = api(a, "POST", "/api/v1/persons", personal("Before Rotation"), token)
    new = glohost("keys", "rotate", "--new-key-only", "--config", a.config)
    check(new.returncode == 0 and "new master key" in new.stdout, "keys rotate --new-key-only writes the new key" + failed(new))
    shutil.copy(KEY, key_b + ".new")
    os.replace(key_b + ".new", key_b)  # in one step: host B reads its key file while it runs
    rotated = glohost("keys", "rotate", "--config", a.config)
    check(rotated.returncode == 0 and "is retired" in rotated.stdout, "keys rotate re-wraps every data key" + failed(rotated))
    _, seen = api(b, "GET", f"/api/v1/persons/{before['id']}", token=token)
    check(seen["personal"]["given_names"] == "Before Rotation",
          "host B, running all along, opens a person whose data key the rotation re-wrapped")
    _, after = api(b, "POST", "/api/v1/persons", personal("After Rotation"), token)
    _, seen = api(a, "GET", f"/api/v1/persons/{after['id']}", token=token)
    check(seen["personal"]["given_names"] == "After Rotation", "host A opens a person host B registered after the rotation")
    status = glohost("keys", "status", "--config", a.config).stdout
    check("retired master key" in status and "(not held here)" not in status, "the old key is retired")
    check(a.stop() == 0 and b.stop() == 0, "both hosts stop cleanly after the rotation")
    # A host that was not given the new key is refused, with what to do.
    old_only = os.path.join(WORK, "old.key")
    with open(key_b) as f:
        old = f.read().split("\n")[1]
    with open(os.open(old_only, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(old + "\n")
    stale = subprocess.run([BIN, "serve", "--config", config("host-stale", db, free_port(), old_only)],
                           capture_output=True, text=True, cwd=WORK, timeout=60)
    check(stale.returncode != 0 and "was replaced by `glo-host keys rotate`" in stale.stderr,
          f"a host started with the old key only is refused, saying why: {stale.stderr.strip()[-200:]}")


try:
    db, token = two_hosts()
    move_store(db)
    rotate_keys(db, token)
finally:
    for f in os.listdir(WORK):
        if f.endswith(".log") and failures:
            print(f"--- {f} (last lines)")
            print("\n".join(open(os.path.join(WORK, f), errors="replace").read().splitlines()[-20:]))
print(f"{'FAILED: ' + str(len(failures)) if failures else 'all passed'}")
sys.exit(1 if failures else 0)
