#pragma once
// The organisation profile: what the organisation publishes about itself, so
// the engine does not flag it. Imported from the org.json shape:
// {"name", "public_phones": [..], "public_emails": [..], "addresses": [..],
//  "domains": [..], "staff": [{"name","title"}], "public_figures": [{"name","role"}]}

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost::compliance {

struct Person {
    std::string name;
    std::string role;  // title for staff, role for public figures
};

struct OrgProfile {
    std::string name;
    std::vector<std::string> public_phones;
    std::vector<std::string> public_emails;
    std::vector<std::string> addresses;
    std::vector<std::string> domains;
    std::vector<Person> staff;
    std::vector<Person> public_figures;
};

// Parses the org.json shape. Unknown keys are ignored; a key with the wrong
// type is an Invalid error that names it.
Result<OrgProfile> parse_org_profile(std::string_view json);
// Reads and parses a file; NotFound / Io / Invalid errors say what to do.
Result<OrgProfile> load_org_profile(const std::filesystem::path& path);

}  // namespace clearpost::compliance
