package io.flotilla.provider.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import io.flotilla.provider.CloudMachine;
import io.flotilla.provider.CloudState;
import io.flotilla.provider.MachineSpec;
import io.flotilla.provider.Tags;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenNebulaCloudTest {

  private static final String USER = "flotilla";
  private static final String PASSWORD = "s3cret-Pw";
  private static final byte[] USER_DATA = ("#!/bin/sh\necho \"it's $HOME\" `id` \\ done\n"
      + "\u0000\u00ff binary tail").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

  private OpenNebulaSimulator simulator;
  private OpenNebulaCloud cloud;

  @AfterEach
  void stop() {
    if (cloud != null) {
      cloud.close();
    }
    if (simulator != null) {
      simulator.close();
    }
  }

  private OpenNebulaCloud start(String version, Map<String, Object> extra) {
    simulator = OpenNebulaSimulator.start(version, USER, PASSWORD);
    simulator.stepEvery(Duration.ofMillis(20));
    Map<String, Object> options = new HashMap<>();
    options.put("endpoint", simulator.endpoint().toString());
    options.put("username", USER);
    options.put("password_env", "ONE_PW");
    options.put("cpu", 0.5);
    options.put("vcpu", 1);
    options.put("memory_mb", 512);
    options.put("call_timeout_seconds", 2);
    options.putAll(extra);
    cloud = new OpenNebulaCloud("one-test", OpenNebulaOptions.fromMap(options),
        name -> name.equals("ONE_PW") ? PASSWORD : null);
    return cloud;
  }

  private static MachineSpec spec(String machineId, String site) {
    return new MachineSpec(machineId, "17", "ignored", USER_DATA,
        Map.of(Tags.MACHINE_ID, machineId, Tags.SITE, site, Tags.VO, "atlas \"prod\""));
  }

  private CloudMachine awaitState(String cloudId, CloudState wanted) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    CloudMachine machine = cloud.describe(cloudId).orElseThrow();
    while (machine.state() != wanted && System.nanoTime() < deadline) {
      Thread.sleep(10);
      machine = cloud.describe(cloudId).orElseThrow();
    }
    return machine;
  }

  @Test
  void create_thenDescribe_progressesFromPendingToRunning() throws Exception {
    start("6.10.0", Map.of());
    simulator.stepEvery(Duration.ofMillis(100));

    CloudMachine created = cloud.create(spec("m-1", "SITE-A"));

    assertThat(created.state()).isEqualTo(CloudState.PENDING);
    assertThat(cloud.describe(created.cloudId()).orElseThrow().state())
        .isEqualTo(CloudState.PENDING);
    CloudMachine running = awaitState(created.cloudId(), CloudState.RUNNING);
    assertThat(running.state()).isEqualTo(CloudState.RUNNING);
    assertThat(running.rawState()).isEqualTo("ACTIVE/RUNNING");
    assertThat(running.machineId()).isEqualTo("m-1");
  }

  @Test
  void create_whenAllocating_sendsBase64UserDataAndContextFlags() {
    start("6.10.0", Map.of("network_id", 5));

    CloudMachine created = cloud.create(spec("m-2", "SITE-A"));

    OpenNebulaSimulator.SimVm vm = simulator.vm(Integer.parseInt(created.cloudId()));
    Map<String, String> context = vm.context();
    assertThat(Base64.getDecoder().decode(context.get("USER_DATA"))).isEqualTo(USER_DATA);
    assertThat(context).containsEntry("USERDATA_ENCODING", "base64")
        .containsEntry("TOKEN", "YES").containsEntry("NETWORK", "YES");
    assertThat(vm.name).isEqualTo("flotilla-m-2");
    assertThat(vm.template).containsEntry("CPU", "0.5").containsEntry("VCPU", "1")
        .containsEntry("MEMORY", "512").containsEntry("DISK", Map.of("IMAGE_ID", "17"))
        .containsEntry("NIC", Map.of("NETWORK_ID", "5"));
    assertThat(vm.userTemplate).containsEntry("FLOTILLA_MACHINE_ID", "m-2")
        .containsEntry("FLOTILLA_SITE", "SITE-A").containsEntry("FLOTILLA_VO", "atlas \"prod\"");
    assertThat(simulator.rawTemplates().get(0)).contains("USERDATA_ENCODING = \"base64\"")
        .doesNotContain("it's");
  }

  @Test
  void listTagged_whenModernServer_usesExtendedPoolAndKeepsTags() {
    start("6.10.0", Map.of());
    CloudMachine mine = cloud.create(spec("m-3", "SITE-A"));
    cloud.create(spec("m-4", "SITE-B"));

    List<CloudMachine> found = cloud.listTagged(Map.of(Tags.SITE, "SITE-A"));

    assertThat(found).singleElement().satisfies(machine -> {
      assertThat(machine.cloudId()).isEqualTo(mine.cloudId());
      assertThat(machine.tags()).isEqualTo(Map.of(Tags.MACHINE_ID, "m-3",
          Tags.SITE, "SITE-A", Tags.VO, "atlas \"prod\""));
    });
    assertThat(simulator.methods()).contains("one.vmpool.infoextended")
        .doesNotContain("one.vmpool.info");
  }

  @Test
  void listTagged_whenServerBefore58_usesPoolInfoWithFullBodies() {
    start("5.6.2", Map.of());
    cloud.create(spec("m-5", "SITE-A"));

    assertThat(cloud.listTagged(Map.of(Tags.MACHINE_ID, "m-5"))).hasSize(1);
    assertThat(simulator.methods()).contains("one.vmpool.info")
        .doesNotContain("one.vmpool.infoextended");
  }

  @Test
  void listTagged_whenMachineDestroyedAndDone_leavesItOut() throws Exception {
    start("6.10.0", Map.of());
    CloudMachine created = cloud.create(spec("m-6", "SITE-A"));
    awaitState(created.cloudId(), CloudState.RUNNING);
    cloud.destroy(created.cloudId());
    awaitState(created.cloudId(), CloudState.GONE);

    assertThat(cloud.listTagged(Map.of(Tags.SITE, "SITE-A"))).isEmpty();
    assertThat(cloud.describe(created.cloudId()).orElseThrow().state())
        .isEqualTo(CloudState.GONE);
  }

  @Test
  void destroy_whenOpenNebula6_sendsTerminateHardOnce() throws Exception {
    start("6.10.0", Map.of());
    simulator.stepEvery(Duration.ofMillis(300));
    CloudMachine created = cloud.create(spec("m-7", "SITE-A"));
    simulator.setState(Integer.parseInt(created.cloudId()), OneVmState.ACTIVE,
        OneVmState.LCM_RUNNING);

    cloud.destroy(created.cloudId());

    assertThat(simulator.actions()).containsExactly("terminate-hard");
    assertThat(cloud.describe(created.cloudId()).orElseThrow().state())
        .isEqualTo(CloudState.STOPPING);
    assertThat(awaitState(created.cloudId(), CloudState.GONE).rawState()).isEqualTo("DONE");
    assertThat(simulator.methods()).containsOnlyOnce("one.system.version");
  }

  @Test
  void destroy_whenOpenNebula4_sendsDeleteAndRepeatIsSuccess() {
    start("4.14.2", Map.of());
    CloudMachine created = cloud.create(spec("m-8", "SITE-A"));

    cloud.destroy(created.cloudId());
    cloud.destroy(created.cloudId());

    assertThat(simulator.actions()).containsExactly("delete", "delete");
    assertThat(simulator.vm(Integer.parseInt(created.cloudId())).state())
        .isEqualTo(OneVmState.DONE);
  }

  @Test
  void destroy_whenWrongState_isTransientNamingState() {
    start("6.10.0", Map.of());
    CloudMachine created = cloud.create(spec("m-9", "SITE-A"));
    simulator.setState(Integer.parseInt(created.cloudId()), OneVmState.ACTIVE,
        OneVmState.LCM_BOOT);

    assertThatThrownBy(() -> cloud.destroy(created.cloudId()))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("ACTION (0x0800)")
        .hasMessageContaining("wrong state ACTIVE/BOOT");
  }

  @Test
  void destroy_whenUnknownVm_succeeds() {
    start("6.10.0", Map.of());

    cloud.destroy("4242");

    assertThat(simulator.actions()).containsExactly("terminate-hard");
  }

  @Test
  void destroy_whenLocked_isTransient() {
    start("6.10.0", Map.of());
    CloudMachine created = cloud.create(spec("m-10", "SITE-A"));
    simulator.lock(Integer.parseInt(created.cloudId()));

    assertThatThrownBy(() -> cloud.destroy(created.cloudId()))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("LOCKED (0x8000)");
  }

  @Test
  void describe_whenBootFails_isErrorAndDestroyable() throws Exception {
    start("6.10.0", Map.of());
    simulator.failNextBoots(1, OneVmState.LCM_BOOT_FAILURE);
    CloudMachine created = cloud.create(spec("m-11", "SITE-A"));

    CloudMachine failed = awaitState(created.cloudId(), CloudState.ERROR);

    assertThat(failed.rawState()).isEqualTo("ACTIVE/BOOT_FAILURE");
    cloud.destroy(created.cloudId());
    assertThat(awaitState(created.cloudId(), CloudState.GONE).state())
        .isEqualTo(CloudState.GONE);
  }

  @Test
  void describe_whenUnknownNumbers_isUnknownWithRawText() {
    start("6.10.0", Map.of());
    CloudMachine created = cloud.create(spec("m-12", "SITE-A"));
    simulator.setState(Integer.parseInt(created.cloudId()), OneVmState.ACTIVE, 99);

    CloudMachine machine = cloud.describe(created.cloudId()).orElseThrow();

    assertThat(machine.state()).isEqualTo(CloudState.UNKNOWN);
    assertThat(machine.rawState()).isEqualTo("ACTIVE/LCM_99");
  }

  @Test
  void describe_whenNoSuchVm_isEmpty() {
    start("6.10.0", Map.of());

    assertThat(cloud.describe("77")).isEqualTo(Optional.empty());
  }

  @Test
  void describe_whenIdNotNumeric_isInvalidRequest() {
    start("6.10.0", Map.of());

    assertThatThrownBy(() -> cloud.describe("i-abc"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST));
  }

  @Test
  void create_whenTemplateIdSet_instantiatesAndMergesExtraTemplate() {
    start("6.10.0", Map.of("template_id", 7));
    simulator.addTemplate(7, "CPU = 2\nMEMORY = 4096\nDISK = [ IMAGE_ID = \"3\" ]\n"
        + "CONTEXT = [ SSH_PUBLIC_KEY = \"k\" ]\nLABELS = \"grid\"\n");

    CloudMachine created = cloud.create(spec("m-13", "SITE-A"));

    OpenNebulaSimulator.SimVm vm = simulator.vm(Integer.parseInt(created.cloudId()));
    assertThat(vm.name).isEqualTo("flotilla-m-13");
    assertThat(vm.template).containsEntry("MEMORY", "512").containsEntry("CPU", "0.5")
        .containsEntry("DISK", Map.of("IMAGE_ID", "17"));
    assertThat(Base64.getDecoder().decode(vm.context().get("USER_DATA"))).isEqualTo(USER_DATA);
    assertThat(vm.userTemplate).containsEntry("LABELS", "grid")
        .containsEntry("FLOTILLA_SITE", "SITE-A");
    assertThat(simulator.methods()).contains("one.template.instantiate");
  }

  @Test
  void create_whenTemplateOnOpenNebula4_sendsFiveParameters() {
    start("4.14.2", Map.of("template_id", 7));
    simulator.addTemplate(7, "CPU = 1\nMEMORY = 1024\n");

    assertThat(cloud.create(spec("m-14", "SITE-A")).cloudId()).isEqualTo("0");
  }

  @Test
  void create_whenTemplateMissing_isNotFound() {
    start("6.10.0", Map.of("template_id", 99));

    assertThatThrownBy(() -> cloud.create(spec("m-15", "SITE-A")))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
  }

  @Test
  void create_whenQuotaReached_isQuotaExceededForInstances() {
    start("6.10.0", Map.of());
    simulator.maxVms(1);
    cloud.create(spec("m-16", "SITE-A"));

    assertThatThrownBy(() -> cloud.create(spec("m-17", "SITE-A")))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
          assertThat(e.resource()).isEqualTo("instances");
        });
  }

  @Test
  void create_whenTagKeyNotStorable_isInvalidRequestNamingTag() {
    start("6.10.0", Map.of());
    MachineSpec spec = new MachineSpec("m-18", "17", "x", USER_DATA, Map.of("Owner", "me"));

    assertThatThrownBy(() -> cloud.create(spec))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessageContaining("tag Owner");
  }

  @Test
  void calls_whenThreeElementResponses_work() {
    start("6.10.0", Map.of());
    simulator.responseElements(3);

    CloudMachine created = cloud.create(spec("m-19", "SITE-A"));

    assertThat(cloud.describe(created.cloudId())).isPresent();
    assertThat(cloud.describe("55")).isEmpty();
  }

  @Test
  void calls_whenWrongPassword_isAuthWithoutSecret() {
    simulator = OpenNebulaSimulator.start("6.10.0", USER, "other-password");
    Map<String, Object> options = Map.of("endpoint", simulator.endpoint().toString(),
        "username", USER, "password_env", "ONE_PW", "cpu", 1, "memory_mb", 512);
    cloud = new OpenNebulaCloud("one-test", OpenNebulaOptions.fromMap(options),
        name -> PASSWORD);

    assertThatThrownBy(() -> cloud.describe("1"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.AUTH))
        .hasMessageContaining("AUTHENTICATION")
        .hasMessageNotContaining(PASSWORD);
    assertThat(cloud.toString()).doesNotContain(PASSWORD);
  }

  @Test
  void calls_whenServerEchoesSession_redactsPassword() {
    start("6.10.0", Map.of());
    simulator.failNext(1, OpenNebulaErrors.INTERNAL, "session " + USER + ":" + PASSWORD);

    assertThatThrownBy(() -> cloud.describe("1"))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
          assertThat(e.getCause()).isNull();
        })
        .hasMessageContaining("<redacted>")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void calls_whenHttp503_isThrottledWithRetryAfter() {
    start("6.10.0", Map.of());
    simulator.http503Next(1);

    assertThatThrownBy(() -> cloud.describe("1"))
        .isInstanceOfSatisfying(CloudException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        });
    assertThat(cloud.describe("1")).isEmpty();
  }

  @Test
  void calls_whenServerSlow_isTransientWithinTimeout() {
    start("6.10.0", Map.of("call_timeout_seconds", 0.3));
    simulator.delayResponses(Duration.ofMillis(1500));
    long started = System.nanoTime();

    assertThatThrownBy(() -> cloud.describe("1"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("300 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void calls_whenInjectedNoExistsAndInternal_mapToKinds() {
    start("6.10.0", Map.of());
    simulator.failNext(1, OpenNebulaErrors.XML_RPC_API, "Wrong parameters");

    assertThatThrownBy(() -> cloud.describe("1"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessage("opennebula cloud one-test: one.vm.info failed with XML_RPC_API (0x1000): "
            + "[one.vm.info] Wrong parameters");
  }

  @Test
  void calls_whenNothingListens_isTransient() {
    start("6.10.0", Map.of());
    simulator.close();

    assertThatThrownBy(() -> cloud.describe("1"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT));
    simulator = null;
  }

  @Test
  void version_whenOld_choosesLegacyActionNames() {
    assertThat(OneVersion.parse("6.10.0").terminateAction()).isEqualTo("terminate-hard");
    assertThat(OneVersion.parse("5.0.2").terminateAction()).isEqualTo("terminate-hard");
    assertThat(OneVersion.parse("4.14.2").terminateAction()).isEqualTo("delete");
    assertThat(OneVersion.parse("3.8.4").terminateAction()).isEqualTo("finalize");
    assertThat(OneVersion.parse("5.8.1").hasExtendedPoolInfo()).isTrue();
    assertThat(OneVersion.parse("5.6.2").hasExtendedPoolInfo()).isFalse();
    assertThat(OneVersion.parse("garbage")).isNull();
  }
}
