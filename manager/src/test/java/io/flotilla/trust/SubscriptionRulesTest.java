package io.flotilla.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class SubscriptionRulesTest {

  private static final String LIST_ID = "4e186b44-2c64-40ea-97d5-e9e5c0bce059";

  @Test
  void check_whenFirstList_acceptsAndRemembersIdentifierVersionHashAndImages() {
    SubscriptionRules.Accepted accepted = SubscriptionRules.check(
        SubscriptionState.initial("appdb"), list(LIST_ID, "10", "h1", "a", "b"), Map.of());

    assertThat(accepted.warnings()).isEmpty();
    assertThat(accepted.next()).isEqualTo(new SubscriptionState("appdb", LIST_ID, "10", "h1",
        Set.of("a", "b")));
  }

  @Test
  void check_whenIdentifierChanged_refusesNamingBoth() {
    SubscriptionState state = state("10", "h1");

    assertRefused(() -> SubscriptionRules.check(state, list("other-id", "11", "h2", "a"),
        Map.of()), ImageListException.Reason.IDENTIFIER_CHANGED)
        .hasMessage("image list https://x/list (subscription 'appdb'): dc:identifier "
            + "'other-id' differs from '" + LIST_ID + "' accepted before on this subscription");
  }

  @Test
  void check_whenIdentifierDiffersOnlyInCase_accepts() {
    SubscriptionRules.Accepted accepted = SubscriptionRules.check(state("10", "h1"),
        list(LIST_ID.toUpperCase(java.util.Locale.ROOT), "11", "h2", "a"), Map.of());

    assertThat(accepted.next().version()).isEqualTo("11");
  }

  @Test
  void check_whenVersionGoesDownNumerically_refusesRollback() {
    assertRefused(() -> SubscriptionRules.check(state("1.10", "h1"),
        list(LIST_ID, "1.9", "h2", "a"), Map.of()), ImageListException.Reason.VERSION_ROLLBACK)
        .hasMessageContaining("hv:version '1.9' is lower than '1.10' accepted before");
  }

  @Test
  void check_whenVersionDropped_refusesRollback() {
    assertRefused(() -> SubscriptionRules.check(state("5", "h1"),
        list(LIST_ID, null, "h2", "a"), Map.of()), ImageListException.Reason.VERSION_ROLLBACK)
        .hasMessageContaining("hv:version is missing");
  }

  @Test
  void check_whenSameVersionDifferentBytes_acceptsWithWarning() {
    SubscriptionRules.Accepted accepted = SubscriptionRules.check(state("20150618211400", "h1"),
        list(LIST_ID, "20150618211400", "h2", "a"), Map.of());

    assertThat(accepted.warnings()).singleElement().asString()
        .contains("hv:version '20150618211400' is unchanged but the file differs")
        .contains("h2").contains("h1");
    assertThat(accepted.next().fileSha256()).isEqualTo("h2");
  }

  @Test
  void check_whenSameVersionSameBytes_acceptsSilently() {
    assertThat(SubscriptionRules.check(state("3", "h1"), list(LIST_ID, "3", "h1", "a"),
        Map.of()).warnings()).isEmpty();
  }

  @Test
  void check_whenImageTwiceInList_refusesDuplicate() {
    assertRefused(() -> SubscriptionRules.check(SubscriptionState.initial("appdb"),
        list(LIST_ID, "1", "h", "a", "b", "a"), Map.of()),
        ImageListException.Reason.DUPLICATE_IMAGE)
        .hasMessageContaining("'a' occurs more than once in the list");
  }

  @Test
  void check_whenImageInAnotherSubscription_refusesNamingIt() {
    Map<String, Set<String>> others = Map.of("appdb", Set.of("a"), "cern", Set.of("x", "b"));

    assertRefused(() -> SubscriptionRules.check(state("1", "h"), list(LIST_ID, "2", "h2", "a",
        "b"), others), ImageListException.Reason.DUPLICATE_IMAGE)
        .hasMessageContaining("[b] is also in the list of subscription 'cern'");
  }

  @Test
  void check_rulesRunInOrder_identifierBeforeVersionBeforeDuplicates() {
    assertRefused(() -> SubscriptionRules.check(state("9", "h"), list("new-id", "1", "h2", "a",
        "a"), Map.of()), ImageListException.Reason.IDENTIFIER_CHANGED);
    assertRefused(() -> SubscriptionRules.check(state("9", "h"), list(LIST_ID, "1", "h2", "a",
        "a"), Map.of()), ImageListException.Reason.VERSION_ROLLBACK);
  }

  private static SubscriptionState state(String version, String sha) {
    return new SubscriptionState("appdb", LIST_ID, version, sha, Set.of("a"));
  }

  private static VerifiedImageList list(String identifier, String version, String sha,
      String... imageIds) {
    List<Image> images = Arrays.stream(imageIds).map(id -> new Image(id, null, null,
        "https://x/" + id, 1, "ab".repeat(64), null, null, null, null, null, null, null))
        .toList();
    ImageList list = new ImageList(identifier, "t", version, Instant.EPOCH, Instant.MAX,
        "/CN=e", "/CN=ca", null, null, images);
    return new VerifiedImageList("https://x/list", list, true, "/CN=e", "/CN=ca",
        Instant.EPOCH, sha, List.of());
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      ImageListException.Reason reason) {
    return assertThatThrownBy(call).isInstanceOfSatisfying(ImageListException.class,
        e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }
}
