package io.flotilla.context;

/**
 * The largest user-data each cloud type accepts, checked before any call to the cloud so an
 * oversized payload is refused with its size and the limit rather than by the cloud's API.
 */
public final class CloudLimits {
  /** EC2 RunInstances: 16 KiB of user-data before its base64 transport encoding. */
  public static final int EC2_MAX_BYTES = 16 * 1024;
  /** Nova: 65,535 characters of base64 user-data. */
  public static final int OPENSTACK_MAX_BASE64 = 65_535;
  /** The raw size whose base64 fits {@link #OPENSTACK_MAX_BASE64}: 16,383 groups of 3. */
  public static final int OPENSTACK_MAX_BYTES = OPENSTACK_MAX_BASE64 / 4 * 3;

  private CloudLimits() {}

  /**
   * Refuses user-data too large for {@code cloudType}; other cloud types have no limit here.
   *
   * @param where names the VO and cloud in the message
   * @param gzipped whether {@code userData} is already compressed
   * @throws ContextException with the size, the limit and, when it would help, the gzip
   *     option and the compressed size
   */
  public static void check(String where, String cloudType, byte[] userData, boolean gzipped) {
    int size = userData.length;
    switch (cloudType) {
      case "ec2" -> {
        if (size > EC2_MAX_BYTES) {
          throw new ContextException(where + ": user-data is " + size + " bytes, EC2 allows at"
              + " most " + EC2_MAX_BYTES + " bytes" + advice(userData, gzipped, EC2_MAX_BYTES));
        }
      }
      case "openstack" -> {
        if (size > OPENSTACK_MAX_BYTES) {
          throw new ContextException(where + ": user-data is " + size + " bytes ("
              + base64Length(size) + " as base64), OpenStack Nova allows at most "
              + OPENSTACK_MAX_BASE64 + " bytes of base64 (" + OPENSTACK_MAX_BYTES + " bytes)"
              + advice(userData, gzipped, OPENSTACK_MAX_BYTES));
        }
      }
      default -> {
        // OpenNebula and the sandbox set no user-data limit of their own.
      }
    }
  }

  static long base64Length(long size) {
    return (size + 2) / 3 * 4;
  }

  private static String advice(byte[] userData, boolean gzipped, int limit) {
    if (gzipped) {
      return "; it is gzip-compressed already, so the template must shrink";
    }
    int compressed = Gzip.compress(userData).length;
    return "; set gzip: true in the VO's context (compressed it would be " + compressed
        + " bytes" + (compressed > limit ? ", still too large" : "") + ")";
  }
}
