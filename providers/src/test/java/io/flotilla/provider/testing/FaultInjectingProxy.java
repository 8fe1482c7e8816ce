package io.flotilla.provider.testing;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A small HTTP/1.1 forward proxy on 127.0.0.1 for tests, in front of real loopback services
 * (a client such as jclouds is pointed at it with {@code jclouds.proxy-host/-port}). It sees
 * every request with its absolute URL, records it, and either relays it or applies a fault
 * rule: answer with a canned response instead (a 429, a quota 403, a server in a stuck
 * state), or relay the request and then close the client's connection without an answer (a
 * lost answer whose effect happened), or relay it and answer with a canned response (a
 * server error after the effect happened), or relay only the start of a request body and
 * then hang up on both sides (an upload broken off mid-stream).
 *
 * <p>Only {@code 127.0.0.1}/{@code localhost} on the ports given to the constructor are
 * relayed; any other target, and every CONNECT, is answered 403 and never sent on, so no
 * test can leave the machine through it. One request per client connection: answers carry
 * {@code Connection: close}.
 */
public final class FaultInjectingProxy implements Closeable {

  /** What the proxy did with a request. */
  public enum Outcome { RELAYED, INJECTED, REPLACED, DROPPED, REFUSED, CUT }

  /** One request as the proxy saw it; header names in lower case. */
  public record Seen(String method, String path, String authority,
      Map<String, String> headers, byte[] body, Outcome outcome) {

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Applies to matching requests after {@code pass[0]} more have been let through. */
  private record Rule(String method, Pattern path, int[] pass, int[] left, byte[] cannedAnswer,
      boolean relayFirst) {

    boolean matches(String requestMethod, String requestPath) {
      return method.equals(requestMethod) && path.matcher(requestPath).matches() && left[0] > 0;
    }
  }

  /** Relays the head and the first {@code bytes} body bytes of {@code left[0]} requests. */
  private record Cut(String method, Pattern path, int[] left, int bytes) {}

  private final Set<Integer> upstreamPorts;
  private final List<Cut> cuts = new ArrayList<>();
  private final ServerSocket server;
  private final ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "fault-injecting-proxy");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Seen> seen = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();

