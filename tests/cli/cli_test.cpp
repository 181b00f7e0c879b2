// End-to-end tests: the built clearpostctl against a temp database, as a
// script or an operator would run it.

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "temp_dir.h"

namespace {

using clearpost::testing::TempDir;

struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
};

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class Cli {
public:
    Cli() { init(); }

    // Runs clearpostctl with `args`, as `user` (password from the table),
    // with no terminal (stdin closed) so a missing password cannot hang.
    Outcome run(const std::vector<std::string>& args, const std::string& user = "",
                const std::map<std::string, std::string>& extra_env = {}) const {
        std::string cmd = "env -i PATH=/usr/bin:/bin HOME=" + quote(dir.path().string()) +
                          " XDG_CONFIG_HOME=" + quote((dir / "config").string()) +
                          " XDG_DATA_HOME=" + quote((dir / "data").string()) + " TZ=UTC";
        if (!user.empty()) cmd += " CLEARPOST_PASSWORD=" + quote(passwords.at(user));
        for (const auto& [k, v] : extra_env) cmd += " " + k + "=" + quote(v);
        cmd += " setsid " + quote(CLEARPOSTCTL);
        if (std::find(args.begin(), args.end(), "--db") == args.end()) cmd += " --db " + quote(db().string());
        if (!user.empty()) cmd += " --as " + user;
        for (const auto& a : args) cmd += " " + quote(a);
        cmd += " </dev/null 2>" + quote((dir / "stderr").string());
        Outcome o;
        FILE* pipe = ::popen(cmd.c_str(), "r");
        REQUIRE(pipe != nullptr);
        std::array<char, 4096> buf{};
        std::size_t n = 0;
        while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) o.out.append(buf.data(), n);
        const int status = ::pclose(pipe);
        o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        o.err = slurp(dir / "stderr");
        return o;
    }

    Outcome ok(const std::vector<std::string>& args, const std::string& user = "") const {
        auto o = run(args, user);
        INFO("clearpostctl failed: " << o.err);
        REQUIRE(o.code == 0);
        return o;
    }

    nlohmann::json json(const std::vector<std::string>& args, const std::string& user) const {
        std::vector<std::string> with = {"--json"};
        with.insert(with.end(), args.begin(), args.end());
        return nlohmann::json::parse(ok(with, user).out);
    }

    std::filesystem::path db() const { return dir / "clearpost.db"; }

    void add_user(const std::string& name, const std::string& role) {
        passwords[name] = name + " has a long password";
        auto o = run({"user", "add", name, "--role", role}, "ada",
                     {{"CLEARPOST_NEW_PASSWORD", passwords[name]}});
        INFO(o.err);
        REQUIRE(o.code == 0);
    }

    TempDir dir;
    std::map<std::string, std::string> passwords{{"ada", "ada has a long password"}};

private:
    void init() {
        ok({"init", "--admin", "ada", "--org", "Harbor Clinics", "--zone", "America/New_York"}, "ada");
        add_user("alice", "author");
        add_user("bob", "approver");
        ok({"account", "add", "bluesky", "clinic.example"}, "ada");
    }
};

}  // namespace

TEST_CASE("clearpostctl runs a post from draft to the queue") {
    Cli cli;
    auto created = cli.json({"post", "new", "--text", "Flu shots Saturday 9-12", "--target",
                             "bluesky:clinic.example", "--at", "2030-11-02 09:00"},
                            "alice");
    const auto id = std::to_string(created["id"].get<long>());
    CHECK(created["state"] == "Draft");
    CHECK(created["versions"][0]["scheduled_at"] == "2030-11-02T13:00:00Z");
    cli.ok({"post", "submit", id}, "alice");
    auto approved = cli.json({"post", "approve", id, "--comment", "ok"}, "bob");
    CHECK(approved["state"] == "Approved");
    CHECK(approved["approvals"][0]["version_hash"] == approved["versions"][0]["content_hash"]);
    auto scheduled = cli.json({"post", "schedule", id}, "bob");
    CHECK(scheduled["state"] == "Scheduled");
    REQUIRE(scheduled["targets"].size() == 1);
    CHECK(scheduled["targets"][0]["state"] == "Scheduled");
    auto list = cli.json({"post", "list", "--state", "Scheduled"}, "alice");
    REQUIRE(list.size() == 1);
    CHECK(cli.run({"audit", "verify"}).code == 0);
}

TEST_CASE("clearpostctl refuses self-approval with exit code 1 and changes nothing") {
    Cli cli;
    cli.ok({"post", "new", "--text", "Hello", "--target", "bluesky:clinic.example"}, "alice");
    cli.ok({"post", "submit", "1"}, "alice");
    const auto before = slurp(cli.db());
    auto o = cli.run({"post", "approve", "1"}, "alice");
    CHECK(o.code == 1);
    CHECK_THAT(o.err, Catch::Contains("separation of duties"));
    CHECK(cli.json({"post", "show", "1"}, "bob")["state"] == "InReview");
}

