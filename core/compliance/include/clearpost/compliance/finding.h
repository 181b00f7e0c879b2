#pragma once
// What the compliance engine reports: findings and a verdict. Findings are
// data, not errors: a post full of PHI is a successful check.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clearpost::compliance {

enum class Severity { Info, Warn, Block };
enum class Verdict { Pass, Warn, Block };

// The HIPAA Safe Harbor identifier a PHI finding is about; the names are the
// `kind` strings of the `clearpostctl check` contract.
enum class PhiKind {
    Name, Date, Age, Phone, Email, Address, Geo, Mrn, Ssn, HealthPlan,
    Account, License, Vehicle, Device, Url, Ip, OtherId,
};

std::string_view to_string(Severity severity) noexcept;
std::string_view to_string(Verdict verdict) noexcept;
std::string_view to_string(PhiKind kind) noexcept;
std::optional<Severity> parse_severity(std::string_view name) noexcept;

struct Finding {
    std::string rule;        // stable id, e.g. "phi.phone" or "policy.prohibited-claim"
    std::string kind;        // PhiKind name for PHI findings; the rule family otherwise
    Severity severity = Severity::Warn;
    std::size_t start = 0;   // UTF-8 byte offset into the post text
    std::size_t end = 0;     // exclusive
    std::size_t cp_start = 0;  // the same span in code points, for the GUI
    std::size_t cp_end = 0;
    std::string message;     // why this was flagged
    std::string suggestion;  // how to fix it
    std::string consent_id;  // set when a consent record turned this finding into info
};

struct Report {
    Verdict verdict = Verdict::Pass;
    std::vector<Finding> findings;  // sorted by start, then by rule
};

// Block if any finding blocks, else warn if any warns, else pass.
Verdict verdict_of(const std::vector<Finding>& findings) noexcept;

}  // namespace clearpost::compliance
