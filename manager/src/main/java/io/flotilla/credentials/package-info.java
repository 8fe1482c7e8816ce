/**
 * Per-machine pilot credentials: the VO robot certificate and key loaded from PEM files,
 * RFC 3820 proxies minted from it for one machine each, and the traceability log that ties
 * every proxy to the machine and client that received it.
 */
package io.flotilla.credentials;
