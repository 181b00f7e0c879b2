#include "clearpost/workflow/workflow.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdlib>

#include "clearpost/schedule/time_zone.h"
#include "fixture.h"

using namespace clearpost;
using clearpost::testing::run_sql_directly;
using clearpost::testing::testing_postgres;
using clearpost::testing::WorkflowFixture;
using model::State;

namespace {

State state_of(WorkflowFixture& f, model::Id post) { return (*f.store->find_post(post))->state; }

std::int64_t audit_count(WorkflowFixture& f) {
    std::int64_t n = 0;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry&) { return ++n > 0; }).ok());
    return n;
}

// A compliance engine stand-in for workflow tests: blocks any text with "BLOCK".
model::ComplianceResult fake_check(const model::VersionContent& c, const std::vector<model::Consent>&,
                                   UnixSeconds) {
    if (c.text.find("BLOCK") != std::string::npos) return {"block", R"([{"rule":"phi.test"}])"};
    return {"pass", "[]"};
}

}  // namespace

TEST_CASE("a post goes from draft through review and approval into the queue") {
    WorkflowFixture f;
    auto post = f.flow->create_post(f.author, f.content("Flu shots this Saturday"));
    REQUIRE(post.ok());
    CHECK(state_of(f, *post) == State::Draft);
    REQUIRE(f.flow->submit(f.author, *post).ok());
    CHECK(state_of(f, *post) == State::InReview);
    auto approved = f.flow->approve(f.approver, *post, "looks good", "");
    REQUIRE(approved.ok());
    CHECK(approved->final);
    CHECK(state_of(f, *post) == State::Approved);
    REQUIRE(f.flow->schedule(f.author, *post).ok());
    CHECK(state_of(f, *post) == State::Scheduled);
    auto targets = f.store->targets_of(*post);
    REQUIRE(targets->size() == 2);
    for (const auto& t : *targets) {
        CHECK(t.state == State::Scheduled);
        CHECK(t.scheduled_at == 1900000000);
        CHECK(t.idempotency_key.size() == 32);
    }
    CHECK((*targets)[0].idempotency_key != (*targets)[1].idempotency_key);
}

TEST_CASE("an author cannot approve their own version") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.approver, f.content("Written by an approver"));
    REQUIRE(f.flow->submit(f.approver, post).ok());
    auto result = f.flow->approve(f.approver, post, "", "");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::Forbidden);
    CHECK_THAT(result.error().message, Catch::Contains("separation of duties"));
    CHECK(state_of(f, post) == State::InReview);
    REQUIRE(f.flow->approve(f.approver2, post, "", "").ok());
}

TEST_CASE("an author role cannot approve anyone's post") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.author, f.content("Hello"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    auto result = f.flow->approve(f.author2, post, "", "");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::Forbidden);
}

