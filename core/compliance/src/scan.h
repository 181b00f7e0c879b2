#pragma once
// Internal: the tokeniser and word-list helpers the detectors share.

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace clearpost::compliance::detail {

// What is known about a token besides its folded text (see Token): kept
// apart so that a token slot can be reset without touching its string.
// The fields are ordered widest first so that they fill 32 bytes without
// padding: with libstdc++'s 32-byte string a Token is 64 bytes, and the
// detectors' many `tokens.size()` and `tokens[i]` become shifts instead of
// a division and a multiplication by a Token's size.
struct TokenFacts {
    std::size_t start = 0;   // UTF-8 byte offsets into the post
    std::size_t end = 0;
    int sentence = 0;
    // Filled by Lexicon::annotate: what the engine knows about the word.
    std::uint32_t classes = 0;  // the detectors' word classes, one bit each
    std::uint16_t flags = 0;    // WordFlag bits
    bool cap = false;        // first letter is upper case
    bool upper = false;      // every letter is upper case (two letters or more)
    bool alpha = false;      // letters only (apostrophes and hyphens inside allowed)
    bool digits = false;     // digits only
    bool has_digit = false;
    bool possessive = false; // followed by 's or ’s (not part of the token)
};

struct Token : TokenFacts {
    std::string fold;        // lower case, Latin diacritics removed ("Rocío" -> "rocio")
};

enum WordFlag : std::uint16_t {
    kFirstNameWord = 1U << 0,
    kSurnameWord = 1U << 1,
    kCommonWord = 1U << 2,
    kOrgWord = 1U << 3,
    kIdKeywordWord = 1U << 4,  // starts an identifier keyword ("mrn", "member id")
    kPolicyWord = 1U << 5,     // starts a word phrase of a policy rule
    kHealthLead = 1U << 6,     // first word of a health-context term
    kNotHealthLead = 1U << 7,  // first word of a "not health context" term
    kKnownPersonWord = 1U << 8,  // a word of a staff member's or public figure's name
    kOrgTownLead = 1U << 9,      // first word of one of the organisation's towns
    kAnchorWord = 1U << 10,      // a plain word that may anchor a date ("the", "new", "christmas")
};

// Every word the engine knows (dictionaries, organisation words, the
// detectors' word classes) with its flags and classes, in one flat
// open-addressing table: a token costs one hash and usually one probe
// instead of a look-up per question asked about it.
class Lexicon {
public:
    void add(std::string_view word, std::uint32_t classes, std::uint16_t flags);
    // Call once after the last add(); before it, annotate() finds nothing.
    void finish();
    // Sets classes and flags of each token from its folded form.
    void annotate(std::vector<Token>& tokens) const noexcept;

private:
    // One cache line holds two slots; words of up to kInline bytes (nearly
    // all) are compared in the slot itself, longer ones in m_long.
    static constexpr std::size_t kInline = 20;
    struct Slot {
        std::uint32_t hash = 0;
        std::uint32_t classes = 0;
        std::uint16_t flags = 0;
        std::uint8_t used = 0;
        std::uint8_t size = 0;  // word length, or kLong: the word is m_long[index]
        char word[kInline] = {};
    };
    static constexpr std::uint8_t kLong = 255;
    struct Entry {
        std::uint32_t classes = 0;
        std::uint16_t flags = 0;
    };
    std::unordered_map<std::string, Entry> m_pending;
    std::vector<std::string> m_long;
    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
};

// Words of `text`: runs of letters and digits joined by inner hyphens and
// apostrophes. Invalid UTF-8 bytes separate words. Never throws on any input.
std::vector<Token> tokenize(std::string_view text);
// The same into `tokens`, whose previous elements are reused (with their
// strings' capacity): a caller that tokenizes many texts keeps one vector.
void tokenize(std::string_view text, std::vector<Token>& tokens);

// Lower-cases and strips Latin diacritics, code point by code point.
std::string fold(std::string_view text);

using WordSet = std::unordered_set<std::string>;

// A phrase list matched on folded tokens. Entries are one or more words; a
// final '*' on the last word matches any ending.
class PhraseList {
public:
    void add(std::string_view phrase);
    bool empty() const noexcept { return m_by_first.empty() && m_prefixes.empty(); }
    // Number of tokens of the longest entry that starts at token i, or 0.
    // With `lead` (a WordFlag the lexicon sets on every first word of this
    // list, see for_each_lead), tokens without it skip the word look-up.
    std::size_t match_at(std::span<const Token> tokens, std::size_t i, std::uint16_t lead = 0) const {
        // Most tokens start no entry. Those that are no lead word and whose
        // first two bytes begin no one-word prefix are turned away here,
        // inline: the full look-up below would find nothing for them either.
        const std::string& first = tokens[i].fold;
        if (first.empty()) return 0;
        if (lead != 0 && (tokens[i].flags & lead) == 0 && first.size() >= 2 &&
            !m_prefix_two[static_cast<std::size_t>(static_cast<unsigned char>(first[0])) << 8U |
                          static_cast<unsigned char>(first[1])])
            return 0;
        return match_from(tokens, i, lead);
    }
    // Calls fn(word) for the first word of every entry that is not a prefix.
    template <typename Fn>
    void for_each_lead(Fn&& fn) const {
        for (const auto& entry : m_by_first) fn(entry.first);
    }

private:
    std::size_t match_from(std::span<const Token> tokens, std::size_t i, std::uint16_t lead) const;

    struct Entry {
        std::vector<std::string> words;
        bool prefix = false;
    };
    std::unordered_map<std::string, std::vector<Entry>> m_by_first;
    std::deque<std::string> m_prefix_storage;  // stable storage for the views below
    // One-word entries that match any ending, sorted by their first two
    // bytes (first byte << 8 for one-byte prefixes).
    std::vector<std::pair<std::size_t, std::string_view>> m_prefixes;
    // The first bytes of every entry's first word: most tokens start no
    // entry and are turned away without hashing.
    std::bitset<65536> m_first_two;
    std::bitset<256> m_first_one;  // one-byte first words
    std::bitset<65536> m_prefix_two;  // the same for the one-word prefixes alone
    std::bitset<256> m_prefix_one;    // first bytes x with an entry under the key x << 8 ("x*")
};

// The text between two tokens (or from the start / to the end).
inline std::string_view gap_before(std::string_view text, std::span<const Token> tokens, std::size_t i) {
    const std::size_t from = i == 0 ? 0 : tokens[i - 1].end;
    return text.substr(from, tokens[i].start - from);
}

inline bool gap_is_space(std::string_view gap) {
    if (gap.empty()) return false;
    for (char c : gap)
        if (c != ' ') return false;
    return true;
}

}  // namespace clearpost::compliance::detail
