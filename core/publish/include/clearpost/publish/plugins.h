#pragma once
// Finding and loading publisher plugins. A plugin is probed in a child
// process first, so one that crashes while loading is listed with the reason
// and skipped, and the host keeps working.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clearpost/base/result.h"

struct ClearpostPublisherV1;
struct ClearpostHostV1;
typedef int (*ClearpostOperation)(const ClearpostHostV1*, const char*, char**);

namespace clearpost::publish {

struct PluginInfo {
    std::filesystem::path path;
    std::string network;       // from its capabilities; empty when it failed
    std::string capabilities;  // JSON
    bool loaded = false;
    std::string problem;       // why it was skipped, for people
};

class LoadedPlugin {
public:
    LoadedPlugin(void* handle, const ClearpostPublisherV1* table, std::string capabilities);
    ~LoadedPlugin();
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;

    const ClearpostPublisherV1& table() const { return *m_table; }
    const std::string& capabilities() const { return m_capabilities; }
    // publish_batch (ABI 1.1), or null: not offered or an older plugin.
    ClearpostOperation publish_batch() const;
    // fetch_account_metrics (ABI 1.3) when the capabilities offer it
    // ("account_metrics": true), or null.
    ClearpostOperation fetch_account_metrics() const;

private:
    void* m_handle;
    const ClearpostPublisherV1* m_table;
    std::string m_capabilities;
};

class PluginRegistry {
public:
    // Probes and loads every *.so in `dirs` (missing folders are skipped).
    // When two plugins claim one network, the first folder wins.
    void discover(const std::vector<std::filesystem::path>& dirs);

    const std::vector<PluginInfo>& plugins() const { return m_infos; }
    // The plugin for `network`, or NotFound naming the folders searched.
    Result<LoadedPlugin*> find(const std::string& network);

private:
    std::vector<PluginInfo> m_infos;
    std::map<std::string, std::unique_ptr<LoadedPlugin>> m_loaded;
    std::vector<std::filesystem::path> m_dirs;
};

// The folders searched by default: $CLEARPOST_PUBLISHERS_DIR (tests), the
// install directory, then $XDG_DATA_HOME/clearpost/publishers.
std::vector<std::filesystem::path> default_plugin_dirs();

}  // namespace clearpost::publish
