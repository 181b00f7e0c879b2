#include "clearpost/text/count.h"

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uidna.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

#include "clearpost/text/utf8.h"

namespace clearpost::text {

namespace {

constexpr int kScale = 100;
constexpr int kDefaultWeight = 200;
constexpr int kUrlLength = 23;
constexpr int kMaxWeighted = 280;

struct WeightRange {
    char32_t start;
    char32_t end;
    int weight;
};
// twitter-text configuration v3 ranges.
constexpr std::array<WeightRange, 4> kRanges{{
    {0, 4351, 100}, {8192, 8205, 100}, {8208, 8223, 100}, {8242, 8247, 100}}};

int weight_of(char32_t cp) noexcept {
    for (const auto& r : kRanges)
        if (cp >= r.start && cp <= r.end) return r.weight;
    return kDefaultWeight;
}

// [0-9A-Za-z] by table: the URL scan asks it for nearly every byte.
constexpr std::array<bool, 256> kAsciiAlnum = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
    return table;
}();

bool ascii_alnum(char c) noexcept { return kAsciiAlnum[static_cast<unsigned char>(c)]; }
char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool istarts_with(std::string_view s, std::size_t pos, std::string_view prefix) noexcept {
    if (pos + prefix.size() > s.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (ascii_lower(s[pos + i]) != prefix[i]) return false;
    return true;
}

// Generic TLDs common enough in posts; any two-letter TLD is taken as a
// country code. The full IANA list is not shipped: a rare gTLD written
// without a scheme is not linked (and so counted by its characters).
constexpr std::array<std::string_view, 40> kGenericTlds{
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "io",
    "app", "dev", "xyz", "online", "site", "tech", "store", "blog", "news", "health",
    "care", "clinic", "hospital", "doctor", "dental", "pharmacy", "social", "media", "link", "live",
    "page", "shop", "club", "world", "life", "today", "org.uk", "co.uk", "museum", "travel"};
constexpr std::array<std::string_view, 5> kReservedTlds{"example", "test", "invalid", "localhost", "local"};

bool is_url_stop(char32_t cp) noexcept {
    if (cp <= 0x20 || cp == 0x7F) return true;
    if (cp == '<' || cp == '>' || cp == '"' || cp == '`' || cp == '{' || cp == '}' || cp == '|' || cp == '\\')
        return true;
    const auto type = u_charType(static_cast<UChar32>(cp));
    return u_isUWhiteSpace(static_cast<UChar32>(cp)) || type == U_FORMAT_CHAR || type == U_CONTROL_CHAR ||
           cp == 0xFFFD || cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019 || cp == 0x2026;
}

bool is_trailing_punct(char c) noexcept {
    return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' || c == ')' ||
           c == ']' || c == '*' || c == '_';
}

// End of the URL body that starts at `pos` (after the domain or scheme).
std::size_t url_body_end(std::string_view text, std::size_t pos) {
    while (pos < text.size()) {
        const Decoded d = decode_at(text, pos);
        if (!d.valid || is_url_stop(d.code_point)) break;
        pos += d.length;
    }
    return pos;
}

std::size_t trim_trailing(std::string_view text, std::size_t start, std::size_t end) {
    while (end > start) {
        const char c = text[end - 1];
        if (c == ')') {
            // Keep a closing parenthesis that balances one inside the URL.
            const auto body = text.substr(start, end - start);
            if (std::count(body.begin(), body.end(), '(') >= std::count(body.begin(), body.end(), ')')) break;
        }
        if (!is_trailing_punct(c)) break;
        --end;
    }
    return end;
}

bool tld_ok(std::string_view tld, UrlScope scope) {
    std::string lower;
    for (char c : tld) {
        if (!std::isalpha(static_cast<unsigned char>(c))) return false;
        lower.push_back(ascii_lower(c));
    }
    if (lower.size() == 2) return true;
    if (std::find(kGenericTlds.begin(), kGenericTlds.end(), lower) != kGenericTlds.end()) return true;
    return scope == UrlScope::AnyDomain &&
           std::find(kReservedTlds.begin(), kReservedTlds.end(), lower) != kReservedTlds.end();
}

// Latin letters with diacritics and combining accents: twitter-text lets them
// into bare domains and mentions must not stop in front of them.
bool is_latin_accent(char32_t cp) noexcept {
    return (cp >= 0xC0 && cp <= 0xD6) || (cp >= 0xD8 && cp <= 0xF6) || (cp >= 0xF8 && cp <= 0x24F) ||
           cp == 0x253 || cp == 0x254 || cp == 0x256 || cp == 0x257 || cp == 0x259 || cp == 0x25B ||
           cp == 0x263 || cp == 0x268 || cp == 0x26F || cp == 0x272 || cp == 0x289 || cp == 0x28B ||
           cp == 0x2BB || (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1E00 && cp <= 0x1EFF);
}

// Length of the Latin accent that starts at `pos`, or 0.
std::size_t latin_accent_at(std::string_view text, std::size_t pos) noexcept {
    if (pos >= text.size() || static_cast<unsigned char>(text[pos]) < 0x80U) return 0;
    const Decoded d = decode_at(text, pos);
    return d.valid && is_latin_accent(d.code_point) ? d.length : 0;
}

// A bare domain "label.label.tld" starting at `pos`; returns its end or npos.
std::size_t bare_domain_end(std::string_view text, std::size_t pos, UrlScope scope) {
    std::size_t i = pos;
    std::size_t labels = 0;
    std::size_t last_label_start = pos;
    while (true) {
        const std::size_t label_start = i;
        while (i < text.size()) {
            if (ascii_alnum(text[i]) || text[i] == '-') {
                ++i;
            } else if (const std::size_t accent = scope == UrlScope::PublicTlds ? latin_accent_at(text, i) : 0;
                       accent > 0) {
                i += accent;
            } else {
                break;
            }
        }
        if (i == label_start || text[label_start] == '-' || text[i - 1] == '-' || i - label_start > 63)
            return std::string_view::npos;
        ++labels;
        last_label_start = label_start;
        if (i + 1 < text.size() && text[i] == '.' && ascii_alnum(text[i + 1])) {
            ++i;
            continue;
        }
        break;
    }
    if (labels < 2) return std::string_view::npos;
    if (!tld_ok(text.substr(last_label_start, i - last_label_start), scope)) return std::string_view::npos;
    // Part of something else: an e-mail address ("john.doe.gov@mail.com",
    // and under twitter-text's rule "name.al+tag@host").
    if (i < text.size() && (text[i] == '@' || (scope == UrlScope::PublicTlds && text[i] == '+')))
        return std::string_view::npos;
    return i;
}

// A URL's host must be a valid domain name (UTS #46): no label over 63
// bytes once punycode-encoded, no empty label. twitter-text does not link
// a host that breaks this, so such a "URL" counts by its characters.
// ICU's UTS #46 mapper, opened once: it is immutable and safe to share
// between threads, and opening it costs more than converting a host.
const UIDNA* uts46() {
    static const UIDNA* const idna = [] {
        UErrorCode status = U_ZERO_ERROR;
        const UIDNA* opened = uidna_openUTS46(UIDNA_DEFAULT, &status);
        return U_FAILURE(status) ? nullptr : opened;
    }();
    return idna;
}

bool host_is_valid(std::string_view host) {
    if (host.empty()) return false;
    const UIDNA* idna = uts46();
    if (idna == nullptr) return true;
    UErrorCode status = U_ZERO_ERROR;
    std::string ascii(host.size() * 4 + 64, '\0');
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    uidna_nameToASCII_UTF8(idna, host.data(), static_cast<int32_t>(host.size()), ascii.data(),
                           static_cast<int32_t>(ascii.size()), &info, &status);
    if (U_FAILURE(status)) return false;
    constexpr uint32_t kFatal = UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG |
                                UIDNA_ERROR_DOMAIN_NAME_TOO_LONG | UIDNA_ERROR_PUNYCODE |
                                UIDNA_ERROR_INVALID_ACE_LABEL;
    return (info.errors & kFatal) == 0;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

// twitter-text's host rule: two labels or more, none starting or ending with
// '-' or '_', no '_' in the registrable name or the TLD, and a TLD of letters
// (two at least when ASCII) or punycode. The full IANA list is not shipped,
// so any such TLD is accepted after a scheme.
bool x_host_ok(std::string_view host) {
    std::vector<std::string_view> labels;
    for (std::size_t start = 0;;) {
        const std::size_t dot = host.find('.', start);
        labels.push_back(host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (labels.size() < 2) return false;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::string_view label = labels[i];
        if (label.empty()) return false;
        if (label.front() == '-' || label.front() == '_' || label.back() == '-' || label.back() == '_') return false;
        if (i + 2 >= labels.size() && label.find('_') != std::string_view::npos) return false;
    }
    const std::string_view tld = labels.back();
    if (tld.size() > 4 && iequals(tld.substr(0, 4), "xn--")) {
        if (!std::all_of(tld.begin(), tld.end(), [](char c) { return ascii_alnum(c) || c == '-'; })) return false;
    } else if (std::all_of(tld.begin(), tld.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80U; })) {
        if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }))
            return false;
    } else {
        for (std::size_t pos = 0; pos < tld.size();) {
            const Decoded d = decode_at(tld, pos);
            const auto cp = static_cast<UChar32>(d.code_point);
            if (!d.valid || !(u_isalpha(cp) || (U_GET_GC_MASK(cp) & U_GC_M_MASK) != 0)) return false;
            pos += d.length;
        }
    }
    return host_is_valid(host);
}

