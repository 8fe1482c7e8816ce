package io.flotilla.trust;

import java.util.Objects;

/**
 * An image-list endorser a site trusts: the subject DN of the endorser's certificate and the
 * DN of the CA that issued it, both in OpenSSL slash form (see {@link OpenSslDn}).
 */
public record Endorser(String dn, String caDn) {

  /** Both DNs are required. */
  public Endorser {
    Objects.requireNonNull(dn, "dn");
    Objects.requireNonNull(caDn, "caDn");
  }

  /** Whether this endorser names {@code otherDn} issued by {@code otherCaDn}. */
  public boolean matches(String otherDn, String otherCaDn) {
    return OpenSslDn.sameDn(dn, otherDn) && OpenSslDn.sameDn(caDn, otherCaDn);
  }
}
