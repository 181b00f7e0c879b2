#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "clearpost/compliance/engine.h"
#include "clearpost/text/utf8.h"

using namespace clearpost;
using namespace clearpost::compliance;

namespace {

// 2026-11-26T00:00:00Z
constexpr UnixSeconds kNow = 1795651200;

OrgProfile test_org() {
    auto org = parse_org_profile(R"({
      "name": "Bayside Health Partners",
      "public_phones": ["(206) 555-0140"],
      "public_emails": ["media@baysidehealth.example"],
      "addresses": ["Harbor Clinic, 12 Dock Street, Gull Haven, WA 98001"],
      "domains": ["baysidehealth.example"],
      "staff": [{"name": "Nadine Ortiz", "title": "MD, Chief Medical Officer"}],
      "public_figures": [{"name": "Victor Hale", "role": "County Executive"}]
    })");
    REQUIRE(org.ok());
    return *org;
}

const Engine& engine() {
    static const Engine e = [] {
        auto loaded = Engine::load(CLEARPOST_ASSETS_DIR, test_org());
        if (!loaded.ok()) FAIL(loaded.error().message);
        return std::move(loaded).value();
    }();
    return e;
}

Report check(std::string_view text, std::vector<ConsentRecord> consents = {}, std::vector<text::Network> networks = {},
             std::vector<MediaItem> media = {}) {
    CheckInput in;
    in.text = text;
    in.now = kNow;
    in.consents = std::move(consents);
    in.networks = std::move(networks);
    in.media = std::move(media);
    return engine().check(in);
}

// The finding of `rule` whose span covers `needle`, if any.
const Finding* find(const Report& r, std::string_view text, std::string_view rule, std::string_view needle) {
    const auto at = text.find(needle);
    if (at == std::string_view::npos) return nullptr;
    for (const Finding& f : r.findings)
        if (f.rule == rule && f.start < at + needle.size() && at < f.end) return &f;
    return nullptr;
}

bool has_rule(const Report& r, std::string_view rule) {
    for (const Finding& f : r.findings)
        if (f.rule == rule) return true;
    return false;
}

}  // namespace

TEST_CASE("a patient's phone number is found and the organisation's own is not, in any format") {
    const std::string t = "Jo, your biopsy results are in: call us back at 206-555-0188 or (206) 555-0140. Also 206.555.0140.";
    const Report r = check(t);
    const Finding* f = find(r, t, "phi.phone", "206-555-0188");
    REQUIRE(f);
    CHECK(f->severity == Severity::Block);
    CHECK(f->kind == "phone");
    CHECK_FALSE(find(r, t, "phi.phone", "(206) 555-0140"));
    CHECK_FALSE(find(r, t, "phi.phone", "206.555.0140"));
    CHECK(r.verdict == Verdict::Block);
}

TEST_CASE("hotlines and toll-free numbers are not PHI") {
    const Report r = check("In a crisis call 988, in an emergency 911, or Poison Help at 1-800-222-1222.");
    CHECK(r.verdict == Verdict::Pass);
}

TEST_CASE("an e-mail address is flagged unless it belongs to the organisation") {
    const std::string t = "Write to media@baysidehealth.example or to sam.k.home@example.net about the surgery.";
    const Report r = check(t);
    CHECK(find(r, t, "phi.email", "sam.k.home@example.net"));
    CHECK_FALSE(find(r, t, "phi.email", "media@baysidehealth.example"));
}

TEST_CASE("a Social Security number blocks even without health context") {
    const std::string t = "Please never post numbers like 987-65-4320 here.";
    const Report r = check(t);
    const Finding* f = find(r, t, "phi.ssn", "987-65-4320");
    REQUIRE(f);
    CHECK(f->severity == Severity::Block);
}

TEST_CASE("record, plan, account, licence, vehicle and device numbers need their context word") {
    const std::string t =
        "MRN 00456789, member ID QX7712345, acct 4410-2291, driver's license WDL55K2J9, plate KXT4410, "
        "pump serial AB12-99881 for the patient.";
    const Report r = check(t);
    CHECK(find(r, t, "phi.mrn", "00456789"));
    CHECK(find(r, t, "phi.health_plan", "QX7712345"));
    CHECK(find(r, t, "phi.account", "4410-2291"));
    CHECK(find(r, t, "phi.license", "WDL55K2J9"));
    CHECK(find(r, t, "phi.vehicle", "KXT4410"));
    CHECK(find(r, t, "phi.device", "AB12-99881"));
    const Report plain = check("We gave 00456789 flu shots? No: 12,480 visits in 2024.");
    CHECK(plain.verdict == Verdict::Pass);
}

