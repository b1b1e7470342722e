package connectivity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/emersion/go-sasl"
)

// The SASL mechanisms that carry an OAuth2 access token.
const (
	// XOAUTH2 is Google's and Microsoft's mechanism, documented by both
	// (developers.google.com/gmail/imap/xoauth2-protocol): the initial
	// response "user=" USER ^A "auth=Bearer " TOKEN ^A ^A.
	XOAUTH2 = "XOAUTH2"
	// OAUTHBEARER is RFC 7628's standard mechanism.
	OAUTHBEARER = sasl.OAuthBearer
)

// SASLChoice is which mechanism an OAuth2 test uses: "" (automatic:
// XOAUTH2 where offered, else OAUTHBEARER), or one of them.
type SASLChoice string

const (
	SASLAuto        SASLChoice = ""
	SASLXOAUTH2     SASLChoice = XOAUTH2
	SASLOAUTHBEARER SASLChoice = OAUTHBEARER
)

// TokenSource gives an OAuth2 credential's access token for a test:
// credentials.OAuth2Login is one. renew asks for a new token in place of
// the one kept (after a server refused it); fresh reports that the token
// was just obtained from the authorization server. The caller zeroes the
// token.
type TokenSource interface {
	AccessToken(ctx context.Context, renew bool) (token []byte, fresh bool, err error)
}

// xoauth2Client is XOAUTH2 as a sasl.Client.
type xoauth2Client struct {
	user  string
	token []byte
}

func newXOAUTH2Client(user string, token []byte) sasl.Client {
	return &xoauth2Client{user: user, token: token}
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	ir := make([]byte, 0, len(c.user)+len(c.token)+24)
	ir = append(ir, "user="...)
	ir = append(ir, c.user...)
	ir = append(ir, "\x01auth=Bearer "...)
	ir = append(ir, c.token...)
	ir = append(ir, "\x01\x01"...)
	return XOAUTH2, ir, nil
}

// Next is only ever asked after a failure: the server's challenge is a
// JSON error, which the client must answer with an empty response before
// the server sends its final refusal.
func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	return []byte{}, tokenError(XOAUTH2, challenge)
}

// oauthBearerClient is RFC 7628's OAUTHBEARER. go-sasl has one, but it
// neither escapes the user name in the GS2 header (RFC 5801: "," and "="
// as =2C and =3D) nor answers the error challenge as §3.2.3 requires.
type oauthBearerClient struct {
	user  string
	host  string
	port  int
	token []byte
}

func newOAuthBearerClient(user, host string, port int, token []byte) sasl.Client {
	return &oauthBearerClient{user: user, host: host, port: port, token: token}
}

func (c *oauthBearerClient) Start() (string, []byte, error) {
	name := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(c.user)
	ir := make([]byte, 0, len(name)+len(c.host)+len(c.token)+48)
	ir = append(ir, "n,a="...)
	ir = append(ir, name...)
	ir = append(ir, ",\x01"...)
	if c.host != "" {
		ir = append(ir, "host="+c.host+"\x01"...)
	}
	if c.port != 0 {
		ir = append(ir, "port="+strconv.Itoa(c.port)+"\x01"...)
	}
	ir = append(ir, "auth=Bearer "...)
	ir = append(ir, c.token...)
	ir = append(ir, "\x01\x01"...)
	return OAUTHBEARER, ir, nil
}

// Next answers the error challenge with a single ^A, after which the
// server sends its final refusal (RFC 7628 §3.2.3).
func (c *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	return []byte{1}, tokenError(OAUTHBEARER, challenge)
}

// TokenError is the JSON a server sends in place of success when it
// refuses an access token: Google's XOAUTH2 sends
// {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"},
// RFC 7628's OAUTHBEARER {"status":"invalid_token",...}.
type TokenError struct {
	Mechanism string
	Status    string
	Schemes   string
	Scope     string
	Raw       string // the decoded challenge, as the server sent it
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("%s refused the access token: %s", e.Mechanism, e.Raw)
}

func tokenError(mech string, challenge []byte) *TokenError {
	e := &TokenError{Mechanism: mech, Raw: printable(string(challenge))}
	var body struct {
		Status  any    `json:"status"`
		Schemes string `json:"schemes"`
		Scope   string `json:"scope"`
	}
	if json.Unmarshal(challenge, &body) == nil {
		switch v := body.Status.(type) {
		case string:
			e.Status = v
		case float64:
			e.Status = strconv.Itoa(int(v))
		}
		e.Schemes, e.Scope = body.Schemes, body.Scope
	}
	return e
}

// printable keeps a server's text readable in a result: control
// characters become spaces, and it is cut at 500 bytes.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return truncate(strings.TrimSpace(s), 500)
}

var (
	errNoOAuthMech    = errors.New("the server offers neither XOAUTH2 nor OAUTHBEARER")
	errMechNotOffered = errors.New("the server does not offer the SASL mechanism chosen")
	errNoTokenSource  = errors.New("no OAuth2 credential was given for the test")
)

