// Whole files or none: the atomic writer behind reports and stored images.

#include "clearpost/base/file.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "temp_dir.h"

using namespace clearpost;

namespace {

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("saving refuses an existing file unless told to replace it, and leaves no temporary file") {
    testing::TempDir dir;
    const auto path = dir / "out.csv";
    REQUIRE(write_file_atomically(path, "first", Overwrite::Refuse).ok());
    auto again = write_file_atomically(path, "second", Overwrite::Refuse);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::Conflict);
    CHECK(slurp(path) == "first");
    REQUIRE(write_file_atomically(path, "third", Overwrite::Replace).ok());
    CHECK(slurp(path) == "third");
    CHECK(write_file_atomically(dir / "missing" / "out.csv", "x", Overwrite::Refuse).error().code ==
          ErrorCode::NotFound);
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        (void)entry;
        ++files;
    }
    CHECK(files == 1);
}
