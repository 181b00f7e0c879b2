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

// A file sent with a mail (a report): base64 in its own MIME part.
struct MailAttachment {
    std::string name;  // ASCII file name, e.g. "clearpost-report-2026-11.pdf"
    std::string type;  // MIME type, e.g. "application/pdf"
    std::string data;  // the bytes
};

struct Mail {
    std::string from;
    std::vector<std::string> to;
    std::string subject;  // UTF-8
    std::string body;     // UTF-8 plain text
    std::vector<MailAttachment> attachments;  // none: a single text part
};

// Invalid when an address is empty or malformed, a header would carry a
// line break (header injection), or an attachment's name or type is not a
// plain ASCII token.
Result<void> validate_mail(const Mail& mail);

// The RFC 5322 message: UTF-8 subject as an RFC 2047 encoded word when it is
// not ASCII, body in base64 (safe through any relay), CRLF line ends; with
// attachments, multipart/mixed (RFC 2046): the text, then each file.
std::string format_mail(const Mail& mail, UnixSeconds date, const std::string& message_id);

Result<void> send_mail(const MailRelay& relay, const Mail& mail, UnixSeconds now);

}  // namespace clearpost::net
