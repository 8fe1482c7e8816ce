package io.flotilla.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GuestTokensTest {
  @Test
  void newToken_is43UrlSafeCharactersAndNeverRepeats() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String token = GuestTokens.newToken();
      assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
      assertThat(seen.add(token)).isTrue();
    }
  }

  @Test
  void hash_isLowerCaseHexSha256OfUtf8() {
    assertThat(GuestTokens.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void matches_acceptsOnlyTheTokenOfTheHash() {
    String token = GuestTokens.newToken();
    String hash = GuestTokens.hash(token);

    assertThat(GuestTokens.matches(token, hash)).isTrue();
    assertThat(GuestTokens.matches(GuestTokens.newToken(), hash)).isFalse();
    assertThat(GuestTokens.matches(token, hash.toUpperCase())).isFalse();
    assertThat(GuestTokens.matches(token, null)).isFalse();
    assertThat(GuestTokens.matches(null, hash)).isFalse();
  }
}
