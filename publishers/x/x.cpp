// X publisher: posts through the X API v2 with the account's OAuth 2.0 user
// token, images through the v2 media upload with their alt text, texts over
// 280 weighted characters as a reply chain, and, since X honours no
// idempotency key, the account's own timeline read to settle an attempt
// whose answer was lost.
//
// Built only against the publisher SDK (and ICU, for X's text counting), as
// any third-party plugin would be. API reference: docs.x.com
// (x-api/posts/manage-tweets, x-api/media, x-api/users/lookup,
// x-api/posts/timelines, fundamentals/authentication/oauth-2-0,
// x-api/fundamentals/rate-limits, x-api/fundamentals/response-codes-and-errors,
// fundamentals/counting-characters, x-api/fundamentals/metrics).
//
// Credentials document:
//   "access_token"   OAuth 2.0 user token (lives 2 hours)
//   "refresh_token"  single-use: every refresh returns a new one
//   "expires_at"     when the access token runs out (unix seconds)
//   "client_id"      the organisation's X app ("Native App": a public client)
//   "client_secret"  only for an app registered as a confidential client
//   "api_url"        base of the API; absent: https://api.x.com
//   "user_id", "username"  who signed in, set by authorize_complete

#include <clearpost/publisher.hpp>
#include <oauth_refresh.hpp>
#include <web.hpp>

#include <unicode/uchar.h>
#include <unicode/uidna.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using clearpost::sdk::Host;
using clearpost::sdk::json;
using clearpost::sdk::OpResult;
using clearpost::sdk::join;
using clearpost::sdk::web::string_field;

// rate_limits: POST /2/tweets allows 100 requests per 15 minutes per user
// (x-api/fundamentals/rate-limits), 400 an hour. Every part of a thread is
// one request while the host counts one post, so 100 posts an hour leaves
// room for threads of four parts. No daily budget is declared: the old Free
// tier's 17 posts a day no longer applies to pay-per-use apps, and an app
// that still has such a cap gets a 429 whose x-rate-limit-reset holds the
// account until the day turns, without a budget here.
// oauth: X wants the exact registered callback (fundamentals/developer-apps:
// no port is left open), so the port is fixed; the organisation registers
// http://127.0.0.1:8977/callback in its app. Disconnecting revokes the
// grant at /2/oauth2/revoke (RFC 7009, client_id for a public client; ⚠ from
// X's OAuth 2.0 guide, not in the reference).
constexpr const char* kCapabilities = R"({
  "network": "x", "display_name": "X",
  "text": {"limit": 280, "counting": "twitter-text-v3", "url_length": 23},
  "media": {"max_images": 4, "max_bytes": 5242880, "alt_text": true, "max_alt_length": 1000,
            "types": ["image/jpeg", "image/png", "image/gif", "image/webp"]},
  "threads": true, "native_scheduling": false, "metrics": true, "account_metrics": true,
  "idempotency": "lookup",
  "rate_limits": {"posts_per_hour": 100},
  "oauth": {"authorize_url": "https://x.com/i/oauth2/authorize",
            "token_url": "https://api.x.com/2/oauth2/token",
            "revocation_url": "https://api.x.com/2/oauth2/revoke",
            "scopes": ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access"],
            "client_auth": "none", "redirect_port": 8977, "redirect_path": "/callback",
            "needs_client_secret": false, "extra_params": {}}
})";

constexpr const char* kProductionApi = "https://api.x.com";
constexpr int kPartLimit = 280;               // weighted characters (twitter-text config v3)
constexpr std::size_t kMaxParts = 25;         // ⚠ X's own composer stops threads at 25 posts
constexpr std::size_t kMaxImages = 4;         // media.media_ids takes 1-4 items
constexpr std::size_t kMaxImageBytes = 5'242'880;  // x-api/media: images up to 5 MB
constexpr std::size_t kMaxAltLength = 1000;   // POST /2/media/metadata alt_text.text
constexpr std::int64_t kClockSkewMs = 5 * 60 * 1000;  // lookup: X's clock may differ this much
constexpr int kTimelinePages = 10;            // of 100 posts each (the timeline's max_results)
constexpr std::size_t kMetricsBatch = 100;    // GET /2/tweets takes up to 100 ids
constexpr std::int64_t kSnowflakeEpochMs = 1'288'834'974'657;  // the time X's ids count from

const clearpost::sdk::MediaLimits kMediaLimits{"X", kMaxImages, kMaxImageBytes,
                                               {"image/jpeg", "image/png", "image/gif", "image/webp"},
                                               "X takes JPEG, PNG, GIF and WebP images",
                                               kMaxAltLength};

// ---------------------------------------------------------------------------
// Counting as X does (fundamentals/counting-characters; twitter-text
// config/v3.json): the text in NFC; code points in four ranges weigh 1 and
// every other 2; an emoji sequence weighs 2 however many code points it
// has; a link weighs 23 whatever its length.

