// Command hbone-peer runs Istio's own Go HBONE implementation (istio.io/istio/pkg/hbone) as a
// peer for mesh-agent's interop tests: "serve" terminates HBONE CONNECTs and forwards them,
// "dial" opens an HBONE tunnel through a server and checks an echo byte for byte.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"istio.io/istio/pkg/hbone"
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: hbone-peer serve|dial [flags]"))
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	cert := fs.String("cert", "", "PEM certificate chain presented to the peer")
	key := fs.String("key", "", "PEM private key")
	ca := fs.String("ca", "", "PEM roots the peer must chain to")
	listen := fs.String("listen", "127.0.0.1:0", "serve: address to listen on")
	proxy := fs.String("proxy", "", "dial: the HBONE server, host:port")
	target := fs.String("target", "", "dial: the CONNECT authority, ip:port")
	size := fs.Int("size", 1<<20, "dial: bytes to send and expect back")
	if err := fs.Parse(os.Args[2:]); err != nil {
		fail(err)
	}
	cfg, err := tlsConfig(*cert, *key, *ca)
	if err != nil {
		fail(err)
	}
	switch os.Args[1] {
	case "serve":
		fail(serve(*listen, cfg))
	case "dial":
		if err := dial(*proxy, *target, *size, cfg); err != nil {
			fail(err)
		}
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
}

// tlsConfig is mutual TLS 1.3 with ALPN h2, verifying the peer's chain against the mesh roots.
// Workload certificates carry only a SPIFFE URI SAN, so host-name verification is replaced by a
// chain check, as Istio's own peers do.
func tlsConfig(certFile, keyFile, caFile string) (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading %s/%s: %w", certFile, keyFile, err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	verify := func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return errors.New("peer sent no certificate")
		}
		certs := make([]*x509.Certificate, 0, len(raw))
		for _, r := range raw {
			c, err := x509.ParseCertificate(r)
			if err != nil {
				return err
			}
			certs = append(certs, c)
		}
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		_, err := certs[0].Verify(x509.VerifyOptions{
			Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		return err
	}
	return &tls.Config{
		Certificates:          []tls.Certificate{pair},
		MinVersion:            tls.VersionTLS13,
		NextProtos:            []string{"h2"},
		ClientAuth:            tls.RequireAnyClientCert,
		InsecureSkipVerify:    true, // replaced by verify: SPIFFE certificates have no DNS names
		VerifyPeerCertificate: verify,
	}, nil
}

func serve(listen string, cfg *tls.Config) error {
	srv := hbone.NewServer()
	// NewServer enables HTTP/1 and cleartext HTTP/2; HBONE runs HTTP/2 over TLS.
	srv.Protocols.SetHTTP2(true)
	srv.TLSConfig = cfg
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("LISTENING %s\n", ln.Addr())
	return srv.Serve(tls.NewListener(ln, cfg))
}

func dial(proxy, target string, size int, cfg *tls.Config) error {
	timeout := 20 * time.Second
	d := hbone.NewDialer(hbone.Config{ProxyAddress: proxy, TLS: cfg, Timeout: &timeout})
	conn, err := d.Dial("tcp", target)
	if err != nil {
		return fmt.Errorf("CONNECT %s via %s: %w", target, proxy, err)
	}
	defer conn.Close()
	payload := make([]byte, size)
	if _, err := rand.Read(payload); err != nil {
		return err
	}
	errs := make(chan error, 1)
	go func() {
		_, err := conn.Write(payload)
		errs <- err
	}()
	got := make([]byte, size)
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	if _, err := io.ReadFull(conn, got); err != nil {
		return fmt.Errorf("reading the echo: %w", err)
	}
	if err := <-errs; err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	if !bytes.Equal(payload, got) {
		return errors.New("the echo differs from what was sent")
	}
	fmt.Printf("OK %d bytes sha256=%x\n", size, sha256.Sum256(payload))
	return nil
}

func fail(err error) {
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "hbone-peer:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
