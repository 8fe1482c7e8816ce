package io.flotilla.control;

import io.flotilla.config.SiteConfig;
import io.flotilla.config.SiteConfig.CloudConfig;
import io.flotilla.config.VoConfig;
import io.flotilla.context.ContextRenderer;
import io.flotilla.context.ContextValues;
import io.flotilla.context.ManagerIdentity;
import io.flotilla.context.RenderedContext;
import io.flotilla.guest.GuestTokens;
import io.flotilla.guest.GuestUrls;
import io.flotilla.images.CloudImages;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import io.flotilla.state.MachineRecord;
import io.flotilla.state.MachineSpecs;
import io.flotilla.trust.ImageCatalog.EndorsedImage;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns "one more machine of this VO on this cloud" into the record to write and the spec to
 * send: a fresh id, a fresh guest token (only its hash is recorded), and user-data rendered
 * from the VO's template. Templates are compiled once, when the manager starts.
 */
public final class MachinePlanner {
  private final SiteConfig config;
  private final ContextRenderer renderer;
  private final String managerHostname = ManagerIdentity.hostname();
  private final Clock clock;
  private final CloudImages cloudImages;

  /** A machine ready to be recorded and created. */
  public record Planned(MachineRecord record, MachineSpec spec) {}

  /**
   * @throws io.flotilla.context.ContextException if a VO's template is missing or broken
   */
  public MachinePlanner(SiteConfig config, Clock clock, CloudImages cloudImages) {
    this.config = config;
    this.clock = clock;
    this.cloudImages = cloudImages;
    this.renderer = new ContextRenderer(config);
  }

  /**
   * The cloud's reference for an endorsed image: mapped in the site file, the image itself
   * on the sandbox, or the copy delivered to a cloud that needs the bytes. Empty while the
   * image is not (or no longer) endorsed or not yet on that cloud.
   */
  public Optional<String> cloudImage(CloudConfig cloud, String imageId) {
    return cloudImages.cloudImageRef(cloud.name(), imageId);
  }

  /** Plans one machine. */
  public Planned plan(VoConfig vo, CloudConfig cloud, EndorsedImage image, String imageRef) {
    String id = UUID.randomUUID().toString();
    String token = GuestTokens.newToken();
    GuestUrls urls = GuestUrls.of(config.guestApi().advertisedUrl(), id, token);
    ContextValues values = new ContextValues(id, vo.name(), config.site(), cloud.name(), urls,
        vo.heartbeat().toSeconds(), imageRef, managerHostname, ManagerIdentity.version());
    RenderedContext context = renderer.render(vo, cloud.type(), values);
    MachineSpecs specs = new MachineSpecs(vo.cores(), vo.ramMb(), vo.hs06PerCore() * vo.cores(),
        vo.lifetime().toSeconds(), vo.grace().toSeconds(), vo.heartbeat().toSeconds());
    MachineRecord record = MachineRecord.requested(id, vo.name(), cloud.name(),
        image.image().identifier(), specs, GuestTokens.hash(token), clock.instant());
    Map<String, String> tags = Map.of(Tags.MACHINE_ID, id, Tags.SITE, config.site(),
        Tags.VO, vo.name());
    return new Planned(record, new MachineSpec(id, imageRef, vo.flavour(), context.userData(),
        tags, context.metadata()));
  }
}