TEST_CASE("bad input gets a one-line error, the right exit code and no change") {
    Cli cli;
    cli.ok({"post", "new", "--text", "Hello", "--target", "bluesky:clinic.example"}, "alice");
    auto audit_entries = [&] {
        return nlohmann::json::parse(cli.ok({"--json", "audit", "verify"}).out)["entries"].get<int>();
    };
    const int entries = audit_entries();
    struct Case {
        std::vector<std::string> args;
        std::string user;
        int code;
        std::string says;
    };
    const std::vector<Case> cases{
        {{"post", "show", "42"}, "alice", 1, "post 42 does not exist"},
        {{"post", "show", "abc"}, "alice", 2, "not a post id"},
        {{"post", "new", "--text", "x", "--at", "next tuesday"}, "alice", 2, "write it as"},
        {{"post", "new", "--text", "x", "--at", "2030-02-30 10:00"}, "alice", 2, ""},
        {{"post", "new", "--text", "x", "--zone", "Mars/Olympus"}, "alice", 1, "unknown time zone"},
        {{"post", "new", "--text", "x", "--zone", "../../etc/passwd"}, "alice", 2, ""},
        {{"post", "new", "--text", "x", "--at", "2030-03-10 02:30"}, "alice", 2, "--dst"},
        {{"post", "new", "--text", "x", "--target", "bluesky:nobody.example"}, "alice", 1, "account add"},
        {{"post", "new", "--text-file", "/no/such/file.txt"}, "alice", 1, "cannot read"},
        {{"post", "list"}, "", 2, "--as"},
        {{"user", "add", "carl", "--role", "emperor"}, "ada", 2, "unknown role"},
        {{"user", "add", "carl", "--role", "author"}, "alice", 1, "only an admin"},
        {{"post", "frobnicate"}, "alice", 2, ""},
    };
    for (const auto& c : cases) {
        auto o = cli.run(c.args, c.user);
        INFO(c.args[0] << " " << c.args[1] << ": " << o.err);
        CHECK(o.code == c.code);
        CHECK_THAT(o.err, Catch::Contains(c.says));
        if (c.code != 0 && c.args[0] == "post") {
            // One line for our own errors (CLI11's usage errors add a hint line).
            CHECK(std::count(o.err.begin(), o.err.end(), '\n') <= 2);
        }
    }
    // A wrong password and an unknown user.
    auto wrong = cli.run({"post", "list"}, "alice", {{"CLEARPOST_PASSWORD", "not it"}});
    CHECK(wrong.code == 1);
    auto o = cli.run({"--as", "mallory", "post", "list"}, "", {{"CLEARPOST_PASSWORD", "whatever pw"}});
    CHECK(o.code == 1);
    CHECK_THAT(o.err, Catch::Contains("no user named 'mallory'"));
    // No password and no terminal: a clear error, not a hang.
    auto none = cli.run({"--as", "alice", "post", "list"});
    CHECK(none.code == 2);
    CHECK_THAT(none.err, Catch::Contains("CLEARPOST_PASSWORD"));
    CHECK(audit_entries() == entries);
    CHECK(cli.json({"post", "list"}, "alice").size() == 1);
}

TEST_CASE("a missing or foreign database file is refused and left alone") {
    Cli cli;
    auto missing = cli.run({"--db", (cli.dir / "nope.db").string(), "audit", "verify"});
    CHECK(missing.code == 1);
    CHECK_THAT(missing.err, Catch::Contains("clearpostctl init"));
    CHECK_FALSE(std::filesystem::exists(cli.dir / "nope.db"));
    {
        std::ofstream out(cli.dir / "notes.txt");
        out << "not a database";
    }
    auto foreign = cli.run({"--db", (cli.dir / "notes.txt").string(), "audit", "verify"});
    CHECK(foreign.code == 1);
    CHECK_THAT(foreign.err, Catch::Contains("not a Clearpost database"));
    CHECK(slurp(cli.dir / "notes.txt") == "not a database");
}

TEST_CASE("audit verify exits non-zero naming the entry edited in the file") {
    Cli cli;
    REQUIRE(cli.run({"audit", "verify"}).code == 0);
    const std::string sql = "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;";
    REQUIRE(std::system(("sqlite3 " + quote(cli.db().string()) + " " + quote(sql)).c_str()) == 0);
    auto o = cli.run({"audit", "verify"});
    CHECK(o.code == 1);
    CHECK_THAT(o.err, Catch::Contains("entry 2"));
}

TEST_CASE("audit verify catches the newest entries being deleted") {
    Cli cli;
    const std::string sql = "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = "
                            "(SELECT max(seq) FROM audit_log);";
    REQUIRE(std::system(("sqlite3 " + quote(cli.db().string()) + " " + quote(sql)).c_str()) == 0);
    auto o = cli.run({"audit", "verify"});
    CHECK(o.code == 1);
    CHECK_THAT(o.err, Catch::Contains("deleted"));
}

