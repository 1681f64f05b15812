package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The one {@code <filter>} of a web.xml document (a whole {@code <web-app>}, or a fragment of
 * {@code <filter>} and {@code <filter-mapping>}), checked to be this filter mapped to every path.
 */
final class WebXmlFilter {
  final String name;
  final Map<String, String> initParameters;

  private WebXmlFilter(String name, Map<String, String> initParameters) {
    this.name = name;
    this.initParameters = initParameters;
  }

  static WebXmlFilter parse(String webXml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    String document = webXml.contains("<web-app") ? webXml : "<web-app>" + webXml + "</web-app>";
    Document doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(document)));
    Element filter = (Element) doc.getElementsByTagName("filter").item(0);
    assertThat(filter).as("a <filter>").isNotNull();
    assertThat(text(filter, "filter-class")).isEqualTo(BearerTokenFilter.class.getName());
    Element mapping = (Element) doc.getElementsByTagName("filter-mapping").item(0);
    assertThat(mapping).as("the filter is mapped").isNotNull();
    assertThat(text(mapping, "filter-name")).isEqualTo(text(filter, "filter-name"));
    assertThat(text(mapping, "url-pattern")).as("mapped to every path, as TestServer maps it on Jetty").isEqualTo("/*");
    Map<String, String> params = new LinkedHashMap<>();
    NodeList initParams = filter.getElementsByTagName("init-param");
    for (int i = 0; i < initParams.getLength(); i++) {
      Element p = (Element) initParams.item(i);
      params.put(text(p, "param-name"), text(p, "param-value"));
    }
    assertThat(params).as("init parameters").isNotEmpty();
    return new WebXmlFilter(text(filter, "filter-name"), params);
  }

  private static String text(Element parent, String child) {
    return parent.getElementsByTagName(child).item(0).getTextContent().trim();
  }
}