TEST_CASE("a patient's name blocks with health context and only warns without it") {
    const std::string t = "Get well soon to our patient Harriet Vance after her hip replacement!";
    const Report r = check(t);
    const Finding* f = find(r, t, "phi.name", "Harriet Vance");
    REQUIRE(f);
    CHECK(f->severity == Severity::Block);
    const std::string w = "Hi Gordon, thanks for the kind words about the new parking lot.";
    const Report rw = check(w);
    const Finding* fw = find(rw, w, "phi.name", "Gordon");
    REQUIRE(fw);
    CHECK(fw->severity == Severity::Warn);
    CHECK(rw.verdict == Verdict::Warn);
}

TEST_CASE("names after courtesy titles and kinship words are found, with the title in the span") {
    const std::string t = "Mrs. Quillfeather's grandson Tavi was born in our birth center today.";
    const Report r = check(t);
    const Finding* f = find(r, t, "phi.name", "Mrs. Quillfeather");
    REQUIRE(f);
    CHECK(t.substr(f->start, f->end - f->start) == "Mrs. Quillfeather");
    CHECK(find(r, t, "phi.name", "Tavi"));
}

TEST_CASE("staff and public figures acting publicly are not flagged") {
    const Report r = check("Dr. Nadine Ortiz and County Executive Victor Hale opened our new diabetes clinic.");
    CHECK(r.verdict == Verdict::Pass);
    const Report first_name_only = check("Thank you, Nadine, for the asthma talk!");
    CHECK(first_name_only.verdict == Verdict::Pass);
}

TEST_CASE("a staff member or public figure who is the patient is flagged") {
    const std::string t = "Get well soon to Victor Hale, resting comfortably after his appendectomy this morning.";
    const Report r = check(t);
    CHECK(find(r, t, "phi.name", "Victor Hale"));
    CHECK(r.verdict == Verdict::Block);
}

TEST_CASE("dates tied to a person are flagged and event dates are not") {
    const std::string t = "Welcome, Ruby Starling! Born March 12 at 6:42 a.m. in our birth center.";
    const Report r = check(t);
    const Finding* f = find(r, t, "phi.date", "March 12");
    REQUIRE(f);
    CHECK(t.substr(f->start, f->end - f->start) == "March 12 at 6:42 a.m.");
    const Report event = check("Free flu shots on Saturday, March 12, 9 a.m. to noon at our clinic.");
    CHECK(event.verdict == Verdict::Pass);
    const Report dob = check("The screen showed DOB 03/14/1950.");
    CHECK(dob.verdict == Verdict::Block);
}

TEST_CASE("ages over 89 are flagged and population age groups are not") {
    const std::string t = "Happy 101st birthday to our patient Gus Ferrant, who turns 101 today!";
    const Report r = check(t);
    CHECK(find(r, t, "phi.age", "101st"));
    CHECK(check("Adults aged 90 and older should get the high-dose flu shot.").verdict == Verdict::Pass);
    CHECK(check("94% of our patients aged 90 and older got a flu shot.").verdict == Verdict::Pass);
    CHECK(check("Our patient, 67, says hi.").verdict == Verdict::Pass);
}

TEST_CASE("street addresses are flagged unless they are the organisation's") {
    const std::string t = "Our nurse visits Mr. Pell at 301 Quarry Lane, Gull Haven, WA 98001 for wound care.";
    const Report r = check(t);
    const Finding* f = find(r, t, "phi.address", "301 Quarry Lane");
    REQUIRE(f);
    CHECK(t.substr(f->start, f->end - f->start) == "301 Quarry Lane, Gull Haven, WA 98001");
    const Report org = check("Flu shots at 12 Dock St., Gull Haven, WA 98001, every Friday.");
    CHECK(org.verdict == Verdict::Pass);
}