TEST_CASE("db backup writes a copy that opens and verifies") {
    Cli cli;
    const auto copy = (cli.dir / "backup.db").string();
    cli.ok({"db", "backup", copy});
    auto o = cli.run({"--db", copy, "--json", "user", "list"}, "ada");
    CHECK(o.code == 0);
    CHECK(nlohmann::json::parse(o.out).size() == 3);
    CHECK(cli.run({"db", "backup", copy}).code == 1);  // never overwrites
    CHECK(nlohmann::json::parse(cli.ok({"--json", "db", "migrate"}).out)["schema_version"] >= 2);
}

TEST_CASE("every command answers --help") {
    Cli cli;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--help"}, {"init", "--help"}, {"user", "add", "--help"}, {"post", "--help"},
             {"post", "new", "--help"}, {"post", "approve", "--help"}, {"audit", "verify", "--help"},
             {"db", "backup", "--help"}}) {
        auto o = cli.run(args);
        INFO(args.front());
        CHECK(o.code == 0);
        CHECK_THAT(o.out, Catch::Contains("Usage") || Catch::Contains("USAGE") || Catch::Contains("usage"));
    }
}

TEST_CASE("a post naming a patient is blocked until a privacy officer overrides it in writing") {
    Cli cli;
    cli.add_user("pat", "privacy_officer");
    {
        std::ofstream out(cli.dir / "org.json");
        out << R"({"name": "Harbor Clinics", "public_phones": ["(555) 201-4000"],
                   "public_emails": ["press@harbor.example"], "addresses": [], "domains": ["harbor.example"],
                   "staff": [], "public_figures": []})";
    }
    cli.ok({"org", "profile", "import", (cli.dir / "org.json").string()}, "ada");
    auto created = cli.json({"post", "new", "--text",
                             "Wishing a speedy recovery to our patient Marisol Vega in Room 418 after her surgery!",
                             "--target", "bluesky:clinic.example"},
                            "alice");
    const auto& version = created["versions"][0];
    CHECK(version["compliance"]["verdict"] == "block");
    bool names_patient = false;
    for (const auto& f : version["compliance"]["findings"])
        names_patient = names_patient || (f["kind"] == "name" && f["severity"] == "block");
    CHECK(names_patient);
    const auto id = std::to_string(created["id"].get<long>());
    cli.ok({"post", "submit", id}, "alice");
    auto refused = cli.run({"post", "approve", id}, "bob");
    CHECK(refused.code == 1);
    CHECK_THAT(refused.err, Catch::Contains("privacy officer"));
    auto no_reason = cli.run({"post", "approve", id}, "pat");
    CHECK(no_reason.code == 2);
    auto approved = cli.json({"post", "approve", id, "--justification",
                              "Written HIPAA authorisation from the patient on file, ref A-17"},
                             "pat");
    CHECK(approved["state"] == "Approved");
    CHECK(approved["approvals"][0]["override_justification"] ==
          "Written HIPAA authorisation from the patient on file, ref A-17");
    // The organisation's own public number is not PHI.
    auto clean = cli.json({"post", "new", "--text", "Questions about flu shots? Call us at 555-201-4000.",
                           "--target", "bluesky:clinic.example"},
                          "alice");
    CHECK(clean["versions"][0]["compliance"]["verdict"] == "pass");
}

TEST_CASE("a consent linked to a draft turns the finding about its patient into a note") {
    Cli cli;
    auto created = cli.json({"post", "new", "--text", "Wishing a speedy recovery to our patient Marisol Vega!",
                             "--target", "bluesky:clinic.example"},
                            "alice");
    CHECK(created["versions"][0]["compliance"]["verdict"] == "block");
    const auto id = std::to_string(created["id"].get<long>());
    auto past = cli.run({"post", "consent", id, "--subject", "Marisol Vega", "--until", "2020-01-31"}, "alice");
    CHECK(past.code != 0);
    CHECK_THAT(past.err, Catch::Contains("expired"));
    auto malformed = cli.run({"post", "consent", id, "--subject", "Marisol Vega", "--until", "31/01/2099"}, "alice");
    CHECK(malformed.code != 0);
    CHECK_THAT(malformed.err, Catch::Contains("YYYY-MM-DD"));
    auto linked = cli.json({"post", "consent", id, "--subject", "Marisol Vega", "--until", "2099-12-31",
                            "--document", "form F-1"},
                           "alice");
    REQUIRE(linked["versions"].size() == 2);
    const auto& latest = linked["versions"][1];
    CHECK(latest["text"] == created["versions"][0]["text"]);
    CHECK(latest["compliance"]["verdict"] != "block");
    bool noted = false;
    for (const auto& f : latest["compliance"]["findings"])
        noted = noted || (f["kind"] == "name" && f["severity"] == "info" && f.contains("consent"));
    CHECK(noted);
    CHECK(linked["state"] == "Draft");
}

