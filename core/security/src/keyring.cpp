#include "clearpost/security/keyring.h"

#include <cstdlib>

#ifdef CLEARPOST_HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

namespace clearpost::security {
namespace {

#ifdef CLEARPOST_HAVE_LIBSECRET

// Entries carry the database id and the key id as attributes; the schema
// name keeps them apart from other programs' secrets.
const SecretSchema* vault_schema() {
    static const SecretSchema schema = {
        "org.clearpost.VaultKey",
        SECRET_SCHEMA_NONE,
        {{"database", SECRET_SCHEMA_ATTRIBUTE_STRING},
         {"key", SECRET_SCHEMA_ATTRIBUTE_STRING},
         {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING}},
        0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
    return &schema;
}

Error keyring_error(const std::string& what, GError* error) {
    std::string message = what + " the desktop keyring: " + (error ? error->message : "unknown error") +
                          "; unlock the keyring and try again";
    if (error) g_error_free(error);
    return make_error(ErrorCode::Io, message);
}

class SecretServiceKeyring final : public Keyring {
public:
    bool available(std::string& why) override {
        if (!std::getenv("DBUS_SESSION_BUS_ADDRESS")) {
            why = "no desktop session bus (DBUS_SESSION_BUS_ADDRESS is not set)";
            return false;
        }
        GError* error = nullptr;
        SecretService* service = secret_service_get_sync(SECRET_SERVICE_NONE, nullptr, &error);
        if (!service) {
            why = std::string("no Secret Service answers: ") + (error ? error->message : "unknown error");
            if (error) g_error_free(error);
            return false;
        }
        g_object_unref(service);
        return true;
    }

    Result<std::optional<std::string>> lookup(const std::string& database_id, const std::string& key_id) override {
        GError* error = nullptr;
        gchar* secret = secret_password_lookup_sync(vault_schema(), nullptr, &error, "database", database_id.c_str(),
                                                    "key", key_id.c_str(), nullptr);
        if (error) return keyring_error("cannot read from", error);
        if (!secret) return std::optional<std::string>{};
        std::string value(secret);
        secret_password_free(secret);
        return std::optional<std::string>{std::move(value)};
    }

    Result<void> store(const std::string& database_id, const std::string& key_id, const std::string& secret,
                       const std::string& label) override {
        GError* error = nullptr;
        const gboolean stored =
            secret_password_store_sync(vault_schema(), SECRET_COLLECTION_DEFAULT, label.c_str(), secret.c_str(),
                                       nullptr, &error, "database", database_id.c_str(), "key", key_id.c_str(), nullptr);
        if (!stored || error) return keyring_error("cannot store a secret in", error);
        return ok();
    }

    Result<void> remove(const std::string& database_id, const std::string& key_id) override {
        GError* error = nullptr;
        secret_password_clear_sync(vault_schema(), nullptr, &error, "database", database_id.c_str(), "key",
                                   key_id.c_str(), nullptr);
        if (error) return keyring_error("cannot remove a secret from", error);
        return ok();
    }
};

#else

const char* const kNoKeyring =
    "this build of Clearpost has no desktop keyring support (built without libsecret); "
    "protect the vault with a passphrase or a key file, and give database passwords another way";

class SecretServiceKeyring final : public Keyring {
public:
    bool available(std::string& why) override {
        why = kNoKeyring;
        return false;
    }
    Result<std::optional<std::string>> lookup(const std::string&, const std::string&) override {
        return make_error(ErrorCode::Incompatible, kNoKeyring);
    }
    Result<void> store(const std::string&, const std::string&, const std::string&, const std::string&) override {
        return make_error(ErrorCode::Incompatible, kNoKeyring);
    }
    Result<void> remove(const std::string&, const std::string&) override {
        return make_error(ErrorCode::Incompatible, kNoKeyring);
    }
};

#endif

}  // namespace

std::shared_ptr<Keyring> system_keyring() { return std::make_shared<SecretServiceKeyring>(); }

}  // namespace clearpost::security
