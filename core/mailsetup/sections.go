package mailsetup

// Section is one part of the hand-over as every format writes it: a
// heading, labelled values, a paragraph or a list (a part without a
// heading continues the one before). A window lays them out itself, with
// the words the text, Markdown and HTML use.
type Section struct {
	Heading string
	Fields  []Field
	Text    string
	List    []string
}

// Field is one labelled value of a Section.
type Field struct{ Label, Value string }

// Sections is the hand-over's content, in the order the tenant's pages
// are visited; the first one is the title.
func (h HandOver) Sections() []Section {
	blocks := h.blocks()
	out := make([]Section, len(blocks))
	for i, b := range blocks {
		s := Section{Heading: b.heading, Text: b.text, List: b.list}
		for _, f := range b.fields {
			s.Fields = append(s.Fields, Field{Label: f.label, Value: f.value})
		}
		out[i] = s
	}
	return out
}
