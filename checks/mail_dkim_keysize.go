package checks

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
)

// DKIMKeySize is mail.dkim_keysize: RFC 8301 wants RSA keys of 2048 bits
// or more for signing; receivers ignore signatures under 1024.
var DKIMKeySize = Def{Key: "mail.dkim_keysize", Name: "The email signing key is strong enough", Area: AreaMail,
	Needs: []string{"platform.status"}, Limit: mailStatusLimit,
	Look: func(ctx context.Context, env *Env) Result {
		want, r, ok := dkimExpected(ctx, env)
		if !ok {
			return r
		}
		der, err := base64.StdEncoding.DecodeString(dkimKey(want.Expected))
		if err != nil {
			return unknown("the server's DKIM key is not base64: "+err.Error(), "")
		}
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return unknown("the server's DKIM key could not be read: "+err.Error(), "")
		}
		key, isRSA := pub.(*rsa.PublicKey)
		if !isRSA {
			return pass(fmt.Sprintf("a %T key", pub))
		}
		bits := key.N.BitLen()
		fix := `rotate the key in Cloudron → Email → Domains → Signing key, then run "chapterctl dns apply"`
		switch {
		case bits < 1024:
			return Result{Status: Fail, Detail: fmt.Sprintf("the DKIM key has %d bits: receivers ignore it", bits), Fix: fix}
		case bits < 2048:
			return Result{Status: Warn, Detail: fmt.Sprintf("the DKIM key has %d bits; 2048 is the current minimum (RFC 8301)", bits), Fix: fix}
		}
		return pass(fmt.Sprintf("RSA %d bits", bits))
	}}
