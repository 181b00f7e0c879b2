#include "fixture.h"

#include <catch2/catch.hpp>

namespace clearpost::testing {

WorkflowFixture::WorkflowFixture(workflow::ComplianceCheck check) : database(test_database(dir)) {
    auto opened = store::open_store(database, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate);
    REQUIRE(opened.ok());
    store = std::move(*opened);
    auto log = security::AuditLog::open(*store, dir / "config");
    REQUIRE(log.ok());
    audit = std::make_unique<security::AuditLog>(std::move(*log));
    Clock clock = [this] { return now; };
    admin_service = std::make_unique<workflow::Admin>(*store, *audit, clock);
    flow = std::make_unique<workflow::Workflow>(*store, *audit, clock, std::move(check));
    const std::string pw = "a long test password";
    admin = *admin_service->initialise("Harbor Clinics", "America/New_York", "ada", pw);
    author = *admin_service->add_user(admin, "alice", model::Role::Author, pw);
    author2 = *admin_service->add_user(admin, "arthur", model::Role::Author, pw);
    approver = *admin_service->add_user(admin, "bob", model::Role::Approver, pw);
    approver2 = *admin_service->add_user(admin, "bea", model::Role::Approver, pw);
    privacy = *admin_service->add_user(admin, "pat", model::Role::PrivacyOfficer, pw);
    bluesky = *admin_service->add_account(admin, "bluesky", "clinic.example");
    mastodon = *admin_service->add_account(admin, "mastodon", "@clinic@social.example");
}

model::Id WorkflowFixture::approved_and_scheduled(const model::VersionContent& c) {
    auto post = flow->create_post(author, c);
    REQUIRE(post.ok());
    REQUIRE(flow->submit(author, *post).ok());
    REQUIRE(flow->approve(approver, *post, "", "").ok());
    REQUIRE(flow->schedule(author, *post).ok());
    return *post;
}

model::VersionContent WorkflowFixture::content(const std::string& text, UnixSeconds at) const {
    model::VersionContent c;
    c.text = text;
    c.targets = {{bluesky.id, ""}, {mastodon.id, ""}};
    c.scheduled_at = at;
    c.zone = "America/New_York";
    return c;
}

}  // namespace clearpost::testing
