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

// A consent record and an attached image in the engine's form, as every
// check (the workflow's and the composer's live one) gives them.
compliance::ConsentRecord consent_record(const model::Consent& consent);
// `position` counts from 0; the finding names the image "image 1", as
// people number them (the stored file's name is only a hash).
compliance::MediaItem media_item(const model::MediaRef& media, std::size_t position);

// Where the images of posts in the database at `location` are kept: beside
// the database file, or beside this user's default database for a server
// (postgresql://) database. Absolute, so a service started elsewhere finds them.
std::filesystem::path media_dir(const std::string& location);

// Findings as the JSON stored with a version and printed by clearpostctl.
std::string findings_json(const compliance::Report& report);

}  // namespace clearpost::app
