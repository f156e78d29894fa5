package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/sprawl-sec/sprawl/pkg/classify"
)

// DefaultFingerprintKey keys the secret hash in fingerprints when no key is
// configured. It is public, so with it a fingerprint only proves equality
// to someone who already holds a candidate secret; a team that shares
// reports more widely sets its own key. The command line reads that key
// from the environment variable named by FingerprintKeyEnv
// (SPRAWL_FINGERPRINT_KEY); this package never reads the environment.
const DefaultFingerprintKey = "sprawl-fingerprint-v1"

// FingerprintKeyEnv names the environment variable that overrides
// DefaultFingerprintKey.
const FingerprintKeyEnv = "SPRAWL_FINGERPRINT_KEY"

// fingerprintHashLen is how many hex characters of the keyed hash a
// fingerprint keeps: 64 bits, plenty to tell the secrets of one
// repository apart while keeping the id short.
const fingerprintHashLen = 16

// Fingerprint identifies a finding across scans: rule id, path and a
// keyed hash of the secret (of the pattern, target and key for a
// reference, which has no value), joined by ":". It leaves out the line and the
// commit, so it survives edits that move the secret and a history scan
// reports one secret at one path as one fingerprint; a different secret
// at the same place is a different fingerprint. An empty key means
// DefaultFingerprintKey.
func Fingerprint(f classify.Finding, key []byte) string {
	return ruleOf(f).ID + ":" + originOf(f).Path + ":" + secretHash(f.Identity(), key)
}

func secretHash(secret string, key []byte) string {
	mac := hmac.New(sha256.New, keyOrDefault(key))
	mac.Write([]byte(secret))
	return hex.EncodeToString(mac.Sum(nil))[:fingerprintHashLen]
}

// FingerprintKeyID is a short public tag of a fingerprint key, written
// into JSON reports so that a baseline made with another key is caught
// with a clear message instead of silently matching nothing.
func FingerprintKeyID(key []byte) string {
	mac := hmac.New(sha256.New, keyOrDefault(key))
	mac.Write([]byte("sprawl fingerprint key id"))
	return hex.EncodeToString(mac.Sum(nil))[:8]
}

func keyOrDefault(key []byte) []byte {
	if len(key) == 0 {
		return []byte(DefaultFingerprintKey)
	}
	return key
}
