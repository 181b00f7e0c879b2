#include "composer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "clearpost/text/utf8.h"
#include "queue.h"

namespace clearpost::gui {
namespace {

using compliance::Finding;
using compliance::Severity;

int rank(Severity s) {
    switch (s) {
    case Severity::Block: return 2;
    case Severity::Warn: return 1;
    case Severity::Info: return 0;
    }
    return 0;
}

bool has_span(const Finding& f, std::size_t text_size) {
    return f.end > f.start && f.start < text_size;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool is_closing_punctuation(char c) {
    return c == ',' || c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == ')';
}

// The text between the first pair of straight or curly double quotes.
std::optional<std::string> quoted_part(std::string_view s) {
    for (const auto& [open, close] : {std::pair<std::string_view, std::string_view>{"\"", "\""},
                                      {"\u201C", "\u201D"}}) {
        const auto a = s.find(open);
        if (a == std::string_view::npos) continue;
        const auto b = s.find(close, a + open.size());
        if (b == std::string_view::npos || b == a + open.size()) continue;
        return std::string(s.substr(a + open.size(), b - a - open.size()));
    }
    return std::nullopt;
}

// At most `max` code points, with an ellipsis when cut.
std::string shorten(std::string_view s, std::size_t max) {
    std::size_t pos = 0;
    for (std::size_t n = 0; pos < s.size(); ++n) {
        if (n == max) return std::string(s.substr(0, pos)) + "\u2026";
        pos += text::decode_at(s, pos).length;
    }
    return std::string(s);
}

}  // namespace

std::vector<IndicatorSpan> indicator_spans(const std::vector<Finding>& findings, std::size_t text_size) {
    std::vector<IndicatorSpan> out;
    for (const auto& f : findings) {
        if (!has_span(f, text_size)) continue;
        const std::size_t end = std::min(f.end, text_size);
        out.push_back({f.start, end - f.start, f.severity});
    }
    return out;
}

std::optional<std::size_t> finding_at(const std::vector<Finding>& findings, std::size_t pos) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const auto& f = findings[i];
        if (f.end <= f.start || pos < f.start || pos >= f.end) continue;
        if (!best || rank(f.severity) > rank(findings[*best].severity)) best = i;
    }
    return best;
}

std::optional<Fix> fix_for(const Finding& finding, std::string_view text, const compliance::OrgProfile& org) {
    if (finding.rule == "policy.medical-disclaimer") {
        auto line = quoted_part(finding.suggestion);
        if (!line) return std::nullopt;
        std::string sep = text.empty() || text.back() == '\n' ? "\n" : "\n\n";
        return Fix{FixKind::AddDisclaimer, text.size(), text.size(), sep + *line, *line};
    }
    if (finding.rule == "policy.sponsored-disclosure") {
        return Fix{FixKind::AddDisclosure, 0, 0, "#ad ", "#ad"};
    }
    // PHI: Safe Harbor's remedy is taking the identifier out.
    if (!starts_with(finding.rule, "phi.") || !has_span(finding, text.size()) || finding.end > text.size()) {
        return std::nullopt;
    }
    std::string subject(text.substr(finding.start, finding.end - finding.start));
    if (finding.rule == "phi.phone" && !org.public_phones.empty()) {
        return Fix{FixKind::UsePublicContact, finding.start, finding.end, org.public_phones.front(), subject};
    }
    if (finding.rule == "phi.email" && !org.public_emails.empty()) {
        return Fix{FixKind::UsePublicContact, finding.start, finding.end, org.public_emails.front(), subject};
    }
    const bool place = finding.kind == "other_id" || finding.kind == "address" || finding.kind == "geo";
    return Fix{FixKind::Remove, finding.start, finding.end, "", subject, place};
}

