#include "clearpost/compliance/org_profile.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace clearpost::compliance {

namespace {

using nlohmann::json;

Result<std::vector<std::string>> string_list(const json& root, const char* key) {
    std::vector<std::string> out;
    if (!root.contains(key)) return out;
    const json& v = root.at(key);
    if (!v.is_array())
        return make_error(ErrorCode::Invalid, std::string("organisation profile: \"") + key + "\" must be a list of strings");
    for (const json& item : v) {
        if (!item.is_string())
            return make_error(ErrorCode::Invalid, std::string("organisation profile: \"") + key + "\" must hold only strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

Result<std::vector<Person>> person_list(const json& root, const char* key, const char* role_key) {
    std::vector<Person> out;
    if (!root.contains(key)) return out;
    const json& v = root.at(key);
    if (!v.is_array())
        return make_error(ErrorCode::Invalid, std::string("organisation profile: \"") + key + "\" must be a list");
    for (const json& item : v) {
        if (item.is_string()) {
            out.push_back({item.get<std::string>(), {}});
            continue;
        }
        if (!item.is_object() || !item.contains("name") || !item.at("name").is_string())
            return make_error(ErrorCode::Invalid, std::string("organisation profile: each entry of \"") + key +
                                                      "\" needs a \"name\" string");
        Person p{item.at("name").get<std::string>(), {}};
        if (item.contains(role_key) && item.at(role_key).is_string()) p.role = item.at(role_key).get<std::string>();
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace

Result<OrgProfile> parse_org_profile(std::string_view text) {
    json root = json::parse(text.begin(), text.end(), nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return make_error(ErrorCode::Invalid, "organisation profile is not a JSON object; see docs/compliance.md for its shape");
    OrgProfile org;
    if (root.contains("name") && root.at("name").is_string()) org.name = root.at("name").get<std::string>();
    CLEARPOST_ASSIGN(org.public_phones, string_list(root, "public_phones"));
    CLEARPOST_ASSIGN(org.public_emails, string_list(root, "public_emails"));
    CLEARPOST_ASSIGN(org.addresses, string_list(root, "addresses"));
    CLEARPOST_ASSIGN(org.domains, string_list(root, "domains"));
    CLEARPOST_ASSIGN(org.staff, person_list(root, "staff", "title"));
    CLEARPOST_ASSIGN(org.public_figures, person_list(root, "public_figures", "role"));
    return org;
}

Result<OrgProfile> load_org_profile(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return make_error(ErrorCode::NotFound, "organisation profile " + path.string() +
                                                   " does not exist; pass the path of your org.json with --org");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorCode::Io, "cannot read organisation profile " + path.string() + "; check its permissions");
    std::ostringstream buf;
    buf << in.rdbuf();
    auto parsed = parse_org_profile(buf.str());
    if (!parsed.ok())
        return make_error(ErrorCode::Invalid, path.string() + ": " + parsed.error().message);
    return parsed;
}

}  // namespace clearpost::compliance