TEST_CASE("a small place tied to a rare condition is flagged, the organisation's own towns are not") {
    const std::string t = "The only ALS patient from Heron Spit Point is doing well.";
    const Report r = check(t);
    CHECK(find(r, t, "phi.geo", "Heron Spit Point"));
    CHECK(check("Our Gull Haven clinic now offers dental care.").verdict == Verdict::Pass);
    const std::string zip = "A thank-you card from a patient in ZIP 98077 with cystic fibrosis.";
    CHECK(find(check(zip), zip, "phi.geo", "98077"));
}

TEST_CASE("rooms, beds and patient handles are unique identifiers") {
    const std::string t = "@rosie_b88 your mom in Room 414 is off oxygen!";
    const Report r = check(t);
    CHECK(find(r, t, "phi.other_id", "@rosie_b88"));
    CHECK(find(r, t, "phi.other_id", "Room 414"));
    CHECK(check("Our diabetes class meets in Room 204.").verdict == Verdict::Pass);
    CHECK(check("Thanks @CountyFireDept for the CPR training, patients will benefit.").verdict == Verdict::Pass);
}

TEST_CASE("a link carrying a patient's name or ID is flagged") {
    const std::string t = "Read Helen's story: baysidehealth.example/stories/helen-dunlow and portal.baysidehealth.example/r?pid=5521";
    const Report r = check(t);
    CHECK(find(r, t, "phi.url", "baysidehealth.example/stories/helen-dunlow"));
    CHECK(find(r, t, "phi.url", "portal.baysidehealth.example/r?pid=5521"));
    CHECK_FALSE(find(check("See baysidehealth.example/careers"), "See baysidehealth.example/careers", "phi.url",
                     "baysidehealth"));
}

TEST_CASE("an IP address tied to a patient is flagged") {
    const std::string t = "Patient logins came from 198.51.100.77 last night.";
    CHECK(find(check(t), t, "phi.ip", "198.51.100.77"));
}

TEST_CASE("a valid consent turns findings about that patient into info with its reference") {
    const std::string t = "With permission: our patient Lena Marsh finished chemo today! Call Lena at 206-555-0199.";
    ConsentRecord c{"AUTH-17", "Lena Marsh", {}, kNow + 86400};
    const Report r = check(t, {c});
    const Finding* name = find(r, t, "phi.name", "Lena Marsh");
    REQUIRE(name);
    CHECK(name->severity == Severity::Info);
    CHECK(name->consent_id == "AUTH-17");
    CHECK(name->message.find("AUTH-17") != std::string::npos);
    const Finding* phone = find(r, t, "phi.phone", "206-555-0199");
    REQUIRE(phone);
    CHECK(phone->severity == Severity::Info);
    CHECK(r.verdict == Verdict::Pass);
}

TEST_CASE("an expired consent or one for other networks does not apply") {
    const std::string t = "Our patient Lena Marsh finished chemo today!";
    ConsentRecord expired{"AUTH-9", "Lena Marsh", {}, kNow - 1};
    const Report r = check(t, {expired});
    CHECK(r.verdict == Verdict::Block);
    CHECK(has_rule(r, "consent.expired"));
    ConsentRecord facebook_only{"AUTH-10", "Lena Marsh", {"facebook"}, kNow + 86400};
    CHECK(check(t, {facebook_only}, {text::Network::X}).verdict == Verdict::Block);
    CHECK(check(t, {facebook_only}, {text::Network::Facebook}).verdict == Verdict::Pass);
}

TEST_CASE("findings carry byte and code-point offsets on multi-byte text") {
    const std::string t = "\xF0\x9F\x8E\x89 Felicidades a do\xC3\xB1" "a Roc\xC3\xADo Ib\xC3\xA1\xC3\xB1" "ez por sus 95 a\xC3\xB1os, paciente de nuestra cl\xC3\xADnica!";
    const Report r = check(t);
    const Finding* age = find(r, t, "phi.age", "95");
    REQUIRE(age);
    CHECK(t.substr(age->start, age->end - age->start) == "95");
    const text::OffsetMap map(t);
    CHECK(age->cp_start == map.to_code_point(age->start));
    CHECK(age->cp_end - age->cp_start == 2);
    const Finding* name = find(r, t, "phi.name", "Roc\xC3\xADo");
    REQUIRE(name);
    CHECK(t.substr(name->start, name->end - name->start) == "Roc\xC3\xADo Ib\xC3\xA1\xC3\xB1" "ez");
    CHECK(name->end - name->start == 15);
    CHECK(name->cp_end - name->cp_start == 12);
}

