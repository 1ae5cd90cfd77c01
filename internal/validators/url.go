package validators

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckURL returns nil if s is a URL the client can use to reach a Supervisor XML-RPC endpoint:
//
//   - http://host[:port][/path] or https://host[:port][/path] (a URL without a path gets /RPC2);
//   - unix:///absolute/path/to/supervisor.sock.
//
// Credentials inside the URL are refused (they would end up in logs and state): use username and password.
// The error messages never repeat the user-info part of the URL.
func CheckURL(s string) error {
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("the URL has leading or trailing white space")
	}
	if s == "" {
		return fmt.Errorf("the URL is empty")
	}
	if strings.Contains(s, "@") {
		// user:password@host, in whatever shape: refused before any message quotes the value.
		return errURLCredentials
	}
	if !strings.Contains(s, "://") {
		return fmt.Errorf("%q has no scheme: write http://%s, https://%s or unix:///path/to/supervisor.sock", s, s, s)
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse errors quote the URL, which could hold a password: do not pass them on.
		return fmt.Errorf("the URL cannot be parsed (%s)", describeParseError(err))
	}
	if u.User != nil {
		return errURLCredentials
	}
	switch u.Scheme {
	case "http", "https":
		err = checkHTTPURL(s, u)
	case "unix":
		err = checkUnixURL(s, u)
	default:
		err = fmt.Errorf("the scheme %q is not supported: use http, https or unix", u.Scheme)
	}
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q has a query or fragment, which an XML-RPC endpoint does not use", s)
	}
	return nil
}

// checkHTTPURL checks the host and port of the http(s) URL s (parsed as u).
func checkHTTPURL(s string, u *url.URL) error {
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q has no host: expected %s://host:port", s, u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q has an invalid port %q: expected 1-65535", s, p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("%q has an empty port", s)
	}
	return nil
}

// checkUnixURL checks that the unix URL s (parsed as u) names an absolute socket path (three slashes).
func checkUnixURL(s string, u *url.URL) error {
	if u.Host != "" {
		return fmt.Errorf("%q is not an absolute socket path: write unix:///%s%s (three slashes)", s, u.Host, u.Path)
	}
	if !strings.HasPrefix(u.Path, "/") || len(u.Path) < 2 {
		return fmt.Errorf("%q has no socket path: expected unix:///path/to/supervisor.sock", s)
	}
	return nil
}

// errURLCredentials refuses a URL that carries credentials, without repeating any part of it.
var errURLCredentials = fmt.Errorf("the URL holds an '@', i.e. credentials (user:password@host): set them with " +
	"username and password instead, which are kept out of logs, diagnostics and state (the URL itself is not " +
	"repeated here for that reason)")

// describeParseError keeps the reason of a *url.Error without the URL itself.
func describeParseError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return "malformed URL"
}

// URL returns a validator for a Supervisor/Supvisors endpoint URL (see CheckURL).
func URL() validator.String {
	return checkedBy("must be an `http://host:port[/path]`, `https://host:port[/path]` or `unix:///path/to.sock` URL "+
		"without credentials", "Invalid URL", CheckURL, sentence)
}
