package dev.tokenguard;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON parser on its own: value types, the strictness rules and the limits. The same rules
 * through the whole verifier are in {@link AttackClaimsTest} and {@link ResourceBoundsTest}.
 * Where a rule keeps the behaviour of the JSON parser used before (Nimbus's), the test checks
 * Nimbus's answer too.
 */
class JsonTest {
  private static final Duration BOUND = Duration.ofSeconds(2);

  private static LinkedHashMap<String, Object> parse(String json) throws ParseException {
    return parse(json.getBytes(UTF_8));
  }

  private static LinkedHashMap<String, Object> parse(byte[] bytes) throws ParseException {
    return Json.parseObject(bytes, 0, bytes.length);
  }

  /** The refusal of {@code bytes}, failing the test when they are accepted. */
  private static String refusal(byte[] bytes) {
    ParseException e = catchThrowableOfType(ParseException.class, () -> assertTimeoutPreemptively(BOUND, () -> parse(bytes)));
    assertThat(e).as("must be refused: %s", new String(bytes, StandardCharsets.ISO_8859_1)).isNotNull();
    assertThat(e.getMessage()).hasSizeLessThan(200);
    return e.getMessage();
  }

  private static String refusal(String json) {
    return refusal(json.getBytes(UTF_8));
  }

  private static boolean nimbusAccepts(String json) {
    try {
      JSONObjectUtils.parse(json);
      return true;
    } catch (ParseException e) {
      return false;
    }
  }

  // Value types

  @Test
  void readsEachJsonTypeAsTheDocumentedJavaType() throws ParseException {
    Map<String, Object> m = parse("{\"s\":\"x\",\"i\":7,\"d\":1.5,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"y\",null],\"o\":{\"k\":{}}}");
    assertThat(m).isInstanceOf(LinkedHashMap.class).containsKey("n");
    assertThat(m.keySet()).containsExactly("s", "i", "d", "t", "f", "n", "a", "o");
    assertThat(m.get("s")).isEqualTo("x");
    assertThat(m.get("i")).isEqualTo(7L);
    assertThat(m.get("d")).isEqualTo(1.5d);
    assertThat(m.get("t")).isEqualTo(Boolean.TRUE);
    assertThat(m.get("f")).isEqualTo(Boolean.FALSE);
    assertThat(m.get("n")).isNull();
    assertThat(m.get("a")).isInstanceOf(ArrayList.class).isEqualTo(java.util.Arrays.asList(1L, "y", null));
    assertThat(m.get("o")).isInstanceOf(LinkedHashMap.class).isEqualTo(Map.of("k", Map.of()));
    assertThat(((Map<?, ?>) m.get("o")).get("k")).isInstanceOf(LinkedHashMap.class);
  }

  @Test
  void theMapsAndListsAreMutableSoTheVerifierCanFreezeThemInPlace() throws ParseException {
    LinkedHashMap<String, Object> m = parse("{\"a\":[1],\"o\":{\"b\":2}}");
    m.entrySet().iterator().next().setValue("replaced");
    @SuppressWarnings("unchecked")
    Map<String, Object> o = (Map<String, Object>) m.get("o");
    o.put("c", 3L);
    assertThat(m).containsEntry("a", "replaced");
  }

  @ParameterizedTest
  @CsvSource({
    "0, Long, 0",
    "-0, Long, 0",
    "1767225600, Long, 1767225600",
    "9223372036854775807, Long, 9223372036854775807",
    "-9223372036854775808, Long, -9223372036854775808",
    "9223372036854775808, Double, 9.223372036854775807E18",
    "-9223372036854775809, Double, -9.223372036854775809E18",
    "18446744073709551616, Double, 1.8446744073709552E19",
    "123456789012345678901234567890, Double, 1.2345678901234568E29",
    "1.5, Double, 1.5",
    "-0.0, Double, -0.0",
    "1.0, Double, 1.0",
    "1e2, Double, 100.0",
    "1E+300, Double, 1.0E300",
    "1e300, Double, 1.0E300",
    "1e-400, Double, 0.0",
    "1767225600.5, Double, 1.7672256005E9",
    "1.7976931348623157E308, Double, 1.7976931348623157E308",
  })
  void readsNumbersExactlyAsNimbusDid(String literal, String type, String expected) throws ParseException {
    Object value = parse("{\"n\":" + literal + "}").get("n");
    Object nimbus = JSONObjectUtils.parse("{\"n\":" + literal + "}").get("n");
    assertThat(value).isEqualTo(type.equals("Long") ? (Object) Long.valueOf(expected) : (Object) Double.valueOf(expected));
    assertThat(value).isEqualTo(nimbus);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e999", "-1e999", "1.7976931348623159E308", "2e308"})
  void refusesANumberBeyondTheRangeOfADoubleAsNimbusDid(String literal) {
    assertThat(refusal("{\"n\":" + literal + "}")).isEqualTo("holds a number beyond the range of a double");
    assertThat(nimbusAccepts("{\"n\":" + literal + "}")).isFalse();
  }

  @Test
  void readsTextExactly() throws ParseException {
    Map<String, Object> m = parse("{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\ud83d\\ude00\\uD83D\\uDE00\\u0000\",\"r\":\"\u00e9\u65e5\ud83d\ude00\uFEFF\"}");
    assertThat(m.get("e")).isEqualTo("\"\\/\b\f\n\r\tA\u00e9\ud83d\ude00\ud83d\ude00\u0000");
    assertThat(m.get("r")).isEqualTo("\u00e9\u65e5\ud83d\ude00\uFEFF");
  }

  @Test
  void readsASliceOfTheArrayInPlace() throws ParseException {
    for (String json : new String[] {"{\"a\":\"b\"}", "{\"a\":\"\u00e9\"}"}) {
      byte[] doc = json.getBytes(UTF_8);
      byte[] framed = new byte[doc.length + 6];
      java.util.Arrays.fill(framed, (byte) '}');
      System.arraycopy(doc, 0, framed, 3, doc.length);
      assertThat(Json.parseObject(framed, 3, doc.length)).isEqualTo(parse(json));
    }
  }

  // Exactly one object

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[[\"a\",1]]", "[{\"a\":1}]", "\"s\"", "1", "true", "null", "", " ", "\n", "}", "{", "{\"a\":", "{\"a\":[1", "{\"a\":{}"})
  void refusesAnythingButAJsonObject(String json) {
    assertThat(refusal(json)).isIn("is not a JSON object", "ends inside the JSON object");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{} x", "{}{}", "{\"a\":1}{\"a\":2}", "{}]", "{}}", "{},", "{} null", "{} 1", "{} \"s\"", "{}[]"})
  void refusesDataAfterTheObject(String json) {
    assertThat(refusal(json)).isIn("has data after the JSON object", "is not a JSON object");
  }

  @Test
  void allowsJsonWhitespaceAroundTheObject() throws ParseException {
    assertThat(parse(" \t\r\n{ \"a\" : [ 1 , 2 ] }\r\n\t ")).isEqualTo(Map.of("a", List.of(1L, 2L)));
    assertThat(refusal("\u00a0{}")).isEqualTo("is not a JSON object");
    assertThat(refusal("{}\u2028")).isIn("has data after the JSON object", "is not a JSON object");
  }

  // Duplicate member names, at every depth

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"a\":1,\"a\":2}",
    "{\"a\":null,\"a\":null}",
    "{\"a\":1,\"b\":2,\"c\":3,\"a\":4}",
    "{\"a\":1,\"\\u0061\":2}",
    "{\"o\":{\"b\":1,\"b\":2}}",
    "{\"o\":{\"p\":{\"q\":{\"b\":{},\"b\":[]}}}}",
    "{\"l\":[{\"r\":\"user\"},{\"r\":\"user\",\"r\":\"admin\"}]}",
    "{\"l\":[[[{\"x\":1,\"x\":1}]]]}",
  })
  void refusesADuplicateMemberNameAtAnyDepth(String json) {
    assertThat(refusal(json)).isEqualTo("has a member name twice in one object");
  }

  @Test
  void namesThatOnlyLookAlikeAreNotDuplicates() throws ParseException {
    assertThat(parse("{\"a\":1,\"A\":2,\"a \":3,\"\u00e9\":4,\"e\u0301\":5,\"o\":{\"a\":6}}")).hasSize(6);
  }

  @Test
  void nimbusRefusedTopLevelDuplicatesOnlyNestedOnesAreNewlyRefused() {
    assertThat(nimbusAccepts("{\"a\":1,\"a\":2}")).isFalse();
    assertThat(nimbusAccepts("{\"o\":{\"b\":1,\"b\":2}}")).isTrue();
  }

  // Encodings

  @Test
  void refusesAByteOrderMark() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    assertThat(refusal(concat(bom, "{}".getBytes(UTF_8)))).isEqualTo("starts with a byte order mark");
    assertThat(refusal(concat(bom, "{\"a\":\"\u00e9\"}".getBytes(UTF_8)))).isEqualTo("starts with a byte order mark");
    assertThat(refusal(concat(" ".getBytes(UTF_8), bom, "{}".getBytes(UTF_8)))).isEqualTo("is not a JSON object");
    assertThat(refusal(concat("{}".getBytes(UTF_8), bom))).isIn("has data after the JSON object", "is not a JSON object");
  }

  @Test
  void aDocumentAlreadyDecodedMayStartWithOneByteOrMarkAsNimbusAllowed() throws ParseException {
    assertThat(Json.parseObject("\uFEFF{\"keys\":[]}")).containsKey("keys");
    assertThat(nimbusAccepts("\uFEFF{\"keys\":[]}")).isTrue();
    assertThat(catchThrowableOfType(ParseException.class, () -> Json.parseObject("\uFEFF\uFEFF{}")).getMessage())
        .isEqualTo("the document is not a JSON object");
    assertThat(catchThrowableOfType(ParseException.class, () -> Json.parseObject("{\"a\":1,\"a\":2}")).getMessage())
        .isEqualTo("the document has a member name twice in one object");
    assertThat(catchThrowableOfType(ParseException.class, () -> Json.parseObject("{\"a\":\"\ud800\"}")).getMessage())
        .startsWith("the document holds an unpaired UTF-16 surrogate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32", "UTF-32LE", "UTF-32BE"})
  void refusesUtf16AndUtf32WithOrWithoutAByteOrderMark(String charset) {
    byte[] encoded = "{\"iss\":\"x\"}".getBytes(Charset.forName(charset));
    assertThat(refusal(encoded)).isIn("is not a JSON object", "is not valid UTF-8");
    if (!charset.endsWith("E")) {
      byte[] bom = "\uFEFF{\"iss\":\"x\"}".getBytes(Charset.forName(charset + "BE"));
      assertThat(refusal(bom)).isIn("is not a JSON object", "is not valid UTF-8");
    }
  }

  @Test
  void refusesNulBytesButNotAnEscapedNul() throws ParseException {
    assertThat(refusal("{\"a\":\"\u0000\"}")).isEqualTo("is not a JSON object");
    assertThat(refusal("\u0000{}")).isEqualTo("is not a JSON object");
    assertThat(refusal("{}\u0000")).isIn("has data after the JSON object", "is not a JSON object");
    assertThat(refusal("{\"a\u0000\":1}")).isEqualTo("is not a JSON object");
    assertThat(parse("{\"a\":\"\\u0000\"}").get("a")).isEqualTo("\u0000");
  }

  @Test
  void refusesInvalidUtf8IncludingWhatJacksonWouldDecode() {
    byte[][] invalid = {
      {(byte) 0xff}, {(byte) 0xfe}, {(byte) 0x80}, {(byte) 0xbf}, {(byte) 0xc3}, {(byte) 0xe6, (byte) 0x97},
      {(byte) 0xc0, (byte) 0x80}, // overlong NUL: jackson reads it as U+0000
      {(byte) 0xc1, (byte) 0xbf},
      {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, // overlong '/': jackson reads it as '/'
      {(byte) 0xf0, (byte) 0x80, (byte) 0x80, (byte) 0xaf},
      {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate (CESU-8)
      {(byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed, (byte) 0xb8, (byte) 0x80},
      {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
      {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      {(byte) 0xc3, (byte) 0x28},
    };
    for (byte[] bytes : invalid) {
      assertThat(refusal(concat("{\"a\":\"".getBytes(UTF_8), bytes, "\"}".getBytes(UTF_8)))).isEqualTo("is not valid UTF-8");
      assertThat(refusal(concat("{\"".getBytes(UTF_8), bytes, "\":1}".getBytes(UTF_8)))).isEqualTo("is not valid UTF-8");
    }
  }

  // Unpaired surrogates in escapes: refused (the decision, see Json)

  @ParameterizedTest
  @ValueSource(strings = {"\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud800x", "x\\ud83d", "\\udc00\\ud800", "\\ud83d\\ud83d", "\\ude00\\ud83d\\ude00"})
  void refusesAnUnpairedSurrogateEscapeWhichNimbusAccepted(String escaped) {
    assertThat(refusal("{\"a\":\"" + escaped + "\"}")).isEqualTo("holds an unpaired UTF-16 surrogate (\\u escape)");
    // jackson itself refuses some broken pairs in member names.
    assertThat(refusal("{\"" + escaped + "\":1}")).isIn("holds an unpaired UTF-16 surrogate (\\u escape)", "is not a JSON object");
    assertThat(refusal("{\"o\":[{\"b\":\"" + escaped + "\"}]}")).isEqualTo("holds an unpaired UTF-16 surrogate (\\u escape)");
    assertThat(nimbusAccepts("{\"a\":\"" + escaped + "\"}")).isTrue();
  }

  // JSON extensions: all refused (jackson's defaults, and Nimbus refused them too)

  @ParameterizedTest
  @ValueSource(strings = {
    "{// c\n\"a\":1}", "{/* c */\"a\":1}", "{\"a\":1}/* c */", "{# c\n\"a\":1}", "{\"a\":1}#",
    "{'a':1}", "{\"a\":'x'}", "{a:1}", "{$a:1}",
    "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":+Infinity}", "{\"a\":+INF}",
    "{\"a\":+1}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":01}", "{\"a\":-01}", "{\"a\":00}", "{\"a\":0x10}", "{\"a\":1e}", "{\"a\":-}",
    "{\"a\":1,}", "{\"a\":[1,]}", "{\"a\":[1,,2]}", "{\"a\":[,1]}", "{,\"a\":1}", "{\"a\":}",
    "{\"a\":\"x\ty\"}", "{\"a\":\"x\ny\"}", "{\"a\":\"\u0001\"}", "{\"a\":\"\u001f\"}",
    "{\"a\":\"\\x41\"}", "{\"a\":\"\\'\"}", "{\"a\":\"\\a\"}", "{\"a\":\"\\u00\"}", "{\"a\":\"\\U0041\"}",
    "\u001e{\"a\":1}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\"=1}", "{\"a\":1;\"b\":2}",
    "{\"a\":True}", "{\"a\":NULL}", "{\"a\":tru}", "{\"a\":undefined}",
  })
  void refusesEveryJsonExtension(String json) {
    assertThat(refusal(json)).isIn("is not a JSON object", "ends inside the JSON object");
    assertThat(nimbusAccepts(json)).as("Nimbus refused it too").isFalse();
  }

  @Test
  void everyJacksonExtensionIsOffNamesAreNotSharedAndBuffersArePooledAcrossThreads() throws ParseException {
    for (JsonReadFeature feature : JsonReadFeature.values()) {
      assertThat(Json.FACTORY.isEnabled(feature.mappedFeature())).as(feature.name()).isFalse();
    }
    assertThat(Json.FACTORY.isEnabled(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)).isFalse();
    assertThat(Json.FACTORY.isEnabled(JsonFactory.Feature.INTERN_FIELD_NAMES)).isFalse();
    assertThat(Json.FACTORY.isEnabled(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)).isFalse();
    // Buffers are reused across threads (a virtual thread per request has no thread-local to reuse).
    assertThat(Json.FACTORY._getRecyclerPool()).isInstanceOf(JsonRecyclerPools.BoundedPool.class);
    String first = parse("{\"name-from-one-token\":1}").keySet().iterator().next();
    String second = parse("{\"name-from-one-token\":1}").keySet().iterator().next();
    assertThat(second).isEqualTo(first).isNotSameAs(first);
  }

  @Test
  void threadsParsingAtOnceEachReadTheirOwnDocument() throws Exception {
    int threads = 4;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          int checked = 0;
          for (int i = 0; i < 5_000; i++) {
            String id = thread + "-" + i + "-" + "x".repeat(i % 300);
            Map<String, Object> m = parse("{\"sub\":\"" + id + "\",\"n\":" + i + ",\"l\":[\"" + id + "\"]}");
            if (!m.equals(Map.of("sub", id, "n", (long) i, "l", List.of(id)))) {
              throw new AssertionError("thread " + thread + " read " + m);
            }
            checked++;
          }
          return checked;
        }));
      }
      for (java.util.concurrent.Future<Integer> result : results) {
        assertThat(result.get()).isEqualTo(5_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // Limits

  @Test
  void limitsNestingTo64LevelsCountingTheOuterObject() throws ParseException {
    assertThat(parse(nested(Json.MAX_DEPTH))).isNotEmpty();
    assertThat(refusal(nested(Json.MAX_DEPTH + 1))).startsWith("exceeds a JSON limit");
    assertThat(refusal("{\"a\":" + "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH) + "}")).startsWith("exceeds a JSON limit");
    assertThat(refusal("{\"a\":" + "[".repeat(500_000) + "]".repeat(500_000) + "}")).startsWith("exceeds a JSON limit");
    assertThat(refusal("{\"a\":" + "{\"a\":".repeat(100_000))).startsWith("exceeds a JSON limit");
  }

  /** An object nested {@code depth} levels deep (the outer object is level 1), alternating objects and arrays. */
  private static String nested(int depth) {
    StringBuilder open = new StringBuilder("{\"a\":");
    StringBuilder close = new StringBuilder("}");
    for (int level = 2; level <= depth; level++) {
      if (level % 2 == 0) {
        open.append('[');
        close.insert(0, ']');
      } else {
        open.append("{\"a\":");
        close.insert(0, '}');
      }
    }
    return open.append("1").append(close).toString();
  }

  @Test
  void limitsNumbersTo64Digits() throws ParseException {
    assertThat(parse("{\"n\":" + "9".repeat(64) + "}").get("n")).isEqualTo(1e64);
    assertThat(parse("{\"n\":-" + "9".repeat(64) + "}").get("n")).isEqualTo(-1e64);
    assertThat(parse("{\"n\":1." + "0".repeat(63) + "}").get("n")).isEqualTo(1.0);
    assertThat(parse("{\"n\":1767225600." + "0".repeat(50) + "e+0}").get("n")).isEqualTo(1.7672256E9);
    assertThat(refusal("{\"n\":" + "9".repeat(65) + "}")).startsWith("exceeds a JSON limit");
    assertThat(refusal("{\"n\":1." + "0".repeat(64) + "}")).startsWith("exceeds a JSON limit");
    assertThat(refusal("{\"n\":1." + "0".repeat(61) + "e100}")).startsWith("exceeds a JSON limit");
    assertThat(refusal("{\"n\":" + "1".repeat(700_000) + "}")).startsWith("exceeds a JSON limit");
  }

  @Test
  void limitsNamesTo1024Characters() throws ParseException {
    assertThat(parse("{\"" + "n".repeat(1024) + "\":1}")).hasSize(1);
    assertThat(parse("{\"" + "\u00e9".repeat(1024) + "\":1}")).hasSize(1);
    assertThat(refusal("{\"" + "n".repeat(1025) + "\":1}")).startsWith("exceeds a JSON limit");
    assertThat(refusal("{\"o\":{\"" + "\u00e9".repeat(1025) + "\":1}}")).startsWith("exceeds a JSON limit");
  }

  @Test
  void limitsStringsTo1MiBCharacters() throws ParseException {
    assertThat(parse("{\"s\":\"" + "x".repeat(Json.MAX_STRING_LENGTH) + "\"}").get("s")).asString().hasSize(Json.MAX_STRING_LENGTH);
    assertThat(refusal("{\"s\":\"" + "x".repeat(Json.MAX_STRING_LENGTH + 1) + "\"}")).startsWith("exceeds a JSON limit");
  }

  // Messages and exceptions

  @Test
  void messagesNeverQuoteTheInput() {
    String marker = "SECRET-7f3a";
    String[] inputs = {
      "{\"" + marker + "\":1,\"" + marker + "\":2}", "{\"a\":" + marker + "}", "{\"a\":\"" + marker + "\"} " + marker,
      "{'" + marker + "':1}", "{\"" + marker + "\":\"\\ud800\"}", "{\"" + marker.repeat(200) + "\":1}", "[\"" + marker + "\"]",
    };
    for (String input : inputs) {
      assertThat(refusal(input)).doesNotContain(marker).doesNotContain("SECRET");
    }
  }

  /**
   * Random mutations of a realistic claims set: the only exception is ParseException, and
   * whatever is accepted was accepted by Nimbus too, with the same values (never more lenient, the
   * same numbers and strings).
   */
  @Test
  void mutatedDocumentsAreEitherRefusedOrReadAsNimbusReadThem() {
    String seed = "{\"iss\":\"https://tenant.example.test/\",\"sub\":\"auth0|65\u00e9\",\"aud\":[\"https://api.example.test\",\"x\"],"
        + "\"iat\":1767225600,\"exp\":1.7672256E9,\"n\":-0.5e-3,\"big\":92233720368547758070,\"ok\":true,\"no\":null,"
        + "\"https://example.test/roles\":{\"r\":[\"a\",{\"b\":false}],\"e\":\"\\u00e9\\ud83d\\ude00\\n\"}}";
    byte[] original = seed.getBytes(UTF_8);
    byte[] alphabet = "{}[]:,\"\\ -+.0123456789eEtrufalsn\u0000\t\n/'#ux".getBytes(UTF_8);
    Random random = new Random(20261123);
    int accepted = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = original.clone();
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(bytes.length);
        bytes[at] = random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
      }
      Map<String, Object> ours;
      try {
        ours = Json.parseObject(bytes, 0, bytes.length);
      } catch (ParseException e) {
        continue;
      }
      accepted++;
      String text = new String(bytes, UTF_8);
      Map<String, Object> nimbus;
      try {
        nimbus = JSONObjectUtils.parse(text);
      } catch (ParseException e) {
        throw new AssertionError("accepted what Nimbus refused: " + text, e);
      }
      assertThat(ours).as(text).isEqualTo(nimbus);
    }
    assertThat(accepted).as("some mutations stay valid JSON").isGreaterThan(1000);
  }

  // Nimbus reads the maps

  @Test
  void nimbusParsesJwksFromTheseMaps() throws JOSEException, ParseException {
    List<JWK> keys = List.of(
        new RSAKeyGenerator(2048).keyID("rsa").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
            .keyOperations(Set.of(KeyOperation.VERIFY)).expirationTime(new Date(1_900_000_000_000L))
            .issueTime(new Date(1_700_000_000_000L)).generate().toPublicJWK(),
        new ECKeyGenerator(Curve.P_256).keyID("ec").generate().toPublicJWK(),
        new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(new byte[32])).keyID("ed").build());
    for (JWK key : keys) {
      assertThat(JWK.parse(parse(key.toJSONString()))).isEqualTo(key);
    }
    JWK withOps = JWK.parse(parse("{\"kty\":\"oct\",\"k\":\"" + Base64URL.encode(new byte[32]) + "\",\"key_ops\":[\"verify\"],\"exp\":1.9e9}"));
    assertThat(withOps.getKeyOperations()).containsExactly(KeyOperation.VERIFY);
    assertThat(withOps.getExpirationTime()).isEqualTo(new Date(1_900_000_000_000L));
  }

  @Test
  void nimbusParsesJwsHeadersFromTheseMaps() throws JOSEException, ParseException {
    JWK jwk = new RSAKeyGenerator(2048).keyID("h").generate().toPublicJWK();
    String json = "{\"alg\":\"RS256\",\"kid\":\"h\",\"typ\":\"at+jwt\",\"jku\":\"https://a.example.test/jwks\",\"jwk\":" + jwk.toJSONString()
        + ",\"x5c\":[\"" + Base64.encode(new byte[] {48, 0}) + "\"],\"custom\":{\"n\":1,\"l\":[1.5,true]}}";
    JWSHeader header = JWSHeader.parse(parse(json), Base64URL.encode(json));
    assertThat(header.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(header.getJWKURL()).isEqualTo(URI.create("https://a.example.test/jwks"));
    assertThat(header.getJWK()).isEqualTo(jwk);
    assertThat(header.getX509CertChain()).hasSize(1);
    assertThat(header.getCustomParam("custom")).isEqualTo(Map.of("n", 1L, "l", List.of(1.5, true)));
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
