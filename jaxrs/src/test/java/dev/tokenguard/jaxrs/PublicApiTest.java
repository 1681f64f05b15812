package dev.tokenguard.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.apicheck.PublicApi;
import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/**
 * The module's surface is a decision, not an accident: its descriptor exports exactly these
 * packages, and its public types and members are exactly those in {@code src/test/resources/public-api.txt}.
 */
class PublicApiTest {
  @Test
  void theModuleDescriptorExportsExactlyTheApiPackages() {
    ModuleDescriptor module = PublicApi.builtModule();

    assertThat(module.name()).isEqualTo("dev.tokenguard.jaxrs");
    assertThat(PublicApi.exports(module)).containsExactly("dev.tokenguard.jaxrs");
    assertThat(module.isOpen()).isFalse();
    assertThat(module.opens()).isEmpty();
  }

  @Test
  void publicTypesAndMembersAreExactlyTheReviewedOnes() {
    PublicApi.assertMatchesReviewedList();
  }
}
