#pragma once
// Reads the small YAML subset of the twitter-text conformance files:
// "tests:" > section > list of {description, text, expected} where expected
// is a scalar, a flat map of scalars, a flow list of strings (["a", "b"]) or
// a block list of flat maps ("- url: ..." / "indices: [5, 22]"), and strings
// are double-quoted with \uXXXX / \UXXXXXXXX escapes. Enough for
// validate.yml and extract.yml; not a YAML parser.

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
    std::vector<std::string> expected_list;           // flow-list form
    std::vector<std::map<std::string, std::string>> expected_items;  // list-of-maps form
};

// Empty when the file cannot be read.
std::vector<ConformanceCase> read_conformance_yaml(const std::string& path);

}  // namespace clearpost::testing
