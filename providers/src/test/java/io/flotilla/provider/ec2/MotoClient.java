package io.flotilla.provider.ec2;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Reads moto's state behind the provider's back with plain Query API calls, so tests check
 * what the simulator holds rather than what the provider says it did. moto does not verify
 * signatures; it reads the region from the credential scope.
 */
final class MotoClient {

  private final URI endpoint;
  private final HttpClient http = HttpClient.newBuilder()
      .proxy(HttpClient.Builder.NO_PROXY)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  MotoClient(URI endpoint) {
    this.endpoint = endpoint;
  }

  /** The exact bytes moto stored as the instance's user-data (empty if none). */
  byte[] userData(String instanceId) throws Exception {
    Document answer = call(Map.of(
        "Action", "DescribeInstanceAttribute", "Attribute", "userData",
        "InstanceId", instanceId));
    NodeList values = answer.getElementsByTagName("userData");
    if (values.getLength() == 0) {
      return new byte[0];
    }
    String encoded = childText((Element) values.item(0), "value");
    return encoded == null ? new byte[0] : Base64.getDecoder().decode(encoded.strip());
  }

  /** Registers a Linux x86_64 HVM image and returns its id. */
  String registerLinuxImage() throws Exception {
    Document answer = call(Map.of(
        "Action", "RegisterImage", "Name", "flotilla-test-linux-x86_64",
        "Architecture", "x86_64", "VirtualizationType", "hvm",
        "RootDeviceName", "/dev/xvda"));
    return answer.getElementsByTagName("imageId").item(0).getTextContent();
  }

  /** RunInstances with a client token and no tags; returns the new instance id. */
  String runUntagged(String clientToken, String imageId) throws Exception {
    Document answer = call(Map.of(
        "Action", "RunInstances", "ImageId", imageId, "MinCount", "1", "MaxCount", "1",
        "InstanceType", "t3.micro", "ClientToken", clientToken));
    return answer.getElementsByTagName("instanceId").item(0).getTextContent();
  }

  /** Every instance id moto holds, in any state. */
  List<String> allInstanceIds() throws Exception {
    Document answer = call(Map.of("Action", "DescribeInstances"));
    List<String> ids = new ArrayList<>();
    NodeList sets = answer.getElementsByTagName("instancesSet");
    for (int i = 0; i < sets.getLength(); i++) {
      for (Node item = sets.item(i).getFirstChild(); item != null;
          item = item.getNextSibling()) {
        if (item instanceof Element element && element.getTagName().equals("item")) {
          ids.add(childText(element, "instanceId"));
        }
      }
    }
    return ids;
  }

  private Document call(Map<String, String> params) throws Exception {
    Map<String, String> form = new LinkedHashMap<>(params);
    form.put("Version", Ec2Cloud.API_VERSION);
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(endpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/"
                + MotoServerExtension.REGION + "/ec2/aws4_request, SignedHeaders=host, "
                + "Signature=0")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException(params.get("Action") + " answered HTTP " + response.statusCode()
          + ": " + new String(response.body(), StandardCharsets.UTF_8));
    }
    return parse(response.body());
  }

  private static Document parse(byte[] xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setExpandEntityReferences(false);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
  }

  private static String childText(Element parent, String name) {
    for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element element && element.getTagName().equals(name)) {
        return element.getTextContent();
      }
    }
    return null;
  }
}
