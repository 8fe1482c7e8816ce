/**
 * Per-machine pilot credentials: the VO robot certificate (or a VOMS proxy of it) and key
 * loaded from PEM files, RFC 3820 proxies minted from it for one machine each, OAuth2 tokens
 * from a VO's issuer for VOs that use tokens, robot-certificate expiry warnings and gauges,
 * and the traceability log that ties every credential to the machine and client that
 * received it.
 */
package io.flotilla.credentials;
