package io.flotilla.provider.opennebula;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.ImageDelivery;
import io.flotilla.provider.ImageFile;
import io.flotilla.provider.MachineSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenNebula cloud reached over its XML-RPC API ({@code /RPC2}).
 *
 * <ul>
 *   <li>create: {@code one.template.instantiate} of {@code template_id} with an extra
 *       template, or {@code one.vm.allocate} of a whole template. Either carries the tags as
 *       {@code FLOTILLA_*} user-template attributes and a CONTEXT section with the user-data
 *       base64-encoded ({@code USERDATA_ENCODING="base64"}: raw bytes would break the
 *       quoting of the guest's {@code context.sh}), {@code TOKEN="YES"} and
 *       {@code NETWORK="YES"}.
 *   <li>describe: {@code one.vm.info}; a DONE VM is reported GONE.
 *   <li>listTagged: the connected user's VMs not DONE, from {@code one.vmpool.infoextended}
 *       (5.8+) or {@code one.vmpool.info}, filtered here by tag.
 *   <li>destroy: {@code one.vm.action} with the release's hard-delete action
 *       ({@link OneVersion#terminateAction()}); the version is asked once and cached.
 *   <li>deliver / remove ({@link ImageDelivery}): {@code one.image.allocate} in
 *       {@code image_datastore_id} with PATH where the front-end reads the cached file,
 *       waiting for READY; {@code one.image.delete} ({@link OneImages}).
 * </ul>
 *
 * <p>Errors map in {@link OpenNebulaErrors}. The session string ({@code user:password}) is
 * only ever the first XML-RPC parameter: it is not logged and is cut out of any server
 * message before that message reaches an exception. Thread-safe; calls block for at most
 * {@code call_timeout_seconds} each.
 */
public final class OpenNebulaCloud implements CloudProvider, ImageDelivery {

  private static final Logger log = LoggerFactory.getLogger(OpenNebulaCloud.class);

  /** Pool listings of big sites run to megabytes; anything past this is refused. */
  static final int MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
  private static final int FILTER_MINE = -3;
  private static final int RANGE_ALL = -1;
  private static final int ANY_STATE_BUT_DONE = -1;
  private static final Pattern TAG_KEY = Pattern.compile("flotilla(-[a-z0-9]+)+");
  private static final Pattern NUMERIC_ID = Pattern.compile("\\d{1,10}");

  private final String name;
  private final OpenNebulaOptions options;
  private final String password;
  private final String session;
  private final XmlRpcClient client;
  private final OneImages delivery;
  private final Object versionLock = new Object();
  private volatile OneVersion version;
  private volatile boolean closed;

  /** Reads the password from the file or environment variable the options name. */
  public OpenNebulaCloud(String name, OpenNebulaOptions options) {
    this(name, options, System::getenv);
  }

  OpenNebulaCloud(String name, OpenNebulaOptions options, Function<String, String> env) {
    this(name, options, env, OneImages.READY_WAIT);
  }

  OpenNebulaCloud(String name, OpenNebulaOptions options, Function<String, String> env,
      Duration imageReadyWait) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
    this.password = options.readPassword(env);
    this.session = options.username() + ":" + password;
    this.client = new XmlRpcClient(options.endpoint(), options.callTimeout(),
        MAX_RESPONSE_BYTES);
    this.delivery = new OneImages(name, options, this::call, imageReadyWait);
    if (options.endpoint().getScheme().equals("http")
        && !isLoopback(options.endpoint().getHost())) {
      log.warn("opennebula endpoint is plain http, session travels unencrypted cloud={} "
          + "endpoint={}", name, options.endpoint());
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CloudMachine create(MachineSpec spec) {
    checkOpen();
    Objects.requireNonNull(spec, "spec");
    int id = options.templateId().isPresent() ? instantiate(spec) : allocate(spec);
    String cloudId = Integer.toString(id);
    log.info("opennebula vm created cloud={} machineId={} cloudId={}",
        name, spec.machineId(), cloudId);
    return new CloudMachine(cloudId, CloudState.PENDING,
        OneVmState.raw(OneVmState.PENDING, 0), spec.tags());
  }

  @Override
  public Optional<CloudMachine> describe(String cloudId) {
    checkOpen();
    int id = vmId(cloudId);
    try {
      return Optional.of(parse("one.vm.info", () -> OneVmXml.single(
          text("one.vm.info", call("one.vm.info", id)))));
    } catch (CloudException e) {
      if (e.kind() == Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<CloudMachine> listTagged(Map<String, String> tags) {
    checkOpen();
    Map<String, String> wanted = Map.copyOf(tags);
    String method = version().hasExtendedPoolInfo()
        ? "one.vmpool.infoextended" : "one.vmpool.info";
    String xml = text(method, call(method, FILTER_MINE, RANGE_ALL, RANGE_ALL,
        ANY_STATE_BUT_DONE));
    List<CloudMachine> found = new ArrayList<>();
    for (CloudMachine machine : parse(method, () -> OneVmXml.pool(xml, method))) {
      if (machine.tags().entrySet().containsAll(wanted.entrySet())) {
        found.add(machine);
      }
    }
    return found;
  }

  @Override
  public void destroy(String cloudId) {
    checkOpen();
    int id = vmId(cloudId);
    String action = version().terminateAction();
    try {
      call("one.vm.action", action, id);
    } catch (CloudException e) {
      if (e.kind() == Kind.NOT_FOUND || e.kind() == Kind.TRANSIENT && isDone(cloudId)) {
        log.debug("opennebula destroy of vm already gone cloud={} cloudId={}", name, cloudId);
        return;
      }
      throw e;
    }
    log.info("opennebula vm destroy requested cloud={} cloudId={} action={}",
        name, cloudId, action);
  }

  /**
   * Allocates the image in {@code image_datastore_id} with PATH under
   * {@code image_base_url} or {@code image_path_prefix}, and waits (five minutes plus a
   * second per MiB) for oned to copy it in and report READY; an image that ends in ERROR or
   * times out is deleted again. A READY image of the same name and {@code FLOTILLA_SHA512}
   * is reused.
   *
   * @return the image id (digits), which {@link #create} puts in DISK as IMAGE_ID
   * @throws CloudException INVALID_REQUEST when delivery is not configured or the request
   *     cannot be expressed; the kind of the failing call otherwise
   */
  @Override
  public String deliver(ImageFile file, String name, Map<String, String> properties) {
    checkOpen();
    return delivery.deliver(file, name, new TreeMap<>(properties));
  }

  /** {@code one.image.delete}; an image OpenNebula no longer knows is done. */
  @Override
  public void remove(String cloudImageId) {
    checkOpen();
    delivery.remove(cloudImageId);
  }

  /** The VM's whole {@code one.vm.info} document, with TEMPLATE and its CONTEXT. */
  String vmInfo(String cloudId) {
    checkOpen();
    int id = vmId(cloudId);
    return text("one.vm.info", call("one.vm.info", id));
  }

  /** {@code one.vm.action} with {@code action} on the VM, e.g. a guest's poweroff. */
  void vmAction(String action, String cloudId) {
    checkOpen();
    int id = vmId(cloudId);
    call("one.vm.action", action, id);
    log.info("opennebula vm action done cloud={} cloudId={} action={}", name, cloudId, action);
  }

  @Override
  public void close() {
    closed = true;
    client.close();
  }

  /** The cached server version; asked with {@code one.system.version} on first need. */
  OneVersion version() {
    OneVersion known = version;
    if (known != null) {
      return known;
    }
    synchronized (versionLock) {
      if (version == null) {
        String text = text("one.system.version", call("one.system.version"));
        OneVersion parsed = OneVersion.parse(text);
        if (parsed == null) {
          log.warn("opennebula version unreadable, assuming a current release cloud={} "
              + "version={}", name, text);
          parsed = OneVersion.MODERN;
        }
        log.info("opennebula version learnt cloud={} version={}", name, parsed.text());
        version = parsed;
      }
      return version;
    }
  }

  /* ---------------- create ---------------- */

  private int allocate(MachineSpec spec) {
    if (spec.imageRef().isBlank()) {
      throw invalidSpec(spec, "imageRef is empty; without template_id the image is needed");
    }
    String template = buildTemplate(spec, true);
    return resultId("one.vm.allocate", call("one.vm.allocate", template, false));
  }

  private int instantiate(MachineSpec spec) {
    String extra = buildTemplate(spec, false);
    String vmName = vmName(spec);
    int templateId = options.templateId().getAsInt();
    Object result = version().instantiateTakesPersistentFlag()
        ? call("one.template.instantiate", templateId, vmName, false, extra, false)
        : call("one.template.instantiate", templateId, vmName, false, extra);
    return resultId("one.template.instantiate", result);
  }

  /** The VM template (allocate) or the extra template merged into template_id. */
  String buildTemplate(MachineSpec spec, boolean whole) {
    try {
      OneTemplate template = new OneTemplate();
      if (whole) {
        template.single("NAME", vmName(spec));
      }
      addSizes(template);
      addDisk(template, spec.imageRef());
      options.networkId().ifPresent(
          network -> template.vector("NIC", Map.of("NETWORK_ID", Integer.toString(network))));
      addTags(template, spec);
      template.vector("CONTEXT", context(spec.userData()));
      return template.render();
    } catch (IllegalArgumentException e) {
      throw invalidSpec(spec, e.getMessage());
    }
  }

  private void addSizes(OneTemplate template) {
    options.cpu().ifPresent(cpu -> template.single("CPU",
        BigDecimal.valueOf(cpu).stripTrailingZeros().toPlainString()));
    options.vcpu().ifPresent(vcpu -> template.single("VCPU", Integer.toString(vcpu)));
    options.memoryMb().ifPresent(mb -> template.single("MEMORY", Integer.toString(mb)));
  }

  /** A numeric image ref is an IMAGE_ID, anything else an image name; blank or "-" keeps. */
  private static void addDisk(OneTemplate template, String imageRef) {
    String ref = imageRef.strip();
    if (ref.isEmpty() || ref.equals("-")) {
      return;
    }
    template.vector("DISK", NUMERIC_ID.matcher(ref).matches()
        ? Map.of("IMAGE_ID", ref) : Map.of("IMAGE", ref));
  }

  private static void addTags(OneTemplate template, MachineSpec spec) {
    for (Map.Entry<String, String> tag : new TreeMap<>(spec.tags()).entrySet()) {
      if (!TAG_KEY.matcher(tag.getKey()).matches()) {
        throw new IllegalArgumentException("tag " + tag.getKey() + " must match "
            + TAG_KEY.pattern() + " to be stored as an OpenNebula attribute");
      }
      template.single(OneVmXml.attributeFor(tag.getKey()), tag.getValue());
    }
  }

  private static Map<String, String> context(byte[] userData) {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("NETWORK", "YES");
    context.put("TOKEN", "YES");
    context.put("USER_DATA", Base64.getEncoder().encodeToString(userData));
    context.put("USERDATA_ENCODING", "base64");
    return context;
  }

  private static String vmName(MachineSpec spec) {
    return "flotilla-" + spec.machineId();
  }

  private CloudException invalidSpec(MachineSpec spec, String reason) {
    return new CloudException(Kind.INVALID_REQUEST, "opennebula cloud " + name
        + ": machine " + spec.machineId() + " cannot be expressed as a VM template: " + reason);
  }

  /* ---------------- calls ---------------- */

  /**
   * Calls {@code method(session, params...)} and returns OpenNebula's result value.
   *
   * @throws CloudException for every failure, mapped by {@link OpenNebulaErrors}
   */
  private Object call(String method, Object... params) {
    List<Object> withSession = new ArrayList<>(params.length + 1);
    withSession.add(session);
    withSession.addAll(List.of(params));
    long started = System.nanoTime();
    Object response;
    try {
      response = client.call(method, withSession);
    } catch (XmlRpcException e) {
      throw redacted(OpenNebulaErrors.fromTransport(name, method, e));
    } finally {
      log.debug("opennebula call cloud={} method={} ms={}", name, method,
          (System.nanoTime() - started) / 1_000_000);
    }
    return unpack(method, response);
  }

  /** OpenNebula answers {@code [ok, result-or-message, code, ...]}; extra items are ignored. */
  private Object unpack(String method, Object response) {
    if (!(response instanceof List<?> items) || items.size() < 3
        || !(items.get(0) instanceof Boolean ok)) {
      throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + name + ": " + method
          + " answered " + shape(response) + ", expected [boolean, result, int, ...]");
    }
    if (ok) {
      return items.get(1);
    }
    int code = items.get(2) instanceof Number number ? number.intValue() : -1;
    String message = String.valueOf(items.get(1));
    throw redacted(OpenNebulaErrors.fromResult(name, method, code, message));
  }

  private <T> T parse(String method, Supplier<T> parser) {
    try {
      return parser.get();
    } catch (XmlRpcException e) {
      throw redacted(OpenNebulaErrors.fromTransport(name, method, e));
    }
  }

  private String text(String method, Object result) {
    if (!(result instanceof String text)) {
      throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + name + ": " + method
          + " returned " + shape(result) + ", expected a string");
    }
    return text;
  }

  private int resultId(String method, Object result) {
    if (result instanceof Integer id && id >= 0) {
      return id;
    }
    if (result instanceof String text && NUMERIC_ID.matcher(text.strip()).matches()) {
      return Integer.parseInt(text.strip());
    }
    throw new CloudException(Kind.TRANSIENT, "opennebula cloud " + name + ": " + method
        + " returned " + shape(result) + ", expected a VM id");
  }

  private boolean isDone(String cloudId) {
    try {
      return describe(cloudId).map(m -> m.state() == CloudState.GONE).orElse(true);
    } catch (CloudException e) {
      return false;
    }
  }

  /** Cuts the password out of a server-supplied message, in case a server echoes it. */
  private CloudException redacted(CloudException e) {
    String message = e.getMessage();
    if (message == null || !message.contains(password)) {
      return e;
    }
    // The cause chain may quote the same text, so it is dropped along with it.
    return new CloudException(e.kind(), message.replace(password, "<redacted>"),
        e.resource(), e.retryAfter(), null);
  }

  private int vmId(String cloudId) {
    Objects.requireNonNull(cloudId, "cloudId");
    if (!NUMERIC_ID.matcher(cloudId).matches()) {
      throw new CloudException(Kind.INVALID_REQUEST, "opennebula cloud " + name
          + ": cloud id " + cloudId + " is not an OpenNebula VM id (digits)");
    }
    try {
      return Integer.parseInt(cloudId);
    } catch (NumberFormatException e) {
      throw new CloudException(Kind.INVALID_REQUEST, "opennebula cloud " + name
          + ": cloud id " + cloudId + " is out of OpenNebula's id range");
    }
  }

  private static String shape(Object value) {
    if (value instanceof List<?> list) {
      return "an array of " + list.size();
    }
    return value == null ? "nil" : "a " + value.getClass().getSimpleName();
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("opennebula cloud " + name + " is closed");
    }
  }

  /** Names the cloud and endpoint; never the session. */
  @Override
  public String toString() {
    return "OpenNebulaCloud[name=" + name + ", endpoint=" + options.endpoint()
        + ", user=" + options.username() + "]";
  }
}
