package conn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const (
	// maxKnownHostsLine bounds one known-hosts line.
	maxKnownHostsLine = 64 << 10
	// maxKnownHostsBytes bounds a known-hosts file.
	maxKnownHostsBytes = 8 << 20
)

// KnownHosts are the files a vCenter's thumbprint may come from: File, the
// operator's ("cert --add" writes it), and Fallback, govc's, read only and
// consulted when File has no entry. Both hold "host[:port] thumbprint"
// lines; "host" alone means port 443; the last matching line wins.
//
// A known-hosts file is a trust anchor: whoever can write it decides which
// servers hvcctl sends passwords to. So it is used only when it is a
// regular file (not a symbolic link) owned by the user or root, not
// writable by group or others, in a directory only they can change
// (or a sticky one, like /tmp). The null device, which always reads
// empty, is a file without entries, never written.
type KnownHosts struct {
	File     string
	Fallback string
}

// TrustFileError is a known-hosts file hvcctl refuses to take trust from,
// with what to do about it.
type TrustFileError struct {
	Path    string
	Problem string
	Fix     string
}

func (e *TrustFileError) Error() string {
	return "refusing the known-hosts file " + e.Path + ": " + e.Problem + "; " + e.Fix
}

// Lookup returns the thumbprint recorded for hostport and the file it came
// from ("" when there is none). A refused or unreadable File is an error; a
// refused Fallback is skipped with a warning. The null device reads as a
// file without entries.
func (k KnownHosts) Lookup(hostport string, warnf func(string, ...any)) (tp, from string, err error) {
	if k.File != "" {
		tp, err = lookupKnownHost(k.File, hostport, ownerOf, os.Getuid())
		if err != nil || tp != "" {
			return tp, k.File, err
		}
	}
	if k.Fallback != "" && k.Fallback != k.File {
		tp, err = lookupKnownHost(k.Fallback, hostport, ownerOf, os.Getuid())
		if err != nil {
			warnf("ignoring govc's %v", err)
			return "", "", nil
		}
		if tp != "" {
			return tp, k.Fallback, nil
		}
	}
	return "", "", nil
}

// lookupKnownHost returns the thumbprint file records for hostport, "" when
// the file does not exist or has no entry.
func lookupKnownHost(file, hostport string, owner func(os.FileInfo) (int, bool), me int) (string, error) {
	f, err := openTrustFile(file, owner, me)
	if f == nil || err != nil {
		return "", err
	}
	defer f.Close()
	keys := knownHostKeys(hostport)
	var tp string
	err = scanKnownHosts(f, file, func(line string) {
		fields := strings.Fields(line)
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			return
		}
		for _, key := range keys {
			if strings.EqualFold(fields[0], key) {
				tp = fields[1]
			}
		}
	})
	return tp, err
}

// scanKnownHosts calls fn for each line of r, failing on a line longer than
// maxKnownHostsLine or a file larger than maxKnownHostsBytes: either would
// hide the entries after it.
func scanKnownHosts(r io.Reader, name string, fn func(line string)) error {
	lr := &io.LimitedReader{R: r, N: maxKnownHostsBytes + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 0, 4096), maxKnownHostsLine)
	n := 0
	for sc.Scan() {
		n++
		fn(sc.Text())
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return &TrustFileError{Path: name, Problem: fmt.Sprintf("line %d is longer than %d KiB", n+1, maxKnownHostsLine>>10),
			Fix: "remove or shorten that line: the entries after it would be ignored"}
	case err != nil:
		return fmt.Errorf("reading the known-hosts file %s: %w", name, err)
	case lr.N <= 0:
		return &TrustFileError{Path: name, Problem: fmt.Sprintf("it is larger than %d MiB", maxKnownHostsBytes>>20),
			Fix: "keep only the lines you need"}
	}
	return nil
}

// openTrustFile opens a known-hosts file after checking who could have
// written it; a missing file is (nil, nil). A file replaced between the
// check and the open (another hvcctl's atomic rewrite) is checked again, a
// few times, before it is refused.
func openTrustFile(path string, owner func(os.FileInfo) (int, bool), me int) (*os.File, error) {
	const attempts = 5
	for i := 1; ; i++ {
		f, err := openTrustFileOnce(path, owner, me)
		var tfe *TrustFileError
		if i == attempts || !errors.As(err, &tfe) || tfe.Problem != problemReplaced {
			return f, err
		}
	}
}

// problemReplaced is the TrustFileError problem of a file replaced while
// it was being opened.
const problemReplaced = "it was replaced while being opened"

