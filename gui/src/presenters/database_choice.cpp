#include "database_choice.h"

#include <fstream>

#include "clearpost/base/file.h"
#include "clearpost/security/db_login.h"
#include "clearpost/store/store.h"

namespace clearpost::gui {
namespace {

std::filesystem::path setting_path(const std::filesystem::path& config_dir) { return config_dir / "studio-database"; }

}  // namespace

std::string chosen_database(const std::filesystem::path& config_dir, const std::filesystem::path& embedded) {
    std::ifstream in(setting_path(config_dir));
    std::string location;
    if (in && std::getline(in, location) && !location.empty()) return location;
    return embedded.string();
}

Result<void> choose_database(const std::filesystem::path& config_dir, const std::string& location) {
    if (location.empty()) {
        std::error_code ec;
        std::filesystem::remove(setting_path(config_dir), ec);
        if (ec) return make_error(ErrorCode::Io, "cannot reset the studio's database choice: " + ec.message());
        return ok();
    }
    if (store::redact_uri(location) != location) {
        return make_error(ErrorCode::Invalid, "leave the password out of the address; it is asked for separately");
    }
    std::error_code ec;
    std::filesystem::create_directories(config_dir, ec);
    if (ec) return make_error(ErrorCode::Io, "cannot create " + config_dir.string() + ": " + ec.message());
    return write_file_atomically(setting_path(config_dir), location + "\n", Overwrite::Replace, 0600);
}

Result<std::string> connect_team_database(const std::string& uri, const std::string& password, bool remember,
                                          security::Keyring& keyring) {
    if (!store::is_postgres_uri(uri)) {
        return make_error(ErrorCode::Invalid,
                          "a team database's address starts with postgresql://, e.g. "
                          "postgresql://anna@db.example.org/clearpost");
    }
    if (store::redact_uri(uri) != uri) {
        return make_error(ErrorCode::Invalid, "leave the password out of the address; type it in the Password field");
    }
    std::string location;
    if (password.empty()) {
        CLEARPOST_ASSIGN(location, security::with_stored_password(uri, keyring));
    } else {
        location = security::uri_with_password(uri, password);
    }
    CLEARPOST_ASSIGN(auto opened,
                     store::open_store(location, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent));
    opened.reset();
    if (remember && !password.empty()) CLEARPOST_CHECK(security::remember_database_password(uri, password, keyring));
    return location;
}

}  // namespace clearpost::gui
