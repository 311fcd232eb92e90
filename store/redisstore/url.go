package redisstore

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// target is a parsed Redis URL: exactly one of single and cluster is set.
type target struct {
	single  *redis.Options
	cluster *redis.ClusterOptions
	// redacted is the URL with any password replaced, for messages.
	redacted string
}

// Cluster URL schemes. go-redis has no scheme of its own for a seed list,
// so confpad accepts redis-cluster://h1:p1,h2:p2 and turns it into the
// go-redis form redis://h1:p1?addr=h2:p2.
const (
	schemeCluster    = "redis-cluster"
	schemeClusterTLS = "rediss-cluster"
)

// parseURL parses a redis://, rediss://, unix://, redis-cluster:// or
// rediss-cluster:// URL. The error never contains the password.
func parseURL(raw string) (target, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return target{}, fmt.Errorf("redisstore: %q is not a Redis URL (want redis://host:port/db or redis-cluster://host:port,host:port)", redactRaw(raw))
	}
	switch scheme {
	case "redis", "rediss", "unix":
		u, err := url.Parse(raw)
		if err != nil {
			return target{}, fmt.Errorf("redisstore: bad Redis URL %q", redactRaw(raw))
		}
		opt, err := redis.ParseURL(raw)
		if err != nil {
			return target{}, fmt.Errorf("redisstore: bad Redis URL %q: %w", u.Redacted(), withoutURL(err))
		}
		return target{single: opt, redacted: u.Redacted()}, nil
	case schemeCluster, schemeClusterTLS:
		return parseClusterURL(scheme, rest)
	}
	if !validScheme(scheme) {
		return target{}, errors.New("redisstore: not a Redis URL: the part before :// is not a scheme (want redis://host:port/db or redis-cluster://host:port,host:port)")
	}
	return target{}, fmt.Errorf("redisstore: unknown Redis URL scheme %q (want redis, rediss, unix, %s or %s)", scheme, schemeCluster, schemeClusterTLS)
}

// validScheme reports whether s has the form of a URL scheme (RFC 3986: a
// letter, then letters, digits, '+', '-' or '.').
func validScheme(s string) bool {
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

// parseClusterURL parses the part after "redis-cluster://":
// [user[:password]@]host:port[,host:port...][/][?query].
func parseClusterURL(scheme, rest string) (target, error) {
	// Redact the whole URL: rest may hold "://" itself.
	redacted := redactRaw(scheme + "://" + rest)
	if strings.Contains(rest, "#") {
		return target{}, fmt.Errorf("redisstore: bad Redis URL %q: a fragment (#) has no meaning here", redacted)
	}
	hostPart, query, _ := strings.Cut(rest, "?")
	hostPart, path, _ := strings.Cut(hostPart, "/")
	if path != "" && path != "0" {
		return target{}, fmt.Errorf("redisstore: bad Redis URL %q: a cluster has only database 0", redacted)
	}
	userinfo := ""
	if i := strings.LastIndex(hostPart, "@"); i >= 0 {
		userinfo, hostPart = hostPart[:i+1], hostPart[i+1:]
	}
	hosts := strings.Split(hostPart, ",")
	q, err := url.ParseQuery(query)
	if err != nil {
		return target{}, fmt.Errorf("redisstore: bad Redis URL %q: %w", redacted, err)
	}
	for _, h := range hosts {
		if h == "" {
			return target{}, fmt.Errorf("redisstore: bad Redis URL %q: empty address in the node list", redacted)
		}
	}
	for _, h := range hosts[1:] {
		q.Add("addr", h)
	}
	base := "redis"
	if scheme == schemeClusterTLS {
		base = "rediss"
	}
	u := base + "://" + userinfo + hosts[0]
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	opt, err := redis.ParseClusterURL(u)
	if err != nil {
		return target{}, fmt.Errorf("redisstore: bad Redis URL %q: %w", redacted, withoutURL(err))
	}
	return target{cluster: opt, redacted: redacted}, nil
}

// withoutURL drops the URL (and so any password in it) that a *url.Error
// carries, keeping what is wrong with it.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactRaw hides a password in a URL that may not parse: everything
// between the first ':' after "//" and the last '@' of the authority.
func redactRaw(raw string) string {
	prefix, rest, ok := strings.Cut(raw, "://")
	if !ok {
		rest, prefix = raw, ""
	} else {
		prefix += "://"
	}
	authority, tail, hasTail := strings.Cut(rest, "/")
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return raw
	}
	out := prefix + user + ":xxxxx" + authority[at:]
	if hasTail {
		out += "/" + tail
	}
	return out
}
