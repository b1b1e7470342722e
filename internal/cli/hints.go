package cli

// withHint is the error as the command line says it.
func withHint(err error) string { return err.Error() }
