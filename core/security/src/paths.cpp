#include <cstdlib>

#include "clearpost/security/audit.h"

namespace clearpost::security {
namespace {

std::filesystem::path xdg_dir(const char* variable, const char* fallback) {
    if (const char* value = std::getenv(variable); value && *value == '/') return value;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : ".") / fallback;
}

}  // namespace

std::filesystem::path default_config_dir() {
    return xdg_dir("XDG_CONFIG_HOME", ".config") / "clearpost";
}

std::filesystem::path default_database_path() {
    return xdg_dir("XDG_DATA_HOME", ".local/share") / "clearpost" / "clearpost.db";
}

}  // namespace clearpost::security
