#include "scan.h"

#include <unicode/uchar.h>

#include <algorithm>

#include "clearpost/text/utf8.h"

namespace clearpost::compliance::detail {

namespace {

// Base letters for U+00C0..U+017F; '\0' keeps ICU's lower case.
constexpr std::string_view kLatin1 =
    "aaaaaaaceeeeiiiidnooooo\0ouuuuyts"   // C0..DF
    "aaaaaaaceeeeiiiidnooooo\0ouuuuyty";  // E0..FF
constexpr std::string_view kLatinExtA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjjjkkklllllllllln"
    "nnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

void append_folded(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
        return;
    }
    if (cp >= 0xC0 && cp <= 0xFF && kLatin1[cp - 0xC0] != '\0') {
        out.push_back(kLatin1[cp - 0xC0]);
        return;
    }
    if (cp >= 0x100 && cp < 0x100 + kLatinExtA.size()) {
        out.push_back(kLatinExtA[cp - 0x100]);
        return;
    }
    if (cp == 0x2019) {  // right single quotation mark as apostrophe
        out.push_back('\'');
        return;
    }
    text::append_utf8(out, static_cast<char32_t>(u_tolower(static_cast<UChar32>(cp))));
}

bool is_word_cp(char32_t cp) {
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp == text::kReplacementCharacter) return false;
    const auto c = static_cast<UChar32>(cp);
    return u_isalnum(c) || u_charType(c) == U_NON_SPACING_MARK;
}

bool is_apostrophe(char32_t cp) { return cp == '\'' || cp == 0x2019; }

bool is_abbreviation(std::string_view fold) {
    return fold == "mr" || fold == "mrs" || fold == "ms" || fold == "dr" || fold == "st" || fold == "jr" ||
           fold == "sr" || fold == "sra" || fold == "srta" || fold == "mx" || fold == "no" || fold == "vs" ||
           fold == "a" || fold == "p" || fold == "m" || fold == "etc" || fold == "dra" || fold == "wash" ||
           fold == "approx" || fold == "dept" || fold == "ave" || fold == "rd" || fold == "apt";
}

}  // namespace

std::string fold(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const auto d = text::decode_at(text, pos);
        append_folded(out, d.code_point);
        pos += d.length;
    }
    return out;
}

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    int sentence = 0;
    std::size_t pos = 0;
    std::size_t last_end = 0;
    while (pos < text.size()) {
        auto d = text::decode_at(text, pos);
        if (!is_word_cp(d.code_point)) {
            pos += d.length;
            continue;
        }
        // Sentence boundary in the gap since the previous token.
        if (!tokens.empty()) {
            const std::string_view gap = text.substr(last_end, pos - last_end);
            bool boundary = gap.find_first_of("!?\n") != std::string_view::npos;
            if (!boundary && gap.find('.') != std::string_view::npos && !is_abbreviation(tokens.back().fold))
                boundary = true;
            if (boundary) ++sentence;
        }
        Token tok;
        tok.start = pos;
        tok.sentence = sentence;
        std::size_t letters = 0;
        std::size_t uppers = 0;
        bool all_alpha = true;
        bool all_digits = true;
        bool first_letter_seen = false;
        while (pos < text.size()) {
            d = text::decode_at(text, pos);
            const char32_t cp = d.code_point;
            if (is_word_cp(cp)) {
                const auto c = static_cast<UChar32>(cp);
                if (cp < 0x80) {
                    // ASCII fast path: no ICU property look-ups.
                    if (cp <= '9') {
                        tok.has_digit = true;
                        all_alpha = false;
                    } else {
                        all_digits = false;
                        ++letters;
                        if (cp <= 'Z') {
                            ++uppers;
                            if (!first_letter_seen) tok.cap = true;
                        }
                        first_letter_seen = true;
                    }
                    tok.fold.push_back(static_cast<char>(cp <= 'Z' && cp >= 'A' ? cp + 32 : cp));
                    pos += d.length;
                    continue;
                }
                if (u_isdigit(c)) {
                    tok.has_digit = true;
                    all_alpha = false;
                } else {
                    all_digits = false;
                    if (u_isalpha(c)) {
                        ++letters;
                        if (u_isupper(c)) {
                            ++uppers;
                            if (!first_letter_seen) tok.cap = true;
                        }
                        first_letter_seen = true;
                    }
                }
                append_folded(tok.fold, cp);
                pos += d.length;
                continue;
            }
            // Inner joiners: a hyphen or apostrophe between word characters.
            if ((cp == '-' || is_apostrophe(cp)) && pos + d.length < text.size()) {
                const auto next = text::decode_at(text, pos + d.length);
                if (!is_word_cp(next.code_point)) break;
                if (is_apostrophe(cp) && (next.code_point == 's' || next.code_point == 'S')) {
                    const std::size_t after = pos + d.length + 1;
                    const bool ends = after >= text.size() || !is_word_cp(text::decode_at(text, after).code_point);
                    if (ends) {
                        tok.possessive = true;
                        break;
                    }
                }
                append_folded(tok.fold, cp == 0x2019 ? U'\'' : cp);
                pos += d.length;
                continue;
            }
            break;
        }
        tok.end = pos;
        if (tok.possessive) pos += 1 + text::decode_at(text, pos).length;  // skip the apostrophe and s
        tok.alpha = all_alpha && letters > 0;
        tok.digits = all_digits && tok.has_digit && tok.fold.find('-') == std::string::npos;
        tok.upper = letters >= 2 && uppers == letters;
        last_end = pos;
        tokens.push_back(std::move(tok));
    }
    return tokens;
}

void PhraseList::add(std::string_view phrase) {
    Entry e;
    std::string word;
    for (char c : phrase) {
        if (c == ' ') {
            if (!word.empty()) e.words.push_back(word);
            word.clear();
        } else {
            word.push_back(c);
        }
    }
    if (!word.empty()) e.words.push_back(word);
    if (e.words.empty()) return;
    if (e.words.back().size() > 1 && e.words.back().back() == '*') {
        e.prefix = true;
        e.words.back().pop_back();
    }
    if (e.prefix && e.words.size() == 1) {
        const std::size_t len = e.words.front().size();
        if (std::find(m_prefix_lengths.begin(), m_prefix_lengths.end(), len) == m_prefix_lengths.end())
            m_prefix_lengths.push_back(len);
        m_prefix_storage.push_back(e.words.front());
        m_prefixes.insert(m_prefix_storage.back());
        return;
    }
    const std::string first = e.words.front();
    m_by_first[first].push_back(std::move(e));
}

std::size_t PhraseList::match_at(const std::vector<Token>& tokens, std::size_t i) const {
    std::size_t best = 0;
    const std::string& first = tokens[i].fold;
    auto entry_matches = [&](const Entry& e) {
        if (i + e.words.size() > tokens.size()) return false;
        for (std::size_t k = 0; k < e.words.size(); ++k) {
            const std::string& tok = tokens[i + k].fold;
            const bool last = k + 1 == e.words.size();
            if (last && e.prefix) {
                if (tok.compare(0, e.words[k].size(), e.words[k]) != 0) return false;
            } else if (tok != e.words[k]) {
                return false;
            }
        }
        return true;
    };
    if (auto it = m_by_first.find(first); it != m_by_first.end())
        for (const Entry& e : it->second)
            if (e.words.size() > best && entry_matches(e)) best = e.words.size();
    if (best == 0)
        for (std::size_t len : m_prefix_lengths)
            if (first.size() >= len && m_prefixes.count(std::string_view(first).substr(0, len)) != 0) return 1;
    return best;
}

}  // namespace clearpost::compliance::detail
