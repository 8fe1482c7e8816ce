package io.flotilla.credentials;

import java.time.Instant;

/**
 * Who received which proxy: one line of the traceability log. Holds no secret.
 *
 * @param time when the proxy was issued
 * @param machineId the machine the proxy was minted for
 * @param vo the VO whose robot signed it
 * @param serial the proxy serial number (decimal)
 * @param subject the proxy subject in OpenSSL slash form
 * @param notAfter the proxy's end of validity
 * @param clientAddress the address the guest fetched it from
 */
public record TraceRecord(
    Instant time,
    String machineId,
    String vo,
    String serial,
    String subject,
    Instant notAfter,
    String clientAddress) {}