TEST_CASE("queue slots are set by an admin and a post takes the next free one") {
    Cli cli;
    CHECK_THAT(cli.ok({"org", "queue-slots"}).out, Catch::Contains("No queue slots"));
    CHECK(cli.run({"org", "queue-slots", "Mon 09:00"}, "alice").code == 1);  // authors may not
    auto bad = cli.run({"org", "queue-slots", "Monday at nine"}, "ada");
    CHECK(bad.code != 0);
    CHECK_THAT(bad.err, Catch::Contains("Mon 09:00"));
    auto none = cli.run({"post", "new", "--text", "Flu shots", "--target", "bluesky:clinic.example", "--next-slot"},
                        "alice");
    CHECK(none.code != 0);
    CHECK_THAT(none.err, Catch::Contains("queue-slots"));
    auto set = cli.json({"org", "queue-slots", "wed 12:30", "Mon 09:00"}, "ada");
    CHECK(set["queue_slots"] == nlohmann::json::array({"Mon 09:00", "Wed 12:30"}));
    CHECK(set["zone"] == "America/New_York");
    auto first = cli.json({"post", "new", "--text", "Flu shots", "--target", "bluesky:clinic.example", "--next-slot"},
                          "alice");
    auto second = cli.json({"post", "new", "--text", "Open late", "--target", "bluesky:clinic.example", "--next-slot"},
                           "alice");
    const auto a = first["versions"][0]["scheduled_at"].get<std::string>();
    const auto b = second["versions"][0]["scheduled_at"].get<std::string>();
    CHECK(a != b);  // the first draft took its slot
    // Both are a Monday 09:00 or a Wednesday 12:30 in New York: 13:00/14:00 or 16:30/17:30 UTC.
    for (const auto& t : {a, b}) {
        INFO(t);
        const auto clock = t.substr(11, 5);
        CHECK((clock == "13:00" || clock == "14:00" || clock == "16:30" || clock == "17:30"));
    }
    CHECK_THAT(cli.ok({"org", "queue-slots", "--clear"}, "ada").out, Catch::Contains("No queue slots"));
}

TEST_CASE("metrics retention is kept everything by default, set by an admin, and applied by metrics prune") {
    Cli cli;
    CHECK_THAT(cli.ok({"org", "metrics-retention"}).out, Catch::Contains("Every metrics snapshot is kept"));
    CHECK_THAT(cli.ok({"metrics", "prune"}, "alice").out, Catch::Contains("nothing deleted"));
    CHECK(cli.run({"org", "metrics-retention", "365"}, "alice").code == 1);  // authors may not
    CHECK(cli.run({"org", "metrics-retention", "a year"}, "ada").code != 0);
    CHECK(cli.run({"org", "metrics-retention", "5"}, "ada").code != 0);       // under 30 days
    CHECK(cli.json({"org", "metrics-retention", "365"}, "ada")["retention_days"] == 365);
    CHECK(cli.json({"metrics", "prune"}, "ada")["removed"] == 0);  // nothing is that old yet
    CHECK(cli.json({"org", "metrics-retention", "keep"}, "ada")["retention_days"].is_null());
}

TEST_CASE("a malformed organisation profile is refused and the stored one kept") {
    Cli cli;
    {
        std::ofstream out(cli.dir / "bad.json");
        out << "{not json";
    }
    auto o = cli.run({"org", "profile", "import", (cli.dir / "bad.json").string()}, "ada");
    CHECK(o.code == 2);
    CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
    CHECK(cli.ok({"org", "profile", "show"}, "ada").out == "{}\n");
}

