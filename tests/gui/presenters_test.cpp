// The studio's presenters without widgets: what the composer marks, fixes
// and counts, what the schedule picker says, and what the inbox offers.

#include <catch2/catch.hpp>

#include "presenters/composer.h"
#include "presenters/review.h"

namespace clearpost::gui {
namespace {

using compliance::Finding;
using compliance::Severity;
using model::Role;

Finding finding(std::string rule, std::string kind, Severity severity, std::string_view text, std::string_view words) {
    Finding f;
    f.rule = std::move(rule);
    f.kind = std::move(kind);
    f.severity = severity;
    f.start = text.find(words);
    f.end = f.start + words.size();
    f.message = "why";
    f.suggestion = "how";
    return f;
}

std::string fixed(std::string_view text, const Finding& f, const compliance::OrgProfile& org = {}) {
    auto fix = fix_for(f, text, org);
    REQUIRE(fix.has_value());
    return apply_fix(text, *fix).text;
}

}  // namespace

TEST_CASE("indicator spans follow the findings' byte spans and skip findings about the whole post") {
    const std::string text = "Café for Maria Lopez";
    std::vector<Finding> findings{finding("phi.name", "name", Severity::Block, text, "Maria Lopez")};
    Finding whole;
    whole.rule = "policy.medical-disclaimer";
    whole.severity = Severity::Warn;
    findings.push_back(whole);
    Finding past_end = findings[0];
    past_end.start = 18;
    past_end.end = 40;
    findings.push_back(past_end);
    const auto spans = indicator_spans(findings, text.size());
    REQUIRE(spans.size() == 2);
    CHECK(spans[0] == IndicatorSpan{10, 11, Severity::Block});  // bytes: "é" is two
    CHECK(spans[1] == IndicatorSpan{18, text.size() - 18, Severity::Block});
}

TEST_CASE("the hover finds the most severe finding under the pointer") {
    const std::string text = "call Maria at 555-010-1234";
    std::vector<Finding> findings{finding("phi.name", "name", Severity::Warn, text, "Maria at 555"),
                                  finding("phi.phone", "phone", Severity::Block, text, "555-010-1234")};
    CHECK(finding_at(findings, text.find("Maria")) == 0u);
    CHECK(finding_at(findings, text.find("555")) == 1u);
    CHECK_FALSE(finding_at(findings, 0).has_value());
    CHECK_FALSE(finding_at(findings, text.size()).has_value());
}

TEST_CASE("removing a name leaves one space between the words around it") {
    const std::string text = "Get well soon to our patient Maria Lopez after surgery!";
    CHECK(fixed(text, finding("phi.name", "name", Severity::Block, text, "Maria Lopez")) ==
          "Get well soon to our patient after surgery!");
    const std::string before_comma = "Thank you, Maria Lopez, for visiting.";
    CHECK(fixed(before_comma, finding("phi.name", "name", Severity::Warn, before_comma, "Maria Lopez")) ==
          "Thank you, for visiting.");
    const std::string first = "Maria Lopez is home";
    CHECK(fixed(first, finding("phi.name", "name", Severity::Warn, first, "Maria Lopez")) == "is home");
    const std::string last = "Get well, Maria Lopez!";
    CHECK(fixed(last, finding("phi.name", "name", Severity::Warn, last, "Maria Lopez")) == "Get well!");
}

TEST_CASE("removing a room number takes its preposition with it") {
    const std::string text = "Our patient in Room 418 after her surgery";
    const auto f = finding("phi.other_id", "other_id", Severity::Block, text, "Room 418");
    CHECK(fix_for(f, text, {})->subject == "Room 418");
    CHECK(fixed(text, f) == "Our patient after her surgery");
    // A name is not a place: "to" stays.
    const std::string name = "Flowers to Maria Lopez today";
    CHECK(fixed(name, finding("phi.name", "name", Severity::Warn, name, "Maria Lopez")) == "Flowers to today");
}

TEST_CASE("a phone number is replaced by the organisation's public number when it has one") {
    const std::string text = "Call Ann on 555-201-3344 tonight";
    const auto f = finding("phi.phone", "phone", Severity::Warn, text, "555-201-3344");
    compliance::OrgProfile org;
    CHECK(fix_for(f, text, org)->kind == FixKind::Remove);
    org.public_phones = {"(555) 010-4000"};
    const auto fix = fix_for(f, text, org);
    CHECK(fix->kind == FixKind::UsePublicContact);
    const auto edit = apply_fix(text, *fix);
    CHECK(edit.text == "Call Ann on (555) 010-4000 tonight");
    CHECK(edit.caret == std::string("Call Ann on (555) 010-4000").size());
}

TEST_CASE("policy fixes add the disclaimer or the disclosure, a claim has no mechanical fix") {
    const std::string text = "Take 10 mg/kg every 6-8 hours.";
    Finding disclaimer;
    disclaimer.rule = "policy.medical-disclaimer";
    disclaimer.suggestion =
        "Add a line such as \"This is general information, not medical advice: talk to your clinician.\"";
    CHECK(fixed(text, disclaimer) ==
          "Take 10 mg/kg every 6-8 hours.\n\nThis is general information, not medical advice: talk to your clinician.");
    Finding sponsor;
    sponsor.rule = "policy.sponsored-disclosure";
    CHECK(fixed("Use code FLU10", sponsor) == "#ad Use code FLU10");
    const std::string claim = "A miracle cure";
    CHECK_FALSE(fix_for(finding("policy.prohibited-claim", "policy", Severity::Warn, claim, "miracle"), claim, {}));
}

TEST_CASE("the findings list shows blocks first, then warnings, each in text order") {
    const std::string text = "miracle for Maria Lopez in Room 418";
    std::vector<Finding> findings{finding("policy.prohibited-claim", "policy", Severity::Warn, text, "miracle"),
                                  finding("phi.name", "name", Severity::Block, text, "Maria Lopez"),
                                  finding("phi.other_id", "other_id", Severity::Block, text, "Room 418")};
    const auto rows = finding_rows(findings, text, {});
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].excerpt == "Maria Lopez");
    CHECK(rows[1].excerpt == "Room 418");
    CHECK(rows[2].excerpt == "miracle");
    CHECK(rows[0].fix.has_value());
    CHECK_FALSE(rows[2].fix.has_value());
    const auto t = tally(findings);
    CHECK((t.blocks == 2 && t.warnings == 1 && t.notes == 0));
}

