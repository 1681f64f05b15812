package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.dpop.ReplayStore;
import dev.tokenguard.dpop.ReplayStores;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The DPoP options: secure defaults, bounded ranges, immutable copies. */
class DpopPolicyTest {
  @Test
  void theDefaultsAreTheDocumentedOnes() {
    DpopPolicy policy = DpopPolicy.defaults();
    assertThat(policy.isEnabled()).isTrue();
    assertThat(policy.isRequired()).isFalse();
    assertThat(policy.algorithms()).containsExactlyInAnyOrder(Algorithm.ES256, Algorithm.PS256, Algorithm.RS256, Algorithm.EdDSA);
    assertThat(policy.maxProofAge()).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.maxFutureSkew()).isEqualTo(Duration.ofSeconds(5));
    assertThat(policy.replayStore()).isEmpty();
    assertThat(policy.nonces()).isEmpty();
    assertThat(DpopPolicy.disabled().isEnabled()).isFalse();
    assertThat(DpopPolicy.disabled().required().isEnabled()).isTrue();
  }

  @Test
  void copiesChangeOneThing() {
    ReplayStore store = ReplayStores.inMemory();
    DpopNonces nonces = DpopNonces.fromSecret(new byte[32]);
    DpopPolicy base = DpopPolicy.defaults();
    DpopPolicy changed = base.withReplayStore(store).withNonces(nonces).withAlgorithms(Algorithm.ES256)
        .withProofWindow(Duration.ofSeconds(30), Duration.ofSeconds(2)).required();
    assertThat(base.replayStore()).isEmpty();
    assertThat(base.isRequired()).isFalse();
    assertThat(changed.replayStore()).containsSame(store);
    assertThat(changed.nonces()).containsSame(nonces);
    assertThat(changed.algorithms()).containsExactly(Algorithm.ES256);
    assertThat(changed.maxProofAge()).isEqualTo(Duration.ofSeconds(30));
    assertThat(changed.maxFutureSkew()).isEqualTo(Duration.ofSeconds(2));
    assertThat(changed.isRequired()).isTrue();
    assertThatThrownBy(() -> changed.algorithms().add(Algorithm.RS256)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void refusesOutOfRangeOptions() {
    DpopPolicy p = DpopPolicy.defaults();
    assertThatThrownBy(() -> p.withProofWindow(Duration.ofMillis(999), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.withProofWindow(Duration.ofMinutes(5).plusMillis(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.withProofWindow(Duration.ofMinutes(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.withProofWindow(Duration.ofMinutes(1), Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(p::withAlgorithms).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.withAlgorithms((Algorithm) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> p.withReplayStore(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> p.withNonces(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> AccessTokenVerifier.builder().dpop(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theLimitsAreAccepted() {
    DpopPolicy p = DpopPolicy.defaults().withProofWindow(Duration.ofMinutes(5), Duration.ofMinutes(1));
    assertThat(p.maxProofAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(DpopPolicy.defaults().withProofWindow(Duration.ofSeconds(1), Duration.ZERO).maxFutureSkew()).isZero();
  }

  @Test
  void requirementWithDpopIsAnotherRequirement() {
    Requirement scopes = Requirement.allScopes("a");
    assertThat(scopes.withDpop()).isNotEqualTo(scopes).isEqualTo(Requirement.allScopes("a").withDpop());
    assertThat(scopes.withDpop().hashCode()).isEqualTo(Requirement.allScopes("a").withDpop().hashCode());
    assertThat(scopes.withDpop().dpopRequired()).isTrue();
    assertThat(scopes.dpopRequired()).isFalse();
    assertThat(Requirement.none().withDpop().isNone()).isFalse();
    assertThat(Requirement.none().withDpop()).hasToString("DPoP");
    assertThat(Requirement.anyScope("a", "b").withDpop()).hasToString("any of [a, b], DPoP");
  }
}
