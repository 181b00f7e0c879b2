#pragma once
// The desktop keyring (the freedesktop Secret Service: GNOME Keyring,
// KWallet, KeePassXC) as a place for the key that wraps the vault's data
// key, and for a team database's password (db_login.h). Entries are found
// by a database (id or server) and a key id, so a new key can be stored
// before the old one is removed and a failure in between loses nothing.

#include <memory>
#include <optional>
#include <string>

#include "clearpost/base/result.h"

namespace clearpost::security {

class Keyring {
public:
    virtual ~Keyring() = default;
    // Whether a Secret Service answers; `why` says what is missing when not.
    virtual bool available(std::string& why) = 0;
    // The stored secret; nullopt when there is none for this database and key.
    virtual Result<std::optional<std::string>> lookup(const std::string& database_id, const std::string& key_id) = 0;
    // `label` is what the keyring's own window shows for the entry.
    virtual Result<void> store(const std::string& database_id, const std::string& key_id, const std::string& secret,
                               const std::string& label) = 0;
    virtual Result<void> remove(const std::string& database_id, const std::string& key_id) = 0;
};

// The session's Secret Service through libsecret. In a build without
// libsecret every call fails with a message saying so.
std::shared_ptr<Keyring> system_keyring();

}  // namespace clearpost::security
