package io.flotilla.run;

import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * Checks that the guest API can listen where the site file says, before the manager joins
 * its cluster: a second manager started by mistake must fail without touching the first
 * one's cluster, and the message must say which address and why.
 */
final class GuestPort {
  private GuestPort() {}

  static void checkFree(SiteConfig config) {
    String host = config.guestApi().bindHost();
    int port = config.guestApi().port();
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (BindException e) {
      throw new ConfigException(List.of(config.source() + ": guest_api: cannot listen on "
          + host + ":" + port + ": " + reason(e)));
    } catch (IOException e) {
      throw new ConfigException(List.of(config.source() + ": guest_api.bind: cannot listen on "
          + host + ":" + port + ": " + e.getMessage()));
    }
  }

  private static String reason(BindException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("in use")) {
      return "the port is in use (is a manager for this site already running?)";
    }
    if (message.contains("assign")) {
      return "the address is not one of this host's";
    }
    return message;
  }
}
