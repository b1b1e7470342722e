package connectivity

func runIMAP(s *session) error { return errNotYet }
