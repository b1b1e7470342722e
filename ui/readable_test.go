package ui

import (
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// contrast is the WCAG contrast ratio of two colours, from 1 to 21.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		lin := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	}
	l1, l2 := lum(a), lum(b)
	return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
}

// labelColor is the theme colour a label is drawn in, by its importance,
// as widget.Label chooses it.
func labelColor(l *widget.Label) fyne.ThemeColorName {
	switch l.Importance {
	case widget.LowImportance:
		return theme.ColorNameDisabled
	case widget.HighImportance:
		return theme.ColorNamePrimary
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

// TestHintsAreReadable: the lines that tell a user what to do or what is
// going on stand out from the background in the light and the dark theme
// (WCAG's 4.5:1 for text). Fyne draws a LowImportance label in the
// disabled colour, in the light theme almost white on white.
func TestHintsAreReadable(t *testing.T) {
	// Each window's background reading is over before the next step: the
	// widgets it fills are not to be laid out meanwhile.
	h, _ := newSMHome(t)
	sm := h.showSecurityMaterial()
	settle(t, h)
	conn := h.showConnectivity()
	settle(t, h)
	plain := newTestHome(t) // no Security Material: Credential Name is typed
	typed := plain.showConnectivity()
	settle(t, plain)
	hints := map[string]*widget.Label{
		"Home's drop hint":                  h.hint,
		"Security Material's status":        sm.status,
		"the Response before any test":      conn.tab(connectivity.SMTP).resp.idle,
		"the note under a typed credential": labelStarting(typed.win.Content(), "Security Material is not open"),
	}
	for _, variant := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		bg := theme.DefaultTheme().Color(theme.ColorNameBackground, variant)
		for what, l := range hints {
			if l == nil {
				t.Fatalf("no %s", what)
			}
			name := labelColor(l)
			if r := contrast(theme.DefaultTheme().Color(name, variant), bg); r < 4.5 {
				t.Errorf("%s (%q) is drawn in the %s colour: %.1f:1 on the background", what, l.Text, name, r)
			}
		}
	}
}

// labelStarting is the label drawn in o whose text starts with prefix.
func labelStarting(o fyne.CanvasObject, prefix string) *widget.Label {
	for _, c := range test.LaidOutObjects(o) {
		if l, ok := c.(*widget.Label); ok && strings.HasPrefix(l.Text, prefix) {
			return l
		}
	}
	return nil
}
