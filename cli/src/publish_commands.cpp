// run, plugins, pause/resume (emergency), account add and connect, app, notices.

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <sstream>

#include "clearpost/app/report_delivery.h"
#include "clearpost/net/http.h"
#include "clearpost/publish/accounts.h"
#include "clearpost/publish/notify.h"
#include "clearpost/publish/oauth_connect.h"
#include "clearpost/publish/service.h"
#include "clearpost/security/vault.h"
#include "output.h"
#include "run.h"

namespace clearpost::cli {
namespace {

using store::MigrationPolicy;
using store::OpenMode;

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

void add_run(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("run", "Publish due posts unattended (the service); SIGTERM stops cleanly");
    auto once = std::make_shared<bool>(false);
    auto service = std::make_shared<publish::ServiceOptions>();
    cmd->add_flag("--once", *once, "Publish what is due now, take due metrics snapshots, then exit");
    cmd->add_option("--interval", service->poll_seconds,
                    "Longest sleep between queue checks in seconds (the service also wakes when the next post is due)")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->add_option("--workers", service->workers,
                    "Accounts publish in parallel on this many workers (each account always on the same one)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--lease", service->dispatch.lease_seconds,
                    "Seconds a claimed post stays with this process; after that (e.g. when it was killed) "
                    "another run takes it over. Keep it longer than the slowest publish")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    cmd->callback(command(ctx, [&ctx, once, service]() -> Result<void> {
        // Checks the database (exists, current schema) before any worker opens it.
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::None, Session::Checks::None));
        publish::PluginRegistry plugins;
        plugins.discover(publish::default_plugin_dirs());
        const auto logger = publish::stderr_logger();
        for (const auto& p : plugins.plugins())
            if (!p.loaded) logger(publish::LogLevel::Warn, "skipped plugin " + p.path.string() + ": " + p.problem);
        const auto location = session->location();
        // The vault is unlocked once here, so a passphrase is asked before
        // the workers start and they share it.
        const auto unlock = vault_unlock();
        CLEARPOST_CHECK(security::Vault::open(session->store(), security::default_config_dir(), unlock));
        auto open = [location, unlock]() -> Result<publish::WorkerContext> {
            publish::WorkerContext w;
            CLEARPOST_ASSIGN(w.store, store::open_store(location, OpenMode::MustExist, MigrationPolicy::RequireCurrent));
            CLEARPOST_ASSIGN(auto audit, security::AuditLog::open(*w.store, security::default_config_dir()));
            w.audit = std::make_unique<security::AuditLog>(std::move(audit));
            CLEARPOST_ASSIGN(auto vault, security::Vault::open(*w.store, security::default_config_dir(), unlock));
            w.vault = std::make_unique<security::Vault>(std::move(vault));
            return w;
        };
        publish::ServiceOptions options = *service;
        options.once = *once;
        options.dispatch.owner = publish::make_owner_id();
        // The organisation's scheduled report, mailed once per period.
        // A missing relay is said once, not every round.
        options.housekeeping = [said = std::string()](store::Store& db, security::Vault& vault,
                                                      const publish::Logger& log) mutable {
            auto sent = app::deliver_due_report(db, vault, system_now());
            if (!sent) {
                if (sent.error().message != said)
                    log(publish::LogLevel::Warn, "the scheduled report was not mailed: " + sent.error().message);
                said = sent.error().message;
            } else if (*sent) {
                log(publish::LogLevel::Info, "mailed the report of " + (*sent)->from + " to before " + (*sent)->to);
            }
        };
        std::signal(SIGTERM, on_stop_signal);
        std::signal(SIGINT, on_stop_signal);
        CLEARPOST_ASSIGN(auto total, publish::serve(open, plugins, logger, options, g_stop));
        emit(ctx.json,
             {{"claimed", total.claimed},
              {"published", total.published},
              {"retrying", total.retrying},
              {"failed", total.failed},
              {"needs_attention", total.needs_attention},
              {"metrics_snapshots", total.metrics_snapshots},
              {"account_snapshots", total.account_snapshots}},
             "published " + std::to_string(total.published) + ", retrying " + std::to_string(total.retrying) +
                 ", failed " + std::to_string(total.failed) + ", needs attention " +
                 std::to_string(total.needs_attention) + ", metrics snapshots " +
                 std::to_string(total.metrics_snapshots) + ", account samples " +
                 std::to_string(total.account_snapshots));
        return ok();
    }));
}