TEST_CASE("images are attached stripped, their alt texts edited and removed, and the originals never change") {
    Cli cli;
    const std::filesystem::path fixtures = CLEARPOST_MEDIA_FIXTURES_DIR;
    std::filesystem::copy_file(fixtures / "exif_gps.jpg", cli.dir / "photo.jpg");
    std::filesystem::copy_file(fixtures / "text.png", cli.dir / "desk.png");
    const std::string photo = slurp(cli.dir / "photo.jpg");
    auto created = cli.json({"post", "new", "--text", "Our new waiting room", "--target", "bluesky:clinic.example",
                             "--image", (cli.dir / "photo.jpg").string(), "--alt", "Blue chairs",
                             "--image", (cli.dir / "desk.png").string()},
                            "alice");
    const auto id = std::to_string(created["id"].get<long>());
    auto media = created["versions"][0]["media"];
    REQUIRE(media.size() == 2);
    CHECK(media[0]["alt"] == "Blue chairs");
    CHECK(media[1]["alt"] == "");
    for (const auto& m : media) {
        const std::filesystem::path stored = m["path"].get<std::string>();
        CHECK(stored == cli.dir / "media" / m["sha256"].get<std::string>());
        CHECK(slurp(stored).find("CLEARPOST-SECRET") == std::string::npos);
    }
    CHECK(slurp(cli.dir / "photo.jpg") == photo);
    CHECK_THAT(cli.ok({"post", "show", id}, "alice").out, Catch::Contains("Image:") && Catch::Contains("alt: Blue chairs"));

    // --alt alone renames the attached images, one each.
    auto edited = cli.json({"post", "edit", id, "--alt", "Blue chairs", "--alt", "Reception desk"}, "alice");
    REQUIRE(edited["versions"].size() == 2);
    CHECK(edited["versions"][1]["media"][1]["alt"] == "Reception desk");
    CHECK(edited["versions"][1]["media"][1]["sha256"] == media[1]["sha256"]);
    auto wrong = cli.run({"post", "edit", id, "--alt", "only one"}, "alice");
    CHECK(wrong.code == 2);
    CHECK_THAT(wrong.err, Catch::Contains("1 --alt given but the post has 2 images"));
    CHECK(cli.run({"post", "edit", id, "--no-images", "--image", (cli.dir / "desk.png").string()}, "alice").code == 2);
    auto missing = cli.run({"post", "edit", id, "--image", (cli.dir / "gone.jpg").string()}, "alice");
    CHECK(missing.code == 1);  // NotFound
    CHECK_THAT(missing.err, Catch::Contains("gone.jpg does not exist"));
    auto removed = cli.json({"post", "edit", id, "--no-images"}, "alice");
    CHECK(removed["versions"].size() == 3);
    CHECK(removed["versions"][2]["media"].empty());
}

TEST_CASE("report writes a CSV of the organisation's local days, across a DST change, and never overwrites") {
    Cli cli;
    // Four posts published around 2026-03-08 in New York, the organisation's
    // zone. That day starts 05:00Z (EST) and ends 04:00Z (EDT): 23 hours.
    const std::vector<std::pair<std::string, std::string>> published{
        {"Saturday night", "2026-03-08 04:59:59"},   // 23:59:59 EST on the 7th: out
        {"First second", "2026-03-08 05:00:00"},     // 00:00 EST on the 8th: in
        {"Last second", "2026-03-09 03:59:59"},      // 23:59:59 EDT on the 8th: in
        {"Monday", "2026-03-09 04:00:00"},           // 00:00 EDT on the 9th: out
    };
    for (std::size_t i = 0; i < published.size(); ++i) {
        const auto id = std::to_string(i + 1);
        cli.ok({"post", "new", "--text", published[i].first, "--target", "bluesky:clinic.example", "--at",
                "2030-11-02 09:00"},
               "alice");
        cli.ok({"post", "submit", id}, "alice");
        cli.ok({"post", "approve", id}, "bob");
        cli.ok({"post", "schedule", id}, "bob");
        // The network's part is simulated in the file: published then.
        const std::string sql = "UPDATE targets SET state = 'Published', published_at = CAST(strftime('%s', '" +
                                published[i].second + "') AS INTEGER), remote_url = 'https://bsky.example/" + id +
                                "' WHERE post_id = " + id + ";";
        REQUIRE(std::system(("sqlite3 " + quote(cli.db().string()) + " " + quote(sql)).c_str()) == 0);
    }
    const std::string snap = "INSERT INTO metric_snapshots(target_id, fetched_at, metrics) "
                             "SELECT id, published_at + 3600, '{\"likes\":7}' FROM targets WHERE post_id = 2;";
    REQUIRE(std::system(("sqlite3 " + quote(cli.db().string()) + " " + quote(snap)).c_str()) == 0);

    const auto out = (cli.dir / "march.csv").string();
    auto doc = cli.json({"report", "--from", "2026-03-08", "--to", "2026-03-09", "--format", "csv", "--out", out},
                        "alice");
    CHECK(doc["rows"] == 2);
    CHECK(doc["zone"] == "America/New_York");
    CHECK(doc["from"] == "2026-03-08T05:00:00Z");
    CHECK(doc["to"] == "2026-03-09T04:00:00Z");
    const auto csv = slurp(out);
    CHECK(csv ==
          "\xEF\xBB\xBFpost_id,network,account,text,tags,scheduled_at,published_at,state,remote_url,"
          "metrics_fetched_at,likes\r\n"
          "2,bluesky,clinic.example,First second,,2030-11-02T13:00:00Z,2026-03-08T05:00:00Z,Published,"
          "https://bsky.example/2,2026-03-08T06:00:00Z,7\r\n"
          "3,bluesky,clinic.example,Last second,,2030-11-02T13:00:00Z,2026-03-09T03:59:59Z,Published,"
          "https://bsky.example/3,,\r\n");

    // An existing file is left alone without --force.
    auto again = cli.run({"report", "--from", "2026-03-01", "--to", "2026-04-01", "--out", out}, "alice");
    CHECK(again.code == 1);
    CHECK_THAT(again.err, Catch::Contains("already exists"));
    CHECK(slurp(out) == csv);
    auto history = cli.json({"report", "--from", "2026-03-01", "--to", "2026-04-01", "--out", out, "--history",
                             "--force", "--no-bom"},
                            "bob");
    CHECK(history["rows"] == 1);
    CHECK(slurp(out) == "post_id,network,account,published_at,fetched_at,likes\r\n"
                        "2,bluesky,clinic.example,2026-03-08T05:00:00Z,2026-03-08T06:00:00Z,7\r\n");

    // The accounts' samples: New York's 8 March is 05:00Z to 04:00Z the next day.
    const std::string samples =
        "INSERT INTO account_snapshots(account_id, fetched_at, metrics) SELECT id, t, m FROM social_accounts, "
        "(SELECT CAST(strftime('%s', '2026-03-08 04:59:59') AS INTEGER) AS t, '{\"followers\":10}' AS m "
        " UNION ALL SELECT CAST(strftime('%s', '2026-03-08 05:00:00') AS INTEGER), '{\"followers\":12,\"posts\":3}' "
        " UNION ALL SELECT CAST(strftime('%s', '2026-03-09 04:00:00') AS INTEGER), '{\"followers\":15}') "
        "WHERE handle = 'clinic.example';";
    REQUIRE(std::system(("sqlite3 " + quote(cli.db().string()) + " " + quote(samples)).c_str()) == 0);
    auto accounts = cli.json({"report", "--from", "2026-03-08", "--to", "2026-03-09", "--out", out, "--accounts",
                              "--force", "--no-bom"},
                             "alice");
    CHECK(accounts["kind"] == "accounts");
    CHECK(accounts["rows"] == 1);
    CHECK(slurp(out) == "network,account,fetched_at,followers,posts\r\n"
                        "bluesky,clinic.example,2026-03-08T05:00:00Z,12,3\r\n");

    // The PDF report and one chart of the same period.
    const auto pdf = (cli.dir / "march.pdf").string();
    auto made = cli.json({"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "pdf", "--out", pdf},
                         "alice");
    CHECK(made["kind"] == "pdf");
    CHECK(made["posts"] == 4);
    CHECK(slurp(pdf).rfind("%PDF-", 0) == 0);
    const auto png = (cli.dir / "heat.png").string();
    made = cli.json({"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "png", "--chart", "heatmap",
                     "--out", png},
                    "alice");
    CHECK(made["kind"] == "heatmap");
    CHECK(slurp(png).rfind("\x89PNG", 0) == 0);
    for (const auto& entry : std::filesystem::directory_iterator(cli.dir.path()))
        CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);  // none left behind
}

