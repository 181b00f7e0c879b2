#pragma once
// Wires the compliance engine into the workflow: every new version is
// checked against the organisation's stored profile, its target networks,
// its media and the consents linked to the post. Shared by the studio and
// clearpostctl.

#include <filesystem>
#include <string>

#include "clearpost/base/result.h"
#include "clearpost/compliance/engine.h"
#include "clearpost/store/store.h"
#include "clearpost/workflow/workflow.h"

namespace clearpost::app {

// Where dictionaries and rule packs are: `option` when given, then
// $CLEARPOST_ASSETS_DIR, then the source tree (developer builds), then the
// installed data folder.
std::filesystem::path assets_dir(const std::string& option = {});

// The engine with the organisation's profile as stored in `store`.
Result<compliance::Engine> load_engine(store::Store& store, const std::filesystem::path& assets);

// A workflow::ComplianceCheck over `engine`. It maps each target account to
// its network (read once, now) and consent records to the engine's form.
Result<workflow::ComplianceCheck> compliance_check(store::Store& store, compliance::Engine engine);

// Findings as the JSON stored with a version and printed by clearpostctl.
std::string findings_json(const compliance::Report& report);

}  // namespace clearpost::app
