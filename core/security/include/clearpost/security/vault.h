#pragma once
// The credential vault: OAuth tokens, app passwords and app secrets are
// sealed with AES-256-GCM before they reach the database, the account id as
// associated data (a sealed value copied to another account fails to open).
//
// The data key is, for now, a 0600 key file next to the audit key
// ($XDG_CONFIG_HOME/clearpost/vault/<database id>.key), which is also what
// the headless service uses. Wrapping it with the desktop keyring or a
// passphrase, and key rotation, come with the accounts work.

#include <filesystem>
#include <string>

#include "clearpost/base/result.h"
#include "clearpost/crypto/crypto.h"
#include "clearpost/store/store.h"

namespace clearpost::security {

class Vault {
public:
    // Loads the data key for `store`'s database, creating it on first use.
    static Result<Vault> open(store::Store& store, const std::filesystem::path& key_dir);

    Result<void> put(model::Id account_id, const std::string& secret, UnixSeconds now);
    // NotFound when the account has no stored credentials.
    Result<std::string> get(model::Id account_id);

    // Secrets of the installation rather than of an account (e.g. the mail
    // relay's password), sealed with their name as associated data and kept
    // as settings. NotFound when none is stored.
    Result<void> put_named(const std::string& name, const std::string& secret);
    Result<std::string> get_named(const std::string& name);

private:
    Vault(store::Store& store, crypto::Bytes key) : m_store(&store), m_key(std::move(key)) {}

    store::Store* m_store;
    crypto::Bytes m_key;
};

}  // namespace clearpost::security
