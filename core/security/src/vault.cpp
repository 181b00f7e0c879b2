#include "clearpost/security/vault.h"

#include "key_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>

#include "clearpost/security/users.h"

namespace clearpost::security {
namespace {

using keyfile::Fd;
using keyfile::os_error;

// The wrapped data key lives in the database, so a rotation commits the new
// key and every re-encrypted entry together, and a backup carries the
// record that its entries need.
const std::string kRecordSetting = "vault.data_key";
const std::string kNamedPrefix = "sealed:";

std::string aad_for(model::Id account_id) { return "clearpost account " + std::to_string(account_id); }
std::string aad_for(const std::string& name) { return "clearpost secret " + name; }
std::string setting_for(const std::string& name) { return kNamedPrefix + name; }

// The stored form of the wrapped data key: "v=1;protection=...;kek=...;..."
// (no secret in it but the wrapped key itself).
struct Record {
    KeyProtection protection = KeyProtection::KeyFile;
    std::string kek_id;  // names the wrapping key (key file, keyring entry, passphrase salt)
    crypto::ScryptParams scrypt;
    crypto::Bytes salt;
    crypto::Bytes wrapped;
};

std::string format(const Record& r) {
    std::string out = "v=1;protection=" + std::string(to_string(r.protection)) + ";kek=" + r.kek_id;
    if (r.protection == KeyProtection::Passphrase) {
        out += ";n=" + std::to_string(r.scrypt.n) + ";r=" + std::to_string(r.scrypt.r) +
               ";p=" + std::to_string(r.scrypt.p) + ";salt=" + crypto::to_hex(r.salt);
    }
    return out + ";wrapped=" + crypto::to_hex(r.wrapped);
}

Result<Record> parse(const std::string& text) {
    const Error damaged{ErrorCode::Corrupt, "the vault's key record in the database is damaged; restore the "
                                            "database from a backup"};
    std::map<std::string, std::string> fields;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find(';', start), text.size());
        const auto item = text.substr(start, end - start);
        const auto eq = item.find('=');
        if (eq == std::string::npos) return damaged;
        fields[item.substr(0, eq)] = item.substr(eq + 1);
        start = end + 1;
    }
    if (fields["v"] != "1") {
        return make_error(ErrorCode::Incompatible, "the vault's key record is from a newer Clearpost; update Clearpost");
    }
    Record r;
    const auto& kind = fields["protection"];
    if (kind == "key-file") r.protection = KeyProtection::KeyFile;
    else if (kind == "passphrase") r.protection = KeyProtection::Passphrase;
    else if (kind == "keyring") r.protection = KeyProtection::Keyring;
    else return damaged;
    r.kek_id = fields["kek"];
    auto wrapped = crypto::from_hex(fields["wrapped"]);
    if (r.kek_id.empty() || !wrapped || wrapped->empty()) return damaged;
    r.wrapped = std::move(*wrapped);
    if (r.protection == KeyProtection::Passphrase) {
        auto number = [](const std::string& s, auto& out) {
            auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
            return ec == std::errc{} && ptr == s.data() + s.size();
        };
        auto salt = crypto::from_hex(fields["salt"]);
        if (!salt || salt->size() < 16 || !number(fields["n"], r.scrypt.n) || !number(fields["r"], r.scrypt.r) ||
            !number(fields["p"], r.scrypt.p)) {
            return damaged;
        }
        r.salt = std::move(*salt);
    }
    return r;
}

// Binds a wrapped key to its database and wrapping key: a record copied
// into another database does not open there.
std::string wrap_aad(const std::string& db_id, const Record& r) {
    return "clearpost vault data key " + db_id + " " + to_string(r.protection) + " " + r.kek_id;
}

std::string new_kek_id() { return crypto::to_hex(crypto::random_bytes(8)); }

struct Paths {
    std::filesystem::path dir, legacy, kek, pending, lock;
};

Paths paths_for(const std::filesystem::path& key_dir, const std::string& db_id) {
    const auto dir = key_dir / "vault";
    return {dir, dir / (db_id + ".key"), dir / (db_id + ".kek"), dir / (db_id + ".kek.new"), dir / (db_id + ".lock")};
}

std::optional<std::filesystem::path> credential_path() {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) return std::nullopt;
    auto path = std::filesystem::path(dir) / kVaultCredentialName;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    return path;
}

