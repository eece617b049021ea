package simulator_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/hvcsdk/hvc/simulator"
)

// call sends one raw request and returns the status and the body.
func call(hc *http.Client, method, url, token, body string) []byte {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		log.Fatal(err)
	}
	if token != "" {
		req.Header.Set("vmware-api-session-id", token)
	} else {
		req.SetBasicAuth(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
		req.Header.Set("vmware-use-header-authn", "true")
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	return bytes.TrimSpace(append([]byte(fmt.Sprintf("%d ", resp.StatusCode)), b...))
}

// A raw HTTP client logs in to the /api flavor with Basic auth, creates a
// link with the foreign PSC's thumbprint and lists the links.
func ExampleNew() {
	sim, err := simulator.New()
	if err != nil {
		log.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		log.Fatal(err)
	}
	defer sim.Close()

	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sim.CertPool()}}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	// POST /api/session answers 201 and the token as a JSON string.
	login := call(hc, http.MethodPost, sim.URL()+"/api/session", "", "")
	var token string
	if err := json.Unmarshal(login[len("201 "):], &token); err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(login[:3]), "token")

	spec := `{"psc_hostname":"` + simulator.DefaultForeignPSC + `","domain_name":"remote.local",` +
		`"username":"` + simulator.DefaultForeignUser + `","password":"` + simulator.DefaultForeignPassword + `"}`
	fmt.Printf("%s\n", call(hc, http.MethodPost, sim.URL()+"/api/hvc/links", token, spec))

	spec = strings.TrimSuffix(spec, "}") + `,"ssl_thumbprint":"` + simulator.DefaultForeignThumbprint + `"}`
	fmt.Printf("%s\n", call(hc, http.MethodPost, sim.URL()+"/api/hvc/links", token, spec))
	fmt.Printf("%s\n", call(hc, http.MethodGet, sim.URL()+"/api/hvc/links", token, ""))
	fmt.Printf("%s\n", call(hc, http.MethodDelete, sim.URL()+"/api/session", token, ""))
	fmt.Printf("%s\n", call(hc, http.MethodGet, sim.URL()+"/api/hvc/links", token, ""))
	// Output:
	// 201 token
	// 400 {"data":{"ssl_thumbprint":"D7:F1:49:2D:75:68:F5:D2:30:31:2D:76:54:B2:57:86:3E:14:EE:B4:C4:6E:C5:10:3C:51:50:84:5D:FD:55:81"},"error_type":"UNVERIFIED_PEER","messages":[{"args":["psc.foreign.example"],"default_message":"The certificate of psc.foreign.example could not be verified.","id":"com.vmware.vcenter.hvc.links.certificate.unverified"}]}
	// 201 "link-1"
	// 200 [{"display_name":"remote.local","link":"link-1"}]
	// 204
	// 401 {"error_type":"UNAUTHENTICATED","messages":[{"args":[],"default_message":"Authentication required.","id":"com.vmware.vapi.endpoint.method.authentication.required"}]}
}

// The legacy /rest flavor wraps results in {"value":...}, answers 200
// everywhere and sends errors as {"type":...,"value":{...}} with message
// params as a key/value list.
func ExampleNew_legacyREST() {
	sim, err := simulator.New(simulator.WithPlainHTTP())
	if err != nil {
		log.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	login := call(hc, http.MethodPost, sim.URL()+"/rest/com/vmware/cis/session", "", "")
	var env struct{ Value string }
	if err := json.Unmarshal(login[len("200 "):], &env); err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(login[:3]), "token")
	fmt.Printf("%s\n", call(hc, http.MethodGet, sim.URL()+"/rest/hvc/links", env.Value, ""))
	fmt.Printf("%s\n", call(hc, http.MethodDelete, sim.URL()+"/rest/hvc/links/link-7", env.Value, ""))
	fmt.Printf("%s\n", call(hc, http.MethodPut, sim.URL()+"/rest/hvc/management/administrators", env.Value, `{"group_names":["b@d","a@d","b@d"]}`))
	fmt.Printf("%s\n", call(hc, http.MethodGet, sim.URL()+"/rest/hvc/management/administrators", env.Value, ""))
	// Output:
	// 200 token
	// 200 {"value":[]}
	// 404 {"type":"com.vmware.vapi.std.errors.not_found","value":{"error_type":"NOT_FOUND","messages":[{"args":["link-7"],"default_message":"The link link-7 was not found.","id":"com.vmware.vcenter.hvc.link.not_found","params":[{"key":"link","value":{"s":"link-7"}}]}]}}
	// 200
	// 200 {"value":["a@d","b@d"]}
}

// A fault makes the next providers start answer 503, then the server
// behaves again; the request log shows both.
func ExampleServer_AddFault() {
	sim, err := simulator.New(simulator.WithPlainHTTP())
	if err != nil {
		log.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	if _, err := sim.AddFault(simulator.Fault{Method: http.MethodGet, Path: "/api/hvc/links", ErrorType: "SERVICE_UNAVAILABLE", Times: 1}); err != nil {
		panic(err)
	}
	login := call(hc, http.MethodPost, sim.URL()+"/api/session", "", "")
	var token string
	if err := json.Unmarshal(login[len("201 "):], &token); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", call(hc, http.MethodGet, sim.URL()+"/api/hvc/links", token, ""))
	fmt.Printf("%s\n", call(hc, http.MethodGet, sim.URL()+"/api/hvc/links", token, ""))
	for _, r := range sim.Requests() {
		fmt.Println(r.Method, r.Path, r.Flavor, r.Status)
	}
	// Output:
	// 503 {"error_type":"SERVICE_UNAVAILABLE","messages":[{"args":[],"default_message":"Injected fault: SERVICE_UNAVAILABLE.","id":"com.vmware.hvc.simulator.fault"}]}
	// 200 []
	// POST /api/session api 201
	// GET /api/hvc/links api 503
	// GET /api/hvc/links api 200
}
