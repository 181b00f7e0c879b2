#pragma once
// E-mail through an SMTP relay, with libcurl: TLS required (smtps:// or
// STARTTLS on smtp://) and verified, except to a relay on the loopback
// interface, where STARTTLS is used when offered. Bounded time; the password
// is redacted from every message.

#include <chrono>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"

namespace clearpost::net {

struct MailRelay {
    std::string url;       // smtps://mail.example.org:465 or smtp://mail.example.org:587
    std::string username;  // empty: no login
    std::string password;
    std::chrono::milliseconds timeout{30000};
};

struct Mail {
    std::string from;
    std::vector<std::string> to;
    std::string subject;  // UTF-8
    std::string body;     // UTF-8 plain text
};

// Invalid when an address is empty or malformed, or a header would carry a
// line break (header injection).
Result<void> validate_mail(const Mail& mail);

// The RFC 5322 message: UTF-8 subject as an RFC 2047 encoded word when it is
// not ASCII, body in base64 (safe through any relay), CRLF line ends.
std::string format_mail(const Mail& mail, UnixSeconds date, const std::string& message_id);

Result<void> send_mail(const MailRelay& relay, const Mail& mail, UnixSeconds now);

}  // namespace clearpost::net
