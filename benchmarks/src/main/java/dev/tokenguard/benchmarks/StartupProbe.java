package dev.tokenguard.benchmarks;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.testing.FakeIssuer;

/**
 * Startup cost: in a fresh JVM, the time from {@code build()} to the first verified token, with
 * the keys fetched over HTTP (loopback) from the fixture's JWKS endpoint: class loading and
 * initialisation of the verifier, the JWKS fetch and parse, the first parse and signature check.
 * Prints one line, {@code startupNanos N}; run it many times, each in a new JVM, and compare the
 * medians of two builds as a ratio (absolute times depend on the machine):
 *
 * <pre>{@code
 * for i in $(seq 20); do java -cp benchmarks/target/benchmarks.jar dev.tokenguard.benchmarks.StartupProbe; done
 * }</pre>
 *
 * The issuer runs in the same JVM and is started, and the token minted, before the clock starts.
 */
public final class StartupProbe {
  private StartupProbe() {}

  public static void main(String[] args) throws Exception {
    try (FakeIssuer issuer = FakeIssuer.start()) {
      String token = issuer.accessToken().scopes(VerifyBenchmark.SCOPE).sign();
      long start = System.nanoTime();
      try (AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build()) {
        AccessToken verified = verifier.verify(token, VerifyBenchmark.SCOPE);
        long elapsed = System.nanoTime() - start;
        if (!verified.hasScope(VerifyBenchmark.SCOPE)) {
          throw new AssertionError("the token lost its scope");
        }
        System.out.println("startupNanos " + elapsed);
      }
    }
  }
}
