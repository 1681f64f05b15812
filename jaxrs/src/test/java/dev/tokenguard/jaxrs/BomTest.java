package dev.tokenguard.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The BOM ({@code bom/pom.xml}) lists exactly the published modules of the build, each at the
 * project's version, and carries the parent's release metadata, which it cannot inherit (it has no
 * parent, so importing it brings TokenGuard's versions only), and the README imports it as it
 * stands. Lives here because this module's tests
 * already read the repository's build files; it checks the build, not this module.
 */
class BomTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void theBomManagesEveryPublishedModuleAndNothingElse() throws Exception {
    Document parent = parse(ROOT.resolve("pom.xml"));
    Set<String> published = new TreeSet<>();
    for (String module : texts(child(parent.getDocumentElement(), "modules"), "module")) {
      Document pom = parse(ROOT.resolve(module).resolve("pom.xml"));
      Element project = pom.getDocumentElement();
      boolean unpublished = "true".equals(text(child(project, "properties"), "tokenguard.unpublished"));
      boolean aggregateOrBom = "pom".equals(text(project, "packaging"));
      if (!unpublished && !aggregateOrBom) {
        published.add(text(project, "artifactId"));
      }
    }
    assertThat(published).as("published modules").contains("tokenguard-core", "tokenguard-http", "tokenguard-jaxrs");

    Element bom = parse(ROOT.resolve("bom").resolve("pom.xml")).getDocumentElement();
    assertThat(child(bom, "parent")).as("the BOM has no parent").isNull();
    assertThat(text(bom, "packaging")).isEqualTo("pom");
    assertThat(text(bom, "version")).as("the BOM's version").isEqualTo(text(parent.getDocumentElement(), "version"));
    Set<String> managed = new TreeSet<>();
    for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("dev.tokenguard");
      assertThat(text(dependency, "version")).isEqualTo("${project.version}");
      assertThat(child(dependency, "scope")).as("no scope: users choose it").isNull();
      managed.add(text(dependency, "artifactId"));
    }
    assertThat(managed).as("artifacts the BOM manages").isEqualTo(published);
  }

  @Test
  void theBomCarriesTheParentsReleaseMetadata() throws Exception {
    Element parent = parse(ROOT.resolve("pom.xml")).getDocumentElement();
    Element bom = parse(ROOT.resolve("bom").resolve("pom.xml")).getDocumentElement();
    for (String element : List.of("url", "inceptionYear", "licenses", "developers", "scm", "issueManagement")) {
      assertThat(child(parent, element)).as("the parent's %s", element).isNotNull();
      assertThat(normalized(child(bom, element))).as(element).isEqualTo(normalized(child(parent, element)));
    }
  }

  @Test
  void theReadmeImportsTheBomAtTheProjectsVersion() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int at = readme.indexOf("<artifactId>tokenguard-bom</artifactId>");
    assertThat(at).as("README.md shows the BOM import").isNotNegative();
    int start = readme.lastIndexOf("<dependencyManagement>", at);
    int end = readme.indexOf("</dependencyManagement>", at) + "</dependencyManagement>".length();
    assertThat(start).isNotNegative();
    Element snippet = parse(readme.substring(start, end)).getDocumentElement();
    Element dependency = child(child(snippet, "dependencies"), "dependency");
    assertThat(text(dependency, "groupId")).isEqualTo("dev.tokenguard");
    assertThat(text(dependency, "version")).isEqualTo(text(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "version"));
    assertThat(text(dependency, "type")).isEqualTo("pom");
    assertThat(text(dependency, "scope")).isEqualTo("import");
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
  }

  private static Document parse(Path file) throws Exception {
    assertThat(file).exists();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(Files.newInputStream(file));
  }

  /** The first direct child element named {@code name}, or null. */
  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
        return (Element) n;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element && ((Element) nodes.item(i)).getTagName().equals(name)) {
        found.add((Element) nodes.item(i));
      }
    }
    return found;
  }

  private static List<String> texts(Element parent, String name) {
    List<String> texts = new ArrayList<>();
    children(parent, name).forEach(e -> texts.add(e.getTextContent().trim()));
    return texts;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }

  /** The element's text content and attributes, whitespace collapsed, for comparison. */
  private static String normalized(Element e) {
    if (e == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < e.getAttributes().getLength(); i++) {
      sb.append(e.getAttributes().item(i)).append(' ');
    }
    return sb.append(e.getTextContent().replaceAll("\\s+", " ").trim()).toString();
  }
}