// A key-encryption key file: "<key id> <64 hex digits>". nullopt when the
// file does not exist. `private_bits` are the mode bits that must be clear:
// 077 for our own files; 007 for a systemd credential, whose folder only
// the service can enter.
struct KekFile {
    std::string id;
    crypto::Bytes key;
};

Result<std::optional<KekFile>> read_kek_file(const std::filesystem::path& path, mode_t private_bits) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return std::optional<KekFile>{};
        return os_error("cannot read the vault key file", path);
    }
    if ((st.st_mode & private_bits) != 0) {
        return make_error(ErrorCode::Forbidden, "the vault key file " + path.string() +
                                                    " is readable by others; nothing was opened. Run: chmod 600 " +
                                                    path.string());
    }
    std::ifstream in(path);
    KekFile f;
    std::string hex;
    if (!(in >> f.id >> hex)) {
        return make_error(ErrorCode::Corrupt, "the vault key file " + path.string() +
                                                  " is damaged; restore it from your backup");
    }
    auto key = crypto::from_hex(hex);
    if (!key || key->size() != 32) {
        return make_error(ErrorCode::Corrupt, "the vault key file " + path.string() +
                                                  " is damaged; restore it from your backup");
    }
    f.key = std::move(*key);
    return std::optional<KekFile>{std::move(f)};
}

Result<void> write_kek_file(const std::filesystem::path& path, const KekFile& f, int flags) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600));
    if (fd.get() < 0) return os_error("cannot create the vault key file", path);
    return keyfile::write_all(fd.get(), f.id + " " + crypto::to_hex(f.key) + "\n", path);
}

