// vault status, vault rotate, vault protect: how the credential vault's data
// key is protected, a new data key, and a new protection. No command here
// prints or takes a secret on the command line: passphrases come from a
// file or a prompt without echo.

#include <CLI/CLI.hpp>

#include <sstream>

#include "clearpost/security/vault.h"
#include "output.h"
#include "run.h"

namespace clearpost::cli {
namespace {

using store::MigrationPolicy;
using store::OpenMode;

void add_status(CLI::App* vault, Context& ctx) {
    auto* status = vault->add_subcommand("status", "Say how the vault's key is protected (never prints a secret)");
    status->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required, Session::Checks::None));
        CLEARPOST_ASSIGN(auto s, security::Vault::status(session->store(), security::default_config_dir()));
        nlohmann::json leftovers = nlohmann::json::array();
        for (const auto& p : s.leftover_key_files) leftovers.push_back(p.string());
        nlohmann::json doc{{"initialised", s.initialised},
                           {"legacy", s.legacy},
                           {"protection", s.initialised && !s.legacy ? to_string(s.protection) : ""},
                           {"key_source", s.key_source},
                           {"account_entries", s.account_entries},
                           {"named_entries", s.named_entries},
                           {"leftover_key_files", leftovers}};
        if (!s.scrypt.empty()) doc["scrypt"] = s.scrypt;
        std::ostringstream human;
        human << "Protection: "
              << (s.legacy ? "none yet (legacy key file)"
                           : s.initialised ? std::string(to_string(s.protection)) : std::string("none yet"))
              << "\nKey from:   " << s.key_source;
        if (!s.scrypt.empty()) human << "\nscrypt:     " << s.scrypt;
        human << "\nEntries:    " << s.account_entries << " account credential(s), " << s.named_entries
              << " named secret(s)";
        for (const auto& p : s.leftover_key_files) {
            human << "\nOld key:    " << p.string()
                  << " no longer protects this database but opens backups taken before it was replaced; "
                     "delete it once those backups are not needed";
        }
        emit(ctx.json, doc, human.str());
        return ok();
    }));
}

void add_rotate(CLI::App* vault, Context& ctx) {
    auto* rotate = vault->add_subcommand(
        "rotate", "Re-encrypt every stored credential and secret under a new data key, in one transaction (admin only)");
    rotate->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required, Session::Checks::None));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "rotate the vault key"));
        CLEARPOST_ASSIGN(auto v, security::Vault::open(session->store(), security::default_config_dir(), vault_unlock()));
        CLEARPOST_ASSIGN(auto report, v.rotate(system_now()));
        CLEARPOST_CHECK(session->audit().append({session->user().name, "vault.rotate", "vault",
                                                 std::to_string(report.account_entries) + " account credential(s), " +
                                                     std::to_string(report.named_entries) + " named secret(s)"},
                                                system_now()));
        CLEARPOST_CHECK(session->audit().anchor());
        emit(ctx.json, {{"rotated", true}, {"account_entries", report.account_entries},
                        {"named_entries", report.named_entries}},
             "Rotated the vault's data key: re-encrypted " + std::to_string(report.account_entries) +
                 " account credential(s) and " + std::to_string(report.named_entries) + " named secret(s)");
        return ok();
    }));
}

void add_protect(CLI::App* vault, Context& ctx) {
    auto* protect = vault->add_subcommand(
        "protect", "Protect the vault's data key with a passphrase, a key file or the desktop keyring (admin only)");
    auto passphrase_file = std::make_shared<std::string>();
    auto passphrase_prompt = std::make_shared<bool>(false);
    auto key_file = std::make_shared<bool>(false);
    auto keyring = std::make_shared<bool>(false);
    auto* by_file = protect->add_option("--passphrase-file", *passphrase_file,
                                        "A new passphrase, on the first line of this file (0600)");
    auto* by_prompt = protect->add_flag("--passphrase", *passphrase_prompt, "A new passphrase, typed twice without echo");
    auto* by_key = protect->add_flag("--key-file", *key_file,
                                     "A new random key in a 0600 file next to the audit key (for the service: "
                                     "also usable as the systemd credential clearpost-vault-key)");
    auto* by_keyring = protect->add_flag("--keyring", *keyring, "A new random key kept in the desktop keyring");
    by_file->excludes(by_prompt)->excludes(by_key)->excludes(by_keyring);
    by_prompt->excludes(by_key)->excludes(by_keyring);
    by_key->excludes(by_keyring);
    protect->callback(command(ctx, [&ctx, passphrase_file, passphrase_prompt, key_file, keyring]() -> Result<void> {
        security::VaultProtection protection;
        if (!passphrase_file->empty() || *passphrase_prompt) protection.kind = security::KeyProtection::Passphrase;
        else if (*key_file) protection.kind = security::KeyProtection::KeyFile;
        else if (*keyring) protection.kind = security::KeyProtection::Keyring;
        else {
            return make_error(ErrorCode::Invalid,
                              "say how to protect the vault: --passphrase-file FILE, --passphrase, --key-file or --keyring");
        }
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required, Session::Checks::None));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "change how the vault is protected"));
        // Unlock with the current protection before asking for the new one.
        CLEARPOST_ASSIGN(auto v, security::Vault::open(session->store(), security::default_config_dir(), vault_unlock()));
        if (!passphrase_file->empty()) {
            CLEARPOST_ASSIGN(protection.passphrase, read_passphrase_file(*passphrase_file));
        } else if (*passphrase_prompt) {
            CLEARPOST_ASSIGN(protection.passphrase,
                             prompt_hidden("New vault passphrase", true,
                                           "no terminal to type the new passphrase in: use --passphrase-file FILE"));
        }
        CLEARPOST_CHECK(v.protect(protection));
        const std::string kind = to_string(protection.kind);
        CLEARPOST_CHECK(session->audit().append({session->user().name, "vault.protect", "vault", kind}, system_now()));
        CLEARPOST_CHECK(session->audit().anchor());
        std::string human = "The vault's data key is now protected by ";
        if (protection.kind == security::KeyProtection::Passphrase) {
            human += "a passphrase. Commands that open the vault ask for it, or read it from the file named by "
                     "CLEARPOST_VAULT_PASSPHRASE_FILE";
        } else if (protection.kind == security::KeyProtection::KeyFile) {
            human += "a new key file. Copy it into the service's systemd credential (clearpost-vault-key) if it "
                     "uses one; keep a backup of it";
        } else {
            human += "the desktop keyring. Commands that open the vault need your desktop session";
        }
        emit(ctx.json, {{"protection", kind}}, human + ". See clearpostctl vault status.");
        return ok();
    }));
}

}  // namespace

void add_vault_commands(CLI::App& app, Context& ctx) {
    auto* vault = app.add_subcommand("vault", "The credential vault's key: status, rotation, protection");
    vault->require_subcommand(1);
    add_status(vault, ctx);
    add_rotate(vault, ctx);
    add_protect(vault, ctx);
}

}  // namespace clearpost::cli
