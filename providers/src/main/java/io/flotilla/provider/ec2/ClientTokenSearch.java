package io.flotilla.provider.ec2;

import com.google.common.collect.ImmutableMultimap;
import com.google.common.collect.Multimap;
import com.google.common.io.ByteStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jclouds.aws.filters.FormSigner;
import org.jclouds.http.HttpCommand;
import org.jclouds.http.HttpCommandExecutorService;
import org.jclouds.http.HttpRequest;
import org.jclouds.http.HttpResponse;
import org.jclouds.io.payloads.UrlEncodedFormPayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeInstances by ClientToken, as a raw request signed and sent by jclouds' own HTTP
 * machinery (same signer, retries, error handling and endpoint), because jclouds' parsed
 * instances do not carry the token.
 *
 * <p>EC2 offers the filter {@code client-token}. Some EC2-compatible servers do not (moto
 * answers HTTP 500): after one such refusal this search lists all instances and compares
 * tokens here, and keeps doing so for this cloud.
 */
final class ClientTokenSearch {

  private static final Logger log = LoggerFactory.getLogger(ClientTokenSearch.class);

  private final String cloud;
  private final URI endpoint;
  private final HttpCommandExecutorService http;
  private final FormSigner signer;
  private final AtomicBoolean filterRefused = new AtomicBoolean();

  ClientTokenSearch(String cloud, URI endpoint, HttpCommandExecutorService http,
      FormSigner signer) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.http = Objects.requireNonNull(http, "http");
    this.signer = Objects.requireNonNull(signer, "signer");
  }

  /**
   * Instances whose ClientToken is {@code token}.
   *
   * @throws RuntimeException as jclouds throws it; the caller classifies
   */
  List<InstancesXml.Instance> find(String token) {
    if (!filterRefused.get()) {
      try {
        return matching(describe(ImmutableMultimap.of(
            "Filter.1.Name", "client-token", "Filter.1.Value.1", token)), token);
      } catch (RuntimeException e) {
        if (!Ec2Errors.refusesRequestShape(e)) {
          throw e;
        }
        filterRefused.set(true);
        log.warn("ec2 server refuses the client-token filter; comparing tokens locally "
            + "cloud={} reason={}", cloud, e.getClass().getSimpleName());
      }
    }
    return matching(describe(ImmutableMultimap.of()), token);
  }

  private static List<InstancesXml.Instance> matching(
      List<InstancesXml.Instance> instances, String token) {
    return instances.stream().filter(instance -> token.equals(instance.clientToken())).toList();
  }

  private List<InstancesXml.Instance> describe(Multimap<String, String> filter) {
    ImmutableMultimap<String, String> form = ImmutableMultimap.<String, String>builder()
        .put("Action", "DescribeInstances")
        .putAll(filter)
        .build();
    HttpRequest request = HttpRequest.builder()
        .method("POST")
        .endpoint(endpoint)
        .addHeader("Host", hostHeader(endpoint))
        .payload(new UrlEncodedFormPayload(form))
        .filter(signer)
        .build();
    HttpResponse response = http.invoke(new HttpCommand(request));
    if (response.getPayload() == null) {
      throw new IllegalStateException("DescribeInstances answered HTTP "
          + response.getStatusCode() + " without a body");
    }
    try (InputStream body = response.getPayload().openStream()) {
      return InstancesXml.parse(ByteStreams.toByteArray(body));
    } catch (IOException e) {
      throw new UncheckedIOException("reading the DescribeInstances answer", e);
    }
  }

  private static String hostHeader(URI endpoint) {
    return endpoint.getPort() == -1 ? endpoint.getHost()
        : endpoint.getHost() + ":" + endpoint.getPort();
  }
}