// A dispatcher for one command (not the service): the plugins, a vault and
// an HTTP client on the session's connection.
struct OneShot {
    static Result<std::unique_ptr<OneShot>> open(Session& session) {
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session.store(), security::default_config_dir(), vault_unlock()));
        return std::unique_ptr<OneShot>(new OneShot(session, std::move(vault)));
    }

    security::Vault vault;
    publish::PluginRegistry plugins;
    net::HttpClient http;
    publish::PluginHost host;
    publish::Dispatcher dispatcher;

private:
    OneShot(Session& session, security::Vault v)
        : vault(std::move(v)),
          host(http, publish::system_now_ms, publish::stderr_logger()),
          dispatcher(session.store(), vault, session.audit(), plugins, host, system_now, options()) {
        plugins.discover(publish::default_plugin_dirs());
    }

    static publish::DispatchOptions options() {
        publish::DispatchOptions o;
        o.owner = publish::make_owner_id();
        return o;
    }
};

void add_takedown(CLI::App& app, Context& ctx) {
    auto* cmd = app.get_subcommand("post")->add_subcommand(
        "takedown", "Delete a published post from every network it went to (e.g. it names a patient)");
    auto post_id = std::make_shared<model::Id>(0);
    auto reason = std::make_shared<std::string>();
    cmd->add_option("POST", *post_id, "Post id")->required();
    cmd->add_option("--reason", *reason, "Why (kept in the audit log)")->required();
    cmd->callback(command(ctx, [&ctx, post_id, reason]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_ASSIGN(auto targets, session->store().targets_of(*post_id));
        CLEARPOST_ASSIGN(auto publisher, OneShot::open(*session));
        nlohmann::json doc = nlohmann::json::array();
        std::ostringstream human;
        std::optional<Error> first_error;
        int removed = 0;
        for (const auto& t : targets) {
            if (t.state != model::State::Published) continue;
            auto done = publisher->dispatcher.take_down(session->user(), t.id, *reason);
            doc.push_back({{"target_id", t.id}, {"removed", done.ok()}, {"error", done ? "" : done.error().message}});
            human << "target " << t.id << ": " << (done ? "removed from " + t.remote_url : done.error().message) << "\n";
            if (done) ++removed;
            else if (!first_error) first_error = done.error();
        }
        if (doc.empty()) {
            return make_error(ErrorCode::Conflict, "post " + std::to_string(*post_id) + " has nothing published to take down");
        }
        emit(ctx.json, doc, human.str());
        // Some networks may have refused: the command fails so nobody assumes it is all gone.
        if (first_error) return *first_error;
        return ok();
    }));
}

// One snapshot (a post's or an account's) for --json, and as a line for people.
nlohmann::json snapshot_entry(UnixSeconds fetched_at, const std::string& metrics_json, std::ostream& human) {
    auto m = nlohmann::json::parse(metrics_json, nullptr, false);
    human << "  " << format_utc(fetched_at);
    if (m.is_object())
        for (const auto& [name, value] : m.items()) human << "  " << name << " " << value.dump();
    human << "\n";
    return {{"fetched_at", format_utc(fetched_at)}, {"metrics", std::move(m)}};
}