// chooseMechanism picks the mechanism of an OAuth2 test from those the
// server offers (upper case).
func chooseMechanism(choice SASLChoice, offered []string) (string, error) {
	has := func(m string) bool {
		for _, o := range offered {
			if o == m {
				return true
			}
		}
		return false
	}
	switch {
	case choice != SASLAuto && has(string(choice)):
		return string(choice), nil
	case choice != SASLAuto && len(offered) > 0:
		return "", fmt.Errorf("%w: %s (it offers %s)", errMechNotOffered, choice, strings.Join(offered, ", "))
	case choice != SASLAuto:
		return string(choice), nil // the server lists none: try the one chosen
	case has(XOAUTH2):
		return XOAUTH2, nil
	case has(OAUTHBEARER):
		return OAUTHBEARER, nil
	case len(offered) == 0:
		return XOAUTH2, nil // nothing listed (some POP3 servers): the common one
	}
	return "", fmt.Errorf("%w (it offers %s)", errNoOAuthMech, strings.Join(offered, ", "))
}

// oauthAttempt is one SASL exchange with an access token, in the
// protocol's framing: send the mechanism and initial response, answer
// challenges, and return nil on success, a *ReplyError on refusal.
type oauthAttempt func(c sasl.Client) error

// oauthLogin signs in with the request's OAuth2 credential: it fetches
// the access token (the one kept, or a new one), authenticates, and when
// a kept token is refused, renews it and tries once more on the same
// connection: a token revoked or expired early is then replaced, and a
// refresh token that is no longer good is reported as such.
func (s *session) oauthLogin(offered []string, attempt oauthAttempt) error {
	if s.req.OAuth2 == nil {
		return s.authFailed(errNoTokenSource)
	}
	mech, err := chooseMechanism(s.req.SASL, offered)
	if err != nil {
		return s.authFailed(err)
	}
	s.res.Mechanism = mech
	try := func(renew bool) (fresh bool, err error) {
		var token []byte
		name := "access token"
		if renew {
			name = "access token (renewed)"
		}
		err = s.phase(name, func() error {
			var err error
			token, fresh, err = s.req.OAuth2.AccessToken(s.ctx, renew)
			return err
		})
		if err != nil {
			return false, err
		}
		defer clear(token)
		var c sasl.Client
		if mech == OAUTHBEARER {
			c = newOAuthBearerClient(s.req.User, s.res.Host, s.res.Port, token)
		} else {
			c = newXOAUTH2Client(s.req.User, token)
		}
		return fresh, s.phase("authentication", func() error { return attempt(c) })
	}
	fresh, err := try(false)
	var re *ReplyError
	if err != nil && !fresh && errors.As(err, &re) && s.ctx.Err() == nil {
		s.res.Renewed = true
		_, err = try(true)
	}
	return s.oauthResult(mech, err)
}

// oauthResult records the outcome, naming the mechanism.
func (s *session) oauthResult(mech string, err error) error {
	var re *ReplyError
	switch {
	case err == nil:
		s.res.add(Check{Name: "Authentication", Value: "Successful (" + mech + ")", OK: true})
		return nil
	case errors.As(err, &re):
		s.res.add(Check{Name: "Authentication", Value: "Unsuccessful (" + mech + ")", Note: re.Text})
		return err
	}
	s.res.add(Check{Name: "Authentication", Value: "Unsuccessful (" + mech + ")", Note: noteOf(err)})
	return err
}

// noteOf is an error's first sentence, for a check line.
func noteOf(err error) string {
	type sentencer interface{ Sentence() string }
	var se sentencer
	if errors.As(err, &se) {
		return se.Sentence()
	}
	return err.Error()
}

