// check: run the compliance engine over one post or a JSONL file of posts.
// The JSONL form is a contract other tools rely on (docs/compliance.md).

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "clearpost/app/compliance.h"
#include "clearpost/compliance/engine.h"
#include "commands.h"

namespace clearpost::cli {
namespace {

using nlohmann::json;

struct CheckOptions {
    std::string org;
    std::string jsonl;
    std::string text;
    std::vector<std::string> platforms;
    std::string rules;
    std::string assets;
    std::string consents;
    std::string now;
};

Result<std::vector<compliance::ConsentRecord>> load_consents(const std::string& path) {
    std::vector<compliance::ConsentRecord> out;
    if (path.empty()) return out;
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::NotFound, "cannot read consent file " + path + "; check the path");
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_array())
        return make_error(ErrorCode::Invalid, path + ": expected a JSON list of {\"id\", \"subject\", \"scope\", \"expires\"}");
    for (const json& c : doc) {
        if (!c.is_object() || !c.contains("id") || !c.contains("subject") || !c.contains("expires") ||
            !c["id"].is_string() || !c["subject"].is_string() || !c["expires"].is_string())
            return make_error(ErrorCode::Invalid, path + ": each consent needs \"id\", \"subject\" and \"expires\" strings");
        compliance::ConsentRecord r;
        r.id = c["id"].get<std::string>();
        r.subject_name = c["subject"].get<std::string>();
        CLEARPOST_ASSIGN(r.expires_at, parse_utc(c["expires"].get<std::string>()));
        if (c.contains("scope") && c["scope"].is_array())
            for (const json& s : c["scope"])
                if (s.is_string()) r.scope.push_back(s.get<std::string>());
        out.push_back(std::move(r));
    }
    return out;
}

// Ordered, so that each line reads id, verdict, findings as documented.
using ojson = nlohmann::ordered_json;

ojson finding_json(const compliance::Finding& f) {
    ojson j{{"rule", f.rule},
           {"kind", f.kind},
           {"severity", std::string(compliance::to_string(f.severity))},
           {"start", f.start},
           {"end", f.end},
           {"message", f.message},
           {"suggestion", f.suggestion}};
    if (!f.consent_id.empty()) j["consent"] = f.consent_id;
    return j;
}

ojson report_json(const std::string& id, const compliance::Report& report) {
    ojson findings = ojson::array();
    for (const auto& f : report.findings) findings.push_back(finding_json(f));
    return ojson{{"id", id}, {"verdict", std::string(compliance::to_string(report.verdict))}, {"findings", findings}};
}

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

void print_human(std::string_view text, const compliance::Report& report) {
    std::string verdict(compliance::to_string(report.verdict));
    for (char& c : verdict) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::cout << verdict << " (" << report.findings.size() << (report.findings.size() == 1 ? " finding" : " findings")
              << ")\n";
    for (const auto& f : report.findings) {
        std::string excerpt(text.substr(f.start, std::min<std::size_t>(f.end - f.start, 60)));
        std::cout << "  " << compliance::to_string(f.severity) << "  " << f.rule;
        if (f.end > f.start) std::cout << "  \"" << excerpt << "\" (bytes " << f.start << "-" << f.end << ")";
        std::cout << "\n    " << f.message << "\n    fix: " << f.suggestion << "\n";
    }
}

Result<std::vector<text::Network>> parse_networks(const std::vector<std::string>& names) {
    std::vector<text::Network> out;
    for (const std::string& n : names) {
        auto net = text::parse_network(n);
        if (!net)
            return make_error(ErrorCode::Invalid, "unknown platform '" + n +
                                                      "'; use x, bluesky, mastodon, linkedin, facebook, instagram or threads");
        out.push_back(*net);
    }
    return out;
}

