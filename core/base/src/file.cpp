#include "clearpost/base/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace clearpost {
namespace {

namespace fs = std::filesystem;

Error os_error(const std::string& what, const fs::path& path) {
    return make_error(ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(errno));
}

Error exists_error(const fs::path& path) {
    return make_error(ErrorCode::Conflict, path.string() + " already exists and was left as it is");
}

Result<void> write_all(int fd, std::string_view bytes, const fs::path& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return os_error("cannot write", path);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok();
}

// Moves the finished temporary file to `path`, never replacing one with
// Overwrite::Refuse.
Result<void> move_into_place(const fs::path& tmp, const fs::path& path, Overwrite overwrite) {
    if (overwrite == Overwrite::Replace) {
        if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error("cannot move a file into", path);
        return ok();
    }
    if (::link(tmp.c_str(), path.c_str()) == 0) return ok();
    if (errno == EEXIST) return exists_error(path);
    if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP) return os_error("cannot move a file into", path);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(path, ec))) return exists_error(path);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error("cannot move a file into", path);
    return ok();
}

}  // namespace

Result<void> write_file_atomically(const fs::path& path, std::string_view bytes, Overwrite overwrite, unsigned mode) {
    std::error_code ec;
    if (overwrite == Overwrite::Refuse && fs::exists(fs::symlink_status(path, ec))) return exists_error(path);
    if (path.filename().empty()) return make_error(ErrorCode::Invalid, path.string() + " names a folder, not a file");
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) {
        return make_error(ErrorCode::NotFound, "the folder " + dir.string() + " does not exist; create it first");
    }
    // Unique within the process (counter) and across processes (pid); O_EXCL
    // refuses a name that is somehow taken anyway.
    static std::atomic<unsigned> counter{0};
    const fs::path tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                                std::to_string(counter++));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return os_error("cannot create", tmp);
    auto written = write_all(fd, bytes, tmp);
    if (written && ::fsync(fd) != 0) written = os_error("cannot flush", tmp);
    ::close(fd);
    if (written) written = move_into_place(tmp, path, overwrite);
    ::unlink(tmp.c_str());  // after a rename the name is already gone
    if (!written) return written;
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return ok();
}

}  // namespace clearpost
