#pragma once
// The images of posts as files: a folder next to the database holding each
// stripped image under the SHA-256 of its bytes. Files are never changed in
// place; the same image imported twice is stored once.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/media/image.h"

namespace clearpost::media {

// Larger files are refused before they are read: no network takes them and
// reading one must not exhaust memory.
inline constexpr std::uintmax_t kMaxSourceBytes = 64u * 1024 * 1024;

struct StoredImage {
    std::string sha256;            // of the stripped bytes, 64 lowercase hex digits
    std::filesystem::path path;    // <media dir>/<sha256>
    ImageInfo info;
    std::uintmax_t bytes = 0;      // size of the stored file
    std::vector<std::string> removed;  // metadata stripped on import
};

// "<directory of the database>/media".
std::filesystem::path media_dir_for(const std::filesystem::path& database);

// Reads `source` (never modified), strips its metadata and stores the result
// as <media_dir>/<sha256>: the folder is created 0700, the file 0600 and
// written atomically (a temporary file renamed into place). NotFound for a
// missing file; Invalid for something that is not a supported image;
// Corrupt for a damaged one; Io when the folder cannot be written.
Result<StoredImage> import_image(const std::filesystem::path& source, const std::filesystem::path& media_dir);

// Reads a stored image back and checks it is still what was approved:
// NotFound when the file is gone, Tampered when its SHA-256 is no longer
// `sha256`, Corrupt when it is no longer an image.
Result<StoredImage> load_stored(const std::filesystem::path& path, std::string_view sha256);

}  // namespace clearpost::media
