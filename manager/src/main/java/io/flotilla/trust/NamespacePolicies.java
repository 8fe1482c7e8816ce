package io.flotilla.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace rules of a CA directory, indexed by issuer DN. For each certificate of a
 * path that is not self-signed, the rules naming its issuer decide: {@code .namespaces}
 * rules when any exist for that issuer, otherwise {@code .signing_policy} rules (canl's
 * EUGridPMA-then-Globus order). A DENY that matches refuses; otherwise a matching PERMIT is
 * required. An issuer without any rule is governed by {@link NamespaceMode}.
 */
final class NamespacePolicies {

  private static final Logger log = LoggerFactory.getLogger(NamespacePolicies.class);

  private final Map<String, List<NamespaceRule>> euGridPma = new HashMap<>();
  private final Map<String, List<NamespaceRule>> globus = new HashMap<>();

  /**
   * Reads {@code namespacesFiles} and {@code signingPolicyFiles}; {@code caByHash} gives the
   * CA of each file's hash (for {@code SELF} and for failing closed on a broken file).
   */
  static NamespacePolicies load(List<Path> namespacesFiles, List<Path> signingPolicyFiles,
      Map<String, X509Certificate> caByHash) {
    NamespacePolicies policies = new NamespacePolicies();
    for (Path file : namespacesFiles) {
      String selfDn = caDn(caByHash, file);
      policies.add(policies.euGridPma, file, selfDn,
          text -> new NamespaceFileParser(file.toString()).parseNamespaces(text, selfDn));
    }
    for (Path file : signingPolicyFiles) {
      policies.add(policies.globus, file, caDn(caByHash, file),
          text -> new NamespaceFileParser(file.toString()).parseSigningPolicy(text));
    }
    return policies;
  }

  private void add(Map<String, List<NamespaceRule>> index, Path file, String fileCaDn,
      Function<String, List<NamespaceRule>> parser) {
    List<NamespaceRule> rules;
    try {
      rules = parser.apply(Files.readString(file, StandardCharsets.ISO_8859_1));
    } catch (IOException | IllegalArgumentException e) {
      if (fileCaDn == null) {
        log.warn("namespace file ignored file={} reason={} (no CA certificate with its hash)",
            file, e.getMessage());
        return;
      }
      log.warn("namespace file unparseable, denying every subject of its CA file={} ca={}"
          + " reason={}", file, fileCaDn, e.getMessage());
      rules = List.of(NamespaceRule.unparseable(fileCaDn,
          file + " (unparseable: " + e.getMessage() + ")"));
    }
    for (NamespaceRule rule : rules) {
      index.computeIfAbsent(NamespaceRule.issuerKey(rule.issuerDn()), k -> new ArrayList<>())
          .add(rule);
    }
  }

  private static String caDn(Map<String, X509Certificate> caByHash, Path file) {
    String name = file.getFileName().toString();
    X509Certificate ca = caByHash.get(name.substring(0, name.indexOf('.')));
    return ca == null ? null : OpenSslDn.format(ca.getSubjectX500Principal());
  }

  /** Number of rules loaded, both formats. */
  int size() {
    return euGridPma.values().stream().mapToInt(List::size).sum()
        + globus.values().stream().mapToInt(List::size).sum();
  }

  /**
   * Checks every non-self-signed certificate of {@code path} against its issuer's rules.
   *
   * @return one line per certificate saying which rule permitted it
   * @throws TrustException NAMESPACE_VIOLATION or NAMESPACE_MISSING naming subject, issuer
   *     and rule
   */
  List<String> check(List<X509Certificate> path, NamespaceMode mode, Path directory) {
    List<String> outcomes = new ArrayList<>();
    for (X509Certificate cert : path) {
      if (cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
        continue;
      }
      outcomes.add(checkOne(OpenSslDn.format(cert.getSubjectX500Principal()),
          OpenSslDn.format(cert.getIssuerX500Principal()), mode, directory));
    }
    return outcomes;
  }

  private String checkOne(String subject, String issuer, NamespaceMode mode, Path directory) {
    String key = NamespaceRule.issuerKey(issuer);
    List<NamespaceRule> rules = euGridPma.getOrDefault(key, globus.get(key));
    if (rules == null || rules.isEmpty()) {
      if (mode == NamespaceMode.REQUIRE) {
        throw new TrustException(TrustException.Reason.NAMESPACE_MISSING, "no .namespaces or"
            + " .signing_policy rule for CA " + issuer + " in " + directory + " (needed for "
            + subject + "; namespace rules are required)");
      }
      return subject + ": no namespace rule for CA " + issuer + ", allowed";
    }
    return subject + ": " + decide(subject, issuer, rules);
  }

  private static String decide(String subject, String issuer, List<NamespaceRule> rules) {
    NamespaceRule permit = null;
    for (NamespaceRule rule : rules) {
      if (rule.matches(subject) && !rule.permit()) {
        throw new TrustException(TrustException.Reason.NAMESPACE_VIOLATION, "subject "
            + subject + " is denied for CA " + issuer + " by rule DENY '"
            + rule.subjectText() + "' at " + rule.origin());
      }
      permit = permit == null && rule.matches(subject) && rule.permit() ? rule : permit;
    }
    if (permit == null) {
      throw new TrustException(TrustException.Reason.NAMESPACE_VIOLATION, "subject " + subject
          + " is outside the namespace of CA " + issuer + ": permitted are "
          + rules.stream().filter(NamespaceRule::permit)
              .map(r -> "'" + r.subjectText() + "' (" + r.origin() + ")")
              .collect(Collectors.joining(", ")));
    }
    return "permitted by '" + permit.subjectText() + "' at " + permit.origin();
  }
}
