#pragma once
// Stands in for the Secret Service where the logic around the keyring is
// under test (the vault's key wrapping, the studio's database choice); the
// real keyring has its own tests (tests/core/security/with_keyring.sh).

#include <map>
#include <optional>
#include <string>

#include "clearpost/security/keyring.h"

namespace clearpost::testing {

class MemoryKeyring final : public security::Keyring {
public:
    bool available(std::string&) override { return true; }
    Result<std::optional<std::string>> lookup(const std::string& db, const std::string& key) override {
        auto it = entries.find(db + "/" + key);
        if (it == entries.end()) return std::optional<std::string>{};
        return std::optional<std::string>{it->second};
    }
    Result<void> store(const std::string& db, const std::string& key, const std::string& secret,
                       const std::string&) override {
        entries[db + "/" + key] = secret;
        return ok();
    }
    Result<void> remove(const std::string& db, const std::string& key) override {
        entries.erase(db + "/" + key);
        return ok();
    }
    // "<database>/<key id>" -> secret
    std::map<std::string, std::string> entries;
};

}  // namespace clearpost::testing