TEST_CASE("a two-stage chain needs two different people in the configured roles") {
    WorkflowFixture f;
    REQUIRE(f.admin_service
                ->set_approval_chain(f.admin, {{1, model::Role::Approver}, {2, model::Role::PrivacyOfficer}})
                .ok());
    auto post = *f.flow->create_post(f.author, f.content("Our new clinic opens Monday"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    // Stage 1 is for approvers: the privacy officer may sign it too, but then
    // cannot also sign stage 2.
    auto first = f.flow->approve(f.approver, post, "", "");
    REQUIRE(first.ok());
    CHECK(first->stage == 1);
    CHECK_FALSE(first->final);
    CHECK(state_of(f, post) == State::InReview);
    auto wrong_role = f.flow->approve(f.approver2, post, "", "");
    REQUIRE_FALSE(wrong_role.ok());
    CHECK_THAT(wrong_role.error().message, Catch::Contains("privacy_officer"));
    auto second = f.flow->approve(f.privacy, post, "", "");
    REQUIRE(second.ok());
    CHECK(second->final);
    CHECK(state_of(f, post) == State::Approved);
}

TEST_CASE("one person cannot sign two stages of the same version") {
    WorkflowFixture f;
    REQUIRE(f.admin_service
                ->set_approval_chain(f.admin, {{1, model::Role::Approver}, {2, model::Role::PrivacyOfficer}})
                .ok());
    auto post = *f.flow->create_post(f.author, f.content("Text"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    REQUIRE(f.flow->approve(f.privacy, post, "", "").ok());
    auto again = f.flow->approve(f.privacy, post, "", "");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::Forbidden);
}

TEST_CASE("editing an approved post creates a new draft version and drops the approval") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.author, f.content("Version one"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    REQUIRE(f.flow->approve(f.approver, post, "", "").ok());
    auto number = f.flow->edit_post(f.author, post, f.content("Version two"));
    REQUIRE(number.ok());
    CHECK(*number == 2);
    CHECK(state_of(f, post) == State::Draft);
    // Scheduling needs an approval of exactly this content.
    CHECK_FALSE(f.flow->schedule(f.author, post).ok());
    REQUIRE(f.flow->submit(f.author, post).ok());
    auto detail = *f.flow->detail(post);
    REQUIRE(detail.versions.size() == 2);
    CHECK(detail.versions[0].content.text == "Version one");
    CHECK(detail.versions[1].content_hash != detail.versions[0].content_hash);
    REQUIRE(f.flow->approve(f.approver, post, "", "").ok());
    REQUIRE(f.flow->schedule(f.author, post).ok());
}

TEST_CASE("editing a scheduled post takes its targets out of the queue") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.author, f.content("Original"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    REQUIRE(f.flow->approve(f.approver, post, "", "").ok());
    REQUIRE(f.flow->schedule(f.author, post).ok());
    REQUIRE(f.flow->edit_post(f.author, post, f.content("Changed")).ok());
    const auto targets = *f.store->targets_of(post);  // a named copy: the Result is a temporary
    for (const auto& t : targets) CHECK(t.state == State::Cancelled);
    f.now = 1900000001;
    CHECK(f.store->claim_due("worker", f.now, 60, 10)->empty());
}

TEST_CASE("the content hash covers text, targets, media and schedule") {
    WorkflowFixture f;
    const auto base = f.content("Same text");
    const auto h = model::content_hash(base);
    CHECK(model::content_hash(base) == h);
    auto text = base;
    text.text += " ";
    auto targets = base;
    targets.targets.pop_back();
    auto media = base;
    media.media.push_back({std::string(64, 'a'), "/tmp/a.png", "alt"});
    auto alt = media;
    alt.media[0].alt_text = "other alt";
    auto when = base;
    when.scheduled_at = *base.scheduled_at + 60;
    auto zone = base;
    zone.zone = "Europe/London";
    for (const auto* changed : {&text, &targets, &media, &when, &zone})
        CHECK(model::content_hash(*changed) != h);
    CHECK(model::content_hash(alt) != model::content_hash(media));
    // Target order does not matter: they are sorted before hashing.
    auto reordered = base;
    std::swap(reordered.targets[0], reordered.targets[1]);
    CHECK(model::content_hash(reordered) == h);
}

TEST_CASE("a version changed directly in the database loses its approval") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.author, f.content("Clinic hours"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    REQUIRE(f.flow->approve(f.approver, post, "", "").ok());
    // Someone bypasses Clearpost and rewrites the approved text (the trigger
    // that forbids this must be dropped first).
    const std::string drop = testing_postgres() ? "DROP TRIGGER post_versions_immutable ON post_versions"
                                                : "DROP TRIGGER post_versions_immutable";
    REQUIRE(run_sql_directly(f.database, drop + "; UPDATE post_versions SET body = 'Patient John Doe in room 4'") == "");
    auto result = f.flow->schedule(f.author, post);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::Tampered);
}

TEST_CASE("a compliance block needs a privacy officer and a written justification") {
    WorkflowFixture f(fake_check);
    auto post = *f.flow->create_post(f.author, f.content("BLOCK: names a patient"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    auto by_approver = f.flow->approve(f.approver, post, "", "fine by me, trust me");
    REQUIRE_FALSE(by_approver.ok());
    CHECK(by_approver.error().code == ErrorCode::Forbidden);
    auto no_reason = f.flow->approve(f.privacy, post, "", "");
    REQUIRE_FALSE(no_reason.ok());
    CHECK(no_reason.error().code == ErrorCode::Invalid);
    CHECK(state_of(f, post) == State::InReview);
    auto overridden = f.flow->approve(f.privacy, post, "", "Signed HIPAA authorisation on file, ref 22-7");
    REQUIRE(overridden.ok());
    CHECK(state_of(f, post) == State::Approved);
    auto approvals = *f.store->approvals_of_post(post);
    REQUIRE(approvals.size() == 1);
    CHECK(approvals[0].override_justification == "Signed HIPAA authorisation on file, ref 22-7");
    bool audited = false;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        audited = audited || e.action == "post.override_block";
        return true;
    }).ok());
    CHECK(audited);
}

TEST_CASE("requesting changes needs a comment and a reviewer who is not the author") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.author, f.content("Draft"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    CHECK(f.flow->request_changes(f.approver, post, "").error().code == ErrorCode::Invalid);
    CHECK(f.flow->request_changes(f.author2, post, "no").error().code == ErrorCode::Forbidden);
    REQUIRE(f.flow->request_changes(f.approver, post, "Remove the date").ok());
    CHECK(state_of(f, post) == State::ChangesRequested);
    CHECK_FALSE(f.flow->submit(f.author, post).ok());
    REQUIRE(f.flow->edit_post(f.author, post, f.content("Fixed")).ok());
    REQUIRE(f.flow->submit(f.author, post).ok());
}

TEST_CASE("illegal workflow actions change nothing and name the state") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.author, f.content("Draft"));
    const auto before = audit_count(f);
    auto approve = f.flow->approve(f.approver, post, "", "");
    REQUIRE_FALSE(approve.ok());
    CHECK_THAT(approve.error().message, Catch::Contains("Draft"));
    auto schedule = f.flow->schedule(f.author, post);
    REQUIRE_FALSE(schedule.ok());
    CHECK_THAT(schedule.error().message, Catch::Contains("Draft"));
    CHECK(audit_count(f) == before);
    CHECK(state_of(f, post) == State::Draft);
    CHECK(f.flow->submit(f.author, 999).error().code == ErrorCode::NotFound);
}

