package org.raftengine.demo.http;

import io.quarkus.test.junit.QuarkusTest;
import org.raftengine.core.wire.FrameAuthenticator;

/** The conformance suite on the demo's HTTP transport, frames unsigned. */
@QuarkusTest
class HttpTransportConformanceTest extends HttpTransportConformance {
    @Override
    protected FrameAuthenticator authenticator() {
        return null;
    }
}
