package credentials

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/99designs/keyring"
)

// Windows' Credential Manager keeps at most MaxItemBytes in one item, and
// an OAuth2 credential can hold more: Microsoft's refresh tokens have no
// documented length (they run past 1,500 characters, and libraries that
// store them allow 32 KiB), and its access tokens are JWTs of a few
// kilobytes. Such a value is split across items:
//
//	the item under its own key:  "OC" 1 gen(8) uvarint(items) uvarint(length) sha256(whole)[:8] first piece
//	"opsdesk/part/…/GEN/I":      "OP" gen(8) uvarint(I) piece           for I = 1 … items-1
//
// The parts are written first, under a generation that is new each time,
// and the item under the key last: that one write switches from the old
// value to the new, so that a crash or a refusing keyring in between
// leaves the old value whole (and some parts nobody reads, removed with
// the entry). The length and the checksum make sure that what is read back
// is exactly what was written. A value that fits in one item is stored as
// before, so that a User Credentials entry stays one item an older
// Opsdesk reads.
const (
	chunkMagic  = "OC"
	partMagic   = "OP"
	chunkV1     = 1
	genBytes    = 8
	sumBytes    = 8
	maxChunks   = 64 // 160 KiB: far more than any token; bounds what a damaged item makes us read
	partsPrefix = "opsdesk/part/"
	// chunkHeaderMax is the largest header of the item under the key.
	chunkHeaderMax = len(chunkMagic) + 1 + genBytes + binary.MaxVarintLen16 + binary.MaxVarintLen32 + sumBytes
	partHeaderMax  = len(partMagic) + genBytes + binary.MaxVarintLen16
)

var errBadChunks = errors.New("the parts of a keyring item do not fit together")

// partKey is the key of part i of generation gen of the value under key.
func partKey(key string, gen []byte, i int) string {
	return partsPrefix + strings.TrimPrefix(key, "opsdesk/") + "/" + hex.EncodeToString(gen) + "/" + strconv.Itoa(i)
}

// partsOf is the prefix of every part of the value under key.
func partsOf(key string) string { return partsPrefix + strings.TrimPrefix(key, "opsdesk/") + "/" }

// chunkHeader is the head of a split value.
type chunkHeader struct {
	gen    []byte
	items  int
	length int
	sum    []byte
	first  []byte
}

func readChunkHeader(data []byte) (chunkHeader, bool) {
	var h chunkHeader
	if len(data) < len(chunkMagic)+1+genBytes || string(data[:2]) != chunkMagic || data[2] != chunkV1 {
		return h, false
	}
	rest := data[3:]
	h.gen, rest = rest[:genBytes], rest[genBytes:]
	items, n := binary.Uvarint(rest)
	if n <= 0 || items < 2 || items > maxChunks {
		return h, false
	}
	rest = rest[n:]
	length, n := binary.Uvarint(rest)
	if n <= 0 || length > uint64(maxChunks*MaxItemBytes) {
		return h, false
	}
	rest = rest[n:]
	if len(rest) < sumBytes {
		return h, false
	}
	h.items, h.length, h.sum, h.first = int(items), int(length), rest[:sumBytes], rest[sumBytes:]
	return h, true
}

