package sources

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"testing"
)

// Real keystores made by openssl and keytool are recognised from their
// first bytes; a certificate alone, a zip and text are not keystores.
func TestKeystoreKind(t *testing.T) {
	for file, want := range map[string]string{
		"throwaway.p12":        KeystorePKCS12,
		"throwaway-legacy.p12": KeystorePKCS12,
		"throwaway.jks":        KeystoreJKS,
		"throwaway.jceks":      KeystoreJCEKS,
		"cert.der":             "",
	} {
		data, err := os.ReadFile("testdata/keystores/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if got := KeystoreKind(data); got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
	for name, head := range map[string][]byte{
		"zip":                   []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"),
		"text":                  []byte("password = hunter2\n"),
		"short":                 {0x30, 0x82},
		"der sequence":          {0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x01, 0x30, 0x82, 0x00},
		"jks magic, no version": {0xfe, 0xed, 0xfe, 0xed, 0x12, 0x34, 0x56, 0x78},
	} {
		if got := KeystoreKind(head); got != "" {
			t.Errorf("%s taken for %s", name, got)
		}
	}
}

// ReadChunks hands a keystore on as one describing line with the digest
// of the whole file, counts it as scanned (not as a skipped binary), and
// refuses one larger than the size limit.
func TestReadChunksDescribesKeystore(t *testing.T) {
	data, err := os.ReadFile("testdata/keystores/throwaway.p12")
	if err != nil {
		t.Fatal(err)
	}
	for _, reuse := range []bool{false, true} {
		lim := Limits{ChunkSize: 256, Reuse: reuse} // smaller than the file: the digest must cover all of it
		chunks, st := collect(t, data, lim)
		want := fmt.Sprintf("PKCS#12 key container, sha256:%x\x00", sha256.Sum256(data))
		if len(chunks) != 1 || string(chunks[0].Data) != want || chunks[0].StartLine != 1 {
			t.Fatalf("reuse %v: %d chunks, want one %q", reuse, len(chunks), want)
		}
		if s := st.Snapshot(); s.Items != 1 || s.Bytes != int64(len(data)) {
			t.Errorf("reuse %v: stats %+v", reuse, s)
		}
	}
	chunks, st := collect(t, data, Limits{MaxSize: int64(len(data) - 1)})
	if len(chunks) != 0 || len(st.Snapshot().Warnings) != 1 {
		t.Errorf("a keystore over the size limit gave %d chunks, warnings %v", len(chunks), st.Snapshot().Warnings)
	}
	// Inside an archive, as a member.
	zipped := zipOf(t, zip.Deflate, member{"certs/client.pfx", data})
	var paths []string
	err = ReadContent(bytes.NewReader(zipped), &Origin{Path: "bundle.zip"}, int64(len(zipped)), Limits{}, NewStats(), func(c Chunk) error {
		if bytes.HasSuffix(c.Data, []byte{0}) {
			paths = append(paths, c.Origin.Path)
		}
		return nil
	})
	if err != nil || len(paths) != 1 || paths[0] != "bundle.zip!/certs/client.pfx" {
		t.Errorf("keystore in a zip: %v %v", paths, err)
	}
}

// FuzzKeystoreKind: any first bytes are judged without a panic, and a
// recognised PKCS#12 header is one a DER reader would start the same way.
func FuzzKeystoreKind(f *testing.F) {
	for _, name := range []string{"throwaway.p12", "throwaway-legacy.p12", "throwaway.jks", "cert.der"} {
		if data, err := os.ReadFile("testdata/keystores/" + name); err == nil {
			f.Add(data[:min(len(data), 64)])
		}
	}
	f.Add([]byte{0x30, 0x84, 0, 0, 0, 0, 0x02, 0x01, 0x03, 0x30})
	f.Add([]byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09})
	f.Fuzz(func(t *testing.T, head []byte) {
		if KeystoreKind(head) == KeystorePKCS12 && (len(head) < 8 || head[0] != 0x30) {
			t.Fatalf("%x taken for PKCS#12", head)
		}
	})
}
