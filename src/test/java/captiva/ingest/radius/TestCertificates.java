package captiva.ingest.radius;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A throwaway PKI made with the machine's {@code openssl}, as an operator would make one: a CA for
 * NAS client certificates and the server, client certificates named by CN and SAN DNS name, and a
 * second CA nobody trusts. EC P-256 keys, unencrypted PKCS#8, as Captiva reads them.
 */
final class TestCertificates {

    static final String SERVER_NAME = "captiva.test";

    final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    static boolean opensslInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/openssl"));
    }

    /** The trusted CA, and the server's certificate issued by it. */
    static TestCertificates create() {
        try {
            TestCertificates pki = new TestCertificates(Files.createTempDirectory("radsec-pki"));
            pki.ca("ca");
            pki.ca("rogue-ca");
            pki.issue("server", "ca", SERVER_NAME);
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path ca() {
        return dir.resolve("ca.pem");
    }

    Path certificate(String name) {
        return dir.resolve(name + ".pem");
    }

    Path key(String name) {
        return dir.resolve(name + ".key");
    }

    private void ca(String name) {
        openssl(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                key(name).toString(),
                "-out",
                certificate(name).toString(),
                "-days",
                "2",
                "-subj",
                "/CN=" + name,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=keyCertSign");
    }

    /**
     * A certificate for {@code commonName} issued by {@code ca}, with the SAN DNS names given
     * (none: no SAN).
     */
    TestCertificates issue(String name, String ca, String commonName, String... dnsNames) {
        Path request = dir.resolve(name + ".csr");
        openssl(
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                key(name).toString(),
                "-out",
                request.toString(),
                "-subj",
                "/CN=" + commonName);
        Path extensions = dir.resolve(name + ".ext");
        List<String> lines = new ArrayList<>(List.of("basicConstraints=CA:FALSE"));
        if (dnsNames.length > 0) {
            lines.add(
                    "subjectAltName="
                            + String.join(
                                    ",",
                                    java.util.Arrays.stream(dnsNames)
                                            .map(d -> "DNS:" + d)
                                            .toList()));
        }
        try {
            Files.write(extensions, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(
                "x509",
                "-req",
                "-in",
                request.toString(),
                "-CA",
                certificate(ca).toString(),
                "-CAkey",
                key(ca).toString(),
                "-CAcreateserial",
                "-out",
                certificate(name).toString(),
                "-days",
                "2",
                "-extfile",
                extensions.toString());
        return this;
    }

    /**
     * A TLS client presenting certificate {@code name} (or none when null), trusting the server's
     * CA.
     */
    SSLSocket connect(int port, String name) throws IOException {
        SSLContext context;
        if (name == null) {
            try {
                context = SSLContext.getInstance("TLS");
                javax.net.ssl.TrustManagerFactory trust =
                        javax.net.ssl.TrustManagerFactory.getInstance(
                                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
                store.load(null, null);
                try (var in = Files.newInputStream(ca())) {
                    store.setCertificateEntry(
                            "ca",
                            java.security.cert.CertificateFactory.getInstance("X.509")
                                    .generateCertificate(in));
                }
                trust.init(store);
                context.init(null, trust.getTrustManagers(), null);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        } else {
            context = presentingAlways(TlsFiles.context(certificate(name), key(name), ca()), name);
        }
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /**
     * The same context, but its client certificate is sent whatever CAs the server asks for: Java's
     * own key manager would send none from an issuer the server does not name, and a hostile client
     * is not so polite.
     */
    private SSLContext presentingAlways(SSLContext trusting, String name) {
        try {
            javax.net.ssl.KeyManagerFactory keys =
                    javax.net.ssl.KeyManagerFactory.getInstance(
                            javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            var certificates = java.security.cert.CertificateFactory.getInstance("X.509");
            java.security.cert.Certificate certificate;
            try (var in = Files.newInputStream(certificate(name))) {
                certificate = certificates.generateCertificate(in);
            }
            String pem = Files.readString(key(name));
            byte[] der =
                    java.util.Base64.getMimeDecoder()
                            .decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            var privateKey =
                    java.security.KeyFactory.getInstance("EC")
                            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
            store.setKeyEntry(
                    "client",
                    privateKey,
                    "x".toCharArray(),
                    new java.security.cert.Certificate[] {certificate});
            keys.init(store, "x".toCharArray());
            var delegate = (javax.net.ssl.X509ExtendedKeyManager) keys.getKeyManagers()[0];
            var always =
                    new javax.net.ssl.X509ExtendedKeyManager() {
                        @Override
                        public String[] getClientAliases(
                                String keyType, java.security.Principal[] issuers) {
                            return new String[] {"client"};
                        }

                        @Override
                        public String chooseClientAlias(
                                String[] keyType,
                                java.security.Principal[] issuers,
                                java.net.Socket socket) {
                            return "client";
                        }

                        @Override
                        public String chooseEngineClientAlias(
                                String[] keyType,
                                java.security.Principal[] issuers,
                                javax.net.ssl.SSLEngine engine) {
                            return "client";
                        }

                        @Override
                        public String[] getServerAliases(
                                String keyType, java.security.Principal[] issuers) {
                            return null;
                        }

                        @Override
                        public String chooseServerAlias(
                                String keyType,
                                java.security.Principal[] issuers,
                                java.net.Socket socket) {
                            return null;
                        }

                        @Override
                        public java.security.cert.X509Certificate[] getCertificateChain(
                                String alias) {
                            return delegate.getCertificateChain(alias);
                        }

                        @Override
                        public java.security.PrivateKey getPrivateKey(String alias) {
                            return delegate.getPrivateKey(alias);
                        }
                    };
            javax.net.ssl.TrustManagerFactory trust =
                    javax.net.ssl.TrustManagerFactory.getInstance(
                            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            try (var in = Files.newInputStream(ca())) {
                trusted.setCertificateEntry("ca", certificates.generateCertificate(in));
            }
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[] {always}, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void openssl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        try {
            Process process =
                    new ProcessBuilder(command)
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .start();
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(
                        "openssl " + String.join(" ", arguments) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