// Characters twitter-text allows in a URL's path and query: printable ASCII
// but for quotes and brackets of other kinds, Cyrillic, Latin accents and the
// en dash. Anything else (CJK, emoji, spaces) ends the URL.
bool x_path_char(char32_t cp) noexcept {
    if (cp < 0x80) {
        if (cp <= 0x20 || cp == 0x7F) return false;
        return cp != '<' && cp != '>' && cp != '"' && cp != '`' && cp != '{' && cp != '}' && cp != '\\' &&
               cp != '^';
    }
    return (cp >= 0x400 && cp <= 0x4FF) || is_latin_accent(cp) || cp == 0x2013;
}

// Drops trailing characters a URL cannot end with under twitter-text's rule
// (sentence punctuation, quotes, '*', '!'...), keeping a closing parenthesis
// that balances one inside the URL; never cuts below `floor`.
std::size_t x_trim(std::string_view text, std::size_t start, std::size_t floor, std::size_t end) {
    while (end > floor) {
        const auto c = static_cast<unsigned char>(text[end - 1]);
        if (c >= 0x80U || ascii_alnum(static_cast<char>(c))) break;
        if (c == '=' || c == '_' || c == '#' || c == '/' || c == '+' || c == '-' || c == '&') break;
        if (c == ')') {
            const auto body = text.substr(start, end - start);
            if (std::count(body.begin(), body.end(), '(') >= std::count(body.begin(), body.end(), ')')) break;
        }
        --end;
    }
    return end;
}

