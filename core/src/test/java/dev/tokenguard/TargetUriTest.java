package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The form {@code htu} and the request URI are compared in (RFC 9449 section 4.3 check 9): RFC 3986
 * section 6.2.2 syntax-based and 6.2.3 scheme-based normalisation, query and fragment ignored.
 */
class TargetUriTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // scheme and host case (6.2.2.1)
      "HTTPS://API.Example.TEST/patients | https://api.example.test/patients",
      // path case is significant
      "https://api.example.test/Patients | https://api.example.test/Patients",
      // default and empty port (6.2.3)
      "https://api.example.test:443/p | https://api.example.test/p",
      "http://api.example.test:80/p | http://api.example.test/p",
      "https://api.example.test:/p | https://api.example.test/p",
      "https://api.example.test:0443/p | https://api.example.test/p",
      "https://api.example.test:8443/p | https://api.example.test:8443/p",
      "http://api.example.test:443/p | http://api.example.test:443/p",
      // empty path (6.2.3)
      "https://api.example.test | https://api.example.test/",
      "https://api.example.test?x=1 | https://api.example.test/",
      // percent-encoding: upper case, unreserved decoded (6.2.2.1, 6.2.2.2)
      "https://api.example.test/a%2fb | https://api.example.test/a%2Fb",
      "https://api.example.test/%7Euser/%41%62 | https://api.example.test/~user/Ab",
      "https://api.example.test/a%20b | https://api.example.test/a%20b",
      "https://%41PI.example.test/ | https://api.example.test/",
      // dot segments (6.2.2.3)
      "https://api.example.test/a/./b/../c | https://api.example.test/a/c",
      "https://api.example.test/a/%2E%2E/c | https://api.example.test/c",
      "https://api.example.test/../../x | https://api.example.test/x",
      // query and fragment ignored
      "https://api.example.test/p?q=1#f | https://api.example.test/p",
      "https://api.example.test/p#f?x | https://api.example.test/p",
      // IPv6 literal and userinfo
      "https://[2001:DB8::1]:443/p | https://[2001:db8::1]/p",
      "https://[::1]:8443/p | https://[::1]:8443/p",
      "https://user@api.example.test/p | https://user@api.example.test/p",
  })
  void normalises(String uri, String expected) {
    assertThat(TargetUri.normalize(uri)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/relative", "api.example.test/p", "ftp://api.example.test/p", "https:/p", "https://", "https:///p",
      "https://api.example.test/a b", "https://api.example.test/\u00e9", "https://api.example.test/%zz",
      "https://api.example.test/%4", "https://api.example.test:99999/p", "https://api.example.test:8a/p",
      "https://[::1/p", "https://[]/p", "https://api.example.test/\"x\"", "https://api.example.test/a\\b",
      "https://api.example.test/%\u0661\u0662",
  })
  void givesNoFormToWhatIsNotAnAbsoluteHttpUri(String uri) {
    assertThat(TargetUri.normalize(uri)).isNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {TargetUri.MAX_LENGTH, TargetUri.MAX_LENGTH + 1})
  void boundsTheLength(int length) {
    String prefix = "https://api.example.test/";
    String uri = prefix + "a".repeat(length - prefix.length());
    assertThat(TargetUri.normalize(uri) != null).isEqualTo(length <= TargetUri.MAX_LENGTH);
  }
}
