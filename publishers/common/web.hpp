// Small web pieces the bundled publishers share (header-only, SDK-only, as
// a third-party plugin would carry them): form and multipart bodies, JSON
// fields, and HTTP dates and Retry-After.
#pragma once

#include <clearpost/publisher.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clearpost::sdk::web {

// RFC 3986 unreserved characters stay; everything else is %XX.
inline std::string form_encode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// application/x-www-form-urlencoded (also a query string).
inline std::string form(const Fields& fields) {
    std::string out;
    for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + form_encode(k) + "=" + form_encode(v);
    return out;
}

// A multipart/form-data body: text fields, then at most one file.
struct Multipart {
    std::string boundary;
    std::string body;
    std::string content_type() const { return "multipart/form-data; boundary=" + boundary; }
};

inline Multipart multipart(const Fields& fields, const std::string& file_field = {}, const std::string& file_name = {},
                           const std::string& file_type = {}, const std::string& file_bytes = {}) {
    Multipart m{"clearpost-boundary", {}};
    auto clashes = [&](const std::string& b) {
        if (file_bytes.find(b) != std::string::npos) return true;
        for (const auto& [k, v] : fields)
            if (v.find(b) != std::string::npos) return true;
        return false;
    };
    while (clashes(m.boundary)) m.boundary += "x";
    for (const auto& [k, v] : fields)
        m.body += "--" + m.boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
    if (!file_field.empty()) {
        m.body += "--" + m.boundary + "\r\nContent-Disposition: form-data; name=\"" + file_field + "\"; filename=\"" +
                  file_name + "\"\r\nContent-Type: " + file_type + "\r\n\r\n" + file_bytes + "\r\n";
    }
    m.body += "--" + m.boundary + "--\r\n";
    return m;
}

// Appends code point `cp` as UTF-8; one that is not a Unicode scalar value
// (0, a surrogate, past U+10FFFF) becomes U+FFFD.
inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | cp >> 6);
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | cp >> 12);
        out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | cp >> 18);
        out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
        out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// A string member of a JSON object, or "" (numbers as their digits: ids
// some APIs send either way).
inline std::string string_field(const json& j, const char* name) {
    if (!j.is_object() || !j.contains(name)) return {};
    const json& v = j[name];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    return {};
}

// The whole-number members of `from` that `names` lists ({field, name}
// pairs), under their names: a count the answer leaves out, or gives as
// anything but a whole number, is left out, never made 0.
template <typename Names>
json counts(const json& from, const Names& names) {
    json out = json::object();
    if (!from.is_object()) return out;
    for (const auto& [field, name] : names)
        if (from.contains(field) && from[field].is_number_integer()) out[name] = from[field];
    return out;
}

// An HTTP date ("Sat, 01 Aug 2026 13:53:15 GMT") in ms since the epoch; -1 when not one.
inline std::int64_t parse_http_date(const std::string& s) {
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char month[4] = {};
    std::tm tm{};
    if (std::sscanf(s.c_str(), "%*3s, %2d %3s %4d %2d:%2d:%2d", &tm.tm_mday, month, &tm.tm_year, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_mon = -1;
    for (int i = 0; i < 12; ++i)
        if (std::string_view(month) == kMonths[i]) tm.tm_mon = i;
    if (tm.tm_mon < 0) return -1;
    tm.tm_year -= 1900;
    const std::time_t t = timegm(&tm);
    return t == static_cast<std::time_t>(-1) ? -1 : static_cast<std::int64_t>(t) * 1000;
}

// The server's own time from its Date header, or the host's clock.
inline std::int64_t server_now_ms(const Host::Response& r, const Host& host) {
    if (auto date = r.headers.find("date"); date != r.headers.end())
        if (const std::int64_t t = parse_http_date(date->second); t > 0) return t;
    return host.now_ms();
}

// Retry-After in seconds or as an HTTP date (RFC 9110 10.2.3), in ms; 0 when absent.
inline std::int64_t retry_after_header_ms(const Host::Response& r, const Host& host) {
    auto it = r.headers.find("retry-after");
    if (it == r.headers.end()) return 0;
    const std::string& v = it->second;
    if (!v.empty() && std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::stoll(v.substr(0, 9)) * 1000;
    if (const std::int64_t at = parse_http_date(v); at > 0) return std::max<std::int64_t>(at - server_now_ms(r, host), 0);
    return 0;
}

}  // namespace clearpost::sdk::web
