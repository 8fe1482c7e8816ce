package io.flotilla.provider.opennebula;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Writes and reads XML-RPC documents (http://xmlrpc.com/spec.md) as OpenNebula's xmlrpc-c
 * server speaks them: {@code int/i4}, {@code i8}, {@code boolean}, {@code string} (also
 * untyped), {@code double}, {@code base64}, {@code dateTime.iso8601} (kept as text),
 * {@code nil}, arrays and structs.
 *
 * <p>Java types on the way out: String, Integer, Long, Boolean, Double, byte[], List and
 * Map with String keys. The same codec serves the client and the test simulator, so both
 * sides parse with {@link SafeXml}'s rules.
 */
final class XmlRpcCodec {

  /** Deeper nesting than this is refused; OpenNebula's answers nest two levels at most. */
  static final int MAX_DEPTH = 32;

  /** A decoded request: the method name and its parameters. */
  record MethodCall(String method, List<Object> params) {
    MethodCall {
      params = List.copyOf(params);
    }
  }

  private XmlRpcCodec() {}

  /** The request body for {@code method(params...)}. */
  static byte[] encodeCall(String method, List<?> params) {
    if (!method.matches("[A-Za-z0-9_.:/]+")) {
      throw new IllegalArgumentException("XML-RPC method name " + method
          + " has characters outside [A-Za-z0-9_.:/]");
    }
    StringBuilder xml = new StringBuilder(256)
        .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodCall><methodName>")
        .append(method).append("</methodName><params>");
    for (Object param : params) {
      xml.append("<param>");
      appendValue(xml, param, 0);
      xml.append("</param>");
    }
    return xml.append("</params></methodCall>\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A successful response carrying {@code result}. */
  static byte[] encodeResponse(Object result) {
    StringBuilder xml = new StringBuilder(256)
        .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse><params><param>");
    appendValue(xml, result, 0);
    return xml.append("</param></params></methodResponse>\n").toString()
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A fault response. */
  static byte[] encodeFault(int faultCode, String faultString) {
    StringBuilder xml = new StringBuilder(256)
        .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse><fault>");
    appendValue(xml, Map.of("faultCode", faultCode, "faultString", faultString), 0);
    return xml.append("</fault></methodResponse>\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The single value of a response.
   *
   * @throws XmlRpcException FAULT for a {@code <fault>}, MALFORMED for anything unexpected
   */
  static Object decodeResponse(byte[] body) {
    Element root = SafeXml.parse(body, "XML-RPC response").getDocumentElement();
    expectName(root, "methodResponse");
    Element fault = SafeXml.child(root, "fault");
    if (fault != null) {
      throw faultOf(fault);
    }
    Element params = required(root, "params");
    List<Element> list = SafeXml.children(params);
    if (list.size() != 1) {
      throw malformed("methodResponse must hold exactly one param, found " + list.size());
    }
    return decodeValue(required(list.get(0), "value"), 0);
  }

  /** The method and parameters of a request (the simulator's side). */
  static MethodCall decodeCall(byte[] body) {
    Document document = SafeXml.parse(body, "XML-RPC request");
    Element root = document.getDocumentElement();
    expectName(root, "methodCall");
    String method = required(root, "methodName").getTextContent().trim();
    List<Object> params = new ArrayList<>();
    Element paramsElement = SafeXml.child(root, "params");
    if (paramsElement != null) {
      for (Element param : SafeXml.children(paramsElement)) {
        expectName(param, "param");
        params.add(decodeValue(required(param, "value"), 0));
      }
    }
    return new MethodCall(method, params);
  }

  private static XmlRpcException faultOf(Element fault) {
    Object value = decodeValue(required(fault, "value"), 0);
    if (!(value instanceof Map<?, ?> struct)
        || !(struct.get("faultCode") instanceof Number code)) {
      throw malformed("fault must be a struct with an int faultCode");
    }
    Object text = struct.get("faultString");
    return XmlRpcException.fault(code.intValue(), text == null ? "" : text.toString());
  }

  /* ---------------- encoding ---------------- */

  private static void appendValue(StringBuilder xml, Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("XML-RPC value nested deeper than " + MAX_DEPTH);
    }
    xml.append("<value>");
    if (value instanceof String text) {
      xml.append("<string>");
      appendText(xml, text);
      xml.append("</string>");
    } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      xml.append("<int>").append(value).append("</int>");
    } else if (value instanceof Long number) {
      xml.append("<i8>").append(number).append("</i8>");
    } else if (value instanceof Boolean flag) {
      xml.append("<boolean>").append(flag ? '1' : '0').append("</boolean>");
    } else if (value instanceof Double number) {
      appendDouble(xml, number);
    } else if (value instanceof byte[] bytes) {
      xml.append("<base64>").append(Base64.getEncoder().encodeToString(bytes))
          .append("</base64>");
    } else if (value instanceof List<?> list) {
      appendArray(xml, list, depth);
    } else if (value instanceof Map<?, ?> map) {
      appendStruct(xml, map, depth);
    } else {
      throw new IllegalArgumentException("XML-RPC cannot encode "
          + (value == null ? "null" : value.getClass().getName()));
    }
    xml.append("</value>");
  }

  private static void appendDouble(StringBuilder xml, double number) {
    if (!Double.isFinite(number)) {
      throw new IllegalArgumentException("XML-RPC cannot encode double " + number);
    }
    xml.append("<double>").append(number).append("</double>");
  }

  private static void appendArray(StringBuilder xml, List<?> list, int depth) {
    xml.append("<array><data>");
    for (Object item : list) {
      appendValue(xml, item, depth + 1);
    }
    xml.append("</data></array>");
  }

  private static void appendStruct(StringBuilder xml, Map<?, ?> map, int depth) {
    xml.append("<struct>");
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String name)) {
        throw new IllegalArgumentException("XML-RPC struct keys must be strings, got "
            + entry.getKey());
      }
      xml.append("<member><name>");
      appendText(xml, name);
      xml.append("</name>");
      appendValue(xml, entry.getValue(), depth + 1);
      xml.append("</member>");
    }
    xml.append("</struct>");
  }

  /** Escapes markup; refuses characters XML 1.0 cannot carry at all. */
  private static void appendText(StringBuilder xml, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> xml.append("&amp;");
        case '<' -> xml.append("&lt;");
        case '>' -> xml.append("&gt;");
        // A raw CR would be normalised to LF by the receiving parser.
        case '\r' -> xml.append("&#13;");
        default -> {
          if (c < 0x20 && c != '\t' && c != '\n' || c == 0xFFFE || c == 0xFFFF) {
            throw new IllegalArgumentException(String.format(
                "XML-RPC string has character U+%04X at index %d, which XML 1.0 cannot carry",
                (int) c, i));
          }
          xml.append(c);
        }
      }
    }
  }

  /* ---------------- decoding ---------------- */

  private static Object decodeValue(Element value, int depth) {
    if (depth > MAX_DEPTH) {
      throw malformed("value nested deeper than " + MAX_DEPTH);
    }
    expectName(value, "value");
    List<Element> typed = SafeXml.children(value);
    if (typed.isEmpty()) {
      return value.getTextContent();
    }
    if (typed.size() > 1) {
      throw malformed("value holds " + typed.size() + " elements, expected one");
    }
    return decodeTyped(typed.get(0), depth);
  }

  private static Object decodeTyped(Element typed, int depth) {
    String text = typed.getTextContent();
    return switch (typed.getTagName()) {
      case "string", "dateTime.iso8601" -> text;
      case "int", "i4" -> parseInt(text);
      case "i8" -> parseLong(text);
      case "boolean" -> parseBoolean(text);
      case "double" -> parseDouble(text);
      case "base64" -> parseBase64(text);
      case "nil" -> null;
      case "array" -> decodeArray(typed, depth);
      case "struct" -> decodeStruct(typed, depth);
      default -> throw malformed("unknown value type <" + typed.getTagName() + ">");
    };
  }

  private static List<Object> decodeArray(Element array, int depth) {
    Element data = required(array, "data");
    List<Object> items = new ArrayList<>();
    for (Element item : SafeXml.children(data)) {
      items.add(decodeValue(item, depth + 1));
    }
    return items;
  }

  private static Map<String, Object> decodeStruct(Element struct, int depth) {
    Map<String, Object> members = new LinkedHashMap<>();
    for (Element member : SafeXml.children(struct)) {
      expectName(member, "member");
      String name = required(member, "name").getTextContent();
      members.put(name, decodeValue(required(member, "value"), depth + 1));
    }
    return members;
  }

  private static Integer parseInt(String text) {
    try {
      return Integer.valueOf(text.trim());
    } catch (NumberFormatException e) {
      throw malformed("<int> holds " + quoteShort(text) + ", not a 32-bit integer");
    }
  }

  private static Long parseLong(String text) {
    try {
      return Long.valueOf(text.trim());
    } catch (NumberFormatException e) {
      throw malformed("<i8> holds " + quoteShort(text) + ", not a 64-bit integer");
    }
  }

  private static Boolean parseBoolean(String text) {
    return switch (text.trim()) {
      case "1" -> Boolean.TRUE;
      case "0" -> Boolean.FALSE;
      default -> throw malformed("<boolean> holds " + quoteShort(text) + ", expected 0 or 1");
    };
  }

  private static Double parseDouble(String text) {
    try {
      return Double.valueOf(text.trim());
    } catch (NumberFormatException e) {
      throw malformed("<double> holds " + quoteShort(text) + ", not a number");
    }
  }

  private static byte[] parseBase64(String text) {
    try {
      return Base64.getMimeDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      throw malformed("<base64> is not base64: " + e.getMessage());
    }
  }

  private static Element required(Element parent, String name) {
    Element child = SafeXml.child(parent, name);
    if (child == null) {
      throw malformed("<" + parent.getTagName() + "> lacks <" + name + ">");
    }
    return child;
  }

  private static void expectName(Element element, String name) {
    if (!element.getTagName().equals(name)) {
      throw malformed("expected <" + name + ">, found <" + element.getTagName() + ">");
    }
  }

  private static String quoteShort(String text) {
    String trimmed = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return "\"" + trimmed + "\"";
  }

  private static XmlRpcException malformed(String message) {
    return XmlRpcException.malformed("malformed XML-RPC: " + message, null);
  }
}
