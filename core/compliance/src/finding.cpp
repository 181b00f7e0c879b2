#include "clearpost/compliance/finding.h"

namespace clearpost::compliance {

std::string_view to_string(Severity severity) noexcept {
    switch (severity) {
    case Severity::Info: return "info";
    case Severity::Warn: return "warn";
    case Severity::Block: return "block";
    }
    return "info";
}

std::string_view to_string(Verdict verdict) noexcept {
    switch (verdict) {
    case Verdict::Pass: return "pass";
    case Verdict::Warn: return "warn";
    case Verdict::Block: return "block";
    }
    return "pass";
}

std::string_view to_string(PhiKind kind) noexcept {
    switch (kind) {
    case PhiKind::Name: return "name";
    case PhiKind::Date: return "date";
    case PhiKind::Age: return "age";
    case PhiKind::Phone: return "phone";
    case PhiKind::Email: return "email";
    case PhiKind::Address: return "address";
    case PhiKind::Geo: return "geo";
    case PhiKind::Mrn: return "mrn";
    case PhiKind::Ssn: return "ssn";
    case PhiKind::HealthPlan: return "health_plan";
    case PhiKind::Account: return "account";
    case PhiKind::License: return "license";
    case PhiKind::Vehicle: return "vehicle";
    case PhiKind::Device: return "device";
    case PhiKind::Url: return "url";
    case PhiKind::Ip: return "ip";
    case PhiKind::OtherId: return "other_id";
    }
    return "other_id";
}

std::optional<Severity> parse_severity(std::string_view name) noexcept {
    if (name == "info") return Severity::Info;
    if (name == "warn") return Severity::Warn;
    if (name == "block") return Severity::Block;
    return std::nullopt;
}

Verdict verdict_of(const std::vector<Finding>& findings) noexcept {
    Verdict v = Verdict::Pass;
    for (const auto& f : findings) {
        if (f.severity == Severity::Block) return Verdict::Block;
        if (f.severity == Severity::Warn) v = Verdict::Warn;
    }
    return v;
}

}  // namespace clearpost::compliance
