package testlab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// TLSProxy is a TLS-terminating reverse proxy on a free 127.0.0.1 port in front of one instance of the lab, the
// way an https endpoint of Supvisors is deployed (supervisord itself speaks plain HTTP). Its certificate (for
// 127.0.0.1 and localhost) is signed by a certificate authority generated when the proxy starts; nothing is
// read from or written to the system's trust store.
type TLSProxy struct {
	// URL is the https URL of the proxy, e.g. https://127.0.0.1:43211.
	URL string
	// CAFile is a PEM file with the CA that signed the proxy's certificate (for the provider's ca_file).
	CAFile string
	// OtherCAFile is a PEM file with another CA, which did not sign anything the proxy presents (a wrong
	// ca_file).
	OtherCAFile string

	dir string
	srv *http.Server
}

// StartTLSProxy starts a TLS proxy in front of instance i. Close stops it and removes its files.
func (c *Cluster) StartTLSProxy(i int) (*TLSProxy, error) {
	if i < 0 || i >= len(c.inst) {
		return nil, fmt.Errorf("testlab: no instance %d", i)
	}
	return StartTLSProxy(c.URL(i))
}

// StartTLSProxy starts a TLS proxy in front of target (an http:// URL on the local machine).
func StartTLSProxy(target string) (*TLSProxy, error) {
	to, err := url.Parse(target)
	if err != nil || to.Scheme != "http" || to.Host == "" {
		return nil, fmt.Errorf("testlab: TLS proxy target %q is not an http://host:port URL", target)
	}
	dir, err := os.MkdirTemp("", "svlab-tls-")
	if err != nil {
		return nil, err
	}
	p := &TLSProxy{dir: dir, CAFile: filepath.Join(dir, "ca.pem"), OtherCAFile: filepath.Join(dir, "other-ca.pem")}
	fail := func(err error) (*TLSProxy, error) {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("testlab: TLS proxy: %w", err)
	}
	ca, caKey, err := newCA("supvisors testlab CA")
	if err != nil {
		return fail(err)
	}
	other, _, err := newCA("supvisors testlab unrelated CA")
	if err != nil {
		return fail(err)
	}
	cert, err := newServerCert(ca, caKey)
	if err != nil {
		return fail(err)
	}
	if err := writeCertPEM(p.CAFile, ca); err != nil {
		return fail(err)
	}
	if err := writeCertPEM(p.OtherCAFile, other); err != nil {
		return fail(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	p.URL = "https://" + ln.Addr().String()
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(to)
		r.Out.Host = to.Host
	}}
	p.srv = &http.Server{
		Handler:           proxy,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = p.srv.ServeTLS(ln, "", "") }()
	return p, nil
}

// Close stops the proxy and removes its certificate files.
func (p *TLSProxy) Close() error {
	err := p.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, os.RemoveAll(p.dir))
}

// newCA returns a self-signed CA certificate and its key, valid for a day.
func newCA(name string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// newServerCert returns a certificate for 127.0.0.1 and localhost signed by ca.
func newServerCert(ca *x509.Certificate, caKey *ecdsa.PrivateKey) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

func writeCertPEM(path string, cert *x509.Certificate) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600)
}
