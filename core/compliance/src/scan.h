#pragma once
// Internal: the tokeniser and word-list helpers the detectors share.

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace clearpost::compliance::detail {

struct Token {
    std::size_t start = 0;   // UTF-8 byte offsets into the post
    std::size_t end = 0;
    std::string fold;        // lower case, Latin diacritics removed ("Rocío" -> "rocio")
    bool cap = false;        // first letter is upper case
    bool upper = false;      // every letter is upper case (two letters or more)
    bool alpha = false;      // letters only (apostrophes and hyphens inside allowed)
    bool digits = false;     // digits only
    bool has_digit = false;
    bool possessive = false; // followed by 's or ’s (not part of the token)
    int sentence = 0;
};

// Words of `text`: runs of letters and digits joined by inner hyphens and
// apostrophes. Invalid UTF-8 bytes separate words. Never throws on any input.
std::vector<Token> tokenize(std::string_view text);

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
    std::size_t match_at(const std::vector<Token>& tokens, std::size_t i) const;

private:
    struct Entry {
        std::vector<std::string> words;
        bool prefix = false;
    };
    std::unordered_map<std::string, std::vector<Entry>> m_by_first;
    std::deque<std::string> m_prefix_storage;          // stable storage for the views below
    std::unordered_set<std::string_view> m_prefixes;  // one-word entries that match any ending
    std::vector<std::size_t> m_prefix_lengths;    // their distinct lengths
};

// The text between two tokens (or from the start / to the end).
inline std::string_view gap_before(std::string_view text, const std::vector<Token>& tokens, std::size_t i) {
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
