package io.flotilla.provider.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XmlRpcCodecTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String response(String value) {
    return "<?xml version=\"1.0\"?><methodResponse><params><param><value>" + value
        + "</value></param></params></methodResponse>";
  }

  @Test
  void encodeCall_whenEveryType_writesTypedValuesAndEscapes() {
    String xml = new String(XmlRpcCodec.encodeCall("one.vm.action",
        List.of("a<b&c>\r", 7, 1L << 40, true, false, List.of(1, "x"))), StandardCharsets.UTF_8);

    assertThat(xml).contains("<methodName>one.vm.action</methodName>")
        .contains("<value><string>a&lt;b&amp;c&gt;&#13;</string></value>")
        .contains("<value><int>7</int></value>")
        .contains("<value><i8>1099511627776</i8></value>")
        .contains("<value><boolean>1</boolean></value>")
        .contains("<value><boolean>0</boolean></value>")
        .contains("<array><data><value><int>1</int></value>"
            + "<value><string>x</string></value></data></array>");
  }

  @Test
  void encodeCall_thenDecodeCall_roundTripsEveryValue() {
    List<Object> params = List.of("user:pw", -3, 5_000_000_000L, true, "line\r\nnext",
        List.of(List.of("deep")), Map.of("k", 1));

    XmlRpcCodec.MethodCall call =
        XmlRpcCodec.decodeCall(XmlRpcCodec.encodeCall("one.vmpool.info", params));

    assertThat(call.method()).isEqualTo("one.vmpool.info");
    assertThat(call.params()).isEqualTo(params);
  }

  @Test
  void encodeCall_whenControlCharacter_refusesNamingIt() {
    assertThatThrownBy(() -> XmlRpcCodec.encodeCall("m", List.of("a\u0001b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+0001 at index 1");
  }

  @Test
  void decodeResponse_whenThreeElements_returnsList() {
    Object value = XmlRpcCodec.decodeResponse(bytes(response(
        "<array><data><value><boolean>1</boolean></value><value><i4>42</i4></value>"
            + "<value><int>0</int></value></data></array>")));

    assertThat(value).isEqualTo(List.of(true, 42, 0));
  }

  @Test
  void decodeResponse_whenMoreThanThreeElementsAndUntypedString_keepsAll() {
    Object value = XmlRpcCodec.decodeResponse(bytes(response(
        "<array><data><value><boolean>0</boolean></value>"
            + "<value>[one.vm.info] Error getting virtual machine [9].</value>"
            + "<value><int>1024</int></value><value><int>9</int></value>"
            + "<value><i8>-1</i8></value></data></array>")));

    assertThat(value).isEqualTo(List.of(false,
        "[one.vm.info] Error getting virtual machine [9].", 1024, 9, -1L));
  }

  @Test
  void decodeResponse_whenStringHoldsEscapedXml_returnsItVerbatim() {
    Object value = XmlRpcCodec.decodeResponse(bytes(response(
        "<string>&lt;VM&gt;&lt;ID&gt;1&lt;/ID&gt;&lt;/VM&gt;</string>")));

    assertThat(value).isEqualTo("<VM><ID>1</ID></VM>");
  }

  @Test
  void decodeResponse_whenFault_throwsFaultWithCodeAndText() {
    String fault = "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>"
        + "<member><name>faultCode</name><value><int>-506</int></value></member>"
        + "<member><name>faultString</name><value><string>Requested method 'x' not defined"
        + "</string></value></member></struct></value></fault></methodResponse>";

    assertThatThrownBy(() -> XmlRpcCodec.decodeResponse(bytes(fault)))
        .isInstanceOfSatisfying(XmlRpcException.class, e -> {
          assertThat(e.reason()).isEqualTo(XmlRpcException.Reason.FAULT);
          assertThat(e.code()).isEqualTo(-506);
        })
        .hasMessage("XML-RPC fault -506: Requested method 'x' not defined");
  }

  @Test
  void decodeResponse_whenExternalEntity_refusesWithoutReadingIt() {
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
        + "\"file:///etc/passwd\">]>" + response("<string>&x;</string>").substring(21);

    assertThatThrownBy(() -> XmlRpcCodec.decodeResponse(bytes(xxe)))
        .isInstanceOfSatisfying(XmlRpcException.class,
            e -> assertThat(e.reason()).isEqualTo(XmlRpcException.Reason.MALFORMED))
        .hasMessageContaining("DOCTYPE")
        .hasMessageNotContaining("root:");
  }

  @Test
  void decodeResponse_whenEntityExpansionBomb_refuses() {
    String bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        + "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
        + "<methodResponse><params><param><value><string>&lol2;</string></value></param>"
        + "</params></methodResponse>";

    assertThatThrownBy(() -> XmlRpcCodec.decodeResponse(bytes(bomb)))
        .isInstanceOf(XmlRpcException.class)
        .hasMessageContaining("DOCTYPE");
  }

  @Test
  void decodeCall_whenDoctype_refusesWithSameRules() {
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/hosts\">]>"
        + "<methodCall><methodName>one.vm.info</methodName></methodCall>";

    assertThatThrownBy(() -> XmlRpcCodec.decodeCall(bytes(xxe)))
        .isInstanceOf(XmlRpcException.class)
        .hasMessageContaining("DOCTYPE");
  }

  @Test
  void decodeResponse_whenUnknownType_refusesNamingIt() {
    assertThatThrownBy(() -> XmlRpcCodec.decodeResponse(bytes(response("<float>1</float>"))))
        .isInstanceOf(XmlRpcException.class)
        .hasMessage("malformed XML-RPC: unknown value type <float>");
  }

  @Test
  void decodeResponse_whenNestedTooDeep_refuses() {
    String deep = "<array><data><value>".repeat(40) + "1" + "</value></data></array>".repeat(40);

    assertThatThrownBy(() -> XmlRpcCodec.decodeResponse(bytes(response(deep))))
        .isInstanceOf(XmlRpcException.class)
        .hasMessageContaining("nested deeper than 32");
  }

  @Test
  void decodeResponse_whenBooleanNotZeroOrOne_refuses() {
    assertThatThrownBy(() -> XmlRpcCodec.decodeResponse(
        bytes(response("<boolean>yes</boolean>"))))
        .isInstanceOf(XmlRpcException.class)
        .hasMessageContaining("expected 0 or 1");
  }
}