TEST_CASE("report refuses what it cannot do with a usage error and writes nothing") {
    Cli cli;
    const auto out = (cli.dir / "r.pdf").string();
    struct Case {
        std::vector<std::string> args;
        std::string user;
        int code;
        std::string says;
    };
    const std::vector<Case> cases{
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "png", "--out", out}, "alice", 2,
         "add --chart"},
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "svg", "--chart", "pie", "--out", out},
         "alice", 2, "unknown chart 'pie'"},
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--chart", "heatmap", "--out", out}, "alice", 2,
         "--chart needs --format png or svg"},
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "pdf", "--history", "--out", out},
         "alice", 2, "--history is a CSV table"},
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "pdf", "--accounts", "--out", out},
         "alice", 2, "--accounts is a CSV table"},
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--accounts", "--history", "--out", out}, "alice",
         2, "two tables"},
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "xlsx", "--out", out}, "alice", 2,
         "unknown report format"},
        {{"report", "--from", "2026-3-1", "--to", "2026-04-01", "--out", out}, "alice", 2, "YYYY-MM-DD"},
        {{"report", "--from", "2026-02-30", "--to", "2026-04-01", "--out", out}, "alice", 2, "YYYY-MM-DD"},
        {{"report", "--from", "2026-04-01", "--to", "2026-04-01", "--out", out}, "alice", 2, "later day"},
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--out", out}, "", 2, "--as"},
        {{"report", "--from", "2026-03-01", "--out", out}, "alice", 2, "--to"},
        {{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--out", (cli.dir / "no" / "r.csv").string()},
         "alice", 1, "does not exist"},
    };
    for (const auto& c : cases) {
        auto o = cli.run(c.args, c.user);
        INFO(o.err);
        CHECK(o.code == c.code);
        CHECK_THAT(o.err, Catch::Contains(c.says));
        CHECK_FALSE(std::filesystem::exists(out));
    }
    CHECK(cli.run({"report", "--help"}).code == 0);
}

namespace {

void write(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out << bytes;
}

// The export without what differs between two databases by design: when it
// was written and the password the admin chose when setting up each file.
nlohmann::json comparable_export(const std::filesystem::path& p) {
    auto j = nlohmann::json::parse(slurp(p));
    j.erase("exported_at");
    for (auto& u : j["users"])
        if (u["name"] == "ada") {
            u.erase("password_hash");
            u.erase("created_at");
        }
    return j;
}

}  // namespace

