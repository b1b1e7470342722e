package connectivity

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
)

// cramMD5 answers a CRAM-MD5 challenge (RFC 2195), base64-encoded as SMTP,
// IMAP and POP3 all send it.
func cramMD5(user string, password, challenge []byte) string {
	mac := hmac.New(md5.New, password)
	mac.Write(challenge)
	return base64.StdEncoding.EncodeToString([]byte(user + " " + hex.EncodeToString(mac.Sum(nil))))
}
