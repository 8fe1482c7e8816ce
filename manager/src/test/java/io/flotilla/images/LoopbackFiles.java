package io.flotilla.images;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves byte arrays over HTTP on 127.0.0.1 for tests: answers conditional requests with 304
 * when the ETag matches, can lie about the length or stream without one, counts requests.
 */
public final class LoopbackFiles implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, Served> files = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Map<String, String> lastIfNoneMatch = new ConcurrentHashMap<>();

  /** What a path answers: status, body, ETag (or null), and whether to send a length. */
  private record Served(int status, byte[] body, String etag, boolean chunked) {}

  public LoopbackFiles() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  /** Serves {@code body} at {@code path} with a Content-Length. */
  public String serve(String path, byte[] body) {
    return put(path, new Served(200, body, null, false));
  }

  /** Serves {@code body} with an ETag, answering 304 to a matching If-None-Match. */
  public String serveWithEtag(String path, byte[] body, String etag) {
    return put(path, new Served(200, body, etag, false));
  }

  /** Serves {@code body} chunked, without announcing its length. */
  public String serveChunked(String path, byte[] body) {
    return put(path, new Served(200, body, null, true));
  }

  /** Answers {@code status} with an empty body. */
  public String fail(String path, int status) {
    return put(path, new Served(status, new byte[0], null, false));
  }

  public int requests(String path) {
    return requests.getOrDefault(path, new AtomicInteger()).get();
  }

  public String lastIfNoneMatch(String path) {
    return lastIfNoneMatch.get(path);
  }

  private String put(String path, Served served) {
    files.put(path, served);
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
    if (ifNoneMatch != null) {
      lastIfNoneMatch.put(path, ifNoneMatch);
    }
    Served served = files.get(path);
    try (exchange) {
      if (served == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (served.etag() != null) {
        exchange.getResponseHeaders().set("ETag", served.etag());
        if (served.etag().equals(ifNoneMatch)) {
          exchange.sendResponseHeaders(304, -1);
          return;
        }
      }
      long length = served.body().length == 0 ? -1 : served.chunked() ? 0 : served.body().length;
      exchange.sendResponseHeaders(served.status(), length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(served.body());
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
