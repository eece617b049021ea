package fakevc

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"time"
)

// ChildEnv, set to "1" in a process's environment, tells the benchmark
// binary to run Serve instead of its benchmarks (see Start).
const ChildEnv = "HVC_BENCH_SERVER"

// Stats are the server's counters since it started.
type Stats struct {
	// Logins counts POST /api/session.
	Logins int64 `json:"logins"`
	// Conns counts TLS connections accepted.
	Conns int64 `json:"conns"`
	// FullHandshakes and Resumed count completed TLS handshakes by kind.
	FullHandshakes int64 `json:"full_handshakes"`
	Resumed        int64 `json:"resumed"`
}

// Sub returns s minus earlier.
func (s Stats) Sub(earlier Stats) Stats {
	return Stats{Logins: s.Logins - earlier.Logins, Conns: s.Conns - earlier.Conns,
		FullHandshakes: s.FullHandshakes - earlier.FullHandshakes, Resumed: s.Resumed - earlier.Resumed}
}

// announce is the one line a server process writes to its stdout.
type announce struct {
	HTTP, HTTPS, Token string
	CertPEM            []byte
}

type server struct {
	token                        atomic.Pointer[string]
	gen                          atomic.Int64
	logins, conns, full, resumed atomic.Int64
}

// Serve runs the fake vCenter on two loopback listeners, plain HTTP and TLS
// (HTTP/1.1 only, session tickets on), announces them as one JSON line on
// out, and returns when in reaches EOF (the parent closed it or died).
func Serve(in io.Reader, out io.Writer) error {
	s := &server{}
	s.expire()
	cert, certPEM, err := selfSigned()
	if err != nil {
		return err
	}
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	tc := &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
		MinVersion:   tls.VersionTLS12,
		// VerifyConnection runs after every handshake, resumed or not.
		VerifyConnection: func(cs tls.ConnectionState) error {
			if cs.DidResume {
				s.resumed.Add(1)
			} else {
				s.full.Add(1)
			}
			return nil
		},
	}
	// Clients that close a connection mid-handshake (a transport dropping
	// a surplus dial) are normal here: do not log them.
	quiet := log.New(io.Discard, "", 0)
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
	ts := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet,
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.conns.Add(1)
			}
		}}
	go func() { _ = hs.Serve(plain) }()
	go func() { _ = ts.Serve(tls.NewListener(tl, tc)) }()
	line, err := json.Marshal(announce{HTTP: "http://" + plain.Addr().String(),
		HTTPS: "https://" + tl.Addr().String(), Token: *s.token.Load(), CertPEM: certPEM})
	if err != nil {
		return err
	}
	if _, err := out.Write(append(line, '\n')); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, in)
	return errors.Join(hs.Close(), ts.Close())
}

func (s *server) expire() {
	t := "tok-" + strconv.FormatInt(s.gen.Add(1), 10)
	s.token.Store(&t)
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h := w.Header()
	h["Content-Type"] = jsonHeader["Content-Type"]
	status, body := http.StatusUnauthorized, unauthorized
	switch {
	case isControl(r.URL.Path):
		status, body = s.control(r)
	case r.Method == http.MethodPost && r.URL.Path == "/api/session":
		s.logins.Add(1)
		status, body = http.StatusCreated, []byte(strconv.Quote(*s.token.Load()))
	case authorized(r.Header, *s.token.Load()):
		status, body = answer(r.Method, r.URL.Path, r.URL.RawQuery)
	default:
		h["Www-Authenticate"] = []string{`Basic realm="VAPI endpoint"`}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// control serves /_bench/stats (GET) and /_bench/expire (POST: the current
// session becomes invalid; the reply is the next login's session id).
func (s *server) control(r *http.Request) (int, []byte) {
	switch r.URL.Path {
	case "/_bench/expire":
		s.expire()
		return http.StatusOK, []byte(strconv.Quote(*s.token.Load()))
	case "/_bench/stats":
		b, _ := json.Marshal(Stats{Logins: s.logins.Load(), Conns: s.conns.Load(),
			FullHandshakes: s.full.Load(), Resumed: s.resumed.Load()})
		return http.StatusOK, b
	}
	return http.StatusNotFound, notFound
}

func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// Proc is a running server process.
type Proc struct {
	// HTTP and HTTPS are the base URLs of the two listeners.
	HTTP, HTTPS string
	// Token is the session id valid until the next Expire.
	Token string
	// Roots trusts the TLS listener's certificate.
	Roots *x509.CertPool

	cmd   *exec.Cmd
	stdin io.Closer
	hc    *http.Client
}

// Start runs exe (a binary whose main calls Serve when ChildEnv is "1")
// with args and waits for its announcement.
func Start(exe string, args ...string) (*Proc, error) {
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), ChildEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Proc{cmd: cmd, stdin: stdin, hc: &http.Client{Timeout: 10 * time.Second}}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	var a announce
	if err == nil {
		err = json.Unmarshal(line, &a)
	}
	if err != nil {
		return nil, errors.Join(errors.New("fakevc: server process did not announce itself: "+err.Error()), p.Stop())
	}
	p.HTTP, p.HTTPS, p.Token = a.HTTP, a.HTTPS, a.Token
	p.Roots = x509.NewCertPool()
	p.Roots.AppendCertsFromPEM(a.CertPEM)
	return p, nil
}

// Stop ends the server process and waits for it.
func (p *Proc) Stop() error {
	_ = p.stdin.Close()
	return p.cmd.Wait()
}

// Stats reads the server's counters.
func (p *Proc) Stats() (Stats, error) {
	var st Stats
	resp, err := p.hc.Get(p.HTTP + "/_bench/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&st)
	return st, err
}

// Expire invalidates the current session: calls with it get 401 and the
// next login gets a new one, which becomes p.Token.
func (p *Proc) Expire() error {
	resp, err := p.hc.Post(p.HTTP+"/_bench/expire", "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("fakevc: expire: " + resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(&p.Token)
}
