#!/usr/bin/env python3
"""A test suite in Python driving hvcsim with the standard library only.

Usage: suite.py HVCSIM_BINARY

From the repository root:

  go build -o hvcsim ./cmd/hvcsim && python3 examples/hvcsim-python/suite.py ./hvcsim

It starts hvcsim with -json and -exit-with-stdin (its stdin is a pipe this
script holds: however the script ends, even killed, hvcsim sees end of file
and stops), reads how to reach it from the one JSON line it prints, and
trusts the server by the certificate in that line (cert_pem, handed to
ssl as cadata: no file, no -k). Then, with the control token:

  * a request without the token is refused;
  * a link create whose reply is lost after the server applied it (a
    drop_after_apply fault) fails on the client, and the suite reconciles
    by listing the links, finding the one for its domain;
  * the faults are listed (ids, uses left), one is deleted by id;
  * the state endpoint reports links, live sessions, logins and open
    connections;
  * a misspelt error_type ("BUSY") is refused, naming the valid ones;
  * a link is seeded through the control surface, and a provider made
    failing at run time fails its next sync.

Prints PASS and exits 0 when every check holds; exits 1 naming the failed
check otherwise.
"""

import base64
import http.client
import json
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)


class Server:
    """HTTP to one hvcsim: the vCenter API and its control surface."""

    def __init__(self, facts):
        self.facts = facts
        self.url, self.ctl = facts["url"], facts["control_url"]
        ctx = ssl.create_default_context(cadata=facts["cert_pem"])
        # Talk to the loopback server directly, whatever proxy the
        # environment names.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPSHandler(context=ctx))
        self.session = None

    def request(self, method, url, body=None, headers=None):
        """Returns (status, decoded JSON body or None); raises on a dropped connection."""
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=10) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        return status, json.loads(raw) if raw else None

    def control(self, method, path, body=None):
        """A control request: the printed token, and JSON."""
        return self.request(method, self.ctl + path, body, {
            "Authorization": "Bearer " + self.facts["control_token"], "Content-Type": "application/json"})

    def login(self):
        creds = base64.b64encode(("%s:%s" % (self.facts["username"], self.facts["password"])).encode()).decode()
        status, token = self.request("POST", self.url + "/api/session", headers={"Authorization": "Basic " + creds})
        check(status == 201 and isinstance(token, str), "login answers 201 and the session id")
        self.session = token

    def api(self, method, path, body=None):
        headers = {"vmware-api-session-id": self.session}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.request(method, self.url + "/api" + path, body, headers)


def link_spec(facts, domain):
    psc = facts["foreign_pscs"][0]
    return {"psc_hostname": psc["hostname"], "domain_name": domain, "username": psc["username"],
            "password": psc["password"], "ssl_thumbprint": psc["thumbprint"]}


def suite(facts):
    srv = Server(facts)

    status, refused = srv.request("GET", srv.ctl)
    check(status == 401 and "Bearer" in refused["error"], "the control surface refuses a request without the token")
    status, server_facts = srv.control("GET", "")
    check(status == 200 and server_facts["cert_pem"] == facts["cert_pem"], "the facts carry the certificate hvcsim printed")

    srv.login()

    # A create applied by the server whose reply is lost: the client cannot
    # know, so it must not retry; it lists the links to find out.
    status, added = srv.control("POST", "faults", {"method": "POST", "path": "/hvc/links",
                                                   "drop_after_apply": True, "times": 1})
    check(status == 201, "drop_after_apply fault added")
    dropped_id = added["id"]
    try:
        srv.api("POST", "/hvc/links", link_spec(facts, "corp.local"))
        check(False, "the create's reply is lost")
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError):
        pass
    status, links = srv.api("GET", "/hvc/links")
    mine = [l["link"] for l in links if l["display_name"] == "corp.local"]
    check(status == 200 and len(mine) == 1, "reconciled: the lost create made exactly one link")

    # The faults, listed.
    status, added = srv.control("POST", "faults", {"method": "GET", "path": "/hvc/links", "error_type": "SERVICE_UNAVAILABLE",
                                                   "header": {"Retry-After": "2"}, "times": 3})
    check(status == 201, "503 fault added")
    status, _ = srv.api("GET", "/hvc/links")
    check(status == 503, "the 503 fault fires")
    status, faults = srv.control("GET", "faults")
    by_id = {f["id"]: f for f in faults}
    check(status == 200 and set(by_id) == {dropped_id, added["id"]}, "both faults are listed by id")
    check(by_id[dropped_id]["drop_after_apply"] and by_id[dropped_id]["uses_left"] == 0, "the drop fault is used up")
    check(by_id[added["id"]]["used"] == 1 and by_id[added["id"]]["uses_left"] == 2, "the 503 fault has two uses left")
    status, _ = srv.control("DELETE", "faults/%d" % added["id"])
    check(status == 204, "fault deleted by id")
    status, err = srv.control("DELETE", "faults/%d" % added["id"])
    check(status == 404 and "no fault" in err["error"], "a deleted fault is gone")
    status, _ = srv.api("GET", "/hvc/links")
    check(status == 200, "the deleted fault no longer fires")

    status, err = srv.control("POST", "faults", {"path": "/hvc/links", "error_type": "BUSY"})
    check(status == 400 and "RESOURCE_BUSY" in err["error"], "a misspelt error_type is refused, naming the valid ones")

    # The state, as the Go accessors report it.
    status, state = srv.control("GET", "state")
    check(status == 200 and state["links"] == mine, "state: the links")
    check(state["live_sessions"] == 1 and state["logins"] == 1, "state: one live session, one login")
    check(state["open_connections"] >= 1, "state: open connections")

    # Seed a link and make a provider fail at run time.
    status, seeded = srv.control("POST", "links", link_spec(facts, "seeded.local"))
    check(status == 201 and seeded["link"], "link seeded")
    status, err = srv.control("POST", "links", link_spec(facts, "seeded.local"))
    check(status == 400 and err["error_type"] == "ALREADY_EXISTS", "seeding checks as a real create")
    provider = facts["providers"][0]
    status, config = srv.control("PUT", "config", {"failing_providers": [provider]})
    check(status == 200 and config["failing_providers"] == [provider] and config["sync_duration"] == "0s", "config changed")
    sync = "/hvc/links/%s/sync/providers/%s" % (seeded["link"], provider)
    status, _ = srv.api("POST", sync + "?action=start", b"")
    check(status == 204, "sync started")
    status, info = srv.api("GET", sync)
    check(status == 200 and info["status"] == "FAILED", "the provider made failing fails")

    status, _ = srv.control("POST", "reset", {})
    status, state = srv.control("GET", "state")
    check(status == 200 and state["links"] == [] and state["live_sessions"] == 0, "reset empties the state")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    proc = subprocess.Popen([sys.argv[1], "-json", "-exit-with-stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        suite(json.loads(proc.stdout.readline()))
    finally:
        proc.stdin.close()  # hvcsim stops on end of file
        proc.wait(timeout=10)
    check(proc.returncode == 0, "hvcsim stopped cleanly when its stdin closed")
    print("PASS (%d checks)" % checks)


if __name__ == "__main__":
    main()
