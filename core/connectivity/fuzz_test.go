package connectivity

import (
	"bufio"
	"context"
	"net"
	"testing"
	"time"
)

// fuzzSession is a session whose server sends data and then closes.
func fuzzSession(data []byte) (*session, func()) {
	client, server := net.Pipe()
	go func() {
		server.Write(data)
		server.Close()
	}()
	res := &Result{}
	s := newSession(context.Background(), &Request{Timeouts: Timeouts{Reply: time.Second, Total: 2 * time.Second}}, res)
	s.conn, s.r = client, bufio.NewReaderSize(client, MaxLineLength)
	return s, func() { client.Close() }
}

var replySeeds = [][]byte{
	[]byte("220 smtp.gmail.com ESMTP ready\r\n"),
	[]byte("250-smtp.gmail.com at your service\r\n250-SIZE 35882577\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n"),
	[]byte("535-5.7.8 Username and Password not accepted. Learn more at\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp\r\n"),
	[]byte("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\n"),
	[]byte("* LIST (\\HasNoChildren) \"/\" {5}\r\nInbox\r\na1 OK done\r\n"),
	[]byte("* STATUS \"INBOX\" (MESSAGES 3 UNSEEN 1)\r\na1 OK\r\n"),
	[]byte("+OK Capability list follows\r\nUSER\r\nSASL CRAM-MD5\r\n..odd\r\n.\r\n"),
	[]byte("250-"), []byte("* {999999999}\r\n"), []byte("\x00\xff\r\n"),
}

// FuzzReplies feeds arbitrary server bytes to every reply reader: none may
// panic, hang or return more than the limits allow.
func FuzzReplies(f *testing.F) {
	for _, s := range replySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, done := fuzzSession(data)
		if r, err := s.readSMTPReply("fuzz"); err == nil && len(r.text()) > MaxReplyLength {
			t.Fatal("SMTP reply over the limit")
		}
		done()

		s, done = fuzzSession(data)
		if r, err := s.readIMAPReply("fuzz", "a1"); err == nil {
			for _, l := range r.untagged {
				listName(l)
				statusCounts(l, 0, 0)
			}
			capabilities(r.untagged...)
		}
		done()

		s, done = fuzzSession(data)
		if lines, err := s.pop3Lines(); err == nil {
			total := 0
			for _, l := range lines {
				total += len(l)
			}
			if total > MaxReplyLength {
				t.Fatal("POP3 reply over the limit")
			}
		}
		done()

		listName(string(data))
		statusCounts(string(data), 0, 0)
		_, _, _ = NormalizeHost(string(data), 0)
	})
}
