#include "scan.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <cstring>

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

constexpr std::array<bool, 128> kAsciiWord = [] {
    std::array<bool, 128> table{};
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
    return table;
}();

inline bool is_word_cp(char32_t cp) {
    if (cp < 0x80) return kAsciiWord[cp];
    if (cp == text::kReplacementCharacter) return false;
    const auto c = static_cast<UChar32>(cp);
    return u_isalnum(c) || u_charType(c) == U_NON_SPACING_MARK;
}

bool is_apostrophe(char32_t cp) { return cp == '\'' || cp == 0x2019; }

bool is_abbreviation(std::string_view fold) {
    // Asked for every word before a '.': most are longer than any
    // abbreviation, or fail on their length, without a string compare.
    switch (fold.size()) {
        case 1: return fold == "a" || fold == "p" || fold == "m";
        case 2:
            return fold == "mr" || fold == "ms" || fold == "dr" || fold == "st" || fold == "jr" || fold == "sr" ||
                   fold == "mx" || fold == "no" || fold == "vs" || fold == "rd";
        case 3: return fold == "mrs" || fold == "sra" || fold == "etc" || fold == "dra" || fold == "ave" || fold == "apt";
        case 4: return fold == "srta" || fold == "wash" || fold == "dept";
        case 6: return fold == "approx";
        default: return false;
    }
}

// Per ASCII byte: is it a word character, a digit, an upper- or a
// lower-case letter, or what ends a sentence ('!', '?' and a line break
// always, '.' unless after an abbreviation). (256 entries: bytes from 0x80
// are none of these.)
enum : std::uint8_t {
    kWordByte = 1,
    kDigitByte = 2,
    kUpperByte = 4,
    kLowerByte = 8,
    kStopByte = 16,
    kDotByte = 32,
};
constexpr std::uint8_t kLetterByte = kUpperByte | kLowerByte;
constexpr std::array<std::uint8_t, 256> kAsciiClass = [] {
    std::array<std::uint8_t, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = kWordByte | kDigitByte;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = kWordByte | kLowerByte;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = kWordByte | kUpperByte;
    for (char c : {'!', '?', '\n'}) table[static_cast<unsigned char>(c)] = kStopByte;
    table['.'] = kDotByte;
    return table;
}();
// ASCII lower case of every byte (others unchanged).
constexpr std::array<char, 256> kAsciiLower = [] {
    std::array<char, 256> table{};
    for (std::size_t c = 0; c < 256; ++c)
        table[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return table;
}();

}  // namespace

std::string fold(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        // ASCII runs are lower-cased in bulk; other code points one by one.
        // Whole posts are folded here (for the symbolic policy phrases), so
        // the run is found and lower-cased eight bytes at a time.
        constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
        constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
        std::size_t run = pos;
        while (run + 8 <= text.size()) {
            std::uint64_t block = 0;
            std::memcpy(&block, text.data() + run, sizeof block);
            if ((block & kHigh) != 0) break;
            run += 8;
        }
        while (run < text.size() && static_cast<unsigned char>(text[run]) < 0x80U) ++run;
        if (run > pos) {
            const std::size_t at = out.size();
            out.append(text.substr(pos, run - pos));
            std::size_t k = at;
            for (; k + 8 <= out.size(); k += 8) {
                std::uint64_t block = 0;
                std::memcpy(&block, out.data() + k, sizeof block);
                // ASCII only: per byte, 'A' <= b <= 'Z' lands in the high bit
                // without a carry into the next byte; that bit >> 2 is 0x20.
                const std::uint64_t upper = (block + (0x80U - 'A') * kOnes) & ~(block + (0x7FU - 'Z') * kOnes) & kHigh;
                block |= upper >> 2U;
                std::memcpy(out.data() + k, &block, sizeof block);
            }
            for (; k < out.size(); ++k) out[k] = kAsciiLower[static_cast<unsigned char>(out[k])];
            pos = run;
            continue;
        }
        const auto d = text::decode_at(text, pos);
        append_folded(out, d.code_point);
        pos += d.length;
    }
    return out;
}

namespace {
// The next token slot of `tokens`, reset: a slot left from an earlier call
// is reused as it is, its fold keeping its capacity.
Token& next_token(std::vector<Token>& tokens, std::size_t count) {
    if (count == tokens.size()) return tokens.emplace_back();
    Token& tok = tokens[count];
    static_cast<TokenFacts&>(tok) = TokenFacts{};
    tok.fold.clear();
    return tok;
}
}  // namespace

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    tokenize(text, tokens);
    return tokens;
}

