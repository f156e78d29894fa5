package sources

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
)

// Keystores are binary containers of private keys: PKCS#12 files (.p12,
// .pfx, what browsers and Windows export a certificate with its key as)
// and Java's JKS and JCEKS keystores. Binary files are otherwise skipped,
// so a keystore is recognised by its first bytes, whatever its name, and
// handed to the detector as one line that describes it:
//
//	PKCS#12 key container, sha256:<hex of the whole file>\x00
//
// The closing NUL cannot occur in a text chunk (a NUL makes an input
// binary), so the rule that reports keystores (rules/keystores.yaml)
// matches only these lines, never a text file that quotes one. The file's
// digest is the secret: the same keystore copied to another path, layer or
// commit is the same credential, and a changed one is a new one.
const keystoreLine = "%s key container, sha256:%x\x00"

// Keystore formats, by the name the describing line gives them.
const (
	KeystorePKCS12 = "PKCS#12"
	KeystoreJKS    = "Java keystore (JKS)"
	KeystoreJCEKS  = "Java keystore (JCEKS)"
)

var (
	jksMagic   = []byte{0xfe, 0xed, 0xfe, 0xed}
	jceksMagic = []byte{0xce, 0xce, 0xce, 0xce}
	// A PKCS#12 PFX is a DER SEQUENCE holding version 3, then the
	// ContentInfo of its authenticated safe: a SEQUENCE naming PKCS#7
	// data (1.2.840.113549.1.7.1) or signed data (…7.2).
	pfxVersion   = []byte{0x02, 0x01, 0x03, 0x30}
	pkcs7DataOID = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07}
)

// KeystoreKind names the keystore format data starts with, or "".
func KeystoreKind(head []byte) string {
	switch {
	case len(head) < 8:
		return ""
	case bytes.HasPrefix(head, jksMagic) && javaStoreVersion(head):
		return KeystoreJKS
	case bytes.HasPrefix(head, jceksMagic) && javaStoreVersion(head):
		return KeystoreJCEKS
	}
	return pkcs12Kind(head)
}

// javaStoreVersion checks the format version after a Java keystore's
// magic (1 or 2), so that another binary that happens to start with the
// magic's four bytes is not taken for one.
func javaStoreVersion(head []byte) bool {
	return bytes.Equal(head[4:7], []byte{0, 0, 0}) && (head[7] == 1 || head[7] == 2)
}

// pkcs12Kind recognises a PFX from its outer SEQUENCE header (short,
// long-form or indefinite length), the version and the ContentInfo OID.
func pkcs12Kind(head []byte) string {
	if head[0] != 0x30 {
		return ""
	}
	i := 2
	switch l := head[1]; {
	case l == 0x80: // indefinite length (BER)
	case l > 0x80 && l <= 0x84:
		i += int(l & 0x7f)
	case l < 0x80:
	default:
		return ""
	}
	rest := head[i:]
	if !bytes.HasPrefix(rest, pfxVersion) {
		return ""
	}
	// The ContentInfo's own length header is 2 to 6 bytes; its OID
	// follows it.
	window := rest[len(pfxVersion):min(len(rest), len(pfxVersion)+6+len(pkcs7DataOID)+1)]
	k := bytes.Index(window, pkcs7DataOID)
	if k < 0 || k+len(pkcs7DataOID) >= len(window) {
		return ""
	}
	if last := window[k+len(pkcs7DataOID)]; last != 0x01 && last != 0x02 {
		return ""
	}
	return KeystorePKCS12
}

// IsContainer reports whether head starts an archive or a keystore:
// binary content that ReadContent reads whole instead of skipping it.
func IsContainer(head []byte) bool { return IsArchive(head) || KeystoreKind(head) != "" }

// readKeystore hashes a keystore whose first bytes are head and whose
// remainder is r, and emits its describing chunk.
func readKeystore(head []byte, r io.Reader, origin *Origin, kind string, lim Limits, st *Stats, emit func(Chunk) error) error {
	h := sha256.New()
	h.Write(head)
	limit := lim.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	n, err := io.Copy(h, io.LimitReader(r, limit-int64(len(head))+1))
	total := int64(len(head)) + n
	if total > limit {
		st.Skip(SkipTooLarge)
		st.Warn(origin.Path, fmt.Sprintf("%s larger than %d bytes: not read", kind, limit))
		return nil
	}
	if err != nil {
		st.Warn(origin.Path, fmt.Sprintf("read error after %d bytes: %v", total, err))
	}
	st.Scanned(total)
	return emit(Chunk{Data: fmt.Appendf(nil, keystoreLine, kind, h.Sum(nil)), Origin: origin, StartLine: 1})
}
