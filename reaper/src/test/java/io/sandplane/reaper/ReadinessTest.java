package io.sandplane.reaper;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.ReadinessContract;

/** Health as every service promises it ({@link ReadinessContract}); the reaper checks only its database. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class ReadinessTest extends ReadinessContract {
}
