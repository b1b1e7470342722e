package connectivity

import "errors"

var errNotYet = errors.New("not yet")