void add_metrics(CLI::App& app, Context& ctx) {
    auto* metrics = app.add_subcommand("metrics", "Counts of published posts (likes, reposts, ...) over time");
    metrics->require_subcommand(1);
    auto post_id = std::make_shared<model::Id>(0);
    auto fetch = std::make_shared<bool>(false);
    auto* show = metrics->add_subcommand("show", "A post's metrics snapshots, per network target");
    show->add_option("POST", *post_id, "Post id")->required();
    show->add_flag("--fetch", *fetch, "Take a snapshot now first (outside the schedule)");
    show->callback(command(ctx, [&ctx, post_id, fetch]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        auto& store = session->store();
        CLEARPOST_ASSIGN(auto targets, store.targets_of(*post_id));
        if (targets.empty()) return make_error(ErrorCode::NotFound, "post " + std::to_string(*post_id) + " has no targets");
        if (*fetch) {
            std::vector<store::MetricsDue> published;
            for (const auto& t : targets)
                if (t.state == model::State::Published && !t.remote_id.empty())
                    published.push_back({t.id, t.account_id, t.remote_id, 0, 0});
            if (published.empty()) {
                return make_error(ErrorCode::Conflict,
                                  "post " + std::to_string(*post_id) + " is not published yet: it has no metrics");
            }
            CLEARPOST_ASSIGN(auto publisher, OneShot::open(*session));
            CLEARPOST_CHECK(publisher->dispatcher.snapshot_now(published));
        }
        nlohmann::json doc = nlohmann::json::array();
        std::ostringstream human;
        for (const auto& t : targets) {
            CLEARPOST_ASSIGN(auto account, store.find_account(t.account_id));
            const std::string label = account ? account->network + ":" + account->handle : "?";
            CLEARPOST_ASSIGN(auto history, store.metric_snapshots(t.id));
            nlohmann::json snaps = nlohmann::json::array();
            human << label << "  " << model::to_string(t.state) << (t.remote_url.empty() ? "" : "  " + t.remote_url)
                  << "\n";
            for (const auto& h : history) snaps.push_back(snapshot_entry(h.fetched_at, h.metrics_json, human));
            if (history.empty()) human << "  (no snapshot yet)\n";
            doc.push_back({{"target_id", t.id}, {"account", label}, {"state", model::to_string(t.state)},
                           {"remote_url", t.remote_url}, {"snapshots", snaps}});
        }
        emit(ctx.json, doc, human.str());
        return ok();
    }));
    auto network = std::make_shared<std::string>();
    auto handle = std::make_shared<std::string>();
    auto history_days = std::make_shared<int>(30);
    auto* account = metrics->add_subcommand(
        "account", "An account's own numbers (followers, following, posts) over time; clearpostctl run samples "
                   "every connected account once a day");
    account->add_option("NETWORK", *network, "Network, e.g. bluesky")->required();
    account->add_option("HANDLE", *handle, "The account's handle")->required();
    account->add_flag("--fetch", *fetch, "Take a sample now first (outside the daily one)");
    account->add_option("--days", *history_days, "How far back to show (default 30)")->check(CLI::Range(1, 3660));
    account->callback(command(ctx, [&ctx, network, handle, fetch, days = history_days]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        auto& store = session->store();
        CLEARPOST_ASSIGN(auto found, store.find_account(*network, *handle));
        if (!found) return make_error(ErrorCode::NotFound, "no account " + *network + ":" + *handle);
        if (*fetch) {
            CLEARPOST_ASSIGN(auto publisher, OneShot::open(*session));
            CLEARPOST_CHECK(publisher->dispatcher.sample_account(found->id));
        }
        const UnixSeconds now = system_now();
        CLEARPOST_ASSIGN(auto history, store.account_snapshots(now - static_cast<UnixSeconds>(*days) * 86400, now + 1,
                                                               found->id));
        nlohmann::json samples = nlohmann::json::array();
        std::ostringstream human;
        human << found->network << ":" << found->handle << "\n";
        for (const auto& h : history) samples.push_back(snapshot_entry(h.fetched_at, h.metrics_json, human));
        if (history.empty()) human << "  (no sample in the last " << *days << " days)\n";
        emit(ctx.json, {{"account", found->network + ":" + found->handle}, {"samples", samples}}, human.str());
        return ok();
    }));
    auto* prune = metrics->add_subcommand(
        "prune", "Delete the snapshots the organisation's retention no longer keeps (each post's and account's "
                 "newest stays); clearpostctl run does this once a day");
    prune->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_ASSIGN(auto days, workflow::metrics_retention(session->store()));
        CLEARPOST_ASSIGN(auto removed, workflow::apply_metrics_retention(session->store(), session->audit(),
                                                                         session->user().name, system_now()));
        emit(ctx.json, {{"removed", removed}, {"retention_days", days ? nlohmann::json(*days) : nlohmann::json()}},
             days ? std::to_string(removed) + " snapshots older than " + std::to_string(*days) + " days deleted."
                  : std::string("The organisation keeps every snapshot; nothing deleted."));
        return ok();
    }));
}

