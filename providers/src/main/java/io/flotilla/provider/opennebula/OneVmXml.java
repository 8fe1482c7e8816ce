package io.flotilla.provider.opennebula;

import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

/**
 * Reads the VM documents of {@code one.vm.info} ({@code <VM>}) and of the pool calls
 * ({@code <VM_POOL>}) into {@link CloudMachine}s, with {@link SafeXml}.
 *
 * <p>Tags live in USER_TEMPLATE as {@code FLOTILLA_*} attributes: tag key
 * {@code flotilla-machine-id} is attribute {@code FLOTILLA_MACHINE_ID}.
 */
final class OneVmXml {

  private static final Logger log = LoggerFactory.getLogger(OneVmXml.class);
  static final String TAG_PREFIX = "FLOTILLA_";

  private OneVmXml() {}

  /** The machine of a {@code one.vm.info} answer. */
  static CloudMachine single(String xml) {
    Element root = SafeXml.parse(xml, "one.vm.info answer").getDocumentElement();
    if (!root.getTagName().equals("VM")) {
      throw XmlRpcException.malformed("one.vm.info answer has root <" + root.getTagName()
          + ">, expected <VM>", null);
    }
    CloudMachine machine = machine(root);
    if (machine == null) {
      throw XmlRpcException.malformed("one.vm.info answer has no numeric <ID>", null);
    }
    return machine;
  }

  /** The machines of a {@code one.vmpool.info(extended)} answer; entries without ID skipped. */
  static List<CloudMachine> pool(String xml, String method) {
    Element root = SafeXml.parse(xml, method + " answer").getDocumentElement();
    if (!root.getTagName().equals("VM_POOL")) {
      throw XmlRpcException.malformed(method + " answer has root <" + root.getTagName()
          + ">, expected <VM_POOL>", null);
    }
    List<CloudMachine> machines = new ArrayList<>();
    for (Element vm : SafeXml.children(root)) {
      CloudMachine machine = vm.getTagName().equals("VM") ? machine(vm) : null;
      if (machine != null) {
        machines.add(machine);
      }
    }
    return machines;
  }

  /** The attribute name for a tag key: upper case, '-' as '_'. */
  static String attributeFor(String tagKey) {
    return tagKey.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The tag key for a FLOTILLA_* attribute name. */
  static String tagFor(String attribute) {
    return attribute.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static CloudMachine machine(Element vm) {
    String id = SafeXml.childText(vm, "ID");
    if (id == null || !id.matches("\\d{1,10}")) {
      log.warn("opennebula vm entry without numeric id skipped id={}", id);
      return null;
    }
    int state = number(SafeXml.childText(vm, "STATE"));
    int lcmState = number(SafeXml.childText(vm, "LCM_STATE"));
    CloudState portable = OneVmState.portable(state, lcmState);
    return new CloudMachine(id, portable, OneVmState.raw(state, lcmState), tags(vm));
  }

  private static Map<String, String> tags(Element vm) {
    Map<String, String> tags = new HashMap<>();
    Element userTemplate = SafeXml.child(vm, "USER_TEMPLATE");
    if (userTemplate == null) {
      return tags;
    }
    for (Element attribute : SafeXml.children(userTemplate)) {
      String name = attribute.getTagName();
      if (name.startsWith(TAG_PREFIX) && SafeXml.children(attribute).isEmpty()) {
        tags.put(tagFor(name), attribute.getTextContent());
      }
    }
    return tags;
  }

  /** A state number, or -1 (which maps to UNKNOWN) when absent or not a number. */
  private static int number(String text) {
    if (text == null || !text.matches("-?\\d{1,9}")) {
      return -1;
    }
    return Integer.parseInt(text);
  }
}
