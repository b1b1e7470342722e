package oauth

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// Refresh gets a new access token with a refresh token (RFC 6749 §6).
// The answer may carry a new refresh token (Microsoft rotates them): the
// caller must keep it at once, since the old one may stop working. When
// the server sends none, the result carries the one given.
func Refresh(ctx context.Context, cfg Config, refreshToken string) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, cfg.client())
	redirect := cfg.RedirectURL
	src := cfg.oauth2(redirect).TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Unix(1, 0)})
	tok, err := src.Token()
	if err != nil {
		return nil, explain(err, stepRefresh, cfg)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refreshToken
	}
	return tok, nil
}
