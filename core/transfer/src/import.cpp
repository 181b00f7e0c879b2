#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "clearpost/base/csv.h"
#include "clearpost/base/utf8.h"
#include "clearpost/transfer/transfer.h"
#include "dates.h"

namespace clearpost::transfer {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<Format, std::string_view>, 6> kFormats{{
    {Format::Auto, "auto"},
    {Format::ClearpostCsv, "clearpost-csv"},
    {Format::ClearpostJson, "clearpost-json"},
    {Format::Hootsuite, "hootsuite"},
    {Format::Sprout, "sprout"},
    {Format::Buffer, "buffer"},
}};

// What one row asks for, before anything is written.
struct Draft {
    RowOutcome outcome;
    std::string text;
    std::string text_column;
    std::vector<std::string> accounts;  // "network:handle"
    std::string accounts_column;
    std::optional<UnixSeconds> scheduled_at;
    std::string zone;
    std::vector<std::string> tags;  // normalised; not content, written with the post
    bool skip = false;  // an earlier version in Clearpost's own export: not a post to create
};


struct Context {
    std::map<std::string, model::Id> accounts;  // "network:handle" -> id
    schedule::TimeZone zone = schedule::TimeZone::utc();
    schedule::TzDatabase* zones = nullptr;
    const ImportOptions* options = nullptr;
};

void problem(Draft& d, std::string column, std::string message) {
    d.outcome.problems.push_back({std::move(column), std::move(message)});
}

// A "tags" field (comma or space separated, or a JSON list): checked here,
// so a bad tag rejects its row before anything is written.
void read_tags(Draft& d, const std::vector<std::string>& given) {
    auto tags = workflow::normalise_tags(given);
    if (tags.ok()) {
        d.tags = std::move(*tags);
    } else {
        problem(d, "tags", tags.error().message);
    }
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

// Accounts in one cell: "bluesky:clinic.example mastodon:news@health.example",
// separated by spaces, commas or semicolons.
std::vector<std::string> split_accounts(std::string_view cell) {
    std::vector<std::string> out;
    std::string current;
    for (char c : cell) {
        if (c == ' ' || c == ',' || c == ';' || c == '\t' || c == '\n' || c == '\r') {
            if (!current.empty()) out.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
}

// Spreadsheet text may carry our own formula guard (csv_field's apostrophe);
// Clearpost's files take it off again.
std::string unguard(std::string text) {
    if (text.size() >= 2 && text[0] == '\'' &&
        (text[1] == '=' || text[1] == '+' || text[1] == '-' || text[1] == '@' || text[1] == '\t' || text[1] == '\r'))
        text.erase(0, 1);
    return text;
}

std::string with_link(std::string text, const std::string& link) {
    const std::string l = trimmed(link);
    if (l.empty() || text.find(l) != std::string::npos) return text;
    if (!text.empty() && text.back() != ' ' && text.back() != '\n') text += ' ';
    return text + l;
}

// A header: column name -> index, exact names.
struct Header {
    std::vector<std::string> names;
    std::optional<std::size_t> find(std::string_view name) const {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return i;
        return std::nullopt;
    }
    std::optional<std::size_t> find_any(const std::vector<std::string_view>& candidates) const {
        for (std::size_t i = 0; i < names.size(); ++i)
            for (auto c : candidates)
                if (lower(trimmed(names[i])) == c) return i;
        return std::nullopt;
    }
};

std::string cell(const CsvRecord& r, std::optional<std::size_t> column) {
    if (!column || *column >= r.fields.size()) return {};
    return r.fields[*column];
}

// Every cell of the row must be UTF-8: a bad one rejects the row, naming the column.
bool check_utf8(Draft& d, const CsvRecord& r, const Header* header) {
    bool good = true;
    for (std::size_t i = 0; i < r.fields.size(); ++i) {
        if (is_valid_utf8(r.fields[i])) continue;
        const std::string column = header && i < header->names.size() ? header->names[i]
                                                                       : "column " + std::to_string(i + 1);
        problem(d, column, "is not valid UTF-8; save the file as UTF-8 (in Excel: CSV UTF-8) and import again");
        good = false;
    }
    return good;
}

Draft start_row(const CsvRecord& r, std::size_t row) {
    Draft d;
    d.outcome.row = row;
    d.outcome.line = r.line;
    return d;
}

Error wrong_columns(Format format, const std::string& expected, const Header& header) {
    std::string found;
    for (const auto& n : header.names) found += (found.empty() ? "" : ", ") + n;
    return make_error(ErrorCode::Invalid, "the file does not have the columns of " + std::string(to_string(format)) +
                                              ": it needs " + expected + " in its first row, and has: " + found +
                                              ". Fix the header row or choose another --format");
}

// --- Clearpost CSV -------------------------------------------------------

Result<std::vector<Draft>> read_clearpost_csv(const std::vector<CsvRecord>& records, const Context& ctx) {
    if (records.empty()) return make_error(ErrorCode::Invalid, "the file is empty; it needs a header row");
    Header h{records[0].fields};
    // Import columns, and the columns export_csv writes that an import reads past.
    static const std::vector<std::string> known{
        "text", "accounts", "scheduled_at", "zone", "post_id", "post_state", "version", "current", "author",
        "version_created_at", "content_hash", "compliance_verdict", "compliance_findings", "approvals", "targets",
        "tags"};
    for (const auto& n : h.names) {
        if (std::find(known.begin(), known.end(), n) == known.end()) {
            return make_error(ErrorCode::Invalid, "unknown column '" + n +
                                                      "' in Clearpost's CSV layout; the columns are text, accounts, "
                                                      "scheduled_at, zone and tags (see docs/import-export.md)");
        }
    }
    const auto text = h.find("text");
    const auto accounts = h.find("accounts");
    if (!text || !accounts) return wrong_columns(Format::ClearpostCsv, "the columns text and accounts", h);
    const auto at = h.find("scheduled_at");
    const auto zone_col = h.find("zone");
    const auto current = h.find("current");
    const auto tags_col = h.find("tags");
    std::vector<Draft> drafts;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& r = records[i];
        Draft d = start_row(r, i + 1);
        if (!check_utf8(d, r, &h)) {
            drafts.push_back(std::move(d));
            continue;
        }
        if (current && cell(r, current) == "no") {
            d.skip = true;
            drafts.push_back(std::move(d));
            continue;
        }
        d.text = unguard(cell(r, text));
        d.text_column = "text";
        d.accounts = split_accounts(cell(r, accounts));
        d.accounts_column = "accounts";
        if (tags_col) read_tags(d, workflow::split_tags(unguard(cell(r, tags_col))));
        schedule::TimeZone zone = ctx.zone;
        const std::string zone_name = trimmed(cell(r, zone_col));
        if (!zone_name.empty()) {
            auto found = ctx.zones->find(zone_name);
            if (found.ok()) {
                zone = *found;
            } else {
                problem(d, "zone", "'" + zone_name + "' is not a time zone we know: " + found.error().message);
            }
        }
        d.zone = zone.name();
        const std::string when = trimmed(unguard(cell(r, at)));
        if (!when.empty() && d.outcome.problems.empty()) {
            auto instant = detail::parse_iso_instant(when, zone);
            if (instant.ok()) {
                d.scheduled_at = *instant;
            } else {
                problem(d, "scheduled_at", instant.error().message);
            }
        }
        drafts.push_back(std::move(d));
    }
    return drafts;
}

// --- Hootsuite bulk composer ----------------------------------------------
// No header: date and time, message, optional link.

Result<std::vector<Draft>> read_hootsuite(const std::vector<CsvRecord>& records, const Context& ctx) {
    std::vector<Draft> drafts;
    std::size_t first = 0;
    // Templates people fill in sometimes keep a title row; it has no date.
    if (!records.empty() && !records[0].fields.empty()) {
        const std::string f = lower(records[0].fields[0]);
        if (f.find("date") != std::string::npos) first = 1;
    }
    for (std::size_t i = first; i < records.size(); ++i) {
        const auto& r = records[i];
        Draft d = start_row(r, i + 1);
        if (!check_utf8(d, r, nullptr)) {
            drafts.push_back(std::move(d));
            continue;
        }
        if (r.fields.size() < 2 || r.fields.size() > 3) {
            problem(d, "", "has " + std::to_string(r.fields.size()) +
                               " columns; Hootsuite's bulk layout has 2 or 3: date and time, message, link");
            drafts.push_back(std::move(d));
            continue;
        }
        d.text = with_link(r.fields[1], r.fields.size() > 2 ? r.fields[2] : std::string());
        d.text_column = "column 2 (message)";
        d.zone = ctx.zone.name();
        auto when = detail::parse_slash_date_time(r.fields[0], {}, ctx.options->date_order, ctx.zone);
        if (when.ok()) {
            d.scheduled_at = *when;
        } else {
            problem(d, "column 1 (date and time)", when.error().message);
        }
        drafts.push_back(std::move(d));
    }
    return drafts;
}

// --- Sprout Social bulk scheduling -----------------------------------------

Result<std::vector<Draft>> read_sprout(const std::vector<CsvRecord>& records, const Context& ctx) {
    if (records.empty()) return make_error(ErrorCode::Invalid, "the file is empty; it needs a header row");
    Header h{records[0].fields};
    // Sprout's headers are case sensitive; so are ours for its layout.
    const auto date = h.find("date");
    const auto time = h.find("time_24hr");
    const auto message = h.find("message_text");
    if (!date || !time || !message) {
        return wrong_columns(Format::Sprout, "the columns date, time_24hr and message_text", h);
    }
    const auto link = h.find("link");
    std::vector<Draft> drafts;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& r = records[i];
        Draft d = start_row(r, i + 1);
        if (!check_utf8(d, r, &h)) {
            drafts.push_back(std::move(d));
            continue;
        }
        d.text = with_link(cell(r, message), cell(r, link));
        d.text_column = "message_text";
        d.zone = ctx.zone.name();
        auto when = detail::parse_slash_date_time(cell(r, date), cell(r, time), ctx.options->date_order, ctx.zone);
        if (when.ok()) {
            d.scheduled_at = *when;
        } else {
            problem(d, "date", when.error().message);
        }
        drafts.push_back(std::move(d));
    }
    return drafts;
}

// --- Buffer posts export -----------------------------------------------------
// Posts Buffer already sent: their text comes in as drafts to plan again;
// the time Buffer sent them is no schedule for a new post, so none is set.

const std::vector<std::string_view>& buffer_text_columns() {
    static const std::vector<std::string_view> names{"text", "post text", "content", "update", "message"};
    return names;
}

Result<std::vector<Draft>> read_buffer(const std::vector<CsvRecord>& records, const Context&) {
    if (records.empty()) return make_error(ErrorCode::Invalid, "the file is empty; it needs a header row");
    Header h{records[0].fields};
    const auto text = h.find_any(buffer_text_columns());
    if (!text) return wrong_columns(Format::Buffer, "a text column (Text, Post Text, Content or Update)", h);
    const auto link = h.find_any({"link", "link url", "url"});
    std::vector<Draft> drafts;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& r = records[i];
        Draft d = start_row(r, i + 1);
        if (!check_utf8(d, r, &h)) {
            drafts.push_back(std::move(d));
            continue;
        }
        d.text = with_link(cell(r, text), cell(r, link));
        d.text_column = h.names[*text];
        drafts.push_back(std::move(d));
    }
    return drafts;
}

// --- Clearpost JSON ---------------------------------------------------------
// Either export_json's document (each post's current version comes in as a
// new draft) or {"posts": [{"text", "accounts", "scheduled_at", "zone"}]}.

Result<std::vector<Draft>> read_clearpost_json(std::string_view bytes, const Context& ctx) {
    if (!is_valid_utf8(bytes)) {
        return make_error(ErrorCode::Invalid, "the file is not valid UTF-8 (JSON must be); save it as UTF-8");
    }
    json doc = json::parse(bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("posts") || !doc["posts"].is_array()) {
        return make_error(ErrorCode::Invalid, "the file is not Clearpost JSON: it needs an object with a \"posts\" "
                                              "list (see docs/import-export.md)");
    }
    std::vector<Draft> drafts;
    std::size_t n = 0;
    for (const auto& p : doc["posts"]) {
        Draft d;
        d.outcome.row = ++n;
        if (!p.is_object()) {
            problem(d, "", "is not an object");
            drafts.push_back(std::move(d));
            continue;
        }
        json content = p;
        if (p.contains("versions") && p["versions"].is_array() && !p["versions"].empty()) {
            content = p["versions"].back();
            for (const auto& v : p["versions"])
                if (v.is_object() && v.value("id", json()) == p.value("current_version_id", json())) content = v;
        }
        if (!content.value("text", json()).is_string()) {
            problem(d, "text", "is missing or not a string");
            drafts.push_back(std::move(d));
            continue;
        }
        d.text = content["text"].get<std::string>();
        d.text_column = "text";
        d.accounts_column = "accounts";
        // Tags are the post's (export_json writes them beside "versions").
        if (p.contains("tags")) {
            std::vector<std::string> given;
            if (p["tags"].is_string()) {
                given = workflow::split_tags(p["tags"].get<std::string>());
            } else if (p["tags"].is_array()) {
                for (const auto& t : p["tags"]) {
                    if (t.is_string()) {
                        given.push_back(t.get<std::string>());
                    } else {
                        problem(d, "tags", "holds something that is not text");
                    }
                }
            } else {
                problem(d, "tags", "is neither a list nor text");
            }
            read_tags(d, given);
        }
        if (content.contains("accounts") && content["accounts"].is_array()) {
            for (const auto& a : content["accounts"])
                if (a.is_string()) d.accounts.push_back(a.get<std::string>());
        } else if (content.contains("targets") && content["targets"].is_array()) {
            d.accounts_column = "targets";
            for (const auto& t : content["targets"]) {
                if (t.is_object() && t.contains("account") && t["account"].is_string()) {
                    d.accounts.push_back(t["account"].get<std::string>());
                }
            }
        }
        schedule::TimeZone zone = ctx.zone;
        if (content.value("zone", json()).is_string() && !content["zone"].get<std::string>().empty()) {
            auto found = ctx.zones->find(content["zone"].get<std::string>());
            if (found.ok()) {
                zone = *found;
            } else {
                problem(d, "zone", found.error().message);
            }
        }
        d.zone = zone.name();
        const json& at = content.value("scheduled_at", json());
        if (at.is_string() && !at.get<std::string>().empty()) {
            auto instant = detail::parse_iso_instant(at.get<std::string>(), zone);
            if (instant.ok()) {
                d.scheduled_at = *instant;
            } else {
                problem(d, "scheduled_at", instant.error().message);
            }
        } else if (!at.is_null() && !at.is_string()) {
            problem(d, "scheduled_at", "must be a date and time as text, like 2026-03-08T09:30:00Z");
        }
        drafts.push_back(std::move(d));
    }
    return drafts;
}

// --- detection ----------------------------------------------------------------

Result<Format> detect(std::string_view bytes, std::string_view file_name, const std::vector<CsvRecord>* records) {
    const std::string name = lower(file_name);
    std::string_view head = bytes;
    if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
    while (!head.empty() && (head.front() == ' ' || head.front() == '\n' || head.front() == '\r' || head.front() == '\t'))
        head.remove_prefix(1);
    if ((name.size() >= 5 && name.substr(name.size() - 5) == ".json") || (!head.empty() && head.front() == '{'))
        return Format::ClearpostJson;
    if (records && !records->empty()) {
        Header h{(*records)[0].fields};
        // Clearpost's own headers are all lower case (text, accounts, scheduled_at, ...).
        const bool snake_case = std::all_of(h.names.begin(), h.names.end(), [](const std::string& n) {
            return !n.empty() && std::all_of(n.begin(), n.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '_'; });
        });
        if (h.find("text") && snake_case && !h.find("message_text")) return Format::ClearpostCsv;
        if (h.find("message_text") && h.find("time_24hr")) return Format::Sprout;
        if (h.find_any(buffer_text_columns())) return Format::Buffer;
        const auto& first = (*records)[0].fields;
        if (!first.empty() && (first.size() == 2 || first.size() == 3) && first[0].find('/') != std::string::npos)
            return Format::Hootsuite;
    }
    return make_error(ErrorCode::Invalid, "cannot tell which layout the file has; name it with --format "
                                          "(clearpost-csv, clearpost-json, hootsuite, sprout or buffer)");
}

