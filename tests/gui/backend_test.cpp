// The studio's worker against a real database: use cases run on its thread
// with its own connection, and results come back through the dispatcher.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "clearpost/security/users.h"
#include "presenters/import.h"
#include "studio_fixture.h"

namespace clearpost::gui {
namespace {

model::VersionContent content(const std::string& text, model::Id account) {
    model::VersionContent c;
    c.text = text;
    c.targets = {{account, ""}};
    c.zone = "America/New_York";
    return c;
}

}  // namespace

TEST_CASE("the studio's setup brings the organisation, accounts, zones and the compliance rules") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    auto setup = s.run<StudioSetup>(backend, [](Services& sv) { return load_setup(sv); });
    REQUIRE(setup.ok());
    CHECK(setup->organisation.default_zone == "America/New_York");
    REQUIRE(setup->accounts.size() == 1);
    CHECK(setup->accounts[0].handle == "clinic.example");
    CHECK(std::find(setup->zones.begin(), setup->zones.end(), "America/New_York") != setup->zones.end());
    CHECK(std::find(setup->zones.begin(), setup->zones.end(), "posix/America/New_York") == setup->zones.end());
    compliance::CheckInput in;
    in.text = "Get well soon to our patient Maria Lopez after her surgery";
    CHECK(setup->engine.check(in).verdict == compliance::Verdict::Block);
}

TEST_CASE("an author's submitted post waits in the approver's inbox and is approved through the worker") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    auto draft = s.run<SavedPost>(backend, [&](Services& sv) {
        return save_post(sv, s.alice, std::nullopt, content("Flu shots on Saturday", s.account.id), AfterSave::KeepDraft);
    });
    REQUIRE(draft.ok());
    CHECK(draft->state == model::State::Draft);
    CHECK(draft->version == 1);
    // Saving the same content again adds no version; submitting moves it on.
    auto submitted = s.run<SavedPost>(backend, [&](Services& sv) {
        return save_post(sv, s.alice, draft->post_id, content("Flu shots on Saturday", s.account.id), AfterSave::Submit);
    });
    REQUIRE(submitted.ok());
    CHECK(submitted->version == 1);
    CHECK(submitted->state == model::State::InReview);
    CHECK(submitted->verdict == "pass");

    auto alices = s.run<Inbox>(backend, [&](Services& sv) { return load_inbox(sv, s.alice); });
    REQUIRE(alices.ok());
    CHECK(alices->entries.empty());
    auto bobs = s.run<Inbox>(backend, [&](Services& sv) { return load_inbox(sv, s.bob); });
    REQUIRE(bobs.ok());
    REQUIRE(bobs->entries.size() == 1);
    CHECK(bobs->entries[0].post_id == draft->post_id);
    CHECK(bobs->entries[0].author == "alice");
    CHECK(bobs->entries[0].offer.approve);
    REQUIRE(bobs->details.size() == 1);
    CHECK(bobs->details[0].versions.back().content.text == "Flu shots on Saturday");

    auto approved = s.run<workflow::ApprovalOutcome>(
        backend, [&](Services& sv) { return sv.flow.approve(s.bob, draft->post_id, "fine", ""); });
    REQUIRE(approved.ok());
    CHECK(approved->final);
    auto after = s.run<Inbox>(backend, [&](Services& sv) { return load_inbox(sv, s.bob); });
    REQUIRE(after.ok());
    CHECK(after->entries.empty());
}

TEST_CASE("an edit of a submitted post is a new version back in Draft") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    auto first = s.run<SavedPost>(backend, [&](Services& sv) {
        return save_post(sv, s.alice, std::nullopt, content("Clinic open late", s.account.id), AfterSave::Submit);
    });
    REQUIRE(first.ok());
    auto edited = s.run<SavedPost>(backend, [&](Services& sv) {
        return save_post(sv, s.alice, first->post_id, content("Clinic open late on Friday", s.account.id),
                         AfterSave::KeepDraft);
    });
    REQUIRE(edited.ok());
    CHECK(edited->version == 2);
    CHECK(edited->state == model::State::Draft);
}

