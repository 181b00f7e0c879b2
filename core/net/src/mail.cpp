#include "clearpost/net/mail.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <random>

#include "clearpost/net/http.h"
#include "curl_global.h"

namespace clearpost::net {
namespace {

std::string base64(std::string_view in) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < in.size(); i += 3) {
        const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16 |
                                (i + 1 < in.size() ? static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8 : 0) |
                                (i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
    }
    return out;
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool plausible_address(std::string_view a) {
    const auto at = a.find('@');
    return !a.empty() && at != std::string_view::npos && at > 0 && at + 1 < a.size() &&
           a.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
}

bool is_loopback_url(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return false;
    const std::string rest = url.substr(scheme + 3);
    return rest.rfind("127.", 0) == 0 || rest.rfind("localhost", 0) == 0 || rest.rfind("[::1]", 0) == 0;
}

struct Reader {
    std::string_view data;
    std::size_t at = 0;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* r = static_cast<Reader*>(user);
    const std::size_t n = std::min(size * count, r->data.size() - r->at);
    std::copy_n(r->data.data() + r->at, n, buffer);
    r->at += n;
    return n;
}

}  // namespace

Result<void> validate_mail(const Mail& mail) {
    if (!plausible_address(mail.from)) return make_error(ErrorCode::Invalid, "the sender '" + mail.from + "' is not an e-mail address");
    if (mail.to.empty()) return make_error(ErrorCode::Invalid, "the mail has no recipient");
    for (const auto& to : mail.to)
        if (!plausible_address(to)) return make_error(ErrorCode::Invalid, "the recipient '" + to + "' is not an e-mail address");
    if (has_line_break(mail.subject)) return make_error(ErrorCode::Invalid, "a mail subject cannot contain a line break");
    for (const auto& a : mail.attachments) {
        const auto token = [](const std::string& t, const char* extra) {
            return !t.empty() && std::all_of(t.begin(), t.end(), [extra](unsigned char c) {
                return std::isalnum(c) || std::strchr(extra, c) != nullptr;
            });
        };
        if (!token(a.name, "-_.") || !token(a.type, "-+./"))
            return make_error(ErrorCode::Invalid, "an attachment needs a plain file name and type, not '" + a.name + "'");
    }
    return ok();
}

std::string format_mail(const Mail& mail, UnixSeconds date, const std::string& message_id) {
    char when[64] = {};
    const std::time_t t = static_cast<std::time_t>(date);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    std::string to;
    for (const auto& r : mail.to) to += (to.empty() ? "" : ", ") + r;
    const std::string subject = is_ascii(mail.subject) ? mail.subject : "=?UTF-8?B?" + base64(mail.subject) + "?=";
    std::string out = "Date: " + std::string(when) + "\r\nFrom: " + mail.from + "\r\nTo: " + to +
                      "\r\nSubject: " + subject + "\r\nMessage-ID: <" + message_id +
                      ">\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n";
    const auto base64_lines = [](const std::string& bytes) {
        std::string lines;
        const std::string encoded = base64(bytes);
        for (std::size_t i = 0; i < encoded.size(); i += 76) lines += encoded.substr(i, 76) + "\r\n";
        return lines;
    };
    const std::string text_part = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                                  base64_lines(mail.body);
    if (mail.attachments.empty()) return out + text_part;
    // "=_" never occurs in base64 lines, so the boundary cannot appear in a part.
    const std::string boundary = "=_clearpost_" + message_id.substr(0, message_id.find('@'));
    out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary + "\r\n" + text_part;
    for (const auto& a : mail.attachments) {
        const std::string charset = a.type.rfind("text/", 0) == 0 ? "; charset=UTF-8" : "";
        out += "--" + boundary + "\r\nContent-Type: " + a.type + charset + "; name=\"" + a.name +
               "\"\r\nContent-Disposition: attachment; filename=\"" + a.name +
               "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64_lines(a.data);
    }
    return out + "--" + boundary + "--\r\n";
}

Result<void> send_mail(const MailRelay& relay, const Mail& mail, UnixSeconds now) {
    CLEARPOST_CHECK(validate_mail(mail));
    if (relay.url.rfind("smtp://", 0) != 0 && relay.url.rfind("smtps://", 0) != 0)
        return make_error(ErrorCode::Invalid, "the mail relay must be an smtp:// or smtps:// URL, not '" + relay.url + "'");
    std::mt19937_64 rng{std::random_device{}()};
    const std::string domain = mail.from.substr(mail.from.find('@') + 1);
    const std::string message = format_mail(mail, now, std::to_string(now) + "." + std::to_string(rng()) + "@" + domain);

    detail::curl_global_init_once();
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return make_error(ErrorCode::Io, "cannot start libcurl");
    curl_slist* rcpt = nullptr;
    for (const auto& to : mail.to) rcpt = curl_slist_append(rcpt, ("<" + to + ">").c_str());
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt_guard(rcpt, curl_slist_free_all);
    Reader reader{message};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, relay.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    // TLS always and verified; a relay on this machine may speak plain SMTP.
    curl_easy_setopt(c, CURLOPT_USE_SSL, is_loopback_url(relay.url) ? CURLUSESSL_TRY : CURLUSESSL_ALL);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!relay.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, relay.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, relay.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + mail.from + ">").c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &reader);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(relay.timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    char detail[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        std::string why = *detail ? detail : curl_easy_strerror(rc);
        if (code > 0) why += " (SMTP " + std::to_string(code) + ")";
        return make_error(ErrorCode::Io, redact("the mail relay " + relay.url + " did not take the mail: " + why,
                                                {relay.password}));
    }
    return ok();
}

}  // namespace clearpost::net