// The end of a twitter-text URL whose scheme starts at `pos` and host at
// `body`, or npos when it is not one.
std::size_t x_scheme_url_end(std::string_view text, std::size_t pos, std::size_t body) {
    const std::size_t n = text.size();
    std::size_t i = body;
    while (i < n) {
        const Decoded d = decode_at(text, i);
        if (!d.valid) break;
        const char32_t cp = d.code_point;
        if (cp < 0x80) {
            if (!(ascii_alnum(static_cast<char>(cp)) || cp == '-' || cp == '_' || cp == '.')) break;
        } else if (is_url_stop(cp) || u_ispunct(static_cast<UChar32>(cp))) {
            break;
        }
        i += d.length;
    }
    while (i > body && text[i - 1] == '.') --i;  // "http://example.com."
    std::string_view host = text.substr(body, i - body);
    if (const auto dot = host.rfind('.'); dot != std::string_view::npos && !tld_ok(host.substr(dot + 1), UrlScope::PublicTlds)) {
        // An unknown TLD: twitter-text settles for the longest host that ends
        // in a known TLD right before a non-ASCII character, as in
        // "http://example.comだよね.comtest" (the link is http://example.com).
        for (std::size_t cut = host.size(); cut-- > 1;) {
            if (static_cast<unsigned char>(host[cut]) < 0x80U) continue;
            const std::string_view prefix = host.substr(0, cut);
            const auto last_dot = prefix.rfind('.');
            if (last_dot != std::string_view::npos && tld_ok(prefix.substr(last_dot + 1), UrlScope::PublicTlds) &&
                x_host_ok(prefix)) {
                host = prefix;
                i = body + cut;
                break;
            }
        }
    }
    if (!x_host_ok(host)) return std::string_view::npos;
    if (iequals(host, "t.co")) {
        // t.co links: an alphanumeric slug of at most 40 and simple parameters.
        if (i + 1 < n && text[i] == '/' && ascii_alnum(text[i + 1])) {
            std::size_t j = i + 1;
            while (j < n && ascii_alnum(text[j])) ++j;
            if (j - i - 1 > 40) return std::string_view::npos;
            i = j;
            if (i + 1 < n && text[i] == '?') {
                j = i + 1;
                while (j < n && (ascii_alnum(text[j]) || text[j] == '=' || text[j] == '&' || text[j] == '#' || text[j] == '_'))
                    ++j;
                if (j > i + 1) i = j;
            }
        }
        return i;
    }
    if (i + 1 < n && text[i] == ':' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        ++i;
        while (i < n && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    }
    if (i < n && (text[i] == '/' || text[i] == '?' || text[i] == '#')) {
        const std::size_t host_end = i;
        while (i < n) {
            const Decoded d = decode_at(text, i);
            if (!d.valid || !x_path_char(d.code_point)) break;
            i += d.length;
        }
        i = x_trim(text, pos, host_end, i);
    }
    return i;
}

std::string_view host_of(std::string_view text, std::size_t body, std::size_t end) {
    std::size_t stop = body;
    while (stop < end && text[stop] != '/' && text[stop] != '?' && text[stop] != '#' && text[stop] != ':') ++stop;
    return text.substr(body, stop - body);
}

}  // namespace

