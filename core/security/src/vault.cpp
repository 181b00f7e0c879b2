#include "clearpost/security/vault.h"

#include "key_file.h"

namespace clearpost::security {
namespace {

std::string aad_for(model::Id account_id) { return "clearpost account " + std::to_string(account_id); }

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

}  // namespace clearpost::security
