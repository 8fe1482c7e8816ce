package io.flotilla.trust;

import static io.flotilla.trust.SharedPki.CA_DN;
import static io.flotilla.trust.SharedPki.ENDORSER_DN;
import static io.flotilla.trust.SharedPki.SUB_DN;
import static io.flotilla.trust.SharedPki.SUB_ENDORSER_DN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Namespace rules of the CA directory, enforced by the verifier's {@code namespace} check. */
class NamespaceTest {

  @TempDir
  Path dir;

  private Path caDir;
  private String rootHash;
  private String subHash;

  @BeforeEach
  void copyCaDirectory() {
    caDir = SharedPki.copyOfCertificates(dir.resolve("ca"));
    rootHash = SharedPki.get().hash("root");
    subHash = SharedPki.get().hash("sub");
  }

  @Test
  void verify_whenEuGridPmaNamespacePermitsSigner_acceptsNamingRule() throws IOException {
    writeNamespaces(rootHash, "#NAMESPACES-VERSION: 1.0\n# comment\n"
        + "TO Issuer \"" + CA_DN + "\" \\\n  PERMIT Subject \"/DC=org/DC=flotilla-test/.*\"\n");

    VerificationReport report = verifier(NamespaceMode.REQUIRE).check("ok.signed",
        signedByEndorser(), null);

    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(detailOf(report, "namespace")).contains(ENDORSER_DN + ": permitted by "
        + "'/DC=org/DC=flotilla-test/.*' at " + caDir.resolve(rootHash + ".namespaces") + ":3");
  }

  @Test
  void verify_whenSignerOutsideEuGridPmaNamespace_refusesNamingSubjectIssuerAndRule()
      throws IOException {
    writeNamespaces(rootHash,
        "TO Issuer \"" + CA_DN + "\" PERMIT Subject \"/DC=org/DC=other/*\"\n");

    assertRefused(signedByEndorser(), NamespaceMode.ALLOW_MISSING,
        ImageListException.Reason.NAMESPACE_VIOLATION)
        .hasMessageContaining("subject " + ENDORSER_DN + " is outside the namespace of CA "
            + CA_DN + ": permitted are '/DC=org/DC=other/*'");
  }

  @Test
  void verify_whenDenyRuleMatches_refusesEvenWithPermit() throws IOException {
    writeNamespaces(rootHash, "TO Issuer SELF PERMIT Subject \"/DC=org/DC=flotilla-test/*\"\n"
        + "to issuer SELF deny subject \"/DC=org/DC=flotilla-test/O=Hosts/*\"\n");

    assertRefused(signedByEndorser(), NamespaceMode.ALLOW_MISSING,
        ImageListException.Reason.NAMESPACE_VIOLATION)
        .hasMessageContaining("denied for CA " + CA_DN + " by rule DENY "
            + "'/DC=org/DC=flotilla-test/O=Hosts/*'");
  }

  @Test
  void verify_whenGlobusSigningPolicyPermits_accepts() throws IOException {
    writeSigningPolicy(rootHash, "# EACL\n access_id_CA  X509  '" + CA_DN + "'\n"
        + " pos_rights    globus  CA:sign\n"
        + " cond_subjects globus  '\"/DC=org/DC=nothere/*\" \"/dc=ORG/DC=flotilla-test/*\"'\n");

    VerificationReport report = verifier(NamespaceMode.REQUIRE).check("gp.signed",
        signedByEndorser(), null);

    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(detailOf(report, "namespace")).contains("'/dc=ORG/DC=flotilla-test/*'");
  }

  @Test
  void verify_whenOutsideGlobusSigningPolicy_refusesViolation() throws IOException {
    writeSigningPolicy(rootHash, "access_id_CA X509 '" + CA_DN + "'\npos_rights globus CA:sign\n"
        + "cond_subjects globus '\"/DC=org/DC=flotilla-test/CN=*\"'\n");

    assertRefused(signedByEndorser(), NamespaceMode.ALLOW_MISSING,
        ImageListException.Reason.NAMESPACE_VIOLATION).hasMessageContaining(ENDORSER_DN);
  }

  @Test
  void verify_whenBothFilesExist_namespacesFileDecides() throws IOException {
    writeNamespaces(rootHash, "TO Issuer SELF PERMIT Subject \"/DC=org/DC=flotilla-test/*\"\n");
    writeSigningPolicy(rootHash, "access_id_CA X509 '" + CA_DN + "'\npos_rights globus CA:sign\n"
        + "cond_subjects globus '\"/DC=elsewhere/*\"'\n");

    assertThat(verifier(NamespaceMode.REQUIRE).check("both", signedByEndorser(), null)
        .passed()).isTrue();
  }