std::string_view to_string(Network network) noexcept {
    switch (network) {
    case Network::X: return "x";
    case Network::Bluesky: return "bluesky";
    case Network::Mastodon: return "mastodon";
    case Network::LinkedIn: return "linkedin";
    case Network::Facebook: return "facebook";
    case Network::Instagram: return "instagram";
    case Network::Threads: return "threads";
    }
    return "unknown";
}

std::optional<Network> parse_network(std::string_view name) noexcept {
    std::string lower;
    for (char c : name) lower.push_back(ascii_lower(c));
    if (lower == "twitter") return Network::X;
    for (Network n : all_networks())
        if (lower == to_string(n)) return n;
    return std::nullopt;
}

const std::vector<Network>& all_networks() {
    static const std::vector<Network> networks{Network::X,        Network::Bluesky,   Network::Mastodon,
                                               Network::LinkedIn, Network::Facebook, Network::Instagram,
                                               Network::Threads};
    return networks;
}

std::size_t text_limit(Network network) noexcept {
    switch (network) {
    case Network::X: return 280;
    case Network::Bluesky: return 300;
    case Network::Mastodon: return 500;
    case Network::LinkedIn: return 3000;
    case Network::Facebook: return 63206;
    case Network::Instagram: return 2200;
    case Network::Threads: return 500;
    }
    return 0;
}

namespace {
// Whether `text` may hold a URL at all: a scheme link holds "://", and a bare
// domain has two labels or more, so a '.' followed by an ASCII letter or
// digit (bare_domain_end takes no other separator). Most posts have neither
// and skip the byte-by-byte scan below.
bool may_hold_url(std::string_view text) noexcept {
    for (std::size_t at = text.find('.'); at != std::string_view::npos; at = text.find('.', at + 1))
        if (at + 1 < text.size() && ascii_alnum(text[at + 1])) return true;
    return text.find("://") != std::string_view::npos;
}
}  // namespace

