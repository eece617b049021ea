package conn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTargetGovcForms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, endpoint, hostport, user, pass, err string
	}{
		{in: "vc.example", endpoint: "https://vc.example", hostport: "vc.example:443"},
		{in: "VC.example:8443", endpoint: "https://VC.example:8443", hostport: "vc.example:8443"},
		{in: "https://vc.example/sdk", endpoint: "https://vc.example", hostport: "vc.example:443"},
		{in: "user@vsphere.local:p%40ss:w@vc.example", endpoint: "https://vc.example", hostport: "vc.example:443", user: "user@vsphere.local", pass: "p@ss:w"},
		{in: "https://u:p@[::1]:9443/", endpoint: "https://[::1]:9443", hostport: "[::1]:9443", user: "u", pass: "p"},
		{in: "http://127.0.0.1:8080", endpoint: "http://127.0.0.1:8080", hostport: "127.0.0.1:8080"},
		{in: "ftp://vc.example", err: "scheme"},
		{in: "https://vc.example/ui", err: "unexpected path"},
		{in: "https://u:secret@vc example", err: "invalid URL"},
		{in: "", err: "empty"},
	}
	for _, c := range cases {
		got, err := ParseTarget(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one containing %q", c.in, err, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%q: the error quotes the password: %v", c.in, err)
			}
			continue
		}
		if err != nil || got.Endpoint != c.endpoint || got.HostPort != c.hostport || got.User != c.user || got.URLPassword != c.pass {
			t.Errorf("%q: got %+v, %v; want %s %s %s", c.in, got, err, c.endpoint, c.hostport, c.user)
		}
	}
}

func TestKnownHosts(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "sub", "known_hosts")
	kh := KnownHosts{File: f}
	if tp, _, err := kh.Lookup("vc:443", t.Logf); tp != "" || err != nil {
		t.Fatalf("a missing file: %q, %v", tp, err)
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
		t.Fatal(err)
	}
	content := "# comment\nvc.example AA:BB\nother:8443 CC\nvc.example:443 DD\n"
	if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ hp, want string }{{"vc.example:443", "DD"}, {"other:8443", "CC"}, {"other:443", ""}, {"VC.EXAMPLE:443", "DD"}} {
		if got, _, err := kh.Lookup(c.hp, t.Logf); got != c.want || err != nil {
			t.Errorf("%s: %q, %v; want %q", c.hp, got, err, c.want)
		}
	}
	if err := kh.Add(context.Background(), "vc.example:443", "EE"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f)
	if string(b) != "# comment\nother:8443 CC\nvc.example:443 EE\n" {
		t.Errorf("after add: %q", b)
	}
	if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", fi.Mode().Perm())
	}
}

// TestKnownHostsRefusesWhatOthersCouldWrite: a known-hosts file another
// user owns or could change, or that sits where another user could replace
// it, is refused with what to fix; the owner is looked up through a seam
// (making a file of another uid needs root).
func TestKnownHostsRefusesWhatOthersCouldWrite(t *testing.T) {
	t.Parallel()
	if !modeChecks {
		t.Skip("file modes do not say who may write here")
	}
	me := os.Getuid()
	mine := func(os.FileInfo) (int, bool) { return me, true }
	cases := []struct {
		name     string
		fileMode os.FileMode
		dirMode  os.FileMode
		owner    func(os.FileInfo) (int, bool)
		symlink  bool
		want     string // "" when accepted
	}{
		{name: "private", fileMode: 0o600, dirMode: 0o700, owner: mine},
		{name: "world-readable", fileMode: 0o644, dirMode: 0o755, owner: mine},
		{name: "root's", fileMode: 0o644, dirMode: 0o755, owner: func(os.FileInfo) (int, bool) { return 0, true }},
		{name: "sticky dir", fileMode: 0o600, dirMode: 0o777 | os.ModeSticky, owner: mine},
		{name: "another user's", fileMode: 0o600, dirMode: 0o700, owner: func(os.FileInfo) (int, bool) { return me + 1000, true }, want: "owned by uid"},
		{name: "group-writable", fileMode: 0o620, dirMode: 0o700, owner: mine, want: "chmod go-w"},
		{name: "world-writable", fileMode: 0o666, dirMode: 0o700, owner: mine, want: "lets other users change it"},
		{name: "writable dir", fileMode: 0o600, dirMode: 0o777, owner: mine, want: "lets other users replace it"},
		{name: "symlink", fileMode: 0o600, dirMode: 0o700, owner: mine, symlink: true, want: "symbolic link"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "d")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(dir, "known_hosts")
			real := f
			if c.symlink {
				real = filepath.Join(dir, "real")
				if err := os.Symlink(real, f); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(real, []byte("vc.example DD\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(real, c.fileMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, c.dirMode); err != nil {
				t.Fatal(err)
			}
			tp, err := lookupKnownHost(f, "vc.example:443", c.owner, me)
			if c.want == "" {
				if err != nil || tp != "DD" {
					t.Errorf("refused: %q, %v", tp, err)
				}
				return
			}
			var refused *TrustFileError
			if !errors.As(err, &refused) || !strings.Contains(err.Error(), c.want) || tp != "" {
				t.Errorf("got %q, %v; want a *TrustFileError containing %q", tp, err, c.want)
			}
		})
	}
}

