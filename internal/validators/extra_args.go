package validators

import (
	"errors"
	"fmt"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckExtraArgs applies the rules for extra_args. They are appended to the program's command line, which
// Supervisor splits like a POSIX shell (shlex) when it spawns the process: unbalanced quotes or a trailing
// backslash would make every start fail with a spawn error, and a line break or another control character
// cannot be part of a command line.
func CheckExtraArgs(s string) error {
	for i, r := range s {
		if r == '\t' {
			continue
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("character %d is the control character %q; extra arguments must fit on one command line", i, r)
		}
	}
	q, err := scanQuotes(s)
	if err != nil {
		return err
	}
	switch q {
	case inSingle:
		return fmt.Errorf("a single quote (') is not closed; Supervisor splits the command line like a shell")
	case inDouble:
		return fmt.Errorf(`a double quote (") is not closed; Supervisor splits the command line like a shell`)
	}
	return nil
}

// quoting is where a shell-like split of a command line stands: outside quotes, or inside single or double
// quotes.
type quoting int

const (
	unquoted quoting = iota
	inSingle
	inDouble
)

// errLoneBackslash refuses a command line ending with a backslash outside quotes.
var errLoneBackslash = errors.New("it ends with a lone backslash, which escapes nothing (write \\\\ for a backslash)")

// scanQuotes reads s as a POSIX shell splits it and returns the quoting at its end, or errLoneBackslash.
// Outside quotes a backslash escapes the next byte; inside double quotes only before '"' or '\\'; inside
// single quotes nothing is escaped.
func scanQuotes(s string) (quoting, error) {
	q := unquoted
	for i := 0; i < len(s); i++ {
		escapes := false
		switch q {
		case unquoted:
			if s[i] == '\\' && i+1 == len(s) {
				return q, errLoneBackslash
			}
			q, escapes = unquotedStep(s[i])
		case inSingle:
			if s[i] == '\'' {
				q = unquoted
			}
		case inDouble:
			q, escapes = doubleQuotedStep(s, i)
		}
		if escapes {
			i++ // the escaped byte
		}
	}
	return q, nil
}

// unquotedStep returns the quoting after byte c read outside quotes, and whether c escapes the next byte.
func unquotedStep(c byte) (quoting, bool) {
	switch c {
	case '\\':
		return unquoted, true
	case '\'':
		return inSingle, false
	case '"':
		return inDouble, false
	}
	return unquoted, false
}

// doubleQuotedStep returns the quoting after byte s[i] read inside double quotes, and whether it escapes the
// next byte (a backslash before '"' or '\\').
func doubleQuotedStep(s string, i int) (quoting, bool) {
	switch s[i] {
	case '\\':
		return inDouble, i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\')
	case '"':
		return unquoted, false
	}
	return inDouble, false
}

// ExtraArgs validates extra arguments appended to a program's command line (CheckExtraArgs).
func ExtraArgs() validator.String {
	return checkedBy("must fit on one command line: no control characters, balanced quotes, no trailing backslash",
		"Invalid extra_args", CheckExtraArgs, func(s string, err error) string {
			return fmt.Sprintf("extra_args %q cannot be appended to a program's command line: %v.", s, err)
		})
}
