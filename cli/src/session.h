#pragma once
// What every clearpostctl command that touches the database needs: the store,
// the audit log, the use cases and (for most commands) the acting user.

#include <memory>
#include <string>

#include "clearpost/base/result.h"
#include "clearpost/security/audit.h"
#include "clearpost/security/vault.h"
#include "clearpost/store/store.h"
#include "clearpost/workflow/admin.h"
#include "clearpost/workflow/workflow.h"
#include "commands.h"

namespace clearpost::cli {

class Session {
public:
    enum class Actor { Required, None };
    // Whether the workflow checks new versions. Every command that can make
    // one loads the compliance engine; the service, which only publishes
    // approved versions, does not hold its dictionaries in memory.
    enum class Checks { Load, None };

    // Opens the database named by ctx (or the default). `mode` and `policy`
    // as store::open_sqlite; with Actor::Required, --as must name a user
    // whose password is in CLEARPOST_PASSWORD or typed at the prompt.
    static Result<std::unique_ptr<Session>> open(const Context& ctx, store::OpenMode mode,
                                                 store::MigrationPolicy policy, Actor actor,
                                                 Checks checks = Checks::Load);

    store::Store& store() { return *m_store; }
    security::AuditLog& audit() { return *m_audit; }
    workflow::Workflow& flow() { return *m_flow; }
    workflow::Admin& admin() { return *m_admin; }
    const model::User& user() const { return m_user; }
    // The database file, or a postgresql:// URI (team mode).
    const std::string& location() const { return m_location; }

private:
    std::string m_location;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<security::AuditLog> m_audit;
    std::unique_ptr<workflow::Workflow> m_flow;
    std::unique_ptr<workflow::Admin> m_admin;
    model::User m_user;
};

std::string database_location(const Context& ctx);

// A password from the environment variable `env_name`, else typed at the
// terminal without echo. Fails clearly when neither is possible.
Result<std::string> read_password(const char* env_name, const std::string& prompt, bool confirm);

// A line typed at the terminal without echo (twice when `confirm`). Fails
// clearly when there is no terminal.
Result<std::string> prompt_hidden(const std::string& prompt, bool confirm, const std::string& no_terminal_hint);

// A passphrase kept in a file: the first line, which must not be empty; a
// file that others can read is refused.
Result<std::string> read_passphrase_file(const std::filesystem::path& path);

// What opening the vault may need: its passphrase, from the file named by
// CLEARPOST_VAULT_PASSPHRASE_FILE, else typed at the terminal; asked at most
// once per process (copies share it), and only for a passphrase-protected
// vault.
security::VaultUnlock vault_unlock();

// Prints an error as one line on stderr and returns the exit code for it.
int report(const Error& error);

}  // namespace clearpost::cli
