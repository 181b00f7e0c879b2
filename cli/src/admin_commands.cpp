// init, user, account, org, audit and db commands.

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "clearpost/compliance/org_profile.h"
#include "clearpost/schedule/time_zone.h"
#include "clearpost/publish/accounts.h"
#include "clearpost/security/db_login.h"
#include "clearpost/security/vault.h"
#include "clearpost/app/report_delivery.h"
#include "output.h"
#include "run.h"

namespace clearpost::cli {
namespace {

using store::MigrationPolicy;
using store::OpenMode;

// The machine's zone from TZ or /etc/timezone; UTC when unknown.
std::string system_zone() {
    if (const char* tz = std::getenv("TZ"); tz && *tz) return *tz == ':' ? tz + 1 : tz;
    std::ifstream in("/etc/timezone");
    std::string zone;
    if (in >> zone) return zone;
    return "UTC";
}

void add_init(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("init", "Create the database and its first admin");
    auto admin = std::make_shared<std::string>();
    auto org = std::make_shared<std::string>("My organisation");
    auto zone = std::make_shared<std::string>();
    cmd->add_option("--admin", *admin, "Name of the first admin user")->required();
    cmd->add_option("--org", *org, "Organisation name");
    cmd->add_option("--zone", *zone, "Organisation's IANA time zone (default: the system's)");
    cmd->callback(command(ctx, [&ctx, admin, org, zone]() -> Result<void> {
        const std::string tz = zone->empty() ? system_zone() : *zone;
        schedule::TzDatabase zones;
        CLEARPOST_CHECK(zones.find(tz));
        CLEARPOST_ASSIGN(std::string password,
                         read_password("CLEARPOST_PASSWORD", "Password for the new admin " + *admin, true));
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::CreateIfMissing,
                                                     MigrationPolicy::Migrate, Session::Actor::None));
        CLEARPOST_ASSIGN(auto user, session->admin().initialise(*org, tz, *admin, password));
        const std::string where = store::redact_uri(session->location());
        emit(ctx.json, {{"database", where}, {"admin", to_json(user)}},
             "Created " + where + " with admin '" + user.name + "' (zone " + tz + ")");
        return ok();
    }));
}

void add_user(CLI::App& app, Context& ctx) {
    auto* user = app.add_subcommand("user", "Manage users");
    user->require_subcommand(1);

    auto* add = user->add_subcommand("add", "Add a user (admin only); the new password comes from "
                                            "CLEARPOST_NEW_PASSWORD or a prompt");
    auto name = std::make_shared<std::string>();
    auto role = std::make_shared<std::string>();
    add->add_option("NAME", *name, "User name")->required();
    add->add_option("--role", *role, "author, approver, privacy_officer or admin")->required();
    add->callback(command(ctx, [&ctx, name, role]() -> Result<void> {
        CLEARPOST_ASSIGN(model::Role r, model::parse_role(*role));
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist,
                                                     MigrationPolicy::RequireCurrent, Session::Actor::Required));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "add users"));
        CLEARPOST_ASSIGN(std::string password,
                         read_password("CLEARPOST_NEW_PASSWORD", "Password for the new user " + *name, true));
        CLEARPOST_ASSIGN(auto created, session->admin().add_user(session->user(), *name, r, password));
        emit(ctx.json, to_json(created), "Added " + created.name + " (" + *role + ")");
        return ok();
    }));

    auto* list = user->add_subcommand("list", "List users");
    list->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist,
                                                     MigrationPolicy::RequireCurrent, Session::Actor::Required));
        CLEARPOST_ASSIGN(auto users, session->store().list_users());
        nlohmann::json doc = nlohmann::json::array();
        std::ostringstream human;
        for (const auto& u : users) {
            doc.push_back(to_json(u));
            human << u.name << "\t" << model::to_string(u.role) << (u.active ? "" : "\t(inactive)") << "\n";
        }
        emit(ctx.json, doc, human.str());
        return ok();
    }));
}

