#pragma once
// Small files of key material kept next to the database's users: created
// 0600 in a 0700 folder, refused when others can read them.

#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "clearpost/base/result.h"
#include "clearpost/crypto/crypto.h"

namespace clearpost::security::keyfile {

// A file descriptor closed on scope exit.
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

Error os_error(const std::string& what, const std::filesystem::path& path);
// Writes everything and fsyncs.
Result<void> write_all(int fd, const std::string& data, const std::filesystem::path& path);
Result<void> ensure_private_dir(const std::filesystem::path& dir);
// A 32-byte hex key; nullopt when the file does not exist. `what` names it in errors.
Result<std::optional<crypto::Bytes>> read_key(const std::filesystem::path& path, const std::string& what);
// A new random key, written with O_EXCL so an existing key is never replaced.
Result<crypto::Bytes> create_key(const std::filesystem::path& path, const std::string& what);

}  // namespace clearpost::security::keyfile