std::size_t count_findings(const std::string& findings_json) {
    const json j = json::parse(findings_json, nullptr, false);
    return j.is_array() ? j.size() : 0;
}

}  // namespace

std::string_view to_string(Format format) noexcept {
    for (const auto& [f, name] : kFormats)
        if (f == format) return name;
    return "unknown";
}

Result<Format> parse_format(std::string_view text) {
    for (const auto& [f, name] : kFormats)
        if (name == text) return f;
    return make_error(ErrorCode::Invalid, "unknown import format '" + std::string(text) +
                                              "'; use auto, clearpost-csv, clearpost-json, hootsuite, sprout or buffer");
}

Result<DateOrder> parse_date_order(std::string_view text) {
    if (text == "dmy") return DateOrder::DayFirst;
    if (text == "mdy") return DateOrder::MonthFirst;
    return make_error(ErrorCode::Invalid, "unknown date order '" + std::string(text) +
                                              "'; use dmy (08/03/2026 is 8 March) or mdy (03/08/2026 is 8 March)");
}

std::size_t ImportReport::created() const {
    return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const RowOutcome& r) { return r.created; }));
}

std::size_t ImportReport::rejected() const {
    return static_cast<std::size_t>(
        std::count_if(rows.begin(), rows.end(), [](const RowOutcome& r) { return !r.problems.empty(); }));
}

