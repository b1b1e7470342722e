//go:build !windows

package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

func main() {
	prefix := flag.String("prefix", os.Getenv("WINEPREFIX"), "the Wine prefix whose drives Windows paths name")
	tools := flag.String("tools", "keytool,openssl", "the Linux tools clients may run")
	flag.Parse()
	token := os.Getenv(tokenEnv)
	if token == "" || *prefix == "" {
		log.Fatalf("winebridge: set %s, and WINEPREFIX or -prefix", tokenEnv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.Addr())
	s := server{prefix: *prefix, token: token, tools: strings.Split(*tools, ",")}
	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go s.serve(c)
	}
}

type server struct {
	prefix, token string
	tools         []string
}

func (s server) serve(c net.Conn) {
	defer c.Close()
	var req request
	if err := json.NewDecoder(c).Decode(&req); err != nil {
		return
	}
	resp := s.run(req)
	_ = json.NewEncoder(c).Encode(resp)
}

func (s server) run(req request) response {
	if subtle.ConstantTimeCompare([]byte(req.Token), []byte(s.token)) != 1 {
		return response{Err: "wrong token"}
	}
	if !slices.Contains(s.tools, req.Tool) {
		return response{Err: req.Tool + " is not one of the tools the bridge runs"}
	}
	path, err := exec.LookPath(req.Tool)
	if err != nil {
		return response{Err: err.Error()}
	}
	args := make([]string, len(req.Args))
	for i, a := range req.Args {
		args[i] = s.unixPath(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = s.unixPath(req.Dir)
	cmd.Env = append(os.Environ(), req.Env...)
	cmd.Stdin = bytes.NewReader(req.Stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return response{Stdout: out.Bytes(), Stderr: errb.Bytes()}
	case errors.As(err, &exit):
		return response{Stdout: out.Bytes(), Stderr: errb.Bytes(), Code: exit.ExitCode()}
	default:
		return response{Err: err.Error()}
	}
}

// windowsPath matches an absolute Windows path: a drive letter, a colon
// and a separator.
var windowsPath = regexp.MustCompile(`^([A-Za-z]):[\\/]`)

// unixPath turns a Windows path into the Linux path of the same file, the
// way Wine maps drives: through the prefix's dosdevices links. Anything
// else is returned as it is.
func (s server) unixPath(p string) string {
	m := windowsPath.FindStringSubmatch(p)
	if m == nil {
		return p
	}
	rest := strings.ReplaceAll(p[3:], `\`, "/")
	return filepath.Join(s.prefix, "dosdevices", strings.ToLower(m[1])+":", rest)
}
