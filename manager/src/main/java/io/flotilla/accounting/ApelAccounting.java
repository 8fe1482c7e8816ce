package io.flotilla.accounting;

import io.flotilla.config.ControlConfig.AccountingConfig;
import io.flotilla.config.SiteConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.control.MachineType;
import io.flotilla.control.PlanInputs;
import io.flotilla.state.MachineRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns finished machines into APEL individual-job records, one per machine, in the
 * Vac/Vcycle convention: the machine id is the LocalJobId, the VO (machine type) is the
 * Queue and LocalUserId, the space becomes the GlobalUserName as a DC-style DN. A VM
 * reports no CPU time, so CpuDuration is wall time times processors, as Vcycle records it.
 * Machines that never started, and (unless configured) those that fizzled, get no record.
 */
public final class ApelAccounting {
  static final String INFRASTRUCTURE = "APEL-FLOTILLA";

  private final SiteConfig config;
  private final ApelOutbox outbox;
  private final Map<String, MachineType> types = new LinkedHashMap<>();
  private final String host;

  public ApelAccounting(SiteConfig config, ApelOutbox outbox) {
    this.config = config;
    this.outbox = outbox;
    PlanInputs.types(config).forEach(t -> types.put(t.name(), t));
    this.host = localHost();
  }

  /**
   * The APEL accounting of a site, or null when {@code accounting.apel_dir} is not set. The
   * archive defaults to {@code apel-archive} in the state folder.
   */
  public static ApelAccounting open(SiteConfig config, java.time.Clock clock) {
    AccountingConfig settings = config.control().accounting();
    if (settings.apelDir() == null) {
      return null;
    }
    Path archive = settings.archiveDir() != null ? settings.archiveDir()
        : config.stateDir().resolve("apel-archive");
    return new ApelAccounting(config, new ApelOutbox(settings.apelDir(), archive, clock));
  }

  public ApelOutbox outbox() {
    return outbox;
  }

  /**
   * Writes the records of {@code ended} as one message, leaving out machines already
   * recorded and those that get no record.
   *
   * @return how many records were written
   */
  public int write(List<MachineRecord> ended) {
    List<ApelRecord> records = new ArrayList<>();
    for (MachineRecord machine : ended) {
      record(machine).ifPresent(records::add);
    }
    return outbox.write(records);
  }

  /** The record of one finished machine, or empty if it gets none. */
  public Optional<ApelRecord> record(MachineRecord machine) {
    if (machine.startedAt() == null || machine.endedAt() == null) {
      return Optional.empty();
    }
    AccountingConfig settings = config.control().accounting();
    // From the whole seconds written as StartTime and EndTime, so the three always agree.
    long wall = Math.max(0, machine.endedAt().getEpochSecond()
        - machine.startedAt().getEpochSecond());
    MachineType type = types.get(machine.vo());
    if (!settings.includeFizzled() && type != null
        && Duration.ofSeconds(wall).compareTo(type.fizzle()) < 0) {
      return Optional.empty();
    }
    return Optional.of(new ApelRecord(fields(machine, wall, settings)));
  }

  private Map<String, String> fields(MachineRecord machine, long wall,
      AccountingConfig settings) {
    int processors = Math.max(1, machine.spec().cores());
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("Site", config.site());
    fields.put("SubmitHost", settings.submitHost() != null ? settings.submitHost()
        : machine.cloud() + "/flotilla-" + host);
    fields.put("MachineName", machine.cloudId() != null ? machine.cloudId() : machine.id());
    fields.put("Queue", machine.vo());
    fields.put("LocalJobId", machine.id());
    fields.put("LocalUserId", machine.vo());
    fields.put("GlobalUserName", spaceDn(machine.cloud()));
    String fqan = config.control().vo(machine.vo()).fqan();
    if (fqan != null) {
      fields.put("FQAN", fqan);
    }
    fields.put("WallDuration", Long.toString(wall));
    fields.put("CpuDuration", Long.toString(wall * processors));
    fields.put("Processors", Integer.toString(processors));
    fields.put("NodeCount", "1");
    fields.put("StartTime", Long.toString(machine.startedAt().getEpochSecond()));
    fields.put("EndTime", Long.toString(machine.endedAt().getEpochSecond()));
    fields.put("InfrastructureDescription", INFRASTRUCTURE);
    fields.put("InfrastructureType", settings.infrastructureType());
    addServiceLevel(fields, machine, processors);
    return fields;
  }

  /** HS06 per processor; left out (APEL then applies none) when the VO declares none. */
  private void addServiceLevel(Map<String, String> fields, MachineRecord machine,
      int processors) {
    double perProcessor = machine.spec().hs06() / processors;
    if (perProcessor <= 0) {
      Optional<VoConfig> vo = config.vo(machine.vo());
      perProcessor = vo.map(VoConfig::hs06PerCore).orElse(0.0);
    }
    if (perProcessor > 0) {
      fields.put("ServiceLevelType", "HEPSPEC");
      fields.put("ServiceLevel", String.format(Locale.ROOT, "%.3f", perProcessor));
    }
  }

  /** {@code vcycle01.example.com} becomes {@code /DC=com/DC=example/DC=vcycle01}. */
  static String spaceDn(String space) {
    String[] parts = space.split("\\.");
    StringBuilder dn = new StringBuilder();
    for (int i = parts.length - 1; i >= 0; i--) {
      if (!parts[i].isEmpty()) {
        dn.append("/DC=").append(parts[i]);
      }
    }
    return dn.length() == 0 ? "/DC=" + space : dn.toString();
  }

  /** The kernel's host name, read locally so that no name lookup leaves the machine. */
  private static String localHost() {
    try {
      String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      return name.isEmpty() || name.chars().anyMatch(Character::isWhitespace) ? "localhost"
          : name;
    } catch (IOException e) {
      return "localhost";
    }
  }
}
