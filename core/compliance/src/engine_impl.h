#pragma once
// Internal: the engine's immutable state, built once at construction.

#include <bitset>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "clearpost/compliance/engine.h"
#include "scan.h"

namespace clearpost::compliance {

struct KnownPerson {
    std::vector<std::string> tokens;  // folded name tokens
    bool staff = false;
};

// A policy rule's phrases, prepared once: word phrases are matched on
// tokens, phrases with symbols ("#ad", "mg/kg") on the folded text.
struct CompiledPhrases {
    detail::PhraseList words;
    std::vector<std::string> symbolic;
    std::vector<std::string> originals;  // symbolic phrases as written, for non-ASCII texts
};

struct CompiledRule {
    CompiledPhrases triggers;
    CompiledPhrases requirements;
    std::vector<std::string> domains;  // the rule's domains, folded once here rather than per URL
};

// Every word phrase of every policy rule, indexed by its first word, so one
// pass over the tokens finds them all.
struct PolicyPhrase {
    std::size_t rule = 0;
    bool requirement = false;
    std::vector<std::string> words;
};

struct Engine::Impl {
    Dictionaries dictionaries;
    RulePack rules;
    OrgProfile org;

    detail::WordSet first_names;
    detail::WordSet surnames;
    detail::WordSet common_words;
    detail::PhraseList health_terms;
    detail::PhraseList not_health_terms;

    // Derived from the organisation profile.
    std::vector<std::string> org_phone_digits;  // last ten digits
    std::vector<std::string> org_emails;        // folded
    std::vector<std::string> org_domains;       // folded, without "www."
    std::vector<std::string> org_link_domains;  // folded as written, for the link rules
    std::vector<std::string> org_street_keys;   // "410 wharf street"
    std::vector<std::string> org_street_names;  // "wharf street"
    std::vector<std::string> org_towns;         // "port alder"
    detail::WordSet org_words;                  // words of the org's name, facilities, towns and streets
    std::vector<KnownPerson> known_people;
    std::vector<CompiledRule> compiled_rules;  // parallel to rules.rules
    std::unordered_map<std::string, std::vector<PolicyPhrase>> policy_index;
    // The first symbols of the symbolic policy phrases ("#" of "#ad"): a
    // text with none of them holds none of those phrases and is not searched.
    // `complete` is false when some phrase's first symbol is not ASCII.
    std::bitset<128> policy_symbols;
    bool policy_symbols_complete = true;
    std::string policy_symbol_list;  // the same symbols, each once, to search texts for them
    // Flags and classes of every word above, looked up once per token.
    detail::Lexicon lexicon;
};

namespace detail {

// A PHI candidate before severities are settled.
struct Candidate {
    PhiKind kind = PhiKind::OtherId;
    std::size_t start = 0;
    std::size_t end = 0;
    // Static text: candidates are many and most are dropped or merged, so
    // the finding's own strings are built only for those that are reported.
    std::string_view message;
    std::string_view suggestion;
    bool always_block = false;   // e.g. an SSN: blocks with or without health context
    bool tied = true;            // dates: tied to a person (else not reported)
    bool person = false;         // a person's name, handle or greeting: makes the post about someone
    std::string subject;         // folded name for consent matching (names only)
};

struct PhiContext {
    bool health = false;         // the post holds a health-context term
    bool person = false;         // the post names or addresses a person who is not staff acting publicly
};

// Fills `out` (cleared first) with the PHI candidates of `text`, in start order.
void detect_phi(const Engine::Impl& impl, std::string_view text, const std::vector<Token>& tokens,
                const std::vector<text::Span>& urls, UnixSeconds now, PhiContext& context, std::vector<Candidate>& out);

// Adds the PHI detectors' own word classes and identifier keywords to the
// engine's lexicon.
void add_phi_words(Lexicon& lexicon);

// Street address key: number + street words with the suffix spelled out.
std::string street_key(std::string_view address_part);

}  // namespace detail
}  // namespace clearpost::compliance
