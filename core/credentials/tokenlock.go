package credentials

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// tokenLockWait bounds how long a refresh waits for another program (or
// another window of this one) that is refreshing the same credential.
const tokenLockWait = 30 * time.Second

// lockTokens holds an OS lock on name's tokens while they are read,
// refreshed and written back. Without it, two programs that find the same
// access token expired both send the same refresh token; a provider that
// rotates refresh tokens honours the first and refuses the second, whose
// refusal then marks the credential as needing a new authorization, or
// the second's write loses the first's rotated token. The lock is a file
// in the data folder (flock on Unix, LockFileEx on Windows), so it is
// shared by every keyring backend and dies with the process that held it.
func (s *Store) lockTokens(ctx context.Context, name string) (unlock func(), err error) {
	if err := os.MkdirAll(s.lockDir, 0o700); err != nil {
		return nil, newError(ErrFailed, s.lockDir, "cannot be created to coordinate token renewals",
			"Check that the data folder (OPSDESK_HOME) is yours and writable.", err)
	}
	// The name's hash, not the name: any credential name is a safe file
	// name then, on every system.
	sum := sha256.Sum256([]byte(name))
	l := flock.New(filepath.Join(s.lockDir, "oauth2-"+hex.EncodeToString(sum[:8])+".lock"), flock.SetPermissions(0o600))
	wait, cancel := context.WithTimeout(ctx, tokenLockWait)
	defer cancel()
	ok, err := l.TryLockContext(wait, 20*time.Millisecond)
	if err != nil || !ok {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, newError(ErrFailed, name, "is being renewed by another program that does not finish",
			"Close the other Opsdesk windows or commands using it, then try again.", err)
	}
	return func() { _ = l.Unlock() }, nil
}
