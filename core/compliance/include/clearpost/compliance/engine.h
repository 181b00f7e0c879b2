#pragma once
// The compliance engine: PHI detection, policy rules and platform limits.
//
// An Engine is built once (dictionaries and rule pack are read from disk at
// construction) and is then immutable: check() is a pure function of its
// input, does no I/O and may be called from many threads at once.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/compliance/consent.h"
#include "clearpost/compliance/finding.h"
#include "clearpost/compliance/org_profile.h"
#include "clearpost/compliance/rule_pack.h"
#include "clearpost/text/count.h"

namespace clearpost::compliance {

// Word lists the detectors use; each is lower case.
struct Dictionaries {
    std::vector<std::string> first_names;
    std::vector<std::string> surnames;
    std::vector<std::string> common_words;  // English words, to tell "Grace" the word from Grace the name
    std::vector<std::string> health_terms;  // "!phrase" lines mark phrases that are not health context
};

// Reads first_names.txt, surnames.txt, common_words.txt and health_terms.txt
// from `dir` (assets/dictionaries). Lines starting with # are comments; a
// line may hold several whitespace-separated names, except in health_terms.txt
// where each line is one phrase.
Result<Dictionaries> load_dictionaries(const std::filesystem::path& dir);

struct MediaItem {
    std::string name;       // file name, for messages
    bool is_image = true;
    std::string alt_text;   // empty when missing
};

struct CheckInput {
    std::string_view text;
    std::vector<text::Network> networks;   // targets; empty skips the platform rules
    std::vector<MediaItem> media;
    std::vector<ConsentRecord> consents;   // authorisations linked to this post
    UnixSeconds now = 0;                   // for consent expiry and ages implied by birth years
};

class Engine {
public:
    Engine(Dictionaries dictionaries, RulePack rules, OrgProfile org);

    // Loads dictionaries from assets_dir/dictionaries and the rule pack from
    // assets_dir/rules/policy-v1.json, extended by `extra_rules` when given.
    static Result<Engine> load(const std::filesystem::path& assets_dir, OrgProfile org,
                               const std::optional<std::filesystem::path>& extra_rules = std::nullopt);

    // Never throws for any input bytes; invalid UTF-8 yields a blocking
    // "text.invalid-utf8" finding and the rest of the text is still checked.
    Report check(const CheckInput& input) const;

    const OrgProfile& org() const noexcept;
    const RulePack& rules() const noexcept;

    struct Impl;

private:
    std::shared_ptr<const Impl> m_impl;
};

}  // namespace clearpost::compliance
