/**
 * Amazon EC2 (and EC2-compatible clouds) behind the {@link io.flotilla.provider.CloudProvider}
 * SPI: {@link io.flotilla.provider.ec2.Ec2Cloud}, configured by
 * {@link io.flotilla.provider.ec2.Ec2Options}, built on Apache jclouds 2.7.0 {@code aws-ec2}'s
 * lower-level EC2 API (not its portable ComputeService).
 *
 * <p>Measured jclouds behaviour this package works around:
 *
 * <ul>
 *   <li>the SigV4 region is parsed from the endpoint host, and DescribeRegions endpoints are
 *       followed: {@code PinnedEndpointModule} fixes both to the configured endpoint and
 *       region;
 *   <li>the portable layer tags after RunInstances and calls DescribePlacementGroups after a
 *       destroy: not used; tags travel as TagSpecifications in RunInstances itself;
 *   <li>parsed instances carry no ClientToken: {@code ClientTokenSearch} sends a raw signed
 *       DescribeInstances through jclouds' HTTP stack and reads the XML itself;
 *   <li>the wire, header and signature logs copy request bodies and signatures: they are
 *       silenced ({@code QuietWireLoggingModule}).
 * </ul>
 *
 * <p>Limitations:
 *
 * <ul>
 *   <li>DescribeInstances is not paginated (jclouds has no NextToken support): an account
 *       with more instances than one answer holds would be listed incompletely by
 *       {@code listTagged}, and the client-token fallback (below) could miss one.
 *   <li>When a server refuses the {@code client-token} filter (moto 5.2.1 answers HTTP 500),
 *       the token lookup lists every instance of the region and compares tokens locally.
 *   <li>Only the instance is tagged at launch; its volumes and network interfaces are not.
 *   <li>The API version sent is 2016-11-15 (jclouds defaults to 2012-06-01, which predates
 *       TagSpecifications); servers that insist on the older version are not supported.
 *   <li>User-data is read back by tests only; the provider offers no read of it, since
 *       jclouds decodes it as UTF-8 text and would corrupt binary user-data.
 *   <li>A create that failed with an error the caller then retries (a new create call for
 *       the same machine id) re-sends RunInstances with the same ClientToken: EC2 answers
 *       with the first instance, but a server that ignores tokens (moto) makes another.
 * </ul>
 */
package io.flotilla.provider.ec2;
