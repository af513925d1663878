package debuglog

import (
	"net/http"
	"net/url"
	"strings"
)

// secretQueryWords extend secretKeyWords for URL query keys, where short names
// such as "key", "sig" or "access_token" commonly carry credentials.
var secretQueryWords = []string{"key", "sig", "auth"}

// secretHeaderWords extend secretKeyWords for HTTP headers: cookies are
// session credentials even though their name says nothing of it.
var secretHeaderWords = []string{"cookie"}

// RedactURL returns u with the userinfo password and the values of query keys
// named like secrets (token, key, password, secret, sig, auth…) replaced by
// "[REDACTED]". The user name is kept, as in url.URL.Redacted; register a
// token used as a user name with a Redactor. Text that does not parse as a URL
// is hidden entirely, since we cannot tell which part of it is secret.
func RedactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return Redacted
	}
	if _, hasPassword := parsed.User.Password(); hasPassword {
		parsed.User = url.UserPassword(parsed.User.Username(), Redacted)
	}
	parsed.RawQuery = redactQuery(parsed.RawQuery)
	// url.URL escapes the brackets of the placeholder in userinfo; put them
	// back so every hidden value reads the same in the log.
	return strings.Replace(parsed.String(), url.PathEscape(Redacted), Redacted, 1)
}

// redactQuery hides the values of secret keys in a raw query, editing it in
// place rather than through url.Values so the order and encoding of every
// other parameter stay exactly as sent.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	params := strings.Split(raw, "&")
	for i, p := range params {
		rawKey, _, hasValue := strings.Cut(p, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			key = rawKey
		}
		if hasValue && isSecretQueryKey(key) {
			params[i] = rawKey + "=" + Redacted
		}
	}
	return strings.Join(params, "&")
}

func isSecretQueryKey(key string) bool {
	return isSecretKey(key) || containsAny(normaliseKey(key), secretQueryWords)
}

// RedactHeader returns a copy of h, fit for the log, in which the values of
// headers named like secrets (Authorization, Proxy-Authorization, Cookie,
// Set-Cookie, X-Api-Key, X-Auth-Token…) are replaced by "[REDACTED]".
func RedactHeader(h http.Header) http.Header {
	clean := h.Clone()
	for name, values := range clean {
		if !isSecretKey(name) && !containsAny(normaliseKey(name), secretHeaderWords) {
			continue
		}
		for i := range values {
			values[i] = Redacted
		}
	}
	return clean
}
