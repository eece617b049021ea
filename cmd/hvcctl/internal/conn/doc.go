// Package conn is how hvcctl connects to a vCenter, in the spirit of govc's
// flags.ClientFlag: one place owns the connection settings, the password
// sources (the vCenter's and the foreign PSC's), the trust decision
// (--insecure, a pinned thumbprint, the known-hosts files, a CA file), the
// session cache under $HVCCTL_HOME and the client's lifecycle from connect
// to logout. Commands ask a Connector for a client and call Finish when
// they are done; nothing about connecting is written twice.
//
// Errors that are the operator's to fix are *Error values whose Kind says
// how hvcctl reports them (usage, authentication); every other error is
// the SDK's, unchanged.
package conn