Edit apply_fix(std::string_view text, const Fix& fix) {
    std::size_t start = std::min(fix.start, text.size());
    std::size_t end = std::clamp(fix.end, start, text.size());
    if (fix.kind == FixKind::Remove && end > start && fix.with_preposition) {
        for (std::string_view word : {" in ", " at ", " on ", " from ", " In ", " At ", " On ", " From "}) {
            if (start >= word.size() && text.substr(start - word.size(), word.size()) == word) {
                start -= word.size() - 1;  // "in Room 418" goes as one; the space before is tidied below
                break;
            }
        }
    }
    if (fix.kind == FixKind::Remove && end > start) {
        const bool space_before = start > 0 && text[start - 1] == ' ';
        const bool line_start = start == 0 || text[start - 1] == '\n';
        const char after = end < text.size() ? text[end] : '\n';
        if (space_before && (after == ' ' || after == '\n' || is_closing_punctuation(after))) {
            --start;  // "patient Maria Lopez in" -> "patient in"
        } else if (line_start && after == ' ') {
            ++end;  // "Maria Lopez is" at a line's start -> "is"
        }
        // A name between commas or before the sentence's end takes a comma with it:
        // "Thank you, Maria, for" -> "Thank you, for"; "Get well, Maria!" -> "Get well!".
        const char next = end < text.size() ? text[end] : '\n';
        if (start > 0 && text[start - 1] == ',' && next == ',') {
            ++end;
        } else if (start > 0 && text[start - 1] == ',' && next != ' ' && is_closing_punctuation(next)) {
            --start;
        }
    }
    Edit edit;
    edit.text.reserve(text.size() + fix.replacement.size());
    edit.text.append(text.substr(0, start));
    edit.text.append(fix.replacement);
    edit.caret = edit.text.size();
    edit.text.append(text.substr(end));
    return edit;
}

std::vector<FindingRow> finding_rows(const std::vector<Finding>& findings, std::string_view text,
                                     const compliance::OrgProfile& org) {
    std::vector<std::size_t> order(findings.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&findings](std::size_t a, std::size_t b) {
        return rank(findings[a].severity) > rank(findings[b].severity);
    });
    std::vector<FindingRow> rows;
    rows.reserve(findings.size());
    for (std::size_t i : order) {
        const auto& f = findings[i];
        FindingRow row;
        row.severity = f.severity;
        row.rule = f.rule;
        row.kind = f.kind;
        if (has_span(f, text.size()) && f.end <= text.size())
            row.excerpt = shorten(text.substr(f.start, f.end - f.start), 40);
        row.message = f.message;
        row.suggestion = f.suggestion;
        row.fix = fix_for(f, text, org);
        rows.push_back(std::move(row));
    }
    return rows;
}

FindingTally tally(const std::vector<Finding>& findings) {
    FindingTally t;
    for (const auto& f : findings) {
        switch (f.severity) {
        case Severity::Block: ++t.blocks; break;
        case Severity::Warn: ++t.warnings; break;
        case Severity::Info: ++t.notes; break;
        }
    }
    return t;
}

std::string_view display_name(text::Network network) noexcept {
    switch (network) {
    case text::Network::X: return "X";
    case text::Network::Bluesky: return "Bluesky";
    case text::Network::Mastodon: return "Mastodon";
    case text::Network::LinkedIn: return "LinkedIn";
    case text::Network::Facebook: return "Facebook";
    case text::Network::Instagram: return "Instagram";
    case text::Network::Threads: return "Threads";
    }
    return "?";
}

std::vector<Counter> counters(std::string_view text, const std::vector<text::Network>& networks) {
    std::vector<Counter> out;
    std::set<text::Network> seen;
    for (auto n : networks) {
        if (!seen.insert(n).second) continue;
        const auto len = text::measure(n, text);
        const CountUnit unit = n == text::Network::X         ? CountUnit::Weighted
                               : n == text::Network::Bluesky ? CountUnit::Graphemes
                                                             : CountUnit::Characters;
        out.push_back({n, len.length, len.limit, unit});
    }
    return out;
}

