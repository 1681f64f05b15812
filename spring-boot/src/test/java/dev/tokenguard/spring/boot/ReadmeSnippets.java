package dev.tokenguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Reads the README's "Protect a Spring Boot API" section and compiles its Java snippets as written. */
final class ReadmeSnippets {
  static final String HEADING = "## Protect a Spring Boot API";

  private ReadmeSnippets() {}

  /** The {@code ```lang} blocks of the section, in order. */
  static List<String> blocks(String lang) {
    String readme;
    try {
      readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int at = readme.indexOf("\n" + HEADING + "\n");
    assertThat(at).as("README.md has a section %s", HEADING).isNotNegative();
    int next = readme.indexOf("\n## ", at + 1);
    String section = next < 0 ? readme.substring(at) : readme.substring(at, next);
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```" + lang + "\\n(.*?)```", Pattern.DOTALL).matcher(section);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  /** The one {@code ```lang} block of the section containing {@code marker}. */
  static String block(String lang, String marker) {
    List<String> found = blocks(lang).stream().filter(b -> b.contains(marker)).toList();
    assertThat(found).as("%s blocks containing %s in %s", lang, marker, HEADING).hasSize(1);
    return found.get(0);
  }

  /**
   * Compiles {@code source} (one top-level class {@code className}) against the test class path
   * into {@code work} and loads it with a loader the caller closes.
   */
  static URLClassLoader compile(Path work, String className, String source) throws IOException {
    Path file = work.resolve(className + ".java");
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK compiler (tests run on a JDK)").isNotNull();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status = javac.run(null, errors, errors, "-proc:none",
        "-classpath", System.getProperty("java.class.path"), "-d", work.toString(), file.toString());
    assertThat(status).as("README snippet compiles:%n%s%n%s", source, errors.toString(StandardCharsets.UTF_8)).isZero();
    return new URLClassLoader(new URL[] {work.toUri().toURL()}, ReadmeSnippets.class.getClassLoader());
  }
}