Result<ImportReport> import_posts(store::Store& store, workflow::Workflow& flow, schedule::TzDatabase& zones,
                                  const model::User& actor, std::string_view bytes, std::string_view file_name,
                                  const ImportOptions& options) {
    Context ctx;
    ctx.zones = &zones;
    ctx.options = &options;
    CLEARPOST_ASSIGN(auto org, store.organisation());
    CLEARPOST_ASSIGN(ctx.zone, zones.find(org.default_zone.empty() ? "UTC" : org.default_zone));
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    for (const auto& a : accounts) ctx.accounts[a.network + ":" + a.handle] = a.id;

    // The file as CSV, unless it is JSON.
    std::optional<std::vector<CsvRecord>> records;
    Format format = options.format;
    const bool json_named = format == Format::ClearpostJson ||
                            (format == Format::Auto && (detect(bytes, file_name, nullptr).ok()));
    if (!json_named) {
        CLEARPOST_ASSIGN(auto parsed, parse_csv(bytes));
        records = std::move(parsed);
    }
    if (format == Format::Auto) {
        CLEARPOST_ASSIGN(format, detect(bytes, file_name, records ? &*records : nullptr));
    }

    // Accounts for the whole file, checked before any row.
    const bool per_row_accounts = format == Format::ClearpostCsv || format == Format::ClearpostJson;
    std::vector<std::string> file_accounts;
    for (const auto& spec : options.accounts) {
        for (auto& a : split_accounts(spec)) file_accounts.push_back(std::move(a));
    }
    if (per_row_accounts && !file_accounts.empty()) {
        return make_error(ErrorCode::Invalid, std::string(to_string(format)) +
                                                  " files name the accounts of each post themselves; leave out --account");
    }
    if (!per_row_accounts && file_accounts.empty()) {
        return make_error(ErrorCode::Invalid, std::string(to_string(format)) +
                                                  " files do not say which account a post is for; name one or more "
                                                  "with --account NETWORK:HANDLE (see clearpostctl account list)");
    }
    for (const auto& a : file_accounts) {
        if (!ctx.accounts.count(a)) {
            return make_error(ErrorCode::NotFound, "--account " + a +
                                                       " is not an account of this organisation; see clearpostctl "
                                                       "account list, or add it with clearpostctl account add");
        }
    }

    std::vector<Draft> drafts;
    switch (format) {
        case Format::ClearpostCsv: {
            CLEARPOST_ASSIGN(drafts, read_clearpost_csv(*records, ctx));
            break;
        }
        case Format::ClearpostJson: {
            CLEARPOST_ASSIGN(drafts, read_clearpost_json(bytes, ctx));
            break;
        }
        case Format::Hootsuite: {
            CLEARPOST_ASSIGN(drafts, read_hootsuite(*records, ctx));
            break;
        }
        case Format::Sprout: {
            CLEARPOST_ASSIGN(drafts, read_sprout(*records, ctx));
            break;
        }
        case Format::Buffer: {
            CLEARPOST_ASSIGN(drafts, read_buffer(*records, ctx));
            break;
        }
        case Format::Auto:
            break;
    }

    ImportReport report;
    report.format = format;
    report.zone = ctx.zone.name();
    report.dry_run = options.dry_run;
    // First every row is checked and turned into content; nothing is written.
    std::vector<std::optional<model::VersionContent>> contents(drafts.size());
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        auto& d = drafts[i];
        if (!per_row_accounts) {
            d.accounts = file_accounts;
            d.accounts_column = "--account";
        }
        if (!d.outcome.problems.empty() || d.skip) continue;
        if (trimmed(d.text).empty()) problem(d, d.text_column, "is empty; a post needs text");
        model::VersionContent content;
        std::vector<std::string> seen;
        for (const auto& a : d.accounts) {
            const auto found = ctx.accounts.find(a);
            if (found == ctx.accounts.end()) {
                problem(d, d.accounts_column, "'" + a + "' is not an account of this organisation; see "
                                                        "clearpostctl account list");
                continue;
            }
            if (std::find(seen.begin(), seen.end(), a) != seen.end()) {
                problem(d, d.accounts_column, "'" + a + "' is named twice");
                continue;
            }
            seen.push_back(a);
            content.targets.push_back({found->second, {}});
        }
        if (!d.outcome.problems.empty()) continue;
        content.text = d.text;
        content.scheduled_at = d.scheduled_at;
        content.zone = d.zone;
        d.outcome.scheduled_at = d.scheduled_at;
        contents[i] = std::move(content);
    }

    // Then the good rows are created, a batch per commit.
    const std::size_t total = drafts.size();
    const std::size_t batch = std::max<std::size_t>(1, options.rows_per_commit);
    for (std::size_t begin = 0; begin < total; begin += batch) {
        const std::size_t end = std::min(total, begin + batch);
        std::vector<std::size_t> rows;
        std::vector<model::VersionContent> wanted;
        std::vector<std::vector<std::string>> wanted_tags;
        for (std::size_t i = begin; i < end; ++i) {
            if (!contents[i]) continue;
            rows.push_back(i);
            wanted.push_back(std::move(*contents[i]));
            wanted_tags.push_back(drafts[i].tags);
        }
        if (options.dry_run) {
            for (auto i : rows) drafts[i].outcome.created = true;
        } else if (!rows.empty()) {
            auto created = flow.create_posts(actor, std::move(wanted), wanted_tags);
            for (std::size_t k = 0; k < rows.size(); ++k) {
                auto& d = drafts[rows[k]];
                if (!created.ok()) {
                    // The commit failed: none of this batch was written.
                    problem(d, "", "not written: " + created.error().message);
                    continue;
                }
                auto& id = (*created)[k];
                if (!id.ok()) {
                    // Its savepoint was rolled back: nothing of this row is left behind.
                    problem(d, "", id.error().message);
                    continue;
                }
                d.outcome.created = true;
                d.outcome.post_id = *id;
                CLEARPOST_ASSIGN(auto post, store.find_post(*id));
                if (post) {
                    CLEARPOST_ASSIGN(auto version, store.version(post->current_version_id));
                    d.outcome.verdict = version.compliance.verdict;
                    d.outcome.findings = count_findings(version.compliance.findings_json);
                }
            }
        }
        for (std::size_t i = begin; i < end; ++i) {
            drafts[i].outcome.skipped = drafts[i].skip;
            report.rows.push_back(std::move(drafts[i].outcome));
            if (options.progress) options.progress(i + 1, total);
        }
    }
    return report;
}

