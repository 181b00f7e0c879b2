#include "clearpost/analytics/csv.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace clearpost::analytics {
namespace {

namespace fs = std::filesystem;

Error os_error(const std::string& what, const fs::path& path) {
    return make_error(ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(errno));
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

Error exists_error(const fs::path& path) {
    return make_error(ErrorCode::Conflict,
                      path.string() + " already exists and was left as it is; choose another file or pass --force");
}

}  // namespace

std::string csv_field(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 2);
    // OWASP's advice against CSV injection: these first characters make a
    // spreadsheet read the cell as a formula.
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
                           value[0] == '\t' || value[0] == '\r'))
        out += '\'';
    out += value;
    if (out.find_first_of(",\"\r\n") == std::string::npos) return out;
    std::string quoted = "\"";
    for (char c : out) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string to_csv(const std::vector<std::vector<std::string>>& table, CsvOptions options) {
    std::string out;
    if (options.bom == ByteOrderMark::Write) out = "\xEF\xBB\xBF";
    for (const auto& line : table) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (i > 0) out += ',';
            out += csv_field(line[i]);
        }
        out += "\r\n";
    }
    return out;
}

Result<void> save_file(const fs::path& path, std::string_view bytes, Overwrite overwrite) {
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
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) return os_error("cannot create", tmp);
    auto written = write_all(fd, bytes, tmp);
    if (written && ::fsync(fd) != 0) written = os_error("cannot flush", tmp);
    ::close(fd);
    if (written) {
        if (overwrite == Overwrite::Replace) {
            if (::rename(tmp.c_str(), path.c_str()) != 0) written = os_error("cannot move the report into", path);
        } else if (::link(tmp.c_str(), path.c_str()) != 0) {
            // link() never replaces: a file created since the check above
            // wins. Folders without hard links (FAT USB sticks, some network
            // shares) get the check above and a rename: a small race.
            if (errno == EEXIST) {
                written = exists_error(path);
            } else if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP) {
                written = os_error("cannot move the report into", path);
            } else if (fs::exists(fs::symlink_status(path, ec))) {
                written = exists_error(path);
            } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
                written = os_error("cannot move the report into", path);
            }
        }
    }
    ::unlink(tmp.c_str());  // after a rename the name is already gone
    if (!written) return written;
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return ok();
}

}  // namespace clearpost::analytics