void add_account(CLI::App& app, Context& ctx) {
    auto* account = app.add_subcommand("account", "Manage social accounts");
    account->require_subcommand(1);
    auto* list = account->add_subcommand("list", "List social accounts");
    list->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist,
                                                     MigrationPolicy::RequireCurrent, Session::Actor::Required));
        CLEARPOST_ASSIGN(auto views, publish::account_views(session->store()));
        // Token expiry needs the vault; one that needs a passphrase is left shut.
        if (publish::any_connected(views)) {
            if (auto vault = security::Vault::open(session->store(), security::default_config_dir()))
                publish::read_token_expiry(views, *vault);
        }
        nlohmann::json doc = nlohmann::json::array();
        std::ostringstream human;
        for (const auto& v : views) {
            auto j = to_json(v.account);
            j["connected"] = v.has_credentials;
            j["token_expires_at"] = v.token_expires_at ? nlohmann::json(format_utc(*v.token_expires_at)) : nlohmann::json();
            j["token_renews"] = v.renews;
            doc.push_back(std::move(j));
            human << v.account.network << ":" << v.account.handle << "\t" << v.account.status
                  << (v.has_credentials ? "" : " (no credentials)");
            if (v.token_expires_at)
                human << "\ttoken " << (v.renews ? "renews before " : "ends ") << format_utc(*v.token_expires_at);
            human << "\n";
        }
        emit(ctx.json, doc, human.str());
        return ok();
    }));
}

void add_org_profile(CLI::App* org, Context& ctx) {
    auto* profile = org->add_subcommand("profile", "The organisation's public details, which compliance checks "
                                                   "must not flag (phones, emails, addresses, domains, staff)");
    profile->require_subcommand(1);
    auto* import = profile->add_subcommand("import", "Replace the profile from a JSON file (admin only); "
                                                     "format in docs/compliance.md");
    auto file = std::make_shared<std::string>();
    import->add_option("FILE", *file, "Profile JSON")->required();
    import->callback(command(ctx, [&ctx, file]() -> Result<void> {
        std::ifstream in(*file, std::ios::binary);
        if (!in) return make_error(ErrorCode::NotFound, "cannot read " + *file + "; check the path");
        const std::string text{std::istreambuf_iterator<char>(in), {}};
        auto parsed = compliance::parse_org_profile(text);
        if (!parsed) return make_error(ErrorCode::Invalid, *file + ": " + parsed.error().message);
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_CHECK(session->admin().set_org_profile(session->user(), text));
        emit(ctx.json, {{"imported", *file}}, "Imported the organisation profile from " + *file);
        return ok();
    }));
    auto* show = profile->add_subcommand("show", "Print the stored profile");
    show->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_ASSIGN(auto stored, session->store().organisation());
        std::cout << stored.profile_json << "\n";
        return ok();
    }));
}

