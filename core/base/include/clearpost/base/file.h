#pragma once
// Writing whole files so that a crash or a reader never sees half of one.

#include <filesystem>
#include <string_view>

#include "clearpost/base/result.h"

namespace clearpost {

enum class Overwrite { Refuse, Replace };

// Writes `bytes` to `path` so that readers see either no file or the whole
// one: a temporary file in the same folder (created with `mode`), flushed,
// then moved into place, and the folder flushed. With Overwrite::Refuse an
// existing `path` is a Conflict and stays untouched, even when another
// program creates it meanwhile (link() never replaces; on folders without
// hard links, such as FAT USB sticks, a check then a rename: a small race).
// A missing folder is NotFound.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes, Overwrite overwrite,
                                   unsigned mode = 0666);

}  // namespace clearpost
