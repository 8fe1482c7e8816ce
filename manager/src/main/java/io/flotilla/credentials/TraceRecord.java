package io.flotilla.credentials;

import io.flotilla.credentials.IssuedCredential.Kind;
import java.time.Instant;

/**
 * Who received which credential: one line of the traceability log. Holds no secret.
 *
 * @param time when the credential was issued
 * @param machineId the machine it was issued for
 * @param vo the VO whose robot signed it or whose issuer granted it
 * @param kind proxy or token
 * @param traceId the proxy serial (decimal), the token's {@code jti}, or {@code sha256:} and
 *     a prefix of the token's SHA-256
 * @param subject the proxy subject in OpenSSL slash form, or the token's {@code sub}
 * @param notAfter the credential's end of validity
 * @param clientAddress the address the guest fetched it from
 */
public record TraceRecord(
    Instant time,
    String machineId,
    String vo,
    Kind kind,
    String traceId,
    String subject,
    Instant notAfter,
    String clientAddress) {}
