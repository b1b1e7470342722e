// Command pesubsystem copies a Windows program, changing only the
// subsystem its PE header names: scripts/dist.sh makes opsdesk.com, the
// console twin of the windowed opsdesk.exe, byte for byte the same program
// otherwise (same version, icon, metadata), so the two cannot drift apart.
//
//	pesubsystem -console opsdesk.exe opsdesk.com
package main

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
)

// The subsystems of the optional header (IMAGE_SUBSYSTEM_WINDOWS_*).
const (
	subsystemGUI     = 2
	subsystemConsole = 3
)

func main() {
	console := flag.Bool("console", false, "make a console program (else a windowed one)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: pesubsystem [-console] IN.exe OUT")
		os.Exit(2)
	}
	want := uint16(subsystemGUI)
	if *console {
		want = subsystemConsole
	}
	if err := convert(flag.Arg(0), flag.Arg(1), want); err != nil {
		fmt.Fprintln(os.Stderr, "pesubsystem:", err)
		os.Exit(1)
	}
}

func convert(in, out string, subsystem uint16) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	at, err := subsystemOffset(data)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	binary.LittleEndian.PutUint16(data[at:], subsystem)
	return os.WriteFile(out, data, 0o755)
}

// subsystemOffset finds the optional header's Subsystem field: 68 bytes
// into the optional header in PE32 and PE32+ alike, which follows the
// "PE\0\0" signature (at the offset stored at 0x3C) and the 20-byte COFF
// header. debug/pe checks that the file is a PE image first.
func subsystemOffset(data []byte) (int, error) {
	f, err := pe.NewFile(bytesReaderAt(data))
	if err != nil {
		return 0, fmt.Errorf("not a Windows program: %w", err)
	}
	defer f.Close()
	if f.OptionalHeader == nil {
		return 0, errors.New("no optional header")
	}
	if len(data) < 0x40 {
		return 0, errors.New("too short")
	}
	sig := int(binary.LittleEndian.Uint32(data[0x3C:]))
	at := sig + 4 + 20 + 68
	if at+2 > len(data) {
		return 0, errors.New("header past the end of the file")
	}
	return at, nil
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(b)) {
		return 0, errors.New("read past the end")
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, errors.New("read past the end")
	}
	return n, nil
}
