#pragma once
// A patient's written authorisation to be named in the organisation's posts.

#include <string>
#include <vector>

#include "clearpost/base/time.h"

namespace clearpost::compliance {

struct ConsentRecord {
    std::string id;             // the organisation's reference, shown in findings
    std::string subject_name;   // the patient as named in posts, e.g. "Marisol Vega"
    std::vector<std::string> scope;  // network names ("x", "facebook", ...); empty means every network
    UnixSeconds expires_at = 0;  // the authorisation no longer applies from this instant
};

}  // namespace clearpost::compliance
