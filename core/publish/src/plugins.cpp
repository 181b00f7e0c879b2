#include "clearpost/publish/plugins.h"

#include <dlfcn.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "clearpost/publisher.h"

#ifndef CLEARPOST_INSTALL_PLUGIN_DIR
#define CLEARPOST_INSTALL_PLUGIN_DIR "/usr/lib/clearpost/publishers"
#endif

namespace clearpost::publish {
namespace {

constexpr int kProbeTimeoutMs = 5000;

// Loads the plugin and reads its capabilities, in this process.
Result<std::pair<void*, const ClearpostPublisherV1*>> open_plugin(const std::filesystem::path& path) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        return make_error(ErrorCode::Incompatible, std::string("cannot load: ") + (why ? why : "unknown error"));
    }
    auto entry = reinterpret_cast<ClearpostPublisherEntry>(::dlsym(handle, CLEARPOST_PUBLISHER_ENTRY_SYMBOL));
    if (!entry) {
        ::dlclose(handle);
        return make_error(ErrorCode::Incompatible, "not a Clearpost publisher (no " +
                                                       std::string(CLEARPOST_PUBLISHER_ENTRY_SYMBOL) + ")");
    }
    const ClearpostPublisherV1* table = entry(CLEARPOST_PUBLISHER_ABI_MAJOR);
    if (!table) {
        ::dlclose(handle);
        return make_error(ErrorCode::Incompatible, "the plugin refused ABI major " +
                                                       std::to_string(CLEARPOST_PUBLISHER_ABI_MAJOR));
    }
    if (table->abi_major != CLEARPOST_PUBLISHER_ABI_MAJOR || table->struct_size < CLEARPOST_PUBLISHER_V1_0_SIZE) {
        const auto major = table->abi_major;
        ::dlclose(handle);
        return make_error(ErrorCode::Incompatible,
                          "built for plugin ABI " + std::to_string(major) + ", this Clearpost speaks " +
                              std::to_string(CLEARPOST_PUBLISHER_ABI_MAJOR) + "; install a matching version");
    }
    return std::make_pair(handle, table);
}

Result<std::string> read_capabilities(const ClearpostPublisherV1* table) {
    const char* caps = table->capabilities ? table->capabilities() : nullptr;
    const auto doc = nlohmann::json::parse(caps ? caps : "", nullptr, false);
    if (!doc.is_object() || !doc.contains("network") || !doc["network"].is_string() ||
        doc["network"].get<std::string>().empty()) {
        return make_error(ErrorCode::Incompatible, "its capabilities are not valid JSON naming a network");
    }
    return std::string(caps);
}

// Runs open_plugin + read_capabilities in a child; returns the capabilities
// or why the child failed (crash, hang, refusal).
Result<std::string> probe_in_child(const std::filesystem::path& path) {
    int fds[2];
    if (::pipe(fds) != 0) return make_error(ErrorCode::Io, "cannot probe: pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return make_error(ErrorCode::Io, "cannot probe: fork failed");
    }
    if (pid == 0) {
        ::close(fds[0]);
        // The plugin's crash must end this child the ordinary way, whatever
        // handlers the host installed (crash reporters, test frameworks).
        for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::signal(sig, SIG_DFL);
        std::string message;
        int code = 0;
        auto opened = open_plugin(path);
        if (!opened) {
            message = opened.error().message;
            code = 3;
        } else if (auto caps = read_capabilities(opened->second); !caps) {
            message = caps.error().message;
            code = 3;
        } else {
            message = *caps;
        }
        std::size_t done = 0;
        while (done < message.size()) {
            const ssize_t n = ::write(fds[1], message.data() + done, message.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::_exit(code);  // no destructors, no atexit handlers of the host
    }
    ::close(fds[1]);
    std::string output;
    char buf[4096];
    int waited = 0;
    while (waited < kProbeTimeoutMs) {
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, 100);
        if (ready > 0) {
            const ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n <= 0) break;
            output.append(buf, static_cast<std::size_t>(n));
        } else {
            waited += 100;
        }
    }
    ::close(fds[0]);
    int status = 0;
    if (waited >= kProbeTimeoutMs) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return make_error(ErrorCode::Incompatible, "hung while loading (killed after 5 s)");
    }
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
        return make_error(ErrorCode::Incompatible, std::string("crashed while loading (") +
                                                       ::strsignal(WTERMSIG(status)) + ")");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return make_error(ErrorCode::Incompatible, output.empty() ? "failed while loading" : output);
    }
    return output;
}

}  // namespace

LoadedPlugin::LoadedPlugin(void* handle, const ClearpostPublisherV1* table, std::string capabilities)
    : m_handle(handle), m_table(table), m_capabilities(std::move(capabilities)) {}

ClearpostOperation LoadedPlugin::publish_batch() const {
    constexpr std::size_t end = offsetof(ClearpostPublisherV1, publish_batch) + sizeof(ClearpostOperation);
    return m_table->struct_size >= end ? m_table->publish_batch : nullptr;
}

ClearpostOperation LoadedPlugin::fetch_account_metrics() const {
    constexpr std::size_t end = offsetof(ClearpostPublisherV1, fetch_account_metrics) + sizeof(ClearpostOperation);
    if (m_table->struct_size < end) return nullptr;
    const auto caps = nlohmann::json::parse(m_capabilities, nullptr, false);
    return caps.is_object() && caps.value("account_metrics", false) ? m_table->fetch_account_metrics : nullptr;
}

LoadedPlugin::~LoadedPlugin() {
    if (m_handle) ::dlclose(m_handle);
}

void PluginRegistry::discover(const std::vector<std::filesystem::path>& dirs) {
    m_dirs = dirs;
    for (const auto& dir : dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) continue;
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
            if (entry.path().extension() == ".so") files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            PluginInfo info;
            info.path = file;
            auto caps = probe_in_child(file);
            if (!caps) {
                info.problem = caps.error().message;
                m_infos.push_back(std::move(info));
                continue;
            }
            info.capabilities = *caps;
            info.network = nlohmann::json::parse(*caps)["network"].get<std::string>();
            if (m_loaded.count(info.network)) {
                info.problem = "another plugin already publishes to " + info.network;
                m_infos.push_back(std::move(info));
                continue;
            }
            auto opened = open_plugin(file);
            if (!opened) {
                info.problem = opened.error().message;
            } else {
                m_loaded[info.network] = std::make_unique<LoadedPlugin>(opened->first, opened->second, *caps);
                info.loaded = true;
            }
            m_infos.push_back(std::move(info));
        }
    }
}

Result<LoadedPlugin*> PluginRegistry::find(const std::string& network) {
    auto it = m_loaded.find(network);
    if (it != m_loaded.end()) return it->second.get();
    std::string searched;
    for (const auto& d : m_dirs) searched += (searched.empty() ? "" : ", ") + d.string();
    return make_error(ErrorCode::NotFound, "no working publisher for " + network + " (searched " + searched +
                                               "); see clearpostctl plugins list");
}

std::vector<std::filesystem::path> default_plugin_dirs() {
    std::vector<std::filesystem::path> dirs;
    if (const char* env = std::getenv("CLEARPOST_PUBLISHERS_DIR"); env && *env) dirs.emplace_back(env);
    dirs.emplace_back(CLEARPOST_INSTALL_PLUGIN_DIR);
    const char* data = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    if (data && *data == '/') {
        dirs.push_back(std::filesystem::path(data) / "clearpost" / "publishers");
    } else if (home && *home) {
        dirs.push_back(std::filesystem::path(home) / ".local/share/clearpost/publishers");
    }
    return dirs;
}

}  // namespace clearpost::publish
