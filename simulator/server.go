package simulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"

	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// Server is a simulated vCenter. Create it with New (or Run in a test),
// then Start it; all methods are safe for concurrent use.
type Server struct {
	cfg  config
	cert tls.Certificate
	// offset is what Advance added to the clock, in nanoseconds.
	offset atomic.Int64
	leaf   *x509.Certificate

	mu          sync.Mutex
	sessions    map[string]*session
	swept       time.Time // when the sessions were last swept
	logins      int
	expireAfter int
	links       map[string]*link
	linkSeq     map[string]int
	byDomain    map[string]string // link id by foldKey(domain)
	nextLink    int
	admins      map[string]bool
	faults      []*faultEntry
	requests    []RecordedRequest
	logSize     int64 // accounted bytes of requests
	logDropped  int   // records dropped to stay within the bounds
	routes      []route
	mux         *http.ServeMux
	// faultSeq numbers the faults, for the control surface's ids.
	faultSeq   int
	open, peak int
	// initial is the configuration New built; Reset restores its sync
	// duration and failing providers after SetSyncDuration and
	// SetFailingProviders.
	initial config

	httpSrv *http.Server
	ln      net.Listener
	url     string
	done    chan struct{}
}

// New configures a server without starting it.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("simulator: nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	cfg.api = cfg.api && cfg.servesAPI()
	if !cfg.api && !cfg.rest {
		return nil, fmt.Errorf("simulator: vSphere %s has no /api flavor, and WithAPIOnly removed /rest: nothing to serve", cfg.release)
	}
	if cfg.control && cfg.controlToken == "" {
		cfg.controlToken = newControlToken()
	}
	s := &Server{
		cfg:         cfg,
		sessions:    map[string]*session{},
		expireAfter: -1,
		links:       map[string]*link{},
		linkSeq:     map[string]int{},
		byDomain:    map[string]string{},
		admins:      map[string]bool{"Administrators@vsphere.local": true},
	}
	s.initial = cfg
	s.routes = s.builtinRoutes()
	mux, err := s.buildMux(s.routes)
	if err != nil {
		return nil, fmt.Errorf("simulator: routes: %w", err)
	}
	s.mux = mux
	return s, nil
}

// Start listens on the configured address and serves in the background.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.httpSrv != nil {
		return errors.New("simulator: already started")
	}
	ln, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		return fmt.Errorf("simulator: listen: %w", err)
	}
	ln = netutil.LimitListener(ln, s.cfg.maxConns)
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	scheme := "http"
	if !s.cfg.plain {
		reqHost, _, _ := net.SplitHostPort(s.cfg.addr)
		cert, leaf, err := newCertificate(reqHost)
		if s.cfg.cert != nil {
			cert, leaf, err = *s.cfg.cert, s.cfg.cert.Leaf, nil
		}
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("simulator: certificate: %w", err)
		}
		s.cert, s.leaf = cert, leaf
		ln = tls.NewListener(ln, &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
			NextProtos:   []string{"http/1.1"},
		})
		scheme = "https"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s.url = scheme + "://" + net.JoinHostPort(host, port)
	s.ln = ln
	s.httpSrv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.timeouts.ReadHeader,
		ReadTimeout:       s.cfg.timeouts.Read,
		IdleTimeout:       s.cfg.timeouts.Idle,
		MaxHeaderBytes:    s.cfg.timeouts.MaxHeaderBytes,
		ConnState:         s.trackConn,
		ErrorLog:          slog.NewLogLogger(s.cfg.logger.Handler(), slog.LevelDebug),
	}
	s.done = make(chan struct{})
	go func(srv *http.Server, ln net.Listener, done chan struct{}) {
		defer close(done)
		_ = srv.Serve(ln)
	}(s.httpSrv, ln, s.done)
	return nil
}

// Close stops the server at once, closing every connection, and waits for
// it to stop serving. Closing a server that never started, or twice, is a
// no-op.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, done := s.httpSrv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	return err
}

// Shutdown stops the server gracefully: it stops accepting, waits for
// requests in flight until ctx ends, then closes.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.httpSrv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	<-done
	return err
}

// URL is the base URL, e.g. https://127.0.0.1:41234, without a path.
// It is empty before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Certificate is the server's self-signed leaf certificate (nil before
// Start or with WithPlainHTTP).
func (s *Server) Certificate() *x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leaf
}

// Thumbprint is the SHA-256 thumbprint of the server's certificate in
// vSphere's colon-separated upper-case form, for pinning ("" before Start or
// with WithPlainHTTP).
func (s *Server) Thumbprint() string {
	leaf := s.Certificate()
	if leaf == nil {
		return ""
	}
	return thumbprint.SHA256(leaf.Raw)
}

// CertPool is a pool holding only the server's certificate, for clients that
// verify it as a root (nil before Start or with WithPlainHTTP).
func (s *Server) CertPool() *x509.CertPool {
	leaf := s.Certificate()
	if leaf == nil {
		return nil
	}
	p := x509.NewCertPool()
	p.AddCert(leaf)
	return p
}

// TB is the part of testing.TB that Run needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Run starts a server for a test and closes it when the test ends. It fails
// the test if the server cannot start.
func Run(t TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("%v", err) // already "simulator: ..."
		return nil
	}
	if err := s.Start(); err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Reset returns the server to its state after New: no links, sessions,
// faults or recorded requests, the default administrators, login count 0,
// the sync duration and failing providers of its options. Routes added
// with Handle stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = map[string]*session{} // clear would keep the buckets
	clear(s.links)
	clear(s.linkSeq)
	clear(s.byDomain)
	s.nextLink, s.logins, s.expireAfter = 0, 0, -1
	s.admins = map[string]bool{"Administrators@vsphere.local": true}
	s.faults = nil
	s.resetLog()
	s.cfg.syncDuration, s.cfg.failing = s.initial.syncDuration, s.initial.failing
}

// trackConn counts open connections.
func (s *Server) trackConn(_ net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.open++
		s.peak = max(s.peak, s.open)
	case http.StateClosed, http.StateHijacked:
		s.open--
	}
}

// OpenConnections is the number of client connections open now.
func (s *Server) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// MaxOpenConnections is the largest number of connections that were open
// at once since the server started.
func (s *Server) MaxOpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}
