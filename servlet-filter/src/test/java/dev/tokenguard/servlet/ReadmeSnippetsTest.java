package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.servlet.Filter;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The README's "Protect a servlet API" snippets, run as written (issuer swapped for a FakeIssuer). */
class ReadmeSnippetsTest {
  private static final String API = "https://example.com/health-api";

  @Test
  void builderSnippetProtectsTheHealthApi() throws Exception {
    try (FakeIssuer issuer = FakeIssuer.builder().audience(API).start()) {
      // README region start
      AccessTokenVerifier verifier = AccessTokenVerifier.builder()
          .issuer(issuer.issuer())                            // "https://tenant.us.auth0.com/" in the README
          .audience("https://example.com/health-api")
          .build();
      Filter filter = BearerTokenFilter.builder(verifier)
          .realm("health-api")
          .permit("/api/public")                              // no token needed
          .requireScopes("/api/patients/*", "read:patients")  // all of these scopes
          .requireScopes("/api/admin/*", "read:admin")
          .requireAnyScope("/api/reports/*", "read:reports", "read:admin")  // one of these
          .build();                                           // any other path: a valid token
      // README region end
      try (TestServer server = TestServer.start(filter)) {
        String nurse = issuer.accessToken().subject("auth0|nurse").scopes("read:patients").sign();
        assertThat(Http.get(server.uri("/api/public")).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/admin"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
        assertThat(Http.get(server.uri("/api/reports"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
        assertThat(Http.get(server.uri("/api/me")).statusCode()).isEqualTo(401);
      }
    }
  }

  @Test
  void webXmlSnippetConfiguresTheFilterWithoutCode() throws Exception {
    Map<String, String> params = readmeWebXmlInitParameters();
    assertThat(params).containsEntry("issuer", "https://tenant.us.auth0.com/");
    try (FakeIssuer issuer = FakeIssuer.builder().audience(params.get("audience")).start()) {
      params.put("issuer", issuer.issuer());
      try (TestServer server = TestServer.startWithInitParameters(params)) {
        String nurse = issuer.accessToken().scopes("read:patients").sign();
        assertThat(Http.get(server.uri("/api/public")).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/admin"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
        assertThat(Http.get(server.uri("/api/patients")).headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"health-api\"");
      }
    }
  }

  private static Map<String, String> readmeWebXmlInitParameters() throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setNamespaceAware(true);
    Document doc;
    try (InputStream in = ReadmeSnippetsTest.class.getResourceAsStream("/readme/web.xml")) {
      doc = factory.newDocumentBuilder().parse(in);
    }
    Element filter = (Element) doc.getElementsByTagNameNS("*", "filter").item(0);
    assertThat(filter.getElementsByTagNameNS("*", "filter-class").item(0).getTextContent())
        .isEqualTo(BearerTokenFilter.class.getName());
    Map<String, String> params = new LinkedHashMap<>();
    NodeList initParams = filter.getElementsByTagNameNS("*", "init-param");
    for (int i = 0; i < initParams.getLength(); i++) {
      Element p = (Element) initParams.item(i);
      params.put(p.getElementsByTagNameNS("*", "param-name").item(0).getTextContent().trim(),
          p.getElementsByTagNameNS("*", "param-value").item(0).getTextContent().trim());
    }
    return params;
  }
}