void add_org(CLI::App& app, Context& ctx) {
    auto* org = app.add_subcommand("org", "Organisation settings");
    org->require_subcommand(1);
    auto* chain = org->add_subcommand("chain", "Set the approval chain (admin only), e.g. "
                                               "'org chain approver privacy_officer'");
    auto roles = std::make_shared<std::vector<std::string>>();
    chain->add_option("ROLES", *roles, "One role per stage, in order")->required();
    chain->callback(command(ctx, [&ctx, roles]() -> Result<void> {
        std::vector<model::ApprovalStage> stages;
        for (const auto& r : *roles) {
            CLEARPOST_ASSIGN(model::Role role, model::parse_role(r));
            stages.push_back({static_cast<int>(stages.size()) + 1, role});
        }
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist,
                                                     MigrationPolicy::RequireCurrent, Session::Actor::Required));
        CLEARPOST_CHECK(session->admin().set_approval_chain(session->user(), stages));
        emit(ctx.json, {{"stages", *roles}}, "Approval chain: " + std::to_string(stages.size()) + " stage(s)");
        return ok();
    }));
    auto* moves = org->add_subcommand(
        "reschedule-policy", "Whether a queued post moved to another time keeps its approval (keep) or goes back "
                             "for review (review, the default); admin only");
    auto policy = std::make_shared<std::string>();
    moves->add_option("POLICY", *policy, "keep or review")->required()->check(CLI::IsMember({"keep", "review"}));
    moves->callback(command(ctx, [&ctx, policy]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist,
                                                     MigrationPolicy::RequireCurrent, Session::Actor::Required));
        CLEARPOST_CHECK(session->admin().set_reschedule_keeps_approval(session->user(), *policy == "keep"));
        emit(ctx.json, {{"reschedule_policy", *policy}},
             *policy == "keep" ? "A queued post moved in time keeps its approval."
                               : "A queued post moved in time goes back for review.");
        return ok();
    }));
    auto* slots = org->add_subcommand(
        "queue-slots", "Show the weekly queue slots, or set them (admin only), e.g. "
                       "'org queue-slots \"Mon 09:00\" \"Wed 12:30\"'; --clear removes them");
    auto slot_texts = std::make_shared<std::vector<std::string>>();
    auto clear = std::make_shared<bool>(false);
    slots->add_option("SLOTS", *slot_texts, "Weekday and local time in the organisation's zone, one per slot");
    slots->add_flag("--clear", *clear, "Remove every slot");
    slots->callback(command(ctx, [&ctx, slot_texts, clear]() -> Result<void> {
        if (*clear && !slot_texts->empty()) return make_error(ErrorCode::Invalid, "give slots or --clear, not both");
        const bool change = *clear || !slot_texts->empty();
        std::vector<schedule::WeeklySlot> wanted;
        for (const auto& text : *slot_texts) {
            CLEARPOST_ASSIGN(auto slot, schedule::parse_weekly_slot(text));
            wanted.push_back(slot);
        }
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     change ? Session::Actor::Required : Session::Actor::None));
        if (change) CLEARPOST_CHECK(session->admin().set_queue_slots(session->user(), std::move(wanted)));
        CLEARPOST_ASSIGN(auto stored, workflow::queue_slots(session->store()));
        CLEARPOST_ASSIGN(auto organisation, session->store().organisation());
        nlohmann::json list = nlohmann::json::array();
        std::string human;
        for (const auto& slot : stored) {
            list.push_back(schedule::format_weekly_slot(slot));
            human += (human.empty() ? "" : ", ") + schedule::format_weekly_slot(slot);
        }
        emit(ctx.json, {{"queue_slots", list}, {"zone", organisation.default_zone}},
             stored.empty() ? std::string("No queue slots.")
                            : "Queue slots (" + organisation.default_zone + "): " + human);
        return ok();
    }));
    auto* retention = org->add_subcommand(
        "metrics-retention", "Show how long metrics snapshots are kept, or set it (admin only): DAYS (30-36500) or "
                             "keep (every snapshot, the default)");
    auto retention_value = std::make_shared<std::string>();
    retention->add_option("DAYS", *retention_value, "Days to keep snapshots, or keep");
    retention->callback(command(ctx, [&ctx, retention_value]() -> Result<void> {
        const bool change = !retention_value->empty();
        std::optional<int> days;
        if (change && *retention_value != "keep") {
            try {
                std::size_t used = 0;
                days = std::stoi(*retention_value, &used);
                if (used != retention_value->size()) throw std::invalid_argument("trailing text");
            } catch (const std::exception&) {
                return make_error(ErrorCode::Invalid, "metrics-retention takes a number of days or keep, not '" +
                                                          *retention_value + "'");
            }
        }
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     change ? Session::Actor::Required : Session::Actor::None));
        if (change) CLEARPOST_CHECK(session->admin().set_metrics_retention(session->user(), days));
        CLEARPOST_ASSIGN(auto kept, workflow::metrics_retention(session->store()));
        emit(ctx.json, {{"retention_days", kept ? nlohmann::json(*kept) : nlohmann::json()}},
             kept ? "Metrics snapshots are kept " + std::to_string(*kept) + " days (each post's newest always)."
                  : std::string("Every metrics snapshot is kept."));
        return ok();
    }));
    auto* reports = org->add_subcommand(
        "report-schedule", "Show or set the report mailed every week or month through the notice relay "
                           "(clearpostctl run sends it; admin only to set)");
    auto plan = std::make_shared<app::ReportSchedule>();
    auto off = std::make_shared<bool>(false);
    reports->add_option("--every", plan->every, "week (Monday to Monday) or month")->check(CLI::IsMember({"week", "month"}));
    reports->add_option("--format", plan->format, "pdf (default) or csv")->check(CLI::IsMember({"pdf", "csv"}));
    reports->add_option("--to", plan->to, "Who receives it (repeatable)");
    reports->add_flag("--off", *off, "Stop mailing reports");
    reports->callback(command(ctx, [&ctx, plan, off]() -> Result<void> {
        const bool change = *off || !plan->to.empty();
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     change ? Session::Actor::Required : Session::Actor::None));
        if (change) {
            CLEARPOST_CHECK(app::set_report_schedule(session->store(), session->audit(), session->user(),
                                                     *off ? std::nullopt : std::optional<app::ReportSchedule>(*plan),
                                                     system_now()));
        }
        CLEARPOST_ASSIGN(auto stored, app::report_schedule(session->store()));
        if (!stored) {
            emit(ctx.json, nlohmann::json::object(), "No report is mailed on a schedule.");
            return ok();
        }
        std::string to;
        for (const auto& a : stored->to) to += (to.empty() ? "" : ", ") + a;
        emit(ctx.json,
             {{"every", stored->every}, {"format", stored->format}, {"to", stored->to}, {"last_sent", stored->last_sent}},
             "A " + stored->format + " report of each " + stored->every + " is mailed to " + to +
                 (stored->last_sent.empty() ? "" : "; the last period sent ended before " + stored->last_sent) + ".");
        return ok();
    }));
    add_org_profile(org, ctx);
}

