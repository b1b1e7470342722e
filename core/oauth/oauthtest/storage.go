package oauthtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is the authorization server's memory: its clients, users,
// pending sign-ins and the tokens it issued. It implements op.Storage.
type storage struct {
	mu       sync.Mutex
	clients  map[string]*client
	users    map[string]string // user name → password
	requests map[string]*authRequest
	codes    map[string]string // code → request ID
	access   map[string]*accessToken
	refresh  map[string]*refreshToken
	key      *ecdsa.PrivateKey
	keyID    string

	accessLifetime time.Duration
	rotate         bool // a refresh gives a new refresh token and retires the old one
	now            func() time.Time

	// counters, for tests that check how often the server was asked
	codeExchanges, refreshes int
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type notFound struct{ what string }

func (e notFound) Error() string { return e.what + " not found" }
func (notFound) IsNotFound()     {}

// authRequest is one sign-in: created by /authorize, completed by the
// login page, exchanged once for tokens.
type authRequest struct {
	id        string
	req       oidc.AuthRequest
	subject   string
	authTime  time.Time
	done      bool
	createdAt time.Time
}

func (a *authRequest) GetID() string                      { return a.id }
func (a *authRequest) GetACR() string                     { return "" }
func (a *authRequest) GetAMR() []string                   { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string              { return []string{a.req.ClientID} }
func (a *authRequest) GetAuthTime() time.Time             { return a.authTime }
func (a *authRequest) GetClientID() string                { return a.req.ClientID }
func (a *authRequest) GetNonce() string                   { return a.req.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.req.Scopes }
func (a *authRequest) GetState() string                   { return a.req.State }
func (a *authRequest) GetSubject() string                 { return a.subject }
func (a *authRequest) Done() bool                         { return a.done }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.req.CodeChallenge == "" {
		return nil
	}
	m := a.req.CodeChallengeMethod
	if m == "" {
		m = oidc.CodeChallengeMethodPlain
	}
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: m}
}

type accessToken struct {
	id, subject, clientID string
	scopes                []string
	expires               time.Time
	refreshID             string
}

type refreshToken struct {
	token, subject, clientID string
	scopes                   []string
	authTime                 time.Time
	amr                      []string
}

// refreshRequest is what the op asks of a refresh token.
type refreshRequest struct {
	rt     *refreshToken
	scopes []string
}

func (r *refreshRequest) GetAMR() []string                 { return r.rt.amr }
func (r *refreshRequest) GetAudience() []string            { return []string{r.rt.clientID} }
func (r *refreshRequest) GetAuthTime() time.Time           { return r.rt.authTime }
func (r *refreshRequest) GetClientID() string              { return r.rt.clientID }
func (r *refreshRequest) GetScopes() []string              { return r.scopes }
func (r *refreshRequest) GetSubject() string               { return r.rt.subject }
func (r *refreshRequest) SetCurrentScopes(scopes []string) { r.scopes = scopes }

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &authRequest{id: newID(), req: *req, subject: userID, createdAt: s.now()}
	s.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return nil, notFound{"auth request"}
	}
	return a, nil
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	if !ok {
		return nil, notFound{"code"}
	}
	a, ok := s.requests[id]
	if !ok {
		return nil, notFound{"auth request"}
	}
	return a, nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest runs when the code was exchanged: the code is then
// spent, as RFC 6749 §4.1.2 requires.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, rid := range s.codes {
		if rid == id {
			delete(s.codes, c)
		}
	}
	return nil
}

func (s *storage) newAccess(subject, clientID string, scopes []string, refreshID string) (string, time.Time) {
	a := &accessToken{id: newID(), subject: subject, clientID: clientID, scopes: slices.Clone(scopes),
		expires: s.now().Add(s.accessLifetime), refreshID: refreshID}
	s.access[a.id] = a
	return a.id, a.expires
}