func openTrustFileOnce(path string, owner func(os.FileInfo) (int, bool), me int) (*os.File, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, checkTrustDir(path, owner, me)
	}
	if err != nil {
		return nil, fmt.Errorf("known-hosts file: %w", err)
	}
	if isNullDevice(fi) {
		// Reads as empty, and nobody can write anything into it: no trust
		// can come from it (the ssh and govc idiom for "no pins").
		return nil, nil
	}
	if err := checkTrustFile(path, fi, owner, me); err != nil {
		return nil, err
	}
	if err := checkTrustDir(path, owner, me); err != nil {
		return nil, err
	}
	f, err := os.Open(path) //nolint:gosec // G304: the operator names the known-hosts file; checked above
	if err != nil {
		return nil, fmt.Errorf("known-hosts file: %w", err)
	}
	if now, err := f.Stat(); err != nil || !os.SameFile(fi, now) {
		f.Close()
		return nil, &TrustFileError{Path: path, Problem: problemReplaced, Fix: "check who else writes it"}
	}
	return f, nil
}

// isNullDevice reports whether fi is the system's null device (os.DevNull
// itself, not a symbolic link to it).
func isNullDevice(fi os.FileInfo) bool {
	if fi.Mode()&os.ModeDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// checkTrustFile checks the file itself.
func checkTrustFile(path string, fi os.FileInfo, owner func(os.FileInfo) (int, bool), me int) error {
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return &TrustFileError{Path: path, Problem: "it is a symbolic link",
			Fix: "name the file it points to with --tls-known-hosts (HVC_TLS_KNOWN_HOSTS), or replace the link with a copy"}
	case !fi.Mode().IsRegular():
		return &TrustFileError{Path: path, Problem: "it is not a regular file", Fix: "name a regular file with --tls-known-hosts"}
	}
	if uid, ok := owner(fi); ok && uid != me && uid != 0 {
		return &TrustFileError{Path: path, Problem: fmt.Sprintf("it is owned by uid %d, not by you (uid %d) or root", uid, me),
			Fix: "another user could make hvcctl trust any server; use a file of your own"}
	}
	if modeChecks && fi.Mode().Perm()&0o022 != 0 {
		return &TrustFileError{Path: path, Problem: fmt.Sprintf("its mode %04o lets other users change it", fi.Mode().Perm()),
			Fix: "run chmod go-w " + path}
	}
	return nil
}

// checkTrustDir checks the directory of path: others must not be able to
// replace the file (a sticky directory lets them only remove their own).
func checkTrustDir(path string, owner func(os.FileInfo) (int, bool), me int) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("known-hosts directory: %w", err)
	}
	if uid, ok := owner(fi); ok && uid != me && uid != 0 {
		return &TrustFileError{Path: path, Problem: fmt.Sprintf("its directory %s is owned by uid %d, who could replace it", dir, uid),
			Fix: "keep it in a directory of your own"}
	}
	if modeChecks && fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0 {
		return &TrustFileError{Path: path, Problem: fmt.Sprintf("its directory %s (mode %04o) lets other users replace it", dir, fi.Mode().Perm()),
			Fix: "run chmod go-w " + dir + ", or keep the file in a private directory"}
	}
	return nil
}

// Add records hostport's thumbprint in File, replacing earlier lines for
// the same host. Concurrent Adds are serialised by a lock on File+".lock"
// and each rewrites the file atomically, so none loses another's line. It
// fails, changing nothing, when the file is one Lookup would refuse.
func (k KnownHosts) Add(ctx context.Context, hostport, tp string) error {
	if fi, err := os.Lstat(k.File); err == nil && isNullDevice(fi) {
		// Never replaced by the atomic rewrite below, nor given a lock file.
		return &TrustFileError{Path: k.File, Problem: "it is the null device, which keeps nothing",
			Fix: "name a regular file with --tls-known-hosts"}
	}
	if err := os.MkdirAll(filepath.Dir(k.File), 0o700); err != nil {
		return err
	}
	me := os.Getuid()
	if err := checkTrustDir(k.File, ownerOf, me); err != nil {
		return err
	}
	unlock, err := lock(ctx, k.File+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	var kept []string
	f, err := openTrustFile(k.File, ownerOf, me)
	if err != nil {
		return err
	}
	if f != nil {
		keys := knownHostKeys(hostport)
		err = scanKnownHosts(f, k.File, func(line string) {
			fields := strings.Fields(line)
			if len(fields) >= 1 {
				for _, key := range keys {
					if strings.EqualFold(fields[0], key) {
						return
					}
				}
			}
			if line != "" {
				kept = append(kept, line)
			}
		})
		f.Close()
		if err != nil {
			return err
		}
	}
	kept = append(kept, hostport+" "+tp)
	removeStaleTemps(k.File)
	if err := writeFileAtomic(k.File, []byte(strings.Join(kept, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	// Read it back as the next command will.
	got, err := lookupKnownHost(k.File, hostport, ownerOf, me)
	if err != nil {
		return err
	}
	if got != tp {
		return fmt.Errorf("%s does not read back the new entry for %s", k.File, hostport)
	}
	return nil
}