TEST_CASE("long flagged words are shortened in the list without splitting a character") {
    std::string text = "Room ";
    for (int i = 0; i < 50; ++i) text += "é";
    Finding f = finding("phi.other_id", "other_id", Severity::Block, text, text);
    const auto rows = finding_rows({f}, text, {});
    CHECK(rows[0].excerpt == text.substr(0, 5 + 35 * 2) + "\u2026");
}

TEST_CASE("each target network gets its own counter with its own counting rule") {
    const std::string text = "Family 👨‍👩‍👧 day: https://example.com/a/very/long/path/that/keeps/going";
    const auto c = counters(text, {text::Network::Bluesky, text::Network::X, text::Network::Bluesky});
    REQUIRE(c.size() == 2);
    CHECK(c[0].network == text::Network::Bluesky);
    CHECK(c[0].unit == CountUnit::Graphemes);
    CHECK(c[0].length == text::measure(text::Network::Bluesky, text).length);
    CHECK(c[0].limit == 300);
    CHECK(c[1].unit == CountUnit::Weighted);
    CHECK(c[1].length == 7 + 2 + 6 + 23);  // "Family ", the emoji sequence, " day: ", the link
    CHECK_FALSE(c[1].over());
    CHECK(counters(std::string(300, 'a'), {text::Network::X})[0].over());
}

TEST_CASE("target accounts map to their networks, unknown networks are skipped") {
    std::vector<model::Account> accounts{{1, "bluesky", "clinic.example", "connected"},
                                         {2, "carrier-pigeon", "loft", "connected"},
                                         {3, "x", "clinic", "connected"}};
    CHECK(networks_of(accounts, {3, 2, 1}) == std::vector<text::Network>{text::Network::X, text::Network::Bluesky});
}

TEST_CASE("the schedule picker explains a DST gap with core's words and offers a choice") {
    schedule::TzDatabase zones;
    ScheduleInput in;
    CHECK(resolve_schedule(in, zones, 0).ok);
    CHECK_FALSE(resolve_schedule(in, zones, 0).at.has_value());
    in.scheduled = true;
    in.zone = "America/New_York";
    in.local = {2030, 3, 10, 2, 30, 0};
    auto gap = resolve_schedule(in, zones, 0);
    CHECK_FALSE(gap.ok);
    CHECK(gap.dst_choice_needed);
    CHECK(gap.message.find("does not exist") != std::string::npos);
    in.dst = schedule::DstChoice::Later;
    auto later = resolve_schedule(in, zones, 0);
    REQUIRE(later.ok);
    CHECK(format_utc(*later.at) == "2030-03-10T07:00:00Z");
    CHECK_FALSE(later.in_past);
    CHECK(resolve_schedule(in, zones, *later.at + 1).in_past);
    in.zone = "Mars/Olympus_Mons";
    auto unknown = resolve_schedule(in, zones, 0);
    CHECK_FALSE(unknown.ok);
    CHECK_FALSE(unknown.dst_choice_needed);
    CHECK_FALSE(unknown.message.empty());
}

