package io.flotilla.provider.ec2;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 proxy on 127.0.0.1 in front of one loopback upstream (moto), for tests.
 *
 * <ul>
 *   <li>As a forward proxy (jclouds' {@code jclouds.proxy-host}) it sees the absolute URL of
 *       every request and records it; a request for any other host, or a CONNECT, is
 *       answered 403 and never sent on, so a test can prove where a client tried to go
 *       without letting it leave the machine.
 *   <li>As a reverse proxy (used as the endpoint) it relays to the upstream.
 *   <li>It can drop the answer of the next N requests of an EC2 action: the request reaches
 *       the upstream (so its effect happens), then the client's connection is closed
 *       without a response, as a network fault would.
 *   <li>It can let the first N requests of an EC2 action through and answer every later one
 *       itself with a canned EC2 error (a rate limit, a quota), never reaching the upstream.
 * </ul>
 *
 * <p>One request per client connection: the upstream (moto) answers with Connection: close,
 * which is relayed as is, so clients never reuse a connection.
 */
final class LoopbackHttpProxy implements Closeable {

  /** One request as the proxy saw it. */
  record Seen(String method, String target, String authority, Map<String, String> form,
      boolean forwarded) {
    String action() {
      return form.getOrDefault("Action", "");
    }
  }

  private final int upstreamPort;
  private final ServerSocket server;
  private final ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "loopback-proxy");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Seen> seen = new ArrayList<>();
  private final Map<String, AtomicInteger> dropsLeft = new LinkedHashMap<>();
  private final Map<String, Refusal> refusals = new LinkedHashMap<>();

  private record Refusal(AtomicInteger passesLeft, int status, byte[] answer) {}

  LoopbackHttpProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    workers.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port() + "/");
  }

  /** The next {@code count} requests with this EC2 Action reach moto but get no answer. */
  synchronized void dropResponses(String action, int count) {
    dropsLeft.put(action, new AtomicInteger(count));
  }

  /**
   * The first {@code passing} requests with this EC2 Action reach moto; every later one is
   * answered with HTTP {@code status} and {@code errorXml} (an EC2 error document).
   */
  synchronized void refuseAfter(String action, int passing, int status, byte[] errorXml) {
    refusals.put(action, new Refusal(new AtomicInteger(passing), status, errorXml.clone()));
  }

  synchronized List<Seen> seen() {
    return List.copyOf(seen);
  }

  synchronized List<Seen> seen(String action) {
    return seen.stream().filter(request -> request.action().equals(action)).toList();
  }

  @Override
  public void close() throws IOException {
    server.close();
    workers.shutdownNow();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        workers.execute(() -> serve(client));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      String requestLine = readLine(in);
      if (requestLine == null || requestLine.isEmpty()) {
        return;
      }
      String[] parts = requestLine.split(" ", 3);
      List<String> headers = readHeaders(in);
      byte[] body = in.readNBytes(contentLength(headers));
      handle(parts[0], parts[1], headers, body, client.getOutputStream());
    } catch (IOException clientGone) {
      // The client hung up: nothing to answer.
    }
  }

  private void handle(String method, String target, List<String> headers, byte[] body,
      OutputStream out) throws IOException {
    String upstreamAuthority = "127.0.0.1:" + upstreamPort;
    String authority = authorityOf(target, headers);
    // Origin form: the client was configured with us as its endpoint, so we stand for the
    // upstream. Absolute form: the client used us as its proxy; only the upstream may pass.
    boolean originForm = target.startsWith("/");
    boolean allowed = !method.equals("CONNECT")
        && (originForm || authority.equals(upstreamAuthority));
    Map<String, String> form = parseForm(body);
    record(new Seen(method, target, authority, form, allowed));
    if (!allowed) {
      out.write(("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return;
    }
    byte[] refusal = takeRefusal(form.getOrDefault("Action", ""));
    if (refusal != null) {
      out.write(refusal);
      out.flush();
      return;
    }
    byte[] answer = forward(method, pathOf(target), headers, body);
    if (takeDrop(form.getOrDefault("Action", ""))) {
      return;
    }
    out.write(answer);
    out.flush();
  }

  private byte[] forward(String method, String path, List<String> headers, byte[] body)
      throws IOException {
    try (Socket upstream = new Socket()) {
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
      OutputStream out = upstream.getOutputStream();
      StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      for (String header : headers) {
        String name = header.substring(0, header.indexOf(':')).strip().toLowerCase(Locale.ROOT);
        if (!name.equals("connection") && !name.equals("proxy-connection")) {
          head.append(header).append("\r\n");
        }
      }
      head.append("Connection: close\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      return upstream.getInputStream().readAllBytes();
    }
  }

  private synchronized void record(Seen request) {
    seen.add(request);
  }

  /** The canned answer for this request, or null when it may pass. */
  private synchronized byte[] takeRefusal(String action) {
    Refusal refusal = refusals.get(action);
    if (refusal == null || refusal.passesLeft().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return null;
    }
    String head = "HTTP/1.1 " + refusal.status() + " Refused\r\nContent-Type: text/xml\r\n"
        + "Content-Length: " + refusal.answer().length + "\r\nConnection: close\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] response = Arrays.copyOf(headBytes, headBytes.length + refusal.answer().length);
    System.arraycopy(refusal.answer(), 0, response, headBytes.length, refusal.answer().length);
    return response;
  }

  private synchronized boolean takeDrop(String action) {
    AtomicInteger left = dropsLeft.get(action);
    return left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  /** For absolute-form targets the URL's host:port, otherwise the Host header. */
  private static String authorityOf(String target, List<String> headers) {
    if (target.startsWith("http://") || target.startsWith("https://")) {
      URI uri = URI.create(target);
      int port = uri.getPort() != -1 ? uri.getPort() : target.startsWith("https") ? 443 : 80;
      return uri.getHost() + ":" + port;
    }
    if (!target.startsWith("/")) {
      return target;
    }
    return headers.stream()
        .filter(header -> header.toLowerCase(Locale.ROOT).startsWith("host:"))
        .findFirst()
        .map(header -> header.substring(header.indexOf(':') + 1).strip())
        .orElse("");
  }

  private static String pathOf(String target) {
    if (target.startsWith("/")) {
      return target;
    }
    String path = URI.create(target).getRawPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  private static Map<String, String> parseForm(byte[] body) {
    Map<String, String> form = new LinkedHashMap<>();
    String text = new String(body, StandardCharsets.US_ASCII);
    if (text.isEmpty()) {
      return form;
    }
    for (String pair : text.split("&")) {
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      form.put(URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return form;
  }

  private static int contentLength(List<String> headers) {
    return headers.stream()
        .filter(header -> header.toLowerCase(Locale.ROOT).startsWith("content-length:"))
        .findFirst()
        .map(header -> Integer.parseInt(header.substring(header.indexOf(':') + 1).strip()))
        .orElse(0);
  }

  private static List<String> readHeaders(InputStream in) throws IOException {
    List<String> headers = new ArrayList<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      headers.add(line);
    }
    return headers;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
