package io.flotilla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {
  @TempDir Path dir;

  @Test
  void plan_offline_printsJsonActionsWithVoSpaceCountAndReason() throws Exception {
    Files.writeString(dir.resolve("robot.pem"), "not read by plan");
    Files.writeString(dir.resolve("robot.key"), "not read by plan");
    Path site = dir.resolve("site.yaml");
    Files.writeString(site, """
        site: PLAN-TEST
        guest_api:
          advertised_url: http://127.0.0.1:8390/
        trust:
          ca_dir: certificates
        endorsers:
          - name: e1
            dn: /DC=org/DC=example/CN=endorser
            ca: /DC=org/DC=example/CN=CA
        image_lists:
          - name: list1
            url: file:list.signed
            endorsers: [e1]
        clouds:
          - name: sandbox
            type: sandbox
            limits: {processors: 10}
            creation_cap: 10
        vos:
          - name: atlas
            image: c0482bc2-bf41-5d49-aaaa-a750174a186b
            clouds: [sandbox]
            target_share: 3
            flavour: small
            robot_certificate: robot.pem
            robot_key: robot.key
          - name: lhcb
            image: 662b0e71-3e21-bbbb-b6a1-cc2f51319fa7
            clouds: [sandbox]
            target_share: 2
            flavour: small
            robot_certificate: robot.pem
            robot_key: robot.key
        """);
    PlanCommand command = new PlanCommand();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    int status = new CommandLine(command).execute(site.toString(), "--json", "--offline");

    assertThat(status).isZero();
    JsonNode plan = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(plan.isArray()).isTrue();
    assertThat(plan).hasSize(2).allSatisfy(action -> {
      assertThat(action.get("action").asText()).isEqualTo("create");
      assertThat(action.get("space").asText()).isEqualTo("sandbox");
      assertThat(action.get("reason").asText()).startsWith("target share");
    });
    assertThat(plan.get(0).get("vo").asText() + plan.get(0).get("count").asInt()
        + plan.get(1).get("vo").asText() + plan.get(1).get("count").asInt())
        .isIn("atlas6lhcb4", "lhcb4atlas6");
  }

  @Test
  void plan_whenTheSiteFileIsRefused_exitsWithTwo() throws IOException {
    Path site = dir.resolve("broken.yaml");
    Files.writeString(site, "site: [not, a, name]\n");
    PlanCommand command = new PlanCommand();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);

    assertThat(new CommandLine(command).execute(site.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("site: must be a single value");
  }
}