bool ascii_alnum(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char32_t ascii_lower(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// `text` in NFC as code points; `lossy` when it held bytes that are not UTF-8.
std::u32string nfc(std::string_view text, bool& lossy) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = 0;
    int32_t substituted = 0;
    const auto size = static_cast<int32_t>(text.size());
    u_strFromUTF8WithSub(nullptr, 0, &length, text.data(), size, 0xFFFD, &substituted, &status);
    std::u16string utf16(static_cast<std::size_t>(length), u'\0');
    status = U_ZERO_ERROR;
    u_strFromUTF8WithSub(utf16.data(), length, &length, text.data(), size, 0xFFFD, &substituted, &status);
    lossy = substituted > 0;
    const UNormalizer2* normalizer = unorm2_getNFCInstance(&status);
    std::u16string normal(utf16.size() * 3 + 1, u'\0');  // NFC grows a text at most threefold
    const int32_t n = U_SUCCESS(status) ? unorm2_normalize(normalizer, utf16.data(), length, normal.data(),
                                                          static_cast<int32_t>(normal.size()), &status)
                                        : 0;
    const std::u16string& source = U_SUCCESS(status) ? normal : utf16;
    const int32_t end = U_SUCCESS(status) ? n : length;
    std::u32string out;
    for (int32_t i = 0; i < end;) {
        UChar32 cp = 0;
        U16_NEXT(source.data(), i, end, cp);
        out.push_back(static_cast<char32_t>(cp));
    }
    return out;
}

std::string nfc_utf8(std::string_view text) {
    bool lossy = false;
    std::string out;
    for (char32_t cp : nfc(text, lossy)) clearpost::sdk::web::append_utf8(out, cp);
    return out;
}

struct Span {
    std::size_t start = 0;
    std::size_t end = 0;
};

bool latin_accent(char32_t c) {
    return (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x24F) ||
           (c >= 0x300 && c <= 0x36F) || (c >= 0x1E00 && c <= 0x1EFF);
}

// A character of a host name: ASCII letters, digits, '-', '_', or any letter,
// mark or digit of another script (internationalised names).
bool host_char(char32_t c) {
    if (c < 0x80) return ascii_alnum(c) || c == '-' || c == '_';
    const auto cp = static_cast<UChar32>(c);
    return u_isalnum(cp) || (U_GET_GC_MASK(cp) & U_GC_M_MASK) != 0;
}

// Characters twitter-text keeps in a link's path and query.
bool path_char(char32_t c) {
    if (c < 0x80) return c > 0x20 && c != 0x7F && std::u32string_view(U"<>\"`{}\\^").find(c) == std::u32string_view::npos;
    return (c >= 0x400 && c <= 0x4FF) || latin_accent(c) || c == 0x2013;
}

// Characters a link may end with; anything else at its end (sentence
// punctuation, quotes) is left outside it.
bool path_end_char(char32_t c) {
    if (c < 0x80) return ascii_alnum(c) || std::u32string_view(U"=_#/+-&").find(c) != std::u32string_view::npos;
    return (c >= 0x400 && c <= 0x4FF) || latin_accent(c);
}

// Top-level domains X links without a scheme, besides every two-letter
// country code. ⚠ X links every IANA TLD; this list holds the usual ones and
// those of health organisations. A link under another TLD written without
// "https://" is counted by its characters, which is more than 23 unless the
// name is very short, so a thread part never ends up too long on that account.
constexpr std::array<std::u32string_view, 36> kTlds{
    U"com", U"org", U"net", U"edu", U"gov", U"mil", U"int", U"info", U"biz", U"io", U"co", U"app",
    U"dev", U"health", U"care", U"clinic", U"hospital", U"doctor", U"dental", U"healthcare", U"pharmacy",
    U"med", U"nhs", U"online", U"site", U"news", U"blog", U"social", U"media", U"link", U"page", U"live",
    U"life", U"world", U"today", U"xyz"};

bool known_tld(std::u32string_view tld) {
    std::u32string lower;
    for (char32_t c : tld) {
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) return false;
        lower.push_back(ascii_lower(c));
    }
    return lower.size() == 2 || std::find(kTlds.begin(), kTlds.end(), lower) != kTlds.end();
}

// ICU's UTS #46 mapper, opened once (immutable, shared between threads).
const UIDNA* uts46() {
    static const UIDNA* const idna = [] {
        UErrorCode status = U_ZERO_ERROR;
        const UIDNA* opened = uidna_openUTS46(UIDNA_DEFAULT, &status);
        return U_FAILURE(status) ? nullptr : opened;
    }();
    return idna;
}

// A host X links: two labels or more, none empty or starting or ending with
// '-' or '_', a top-level domain of letters (punycode "xn--" too), and a
// valid IDNA name, so no label longer than 63 bytes once punycode-encoded
// (twitter-text's conformance cases on long and CJK hosts).
bool valid_host(std::u32string_view host, bool with_scheme) {
    std::vector<std::u32string_view> labels;
    for (std::size_t start = 0;;) {
        const std::size_t dot = host.find('.', start);
        labels.push_back(host.substr(start, dot == std::u32string_view::npos ? dot : dot - start));
        if (dot == std::u32string_view::npos) break;
        start = dot + 1;
    }
    if (labels.size() < 2) return false;
    for (const auto& label : labels) {
        if (label.empty() || label.front() == '-' || label.front() == '_' || label.back() == '-' || label.back() == '_')
            return false;
        if (!with_scheme && !std::all_of(label.begin(), label.end(), [](char32_t c) { return c < 0x80; })) return false;
    }
    const std::u32string_view tld = labels.back();
    const bool ascii = std::all_of(tld.begin(), tld.end(), [](char32_t c) { return c < 0x80; });
    if (!with_scheme) {
        if (!known_tld(tld)) return false;
    } else if (ascii) {
        const bool punycode = tld.size() > 4 && ascii_lower(tld[0]) == 'x' && ascii_lower(tld[1]) == 'n' && tld[2] == '-' && tld[3] == '-';
        if (!punycode && (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), [](char32_t c) {
                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            })))
            return false;
    } else if (!std::all_of(tld.begin(), tld.end(), [](char32_t c) {
                   const auto cp = static_cast<UChar32>(c);
                   return u_isalpha(cp) || (U_GET_GC_MASK(cp) & U_GC_M_MASK) != 0;
               })) {
        return false;
    }
    const UIDNA* idna = uts46();
    if (!idna) return true;
    std::u16string utf16;
    for (char32_t c : host) {
        if (c < 0x10000) {
            utf16.push_back(static_cast<char16_t>(c));
        } else {
            utf16.push_back(static_cast<char16_t>(0xD7C0 + (c >> 10)));
            utf16.push_back(static_cast<char16_t>(0xDC00 | (c & 0x3FF)));
        }
    }
    std::u16string ascii_name(utf16.size() * 4 + 64, u'\0');
    UErrorCode status = U_ZERO_ERROR;
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    uidna_nameToASCII(idna, utf16.data(), static_cast<int32_t>(utf16.size()), ascii_name.data(),
                      static_cast<int32_t>(ascii_name.size()), &info, &status);
    constexpr uint32_t kFatal = UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG | UIDNA_ERROR_DOMAIN_NAME_TOO_LONG |
                                UIDNA_ERROR_PUNYCODE | UIDNA_ERROR_INVALID_ACE_LABEL;
    return U_SUCCESS(status) && (info.errors & kFatal) == 0;
}

