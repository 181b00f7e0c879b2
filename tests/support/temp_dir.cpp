#include "temp_dir.h"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace clearpost::testing {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "clearpost-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

}  // namespace clearpost::testing
