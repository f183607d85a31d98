package org.raftengine.demo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.raftengine.core.RaftNode;
import org.raftengine.core.Role;

/**
 * The REST API on one node (its own single-node cluster, the in-JVM transport, the log and the assignments in an H2
 * file): assignments through the log, linearizable reads, the cluster's view, membership, transfer and snapshots,
 * and every error as an RFC 9457 problem.
 */
@QuarkusTest
class TopicApiTest {
    @Inject
    RaftNode node;

    @BeforeEach
    void leading() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.status().role() == Role.LEADER);
    }

    private static String topic() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ValidatableResponse assign(String topic, String ownersJson) {
        return given().contentType(ContentType.JSON).body("{\"owners\": " + ownersJson + "}")
                .when().put("/topics/" + topic).then();
    }

    private static void problem(ValidatableResponse r, int status, String type) {
        r.statusCode(status).contentType("application/problem+json")
                .body("type", equalTo("urn:raftengine:demo:problem:" + type))
                .body("status", equalTo(status)).body("title", notNullValue()).body("detail", notNullValue())
                .body("instance", startsWith("/"));
    }

    @Test
    void anAssignmentIsAppliedThroughTheLogAndReadBack() {
        String t = topic();
        int first = assign(t, "[\"broker-1\", \"broker-2\"]").statusCode(200)
                .body("topic", equalTo(t)).body("owners", contains("broker-1", "broker-2"))
                .body("version", equalTo(1)).extract().path("index");
        int second = given().contentType(ContentType.JSON).header("Request-Id", "req-42")
                .body("{\"owners\": [\"broker-3\"]}").when().put("/topics/" + t).then().statusCode(200)
                .body("version", equalTo(2)).body("requestId", equalTo("req-42")).extract().path("index");
        assertThat(second).isGreaterThan(first);

        given().when().get("/topics/" + t).then().statusCode(200).body("owners", contains("broker-3"))
                .body("version", equalTo(2)).body("index", equalTo(second)).body("requestId", equalTo("req-42"));
        given().when().get("/topics").then().statusCode(200).body("node", equalTo("n1"))
                .body("readIndex", greaterThanOrEqualTo(second)).body("topics.topic", hasItem(t));
        List<Integer> indexes = given().when().get("/assignments?limit=50").then().statusCode(200)
                .extract().path("findAll { it.topic == '" + t + "' }.index");
        assertThat(indexes).as("the topic's two events, newest first").containsExactly(second, first);
    }

    @Test
    void badRequestsAreProblems() {
        problem(assign("no spaces allowed", "[\"b1\"]"), 400, "invalid-request");
        problem(assign(topic(), "[]"), 400, "invalid-request");
        problem(assign(topic(), "[\"b1\", \"b1\"]"), 400, "invalid-request");
        problem(assign(topic(), "[\"no,commas\"]"), 400, "invalid-request");
        problem(given().contentType(ContentType.JSON).body("{not json").when().put("/topics/" + topic()).then(),
                400, "http-400");
        problem(given().contentType(ContentType.JSON).header("Request-Id", "bad id!").body("{\"owners\": [\"b\"]}")
                .when().put("/topics/" + topic()).then(), 400, "invalid-request");
        problem(given().contentType(ContentType.TEXT).body("owners=b1").when().put("/topics/" + topic()).then(),
                415, "http-415");
        problem(given().when().get("/topics/" + topic()).then(), 404, "not-found");
        problem(given().when().get("/no/such/thing").then(), 404, "http-404");
        problem(given().when().delete("/topics/" + topic()).then(), 405, "http-405");
        problem(given().when().get("/assignments?limit=0").then(), 400, "invalid-request");
    }

    @Test
    void theClusterViewShowsTheLeaderAndItsIndexes() {
        String t = topic();
        int index = assign(t, "[\"b1\"]").statusCode(200).extract().path("index");
        given().when().get("/cluster").then().statusCode(200).body("node", equalTo("n1"))
                .body("role", equalTo("LEADER")).body("leader", equalTo("n1")).body("voters", contains("n1"))
                .body("learners", empty()).body("term", greaterThanOrEqualTo(1))
                .body("commitIndex", greaterThanOrEqualTo(index)).body("appliedIndex", greaterThanOrEqualTo(index))
                .body("transport", equalTo("local"));
        given().when().get("/cluster/nodes").then().statusCode(200).body("node", contains("n1"))
                .body("reachable", contains(true));
    }

    @Test
    void membersAreAddedAndRemovedThroughTheLog() {
        given().contentType(ContentType.JSON).body("{\"id\": \"n9\", \"role\": \"learner\"}")
                .when().post("/cluster/members").then().statusCode(200)
                .body("voters", contains("n1")).body("learners", contains("n9")).body("index", notNullValue());
        given().when().get("/cluster").then().body("learners", contains("n9"));
        given().when().delete("/cluster/members/n9").then().statusCode(200)
                .body("voters", contains("n1")).body("learners", empty());

        problem(given().contentType(ContentType.JSON).body("{\"id\": \"n9\", \"role\": \"boss\"}")
                .when().post("/cluster/members").then(), 400, "invalid-request");
        problem(given().contentType(ContentType.JSON).body("{}").when().post("/cluster/members").then(),
                400, "invalid-request");
        problem(given().when().delete("/cluster/members/n1").then(), 422, "rejected");
    }

    @Test
    void leadershipCannotGoToANodeThatIsNotAVoter() {
        problem(given().contentType(ContentType.JSON).body("{\"target\": \"n7\"}").when().post("/cluster/leader")
                .then(), 422, "rejected");
        problem(given().contentType(ContentType.JSON).body("{}").when().post("/cluster/leader").then(),
                422, "rejected");
    }

    @Test
    void aSnapshotCoversWhatWasApplied() {
        int index = assign(topic(), "[\"b1\", \"b2\", \"b3\"]").statusCode(200).extract().path("index");
        given().when().post("/cluster/snapshot").then().statusCode(200).body("node", equalTo("n1"))
                .body("index", greaterThanOrEqualTo(index)).body("sizeBytes", greaterThanOrEqualTo(1));
        given().when().get("/cluster").then().body("snapshotIndex", greaterThanOrEqualTo(index))
                .body("snapshotsTaken", greaterThanOrEqualTo(1));
        // The state is still served after the snapshot.
        given().when().get("/topics").then().statusCode(200).body("count", greaterThanOrEqualTo(1))
                .body("topics.owners.flatten()", hasItem(containsString("b3")));
    }
}