// The end of the port and path that follow a host ending at `i`.
std::size_t link_tail(const std::u32string& s, std::size_t i) {
    if (i + 1 < s.size() && s[i] == ':' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    }
    if (i >= s.size() || (s[i] != '/' && s[i] != '?' && s[i] != '#')) return i;
    const std::size_t path = i;
    while (i < s.size() && path_char(s[i])) ++i;
    while (i > path) {
        const char32_t c = s[i - 1];
        if (c == ')') {
            // A closing parenthesis stays when it closes one inside the link.
            const auto body = std::u32string_view(s).substr(path, i - path);
            if (std::count(body.begin(), body.end(), U'(') >= std::count(body.begin(), body.end(), U')')) break;
        } else if (path_end_char(c)) {
            break;
        }
        --i;
    }
    return i;
}

// The links X would shorten to t.co: http(s) URLs and, without a scheme,
// names under a known TLD (a two-letter country code only with a path, as
// twitter-text does, except .co and .tv), not inside an e-mail address.
std::vector<Span> find_links(const std::u32string& s) {
    std::vector<Span> out;
    auto scheme_at = [&](std::size_t i) -> std::size_t {
        for (std::u32string_view scheme : {std::u32string_view(U"https://"), std::u32string_view(U"http://")}) {
            if (i + scheme.size() > s.size()) continue;
            bool same = true;
            for (std::size_t k = 0; k < scheme.size() && same; ++k) same = ascii_lower(s[i + k]) == scheme[k];
            if (same) return scheme.size();
        }
        return 0;
    };
    for (std::size_t i = 0; i < s.size();) {
        const char32_t before = i > 0 ? s[i - 1] : U' ';
        const bool may_start = !ascii_alnum(before) && std::u32string_view(U"@\uFF20$#\uFF03").find(before) == std::u32string_view::npos;
        const std::size_t scheme = may_start ? scheme_at(i) : 0;
        if (scheme > 0) {
            std::size_t end = i + scheme;
            while (end < s.size() && (host_char(s[end]) || s[end] == '.')) ++end;
            while (end > i + scheme && s[end - 1] == '.') --end;
            if (valid_host(std::u32string_view(s).substr(i + scheme, end - i - scheme), true)) {
                end = link_tail(s, end);
                out.push_back({i, end});
                i = end;
                continue;
            }
        } else if (may_start && std::u32string_view(U"-_./").find(before) == std::u32string_view::npos && ascii_alnum(s[i])) {
            std::size_t end = i;
            while (end < s.size() && (ascii_alnum(s[end]) || s[end] == '-' || s[end] == '_' ||
                                      (s[end] == '.' && end + 1 < s.size() && ascii_alnum(s[end + 1]))))
                ++end;
            const auto host = std::u32string_view(s).substr(i, end - i);
            const auto tld = host.substr(host.rfind('.') == std::u32string_view::npos ? 0 : host.rfind('.') + 1);
            const bool has_path = end < s.size() && s[end] == '/';
            const bool short_ok = tld.size() != 2 || has_path || (ascii_lower(tld[0]) == 'c' && ascii_lower(tld[1]) == 'o') ||
                                  (ascii_lower(tld[0]) == 't' && ascii_lower(tld[1]) == 'v');
            const bool mail = end < s.size() && (s[end] == '@' || s[end] == '+');
            if (host.find('.') != std::u32string_view::npos && !mail && short_ok && valid_host(host, false)) {
                end = link_tail(s, end);
                out.push_back({i, end});
                i = end;
                continue;
            }
            i = std::max(end, i + 1);
            continue;
        }
        ++i;
    }
    return out;
}

int weight_of(char32_t c) {
    return (c <= 0x10FF || (c >= 0x2000 && c <= 0x200D) || (c >= 0x2010 && c <= 0x201F) || (c >= 0x2032 && c <= 0x2037))
               ? 100
               : 200;
}

bool pictographic(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EXTENDED_PICTOGRAPHIC); }

// The number of code points of the emoji sequence starting at `i` (flags,
// keycaps, modifiers, ZWJ sequences, tag sequences), or 0 when none does.
// A lone © or ® stays a text character, as twemoji reads it.
std::size_t emoji_at(const std::u32string& s, std::size_t i) {
    const char32_t c = s[i];
    auto regional = [](char32_t r) { return r >= 0x1F1E6 && r <= 0x1F1FF; };
    if (regional(c)) return i + 1 < s.size() && regional(s[i + 1]) ? 2 : 1;
    if ((c >= '0' && c <= '9') || c == '#' || c == '*') {
        std::size_t j = i + 1;
        if (j < s.size() && s[j] == 0xFE0F) ++j;
        return j < s.size() && s[j] == 0x20E3 ? j + 1 - i : 0;
    }
    if (!pictographic(c)) return 0;
    std::size_t j = i + 1;
    for (;;) {
        while (j < s.size() && (s[j] == 0xFE0F || s[j] == 0x20E3 ||
                                u_hasBinaryProperty(static_cast<UChar32>(s[j]), UCHAR_EMOJI_MODIFIER) ||
                                (s[j] >= 0xE0020 && s[j] <= 0xE007F)))
            ++j;
        if (j + 1 < s.size() && s[j] == 0x200D && pictographic(s[j + 1])) {
            j += 2;
            continue;
        }
        break;
    }
    return j == i + 1 && c <= 0xFF ? 0 : j - i;
}

struct Weighed {
    int length = 0;          // weighted characters
    bool refused = false;    // holds characters X refuses (U+FFFE, U+FEFF, U+FFFF, or bytes not UTF-8)
};

