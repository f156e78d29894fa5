package detect

import "testing"

func TestValidateBech32(t *testing.T) {
	valid := []string{
		"A12UEL5L", // BIP-173 test vector: empty data
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",                  // BIP-173: every letter
		"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", // age's documented recipient
		"AGE-SECRET-KEY-1HWMNMSANN9G7QN0YUVGKLFU84XAZQN6K5Q5QEFSDN2HDN778EP4Q8EQEQT",
	}
	for _, s := range valid {
		if err := validateBech32(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	invalid := []string{
		"A12UEL5M", // last checksum letter changed
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxq",
		"AGE-SECRET-KEY-1HWMNMSANN9G7QN0YUVGKLFU84XAZQN6K5Q5QEFSDN2HDN778EP4Q8EQEQQ",
		"AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
		"AGE-SECRET-KEY-1BIO", // 'b', 'i', 'o' are not bech32 letters
		"noseparatorhere",
		"",
	}
	for _, s := range invalid {
		if err := validateBech32(s); err == nil {
			t.Errorf("%s: accepted", s)
		}
	}
}
