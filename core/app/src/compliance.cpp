#include "clearpost/app/compliance.h"

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "clearpost/media/library.h"
#include "clearpost/security/audit.h"

namespace clearpost::app {

std::filesystem::path assets_dir(const std::string& option) {
    if (!option.empty()) return option;
    if (const char* env = std::getenv("CLEARPOST_ASSETS_DIR"); env && *env) return env;
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(CLEARPOST_SOURCE_ASSETS_DIR) / "rules", ec))
        return CLEARPOST_SOURCE_ASSETS_DIR;
    return CLEARPOST_INSTALLED_ASSETS_DIR;
}

Result<compliance::Engine> load_engine(store::Store& store, const std::filesystem::path& assets) {
    CLEARPOST_ASSIGN(auto org, store.organisation());
    auto profile = compliance::parse_org_profile(org.profile_json);
    if (!profile) {
        return make_error(ErrorCode::Corrupt, "the stored organisation profile is unusable (" +
                                                  profile.error().message +
                                                  "); import it again with clearpostctl org profile import");
    }
    return compliance::Engine::load(assets, std::move(*profile));
}

std::string findings_json(const compliance::Report& report) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : report.findings) {
        nlohmann::json j{{"rule", f.rule},
                         {"kind", f.kind},
                         {"severity", compliance::to_string(f.severity)},
                         {"start", f.start},
                         {"end", f.end},
                         {"cp_start", f.cp_start},
                         {"cp_end", f.cp_end},
                         {"message", f.message},
                         {"suggestion", f.suggestion}};
        if (!f.consent_id.empty()) j["consent"] = f.consent_id;
        out.push_back(std::move(j));
    }
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

compliance::ConsentRecord consent_record(const model::Consent& consent) {
    compliance::ConsentRecord record;
    record.id = "consent " + std::to_string(consent.id);
    record.subject_name = consent.subject;
    record.expires_at = consent.expires_at;
    // The scope names the networks it covers; none named means all.
    std::istringstream words(consent.scope);
    for (std::string w; words >> w;) {
        while (!w.empty() && (w.back() == ',' || w.back() == ';')) w.pop_back();
        if (text::parse_network(w)) record.scope.push_back(w);
    }
    return record;
}

compliance::MediaItem media_item(const model::MediaRef& media, std::size_t position) {
    return {"image " + std::to_string(position + 1), true, media.alt_text};
}

std::filesystem::path media_dir(const std::string& location) {
    std::filesystem::path database =
        store::is_postgres_uri(location) ? security::default_database_path() : std::filesystem::path(location);
    std::error_code ec;
    if (auto absolute = std::filesystem::absolute(database, ec); !ec) database = absolute;
    return media::media_dir_for(database);
}

Result<workflow::ComplianceCheck> compliance_check(store::Store& store, compliance::Engine engine) {
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    std::map<model::Id, text::Network> networks;
    for (const auto& a : accounts)
        if (auto n = text::parse_network(a.network)) networks[a.id] = *n;
    return workflow::ComplianceCheck(
        [engine = std::move(engine), networks = std::move(networks)](
            const model::VersionContent& content, const std::vector<model::Consent>& consents, UnixSeconds now) {
            compliance::CheckInput input;
            input.text = content.text;
            input.now = now;
            for (const auto& t : content.targets)
                if (auto it = networks.find(t.account_id); it != networks.end()) input.networks.push_back(it->second);
            for (std::size_t i = 0; i < content.media.size(); ++i) input.media.push_back(media_item(content.media[i], i));
            for (const auto& c : consents) input.consents.push_back(consent_record(c));
            const auto report = engine.check(input);
            return model::ComplianceResult{std::string(compliance::to_string(report.verdict)), findings_json(report)};
        });
}

}  // namespace clearpost::app