void add_plugins(CLI::App& app, Context& ctx) {
    auto* plugins = app.add_subcommand("plugins", "Publisher plugins");
    plugins->require_subcommand(1);
    auto* list = plugins->add_subcommand("list", "List plugins found, loaded or skipped with the reason");
    list->callback(command(ctx, [&ctx]() -> Result<void> {
        publish::PluginRegistry registry;
        const auto dirs = publish::default_plugin_dirs();
        registry.discover(dirs);
        nlohmann::json doc{{"searched", nlohmann::json::array()}, {"plugins", nlohmann::json::array()}};
        std::ostringstream human;
        for (const auto& d : dirs) doc["searched"].push_back(d.string());
        for (const auto& p : registry.plugins()) {
            doc["plugins"].push_back({{"path", p.path.string()},
                                      {"network", p.network},
                                      {"loaded", p.loaded},
                                      {"problem", p.problem},
                                      {"capabilities", nlohmann::json::parse(p.capabilities, nullptr, false)}});
            human << (p.loaded ? "ok      " : "skipped ") << (p.network.empty() ? "-" : p.network) << "\t"
                  << p.path.string() << (p.problem.empty() ? "" : "\t" + p.problem) << "\n";
        }
        emit(ctx.json, doc, registry.plugins().empty() ? "No plugins found." : human.str());
        return ok();
    }));
}

void add_pause(CLI::App& app, Context& ctx) {
    auto reason = std::make_shared<std::string>();
    auto* pause = app.add_subcommand("pause", "Emergency pause: stop all publishing now");
    pause->add_option("--reason", *reason, "Why (shown to everyone until resumed)")->required();
    pause->callback(command(ctx, [&ctx, reason]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_CHECK(session->admin().pause_publishing(session->user(), *reason));
        CLEARPOST_ASSIGN(auto waiting, session->store().targets_in({model::State::Scheduled, model::State::RetryWait}, 100000));
        emit(ctx.json, {{"paused", true}, {"reason", *reason}, {"waiting_targets", waiting.size()}},
             "Publishing is paused (" + std::to_string(waiting.size()) +
                 " queued target(s) keep their schedule). Resume with: clearpostctl resume");
        return ok();
    }));
    auto* resume = app.add_subcommand("resume", "End the emergency pause");
    resume->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_CHECK(session->admin().resume_publishing(session->user()));
        emit(ctx.json, {{"paused", false}}, "Publishing resumed; overdue posts go out on the next run");
        return ok();
    }));
}

// How an account gets its credentials, per network.
struct ConnectArgs {
    std::string network;
    std::string handle;
    std::string service;  // Bluesky PDS, Mastodon instance
    std::string appview;  // Bluesky
    bool browser = false; // Mastodon: sign in rather than paste a token
};

// The sign-in page's address is printed too: on a machine without a
// desktop the person opens it elsewhere (the redirect still needs this one).
oauth::BrowserOpener print_and_open() {
    return [](const std::string& url) -> Result<void> {
        std::cerr << "Sign in to allow Clearpost to post. If no browser opens, visit:\n  " << url << "\n";
        (void)oauth::open_in_system_browser(url);
        return ok();
    };
}

