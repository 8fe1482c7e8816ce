/**
 * Trust for image lists: OpenSSL slash-form DNs ({@link io.flotilla.trust.OpenSslDn}),
 * OpenSSL hashed CA directories with strict CRL checking ({@link
 * io.flotilla.trust.CaDirectory}), and verification of S/MIME-signed HEPiX image lists
 * ({@link io.flotilla.trust.ImageListVerifier}).
 */
package io.flotilla.trust;
