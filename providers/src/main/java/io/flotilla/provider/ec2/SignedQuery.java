package io.flotilla.provider.ec2;

import com.google.common.collect.ImmutableMultimap;
import com.google.common.io.ByteStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jclouds.aws.filters.FormSigner;
import org.jclouds.http.HttpCommand;
import org.jclouds.http.HttpCommandExecutorService;
import org.jclouds.http.HttpRequest;
import org.jclouds.http.HttpResponse;
import org.jclouds.io.payloads.UrlEncodedFormPayload;

/**
 * One EC2 Query API call that jclouds' typed API does not offer (DescribeInstanceAttribute
 * with the raw user-data), signed and sent by jclouds' own HTTP machinery: the same signer,
 * endpoint, retries and error handlers as every other call, so failures classify alike.
 */
final class SignedQuery {

  private final URI endpoint;
  private final HttpCommandExecutorService http;
  private final FormSigner signer;

  SignedQuery(URI endpoint, HttpCommandExecutorService http, FormSigner signer) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.http = Objects.requireNonNull(http, "http");
    this.signer = Objects.requireNonNull(signer, "signer");
  }

  /**
   * Sends the form (Action and its parameters) and returns the answer's body.
   *
   * @throws RuntimeException as jclouds throws it (an AWSResponseException for an EC2 error
   *     code); the caller classifies
   */
  byte[] send(Map<String, String> form) {
    HttpRequest request = HttpRequest.builder()
        .method("POST")
        .endpoint(endpoint)
        .addHeader("Host", hostHeader())
        .payload(new UrlEncodedFormPayload(ImmutableMultimap.copyOf(new TreeMap<>(form)
            .entrySet())))
        .filter(signer)
        .build();
    HttpResponse response = http.invoke(new HttpCommand(request));
    if (response.getPayload() == null) {
      throw new IllegalStateException(form.get("Action") + " answered HTTP "
          + response.getStatusCode() + " without a body");
    }
    try (InputStream body = response.getPayload().openStream()) {
      return ByteStreams.toByteArray(body);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the " + form.get("Action") + " answer", e);
    }
  }

  private String hostHeader() {
    return endpoint.getPort() == -1 ? endpoint.getHost()
        : endpoint.getHost() + ":" + endpoint.getPort();
  }
}
