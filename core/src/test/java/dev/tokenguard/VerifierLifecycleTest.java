package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.testing.FakeIssuer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A verifier's lifecycle in a container: {@code close()} ends the key-fetch thread the verifier
 * started, leaves an executor the application gave it alone, and that thread never holds the
 * application's class loader (servlet containers report both as leaks when an application stops).
 */
class VerifierLifecycleTest {
  private final FakeIssuer issuer = FakeIssuer.start();

  @AfterEach
  void stop() {
    issuer.close();
  }

  /** A verifier whose fetch thread is captured when it starts its first fetch. */
  private AccessTokenVerifier verifier(AtomicReference<Thread> fetchThread) {
    return issuer.httpVerifierBuilder()
        .keySourceListener(event -> {
          if (event.type() == KeySourceEvent.Type.FETCH_STARTED) {
            fetchThread.compareAndSet(null, Thread.currentThread());
          }
        })
        .build();
  }

  @Test
  void closeEndsTheKeyFetchThreadTheVerifierStarted() throws InterruptedException {
    AtomicReference<Thread> fetchThread = new AtomicReference<>();
    AccessTokenVerifier verifier = verifier(fetchThread);
    verifier.warmUp();
    Thread thread = fetchThread.get();
    assertThat(thread.getName()).isEqualTo("tokenguard-jwks-fetch");
    assertThat(thread.isAlive()).as("the idle thread lives 30 s unless closed").isTrue();

    verifier.close();
    thread.join(10_000); // returns as soon as the thread ends

    assertThat(thread.isAlive()).isFalse();
    assertThat(verifier.verify(issuer.accessToken().sign())).as("a closed verifier still verifies").isNotNull();
    verifier.close(); // idempotent
  }

  @Test
  void theFetchThreadDoesNotHoldTheApplicationsClassLoader() {
    AtomicReference<Thread> fetchThread = new AtomicReference<>();
    ClassLoader application = new ClassLoader(getClass().getClassLoader()) {};
    Thread.currentThread().setContextClassLoader(application);
    try (AccessTokenVerifier verifier = verifier(fetchThread)) {
      verifier.warmUp();
      assertThat(fetchThread.get().getContextClassLoader()).isSameAs(ClassLoader.getPlatformClassLoader());
    } finally {
      Thread.currentThread().setContextClassLoader(getClass().getClassLoader());
    }
  }

  @Test
  void closeLeavesAnExecutorTheApplicationGaveAlone() {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      AccessTokenVerifier verifier = issuer.httpVerifierBuilder().keyFetchExecutor(executor).build();
      verifier.warmUp();
      verifier.close();
      assertThat(executor.isShutdown()).isFalse();
    } finally {
      executor.shutdownNow();
    }
  }
}
