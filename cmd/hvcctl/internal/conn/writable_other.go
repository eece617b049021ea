//go:build !unix

package conn

import "os"

// checkWritable checks that dir is writable by creating and removing a
// file in it: access(2) is not there, or says nothing reliable (ACLs).
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
