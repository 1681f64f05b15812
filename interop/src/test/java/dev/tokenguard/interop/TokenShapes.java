package dev.tokenguard.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records, per issuer, the decoded header and payload of the tokens the flows produced, exactly as
 * the issuer encoded them (the signature is never written, so nothing recorded is a usable token),
 * into {@code target/token-shapes/<issuer>.md}: the real shapes the ID-token rule and the
 * "Tested with" table are built from.
 */
final class TokenShapes {
  private static final Map<String, String> SHAPES = new ConcurrentHashMap<>();

  private TokenShapes() {}

  /** The decoded JOSE header of a compact JWS, verbatim. */
  static String header(String jwt) {
    return part(jwt, 0);
  }

  /** The decoded payload of a compact JWS, verbatim. */
  static String payload(String jwt) {
    return part(jwt, 1);
  }

  private static String part(String jwt, int index) {
    String[] parts = jwt.split("\\.", -1);
    if (parts.length != 3) {
      throw new AssertionError("not a compact JWS: " + parts.length + " parts");
    }
    return new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8);
  }

  /** Keeps the shape of {@code jwt} as "{@code flow}: {@code kind}" of {@code issuer}. */
  static void record(String issuer, String flow, String kind, String jwt) {
    SHAPES.put(issuer + "\u0000" + flow + ": " + kind,
        "header:  " + header(jwt) + "\npayload: " + payload(jwt) + "\nsignature: (redacted)\n");
  }

  /**
   * Writes everything recorded for {@code issuer} (nothing when nothing was); a test class calls
   * it once, after its flows.
   */
  static void write(String issuer) {
    String dir = System.getProperty("interop.report.dir");
    if (dir == null || SHAPES.keySet().stream().noneMatch(key -> key.startsWith(issuer + "\u0000"))) {
      return;
    }
    StringBuilder text = new StringBuilder("# Token shapes: ").append(issuer).append("\n\n");
    SHAPES.entrySet().stream()
        .filter(entry -> entry.getKey().startsWith(issuer + "\u0000"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(entry -> text.append("## ").append(entry.getKey().substring(issuer.length() + 1)).append("\n\n```\n")
            .append(entry.getValue()).append("```\n\n"));
    try {
      Path file = Path.of(dir).resolve(issuer.replaceAll("[^A-Za-z0-9-]", "-") + ".md");
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