void tokenize(std::string_view text, std::vector<Token>& tokens) {
    tokens.reserve(text.size() / 6 + 4);
    std::size_t count = 0;  // tokens[0, count) are this text's
    int sentence = 0;
    std::size_t pos = 0;
    // What the gap since the previous token holds (kStopByte, kDotByte):
    // collected while the gap is skipped. Multi-byte code points hold no
    // ASCII bytes, so every ASCII byte of the gap passes through here.
    std::uint8_t gap_kinds = 0;
    while (pos < text.size()) {
        // ASCII bytes are classified here: decoding is for the rest.
        if (const auto byte = static_cast<unsigned char>(text[pos]); byte < 0x80U) {
            if (const std::uint8_t c = kAsciiClass[byte]; (c & kWordByte) == 0) {
                gap_kinds |= c;
                ++pos;
                continue;
            }
        } else if (const auto d = text::decode_at(text, pos); !is_word_cp(d.code_point)) {
            pos += d.length;
            continue;
        }
        // Sentence boundary in the gap since the previous token.
        if (count > 0) {
            const bool boundary = (gap_kinds & kStopByte) != 0 ||
                                  ((gap_kinds & kDotByte) != 0 && !is_abbreviation(tokens[count - 1].fold));
            if (boundary) ++sentence;
        }
        // Built in place: a token is never dropped once started.
        Token& tok = next_token(tokens, count++);
        tok.start = pos;
        tok.sentence = sentence;
        // Non-ASCII letters are counted one by one below. ASCII runs only
        // collect which kinds of byte they hold (kAsciiClass bits); their
        // letters are counted at the end, and only for a token that may be
        // all upper case.
        std::uint8_t ascii_kinds = 0;
        std::size_t other_letters = 0;
        std::size_t other_uppers = 0;
        bool all_alpha = true;
        bool all_digits = true;
        bool first_letter_seen = false;
        std::string& folded = tok.fold;
        while (pos < text.size()) {
            // A run of ASCII letters and digits (nearly every word is one).
            std::size_t run = pos;
            std::uint8_t run_kinds = 0;
            for (; run < text.size(); ++run) {
                const std::uint8_t c = kAsciiClass[static_cast<unsigned char>(text[run])];
                if ((c & kWordByte) == 0) break;
                run_kinds |= c;
            }
            if (run > pos) {
                if (!first_letter_seen && (run_kinds & kLetterByte) != 0) {
                    // The token's first letter says whether it is capitalised.
                    std::size_t k = pos;
                    while ((kAsciiClass[static_cast<unsigned char>(text[k])] & kLetterByte) == 0) ++k;
                    tok.cap = (kAsciiClass[static_cast<unsigned char>(text[k])] & kUpperByte) != 0;
                    first_letter_seen = true;
                }
                ascii_kinds |= run_kinds;
                if ((run_kinds & kUpperByte) != 0) {
                    // Lower-cased while copied: one pass, no memcpy call.
                    // (Runs without an upper-case letter, most of them, are
                    // cheaper to append whole.)
                    for (std::size_t k = pos; k < run; ++k)
                        folded.push_back(kAsciiLower[static_cast<unsigned char>(text[k])]);
                } else {
                    folded.append(text.data() + pos, run - pos);
                }
                pos = run;
                if (pos >= text.size()) break;
            }
            const auto byte = static_cast<unsigned char>(text[pos]);
            // An ASCII byte here is no word byte (the run above took those):
            // only a hyphen or an apostrophe may continue the token.
            if (byte < 0x80U && byte != '-' && byte != '\'') break;
            const text::Decoded d = byte < 0x80U ? text::Decoded{byte, 1, true} : text::decode_at(text, pos);
            const char32_t cp = d.code_point;
            if (is_word_cp(cp)) {  // not ASCII: ASCII word bytes were taken above
                const auto c = static_cast<UChar32>(cp);
                if (u_isdigit(c)) {
                    tok.has_digit = true;
                    all_alpha = false;
                } else {
                    all_digits = false;
                    if (u_isalpha(c)) {
                        ++other_letters;
                        if (u_isupper(c)) {
                            ++other_uppers;
                            if (!first_letter_seen) tok.cap = true;
                        }
                        first_letter_seen = true;
                    }
                }
                append_folded(folded, cp);
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
                append_folded(folded, cp == 0x2019 ? U'\'' : cp);
                pos += d.length;
                continue;
            }
            break;
        }
        tok.end = pos;
        if (tok.possessive) pos += 1 + text::decode_at(text, pos).length;  // skip the apostrophe and s
        if ((ascii_kinds & kDigitByte) != 0) {
            tok.has_digit = true;
            all_alpha = false;
        }
        if ((ascii_kinds & kLetterByte) != 0) all_digits = false;
        const bool any_letter = (ascii_kinds & kLetterByte) != 0 || other_letters > 0;
        tok.alpha = all_alpha && any_letter;
        tok.digits = all_digits && tok.has_digit && tok.fold.find('-') == std::string::npos;
        // All upper case: two letters or more, none of them lower case.
        if ((ascii_kinds & kLowerByte) == 0 && other_uppers == other_letters && any_letter) {
            std::size_t letters = other_letters;
            for (std::size_t k = tok.start; k < tok.end; ++k)
                if ((kAsciiClass[static_cast<unsigned char>(text[k])] & kLetterByte) != 0) ++letters;
            tok.upper = letters >= 2;
        }
        gap_kinds = 0;
    }
    tokens.resize(count);
}