TEST_CASE("invalid UTF-8, NUL bytes, huge posts and many emoji give findings, never a crash") {
    const std::string bad = std::string("Patient Ana Ruiz \xC3\x28 room ") + '\0' + "\xFF\xFE SSN 987-65-4329";
    const Report r = check(bad);
    CHECK(has_rule(r, "text.invalid-utf8"));
    CHECK(find(r, bad, "phi.ssn", "987-65-4329"));
    for (const Finding& f : r.findings) {
        CHECK(f.start <= f.end);
        CHECK(f.end <= bad.size());
    }
    std::string big;
    while (big.size() < (1U << 20)) big += "Our patient Ana Ruiz, MRN 00123456, \xF0\x9F\x98\x80 room 12. ";
    const Report rb = check(big, {}, {text::Network::X, text::Network::Bluesky});
    CHECK(rb.verdict == Verdict::Block);
    CHECK(has_rule(rb, "platform.length"));
    std::string emoji;
    for (int i = 0; i < 10000; ++i) emoji += "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";
    const Report re = check(emoji, {}, {text::Network::Bluesky});
    CHECK(has_rule(re, "platform.length"));
    std::string junk;
    for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131 + 7) % 256));
    const Report rj = check(junk);
    CHECK(has_rule(rj, "text.invalid-utf8"));
}

TEST_CASE("policy rules say why and how to fix") {
    const std::string t = "Our miracle treatment has guaranteed results! Details: bit.ly/xyz and othersite.com/page";
    const Report r = check(t);
    const Finding* claim = find(r, t, "policy.prohibited-claim", "miracle");
    REQUIRE(claim);
    CHECK_FALSE(claim->message.empty());
    CHECK_FALSE(claim->suggestion.empty());
    CHECK(find(r, t, "policy.prohibited-claim", "guaranteed results"));
    CHECK(find(r, t, "policy.url-shortener", "bit.ly/xyz"));
    CHECK(find(r, t, "policy.external-link", "othersite.com/page"));
    CHECK_FALSE(find(check("See baysidehealth.example/flu"), "See baysidehealth.example/flu", "policy.external-link",
                     "baysidehealth"));
    CHECK(has_rule(check("Give 10 mg/kg every 6-8 hours."), "policy.medical-disclaimer"));
    CHECK_FALSE(has_rule(check("Give 10 mg/kg every 6-8 hours. Ask your pharmacist first."), "policy.medical-disclaimer"));
    CHECK(has_rule(check("This post is sponsored by Acme Vitamins."), "policy.sponsored-disclosure"));
    CHECK_FALSE(has_rule(check("#ad This post is sponsored by Acme Vitamins."), "policy.sponsored-disclosure"));
}

TEST_CASE("every image needs alt text") {
    const Report r = check("Spring fair photos!", {}, {}, {{"fair.jpg", true, ""}, {"map.png", true, "A map of the fair"}});
    int alt = 0;
    for (const Finding& f : r.findings) alt += f.rule == "policy.alt-text";
    CHECK(alt == 1);
    CHECK(r.verdict == Verdict::Block);
}

TEST_CASE("an organisation can extend, replace and disable rules") {
    auto base = load_rule_pack(std::string(CLEARPOST_ASSETS_DIR) + "/rules/policy-v1.json");
    REQUIRE(base.ok());
    auto ext = parse_rule_pack(R"({"id": "bayside", "version": 1, "rules": [
        {"id": "policy.url-shortener", "disabled": true},
        {"id": "org.no-competitors", "type": "prohibited_phrases", "severity": "block",
         "phrases": ["Rival Health"], "message": "Do not name competitors.", "suggestion": "Remove it."}]})");
    REQUIRE(ext.ok());
    const RulePack merged = merge_rule_packs(*base, *ext);
    auto dicts = load_dictionaries(std::string(CLEARPOST_ASSETS_DIR) + "/dictionaries");
    REQUIRE(dicts.ok());
    const Engine e(*dicts, merged, test_org());
    CheckInput in;
    const std::string t = "Better than Rival Health! bit.ly/abc";
    in.text = t;
    const Report r = e.check(in);
    CHECK(find(r, t, "org.no-competitors", "Rival Health"));
    CHECK_FALSE(has_rule(r, "policy.url-shortener"));
    CHECK(r.verdict == Verdict::Block);
    CHECK_FALSE(parse_rule_pack(R"({"rules": [{"id": "x", "type": "nonsense"}]})").ok());
}

