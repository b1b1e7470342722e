package core_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCoreDoesNotImportFyne parses the sources instead of running `go list`,
// so it needs no subprocess and also sees files that do not build on this OS.
func TestCoreDoesNotImportFyne(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			// The go tool ignores these directories, so may we.
			if path != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			// Spelt as module + "/" so that grep-based checks for a
			// Fyne import in core/ do not find this test itself.
			if p == fyneModule || strings.HasPrefix(p, fyneModule+"/") {
				t.Errorf("%s imports %s: core/ must stay free of Fyne", fset.Position(imp.Pos()), p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("found no Go files under core/; is the test running in the wrong directory?")
	}
}

// fyneModule is the module path every Fyne package starts with.
const fyneModule = "fyne.io"
