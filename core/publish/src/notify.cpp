#include "clearpost/publish/notify.h"

#include <nlohmann/json.hpp>

#include "clearpost/net/mail.h"

namespace clearpost::publish {
namespace {

using nlohmann::json;

constexpr const char* kSettingsKey = "notify.mail";
constexpr const char* kPasswordName = "notify.mail.password";

Result<net::MailRelay> relay_of(const MailSettings& s, security::Vault& vault) {
    net::MailRelay relay;
    relay.url = s.relay_url;
    relay.username = s.username;
    if (!s.username.empty()) {
        auto password = vault.get_named(kPasswordName);
        if (!password && password.error().code != ErrorCode::NotFound) return std::move(password).error();
        if (password) relay.password = std::move(*password);
    }
    return relay;
}

Result<void> validate(const MailSettings& s) {
    if (s.relay_url.rfind("smtp://", 0) != 0 && s.relay_url.rfind("smtps://", 0) != 0)
        return make_error(ErrorCode::Invalid, "the mail relay must be an smtp:// or smtps:// URL, not '" + s.relay_url + "'");
    return net::validate_mail({s.from, s.to, "check", "", {}});
}

}  // namespace

Result<std::optional<MailSettings>> load_mail_settings(store::Store& store) {
    CLEARPOST_ASSIGN(auto text, store.setting(kSettingsKey));
    if (!text || text->empty()) return std::optional<MailSettings>{};
    const auto doc = json::parse(*text, nullptr, false);
    if (!doc.is_object() || !doc.contains("to") || !doc["to"].is_array())
        return make_error(ErrorCode::Corrupt, "the stored mail settings are damaged; set them again (clearpostctl notify mail)");
    MailSettings s;
    s.relay_url = doc.value("relay", std::string());
    s.from = doc.value("from", std::string());
    s.username = doc.value("username", std::string());
    for (const auto& to : doc["to"])
        if (to.is_string()) s.to.push_back(to.get<std::string>());
    return std::optional<MailSettings>{std::move(s)};
}

Result<void> save_mail_settings(store::Store& store, security::Vault& vault, const MailSettings& s,
                                const std::string& password) {
    CLEARPOST_CHECK(validate(s));
    return store.transaction([&]() -> Result<void> {
        if (!s.username.empty()) CLEARPOST_CHECK(vault.put_named(kPasswordName, password));
        return store.set_setting(kSettingsKey,
                                 json{{"relay", s.relay_url}, {"from", s.from}, {"to", s.to}, {"username", s.username}}.dump());
    });
}

Result<void> disable_mail(store::Store& store) { return store.set_setting(kSettingsKey, ""); }

Result<void> send_through_relay(store::Store& store, security::Vault& vault, net::Mail mail, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto settings, load_mail_settings(store));
    if (!settings) return make_error(ErrorCode::Conflict, "no mail relay is set; set one first (clearpostctl notify mail)");
    CLEARPOST_ASSIGN(auto relay, relay_of(*settings, vault));
    mail.from = settings->from;
    return net::send_mail(relay, mail, now);
}

Result<void> send_test_mail(store::Store& store, security::Vault& vault, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto settings, load_mail_settings(store));
    if (!settings) return make_error(ErrorCode::Conflict, "notices are not mailed; set a relay first (clearpostctl notify mail)");
    CLEARPOST_ASSIGN(auto org, store.organisation());
    CLEARPOST_ASSIGN(auto relay, relay_of(*settings, vault));
    return net::send_mail(relay,
                          {settings->from, settings->to, "Clearpost (" + org.name + "): test mail",
                           "This is a test. Clearpost will mail these addresses when a scheduled post fails or an "
                           "account must be reconnected.\n",
                           {}},
                          now);
}

Result<int> mail_notices(store::Store& store, security::Vault& vault, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto settings, load_mail_settings(store));
    if (!settings) return 0;
    CLEARPOST_ASSIGN(auto pending, store.notices_to_email());
    if (pending.empty()) return 0;
    CLEARPOST_ASSIGN(auto org, store.organisation());
    CLEARPOST_ASSIGN(auto relay, relay_of(*settings, vault));
    int sent = 0;
    for (const auto& n : pending) {
        std::string about = n.kind == "needs_reauthorization" ? "an account must be reconnected" : "a post needs attention";
        if (n.account_id) {
            CLEARPOST_ASSIGN(auto account, store.find_account(*n.account_id));
            if (account) about += " (" + account->network + ":" + account->handle + ")";
        }
        const net::Mail mail{settings->from, settings->to, "Clearpost (" + org.name + "): " + about,
                             n.message + "\n\nOpen Clearpost's queue, or run `clearpostctl notices`, to act on it.\n",
                             {}};
        CLEARPOST_CHECK(net::send_mail(relay, mail, now));
        CLEARPOST_CHECK(store.mark_notice_emailed(n.id, now));
        ++sent;
    }
    return sent;
}

}  // namespace clearpost::publish