  @Test
  void verify_whenNoNamespaceFiles_allowsByDefaultAndRefusesWhenRequired() {
    byte[] signed = signedByEndorser();

    VerificationReport allowed = verifier(NamespaceMode.ALLOW_MISSING).check("x", signed, null);

    assertThat(allowed.passed()).isTrue();
    assertThat(detailOf(allowed, "namespace")).contains("no namespace rule for CA " + CA_DN
        + ", allowed");
    assertRefused(signed, NamespaceMode.REQUIRE, ImageListException.Reason.NAMESPACE_MISSING)
        .hasMessageContaining("no .namespaces or .signing_policy rule for CA " + CA_DN);
  }

  @Test
  void verify_whenIntermediateInPkcs7_checksEachIssuersNamespace() throws IOException {
    writeNamespaces(rootHash, "TO Issuer SELF PERMIT Subject \"" + SUB_DN + "\"\n"
        + "TO Issuer \"" + SUB_DN + "\" PERMIT Subject \"/DC=org/DC=flotilla-test/O=Hosts/*\"\n");
    byte[] signed = SharedPki.sign("subendorser", SharedPki.list(SUB_ENDORSER_DN, SUB_DN),
        "-certfile", "sub.pem");

    VerificationReport report = verifier(NamespaceMode.REQUIRE).check("sub", signed, null);

    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(detailOf(report, "namespace")).contains(SUB_ENDORSER_DN + ": permitted")
        .contains(SUB_DN + ": permitted");
  }

  @Test
  void verify_whenIntermediateOutsideRootNamespace_refuses() throws IOException {
    writeNamespaces(rootHash, "TO Issuer SELF PERMIT Subject \"" + ENDORSER_DN + "\"\n");
    byte[] signed = SharedPki.sign("subendorser", SharedPki.list(SUB_ENDORSER_DN, SUB_DN),
        "-certfile", "sub.pem");

    assertRefused(signed, NamespaceMode.ALLOW_MISSING,
        ImageListException.Reason.NAMESPACE_VIOLATION).hasMessageContaining("subject " + SUB_DN);
  }

  @Test
  void verify_whenNamespacesFileUnparseable_refusesItsCaRatherThanIgnoringIt()
      throws IOException {
    writeNamespaces(rootHash, "TO Issuer \"" + CA_DN + "\" ALLOW Subject \"*\"\n");

    assertRefused(signedByEndorser(), NamespaceMode.ALLOW_MISSING,
        ImageListException.Reason.NAMESPACE_VIOLATION)
        .hasMessageContaining("unparseable").hasMessageContaining("expected PERMIT or DENY");
  }

  @Test
  void verify_whenPolicyFileOfUnrelatedHash_ignoresIt() throws IOException {
    Files.writeString(caDir.resolve("0badf00d.namespaces"), "garbage");
    Files.writeString(caDir.resolve(subHash + ".signing_policy"), "access_id_CA X509 '"
        + SUB_DN + "'\npos_rights globus CA:sign\ncond_subjects globus '\"/nothing/*\"'\n");

    assertThat(verifier(NamespaceMode.ALLOW_MISSING).check("x", signedByEndorser(), null)
        .passed()).isTrue();
  }

  private static byte[] signedByEndorser() {
    return SharedPki.sign("endorser", SharedPki.list(ENDORSER_DN, CA_DN));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] signed,
      NamespaceMode mode, ImageListException.Reason reason) {
    return assertThatThrownBy(() -> verifier(mode).verify("ns.signed", signed, null))
        .isInstanceOfSatisfying(ImageListException.class,
            e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason))
        .hasMessageStartingWith("image list ns.signed: ");
  }

  private ImageListVerifier verifier(NamespaceMode mode) {
    CaDirectory loaded = CaDirectory.load(caDir);
    return new ImageListVerifier(() -> loaded, Clock.systemUTC(), Duration.ofMinutes(5), mode);
  }

  private static String detailOf(VerificationReport report, String check) {
    List<VerificationReport.Check> matching =
        report.checks().stream().filter(c -> c.name().equals(check)).toList();
    assertThat(matching).hasSize(1);
    return matching.get(0).detail();
  }

  private void writeNamespaces(String hash, String text) throws IOException {
    Files.writeString(caDir.resolve(hash + ".namespaces"), text);
  }

  private void writeSigningPolicy(String hash, String text) throws IOException {
    Files.writeString(caDir.resolve(hash + ".signing_policy"), text);
  }
}