std::vector<Span> find_urls(std::string_view text, UrlScope scope) {
    std::vector<Span> urls;
    if (!may_hold_url(text)) return urls;
    const bool x_rule = scope == UrlScope::PublicTlds;
    std::size_t pos = 0;
    while (pos < text.size()) {
        // Not inside a word, a domain, a path or a mention; under
        // twitter-text's rule not in a hashtag or a cashtag either (the
        // compliance scopes stay wider: a link glued to a tag is still read).
        const char prev = pos == 0 ? ' ' : text[pos - 1];
        const bool boundary = !(ascii_alnum(prev) || prev == '@' || prev == '.' || prev == '-' || prev == '/' ||
                                (x_rule && (prev == '#' || prev == '$')));
        if (boundary && (text[pos] == 'h' || text[pos] == 'H') &&
            (istarts_with(text, pos, "https://") || istarts_with(text, pos, "http://"))) {
            const std::size_t body = pos + (istarts_with(text, pos, "https://") ? 8 : 7);
            if (x_rule) {
                const std::size_t end = x_scheme_url_end(text, pos, body);
                if (end != std::string_view::npos) {
                    urls.push_back({pos, end});
                    pos = end;
                    continue;
                }
            } else {
                std::size_t end = trim_trailing(text, pos, url_body_end(text, body));
                if (end > body && host_is_valid(host_of(text, body, end))) {
                    urls.push_back({pos, end});
                    pos = end;
                    continue;
                }
            }
        }
        if (scope != UrlScope::SchemeOnly && boundary && !(x_rule && prev == '_') && ascii_alnum(text[pos])) {
            // Most words are no domain: a word that is not followed by a dot
            // (or a Latin accent, which may continue a label) is skipped whole.
            std::size_t word_end = pos;
            while (word_end < text.size() && (ascii_alnum(text[word_end]) || text[word_end] == '-')) ++word_end;
            if (word_end == text.size() ||
                (text[word_end] != '.' && static_cast<unsigned char>(text[word_end]) < 0x80U)) {
                pos = word_end;
                continue;
            }
            const std::size_t dom_end = bare_domain_end(text, pos, scope);
            if (dom_end != std::string_view::npos) {
                std::size_t end = dom_end;
                if (end < text.size() && (text[end] == '/' || text[end] == '?' || text[end] == ':')) {
                    if (x_rule) {
                        while (end < text.size()) {
                            const Decoded d = decode_at(text, end);
                            if (!d.valid || !x_path_char(d.code_point)) break;
                            end += d.length;
                        }
                        end = x_trim(text, pos, dom_end, end);
                    } else {
                        end = trim_trailing(text, pos, url_body_end(text, end));
                    }
                }
                urls.push_back({pos, end});
                pos = end;
                continue;
            }
            // Skip the rest of this word so "a.b.c" is not re-scanned from its middle.
            while (pos < text.size() && (ascii_alnum(text[pos]) || text[pos] == '.' || text[pos] == '-')) ++pos;
            continue;
        }
        ++pos;
    }
    return urls;
}

namespace {
bool word_char_at(std::string_view text, std::size_t pos, std::size_t& len) {
    const Decoded d = decode_at(text, pos);
    len = d.length;
    if (!d.valid) return false;
    if (d.code_point == '_') return true;
    const auto cp = static_cast<UChar32>(d.code_point);
    return u_isalnum(cp) || u_getCombiningClass(cp) > 0 || u_charType(cp) == U_NON_SPACING_MARK;
}

bool prev_is_word(std::string_view text, std::size_t pos) {
    if (pos == 0) return false;
    std::size_t start = pos - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0U) == 0x80U) --start;
    std::size_t len = 0;
    return word_char_at(text, start, len) || text[pos - 1] == '&' || text[pos - 1] == '@' || text[pos - 1] == '#';
}
}  // namespace

