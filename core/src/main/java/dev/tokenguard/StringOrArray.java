package dev.tokenguard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one reader for claims that hold a string or an array of strings ({@code aud}, scope claims,
 * custom claims such as roles). It only reads; each caller states its own policy for a claim of
 * another shape: the verifier refuses the token (MALFORMED) for {@code aud} and scope claims, while
 * {@link AccessToken#stringListClaim(String)} answers an empty list.
 */
final class StringOrArray {
  private StringOrArray() {}

  /**
   * {@code value} as a list: a string becomes a one-element list, an array of strings the list of
   * its elements (unmodifiable); null for null, for another type, or for an array holding
   * anything but strings.
   */
  static List<String> read(Object value) {
    if (value instanceof String) {
      return List.of((String) value);
    }
    if (!(value instanceof List)) {
      return null;
    }
    List<?> raw = (List<?>) value;
    List<String> out = new ArrayList<>(raw.size());
    for (Object item : raw) {
      if (!(item instanceof String)) {
        return null;
      }
      out.add((String) item);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Whether {@code value} has the shape of a scope-like claim: a string, or an array holding only
   * strings. What {@link #addSpaceDelimited} accepts.
   */
  static boolean isStringOrStrings(Object value) {
    if (value instanceof String) {
      return true;
    }
    if (!(value instanceof List)) {
      return false;
    }
    List<?> items = (List<?>) value;
    for (int i = 0, n = items.size(); i < n; i++) { // indexed: the parser's lists are ArrayLists
      if (!(items.get(i) instanceof String)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds the entries of a scope-like claim to {@code into}: a string is split on spaces (RFC 6749
   * section 3.3 {@code scope} syntax, empty entries dropped), an array contributes its strings as
   * they are. Returns false, adding nothing, when the value has another shape.
   */
  static boolean addSpaceDelimited(Object value, java.util.Collection<String> into) {
    if (value instanceof String) {
      String list = (String) value;
      int start = 0;
      while (start <= list.length()) {
        int end = list.indexOf(' ', start);
        if (end < 0) {
          end = list.length();
        }
        if (end > start) {
          into.add(list.substring(start, end));
        }
        start = end + 1;
      }
      return true;
    }
    if (!isStringOrStrings(value)) {
      return false;
    }
    List<?> items = (List<?>) value;
    for (int i = 0, n = items.size(); i < n; i++) {
      into.add((String) items.get(i));
    }
    return true;
  }
}
