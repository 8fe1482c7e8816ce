package io.flotilla.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flotilla.provider.CloudException;
import io.flotilla.provider.CloudException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jclouds.openstack.v2_0.domain.Resource;
import org.junit.jupiter.api.Test;

class NovaRefsTest {

  private static final String IMAGE_ID = "547562fc-b4f0-4cef-904e-a6d27a0435cf";

  private final List<String> imageQueries = new ArrayList<>();
  private final AtomicInteger flavourLists = new AtomicInteger();
  private List<Resource> images = List.of(resource(IMAGE_ID, "CernVM 4"),
      resource("0d1c2b3a-0000-4000-8000-000000000001", "CernVM 4 old"));
  private List<Resource> flavours = List.of(resource("42", "m1.large"),
      resource("e5f1", "m1.small"));
  private final NovaRefs refs = new NovaRefs("site-os", name -> {
    imageQueries.add(name);
    return images;
  }, () -> {
    flavourLists.incrementAndGet();
    return flavours;
  });

  @Test
  void imageId_uuid_isTakenWithoutACall() {
    assertThat(refs.imageId(IMAGE_ID)).isEqualTo(IMAGE_ID);
    assertThat(imageQueries).isEmpty();
  }

  @Test
  void imageId_exactName_isResolved() {
    assertThat(refs.imageId("CernVM 4")).isEqualTo(IMAGE_ID);
    assertThat(imageQueries).containsExactly("CernVM 4");
  }

  @Test
  void imageId_ambiguousName_isInvalidNamingTheIds() {
    images = List.of(resource("a", "CernVM 4"), resource("b", "CernVM 4"));

    assertThatThrownBy(() -> refs.imageId("CernVM 4"))
        .isInstanceOfSatisfying(CloudException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST))
        .hasMessage("openstack cloud site-os: image 'CernVM 4': 2 images have this name: "
            + "[a, b]; give the id");
  }

  @Test
  void flavourId_idOrName_isResolvedFromOneListing() {
    assertThat(refs.flavourId("42")).isEqualTo("42");
    assertThat(refs.flavourId("m1.small")).isEqualTo("e5f1");
    assertThat(flavourLists).hasValue(1);
  }

  @Test
  void flavourId_unknown_listsAgainThenRefuses() {
    refs.flavourId("42");
    flavours = List.of(resource("42", "m1.large"), resource("99", "m1.huge"));

    assertThat(refs.flavourId("m1.huge")).isEqualTo("99");
    assertThatThrownBy(() -> refs.flavourId("m1.tiny"))
        .hasMessage("openstack cloud site-os: flavour 'm1.tiny': no flavour has this id or name");
    assertThat(flavourLists).hasValue(3);
  }

  private static Resource resource(String id, String name) {
    return Resource.builder().id(id).name(name).links(Set.of()).build();
  }
}
