package opsdesk

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

// Reads the file from disk independently of the embedded copy and of the
// line parser, so a parser bug cannot hide itself.
func tomlValue(t *testing.T, data []byte, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*` + key + `\s*=\s*"?([^"\n]*?)"?\s*$`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("FyneApp.toml has no %s", key)
	}
	return string(m[1])
}

func TestVersionMatchesFyneAppTOML(t *testing.T) {
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := tomlValue(t, data, "Version") + " (build " + tomlValue(t, data, "Build") + ")"
	got := Version()
	if got == "" || got != want {
		t.Fatalf("Version() = %q, want %q", got, want)
	}
}

func TestAppMetadataMatchesFyneAppTOML(t *testing.T) {
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if id := tomlValue(t, data, "ID"); id != AppID {
		t.Errorf("AppID = %q, FyneApp.toml ID = %q", AppID, id)
	}
	if name := tomlValue(t, data, "Name"); name != AppName() {
		t.Errorf("AppName() = %q, FyneApp.toml Name = %q", AppName(), name)
	}
}

func TestIconIsPNG(t *testing.T) {
	if !bytes.HasPrefix(Icon(), []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatal("Icon() is not a PNG")
	}
}
