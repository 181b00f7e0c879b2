#pragma once
// Policy rules from a versioned JSON rule pack (assets/rules/policy-v1.json).
// An organisation extends the shipped pack with its own file: a rule with an
// existing id replaces it, a new id adds a rule, {"id": X, "disabled": true}
// turns rule X off.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/compliance/finding.h"

namespace clearpost::compliance {

enum class RuleType {
    ProhibitedPhrases,    // any phrase present -> finding on it
    RequiredDisclaimer,   // a trigger present and no disclaimer present -> finding
    SponsoredDisclosure,  // a sponsorship trigger present and no disclosure -> finding
    AltText,              // an image without alt text -> finding
    AllowedDomains,       // a link outside the organisation's and the listed domains -> finding
    UrlShortener,         // a link through a listed shortener -> finding
};

struct PolicyRule {
    std::string id;
    RuleType type = RuleType::ProhibitedPhrases;
    Severity severity = Severity::Warn;
    std::vector<std::string> phrases;      // ProhibitedPhrases, and triggers of the others
    std::vector<std::string> requirements; // disclaimers / disclosures that satisfy the rule
    std::vector<std::string> domains;      // AllowedDomains / UrlShortener
    std::string message;
    std::string suggestion;
    bool disabled = false;
};

struct RulePack {
    std::string id;
    int version = 0;
    std::vector<PolicyRule> rules;
};

Result<RulePack> parse_rule_pack(std::string_view json);
Result<RulePack> load_rule_pack(const std::filesystem::path& path);
// `base` with `extension` applied (see the header comment).
RulePack merge_rule_packs(RulePack base, const RulePack& extension);

}  // namespace clearpost::compliance
