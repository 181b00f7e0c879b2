#include "clearpost/media/library.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "clearpost/base/file.h"
#include "clearpost/crypto/crypto.h"

namespace clearpost::media {
namespace {

namespace fs = std::filesystem;

Error os_error(const std::string& what, const fs::path& path) {
    return make_error(ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(errno));
}

// Reads a whole file of at most kMaxSourceBytes.
Result<std::string> read_file(const fs::path& path, const char* what) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        return make_error(ErrorCode::NotFound, std::string(what) + " " + path.string() + " does not exist; check the path");
    }
    if (!fs::is_regular_file(status)) {
        return make_error(ErrorCode::Invalid, std::string(what) + " " + path.string() + " is not a file");
    }
    const auto size = fs::file_size(path, ec);
    if (ec) return make_error(ErrorCode::Io, "cannot read " + path.string() + ": " + ec.message());
    if (size > kMaxSourceBytes) {
        return make_error(ErrorCode::Invalid, std::string(what) + " " + path.string() + " is " + std::to_string(size) +
                                                  " bytes; images over " + std::to_string(kMaxSourceBytes) +
                                                  " bytes are refused, make it smaller first");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::Io, "cannot read " + path.string() + "; check its permissions");
    std::string bytes(std::istreambuf_iterator<char>(in), {});
    if (in.bad()) return make_error(ErrorCode::Io, "reading " + path.string() + " failed");
    return bytes;
}

Result<void> ensure_private_dir(const fs::path& dir) {
    std::error_code ec;
    if (!dir.parent_path().empty()) fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return os_error("cannot create", dir);
    if (!fs::is_directory(dir, ec)) return make_error(ErrorCode::Io, dir.string() + " exists but is not a folder");
    return ok();
}

bool is_sha256_hex(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace

fs::path media_dir_for(const fs::path& database) {
    const fs::path parent = database.parent_path();
    return (parent.empty() ? fs::path(".") : parent) / "media";
}

Result<StoredImage> import_image(const fs::path& source, const fs::path& media_dir) {
    CLEARPOST_ASSIGN(std::string original, read_file(source, "the image"));
    auto stripped = strip_metadata(original);
    if (!stripped) {
        return make_error(stripped.error().code, source.string() + ": " + stripped.error().message);
    }
    StoredImage out;
    out.sha256 = crypto::sha256_hex(stripped->bytes);
    out.path = media_dir / out.sha256;
    out.info = stripped->info;
    out.bytes = stripped->bytes.size();
    out.removed = std::move(stripped->removed);
    CLEARPOST_CHECK(ensure_private_dir(media_dir));
    // The same image imported before: keep the file when it is intact.
    if (auto existing = read_file(out.path, "the stored image"); existing && crypto::sha256_hex(*existing) == out.sha256) {
        return out;
    }
    CLEARPOST_CHECK(write_file_atomically(out.path, stripped->bytes, Overwrite::Replace, 0600));
    return out;
}

Result<StoredImage> load_stored(const fs::path& path, std::string_view sha256) {
    if (!is_sha256_hex(sha256)) {
        return make_error(ErrorCode::Corrupt, "the image " + path.string() + " has no valid SHA-256 on record");
    }
    auto bytes = read_file(path, "the image");
    if (!bytes) {
        if (bytes.error().code == ErrorCode::NotFound) {
            return make_error(ErrorCode::NotFound, "the image " + path.string() + " is gone");
        }
        return std::move(bytes).error();
    }
    StoredImage out;
    out.sha256 = crypto::sha256_hex(*bytes);
    if (out.sha256 != sha256) {
        return make_error(ErrorCode::Tampered, "the image " + path.string() + " was changed (its SHA-256 is " +
                                                   out.sha256.substr(0, 12) + "..., not " +
                                                   std::string(sha256.substr(0, 12)) + "...)");
    }
    CLEARPOST_ASSIGN(out.info, inspect(*bytes));
    out.path = path;
    out.bytes = bytes->size();
    return out;
}

}  // namespace clearpost::media
