package tds

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
	"os"
	"path/filepath"
	"time"
)

// Certificate file names inside the directory given to GenerateCertificates.
const (
	CAFileName   = "ca.pem"
	CertFileName = "server.pem"
	KeyFileName  = "server-key.pem"
)

// certLifetime is how long generated certificates are valid; files that
// expire within certRenewBefore are regenerated.
const (
	certLifetime    = 5 * 365 * 24 * time.Hour
	certRenewBefore = 24 * time.Hour
)

// GenerateCertificates writes a CA certificate and a server certificate
// and key signed by it (ECDSA P-256, PEM) into dir, valid for 127.0.0.1,
// ::1, localhost and hosts (names or IP addresses). Existing files are
// reused when they still verify for every host. The CA's private key is
// not kept: a new pair is made whenever the old one does not fit.
func GenerateCertificates(dir string, hosts []string) (caFile, certFile, keyFile string, err error) {
	caFile = filepath.Join(dir, CAFileName)
	certFile = filepath.Join(dir, CertFileName)
	keyFile = filepath.Join(dir, KeyFileName)
	all := append([]string{"127.0.0.1", "::1", "localhost"}, hosts...)
	if certificatesValid(caFile, certFile, keyFile, all) == nil {
		return caFile, certFile, keyFile, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", "", fmt.Errorf("generate certificates: %w", err)
	}
	if err := writeCertificates(caFile, certFile, keyFile, all); err != nil {
		return "", "", "", fmt.Errorf("generate certificates: %w", err)
	}
	return caFile, certFile, keyFile, nil
}

// certificatesValid checks that the key matches the certificate, which
// chains to the CA for every host and is not about to expire.
func certificatesValid(caFile, certFile, keyFile string, hosts []string) error {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return errors.New("no CA certificate")
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return err
	}
	if time.Until(leaf.NotAfter) < certRenewBefore {
		return errors.New("certificate expires soon")
	}
	for _, h := range hosts {
		opts := x509.VerifyOptions{Roots: roots, DNSName: h, CurrentTime: time.Now().Add(certRenewBefore)}
		if _, err := leaf.Verify(opts); err != nil {
			return err
		}
	}
	return nil
}

func writeCertificates(caFile, certFile, keyFile string, hosts []string) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now().Add(-time.Hour)
	ca := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "failover lab CA"},
		NotBefore:             now,
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := signCert(ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{
		Subject:     pkix.Name{CommonName: hosts[0]},
		NotBefore:   now,
		NotAfter:    now.Add(certLifetime),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			leaf.IPAddresses = append(leaf.IPAddresses, ip)
		} else {
			leaf.DNSNames = append(leaf.DNSNames, h)
		}
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	leafDER, err := signCert(leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(caFile, "CERTIFICATE", caDER, 0o644); err != nil {
		return err
	}
	if err := writePEM(certFile, "CERTIFICATE", leafDER, 0o644); err != nil {
		return err
	}
	return writePEM(keyFile, "EC PRIVATE KEY", keyDER, 0o600)
}

func signCert(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, priv *ecdsa.PrivateKey) ([]byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
}

// writePEM writes through a temporary file and a rename, so a reader
// never sees half a certificate.
func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
