package io.flotilla.provider.opennebula;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An OpenNebula XML-RPC server on 127.0.0.1 for tests, following the documented API of the
 * methods the provider uses: {@code one.system.version}, {@code one.vm.allocate},
 * {@code one.template.instantiate}, {@code one.vm.info}, {@code one.vm.action},
 * {@code one.vmpool.info} and (5.8+) {@code one.vmpool.infoextended}; for image delivery
 * {@code one.image.allocate}, {@code one.image.info}, {@code one.image.delete} and
 * {@code one.imagepool.info}.
 *
 * <p>Modelled: session check (AUTHENTICATION), VM ids, STATE/LCM_STATE progression
 * PENDING, ACTIVE/PROLOG, ACTIVE/BOOT, ACTIVE/RUNNING one step per {@link #stepEvery}
 * period; TEMPLATE (with CONTEXT) and USER_TEMPLATE split as oned does; short pool bodies
 * from 5.8 on; the terminate rules of oned's {@code DispatchManager::terminate} (5.x+) and
 * 4.x's any-state {@code delete}; poweroff, hold and release. Other action names answer
 * ACTION "Invalid action". Requests are parsed with the client's {@link SafeXml} rules.
 *
 * <p>Faults: the next N calls fail with a given code, answer HTTP 503, or all answers are
 * delayed; creates beyond the first N answer HTTP 503 (a rate-limiting proxy in front of
 * oned); the next N VMs fail in PROLOG or BOOT; VMs can be locked or set to any numbers.
 *
 * <p>Images: allocated LOCKED in an existing datastore (0, 1 and 2 by default) under a name
 * unique among the user's images, READY after {@link #imageReadySteps} steps as oned's copy
 * ends; the next N images can end in ERROR (with TEMPLATE/ERROR) or stay LOCKED for ever, and
 * an IMAGES quota refuses allocations beyond a count. Image ids start at
 * {@link #FIRST_IMAGE_ID}: a VM DISK with such an IMAGE_ID needs that image to exist and be
 * READY; lower IMAGE_IDs stand for the site's own images and are always accepted.
 */
final class OpenNebulaSimulator implements AutoCloseable {

  static final int NO_SUCH_METHOD = -506;
  static final int TYPE_ERROR = -501;
  static final int PARSE_ERROR = -32700;
  /** Image ids below this stand for the site's own images, which VMs may always use. */
  static final int FIRST_IMAGE_ID = 100;
  private static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;
  private static final Set<String> TEMPLATE_ATTRIBUTES = Set.of(
      "CPU", "VCPU", "MEMORY", "DISK", "NIC", "CONTEXT", "OS", "GRAPHICS", "FEATURES",
      "INPUT", "RAW", "TEMPLATE_ID");

  /** One VM as the simulator keeps it. */
  static final class SimVm {
    final int id;
    final String name;
    final Map<String, Object> template;
    final Map<String, Object> userTemplate;
    int state = OneVmState.PENDING;
    int lcmState;
    long lastChange = System.nanoTime();
    boolean frozen;
    boolean locked;
    int failAtLcm = -1;
    boolean terminating;

    SimVm(int id, String name, Map<String, Object> template, Map<String, Object> user) {
      this.id = id;
      this.name = name;
      this.template = template;
      this.userTemplate = user;
    }

    synchronized int state() {
      return state;
    }

    synchronized int lcmState() {
      return lcmState;
    }

    @SuppressWarnings("unchecked")
    Map<String, String> context() {
      return (Map<String, String>) template.get("CONTEXT");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final String session;
  private final String version;
  private final Map<Integer, SimVm> vms = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Map<Integer, String> templates = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> methods = Collections.synchronizedList(new ArrayList<>());
  private final List<String> actions = Collections.synchronizedList(new ArrayList<>());
  private final List<String> rawTemplates = Collections.synchronizedList(new ArrayList<>());
  private int nextId;
  private volatile long stepNanos = Duration.ofMillis(50).toNanos();
  private volatile Duration delay = Duration.ZERO;
  private int failCalls;
  private int failCode;
  private String failMessage;
  private int http503Calls;
  private int createsBeforeThrottle = -1;
  private int failBoots;
  private int failBootsAtLcm;
  private volatile int maxVms = Integer.MAX_VALUE;
  private volatile int responseElements = 4;
  private final Map<Integer, SimImage> images =
      Collections.synchronizedMap(new LinkedHashMap<>());
  private final Set<Integer> datastores = Collections.synchronizedSet(
      new java.util.HashSet<>(Set.of(0, 1, 2)));
  private int nextImageId = FIRST_IMAGE_ID;
  private volatile int imageReadySteps = 3;
  private int failImages;
  private String failImagesMessage;
  private int stuckImages;
  private volatile int maxImages = Integer.MAX_VALUE;

  /** One image as the simulator keeps it. */
  static final class SimImage {
    final int id;
    final String name;
    final int datastore;
    final Map<String, Object> template;
    int state = OneImages.LOCKED;
    int stepsLeft;
    long lastChange = System.nanoTime();
    String failWith;
    boolean stuck;

    SimImage(int id, String name, int datastore, Map<String, Object> template) {
      this.id = id;
      this.name = name;
      this.datastore = datastore;
      this.template = template;
    }

    synchronized int state() {
      return state;
    }
  }

  private OpenNebulaSimulator(String version, String username, String password)
      throws IOException {
    this.version = version;
    this.session = username + ":" + password;
    this.server = HttpServer.create(
        new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
    this.executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/RPC2", this::handle);
    server.start();
  }

  static OpenNebulaSimulator start(String version, String username, String password) {
    try {
      return new OpenNebulaSimulator(version, username, password);
    } catch (IOException e) {
      throw new IllegalStateException("simulator cannot listen: " + e.getMessage(), e);
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/RPC2");
  }

  /* ---------------- knobs ---------------- */

  void stepEvery(Duration step) {
    stepNanos = step.toNanos();
  }

  void addTemplate(int id, String text) {
    templates.put(id, text);
  }

  synchronized void failNext(int calls, int code, String message) {
    failCalls = calls;
    failCode = code;
    failMessage = message;
  }

  synchronized void http503Next(int calls) {
    http503Calls = calls;
  }

  /** Creates (allocate, instantiate) after the first {@code creates} answer HTTP 503. */
  synchronized void throttleCreatesAfter(int creates) {
    createsBeforeThrottle = creates;
  }

  void delayResponses(Duration wait) {
    delay = wait;
  }

  /** The next {@code count} VMs stop in {@code lcmFailure} instead of going on. */
  synchronized void failNextBoots(int count, int lcmFailure) {
    failBoots = count;
    failBootsAtLcm = lcmFailure;
  }

  void maxVms(int max) {
    maxVms = max;
  }

  /** How many items results carry: 3 as documented, 4 with the error-object id. */
  void responseElements(int count) {
    responseElements = count;
  }

  void lock(int id) {
    SimVm vm = vms.get(id);
    synchronized (vm) {
      vm.locked = true;
    }
  }

  /** Puts a VM in the given numbers and stops its progression. */
  void setState(int id, int state, int lcmState) {
    SimVm vm = vms.get(id);
    synchronized (vm) {
      vm.state = state;
      vm.lcmState = lcmState;
      vm.frozen = true;
    }
  }

  SimVm vm(int id) {
    SimVm vm = vms.get(id);
    if (vm != null) {
      synchronized (vm) {
        advance(vm);
      }
    }
    return vm;
  }

  /** How many steps (of {@link #stepEvery}) an allocated image stays LOCKED. */
  void imageReadySteps(int steps) {
    imageReadySteps = steps;
  }

  /** The next {@code count} images end in ERROR with {@code message} instead of READY. */
  synchronized void failNextImages(int count, String message) {
    failImages = count;
    failImagesMessage = message;
  }

  /** The next {@code count} images stay LOCKED (a download that never ends). */
  synchronized void stickNextImages(int count) {
    stuckImages = count;
  }

  /** Allocations beyond {@code max} live images fail with an IMAGES quota refusal. */
  void maxImages(int max) {
    maxImages = max;
  }

  /** Adds a READY image that Flotilla did not deliver (no FLOTILLA_SHA512), as a user would. */
  synchronized int addForeignImage(String name) {
    Map<String, Object> template = new LinkedHashMap<>();
    template.put("PATH", "/srv/images/" + name + ".qcow2");
    SimImage image = new SimImage(nextImageId++, name, 1, template);
    image.state = OneImages.READY;
    images.put(image.id, image);
    return image.id;
  }

  /** The image, advanced to now, or null once deleted. */
  SimImage image(int id) {
    SimImage image = images.get(id);
    if (image != null) {
      synchronized (image) {
        advance(image);
      }
    }
    return image;
  }

  /** Ids of the images held now, in allocation order. */
  List<Integer> imageIds() {
    synchronized (images) {
      return List.copyOf(images.keySet());
    }
  }

  List<String> methods() {
    return List.copyOf(methods);
  }

  List<String> actions() {
    return List.copyOf(actions);
  }

  /** Template strings exactly as allocate/instantiate received them. */
  List<String> rawTemplates() {
    return List.copyOf(rawTemplates);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /* ---------------- HTTP ---------------- */

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      sleep(delay);
      if (takeHttp503()) {
        exchange.getResponseHeaders().add("Retry-After", "7");
        send(exchange, 503, "busy".getBytes());
        return;
      }
      byte[] body = readCapped(exchange.getRequestBody());
      if (body == null || !exchange.getRequestMethod().equals("POST")) {
        send(exchange, 400, "bad request".getBytes());
        return;
      }
      if (takeCreateThrottle(body)) {
        exchange.getResponseHeaders().add("Retry-After", "5");
        send(exchange, 503, "rate limited".getBytes());
        return;
      }
      send(exchange, 200, answer(body));
    }
  }

  private byte[] answer(byte[] body) {
    XmlRpcCodec.MethodCall call;
    try {
      call = XmlRpcCodec.decodeCall(body);
    } catch (XmlRpcException e) {
      return XmlRpcCodec.encodeFault(PARSE_ERROR, "parse error: " + e.getMessage());
    }
    methods.add(call.method());
    try {
      return XmlRpcCodec.encodeResponse(dispatch(call));
    } catch (Fault fault) {
      return XmlRpcCodec.encodeFault(fault.code, fault.getMessage());
    }
  }

  private List<Object> dispatch(XmlRpcCodec.MethodCall call) {
    List<Object> params = call.params();
    String method = call.method();
    if (params.isEmpty() || !(params.get(0) instanceof String given)) {
      throw new Fault(TYPE_ERROR, "first parameter must be the session string");
    }
    if (!given.equals(session)) {
      return failure(OpenNebulaErrors.AUTHENTICATION,
          "[" + method + "] User couldn't be authenticated, aborting call.");
    }
    List<Object> injected = takeInjectedFailure(method);
    if (injected != null) {
      return injected;
    }
    List<Object> args = params.subList(1, params.size());
    return switch (method) {
      case "one.system.version" -> systemVersion(args);
      case "one.vm.allocate" -> allocate(args);
      case "one.template.instantiate" -> instantiate(args);
      case "one.vm.info" -> vmInfo(args);
      case "one.vm.action" -> vmAction(args);
      case "one.vmpool.info" -> vmPool(method, args, !hasExtendedPool());
      case "one.image.allocate" -> imageAllocate(args);
      case "one.image.info" -> imageInfo(args);
      case "one.image.delete" -> imageDelete(args);
      case "one.imagepool.info" -> imagePool(args);
      case "one.vmpool.infoextended" -> {
        if (!hasExtendedPool()) {
          throw new Fault(NO_SUCH_METHOD, "Requested method '" + method + "' not defined");
        }
        yield vmPool(method, args, true);
      }
      default -> throw new Fault(NO_SUCH_METHOD, "Requested method '" + method
          + "' not defined");
    };
  }

  /* ---------------- methods ---------------- */

  private List<Object> systemVersion(List<Object> args) {
    signature(args, 0, 0);
    return success(version);
  }

  private List<Object> allocate(List<Object> args) {
    signature(args, 1, 2, String.class, Boolean.class);
    return create("one.vm.allocate", (String) args.get(0), Map.of(), null);
  }

  private List<Object> instantiate(List<Object> args) {
    int max = major() >= 5 ? 5 : 4;
    signature(args, 4, max, Integer.class, String.class, Boolean.class, String.class,
        Boolean.class);
    int templateId = (Integer) args.get(0);
    String base = templates.get(templateId);
    if (base == null) {
      return failure(OpenNebulaErrors.NO_EXISTS,
          "[one.template.instantiate] Error getting template [" + templateId + "].");
    }
    Map<String, Object> merged = OneTemplateText.parse(base);
    return create("one.template.instantiate", (String) args.get(3), merged,
        (String) args.get(1));
  }

  private List<Object> create(String method, String text, Map<String, Object> base,
      String name) {
    rawTemplates.add(text);
    Map<String, Object> attributes = new LinkedHashMap<>(base);
    try {
      attributes.putAll(OneTemplateText.parse(text));
    } catch (IllegalArgumentException e) {
      return failure(OpenNebulaErrors.INTERNAL, "[" + method + "] Parse error: "
          + e.getMessage());
    }
    if (!attributes.containsKey("MEMORY") || !attributes.containsKey("CPU")) {
      return failure(OpenNebulaErrors.ALLOCATE, "[" + method
          + "] Error allocating a new virtual machine template. MEMORY and CPU are required");
    }
    String diskProblem = diskProblem(attributes.get("DISK"));
    if (diskProblem != null) {
      return failure(OpenNebulaErrors.ALLOCATE, "[" + method + "] " + diskProblem);
    }
    synchronized (this) {
      long live = vms.values().stream().filter(vm -> vm.state() != OneVmState.DONE).count();
      if (live >= maxVms) {
        return failure(OpenNebulaErrors.AUTHORIZATION, "[" + method + "] User [0] : limit of "
            + maxVms + " reached for VMS quota in VM.");
      }
      return success(register(attributes, name));
    }
  }

  private int register(Map<String, Object> attributes, String givenName) {
    int id = nextId++;
    Object named = attributes.remove("NAME");
    String name = givenName != null && !givenName.isEmpty() ? givenName
        : named != null ? named.toString() : "one-" + id;
    Map<String, Object> template = new LinkedHashMap<>();
    Map<String, Object> user = new LinkedHashMap<>();
    attributes.forEach((key, value) ->
        (TEMPLATE_ATTRIBUTES.contains(key) ? template : user).put(key, value));
    SimVm vm = new SimVm(id, name, template, user);
    if (failBoots > 0) {
      failBoots--;
      vm.failAtLcm = failBootsAtLcm;
    }
    vms.put(id, vm);
    return id;
  }

  private List<Object> vmInfo(List<Object> args) {
    signature(args, 1, 2, Integer.class, Boolean.class);
    SimVm vm = vm((Integer) args.get(0));
    if (vm == null) {
      return failure(OpenNebulaErrors.NO_EXISTS,
          "[one.vm.info] Error getting virtual machine [" + args.get(0) + "].");
    }
    synchronized (vm) {
      return success(vmXml(vm, true));
    }
  }

  private List<Object> vmAction(List<Object> args) {
    signature(args, 2, 2, String.class, Integer.class);
    String action = (String) args.get(0);
    actions.add(action);
    SimVm vm = vm((Integer) args.get(1));
    if (vm == null) {
      return failure(OpenNebulaErrors.NO_EXISTS,
          "[one.vm.action] Error getting virtual machine [" + args.get(1) + "].");
    }
    synchronized (vm) {
      if (vm.locked) {
        return failure(OpenNebulaErrors.LOCKED, "[one.vm.action] The resource is locked.");
      }
      String refusal = major() >= 5 ? actionModern(vm, action) : actionLegacy(vm, action);
      if (refusal != null) {
        return failure(OpenNebulaErrors.ACTION, "[one.vm.action] Error performing action \""
            + action + "\": " + refusal);
      }
      vm.lastChange = System.nanoTime();
      return success(vm.id);
    }
  }

  /** 5.x+: oned maps the 4.x names delete/shutdown-hard and shutdown to terminate. */
  private String actionModern(SimVm vm, String action) {
    return switch (action) {
      case "terminate-hard", "delete", "shutdown-hard" -> terminate(vm);
      case "terminate", "shutdown" -> terminate(vm);
      case "poweroff", "poweroff-hard" -> poweroff(vm);
      case "hold" -> move(vm, OneVmState.PENDING, OneVmState.HOLD);
      case "release" -> move(vm, OneVmState.HOLD, OneVmState.PENDING);
      default -> "Invalid action";
    };
  }

  /** 4.x: delete (3.x's finalize) ends a VM in any state but DONE. */
  private String actionLegacy(SimVm vm, String action) {
    return switch (action) {
      case "delete", "finalize" -> {
        if (vm.state == OneVmState.DONE) {
          yield "This action is not available for state DONE";
        }
        setNumbers(vm, OneVmState.DONE, 0);
        yield null;
      }
      case "poweroff", "poweroff-hard" -> poweroff(vm);
      case "hold" -> move(vm, OneVmState.PENDING, OneVmState.HOLD);
      case "release" -> move(vm, OneVmState.HOLD, OneVmState.PENDING);
      default -> "Invalid action";
    };
  }

  /** Follows DispatchManager::terminate. */
  private String terminate(SimVm vm) {
    switch (vm.state) {
      case 4, 5, 8, 9 -> ending(vm, OneVmState.LCM_EPILOG);
      case 0, 1, 2, 10, 11 -> setNumbers(vm, OneVmState.DONE, 0);
      case OneVmState.DONE -> {
        return null;
      }
      case OneVmState.ACTIVE -> {
        return terminateActive(vm);
      }
      default -> {
        return "Could not terminate VM " + vm.id + ", wrong state " + stateText(vm) + ".";
      }
    }
    return null;
  }

  private String terminateActive(SimVm vm) {
    int lcm = vm.lcmState;
    boolean failure = OneVmState.portable(OneVmState.ACTIVE, lcm)
        == io.flotilla.provider.CloudState.ERROR;
    if (lcm == OneVmState.LCM_RUNNING || lcm == OneVmState.LCM_UNKNOWN || lcm == 12) {
      ending(vm, OneVmState.LCM_EPILOG);
      return null;
    }
    if (failure) {
      ending(vm, 23);
      return null;
    }
    return "Could not terminate VM " + vm.id + ", wrong state " + stateText(vm) + ".";
  }

  private String poweroff(SimVm vm) {
    if (vm.state == OneVmState.ACTIVE && (vm.lcmState == OneVmState.LCM_RUNNING
        || vm.lcmState == OneVmState.LCM_UNKNOWN)) {
      setNumbers(vm, OneVmState.POWEROFF, 0);
      return null;
    }
    return "This action is not available for state " + stateText(vm);
  }

  private String move(SimVm vm, int from, int to) {
    if (vm.state != from) {
      return "This action is not available for state " + stateText(vm);
    }
    setNumbers(vm, to, 0);
    return null;
  }

  private void ending(SimVm vm, int lcm) {
    setNumbers(vm, OneVmState.ACTIVE, lcm);
    vm.terminating = true;
    vm.frozen = false;
  }

  private static void setNumbers(SimVm vm, int state, int lcm) {
    vm.state = state;
    vm.lcmState = lcm;
  }

  private List<Object> vmPool(String method, List<Object> args, boolean full) {
    signature(args, 4, 5, Integer.class, Integer.class, Integer.class, Integer.class,
        String.class);
    int filter = (Integer) args.get(0);
    int stateFilter = (Integer) args.get(3);
    if (filter < -4) {
      return failure(OpenNebulaErrors.XML_RPC_API, "[" + method + "] Incorrect filter_flag.");
    }
    StringBuilder xml = new StringBuilder("<VM_POOL>");
    List<SimVm> all;
    synchronized (vms) {
      all = new ArrayList<>(vms.values());
    }
    for (SimVm vm : all) {
      synchronized (vm) {
        advance(vm);
        boolean wanted = stateFilter == -2 || stateFilter == -1 && vm.state != OneVmState.DONE
            || stateFilter == vm.state;
        if (wanted) {
          xml.append(vmXml(vm, full));
        }
      }
    }
    return success(xml.append("</VM_POOL>").toString());
  }

  /** Why a DISK naming one of our images cannot be used, or null when it can. */
  private String diskProblem(Object disk) {
    if (!(disk instanceof Map<?, ?> vector) || !(vector.get("IMAGE_ID") instanceof String ref)
        || !ref.matches("\\d{1,9}")) {
      return null;
    }
    int id = Integer.parseInt(ref);
    if (id < FIRST_IMAGE_ID) {
      return null;
    }
    SimImage image = image(id);
    if (image == null) {
      return "Error getting image [" + id + "].";
    }
    synchronized (image) {
      return image.state == OneImages.READY ? null
          : "Cannot use image [" + id + "]: state is " + image.state + ", not READY.";
    }
  }

  /* ---------------- images ---------------- */

  private List<Object> imageAllocate(List<Object> args) {
    signature(args, 2, 3, String.class, Integer.class, Boolean.class);
    int datastore = (Integer) args.get(1);
    if (!datastores.contains(datastore)) {
      return failure(OpenNebulaErrors.NO_EXISTS,
          "[one.image.allocate] Error getting datastore [" + datastore + "].");
    }
    Map<String, Object> template;
    try {
      template = OneTemplateText.parse((String) args.get(0));
    } catch (IllegalArgumentException e) {
      return failure(OpenNebulaErrors.INTERNAL, "[one.image.allocate] Parse error: "
          + e.getMessage());
    }
    Object name = template.remove("NAME");
    if (!(name instanceof String text) || text.isBlank()) {
      return failure(OpenNebulaErrors.XML_RPC_API,
          "[one.image.allocate] No NAME in template for Image.");
    }
    if (!template.containsKey("PATH") && !template.containsKey("SOURCE")) {
      return failure(OpenNebulaErrors.ALLOCATE,
          "[one.image.allocate] Error allocating a new image. No PATH nor SOURCE.");
    }
    return registerImage(text, datastore, template);
  }

  private synchronized List<Object> registerImage(String name, int datastore,
      Map<String, Object> template) {
    List<SimImage> held;
    synchronized (images) {
      held = new ArrayList<>(images.values());
    }
    for (SimImage other : held) {
      if (other.name.equals(name)) {
        return failure(OpenNebulaErrors.ALLOCATE, "[one.image.allocate] NAME is already "
            + "taken by IMAGE " + other.id + ".");
      }
    }
    if (held.size() >= maxImages) {
      return failure(OpenNebulaErrors.AUTHORIZATION, "[one.image.allocate] User [0] : limit "
          + "of " + maxImages + " reached for IMAGES quota in Datastore " + datastore + ".");
    }
    SimImage image = new SimImage(nextImageId++, name, datastore, template);
    image.stepsLeft = imageReadySteps;
    if (failImages > 0) {
      failImages--;
      image.failWith = failImagesMessage;
    } else if (stuckImages > 0) {
      stuckImages--;
      image.stuck = true;
    }
    images.put(image.id, image);
    return success(image.id);
  }

  private List<Object> imageInfo(List<Object> args) {
    signature(args, 1, 2, Integer.class, Boolean.class);
    SimImage image = image((Integer) args.get(0));
    if (image == null) {
      return failure(OpenNebulaErrors.NO_EXISTS,
          "[one.image.info] Error getting image [" + args.get(0) + "].");
    }
    synchronized (image) {
      return success(imageXml(image));
    }
  }

  private List<Object> imageDelete(List<Object> args) {
    signature(args, 1, 2, Integer.class, Boolean.class);
    SimImage image = images.remove((Integer) args.get(0));
    if (image == null) {
      return failure(OpenNebulaErrors.NO_EXISTS,
          "[one.image.delete] Error getting image [" + args.get(0) + "].");
    }
    return success(image.id);
  }

  private List<Object> imagePool(List<Object> args) {
    signature(args, 3, 3, Integer.class, Integer.class, Integer.class);
    if ((Integer) args.get(0) < -4) {
      return failure(OpenNebulaErrors.XML_RPC_API,
          "[one.imagepool.info] Incorrect filter_flag.");
    }
    StringBuilder xml = new StringBuilder("<IMAGE_POOL>");
    for (Integer id : imageIds()) {
      SimImage image = image(id);
      if (image != null) {
        synchronized (image) {
          xml.append(imageXml(image));
        }
      }
    }
    return success(xml.append("</IMAGE_POOL>").toString());
  }

  private void advance(SimImage image) {
    long now = System.nanoTime();
    while (image.state == OneImages.LOCKED && !image.stuck
        && now - image.lastChange >= stepNanos) {
      image.lastChange += stepNanos;
      if (--image.stepsLeft > 0) {
        continue;
      }
      if (image.failWith != null) {
        image.state = OneImages.ERROR;
        image.template.put("ERROR", image.failWith);
      } else {
        image.state = OneImages.READY;
      }
    }
  }

  private static String imageXml(SimImage image) {
    StringBuilder xml = new StringBuilder("<IMAGE>")
        .append("<ID>").append(image.id).append("</ID><UID>0</UID><GID>0</GID>")
        .append("<UNAME>flotilla</UNAME><GNAME>users</GNAME>")
        .append("<NAME>").append(cdata(image.name)).append("</NAME>")
        .append("<TYPE>0</TYPE><DISK_TYPE>0</DISK_TYPE><PERSISTENT>0</PERSISTENT>")
        .append("<REGTIME>0</REGTIME>")
        .append("<SOURCE>").append(cdata(image.state == OneImages.READY
            ? "/var/lib/one/datastores/" + image.datastore + "/" + image.id : ""))
        .append("</SOURCE>")
        .append("<PATH>").append(cdata(String.valueOf(image.template.get("PATH"))))
        .append("</PATH>")
        .append("<STATE>").append(image.state).append("</STATE>")
        .append("<RUNNING_VMS>0</RUNNING_VMS>")
        .append("<DATASTORE_ID>").append(image.datastore).append("</DATASTORE_ID>")
        .append("<TEMPLATE>");
    appendAttributes(xml, image.template);
    return xml.append("</TEMPLATE></IMAGE>").toString();
  }

  /* ---------------- progression ---------------- */

  private void advance(SimVm vm) {
    if (vm.frozen) {
      return;
    }
    long now = System.nanoTime();
    while (now - vm.lastChange >= stepNanos && step(vm)) {
      vm.lastChange += stepNanos;
    }
  }

  /** One lifecycle step; false when the VM rests where it is. */
  private static boolean step(SimVm vm) {
    if (vm.terminating) {
      setNumbers(vm, OneVmState.DONE, 0);
      vm.terminating = false;
      return true;
    }
    if (vm.state == OneVmState.PENDING) {
      setNumbers(vm, OneVmState.ACTIVE, OneVmState.LCM_PROLOG);
      return true;
    }
    if (vm.state != OneVmState.ACTIVE) {
      return false;
    }
    if (vm.lcmState == OneVmState.LCM_PROLOG) {
      vm.lcmState = vm.failAtLcm == OneVmState.LCM_PROLOG_FAILURE
          ? OneVmState.LCM_PROLOG_FAILURE : OneVmState.LCM_BOOT;
      return true;
    }
    if (vm.lcmState == OneVmState.LCM_BOOT) {
      vm.lcmState = vm.failAtLcm == OneVmState.LCM_BOOT_FAILURE
          ? OneVmState.LCM_BOOT_FAILURE : OneVmState.LCM_RUNNING;
      return true;
    }
    return false;
  }

  /* ---------------- documents ---------------- */

  private String vmXml(SimVm vm, boolean full) {
    StringBuilder xml = new StringBuilder("<VM>")
        .append("<ID>").append(vm.id).append("</ID><UID>0</UID><GID>0</GID>")
        .append("<UNAME>flotilla</UNAME><GNAME>users</GNAME>")
        .append("<NAME>").append(cdata(vm.name)).append("</NAME>")
        .append("<LAST_POLL>0</LAST_POLL>")
        .append("<STATE>").append(vm.state).append("</STATE>")
        .append("<LCM_STATE>").append(vm.lcmState).append("</LCM_STATE>")
        .append("<RESCHED>0</RESCHED><STIME>0</STIME><ETIME>0</ETIME><DEPLOY_ID/>");
    if (vm.locked) {
      xml.append("<LOCK><LOCKED>1</LOCKED></LOCK>");
    }
    xml.append("<TEMPLATE>");
    if (full) {
      appendAttributes(xml, vm.template);
    } else {
      xml.append("<CPU>").append(cdata(String.valueOf(vm.template.get("CPU"))))
          .append("</CPU><MEMORY>").append(cdata(String.valueOf(vm.template.get("MEMORY"))))
          .append("</MEMORY>");
    }
    xml.append("</TEMPLATE><USER_TEMPLATE>");
    if (full) {
      appendAttributes(xml, vm.userTemplate);
    }
    return xml.append("</USER_TEMPLATE><HISTORY_RECORDS/></VM>").toString();
  }

  private static void appendAttributes(StringBuilder xml, Map<String, Object> attributes) {
    attributes.forEach((name, value) -> {
      xml.append('<').append(name).append('>');
      if (value instanceof Map<?, ?> vector) {
        vector.forEach((key, item) -> xml.append('<').append(key).append('>')
            .append(cdata(item.toString())).append("</").append(key).append('>'));
      } else {
        xml.append(cdata(value.toString()));
      }
      xml.append("</").append(name).append('>');
    });
  }

  private static String cdata(String text) {
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>";
  }

  /* ---------------- helpers ---------------- */

  private boolean hasExtendedPool() {
    OneVersion parsed = OneVersion.parse(version);
    return parsed == null || parsed.hasExtendedPoolInfo();
  }

  private int major() {
    OneVersion parsed = OneVersion.parse(version);
    return parsed == null ? 6 : parsed.major();
  }

  private static String stateText(SimVm vm) {
    return OneVmState.raw(vm.state, vm.lcmState);
  }

  private static void signature(List<Object> args, int min, int max, Class<?>... types) {
    if (args.size() < min || args.size() > max) {
      throw new Fault(TYPE_ERROR, "expected " + min + " to " + max
          + " parameters after the session, got " + args.size());
    }
    for (int i = 0; i < args.size(); i++) {
      if (!types[i].isInstance(args.get(i))) {
        throw new Fault(TYPE_ERROR, "type mismatch: parameter " + (i + 2) + " must be "
            + types[i].getSimpleName());
      }
    }
  }

  private List<Object> success(Object result) {
    List<Object> items = new ArrayList<>(List.of(true, result, 0));
    if (responseElements > 3) {
      items.add(-1);
    }
    return items;
  }

  private List<Object> failure(int code, String message) {
    List<Object> items = new ArrayList<>(List.of(false, message, code));
    if (responseElements > 3) {
      items.add(-1);
    }
    return items;
  }

  private synchronized List<Object> takeInjectedFailure(String method) {
    if (failCalls <= 0) {
      return null;
    }
    failCalls--;
    return failure(failCode, "[" + method + "] " + failMessage);
  }

  private synchronized boolean takeCreateThrottle(byte[] body) {
    if (createsBeforeThrottle < 0) {
      return false;
    }
    String method;
    try {
      method = XmlRpcCodec.decodeCall(body).method();
    } catch (XmlRpcException e) {
      return false;
    }
    if (!method.equals("one.vm.allocate") && !method.equals("one.template.instantiate")) {
      return false;
    }
    if (createsBeforeThrottle == 0) {
      return true;
    }
    createsBeforeThrottle--;
    return false;
  }

  private synchronized boolean takeHttp503() {
    if (http503Calls <= 0) {
      return false;
    }
    http503Calls--;
    return true;
  }

  private static byte[] readCapped(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_REQUEST_BYTES + 1);
    return body.length > MAX_REQUEST_BYTES ? null : body;
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "text/xml");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void sleep(Duration wait) {
    if (wait.isZero()) {
      return;
    }
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An XML-RPC fault, as xmlrpc-c sends for unknown methods and wrong parameter lists. */
  private static final class Fault extends RuntimeException {
    final int code;

    Fault(int code, String message) {
      super(message);
      this.code = code;
    }
  }
}
