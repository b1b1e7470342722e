package connectivity

import (
	"encoding/base64"
	"errors"
	"testing"
)

// TestXOAUTH2Format checks the client against the example of Google's
// XOAUTH2 documentation, byte for byte, and OAUTHBEARER against RFC 7628's
// §4.1 example.
func TestXOAUTH2Format(t *testing.T) {
	mech, ir, err := newXOAUTH2Client("someuser@example.com", []byte("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")).Start()
	const google = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
	if err != nil || mech != "XOAUTH2" || base64.StdEncoding.EncodeToString(ir) != google {
		t.Errorf("XOAUTH2: %s %q", mech, ir)
	}
	mech, ir, err = newOAuthBearerClient("user@example.com", "server.example.com", 143, []byte("vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==")).Start()
	const rfc7628 = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2c9PQEB"
	if err != nil || mech != "OAUTHBEARER" || base64.StdEncoding.EncodeToString(ir) != rfc7628 {
		t.Errorf("OAUTHBEARER: %s %q", mech, ir)
	}
	// RFC 5801's saslname: "," and "=" escaped.
	_, ir, _ = newOAuthBearerClient("a,b=c@example.com", "", 0, []byte("t")).Start()
	if string(ir) != "n,a=a=2Cb=3Dc@example.com,\x01auth=Bearer t\x01\x01" {
		t.Errorf("escaping: %q", ir)
	}
	// The error challenge is answered as each mechanism requires, and
	// its JSON read.
	resp, err := newXOAUTH2Client("u", []byte("t")).Next([]byte(`{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}`))
	var te *TokenError
	if len(resp) != 0 || !errors.As(err, &te) || te.Status != "400" || te.Scope != "https://mail.google.com/" {
		t.Errorf("XOAUTH2 error: %q %+v", resp, te)
	}
	resp, err = newOAuthBearerClient("u", "", 0, []byte("t")).Next([]byte(`{"status":"invalid_token"}`))
	if string(resp) != "\x01" || !errors.As(err, &te) || te.Status != "invalid_token" {
		t.Errorf("OAUTHBEARER error: %q %+v", resp, te)
	}
	if _, err := newXOAUTH2Client("u", nil).Next([]byte("not json \x00")); !errors.As(err, &te) || te.Raw != "not json" {
		t.Errorf("garbage: %+v", te)
	}
}

func TestChooseMechanism(t *testing.T) {
	for _, c := range []struct {
		choice  SASLChoice
		offered []string
		want    string
		err     error
	}{
		{SASLAuto, []string{"PLAIN", "XOAUTH2", "OAUTHBEARER"}, "XOAUTH2", nil},
		{SASLAuto, []string{"OAUTHBEARER"}, "OAUTHBEARER", nil},
		{SASLAuto, nil, "XOAUTH2", nil},
		{SASLAuto, []string{"PLAIN", "LOGIN"}, "", errNoOAuthMech},
		{SASLOAUTHBEARER, []string{"XOAUTH2", "OAUTHBEARER"}, "OAUTHBEARER", nil},
		{SASLOAUTHBEARER, []string{"XOAUTH2"}, "", errMechNotOffered},
		{SASLXOAUTH2, nil, "XOAUTH2", nil},
	} {
		got, err := chooseMechanism(c.choice, c.offered)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%q of %v: %q %v", c.choice, c.offered, got, err)
		}
	}
}