TEST_CASE("every transition writes one audit entry in the same transaction") {
    WorkflowFixture f;
    const auto start = audit_count(f);
    auto post = *f.flow->create_post(f.author, f.content("Text"));
    REQUIRE(f.flow->submit(f.author, post).ok());
    REQUIRE(f.flow->approve(f.approver, post, "", "").ok());
    REQUIRE(f.flow->schedule(f.author, post).ok());
    REQUIRE(f.flow->pause(f.approver, post).ok());
    REQUIRE(f.flow->resume(f.approver, post).ok());
    REQUIRE(f.flow->cancel(f.author, post, "event moved").ok());
    CHECK(audit_count(f) == start + 7);
    auto last = *f.store->last_audit();
    CHECK(last->action == "post.cancel");
    CHECK(last->actor == "alice");
    CHECK_THAT(last->detail, Catch::Contains("Paused") || Catch::Contains("Scheduled"));
    // Audit details never carry post text.
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        CHECK(e.detail.find("Text") == std::string::npos);
        return true;
    }).ok());
}

TEST_CASE("pausing a scheduled post keeps its targets out of the claim") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.author, f.content("Paused soon", 1800000100));
    REQUIRE(f.flow->submit(f.author, post).ok());
    REQUIRE(f.flow->approve(f.approver, post, "", "").ok());
    REQUIRE(f.flow->schedule(f.author, post).ok());
    REQUIRE(f.flow->pause(f.approver, post).ok());
    CHECK(f.store->claim_due("w", 1800000200, 60, 10)->empty());
    REQUIRE(f.flow->resume(f.approver, post).ok());
    CHECK(f.store->claim_due("w", 1800000200, 60, 10)->size() == 2);
}

TEST_CASE("another author cannot cancel someone else's post") {
    WorkflowFixture f;
    auto post = *f.flow->create_post(f.author, f.content("Mine"));
    CHECK(f.flow->cancel(f.author2, post, "").error().code == ErrorCode::Forbidden);
    REQUIRE(f.flow->cancel(f.approver, post, "").ok());
    CHECK(state_of(f, post) == State::Cancelled);
}

TEST_CASE("posts need text in valid UTF-8 and at least one target to be submitted") {
    WorkflowFixture f;
    CHECK(f.flow->create_post(f.author, f.content("")).error().code == ErrorCode::Invalid);
    CHECK(f.flow->create_post(f.author, f.content("bad \xff byte")).error().code == ErrorCode::Invalid);
    auto c = f.content("no targets");
    c.targets.clear();
    auto post = *f.flow->create_post(f.author, c);
    CHECK(f.flow->submit(f.author, post).error().code == ErrorCode::Invalid);
}

TEST_CASE("only admins manage users, accounts and the approval chain") {
    WorkflowFixture f;
    CHECK(f.admin_service->add_user(f.approver, "eve", model::Role::Admin, "long enough pw")
              .error()
              .code == ErrorCode::Forbidden);
    CHECK(f.admin_service->add_account(f.author, "x", "@clinic").error().code == ErrorCode::Forbidden);
    CHECK(f.admin_service->set_approval_chain(f.privacy, {{1, model::Role::PrivacyOfficer}})
              .error()
              .code == ErrorCode::Forbidden);
    CHECK(f.admin_service->add_user(f.admin, "alice", model::Role::Author, "long enough pw")
              .error()
              .code == ErrorCode::Conflict);
    CHECK(f.admin_service->add_user(f.admin, "carl", model::Role::Author, "short").error().code ==
          ErrorCode::Invalid);
    CHECK(f.admin_service->set_approval_chain(f.admin, {{1, model::Role::Author}}).error().code ==
          ErrorCode::Invalid);
}

