package io.flotilla.trust;

/**
 * What to do with a certificate whose issuing CA has neither a {@code .namespaces} nor a
 * {@code .signing_policy} rule in the CA directory.
 *
 * <p>OpenSSL ignores namespace files altogether, so a directory without them behaves as it
 * would with OpenSSL: {@link #ALLOW_MISSING} is the default. Grid tools in strict mode (canl
 * {@code *_REQUIRE}, Globus with policy files required) refuse such certificates:
 * {@link #REQUIRE}. When a rule exists it is always enforced, in either mode.
 */
public enum NamespaceMode {
  /** No rule for the issuer: accept (OpenSSL behaviour). */
  ALLOW_MISSING,
  /** No rule for the issuer: refuse with {@code NAMESPACE_MISSING}. */
  REQUIRE
}
