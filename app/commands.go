package main

import (
	"fmt"
	"io"

	"github.com/opsdesk/opsdesk"
)

// Exit codes, shared by every headless command so scripts can tell a bad
// invocation (fix the script) from an operation that failed (look at the data).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `Usage: opsdesk [command] [arguments]

With no command, opsdesk opens the desktop app.

Commands:
  version    print the version and exit
  keystore   inspect and change the keystore (run "opsdesk keystore help")
  credentials  keep user credentials and secure parameters in the keyring
               (run "opsdesk credentials help")
  test       run a connectivity test: smtp, imap, pop3, tls (run "opsdesk test help")
  help       print this help

Exit codes: 0 success, 1 failure, 2 usage error.
`

// runCommand takes its streams as parameters so tests can run it without a
// display or a process of their own.
func runCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "version":
		fmt.Fprintf(stdout, "opsdesk %s\n", opsdesk.Version())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "keystore":
		return runKeystore(args[1:], stdin, stdout, stderr)
	case "credentials":
		return runCredentials(args[1:], stdin, stdout, stderr)
	case "test":
		return runTest(args[1:], stdin, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "opsdesk: unknown command %q; run \"opsdesk help\" for the list of commands.\n", args[0])
		return exitUsage
	}
}
