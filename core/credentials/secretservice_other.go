//go:build !linux

package credentials

// The Secret Service is a Linux matter; elsewhere there is nothing to prepare.
func loginKeyring(*Store) func() error { return nil }

func classifyPlatform(error) error { return nil }
