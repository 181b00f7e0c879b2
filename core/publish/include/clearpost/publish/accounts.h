#pragma once
// Connecting a social account: its secret (a Bluesky app password, a
// Mastodon access token) sealed in the vault, the account marked connected
// and the act audited. The command line and the studio both call this.

#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/model/model.h"
#include "clearpost/security/audit.h"
#include "clearpost/security/vault.h"
#include "clearpost/store/store.h"

namespace clearpost::publish {

struct AccountSecret {
    std::string secret;   // app password or access token; never logged
    std::string service;  // the account's server: a Bluesky PDS, a Mastodon instance (required there)
    std::string appview;  // Bluesky: where post counts are read (empty: the public AppView)
};

// Bluesky and Mastodon: the networks with a publisher and a way in without a
// browser sign-in.
bool connects_with_secret(const std::string& network);

// Whether `actor` may connect a `network` account on `service` (admins;
// Bluesky and Mastodon, which have a publisher and a way in without a
// browser sign-in; Mastodon needs its instance): checked before anyone is
// asked for a secret.
Result<void> check_connect(const model::User& actor, const std::string& network, const std::string& service);

// check_connect's refusals; NotFound for an account never added; Invalid
// for an empty secret.
Result<void> connect_account(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                             const model::User& actor, const std::string& network, const std::string& handle,
                             const AccountSecret& secret, UnixSeconds now);

// An account as the accounts page shows it.
struct AccountView {
    model::Account account;
    bool has_credentials = false;  // something is sealed for it
};
Result<std::vector<AccountView>> account_views(store::Store& store);

}  // namespace clearpost::publish
