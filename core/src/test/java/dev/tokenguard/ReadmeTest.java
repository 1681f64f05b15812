package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java snippets in README.md compile and do what the README says. */
class ReadmeTest {
  @TempDir Path work;

  @Test
  void quickStartVerifiesATokenAndRefusesABadOne() throws Exception {
    String snippet = javaBlockAfter("## Quick start");
    try (FakeIssuer issuer = FakeIssuer.builder().audience("https://example.com/health-api").start()) {
      // Point the README's Auth0 issuer at the fake one; everything else runs as written.
      String body = snippet.replace("\"https://tenant.us.auth0.com/\"", "\"" + issuer.issuer() + "\"");
      assertThat(body).as("the quick start names the issuer it configures").isNotEqualTo(snippet);
      Method run = compile("QuickStart", "public static Object run(String bearerToken) {\n", body, "\nreturn user;\n}");

      String subject = "auth0|readme-user";
      assertThat(run.invoke(null, issuer.accessToken().subject(subject).scopes("read:patients").sign())).isEqualTo(subject);
      assertThatThrownBy(() -> invoke(run, issuer.accessToken().scopes("read:admin").sign()))
          .isInstanceOfSatisfying(TokenVerificationException.class,
              e -> assertThat(e.reason()).isEqualTo(TokenVerificationException.Reason.INSUFFICIENT_SCOPE));
    }
  }

  @Test
  void fixtureExampleRunsAsWritten() throws Exception {
    String snippet = javaBlockAfter("## Test with the fake issuer");
    Method run = compile("FixtureExample", "public static Object run() {\n", snippet, "\nreturn null;\n}");
    run.invoke(null);
  }

  private static Object invoke(Method method, Object... args) throws Throwable {
    try {
      return method.invoke(null, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static String javaBlockAfter(String heading) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf(heading);
    assertThat(at).as("README.md has a section %s", heading).isNotNegative();
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(m.find(at)).as("a java block follows %s", heading).isTrue();
    return m.group(1);
  }

  /**
   * Compiles the snippet as written: its leading {@code import} lines head the class, the rest goes
   * between {@code head} and {@code tail} as a method body. Nothing is imported for it, so the
   * snippet must show every import it needs (and only explicit ones), as a reader copies it.
   */
  private Method compile(String className, String head, String snippet, String tail) throws Exception {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : snippet.split("\n", -1)) {
      if (line.startsWith("import ")) {
        assertThat(body.toString()).as("imports come first in the snippet").isBlank();
        assertThat(line).as("explicit imports").doesNotContain("*");
        imports.append(line).append('\n');
      } else {
        body.append(line).append('\n');
      }
    }
    assertThat(imports).as("the snippet shows its imports").isNotEmpty();
    String source = imports + "public class " + className + " {\n" + head + body + tail + "\n}\n";
    Path file = work.resolve(className + ".java");
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    boolean ok = javac.run(null, errors, errors,
        "-classpath", System.getProperty("java.class.path"), "-d", work.toString(), file.toString()) == 0;
    assertThat(ok).as("README snippet compiles:%n%s%n%s", source, errors).isTrue();
    URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()}, getClass().getClassLoader());
    for (Method method : loader.loadClass(className).getMethods()) {
      if (method.getName().equals("run")) {
        return method;
      }
    }
    throw new AssertionError("no run method");
  }
}