TEST_CASE("the composed version carries the text, targets, instant and zone") {
    ScheduleInput in;
    in.scheduled = true;
    in.zone = "Europe/London";
    ScheduleResolution r;
    r.at = 1900000000;
    const auto c = compose_content("Hello", {4, 7}, in, r);
    CHECK(c.text == "Hello");
    REQUIRE(c.targets.size() == 2);
    CHECK(c.targets[1].account_id == 7);
    CHECK(c.scheduled_at == 1900000000);
    CHECK(c.zone == "Europe/London");
}

TEST_CASE("the composed version keeps the images in the order shown, with their alt text") {
    ScheduleInput in;
    const auto c = compose_content("Look", {1}, in, {}, {{"aa", "/m/aa", "A nurse"}, {"bb", "/m/bb", ""}});
    REQUIRE(c.media.size() == 2);
    CHECK(c.media[0].alt_text == "A nurse");
    CHECK(c.media[1].sha256 == "bb");
    CHECK_FALSE(c.scheduled_at.has_value());
}

TEST_CASE("an image's caption gives its type, displayed size and file size") {
    CHECK(image_caption("PNG", 1200, 800, 86016) == "PNG, 1200 \u00D7 800, 84 KB");
    CHECK(image_caption("JPEG", 3024, 4032, 2621440) == "JPEG, 3024 \u00D7 4032, 2.5 MB");
    CHECK(image_caption("WebP", 1, 1, 900) == "WebP, 1 \u00D7 1, 900 bytes");
}

TEST_CASE("the stripping note names what was removed, or says there was nothing") {
    CHECK(stripped_note({}) == "No metadata to remove");
    CHECK(stripped_note({"EXIF (APP1)", "comment (COM)"}) == "Removed before storing: EXIF (APP1), comment (COM)");
}

TEST_CASE("a consent is listed with its last day in the organisation's zone, and says when it has expired") {
    schedule::TzDatabase zones;
    const auto zone = zones.find("America/New_York");
    REQUIRE(zone);
    // Valid through 2026-03-31 in New York: it stops at local midnight, 04:00 UTC on April 1st.
    const auto expires = schedule::end_of_day({2026, 3, 31}, *zone);
    REQUIRE(expires.ok());
    CHECK(format_utc(*expires) == "2026-04-01T04:00:00Z");
    model::Consent c;
    c.subject = "Maria Lopez";
    c.scope = "facebook instagram";
    c.expires_at = *expires;
    c.document_ref = "form CF-22";
    CHECK(consent_line(c, &*zone, *expires - 1) == "Maria Lopez \u00B7 facebook instagram \u00B7 until 2026-03-31 \u00B7 form CF-22");
    CHECK(consent_line(c, &*zone, *expires) ==
          "Maria Lopez \u00B7 facebook instagram \u00B7 expired 2026-03-31 (no longer covers the post) \u00B7 form CF-22");
    c.scope.clear();
    c.document_ref.clear();
    CHECK(consent_line(c, nullptr, 0) == "Maria Lopez \u00B7 all networks \u00B7 until 2026-04-01");
}

// ---- the inbox -----------------------------------------------------------

namespace {

model::User user(model::Id id, Role role) {
    model::User u;
    u.id = id;
    u.name = "user" + std::to_string(id);
    u.role = role;
    return u;
}

workflow::PostDetail in_review(model::Id post, model::Id author, std::string verdict, UnixSeconds since = 100) {
    workflow::PostDetail d;
    d.post.id = post;
    d.post.state = model::State::InReview;
    d.post.updated_at = since;
    model::PostVersion v;
    v.id = post * 10;
    v.post_id = post;
    v.number = 1;
    v.author_id = author;
    v.content.text = "Text of post " + std::to_string(post) + "\nsecond line";
    v.content_hash = "hash" + std::to_string(post);
    v.compliance.verdict = std::move(verdict);
    d.versions.push_back(v);
    d.chain = {{1, Role::Approver}};
    return d;
}

model::Approval signed_by(const workflow::PostDetail& d, model::Id approver, int stage, std::string justification = {}) {
    model::Approval a;
    a.post_id = d.post.id;
    a.version_id = d.versions.back().id;
    a.stage = stage;
    a.decision = "approved";
    a.approver_id = approver;
    a.version_hash = d.versions.back().content_hash;
    a.override_justification = std::move(justification);
    return a;
}

}  // namespace

TEST_CASE("an author never sees an approve button on their own version") {
    const auto approver_author = user(2, Role::Approver);
    const auto own = in_review(1, approver_author.id, "pass");
    const auto offer = review_offer(approver_author, own);
    CHECK_FALSE(offer.approve);
    CHECK_FALSE(offer.request_changes);
    CHECK(offer.note == ReviewNote::OwnVersion);
    const auto author = user(1, Role::Author);
    const auto theirs = in_review(2, author.id, "pass");
    CHECK_FALSE(review_offer(author, theirs).approve);
    CHECK(review_offer(author, in_review(3, 9, "pass")).note == ReviewNote::AuthorsDoNotReview);
}