namespace {

// Unaligned loads of 4 and 8 bytes.
inline std::uint64_t load64(const char* p) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline std::uint32_t load32(const char* p) noexcept {
    std::uint32_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline std::uint64_t mix(std::uint64_t x) noexcept {
    x *= 0x9E3779B97F4A7C15ULL;
    return x ^ (x >> 32U);  // the table indexes by the low bits: fold the high ones in
}

// Hash of a word, read 4 or 8 bytes at a time: a token costs a few
// multiplications, not one per byte (a byte-at-a-time FNV-1a was some 40%
// of the lexicon's instructions). Short words are read with two overlapping
// loads (first and last 4 or 8 bytes), which stay inside the word. Always
// inlined: it runs once per token, and the call was a good part of its cost.
[[gnu::always_inline]] inline std::uint32_t word_hash(std::string_view w) noexcept {
    const char* p = w.data();
    const std::size_t n = w.size();
    std::uint64_t h = mix(n + 1);
    if (n >= 8) {
        for (std::size_t k = 0; k + 8 < n; k += 8) h = mix(h ^ load64(p + k));
        h = mix(h ^ load64(p + n - 8));
    } else if (n >= 4) {
        h = mix(h ^ (load32(p) | static_cast<std::uint64_t>(load32(p + n - 4)) << 32U));
    } else if (n > 0) {
        h = mix(h ^ (static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) |
                     static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8U |
                     static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16U));
    }
    return static_cast<std::uint32_t>(h);
}

// a[0, n) == b[0, n), inline and with the same overlapping loads: the
// words compared here are short, and a memcmp call cost more than the compare.
bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    if (n >= 8) {
        for (std::size_t k = 0; k + 8 < n; k += 8)
            if (load64(a + k) != load64(b + k)) return false;
        return load64(a + n - 8) == load64(b + n - 8);
    }
    if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    for (std::size_t k = 0; k < n; ++k)
        if (a[k] != b[k]) return false;
    return true;
}

std::size_t first_two(std::string_view w) noexcept {
    return static_cast<std::size_t>(static_cast<unsigned char>(w[0])) << 8U | static_cast<unsigned char>(w[1]);
}

}  // namespace

void Lexicon::add(std::string_view word, std::uint32_t classes, std::uint16_t flags) {
    if (word.empty()) return;
    Entry& e = m_pending[std::string(word)];
    e.classes |= classes;
    e.flags |= flags;
}

void Lexicon::finish() {
    std::size_t capacity = 16;
    while (capacity < m_pending.size() * 2) capacity *= 2;
    m_slots.assign(capacity, Slot{});
    m_mask = capacity - 1;
    m_long.clear();
    for (const auto& [word, entry] : m_pending) {
        const std::uint32_t h = word_hash(word);
        std::size_t at = h & m_mask;
        while (m_slots[at].used != 0) at = (at + 1) & m_mask;
        Slot& slot = m_slots[at];
        slot.used = 1;
        slot.hash = h;
        slot.classes = entry.classes;
        slot.flags = entry.flags;
        if (word.size() <= kInline) {
            slot.size = static_cast<std::uint8_t>(word.size());
            std::copy(word.begin(), word.end(), slot.word);
        } else {
            slot.size = kLong;
            const auto index = static_cast<std::uint32_t>(m_long.size());
            std::memcpy(slot.word, &index, sizeof index);
            m_long.push_back(word);
        }
    }
    m_pending.clear();
}

