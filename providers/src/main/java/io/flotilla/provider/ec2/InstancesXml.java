package io.flotilla.provider.ec2;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads the instances of a DescribeInstances answer, including the ClientToken that jclouds'
 * own parser drops. The parser refuses DTDs and external entities: the answer comes from the
 * network.
 */
final class InstancesXml {

  /** One instance as DescribeInstances lists it. */
  record Instance(String id, String rawState, String clientToken, Map<String, String> tags) {}

  private InstancesXml() {}

  static List<Instance> parse(byte[] xml) {
    Element root;
    try {
      root = newFactory().newDocumentBuilder().parse(new ByteArrayInputStream(xml))
          .getDocumentElement();
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException("DescribeInstances answer is not well-formed XML: "
          + e.getMessage(), e);
    }
    List<Instance> instances = new ArrayList<>();
    NodeList sets = root.getElementsByTagNameNS("*", "instancesSet");
    for (int i = 0; i < sets.getLength(); i++) {
      for (Element item : children((Element) sets.item(i), "item")) {
        instances.add(instance(item));
      }
    }
    return instances;
  }

  /**
   * The user-data of a DescribeInstanceAttribute answer, base64-decoded to the exact bytes;
   * empty when the instance has none ({@code <userData/>}).
   *
   * @throws IllegalArgumentException when the answer is not XML or the value not base64
   */
  static byte[] userData(byte[] xml) {
    Element root = root(xml, "DescribeInstanceAttribute");
    Element userData = child(root, "userData");
    String value = userData == null ? null : text(userData, "value");
    if (value == null || value.isEmpty()) {
      return new byte[0];
    }
    try {
      return Base64.getDecoder().decode(value.replaceAll("\\s+", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("userData value is not base64: " + e.getMessage(), e);
    }
  }

  private static Element root(byte[] xml, String action) {
    try {
      return newFactory().newDocumentBuilder().parse(new ByteArrayInputStream(xml))
          .getDocumentElement();
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException(action + " answer is not well-formed XML: "
          + e.getMessage(), e);
    }
  }

  private static Instance instance(Element item) {
    Element state = child(item, "instanceState");
    return new Instance(
        text(item, "instanceId"),
        state == null ? null : text(state, "name"),
        text(item, "clientToken"),
        tags(child(item, "tagSet")));
  }

  private static Map<String, String> tags(Element tagSet) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (tagSet != null) {
      for (Element tag : children(tagSet, "item")) {
        String key = text(tag, "key");
        String value = text(tag, "value");
        if (key != null) {
          tags.put(key, value == null ? "" : value);
        }
      }
    }
    return tags;
  }

  private static String text(Element parent, String name) {
    Element element = child(parent, name);
    return element == null ? null : element.getTextContent().strip();
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> result = new ArrayList<>();
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && name.equals(element.getLocalName())) {
        result.add(element);
      }
    }
    return result;
  }

  private static DocumentBuilderFactory newFactory() throws ParserConfigurationException {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
    factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    factory.setXIncludeAware(false);
    factory.setExpandEntityReferences(false);
    return factory;
  }
}
