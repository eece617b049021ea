#!/usr/bin/env python3
"""Call hvcsim over vAPI JSON-RPC 2.0 with the Python standard library only.

Usage: call.py HVCSIM_BINARY

From the repository root:

  go build -o hvcsim ./cmd/hvcsim && python3 examples/jsonrpc/call.py ./hvcsim

VMware's Python and Go SDKs send every call as POST /api with a JSON-RPC body
naming the vAPI service and operation. This script sends those requests by
hand against hvcsim behaving as vCenter 7.0U1, a release whose /api has no
REST paths but which VMware's SDKs still reach over JSON-RPC:

  * com.vmware.cis.session create (user_pass), get, delete;
  * links create (password as a SECRET), list, and the UNVERIFIED_PEER error
    carrying the foreign PSC's thumbprint;
  * operation_not_found for links get, which 7.0U1 lacks;
  * the request log (control surface) naming the transport with no password.

Prints PASS and exits 0 when every check holds; exits 1 naming the failed
check otherwise.
"""

import json
import ssl
import subprocess
import sys
import tempfile
import os
import urllib.request

checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)


class Client:
    def __init__(self, url, cafile):
        self.url = url
        ctx = ssl.create_default_context(cafile=cafile)
        # Talk to the loopback server directly, whatever proxy the
        # environment names.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPSHandler(context=ctx))
        self.next_id = 0

    def http(self, method, url, body=None, token=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            # hvcsim's control surface wants the control token it printed.
            headers["Authorization"] = "Bearer " + token
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        with self.opener.open(req, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None

    def invoke(self, service, operation, params=None, security=None):
        """Returns ("output", value) or ("error", {"<error name>": fields})."""
        self.next_id += 1
        body = {"jsonrpc": "2.0", "id": str(self.next_id), "method": "invoke", "params": {
            "serviceId": service, "operationId": operation,
            "input": {"STRUCTURE": {"operation-input": params or {}}},
            "ctx": {"appCtx": {}, "securityCtx": security or {}}}}
        status, reply = self.http("POST", self.url + "/api", body)
        check(status == 200, "every JSON-RPC reply is HTTP 200")
        check(reply["id"] == str(self.next_id), "the reply echoes the id")
        result = reply["result"]
        if "error" in result:
            return "error", result["error"]["ERROR"]
        return "output", result["output"]


def session_ctx(token):
    return {"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": token}


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with tempfile.TemporaryDirectory() as tmp:
        cert = os.path.join(tmp, "hvcsim.pem")
        proc = subprocess.Popen([sys.argv[1], "-addr", "127.0.0.1:0", "-json", "-cert-out", cert,
                                 "-vcenter-version", "7.0U1"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            reach = json.loads(proc.stdout.readline())
            run(reach, Client(reach["url"], reach["cert_file"]))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print("PASS (%d checks)" % checks)


def run(reach, c):
    links = "com.vmware.vcenter.hvc.links"
    kind, token = c.invoke("com.vmware.cis.session", "create", security={
        "schemeId": "com.vmware.vapi.std.security.user_pass",
        "userName": reach["username"], "password": reach["password"]})
    check(kind == "output" and "SECRET" in token, "session create returns the id as a SECRET")
    token = token["SECRET"]
    sec = session_ctx(token)

    kind, info = c.invoke("com.vmware.cis.session", "get", security=sec)
    check(kind == "output" and info["STRUCTURE"]["com.vmware.cis.session.info"]["user"] == reach["username"],
          "session get names the user")

    psc = reach["foreign_pscs"][0]

    def spec(thumbprint):
        return {"STRUCTURE": {"com.vmware.vcenter.hvc.links.create_spec": {
            "psc_hostname": psc["hostname"], "port": {"OPTIONAL": None},
            "domain_name": reach["psc_domain"], "username": psc["username"],
            "password": {"SECRET": psc["password"]},
            "ssl_thumbprint": {"OPTIONAL": thumbprint}, "admin_groups": {"OPTIONAL": None}}}}

    kind, err = c.invoke(links, "create", {"spec": spec(None)}, sec)
    peer = err.get("com.vmware.vapi.std.errors.unverified_peer") if kind == "error" else None
    check(peer is not None, "a create without a thumbprint is UNVERIFIED_PEER")
    got = peer["data"]["OPTIONAL"]["STRUCTURE"]["com.vmware.vcenter.hvc.links.certificate_info"]["ssl_thumbprint"]
    check(got == psc["thumbprint"], "UNVERIFIED_PEER carries the advertised thumbprint")

    kind, link = c.invoke(links, "create", {"spec": spec(got)}, sec)
    check(kind == "output" and isinstance(link, str), "create with the thumbprint returns the link id")

    kind, listed = c.invoke(links, "list", security=sec)
    ids = [s["STRUCTURE"]["com.vmware.vcenter.hvc.links.summary"]["link"] for s in listed]
    check(kind == "output" and ids == [link], "list shows the link")

    kind, err = c.invoke(links, "get", {"link": link}, sec)
    check(kind == "error" and "com.vmware.vapi.std.errors.operation_not_found" in err,
          "7.0U1 has no links get: operation_not_found")

    kind, out = c.invoke("com.vmware.cis.session", "delete", security=sec)
    check(kind == "output" and out is None, "session delete is void")
    kind, err = c.invoke(links, "list", security=sec)
    check(kind == "error" and "com.vmware.vapi.std.errors.unauthenticated" in err, "the session is gone")

    status, log = c.http("GET", reach["control_url"] + "requests?bodies=raw",
                         token=reach["control_token"])
    check(status == 200 and all(r["flavor"] == "jsonrpc" for r in log), "the log names the transport")
    dump = json.dumps(log)
    check(psc["password"] not in dump and reach["password"] not in dump and token not in dump,
          "no password or session id in the log")


if __name__ == "__main__":
    main()
