// clearpostctl: the headless face of Clearpost. Every command is a thin shell
// over core use cases; exit codes are 0 ok, 1 runtime error, 2 usage error.

#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"

#ifndef CLEARPOST_VERSION
#define CLEARPOST_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
    using namespace clearpost::cli;
    Context ctx;
    CLI::App app{"clearpostctl: schedule, review and publish healthcare social posts from the command line",
                 "clearpostctl"};
    app.set_version_flag("--version", "clearpostctl " CLEARPOST_VERSION);
    app.require_subcommand(1);
    app.add_option("--db", ctx.db_path, "Database file (default: $XDG_DATA_HOME/clearpost/clearpost.db), or a postgresql:// URI for team mode");
    app.add_option("--as", ctx.as_user, "Acting user (password from CLEARPOST_PASSWORD or a prompt)");
    app.add_flag("--json", ctx.json, "Machine-readable JSON output");
    app.footer("Exit codes: 0 ok, 1 runtime error, 2 usage error. See docs/cli.md.");

    add_admin_commands(app, ctx);
    add_post_commands(app, ctx);
    add_publish_commands(app, ctx);
    add_check_command(app, ctx);
    add_report_command(app, ctx);
    add_vault_commands(app, ctx);
    add_transfer_commands(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }
    return ctx.exit_code;
}