namespace {
// twitter-text's hashtag characters: letters, marks, decimal digits and a few
// joiners and marks used inside words (underscore, ZWNJ/ZWJ, Hebrew geresh
// and gershayim, the Japanese iteration and prolonged-sound marks, the
// Tibetan tsheg, the middle dot, wave dashes).
bool hashtag_char(char32_t cp, bool& letter) noexcept {
    const auto c = static_cast<UChar32>(cp);
    if (u_isalpha(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0) {
        letter = true;
        return true;
    }
    if (u_charType(c) == U_DECIMAL_DIGIT_NUMBER) return true;
    switch (cp) {
    case U'_': case U'\u200C': case U'\u200D': case U'\uA67E': case U'\u05BE': case U'\u05F3':
    case U'\u05F4': case U'\uFF5E': case U'\u301C': case U'\u309B': case U'\u309C': case U'\u30A0':
    case U'\u30FB': case U'\u3003': case U'\u0F0B': case U'\u0F0C': case U'\u00B7':
        return true;
    default:
        return false;
    }
}

// Length of the '#' or '＃' at `pos`, or 0.
std::size_t hash_sign_at(std::string_view text, std::size_t pos) noexcept {
    if (pos < text.size() && text[pos] == '#') return 1;
    return text.substr(pos, 3) == "\xEF\xBC\x83" ? 3 : 0;
}

// Length of the '@' or '＠' at `pos`, or 0.
std::size_t at_sign_at(std::string_view text, std::size_t pos) noexcept {
    if (pos < text.size() && text[pos] == '@') return 1;
    return text.substr(pos, 3) == "\xEF\xBC\xA0" ? 3 : 0;
}

// The code point that ends right before byte `pos` (pos > 0).
char32_t previous_code_point(std::string_view text, std::size_t pos) noexcept {
    std::size_t start = pos - 1;
    while (start > 0 && pos - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0U) == 0x80U) --start;
    const Decoded d = decode_at(text, start);
    return d.valid && start + d.length == pos ? d.code_point : kReplacementCharacter;
}
}  // namespace

std::vector<Span> find_hashtags(std::string_view text) {
    std::vector<Span> tags;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t sign = hash_sign_at(text, pos);
        if (sign == 0) {
            ++pos;
            continue;
        }
        bool letter = false;
        if (pos > 0) {
            // After a word character or '&' the sign is part of something
            // else; after an emoji's variation selector it starts a tag.
            const char32_t prev = previous_code_point(text, pos);
            if (prev != 0xFE0E && prev != 0xFE0F && (prev == '&' || hashtag_char(prev, letter))) {
                pos += sign;
                continue;
            }
        }
        std::size_t end = pos + sign;
        letter = false;
        if (end < text.size()) {
            const char32_t next = decode_at(text, end).code_point;
            if (next == 0xFE0F || next == 0x20E3) {  // the keycap emoji #️⃣
                pos = end;
                continue;
            }
        }
        while (end < text.size()) {
            const Decoded d = decode_at(text, end);
            if (!d.valid || !hashtag_char(d.code_point, letter)) break;
            end += d.length;
        }
        // Digits alone are not a tag ("#16 bus"); a tag running into another
        // sign or a scheme ("#http://...") is none either.
        const bool runs_on = hash_sign_at(text, end) > 0 || text.substr(end, 3) == "://";
        if (end > pos + sign && letter && !runs_on) tags.push_back({pos, end});
        pos = end;
    }
    if (!tags.empty()) {
        // A '#' inside a link ("example.com/#section") starts no tag.
        const std::vector<Span> urls = find_urls(text, UrlScope::PublicTlds);
        std::erase_if(tags, [&](const Span& tag) {
            return std::any_of(urls.begin(), urls.end(),
                               [&](const Span& url) { return url.start < tag.end && tag.start < url.end; });
        });
    }
    return tags;
}

namespace {
// twitter-text's mentions: '@' or '＠' and 1 to 20 of [A-Za-z0-9_], not after
// a word character or one of !#$%&*@ (but after "RT" and "RT:"), and not when
// another '@', a Latin accent or "://" follows (an e-mail address, a name
// like "@aliceìnheiro", "@http://").
std::vector<Span> find_x_mentions(std::string_view text) {
    std::vector<Span> mentions;
    constexpr std::string_view kBlockedBefore = "!#$%&*@_";
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t sign = at_sign_at(text, pos);
        if (sign == 0) {
            ++pos;
            continue;
        }
        bool preceded_ok = true;
        if (pos > 0) {
            const char prev = text[pos - 1];
            const bool retweet = (prev == 't' || prev == 'T') && pos >= 2 && (text[pos - 2] == 'r' || text[pos - 2] == 'R') &&
                                 (pos == 2 || !(ascii_alnum(text[pos - 3]) || std::string_view("_+~.-").find(text[pos - 3]) !=
                                                                                     std::string_view::npos));
            if ((ascii_alnum(prev) || kBlockedBefore.find(prev) != std::string_view::npos) && !retweet)
                preceded_ok = false;
            if (pos >= 3 && at_sign_at(text, pos - 3) == 3) preceded_ok = false;
        }
        std::size_t end = pos + sign;
        while (end < text.size() && end - pos - sign < 20 && (ascii_alnum(text[end]) || text[end] == '_')) ++end;
        if (end == pos + sign) {
            pos += sign;
            continue;
        }
        const bool runs_on =
            at_sign_at(text, end) > 0 || latin_accent_at(text, end) > 0 || text.substr(end, 3) == "://";
        if (preceded_ok && !runs_on) mentions.push_back({pos, end});
        pos = end;
    }
    return mentions;
}
}  // namespace

