#include "key_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace clearpost::security::keyfile {

Error os_error(const std::string& what, const std::filesystem::path& path) {
    return make_error(ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(errno));
}

Result<void> write_all(int fd, const std::string& data, const std::filesystem::path& path) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_error("cannot write", path);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return os_error("cannot flush", path);
    return ok();
}

Result<void> ensure_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(ErrorCode::Io, "cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    return ok();
}

Result<std::optional<crypto::Bytes>> read_key(const std::filesystem::path& path, const std::string& what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return std::optional<crypto::Bytes>{};
        return os_error("cannot read the " + what, path);
    }
    if ((st.st_mode & 077) != 0) {
        return make_error(ErrorCode::Io, "the " + what + " " + path.string() +
                                             " is readable by others; run: chmod 600 " +
                                             path.string());
    }
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    auto key = crypto::from_hex(hex);
    if (!key || key->size() != 32) {
        return make_error(ErrorCode::Corrupt, "the " + what + " " + path.string() +
                                                  " is damaged; restore it from your backup");
    }
    return std::optional<crypto::Bytes>{std::move(*key)};
}

Result<crypto::Bytes> create_key(const std::filesystem::path& path, const std::string& what) {
    const crypto::Bytes key = crypto::random_bytes(32);
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return os_error("cannot create the " + what, path);
    CLEARPOST_CHECK(write_all(fd.get(), crypto::to_hex(key) + "\n", path));
    return key;
}

}  // namespace clearpost::security::keyfile
