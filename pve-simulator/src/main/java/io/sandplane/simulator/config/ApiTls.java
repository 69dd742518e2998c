package io.sandplane.simulator.config;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jboss.logging.Logger;

/**
 * HTTPS for the API port ({@code SIM_TLS=true}), as PVE serves its API on 8006: a self-signed
 * certificate is issued at start (a fresh EC key that never leaves memory; the certificate, not the
 * key, may be written to {@code SIM_TLS_CERTIFICATE_FILE} for clients to trust) and the one
 * listener Quarkus opens on the API port speaks TLS instead of plain HTTP. HTTP/1.1 only, like
 * pveproxy. Guests' own ports stay plain HTTP.
 */
@Singleton
public class ApiTls implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(ApiTls.class);
    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
    private static final Pattern DNS = Pattern.compile("^[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)*$");
    private static final Duration VALIDITY = Duration.ofDays(365);

    private final SimulatorConfig config;
    private volatile Issued issued;

    /** The certificate and its key, once issued. */
    private record Issued(X509Certificate certificate, KeyManagerFactory keys, List<String> names) {
    }

    public ApiTls(SimulatorConfig config) {
        this.config = config;
    }

    public boolean enabled() {
        return config.tls();
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        if (!enabled()) {
            return;
        }
        Issued tls = issue();
        options.setSsl(true).setUseAlpn(false).setKeyCertOptions(KeyCertOptions.wrap(tls.keys()));
        LOG.infof("API port %d serves HTTPS with a self-signed certificate for %s, SHA-256 fingerprint %s%s",
                options.getPort(), String.join(", ", tls.names()), fingerprint().orElseThrow(),
                config.tlsCertificateFile().map(f -> "; certificate written to " + f).orElse(""));
    }

    /** The certificate in PEM, for clients that want to trust it. */
    public Optional<String> certificatePem() {
        return enabled() ? Optional.of(pem(issue().certificate())) : Optional.empty();
    }

    /** The SHA-256 fingerprint as PVE shows it ({@code AB:CD:…}), e.g. in {@code /nodes} ssl_fingerprint. */
    public Optional<String> fingerprint() {
        if (!enabled()) {
            return Optional.empty();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(issue().certificate().getEncoded());
            return Optional.of(HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The names and addresses the certificate is valid for. */
    public List<String> names() {
        return enabled() ? issue().names() : List.of();
    }

    private synchronized Issued issue() {
        if (issued == null) {
            issued = create(names(config.tlsHostnames().orElse(List.of())));
            config.tlsCertificateFile().ifPresent(this::write);
        }
        return issued;
    }

    /** localhost and the loopback addresses, the machine's name if known, and SIM_TLS_HOSTNAMES. */
    static List<String> names(List<String> extra) {
        Set<String> names = new LinkedHashSet<>();
        for (String n : extra) {
            String name = n.trim();
            if (!name.isEmpty()) {
                if (!IPV4.matcher(name).matches() && !name.contains(":") && !DNS.matcher(name).matches()) {
                    throw new IllegalArgumentException("SIM_TLS_HOSTNAMES: '" + name + "' is neither a host name nor an IP address");
                }
                names.add(name.toLowerCase(Locale.ROOT));
            }
        }
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        String host = System.getenv("HOSTNAME");
        if (host != null && DNS.matcher(host).matches()) {
            names.add(host.toLowerCase(Locale.ROOT));
        }
        return List.copyOf(names);
    }

    private static Issued create(List<String> names) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + names.getFirst() + ",OU=pve-simulator,O=Sandplane");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
            List<GeneralName> alternatives = new ArrayList<>();
            for (String name : names) {
                boolean address = IPV4.matcher(name).matches() || name.contains(":");
                alternatives.add(new GeneralName(address ? GeneralName.iPAddress : GeneralName.dNSName, name));
            }
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            // its own issuer: a client trusts it directly (like PVE's pve-root-ca.pem, in one certificate)
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("pve-simulator", pair.getPrivate(), password, new X509Certificate[] {certificate});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            return new Issued(certificate, keys, names);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue the simulator's TLS certificate", e);
        }
    }

    private void write(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            // written whole before it is moved into place: a client may be waiting for the file
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, pem(issued.certificate()), StandardCharsets.US_ASCII);
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TLS certificate to SIM_TLS_CERTIFICATE_FILE " + file, e);
        }
    }

    private static String pem(X509Certificate certificate) {
        try {
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