TEST_CASE("on PostgreSQL a desk role appends to the audit log but cannot rewrite it or its anchor", "[postgres]") {
    WorkflowFixture f;
    f.approved_and_scheduled(f.content("Flu shots this Saturday"));
    REQUIRE(f.store->keeps_audit_anchor());
    const auto head = *f.store->last_audit();
    const auto anchor = *f.store->audit_anchor();
    REQUIRE(anchor);
    CHECK(anchor->seq == head->seq);
    CHECK(anchor->mac == head->mac);

    // A login role for the people at the desks, granted by the owner.
    const std::string role = "desk_" + head->mac.substr(0, 16);
    REQUIRE(run_sql_directly(f.database, "CREATE ROLE " + role + " LOGIN") == "");
    REQUIRE(f.store->grant_desk_role(role).ok());
    std::string desk_uri = f.database;
    const auto user_at = desk_uri.find("user=clearpost");
    REQUIRE(user_at != std::string::npos);
    desk_uri.replace(user_at, std::string("user=clearpost").size(), "user=" + role);

    auto desk = store::open_store(desk_uri, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    INFO((desk.ok() ? "" : desk.error().message));
    REQUIRE(desk.ok());
    auto desk_audit = security::AuditLog::open(**desk, f.dir / "config");
    REQUIRE(desk_audit.ok());
    REQUIRE((*desk)->transaction([&]() -> Result<void> {
                       return desk_audit->append({"bob", "post.approve", "post 9", "v1"}, f.now);
                   }).ok());
    CHECK((*f.store->audit_anchor())->seq == head->seq + 1);  // moved by the database, for the desk

    // The desk may append, nothing else: by privilege, and by the chain's own trigger.
    CHECK_THAT(run_sql_directly(desk_uri, "UPDATE audit_log SET actor = 'x'"), Catch::Contains("permission denied"));
    CHECK_THAT(run_sql_directly(desk_uri, "DELETE FROM audit_log"), Catch::Contains("permission denied"));
    CHECK_THAT(run_sql_directly(desk_uri, "TRUNCATE audit_log"), Catch::Contains("permission denied"));
    CHECK_THAT(run_sql_directly(desk_uri, "UPDATE audit_anchor SET seq = 1"), Catch::Contains("permission denied"));
    CHECK_THAT(run_sql_directly(desk_uri, "SELECT clearpost_grant_desk('public')"),
               Catch::Contains("permission denied"));
    CHECK_THAT(run_sql_directly(desk_uri, "INSERT INTO audit_log VALUES (99, 0, 'x', 'y', 'z', '', '" +
                                              std::string(64, '0') + "', '" + std::string(64, '1') + "')"),
               Catch::Contains("does not extend the chain"));
    const auto granted = (*desk)->grant_desk_role(role);
    REQUIRE_FALSE(granted.ok());
    CHECK(granted.error().code == ErrorCode::Forbidden);
    const auto post = (*desk)->find_post(1);  // and still does its work
    REQUIRE(post.ok());
    CHECK(post->has_value());

    auto verified = desk_audit->verify();
    REQUIRE(verified.ok());
    CHECK(verified->intact);

    // Someone with the owner's rights who switches the triggers off to drop
    // the newest entry is still caught: the anchor remembers it.
    REQUIRE(run_sql_directly(f.database, "ALTER TABLE audit_log DISABLE TRIGGER USER; "
                                         "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log); "
                                         "ALTER TABLE audit_log ENABLE TRIGGER USER") == "");
    verified = f.audit->verify();
    REQUIRE(verified.ok());
    CHECK_FALSE(verified->intact);
    CHECK_THAT(verified->problem, Catch::Contains("were deleted"));
}

TEST_CASE("a SQLite database has no database roles to grant", "[sqlite]") {
    WorkflowFixture f;
    CHECK_FALSE(f.store->keeps_audit_anchor());
    const auto granted = f.store->grant_desk_role("desk");
    REQUIRE_FALSE(granted.ok());
    CHECK_THAT(granted.error().message, Catch::Contains("PostgreSQL"));
}

TEST_CASE("a person sends a failed target again, but authors may not") {
    WorkflowFixture f;
    const auto post = f.approved_and_scheduled(f.content("Back on air", 1800000100));
    auto claimed = *f.store->claim_due("w", 1800000200, 60, 10);
    REQUIRE(claimed.size() == 2);
    const auto failed = claimed[0].id;
    const auto doubtful = claimed[1].id;
    // One failed for good; the other crashed mid-request, so its fate is unknown.
    store::TargetOutcome out;
    out.target_id = failed;
    out.state = State::Failed;
    out.last_error = "refused: duplicate";
    REQUIRE(*f.store->finish_target(out, "w", 1800000201));
    REQUIRE(f.store->begin_attempt(doubtful, "key", 1800000202).ok());
    out.target_id = doubtful;
    out.state = State::NeedsAttention;
    out.last_error = "may have gone through";
    REQUIRE(*f.store->finish_target(out, "w", 1800000203));

    CHECK(f.flow->retry_target(f.author, failed).error().code == ErrorCode::Forbidden);
    CHECK(f.store->find_target(failed)->value().state == State::Failed);

    REQUIRE(f.flow->retry_target(f.approver, failed).ok());
    REQUIRE(f.flow->retry_target(f.approver, doubtful).ok());
    CHECK(*f.store->in_doubt_attempts(doubtful) == 0);
    const auto again = *f.store->claim_due("w2", 1800000300, 60, 10);
    CHECK(again.size() == 2);
    for (const auto& t : again) CHECK(t.post_id == post);

    // A target that is publishing (or published) is not sent again.
    const auto refused = f.flow->retry_target(f.approver, failed);
    CHECK(refused.error().code == ErrorCode::Conflict);
    CHECK(f.flow->retry_target(f.approver, 999999).error().code == ErrorCode::NotFound);

    std::vector<std::string> actions;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        if (e.action == "target.retry") actions.push_back(e.detail);
        return true;
    }).ok());
    REQUIRE(actions.size() == 2);
    CHECK(actions[0] == "Failed -> Scheduled");
    CHECK(actions[1] == "NeedsAttention -> Scheduled; 1 unconfirmed attempt(s) declared absent");
}

