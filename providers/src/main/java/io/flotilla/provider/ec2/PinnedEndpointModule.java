package io.flotilla.provider.ec2;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import com.google.inject.Scopes;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jclouds.aws.ec2.config.AWSEC2HttpApiModule;
import org.jclouds.aws.filters.FormSignerV4.ServiceAndRegion;
import org.jclouds.location.config.LocationModule;
import org.jclouds.location.suppliers.RegionIdToURISupplier;
import org.jclouds.location.suppliers.RegionIdToZoneIdsSupplier;
import org.jclouds.location.suppliers.RegionIdsSupplier;
import org.jclouds.location.suppliers.ZoneIdToURISupplier;
import org.jclouds.location.suppliers.ZoneIdsSupplier;
import org.jclouds.location.suppliers.derived.RegionIdsFromRegionIdToURIKeySet;
import org.jclouds.location.suppliers.derived.ZoneIdToURIFromJoinOnRegionIdToURI;
import org.jclouds.location.suppliers.derived.ZoneIdsFromRegionIdToZoneIdsValues;
import org.jclouds.rest.ConfiguresHttpApi;

/**
 * jclouds' AWS EC2 HTTP module with two measured faults fixed, so that every call goes to the
 * one configured endpoint and is signed for the configured region.
 *
 * <ul>
 *   <li>jclouds signs with the region it parses from the endpoint's host name
 *       ({@code ec2.REGION.amazonaws.com}); any other host (a private cloud, a simulator on
 *       127.0.0.1) gets a wrong scope and the server refuses. The signer here always uses
 *       service {@code ec2} and the configured region.
 *   <li>jclouds learns region endpoints from DescribeRegions and then sends each call to the
 *       endpoint the server named: for a simulator these are real AWS hosts. Here the region
 *       map is fixed: the configured region, at the configured endpoint, with no zones (calls
 *       never name a zone, so no DescribeAvailabilityZones is needed either).
 * </ul>
 */
@ConfiguresHttpApi
final class PinnedEndpointModule extends AWSEC2HttpApiModule {

  static final String SIGNING_SERVICE = "ec2";

  private final String region;
  private final URI endpoint;

  PinnedEndpointModule(String region, URI endpoint) {
    this.region = Objects.requireNonNull(region, "region");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
  }

  @Override
  protected void configure() {
    bind(ServiceAndRegion.class).toInstance(new FixedServiceAndRegion(region));
    super.configure();
  }

  @Override
  protected void installLocations() {
    install(new LocationModule());
    bind(RegionIdToURISupplier.class).toInstance(new FixedRegionEndpoint(region, endpoint));
    bind(RegionIdToZoneIdsSupplier.class).toInstance(new NoZones(region));
    bind(ZoneIdsSupplier.class).to(ZoneIdsFromRegionIdToZoneIdsValues.class)
        .in(Scopes.SINGLETON);
    bind(RegionIdsSupplier.class).to(RegionIdsFromRegionIdToURIKeySet.class)
        .in(Scopes.SINGLETON);
    bind(ZoneIdToURISupplier.class).to(ZoneIdToURIFromJoinOnRegionIdToURI.class)
        .in(Scopes.SINGLETON);
  }

  /** Signs every request for service ec2 in one region, whatever the host is called. */
  record FixedServiceAndRegion(String region) implements ServiceAndRegion {
    @Override
    public String service() {
      return SIGNING_SERVICE;
    }

    @Override
    public String region(String host) {
      return region;
    }
  }

  /** The single region this context knows, at the configured endpoint. */
  record FixedRegionEndpoint(String region, URI endpoint) implements RegionIdToURISupplier {
    @Override
    public Map<String, Supplier<URI>> get() {
      return Map.of(region, Suppliers.ofInstance(endpoint));
    }
  }

  /** The region has no zones as far as jclouds is concerned: no zone lookup call is made. */
  record NoZones(String region) implements RegionIdToZoneIdsSupplier {
    @Override
    public Map<String, Supplier<Set<String>>> get() {
      return Map.of(region, Suppliers.ofInstance(Set.of()));
    }
  }
}
