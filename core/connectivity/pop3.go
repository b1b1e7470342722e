package connectivity

func runPOP3(s *session) error { return errNotYet }
