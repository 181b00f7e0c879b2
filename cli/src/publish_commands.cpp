// run, plugins, pause/resume (emergency), account connect, notices.

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <sstream>
#include <thread>

#include "clearpost/net/http.h"
#include "clearpost/publish/dispatcher.h"
#include "clearpost/security/vault.h"
#include "output.h"
#include "run.h"

namespace clearpost::cli {
namespace {

using store::MigrationPolicy;
using store::OpenMode;

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void add_run(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("run", "Publish due posts unattended (the service); SIGTERM stops cleanly");
    auto once = std::make_shared<bool>(false);
    auto interval = std::make_shared<int>(15);
    auto lease = std::make_shared<int>(publish::DispatchOptions{}.lease_seconds);
    cmd->add_flag("--once", *once, "Publish what is due now, then exit");
    cmd->add_option("--interval", *interval, "Seconds between queue checks")->check(CLI::Range(1, 3600));
    cmd->add_option("--lease", *lease,
                    "Seconds a claimed post stays with this process; after that (e.g. when it was killed) "
                    "another run takes it over. Keep it longer than the slowest publish")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    cmd->callback(command(ctx, [&ctx, once, interval, lease]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::None));
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session->store(), security::default_config_dir()));
        publish::PluginRegistry plugins;
        plugins.discover(publish::default_plugin_dirs());
        const auto logger = publish::stderr_logger();
        for (const auto& p : plugins.plugins())
            if (!p.loaded) logger(publish::LogLevel::Warn, "skipped plugin " + p.path.string() + ": " + p.problem);
        net::HttpClient http;
        publish::PluginHost host(http, now_ms, logger);
        publish::DispatchOptions options;
        options.owner = publish::make_owner_id();
        options.lease_seconds = *lease;
        publish::Dispatcher dispatcher(session->store(), vault, session->audit(), plugins, host, system_now, options);

        CLEARPOST_CHECK(session->store().defer_checkpoints());
        std::signal(SIGTERM, on_stop_signal);
        std::signal(SIGINT, on_stop_signal);
        publish::DispatchStats total;
        do {
            CLEARPOST_ASSIGN(auto stats, dispatcher.run_once());
            total.claimed += stats.claimed;
            total.published += stats.published;
            total.retrying += stats.retrying;
            total.failed += stats.failed;
            total.needs_attention += stats.needs_attention;
            CLEARPOST_CHECK(session->store().checkpoint());
            if (*once) break;
            for (int waited = 0; waited < *interval * 10 && !g_stop; ++waited)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } while (!g_stop);
        emit(ctx.json,
             {{"claimed", total.claimed},
              {"published", total.published},
              {"retrying", total.retrying},
              {"failed", total.failed},
              {"needs_attention", total.needs_attention}},
             "published " + std::to_string(total.published) + ", retrying " + std::to_string(total.retrying) +
                 ", failed " + std::to_string(total.failed) + ", needs attention " +
                 std::to_string(total.needs_attention));
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

void add_connect(CLI::App& app, Context& ctx) {
    auto* connect = app.get_subcommand("account")->add_subcommand(
        "connect", "Store an account's app password (sealed in the vault); the secret comes from "
                   "CLEARPOST_ACCOUNT_SECRET or a prompt");
    auto network = std::make_shared<std::string>();
    auto handle = std::make_shared<std::string>();
    auto service = std::make_shared<std::string>();
    connect->add_option("NETWORK", *network, "e.g. bluesky")->required();
    connect->add_option("HANDLE", *handle, "The account as added with account add")->required();
    connect->add_option("--service", *service, "The account's server (Bluesky PDS URL, Mastodon instance)");
    connect->callback(command(ctx, [&ctx, network, handle, service]() -> Result<void> {
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required));
        CLEARPOST_CHECK(workflow::require_admin(session->user(), "connect accounts"));
        CLEARPOST_ASSIGN(auto account, session->store().find_account(*network, *handle));
        if (!account) {
            return make_error(ErrorCode::NotFound, "no account " + *network + ":" + *handle +
                                                       "; add it first with clearpostctl account add");
        }
        CLEARPOST_ASSIGN(std::string secret, read_password("CLEARPOST_ACCOUNT_SECRET",
                                                           "App password for " + *network + ":" + *handle, false));
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(session->store(), security::default_config_dir()));
        nlohmann::json creds{{"identifier", *handle}, {"app_password", secret}};
        if (!service->empty()) creds["service"] = *service;
        CLEARPOST_CHECK(session->store().transaction([&]() -> Result<void> {
            CLEARPOST_CHECK(vault.put(account->id, creds.dump(), system_now()));
            CLEARPOST_CHECK(session->store().set_account_status(account->id, "connected"));
            return session->audit().append({session->user().name, "account.connect",
                                            "account " + std::to_string(account->id), *network + ":" + *handle},
                                           system_now());
        }));
        CLEARPOST_CHECK(session->audit().anchor());
        emit(ctx.json, {{"connected", true}, {"account_id", account->id}}, "Connected " + *network + ":" + *handle);
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

}  // namespace

void add_publish_commands(CLI::App& app, Context& ctx) {
    add_run(app, ctx);
    add_plugins(app, ctx);
    add_pause(app, ctx);
    add_connect(app, ctx);
    add_notices(app, ctx);
}

}  // namespace clearpost::cli
