package ui

import (
	"slices"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// addFromOutside saves an entry into the keystore file as another program
// (a script, a second Opsdesk) would while the window has it open.
func addFromOutside(t *testing.T, path, alias string) {
	t.Helper()
	other, err := keystore.Open(path, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.AddCertificates([]keystore.Candidate{{Cert: certtest.CA(t, alias).Cert, Alias: alias}}); err != nil {
		t.Fatal(err)
	}
}

// Issue 10: the window used to refuse any change after another program
// saved the keystore. Now it says so and offers to reload and apply the
// change; both changes end up in the file.
func TestAChangeAfterAnotherProgramsSaveOffersReloadAndApply(t *testing.T) {
	path := tutorialKeystore(t)
	h, w := openKeystoreWindow(t, path)
	addFromOutside(t, path, "from-script")

	w.onDelete("old")
	tapOverlayButton(t, w.win, "Delete")
	settle(t, h)
	mustContain(t, "the question", overlayText(w.win), "was changed by another program", "Reload and Apply")
	if w.model.Has("from-script") || !w.model.Has("old") {
		t.Fatal("something changed before the user answered")
	}
	tapOverlayButton(t, w.win, "Reload and Apply")
	settle(t, h)
	if got := aliases(w.model); !slices.Contains(got, "from-script") || slices.Contains(got, "old") {
		t.Fatalf("after Reload and Apply: %v", got)
	}
	k, err := keystore.Open(path, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if !k.Has("from-script") || k.Has("old") {
		t.Fatalf("on disk: %v", aliasesOf(k))
	}
}

func TestCancelAfterAnotherProgramsSaveChangesNothing(t *testing.T) {
	path := tutorialKeystore(t)
	h, w := openKeystoreWindow(t, path)
	addFromOutside(t, path, "from-script")

	w.onDelete("old")
	tapOverlayButton(t, w.win, "Delete")
	settle(t, h)
	tapOverlayButton(t, w.win, "Cancel")
	settle(t, h)
	mustContain(t, "the refusal", overlayText(w.win), "was changed by another program", "nothing was saved")
	k, err := keystore.Open(path, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if !k.Has("from-script") || !k.Has("old") {
		t.Fatalf("on disk: %v", aliasesOf(k))
	}
}

// Refresh reads the file again: what another program saved shows.
func TestRefreshShowsAnotherProgramsChange(t *testing.T) {
	path := tutorialKeystore(t)
	h, w := openKeystoreWindow(t, path)
	addFromOutside(t, path, "from-script")
	w.onRefresh()
	settle(t, h)
	if !w.model.Has("from-script") {
		t.Fatalf("after Refresh: %v", aliases(w.model))
	}
}

func aliasesOf(k *keystore.Keystore) []string {
	var out []string
	for _, e := range k.Entries() {
		out = append(out, e.Alias)
	}
	return out
}