TEST_CASE("only admins and privacy officers read the audit trail, newest first, with its verification") {
    WorkflowFixture f;
    for (int i = 0; i < 3; ++i) REQUIRE(f.flow->create_post(f.author, f.content("Post " + std::to_string(i))).ok());
    CHECK(workflow::audit_trail(f.author, *f.store, *f.audit, 10).error().code == ErrorCode::Forbidden);
    CHECK(workflow::audit_trail(f.approver, *f.store, *f.audit, 10).error().code == ErrorCode::Forbidden);
    auto trail = workflow::audit_trail(f.privacy, *f.store, *f.audit, 2);
    REQUIRE(trail.ok());
    CHECK(trail->verification.intact);
    CHECK(trail->total == audit_count(f));
    REQUIRE(trail->entries.size() == 2);
    CHECK(trail->entries[0].seq > trail->entries[1].seq);
    CHECK(trail->entries[0].seq == trail->total);
    CHECK(trail->entries[0].action == "post.create");

    // Someone with the owner's rights switches the guard off and edits an entry.
    const std::string edit = testing_postgres()
                                 ? "ALTER TABLE audit_log DISABLE TRIGGER USER; "
                                   "UPDATE audit_log SET detail = 'edited' WHERE seq = 2; "
                                   "ALTER TABLE audit_log ENABLE TRIGGER USER"
                                 : "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = 'edited' WHERE seq = 2";
    REQUIRE(run_sql_directly(f.database, edit) == "");
    auto tampered = workflow::audit_trail(f.admin, *f.store, *f.audit, 100);
    REQUIRE(tampered.ok());
    CHECK_FALSE(tampered->verification.intact);
    CHECK(tampered->verification.first_bad_seq == 2);
}

