package io.flotilla.trust;

/** Image list JSON for tests. */
final class TestLists {

  static final String LIST_ID = "4e186b44-2c64-40ea-97d5-e9e5c0bce059";
  static final String IMAGE_ID = "c0482bc2-bf41-5d49-aaaa-a750174a186b";

  private TestLists() {}

  /** An AppDB-style list (string numbers, ad:* keys) naming the given endorser and dates. */
  static String list(String dn, String ca, String created, String expires) {
    return list(dn, ca, created, expires, "20150618211400", image(IMAGE_ID, ""));
  }

  /** A list with the given version and already rendered {@code images} entries. */
  static String list(String dn, String ca, String created, String expires, String version,
      String images) {
    return "{\n \"hv:imagelist\": {\n"
        + "  \"dc:date:created\": \"" + created + "\",\n"
        + "  \"dc:date:expires\": \"" + expires + "\",\n"
        + "  \"dc:identifier\": \"" + LIST_ID + "\",\n"
        + "  \"dc:title\": \"Test list\",\n  \"ad:vo\": \"some1.vo.net\",\n"
        + "  \"hv:endorser\": {\"hv:x509\": {\"dc:creator\": \"Tester\",\n"
        + "    \"hv:ca\": \"" + ca + "\",\n    \"hv:dn\": \"" + dn + "\",\n"
        + "    \"hv:email\": \"t@example.org\"}},\n"
        + "  \"hv:images\": [ " + images + " ],\n"
        + "  \"hv:uri\": \"https://lists.example.org/image.list\",\n"
        + "  \"hv:version\": \"" + version + "\"\n }\n}\n";
  }

  /** One {@code hv:image} entry; {@code extra} is inserted verbatim (e.g. more keys). */
  static String image(String id, String extra) {
    return "{\"hv:image\": {\n"
        + "    \"dc:identifier\": \"" + id + "\",\n" + extra
        + "    \"dc:title\": \"Image\", \"ad:mpuri\": \"https://appdb.example/x\",\n"
        + "    \"hv:uri\": \"https://images.example.org/img.ova\",\n"
        + "    \"hv:size\": \"121243136\", \"hv:version\": \"3.3.0-1\",\n"
        + "    \"hv:format\": \"OVA\", \"hv:hypervisor\": \"KVM\",\n"
        + "    \"hv:core_minimum\": \"2\", \"hv:ram_minimum\": 2048,\n"
        + "    \"sl:arch\": \"x86_64\", \"sl:os\": \"Linux\",\n"
        + "    \"sl:checksum:sha512\": \"" + "ab".repeat(64) + "\"\n"
        + "  }}";
  }
}
