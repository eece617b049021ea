#!/usr/bin/env python3
"""Drive hvcsim end to end with curl, as a test suite in another language would.

Usage: drive.py HVCSIM_BINARY

From the repository root:

  go build -o hvcsim ./cmd/hvcsim && python3 examples/hvcsim-curl/drive.py ./hvcsim

It starts hvcsim on a free port with -json and -cert-out, reads how to reach
it from the one JSON line it prints (no scraping), and then talks to it only
through curl, trusting the exported certificate (--cacert, never -k):

  * the version profile (8.0): sync providers exist, links get does not and
    answers vCenter's real route-level 404;
  * a link created with trust on first use (UNVERIFIED_PEER gives the
    thumbprint, compared with the advertised one);
  * faults added over the control surface: a 503 with Retry-After on one
    operation and ?action=, a fault that can never match refused;
  * session expiry and a new login;
  * the request log with secrets masked;
  * reset.

Prints PASS and exits 0 when every check holds; exits 1 with the failed check
otherwise. Only the Python standard library and curl are used.
"""

import json
import os
import subprocess
import sys
import tempfile

checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)


class Curl:
    """Runs one curl per request; returns (status, headers, body)."""

    def __init__(self, cacert):
        self.cacert = cacert
        self.ctl, self.ctl_token = None, None

    def __call__(self, method, url, body=None, user=None, session=None, cookie_jar=None):
        # --noproxy: talk to the loopback server directly, whatever proxy
        # the environment names.
        args = ["curl", "-sS", "--noproxy", "*", "--max-time", "10", "--cacert", self.cacert,
                "-X", method, "-D", "-", "-o", "-", url]
        if self.ctl and url.startswith(self.ctl):
            # The control surface is locked: the printed token, and JSON.
            args += ["-H", "Authorization: Bearer " + self.ctl_token]
            if body is None:
                args += ["-H", "Content-Type: application/json"]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary",
                     body if isinstance(body, str) else json.dumps(body)]
        if user is not None:
            args += ["-u", user[0] + ":" + user[1], "-H", "vmware-use-header-authn: true"]
        if session is not None:
            args += ["-H", "vmware-api-session-id: " + session]
        out = subprocess.run(args, capture_output=True, check=True, timeout=20).stdout.decode()
        head, _, payload = out.partition("\r\n\r\n")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        data = None
        if payload and headers.get("content-type", "").startswith("application/json"):
            data = json.loads(payload)
        return status, headers, data if data is not None else payload


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with tempfile.TemporaryDirectory() as tmp:
        cert = os.path.join(tmp, "hvcsim.pem")
        proc = subprocess.Popen([sys.argv[1], "-addr", "127.0.0.1:0", "-json", "-cert-out", cert,
                                 "-vcenter-version", "8.0", "-step-per-poll"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            reach = json.loads(proc.stdout.readline())
            drive(reach, Curl(reach["cert_file"]))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print("PASS (%d checks)" % checks)


def drive(reach, curl):
    url, ctl = reach["url"], reach["control_url"]
    admin = (reach["username"], reach["password"])
    check(reach["version"] == "8.0", "hvcsim reports the release asked for")

    status, _, refused = curl("GET", ctl)
    check(status == 401 and "Bearer" in refused["error"], "the control surface refuses a request without the token")
    curl.ctl, curl.ctl_token = ctl, reach["control_token"]
    status, _, facts = curl("GET", ctl)
    check(status == 200 and "SyncProviders.Start" in facts["operations"], "8.0 serves sync providers")
    check("Links.Get" not in facts["operations"], "8.0 has no links get")
    status, _, pem = curl("GET", ctl + "certificate")
    check(status == 200 and pem == open(reach["cert_file"]).read(), "control certificate = -cert-out file")

    status, _, token = curl("POST", url + "/api/session", user=admin)
    check(status == 201 and isinstance(token, str), "login answers 201 and a JSON string")

    # Trust on first use: the create without a thumbprint reports the one the PSC presents.
    psc = reach["foreign_pscs"][0]
    spec = {"psc_hostname": psc["hostname"], "domain_name": reach["psc_domain"],
            "username": psc["username"], "password": psc["password"]}
    status, _, err = curl("POST", url + "/api/hvc/links", body=spec, session=token)
    check(status == 400 and err["error_type"] == "UNVERIFIED_PEER", "create without thumbprint is UNVERIFIED_PEER")
    check(err["data"]["ssl_thumbprint"] == psc["thumbprint"], "the presented thumbprint is the advertised one")
    spec["ssl_thumbprint"] = err["data"]["ssl_thumbprint"]
    status, _, link = curl("POST", url + "/api/hvc/links", body=spec, session=token)
    check(status == 201, "create with the thumbprint answers 201")

    # The profile: links get is not an operation of 8.0, so it answers like any unknown URL.
    status, _, err = curl("GET", url + "/api/hvc/links/" + link, session=token)
    check(status == 404 and err["messages"][0]["id"] == "com.vmware.vapi.rest.httpNotFound", "8.0: links get is an unknown URL")
    status, _, err = curl("GET", url + "/rest/hvc/links/" + link, session=token)
    check(status == 404 and err["value"]["messages"][0]["id"] == "com.vmware.vapi.rest.operationsForUrlNotFound",
          "8.0 /rest: links get is an unknown URL")
    status, _, providers = curl("GET", url + "/api/hvc/links/%s/sync/providers" % link, session=token)
    check(status == 200 and providers[0]["provider"] == reach["providers"][0], "providers list")

    # Faults over the control surface.
    start = "/api/hvc/links/%s/sync/providers/%s" % (link, providers[0]["provider"])
    status, _, added = curl("POST", ctl + "faults", body={"path": "/api/hvc/links/{link}/sync/providers/{provider}",
                                                          "action": "start", "error_type": "SERVICE_UNAVAILABLE",
                                                          "header": {"Retry-After": "2"}, "times": 1})
    check(status == 201 and "id" in added, "fault added")
    status, headers, err = curl("POST", url + start + "?action=start", session=token)
    check(status == 503 and headers.get("retry-after") == "2", "the fault answers 503 with Retry-After")
    status, _, _ = curl("POST", url + start + "?action=start", session=token)
    check(status == 204, "times: 1 -> the next start runs")
    status, _, info = curl("GET", url + start, session=token)
    check(status == 200 and info["current_session_info"]["stage"] == "CHANGE_DETECTION", "sync runs one stage per poll")
    status, _, err = curl("POST", ctl + "faults", body={"path": "/api/hvc/links/{link}", "method": "GET"})
    check(status == 400 and "never fire" in err["error"], "a fault no 8.0 route can match is refused")
    status, _, _ = curl("DELETE", ctl + "faults")
    check(status == 204, "faults cleared")

    # Session expiry, then a new login.
    status, _, _ = curl("POST", ctl + "sessions/expire")
    check(status == 204, "sessions expired")
    status, headers, err = curl("GET", url + "/api/hvc/links", session=token)
    check(status == 401 and err["error_type"] == "UNAUTHENTICATED" and "www-authenticate" in headers, "old session is 401")
    status, _, token = curl("POST", url + "/api/session", user=admin)
    check(status == 201, "login again")

    # The request log, secrets masked.
    status, _, log = curl("GET", ctl + "requests?bodies=masked")
    creates = [r for r in log if r["method"] == "POST" and r["path"] == "/api/hvc/links"]
    check(status == 200 and len(creates) == 2, "the log has both creates")
    check(psc["password"] not in json.dumps(log) and "[REDACTED]" in creates[0]["body"], "passwords are masked in the log")

    # Reset.
    status, _, _ = curl("POST", ctl + "reset")
    check(status == 204, "reset")
    status, _, _ = curl("GET", url + "/api/hvc/links", session=token)
    check(status == 401, "reset ended the sessions")
    status, _, token = curl("POST", url + "/api/session", user=admin)
    status, _, links = curl("GET", url + "/api/hvc/links", session=token)
    check(status == 200 and links == [], "reset removed the links")


if __name__ == "__main__":
    main()
