package dev.tokenguard.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The RFC 6750 section 2.1 {@code b64token} grammar, for every UTF-16 character. */
class B64TokenTest {
  /** The grammar as RFC 6750 writes it: {@code ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"}. */
  private static boolean rfcTokenChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~+/".indexOf(c) >= 0;
  }

  @Test
  void everyCharacterIsClassifiedAsTheRfcSays() {
    for (int i = 0; i <= Character.MAX_VALUE; i++) {
      char c = (char) i;
      assertThat(AuthorizationHeader.isB64Token("a" + c + "b")).as("U+%04X inside a token", i).isEqualTo(rfcTokenChar(c));
      assertThat(AuthorizationHeader.isB64Token(String.valueOf(c))).as("U+%04X alone", i).isEqualTo(rfcTokenChar(c));
    }
  }

  @Test
  void equalsSignsOnlyAtTheEndAndNeverAlone() {
    assertThat(AuthorizationHeader.isB64Token("abc==")).isTrue();
    assertThat(AuthorizationHeader.isB64Token("ab=c")).isFalse();
    assertThat(AuthorizationHeader.isB64Token("==")).isFalse();
    assertThat(AuthorizationHeader.isB64Token("")).isFalse();
  }
}
