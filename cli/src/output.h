#pragma once
// Human and JSON output for clearpostctl.

#include <nlohmann/json.hpp>
#include <string>

#include "clearpost/model/model.h"
#include "clearpost/workflow/workflow.h"

namespace clearpost::cli {

nlohmann::json to_json(const model::User& user);
nlohmann::json to_json(const model::Account& account);
nlohmann::json to_json(const workflow::PostDetail& detail);

// Prints `doc` as one JSON line when json is set; otherwise prints `human`.
void emit(bool json, const nlohmann::json& doc, const std::string& human);

}  // namespace clearpost::cli
