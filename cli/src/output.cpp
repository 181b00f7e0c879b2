#include "output.h"

#include <iostream>

namespace clearpost::cli {

nlohmann::json to_json(const model::User& user) {
    return {{"id", user.id},
            {"name", user.name},
            {"role", model::to_string(user.role)},
            {"active", user.active},
            {"created_at", format_utc(user.created_at)}};
}

nlohmann::json to_json(const model::Account& account) {
    return {{"id", account.id},
            {"network", account.network},
            {"handle", account.handle},
            {"status", account.status}};
}

nlohmann::json to_json(const workflow::PostDetail& d) {
    nlohmann::json doc;
    doc["id"] = d.post.id;
    doc["state"] = model::to_string(d.post.state);
    doc["tags"] = d.tags;
    doc["versions"] = nlohmann::json::array();
    for (const auto& v : d.versions) {
        nlohmann::json jv{{"number", v.number},
                          {"author_id", v.author_id},
                          {"text", v.content.text},
                          {"content_hash", v.content_hash},
                          {"zone", v.content.zone},
                          {"compliance", {{"verdict", v.compliance.verdict},
                                          {"findings", nlohmann::json::parse(v.compliance.findings_json,
                                                                             nullptr, false)}}},
                          {"created_at", format_utc(v.created_at)}};
        jv["scheduled_at"] = v.content.scheduled_at ? nlohmann::json(format_utc(*v.content.scheduled_at))
                                                    : nlohmann::json();
        jv["targets"] = nlohmann::json::array();
        for (const auto& t : v.content.targets)
            jv["targets"].push_back({{"account_id", t.account_id}, {"text_override", t.text_override}});
        jv["media"] = nlohmann::json::array();
        for (const auto& m : v.content.media)
            jv["media"].push_back({{"sha256", m.sha256}, {"path", m.path}, {"alt", m.alt_text}});
        doc["versions"].push_back(std::move(jv));
    }
    doc["approvals"] = nlohmann::json::array();
    for (const auto& a : d.approvals) {
        doc["approvals"].push_back({{"version_id", a.version_id},
                                    {"stage", a.stage},
                                    {"decision", a.decision},
                                    {"comment", a.comment},
                                    {"approver_id", a.approver_id},
                                    {"version_hash", a.version_hash},
                                    {"override_justification", a.override_justification},
                                    {"decided_at", format_utc(a.decided_at)}});
    }
    doc["targets"] = nlohmann::json::array();
    for (const auto& t : d.targets) {
        doc["targets"].push_back({{"id", t.id},
                                  {"account_id", t.account_id},
                                  {"state", model::to_string(t.state)},
                                  {"scheduled_at", format_utc(t.scheduled_at)},
                                  {"attempts", t.attempts},
                                  {"last_error", t.last_error},
                                  {"remote_id", t.remote_id},
                                  {"remote_url", t.remote_url}});
    }
    return doc;
}

void emit(bool json, const nlohmann::json& doc, const std::string& human) {
    if (json) {
        std::cout << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else if (!human.empty()) {
        std::cout << human << (human.back() == '\n' ? "" : "\n");
    }
}

}  // namespace clearpost::cli