TEST_CASE("moving a queued post keeps its approval only where the organisation's policy says so") {
    WorkflowFixture f;
    const auto post = f.approved_and_scheduled(f.content("Open house", 1900000000));
    CHECK_FALSE(*workflow::reschedule_keeps_approval(*f.store));

    SECTION("by default the move is a new version that goes back for review") {
        auto moved = f.flow->reschedule(f.author, post, 1900086400);
        REQUIRE(moved.ok());
        CHECK_FALSE(moved->kept_approval);
        CHECK(moved->version == 2);
        CHECK(state_of(f, post) == State::Draft);
        for (const auto& t : *f.store->targets_of(post)) CHECK(t.state == State::Cancelled);
        CHECK((*f.store->list_posts({}))[0].scheduled_at == 1900086400);
    }
    SECTION("with the policy, the targets move and the approval stands") {
        CHECK(f.admin_service->set_reschedule_keeps_approval(f.author, true).error().code == ErrorCode::Forbidden);
        REQUIRE(f.admin_service->set_reschedule_keeps_approval(f.admin, true).ok());
        auto moved = f.flow->reschedule(f.author, post, 1900086400);
        REQUIRE(moved.ok());
        CHECK(moved->kept_approval);
        CHECK(state_of(f, post) == State::Scheduled);
        for (const auto& t : *f.store->targets_of(post)) {
            CHECK(t.state == State::Scheduled);
            CHECK(t.scheduled_at == 1900086400);
        }
        // The post list shows the time it will go out at.
        CHECK((*f.store->list_posts({}))[0].scheduled_at == 1900086400);
        // Another author may not move it; nothing goes out at the old time.
        CHECK(f.flow->reschedule(f.author2, post, 1900000000).error().code == ErrorCode::Forbidden);
        CHECK(f.store->claim_due("w", 1900000100, 60, 10)->empty());
        CHECK(f.store->claim_due("w", 1900086500, 60, 10)->size() == 2);
        // Once it is going out, it cannot be moved.
        CHECK(f.flow->reschedule(f.approver, post, 1900200000).error().code == ErrorCode::Conflict);
        bool audited = false;
        REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
            if (e.action == "post.reschedule") audited = e.detail.find("approval kept") != std::string::npos;
            return true;
        }).ok());
        CHECK(audited);
    }
}

TEST_CASE("a move that a consent no longer covers is refused, even where approvals survive moves") {
    // Blocks any time after 1900050000: as a consent expiring then would.
    WorkflowFixture f([](const model::VersionContent& c, const std::vector<model::Consent>&, UnixSeconds) {
        const bool late = c.scheduled_at && *c.scheduled_at > 1900050000;
        return late ? model::ComplianceResult{"block", R"([{"rule":"phi.name"}])"} : model::ComplianceResult{};
    });
    const auto post = f.approved_and_scheduled(f.content("With consent", 1900000000));
    REQUIRE(f.admin_service->set_reschedule_keeps_approval(f.admin, true).ok());
    const auto refused = f.flow->reschedule(f.author, post, 1900086400);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::Conflict);
    for (const auto& t : *f.store->targets_of(post)) CHECK(t.scheduled_at == 1900000000);
    REQUIRE(f.flow->reschedule(f.author, post, 1900040000).ok());
}

TEST_CASE("a consent linked to a draft re-checks it, one linked in review leaves the signed findings") {
    // Blocks unless a consent for "Maria" is linked, as the engine does for a named patient.
    WorkflowFixture f([](const model::VersionContent&, const std::vector<model::Consent>& consents, UnixSeconds) {
        const bool covered = std::any_of(consents.begin(), consents.end(),
                                         [](const model::Consent& c) { return c.subject == "Maria"; });
        return covered ? model::ComplianceResult{"pass", "[]"}
                       : model::ComplianceResult{"block", R"([{"rule":"phi.name"}])"};
    });
    model::Consent consent;
    consent.subject = "Maria";
    consent.scope = "all networks";
    consent.expires_at = 1900000000;

    SECTION("draft: a new version with the same content and author, checked with the consent") {
        const auto post = *f.flow->create_post(f.author, f.content("Maria thanks the team"));
        CHECK(f.flow->detail(post)->versions.back().compliance.verdict == "block");
        // An approver records the consent; the version stays the author's.
        const auto linked = f.flow->link_consent(f.approver, post, consent);
        INFO((linked.ok() ? std::string() : linked.error().message));
        REQUIRE(linked.ok());
        const auto d = *f.flow->detail(post);
        REQUIRE(d.versions.size() == 2);
        CHECK(d.versions[1].content_hash == d.versions[0].content_hash);
        CHECK(d.versions[1].author_id == f.author.id);
        CHECK(d.versions[1].compliance.verdict == "pass");
        CHECK(d.post.state == model::State::Draft);
        CHECK(d.consents.size() == 1);
        // So the approver may still sign it: it is not their version.
        REQUIRE(f.flow->submit(f.author, post).ok());
        CHECK(f.flow->approve(f.approver, post, "ok", "").ok());
    }
    SECTION("in review: the version keeps the findings it is reviewed with") {
        const auto post = *f.flow->create_post(f.author, f.content("Maria thanks the team"));
        REQUIRE(f.flow->submit(f.author, post).ok());
        REQUIRE(f.flow->link_consent(f.author, post, consent).ok());
        const auto d = *f.flow->detail(post);
        CHECK(d.versions.size() == 1);
        CHECK(d.versions.back().compliance.verdict == "block");
        CHECK(d.post.state == model::State::InReview);
    }
}

