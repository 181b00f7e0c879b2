#pragma once
// clearpostctl's command groups. Each add_*_command registers its CLI11
// subcommands on `app`; their callbacks store the process exit code in
// `ctx.exit_code` (see docs/cli.md for the codes).

#include <string>

namespace CLI {
class App;
}

namespace clearpost::cli {

enum ExitCode : int {
    kExitOk = 0,
    kExitRuntime = 1,  // the command ran and failed (not found, forbidden, storage, ...)
    kExitUsage = 2,    // the command line itself is wrong
};

struct Context {
    std::string db_path;  // --db; empty means the default $XDG_DATA_HOME/clearpost/clearpost.db
    std::string as_user;  // --as
    bool json = false;    // --json
    int exit_code = kExitOk;
};

void add_admin_commands(CLI::App& app, Context& ctx);  // init, user, db, audit
void add_post_commands(CLI::App& app, Context& ctx);   // post ...
void add_check_command(CLI::App& app, Context& ctx);   // check (compliance)
// run, plugins, pause, resume, account connect, notices; after add_admin_commands
void add_publish_commands(CLI::App& app, Context& ctx);
void add_report_command(CLI::App& app, Context& ctx);  // report (CSV of what was published)
void add_vault_commands(CLI::App& app, Context& ctx);  // vault status, rotate, protect
void add_transfer_commands(CLI::App& app, Context& ctx);  // import, export, restore

}  // namespace clearpost::cli