// Connects an added account: an app password (Bluesky) or access token
// (Mastodon) from CLEARPOST_ACCOUNT_SECRET or a prompt, or a sign-in in the
// browser (Mastodon with --browser, and every network whose publisher signs
// in with OAuth). Returns what to tell the person.
Result<std::string> connect(Session& session, const ConnectArgs& a) {
    CLEARPOST_CHECK(workflow::require_admin(session.user(), "connect accounts"));
    CLEARPOST_ASSIGN(auto account, session.store().find_account(a.network, a.handle));
    if (!account) {
        return make_error(ErrorCode::NotFound, "no account " + a.network + ":" + a.handle +
                                                   "; add it first with clearpostctl account add");
    }
    const std::string label = a.network + ":" + a.handle;
    if (!publish::connects_with_secret(a.network)) {
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session.store(), security::default_config_dir(), vault_unlock()));
        publish::PluginRegistry plugins;
        plugins.discover(publish::default_plugin_dirs());
        net::HttpClient http;
        // A person is waiting at the terminal: warnings only, not every request.
        publish::PluginHost host(http, publish::system_now_ms, [log = publish::stderr_logger()](publish::LogLevel level, const std::string& line) {
            if (level >= publish::LogLevel::Warn) log(level, line);
        });
        oauth::AuthorizeOptions options;
        options.open_browser = print_and_open();
        CLEARPOST_CHECK(publish::connect_with_oauth(session.store(), vault, session.audit(), plugins, host, http,
                                                    session.user(), a.network, a.handle, options, system_now()));
        return "Connected " + label + " through the browser";
    }
    // Refused before a secret is asked for: the network, the instance.
    CLEARPOST_CHECK(publish::check_connect(session.user(), a.network, a.service));
    const bool mastodon = a.network == "mastodon";
    if (a.browser && !mastodon) {  // Bluesky: atproto OAuth rather than an app password
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session.store(), security::default_config_dir(), vault_unlock()));
        net::HttpClient http;
        oauth::AuthorizeOptions options;
        options.open_browser = print_and_open();
        CLEARPOST_ASSIGN(auto credentials, publish::sign_in_to_bluesky(http, a.handle, a.service, a.appview, options));
        CLEARPOST_CHECK(publish::save_oauth_grant(session.store(), vault, session.audit(), session.user(), a.network,
                                                  a.handle, credentials, system_now()));
        return "Connected " + label + " through the browser";
    }
    if (a.browser) {
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session.store(), security::default_config_dir(), vault_unlock()));
        net::HttpClient http;
        publish::BrowserSignIn sign_in;
        sign_in.instance = a.service;
        sign_in.authorize.open_browser = print_and_open();
        CLEARPOST_CHECK(publish::connect_mastodon_in_browser(session.store(), vault, session.audit(), http,
                                                             session.user(), a.handle, sign_in, system_now()));
        return "Connected " + label + " through the browser";
    }
    publish::AccountSecret secret{{}, a.service, a.appview};
    CLEARPOST_ASSIGN(secret.secret, read_password("CLEARPOST_ACCOUNT_SECRET",
                                                  (mastodon ? "Access token for " : "App password for ") + label, false));
    CLEARPOST_ASSIGN(auto vault, security::Vault::open(session.store(), security::default_config_dir(), vault_unlock()));
    CLEARPOST_CHECK(publish::connect_account(session.store(), vault, session.audit(), session.user(), a.network,
                                             a.handle, secret, system_now()));
    return "Connected " + label;
}

void add_connect_options(CLI::App* cmd, ConnectArgs& a) {
    cmd->add_option("--service", a.service, "The account's server (Bluesky PDS URL, Mastodon instance)");
    cmd->add_option("--appview", a.appview,
                    "Where Bluesky post counts are read (default: the public AppView, public.api.bsky.app)");
    cmd->add_flag("--browser", a.browser,
                  "Sign in through the browser instead of entering a secret: Mastodon (OAuth with PKCE), Bluesky "
                  "(atproto OAuth with PAR and DPoP)");
}