TEST_CASE("an approver is offered approve and request changes on someone else's clean version") {
    const auto offer = review_offer(user(2, Role::Approver), in_review(1, 1, "warn"));
    CHECK(offer.approve);
    CHECK(offer.request_changes);
    CHECK_FALSE(offer.justification_required);
    CHECK(offer.stage == 1);
    CHECK(offer.stage_role == Role::Approver);
}

TEST_CASE("a compliance block is approved only by a privacy officer, with a justification") {
    const auto blocked = in_review(1, 1, "block");
    const auto approver = review_offer(user(2, Role::Approver), blocked);
    CHECK_FALSE(approver.approve);
    CHECK(approver.request_changes);
    CHECK(approver.note == ReviewNote::BlockNeedsPrivacyOfficer);
    const auto privacy = review_offer(user(3, Role::PrivacyOfficer), blocked);
    CHECK(privacy.approve);
    CHECK(privacy.justification_required);
    // Once overridden, the next stage signs without a justification.
    auto two_stage = blocked;
    two_stage.chain = {{1, Role::Approver}, {2, Role::Approver}};
    two_stage.approvals.push_back(signed_by(two_stage, 3, 1, "public event, consent on file"));
    const auto next = review_offer(user(2, Role::Approver), two_stage);
    CHECK(next.approve);
    CHECK_FALSE(next.justification_required);
    CHECK(next.stage == 2);
}

TEST_CASE("a stage for another role, or a second signature by the same person, is not offered") {
    auto d = in_review(1, 1, "pass");
    d.chain = {{1, Role::Approver}, {2, Role::PrivacyOfficer}};
    d.approvals.push_back(signed_by(d, 2, 1));
    CHECK(review_offer(user(2, Role::Approver), d).note == ReviewNote::AlreadySigned);
    CHECK(review_offer(user(4, Role::Approver), d).note == ReviewNote::NotYourStage);
    CHECK(review_offer(user(3, Role::PrivacyOfficer), d).approve);
    CHECK_FALSE(waits_for(user(4, Role::Approver), d));
    CHECK(waits_for(user(3, Role::PrivacyOfficer), d));
    // An approval of an older version's hash does not count.
    d.approvals.back().version_hash = "older";
    CHECK(review_offer(user(2, Role::Approver), d).approve);
}

TEST_CASE("the inbox lists what waits for the user's role, oldest first") {
    const auto bob = user(2, Role::Approver);
    std::vector<workflow::PostDetail> posts{in_review(5, 1, "pass", 300), in_review(3, 1, "warn", 100),
                                            in_review(4, 2, "pass", 200), in_review(6, 1, "block", 50),
                                            in_review(7, 1, "pass", 100)};
    posts.push_back(in_review(8, 1, "pass", 10));
    posts.back().post.state = model::State::Draft;
    const std::vector<model::User> users{user(1, Role::Author), bob};
    const auto entries = inbox_entries(bob, posts, users);
    // 6 blocks (privacy officer), 8 is a draft; bob's own 4 is listed without an approve button.
    REQUIRE(entries.size() == 4);
    CHECK(entries[0].post_id == 3);
    CHECK(entries[1].post_id == 7);
    CHECK(entries[2].post_id == 4);
    CHECK(entries[3].post_id == 5);
    CHECK(entries[0].author == "user1");
    CHECK(entries[0].first_line == "Text of post 3");
    CHECK_FALSE(entries[2].offer.approve);
    CHECK(entries[2].offer.note == ReviewNote::OwnVersion);
    const auto pat = inbox_entries(user(3, Role::PrivacyOfficer), posts, users);
    CHECK(pat.size() == 5);
    CHECK(pat[0].post_id == 6);
    CHECK(pat[0].offer.justification_required);
}

TEST_CASE("stored findings are read back as the approver will sign them") {
    const auto findings = parse_findings(
        R"([{"rule":"phi.name","kind":"name","severity":"block","start":4,"end":9,"cp_start":4,"cp_end":9,)"
        R"("message":"m","suggestion":"s","consent":"consent 3"}])");
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].rule == "phi.name");
    CHECK(findings[0].severity == Severity::Block);
    CHECK(findings[0].start == 4);
    CHECK(findings[0].end == 9);
    CHECK(findings[0].consent_id == "consent 3");
    CHECK(parse_findings("[]").empty());
    for (const char* bad : {"not json", "{}", R"([{"severity":"catastrophic"}])", "[1]"}) {
        const auto unreadable = parse_findings(bad);
        REQUIRE(unreadable.size() == 1);
        CHECK(unreadable[0].severity == Severity::Block);
    }
}

}  // namespace clearpost::gui
