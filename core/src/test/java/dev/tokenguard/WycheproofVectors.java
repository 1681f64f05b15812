package dev.tokenguard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Finds and reads Project Wycheproof vector files kept outside the repository, in
 * {@code shared/testvectors/wycheproof/} next to the project root (see its README). Tests using
 * them are skipped, with a message saying so, only when that folder is absent.
 */
final class WycheproofVectors {
  static final String FOLDER = "shared/testvectors/wycheproof";

  private WycheproofVectors() {}

  /** The vector folder, found by walking up from the working directory; skips the test if absent. */
  static Path folder() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(FOLDER);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    assumeTrue(false, "Wycheproof vectors not found: no " + FOLDER + " folder above " + Path.of("").toAbsolutePath()
        + " (expected at ../shared/testvectors/wycheproof/ relative to the project root); skipping");
    throw new IllegalStateException("unreachable");
  }

  /** One vector file parsed as JSON; skips the test if the folder or the file is absent. */
  static Map<String, Object> load(String fileName) throws IOException, ParseException {
    Path file = folder().resolve(fileName);
    assumeTrue(Files.isRegularFile(file), "Wycheproof file " + file + " is absent; skipping");
    return JSONObjectUtils.parse(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> json, String member) {
    return (List<Map<String, Object>>) json.get(member);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Map<String, Object> json, String member) {
    return (Map<String, Object>) json.get(member);
  }

  static int tcId(Map<String, Object> test) {
    return ((Number) test.get("tcId")).intValue();
  }

  static byte[] hex(Map<String, Object> json, String member) {
    return HexFormat.of().parseHex((String) json.get(member));
  }
}
