package dev.tokenguard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * The one JSON parser of the library: JOSE headers, claims sets, JWK Sets and discovery documents
 * (jackson-core's streaming parser, never a data binder). A document must be exactly one JSON
 * object (RFC 8259) in strict UTF-8, with nothing after it, and is returned as a mutable
 * {@link LinkedHashMap} in document order, whose values are:
 *
 * <ul>
 *   <li>a JSON string: {@link String};
 *   <li>an integer that fits in a {@code long}: {@link Long};
 *   <li>every other number (a fraction, an exponent, an integer beyond the range of {@code long}):
 *       {@link Double}; a number whose magnitude is too large for a double is refused;
 *   <li>{@code true} / {@code false}: {@link Boolean};
 *   <li>an array: {@link ArrayList}; an object: {@link LinkedHashMap}, in document order;
 *   <li>{@code null}: null.
 * </ul>
 *
 * <p>Refused, with a {@link ParseException} whose message never quotes the input: a member name
 * that appears twice in the same object, at any depth (RFC 7515 4, RFC 7519 4 allow a parser to
 * refuse; taking the last one would let two readers of the same token disagree); a byte order
 * mark, a NUL byte or any other input that is not UTF-8 (invalid sequences, overlong forms,
 * encoded surrogates, code points beyond U+10FFFF, UTF-16 or UTF-32); a <code>&#92;u</code> escape
 * that leaves a surrogate unpaired (it has no UTF-8 form, so such a string changes when an
 * application re-encodes it; RFC 7493 2.1); everything JSON does not allow (comments, single
 * quotes, unquoted names, {@code NaN} and {@code Infinity}, leading zeros, a leading {@code +} or
 * {@code .}, trailing commas, control characters in strings); and documents beyond the limits
 * below.
 *
 * <p>Immutable and thread-safe: one configured factory. Nothing that affects parsing is shared
 * between documents (member names are not canonicalized across documents, so one document never
 * changes how another is read); only jackson's scratch buffers are pooled, across threads.
 */
final class Json {
  /**
   * Deepest nesting accepted, the outer object being level 1. Real claims sets nest three or four
   * levels (Keycloak's {@code resource_access.client.roles} is 4) and key documents three; 64 is
   * far above that, and bounds the recursion here, in the verifier's freezing of the claims and in
   * any application code that walks a claim.
   */
  static final int MAX_DEPTH = 64;
  /**
   * Longest number literal, in digits (sign and punctuation aside). A {@code long} has 19 digits
   * and a double needs 17 significant digits and a 3-digit exponent; 64 leaves room for padded
   * fractions such as {@code 1767225600.000000000} and keeps every number cheap to convert.
   */
  static final int MAX_NUMBER_LENGTH = 64;
  /**
   * Longest member name, in characters: claim names, even namespaced URLs, are well under 100.
   */
  static final int MAX_NAME_LENGTH = 1024;
  /**
   * Longest string value, in characters. A token is at most 1 MiB (the builder's ceiling) and its
   * decoded payload smaller still, so this never refuses a token the size limit lets through; it
   * bounds a key document's strings the same way.
   */
  static final int MAX_STRING_LENGTH = 1024 * 1024;

  /**
   * JSON extensions jackson can accept, all off (their default), stated so that no later default
   * change loosens them.
   */
  private static final JsonReadFeature[] EXTENSIONS = {
    JsonReadFeature.ALLOW_JAVA_COMMENTS,
    JsonReadFeature.ALLOW_YAML_COMMENTS,
    JsonReadFeature.ALLOW_SINGLE_QUOTES,
    JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS,
    JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER,
    JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS,
    JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS,
    JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS,
    JsonReadFeature.ALLOW_TRAILING_DECIMAL_POINT_FOR_NUMBERS,
    JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS,
    JsonReadFeature.ALLOW_MISSING_VALUES,
    JsonReadFeature.ALLOW_TRAILING_COMMA,
    JsonReadFeature.ALLOW_RS_CONTROL_CHAR,
  };

  static final JsonFactory FACTORY = factory();

  private Json() {}

  private static JsonFactory factory() {
    JsonFactoryBuilder builder = new JsonFactoryBuilder();
    // One at a time: jackson's disable(first, others...) enables the others.
    for (JsonReadFeature extension : EXTENSIONS) {
      builder.disable(extension);
    }
    return builder
        // Each member name is decoded afresh for each document: no symbol table shared between
        // documents (and threads) that hostile names could fill, and no interning.
        .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
        .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
        // Duplicate names are refused in readObject, against the map being built: jackson's
        // STRICT_DUPLICATE_DETECTION would keep a second set of the names of every object.
        .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        // Numbers through the JDK's own parsers, as before (both are exact; one less code path).
        .disable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
        .disable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
        // jackson's default pool keeps its buffers per thread: a server with a virtual thread per
        // request would allocate them afresh for every token (about 8 KB). A bounded pool shared
        // by all threads reuses them whatever the threads, and holds at most 100 sets.
        .recyclerPool(JsonRecyclerPools.sharedBoundedPool())
        .streamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .build())
        .build();
  }

  /**
   * Parses {@code length} bytes of {@code bytes} from {@code offset} as one JSON object in UTF-8
   * (a decoded JOSE header or claims set). The bytes are read in place and not modified.
   *
   * @throws ParseException when they are not exactly one JSON object within the rules and limits
   *     of this class; the message says which rule failed, as a predicate for the caller to put
   *     after the name of the part ("the payload " + message), and never quotes the input; the
   *     error offset is always 0
   */
  static LinkedHashMap<String, Object> parseObject(byte[] bytes, int offset, int length) throws ParseException {
    // jackson only ever sees characters: from bytes it would detect UTF-16 and UTF-32 by their NUL
    // bytes, skip a byte order mark silently and accept overlong and out-of-range sequences.
    boolean nonAscii = false;
    boolean backslash = false;
    for (int i = offset, end = offset + length; i < end; i++) {
      byte b = bytes[i];
      if (b < 0) {
        nonAscii = true;
      } else if (b == '\\') {
        backslash = true;
      }
    }
    if (!nonAscii) {
      // Every byte is a character: jackson reads them through a reader straight into its pooled
      // buffer, with no string made of the whole document first.
      return parse(new AsciiReader(bytes, offset, length), backslash);
    }
    if (length >= 3 && bytes[offset] == (byte) 0xEF && bytes[offset + 1] == (byte) 0xBB
        && bytes[offset + 2] == (byte) 0xBF) {
      throw new ParseException("starts with a byte order mark", 0);
    }
    CharBuffer chars;
    try {
      chars =
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, offset, length));
    } catch (CharacterCodingException e) {
      throw new ParseException("is not valid UTF-8", 0);
    }
    // Valid UTF-8 holds no unpaired surrogate; only an escape (a backslash) can make one.
    return parse(chars, backslash);
  }

  /**
   * Parses a document that has already been decoded to characters (a JWK Set or discovery
   * document as received). A leading byte order mark is skipped here, as RFC 8259 8.1 permits for
   * documents received over the network; everything else is as {@link #parseObject(byte[], int, int)}.
   *
   * @throws ParseException as {@link #parseObject(byte[], int, int)}, with a message that is a
   *     whole phrase ("the document is not a JSON object")
   */
  static LinkedHashMap<String, Object> parseObject(String json) throws ParseException {
    try {
      return parse(json.startsWith("\uFEFF") ? json.substring(1) : json, true);
    } catch (ParseException e) {
      throw new ParseException("the document " + e.getMessage(), 0);
    }
  }

  /**
   * Parses a String, a CharBuffer or an {@link AsciiReader}; {@code surrogates}: whether a name or
   * string may hold an unpaired surrogate, and must be checked.
   */
  private static LinkedHashMap<String, Object> parse(Object text, boolean surrogates) throws ParseException {
    try (JsonParser parser = createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new ParseException("is not a JSON object", 0);
      }
      LinkedHashMap<String, Object> object = readObject(parser, surrogates);
      if (parser.nextToken() != null) {
        throw new ParseException("has data after the JSON object", 0);
      }
      return object;
    } catch (StreamConstraintsException e) {
      throw new ParseException(
          "exceeds a JSON limit (nesting depth " + MAX_DEPTH + ", numbers of " + MAX_NUMBER_LENGTH + " digits, names of "
              + MAX_NAME_LENGTH + " characters, strings of " + MAX_STRING_LENGTH + " characters)",
          0);
    } catch (IOException | RuntimeException e) {
      // jackson's message may quote the input (a member name, a token); it is not passed on.
      throw new ParseException("is not a JSON object", 0);
    }
  }

  private static JsonParser createParser(Object text) throws IOException {
    if (text instanceof AsciiReader) {
      return FACTORY.createParser((AsciiReader) text);
    }
    if (text instanceof String) {
      return FACTORY.createParser((String) text);
    }
    CharBuffer chars = (CharBuffer) text;
    return FACTORY.createParser(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
  }

  /**
   * Bytes below 0x80 read as the characters they are (the caller checked that every byte is), for
   * jackson's character parser: the same characters a Latin-1 string of them would hold, copied
   * once, into the parser's own buffer. Not thread-safe; one per document.
   */
  private static final class AsciiReader extends Reader {
    private final byte[] bytes;
    private int next;
    private final int end;

    AsciiReader(byte[] bytes, int offset, int length) {
      this.bytes = bytes;
      this.next = offset;
      this.end = offset + length;
    }

    @Override
    public int read(char[] into, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      int n = Math.min(length, end - next);
      if (n <= 0) {
        return -1;
      }
      for (int i = 0; i < n; i++) {
        into[offset + i] = (char) bytes[next + i];
      }
      next += n;
      return n;
    }

    @Override
    public void close() {
      // Nothing to release: the bytes belong to the caller.
    }
  }

  /** Reads the members of an object whose START_OBJECT is the current token, up to its END_OBJECT. */
  private static LinkedHashMap<String, Object> readObject(JsonParser parser, boolean surrogates) throws IOException, ParseException {
    LinkedHashMap<String, Object> object = new LinkedHashMap<>();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      if (object.containsKey(name)) {
        throw new ParseException("has a member name twice in one object", 0);
      }
      if (surrogates) {
        checkSurrogates(name);
      }
      object.put(name, readValue(parser, parser.nextToken(), surrogates));
    }
    return object;
  }

  private static ArrayList<Object> readArray(JsonParser parser, boolean surrogates) throws IOException, ParseException {
    ArrayList<Object> array = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      array.add(readValue(parser, token, surrogates));
    }
    return array;
  }

  private static Object readValue(JsonParser parser, JsonToken token, boolean surrogates) throws IOException, ParseException {
    if (token == null) {
      throw new ParseException("ends inside the JSON object", 0);
    }
    switch (token) {
      case START_OBJECT:
        return readObject(parser, surrogates);
      case START_ARRAY:
        return readArray(parser, surrogates);
      case VALUE_STRING:
        String text = parser.getText();
        if (surrogates) {
          checkSurrogates(text);
        }
        return text;
      case VALUE_NUMBER_INT:
        if (parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          return parser.getLongValue();
        }
        return finite(parser.getDoubleValue());
      case VALUE_NUMBER_FLOAT:
        return finite(parser.getDoubleValue());
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        // Not reachable with the features above (no embedded objects, no missing values).
        throw new ParseException("is not a JSON object", 0);
    }
  }

  /** A number whose magnitude a double cannot hold (such as 1e999) is refused rather than read as infinite. */
  private static Double finite(double value) throws ParseException {
    if (Double.isInfinite(value)) {
      throw new ParseException("holds a number beyond the range of a double", 0);
    }
    return value;
  }

  private static void checkSurrogates(String s) throws ParseException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          throw new ParseException("holds an unpaired UTF-16 surrogate (\\u escape)", 0);
        }
      }
    }
  }
}
