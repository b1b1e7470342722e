// Command winebridge lets Windows programs under Wine run Linux tools and
// read their output, which Wine itself does not: it starts a Linux program
// from a Windows one, but gives back neither a process handle nor pipes
// (Go sees "WaitForSingleObject: Invalid handle").
//
// The Windows lane (scripts/windows/test-windows.sh) builds it twice. Built
// for Linux, it serves on loopback, running only the tools it was told
// (keytool, openssl) for a client that knows its token. Built for Windows
// and named after a tool (keytool.exe, openssl.exe) in a folder on Wine's
// PATH, it is that tool for the tests: it sends its arguments, working
// folder and locale to the server, prints what the tool printed and exits
// with its code. Windows paths (C:\users\…) in the arguments and the
// working folder become the Linux paths of the Wine prefix's drives, so
// keytool reads and writes the very files the Windows test made. It is test
// equipment: never built into Opsdesk.
package main

// request is what a client sends, as one JSON value.
type request struct {
	Token string
	Tool  string
	Args  []string
	Dir   string   // the working folder, a Windows path
	Env   []string // the locale variables the caller set (LC_*, LANG…)
	Stdin []byte
}

// response is what the server answers.
type response struct {
	Stdout, Stderr []byte
	Code           int
	Err            string // the bridge's own failure, not the tool's
}

// Environment of both sides.
const (
	addrEnv  = "OPSDESK_WINE_BRIDGE"       // host:port of the server
	tokenEnv = "OPSDESK_WINE_BRIDGE_TOKEN" // the shared secret
)