int run_jsonl(const compliance::Engine& engine, const CheckOptions& o, const compliance::CheckInput& base) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (o.jsonl != "-") {
        file.open(o.jsonl, std::ios::binary);
        if (!file) {
            std::cerr << "clearpostctl check: cannot read " << o.jsonl << "; check the path\n";
            return kExitRuntime;
        }
        in = &file;
    }
    bool malformed = false;
    std::string line;
    for (std::size_t number = 1; std::getline(*in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        json post = json::parse(line, nullptr, false);
        const char* problem = nullptr;
        if (post.is_discarded()) problem = "not valid JSON";
        else if (!post.is_object()) problem = "not a JSON object";
        else if (!post.contains("id") || !post["id"].is_string()) problem = "missing the \"id\" string";
        else if (!post.contains("text") || !post["text"].is_string()) problem = "missing the \"text\" string";
        if (problem) {
            std::cerr << o.jsonl << ":" << number << ": " << problem << "; line skipped\n";
            malformed = true;
            continue;
        }
        compliance::CheckInput input = base;
        const std::string text = post["text"].get<std::string>();
        input.text = text;
        if (post.contains("platform") && post["platform"].is_string()) {
            auto net = text::parse_network(post["platform"].get<std::string>());
            if (!net) {
                std::cerr << o.jsonl << ":" << number << ": unknown platform \"" << post["platform"].get<std::string>()
                          << "\"; checked without platform rules\n";
                malformed = true;
            } else {
                input.networks = {*net};
            }
        }
        std::cout << dump(report_json(post["id"].get<std::string>(), engine.check(input))) << "\n";
    }
    std::cout.flush();
    return malformed ? kExitRuntime : kExitOk;
}

int run_check(const CheckOptions& o, const Context& ctx) {
    auto org = compliance::load_org_profile(o.org);
    if (!org.ok()) {
        std::cerr << "clearpostctl check: " << org.error().message << "\n";
        return kExitRuntime;
    }
    std::optional<std::filesystem::path> extra;
    if (!o.rules.empty()) extra = o.rules;
    auto engine = compliance::Engine::load(app::assets_dir(o.assets), std::move(org).value(), extra);
    if (!engine.ok()) {
        std::cerr << "clearpostctl check: " << engine.error().message << "\n";
        return kExitRuntime;
    }
    auto consents = load_consents(o.consents);
    if (!consents.ok()) {
        std::cerr << "clearpostctl check: " << consents.error().message << "\n";
        return kExitRuntime;
    }
    compliance::CheckInput base;
    base.consents = std::move(consents).value();
    base.now = system_now();
    if (!o.now.empty()) {
        auto now = parse_utc(o.now);
        if (!now.ok()) {
            std::cerr << "clearpostctl check: --now: " << now.error().message << "\n";
            return kExitUsage;
        }
        base.now = *now;
    }
    auto networks = parse_networks(o.platforms);
    if (!networks.ok()) {
        std::cerr << "clearpostctl check: " << networks.error().message << "\n";
        return kExitUsage;
    }
    base.networks = std::move(networks).value();
    if (!o.jsonl.empty()) return run_jsonl(*engine, o, base);

    compliance::CheckInput input = base;
    input.text = o.text;
    const compliance::Report report = engine->check(input);
    if (ctx.json) std::cout << dump(report_json("-", report)) << "\n";
    else print_human(o.text, report);
    return kExitOk;
}

}  // namespace

void add_check_command(CLI::App& app, Context& ctx) {
    auto opts = std::make_shared<CheckOptions>();
    CLI::App* cmd = app.add_subcommand("check", "Check posts for PHI, policy and platform problems");
    cmd->add_option("--org", opts->org, "Organisation profile (org.json shape)")->required();
    cmd->add_option("--jsonl", opts->jsonl, "Check every line {\"id\",\"text\",\"platform\"?} of this file ('-' for stdin)");
    cmd->add_option("text", opts->text, "The text of one post");
    cmd->add_option("--platform", opts->platforms, "Target network for TEXT (repeatable)")->allow_extra_args(false);
    cmd->add_option("--rules", opts->rules, "Organisation rule pack that extends the shipped one");
    cmd->add_option("--consents", opts->consents, "JSON list of consent records {id, subject, scope, expires}");
    cmd->add_option("--assets", opts->assets, "Folder with dictionaries/ and rules/ (default: the installed one)");
    cmd->add_option("--now", opts->now, "Check as of this UTC instant (YYYY-MM-DDTHH:MM:SSZ)");
    cmd->callback([opts, &ctx]() {
        if (opts->jsonl.empty() == opts->text.empty()) {
            std::cerr << "clearpostctl check: give either TEXT or --jsonl FILE (see clearpostctl check --help)\n";
            ctx.exit_code = kExitUsage;
            return;
        }
        ctx.exit_code = run_check(*opts, ctx);
    });
}

}  // namespace clearpost::cli