// Serialises opening (and wrapping a legacy key) and changes of the
// wrapping among the processes of this machine.
Result<Fd> lock_vault(const Paths& p) {
    CLEARPOST_CHECK(keyfile::ensure_private_dir(p.dir));
    Fd fd(::open(p.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0 || ::flock(fd.get(), LOCK_EX) != 0) return os_error("cannot lock the vault", p.lock);
    return fd;
}

// The key-encryption key a record names, from its source.
Result<crypto::Bytes> obtain_kek(const Record& r, const Paths& p, const std::string& db_id, VaultUnlock& unlock) {
    switch (r.protection) {
        case KeyProtection::KeyFile: {
            if (auto cred = credential_path()) {
                CLEARPOST_ASSIGN(auto f, read_kek_file(*cred, 007));
                if (f && f->id == r.kek_id) return std::move(f->key);
                return make_error(ErrorCode::Unauthenticated,
                                  "the systemd credential " + cred->string() +
                                      " holds another vault key than the database needs (key " + r.kek_id +
                                      "); copy the current " + p.kek.string() + " into the credential store");
            }
            CLEARPOST_ASSIGN(auto f, read_kek_file(p.kek, 077));
            if (f && f->id == r.kek_id) return std::move(f->key);
            // A protection change that committed but did not get to move its
            // new key file into place finishes here.
            CLEARPOST_ASSIGN(auto pending, read_kek_file(p.pending, 077));
            if (pending && pending->id == r.kek_id) {
                if (::rename(p.pending.c_str(), p.kek.c_str()) != 0) {
                    return os_error("cannot move the new vault key file into place", p.kek);
                }
                return std::move(pending->key);
            }
            if (!f) {
                return make_error(ErrorCode::NotFound,
                                  "the vault key file " + p.kek.string() +
                                      " is missing; restore it from your backup (or give the service the systemd "
                                      "credential " + kVaultCredentialName + "). Nothing was changed");
            }
            return make_error(ErrorCode::Unauthenticated, "the vault key file " + p.kek.string() +
                                                              " holds another key than this database needs (key " +
                                                              r.kek_id + "); restore the right file from your backup");
        }
        case KeyProtection::Passphrase: {
            if (!unlock.passphrase) {
                return make_error(ErrorCode::Unauthenticated,
                                  "the vault is protected by a passphrase and none was given; give it in a file "
                                  "(CLEARPOST_VAULT_PASSPHRASE_FILE) or type it at the prompt");
            }
            CLEARPOST_ASSIGN(std::string passphrase, unlock.passphrase());
            return crypto::derive_key_scrypt(passphrase, r.salt, r.scrypt);
        }
        case KeyProtection::Keyring: {
            if (!unlock.keyring) unlock.keyring = system_keyring();
            std::string why;
            if (!unlock.keyring->available(why)) {
                return make_error(ErrorCode::Unauthenticated,
                                  "the vault key is in the desktop keyring, which cannot be reached: " + why +
                                      "; open Clearpost in your desktop session. Nothing was changed");
            }
            CLEARPOST_ASSIGN(auto stored, unlock.keyring->lookup(db_id, r.kek_id));
            if (!stored) {
                return make_error(ErrorCode::NotFound, "the desktop keyring has no vault key for this database (key " +
                                                           r.kek_id + "); restore the keyring from your backup");
            }
            auto key = crypto::from_hex(*stored);
            if (!key || key->size() != 32) {
                return make_error(ErrorCode::Corrupt, "the vault key in the desktop keyring is damaged");
            }
            return std::move(*key);
        }
    }
    return make_error(ErrorCode::Invalid, "unknown vault protection");
}

Result<crypto::Bytes> unwrap(const Record& r, const crypto::Bytes& kek, const std::string& db_id) {
    auto opened = crypto::open_sealed(kek, r.wrapped, wrap_aad(db_id, r));
    if (!opened) {
        if (r.protection == KeyProtection::Passphrase) {
            return make_error(ErrorCode::Unauthenticated, "wrong vault passphrase; nothing was changed, try again");
        }
        return make_error(ErrorCode::Tampered, "the vault's data key does not open with its " +
                                                   std::string(to_string(r.protection)) +
                                                   " key (wrong key, or the record was altered); nothing was "
                                                   "changed. Restore the key or the database from your backup");
    }
    return crypto::Bytes(opened->begin(), opened->end());
}

Result<Record> wrap(KeyProtection protection, const std::string& kek_id, const crypto::Bytes& kek,
                    const crypto::Bytes& data_key, const std::string& db_id, const crypto::Bytes& salt = {},
                    crypto::ScryptParams scrypt = {}) {
    Record r;
    r.protection = protection;
    r.kek_id = kek_id;
    r.salt = salt;
    r.scrypt = scrypt;
    const std::string plain(data_key.begin(), data_key.end());
    CLEARPOST_ASSIGN(r.wrapped, crypto::seal(kek, plain, wrap_aad(db_id, r)));
    return r;
}

Result<bool> has_entries(store::Store& store) {
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    for (const auto& a : accounts) {
        CLEARPOST_ASSIGN(auto sealed, store.sealed_credentials(a.id));
        if (sealed) return true;
    }
    CLEARPOST_ASSIGN(auto named, store.settings_with_prefix(kNamedPrefix));
    return !named.empty();
}

}  // namespace

const char* to_string(KeyProtection protection) noexcept {
    switch (protection) {
        case KeyProtection::KeyFile: return "key-file";
        case KeyProtection::Passphrase: return "passphrase";
        case KeyProtection::Keyring: return "keyring";
    }
    return "?";
}

Vault::Vault(store::Store& store, std::filesystem::path key_dir, std::string database_id, VaultUnlock unlock)
    : m_store(&store),
      m_key_dir(std::move(key_dir)),
      m_database_id(std::move(database_id)),
      m_unlock(std::move(unlock)) {}