std::vector<Span> find_mentions(std::string_view text, MentionRule rule) {
    if (rule == MentionRule::X) return find_x_mentions(text);
    std::vector<Span> mentions;
    for (std::size_t pos = text.find('@'); pos < text.size(); pos = text.find('@', pos + 1)) {
        if (prev_is_word(text, pos)) continue;
        if (pos > 0 && text[pos - 1] == '.') continue;
        std::size_t end = pos + 1;
        while (end < text.size() && (ascii_alnum(text[end]) || text[end] == '_' ||
                                     (text[end] == '.' && end + 1 < text.size() && ascii_alnum(text[end + 1]))))
            ++end;
        if (end == pos + 1) continue;
        // A remote mention: @user@host.tld
        if (end + 1 < text.size() && text[end] == '@') {
            const std::size_t host_end = bare_domain_end(text, end + 1, UrlScope::AnyDomain);
            if (host_end != std::string_view::npos) end = host_end;
        }
        mentions.push_back({pos, end});
        pos = end - 1;
    }
    return mentions;
}

namespace {
struct BreakIteratorCloser {
    void operator()(UBreakIterator* it) const noexcept { ubrk_close(it); }
};

// Calls fn(start, end) for each grapheme cluster of valid UTF-8 `text`.
template <typename Fn>
void for_each_grapheme(std::string_view text, Fn&& fn) {
    if (text.empty()) return;
    UErrorCode status = U_ZERO_ERROR;
    UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
    std::unique_ptr<UBreakIterator, BreakIteratorCloser> it(ubrk_open(UBRK_CHARACTER, nullptr, nullptr, 0, &status));
    if (U_FAILURE(status) || !it) {
        utext_close(ut);
        // Without ICU data, fall back to one cluster per code point.
        for (std::size_t pos = 0; pos < text.size();) {
            const std::size_t len = decode_at(text, pos).length;
            fn(pos, pos + len);
            pos += len;
        }
        return;
    }
    ubrk_setUText(it.get(), ut, &status);
    int32_t start = ubrk_first(it.get());
    for (int32_t end = ubrk_next(it.get()); end != UBRK_DONE; start = end, end = ubrk_next(it.get()))
        fn(static_cast<std::size_t>(start), static_cast<std::size_t>(end));
    utext_close(ut);
}

std::string nfc(std::string_view text) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* norm = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status)) return std::string(text);
    std::u16string utf16(text.size() + 1, u'\0');
    int32_t len16 = 0;
    u_strFromUTF8WithSub(utf16.data(), static_cast<int32_t>(utf16.size()), &len16, text.data(),
                         static_cast<int32_t>(text.size()), 0xFFFD, nullptr, &status);
    if (U_FAILURE(status)) return std::string(text);
    utf16.resize(static_cast<std::size_t>(len16));
    std::u16string normalized(utf16.size() * 3 + 1, u'\0');
    const int32_t nlen = unorm2_normalize(norm, utf16.data(), len16, normalized.data(),
                                          static_cast<int32_t>(normalized.size()), &status);
    if (U_FAILURE(status)) return std::string(text);
    std::string out;
    for (int32_t i = 0; i < nlen;) {
        UChar32 cp = 0;
        U16_NEXT(normalized.data(), i, nlen, cp);
        append_utf8(out, static_cast<char32_t>(cp));
    }
    return out;
}