TEST_CASE("the next free queue slot skips times already planned, in the organisation's zone") {
    WorkflowFixture f;
    schedule::TzDatabase zones;
    const auto ny = zones.find("America/New_York");
    REQUIRE(ny.ok());
    const auto at = [&](int y, int m, int d, int h, int min) {
        return *schedule::local_to_utc({y, m, d, h, min, 0}, *ny);
    };
    // No slots yet: nothing to offer.
    CHECK_FALSE(workflow::next_free_slot(*f.store, *ny, at(2030, 3, 4, 0, 0))->has_value());

    CHECK(f.admin_service->set_queue_slots(f.author, {{schedule::Weekday::Monday, 9, 0}}).error().code ==
          ErrorCode::Forbidden);
    REQUIRE(f.admin_service
                ->set_queue_slots(f.admin, {{schedule::Weekday::Wednesday, 12, 30},
                                            {schedule::Weekday::Monday, 9, 0},
                                            {schedule::Weekday::Monday, 9, 0}})
                .ok());
    const auto slots = *workflow::queue_slots(*f.store);
    REQUIRE(slots.size() == 2);  // sorted, the duplicate dropped
    CHECK(schedule::format_weekly_slot(slots[0]) == "Mon 09:00");
    CHECK(schedule::format_weekly_slot(slots[1]) == "Wed 12:30");

    // 2030-03-04 is a Monday: from midnight, its 09:00 EST comes first.
    CHECK(**workflow::next_free_slot(*f.store, *ny, at(2030, 3, 4, 0, 0)) == at(2030, 3, 4, 9, 0));
    // A queued post and a draft take the next two.
    f.approved_and_scheduled(f.content("Queued", at(2030, 3, 4, 9, 0)));
    REQUIRE(f.flow->create_post(f.author, f.content("Draft", at(2030, 3, 6, 12, 30))).ok());
    // Monday 11 March is after the DST change: 09:00 EDT, an hour earlier in UTC.
    CHECK(**workflow::next_free_slot(*f.store, *ny, at(2030, 3, 4, 0, 0)) == at(2030, 3, 11, 9, 0));
    CHECK(at(2030, 3, 11, 9, 0) - at(2030, 3, 4, 9, 0) == 7 * 86400 - 3600);

    bool audited = false;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        audited = audited || (e.action == "org.queue_slots" && e.detail == "queue slots Mon 09:00, Wed 12:30");
        return true;
    }).ok());
    CHECK(audited);
    // Cleared again.
    REQUIRE(f.admin_service->set_queue_slots(f.admin, {}).ok());
    CHECK(workflow::queue_slots(*f.store)->empty());
}

TEST_CASE("metrics retention deletes only old snapshots, never a post's newest, and only when the organisation chose it") {
    WorkflowFixture f;
    const auto post = f.approved_and_scheduled(f.content("Measured", 1900000000));
    const auto target = f.store->targets_of(post)->at(0).id;
    const UnixSeconds day = 86400;
    const UnixSeconds now = 1900000000 + 400 * day;
    // Snapshots 399, 300 and 10 days ago.
    for (UnixSeconds ago : {399 * day, 300 * day, 10 * day})
        REQUIRE(f.store->add_metric_snapshot({target, now - ago, R"({"likes": 1})"}).ok());
    const auto other = f.store->targets_of(post)->at(1).id;
    REQUIRE(f.store->add_metric_snapshot({other, now - 399 * day, R"({"likes": 2})"}).ok());

    // The default keeps everything.
    CHECK(*workflow::apply_metrics_retention(*f.store, *f.audit, "service", now) == 0);
    CHECK(f.store->metric_snapshots(target)->size() == 3);

    CHECK(f.admin_service->set_metrics_retention(f.author, 90).error().code == ErrorCode::Forbidden);
    CHECK(f.admin_service->set_metrics_retention(f.admin, 7).error().code == ErrorCode::Invalid);
    REQUIRE(f.admin_service->set_metrics_retention(f.admin, 90).ok());
    CHECK(*workflow::metrics_retention(*f.store) == 90);
    // The two older than 90 days go; the other target's only snapshot is its newest and stays.
    CHECK(*workflow::apply_metrics_retention(*f.store, *f.audit, "service", now) == 2);
    const auto left = *f.store->metric_snapshots(target);
    REQUIRE(left.size() == 1);
    CHECK(left[0].fetched_at == now - 10 * day);
    CHECK(f.store->metric_snapshots(other)->size() == 1);
    bool audited = false;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        audited = audited || (e.action == "metrics.prune" && e.actor == "service" &&
                              e.detail.find("2 snapshots") == 0);
        return true;
    }).ok());
    CHECK(audited);
    REQUIRE(f.admin_service->set_metrics_retention(f.admin, std::nullopt).ok());
    CHECK_FALSE(workflow::metrics_retention(*f.store)->has_value());
}

