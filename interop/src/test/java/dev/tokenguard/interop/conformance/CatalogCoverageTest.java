package dev.tokenguard.interop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every case of the catalog that applies to a resource server, on a surface TokenGuard implements,
 * has at least one test bound to it, and every bound id exists in the catalog (a typo would
 * silently cover nothing).
 */
class CatalogCoverageTest {
  /** The catalog surfaces TokenGuard implements; a surface joins this list with its tests. */
  static final Set<String> IMPLEMENTED_SURFACES = Set.of(
      "sdk-verifier.jwt", "sdk-verifier.jwks", "sdk-verifier.claims", "sdk-client.discovery", "sdk-verifier.dpop.inbound",
      "sdk-resource-metadata", "sdk-verifier.error-response");

  @Test
  void everyApplicableCaseHasABoundTestAndEveryBoundIdExists() throws Exception {
    assumeTrue(Catalog.present(), "the conformance catalog is not at " + Catalog.LOCATION.toAbsolutePath().normalize()
        + " (the shared folder beside the project); nothing to check");
    Catalog catalog = Catalog.read();
    Set<String> bound = boundIds();

    Set<String> unknown = new TreeSet<>(bound);
    unknown.removeAll(catalog.cases.keySet());
    assertThat(unknown).as("ids bound to tests but absent from the catalog").isEmpty();

    Set<String> uncovered = new TreeSet<>();
    for (Catalog.Case c : catalog.applicable()) {
      if (IMPLEMENTED_SURFACES.contains(c.surface) && !bound.contains(c.id)) {
        uncovered.add(c.surface + " " + c.id);
      }
    }
    assertThat(uncovered).as("applicable catalog cases without a bound test").isEmpty();
  }

  /** The ids of every {@link ConformanceCase} on a test class of this module. */
  private static Set<String> boundIds() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(CatalogCoverageTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> ids = new TreeSet<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        for (Method method : Class.forName(name, false, CatalogCoverageTest.class.getClassLoader()).getDeclaredMethods()) {
          ConformanceCase bound = method.getAnnotation(ConformanceCase.class);
          if (bound != null) {
            ids.addAll(Set.of(bound.value()));
          }
        }
      }
    }
    return ids;
  }
}