// TestKnownHostsLongLine: a line over 64 KiB is an error naming it, not a
// silent end of the file that hides the entries after it.
func TestKnownHostsLongLine(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "known_hosts")
	content := "x " + strings.Repeat("A", 70<<10) + "\nvc.example DD\n"
	if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	kh := KnownHosts{File: f}
	tp, _, err := kh.Lookup("vc.example:443", t.Logf)
	if err == nil || !strings.Contains(err.Error(), "line 1 is longer than 64 KiB") || tp != "" {
		t.Errorf("lookup: %q, %v", tp, err)
	}
	if err := kh.Add(context.Background(), "other:443", "EE"); err == nil {
		t.Error("Add succeeded although the file hides its entries")
	}
	if b, _ := os.ReadFile(f); string(b) != content {
		t.Error("a refused Add changed the file")
	}
}

// TestParseTargetNeverQuotesTheURLPassword: govc-style URLs whose password
// holds "/", "#", "?", "%", ":" or "@" either parse with that password or
// fail with an error that quotes no piece of it; "#" and "?" (which a URL
// cannot carry) and a bad %-escape point at HVC_PASSWORD.
func TestParseTargetNeverQuotesTheURLPassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url, pass, err string
	}{
		{url: "adm:Sec/retPw@vc.example", pass: "Sec/retPw"},
		{url: "https://adm:Se:c@ret@vc.example:8443/sdk", pass: "Se:c@ret"},
		{url: "adm:Sec%2FretPw@vc.example", pass: "Sec/retPw"},
		{url: "adm:Sec#retPw@vc.example", err: "HVC_PASSWORD"},
		{url: "adm:Sec?retPw@vc.example", err: "HVC_PASSWORD"},
		{url: "adm:Sec%zzretPw@vc.example", err: "HVC_PASSWORD"},
		{url: "https://adm:Sec/ret#Pw?xy%zz@vc.example/sdk", err: "HVC_PASSWORD"},
		{url: "adm:Sec://retPw@vc.example", pass: "Sec://retPw"},
		{url: "adm:Sec/retPw@vc.example/ui", err: "unexpected path"},
	}
	for _, c := range cases {
		got, err := ParseTarget(c.url)
		if c.err == "" {
			if err != nil || got.URLPassword != c.pass || got.User != "adm" || !strings.HasSuffix(got.HostPort, "vc.example:"+map[bool]string{true: "8443", false: "443"}[strings.Contains(c.url, "8443")]) {
				t.Errorf("%q: %+v, %v; want password %q", c.url, got, err, c.pass)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want one containing %q", c.url, err, c.err)
			continue
		}
		for _, piece := range []string{"Sec", "ret", "Pw", "xy", "zz"} {
			if strings.Contains(err.Error(), piece) {
				t.Errorf("%q: the error quotes %q of the password: %v", c.url, piece, err)
			}
		}
	}
}