void Lexicon::annotate(std::vector<Token>& tokens) const noexcept {
    if (m_slots.empty()) return;
    // The table is larger than the caches: hash a few tokens ahead and ask
    // for their slots early, so the probes below rarely wait on memory.
    constexpr std::size_t kAhead = 8;
    std::uint32_t hashes[kAhead] = {};
    const auto request = [&](std::size_t k) {
        const std::uint32_t h = word_hash(tokens[k].fold);
        hashes[k % kAhead] = h;
        __builtin_prefetch(&m_slots[h & m_mask]);
    };
    for (std::size_t k = 0; k < tokens.size() && k < kAhead; ++k) request(k);
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        Token& t = tokens[k];
        const std::string_view w = t.fold;
        const std::uint32_t h = hashes[k % kAhead];
        if (k + kAhead < tokens.size()) request(k + kAhead);
        for (std::size_t at = h & m_mask; m_slots[at].used != 0; at = (at + 1) & m_mask) {
            const Slot& slot = m_slots[at];
            if (slot.hash != h) continue;
            bool same = false;
            if (slot.size == kLong) {
                std::uint32_t index = 0;
                std::memcpy(&index, slot.word, sizeof index);
                same = m_long[index] == w;
            } else {
                same = slot.size == w.size() && same_bytes(slot.word, w.data(), w.size());
            }
            if (same) {
                t.classes = slot.classes;
                t.flags = slot.flags;
                break;
            }
        }
    }
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
    const std::string_view lead = e.words.front();
    const auto byte0 = static_cast<unsigned char>(lead[0]);
    if (lead.size() >= 2) {
        m_first_two.set(first_two(lead));
    } else {
        m_first_one.set(byte0);
        if (e.prefix)  // "x*" may start any two bytes that begin with x
            for (std::size_t b = 0; b < 256; ++b) {
                m_first_two.set(static_cast<std::size_t>(byte0) << 8U | b);
                m_prefix_two.set(static_cast<std::size_t>(byte0) << 8U | b);
            }
    }
    if (e.prefix && e.words.size() == 1) {
        m_prefix_storage.push_back(e.words.front());
        const std::string_view stored = m_prefix_storage.back();
        const std::size_t key = stored.size() >= 2 ? first_two(stored) : static_cast<std::size_t>(byte0) << 8U;
        if (stored.size() >= 2) m_prefix_two.set(key);
        if ((key & 0xFFU) == 0) m_prefix_one.set(byte0);  // an entry under the one-byte key
        const auto where = std::upper_bound(m_prefixes.begin(), m_prefixes.end(), std::make_pair(key, stored));
        m_prefixes.insert(where, {key, stored});
        return;
    }
    const std::string first = e.words.front();
    m_by_first[first].push_back(std::move(e));
}

std::size_t PhraseList::match_from(std::span<const Token> tokens, std::size_t i, std::uint16_t lead) const {
    std::size_t best = 0;
    const std::string& first = tokens[i].fold;
    // Most tokens start no entry: turn them away on their first bytes
    // before hashing.
    if (first.empty()) return 0;
    if (first.size() == 1 ? !m_first_one.test(static_cast<unsigned char>(first[0])) : !m_first_two.test(first_two(first)))
        return 0;
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
    if (lead != 0 && (tokens[i].flags & lead) == 0) {
        // Not the first word of any entry: only the prefixes below can match.
    } else if (auto it = m_by_first.find(first); it != m_by_first.end()) {
        for (const Entry& e : it->second)
            if (e.words.size() > best && entry_matches(e)) best = e.words.size();
    }
    if (best > 0) return best;
    // One-word prefixes: those of one byte, then those sharing the token's
    // first two bytes.
    const std::string_view word = first;
    const auto matches_from = [&](std::size_t key) {
        auto it = std::lower_bound(m_prefixes.begin(), m_prefixes.end(), key,
                                   [](const auto& entry, std::size_t k) { return entry.first < k; });
        for (; it != m_prefixes.end() && it->first == key; ++it)
            if (word.substr(0, it->second.size()) == it->second) return true;
        return false;
    };
    if (first.size() >= 2 && !m_prefix_two.test(first_two(first))) return 0;
    const std::size_t one = static_cast<std::size_t>(static_cast<unsigned char>(first[0])) << 8U;
    // The one-byte key holds only one-byte prefixes: most first bytes have
    // none, and the binary search is skipped.
    if (m_prefix_one.test(static_cast<unsigned char>(first[0])) && matches_from(one)) return 1;
    if (first.size() >= 2 && first_two(first) != one && matches_from(first_two(first))) return 1;
    return 0;
}

}  // namespace clearpost::compliance::detail