void add_audit(CLI::App& app, Context& ctx) {
    auto* audit = app.add_subcommand("audit", "The tamper-evident audit log");
    audit->require_subcommand(1);
    auto* verify = audit->add_subcommand("verify", "Check the whole chain; exit 1 naming the first bad entry");
    verify->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist,
                                                     MigrationPolicy::RequireCurrent, Session::Actor::None));
        CLEARPOST_ASSIGN(auto report, session->audit().verify());
        emit(ctx.json,
             {{"intact", report.intact},
              {"entries", report.entries},
              {"first_bad_entry", report.first_bad_seq},
              {"problem", report.problem}},
             report.intact ? "Audit log intact: " + std::to_string(report.entries) + " entries" : "");
        if (!report.intact) {
            return make_error(ErrorCode::Tampered, "audit log broken at entry " +
                                                       std::to_string(report.first_bad_seq) + ": " +
                                                       report.problem);
        }
        return ok();
    }));
}

void add_db(CLI::App& app, Context& ctx) {
    auto* db = app.add_subcommand("db", "Database maintenance");
    db->require_subcommand(1);
    auto* backup = db->add_subcommand("backup", "Copy the database while it is in use");
    auto dest = std::make_shared<std::string>();
    backup->add_option("PATH", *dest, "New file to write")->required();
    backup->callback(command(ctx, [&ctx, dest]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist,
                                                     MigrationPolicy::RequireCurrent, Session::Actor::None));
        CLEARPOST_CHECK(session->store().backup_to(*dest));
        emit(ctx.json, {{"backup", *dest}}, "Backed up to " + *dest);
        return ok();
    }));
    auto* migrate = db->add_subcommand("migrate", "Bring the database to this program's schema");
    migrate->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::Migrate,
                                                     Session::Actor::None));
        CLEARPOST_ASSIGN(int version, session->store().schema_version());
        emit(ctx.json, {{"schema_version", version}}, "Schema version " + std::to_string(version));
        return ok();
    }));
    auto* grant = db->add_subcommand(
        "grant", "Team mode: let a PostgreSQL role work at a desk without the service role's rights (admin only)");
    auto role = std::make_shared<std::string>();
    grant->add_option("ROLE", *role, "An existing PostgreSQL role (or group) of the people at the desks")->required();
    grant->callback(command(ctx, [&ctx, role]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required, Session::Checks::None));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "grant database roles"));
        CLEARPOST_CHECK(session->store().transaction([&]() -> Result<void> {
            CLEARPOST_CHECK(session->store().grant_desk_role(*role));
            return session->audit().append({session->user().name, "db.grant", "role " + *role, "desk"},
                                           system_now());
        }));
        CLEARPOST_CHECK(session->audit().anchor());
        emit(ctx.json, {{"role", *role}, {"granted", "desk"}},
             "Role " + *role + " may now work at a desk: posts, approvals and the queue, but it cannot change "
             "the audit log or its anchor");
        return ok();
    }));
    auto* login = db->add_subcommand(
        "login", "Team mode: keep the --db role's password in the desktop keyring (from CLEARPOST_DB_PASSWORD or "
                 "a prompt), after checking that it connects");
    login->callback(command(ctx, [&ctx]() -> Result<void> {
        const std::string uri = database_location(ctx);
        if (!store::is_postgres_uri(uri)) {
            return make_error(ErrorCode::Invalid, "db login is for a postgresql:// --db; a database file has no password");
        }
        CLEARPOST_ASSIGN(std::string password, read_password("CLEARPOST_DB_PASSWORD", "Password for the database role "
                                                                                     "of " + store::redact_uri(uri),
                                                             false));
        // A wrong password is never kept: connect with it first.
        auto tried = store::open_store(security::uri_with_password(uri, password), OpenMode::MustExist,
                                       MigrationPolicy::RequireCurrent);
        if (!tried.ok() && tried.error().code != ErrorCode::NotFound) return tried.error();
        CLEARPOST_CHECK(security::remember_database_password(uri, password, *security::system_keyring()));
        emit(ctx.json, {{"database", store::redact_uri(uri)}, {"stored", "keyring"}},
             "The password for " + store::redact_uri(uri) + " is in the desktop keyring; --db " +
                 store::redact_uri(uri) + " uses it from now on");
        return ok();
    }));
    auto* logout = db->add_subcommand("logout", "Team mode: remove the --db role's password from the desktop keyring");
    logout->callback(command(ctx, [&ctx]() -> Result<void> {
        const std::string uri = database_location(ctx);
        CLEARPOST_ASSIGN(bool removed, security::forget_database_password(uri, *security::system_keyring()));
        emit(ctx.json, {{"database", store::redact_uri(uri)}, {"removed", removed}},
             (removed ? "Removed the stored password for " : "No password was stored for ") + store::redact_uri(uri));
        return ok();
    }));
    auto* migrate_to = db->add_subcommand(
        "migrate-to", "Copy this database into an empty one (e.g. postgresql://… for team mode) and verify it");
    auto target = std::make_shared<std::string>();
    migrate_to->add_option("TARGET", *target, "A postgresql:// URI (or a new database file)")->required();
    migrate_to->callback(command(ctx, [&ctx, target]() -> Result<void> {
        // The source must be current and its audit chain intact before anything moves.
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::None, Session::Checks::None));
        CLEARPOST_ASSIGN(auto before, session->audit().verify());
        if (!before.intact) {
            return make_error(ErrorCode::Tampered, "the audit log of this database is broken at entry " +
                                                       std::to_string(before.first_bad_seq) +
                                                       "; nothing was copied (see clearpostctl audit verify)");
        }
        CLEARPOST_ASSIGN(const std::string to, security::with_stored_password(*target, *security::system_keyring()));
        CLEARPOST_ASSIGN(auto copied, store::copy_database(session->location(), to));
        // The copy keeps the database id, so its chain verifies with the same key and anchor.
        CLEARPOST_ASSIGN(auto copy, store::open_store(to, OpenMode::MustExist, MigrationPolicy::RequireCurrent));
        CLEARPOST_ASSIGN(auto log, security::AuditLog::open(*copy, security::default_config_dir()));
        CLEARPOST_CHECK(log.anchor());  // a file copy needs its own anchor beside the key
        CLEARPOST_ASSIGN(auto after, log.verify());
        if (!after.intact || after.entries != before.entries) {
            return make_error(ErrorCode::Tampered, "the copy's audit log does not verify (" + after.problem +
                                                       "); do not use it, and keep using this database");
        }
        nlohmann::json tables = nlohmann::json::object();
        std::int64_t rows = 0;
        for (const auto& t : copied) {
            tables[t.table] = t.rows;
            rows += t.rows;
        }
        const std::string where = store::redact_uri(*target);
        emit(ctx.json, {{"target", where}, {"tables", tables}, {"audit_entries", after.entries}},
             "Copied " + std::to_string(rows) + " rows in " + std::to_string(copied.size()) + " tables to " + where +
                 "; every table's count matches and the audit chain verifies (" + std::to_string(after.entries) +
                 " entries). Use it with --db " + where);
        return ok();
    }));
}

}  // namespace

void add_admin_commands(CLI::App& app, Context& ctx) {
    add_init(app, ctx);
    add_user(app, ctx);
    add_account(app, ctx);
    add_org(app, ctx);
    add_audit(app, ctx);
    add_db(app, ctx);
}

}  // namespace clearpost::cli
