/**
 * OpenStack (Keystone v3 + Nova + Glance) behind the {@link io.flotilla.provider.CloudProvider}
 * and {@link io.flotilla.provider.ImageDelivery} SPIs:
 * {@link io.flotilla.provider.openstack.NovaCloud}, configured by
 * {@link io.flotilla.provider.openstack.OpenStackOptions}, built on Apache jclouds 2.7.0
 * {@code openstack-nova}'s lower-level {@code NovaApi} (not its portable ComputeService).
 * What jclouds cannot do (Glance v2, Nova above microversion 2.1) goes through our own REST
 * calls with jclouds' token ({@code OpenStackRest}); {@link
 * io.flotilla.provider.openstack.NovaGuestHost} is the guest's view for the emulator.
 *
 * <p>Measured jclouds behaviour this package works around:
 *
 * <ul>
 *   <li>Keystone authentication knows passwords, not application credentials:
 *       {@code KeystoneAuthModule} adds the application_credential method as one more jclouds
 *       credential type, so the token, its catalog and its renewal on 401 stay jclouds' own;
 *   <li>jclouds re-authenticates up to five times with 5 s sleeps on any 401, also when
 *       Keystone itself refuses the credentials, and retries a POST after a 5xx: replaced by
 *       {@code RenewTokenOnce} and {@code NoRetriedPosts};
 *   <li>the portable layer refuses user-data above 16 KiB, drops tags, creates security
 *       groups and waits for SSH: not used;
 *   <li>the wire and header logs copy request bodies and tokens: silenced
 *       ({@code QuietLoggingModule}).
 * </ul>
 *
 * <p>Limitations:
 *
 * <ul>
 *   <li>Image and flavour names are resolved to ids by exact match (images through Nova's
 *       image proxy API, deprecated but served at microversion 2.1); ambiguous names are
 *       refused. Flavours are cached per provider and listed again on a miss.
 *   <li>listTagged reads every server of the project (Nova cannot filter by metadata).
 *   <li>A create whose answer was lost is recovered by a lookup right after the failure;
 *       if Nova has not yet recorded the server then, the lookup misses it and the caller's
 *       later listTagged is what finds it. A caller's retried create (a new call for the
 *       same machine id) is not deduplicated.
 *   <li>jclouds parses the status into an enum: a status word newer than jclouds 2.7 shows
 *       as UNRECOGNIZED in the raw state (mapped to UNKNOWN).
 *   <li>jclouds logs the retries it gives up on at ERROR level (category jclouds.http...),
 *       even when this provider then recovers.
 *   <li>Glance uploads are not counted against max_concurrency and are not resumed: a
 *       broken upload is deleted and the caller's next sync uploads the whole file again.
 *       The upload's timeout assumes at least 1 MiB/s. Image properties longer than
 *       Glance's 255 characters are cut (logged).
 *   <li>The guest view reads user-data through Nova's admin-only server attribute, so it
 *       suits test clouds only.
 * </ul>
 */
package io.flotilla.provider.openstack;
