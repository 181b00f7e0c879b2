#include "clearpost/publish/accounts.h"

#include <nlohmann/json.hpp>

#include "clearpost/workflow/admin.h"

namespace clearpost::publish {

bool connects_with_secret(const std::string& network) { return network == "bluesky" || network == "mastodon"; }

Result<void> check_connect(const model::User& actor, const std::string& network, const std::string& service) {
    CLEARPOST_CHECK(workflow::require_admin(actor, "connect accounts"));
    // Storing a password for any other network would look like success and
    // publish nothing.
    if (!connects_with_secret(network)) {
        return make_error(ErrorCode::Invalid, "Clearpost cannot connect " + network +
                                                  " accounts yet (no publisher or sign-in for it); only bluesky and "
                                                  "mastodon. See docs/app-registration.md");
    }
    if (network == "mastodon" && service.empty()) {
        return make_error(ErrorCode::Invalid,
                          "a Mastodon account needs its instance (--service https://INSTANCE in clearpostctl)");
    }
    return ok();
}

Result<void> connect_account(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                             const model::User& actor, const std::string& network, const std::string& handle,
                             const AccountSecret& secret, UnixSeconds now) {
    CLEARPOST_CHECK(check_connect(actor, network, secret.service));
    CLEARPOST_ASSIGN(auto account, store.find_account(network, handle));
    if (!account) {
        return make_error(ErrorCode::NotFound, "no account " + network + ":" + handle + "; add it first");
    }
    const bool mastodon = network == "mastodon";
    if (secret.secret.empty()) {
        return make_error(ErrorCode::Invalid, mastodon ? "enter the account's access token" : "enter the app password");
    }
    nlohmann::json creds = mastodon ? nlohmann::json{{"access_token", secret.secret}}
                                    : nlohmann::json{{"identifier", handle}, {"app_password", secret.secret}};
    if (!secret.service.empty()) creds["service"] = secret.service;
    if (!secret.appview.empty()) creds["appview"] = secret.appview;
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(vault.put(account->id, creds.dump(), now));
        CLEARPOST_CHECK(store.set_account_status(account->id, "connected"));
        return audit.append({actor.name, "account.connect", "account " + std::to_string(account->id),
                             network + ":" + handle},
                            now);
    }));
    return audit.anchor();
}

Result<std::vector<AccountView>> account_views(store::Store& store) {
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    std::vector<AccountView> out;
    for (auto& a : accounts) {
        CLEARPOST_ASSIGN(auto sealed, store.sealed_credentials(a.id));
        out.push_back({std::move(a), sealed.has_value()});
    }
    return out;
}

}  // namespace clearpost::publish