std::string describe_outcome(const RowOutcome& r, bool dry_run) {
    if (!r.problems.empty()) {
        std::string line = "rejected";
        for (const auto& p : r.problems) line += "; " + (p.column.empty() ? std::string() : p.column + ": ") + p.message;
        return line;
    }
    if (r.skipped) return "skipped (an earlier version; only current versions are imported)";
    if (dry_run) return "would be created as a draft";
    return "created post " + std::to_string(r.post_id) + " as a draft, compliance " + r.verdict + " (" +
           std::to_string(r.findings) + (r.findings == 1 ? " finding)" : " findings)");
}

std::vector<std::vector<std::string>> report_table(const ImportReport& report) {
    std::vector<std::vector<std::string>> table{
        {"row", "line", "outcome", "post", "verdict", "findings", "column", "message"}};
    for (const auto& r : report.rows) {
        const std::string row = std::to_string(r.row);
        const std::string line = r.line ? std::to_string(r.line) : std::string();
        if (!r.problems.empty()) {
            for (const auto& p : r.problems) table.push_back({row, line, "rejected", "", "", "", p.column, p.message});
        } else if (r.skipped) {
            table.push_back({row, line, "skipped", "", "", "", "current", "an earlier version; only current versions are imported"});
        } else {
            table.push_back({row, line, report.dry_run ? "would create" : "created",
                             r.post_id ? std::to_string(r.post_id) : std::string(), r.verdict,
                             report.dry_run ? std::string() : std::to_string(r.findings), "", ""});
        }
    }
    return table;
}

}  // namespace clearpost::transfer