Result<Vault> Vault::open(store::Store& store, const std::filesystem::path& key_dir, VaultUnlock unlock) {
    CLEARPOST_ASSIGN(std::string db_id, store.database_id());
    const Paths p = paths_for(key_dir, db_id);
    Vault vault(store, key_dir, db_id, std::move(unlock));
    CLEARPOST_ASSIGN(auto stored, store.setting(kRecordSetting));
    if (!stored) {
        // No wrapped key yet: a new database, or one from before wrapping.
        CLEARPOST_ASSIGN(Fd lock, lock_vault(p));
        CLEARPOST_ASSIGN(stored, store.setting(kRecordSetting));  // another process may have won
        if (!stored) {
            CLEARPOST_ASSIGN(auto legacy, keyfile::read_key(p.legacy, "vault key"));
            crypto::Bytes data_key;
            if (legacy) {
                data_key = std::move(*legacy);
            } else {
                CLEARPOST_ASSIGN(bool entries, has_entries(store));
                if (entries) {
                    return make_error(ErrorCode::NotFound,
                                      "the vault's key is missing (no key record in the database and no key file " +
                                          p.legacy.string() +
                                          ") but credentials are stored; restore the database or the key from your "
                                          "backup, or reconnect the accounts");
                }
                data_key = crypto::random_bytes(32);
            }
            // A key file left by an earlier attempt that did not commit is
            // used again rather than replaced.
            CLEARPOST_ASSIGN(auto kek, read_kek_file(p.kek, 077));
            if (!kek) {
                kek = KekFile{new_kek_id(), crypto::random_bytes(32)};
                CLEARPOST_CHECK(write_kek_file(p.kek, *kek, O_EXCL));
            }
            CLEARPOST_ASSIGN(auto record, wrap(KeyProtection::KeyFile, kek->id, kek->key, data_key, db_id));
            const std::string text = format(record);
            CLEARPOST_CHECK(store.transaction([&]() -> Result<void> { return store.set_setting(kRecordSetting, text); }));
            vault.m_record = text;
            vault.m_kek = std::move(kek->key);
            vault.m_key = std::move(data_key);
            return vault;
        }
    }
    CLEARPOST_ASSIGN(Record record, parse(*stored));
    CLEARPOST_ASSIGN(vault.m_kek, obtain_kek(record, p, db_id, vault.m_unlock));
    CLEARPOST_ASSIGN(vault.m_key, unwrap(record, vault.m_kek, db_id));
    vault.m_record = std::move(*stored);
    return vault;
}

Result<VaultStatus> Vault::status(store::Store& store, const std::filesystem::path& key_dir) {
    CLEARPOST_ASSIGN(std::string db_id, store.database_id());
    const Paths p = paths_for(key_dir, db_id);
    VaultStatus s;
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    for (const auto& a : accounts) {
        CLEARPOST_ASSIGN(auto sealed, store.sealed_credentials(a.id));
        if (sealed) ++s.account_entries;
    }
    CLEARPOST_ASSIGN(auto named, store.settings_with_prefix(kNamedPrefix));
    s.named_entries = static_cast<int>(named.size());
    std::error_code ec;
    CLEARPOST_ASSIGN(auto stored, store.setting(kRecordSetting));
    if (!stored) {
        if (std::filesystem::exists(p.legacy, ec)) {
            s.initialised = s.legacy = true;
            s.key_source = "unwrapped key file " + p.legacy.string() + " (from before key wrapping; it is wrapped "
                           "with a new key file the next time the vault is opened)";
        } else {
            s.key_source = "none yet (a key is made when the first secret is stored)";
        }
        return s;
    }
    CLEARPOST_ASSIGN(Record r, parse(*stored));
    s.initialised = true;
    s.protection = r.protection;
    switch (r.protection) {
        case KeyProtection::KeyFile:
            if (auto cred = credential_path()) {
                s.key_source = "systemd credential " + std::string(kVaultCredentialName) + " (" + cred->string() + ")";
            } else {
                s.key_source = "key file " + p.kek.string();
            }
            break;
        case KeyProtection::Passphrase:
            s.key_source = "passphrase (scrypt)";
            s.scrypt = "N=" + std::to_string(r.scrypt.n) + " r=" + std::to_string(r.scrypt.r) +
                       " p=" + std::to_string(r.scrypt.p);
            break;
        case KeyProtection::Keyring:
            s.key_source = "desktop keyring (Secret Service), database " + db_id;
            break;
    }
    if (std::filesystem::exists(p.legacy, ec)) s.leftover_key_files.push_back(p.legacy);
    if (r.protection != KeyProtection::KeyFile && std::filesystem::exists(p.kek, ec)) {
        s.leftover_key_files.push_back(p.kek);
    }
    for (const auto& entry : std::filesystem::directory_iterator(p.dir, ec)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with(db_id + ".") && name.ends_with(".kek.old")) s.leftover_key_files.push_back(entry.path());
    }
    return s;
}

