#include "clearpost/publish/plugins.h"

#include "clearpost/publisher.h"

#include <catch2/catch.hpp>
#include <map>

using namespace clearpost;

TEST_CASE("broken plugins are listed with the reason and skipped, the good one loads") {
    publish::PluginRegistry registry;
    registry.discover({CLEARPOST_TEST_BROKEN_PLUGINS_DIR, CLEARPOST_TEST_PLUGINS_DIR, "/no/such/folder"});
    std::map<std::string, publish::PluginInfo> by_name;
    for (const auto& p : registry.plugins()) by_name[p.path.stem().string()] = p;
    REQUIRE(by_name.size() == 11);  // four broken ones and the seven networks'
    CHECK_FALSE(by_name["crashing"].loaded);
    CHECK_THAT(by_name["crashing"].problem, Catch::Contains("crashed while loading"));
    CHECK_FALSE(by_name["wrong_abi"].loaded);
    CHECK_THAT(by_name["wrong_abi"].problem, Catch::Contains("ABI 99"));
    CHECK_FALSE(by_name["not_a_plugin"].loaded);
    CHECK_THAT(by_name["not_a_plugin"].problem, Catch::Contains("not a Clearpost publisher"));
    CHECK_FALSE(by_name["hanging"].loaded);
    CHECK_THAT(by_name["hanging"].problem, Catch::Contains("hung"));
    REQUIRE(by_name["bluesky"].loaded);
    CHECK(by_name["bluesky"].network == "bluesky");
    for (const char* network : {"mastodon", "x", "linkedin", "facebook", "instagram", "threads"}) {
        CHECK(by_name[network].loaded);
        CHECK(by_name[network].network == network);
    }
    auto found = registry.find("bluesky");
    REQUIRE(found.ok());
    CHECK((*found)->table().abi_major == 1u);
    auto missing = registry.find("myspace");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error().message, Catch::Contains("plugins list"));
}
