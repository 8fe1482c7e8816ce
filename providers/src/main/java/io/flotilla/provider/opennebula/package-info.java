/**
 * OpenNebula behind the {@link io.flotilla.provider.CloudProvider} and
 * {@link io.flotilla.provider.ImageDelivery} SPIs:
 * {@link io.flotilla.provider.opennebula.OpenNebulaCloud}, configured by
 * {@link io.flotilla.provider.opennebula.OpenNebulaOptions}, over OpenNebula's XML-RPC API
 * through our own client ({@code XmlRpcClient}, {@code XmlRpcCodec}) and one hardened XML
 * parser ({@code SafeXml}); {@link io.flotilla.provider.opennebula.OpenNebulaGuestHost} is
 * the guest's view for the emulator.
 *
 * <p>Image delivery. OpenNebula has no upload call in its XML-RPC API: {@code
 * one.image.allocate} takes a PATH that oned's datastore driver copies from, on the
 * front-end. Flotilla's image cache lives on the manager's host, so the site chooses how the
 * front-end reaches it, with exactly one of two options (beside {@code image_datastore_id},
 * which turns delivery on):
 *
 * <ul>
 *   <li>{@code image_base_url}: the cache's {@code ready/} folder served over http(s) by the
 *       site (any static web server); PATH is that URL plus the cached file's name, which
 *       oned's downloader fetches. Use https, or a network only the front-end reaches: oned
 *       checks no SHA-512, so the bytes are only as safe as the way they travel;
 *   <li>{@code image_path_prefix}: the front-end's absolute path of that same folder on a
 *       shared file system (NFS, say); PATH is that path plus the file's name. The datastore
 *       must allow it ({@code SAFE_DIRS} / {@code RESTRICTED_DIRS} of the datastore).
 * </ul>
 *
 * <p>Either way the image is allocated TYPE OS, not persistent, DRIVER and FORMAT the file's
 * format, with our properties as upper-case {@code FLOTILLA_*} attributes and the file's
 * SHA-512 as {@code FLOTILLA_SHA512}, the key of reuse; see {@code OneImages}.
 */
package io.flotilla.provider.opennebula;