void add_connect(CLI::App& app, Context& ctx) {
    auto* account = app.get_subcommand("account");
    auto* add = account->add_subcommand(
        "add", "Add a social account (admin only) and, in a terminal, connect it: an app password (Bluesky), an "
               "access token or a browser sign-in (Mastodon), a browser sign-in (X, LinkedIn, Facebook, Instagram, "
               "Threads)");
    auto added = std::make_shared<ConnectArgs>();
    auto mode = std::make_shared<std::string>("auto");
    add->add_option("NETWORK", added->network, "bluesky, mastodon, x, linkedin, facebook, instagram, threads")->required();
    add->add_option("HANDLE", added->handle, "The account's handle on that network")->required();
    add_connect_options(add, *added);
    add->add_flag_callback("--connect", [mode] { *mode = "yes"; }, "Connect now even without a terminal");
    add->add_flag_callback("--no-connect", [mode] { *mode = "no"; }, "Only add the account; connect it later");
    add->callback(command(ctx, [&ctx, added, mode]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_ASSIGN(auto created, session->admin().add_account(session->user(), added->network, added->handle));
        const std::string label = created.network + ":" + created.handle;
        const bool now = *mode == "yes" || (*mode == "auto" && ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO));
        if (!now) {
            emit(ctx.json, to_json(created),
                 "Added " + label + "; connect it with clearpostctl account connect " + created.network + " " +
                     created.handle);
            return ok();
        }
        auto connected = connect(*session, *added);
        if (!connected) {
            // The account stays: connecting again needs no second add.
            return make_error(connected.error().code, "added " + label + " but did not connect it: " +
                                                          connected.error().message +
                                                          "; try again with clearpostctl account connect");
        }
        auto doc = to_json(created);
        doc["connected"] = true;
        emit(ctx.json, doc, "Added " + label + ". " + *connected);
        return ok();
    }));

    auto* cmd = account->add_subcommand(
        "connect", "Connect an added account (admin only): an app password (Bluesky) or access token (Mastodon) "
                   "from CLEARPOST_ACCOUNT_SECRET or a prompt, or a sign-in in the browser (Mastodon with "
                   "--browser; X, LinkedIn, Facebook, Instagram and Threads always)");
    auto args = std::make_shared<ConnectArgs>();
    cmd->add_option("NETWORK", args->network, "e.g. bluesky")->required();
    cmd->add_option("HANDLE", args->handle, "The account as added with account add")->required();
    add_connect_options(cmd, *args);
    cmd->callback(command(ctx, [&ctx, args]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_ASSIGN(auto message, connect(*session, *args));
        CLEARPOST_ASSIGN(auto found, session->store().find_account(args->network, args->handle));
        emit(ctx.json, {{"connected", true}, {"account_id", found ? found->id : 0}}, message);
        return ok();
    }));
}

void add_media_host(CLI::App& app, Context& ctx) {
    auto* cmd = app.get_subcommand("account")->add_subcommand(
        "media-host", "Where images go for a network to fetch them (Instagram, Threads; admin only): an HTTP PUT or "
                      "WebDAV folder, or an S3 bucket. A PUT Authorization header or the S3 secret key comes from "
                      "CLEARPOST_MEDIA_HOST_SECRET or a prompt");
    auto network = std::make_shared<std::string>();
    auto handle = std::make_shared<std::string>();
    auto host = std::make_shared<publish::MediaHost>();
    auto with_auth = std::make_shared<bool>(false);
    cmd->add_option("NETWORK", *network, "instagram or threads")->required();
    cmd->add_option("HANDLE", *handle, "The connected account")->required();
    cmd->add_option("--kind", host->kind, "put or s3")->required()->check(CLI::IsMember({"put", "s3"}));
    cmd->add_option("--upload-url", host->upload_url, "put: the folder objects are PUT to; s3: the bucket's endpoint URL")
        ->required();
    cmd->add_option("--public-url", host->public_url, "Where the network fetches the objects")->required();
    cmd->add_option("--region", host->region, "s3: the bucket's region");
    cmd->add_option("--access-key", host->access_key, "s3: the access key id");
    cmd->add_flag("--authorization", *with_auth, "put: the folder needs an Authorization header (asked for)");
    cmd->callback(command(ctx, [&ctx, network, handle, host, with_auth]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "set media hosts"));
        publish::MediaHost setting = *host;
        if (setting.kind == "s3") {
            CLEARPOST_ASSIGN(setting.secret_key, read_password("CLEARPOST_MEDIA_HOST_SECRET", "S3 secret key", false));
        } else if (*with_auth) {
            CLEARPOST_ASSIGN(setting.authorization,
                             read_password("CLEARPOST_MEDIA_HOST_SECRET", "Authorization header value", false));
        }
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session->store(), security::default_config_dir(), vault_unlock()));
        CLEARPOST_CHECK(publish::set_media_host(session->store(), vault, session->audit(), session->user(), *network,
                                                *handle, setting, system_now()));
        emit(ctx.json, {{"network", *network}, {"handle", *handle}, {"media_host", setting.public_url}},
             *network + ":" + *handle + " puts images on " + setting.public_url);
        return ok();
    }));
}

