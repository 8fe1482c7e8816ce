package io.flotilla.credentials;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Reads certificates and unencrypted private keys from PEM files. */
final class PemFiles {
  private PemFiles() {}

  /**
   * Every certificate in {@code file}, in file order.
   *
   * @throws CredentialException if the file cannot be read or holds no certificate
   */
  static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object block : blocks(file, "certificate", true)) {
      if (block instanceof X509CertificateHolder holder) {
        certificates.add(convert(converter, holder, file));
      }
    }
    if (certificates.isEmpty()) {
      throw new CredentialException("certificate file " + file
          + ": no certificate found (expected a '-----BEGIN CERTIFICATE-----' block)");
    }
    return certificates;
  }

  /**
   * The first private key in {@code file}: PKCS#1 RSA, SEC 1 EC or PKCS#8, unencrypted.
   *
   * @throws CredentialException if the file cannot be read, holds no key or an encrypted one
   */
  static PrivateKey privateKey(Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object block : blocks(file, "key", false)) {
      if (block instanceof PEMEncryptedKeyPair || block instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new CredentialException("key file " + file
            + ": the private key is encrypted; an unencrypted key is required");
      }
      try {
        if (block instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (block instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      } catch (IOException e) {
        // The converter's message may describe key contents, so only the type is reported.
        throw new CredentialException("key file " + file
            + ": the private key cannot be decoded (" + e.getClass().getSimpleName() + ")");
      }
    }
    throw new CredentialException("key file " + file + ": no private key found (expected a"
        + " 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY' PEM block)");
  }

  private static List<Object> blocks(Path file, String kind, boolean detailedErrors) {
    List<Object> blocks = new ArrayList<>();
    // ISO-8859-1 maps every byte to a char, so stray bytes become a parse error, not a crash.
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
        PEMParser parser = new PEMParser(reader)) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        blocks.add(block);
      }
      return blocks;
    } catch (NoSuchFileException e) {
      throw new CredentialException(kind + " file " + file + ": cannot read: no such file");
    } catch (AccessDeniedException e) {
      throw new CredentialException(kind + " file " + file + ": cannot read: permission denied");
    } catch (IOException | RuntimeException e) {
      String detail = detailedErrors ? ": " + e.getMessage() : "";
      throw new CredentialException(kind + " file " + file + ": cannot read PEM ("
          + e.getClass().getSimpleName() + detail + ")");
    }
  }

  private static X509Certificate convert(
      JcaX509CertificateConverter converter, X509CertificateHolder holder, Path file) {
    try {
      return converter.getCertificate(holder);
    } catch (CertificateException e) {
      throw new CredentialException(
          "certificate file " + file + ": unusable certificate: " + e.getMessage(), e);
    }
  }
}
