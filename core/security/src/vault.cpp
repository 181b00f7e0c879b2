#include "clearpost/security/vault.h"

#include "key_file.h"

namespace clearpost::security {
namespace {

std::string aad_for(model::Id account_id) { return "clearpost account " + std::to_string(account_id); }
std::string aad_for(const std::string& name) { return "clearpost secret " + name; }
std::string setting_for(const std::string& name) { return "sealed:" + name; }

}  // namespace

Result<Vault> Vault::open(store::Store& store, const std::filesystem::path& key_dir) {
    CLEARPOST_ASSIGN(std::string db_id, store.database_id());
    const auto dir = key_dir / "vault";
    const auto path = dir / (db_id + ".key");
    CLEARPOST_ASSIGN(auto key, keyfile::read_key(path, "vault key"));
    if (key) return Vault(store, std::move(*key));
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    for (const auto& a : accounts) {
        CLEARPOST_ASSIGN(auto sealed, store.sealed_credentials(a.id));
        if (sealed) {
            return make_error(ErrorCode::NotFound, "the vault key " + path.string() +
                                                       " is missing but credentials are stored; restore the key "
                                                       "from your backup or reconnect the accounts");
        }
    }
    CLEARPOST_CHECK(keyfile::ensure_private_dir(dir));
    CLEARPOST_ASSIGN(auto created, keyfile::create_key(path, "vault key"));
    return Vault(store, std::move(created));
}

Result<void> Vault::put(model::Id account_id, const std::string& secret, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto sealed, crypto::seal(m_key, secret, aad_for(account_id)));
    return m_store->set_sealed_credentials(account_id, sealed, now);
}

Result<std::string> Vault::get(model::Id account_id) {
    CLEARPOST_ASSIGN(auto sealed, m_store->sealed_credentials(account_id));
    if (!sealed) {
        return make_error(ErrorCode::NotFound, "account " + std::to_string(account_id) +
                                                   " has no credentials; connect it with clearpostctl account connect");
    }
    return crypto::open_sealed(m_key, *sealed, aad_for(account_id));
}

Result<void> Vault::put_named(const std::string& name, const std::string& secret) {
    CLEARPOST_ASSIGN(auto sealed, crypto::seal(m_key, secret, aad_for(name)));
    return m_store->set_setting(setting_for(name), crypto::to_hex(sealed));
}

Result<std::string> Vault::get_named(const std::string& name) {
    CLEARPOST_ASSIGN(auto hex, m_store->setting(setting_for(name)));
    if (!hex) return make_error(ErrorCode::NotFound, "no secret '" + name + "' is stored");
    CLEARPOST_ASSIGN(auto sealed, crypto::from_hex(*hex));
    return crypto::open_sealed(m_key, sealed, aad_for(name));
}

}  // namespace clearpost::security