TEST_CASE("the composer's tags save with the draft and alone make no new version") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    auto saved = s.run<SavedPost>(backend, [&](Services& sv) {
        return save_post(sv, s.alice, std::nullopt, content("Flu shots on Saturday", s.account.id), AfterSave::Submit,
                         std::string("Flu-Season, vaccines"));
    });
    REQUIRE(saved.ok());
    auto retagged = s.run<SavedPost>(backend, [&](Services& sv) {
        return save_post(sv, s.alice, saved->post_id, content("Flu shots on Saturday", s.account.id),
                         AfterSave::KeepDraft, std::string("vaccines campaign-a"));
    });
    REQUIRE(retagged.ok());
    CHECK(retagged->version == 1);
    CHECK(retagged->state == model::State::InReview);
    auto detail = s.run<workflow::PostDetail>(backend, [&](Services& sv) { return sv.flow.detail(saved->post_id); });
    REQUIRE(detail.ok());
    CHECK(detail->tags == std::vector<std::string>{"campaign-a", "vaccines"});
    // A bad tag is refused before anything is written.
    auto refused = s.run<SavedPost>(backend, [&](Services& sv) {
        return save_post(sv, s.alice, std::nullopt, content("Another post", s.account.id), AfterSave::KeepDraft,
                         std::string("flu; vaccines"));
    });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::Invalid);
    auto posts = s.run<std::vector<store::PostSummary>>(backend, [&](Services& sv) {
        return sv.store.list_posts({});
    });
    REQUIRE(posts.ok());
    CHECK(posts->size() == 1);
}

TEST_CASE("core's refusals come back as errors, in order with other jobs") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    auto saved = s.run<SavedPost>(backend, [&](Services& sv) {
        return save_post(sv, s.alice, std::nullopt, content("Clinic open late", s.account.id), AfterSave::Submit);
    });
    REQUIRE(saved.ok());
    auto own = s.run<workflow::ApprovalOutcome>(
        backend, [&](Services& sv) { return sv.flow.approve(s.alice, saved->post_id, "", ""); });
    REQUIRE_FALSE(own.ok());
    CHECK(own.error().code == ErrorCode::Forbidden);
    auto wrong = s.run<model::User>(backend, [](Services& sv) { return security::authenticate(sv.store, "bob", "nope"); });
    REQUIRE_FALSE(wrong.ok());
    auto right = s.run<model::User>(
        backend, [](Services& sv) { return security::authenticate(sv.store, "bob", "a long test password"); });
    REQUIRE(right.ok());
    CHECK(right->role == model::Role::Approver);
}

TEST_CASE("a database that cannot be opened is reported to every job") {
    testing::TempDir dir;
    GuiQueue gui;
    Backend backend({dir / "missing.db", dir / "config", CLEARPOST_ASSETS_DIR}, gui.dispatcher());
    std::optional<Result<StudioSetup>> out;
    backend.run<StudioSetup>([](Services& sv) { return load_setup(sv); },
                             [&out](Result<StudioSetup> r) { out.emplace(std::move(r)); });
    gui.run_one();
    REQUIRE(out.has_value());
    CHECK_FALSE(out->ok());
    CHECK(out->error().code == ErrorCode::NotFound);
}

TEST_CASE("an attached image is stored beside the database without its metadata, the original is untouched") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    const std::filesystem::path source = std::string(CLEARPOST_MEDIA_FIXTURES_DIR) + "/exif_gps.jpg";
    const auto before = std::filesystem::file_size(source);
    auto image = s.run<AttachedImage>(backend, [&](Services& sv) { return attach_image(sv, source); });
    REQUIRE(image.ok());
    CHECK(std::filesystem::path(image->ref.path).parent_path() == s.dir / "media");
    CHECK(image->ref.sha256.size() == 64);
    CHECK(image->caption.rfind("JPEG, ", 0) == 0);
    CHECK(image->note.find("EXIF (APP1)") != std::string::npos);
    std::ifstream in(image->ref.path, std::ios::binary);
    const std::string stored((std::istreambuf_iterator<char>(in)), {});
    CHECK(stored.find("CLEARPOST-SECRET") == std::string::npos);
    CHECK(std::filesystem::file_size(source) == before);

    // Read back for a saved version; a file changed on disk is refused.
    auto again = reload_image(image->ref);
    REQUIRE(again.ok());
    CHECK(again->caption == image->caption);
    CHECK(again->note.empty());
    std::ofstream(image->ref.path, std::ios::binary | std::ios::app) << "x";
    CHECK(reload_image(image->ref).error().code == ErrorCode::Tampered);

    // Something that is not an image is refused with a reason.
    std::ofstream(s.dir / "notes.jpg") << "not an image";
    auto refused = s.run<AttachedImage>(backend, [&](Services& sv) { return attach_image(sv, s.dir / "notes.jpg"); });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::Invalid);
}

