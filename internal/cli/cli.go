// Package cli is Opsdesk's command line: every command, its arguments, its
// flags and its help, declared once with cobra, which also writes the help
// text, the shell completion scripts and the man pages from the same
// declarations. The rules the commands follow live in core; this package
// reads arguments, asks for passwords on the terminal and prints.
package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsdesk/opsdesk"
)

// Exit codes, shared by every command so that scripts can tell a bad
// invocation (fix the script) from an operation that failed (look at the
// data).
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// Errors that end a command with nothing more to print: the help was
// shown instead of running (exit 2), or the command printed its own
// failure, as a connectivity test whose checks failed does (exit 1).
var (
	errHelpShown = errors.New("help shown")
	errFailed    = errors.New("failed, as printed")
)

// streams are what one run reads and writes. stdout is buffered:
// listing 10,000 entries should not cost a system call per table cell.
type streams struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Run runs the command line args (without the program's name) and returns
// the exit code. It takes its streams as parameters so that tests run it
// without a process of their own.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	root := newRoot(&streams{stdin: stdin, stdout: out, stderr: stderr})
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	out.Flush() // what succeeded is printed before the error that followed
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errHelpShown):
		return ExitUsage
	case errors.Is(err, errFailed):
		return ExitFail
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %s. Run \"%s\" for usage.\n", cmd.CommandPath(), ue.msg, helpCommand(cmd))
		return ExitUsage
	}
	fmt.Fprintf(stderr, "opsdesk: %s\n", withHint(err))
	return ExitFail
}

// helpCommand is the help that lists cmd and its neighbours: "opsdesk
// help", or "opsdesk keystore help" for every keystore command.
func helpCommand(cmd *cobra.Command) string {
	path := strings.Fields(cmd.CommandPath())
	if len(path) > 2 {
		path = path[:2]
	}
	return strings.Join(append(path, "help"), " ")
}

// IsCommand tells whether arg, the first argument, names a command (or
// asks for help): a file that happens to be called "version" does not
// take its place. The window uses it to tell files to open from commands.
func IsCommand(arg string) bool { return slices.Contains(Names(), arg) }

// Names are the first arguments Run takes as commands: the commands, their
// aliases, the help flags, and the hidden commands that the shell
// completion scripts call.
func Names() []string {
	root := newRoot(&streams{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	names := []string{"-h", "--help", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd}
	for _, c := range root.Commands() {
		names = append(names, c.Name())
		names = append(names, c.Aliases...)
	}
	return names
}

// Root is the command tree, for writing man pages and completion scripts
// at build time.
func Root() *cobra.Command {
	return newRoot(&streams{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
}

func newRoot(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "opsdesk",
		Short: "certificates, Java keystores and mail connectivity for SAP Cloud Integration",
		Long: `With no command, opsdesk opens the desktop app; given certificate or keystore
files, it opens the app with them. With a command, it runs without a window,
for scripts.

Exit codes: 0 success, 1 failure, 2 usage error.

Passwords never go on the command line: each comes from an environment
variable (named in each command's help) or, without it, from a prompt on the
terminal without echo.`,
		Version:       opsdesk.Version(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// The root takes no arguments of its own: a word that is no
		// command is a mistake, said in one line.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				cmd.SetOut(s.stderr)
				_ = cmd.Help()
				return errHelpShown
			}
			return usagef("unknown command %q", args[0])
		},
	}
	root.SetIn(s.stdin)
	root.SetOut(s.stdout)
	root.SetErr(s.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.SetUsageTemplate(usageTemplate)
	root.SetVersionTemplate("opsdesk {{.Version}}\n")
	root.CompletionOptions.HiddenDefaultCmd = false
	root.AddCommand(
		&cobra.Command{Use: "version", Short: "print the version and exit", Args: noArgs,
			RunE: func(*cobra.Command, []string) error {
				fmt.Fprintf(s.stdout, "opsdesk %s\n", opsdesk.Version())
				return nil
			}},
		keystoreCommand(s),
		credentialsCommand(s),
		testCommand(s),
		connectCommand(s),
		providersCommand(s),
	)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	return root
}

// group makes c a command that only holds others: without one it shows
// its help (exit 2), "help" shows it too (exit 0), and a word it does not
// know is a usage error, whatever flags follow.
func group(s *streams, c *cobra.Command) *cobra.Command {
	c.Args = cobra.ArbitraryArgs
	c.FParseErrWhitelist.UnknownFlags = true
	c.RunE = func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			_ = cmd.Help()
			return errHelpShown
		case args[0] == "help":
			return cmd.Help()
		}
		return usagef("unknown command %q", args[0])
	}
	return c
}

// Argument checks, worded for the usage line.
func noArgs(_ *cobra.Command, args []string) error { return wantArgs(args, 0, "no arguments") }

func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error { return wantArgs(args, n, names) }
}

func wantArgs(args []string, n int, names string) error {
	if len(args) != n {
		return usagef("expected %s", names)
	}
	return nil
}

// usageTemplate lists a group's commands with their arguments ("show
// ALIAS"), which is what a reader looks for.
const usageTemplate = `Usage:{{if .Runnable}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} COMMAND [arguments]{{else}}
  {{.UseLine}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Use 26}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Flags of every {{.Parent.CommandPath}} command:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}
`

// completeValues offers the values a flag takes to the shell's completion.
func completeValues(c *cobra.Command, flag string, values ...string) {
	_ = c.RegisterFlagCompletionFunc(flag, func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, v := range values {
			if strings.HasPrefix(v, strings.ToLower(typed)) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
}
