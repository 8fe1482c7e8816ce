package io.flotilla.trust;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.Store;

/**
 * Verifies the CMS (PKCS#7) signed-data of an S/MIME message with Bouncy Castle: every
 * signer's signature over the content, and that the signer certificate is included.
 */
final class CmsSignature {

  /** The outcome: signed content, signer certificates, and all certificates carried. */
  record Verified(byte[] content, List<X509Certificate> signers,
      List<X509Certificate> certificates) {}

  private final String source;

  CmsSignature(String source) {
    this.source = source;
  }

  Verified verify(SmimeParser.SignedMessage message) {
    CMSSignedData signedData = decode(message);
    try {
      return verify(message, signedData);
    } catch (ImageListException e) {
      throw e;
    } catch (RuntimeException e) {
      // Bouncy Castle decodes certificates and signer infos lazily; corrupt DER inside them
      // surfaces here as IllegalArgumentException, IllegalStateException and the like.
      throw new ImageListException(ImageListException.Reason.MALFORMED_MIME, "image list "
          + source + ": the PKCS#7 signed-data cannot be decoded: " + e, e);
    }
  }

  private Verified verify(SmimeParser.SignedMessage message, CMSSignedData signedData) {
    byte[] content = message.detached() ? message.signedContent() : encapsulated(signedData);
    @SuppressWarnings("unchecked")
    Store<X509CertificateHolder> store = signedData.getCertificates();
    Collection<SignerInformation> signerInfos = signedData.getSignerInfos().getSigners();
    if (signerInfos.isEmpty()) {
      throw refuse(ImageListException.Reason.SIGNER_COUNT, "the PKCS#7 has no signer");
    }
    List<X509Certificate> signers = new ArrayList<>();
    for (SignerInformation signerInfo : signerInfos) {
      signers.add(verifySigner(signerInfo, store));
    }
    return new Verified(content, signers, allCertificates(store));
  }

  private CMSSignedData decode(SmimeParser.SignedMessage message) {
    try {
      return message.detached()
          ? new CMSSignedData(new CMSProcessableByteArray(message.signedContent()),
              message.pkcs7())
          : new CMSSignedData(message.pkcs7());
    } catch (CMSException | RuntimeException e) {
      throw new ImageListException(ImageListException.Reason.MALFORMED_MIME, "image list "
          + source + ": signature part is not a PKCS#7 signed-data: " + e.getMessage(), e);
    }
  }

  private byte[] encapsulated(CMSSignedData signedData) {
    if (signedData.getSignedContent() == null) {
      throw new ImageListException(ImageListException.Reason.MALFORMED_MIME, "image list "
          + source + ": opaque application/pkcs7-mime carries no encapsulated content");
    }
    return (byte[]) signedData.getSignedContent().getContent();
  }

  private X509Certificate verifySigner(SignerInformation signerInfo,
      Store<X509CertificateHolder> store) {
    @SuppressWarnings("unchecked")
    Collection<X509CertificateHolder> matches = store.getMatches(signerInfo.getSID());
    if (matches.isEmpty()) {
      throw refuse(ImageListException.Reason.SIGNER_COUNT,
          "the signer's certificate (" + signerInfo.getSID().getIssuer() + " serial "
              + signerInfo.getSID().getSerialNumber() + ") is not included in the PKCS#7");
    }
    X509Certificate signer = toCertificate(matches.iterator().next());
    if (!signatureVerifies(signerInfo, signer)) {
      throw refuse(ImageListException.Reason.SIGNATURE_INVALID, "the signature of "
          + OpenSslDn.format(signer.getSubjectX500Principal())
          + " does not verify over the signed content (content altered after signing?)");
    }
    return signer;
  }

  private boolean signatureVerifies(SignerInformation signerInfo, X509Certificate signer) {
    try {
      return signerInfo.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
    } catch (CMSException e) {
      // Digest mismatch and "certificate not valid at signingTime" arrive as CMSException.
      throw refuse(ImageListException.Reason.SIGNATURE_INVALID, "signature of "
          + OpenSslDn.format(signer.getSubjectX500Principal()) + " refused: "
          + e.getMessage());
    } catch (OperatorCreationException e) {
      throw refuse(ImageListException.Reason.SIGNATURE_INVALID,
          "signature algorithm not supported: " + e.getMessage());
    }
  }

  private List<X509Certificate> allCertificates(Store<X509CertificateHolder> store) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (X509CertificateHolder holder : store.getMatches(null)) {
      certificates.add(toCertificate(holder));
    }
    return certificates;
  }

  private X509Certificate toCertificate(X509CertificateHolder holder) {
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new ImageListException(ImageListException.Reason.MALFORMED_MIME, "image list "
          + source + ": a certificate in the PKCS#7 cannot be decoded: " + e.getMessage(), e);
    }
  }

  private ImageListException refuse(ImageListException.Reason reason, String why) {
    return new ImageListException(reason, "image list " + source + ": " + why);
  }
}
