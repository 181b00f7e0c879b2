#pragma once
// Reads the small YAML subset of the twitter-text conformance files:
// "tests:" > section > list of {description, text, expected} where expected
// is a scalar or a flat map of scalars and strings are double-quoted with
// \uXXXX / \UXXXXXXXX escapes. Enough for validate.yml; not a YAML parser.

#include <map>
#include <string>
#include <vector>

namespace clearpost::testing {

struct ConformanceCase {
    std::string section;
    std::string description;
    std::string text;
    std::string expected;                         // scalar form
    std::map<std::string, std::string> expected_map;  // map form
};

// Empty when the file cannot be read.
std::vector<ConformanceCase> read_conformance_yaml(const std::string& path);

}  // namespace clearpost::testing
