#pragma once
// The credential vault: OAuth tokens, app passwords and app secrets are
// sealed with AES-256-GCM before they reach the database, the account id (or
// the secret's name) as associated data, so a sealed value copied to another
// account fails to open.
//
// Two keys. A random 32-byte data key seals the entries; it is stored in the
// database only wrapped (AES-256-GCM) by a key-encryption key that comes
// from one of:
//   - the desktop keyring (Secret Service, through libsecret);
//   - a passphrase, through scrypt (salt and cost stored with the wrapped key);
//   - a 0600 key file, $XDG_CONFIG_HOME/clearpost/vault/<database id>.kek, or
//     for the service the same key as a systemd credential named
//     clearpost-vault-key in $CREDENTIALS_DIRECTORY (LoadCredential=).
// A database from before the wrapping keeps its data key in a raw key file
// (<database id>.key); opening it wraps that key with a new key file, once,
// and leaves the old file for the administrator to delete (see docs/vault.md).

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/crypto/crypto.h"
#include "clearpost/security/keyring.h"
#include "clearpost/store/store.h"

namespace clearpost::security {

// How the data key is wrapped.
enum class KeyProtection { KeyFile, Passphrase, Keyring };
const char* to_string(KeyProtection protection) noexcept;

// The name of the systemd credential the service reads the key file from.
inline constexpr const char* kVaultCredentialName = "clearpost-vault-key";

// What opening a vault may need besides the database and the key folder.
struct VaultUnlock {
    // Asked only when the vault is protected by a passphrase.
    std::function<Result<std::string>()> passphrase;
    // The desktop keyring; none means the session's Secret Service.
    std::shared_ptr<Keyring> keyring;
};

// A new protection for the data key (Vault::protect).
struct VaultProtection {
    KeyProtection kind = KeyProtection::KeyFile;
    std::string passphrase;        // Passphrase only
    crypto::ScryptParams scrypt;   // Passphrase only: N=2^15, r=8, p=1 by default
};

// How the vault is protected, for people; never holds a secret.
struct VaultStatus {
    bool initialised = false;      // false: nothing stored yet, no key made
    bool legacy = false;           // a raw data key file, wrapped on the next open
    KeyProtection protection = KeyProtection::KeyFile;
    std::string key_source;        // where the wrapping key comes from, in words
    std::string scrypt;            // "N=32768 r=8 p=1" for a passphrase
    int account_entries = 0;
    int named_entries = 0;
    // Key files that no longer protect the live database but still open
    // backups taken before a migration, protection change or rotation.
    std::vector<std::filesystem::path> leftover_key_files;
};

struct RotationReport {
    int account_entries = 0;
    int named_entries = 0;
};

class Vault {
public:
    // Loads the data key for `store`'s database. A new database gets a new
    // data key wrapped by a new key file; a raw key file from before the
    // wrapping is wrapped on first open. Call outside a store transaction.
    static Result<Vault> open(store::Store& store, const std::filesystem::path& key_dir, VaultUnlock unlock = {});

    // How the vault is protected, without unlocking it.
    static Result<VaultStatus> status(store::Store& store, const std::filesystem::path& key_dir);

    Result<void> put(model::Id account_id, const std::string& secret, UnixSeconds now);
    // NotFound when the account has no stored credentials.
    Result<std::string> get(model::Id account_id);
    // Forgets the account's credentials (disconnected); fine when there are none.
    Result<void> remove(model::Id account_id);

    // Secrets of the installation rather than of an account (e.g. the mail
    // relay's password), sealed with their name as associated data and kept
    // as settings. NotFound when none is stored.
    Result<void> put_named(const std::string& name, const std::string& secret);
    Result<std::string> get_named(const std::string& name);

    // Re-encrypts every entry (account credentials and named secrets) under
    // a new data key, wrapped as before, in one transaction: either all of
    // it or, on any failure, nothing. Call outside a store transaction.
    Result<RotationReport> rotate(UnixSeconds now);

    // Wraps the data key with a new key-encryption key from `protection`.
    // The new key is in place (keyring entry or key file) before the
    // database commits, and the old one is never deleted here.
    Result<void> protect(const VaultProtection& protection);

    // Where the key file lives and whose database this vault is: the OAuth
    // refresh locks sit beside the key (oauth::refresh_lock_dir).
    const std::filesystem::path& key_dir() const { return m_key_dir; }
    const std::string& database_id() const { return m_database_id; }

    Vault(Vault&&) = default;
    Vault& operator=(Vault&&) = default;

private:
    Vault(store::Store& store, std::filesystem::path key_dir, std::string database_id, VaultUnlock unlock);

    // Picks up a data key rotated by another process (same wrapping key);
    // a changed wrapping asks to open the vault again.
    Result<void> follow_record();

    store::Store* m_store;
    std::filesystem::path m_key_dir;
    std::string m_database_id;
    VaultUnlock m_unlock;
    std::string m_record;  // the stored wrapped-key record this key came from
    crypto::Bytes m_kek;   // the key-encryption key it was unwrapped with
    crypto::Bytes m_key;   // the data key
};

}  // namespace clearpost::security
