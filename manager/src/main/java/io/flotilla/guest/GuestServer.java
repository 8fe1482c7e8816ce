package io.flotilla.guest;

import io.flotilla.config.GuestTlsConfig;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.GuestApiConfig;
import io.flotilla.credentials.CredentialException;
import io.flotilla.credentials.CredentialIssuer;
import io.flotilla.credentials.RobotCredential;
import io.flotilla.state.MachineStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Clock;
import java.util.Optional;

/**
 * The guest API's listener: plain HTTP, or HTTPS only when the site configures
 * {@code guest_api.tls}. The certificate and key are checked before the listener starts
 * (readable, valid now, key matches), so a bad pair is refused at start with the file and
 * the reason rather than at the first guest's handshake.
 *
 * <p>Guests verify the server against their grid CA directory (DIRAC passes
 * {@code /etc/grid-security/certificates} as its only trust), so the certificate must chain
 * to a CA that directory holds and name the advertised host (or IP address) in its subject
 * alternative names.
 */
public final class GuestServer {
  private GuestServer() {}

  /**
   * Starts the guest API of {@code config}, keeping job outputs under
   * {@code state_dir/joboutputs}.
   *
   * @return the server once it listens; failed if the port is taken
   * @throws CredentialException if the TLS certificate or key is refused
   */
  public static Future<HttpServer> listen(Vertx vertx, SiteConfig config, MachineStore store,
      CredentialIssuer issuer, Clock clock) {
    GuestApiConfig guest = config.guestApi();
    JobOutputs outputs = new JobOutputs(
        Optional.of(config.stateDir().resolve("joboutputs")), guest.jobOutputs());
    return vertx.createHttpServer(options(guest, clock))
        .requestHandler(GuestApi.router(vertx, store, issuer, clock, outputs))
        .listen(guest.port(), guest.bindHost());
  }

  /**
   * Server options: TLS with the site's certificate when configured.
   *
   * @throws CredentialException naming {@code guest_api.tls}, the file and the reason
   */
  public static HttpServerOptions options(GuestApiConfig guest, Clock clock) {
    HttpServerOptions options = new HttpServerOptions();
    if (guest.tls().isEmpty()) {
      return options;
    }
    GuestTlsConfig tls = guest.tls().get();
    check(tls, clock);
    return options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(tls.certificate().toString()).setKeyPath(tls.key().toString()));
  }

  private static void check(GuestTlsConfig tls, Clock clock) {
    try {
      RobotCredential.load(tls.certificate(), tls.key(), clock);
    } catch (CredentialException e) {
      throw new CredentialException("guest_api.tls: " + e.getMessage(), e);
    }
  }
}
