package io.flotilla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import io.flotilla.config.ConfigException;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.SiteConfigLoader;
import io.flotilla.control.Backoff;
import io.flotilla.control.DemandBook;
import io.flotilla.control.PlanAction;
import io.flotilla.control.PlanInput;
import io.flotilla.control.PlanInputs;
import io.flotilla.control.Planner;
import io.flotilla.lifecycle.CloudListing;
import io.flotilla.lifecycle.DrainBook;
import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.sandbox.SandboxCloud;
import io.flotilla.provider.sandbox.SandboxOptions;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineStore;
import io.flotilla.state.RecordSeal;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flotilla plan SITE.yaml}: what the next pass would create and drain, and why,
 * changing nothing. It reads the running managers' shared state as a Hazelcast client (a
 * client is never a member, so it can never lead), or, with no manager running, plans from
 * the clouds' own listings.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Shows what the next reconcile pass would create and drain, and why,"
        + " without changing anything.",
        "Exit status: 0 when a plan was made, 2 when the configuration is refused."})
public final class PlanCommand implements Callable<Integer> {
  /** How long to look for a running manager before planning from the clouds alone. */
  static final long CONNECT_TIMEOUT_MILLIS = 3000;

  @Parameters(index = "0", paramLabel = "SITE.yaml", description = "the site configuration")
  Path siteFile;

  @Option(names = "--json", description = "print the plan as a JSON list of actions")
  boolean json;

  @Option(names = "--offline", description = "do not look for running managers")
  boolean offline;

  PrintStream out = System.out;
  PrintStream err = System.err;
  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() throws Exception {
    SiteConfig config;
    try {
      config = SiteConfigLoader.load(siteFile);
    } catch (ConfigException e) {
      err.println("flotilla: the site configuration is refused:");
      e.problems().forEach(p -> err.println("  " + p));
      return 2;
    }
    HazelcastInstance client = offline ? null : connect(config);
    try {
      Planned planned = client != null ? fromCluster(config, client) : fromClouds(config);
      print(planned);
      return 0;
    } finally {
      if (client != null) {
        client.shutdown();
      }
    }
  }

  /** A plan and where its input came from. */
  record Planned(String source, Instant at, List<PlanAction> actions) {}

  private HazelcastInstance connect(SiteConfig config) {
    ClientConfig settings = new ClientConfig();
    settings.setClusterName(config.cluster().name());
    settings.setProperty("hazelcast.phone.home.enabled", "false");
    // The client's own retries are noise here: a missing cluster is reported once, below.
    settings.setProperty("hazelcast.logging.type", "none");
    settings.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(CONNECT_TIMEOUT_MILLIS);
    for (String member : config.cluster().members()) {
      if (member.contains(":")) {
        settings.getNetworkConfig().addAddress(member);
      } else {
        // Members take the first free port of twenty from the configured one.
        for (int port = config.cluster().port(); port < config.cluster().port() + 20; port++) {
          settings.getNetworkConfig().addAddress(member + ":" + port);
        }
      }
    }
    try {
      return HazelcastClient.newHazelcastClient(settings);
    } catch (IllegalStateException e) {
      err.println("flotilla: no running manager found for cluster " + config.cluster().name()
          + "; planning from the clouds' listings alone");
      return null;
    }
  }

  private Planned fromCluster(SiteConfig config, HazelcastInstance client) {
    Map<String, String> machines = client.getMap("flotilla.machines");
    List<MachineRecord> records = new MachineStore(new ConcurrentHashMap<>(machines),
        RecordSeal.fromFile(config.cluster().secretFile())).all();
    Backoff.View backoff = new Backoff(client.getMap("flotilla.backoff")).view();
    DrainBook.View drains = new DrainBook(client.getMap("flotilla.drains"),
        config.control().imageRevocation()).view();
    DemandBook demand = new DemandBook(new ConcurrentHashMap<>(
        client.<String, Integer>getMap("flotilla.demand")), config.control());
    Map<String, CloudListing> listings = new HashMap<>();
    Instant now = clock.instant();
    config.clouds().forEach(c -> listings.put(c.name(), new CloudListing(true, now, Map.of())));
    PlanInput input = PlanInputs.input(config, PlanInputs.summaries(records),
        PlanInputs.spaces(config, listings, Map.of(), PlanInputs.QuotaSource.fromOptions()),
        demand, backoff, drains, Map.of(), now);
    return new Planned("running managers (Hazelcast client, " + records.size()
        + " machine records)", now, Planner.plan(input));
  }

  /**
   * With no manager running there are no records: every machine the clouds list with this
   * site's tags counts as a live machine of the VO in its tags.
   */
  private Planned fromClouds(SiteConfig config) {
    Instant now = clock.instant();
    Map<String, CloudListing> listings = new HashMap<>();
    Map<String, List<CloudMachine>> foreign = new HashMap<>();
    List<MachineRecord> records = new ArrayList<>();
    for (CloudConfig cloud : config.clouds()) {
      listings.put(cloud.name(), list(config, cloud, foreign, records, now));
    }
    PlanInput input = PlanInputs.input(config, PlanInputs.summaries(records),
        PlanInputs.spaces(config, listings, foreign, PlanInputs.QuotaSource.fromOptions()),
        new DemandBook(new ConcurrentHashMap<>(), config.control()), Backoff.View.none(),
        new DrainBook(new ConcurrentHashMap<>(), config.control().imageRevocation()).view(),
        Map.of(), now);
    return new Planned("cloud listings only (no manager running)", now, Planner.plan(input));
  }

  private CloudListing list(SiteConfig config, CloudConfig cloud,
      Map<String, List<CloudMachine>> foreign, List<MachineRecord> records, Instant now) {
    if (!"sandbox".equals(cloud.type())) {
      err.println("flotilla: cloud " + cloud.name() + " (" + cloud.type() + ") cannot be"
          + " listed by plan in this version; nothing is planned there");
      return CloudListing.unavailable(now);
    }
    // A sandbox lives inside the manager that runs it: a fresh one is always empty.
    try (SandboxCloud sandbox = new SandboxCloud(cloud.name(),
        SandboxOptions.fromMap(cloud.options()))) {
      List<CloudMachine> others = new ArrayList<>();
      Map<String, CloudMachine> ours = PlanInputs.ours(config.site(),
          sandbox.listTagged(Map.of()), others);
      foreign.put(cloud.name(), others);
      ours.values().forEach(m -> records.add(ListedMachines.record(config, cloud, m, now)));
      return new CloudListing(true, now, ours);
    } catch (CloudException e) {
      err.println("flotilla: cloud " + cloud.name() + " cannot be listed: " + e.getMessage());
      return CloudListing.unavailable(now);
    }
  }

  private void print(Planned planned) throws Exception {
    if (json) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (PlanAction action : planned.actions()) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("action", action.kind().name().toLowerCase(java.util.Locale.ROOT));
        item.put("vo", action.vo());
        item.put("space", action.space());
        item.put("count", action.count());
        item.put("reason", action.reason());
        list.add(item);
      }
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(list));
      return;
    }
    out.println("plan at " + planned.at() + " from " + planned.source() + ":");
    if (planned.actions().isEmpty()) {
      out.println("  nothing to create or drain");
    }
    for (PlanAction action : planned.actions()) {
      out.printf("  %-6s %-20s %-16s %5d  %s%n",
          action.kind().name().toLowerCase(java.util.Locale.ROOT), action.vo(),
          action.space(), action.count(), action.reason());
    }
  }
}
