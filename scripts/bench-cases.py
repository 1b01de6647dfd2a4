#!/usr/bin/env python3
"""Makes 256 cases (so that concurrent screenings rarely touch the same case) through the API of the
host on PORT, and writes a wrk script that POSTs a screening to them in turn (a decision is made,
stored and announced for each).

    scripts/bench-cases.py PORT TOKEN OUT.lua
"""
import json
import sys
import urllib.request

port, token, out = sys.argv[1], sys.argv[2], sys.argv[3]


def post(path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))


ids = []
for i in range(256):
    p = post("/api/v1/persons", {"given_names": f"Bench {i}", "other_names": [], "date_of_birth_estimated": False,
                                 "citizenship": ["LA"], "languages": [], "identity_documents": []})
    c = post("/api/v1/cases", {"person": p["id"], "jurisdiction": "TH", "opened": "2026-03-02"})
    ids.append(c["id"])
body = json.dumps({"date": "2026-03-02", "acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"],
                   "ilo_indicators": ["deception"], "migration": {"entry": "irregular", "country": "TH", "origin": "LA"},
                   "identified_by": "mdt"})
with open(out, "w") as f:
    f.write("local ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n")
    f.write("local n = 0\nwrk.method = 'POST'\nwrk.body = '" + body + "'\n")
    f.write(f"wrk.headers['Authorization'] = 'Bearer {token}'\nwrk.headers['Content-Type'] = 'application/json'\n")
    f.write("request = function() n = n + 1; return wrk.format(nil, '/api/v1/cases/' .. ids[(n % #ids) + 1] .. '/screenings') end\n")
    f.write("done = function(summary, latency, requests)\n  io.write(string.format('non-2xx/3xx: %d\\n', summary.errors.status))\nend\n")