// setItem stores data under key, split when it does not fit one item.
// The caller zeroes data.
func (s *Store) setItem(key string, data []byte, label, description string) error {
	var old *chunkHeader
	if prev, err := s.ring.Get(key); err == nil {
		if h, ok := readChunkHeader(prev.Data); ok {
			old = &h
		}
		clear(prev.Data)
	}
	item := keyring.Item{Key: key, Label: label, Description: description, KeychainNotSynchronizable: true}
	if len(data) <= MaxItemBytes && !bytes.HasPrefix(data, []byte(chunkMagic)) {
		item.Data = data
		if err := s.ring.Set(item); err != nil {
			return err
		}
		s.removeParts(key, old)
		return nil
	}
	gen := make([]byte, genBytes)
	_, _ = rand.Read(gen)
	sum := sha256.Sum256(data)
	head := []byte(chunkMagic)
	head = append(head, chunkV1)
	head = append(head, gen...)
	firstRoom := func(items int) int {
		h := binary.AppendUvarint(binary.AppendUvarint(bytes.Clone(head), uint64(items)), uint64(len(data)))
		return MaxItemBytes - len(h) - sumBytes
	}
	// The number of items decides the header's length, which decides
	// how much the first holds: try the smallest count that could do.
	partRoom := MaxItemBytes - partHeaderMax
	items := 2
	for firstRoom(items)+(items-1)*partRoom < len(data) {
		items++
	}
	if items > maxChunks {
		return errTooLarge
	}
	first := min(firstRoom(items), len(data))
	head = binary.AppendUvarint(head, uint64(items))
	head = binary.AppendUvarint(head, uint64(len(data)))
	head = append(head, sum[:sumBytes]...)
	rest := data[first:]
	for i := 1; i < items; i++ {
		n := min(partRoom, len(rest))
		part := make([]byte, 0, partHeaderMax+n)
		part = append(part, partMagic...)
		part = append(part, gen...)
		part = binary.AppendUvarint(part, uint64(i))
		part = append(part, rest[:n]...)
		rest = rest[n:]
		err := s.ring.Set(keyring.Item{Key: partKey(key, gen, i), Data: part, Label: label + " (part " + strconv.Itoa(i+1) + ")",
			Description: description, KeychainNotSynchronizable: true})
		clear(part)
		if err != nil {
			s.removeParts(key, &chunkHeader{gen: gen, items: i + 1})
			return err
		}
	}
	whole := append(head, data[:first]...)
	item.Data = whole
	err := s.ring.Set(item)
	clear(whole)
	if err != nil {
		s.removeParts(key, &chunkHeader{gen: gen, items: items})
		return err
	}
	s.removeParts(key, old)
	return nil
}

var errTooLarge = errors.New("too large for the keyring")

// removeParts removes the parts of a split value; errors are ignored,
// since a part left behind is never read and goes with the entry.
func (s *Store) removeParts(key string, h *chunkHeader) {
	if h == nil {
		return
	}
	for i := 1; i < h.items; i++ {
		_ = s.ring.Remove(partKey(key, h.gen, i))
	}
}

// getItem reads the value under key, joining its parts. The caller
// zeroes the result.
func (s *Store) getItem(key string) ([]byte, error) {
	item, err := s.ring.Get(key)
	if err != nil {
		return nil, err
	}
	h, ok := readChunkHeader(item.Data)
	if !ok {
		if bytes.HasPrefix(item.Data, []byte(chunkMagic)) {
			clear(item.Data)
			return nil, errBadChunks
		}
		return item.Data, nil
	}
	defer clear(item.Data)
	if len(h.first) > h.length {
		return nil, errBadChunks
	}
	whole := make([]byte, 0, h.length)
	whole = append(whole, h.first...)
	for i := 1; i < h.items; i++ {
		p, err := s.ring.Get(partKey(key, h.gen, i))
		if err != nil {
			clear(whole)
			if errors.Is(err, keyring.ErrKeyNotFound) {
				return nil, errBadChunks
			}
			return nil, err
		}
		piece, ok := partPiece(p.Data, h.gen, i)
		if !ok || len(whole)+len(piece) > h.length {
			clear(p.Data)
			clear(whole)
			return nil, errBadChunks
		}
		whole = append(whole, piece...)
		clear(p.Data)
	}
	sum := sha256.Sum256(whole)
	if len(whole) != h.length || !bytes.Equal(sum[:sumBytes], h.sum) {
		clear(whole)
		return nil, errBadChunks
	}
	return whole, nil
}

func partPiece(data, gen []byte, i int) ([]byte, bool) {
	if len(data) < len(partMagic)+genBytes || string(data[:2]) != partMagic || !bytes.Equal(data[2:2+genBytes], gen) {
		return nil, false
	}
	rest := data[2+genBytes:]
	idx, n := binary.Uvarint(rest)
	if n <= 0 || idx != uint64(i) {
		return nil, false
	}
	return rest[n:], true
}

// removeItem removes the value under key with its parts, and any part of
// an earlier value that a crash left behind. A missing value is
// keyring.ErrKeyNotFound, as from the keyring itself.
func (s *Store) removeItem(key string) error {
	item, err := s.ring.Get(key)
	if err == nil {
		if h, ok := readChunkHeader(item.Data); ok {
			s.removeParts(key, &h)
		}
		clear(item.Data)
	}
	s.removeStrayParts(key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return err
	}
	return s.ring.Remove(key)
}

// removeStrayParts removes parts under key's prefix that no value uses.
func (s *Store) removeStrayParts(key string) {
	keys, err := s.ring.Keys()
	if err != nil {
		return
	}
	prefix := partsOf(key)
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			_ = s.ring.Remove(k)
		}
	}
}
