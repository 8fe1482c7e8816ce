package io.flotilla.trust;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A grid-like PKI made with the real openssl in a temporary directory: a root CA with a
 * certificatePolicies extension, optional intermediate CA, end-entity certificates, CRLs in
 * a hashed CA directory ({@code certificates/}).
 */
final class TestPki {

  static final String POLICY = "1.2.840.113612.5.2.2.1";
  private static final DateTimeFormatter CRL_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  final Path dir;
  final Path certificates;

  private TestPki(Path dir) {
    this.dir = dir;
    this.certificates = dir.resolve("certificates");
  }

  /** Creates a root CA {@code root} with subject {@code caSubject}, and a current CRL. */
  static TestPki create(Path dir, String caSubject) {
    TestPki pki = new TestPki(dir);
    try {
      Files.createDirectories(pki.certificates);
      Files.writeString(dir.resolve("ext.cnf"), extensions());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pki.newCa("root");
    OpenSsl.run(dir, "req", "-new", "-x509", "-key", "root.key", "-sha256", "-days", "3650",
        "-subj", caSubject, "-config", "ext.cnf", "-extensions", "ca_ext", "-out", "root.pem");
    pki.install("root");
    pki.writeCrl("root", 30);
    return pki;
  }

  /** Issues {@code name}.pem/.key signed by CA {@code issuer} with extension section. */
  void issue(String issuer, String name, String subject, String extensions) {
    OpenSsl.run(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
        "-out", name + ".key");
    OpenSsl.run(dir, "req", "-new", "-key", name + ".key", "-subj", subject,
        "-out", name + ".csr");
    OpenSsl.run(dir, "x509", "-req", "-in", name + ".csr", "-CA", issuer + ".pem",
        "-CAkey", issuer + ".key", "-CAcreateserial", "-sha256", "-days", "400",
        "-extfile", "ext.cnf", "-extensions", extensions, "-out", name + ".pem");
  }

  /** Issues an intermediate CA {@code name} below {@code issuer} and installs it. */
  void issueIntermediate(String issuer, String name, String subject) {
    issueIntermediate(issuer, name, subject, true);
  }

  /**
   * Issues an intermediate CA {@code name} below {@code issuer}; its CRL always goes into the
   * CA directory, its certificate only if {@code install} (otherwise it must travel in the
   * signed message).
   */
  void issueIntermediate(String issuer, String name, String subject, boolean install) {
    newCa(name);
    issue(issuer, name, subject, "ca_ext");
    if (install) {
      install(name);
    }
    writeCrl(name, 30);
  }

  /** Marks {@code name} revoked in {@code issuer}'s database and rewrites its CRL. */
  void revoke(String issuer, String name) {
    OpenSsl.run(dir, "ca", "-config", issuer + ".cnf", "-revoke", name + ".pem");
    writeCrl(issuer, 30);
  }

  /** Writes {@code issuer}'s CRL valid for {@code days} from now into the CA directory. */
  void writeCrl(String issuer, int days) {
    OpenSsl.run(dir, "ca", "-config", issuer + ".cnf", "-gencrl", "-crldays",
        String.valueOf(days), "-out", crlPath(issuer).toString());
  }

  /** Writes {@code issuer}'s CRL with explicit lastUpdate/nextUpdate. */
  void writeCrl(String issuer, Instant lastUpdate, Instant nextUpdate) {
    OpenSsl.run(dir, "ca", "-config", issuer + ".cnf", "-gencrl",
        "-crl_lastupdate", CRL_TIME.format(lastUpdate),
        "-crl_nextupdate", CRL_TIME.format(nextUpdate), "-out", crlPath(issuer).toString());
  }

  void deleteCrl(String issuer) {
    try {
      Files.delete(crlPath(issuer));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Signs {@code content} with {@code signer} via {@code openssl smime -sign extra...}. */
  byte[] sign(String signer, byte[] content, String... extra) {
    try {
      Path in = Files.createTempFile(dir, "list", ".json");
      Path out = Files.createTempFile(dir, "list", ".signed");
      Files.write(in, content);
      String[] base = {"smime", "-sign", "-in", in.toString(), "-signer", signer + ".pem",
          "-inkey", signer + ".key", "-out", out.toString()};
      String[] args = new String[base.length + extra.length];
      System.arraycopy(base, 0, args, 0, base.length);
      System.arraycopy(extra, 0, args, base.length, extra.length);
      OpenSsl.run(dir, args);
      return Files.readAllBytes(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  X509Certificate certificate(String name) {
    try (InputStream in = Files.newInputStream(dir.resolve(name + ".pem"))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The slash-form subject openssl prints for {@code name}.pem. */
  String subject(String name) {
    return OpenSsl.run(dir, "x509", "-in", name + ".pem", "-noout", "-subject", "-nameopt",
        "compat").strip().substring("subject=".length());
  }

  private void newCa(String name) {
    try {
      Files.createDirectories(dir.resolve(name + "-db"));
      Files.writeString(dir.resolve(name + "-db/index.txt"), "");
      Files.writeString(dir.resolve(name + "-db/crlnumber"), "1000\n");
      Files.writeString(dir.resolve(name + ".cnf"), caConfig(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    OpenSsl.run(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
        "-out", name + ".key");
  }

  private void install(String name) {
    try {
      Files.copy(dir.resolve(name + ".pem"), certificates.resolve(hash(name) + ".0"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path crlPath(String issuer) {
    return certificates.resolve(hash(issuer) + ".r0");
  }

  /** OpenSSL's subject hash of {@code name}.pem, the file-name stem in the CA directory. */
  String hash(String name) {
    return OpenSsl.run(dir, "x509", "-hash", "-noout", "-in", name + ".pem").strip();
  }

  private String caConfig(String name) {
    return "[ca]\ndefault_ca = this_ca\n[this_ca]\n"
        + "database = " + dir.resolve(name + "-db/index.txt") + "\n"
        + "crlnumber = " + dir.resolve(name + "-db/crlnumber") + "\n"
        + "certificate = " + dir.resolve(name + ".pem") + "\n"
        + "private_key = " + dir.resolve(name + ".key") + "\n"
        + "default_md = sha256\n";
  }

  private static String extensions() {
    return "[ca_ext]\nbasicConstraints = critical,CA:true\n"
        + "keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n"
        + "certificatePolicies = " + POLICY + "\n"
        + "[ee_ext]\nbasicConstraints = critical,CA:false\n"
        + "keyUsage = critical,digitalSignature,keyEncipherment\n"
        + "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
        + "certificatePolicies = " + POLICY + "\n";
  }
}