TEST_CASE("linking a consent from a new post saves it first, and the draft is checked with the consent") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    model::Consent consent;
    consent.subject = "Maria Lopez";
    consent.scope = "all networks";
    consent.expires_at = system_now() + 86400 * 30;
    auto linked = s.run<ConsentLinked>(backend, [&](Services& sv) {
        return link_consent(sv, s.alice, std::nullopt,
                            content("Get well soon to our patient Maria Lopez after her surgery", s.account.id),
                            consent);
    });
    REQUIRE(linked.ok());
    CHECK(linked->saved.post_id > 0);
    CHECK(linked->saved.state == model::State::Draft);
    CHECK(linked->saved.version == 2);  // the draft, then the same content checked with the consent
    CHECK(linked->saved.verdict != "block");
    REQUIRE(linked->consents.size() == 1);
    CHECK(linked->consents[0].subject == "Maria Lopez");
}

TEST_CASE("the composer's next free slot comes from the organisation's queue slots") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    auto none = s.run<UnixSeconds>(backend, [](Services& sv) { return next_slot(sv); });
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == ErrorCode::NotFound);
    CHECK(none.error().message.find("queue-slots") != std::string::npos);
    auto set = s.run<UnixSeconds>(backend, [&](Services& sv) -> Result<UnixSeconds> {
        workflow::Admin admin(sv.store, sv.audit, system_now);
        CLEARPOST_CHECK(admin.set_queue_slots(s.ada, {{schedule::Weekday::Friday, 8, 15}}));
        return next_slot(sv);
    });
    REQUIRE(set.ok());
    const auto now = system_now();
    CHECK(*set > now);
    CHECK(*set <= now + 7 * 86400 + 3600);
    schedule::TzDatabase zones;
    const auto local = schedule::utc_to_local(*set, *zones.find("America/New_York"));
    REQUIRE(local.ok());
    CHECK(local->local.hour == 8);
    CHECK(local->local.minute == 15);
}

TEST_CASE("the studio's import checks a file first, then brings its good rows in as drafts") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    const auto file = s.dir / "plan.csv";
    std::ofstream(file) << "text,accounts,scheduled_at\n"
                           "Flu shots on Saturday,bluesky:clinic.example,2030-11-02 09:00\n"
                           "Open house next week,bluesky:clinic.example,2030-02-30 09:00\n"
                           "Blood drive in the lobby,bluesky:clinic.example,\n";
    transfer::ImportOptions options;
    options.dry_run = true;
    auto checked = s.run<transfer::ImportReport>(backend, [&](Services& sv) { return import_file(sv, s.alice, file, options); });
    REQUIRE(checked.ok());
    CHECK(import_summary(*checked) == "2 of 3 rows will be created as drafts; 1 rejected.");
    schedule::TzDatabase zones;
    const auto ny = zones.find("America/New_York");
    REQUIRE(ny.ok());
    const auto rows = import_rows(*checked, &*ny);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].row == 2);
    CHECK(rows[0].when == "2030-11-02 09:00 EDT");
    CHECK(rows[0].outcome == "would be created as a draft");
    CHECK(rows[1].rejected);
    CHECK(rows[1].outcome.find("rejected; scheduled_at") == 0);
    CHECK(rows[2].when.empty());
    auto none = s.run<std::vector<store::PostSummary>>(backend, [](Services& sv) { return sv.store.list_posts({}); });
    CHECK(none->empty());  // a check writes nothing

    options.dry_run = false;
    auto imported = s.run<transfer::ImportReport>(backend, [&](Services& sv) { return import_file(sv, s.alice, file, options); });
    REQUIRE(imported.ok());
    CHECK(import_summary(*imported) == "Created 2 drafts (0 with findings to look at); 1 row rejected.");
    auto posts = s.run<std::vector<store::PostSummary>>(backend, [](Services& sv) { return sv.store.list_posts({}); });
    REQUIRE(posts.ok());
    CHECK(posts->size() == 2);
    for (const auto& p : *posts) CHECK(p.post.state == model::State::Draft);

    auto missing = s.run<transfer::ImportReport>(
        backend, [&](Services& sv) { return import_file(sv, s.alice, s.dir / "gone.csv", options); });
    CHECK(missing.error().code == ErrorCode::NotFound);
}

}  // namespace clearpost::gui
