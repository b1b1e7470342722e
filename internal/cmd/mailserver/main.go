// Command mailserver runs mailtest's loopback SMTP server (STARTTLS, a
// generated chain), and with -imap-port an IMAPS server beside it, outside
// a test, so that scripts/bench-connectivity.sh
// can time opsdesk and openssl s_client against the same server, and
// scripts/screenshots.sh can show a real test result. It prints the port,
// then serves until it is killed. The account it accepts is -user, with the
// password in MAILSERVER_PASSWORD (a demo account; "bench" when unset).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

// tb lets the test helpers run in a plain program: a failure ends it.
type tb struct{ testing.TB }

func (tb) Helper()                        {}
func (tb) Fatal(args ...any)              { log.Fatal(args...) }
func (tb) Fatalf(format string, a ...any) { log.Fatalf(format, a...) }
func (tb) Cleanup(func())                 {}

func main() {
	user := flag.String("user", "bench", "the user the server accepts")
	root := flag.String("root", "", "write the chain's root certificate (PEM) to this `FILE`, for SSL_CERT_FILE: "+
		"the server sends its leaf and intermediate only, as Gmail does, and the root completes the chain")
	imapPort := flag.String("imap-port", "", "also serve IMAPS for the same account, its leaf issued by the same intermediate "+
		"(as imap.gmail.com's and smtp.gmail.com's are), and write its port to this `FILE`")
	flag.Parse()
	password := os.Getenv("MAILSERVER_PASSWORD")
	if password == "" {
		password = "bench"
	}
	chain := mailtest.NewChain(tb{})
	if *root != "" {
		if err := os.WriteFile(*root, chain.Root.PEM(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	port := mailtest.SMTP(tb{}, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN"}, User: *user, Password: password})
	if *imapPort != "" {
		imap := mailtest.IMAP(tb{}, chain.Sibling(tb{}, "imap."+mailtest.Host), mailtest.Options{Implicit: true, Mechs: []string{"PLAIN"}, User: *user, Password: password})
		if err := os.WriteFile(*imapPort, []byte(fmt.Sprintln(imap)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(port)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, os.Kill)
	<-stop
}