TEST_CASE("clearpostctl import creates drafts, reports every row and exits 1 when a row was rejected") {
    Cli cli;
    const auto file = cli.dir / "posts.csv";
    write(file, "\xEF\xBB\xBFtext,accounts,scheduled_at\r\n"
                "\"Flu shots, Saturday\nBring your card\",bluesky:clinic.example,2030-11-02 09:00\r\n"
                "Hello,bluesky:nobody.example,\r\n"
                "Late,bluesky:clinic.example,2030-11-02 25:00\r\n");
    const auto report_file = cli.dir / "report.csv";
    auto o = cli.run({"import", file.string(), "--report", report_file.string()}, "alice");
    INFO(o.err);
    CHECK(o.code == 1);
    CHECK_THAT(o.out, Catch::Contains("row 2: created post 1 as a draft, compliance"));
    CHECK_THAT(o.out, Catch::Contains("row 3: rejected; accounts: 'bluesky:nobody.example' is not an account"));
    CHECK_THAT(o.out, Catch::Contains("row 4: rejected; scheduled_at:"));
    CHECK_THAT(o.out, Catch::Contains("1 drafts created, 2 rows rejected"));
    CHECK_THAT(o.out, Catch::Contains("Each row is atomic: a rejected row left nothing behind"));
    CHECK_THAT(o.err, Catch::Contains("Importing: row 3 of 3"));
    const auto saved = slurp(report_file);
    CHECK_THAT(saved, Catch::Contains("row,line,outcome,post,verdict,findings,column,message"));
    CHECK_THAT(saved, Catch::Contains("3,4,rejected,,,,accounts,"));

    auto drafts = cli.json({"post", "list", "--state", "Draft"}, "alice");
    CHECK(drafts.size() == 1);
    auto shown = cli.json({"post", "show", "1"}, "alice");
    CHECK(shown["state"] == "Draft");
    CHECK(shown["versions"][0]["scheduled_at"] == "2030-11-02T13:00:00Z");

    // A dry run reports the same rows and creates nothing.
    auto dry = cli.run({"--json", "import", file.string(), "--dry-run"}, "alice");
    CHECK(dry.code == 1);
    auto doc = nlohmann::json::parse(dry.out);
    CHECK(doc["dry_run"] == true);
    CHECK(doc["atomicity"] == "per_row");
    CHECK(doc["created"] == 1);
    CHECK(doc["rows"][1]["problems"][0]["column"] == "accounts");
    CHECK(cli.json({"post", "list"}, "alice").size() == 1);
}

TEST_CASE("clearpostctl import reads a Hootsuite file for the named account and refuses bad usage") {
    Cli cli;
    const auto file = cli.dir / "bulk.csv";
    write(file, "25/12/2030 09:30,Season's greetings,https://clinic.example\r\n03/12/2030 10:00,Winter hours,\r\n");
    auto o = cli.run({"import", file.string(), "--format", "hootsuite", "--account", "bluesky:clinic.example",
                      "--date-order", "dmy"},
                     "alice");
    INFO(o.err);
    CHECK(o.code == 0);
    CHECK_THAT(o.out, Catch::Contains("2 drafts created, 0 rows rejected (hootsuite"));
    auto shown = cli.json({"post", "show", "2"}, "alice");
    CHECK(shown["versions"][0]["scheduled_at"] == "2030-12-03T15:00:00Z");

    struct Case {
        std::vector<std::string> args;
        int code;
        std::string says;
    };
    const std::vector<Case> cases{
        {{"import", file.string(), "--format", "excel"}, 2, "unknown import format"},
        {{"import", file.string(), "--format", "hootsuite"}, 2, "--account"},
        {{"import", file.string(), "--account", "bluesky:elsewhere.example"}, 1, "not an account"},
        {{"import", file.string(), "--account", "bluesky:clinic.example", "--date-order", "ymd"}, 2, "dmy"},
        {{"import", (cli.dir / "missing.csv").string()}, 1, "cannot read"},
    };
    for (const auto& c : cases) {
        auto r = cli.run(c.args, "alice");
        INFO(r.err);
        CHECK(r.code == c.code);
        CHECK_THAT(r.err, Catch::Contains(c.says));
    }
    CHECK(cli.json({"post", "list"}, "alice").size() == 2);
}