TEST_CASE("tags are normalised, and refused ones say why") {
    auto tags = workflow::normalise_tags({"  Flu-Season ", "flu-season", "", "topic_2026", "VACCINES"});
    REQUIRE(tags.ok());
    CHECK(*tags == std::vector<std::string>{"flu-season", "topic_2026", "vaccines"});

    auto spaced = workflow::normalise_tags({"flu season"});
    REQUIRE_FALSE(spaced.ok());
    CHECK(spaced.error().code == ErrorCode::Invalid);
    CHECK_THAT(spaced.error().message, Catch::Contains("'flu season'") && Catch::Contains("a letter (a-z)"));
    CHECK_FALSE(workflow::normalise_tags({"caf\xc3\xa9"}).ok());
    CHECK_FALSE(workflow::normalise_tags({"#flu"}).ok());

    CHECK(workflow::normalise_tags({std::string(40, 'a')}).ok());
    auto long_tag = workflow::normalise_tags({std::string(41, 'a')});
    REQUIRE_FALSE(long_tag.ok());
    CHECK_THAT(long_tag.error().message, Catch::Contains("41 characters") && Catch::Contains("at most 40"));

    std::vector<std::string> eleven;
    for (int i = 0; i < 11; ++i) eleven.push_back("t" + std::to_string(i));
    auto many = workflow::normalise_tags(eleven);
    REQUIRE_FALSE(many.ok());
    CHECK_THAT(many.error().message, Catch::Contains("11 tags") && Catch::Contains("at most 10"));
    eleven.pop_back();
    CHECK(workflow::normalise_tags(eleven).ok());
}

TEST_CASE("tagging a post is audited and makes no new version, even once approved") {
    WorkflowFixture f(fake_check);
    const auto post = f.approved_and_scheduled(f.content("Flu shots at the clinic"));
    const auto versions = f.store->versions_of(post)->size();
    const auto before = audit_count(f);

    auto change = f.flow->set_tags(f.author2, post, {"Flu-Season", "vaccines"});
    REQUIRE(change.ok());
    CHECK(change->added == std::vector<std::string>{"flu-season", "vaccines"});
    CHECK(change->removed.empty());
    CHECK(*f.store->tags_of(post) == std::vector<std::string>{"flu-season", "vaccines"});
    CHECK(f.flow->detail(post)->tags == std::vector<std::string>{"flu-season", "vaccines"});
    CHECK(state_of(f, post) == State::Scheduled);
    CHECK(f.store->versions_of(post)->size() == versions);
    CHECK(audit_count(f) == before + 1);
    auto last = *f.store->last_audit();
    CHECK(last->action == "post.tags");
    CHECK(last->actor == f.author2.name);
    CHECK(last->subject == "post " + std::to_string(post));
    CHECK(last->detail == "added flu-season, vaccines");

    change = f.flow->set_tags(f.approver, post, {"vaccines", "campaign-a"});
    REQUIRE(change.ok());
    CHECK(change->added == std::vector<std::string>{"campaign-a"});
    CHECK(change->removed == std::vector<std::string>{"flu-season"});
    CHECK((*f.store->last_audit())->detail == "added campaign-a; removed flu-season");

    // The same tags again: nothing written.
    REQUIRE(f.flow->set_tags(f.approver, post, {"Campaign-A", "vaccines"}).ok());
    CHECK(audit_count(f) == before + 2);

    // A refused tag changes nothing.
    auto bad = f.flow->set_tags(f.author, post, {"ok", "not ok"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::Invalid);
    CHECK(*f.store->tags_of(post) == std::vector<std::string>{"campaign-a", "vaccines"});
    CHECK(audit_count(f) == before + 2);

    CHECK(f.flow->set_tags(f.author, 9999, {"x"}).error().code == ErrorCode::NotFound);
    model::User disabled = f.author;
    disabled.active = false;
    CHECK(f.flow->set_tags(disabled, post, {"x"}).error().code == ErrorCode::Forbidden);

    REQUIRE(f.flow->set_tags(f.author, post, {}).ok());
    CHECK(f.store->tags_of(post)->empty());
    CHECK((*f.store->last_audit())->detail == "removed campaign-a, vaccines");
    CHECK(f.audit->verify()->intact);
}
