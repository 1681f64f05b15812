package dev.tokenguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The fixture's public API stays exactly this small; a new public type is a decision, not an accident. */
class PublicApiTest {
  @Test
  void publicTypesAreExactlyTheDocumentedOnes() throws IOException {
    Set<String> publicTypes = new TreeSet<>();
    Path classes = Path.of("target", "classes");
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(file).toString().replace('/', '.').replace(".class", "");
        if (name.endsWith("package-info")) {
          continue;
        }
        try {
          Class<?> type = Class.forName(name);
          if (Modifier.isPublic(type.getModifiers())) {
            publicTypes.add(type.getName());
          }
        } catch (ClassNotFoundException e) {
          throw new AssertionError(e);
        }
      }
    }
    assertThat(publicTypes).containsExactly(
        "dev.tokenguard.testing.FakeIssuer",
        "dev.tokenguard.testing.FakeIssuer$Builder",
        "dev.tokenguard.testing.FakeIssuer$JwksFailure",
        "dev.tokenguard.testing.TestClock",
        "dev.tokenguard.testing.TestKey",
        "dev.tokenguard.testing.TokenBuilder");
  }
}
