#pragma once
// What the composer shows, computed without widgets: where the editor marks
// findings, which findings have a one-click fix and what it does, the
// per-network counters and the schedule the picker describes. The panel only
// turns these into wx calls and translated labels, so every rule here is
// unit-tested without a display.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/compliance/finding.h"
#include "clearpost/compliance/org_profile.h"
#include "clearpost/model/model.h"
#include "clearpost/schedule/time_zone.h"
#include "clearpost/text/count.h"

namespace clearpost::gui {

// One editor indicator. Offsets are UTF-8 bytes, which is what
// wxStyledTextCtrl positions are in a Unicode build.
struct IndicatorSpan {
    std::size_t start = 0;
    std::size_t length = 0;
    compliance::Severity severity = compliance::Severity::Warn;
    friend bool operator==(const IndicatorSpan&, const IndicatorSpan&) = default;
};

// One span per finding that covers text, clamped to `text_size`; findings
// about the whole post (a missing disclaimer, a long text) have no span.
std::vector<IndicatorSpan> indicator_spans(const std::vector<compliance::Finding>& findings,
                                           std::size_t text_size);

// The index of the finding under byte position `pos` (the most severe when
// several overlap), for the hover call-tip.
std::optional<std::size_t> finding_at(const std::vector<compliance::Finding>& findings, std::size_t pos);

// What a one-click fix does; the panel words the button from the kind.
enum class FixKind {
    Remove,            // delete the flagged words (and a space left doubled)
    UsePublicContact,  // replace a phone number or address with the organisation's public one
    AddDisclaimer,     // append the rule pack's suggested disclaimer line
    AddDisclosure,     // put "#ad" at the start of the post
};

struct Fix {
    FixKind kind = FixKind::Remove;
    std::size_t start = 0;    // byte span replaced
    std::size_t end = 0;
    std::string replacement;  // what goes there
    std::string subject;      // the flagged words, for the button ("Remove “Maria Lopez”")
    // A place-like identifier ("in Room 418", "at 12 Elm Street") takes its
    // preposition with it, so the sentence still reads.
    bool with_preposition = false;
};

// The fix for `finding` in `text`, when its suggestion is a mechanical edit.
// Findings whose fix needs judgement (reword a claim, link a consent) have none.
std::optional<Fix> fix_for(const compliance::Finding& finding, std::string_view text,
                           const compliance::OrgProfile& org);

struct Edit {
    std::string text;
    std::size_t caret = 0;  // byte position where the change ends
};

// `text` with `fix` applied. A removal also takes out the space it would
// leave doubled or in front of punctuation, and for a place its preposition.
Edit apply_fix(std::string_view text, const Fix& fix);

// A finding as the panel lists it.
struct FindingRow {
    compliance::Severity severity = compliance::Severity::Warn;
    std::string rule;
    std::string kind;
    std::string excerpt;  // the flagged words, shortened to ~40 code points; empty for the whole post
    std::string message;
    std::string suggestion;
    std::optional<Fix> fix;
};

// Most severe first, then in text order.
std::vector<FindingRow> finding_rows(const std::vector<compliance::Finding>& findings, std::string_view text,
                                     const compliance::OrgProfile& org);

struct FindingTally {
    std::size_t blocks = 0;
    std::size_t warnings = 0;
    std::size_t notes = 0;
};
FindingTally tally(const std::vector<compliance::Finding>& findings);

// The network's name as people write it ("X", "Bluesky", "LinkedIn").
std::string_view display_name(text::Network network) noexcept;

// The unit a counter counts in, so the label can say so.
enum class CountUnit { Weighted, Graphemes, Characters };

struct Counter {
    text::Network network = text::Network::X;
    std::size_t length = 0;
    std::size_t limit = 0;
    CountUnit unit = CountUnit::Characters;
    bool over() const noexcept { return length > limit; }
};

// One counter per distinct network, in the order given, each measured with
// that network's own rule (core/text).
std::vector<Counter> counters(std::string_view text, const std::vector<text::Network>& networks);

// The account's network, when Clearpost knows how to count for it.
std::vector<text::Network> networks_of(const std::vector<model::Account>& accounts,
                                       const std::vector<model::Id>& selected);

// What the schedule picker holds.
struct ScheduleInput {
    bool scheduled = false;  // false: a draft with no time yet
    schedule::LocalDateTime local;
    std::string zone;
    schedule::DstChoice dst = schedule::DstChoice::Reject;
};

struct ScheduleResolution {
    bool ok = true;
    std::optional<UnixSeconds> at;  // UTC, when scheduled and valid
    bool dst_choice_needed = false; // the time falls in a DST gap or overlap
    bool in_past = false;           // valid, but earlier than `now`
    std::string message;            // core's words when not ok
};

// Turns the picker's fields into an instant with core's rules: an unknown
// zone or a time that DST makes ambiguous is not ok, and the message says
// why (for DST, core's message naming the change and a time that works).
ScheduleResolution resolve_schedule(const ScheduleInput& input, schedule::TzDatabase& zones, UnixSeconds now);

// The version the composer would save: `media` in the order shown.
model::VersionContent compose_content(std::string text, const std::vector<model::Id>& accounts,
                                      const ScheduleInput& input, const ScheduleResolution& resolved,
                                      std::vector<model::MediaRef> media = {});

// A post carries at most this many images (clearpostctl has the same limit);
// a network may take fewer, and its publisher says so before publishing.
inline constexpr std::size_t kMaxImages = 4;

// What the composer shows under an image's thumbnail: "PNG, 1200 × 800, 84 KB".
std::string image_caption(std::string_view type, int width, int height, std::uintmax_t bytes);

// What stripping took out of an image just attached: "Removed before
// storing: EXIF (APP1), comment (COM)", or that there was nothing to remove.
std::string stripped_note(const std::vector<std::string>& removed);

// One consent linked to the post, as the composer lists it:
// "Maria Lopez · all networks · until 2027-03-01 · form CF-22", or
// "... · expired 2026-01-01 ..." once `now` has passed its expiry. Dates are
// the last day it applies, in `zone` (UTC when null).
std::string consent_line(const model::Consent& consent, const schedule::TimeZone* zone, UnixSeconds now);


// IANA zone names under a zoneinfo folder ("Europe/London"), sorted, without
// the "posix/" and "right/" copies and the files that are not zones.
std::vector<std::string> zone_names(const std::filesystem::path& root);

}  // namespace clearpost::gui
