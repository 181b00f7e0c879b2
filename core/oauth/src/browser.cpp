#include "clearpost/oauth/browser.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace clearpost::oauth {
namespace {

std::string find_on_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : std::string();
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const auto end = dirs.find(':', start);
        std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
        // An empty entry is the current folder.
        const std::string candidate = (std::filesystem::path(dir.empty() ? "." : dir) / name).string();
        if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) return candidate;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return {};
}

}  // namespace

Result<void> spawn_detached(const std::vector<std::string>& argv) {
    if (argv.empty()) return make_error(ErrorCode::Invalid, "nothing to start");
    const std::string program = find_on_path(argv[0]);
    if (program.empty()) return make_error(ErrorCode::NotFound, "'" + argv[0] + "' was not found on PATH");

    // A shell starts the program in the background and exits at once, so the
    // program is not our child and nobody has to reap it later. The
    // arguments reach it as "$@", never through the shell's parser.
    std::vector<std::string> args{"sh", "-c", "\"$@\" </dev/null >/dev/null 2>&1 &", "sh", program};
    args.insert(args.end(), argv.begin() + 1, argv.end());
    std::vector<char*> c_args;
    for (auto& a : args) c_args.push_back(a.data());
    c_args.push_back(nullptr);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);  // a Ctrl-C in our terminal leaves the browser alone
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, "/bin/sh", nullptr, &attr, c_args.data(), environ);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return make_error(ErrorCode::Io, "cannot start " + argv[0] + ": " + std::strerror(rc));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return make_error(ErrorCode::Io, "cannot start " + argv[0] + ": " + std::strerror(errno));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return make_error(ErrorCode::Io, "cannot start " + argv[0] + " (the shell that starts it failed)");
    return ok();
}

Result<void> open_in_system_browser(const std::string& url) {
    auto started = spawn_detached({"xdg-open", url});
    if (!started && started.error().code == ErrorCode::NotFound) {
        return make_error(ErrorCode::NotFound,
                          "no desktop browser can be opened here (xdg-open is not installed); open this address in a "
                          "browser on this computer: " + url);
    }
    return started;
}

}  // namespace clearpost::oauth
