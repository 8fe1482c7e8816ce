package io.flotilla.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.config.SiteConfig.EndorserConfig;
import io.flotilla.config.SiteConfig.NewImagePolicy;
import io.flotilla.config.SiteConfig.SubscriptionConfig;
import io.flotilla.images.ImageEvents;
import io.flotilla.images.ImageVersion;
import io.flotilla.images.LoopbackFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Subscription options and image events of the catalog, over loopback HTTP. */
class ImageCatalogTest {
  private static final String A = "aaaaaaaa-0000-4000-8000-000000000001";
  private static final String B = "bbbbbbbb-0000-4000-8000-000000000002";
  private static final String SHA_1 = "11".repeat(64);
  private static final String SHA_2 = "22".repeat(64);
  private static final String EXPIRES = "2025-02-01T00:00:00Z";

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-10T00:00:00Z"));
  private final List<String> events = new ArrayList<>();
  private LoopbackFiles server;
  private String url;

  @BeforeEach
  void start() throws IOException {
    server = new LoopbackFiles();
    url = server.serve("/list", list("1", image(A, SHA_1)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void refresh_whenServerAnswers304_keepsListWithoutVerifyingAgain() {
    url = server.serveWithEtag("/list", list("1", image(A, SHA_1)), "\"v1\"");
    ImageCatalog catalog = catalog(subscription(List.of(), NewImagePolicy.ACCEPT, true));

    boolean first = catalog.refresh(subscription(List.of(), NewImagePolicy.ACCEPT, true));
    boolean second = catalog.refresh(subscription(List.of(), NewImagePolicy.ACCEPT, true));

    assertThat(first).isTrue();
    assertThat(second).isFalse();
    assertThat(server.requests("/list")).isEqualTo(2);
    assertThat(server.lastIfNoneMatch("/list")).isEqualTo("\"v1\"");
    assertThat(catalog.launchable(A)).isPresent();
    assertThat(events).containsExactly("available " + A + " " + SHA_1.substring(0, 8));
  }

  @Test
  void refresh_whenFetchFails_keepsLastGoodListUntilItExpires() {
    SubscriptionConfig subscription = subscription(List.of(), NewImagePolicy.ACCEPT, true);
    ImageCatalog catalog = catalog(subscription);
    catalog.refresh(subscription);
    server.fail("/list", 500);

    boolean refreshed = catalog.refresh(subscription);

    assertThat(refreshed).isFalse();
    assertThat(catalog.launchable(A)).isPresent();
    clock.advance(Duration.ofDays(30));
    catalog.checkExpiry();
    assertThat(catalog.launchable(A)).isEmpty();
    assertThat(events).containsExactly("available " + A + " 11111111",
        "expired " + A + " 11111111");
  }

  @Test
  void refresh_whenUnsignedAndNotAllowed_acceptsNothing() {
    SubscriptionConfig subscription = subscription(List.of(), NewImagePolicy.ACCEPT, false);
    ImageCatalog catalog = catalog(subscription);

    assertThat(catalog.refresh(subscription)).isFalse();
    assertThat(catalog.launchable(A)).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void launchable_whenImageNotInAllowList_isEmpty() {
    server.serve("/list", list("1", image(A, SHA_1), image(B, SHA_2)));
    SubscriptionConfig subscription = subscription(List.of(B), NewImagePolicy.ACCEPT, true);
    ImageCatalog catalog = catalog(subscription);

    catalog.refresh(subscription);

    assertThat(catalog.launchable(A)).isEmpty();
    assertThat(catalog.launchable(B)).isPresent();
    assertThat(events).containsExactly("available " + B + " 22222222");
  }

  @Test
  void refresh_whenUpdateAddsImageAndPolicyAccept_launchesIt() {
    ImageCatalog catalog = updatedWithB(NewImagePolicy.ACCEPT);

    assertThat(catalog.launchable(B)).isPresent();
    assertThat(catalog.held("appdb")).isEmpty();
    assertThat(events).containsExactly("available " + A + " 11111111",
        "available " + B + " 22222222");
  }

  @Test
  void refresh_whenUpdateAddsImageAndPolicyRefuse_neverLaunchesIt() {
    ImageCatalog catalog = updatedWithB(NewImagePolicy.REFUSE);

    assertThat(catalog.launchable(B)).isEmpty();
    assertThat(catalog.launchable(A)).isPresent();
    assertThatThrownBy(() -> catalog.approve("appdb", B))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image " + B + " is not held for approval on subscription 'appdb'"
            + " (held: [])");
    assertThat(events).containsExactly("available " + A + " 11111111");
  }

  @Test
  void refresh_whenUpdateAddsImageAndPolicyHold_launchesItOnlyOnceApproved() {
    ImageCatalog catalog = updatedWithB(NewImagePolicy.HOLD);
    assertThat(catalog.launchable(B)).isEmpty();
    assertThat(catalog.held("appdb")).containsExactly(B);

    catalog.approve("appdb", B);

    assertThat(catalog.launchable(B)).isPresent();
    assertThat(catalog.held("appdb")).isEmpty();
    assertThat(events).containsExactly("available " + A + " 11111111",
        "available " + B + " 22222222");
  }

  @Test
  void refresh_whenHeldImageStaysInNextUpdate_staysHeld() {
    ImageCatalog catalog = updatedWithB(NewImagePolicy.HOLD);
    server.serve("/list", list("3", image(A, SHA_1), image(B, SHA_2)));

    catalog.refresh(subscription(List.of(), NewImagePolicy.HOLD, true));

    assertThat(catalog.launchable(B)).isEmpty();
    assertThat(catalog.held("appdb")).containsExactly(B);
  }

  @Test
  void refresh_whenImageVanishesFromUpdate_announcesRemoval() {
    SubscriptionConfig subscription = subscription(List.of(), NewImagePolicy.ACCEPT, true);
    ImageCatalog catalog = catalog(subscription);
    catalog.refresh(subscription);
    server.serve("/list", list("2", image(B, SHA_2)));

    catalog.refresh(subscription);

    assertThat(catalog.launchable(A)).isEmpty();
    assertThat(events).containsExactly("available " + A + " 11111111",
        "removed " + A + " 11111111: image list " + url + " version 2 no longer contains it",
        "available " + B + " 22222222");
  }

  @Test
  void refresh_whenChecksumChanges_announcesOldAndNewVersion() {
    SubscriptionConfig subscription = subscription(List.of(), NewImagePolicy.ACCEPT, true);
    ImageCatalog catalog = catalog(subscription);
    catalog.refresh(subscription);
    server.serve("/list", list("2", image(A, SHA_2)));

    catalog.refresh(subscription);

    assertThat(catalog.launchable(A).orElseThrow().image().sha512()).isEqualTo(SHA_2);
    assertThat(events).containsExactly("available " + A + " 11111111",
        "checksum " + A + " 11111111 -> 22222222");
  }

  private ImageCatalog updatedWithB(NewImagePolicy policy) {
    SubscriptionConfig subscription = subscription(List.of(), policy, true);
    ImageCatalog catalog = catalog(subscription);
    catalog.refresh(subscription);
    server.serve("/list", list("2", image(A, SHA_1), image(B, SHA_2)));
    assertThat(catalog.refresh(subscription)).isTrue();
    return catalog;
  }

  private SubscriptionConfig subscription(List<String> allow, NewImagePolicy policy,
      boolean allowUnsigned) {
    return new SubscriptionConfig("appdb", url, List.of("appdb-endorser"),
        Duration.ofHours(1), allow, policy, allowUnsigned);
  }

  private ImageCatalog catalog(SubscriptionConfig subscription) {
    Map<String, EndorserConfig> endorsers = Map.of("appdb-endorser",
        new EndorserConfig("appdb-endorser", "/CN=endorser", "/CN=ca"));
    ImageListVerifier verifier = new ImageListVerifier(() -> {
      throw new IllegalStateException("unsigned lists need no CA directory");
    }, clock, Duration.ofMinutes(5), NamespaceMode.ALLOW_MISSING);
    return new ImageCatalog(verifier, List.of(subscription), endorsers, new ImageListFetcher(),
        clock, recorder());
  }

  private ImageEvents recorder() {
    return new ImageEvents() {
      @Override
      public void available(ImageVersion image) {
        events.add("available " + image.imageId() + " " + image.sha512().substring(0, 8));
      }

      @Override
      public void expired(ImageVersion image) {
        events.add("expired " + image.imageId() + " " + image.sha512().substring(0, 8));
      }

      @Override
      public void removed(ImageVersion image, String reason) {
        events.add("removed " + image.imageId() + " " + image.sha512().substring(0, 8) + ": "
            + reason);
      }

      @Override
      public void checksumChanged(ImageVersion before, ImageVersion after) {
        events.add("checksum " + after.imageId() + " " + before.sha512().substring(0, 8)
            + " -> " + after.sha512().substring(0, 8));
      }
    };
  }

  private static byte[] list(String version, String... images) {
    return TestLists.list("/CN=endorser", "/CN=ca", "2025-01-01T00:00:00Z", EXPIRES, version,
        String.join(",\n", Arrays.asList(images))).getBytes(StandardCharsets.UTF_8);
  }

  private static String image(String id, String sha512) {
    return "{\"hv:image\": {\"dc:identifier\": \"" + id + "\", \"dc:title\": \"Image\","
        + " \"hv:uri\": \"https://images.example.org/" + id + ".qcow2\", \"hv:size\": \"100\","
        + " \"sl:checksum:sha512\": \"" + sha512 + "\"}}";
  }
}
