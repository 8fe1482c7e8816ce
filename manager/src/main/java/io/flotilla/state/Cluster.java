package io.flotilla.state;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.flotilla.config.SiteConfig.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Iterator;

/**
 * This manager's membership of the Flotilla cluster: a clustered Vert.x on an embedded
 * Hazelcast member that joins the configured members over TCP only (no multicast, no
 * discovery, no phoning home), and the shared maps built on it.
 */
public final class Cluster {
  private final Vertx vertx;
  private final HazelcastInstance hazelcast;

  private Cluster(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
  }

  /** Starts Vert.x clustered through Hazelcast as configured. */
  public static Future<Cluster> join(ClusterConfig config) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(config));
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(new EventBusOptions().setHost(config.host()).setPort(0));
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered()
        .map(vertx -> new Cluster(vertx, manager.getHazelcastInstance()));
  }

  static Config hazelcastConfig(ClusterConfig cluster) {
    Config config = vertxDefaults();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(true).setPortCount(20);
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
    cluster.members().forEach(member -> join.getTcpIpConfig().addMember(member));
    return config;
  }

  /**
   * The maps Vert.x's own default cluster file declares, built here instead of loading that
   * file, whose outdated schema address makes Hazelcast print a warning at every start.
   */
  private static Config vertxDefaults() {
    Config config = new Config();
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The machine records shared by every manager of the cluster. */
  public MachineStore machines(RecordSeal seal) {
    return new MachineStore(hazelcast.getMap("flotilla.machines"), seal);
  }

  /** A shared map by name. */
  public <K, V> java.util.concurrent.ConcurrentMap<K, V> map(String name) {
    return hazelcast.getMap(name);
  }

  /** Whether this member leads: the oldest member of the cluster does. */
  public boolean leads() {
    Iterator<Member> members = hazelcast.getCluster().getMembers().iterator();
    return members.hasNext() && members.next().localMember();
  }

  public int size() {
    return hazelcast.getCluster().getMembers().size();
  }

  /** Leaves the cluster and stops Vert.x. */
  public Future<Void> leave() {
    return vertx.close();
  }
}
