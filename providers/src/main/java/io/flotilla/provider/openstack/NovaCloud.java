package io.flotilla.provider.openstack;

import com.google.common.collect.ImmutableMultimap;
import com.google.common.io.Closeables;
import io.flotilla.provider.CallSlots;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudImage;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.Flavour;
import io.flotilla.provider.ImageDelivery;
import io.flotilla.provider.ImageFile;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.ProjectQuota;
import io.flotilla.provider.Tags;
import io.flotilla.provider.openstack.OpenStackOptions.ApplicationCredentialAuth;
import io.flotilla.provider.openstack.OpenStackOptions.PasswordAuth;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.inject.Injector;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jclouds.Constants;
import org.jclouds.ContextBuilder;
import org.jclouds.apis.ApiMetadata;
import org.jclouds.openstack.keystone.auth.config.CredentialTypes;
import org.jclouds.openstack.keystone.catalog.config.ServiceCatalogModule;
import org.jclouds.openstack.keystone.catalog.config.ServiceCatalogModule.RegionModule;
import org.jclouds.openstack.keystone.config.KeystoneProperties;
import org.jclouds.openstack.nova.v2_0.NovaApi;
import org.jclouds.openstack.nova.v2_0.NovaApiMetadata;
import org.jclouds.openstack.nova.v2_0.config.NovaHttpApiModule;
import org.jclouds.openstack.nova.v2_0.config.NovaParserModule;
import org.jclouds.openstack.nova.v2_0.domain.Flavor;
import org.jclouds.openstack.nova.v2_0.domain.Server;
import org.jclouds.openstack.nova.v2_0.domain.ServerCreated;
import org.jclouds.openstack.nova.v2_0.domain.ServerExtendedStatus;
import org.jclouds.openstack.nova.v2_0.features.ServerApi;
import org.jclouds.openstack.nova.v2_0.options.CreateServerOptions;
import org.jclouds.openstack.v2_0.domain.Resource;
import org.jclouds.openstack.v2_0.options.PaginationOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenStack project through jclouds' lower-level Nova API ({@link NovaApi}, not the
 * portable ComputeService, which refuses user-data above 16 KiB, drops tags, creates security
 * groups and waits for SSH).
 *
 * <p>Each server is named after its machine id and carries the spec's tags (plus
 * {@link Tags#MACHINE_ID}) as Nova server metadata from the create call on; user-data goes
 * raw up to Nova's own limit, {@value #MAX_USER_DATA_BYTES} bytes; a config drive is
 * requested unless the options turn it off. Nothing waits for the server to run or to get an
 * address.
 *
 * <p>Keystone v3 with a password (jclouds' own method) or an application credential
 * ({@link KeystoneAuthModule}); jclouds renews the token when Nova answers 401. The same
 * token serves our own REST calls ({@link OpenStackRest}): image upload to Glance v2
 * ({@link ImageDelivery}, through {@link GlanceImages}) and what a guest sees of its server
 * ({@link NovaGuestHost}).
 *
 * <p>When a create's answer is lost (a network fault, a server error) the server may exist
 * all the same: create then looks for it by name and metadata, returns it if found, and
 * deletes any duplicate or failed one it finds. At most {@link OpenStackOptions#maxConcurrency()}
 * calls run at once. Thread-safe.
 */
public final class NovaCloud implements CloudProvider, ImageDelivery {

  /** Nova refuses more raw user-data than this: its base64 must fit in 65,535 characters. */
  public static final int MAX_USER_DATA_BYTES = 49_149;
  /** jclouds' own retries of failed calls: fewer and slower than its default (5, 50 ms). */
  static final int JCLOUDS_MAX_RETRIES = 2;
  static final long JCLOUDS_RETRY_DELAY_START_MS = 500;
  /** Nova's metadata limits (servers API schema; default metadata_items quota 128). */
  static final int MAX_METADATA_ITEMS = 128;
  static final int MAX_METADATA_LENGTH = 255;
  /** The first compute microversion whose server view carries the user-data. */
  static final String USER_DATA_MICROVERSION = "2.3";

  private static final Logger log = LoggerFactory.getLogger(NovaCloud.class);
  private static final Pattern METADATA_KEY = Pattern.compile("[a-zA-Z0-9-_:. ]{1,255}");
  private static final Pattern SERVER_NAME =
      Pattern.compile("[^\\p{Cntrl}\\s]([^\\p{Cntrl}]*[^\\p{Cntrl}\\s])?");
  private static final Pattern SERVER_ID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** An image or flavour id or name: no control characters, no surrounding spaces. */
  private static final Pattern REF =
      Pattern.compile("[^\\p{Cntrl}\\s]([^\\p{Cntrl}]{0,253}[^\\p{Cntrl}\\s])?");

  private final String name;
  private final OpenStackOptions options;
  private final Clock clock;
  private final NovaApi nova;
  private final OpenStackRest rest;
  private final GlanceImages glance;
  private final NovaRefs refs;
  private final CallSlots callSlots;
  private volatile boolean closed;

  /**
   * Prepares the connection; reads the password or application credential secret from where
   * the options say. Keystone is first asked on the first call.
   *
   * @throws IllegalArgumentException when the secret's file or variable is missing or empty
   */
  public NovaCloud(String name, OpenStackOptions options) {
    this(name, options, options.auth().secret().read(System::getenv), Clock.systemUTC(),
        new Properties());
  }

  /**
   * As {@link #NovaCloud(String, OpenStackOptions)} with the secret given, the clock that
   * measures Retry-After dates and extra jclouds properties (tests route calls through a
   * fault-injecting proxy with them).
   */
  NovaCloud(String name, OpenStackOptions options, String secret, Clock clock,
      Properties jcloudsOverrides) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(secret, "secret");
    Properties jclouds = jcloudsProperties(options, jcloudsOverrides);
    Injector injector = ContextBuilder.newBuilder(novaApiMetadata())
        .endpoint(options.endpoint().toString())
        .credentials(jcloudsIdentity(options.auth()), secret)
        .overrides(jclouds)
        .modules(Set.of(new QuietLoggingModule()))
        .buildInjector();
    this.nova = injector.getInstance(NovaApi.class);
    this.rest = new OpenStackRest(name, KeystoneSession.of(name, options.region(), injector),
        OpenStackRest.httpClient(options.callTimeout(), jclouds), options.callTimeout(), clock);
    this.glance = new GlanceImages(name, rest, GlanceImages.ACTIVE_WAIT);
    this.refs = new NovaRefs(name, this::imagesNamed, this::allFlavours);
    this.callSlots = new CallSlots(
        "openstack cloud " + name, options.maxConcurrency(), options.callTimeout());
    log.info("openstack cloud ready cloud={} endpoint={} region={} auth={}", name,
        options.endpoint(), options.region(), authMethod(options.auth()));
  }

  /** jclouds' Nova API with {@link KeystoneAuthModule} and without the ComputeService. */
  static ApiMetadata novaApiMetadata() {
    return new NovaApiMetadata().toBuilder()
        .defaultModules(Set.of(KeystoneAuthModule.class, ServiceCatalogModule.class,
            RegionModule.class, NovaParserModule.class, NovaHttpApiModule.class))
        .build();
  }

  static Properties jcloudsProperties(OpenStackOptions options, Properties extra) {
    Properties properties = new Properties();
    properties.setProperty(KeystoneProperties.KEYSTONE_VERSION, "3");
    if (options.auth() instanceof PasswordAuth password) {
      properties.setProperty(
          KeystoneProperties.CREDENTIAL_TYPE, CredentialTypes.PASSWORD_CREDENTIALS);
      String scope = password.project().byId()
          ? "projectId:" + password.project().value()
          : "project:" + password.project().value();
      properties.setProperty(KeystoneProperties.SCOPE, scope);
      properties.setProperty(KeystoneProperties.PROJECT_DOMAIN_NAME, password.projectDomain());
    } else {
      properties.setProperty(
          KeystoneProperties.CREDENTIAL_TYPE, KeystoneAuthModule.APPLICATION_CREDENTIALS);
    }
    properties.setProperty(Constants.PROPERTY_MAX_RETRIES, Integer.toString(JCLOUDS_MAX_RETRIES));
    properties.setProperty(
        Constants.PROPERTY_RETRY_DELAY_START, Long.toString(JCLOUDS_RETRY_DELAY_START_MS));
    String timeoutMillis = Long.toString(options.callTimeout().toMillis());
    properties.setProperty(Constants.PROPERTY_SO_TIMEOUT, timeoutMillis);
    properties.setProperty(Constants.PROPERTY_CONNECTION_TIMEOUT, timeoutMillis);
    String concurrency = Integer.toString(options.maxConcurrency());
    properties.setProperty(Constants.PROPERTY_MAX_CONNECTIONS_PER_HOST, concurrency);
    properties.setProperty(Constants.PROPERTY_MAX_CONNECTIONS_PER_CONTEXT, concurrency);
    properties.putAll(extra);
    return properties;
  }

  /**
   * For the password method jclouds reads "DOMAIN:user" (the user's domain by name); for an
   * application credential the identity is its id.
   */
  static String jcloudsIdentity(OpenStackOptions.Auth auth) {
    if (auth instanceof PasswordAuth password) {
      return password.userDomain() + ":" + password.username();
    }
    return ((ApplicationCredentialAuth) auth).id();
  }

  @Override
  public String name() {
    return name;
  }

  public OpenStackOptions options() {
    return options;
  }

  /**
   * Boots one server: name = machine id, metadata = tags plus {@link Tags#MACHINE_ID}, the
   * user-data, a config drive unless turned off, the configured network if any. Returns at
   * once with the server PENDING ("BUILD"). Image and flavour may be ids or exact names
   * ({@link NovaRefs}).
   *
   * @throws CloudException INVALID_REQUEST before any call for user-data above
   *     {@value #MAX_USER_DATA_BYTES} bytes, metadata Nova would refuse, or an image, flavour
   *     or machine id Nova cannot take; otherwise as classified by {@link NovaErrors}
   */
  @Override
  public CloudMachine create(MachineSpec spec) {
    checkOpen();
    Objects.requireNonNull(spec, "spec");
    Map<String, String> metadata = checkedMetadata(spec);
    byte[] userData = checkedUserData(spec);
    checkRefs(spec);
    CreateServerOptions serverOptions = serverOptions(metadata, userData);
    String imageId = call("find image " + spec.imageRef(), () -> refs.imageId(spec.imageRef()));
    String flavourId = call("find flavour " + spec.flavour(), () -> refs.flavourId(spec.flavour()));
    try {
      ServerCreated created = call("create server", () -> servers().create(
          spec.machineId(), imageId, flavourId, serverOptions));
      log.info("openstack server created cloud={} cloudId={} machineId={} image={} flavour={}",
          name, created.getId(), spec.machineId(), spec.imageRef(), spec.flavour());
      return new CloudMachine(created.getId(), CloudState.PENDING, "BUILD", metadata);
    } catch (CloudException e) {
      if (e.kind() != Kind.TRANSIENT) {
        throw e;
      }
      return recoverLostCreate(spec, e);
    }
  }

  @Override
  public Optional<CloudMachine> describe(String cloudId) {
    checkOpen();
    checkServerId(cloudId);
    Server server = call("get server " + cloudId, () -> servers().get(cloudId));
    return Optional.ofNullable(server).map(NovaCloud::machine);
  }

  /**
   * Servers not deleted whose metadata include all of {@code tags}. Nova cannot filter by
   * metadata: every page of the project's servers is read and matched here. Nova lists a
   * server for a moment as DELETED after its deletion: such servers are left out.
   */
  @Override
  public List<CloudMachine> listTagged(Map<String, String> tags) {
    checkOpen();
    Map<String, String> wanted = Map.copyOf(tags);
    List<Server> all = call("list servers", () -> servers().listInDetail().concat().toList());
    return all.stream()
        .map(NovaCloud::machine)
        .filter(machine -> machine.state() != CloudState.GONE)
        .filter(machine -> machine.tags().entrySet().containsAll(wanted.entrySet()))
        .sorted(Comparator.comparing(CloudMachine::cloudId))
        .toList();
  }

  /**
   * The servers not deleted that were created for this machine id: named after it and
   * carrying it in their metadata, oldest first. Create uses it when an answer was lost.
   */
  public List<CloudMachine> findByMachineId(String machineId) {
    checkOpen();
    checkMachineId(machineId);
    PaginationOptions byName = PaginationOptions.Builder.queryParameters(
        ImmutableMultimap.of("name", "^" + pythonRegexQuote(machineId) + "$"));
    List<Server> named = call("list servers named " + machineId,
        () -> servers().listInDetail(byName).toList());
    return named.stream()
        .filter(server -> machineId.equals(server.getMetadata().get(Tags.MACHINE_ID)))
        .sorted(Comparator.comparing(NovaCloud::createdOrEpoch))
        .map(NovaCloud::machine)
        .filter(machine -> machine.state() != CloudState.GONE)
        .toList();
  }

  /** Deletes the server; one Nova no longer knows is done. */
  @Override
  public void destroy(String cloudId) {
    checkOpen();
    checkServerId(cloudId);
    boolean deleted = call("delete server " + cloudId, () -> servers().delete(cloudId));
    if (!deleted) {
      log.debug("openstack destroy of unknown server cloud={} cloudId={}", name, cloudId);
      return;
    }
    log.info("openstack server deleted cloud={} cloudId={}", name, cloudId);
  }

  /**
   * The project's absolute limits and usage from Nova's {@code GET /limits} ({@link
   * NovaLimits}): instances, cores and RAM, -1 (unlimited) reported as null.
   */
  @Override
  public Optional<ProjectQuota> quota() {
    checkOpen();
    String what = "read limits";
    HttpResponse<String> answer = call(what, () -> rest.send(what,
        () -> HttpRequest.newBuilder(computeUrl("/limits")).timeout(options.callTimeout())
            .header("Accept", "application/json").GET(), Set.of(200)));
    return Optional.of(NovaLimits.parse(name, answer.body()));
  }

  /** Every flavour the project may use, with its vCPUs and RAM, every page read. */
  @Override
  public List<Flavour> flavours() {
    checkOpen();
    List<Flavor> all = call("list flavours",
        () -> nova.getFlavorApi(options.region()).listInDetail().concat().toList());
    return all.stream()
        .map(flavor -> new Flavour(flavor.getId(),
            flavor.getName() == null ? flavor.getId() : flavor.getName(),
            flavor.getVcpus(), flavor.getRam()))
        .sorted(Comparator.comparing(Flavour::id))
        .toList();
  }

  /** Every Glance image the project may see, with Glance's status as the raw state. */
  @Override
  public List<CloudImage> images() {
    return images(GlanceImages.LIST_PAGE);
  }

  /** As {@link #images()}, asking Glance for {@code pageSize} images a page. */
  List<CloudImage> images(int pageSize) {
    checkOpen();
    return call("list images", () -> glance.list(pageSize));
  }

  /**
   * Uploads the image to Glance v2 and waits until it is active ({@link GlanceImages}): a
   * private image with the file's disk format and the properties; its size and hash are
   * checked against the file. A failed delivery deletes what it made. Not counted against
   * {@link OpenStackOptions#maxConcurrency()}: an upload takes minutes, and the caller runs
   * one at a time.
   */
  @Override
  public String deliver(ImageFile file, String name, Map<String, String> properties) {
    checkOpen();
    Objects.requireNonNull(properties, "properties");
    return glance.deliver(file, name, properties);
  }

  /** Deletes a Glance image; one Glance no longer knows is done. */
  @Override
  public void remove(String cloudImageId) {
    checkOpen();
    glance.remove(cloudImageId);
  }

  /**
   * The server's user-data, exactly the bytes given at create: Nova returns it base64 in
   * {@code OS-EXT-SRV-ATTR:user_data} from microversion {@value #USER_DATA_MICROVERSION} on
   * (an admin-only field by default policy); empty when the server has none.
   *
   * @throws CloudException NOT_FOUND when Nova does not know the server
   */
  byte[] userData(String cloudId) {
    checkOpen();
    checkServerId(cloudId);
    String what = "read user-data of server " + cloudId;
    HttpResponse<String> answer = call(what, () -> rest.send(what,
        () -> HttpRequest.newBuilder(serverUrl(cloudId)).timeout(options.callTimeout())
            .header("Accept", "application/json")
            .header("OpenStack-API-Version", "compute " + USER_DATA_MICROVERSION)
            .header("X-OpenStack-Nova-API-Version", USER_DATA_MICROVERSION)
            .GET(), Set.of(200)));
    return decodeUserData(cloudId, answer.body());
  }

  /** Powers the server off (Nova's os-stop action): it goes to SHUTOFF. */
  void stop(String cloudId) {
    checkOpen();
    checkServerId(cloudId);
    call("stop server " + cloudId, () -> {
      servers().stop(cloudId);
      return null;
    });
    log.info("openstack server stopped cloud={} cloudId={}", name, cloudId);
  }

  private URI serverUrl(String cloudId) {
    return computeUrl("/servers/" + cloudId);
  }

  private URI computeUrl(String path) {
    String compute = rest.endpoint("compute").toString().replaceAll("/+$", "");
    return URI.create(compute + path);
  }

  private byte[] decodeUserData(String cloudId, String body) {
    try {
      JsonElement server = JsonParser.parseString(body).getAsJsonObject().get("server");
      if (server == null || !server.isJsonObject()) {
        throw new IllegalStateException("no server object");
      }
      JsonElement encoded = ((JsonObject) server).get("OS-EXT-SRV-ATTR:user_data");
      if (encoded == null) {
        throw new CloudException(Kind.AUTH, "openstack cloud " + name + ": server " + cloudId
            + " is shown without OS-EXT-SRV-ATTR:user_data; reading user-data needs "
            + "microversion " + USER_DATA_MICROVERSION + " and Nova's admin policy");
      }
      return encoded.isJsonNull() ? new byte[0]
          : Base64.getMimeDecoder().decode(encoded.getAsString());
    } catch (JsonParseException | IllegalStateException | IllegalArgumentException
        | ClassCastException e) {
      throw new CloudException(Kind.TRANSIENT, "openstack cloud " + name + ": server "
          + cloudId + " user-data unreadable in Nova's answer: " + e.getClass().getSimpleName());
    }
  }

  /** Closes jclouds' connections and threads. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Closeables.close(nova, true);
    } catch (IOException e) {
      throw new IllegalStateException("unreachable: close swallows IOException", e);
    }
  }

  /** The portable view of a Nova server; the raw state is {@code STATUS/task_state}. */
  static CloudMachine machine(Server server) {
    String status = server.getStatus() == null ? null : server.getStatus().value();
    com.google.common.base.Optional<ServerExtendedStatus> extended = server.getExtendedStatus();
    String task = extended.isPresent() ? extended.get().getTaskState() : null;
    return new CloudMachine(server.getId(), NovaServerState.toCloudState(status, task),
        NovaServerState.raw(status, task), server.getMetadata());
  }

  /**
   * Nova's name filter is a Python regular expression: every character that is not a letter
   * or a digit is escaped, so a machine id matches only itself.
   */
  static String pythonRegexQuote(String text) {
    StringBuilder quoted = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (c < 128 && !Character.isLetterOrDigit(c)) {
        quoted.append('\\');
      }
      quoted.appendCodePoint(c);
    });
    return quoted.toString();
  }

  private CloudMachine recoverLostCreate(MachineSpec spec, CloudException failure) {
    List<CloudMachine> made;
    try {
      made = findByMachineId(spec.machineId());
    } catch (CloudException lookupFailure) {
      failure.addSuppressed(lookupFailure);
      throw failure;
    }
    List<CloudMachine> usable = new ArrayList<>();
    for (CloudMachine machine : made) {
      if (machine.state() == CloudState.ERROR || !usable.isEmpty()) {
        destroyLeftover(spec, machine, failure);
      } else {
        usable.add(machine);
      }
    }
    if (usable.isEmpty()) {
      throw failure;
    }
    CloudMachine found = usable.get(0);
    log.warn("openstack create answer lost, server found by name and metadata cloud={} "
        + "cloudId={} machineId={} reason={}", name, found.cloudId(), spec.machineId(),
        failure.getMessage());
    return found;
  }

  private void destroyLeftover(MachineSpec spec, CloudMachine machine, CloudException failure) {
    log.warn("openstack create failed and left a server, deleting it cloud={} cloudId={} "
        + "machineId={} state={}", name, machine.cloudId(), spec.machineId(), machine.rawState());
    try {
      destroy(machine.cloudId());
    } catch (CloudException e) {
      failure.addSuppressed(e);
    }
  }

  private CreateServerOptions serverOptions(Map<String, String> metadata, byte[] userData) {
    CreateServerOptions serverOptions = new CreateServerOptions()
        .metadata(metadata)
        .configDrive(options.configDrive());
    if (userData.length > 0) {
      serverOptions.userData(userData);
    }
    options.networkId().ifPresent(serverOptions::networks);
    return serverOptions;
  }

  private Map<String, String> checkedMetadata(MachineSpec spec) {
    checkMachineId(spec.machineId());
    Map<String, String> metadata = new TreeMap<>(spec.tags());
    String tagged = metadata.putIfAbsent(Tags.MACHINE_ID, spec.machineId());
    if (tagged != null && !tagged.equals(spec.machineId())) {
      throw refused(spec, "tag " + Tags.MACHINE_ID + " is '" + tagged
          + "' but the machine id is '" + spec.machineId() + "'");
    }
    if (metadata.size() > MAX_METADATA_ITEMS) {
      throw refused(spec, metadata.size() + " metadata items, Nova allows at most "
          + MAX_METADATA_ITEMS + " by default");
    }
    metadata.forEach((key, value) -> {
      if (!METADATA_KEY.matcher(key).matches()) {
        throw refused(spec, "tag key '" + key + "' must be 1 to " + MAX_METADATA_LENGTH
            + " of the characters a-z A-Z 0-9 - _ : . and space");
      }
      if (value.length() > MAX_METADATA_LENGTH) {
        throw refused(spec, "tag " + key + " value is " + value.length()
            + " characters, Nova allows at most " + MAX_METADATA_LENGTH);
      }
    });
    return metadata;
  }

  private byte[] checkedUserData(MachineSpec spec) {
    byte[] userData = spec.userData();
    if (userData.length > MAX_USER_DATA_BYTES) {
      throw refused(spec, "user-data is " + userData.length + " bytes, Nova allows at most "
          + MAX_USER_DATA_BYTES + " bytes before base64");
    }
    return userData;
  }

  private void checkRefs(MachineSpec spec) {
    if (!REF.matcher(spec.imageRef()).matches()) {
      throw refused(spec, "image '" + spec.imageRef() + "' must be 1 to 255 characters "
          + "without control characters or surrounding spaces");
    }
    if (!REF.matcher(spec.flavour()).matches()) {
      throw refused(spec, "flavour '" + spec.flavour() + "' must be 1 to 255 characters "
          + "without control characters or surrounding spaces");
    }
  }

  private void checkMachineId(String machineId) {
    if (machineId == null || machineId.length() > MAX_METADATA_LENGTH
        || !SERVER_NAME.matcher(machineId).matches()) {
      throw new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + name + ": machine id '"
          + machineId + "' cannot name a Nova server: it must be 1 to " + MAX_METADATA_LENGTH
          + " characters without control characters or surrounding spaces");
    }
  }

  private void checkServerId(String cloudId) {
    Objects.requireNonNull(cloudId, "cloudId");
    if (!SERVER_ID.matcher(cloudId).matches()) {
      throw new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + name + ": '" + cloudId
          + "' is not a Nova server id (a UUID)");
    }
  }

  private CloudException refused(MachineSpec spec, String reason) {
    return new CloudException(Kind.INVALID_REQUEST, "openstack cloud " + name
        + ": create of machine " + spec.machineId() + " refused before any call: " + reason);
  }

  private ServerApi servers() {
    return nova.getServerApi(options.region());
  }

  private List<Resource> imagesNamed(String imageName) {
    PaginationOptions byName = PaginationOptions.Builder.queryParameters(
        ImmutableMultimap.of("name", imageName));
    return nova.getImageApi(options.region()).list(byName).toList();
  }

  private List<Resource> allFlavours() {
    return nova.getFlavorApi(options.region()).list().concat().toList();
  }

  private static Date createdOrEpoch(Server server) {
    return server.getCreated() == null ? new Date(0) : server.getCreated();
  }

  private static String authMethod(OpenStackOptions.Auth auth) {
    return auth instanceof PasswordAuth ? "password" : "application_credential";
  }

  /** Runs one call within the concurrency limit; every failure leaves classified. */
  private <T> T call(String what, Supplier<T> body) {
    return callSlots.call(what, body, e -> NovaErrors.classify(name, what, e, clock));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("openstack cloud " + name + " is closed");
    }
  }
}