// The organisation's own app registered with a network (client id and,
// where needed, secret), for the browser sign-in.
void add_app(CLI::App& app, Context& ctx) {
    auto* apps = app.add_subcommand("app", "The organisation's own apps registered with the networks "
                                           "(docs/app-registration.md)");
    apps->require_subcommand(1);
    auto* set = apps->add_subcommand("set", "Store a network app's client id and secret (admin only); the secret "
                                            "comes from CLEARPOST_APP_SECRET or a prompt where the network needs one");
    auto network = std::make_shared<std::string>();
    auto reg = std::make_shared<publish::AppRegistration>();
    set->add_option("NETWORK", *network, "x, linkedin, facebook, instagram, threads")->required();
    set->add_option("--client-id", reg->client_id, "The app's client id from the network's developer portal")->required();
    set->add_option("--authorize-url", reg->authorize_url, "Another authorisation endpoint (a test server)");
    set->add_option("--token-url", reg->token_url, "Another token endpoint (a test server)");
    set->add_option("--revocation-url", reg->revocation_url, "Another revocation endpoint (a test server)");
    set->add_option("--api-url", reg->api_url, "Another API server (a test server)");
    set->callback(command(ctx, [&ctx, network, reg]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "register apps with networks"));
        publish::PluginRegistry plugins;
        plugins.discover(publish::default_plugin_dirs());
        CLEARPOST_ASSIGN(auto spec, publish::oauth_spec(plugins, *network));
        publish::AppRegistration registration = *reg;
        if (spec.needs_client_secret) {
            CLEARPOST_ASSIGN(registration.client_secret,
                             read_password("CLEARPOST_APP_SECRET", "Client secret of the " + *network + " app", false));
        }
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session->store(), security::default_config_dir(), vault_unlock()));
        CLEARPOST_CHECK(publish::set_app_registration(session->store(), vault, session->audit(), plugins, session->user(),
                                                      *network, registration, system_now()));
        emit(ctx.json, {{"network", *network}, {"client_id", registration.client_id}},
             "Stored the " + *network + " app (client id " + registration.client_id +
                 (registration.client_secret.empty() ? "" : ", secret sealed in the vault") +
                 "); connect accounts with clearpostctl account add " + *network + " HANDLE");
        return ok();
    }));
}

void add_disconnect(CLI::App& app, Context& ctx) {
    auto* disconnect = app.get_subcommand("account")->add_subcommand(
        "disconnect", "Revoke an account's access where the network allows it and forget its credentials (admin)");
    auto network = std::make_shared<std::string>();
    auto handle = std::make_shared<std::string>();
    disconnect->add_option("NETWORK", *network, "e.g. mastodon")->required();
    disconnect->add_option("HANDLE", *handle, "The account as added with account add")->required();
    disconnect->callback(command(ctx, [&ctx, network, handle]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session->store(), security::default_config_dir(), vault_unlock()));
        net::HttpClient http;
        CLEARPOST_ASSIGN(auto done, publish::disconnect_account(session->store(), vault, session->audit(), http,
                                                                session->user(), *network, *handle, system_now()));
        std::string message = "Disconnected " + *network + ":" + *handle +
                              (done.revoked ? "; the network revoked Clearpost's access." : ".");
        if (!done.note.empty()) message += " Still to do: " + done.note + ".";
        emit(ctx.json, {{"disconnected", true}, {"revoked", done.revoked}, {"note", done.note}}, message);
        return ok();
    }));
}

