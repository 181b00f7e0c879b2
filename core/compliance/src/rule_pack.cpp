#include "clearpost/compliance/rule_pack.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace clearpost::compliance {

namespace {

using nlohmann::json;

std::optional<RuleType> parse_type(std::string_view name) {
    if (name == "prohibited_phrases") return RuleType::ProhibitedPhrases;
    if (name == "required_disclaimer") return RuleType::RequiredDisclaimer;
    if (name == "sponsored_disclosure") return RuleType::SponsoredDisclosure;
    if (name == "alt_text") return RuleType::AltText;
    if (name == "allowed_domains") return RuleType::AllowedDomains;
    if (name == "url_shortener") return RuleType::UrlShortener;
    return std::nullopt;
}

std::vector<std::string> strings_of(const json& rule, const char* key) {
    std::vector<std::string> out;
    if (!rule.contains(key) || !rule.at(key).is_array()) return out;
    for (const json& item : rule.at(key))
        if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

std::string string_of(const json& rule, const char* key) {
    return rule.contains(key) && rule.at(key).is_string() ? rule.at(key).get<std::string>() : std::string();
}

}  // namespace

Result<RulePack> parse_rule_pack(std::string_view text) {
    json root = json::parse(text.begin(), text.end(), nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return make_error(ErrorCode::Invalid, "rule pack is not a JSON object");
    RulePack pack;
    pack.id = string_of(root, "id");
    if (root.contains("version") && root.at("version").is_number_integer()) pack.version = root.at("version").get<int>();
    if (!root.contains("rules") || !root.at("rules").is_array())
        return make_error(ErrorCode::Invalid, "rule pack needs a \"rules\" list");
    for (const json& r : root.at("rules")) {
        if (!r.is_object() || string_of(r, "id").empty())
            return make_error(ErrorCode::Invalid, "every rule in a rule pack needs an \"id\" string");
        PolicyRule rule;
        rule.id = string_of(r, "id");
        rule.disabled = r.contains("disabled") && r.at("disabled").is_boolean() && r.at("disabled").get<bool>();
        const std::string type = string_of(r, "type");
        if (!rule.disabled || !type.empty()) {
            auto t = parse_type(type);
            if (!t)
                return make_error(ErrorCode::Invalid, "rule " + rule.id + " has an unknown type \"" + type +
                                                          "\"; see docs/compliance.md for the rule types");
            rule.type = *t;
        }
        if (const std::string sev = string_of(r, "severity"); !sev.empty()) {
            auto s = parse_severity(sev);
            if (!s) return make_error(ErrorCode::Invalid, "rule " + rule.id + ": severity must be info, warn or block");
            rule.severity = *s;
        }
        rule.phrases = strings_of(r, "phrases");
        auto triggers = strings_of(r, "triggers");
        rule.phrases.insert(rule.phrases.end(), triggers.begin(), triggers.end());
        rule.requirements = strings_of(r, "requirements");
        rule.domains = strings_of(r, "domains");
        rule.message = string_of(r, "message");
        rule.suggestion = string_of(r, "suggestion");
        pack.rules.push_back(std::move(rule));
    }
    return pack;
}

Result<RulePack> load_rule_pack(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorCode::NotFound, "cannot read rule pack " + path.string() +
                                                   "; check the path (the shipped pack is assets/rules/policy-v1.json)");
    std::ostringstream buf;
    buf << in.rdbuf();
    auto parsed = parse_rule_pack(buf.str());
    if (!parsed.ok()) return make_error(ErrorCode::Invalid, path.string() + ": " + parsed.error().message);
    return parsed;
}

RulePack merge_rule_packs(RulePack base, const RulePack& extension) {
    for (const PolicyRule& rule : extension.rules) {
        auto it = std::find_if(base.rules.begin(), base.rules.end(),
                               [&](const PolicyRule& r) { return r.id == rule.id; });
        if (it == base.rules.end()) {
            base.rules.push_back(rule);
        } else if (rule.disabled && rule.phrases.empty() && rule.requirements.empty() && rule.domains.empty()) {
            it->disabled = true;
        } else {
            *it = rule;
        }
    }
    if (!extension.id.empty()) base.id += "+" + extension.id;
    return base;
}

}  // namespace clearpost::compliance
