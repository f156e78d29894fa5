package main

import (
	"errors"
	"fmt"
	"strings"
)

// Exit statuses. Findings use the --exit-code value (default 1).
const (
	exitOK    = 0
	exitError = 2
)

// findingsError ends a scan that found secrets; it carries the status the
// user chose with --exit-code.
type findingsError struct {
	count int
	code  int
}

func (e *findingsError) Error() string { return fmt.Sprintf("%d finding(s)", e.count) }

// nothingScannedError ends a scan that read nothing: a gate that scanned
// nothing must not pass.
type nothingScannedError struct{ reason string }

func (e *nothingScannedError) Error() string {
	return "nothing was scanned: " + e.reason
}

// exitCode is the one place that maps an error to an exit status and
// prints it.
func exitCode(err error, ios *IOStreams) int {
	if err == nil {
		return exitOK
	}
	var fe *findingsError
	if errors.As(err, &fe) {
		return fe.code
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "sprawl:") {
		msg = "sprawl: " + msg
	}
	fmt.Fprintln(ios.ErrOut, msg)
	return exitError
}
