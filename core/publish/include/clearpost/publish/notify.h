#pragma once
// Notices by e-mail: each open notice (a failure a person must act on) is
// mailed once to the organisation's chosen addresses through its SMTP relay.
// Mails name the post, the account and what to do; they never carry the
// post's text (it may hold what compliance flagged) or any credential.

#include <optional>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/net/mail.h"
#include "clearpost/security/vault.h"
#include "clearpost/store/store.h"

namespace clearpost::publish {

struct MailSettings {
    std::string relay_url;  // smtps://host:465 or smtp://host:587 (STARTTLS)
    std::string from;
    std::vector<std::string> to;
    std::string username;   // empty: the relay takes mail without login
};

// Nothing when notices are not mailed.
Result<std::optional<MailSettings>> load_mail_settings(store::Store& store);
// Checks the settings (addresses, relay URL) and stores them; the password,
// if any, is sealed in the vault.
Result<void> save_mail_settings(store::Store& store, security::Vault& vault, const MailSettings& settings,
                                const std::string& password);
Result<void> disable_mail(store::Store& store);

// Mails `mail` through the organisation's relay, from its sender (`from`
// is filled in): Conflict when no relay is set.
Result<void> send_through_relay(store::Store& store, security::Vault& vault, net::Mail mail, UnixSeconds now);

// Sends one mail for a test of the settings.
Result<void> send_test_mail(store::Store& store, security::Vault& vault, UnixSeconds now);

// Mails every open notice not mailed yet, oldest first, and marks each sent.
// Stops at the first refusal (the relay is down): the rest go next time.
// Returns how many were sent.
Result<int> mail_notices(store::Store& store, security::Vault& vault, UnixSeconds now);

}  // namespace clearpost::publish