bool is_emoji_cluster(std::string_view cluster) {
    const Decoded first = decode_at(cluster, 0);
    if (!first.valid) return false;
    const auto cp = static_cast<UChar32>(first.code_point);
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF) return true;  // regional indicators (flags)
    bool has_vs16 = false;
    bool has_keycap = false;
    for (std::size_t pos = first.length; pos < cluster.size();) {
        const Decoded d = decode_at(cluster, pos);
        has_vs16 = has_vs16 || d.code_point == 0xFE0F;
        has_keycap = has_keycap || d.code_point == 0x20E3;
        pos += d.length;
    }
    if (has_keycap) return true;
    if (!u_hasBinaryProperty(cp, UCHAR_EXTENDED_PICTOGRAPHIC)) return false;
    return u_hasBinaryProperty(cp, UCHAR_EMOJI_PRESENTATION) || has_vs16 || cp > 0xFF;
}

}  // namespace

std::size_t grapheme_count(std::string_view text) {
    std::size_t count = 0;
    std::size_t pos = 0;
    // ICU would fold invalid bytes into U+FFFD clusters; count valid runs with
    // ICU and each invalid sequence as one.
    while (pos < text.size()) {
        std::size_t run_end = pos;
        while (run_end < text.size()) {
            const Decoded d = decode_at(text, run_end);
            if (!d.valid) break;
            run_end += d.length;
        }
        for_each_grapheme(text.substr(pos, run_end - pos), [&](std::size_t, std::size_t) { ++count; });
        if (run_end < text.size()) {
            ++count;
            run_end += decode_at(text, run_end).length;
        }
        pos = run_end;
    }
    return count;
}

WeightedLength twitter_weighted_length(std::string_view raw) {
    const std::string text = nfc(raw);
    const std::vector<Span> urls = find_urls(text, UrlScope::PublicTlds);
    long total = 0;
    bool invalid_char = !is_valid_utf8(raw);
    std::size_t url_index = 0;
    for_each_grapheme(text, [&](std::size_t start, std::size_t end) {
        while (url_index < urls.size() && urls[url_index].end <= start) ++url_index;
        if (url_index < urls.size() && start >= urls[url_index].start) {
            if (start == urls[url_index].start) total += static_cast<long>(kUrlLength) * kScale;
            return;
        }
        const std::string_view cluster = std::string_view(text).substr(start, end - start);
        for (std::size_t pos = 0; pos < cluster.size();) {
            const Decoded d = decode_at(cluster, pos);
            if (d.code_point == 0xFFFE || d.code_point == 0xFFFF || d.code_point == 0xFEFF) invalid_char = true;
            pos += d.length;
        }
        if (is_emoji_cluster(cluster)) {
            total += kDefaultWeight;
            return;
        }
        for (std::size_t pos = 0; pos < cluster.size();) {
            const Decoded d = decode_at(cluster, pos);
            total += weight_of(d.code_point);
            pos += d.length;
        }
    });
    WeightedLength out;
    out.weighted_length = static_cast<int>(total / kScale);
    out.permillage = static_cast<int>(total * 1000 / (static_cast<long>(kMaxWeighted) * kScale));
    out.valid = !text.empty() && !invalid_char && out.weighted_length <= kMaxWeighted;
    return out;
}

TextLength measure(Network network, std::string_view text) {
    TextLength out;
    out.network = network;
    out.limit = text_limit(network);
    out.hashtags = find_hashtags(text).size();
    switch (network) {
    case Network::X:
        out.length = static_cast<std::size_t>(twitter_weighted_length(text).weighted_length);
        break;
    case Network::Bluesky:
        out.length = grapheme_count(text);
        break;
    case Network::Mastodon: {
        std::size_t length = code_point_count(text);
        for (const Span& url : find_urls(text, UrlScope::SchemeOnly))
            length = length - code_point_count(text.substr(url.start, url.end - url.start)) + kUrlLength;
        for (const Span& m : find_mentions(text)) {
            const auto mention = text.substr(m.start, m.end - m.start);
            const auto second_at = mention.find('@', 1);
            if (second_at != std::string_view::npos) length -= code_point_count(mention.substr(second_at));
        }
        out.length = length;
        break;
    }
    case Network::LinkedIn:
    case Network::Facebook:
    case Network::Instagram:
    case Network::Threads:
        out.length = code_point_count(text);
        break;
    }
    return out;
}

}  // namespace clearpost::text
