package detect

import "encoding/binary"

// appendLower appends src to dst with ASCII letters in lower case, eight
// bytes at a time: the keyword pass lowers every byte it scans, and a
// byte-at-a-time loop was a tenth of that pass. Bytes outside 'A'..'Z',
// UTF-8 sequences included, are copied unchanged.
func appendLower(dst, src []byte) []byte {
	n := len(dst)
	dst = append(dst, src...)
	out := dst[n:]
	i := 0
	for ; i+8 <= len(out); i += 8 {
		w := binary.LittleEndian.Uint64(out[i:])
		// For each byte b below 0x80: high bit of (b + 0x3f) is set when
		// b >= 'A', and high bit of (b + 0x25) when b > 'Z'. Bytes with
		// the high bit set are excluded, so no carry crosses a byte.
		const ones, high = 0x0101010101010101, 0x8080808080808080
		ascii := ^w & high
		low7 := w &^ high
		geA := (low7 + ones*0x3f) & ascii
		gtZ := (low7 + ones*0x25) & ascii
		upper := geA &^ gtZ
		binary.LittleEndian.PutUint64(out[i:], w|upper>>2)
	}
	for ; i < len(out); i++ {
		out[i] = asciiLowerByte(out[i])
	}
	return dst
}
