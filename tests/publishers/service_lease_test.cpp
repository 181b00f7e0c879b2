// Who publishes unattended: the service's lease in the database, which a
// studio respects and a service takes over.

#include <catch2/catch.hpp>

#include "../core/workflow/fixture.h"
#include "clearpost/publish/service.h"

using namespace clearpost;
using clearpost::testing::WorkflowFixture;
using publish::ServiceLease;

TEST_CASE("a studio publishes only while no service holds the lease, and a service takes it over") {
    WorkflowFixture f;
    auto& store = *f.store;
    const UnixSeconds now = 1800000000;
    CHECK_FALSE(*publish::service_lease(store, now));

    // The first studio takes the free lease; a second studio does not get it.
    REQUIRE(*publish::claim_service_lease(store, {"studio-a", "studio", now + 60}, now));
    CHECK_FALSE(*publish::claim_service_lease(store, {"studio-b", "studio", now + 60}, now));
    REQUIRE(publish::service_lease(store, now)->has_value());
    CHECK((*publish::service_lease(store, now))->owner == "studio-a");
    // Renewing one's own lease works.
    CHECK(*publish::claim_service_lease(store, {"studio-a", "studio", now + 120}, now + 30));

    // clearpostctl run starts: it takes the lease, and the studio's renewal fails.
    REQUIRE(*publish::claim_service_lease(store, {"service-1", "service", now + 130}, now + 40));
    CHECK_FALSE(*publish::claim_service_lease(store, {"studio-a", "studio", now + 160}, now + 45));
    const auto held = *publish::service_lease(store, now + 45);
    REQUIRE(held);
    CHECK(held->kind == "service");

    // A service killed without a word: its lease runs out, then a studio takes over.
    CHECK_FALSE(*publish::claim_service_lease(store, {"studio-b", "studio", now + 200}, now + 129));
    CHECK(*publish::claim_service_lease(store, {"studio-b", "studio", now + 200}, now + 131));

    // Releasing someone else's lease does nothing; one's own frees it.
    REQUIRE(publish::release_service_lease(store, "studio-a").ok());
    CHECK((*publish::service_lease(store, now + 140))->owner == "studio-b");
    REQUIRE(publish::release_service_lease(store, "studio-b").ok());
    CHECK_FALSE(*publish::service_lease(store, now + 140));
    CHECK(*publish::claim_service_lease(store, {"studio-a", "studio", now + 300}, now + 141));
}