void add_notices(CLI::App& app, Context& ctx) {
    auto* notices = app.add_subcommand("notices", "Publishing problems that need a person");
    notices->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_ASSIGN(auto list, session->store().open_notices());
        nlohmann::json doc = nlohmann::json::array();
        std::ostringstream human;
        for (const auto& n : list) {
            doc.push_back({{"id", n.id}, {"created_at", format_utc(n.created_at)}, {"kind", n.kind},
                           {"message", n.message}});
            human << format_utc(n.created_at) << "  " << n.kind << "  " << n.message << "\n";
        }
        emit(ctx.json, doc, list.empty() ? "No open notices." : human.str());
        return ok();
    }));
}

void add_notify(CLI::App& app, Context& ctx) {
    auto* notify = app.add_subcommand("notify", "Mail notices (failures, reconnects) to people through an SMTP relay");
    notify->require_subcommand(1);
    auto settings = std::make_shared<publish::MailSettings>();
    auto* mail = notify->add_subcommand(
        "mail", "Mail every new notice; the relay password (with --user) comes from CLEARPOST_SMTP_PASSWORD or a prompt");
    mail->add_option("--relay", settings->relay_url, "smtps://host:465, or smtp://host:587 (STARTTLS required)")->required();
    mail->add_option("--from", settings->from, "Sender address")->required();
    mail->add_option("--to", settings->to, "Recipient (repeat for several)")->required();
    mail->add_option("--user", settings->username, "Login name at the relay (none: no login)");
    mail->callback(command(ctx, [&ctx, settings]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "set where notices are mailed"));
        std::string password;
        if (!settings->username.empty()) {
            CLEARPOST_ASSIGN(password, read_password("CLEARPOST_SMTP_PASSWORD", "Password of " + settings->username +
                                                                                 " at the mail relay", false));
        }
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session->store(), security::default_config_dir(), vault_unlock()));
        CLEARPOST_CHECK(publish::save_mail_settings(session->store(), vault, *settings, password));
        CLEARPOST_CHECK(session->audit().append({session->user().name, "notify.mail", "settings",
                                                 settings->relay_url + " to " + std::to_string(settings->to.size()) +
                                                     " address(es)"},
                                                system_now()));
        CLEARPOST_CHECK(session->audit().anchor());
        emit(ctx.json, {{"mailing", true}}, "New notices will be mailed; try it with: clearpostctl notify test");
        return ok();
    }));
    auto* test = notify->add_subcommand("test", "Send a test mail through the configured relay");
    test->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session->store(), security::default_config_dir(), vault_unlock()));
        CLEARPOST_CHECK(publish::send_test_mail(session->store(), vault, system_now()));
        emit(ctx.json, {{"sent", true}}, "Test mail sent");
        return ok();
    }));
    auto* off = notify->add_subcommand("off", "Stop mailing notices (they stay in clearpostctl notices)");
    off->callback(command(ctx, [&ctx]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "stop mailing notices"));
        CLEARPOST_CHECK(publish::disable_mail(session->store()));
        emit(ctx.json, {{"mailing", false}}, "Notices are no longer mailed");
        return ok();
    }));
}

}  // namespace

void add_publish_commands(CLI::App& app, Context& ctx) {
    add_run(app, ctx);
    add_plugins(app, ctx);
    add_metrics(app, ctx);
    add_takedown(app, ctx);
    add_pause(app, ctx);
    add_connect(app, ctx);
    add_app(app, ctx);
    add_media_host(app, ctx);
    add_disconnect(app, ctx);
    add_notices(app, ctx);
    add_notify(app, ctx);
}

}  // namespace clearpost::cli