  /** Listens on a free 127.0.0.1 port and relays to these loopback ports only. */
  public FaultInjectingProxy(Set<Integer> upstreamPorts) throws IOException {
    this.upstreamPorts = Set.copyOf(upstreamPorts);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    workers.execute(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /**
   * The next {@code times} requests with this method whose path (without query) matches
   * {@code pathRegex} get this answer instead of reaching the service.
   */
  public synchronized void respond(String method, String pathRegex, int times, int status,
      Map<String, String> headers, String body) {
    rules.add(new Rule(method, Pattern.compile(pathRegex), new int[] {0}, new int[] {times},
        answer(status, headers, body), false));
  }

  /**
   * The first {@code passFirst} matching requests reach the service; every later one gets
   * this answer instead (a rate limit or a quota that runs out).
   */
  public synchronized void respondAfter(String method, String pathRegex, int passFirst,
      int status, Map<String, String> headers, String body) {
    rules.add(new Rule(method, Pattern.compile(pathRegex), new int[] {passFirst},
        new int[] {Integer.MAX_VALUE}, answer(status, headers, body), false));
  }

  /**
   * The next {@code times} matching requests reach the service, but the client gets this
   * answer instead of the service's.
   */
  public synchronized void replaceAnswers(String method, String pathRegex, int times,
      int status, Map<String, String> headers, String body) {
    rules.add(new Rule(method, Pattern.compile(pathRegex), new int[] {0}, new int[] {times},
        answer(status, headers, body), true));
  }

  private static byte[] answer(int status, Map<String, String> headers, String body) {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Injected\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("Content-Length: ").append(content.length).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    answer.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    answer.writeBytes(content);
    return answer.toByteArray();
  }

  /** The next {@code times} matching requests reach the service but get no answer. */
  public synchronized void dropAnswers(String method, String pathRegex, int times) {
    rules.add(new Rule(method, Pattern.compile(pathRegex), new int[] {0}, new int[] {times},
        null, true));
  }

  /**
   * The next {@code times} matching requests reach the service with their head (announcing
   * the full length) and only the first {@code bytes} bytes of their body; then the proxy
   * closes both connections, so the service sees a broken upload and the client no answer.
   */
  public synchronized void cutBodies(String method, String pathRegex, int times, int bytes) {
    cuts.add(new Cut(method, Pattern.compile(pathRegex), new int[] {times}, bytes));
  }

  public synchronized List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** Requests with this method whose path matches the regex. */
  public synchronized List<Seen> seen(String method, String pathRegex) {
    Pattern path = Pattern.compile(pathRegex);
    return seen.stream()
        .filter(request -> request.method().equals(method))
        .filter(request -> path.matcher(request.path()).matches())
        .toList();
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
      Map<String, String> headers = readHeaders(in);
      byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      handle(parts[0], parts[1], headers, body, client.getOutputStream());
    } catch (IOException clientGone) {
      // The client hung up: nothing to answer.
    }
  }

  private void handle(String method, String target, Map<String, String> headers, byte[] body,
      OutputStream out) throws IOException {
    URI uri = target.startsWith("http://") ? URI.create(target) : null;
    boolean allowed = !method.equals("CONNECT") && uri != null && isLoopback(uri.getHost())
        && upstreamPorts.contains(uri.getPort());
    String path = uri == null ? target : uri.getRawPath();
    String authority = uri == null ? target : uri.getHost() + ":" + uri.getPort();
    if (!allowed) {
      record(new Seen(method, path, authority, headers, body, Outcome.REFUSED));
      out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      return;
    }
    Cut cut = takeCut(method, path);
    if (cut != null) {
      record(new Seen(method, path, authority, headers, body, Outcome.CUT));
      String pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
      forwardPart(uri.getPort(), method, pathAndQuery, headers, body, cut.bytes());
      return;
    }
    Rule rule = takeRule(method, path);
    if (rule != null && !rule.relayFirst()) {
      record(new Seen(method, path, authority, headers, body, Outcome.INJECTED));
      out.write(rule.cannedAnswer());
      out.flush();
      return;
    }
    String pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    byte[] answer = forward(uri.getPort(), method, pathAndQuery, headers, body);
    if (rule == null) {
      record(new Seen(method, path, authority, headers, body, Outcome.RELAYED));
      out.write(answer);
    } else if (rule.cannedAnswer() != null) {
      record(new Seen(method, path, authority, headers, body, Outcome.REPLACED));
      out.write(rule.cannedAnswer());
    } else {
      record(new Seen(method, path, authority, headers, body, Outcome.DROPPED));
    }
    out.flush();
  }

  private static boolean isLoopback(String host) {
    return "127.0.0.1".equals(host) || "localhost".equals(host);
  }

  private byte[] forward(int port, String method, String path, Map<String, String> headers,
      byte[] body) throws IOException {
    try (Socket upstream = new Socket()) {
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      OutputStream out = upstream.getOutputStream();
      out.write(head(method, path, headers));
      out.write(body);
      out.flush();
      return withConnectionClose(upstream.getInputStream().readAllBytes());
    }
  }

  /** Sends the head and the first {@code bytes} of the body, then resets the connection. */
  private void forwardPart(int port, String method, String path, Map<String, String> headers,
      byte[] body, int bytes) throws IOException {
    try (Socket upstream = new Socket()) {
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      OutputStream out = upstream.getOutputStream();
      out.write(head(method, path, headers));
      out.write(body, 0, Math.min(bytes, body.length));
      out.flush();
      upstream.setSoLinger(true, 0);
    }
  }

  private static byte[] head(String method, String path, Map<String, String> headers) {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    headers.forEach((name, value) -> {
      if (!name.equals("connection") && !name.equals("proxy-connection")
          && !name.equals("keep-alive")) {
        head.append(name).append(": ").append(value).append("\r\n");
      }
    });
    head.append("connection: close\r\n\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private synchronized Cut takeCut(String method, String path) {
    for (Cut cut : cuts) {
      if (cut.method().equals(method) && cut.path().matcher(path).matches()
          && cut.left()[0] > 0) {
        cut.left()[0]--;
        return cut;
      }
    }
    return null;
  }

  /** The upstream's answer with its connection headers replaced by Connection: close. */
  private static byte[] withConnectionClose(byte[] answer) {
    String text = new String(answer, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return answer;
    }
    StringBuilder head = new StringBuilder();
    for (String line : text.substring(0, end).split("\r\n")) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("connection:") && !lower.startsWith("keep-alive:")) {
        head.append(line).append("\r\n");
      }
    }
    head.append("Connection: close\r\n\r\n");
    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    rewritten.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    rewritten.write(answer, end + 4, answer.length - end - 4);
    return rewritten.toByteArray();
  }

  private synchronized void record(Seen request) {
    seen.add(request);
  }

  private synchronized Rule takeRule(String method, String path) {
    for (Rule rule : rules) {
      if (rule.matches(method, path)) {
        if (rule.pass()[0] > 0) {
          rule.pass()[0]--;
          return null;
        }
        rule.left()[0]--;
        return rule;
      }
    }
    return null;
  }

  private static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).strip());
      }
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
