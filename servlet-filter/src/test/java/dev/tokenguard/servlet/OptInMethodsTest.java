package dev.tokenguard.servlet;

import static dev.tokenguard.servlet.Challenges.assertWellFormed;
import static dev.tokenguard.servlet.Challenges.params;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The form-body and URI-query methods of RFC 6750 2.2 and 2.3, enabled, over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OptInMethodsTest {
  private static final String FORM = "application/x-www-form-urlencoded";

  private FakeIssuer issuer;
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    issuer = FakeIssuer.start();
    server = TestServer.start(BearerTokenFilter.builder(issuer.verifierBuilder().build())
        .realm("health-api")
        .acceptQueryParameter()
        .acceptFormBody()
        .build());
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
    issuer.close();
  }

  private String token() {
    return issuer.accessToken().subject("auth0|bob").sign();
  }

  private static void assertStatusAndError(HttpResponse<String> r, int status, String error) {
    assertThat(r.statusCode()).isEqualTo(status);
    String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertWellFormed(challenge);
    if (error == null) {
      assertThat(params(challenge)).doesNotContainKey("error");
    } else {
      assertThat(params(challenge)).containsEntry("error", error);
    }
  }

  @Test
  void queryTokenIsAcceptedAndTheResponseIsMarkedPrivate() {
    HttpResponse<String> r = Http.get(server.uri("/api/me?access_token=" + token()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("principal=auth0|bob\n");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("private");
  }

  @Test
  void headerTokenResponseIsNotMarkedPrivate() {
    HttpResponse<String> r = Http.get(server.uri("/api/me"), "Authorization", "Bearer " + token());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).isEmpty();
  }

  @Test
  void accessTokenRepeatedInTheQueryIsRejected() {
    String t = token();
    assertStatusAndError(Http.get(server.uri("/api/me?access_token=" + t + "&access_token=" + t)), 400, "invalid_request");
  }

  @Test
  void emptyQueryTokenIsRejectedAsInvalidRequest() {
    assertStatusAndError(Http.get(server.uri("/api/me?access_token=")), 400, "invalid_request");
  }

  @Test
  void queryTokenWithCharactersOutsideB64tokenGets401InvalidToken() {
    assertStatusAndError(Http.get(server.uri("/api/me?access_token=abc%22def")), 401, "invalid_token");
    java.util.List<String> raw = Http.raw(server.port(), "GET /api/me?access_token=abc%zz HTTP/1.1", "Host: 127.0.0.1");
    assertThat(raw.get(0)).contains(" 401 ");
    assertThat(raw).contains("WWW-Authenticate: Bearer realm=\"health-api\", error=\"invalid_token\", error_description=\"The access token is malformed.\"");
  }

  @Test
  void formTokenOnPostIsAcceptedAndTheApplicationStillSeesTheForm() {
    HttpResponse<String> r = Http.post(server.uri("/api/me?x=1"), FORM, "note=hello+world&access_token=" + token());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("note=hello world\n", "principal=auth0|bob\n");
    assertThat(r.headers().firstValue("Cache-Control")).isEmpty();
  }

  @Test
  void formBodyIsReplayedToTheApplication() {
    String body = "access_token=" + token() + "&note=kept";
    HttpResponse<String> r = Http.post(server.uri("/api/me"), FORM + "; charset=UTF-8", body, "X-Read", "body");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("body=" + body + "\n");
  }

  @Test
  void formParametersReachTheApplicationDecodedInTheBodysCharset() {
    String bearer = "Bearer " + token();
    HttpResponse<String> rawUtf8 = Http.post(server.uri("/api/me"), FORM + "; charset=UTF-8", "note=café", "Authorization", bearer);
    HttpResponse<String> escapedLatin1 = Http.post(server.uri("/api/me"), FORM + "; charset=ISO-8859-1", "note=caf%E9", "Authorization", bearer);
    HttpResponse<String> escapedUtf8 = Http.post(server.uri("/api/me"), FORM, "note=caf%C3%A9", "Authorization", bearer);
    HttpResponse<String> tokenInBody = Http.post(server.uri("/api/me"), FORM + "; charset=UTF-8", "access_token=" + token() + "&note=caf%C3%A9");

    for (HttpResponse<String> r : List.of(rawUtf8, escapedLatin1, escapedUtf8, tokenInBody)) {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("note=café\n");
    }
  }

  @Test
  void formBodyWithoutTokenKeepsItsParametersForTheApplication() {
    HttpResponse<String> r = Http.post(server.uri("/api/me"), FORM, "note=from-body", "Authorization", "Bearer " + token());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("note=from-body\n");
  }

  @Test
  void headerAndFormTokenTogetherAreRejected() {
    String t = token();
    assertStatusAndError(Http.post(server.uri("/api/me"), FORM, "access_token=" + t, "Authorization", "Bearer " + t), 400, "invalid_request");
  }

  @Test
  void queryAndFormTokenTogetherAreRejected() {
    String t = token();
    assertStatusAndError(Http.post(server.uri("/api/me?access_token=" + t), FORM, "access_token=" + t), 400, "invalid_request");
  }

  @Test
  void accessTokenRepeatedInTheBodyIsRejected() {
    String t = token();
    assertStatusAndError(Http.post(server.uri("/api/me"), FORM, "access_token=" + t + "&access_token=" + t), 400, "invalid_request");
  }

  @Test
  void formTokenOnGetIsNeverAccepted() {
    HttpResponse<String> r = Http.method("GET", server.uri("/api/me"), "access_token=" + token(), "Content-Type", FORM);
    assertStatusAndError(r, 401, null);
  }

  @Test
  void formTokenWithAnotherContentTypeIsNeverAccepted() {
    assertStatusAndError(Http.post(server.uri("/api/me"), "text/plain", "access_token=" + token()), 401, null);
    assertStatusAndError(Http.post(server.uri("/api/me"), "application/json", "{\"access_token\":\"" + token() + "\"}"), 401, null);
  }

  @Test
  void formTokenInAMultipartBodyIsNeverAccepted() {
    String body = "--b\r\nContent-Disposition: form-data; name=\"access_token\"\r\n\r\n" + token() + "\r\n--b--\r\n";
    assertStatusAndError(Http.post(server.uri("/api/me"), "multipart/form-data; boundary=b", body), 401, null);
  }

  @Test
  void oversizedFormBodyIsRejected() {
    String body = "note=" + "x".repeat(64 * 1024) + "&access_token=" + token();
    assertStatusAndError(Http.postOnOwnConnection(server.uri("/api/me"), FORM, body), 400, "invalid_request");
  }
}
