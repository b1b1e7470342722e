package mailtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/emersion/go-smtp"
)

// The SASL mechanisms that carry an OAuth2 access token.
const (
	XOAUTH2     = "XOAUTH2"
	OAUTHBEARER = "OAUTHBEARER"
)

// TokenCheck asks the authorization server whether token is an active
// access token of user (oauthtest.Server.CheckToken, by introspection).
type TokenCheck func(ctx context.Context, user, token string) error

// Microsoft 365's replies, word for word (cloud-integration-facts.md).
var (
	// MicrosoftBasicAuthDisabled: a password, once basic authentication
	// is off for the tenant.
	MicrosoftBasicAuthDisabled = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139},
		Message: "Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com 2026-11-29T10:00:00.000Z]"}
	// MicrosoftSMTPAuthDisabled: Authenticated SMTP off for the mailbox
	// or the tenant, whatever the credential.
	MicrosoftSMTPAuthDisabled = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139},
		Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [BN9PR03CA0123.namprd03.prod.outlook.com]"}
	// MicrosoftBasicAuthRemoved: passwords after the final removal.
	MicrosoftBasicAuthRemoved = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 30},
		Message: "Basic authentication is not supported for Client Submission. [BN9PR03CA0123.namprd03.prod.outlook.com]"}
	// MicrosoftTokenRefused: a token for another scope or account.
	MicrosoftTokenRefused = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3},
		Message: "Authentication unsuccessful [BN9PR03CA0123.namprd03.prod.outlook.com]"}
)

// googleTokenJSON is what Gmail sends, base64-encoded in a 334 challenge,
// when it refuses an XOAUTH2 token.
const googleTokenJSON = `{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}`

// tokenServer is the server side of XOAUTH2 and OAUTHBEARER: it reads the
// initial response, asks the authorization server about the token, and
// on refusal sends the error challenge, waits for the client's dummy
// response (empty for XOAUTH2, ^A for OAUTHBEARER) and fails.
type tokenServer struct {
	mech   string
	o      Options
	ok     func(user string) error // signs the session in
	refuse func() error            // the protocol's final refusal
	failed error
	step   int
}

func (s *tokenServer) Next(response []byte) ([]byte, bool, error) {
	s.step++
	if s.step > 1 {
		if s.mech == OAUTHBEARER && !bytes.Equal(response, []byte{1}) || s.mech == XOAUTH2 && len(response) != 0 {
			return nil, true, errors.New("the client did not answer the error challenge as the mechanism requires")
		}
		return nil, true, s.failed
	}
	user, token, err := parseTokenResponse(s.mech, response)
	if err == nil {
		err = s.o.CheckToken(context.Background(), user, token)
	}
	if err == nil && !strings.EqualFold(user, s.o.User) {
		err = errors.New("the token's user is not this mailbox")
	}
	if err == nil {
		if s.o.TokenRefusal != nil {
			return nil, true, s.o.TokenRefusal
		}
		return nil, true, s.ok(user)
	}
	s.failed = s.refuse()
	challenge := []byte(googleTokenJSON)
	if s.mech == OAUTHBEARER {
		b, _ := json.Marshal(map[string]string{"status": "invalid_token", "scope": "mail", "schemes": "bearer"})
		challenge = b
	} else if !s.o.Gmail {
		challenge = []byte(`{"status":"401","schemes":"bearer","scope":"mail"}`)
	}
	if s.o.Microsoft {
		return nil, true, s.failed // Microsoft answers at once
	}
	return challenge, false, nil
}

// parseTokenResponse reads an initial response:
// XOAUTH2 "user=U^Aauth=Bearer T^A^A",
// OAUTHBEARER "n,a=U,^Ahost=H^Aport=P^Aauth=Bearer T^A^A" (RFC 7628 §3.1).
func parseTokenResponse(mech string, ir []byte) (user, token string, err error) {
	bad := errors.New("malformed " + mech + " response")
	s := string(ir)
	if !strings.HasSuffix(s, "\x01\x01") {
		return "", "", bad
	}
	var kv []string
	switch mech {
	case XOAUTH2:
		kv = strings.Split(strings.TrimSuffix(s, "\x01\x01"), "\x01")
	case OAUTHBEARER:
		gs2, rest, ok := strings.Cut(s, "\x01")
		if !ok || !strings.HasPrefix(gs2, "n,") {
			return "", "", bad
		}
		for _, f := range strings.Split(strings.TrimPrefix(gs2, "n,"), ",") {
			if a, ok := strings.CutPrefix(f, "a="); ok {
				user = strings.NewReplacer("=2C", ",", "=3D", "=").Replace(a)
			}
		}
		kv = strings.Split(strings.TrimSuffix(rest, "\x01\x01"), "\x01")
	default:
		return "", "", bad
	}
	for _, f := range kv {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "user":
			user = v
		case "auth":
			t, ok := strings.CutPrefix(v, "Bearer ")
			if !ok {
				return "", "", bad
			}
			token = t
		}
	}
	if user == "" || token == "" {
		return "", "", bad
	}
	return user, token, nil
}