TEST_CASE("clearpostctl export writes CSV and JSON, and restore rebuilds the calendar in a new database") {
    Cli cli;
    auto created = cli.json({"post", "new", "--text", "Flu shots Saturday 9-12", "--target", "bluesky:clinic.example",
                             "--at", "2030-11-02 09:00"},
                            "alice");
    const auto id = std::to_string(created["id"].get<long>());
    cli.ok({"post", "submit", id}, "alice");
    cli.ok({"post", "approve", id, "--comment", "ok"}, "bob");
    cli.ok({"post", "schedule", id}, "bob");
    cli.ok({"post", "new", "--text", "Ideas for next month"}, "alice");

    const auto csv = cli.dir / "calendar.csv";
    cli.ok({"export", "--format", "csv", "--out", csv.string()}, "alice");
    CHECK_THAT(slurp(csv), Catch::Contains("stage 1 approved by bob"));
    CHECK_THAT(slurp(csv), Catch::Contains("bluesky:clinic.example Scheduled"));

    const auto json = cli.dir / "calendar.json";
    auto refused = cli.run({"export", "--format", "json", "--out", json.string()}, "alice");
    CHECK(refused.code == 1);
    CHECK_THAT(refused.err, Catch::Contains("only an admin"));
    cli.ok({"export", "--format", "json", "--out", json.string()}, "ada");
    CHECK((std::filesystem::status(json).permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);
    auto again = cli.run({"export", "--format", "json", "--out", json.string()}, "ada");
    CHECK(again.code == 1);
    CHECK_THAT(again.err, Catch::Contains("--force"));

    const auto fresh = cli.dir / "restored.db";
    cli.ok({"--db", fresh.string(), "init", "--admin", "ada", "--org", "New", "--zone", "UTC"}, "ada");
    auto restored = cli.run({"--db", fresh.string(), "restore", json.string()}, "ada");
    INFO(restored.err);
    REQUIRE(restored.code == 0);
    CHECK_THAT(restored.out, Catch::Contains("Restored 2 posts"));
    const auto second = cli.dir / "second.json";
    cli.ok({"--db", fresh.string(), "export", "--format", "json", "--out", second.string()}, "ada");
    CHECK(comparable_export(json) == comparable_export(second));
    // Restored people sign in with their old passwords, and see the same post.
    auto shown = cli.run({"--db", fresh.string(), "--json", "post", "show", id}, "bob");
    REQUIRE(shown.code == 0);
    CHECK(nlohmann::json::parse(shown.out)["state"] == "Scheduled");
    CHECK(cli.run({"--db", fresh.string(), "audit", "verify"}).code == 0);
    // A second restore into the same file is refused.
    auto twice = cli.run({"--db", fresh.string(), "restore", json.string()}, "ada");
    CHECK(twice.code == 1);
    CHECK_THAT(twice.err, Catch::Contains("already has posts"));
}

TEST_CASE("post tags are set with new, edit and tag, without a new version, and refused ones change nothing") {
    Cli cli;
    auto created = cli.json({"post", "new", "--text", "Flu shots Saturday", "--target", "bluesky:clinic.example",
                             "--at", "2030-11-02 09:00", "--tag", "Flu-Season", "--tag", "clinic_a"},
                            "alice");
    const auto id = std::to_string(created["id"].get<long>());
    CHECK(created["tags"] == nlohmann::json{"clinic_a", "flu-season"});
    cli.ok({"post", "submit", id}, "alice");
    cli.ok({"post", "approve", id}, "bob");

    // Tags alone on edit: no new version, still approved.
    auto edited = cli.json({"post", "edit", id, "--tag", "vaccines"}, "alice");
    CHECK(edited["state"] == "Approved");
    CHECK(edited["versions"].size() == 1);
    CHECK(edited["tags"] == nlohmann::json{"vaccines"});

    auto tagged = cli.json({"post", "tag", id, "--add", "Campaign-2030", "--remove", "vaccines"}, "bob");
    CHECK(tagged["tags"] == nlohmann::json{"campaign-2030"});
    CHECK(tagged["state"] == "Approved");
    auto human = cli.ok({"post", "tag", id, "--add", "extra"}, "alice");
    CHECK_THAT(human.out, Catch::Contains("tagged extra") && Catch::Contains("no new version"));
    CHECK_THAT(cli.ok({"post", "show", id}, "alice").out, Catch::Contains("Tags:       campaign-2030 extra"));

    // Refused tags: usage error, the reason, nothing written.
    auto bad = cli.run({"post", "tag", id, "--add", "flu season"}, "alice");
    CHECK(bad.code == 2);
    CHECK_THAT(bad.err, Catch::Contains("'flu season'"));
    auto too_long = cli.run({"post", "new", "--text", "x", "--tag", std::string(41, 'a')}, "alice");
    CHECK(too_long.code == 2);
    CHECK_THAT(too_long.err, Catch::Contains("at most 40"));
    CHECK(cli.json({"post", "list"}, "alice").size() == 1);
    CHECK(cli.run({"post", "tag", id}, "alice").code == 2);
    CHECK(cli.json({"post", "show", id}, "alice")["tags"] == nlohmann::json{"campaign-2030", "extra"});

    // A content edit with --tag makes a version and sets the tags.
    auto both = cli.json({"post", "edit", id, "--text", "Flu shots Saturday 9-12", "--tag", "flu"}, "alice");
    CHECK(both["versions"].size() == 2);
    CHECK(both["state"] == "Draft");
    CHECK(both["tags"] == nlohmann::json{"flu"});
    CHECK(cli.run({"audit", "verify"}).code == 0);
}