func clientOf(req op.TokenRequest) string {
	switch r := req.(type) {
	case *authRequest:
		return r.req.ClientID
	case *refreshRequest:
		return r.rt.clientID
	}
	return ""
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := req.(*authRequest); ok {
		s.codeExchanges++
	}
	id, exp := s.newAccess(req.GetSubject(), clientOf(req), req.GetScopes(), "")
	return id, exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r := req.(type) {
	case *authRequest:
		s.codeExchanges++
		rt := &refreshToken{token: newID() + newID(), subject: r.subject, clientID: r.req.ClientID, scopes: slices.Clone(r.req.Scopes),
			authTime: r.authTime, amr: r.GetAMR()}
		s.refresh[rt.token] = rt
		id, exp := s.newAccess(rt.subject, rt.clientID, rt.scopes, rt.token)
		return id, rt.token, exp, nil
	case *refreshRequest:
		s.refreshes++
		rt, ok := s.refresh[current]
		if !ok {
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("The refresh token has been revoked.")
		}
		if s.rotate {
			delete(s.refresh, current)
			rt = &refreshToken{token: newID() + newID(), subject: rt.subject, clientID: rt.clientID, scopes: rt.scopes, authTime: rt.authTime, amr: rt.amr}
			s.refresh[rt.token] = rt
		}
		id, exp := s.newAccess(rt.subject, rt.clientID, r.scopes, rt.token)
		return id, rt.token, exp, nil
	}
	return "", "", time.Time{}, errors.New("unsupported token request")
}

func (s *storage) TokenRequestByRefreshToken(_ context.Context, token string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[token]
	if !ok {
		return nil, errors.New("the refresh token is unknown, expired or revoked")
	}
	return &refreshRequest{rt: rt, scopes: slices.Clone(rt.scopes)}, nil
}

func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.revokeAll(userID)
	return nil
}

// revokeAll forgets every token of user, as a password change does.
func (s *storage) revokeAll(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, a := range s.access {
		if a.subject == user {
			delete(s.access, k)
		}
	}
	for k, r := range s.refresh {
		if r.subject == user {
			delete(s.refresh, k)
		}
	}
}

func (s *storage) RevokeToken(_ context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.access[tokenOrID]; ok && a.clientID == clientID {
		delete(s.access, tokenOrID)
		return nil
	}
	if r, ok := s.refresh[tokenOrID]; ok && r.clientID == clientID {
		delete(s.refresh, tokenOrID)
		for k, a := range s.access {
			if a.refreshID == tokenOrID {
				delete(s.access, k)
			}
		}
	}
	return nil // RFC 7009: an unknown token is not an error
}

func (s *storage) GetRefreshTokenInfo(_ context.Context, clientID, token string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.refresh[token]
	if !ok || r.clientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return r.subject, r.token, nil
}

type signingKey struct {
	id  string
	key *ecdsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

type publicKey struct{ signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.key.PublicKey }

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{id: s.keyID, key: s.key}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{signingKey{id: s.keyID, key: s.key}}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, notFound{"client"}
	}
	return c, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok || c.secret == "" || c.secret != secret {
		return errors.New("invalid client credentials")
	}
	return nil
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.access[tokenID]; !ok || !s.now().Before(a.expires) {
		return errors.New("token is not active")
	}
	info.Subject, info.PreferredUsername, info.Email = subject, subject, subject
	return nil
}

// SetIntrospectionFromToken answers a mail server that asks about a
// token: active only while it is known and unexpired.
func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.access[tokenID]
	if !ok || a.subject != subject || !s.now().Before(a.expires) {
		return errors.New("token is not active")
	}
	resp.Subject, resp.Username = a.subject, a.subject
	resp.ClientID = a.clientID
	resp.Scope = a.scopes
	resp.Expiration = oidc.FromTime(a.expires)
	resp.TokenType = oidc.BearerToken
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("no JWT profile keys")
}

func (s *storage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *storage) Health(context.Context) error { return nil }

// client is one registered application.
type client struct {
	id, secret string
	redirects  []string
	method     oidc.AuthMethod
	login      func(id string) string
}

func (c *client) GetID() string                    { return c.id }
func (c *client) RedirectURIs() []string           { return c.redirects }
func (c *client) PostLogoutRedirectURIs() []string { return nil }
func (c *client) ApplicationType() op.ApplicationType {
	return op.ApplicationTypeNative // a desktop app: loopback redirects on any port
}
func (c *client) AuthMethod() oidc.AuthMethod { return c.method }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c *client) LoginURL(id string) string            { return c.login(id) }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return time.Hour }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return true }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
