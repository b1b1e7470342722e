// Command mangen writes Opsdesk's man pages into a folder, one a command,
// from the command line's own definitions (internal/cli), so that they
// never disagree with --help. The .deb build runs it:
//
//	go run ./internal/cmd/mangen DIR
//
// SOURCE_DATE_EPOCH, when set, dates the pages, so that a rebuild of the
// same commit writes the same files.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra/doc"

	"github.com/opsdesk/opsdesk"
	"github.com/opsdesk/opsdesk/internal/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mangen DIR")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "mangen:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cli.Root()
	root.DisableAutoGenTag = true
	version, _, _ := strings.Cut(opsdesk.Version(), " ")
	return doc.GenManTree(root, &doc.GenManHeader{Section: "1", Source: "Opsdesk " + version, Manual: "User Commands"}, dir)
}
