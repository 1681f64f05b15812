package dev.tokenguard.http;

import static dev.tokenguard.http.Answers.params;
import static dev.tokenguard.http.Answers.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The form-body and URI-query methods of RFC 6750 sections 2.2 and 2.3, enabled, with in-memory requests. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OptInMethodsTest {
  private static final String FORM = "application/x-www-form-urlencoded";

  private final FakeIssuer issuer = FakeIssuer.start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();
  private final ProtectedResource resource = ProtectedResource.builder(verifier)
      .realm("health-api")
      .acceptQueryParameter()
      .acceptFormBody()
      .build();

  @AfterAll
  void stop() {
    verifier.close();
    issuer.close();
  }

  private String token() {
    return issuer.accessToken().subject("auth0|bob").sign();
  }

  private Decision decide(InMemoryRequest request) throws IOException {
    return resource.decide(request);
  }

  private static void assertStatusAndError(Decision d, int status, String error) {
    Answer a = refused(d, status);
    if (error == null) {
      assertThat(params(a)).doesNotContainKey("error");
    } else {
      assertThat(params(a)).containsEntry("error", error);
    }
  }

  @Test
  void queryTokenIsAcceptedAndTheResponseIsToBeMarkedPrivate() throws IOException {
    Decision d = decide(InMemoryRequest.get("/api/me?access_token=" + token()));
    assertThat(d.isAllowed()).isTrue();
    assertThat(d.accessToken().orElseThrow().subject()).isEqualTo("auth0|bob");
    assertThat(d.responseHeaders()).isEqualTo(Map.of("Cache-Control", List.of("private")));
  }

  @Test
  void headerTokenResponseIsNotMarkedPrivate() throws IOException {
    Decision d = decide(InMemoryRequest.get("/api/me").bearer(token()));
    assertThat(d.isAllowed()).isTrue();
    assertThat(d.responseHeaders()).isEmpty();
  }

  @Test
  void accessTokenRepeatedInTheQueryIsRejected() throws IOException {
    String t = token();
    assertStatusAndError(decide(InMemoryRequest.get("/api/me?access_token=" + t + "&access_token=" + t)), 400, "invalid_request");
  }

  @Test
  void emptyQueryTokenIsRejectedAsInvalidRequest() throws IOException {
    assertStatusAndError(decide(InMemoryRequest.get("/api/me?access_token=")), 400, "invalid_request");
    assertStatusAndError(decide(InMemoryRequest.get("/api/me?access_token")), 400, "invalid_request");
  }

  @Test
  void queryTokenWithCharactersOutsideB64tokenOrABrokenEscapeGets401InvalidToken() throws IOException {
    assertStatusAndError(decide(InMemoryRequest.get("/api/me?access_token=abc%22def")), 401, "invalid_token");
    Answer a = refused(decide(InMemoryRequest.get("/api/me?access_token=abc%zz")), 401);
    assertThat(a.headers().get("WWW-Authenticate"))
        .containsExactly("Bearer realm=\"health-api\", error=\"invalid_token\", error_description=\"The access token is malformed.\"");
  }

  @Test
  void formTokenOnPostIsAcceptedAndTheBodyIsHandedBackForTheApplication() throws IOException {
    String body = "note=hello+world&access_token=" + token();
    InMemoryRequest request = InMemoryRequest.post("/api/me?x=1", FORM, body);
    Decision d = decide(request);
    assertThat(d.isAllowed()).isTrue();
    assertThat(d.accessToken().orElseThrow().subject()).isEqualTo("auth0|bob");
    assertThat(d.responseHeaders()).isEmpty();
    assertThat(d.consumedBody()).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo(body));
    assertThat(request.bodyReads).isEqualTo(1);
  }

  @Test
  void formTokenIsAcceptedOnPutAndPatchAndWithACharsetParameter() throws IOException {
    for (String method : List.of("PUT", "PATCH")) {
      assertThat(decide(InMemoryRequest.post("/api/me", FORM, "access_token=" + token()).method(method)).isAllowed()).as(method).isTrue();
    }
    assertThat(decide(InMemoryRequest.post("/api/me", "Application/X-WWW-Form-Urlencoded ; charset=UTF-8", "access_token=" + token())).isAllowed()).isTrue();
  }

  @Test
  void formBodyWithoutTokenIsReadAndHandedBackWhenTheHeaderCarriesTheToken() throws IOException {
    Decision d = decide(InMemoryRequest.post("/api/me", FORM, "note=from-body").bearer(token()));
    assertThat(d.isAllowed()).isTrue();
    assertThat(d.consumedBody()).hasValueSatisfying(b -> assertThat(b).isEqualTo("note=from-body".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void consumedBodyIsACopy() throws IOException {
    Decision d = decide(InMemoryRequest.post("/api/me", FORM, "note=x").bearer(token()));
    d.consumedBody().orElseThrow()[0] = 'X';
    assertThat(d.consumedBody().orElseThrow()[0]).isEqualTo((byte) 'n');
  }

  @Test
  void headerAndFormTokenTogetherAreRejected() throws IOException {
    String t = token();
    assertStatusAndError(decide(InMemoryRequest.post("/api/me", FORM, "access_token=" + t).bearer(t)), 400, "invalid_request");
  }

  @Test
  void queryAndFormTokenTogetherAreRejected() throws IOException {
    String t = token();
    assertStatusAndError(decide(InMemoryRequest.post("/api/me?access_token=" + t, FORM, "access_token=" + t)), 400, "invalid_request");
  }

  @Test
  void accessTokenRepeatedInTheBodyIsRejected() throws IOException {
    String t = token();
    assertStatusAndError(decide(InMemoryRequest.post("/api/me", FORM, "access_token=" + t + "&access_token=" + t)), 400, "invalid_request");
  }

  @Test
  void formTokenOnGetIsNeverAcceptedAndTheBodyIsNotRead() throws IOException {
    InMemoryRequest request = InMemoryRequest.post("/api/me", FORM, "access_token=" + token()).method("GET");
    assertStatusAndError(decide(request), 401, null);
    assertThat(request.bodyReads).isZero();
  }

  @Test
  void formTokenWithAnotherContentTypeIsNeverAccepted() throws IOException {
    for (String type : List.of("text/plain", "application/json", "multipart/form-data; boundary=b")) {
      InMemoryRequest request = InMemoryRequest.post("/api/me", type, "access_token=" + token());
      assertStatusAndError(decide(request), 401, null);
      assertThat(request.bodyReads).as(type).isZero();
    }
  }

  @Test
  void formTokenInANonAsciiBodyIsNotLookedFor() throws IOException {
    assertStatusAndError(decide(InMemoryRequest.post("/api/me", FORM, "note=café&access_token=" + token())), 401, null);
  }

  @Test
  void oversizedFormBodyIsRejected() throws IOException {
    String body = "note=" + "x".repeat(TokenExtractor.MAX_FORM_BYTES) + "&access_token=" + token();
    Decision d = decide(InMemoryRequest.post("/api/me", FORM, body));
    assertStatusAndError(d, 400, "invalid_request");
    assertThat(d.consumedBody()).isEmpty();
  }

  @Test
  void aBodyDeclaredLargerThanTheDrainLimitIsNotRead() throws IOException {
    InMemoryRequest request = InMemoryRequest.post("/api/me", FORM, "access_token=" + token())
        .header("Content-Length", Integer.toString(TokenExtractor.MAX_DRAIN_BYTES + 1));
    assertStatusAndError(decide(request), 400, "invalid_request");
    assertThat(request.bodyReads).isZero();
  }
}
