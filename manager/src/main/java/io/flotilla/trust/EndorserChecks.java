package io.flotilla.trust;

import java.security.cert.X509Certificate;
import java.util.List;

/** The endorser checks: list DN and CA against the signer, then against the trusted set. */
final class EndorserChecks {

  private final String source;
  private final ImageList list;
  private final String signerDn;
  private final String signerCaDn;

  EndorserChecks(String source, ImageList list, X509Certificate signer) {
    this.source = source;
    this.list = list;
    this.signerDn = OpenSslDn.format(signer.getSubjectX500Principal());
    this.signerCaDn = OpenSslDn.format(signer.getIssuerX500Principal());
  }

  void run(VerificationRun run, List<Endorser> trustedEndorsers) {
    run.step("endorser-dn", () -> compare(ImageListException.Reason.ENDORSER_DN_MISMATCH,
        "hv:dn", list.endorserDn(), "signer subject", signerDn));
    run.step("endorser-ca", () -> compare(ImageListException.Reason.ENDORSER_CA_MISMATCH,
        "hv:ca", list.endorserCaDn(), "signer issuer", signerCaDn));
    run.step("endorser-trusted", () -> checkTrusted(trustedEndorsers));
  }

  private String compare(ImageListException.Reason reason, String field, String listed,
      String signerField, String actual) {
    if (!OpenSslDn.sameDn(listed, actual)) {
      throw new ImageListException(reason, "image list " + source + ": " + field + " '"
          + listed + "' differs from the " + signerField + " '" + actual + "'");
    }
    return field + " matches " + signerField + " '" + actual + "'";
  }

  private String checkTrusted(List<Endorser> trustedEndorsers) {
    if (trustedEndorsers == null) {
      return "no endorser list given: trusting the endorser the list names";
    }
    if (trustedEndorsers.stream().noneMatch(e -> e.matches(signerDn, signerCaDn))) {
      throw new ImageListException(ImageListException.Reason.ENDORSER_NOT_TRUSTED,
          "image list " + source + ": endorser '" + signerDn + "' (CA '" + signerCaDn
              + "') is not among the " + trustedEndorsers.size() + " trusted endorsers");
    }
    return "endorser '" + signerDn + "' is trusted";
  }
}