std::vector<text::Network> networks_of(const std::vector<model::Account>& accounts,
                                       const std::vector<model::Id>& selected) {
    std::vector<text::Network> out;
    for (model::Id id : selected) {
        for (const auto& a : accounts) {
            if (a.id != id) continue;
            if (auto n = text::parse_network(a.network)) out.push_back(*n);
        }
    }
    return out;
}

ScheduleResolution resolve_schedule(const ScheduleInput& input, schedule::TzDatabase& zones, UnixSeconds now) {
    ScheduleResolution r;
    if (!input.scheduled) return r;
    auto zone = zones.find(input.zone);
    if (!zone) {
        r.ok = false;
        r.message = zone.error().message;
        return r;
    }
    auto at = schedule::local_to_utc(input.local, *zone, input.dst);
    if (!at) {
        r.ok = false;
        r.message = at.error().message;
        // Only DST makes a valid wall-clock time fail with Reject and pass
        // with an explicit choice.
        r.dst_choice_needed = input.dst == schedule::DstChoice::Reject &&
                              schedule::local_to_utc(input.local, *zone, schedule::DstChoice::Earlier).ok();
        return r;
    }
    r.at = *at;
    r.in_past = *at < now;
    return r;
}

model::VersionContent compose_content(std::string text, const std::vector<model::Id>& accounts,
                                      const ScheduleInput& input, const ScheduleResolution& resolved,
                                      std::vector<model::MediaRef> media) {
    model::VersionContent content;
    content.text = std::move(text);
    content.media = std::move(media);
    for (model::Id id : accounts) content.targets.push_back({id, ""});
    content.scheduled_at = resolved.ok ? resolved.at : std::nullopt;
    content.zone = input.zone;
    return content;
}

std::vector<std::string> zone_names(const std::filesystem::path& root) {
    std::vector<std::string> out;
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(root, std::filesystem::directory_options::skip_permission_denied,
                                                     ec);
    for (const std::filesystem::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
        const auto rel = it->path().lexically_relative(root).generic_string();
        if (it->is_directory(ec)) {
            if (rel == "posix" || rel == "right") it.disable_recursion_pending();
            continue;
        }
        if (rel.empty() || rel.front() < 'A' || rel.front() > 'Z' || rel == "Factory") continue;
        if (rel.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
            std::string::npos)
            continue;
        std::ifstream in(it->path(), std::ios::binary);
        char magic[4] = {};
        if (!in.read(magic, 4) || std::string_view(magic, 4) != "TZif") continue;
        out.push_back(rel);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace clearpost::gui

namespace clearpost::gui {

std::string image_caption(std::string_view type, int width, int height, std::uintmax_t bytes) {
    std::string size;
    if (bytes < 1024) {
        size = std::to_string(bytes) + " bytes";
    } else if (bytes < 1024 * 1024) {
        size = std::to_string((bytes + 512) / 1024) + " KB";
    } else {
        const auto tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        size = std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MB";
    }
    return std::string(type) + ", " + std::to_string(width) + " \u00D7 " + std::to_string(height) + ", " + size;
}

std::string stripped_note(const std::vector<std::string>& removed) {
    if (removed.empty()) return "No metadata to remove";
    std::string out = "Removed before storing: ";
    for (std::size_t i = 0; i < removed.size(); ++i) out += (i ? ", " : "") + removed[i];
    return out;
}

std::string consent_line(const model::Consent& consent, const schedule::TimeZone* zone, UnixSeconds now) {
    std::string scope = consent.scope.empty() ? "all networks" : consent.scope;
    // The last day it applies is the day before the instant it stops.
    const std::string last_day = local_minutes(consent.expires_at - 1, zone).substr(0, 10);
    std::string out = consent.subject + " \u00B7 " + scope + " \u00B7 ";
    out += now >= consent.expires_at ? "expired " + last_day + " (no longer covers the post)" : "until " + last_day;
    if (!consent.document_ref.empty()) out += " \u00B7 " + consent.document_ref;
    return out;
}

}  // namespace clearpost::gui
