package io.flotilla.trust;

import static io.flotilla.trust.SharedPki.CA_DN;
import static io.flotilla.trust.SharedPki.ENDORSER_DN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Mutates valid signed lists (detached and opaque) 10,000 times with a fixed seed and
 * requires every outcome to be an accepted list identical to the original (the mutation
 * missed the signed bytes, e.g. in the preamble) or an {@link ImageListException}: no other
 * exception, no hang.
 */
class ImageListFuzzTest {

  private static final long SEED = 20261204L;
  private static final int MUTATIONS_PER_ENVELOPE = 5_000;
  private static final String[] HEADER_EDITS = {
      "Content-Type: text/plain", "Content-Type: multipart/signed", "Content-Type:",
      "Content-Type: multipart/signed; boundary=\"\"",
      "Content-Transfer-Encoding: quoted-printable",
      "Content-Type: application/pkcs7-mime; smime-type=enveloped-data", "MIME-Version: 2.0",
      "Content-Type: multipart/signed; protocol=\"application/x-pkcs7-signature\"; boundary=x",
      "X-Junk: \u00ff\u0000", " folded continuation", "Content-Type: application/x-pkcs7-mime"};
  private static final String JSON_NOISE = "{}[]\",:0-9aZ \n\\";

  @Test
  void verify_whenMutated_acceptsOnlyUnchangedContentOrRefusesTyped() {
    byte[] detached = SharedPki.sign("endorser", SharedPki.list(ENDORSER_DN, CA_DN));
    byte[] opaque = SharedPki.sign("endorser", SharedPki.list(ENDORSER_DN, CA_DN),
        "-nodetach");
    ImageListVerifier verifier = new ImageListVerifier(
        CaDirectory.load(SharedPki.get().certificates),
        Clock.fixed(Instant.now(), ZoneOffset.UTC), Duration.ofMinutes(5));
    ImageList original = verifier.verify("original", detached, null).imageList();
    Map<ImageListException.Reason, Integer> outcomes =
        new EnumMap<>(ImageListException.Reason.class);
    int[] accepted = {0};

    Logger trustLog = (Logger) LoggerFactory.getLogger("io.flotilla.trust");
    Level previous = trustLog.getLevel();
    trustLog.setLevel(Level.ERROR);
    try {
      assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
        Random random = new Random(SEED);
        for (byte[] base : List.of(detached, opaque)) {
          for (int i = 0; i < MUTATIONS_PER_ENVELOPE; i++) {
            Mutation mutation = mutate(base, random);
            accepted[0] += verifyOne(verifier, mutation, original, outcomes) ? 1 : 0;
          }
        }
      });
    } finally {
      trustLog.setLevel(previous);
    }

    System.out.println("fuzz outcomes: accepted=" + accepted[0] + " refused=" + outcomes);
    assertThat(outcomes).containsKeys(ImageListException.Reason.SIGNATURE_INVALID,
        ImageListException.Reason.MALFORMED_MIME, ImageListException.Reason.NOT_SMIME);
  }

  private static boolean verifyOne(ImageListVerifier verifier, Mutation mutation,
      ImageList original, Map<ImageListException.Reason, Integer> outcomes) {
    try {
      VerifiedImageList verified = verifier.verify("fuzz", mutation.bytes(), null);
      assertThat(verified.imageList()).as(mutation.description()).isEqualTo(original);
      return true;
    } catch (ImageListException e) {
      outcomes.merge(e.reason(), 1, Integer::sum);
      return false;
    } catch (RuntimeException | Error e) {
      throw new AssertionError("unexpected " + e + " for mutation " + mutation.description(), e);
    }
  }

  private record Mutation(byte[] bytes, String description) {}

  private static Mutation mutate(byte[] base, Random random) {
    int kind = random.nextInt(6);
    return switch (kind) {
      case 0 -> flipBytes(base, random);
      case 1 -> truncate(base, random);
      case 2 -> editHeaderLine(base, random);
      case 3 -> editSignedText(base, random);
      case 4 -> deleteLine(base, random);
      default -> insertBytes(base, random);
    };
  }

  private static Mutation flipBytes(byte[] base, Random random) {
    byte[] bytes = base.clone();
    StringBuilder where = new StringBuilder("flip");
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      int at = random.nextInt(bytes.length);
      bytes[at] ^= (byte) (1 << random.nextInt(8));
      where.append(' ').append(at);
    }
    return new Mutation(bytes, where.toString());
  }

  private static Mutation truncate(byte[] base, Random random) {
    int length = random.nextInt(base.length);
    return new Mutation(Arrays.copyOf(base, length), "truncate " + length);
  }

  private static Mutation editHeaderLine(byte[] base, Random random) {
    List<String> lines = lines(base);
    int limit = Math.min(lines.size(), 12);
    int at = random.nextInt(limit);
    String edit = HEADER_EDITS[random.nextInt(HEADER_EDITS.length)];
    lines.set(at, edit);
    return new Mutation(join(lines), "header line " + at + " := " + edit);
  }

  private static Mutation editSignedText(byte[] base, Random random) {
    byte[] bytes = base.clone();
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int start = Math.max(0, text.indexOf("{"));
    int end = Math.max(start + 1, text.lastIndexOf("}"));
    int at = start + random.nextInt(end - start);
    bytes[at] = (byte) JSON_NOISE.charAt(random.nextInt(JSON_NOISE.length()));
    return new Mutation(bytes, "json byte " + at + " := " + (char) bytes[at]);
  }

  private static Mutation deleteLine(byte[] base, Random random) {
    List<String> lines = lines(base);
    int at = random.nextInt(lines.size());
    lines.remove(at);
    return new Mutation(join(lines), "delete line " + at);
  }

  private static Mutation insertBytes(byte[] base, Random random) {
    int at = random.nextInt(base.length + 1);
    byte[] noise = new byte[1 + random.nextInt(8)];
    random.nextBytes(noise);
    byte[] bytes = new byte[base.length + noise.length];
    System.arraycopy(base, 0, bytes, 0, at);
    System.arraycopy(noise, 0, bytes, at, noise.length);
    System.arraycopy(base, at, bytes, at + noise.length, base.length - at);
    return new Mutation(bytes, "insert " + noise.length + " bytes at " + at);
  }

  private static List<String> lines(byte[] bytes) {
    return new ArrayList<>(List.of(new String(bytes, StandardCharsets.ISO_8859_1)
        .split("\n", -1)));
  }

  private static byte[] join(List<String> lines) {
    return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
  }
}
