#include "session.h"

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "clearpost/security/db_login.h"
#include "clearpost/security/users.h"
#include "clearpost/app/compliance.h"

namespace clearpost::cli {

std::string database_location(const Context& ctx) {
    return ctx.db_path.empty() ? security::default_database_path().string() : ctx.db_path;
}

Result<std::string> prompt_hidden(const std::string& prompt, bool confirm, const std::string& no_terminal_hint) {
    FILE* tty = std::fopen("/dev/tty", "r+");
    if (!tty) return make_error(ErrorCode::Invalid, no_terminal_hint);
    auto ask = [tty](const std::string& text) {
        std::fputs(text.c_str(), tty);
        std::fflush(tty);
        termios old {};
        const int fd = fileno(tty);
        const bool is_term = tcgetattr(fd, &old) == 0;
        if (is_term) {
            termios quiet = old;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            tcsetattr(fd, TCSAFLUSH, &quiet);
        }
        char buf[1024] = {};
        const bool got = std::fgets(buf, sizeof buf, tty) != nullptr;
        if (is_term) tcsetattr(fd, TCSAFLUSH, &old);
        std::fputs("\n", tty);
        std::string line = got ? buf : "";
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        return line;
    };
    std::string password = ask(prompt + ": ");
    if (confirm && ask("Type it again: ") != password) {
        std::fclose(tty);
        return make_error(ErrorCode::Invalid, "the two entries differ; try again");
    }
    std::fclose(tty);
    if (password.empty()) return make_error(ErrorCode::Invalid, "nothing was typed");
    return password;
}

Result<std::string> read_password(const char* env_name, const std::string& prompt, bool confirm) {
    if (const char* env = std::getenv(env_name); env && *env) return std::string(env);
    return prompt_hidden(prompt, confirm,
                         std::string("no password given: set ") + env_name + " or run clearpostctl in a terminal");
}

Result<std::string> read_passphrase_file(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return make_error(ErrorCode::NotFound, "cannot read the passphrase file " + path.string() + "; check the path");
    }
    if ((st.st_mode & 077) != 0) {
        return make_error(ErrorCode::Forbidden, "the passphrase file " + path.string() +
                                                    " is readable by others; run: chmod 600 " + path.string());
    }
    std::ifstream in(path, std::ios::binary);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
        return make_error(ErrorCode::Invalid, "the passphrase file " + path.string() + " is empty; write the passphrase "
                                              "on its first line");
    }
    return line;
}

security::VaultUnlock vault_unlock() {
    auto cached = std::make_shared<std::optional<std::string>>();
    security::VaultUnlock unlock;
    unlock.passphrase = [cached]() -> Result<std::string> {
        if (*cached) return **cached;
        if (const char* file = std::getenv("CLEARPOST_VAULT_PASSPHRASE_FILE"); file && *file) {
            CLEARPOST_ASSIGN(*cached, read_passphrase_file(file));
        } else {
            CLEARPOST_ASSIGN(*cached, prompt_hidden("Vault passphrase", false,
                                                    "the vault is protected by a passphrase: name a file holding it "
                                                    "in CLEARPOST_VAULT_PASSPHRASE_FILE, or run clearpostctl in a "
                                                    "terminal"));
        }
        return **cached;
    };
    return unlock;
}

int report(const Error& error) {
    std::cerr << "clearpostctl: " << error.message << "\n";
    return error.code == ErrorCode::Invalid ? kExitUsage : kExitRuntime;
}

Result<std::unique_ptr<Session>> Session::open(const Context& ctx, store::OpenMode mode,
                                               store::MigrationPolicy policy, Actor actor, Checks checks) {
    if (actor == Actor::Required && ctx.as_user.empty()) {
        return make_error(ErrorCode::Invalid, "say who is acting with --as USER");
    }
    auto session = std::make_unique<Session>();
    // A team database's password may come from the keyring or the
    // service's credential instead of the URI.
    CLEARPOST_ASSIGN(session->m_location,
                     security::with_stored_password(database_location(ctx), *security::system_keyring()));
    CLEARPOST_ASSIGN(session->m_store, store::open_store(session->m_location, mode, policy));
    CLEARPOST_ASSIGN(auto log, security::AuditLog::open(*session->m_store, security::default_config_dir()));
    session->m_audit = std::make_unique<security::AuditLog>(std::move(log));
    // Every new version is checked; a missing rule pack or a broken profile
    // stops the command rather than letting posts through unchecked.
    workflow::ComplianceCheck check;
    if (checks == Checks::Load) {
        CLEARPOST_ASSIGN(auto engine, app::load_engine(*session->m_store, app::assets_dir()));
        CLEARPOST_ASSIGN(check, app::compliance_check(*session->m_store, std::move(engine)));
    }
    session->m_flow = std::make_unique<workflow::Workflow>(*session->m_store, *session->m_audit, system_now,
                                                           std::move(check));
    session->m_admin = std::make_unique<workflow::Admin>(*session->m_store, *session->m_audit, system_now);
    if (actor == Actor::Required) {
        CLEARPOST_ASSIGN(std::string password,
                         read_password("CLEARPOST_PASSWORD", "Password for " + ctx.as_user, false));
        CLEARPOST_ASSIGN(session->m_user, security::authenticate(*session->m_store, ctx.as_user, password));
    }
    return session;
}

}  // namespace clearpost::cli