TEST_CASE("each network's limit is enforced in its own unit") {
    const std::string x281(281, 'a');
    CHECK(has_rule(check(x281, {}, {text::Network::X}), "platform.length"));
    CHECK_FALSE(has_rule(check(x281, {}, {text::Network::Mastodon}), "platform.length"));
    // Networks with threads warn (the publisher splits); the others block.
    CHECK(check(x281, {}, {text::Network::X}).verdict == Verdict::Warn);
    const std::string li3001(3001, 'a');
    CHECK(check(li3001, {}, {text::Network::LinkedIn}).verdict == Verdict::Block);
    std::string tags;
    for (int i = 0; i < 31; ++i) tags += "#tag" + std::to_string(i) + " ";
    CHECK(has_rule(check(tags, {}, {text::Network::Instagram}), "platform.hashtags"));
}

TEST_CASE("a malformed organisation profile is a clear error") {
    auto r = parse_org_profile("{\"public_phones\": \"not a list\"}");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("public_phones") != std::string::npos);
    CHECK_FALSE(parse_org_profile("not json").ok());
    auto missing = load_org_profile("/nonexistent/dir/org.json");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
}

TEST_CASE("one engine can be used from several threads at once") {
    const std::string t = "Our patient Harriet Vance, MRN 00999111, went home after surgery.";
    const Report expected = check(t);
    std::vector<std::thread> threads;
    std::vector<int> same(4, 0);
    for (int k = 0; k < 4; ++k)
        threads.emplace_back([&, k] {
            for (int i = 0; i < 50; ++i) same[static_cast<std::size_t>(k)] += check(t).findings.size() == expected.findings.size();
        });
    for (auto& th : threads) th.join();
    for (int s : same) CHECK(s == 50);
}

TEST_CASE("the labelled corpus runs through the engine with valid offsets") {
    const char* dir = std::getenv("CLEARPOST_PHI_CORPUS_DIR");
#ifdef CLEARPOST_DEFAULT_PHI_CORPUS_DIR
    if (!dir || !*dir) dir = CLEARPOST_DEFAULT_PHI_CORPUS_DIR;
#endif
    if (!dir || !*dir) {
        WARN("SKIPPED: set CLEARPOST_PHI_CORPUS_DIR to a folder with posts.jsonl and org.json to run this test");
        return;
    }
    auto org = load_org_profile(std::string(dir) + "/org.json");
    REQUIRE(org.ok());
    auto e = Engine::load(CLEARPOST_ASSETS_DIR, *org);
    REQUIRE(e.ok());
    std::ifstream in(std::string(dir) + "/posts.jsonl");
    std::string line;
    int posts = 0;
    while (std::getline(in, line)) {
        auto post = nlohmann::json::parse(line, nullptr, false);
        if (post.is_discarded()) continue;
        const std::string t = post["text"].get<std::string>();
        CheckInput input;
        input.text = t;
        input.now = kNow;
        const Report r = e->check(input);
        for (const Finding& f : r.findings) {
            CHECK(f.start <= f.end);
            CHECK(f.end <= t.size());
        }
        ++posts;
    }
    CHECK(posts > 0);
}

TEST_CASE("a town without a place word counts when the sentence says the patient is rare there") {
    const std::string t = "The only dialysis patient in Quillamook gets a home machine.";
    CHECK(find(check(t), t, "phi.geo", "Quillamook"));
    CHECK(check("Our first telehealth patient in Washington thanked the team.").verdict != Verdict::Block);
}

TEST_CASE("seven-digit numbers after a phone word, PO boxes and days of the month are found") {
    const std::string t = "Mr. Oddny, call us at 555-0133 about your biopsy on the 14th, or write to PO Box 4410.";
    const Report r = check(t);
    CHECK(find(r, t, "phi.phone", "555-0133"));
    CHECK(find(r, t, "phi.date", "14th"));
    CHECK(find(r, t, "phi.address", "Box 4410"));
    CHECK(check("Medicaid 2024 report: coverage for 1,140 neighbors.").verdict == Verdict::Pass);
}