// TestReadSecretFileRefusesFilesOthersCanRead: a password file with any
// group or other permission bit is refused, naming the fix.
func TestReadSecretFileRefusesFilesOthersCanRead(t *testing.T) {
	t.Parallel()
	if !modeChecks {
		t.Skip("file modes do not say who may read here")
	}
	for _, c := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o600, true}, {0o400, true}, {0o640, false}, {0o644, false}, {0o604, false}} {
		f := filepath.Join(t.TempDir(), "pw")
		if err := os.WriteFile(f, []byte("s3cret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(f, c.mode); err != nil {
			t.Fatal(err)
		}
		pw, err := ReadSecretFile(f)
		switch {
		case c.ok && (err != nil || pw != "s3cret"):
			t.Errorf("mode %04o: %q, %v", c.mode, pw, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "s3cret")):
			t.Errorf("mode %04o: %q, %v; want a refusal naming chmod 600", c.mode, pw, err)
		}
	}
}

// TestMACKeyFileChecks: the MAC key is created 0600 once and read back; a
// key file others can read, or one hvcctl did not write, is not used (the
// slow verifier decides) and is left as it is.
func TestMACKeyFileChecks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var warnings []string
	warnf := func(f string, a ...any) { warnings = append(warnings, fmt.Sprintf(f, a...)) }
	k1 := loadMACKey(context.Background(), dir, warnf)
	k2 := loadMACKey(context.Background(), dir, warnf)
	if k1 == nil || k2 == nil || k1.id != k2.id || len(warnings) != 0 {
		t.Fatalf("keys %v %v, warnings %q", k1, k2, warnings)
	}
	path := filepath.Join(dir, macKeyFile)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	if !modeChecks {
		return
	}
	if err := os.Chmod(path, 0o644); err != nil { //nolint:gosec // G302: the too-open key is what is tested
		t.Fatal(err)
	}
	if k := loadMACKey(context.Background(), dir, warnf); k != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "readable by others") {
		t.Errorf("a 0644 key: %v, warnings %q", k, warnings)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("the key file's mode was changed to %o", fi.Mode().Perm())
	}
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if k := loadMACKey(context.Background(), dir, warnf); k != nil {
		t.Error("a key file hvcctl did not write was used")
	}
}

// TestRemoveStaleTemps: only writeFileAtomic's leftovers for that path go:
// regular files of ours named .<base>.tmp-<digits>.
func TestRemoveStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "known_hosts")
	gone := []string{".known_hosts.tmp-1", ".known_hosts.tmp-987654321"}
	kept := []string{"known_hosts", ".known_hosts.tmp-", ".known_hosts.tmp-12a", ".other.tmp-1", "known_hosts.tmp-1"}
	for _, n := range append(append([]string(nil), gone...), kept...) {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".known_hosts.tmp-2"), 0o700); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, ".known_hosts.tmp-2") // a directory
	removeStaleTemps(path)
	for _, n := range gone {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s is still there", n)
		}
	}
	for _, n := range kept {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed", n)
		}
	}
}

// TestKnownHostsNullDevice: the null device as the known-hosts file (the
// ssh and govc idiom for "no pins") is a file without entries, not a
// refusal; Add refuses it and leaves it as it is, with no lock file
// beside it.
func TestKnownHostsNullDevice(t *testing.T) {
	t.Parallel()
	before, err := os.Lstat(os.DevNull)
	if err != nil || before.Mode()&os.ModeDevice == 0 {
		t.Skipf("no null device at %s: %v", os.DevNull, err)
	}
	kh := KnownHosts{File: os.DevNull}
	if tp, _, err := kh.Lookup("vc.example:443", t.Logf); tp != "" || err != nil {
		t.Errorf("Lookup: %q, %v; want no entry and no error", tp, err)
	}
	var refused *TrustFileError
	if err := kh.Add(context.Background(), "vc.example:443", "AA"); !errors.As(err, &refused) || !strings.Contains(err.Error(), "null device") {
		t.Errorf("Add: %v; want a refusal naming the null device", err)
	}
	after, err := os.Lstat(os.DevNull)
	if err != nil || !os.SameFile(before, after) || after.Mode() != before.Mode() {
		t.Errorf("%s changed: %v, %v", os.DevNull, after, err)
	}
	if _, err := os.Lstat(os.DevNull + ".lock"); err == nil {
		t.Errorf("Add made %s.lock", os.DevNull)
	}
	// A symbolic link to it is refused as any link is.
	link := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.Symlink(os.DevNull, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (KnownHosts{File: link}).Lookup("vc.example:443", t.Logf); !errors.As(err, &refused) {
		t.Errorf("a link to %s: %v; want a refusal", os.DevNull, err)
	}
}