Weighed weigh(std::string_view text) {
    Weighed out;
    const std::u32string s = nfc(text, out.refused);
    const auto links = find_links(s);
    long total = static_cast<long>(links.size()) * 23 * 100;
    std::size_t next_link = 0;
    for (std::size_t i = 0; i < s.size();) {
        if (next_link < links.size() && i >= links[next_link].start) {
            i = links[next_link++].end;
            continue;
        }
        if (s[i] == 0xFFFE || s[i] == 0xFEFF || s[i] == 0xFFFF) out.refused = true;
        if (const std::size_t emoji = emoji_at(s, i); emoji > 0) {
            total += 200;
            i += emoji;
            continue;
        }
        total += weight_of(s[i++]);
    }
    out.length = static_cast<int>(total / 100);
    return out;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

std::size_t utf8_length(char lead) {
    const auto c = static_cast<unsigned char>(lead);
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

// Splits a text into posts of at most 280 by X's counting, at white space
// (dropped at each break; line breaks inside a part stay). A word longer
// than a whole post is cut between code points.
std::vector<std::string> split_thread(const std::string& text) {
    std::vector<std::string> parts;
    std::string current;
    std::size_t i = 0;
    while (i < text.size() && is_space(text[i])) ++i;
    while (i < text.size()) {
        std::size_t word_end = i;
        while (word_end < text.size() && !is_space(text[word_end])) ++word_end;
        std::string word = text.substr(i, word_end - i);
        std::size_t gap_end = word_end;
        while (gap_end < text.size() && is_space(text[gap_end])) ++gap_end;
        const std::string gap = text.substr(word_end, gap_end - word_end);
        i = gap_end;
        if (!current.empty() && weigh(current + word).length <= kPartLimit) {
            current += word;
        } else {
            if (!current.empty()) {
                while (!current.empty() && is_space(current.back())) current.pop_back();
                parts.push_back(std::move(current));
                current.clear();
            }
            while (weigh(word).length > kPartLimit) {
                std::size_t cut = 0;
                while (cut < word.size()) {
                    const std::size_t next = cut + utf8_length(word[cut]);
                    if (weigh(word.substr(0, next)).length > kPartLimit) break;
                    cut = next;
                }
                parts.push_back(word.substr(0, cut));
                word.erase(0, cut);
            }
            current = std::move(word);
        }
        current += gap;
    }
    while (!current.empty() && is_space(current.back())) current.pop_back();
    if (!current.empty() || parts.empty()) parts.push_back(std::move(current));
    return parts;
}

// ---------------------------------------------------------------------------
// Times and texts as the API gives them.

// ISO 8601 as X's start_time takes it ("2026-01-15T10:00:00Z").
std::string iso8601(std::int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

// A post's text as it was written: X keeps links as t.co addresses (the
// address written is entities.urls[].expanded_url), appends a t.co link to
// attached media (an entity with a media_key), and escapes &, < and >
// (x-api/fundamentals/data-dictionary, entities).
std::string written_text(const json& post) {
    std::string text = string_field(post, "text");
    const json urls = post.value("/entities/urls"_json_pointer, json::array());
    for (const auto& u : urls) {
        const std::string shortened = string_field(u, "url");
        if (shortened.empty()) continue;
        const auto at = text.find(shortened);
        if (at == std::string::npos) continue;
        text.replace(at, shortened.size(), u.contains("media_key") ? std::string() : string_field(u, "expanded_url"));
    }
    replace_all(text, "&lt;", "<");
    replace_all(text, "&gt;", ">");
    replace_all(text, "&amp;", "&");
    return text;
}

// What two texts are compared by: NFC, no white space (X trims it) and no
// link schemes (expanded_url adds "http://" to a link written without one).
std::string comparable(const std::string& text) {
    std::string out = nfc_utf8(text);
    replace_all(out, "https://", "");
    replace_all(out, "http://", "");
    out.erase(std::remove_if(out.begin(), out.end(), is_space), out.end());
    return out;
}

std::string replied_to(const json& post) {
    for (const auto& r : post.value("referenced_tweets", json::array()))
        if (string_field(r, "type") == "replied_to") return string_field(r, "id");
    return {};
}

std::size_t media_count(const json& post) {
    const json keys = post.value("/attachments/media_keys"_json_pointer, json::array());
    return keys.is_array() ? keys.size() : 0;
}

bool numeric_id(const std::string& id) {
    return !id.empty() && id.size() <= 20 && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---------------------------------------------------------------------------
// Answers.

// X's errors are problem objects (RFC 7807: {"title", "detail", "type",
// "status"}, x-api/fundamentals/response-codes-and-errors); some carry them
// in an "errors" list, and the OAuth endpoints answer {"error",
// "error_description"}.
std::string x_error(const Host::Response& r) {
    const auto body = json::parse(r.body, nullptr, false);
    json problem = body;
    if (body.is_object() && !body.contains("title") && body.contains("errors") && body["errors"].is_array() &&
        !body["errors"].empty())
        problem = body["errors"][0];
    std::string out = "HTTP " + std::to_string(r.http_status);
    for (const char* field : {"title", "detail", "message"})
        if (const auto v = string_field(problem, field); !v.empty() && out.find(v) == std::string::npos) out += ": " + v;
    return out;
}

std::string problem_type(const Host::Response& r) {
    return string_field(json::parse(r.body, nullptr, false), "type");
}

// 403 "You are not allowed to create a Tweet with duplicate content." (as X
// answers it; it names no post).
bool is_duplicate(const Host::Response& r) {
    return r.status == CLEARPOST_OK && r.http_status == 403 && r.body.find("duplicate content") != std::string::npos;
}

// How long a 429 asks to wait: until x-rate-limit-reset (epoch seconds),
// measured against the answer's own Date so a skewed local clock does not
// shorten it (x-api/fundamentals/rate-limits: "wait until the reset").
std::int64_t rate_limit_wait_ms(const Host::Response& r, const Host& host) {
    if (auto it = r.headers.find("x-rate-limit-reset"); it != r.headers.end()) {
        try {
            const std::int64_t reset_ms = std::stoll(it->second) * 1000;
            return std::max<std::int64_t>(reset_ms - clearpost::sdk::web::server_now_ms(r, host), 1000);
        } catch (...) {
        }
    }
    const std::int64_t after = clearpost::sdk::web::retry_after_header_ms(r, host);
    return after > 0 ? after : 15 * 60 * 1000;  // X's windows are 15 minutes
}

// Maps an answer that is not a success. `may_have_posted` is true only for
// the request that creates a post: a lost answer there may mean a live post.
OpResult failure(const Host::Response& r, const Host& host, const std::string& what, bool may_have_posted = false) {
    if (r.status != CLEARPOST_OK) {
        const bool in_doubt = may_have_posted && r.status == CLEARPOST_ERR_IN_DOUBT;
        return OpResult::error(in_doubt ? CLEARPOST_ERR_IN_DOUBT : CLEARPOST_ERR_TRANSIENT, what + ": " + r.error);
    }
    const std::string message = what + ": " + x_error(r);
    const int code = r.http_status;
    if (code == 429) {
        // usage-capped: the app's spending cap or plan quota is spent, which
        // only the organisation can raise; the account waits meanwhile.
        if (problem_type(r).find("usage-capped") != std::string::npos) {
            return OpResult::error(CLEARPOST_ERR_RATE_LIMITED,
                                   message + "; the X app's usage cap is spent: raise it in the X developer console",
                                   rate_limit_wait_ms(r, host));
        }
        return OpResult::error(CLEARPOST_ERR_RATE_LIMITED, message, rate_limit_wait_ms(r, host));
    }
    if (code >= 500 || code == 408) return OpResult::error(CLEARPOST_ERR_TRANSIENT, message);
    // 401: the token expired (2 hours) or was revoked; the host refreshes
    // once, then asks a person to reconnect.
    if (code == 401) return OpResult::error(CLEARPOST_ERR_AUTH, message + "; reconnect the account");
    if (code == 400) return OpResult::error(CLEARPOST_ERR_INVALID, message);
    return OpResult::error(CLEARPOST_ERR_PERMANENT, message);
}

std::string api(const json& creds) {
    std::string base = string_field(creds, "api_url");
    if (base.empty()) base = kProductionApi;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

std::string post_url(const json& creds, const std::string& id) {
    const std::string user = string_field(creds, "username");
    return "https://x.com/" + (user.empty() ? std::string("i/web") : user) + "/status/" + id;
}

// The note that keeps the ids of a thread's parts made so far, so that a
// retry continues the thread where it stopped.
std::string thread_note(const std::string& key) { return "x-thread-" + key; }

std::vector<std::string> noted_parts(const Host& host, const std::string& key) {
    std::vector<std::string> ids;
    const auto note = host.note_get(thread_note(key));
    const json doc = note ? json::parse(*note, nullptr, false) : json();
    if (doc.is_array())
        for (const auto& id : doc)
            if (id.is_string() && numeric_id(id.get<std::string>())) ids.push_back(id.get<std::string>());
    return ids;
}

class X final : public clearpost::sdk::Publisher {
public:
    const char* capabilities() const override { return kCapabilities; }

    // Besides the problems, how X counts the text and how it will be
    // split, so a person sees the thread before it goes out.
    OpResult validate(const Host&, const json& request) override {
        const json post = request.value("post", json::object());
        json problems = json::array();
        for (auto& p : clearpost::sdk::media_problems(post, kMediaLimits)) problems.push_back(std::move(p));
        const std::string text = string_field(post, "text");
        const Weighed whole = weigh(text);
        for (const auto& p : text_problems(post, whole)) problems.push_back(p);
        json parts = json::array();
        for (const auto& part : split_thread(text)) parts.push_back({{"text", part}, {"weighted_length", weigh(part).length}});
        return OpResult::ok({{"problems", problems}, {"weighted_length", whole.length}, {"parts", parts}});
    }

    // The code flow's tokens in hand, finds who signed in (GET /2/users/me,
    // x-api/users/lookup) and keeps the id the timeline lookups need.
    OpResult authorize_complete(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        auto r = get(host, creds, "/2/users/me");
        if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "finding who signed in to X");
        const json me = json::parse(r.body, nullptr, false).value("data", json::object());
        const std::string id = string_field(me, "id"), username = string_field(me, "username");
        if (id.empty() || username.empty())
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "finding who signed in to X: the answer names no user");
        std::string wanted = string_field(request.value("account", json::object()), "handle");
        if (!wanted.empty() && wanted.front() == '@') wanted.erase(0, 1);
        auto lower = [](std::string s) {
            std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return s;
        };
        if (!wanted.empty() && lower(wanted) != lower(username)) {
            return OpResult::error(CLEARPOST_ERR_AUTH, "the browser signed in to X as @" + username + ", not @" + wanted +
                                                           "; sign out of X in the browser, sign in as @" + wanted +
                                                           " and connect again");
        }
        creds["user_id"] = id;
        creds["username"] = username;
        const std::string name = string_field(me, "name");
        return OpResult::ok({{"credentials", creds},
                             {"account", {{"display", "@" + username + (name.empty() ? "" : " (" + name + ")")}}}});
    }

    // The refresh grant at /2/oauth2/token with the client id in the body
    // (a public client; fundamentals/authentication/oauth-2-0). X's refresh
    // tokens are single-use: the answer's new one replaces the old, and the
    // host seals it before anyone may refresh again.
    OpResult refresh_credentials(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        const std::string client_id = string_field(creds, "client_id");
        if (client_id.empty())
            return OpResult::error(CLEARPOST_ERR_AUTH, "no X app client id is stored for this account; reconnect it");
        const std::string secret = string_field(creds, "client_secret");
        // A confidential client authenticates with HTTP Basic (same page).
        return clearpost::sdk::oauth_refresh::refresh(host, creds, {api(creds) + "/2/oauth2/token", client_id, secret, !secret.empty()},
                                                      "X");
    }

    OpResult publish(const Host& host, const json& request) override {
        const json post = request.value("post", json::object());
        const std::string text = string_field(post, "text");
        std::vector<std::string> problems = clearpost::sdk::media_problems(post, kMediaLimits);
        for (const auto& p : text_problems(post, weigh(text))) problems.push_back(p);
        if (!problems.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, join(problems, "; "));
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string key = request.value("idempotency_key", std::string());
        if (key.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no idempotency key");
        const auto parts = split_thread(text);
        const json media = post.value("media", json::array());

        // Parts an earlier attempt made (its note, or what lookup found).
        std::vector<std::string> made = noted_parts(host, key);
        if (made.size() > parts.size()) made.clear();

        // Images first, while nothing is posted: a failure here leaves
        // nothing live, and X drops media that no post uses.
        std::vector<std::string> media_ids;
        if (made.empty()) {
            for (std::size_t i = 0; i < media.size(); ++i) {
                auto uploaded = upload_image(host, creds, media[i], i);
                if (uploaded.status != CLEARPOST_OK) return uploaded;
                media_ids.push_back(uploaded.body["id"].get<std::string>());
            }
        }

        while (made.size() < parts.size()) {
            const std::size_t i = made.size();
            json body{{"text", parts[i]}};
            if (i == 0 && !media_ids.empty()) body["media"] = {{"media_ids", media_ids}};
            if (i > 0) body["reply"] = {{"in_reply_to_tweet_id", made.back()}};
            const std::string what = parts.size() > 1 ? "publishing part " + std::to_string(i + 1) + " of " +
                                                            std::to_string(parts.size())
                                                      : std::string("publishing");
            auto r = send(host, creds, "POST", "/2/tweets", body, 30000);
            if (r.status == CLEARPOST_OK && (r.http_status == 201 || r.http_status == 200)) {
                const std::string id = string_field(json::parse(r.body, nullptr, false).value("data", json::object()), "id");
                if (id.empty()) return OpResult::error(CLEARPOST_ERR_IN_DOUBT, what + ": X's answer has no post id");
                made.push_back(id);
                // Best effort: without the note (an older host, a busy
                // database), a retry meets X's duplicate refusal and finds
                // the parts below instead.
                if (parts.size() > 1) host.note_put(thread_note(key), json(made).dump());
                continue;
            }
            if (is_duplicate(r)) {
                // X refuses a text the account already posted. If it is this
                // post's own earlier attempt (an answer lost, or a 5xx that
                // posted anyway), the account's posts since the approved time
                // show it, and the thread goes on from there; otherwise it
                // is an older post with the same text, and a person decides.
                auto found = find_thread(host, creds, post, parts, request.value("scheduled_at_ms", std::int64_t{0}));
                if (found.status != CLEARPOST_OK) return found;
                std::vector<std::string> chain = found.body["ids"].get<std::vector<std::string>>();
                if (chain.size() > i && std::equal(made.begin(), made.end(), chain.begin())) {
                    host.log(CLEARPOST_LOG_INFO, "X already has part " + std::to_string(i + 1) + " of this post (" +
                                                     chain[i] + ") from an earlier attempt; going on from there");
                    made = std::move(chain);
                    continue;
                }
                return cut_short(OpResult::error(CLEARPOST_ERR_PERMANENT,
                                                 what + ": " + x_error(r) +
                                                     " (an earlier post of the account has the same text; change the "
                                                     "text or delete that post, then schedule it again)"),
                                 made, creds);
            }
            return cut_short(failure(r, host, what, /*may_have_posted=*/true), made, creds);
        }
        if (parts.size() > 1) host.note_put(thread_note(key), std::nullopt);
        return OpResult::ok({{"remote_id", made.front()}, {"remote_url", post_url(creds, made.front())}, {"parts", made.size()}});
    }

    // Settles an attempt whose answer was lost: X keeps no idempotency key,
    // so the account's own posts since the approved time are searched for
    // this post, part by part (text, reply chain, image count). The whole
    // thread found: published. A part of it: {"found": false}, with the
    // parts found noted, so publish continues after them. Nothing:
    // {"found": false}, and sending again is safe.
    OpResult lookup(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const json post = request.value("post", json::object());
        const auto parts = split_thread(string_field(post, "text"));
        const std::string key = request.value("idempotency_key", std::string());
        auto found = find_thread(host, creds, post, parts, request.value("scheduled_at_ms", std::int64_t{0}));
        if (found.status != CLEARPOST_OK) return found;
        const auto chain = found.body["ids"].get<std::vector<std::string>>();
        if (chain.size() == parts.size()) {
            if (parts.size() > 1 && !key.empty()) host.note_put(thread_note(key), std::nullopt);
            return OpResult::ok({{"found", true}, {"remote_id", chain.front()}, {"remote_url", post_url(creds, chain.front())}});
        }
        if (!chain.empty()) {
            // Without a note (an older host), publish meets X's duplicate
            // refusal on the first part and finds the same parts itself.
            if (!key.empty()) host.note_put(thread_note(key), json(chain).dump());
            return OpResult::ok({{"found", false}});
        }
        if (!found.body["complete"].get<bool>()) {
            return OpResult::error(CLEARPOST_ERR_PERMANENT,
                                   "the account posted more than " + std::to_string(kTimelinePages * 100) +
                                       " times since this post's time, so Clearpost cannot tell whether it went out; "
                                       "check the account");
        }
        return OpResult::ok({{"found", false}});
    }

    // Deletes the post and the replies of the account that continue its
    // thread (the parts Clearpost made), last part first. DELETE /2/tweets/:id
    // (x-api/posts/manage-tweets); a post already gone counts as deleted.
    OpResult remove(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string id = request.value("remote_id", std::string());
        if (!numeric_id(id)) return OpResult::error(CLEARPOST_ERR_INVALID, "'" + id + "' is not an X post id");
        auto user = user_id(host, creds);
        if (user.status != CLEARPOST_OK) return user;
        // The account's posts of the two days after this one, oldest first:
        // a thread's parts follow it within the host's retries (at most a
        // day's rate-limit hold). An id carries its time (snowflake: ms since
        // X's epoch, shifted 22 bits), so no request is needed to know it.
        const std::int64_t made_ms = static_cast<std::int64_t>(std::stoull(id) >> 22) + kSnowflakeEpochMs;
        std::vector<json> later;
        bool complete = false;
        if (auto read = timeline(host, creds, user.body["id"].get<std::string>(),
                                 "since_id=" + id + "&end_time=" +
                                     clearpost::sdk::web::form_encode(iso8601(made_ms + 2 * 86'400'000)),
                                 later, complete);
            read.status != CLEARPOST_OK)
            return read;
        std::vector<std::string> doomed{id};
        for (const auto& p : later)
            if (replied_to(p) == doomed.back()) doomed.push_back(string_field(p, "id"));
        for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
            auto r = send(host, creds, "DELETE", "/2/tweets/" + *it, nullptr, 15000);
            if (r.status == CLEARPOST_OK && (r.http_status == 200 || r.http_status == 404)) continue;
            return failure(r, host, "deleting post " + *it);
        }
        if (!complete) {
            return OpResult::error(CLEARPOST_ERR_PERMANENT,
                                   "deleted " + std::to_string(doomed.size()) + " post(s), but the account posted more than " +
                                       std::to_string(kTimelinePages * 100) +
                                       " times in the two days after it, so later parts of its thread may remain; check the account");
        }
        return OpResult::ok();
    }

    // GET /2/tweets?ids=... with public_metrics and non_public_metrics
    // (x-api/fundamentals/metrics), up to 100 posts a request. Named as on
    // the other networks; only what X reports. Non-public metrics exist for
    // the account's own posts of the last 30 days: a post X refuses them
    // for is asked again for its public counts alone. A post X no longer
    // has gets no entry.
    OpResult fetch_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        std::vector<std::string> ids;
        for (const auto& id : request.value("remote_ids", json::array())) {
            if (!id.is_string() || !numeric_id(id.get<std::string>()))
                return OpResult::error(CLEARPOST_ERR_INVALID, "a post id is not an X post id");
            ids.push_back(id.get<std::string>());
        }
        json metrics = json::object();
        for (std::size_t from = 0; from < ids.size(); from += kMetricsBatch) {
            const std::vector<std::string> batch(ids.begin() + static_cast<std::ptrdiff_t>(from),
                                                 ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), from + kMetricsBatch)));
            std::vector<std::string> public_only;
            if (auto read = read_metrics(host, creds, batch, true, metrics, public_only); read.status != CLEARPOST_OK) return read;
            if (public_only.empty()) continue;
            std::vector<std::string> unused;
            if (auto read = read_metrics(host, creds, public_only, false, metrics, unused); read.status != CLEARPOST_OK) return read;
        }
        return OpResult::ok({{"metrics", metrics}});
    }

    // The signed-in account's public counts: GET /2/users/me with
    // user.fields=public_metrics (x-api/users/lookup, "Get my User"):
    // followers_count, following_count and tweet_count as followers,
    // following and posts (listed_count and the rest are not kept).
    OpResult fetch_account_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        static constexpr std::pair<const char*, const char*> kCounts[] = {
            {"followers_count", "followers"}, {"following_count", "following"}, {"tweet_count", "posts"}};
        auto r = get(host, creds, "/2/users/me?user.fields=public_metrics");
        if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading the account's counts");
        const auto doc = json::parse(r.body, nullptr, false);
        const json user = doc.is_object() ? doc.value("data", json::object()) : json::object();
        if (!user.is_object() || string_field(user, "id").empty())
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "reading the account's counts: X's answer names no user");
        return OpResult::ok({{"metrics", clearpost::sdk::web::counts(user.value("public_metrics", json::object()), kCounts)}});
    }

