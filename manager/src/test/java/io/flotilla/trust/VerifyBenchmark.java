package io.flotilla.trust;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * Not a test: times {@link ImageListVerifier#verify} on an openssl-signed list of 10,000
 * images (about 8 MB, the size {@link ImageListFetcher#MAX_BYTES} was chosen for). Prints the
 * median and 90th percentile per verification and the heap in use. Run from {@code
 * /work/main}:
 *
 * <pre>
 * mvn -q -B -o -pl manager -am test-compile dependency:build-classpath \
 *   -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx1g -cp manager/target/test-classes:manager/target/classes:$(cat /tmp/cp.txt) \
 *   io.flotilla.trust.VerifyBenchmark [images] [iterations]
 * </pre>
 */
public final class VerifyBenchmark {

  private static final String CA_DN = "/DC=org/DC=flotilla-bench/CN=Bench CA";
  private static final String ENDORSER_DN = "/DC=org/DC=flotilla-bench/CN=bench endorser";

  private VerifyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    ((Logger) LoggerFactory.getLogger("io.flotilla")).setLevel(Level.WARN);
    Path dir = Files.createTempDirectory("flotilla-bench");
    TestPki pki = TestPki.create(dir, CA_DN);
    pki.issue("root", "endorser", ENDORSER_DN, "ee_ext");
    byte[] signed = pki.sign("endorser", bigList(images).getBytes(StandardCharsets.UTF_8));
    ImageListVerifier verifier = new ImageListVerifier(CaDirectory.load(pki.certificates),
        Clock.systemUTC(), Duration.ofMinutes(5));
    System.out.printf("list: %d images, %.1f MB signed%n", images, signed.length / 1e6);

    for (int i = 0; i < 10; i++) {
      verifier.verify("bench", signed, null);
    }
    long[] nanos = new long[iterations];
    long peakHeap = 0;
    for (int i = 0; i < iterations; i++) {
      long start = System.nanoTime();
      VerifiedImageList verified = verifier.verify("bench", signed, null);
      nanos[i] = System.nanoTime() - start;
      peakHeap = Math.max(peakHeap, heapUsed());
      if (verified.imageList().images().size() != images) {
        throw new IllegalStateException("decoded " + verified.imageList().images().size());
      }
    }
    Arrays.sort(nanos);
    System.gc();
    System.out.printf("verify: median %.1f ms, p90 %.1f ms over %d runs%n",
        nanos[iterations / 2] / 1e6, nanos[(int) (iterations * 0.9)] / 1e6, iterations);
    System.out.printf("heap: %.0f MB in use at most between runs, %.0f MB after GC,"
        + " pools' peak %.0f MB%n", peakHeap / 1e6, heapUsed() / 1e6, peakPools() / 1e6);
  }

  private static long heapUsed() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static long peakPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP)
        .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
  }

  private static String bigList(int images) {
    StringBuilder entries = new StringBuilder();
    for (int i = 0; i < images; i++) {
      entries.append(i == 0 ? "" : ",\n").append(TestLists.image(
          UUID.nameUUIDFromBytes(("image" + i).getBytes(StandardCharsets.UTF_8)).toString(),
          "    \"dc:description\": \"benchmark image number " + i + "\",\n"));
    }
    return TestLists.list(ENDORSER_DN, CA_DN, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z",
        "1", entries.toString());
  }
}
