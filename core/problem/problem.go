// Package problem is the error every core package returns when something a
// user did or chose went wrong: one sentence saying what happened and what
// to do next, with the technical detail kept apart for whoever needs it.
package problem

import (
	"errors"
	"fmt"
)

// Error is what a user reads. Its message is built as
// `"<Source>" <What>. <Hint> (<Detail>)`; without a Source, What is the
// whole first sentence.
type Error struct {
	Source string // the file or thing it is about, shown quoted; may be empty
	Kind   error  // a sentinel of the package that made it, for errors.Is
	What   string // what happened, starting with a verb: "is empty"
	Hint   string // the next step, a full sentence
	Detail string // the underlying library's words, for support
	// Field names the input it is about, as a form labels it ("Port",
	// "Password"), so that a form can show it beside that field and a
	// command can name its flag; empty when it is about no one input.
	Field string
}

func (e *Error) Error() string {
	msg := e.What + "."
	if e.Source != "" {
		msg = fmt.Sprintf("%q %s", e.Source, msg)
	}
	if e.Hint != "" {
		msg += " " + e.Hint
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Sentence is the message without the technical detail: what a dialog
// shows before the user asks for more.
func (e *Error) Sentence() string {
	c := *e
	c.Detail = ""
	return c.Error()
}

func (e *Error) Unwrap() error { return e.Kind }

// FieldOf is the Field of the *Error in err's chain, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
