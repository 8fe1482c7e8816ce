package io.flotilla.trust;

import java.time.Instant;

/**
 * One {@code hv:image} entry of an image list. Required: identifier, uri, size, sha512
 * (128 lower-case hex digits). Every other field may be {@code null} when the list omits it.
 *
 * @param identifier {@code dc:identifier}, the image UUID, stable across versions
 * @param title {@code dc:title}
 * @param version {@code hv:version}
 * @param uri {@code hv:uri}, download location of this version
 * @param size {@code hv:size} in bytes
 * @param sha512 {@code sl:checksum:sha512}, lower-cased
 * @param format {@code hv:format}, e.g. QCOW2, OVA
 * @param hypervisor {@code hv:hypervisor}, e.g. kvm (may be a comma list)
 * @param arch {@code sl:arch}
 * @param os {@code sl:os}
 * @param coreMinimum {@code hv:core_minimum}
 * @param ramMinimum {@code hv:ram_minimum}; the unit is ambiguous in practice (bytes per the
 *     spec, MB in AppDB lists), so it is passed on unchanged
 * @param expires per-image {@code dc:date:expires} (AppDB extension)
 */
public record Image(
    String identifier,
    String title,
    String version,
    String uri,
    long size,
    String sha512,
    String format,
    String hypervisor,
    String arch,
    String os,
    Integer coreMinimum,
    Long ramMinimum,
    Instant expires) {}
