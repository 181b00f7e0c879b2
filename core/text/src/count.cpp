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

bool ascii_alnum(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
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

// A bare domain "label.label.tld" starting at `pos`; returns its end or npos.
std::size_t bare_domain_end(std::string_view text, std::size_t pos, UrlScope scope) {
    std::size_t i = pos;
    std::size_t labels = 0;
    std::size_t last_label_start = pos;
    while (true) {
        const std::size_t label_start = i;
        while (i < text.size() && (ascii_alnum(text[i]) || text[i] == '-')) ++i;
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
    if (i < text.size() && text[i] == '@') return std::string_view::npos;  // part of something else
    return i;
}

// A URL's host must be a valid domain name (UTS #46): no label over 63
// bytes once punycode-encoded, no empty label. twitter-text does not link
// a host that breaks this, so such a "URL" counts by its characters.
bool host_is_valid(std::string_view host) {
    if (host.empty()) return false;
    UErrorCode status = U_ZERO_ERROR;
    UIDNA* idna = uidna_openUTS46(UIDNA_DEFAULT, &status);
    if (U_FAILURE(status)) return true;
    std::string ascii(host.size() * 4 + 64, '\0');
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    uidna_nameToASCII_UTF8(idna, host.data(), static_cast<int32_t>(host.size()), ascii.data(),
                           static_cast<int32_t>(ascii.size()), &info, &status);
    uidna_close(idna);
    if (U_FAILURE(status)) return false;
    constexpr uint32_t kFatal = UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG | UIDNA_ERROR_DOMAIN_NAME_TOO_LONG;
    return (info.errors & kFatal) == 0;
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

std::vector<Span> find_urls(std::string_view text, UrlScope scope) {
    std::vector<Span> urls;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const bool boundary = pos == 0 || !(ascii_alnum(text[pos - 1]) || text[pos - 1] == '@' ||
                                            text[pos - 1] == '.' || text[pos - 1] == '-' || text[pos - 1] == '/');
        if (boundary && (istarts_with(text, pos, "https://") || istarts_with(text, pos, "http://"))) {
            const std::size_t body = pos + (istarts_with(text, pos, "https://") ? 8 : 7);
            std::size_t end = trim_trailing(text, pos, url_body_end(text, body));
            if (end > body && host_is_valid(host_of(text, body, end))) {
                urls.push_back({pos, end});
                pos = end;
                continue;
            }
        }
        if (scope != UrlScope::SchemeOnly && boundary && ascii_alnum(text[pos])) {
            const std::size_t dom_end = bare_domain_end(text, pos, scope);
            if (dom_end != std::string_view::npos) {
                std::size_t end = dom_end;
                if (end < text.size() && (text[end] == '/' || text[end] == '?' || text[end] == ':'))
                    end = trim_trailing(text, pos, url_body_end(text, end));
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

std::vector<Span> find_hashtags(std::string_view text) {
    std::vector<Span> tags;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        if (text[pos] != '#' || prev_is_word(text, pos)) continue;
        std::size_t end = pos + 1;
        bool has_non_digit = false;
        std::size_t len = 0;
        while (end < text.size() && word_char_at(text, end, len)) {
            if (!std::isdigit(static_cast<unsigned char>(text[end]))) has_non_digit = true;
            end += len;
        }
        if (end > pos + 1 && has_non_digit) {
            tags.push_back({pos, end});
            pos = end - 1;
        }
    }
    return tags;
}

std::vector<Span> find_mentions(std::string_view text) {
    std::vector<Span> mentions;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        if (text[pos] != '@' || prev_is_word(text, pos)) continue;
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
