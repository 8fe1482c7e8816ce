package io.flotilla.provider.opennebula;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The one XML parser of this package: every document from the network (XML-RPC envelopes,
 * OpenNebula's info strings, requests reaching the test simulator) goes through it.
 *
 * <p>DOCTYPE declarations are refused outright, so no DTD, internal entity (billion laughs)
 * or external entity (XXE) is ever processed; secure processing caps what is left, and the
 * caller caps the bytes before they get here.
 */
final class SafeXml {

  private static final DocumentBuilderFactory FACTORY = hardenedFactory();
  private static final ErrorHandler QUIET = new QuietErrorHandler();

  private SafeXml() {}

  /**
   * Parses {@code bytes} into a DOM.
   *
   * @param what names the document in the error, e.g. "one.vm.info response"
   * @throws XmlRpcException of reason MALFORMED for a DOCTYPE or any syntax error
   */
  static Document parse(byte[] bytes, String what) {
    return parse(new InputSource(new ByteArrayInputStream(bytes)), what);
  }

  /** As {@link #parse(byte[], String)}, for a document held in a string. */
  static Document parse(String text, String what) {
    return parse(new InputSource(new java.io.StringReader(text)), what);
  }

  private static Document parse(InputSource source, String what) {
    try {
      DocumentBuilder builder = newBuilder();
      builder.setErrorHandler(QUIET);
      builder.setEntityResolver((publicId, systemId) -> {
        throw new SAXException("external entity refused: " + systemId);
      });
      return builder.parse(source);
    } catch (SAXException e) {
      throw XmlRpcException.malformed(what + " is not acceptable XML: " + e.getMessage(), e);
    } catch (IOException e) {
      throw XmlRpcException.malformed(what + " could not be read: " + e.getMessage(), e);
    }
  }

  /** The element children of {@code parent}, in document order. */
  static List<Element> children(Node parent) {
    List<Element> result = new ArrayList<>();
    for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element element) {
        result.add(element);
      }
    }
    return result;
  }

  /** The first child element named {@code name}, or null. */
  static Element child(Node parent, String name) {
    for (Element element : children(parent)) {
      if (element.getTagName().equals(name)) {
        return element;
      }
    }
    return null;
  }

  /** The trimmed text of the first child element named {@code name}, or null. */
  static String childText(Node parent, String name) {
    Element element = child(parent, name);
    return element == null ? null : element.getTextContent().trim();
  }

  private static DocumentBuilder newBuilder() {
    try {
      synchronized (FACTORY) {
        return FACTORY.newDocumentBuilder();
      }
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("hardened XML parser unavailable: " + e.getMessage(), e);
    }
  }

  private static DocumentBuilderFactory hardenedFactory() {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    try {
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
      factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      factory.setFeature(
          "http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("XML parser cannot be hardened: " + e.getMessage(), e);
    }
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    factory.setXIncludeAware(false);
    factory.setExpandEntityReferences(false);
    factory.setNamespaceAware(false);
    factory.setValidating(false);
    // OpenNebula wraps template values in CDATA; coalescing makes them plain text nodes.
    factory.setCoalescing(true);
    return factory;
  }

  /** Keeps the JDK parser from printing "[Fatal Error]" lines to stderr. */
  private static final class QuietErrorHandler implements ErrorHandler {
    @Override
    public void warning(SAXParseException e) {
      // A warning does not stop the parse and carries nothing the caller acts on.
    }

    @Override
    public void error(SAXParseException e) throws SAXException {
      throw e;
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw e;
    }
  }
}
