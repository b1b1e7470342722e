package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	tool := strings.ToLower(strings.TrimSuffix(filepath.Base(os.Args[0]), filepath.Ext(os.Args[0])))
	addr, token := os.Getenv(addrEnv), os.Getenv(tokenEnv)
	if addr == "" || token == "" {
		fmt.Fprintf(os.Stderr, "%s: this is the Windows lane's bridge to the Linux %s; %s and %s are not set\n", tool, tool, addrEnv, tokenEnv)
		os.Exit(127)
	}
	dir, _ := os.Getwd()
	req := request{Token: token, Tool: tool, Args: os.Args[1:], Dir: dir}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") || strings.HasPrefix(kv, "LANGUAGE=") {
			req.Env = append(req.Env, kv)
		}
	}
	// Standard input only when it is a pipe or a file: the tests give
	// keytool none, and reading a console would wait for a person.
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
		req.Stdin, _ = io.ReadAll(io.LimitReader(os.Stdin, 16<<20))
	}
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: the lane's bridge does not answer: %v\n", tool, err)
		os.Exit(127)
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", tool, err)
		os.Exit(127)
	}
	var resp response
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		fmt.Fprintf(os.Stderr, "%s: no answer from the bridge: %v\n", tool, err)
		os.Exit(127)
	}
	if resp.Err != "" {
		fmt.Fprintf(os.Stderr, "%s: %s\n", tool, resp.Err)
		os.Exit(127)
	}
	os.Stdout.Write(resp.Stdout)
	os.Stderr.Write(resp.Stderr)
	os.Exit(resp.Code)
}
