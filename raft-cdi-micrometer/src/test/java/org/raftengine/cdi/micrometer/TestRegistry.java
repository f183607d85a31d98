package org.raftengine.cdi.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The application's registry, as a Micrometer integration would produce it. */
@ApplicationScoped
class TestRegistry {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Produces
    @Singleton
    MeterRegistry registry() {
        return registry;
    }
}
