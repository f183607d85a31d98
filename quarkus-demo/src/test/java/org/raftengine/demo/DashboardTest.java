package org.raftengine.demo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URL;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.htmlunit.BrowserVersion;
import org.htmlunit.WebClient;
import org.htmlunit.html.DomElement;
import org.htmlunit.html.HtmlButton;
import org.htmlunit.html.HtmlInput;
import org.htmlunit.html.HtmlPage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a headless browser (HtmlUnit) that runs its JavaScript against the running app: the node table
 * fills in, an assignment made through the API shows up by itself (the page polls), and the page's form assigns a
 * topic (or shows the problem's title when the request is refused). A script error fails the test.
 */
@QuarkusTest
class DashboardTest {
    private static final Duration LIVE = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URL root;

    private WebClient browser;

    @BeforeEach
    void open() {
        browser = new WebClient(BrowserVersion.FIREFOX);
        browser.getOptions().setThrowExceptionOnScriptError(true);
        browser.getOptions().setThrowExceptionOnFailingStatusCode(true);
        browser.getOptions().setCssEnabled(false);
    }

    @AfterEach
    void close() {
        browser.close();
    }

    private static String text(HtmlPage page, String selector) {
        DomElement e = page.querySelector(selector);
        return e == null ? null : e.getTextContent();
    }

    @Test
    void showsTheNodesAndNewAssignmentsLive() throws Exception {
        HtmlPage page = browser.getPage(root);
        assertThat(page.getTitleText()).contains("topic ownership");

        Awaitility.await("the node table showing n1 leading").atMost(LIVE).ignoreExceptions()
                .until(() -> "LEADER".equals(text(page, "#node-n1 .role")));
        assertThat(text(page, "#status")).isEqualTo("live");
        assertThat(text(page, "#self")).isEqualTo("n1");
        assertThat(Long.parseLong(text(page, "#node-n1 .term"))).isPositive();

        String topic = "dash-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).body("{\"owners\": [\"broker-5\", \"broker-6\"]}")
                .when().put("/topics/" + topic).then().statusCode(200);
        Awaitility.await("the new assignment on the page, without a reload").atMost(LIVE)
                .until(() -> page.querySelector("#assignments tr[data-topic='" + topic + "']") != null);
        assertThat(text(page, "#assignments tr[data-topic='" + topic + "'] .owners")).isEqualTo("broker-5, broker-6");
        int index = given().contentType(ContentType.JSON).body("{\"owners\": [\"broker-1\"]}")
                .when().put("/topics/" + topic).then().statusCode(200).extract().path("index");
        Awaitility.await("the applied index on the page reaching " + index).atMost(LIVE).ignoreExceptions()
                .until(() -> Long.parseLong(text(page, "#node-n1 .applied")) >= index);
        Awaitility.await("the topic's new owners on the page").atMost(LIVE).until(() -> "broker-1".equals(
                text(page, "#assignments tr[data-topic='" + topic + "'][data-index='" + index + "'] .owners")));
    }

    @Test
    void itsFormAssignsATopicOrShowsTheProblem() throws Exception {
        HtmlPage page = browser.getPage(root);
        String topic = "form-" + UUID.randomUUID().toString().substring(0, 8);
        ((HtmlInput) page.getElementById("topic")).setValue(topic);
        ((HtmlInput) page.getElementById("owners")).setValue("broker-7, broker-8");
        ((HtmlButton) page.getElementById("assign-button")).click();

        Awaitility.await("the form's answer").atMost(LIVE)
                .until(() -> page.getElementById("assign-result").getTextContent().startsWith("assigned " + topic));
        given().when().get("/topics/" + topic).then().statusCode(200).body("owners", contains("broker-7", "broker-8"));
        Awaitility.await("the form's assignment in the table").atMost(LIVE)
                .until(() -> page.querySelector("#assignments tr[data-topic='" + topic + "']") != null);

        ((HtmlInput) page.getElementById("topic")).setValue("not a topic name");
        ((HtmlButton) page.getElementById("assign-button")).click();
        Awaitility.await("the problem shown").atMost(LIVE)
                .until(() -> page.getElementById("assign-result").getTextContent().startsWith("refused: "));
        assertThat(page.getElementById("assign-result").getTextContent()).contains("The request is not valid");
    }
}
