// Package core is the root of Opsdesk's domain packages (certs, keystore, and
// those to come), which live in the directories below it. They never import
// Fyne: they must be usable from the headless commands and testable without a
// display. imports_test.go enforces this.
package core