// saslResponse encodes a SASL response for a line: base64, and "=" for
// an empty initial response (RFC 4954 §4).
func saslResponse(b []byte, initial bool) string {
	if len(b) == 0 {
		if initial {
			return "="
		}
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

// decodeChallenge reads a server's base64 challenge; one that is not
// base64 is kept as it came.
func decodeChallenge(text string) []byte {
	text = strings.TrimSpace(text)
	if b, err := base64.StdEncoding.DecodeString(text); err == nil {
		return b
	}
	return []byte(text)
}

// maxChallenges bounds the rounds of one SASL exchange: an OAuth2
// mechanism has at most one (the error), a server that keeps asking is
// cancelled.
const maxChallenges = 2

// smtpSASL is one AUTH exchange (RFC 4954) with an initial response.
func (s *session) smtpSASL(c sasl.Client) error {
	mech, ir, err := c.Start()
	if err != nil {
		return err
	}
	line := "AUTH " + mech + " " + saslResponse(ir, true)
	clear(ir)
	r, err := s.smtpCommand("AUTH", line, "AUTH "+mech+" ***", 235, 334)
	var tokErr *TokenError
	for rounds := 0; err == nil && r.code == 334; rounds++ {
		if rounds == maxChallenges {
			_, _ = s.smtpCommand("AUTH "+mech, "*", "", 501)
			return &ProtocolError{Step: "AUTH " + mech, Line: r.text()}
		}
		resp, nerr := c.Next(decodeChallenge(r.text()))
		errors.As(nerr, &tokErr)
		if err = s.send(saslResponse(resp, false)); err != nil {
			return err
		}
		if r, err = s.readSMTPReply("AUTH " + mech); err == nil && r.code != 235 && r.code != 334 {
			err = r.refusal("AUTH " + mech)
		}
	}
	return withTokenError(err, tokErr)
}

func withTokenError(err error, te *TokenError) error {
	var re *ReplyError
	if te != nil && errors.As(err, &re) {
		re.Token = te
	}
	return err
}

// imapSASL is one AUTHENTICATE exchange (RFC 9051 §6.2.2), with the
// initial response on the command line where the server offers SASL-IR
// (RFC 4959), otherwise after its first "+".
func (c *imapClient) imapSASL(cl sasl.Client, saslIR bool) error {
	s := c.s
	mech, ir, err := cl.Start()
	if err != nil {
		return err
	}
	c.seq++
	tag := fmt.Sprintf("a%d", c.seq)
	shown := "AUTHENTICATE " + mech
	if saslIR {
		err = s.send(tag+" AUTHENTICATE "+mech+" "+saslResponse(ir, true), tag+" "+shown+" ***")
	} else {
		err = s.send(tag + " " + shown)
		if err == nil {
			var r imapReply
			r, err = s.readIMAPReply("AUTHENTICATE", tag)
			switch {
			case err != nil:
			case r.status != "+":
				err = r.refusal(shown)
			default:
				err = s.send(saslResponse(ir, false), "***")
			}
		}
	}
	clear(ir)
	if err != nil {
		return err
	}
	var tokErr *TokenError
	for rounds := 0; ; rounds++ {
		r, err := s.readIMAPReply("AUTHENTICATE", tag)
		if err != nil {
			return err
		}
		switch {
		case r.status == "OK":
			return nil
		case r.status != "+":
			return withTokenError(r.refusal(shown), tokErr)
		case rounds == maxChallenges:
			_ = s.send("*")
			return &ProtocolError{Step: shown, Line: r.text}
		}
		resp, nerr := cl.Next(decodeChallenge(r.text))
		errors.As(nerr, &tokErr)
		if err := s.send(saslResponse(resp, false)); err != nil {
			return err
		}
	}
}

// pop3SASL is one AUTH exchange (RFC 5034). The initial response follows
// the server's first "+": a line with a long token would pass the 255
// octets RFC 5034 §4 lets a client assume.
func (s *session) pop3SASL(c sasl.Client) error {
	mech, ir, err := c.Start()
	if err != nil {
		return err
	}
	shown := "AUTH " + mech
	err = s.send(shown)
	if err == nil {
		var st pop3SASLStatus
		st, err = s.pop3SASLStatus(shown)
		switch {
		case err != nil:
		case st.done:
			err = &ProtocolError{Step: shown, Line: "+OK before the initial response"}
		default:
			err = s.send(saslResponse(ir, false), "***")
		}
	}
	clear(ir)
	if err != nil {
		return err
	}
	var tokErr *TokenError
	for rounds := 0; ; rounds++ {
		st, err := s.pop3SASLStatus(shown)
		switch {
		case err != nil:
			return withTokenError(err, tokErr)
		case st.done:
			return nil
		case rounds == maxChallenges:
			_ = s.send("*")
			return &ProtocolError{Step: shown, Line: st.challenge}
		}
		resp, nerr := c.Next(decodeChallenge(st.challenge))
		errors.As(nerr, &tokErr)
		if err := s.send(saslResponse(resp, false)); err != nil {
			return err
		}
	}
}

type pop3SASLStatus struct {
	done      bool   // +OK
	challenge string // after "+ "
}

func (s *session) pop3SASLStatus(cmd string) (pop3SASLStatus, error) {
	reply, err := s.readLine()
	if err != nil {
		return pop3SASLStatus{}, err
	}
	switch {
	case strings.HasPrefix(reply, "+OK"):
		return pop3SASLStatus{done: true}, nil
	case strings.HasPrefix(reply, "+ ") || reply == "+":
		return pop3SASLStatus{challenge: strings.TrimSpace(strings.TrimPrefix(reply, "+"))}, nil
	case strings.HasPrefix(reply, "-ERR"):
		return pop3SASLStatus{}, &ReplyError{Command: cmd, Text: strings.TrimSpace(reply), Reply: reply}
	}
	return pop3SASLStatus{}, &ProtocolError{Step: cmd, Line: reply}
}
