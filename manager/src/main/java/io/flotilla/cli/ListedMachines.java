package io.flotilla.cli;

import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.Tags;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.state.MachineState;
import java.time.Instant;

/**
 * Stand-in records for machines a cloud lists with this site's tags when no manager is
 * running: a RUNNING machine of the VO in its tags, sized as that VO is configured, so the
 * planner counts it against shares and limits.
 */
final class ListedMachines {
  private ListedMachines() {}

  static MachineRecord record(SiteConfig config, CloudConfig cloud, CloudMachine machine,
      Instant now) {
    String voName = machine.tags().getOrDefault(Tags.VO, "unknown");
    VoConfig vo = config.vo(voName).orElse(null);
    MachineSpecs specs = vo == null ? new MachineSpecs(1, 0, 0, 0, 0, 0)
        : new MachineSpecs(vo.cores(), vo.ramMb(), vo.hs06PerCore() * vo.cores(),
            vo.lifetime().toSeconds(), vo.grace().toSeconds(), vo.heartbeat().toSeconds());
    return MachineRecord.requested(machine.machineId(), voName, cloud.name(),
        vo == null ? "unknown" : vo.image(), specs, "", now)
        .moveTo(MachineState.CREATING, now, "listed by the cloud")
        .withCloudId(machine.cloudId(), now)
        .moveTo(MachineState.RUNNING, now, "listed by the cloud");
  }
}