private:
    static OpResult check_credentials(const json& creds) {
        if (string_field(creds, "access_token").empty())
            return OpResult::error(CLEARPOST_ERR_AUTH, "no X access token is stored for this account; reconnect it");
        return OpResult::ok();
    }

    static std::vector<std::string> text_problems(const json& post, const Weighed& whole) {
        std::vector<std::string> out;
        const std::string text = string_field(post, "text");
        const bool has_media = post.is_object() && post.contains("media") && post["media"].is_array() && !post["media"].empty();
        if (whole.refused)
            out.push_back("the text holds characters X refuses (U+FFFE, U+FEFF, U+FFFF or bytes that are not UTF-8); remove them");
        if (std::all_of(text.begin(), text.end(), is_space) && !has_media) out.push_back("the post has neither text nor images");
        if (const auto n = split_thread(text).size(); n > kMaxParts)
            out.push_back("the text makes a thread of " + std::to_string(n) + " posts on X and Clearpost sends at most " +
                          std::to_string(kMaxParts) + "; shorten it");
        return out;
    }

    // A failure after the first part: the thread is live but cut short;
    // said when no retry will complete it.
    static OpResult cut_short(OpResult failed, const std::vector<std::string>& made, const json& creds) {
        if (!made.empty() && (failed.status == CLEARPOST_ERR_PERMANENT || failed.status == CLEARPOST_ERR_INVALID)) {
            failed.body["error"]["message"] = failed.body["error"]["message"].get<std::string>() + "; the first " +
                                              std::to_string(made.size()) + " part(s) are live at " +
                                              post_url(creds, made.front());
        }
        return failed;
    }

    static Host::Response send(const Host& host, const json& creds, const std::string& method, const std::string& path,
                               const json& body, int timeout_ms) {
        const std::string token = string_field(creds, "access_token");
        json request{{"method", method},
                     {"url", api(creds) + path},
                     {"headers", {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}}},
                     {"timeout_ms", timeout_ms},
                     {"secrets", {token}}};
        if (!body.is_null()) {
            request["headers"]["Content-Type"] = "application/json";
            request["body"] = body.dump();
        }
        return host.http(request);
    }

    static Host::Response get(const Host& host, const json& creds, const std::string& path) {
        return send(host, creds, "GET", path, nullptr, 15000);
    }

    // The signed-in user's id: stored by authorize_complete, else asked.
    static OpResult user_id(const Host& host, const json& creds) {
        if (const auto id = string_field(creds, "user_id"); numeric_id(id)) return OpResult::ok({{"id", id}});
        auto r = get(host, creds, "/2/users/me");
        if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "finding the account's X user id");
        const std::string id = string_field(json::parse(r.body, nullptr, false).value("data", json::object()), "id");
        if (!numeric_id(id)) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "finding the account's X user id: the answer has none");
        return OpResult::ok({{"id", id}});
    }

    // The account's posts matching `filter` (a start_time or since_id),
    // oldest first, from GET /2/users/:id/tweets (x-api/posts/timelines:
    // newest first, up to 100 a page, replies included). `complete` is
    // false when more pages remained than Clearpost reads.
    static OpResult timeline(const Host& host, const json& creds, const std::string& user, const std::string& filter,
                             std::vector<json>& posts, bool& complete) {
        std::string token;
        for (int page = 0; page < kTimelinePages; ++page) {
            std::string path = "/2/users/" + user + "/tweets?max_results=100&" + filter +
                               "&tweet.fields=created_at%2Centities%2Creferenced_tweets%2Cattachments";
            if (!token.empty()) path += "&pagination_token=" + clearpost::sdk::web::form_encode(token);
            auto r = get(host, creds, path);
            if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading the account's X posts");
            const auto doc = json::parse(r.body, nullptr, false);
            if (!doc.is_object()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "reading the account's X posts: the answer is not JSON");
            const json data = doc.value("data", json::array());
            if (data.is_array())
                for (const auto& p : data) posts.insert(posts.begin(), p);
            token = string_field(doc.value("meta", json::object()), "next_token");
            if (token.empty()) {
                complete = true;
                return OpResult::ok();
            }
        }
        complete = false;
        return OpResult::ok();
    }

    // The longest beginning of the thread found among the account's posts
    // since the approved time: {"ids": [...], "complete": bool}.
    static OpResult find_thread(const Host& host, const json& creds, const json& post, const std::vector<std::string>& parts,
                                std::int64_t scheduled_at_ms) {
        auto user = user_id(host, creds);
        if (user.status != CLEARPOST_OK) return user;
        std::vector<json> posts;
        bool complete = false;
        const std::string since = iso8601(std::max<std::int64_t>(scheduled_at_ms - kClockSkewMs, 0));
        if (auto read = timeline(host, creds, user.body["id"].get<std::string>(),
                                 "start_time=" + clearpost::sdk::web::form_encode(since), posts, complete);
            read.status != CLEARPOST_OK)
            return read;
        const std::size_t images = post.is_object() && post.contains("media") && post["media"].is_array() ? post["media"].size() : 0;
        std::vector<std::string> chain;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const std::string wanted = comparable(parts[i]);
            std::string match;
            // Oldest first, so a repeated text matches its first use.
            for (const auto& p : posts) {
                const std::string reply_to = replied_to(p);
                if (i == 0 ? !reply_to.empty() : reply_to != chain.back()) continue;
                if (i == 0 && media_count(p) != images) continue;
                if (comparable(written_text(p)) != wanted) continue;
                match = string_field(p, "id");
                break;
            }
            if (match.empty()) break;
            chain.push_back(match);
        }
        return OpResult::ok({{"ids", chain}, {"complete", complete}});
    }

    // One GET /2/tweets for `ids`. Ids X answers without data and without
    // calling them missing (a field it will not give, such as non-public
    // metrics after 30 days) go to `retry`.
    static OpResult read_metrics(const Host& host, const json& creds, const std::vector<std::string>& ids, bool non_public,
                                 json& metrics, std::vector<std::string>& retry) {
        const std::string fields = non_public ? "public_metrics%2Cnon_public_metrics" : "public_metrics";
        auto r = get(host, creds, "/2/tweets?ids=" + join(ids, "%2C") + "&tweet.fields=" + fields);
        if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading post counts");
        const auto doc = json::parse(r.body, nullptr, false);
        if (!doc.is_object()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "reading post counts: the answer is not JSON");
        static constexpr std::pair<const char*, const char*> kPublic[] = {
            {"like_count", "likes"},   {"retweet_count", "reposts"},     {"reply_count", "replies"},
            {"quote_count", "quotes"}, {"bookmark_count", "bookmarks"}, {"impression_count", "impressions"}};
        static constexpr std::pair<const char*, const char*> kPrivate[] = {{"url_link_clicks", "clicks"},
                                                                          {"user_profile_clicks", "profile_clicks"}};
        std::vector<std::string> answered;
        for (const auto& p : doc.value("data", json::array())) {
            const std::string id = string_field(p, "id");
            json counts = clearpost::sdk::web::counts(p.value("public_metrics", json::object()), kPublic);
            counts.update(clearpost::sdk::web::counts(p.value("non_public_metrics", json::object()), kPrivate));
            metrics[id] = std::move(counts);
            answered.push_back(id);
        }
        std::vector<std::string> missing;
        for (const auto& e : doc.value("errors", json::array()))
            if (string_field(e, "type").find("resource-not-found") != std::string::npos) {
                missing.push_back(string_field(e, "resource_id"));
                missing.push_back(string_field(e, "value"));
            }
        for (const auto& id : ids)
            if (std::find(answered.begin(), answered.end(), id) == answered.end() &&
                std::find(missing.begin(), missing.end(), id) == missing.end() && non_public)
                retry.push_back(id);
        return OpResult::ok();
    }

    // POST /2/media/upload (multipart: "media" and media_category
    // tweet_image; x-api/media/upload-media) -> {"data": {"id"}}; then the
    // alt text through POST /2/media/metadata (x-api/media/create-media-metadata).
    static OpResult upload_image(const Host& host, const json& creds, const json& m, std::size_t index) {
        const std::string which = "image " + std::to_string(index + 1);
        std::string bytes, why;
        if (!clearpost::sdk::read_media_file(m.value("path", std::string()), kMaxImageBytes, "X", bytes, why))
            return OpResult::error(CLEARPOST_ERR_INVALID, which + ": " + why);
        const std::string mime = m.value("mime", std::string("image/jpeg"));
        const std::string extension = mime == "image/png" ? "png" : mime == "image/gif" ? "gif" : mime == "image/webp" ? "webp" : "jpg";
        const auto form = clearpost::sdk::web::multipart({{"media_category", "tweet_image"}}, "media",
                                                         "image-" + std::to_string(index + 1) + "." + extension, mime, bytes);
        const std::string token = string_field(creds, "access_token");
        auto r = host.http({{"method", "POST"},
                            {"url", api(creds) + "/2/media/upload"},
                            {"headers", {{"Authorization", "Bearer " + token}, {"Content-Type", form.content_type()},
                                         {"Accept", "application/json"}}},
                            {"body_base64", clearpost::sdk::base64_encode(form.body)},
                            {"timeout_ms", 120000},
                            {"secrets", {token}}});
        if (r.status != CLEARPOST_OK || (r.http_status != 200 && r.http_status != 201)) return failure(r, host, "uploading " + which);
        const std::string id = string_field(json::parse(r.body, nullptr, false).value("data", json::object()), "id");
        if (id.empty()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "uploading " + which + ": X's answer has no media id");
        const std::string alt = m.contains("alt") && m["alt"].is_string() ? m["alt"].get<std::string>() : "";
        if (!alt.empty()) {
            auto meta = send(host, creds, "POST", "/2/media/metadata",
                             {{"id", id}, {"metadata", {{"alt_text", {{"text", alt}}}}}}, 15000);
            if (meta.status != CLEARPOST_OK || (meta.http_status != 200 && meta.http_status != 201))
                return failure(meta, host, "giving " + which + " its alt text");
        }
        return OpResult::ok({{"id", id}});
    }
};

}  // namespace

CLEARPOST_PUBLISHER(X)