Result<void> Vault::follow_record() {
    CLEARPOST_ASSIGN(auto stored, m_store->setting(kRecordSetting));
    if (stored && *stored == m_record) return ok();
    if (!stored) {
        return make_error(ErrorCode::Tampered, "the vault's key record was removed from the database; restore the "
                                               "database from your backup");
    }
    CLEARPOST_ASSIGN(Record now, parse(*stored));
    CLEARPOST_ASSIGN(Record before, parse(m_record));
    if (now.kek_id != before.kek_id || now.protection != before.protection) {
        if (now.protection == KeyProtection::Passphrase) {
            return make_error(ErrorCode::Conflict, "the vault's protection was changed by another process; run the "
                                                   "command again (restart the service) to unlock it");
        }
        CLEARPOST_ASSIGN(m_kek, obtain_kek(now, paths_for(m_key_dir, m_database_id), m_database_id, m_unlock));
    }
    CLEARPOST_ASSIGN(m_key, unwrap(now, m_kek, m_database_id));
    m_record = std::move(*stored);
    return ok();
}

Result<void> Vault::put(model::Id account_id, const std::string& secret, UnixSeconds now) {
    CLEARPOST_CHECK(follow_record());
    CLEARPOST_ASSIGN(auto sealed, crypto::seal(m_key, secret, aad_for(account_id)));
    return m_store->set_sealed_credentials(account_id, sealed, now);
}

Result<std::string> Vault::get(model::Id account_id) {
    CLEARPOST_ASSIGN(auto sealed, m_store->sealed_credentials(account_id));
    if (!sealed) {
        return make_error(ErrorCode::NotFound, "account " + std::to_string(account_id) +
                                                   " has no credentials; connect it with clearpostctl account connect");
    }
    CLEARPOST_CHECK(follow_record());
    return crypto::open_sealed(m_key, *sealed, aad_for(account_id));
}

Result<void> Vault::remove(model::Id account_id) { return m_store->delete_sealed_credentials(account_id); }

Result<void> Vault::put_named(const std::string& name, const std::string& secret) {
    CLEARPOST_CHECK(follow_record());
    CLEARPOST_ASSIGN(auto sealed, crypto::seal(m_key, secret, aad_for(name)));
    return m_store->set_setting(setting_for(name), crypto::to_hex(sealed));
}

Result<std::string> Vault::get_named(const std::string& name) {
    CLEARPOST_ASSIGN(auto hex, m_store->setting(setting_for(name)));
    if (!hex) return make_error(ErrorCode::NotFound, "no secret '" + name + "' is stored");
    CLEARPOST_CHECK(follow_record());
    CLEARPOST_ASSIGN(auto sealed, crypto::from_hex(*hex));
    return crypto::open_sealed(m_key, sealed, aad_for(name));
}

Result<RotationReport> Vault::rotate(UnixSeconds now) {
    CLEARPOST_CHECK(follow_record());
    const crypto::Bytes new_key = crypto::random_bytes(32);
    RotationReport report;
    std::string new_text;
    CLEARPOST_CHECK(m_store->transaction([&]() -> Result<void> {
        // Under the write lock: nobody re-wrapped or rotated since we looked.
        CLEARPOST_ASSIGN(auto stored, m_store->setting(kRecordSetting));
        if (!stored || *stored != m_record) {
            return make_error(ErrorCode::Conflict, "the vault key changed while rotating; run the rotation again");
        }
        CLEARPOST_ASSIGN(auto accounts, m_store->list_accounts());
        for (const auto& a : accounts) {
            CLEARPOST_ASSIGN(auto sealed, m_store->sealed_credentials(a.id));
            if (!sealed) continue;
            auto plain = crypto::open_sealed(m_key, *sealed, aad_for(a.id));
            if (!plain) {
                return make_error(ErrorCode::Tampered, "the credentials of account " + std::to_string(a.id) + " (" +
                                                           a.network + ":" + a.handle +
                                                           ") do not open with the vault key; nothing was rotated. "
                                                           "Reconnect that account, then rotate again");
            }
            CLEARPOST_ASSIGN(auto resealed, crypto::seal(new_key, *plain, aad_for(a.id)));
            CLEARPOST_CHECK(m_store->set_sealed_credentials(a.id, resealed, now));
            ++report.account_entries;
        }
        CLEARPOST_ASSIGN(auto named, m_store->settings_with_prefix(kNamedPrefix));
        for (const auto& [key, hex] : named) {
            const std::string name = key.substr(kNamedPrefix.size());
            auto sealed = crypto::from_hex(hex);
            auto plain = sealed ? crypto::open_sealed(m_key, *sealed, aad_for(name))
                                : Result<std::string>(sealed.error());
            if (!plain) {
                return make_error(ErrorCode::Tampered, "the secret '" + name +
                                                           "' does not open with the vault key; nothing was rotated. "
                                                           "Store that secret again, then rotate again");
            }
            CLEARPOST_ASSIGN(auto resealed, crypto::seal(new_key, *plain, aad_for(name)));
            CLEARPOST_CHECK(m_store->set_setting(key, crypto::to_hex(resealed)));
            ++report.named_entries;
        }
        CLEARPOST_ASSIGN(Record record, parse(m_record));
        CLEARPOST_ASSIGN(auto rewrapped,
                         wrap(record.protection, record.kek_id, m_kek, new_key, m_database_id, record.salt, record.scrypt));
        new_text = format(rewrapped);
        return m_store->set_setting(kRecordSetting, new_text);
    }));
    m_key = new_key;
    m_record = std::move(new_text);
    return report;
}

