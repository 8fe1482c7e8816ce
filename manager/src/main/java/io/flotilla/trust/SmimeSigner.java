package io.flotilla.trust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Signs image lists as S/MIME with SHA-256, the way {@code openssl smime -sign} does: a
 * detached {@code multipart/signed} message by default, or opaque {@code
 * application/x-pkcs7-mime} signed-data. The content is canonicalised to CRLF line ends
 * (ending with one) before signing, and the PKCS#7 carries the signer certificate plus any
 * further certificates of the certificate file (intermediate CAs).
 *
 * <p>The private key never appears in messages or {@link #toString()}.
 */
public final class SmimeSigner {

  /** Signing failed: unreadable certificate or key file, unsupported key, CMS error. */
  public static final class SigningException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SigningException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final List<X509Certificate> certificates;
  private final PrivateKey key;

  private SmimeSigner(List<X509Certificate> certificates, PrivateKey key) {
    this.certificates = List.copyOf(certificates);
    this.key = key;
  }

  /**
   * Loads the signer: the first certificate of {@code certificatePem} signs, further ones are
   * included as chain; {@code keyPem} holds an unencrypted PKCS#1, SEC 1 or PKCS#8 key.
   *
   * @throws SigningException naming the file that cannot be used
   */
  public static SmimeSigner load(Path certificatePem, Path keyPem) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object block : pemBlocks(certificatePem, "certificate")) {
      if (block instanceof X509CertificateHolder holder) {
        certificates.add(certificate(holder, certificatePem));
      }
    }
    if (certificates.isEmpty()) {
      throw new SigningException("certificate file " + certificatePem
          + " holds no '-----BEGIN CERTIFICATE-----' block", null);
    }
    return new SmimeSigner(certificates, privateKey(keyPem));
  }

  /** The signer certificate's subject, slash form. */
  public String signerDn() {
    return OpenSslDn.format(certificates.get(0).getSubjectX500Principal());
  }

  /** Signs {@code content}; {@code opaque} selects application/x-pkcs7-mime. */
  public byte[] sign(byte[] content, boolean opaque) {
    byte[] canonical = canonical(content);
    CMSSignedData signed = signedData(canonical, opaque);
    return opaque ? opaqueMessage(signed) : detachedMessage(canonical, signed);
  }

  @Override
  public String toString() {
    return "SmimeSigner[" + signerDn() + "]";
  }

  private CMSSignedData signedData(byte[] canonical, boolean encapsulate) {
    try {
      CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
      generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
          new JcaDigestCalculatorProviderBuilder().build())
          .build(new JcaContentSignerBuilder(algorithm()).build(key), certificates.get(0)));
      generator.addCertificates(new JcaCertStore(certificates));
      return generator.generate(new CMSProcessableByteArray(canonical), encapsulate);
    } catch (OperatorCreationException | CertificateEncodingException | CMSException e) {
      throw new SigningException("cannot sign as " + signerDn() + ": "
          + e.getClass().getSimpleName(), e);
    }
  }

  private String algorithm() {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      default -> throw new SigningException("key algorithm " + key.getAlgorithm()
          + " is not supported for signing (RSA or EC)", null);
    };
  }

  private static byte[] detachedMessage(byte[] canonical, CMSSignedData signed) {
    String boundary = boundary(canonical);
    ByteArrayOutputStream out = new ByteArrayOutputStream(canonical.length + 4096);
    write(out, "MIME-Version: 1.0\r\nContent-Type: multipart/signed;"
        + " protocol=\"application/x-pkcs7-signature\"; micalg=\"sha-256\"; boundary=\""
        + boundary + "\"\r\n\r\nThis is an S/MIME signed message\r\n\r\n--" + boundary
        + "\r\n");
    out.writeBytes(canonical);
    write(out, "\r\n--" + boundary + "\r\nContent-Type: application/x-pkcs7-signature;"
        + " name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n"
        + "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n"
        + base64(encoded(signed)) + "\r\n--" + boundary + "--\r\n\r\n");
    return out.toByteArray();
  }

  private static byte[] opaqueMessage(CMSSignedData signed) {
    return ("MIME-Version: 1.0\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n"
        + "Content-Type: application/x-pkcs7-mime; smime-type=signed-data;"
        + " name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64(encoded(signed)) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A random boundary that does not occur in the content (checked, not assumed). */
  private static String boundary(byte[] canonical) {
    SecureRandom random = new SecureRandom();
    String content = new String(canonical, StandardCharsets.ISO_8859_1);
    while (true) {
      byte[] bytes = new byte[16];
      random.nextBytes(bytes);
      String boundary = "----" + HexFormat.of().withUpperCase().formatHex(bytes);
      if (!content.contains(boundary)) {
        return boundary;
      }
    }
  }

  /** CRLF line ends throughout and at the end, as S/MIME text canonicalisation requires. */
  static byte[] canonical(byte[] content) {
    byte[] crlf = SmimeParser.canonicalise(content);
    boolean endsWithCrlf = crlf.length >= 2 && crlf[crlf.length - 2] == '\r'
        && crlf[crlf.length - 1] == '\n';
    if (endsWithCrlf) {
      return crlf;
    }
    byte[] terminated = Arrays.copyOf(crlf, crlf.length + 2);
    terminated[crlf.length] = '\r';
    terminated[crlf.length + 1] = '\n';
    return terminated;
  }

  private static byte[] encoded(CMSSignedData signed) {
    try {
      return signed.getEncoded();
    } catch (IOException e) {
      throw new SigningException("cannot encode the PKCS#7: " + e.getMessage(), e);
    }
  }

  private static String base64(byte[] der) {
    return Base64.getMimeEncoder(64, "\r\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static PrivateKey privateKey(Path keyPem) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object block : pemBlocks(keyPem, "key")) {
      try {
        if (block instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (block instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      } catch (IOException e) {
        // The converter's message may quote key material, so only the type is reported.
        throw new SigningException("key file " + keyPem + ": the private key cannot be decoded"
            + " (" + e.getClass().getSimpleName() + ")", null);
      }
    }
    throw new SigningException("key file " + keyPem + " holds no unencrypted private key"
        + " (expected 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY'; decrypt an"
        + " encrypted key with 'openssl pkey' first)", null);
  }

  private static List<Object> pemBlocks(Path file, String kind) {
    Objects.requireNonNull(file, kind);
    List<Object> blocks = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
        PEMParser parser = new PEMParser(reader)) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        blocks.add(block);
      }
      return blocks;
    } catch (IOException | RuntimeException e) {
      throw new SigningException(kind + " file " + file + " cannot be read as PEM ("
          + e.getClass().getSimpleName() + ")", null);
    }
  }

  private static X509Certificate certificate(X509CertificateHolder holder, Path file) {
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new SigningException("certificate file " + file + ": unusable certificate: "
          + e.getMessage(), e);
    }
  }
}
