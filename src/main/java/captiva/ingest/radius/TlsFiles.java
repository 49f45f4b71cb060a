package captiva.ingest.radius;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS server context from PEM files, as a Kubernetes secret or cert-manager mounts them: the
 * service's certificate chain and key, and the CA that issues client certificates. Mistakes fail at
 * startup with the file's name, never later on a connection.
 */
final class TlsFiles {

    private static final Pattern PKCS8 =
            Pattern.compile(
                    "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] IN_MEMORY = "in-memory".toCharArray();

    private TlsFiles() {}

    /**
     * A context that presents the certificate and trusts only the CA: the client CA for the RadSec
     * server (tests use it the other way round for their TLS clients).
     */
    static SSLContext context(Path certificate, Path key, Path clientCa) {
        try {
            List<Certificate> chain = certificates(certificate);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(
                    "radsec", privateKey(key), IN_MEMORY, chain.toArray(Certificate[]::new));
            KeyManagerFactory keyManagers =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, IN_MEMORY);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int i = 0;
            for (Certificate ca : certificates(clientCa)) {
                trusted.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(
                    "Cannot set up RadSec TLS from "
                            + certificate
                            + ", "
                            + key
                            + " and "
                            + clientCa
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static List<Certificate> certificates(Path pem) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> found =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (found.isEmpty()) {
                throw new IllegalStateException(pem + " holds no PEM certificate");
            }
            return List.copyOf(found);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + pem, e);
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        Matcher block = PKCS8.matcher(Files.readString(pem, StandardCharsets.US_ASCII));
        if (!block.find()) {
            throw new IllegalStateException(
                    pem
                            + " holds no unencrypted PKCS#8 key (BEGIN PRIVATE KEY); convert it with "
                            + "openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem");
        }
        PKCS8EncodedKeySpec spec =
                new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(block.group(1)));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException notThisOne) {
                // try the next algorithm: PKCS#8 names it inside, but KeyFactory wants it up front
            }
        }
        throw new IllegalStateException(pem + " holds a key that is neither RSA, EC nor Ed25519");
    }
}
