//go:build unix

package keystore

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// keepable refuses a save that a rename would turn into a different file:
// one of several hard links would be split off from the others, which
// would keep the old content. (Writing in place instead would keep the
// links but lose the guarantee that a crash leaves a whole file.)
func keepable(path string, old fs.FileInfo) error {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || st.Nlink <= 1 {
		return nil
	}
	return fileError(path, ErrNotWritable,
		fmt.Sprintf("has %d names (hard links), and saving would leave the others with the old content, so nothing was changed", st.Nlink),
		"Keep the keystore under one name (use a symbolic link for the others), or save a copy with Download.", nil)
}

// keepOwner gives the new file the old one's owner and group. Only root
// may give a file away; anyone may keep their own and choose among their
// groups. When that is not allowed, the save is refused rather than
// quietly handing the keystore to whoever saved it last.
func keepOwner(path string, tmp *os.File, old fs.FileInfo) error {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	info, err := tmp.Stat()
	if err != nil {
		return err
	}
	if now, ok := info.Sys().(*syscall.Stat_t); ok && now.Uid == st.Uid && now.Gid == st.Gid {
		return nil
	}
	if err := tmp.Chown(int(st.Uid), int(st.Gid)); err != nil {
		return fileError(path, ErrNotWritable,
			fmt.Sprintf("belongs to %s, and Opsdesk cannot give the saved file that owner and group, so nothing was changed", ownerName(st.Uid, st.Gid)),
			"Make the change as that user (or as an administrator), or save a copy with Download.", err)
	}
	return nil
}

func ownerName(uid, gid uint32) string {
	u := strconv.FormatUint(uint64(uid), 10)
	if found, err := user.LookupId(u); err == nil {
		u = found.Username
	}
	g := strconv.FormatUint(uint64(gid), 10)
	if found, err := user.LookupGroupId(g); err == nil {
		g = found.Name
	}
	return u + ":" + g
}
