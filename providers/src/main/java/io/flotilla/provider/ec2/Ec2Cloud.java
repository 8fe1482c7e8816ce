package io.flotilla.provider.ec2;

import com.google.common.collect.ImmutableMultimap;
import com.google.common.collect.Multimap;
import com.google.common.io.Closeables;
import com.google.inject.Injector;
import io.flotilla.provider.CallSlots;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudProvider;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.io.IOException;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jclouds.Constants;
import org.jclouds.ContextBuilder;
import org.jclouds.aws.ec2.AWSEC2Api;
import org.jclouds.aws.ec2.features.AWSInstanceApi;
import org.jclouds.aws.filters.FormSigner;
import org.jclouds.ec2.domain.Reservation;
import org.jclouds.ec2.domain.RunningInstance;
import org.jclouds.http.HttpCommandExecutorService;
import org.jclouds.lifecycle.Closer;
import org.jclouds.location.reference.LocationConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An EC2 account (or an EC2-compatible cloud) through jclouds' lower-level EC2 API: the
 * Query API actions RunInstances, DescribeInstances and TerminateInstances, without jclouds'
 * portable ComputeService (which tags after the create, needs security groups and key pairs
 * of its own, and looks up placement groups after a destroy).
 *
 * <p>Idempotency: the machine id is the RunInstances ClientToken. When RunInstances fails in
 * a way that may hide a created instance (a lost answer, a timeout, a server error), create
 * looks the token up before it tries again, so a retried create never makes a second
 * instance, even on a cloud that does not deduplicate tokens itself.
 *
 * <p>Every call goes to {@link Ec2Options#endpoint()} only (see {@link PinnedEndpointModule}).
 * At most {@link Ec2Options#maxConcurrency()} calls run at once; the others wait up to the
 * call timeout. Thread-safe.
 */
public final class Ec2Cloud implements CloudProvider {

  /** EC2 refuses more raw user-data than this (before base64). */
  public static final int MAX_USER_DATA_BYTES = 16 * 1024;
  /** The EC2 API version sent: the first one that documents TagSpecification in RunInstances. */
  static final String API_VERSION = "2016-11-15";
  /** jclouds' own retries of throttled or failed calls: fewer and slower than its default. */
  static final int JCLOUDS_MAX_RETRIES = 2;
  static final long JCLOUDS_RETRY_DELAY_START_MS = 500;
  /** RunInstances attempts per create, each after a client-token lookup found nothing. */
  static final int CREATE_ATTEMPTS = 2;

  private static final Logger log = LoggerFactory.getLogger(Ec2Cloud.class);
  private static final int MAX_CLIENT_TOKEN = 64;
  private static final int MAX_TAGS = 50;
  private static final int MAX_TAG_KEY = 128;
  private static final int MAX_TAG_VALUE = 256;
  private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");
  private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x21-\\x7e]+");
  private static final List<String> LIVE_STATES =
      List.of("pending", "running", "shutting-down", "stopping", "stopped");

  private final String name;
  private final Ec2Options options;
  private final Clock clock;
  private final Closer jclouds;
  private final ClientTokenSearch tokenSearch;
  private final SignedQuery query;
  private final AWSInstanceApi instances;
  private final CallSlots callSlots;
  private volatile boolean closed;

  /**
   * Connects to the account; reads the access key from where the options say.
   *
   * @throws IllegalArgumentException when the key files or variables are missing or empty
   */
  public Ec2Cloud(String name, Ec2Options options) {
    this(name, options, options.credentials().read(System::getenv), Clock.systemUTC(),
        new Properties());
  }

  /**
   * As {@link #Ec2Cloud(String, Ec2Options)} with the key given, the clock that measures skew
   * and extra jclouds properties (tests use them to route calls through a recording proxy).
   */
  Ec2Cloud(String name, Ec2Options options, Ec2Credentials credentials, Clock clock,
      Properties jcloudsOverrides) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(credentials, "credentials");
    Injector injector = ContextBuilder.newBuilder("aws-ec2")
        .endpoint(options.endpoint().toString())
        .credentials(credentials.accessKeyId(), credentials.secretAccessKey())
        .overrides(jcloudsProperties(options, jcloudsOverrides))
        .modules(Set.of(
            new PinnedEndpointModule(options.region(), options.endpoint()),
            new QuietWireLoggingModule()))
        .buildInjector();
    this.jclouds = injector.getInstance(Closer.class);
    try {
      this.instances = injector.getInstance(AWSEC2Api.class).getInstanceApi().toJavaUtil()
          .orElseThrow(() -> new IllegalStateException(
              "ec2 cloud " + name + ": jclouds offers no instance API"));
      this.tokenSearch = new ClientTokenSearch(name, options.endpoint(),
          injector.getInstance(HttpCommandExecutorService.class),
          injector.getInstance(FormSigner.class));
      this.query = new SignedQuery(options.endpoint(),
          injector.getInstance(HttpCommandExecutorService.class),
          injector.getInstance(FormSigner.class));
    } catch (RuntimeException e) {
      closeQuietly(jclouds);
      throw e;
    }
    this.callSlots = new CallSlots(
        "ec2 cloud " + name, options.maxConcurrency(), options.callTimeout());
    log.info("ec2 cloud ready cloud={} endpoint={} region={}",
        name, options.endpoint(), options.region());
  }

  static Properties jcloudsProperties(Ec2Options options, Properties extra) {
    Properties properties = new Properties();
    properties.setProperty(LocationConstants.PROPERTY_REGIONS, options.region());
    properties.setProperty(Constants.PROPERTY_API_VERSION, API_VERSION);
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

  @Override
  public String name() {
    return name;
  }

  public Ec2Options options() {
    return options;
  }

  /**
   * Starts one instance with RunInstances: ClientToken = machine id, the user-data, and the
   * tags (plus {@link Tags#MACHINE_ID}) as TagSpecifications of the same call.
   *
   * @throws CloudException INVALID_REQUEST before any call for user-data above
   *     {@value #MAX_USER_DATA_BYTES} bytes, a machine id that cannot be a client token, or
   *     tags EC2 would refuse; otherwise as classified by {@link Ec2Errors}
   */
  @Override
  public CloudMachine create(MachineSpec spec) {
    checkOpen();
    Objects.requireNonNull(spec, "spec");
    Map<String, String> tags = checkedTags(spec);
    byte[] userData = checkedUserData(spec);
    checkClientToken(spec.machineId());
    TaggedRunOptions runOptions = runOptions(spec, tags, userData);

    CloudException lastFailure = null;
    for (int attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
      try {
        return runInstance(spec, tags, runOptions);
      } catch (CloudException e) {
        if (e.kind() != Kind.TRANSIENT) {
          throw e;
        }
        Optional<CloudMachine> made = recoverByClientToken(spec, e);
        if (made.isPresent()) {
          return made.get();
        }
        lastFailure = e;
        log.warn("ec2 create failed, no instance holds its client token cloud={} machineId={} "
            + "attempt={} of={} reason={}", name, spec.machineId(), attempt, CREATE_ATTEMPTS,
            e.getMessage());
      }
    }
    throw lastFailure;
  }

  @Override
  public Optional<CloudMachine> describe(String cloudId) {
    checkOpen();
    checkInstanceId(cloudId);
    return call("DescribeInstances", () ->
        machines(instances.describeInstancesInRegion(options.region(), cloudId)))
        .filter(machine -> machine.cloudId().equals(cloudId))
        .findFirst();
  }

  /**
   * Instances not yet terminated whose tags include all of {@code tags} (DescribeInstances
   * with tag filters; the match is checked again here, exactly, since EC2 filter values
   * treat {@code *} and {@code ?} as wildcards).
   */
  @Override
  public List<CloudMachine> listTagged(Map<String, String> tags) {
    checkOpen();
    Map<String, String> wanted = Map.copyOf(tags);
    ImmutableMultimap.Builder<String, String> filter = ImmutableMultimap.builder();
    filter.putAll("instance-state-name", LIVE_STATES);
    wanted.forEach((key, value) -> filter.put("tag:" + key, value));
    Multimap<String, String> filters = filter.build();
    return call("DescribeInstances", () ->
        machines(instances.describeInstancesInRegionWithFilter(options.region(), filters)))
        .filter(machine -> machine.tags().entrySet().containsAll(wanted.entrySet()))
        .sorted(Comparator.comparing(CloudMachine::cloudId))
        .toList();
  }

  /**
   * Finds the instance RunInstances made with this client token (our machine id), tagged or
   * not: recovery uses it when a create's answer was lost. Prefers an instance that is not
   * terminated.
   */
  public Optional<CloudMachine> findByClientToken(String clientToken) {
    checkOpen();
    checkClientToken(clientToken);
    return call("DescribeInstances", () -> tokenSearch.find(clientToken)).stream()
        .map(instance -> new CloudMachine(instance.id(), toCloudState(instance.rawState()),
            instance.rawState(), instance.tags()))
        .min(Comparator.comparing(machine -> machine.state() == CloudState.GONE));
  }

  /** TerminateInstances; an instance EC2 no longer knows, or already terminated, is done. */
  @Override
  public void destroy(String cloudId) {
    checkOpen();
    checkInstanceId(cloudId);
    try {
      call("TerminateInstances", () ->
          instances.terminateInstancesInRegion(options.region(), cloudId));
    } catch (CloudException e) {
      if (e.kind() != Kind.NOT_FOUND) {
        throw e;
      }
      log.debug("ec2 destroy of unknown instance cloud={} cloudId={}", name, cloudId);
      return;
    }
    log.info("ec2 instance terminated cloud={} cloudId={}", name, cloudId);
  }

  /**
   * The instance's user-data as EC2 returns it to anyone allowed to read the instance
   * (DescribeInstanceAttribute userData): the bytes a guest reads from its metadata service.
   */
  byte[] userData(String cloudId) {
    checkOpen();
    checkInstanceId(cloudId);
    byte[] answer = call("DescribeInstanceAttribute", () -> query.send(Map.of(
        "Action", "DescribeInstanceAttribute", "Attribute", "userData",
        "InstanceId", cloudId)));
    try {
      return InstancesXml.userData(answer);
    } catch (IllegalArgumentException e) {
      throw new CloudException(Kind.TRANSIENT, "ec2 cloud " + name
          + ": DescribeInstanceAttribute of " + cloudId + " answered unreadably: "
          + e.getMessage(), e);
    }
  }

  /** StopInstances, as a guest's own shutdown does with EC2's default shutdown behaviour. */
  void stop(String cloudId) {
    checkOpen();
    checkInstanceId(cloudId);
    call("StopInstances", () -> instances.stopInstancesInRegion(options.region(), false, cloudId));
    log.info("ec2 instance stopped cloud={} cloudId={}", name, cloudId);
  }

  /** EC2's instance states in the portable few; the raw word stays in the machine. */
  static CloudState toCloudState(String rawState) {
    if (rawState == null) {
      return CloudState.UNKNOWN;
    }
    return switch (rawState) {
      case "pending" -> CloudState.PENDING;
      case "running" -> CloudState.RUNNING;
      case "shutting-down", "stopping" -> CloudState.STOPPING;
      case "stopped" -> CloudState.STOPPED;
      case "terminated" -> CloudState.GONE;
      default -> CloudState.UNKNOWN;
    };
  }

  /** Closes jclouds' connections and threads. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(jclouds);
  }

  private static void closeQuietly(Closer closer) {
    try {
      Closeables.close(closer, true);
    } catch (IOException e) {
      throw new IllegalStateException("unreachable: close swallows IOException", e);
    }
  }

  private CloudMachine runInstance(
      MachineSpec spec, Map<String, String> tags, TaggedRunOptions runOptions) {
    Reservation<? extends RunningInstance> reservation = call("RunInstances", () ->
        instances.runInstancesInRegion(
            options.region(), null, spec.imageRef(), 1, 1, runOptions));
    CloudMachine answered = machines(Set.of(reservation)).findFirst()
        .orElseThrow(() -> new CloudException(Kind.TRANSIENT, "ec2 cloud " + name
            + ": RunInstances for machine " + spec.machineId() + " answered no instance"));
    // jclouds' RunInstances parser drops the tag set; EC2 applies TagSpecifications with the
    // launch or fails the launch, so a successful answer means the instance has our tags.
    CloudMachine machine = answered.tags().isEmpty()
        ? new CloudMachine(answered.cloudId(), answered.state(), answered.rawState(), tags)
        : answered;
    log.info("ec2 instance created cloud={} cloudId={} machineId={} image={} type={}",
        name, machine.cloudId(), spec.machineId(), spec.imageRef(), spec.flavour());
    return machine;
  }

  private Optional<CloudMachine> recoverByClientToken(MachineSpec spec, CloudException failure) {
    Optional<CloudMachine> made;
    try {
      made = findByClientToken(spec.machineId());
    } catch (CloudException lookupFailure) {
      // Without the lookup a second RunInstances could make a second instance on a cloud
      // that does not honour tokens: give up and let the caller retry later.
      failure.addSuppressed(lookupFailure);
      throw failure;
    }
    made.ifPresent(machine -> log.warn("ec2 create answer lost, instance found by client token "
        + "cloud={} cloudId={} machineId={} reason={}", name, machine.cloudId(),
        spec.machineId(), failure.getMessage()));
    return made;
  }

  private TaggedRunOptions runOptions(
      MachineSpec spec, Map<String, String> tags, byte[] userData) {
    TaggedRunOptions runOptions = new TaggedRunOptions().withInstanceTags(tags);
    runOptions.asType(spec.flavour());
    runOptions.withClientToken(spec.machineId());
    if (userData.length > 0) {
      runOptions.withUserData(userData);
    }
    options.subnetId().ifPresent(runOptions::withSubnetId);
    if (!options.securityGroupIds().isEmpty()) {
      runOptions.withSecurityGroupIds(options.securityGroupIds());
    }
    options.keyName().ifPresent(runOptions::withKeyName);
    return runOptions;
  }

  private Map<String, String> checkedTags(MachineSpec spec) {
    Map<String, String> tags = new TreeMap<>(spec.tags());
    String tagged = tags.putIfAbsent(Tags.MACHINE_ID, spec.machineId());
    if (tagged != null && !tagged.equals(spec.machineId())) {
      throw refused(spec, "tag " + Tags.MACHINE_ID + " is '" + tagged
          + "' but the machine id is '" + spec.machineId() + "'");
    }
    if (tags.size() > MAX_TAGS) {
      throw refused(spec, tags.size() + " tags, EC2 allows at most " + MAX_TAGS);
    }
    tags.forEach((key, value) -> {
      if (key.isEmpty() || key.length() > MAX_TAG_KEY || key.startsWith("aws:")) {
        throw refused(spec, "tag key '" + key + "' must be 1 to " + MAX_TAG_KEY
            + " characters and not start with aws:");
      }
      if (value.length() > MAX_TAG_VALUE) {
        throw refused(spec, "tag " + key + " value is " + value.length()
            + " characters, EC2 allows at most " + MAX_TAG_VALUE);
      }
    });
    return tags;
  }

  private byte[] checkedUserData(MachineSpec spec) {
    byte[] userData = spec.userData();
    if (userData.length > MAX_USER_DATA_BYTES) {
      throw refused(spec, "user-data is " + userData.length + " bytes, EC2 allows at most "
          + MAX_USER_DATA_BYTES + " bytes before base64");
    }
    return userData;
  }

  private void checkClientToken(String token) {
    if (token == null || token.length() > MAX_CLIENT_TOKEN
        || !PRINTABLE_ASCII.matcher(token).matches()) {
      throw new CloudException(Kind.INVALID_REQUEST, "ec2 cloud " + name + ": machine id '"
          + token + "' cannot be an EC2 client token: it must be 1 to " + MAX_CLIENT_TOKEN
          + " printable ASCII characters without spaces");
    }
  }

  private void checkInstanceId(String cloudId) {
    Objects.requireNonNull(cloudId, "cloudId");
    if (!INSTANCE_ID.matcher(cloudId).matches()) {
      throw new CloudException(Kind.INVALID_REQUEST, "ec2 cloud " + name + ": '" + cloudId
          + "' is not an EC2 instance id (i- and 8 to 17 hex digits)");
    }
  }

  private CloudException refused(MachineSpec spec, String reason) {
    return new CloudException(Kind.INVALID_REQUEST, "ec2 cloud " + name + ": create of machine "
        + spec.machineId() + " refused before any call: " + reason);
  }

  private Stream<CloudMachine> machines(
      Set<? extends Reservation<? extends RunningInstance>> reservations) {
    return reservations.stream()
        .flatMap(Reservation::stream)
        .map(instance -> new CloudMachine(instance.getId(),
            toCloudState(instance.getRawState()), instance.getRawState(), instance.getTags()));
  }

  /** Runs one EC2 call within the concurrency limit; every failure leaves classified. */
  private <T> T call(String action, Supplier<T> body) {
    return callSlots.call(action, body, e -> Ec2Errors.classify(name, action, e, clock));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("ec2 cloud " + name + " is closed");
    }
  }
}