Result<void> Vault::protect(const VaultProtection& protection) {
    CLEARPOST_CHECK(follow_record());
    const Paths p = paths_for(m_key_dir, m_database_id);
    CLEARPOST_ASSIGN(Fd lock, lock_vault(p));
    const std::string kek_id = new_kek_id();
    crypto::Bytes kek;
    crypto::Bytes salt;
    // The new wrapping key is put in place first, under a name the current
    // one does not use, so a failure before the commit loses nothing.
    std::function<void()> undo = [] {};
    switch (protection.kind) {
        case KeyProtection::KeyFile: {
            kek = crypto::random_bytes(32);
            // A leftover from an attempt that did not commit: one that did
            // commit had its file moved into place by follow_record() above.
            std::error_code ec;
            std::filesystem::remove(p.pending, ec);
            CLEARPOST_CHECK(write_kek_file(p.pending, {kek_id, kek}, O_EXCL));
            undo = [&p] { std::filesystem::remove(p.pending); };
            break;
        }
        case KeyProtection::Passphrase: {
            CLEARPOST_CHECK(check_password_strength(protection.passphrase));
            salt = crypto::random_bytes(16);
            CLEARPOST_ASSIGN(kek, crypto::derive_key_scrypt(protection.passphrase, salt, protection.scrypt));
            break;
        }
        case KeyProtection::Keyring: {
            if (!m_unlock.keyring) m_unlock.keyring = system_keyring();
            std::string why;
            if (!m_unlock.keyring->available(why)) {
                return make_error(ErrorCode::Io, "the desktop keyring cannot be reached: " + why +
                                                     "; nothing was changed. Use a passphrase or a key file instead");
            }
            kek = crypto::random_bytes(32);
            CLEARPOST_CHECK(m_unlock.keyring->store(m_database_id, kek_id, crypto::to_hex(kek),
                                                    "Clearpost vault key (database " + m_database_id + ")"));
            undo = [this, kek_id] { (void)m_unlock.keyring->remove(m_database_id, kek_id); };
            break;
        }
    }
    CLEARPOST_ASSIGN(auto record, wrap(protection.kind, kek_id, kek, m_key, m_database_id, salt, protection.scrypt));
    const std::string text = format(record);
    auto committed = m_store->transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto stored, m_store->setting(kRecordSetting));
        if (!stored || *stored != m_record) {
            return make_error(ErrorCode::Conflict, "the vault key changed meanwhile; nothing was changed, run the "
                                                   "command again");
        }
        return m_store->set_setting(kRecordSetting, text);
    });
    if (!committed) {
        undo();
        return committed.error();
    }
    if (protection.kind == KeyProtection::KeyFile) {
        // The key file it replaces still opens backups taken before now: it
        // is kept under another name, for the administrator to delete.
        auto current = read_kek_file(p.kek, 0);
        if (current && *current) {
            const auto old = p.dir / (m_database_id + "." + (*current)->id + ".kek.old");
            if (::rename(p.kek.c_str(), old.c_str()) != 0) return os_error("cannot set aside the old vault key file", p.kek);
        }
        if (::rename(p.pending.c_str(), p.kek.c_str()) != 0) {
            // Committed already: the next open finishes the move.
            return os_error("cannot move the new vault key file into place", p.kek);
        }
    }
    m_kek = std::move(kek);
    m_record = text;
    return ok();
}

}  // namespace clearpost::security
