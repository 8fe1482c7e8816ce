package io.flotilla.config;

import java.nio.file.Path;

/**
 * The guest API's server certificate ({@code guest_api.tls}): with it the guest API speaks
 * HTTPS only. The certificate must chain to a CA that the VMs' grid CA directory holds
 * ({@code /etc/grid-security/certificates}), since DIRAC reads HTTPS features with that
 * directory as its only trust.
 *
 * @param certificate PEM file: the server certificate, then any intermediate certificates
 * @param key PEM file: its unencrypted private key
 */
public record GuestTlsConfig(Path certificate, Path key) {}
