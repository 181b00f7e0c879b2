#include "conformance_yaml.h"

#include <fstream>

#include "clearpost/text/utf8.h"

namespace clearpost::testing {

namespace {

std::size_t indent_of(const std::string& line) {
    std::size_t n = 0;
    while (n < line.size() && line[n] == ' ') ++n;
    return n;
}

std::string unquote(const std::string& raw) {
    std::string v = raw;
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return v;
    std::string out;
    for (std::size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] != '\\' || i + 2 >= v.size()) {
            out.push_back(v[i]);
            continue;
        }
        const char e = v[++i];
        auto hex = [&](std::size_t digits) {
            const auto cp = static_cast<char32_t>(std::stoul(v.substr(i + 1, digits), nullptr, 16));
            i += digits;
            return cp;
        };
        switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case '0': out.push_back('\0'); break;
        case 'u': text::append_utf8(out, hex(4)); break;
        case 'U': text::append_utf8(out, hex(8)); break;
        default: out.push_back(e); break;
        }
    }
    return out;
}

// The double-quoted strings of a flow list such as ["a", "b, c"].
std::vector<std::string> flow_list(const std::string& raw) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '"') continue;
        std::size_t j = i + 1;
        while (j < raw.size() && raw[j] != '"') j += raw[j] == '\\' ? 2 : 1;
        items.push_back(unquote(raw.substr(i, j + 1 - i)));
        i = j;
    }
    return items;
}

}  // namespace

std::vector<ConformanceCase> read_conformance_yaml(const std::string& path) {
    std::vector<ConformanceCase> cases;
    std::ifstream in(path);
    std::string line;
    std::string section;
    bool in_expected_map = false;
    while (std::getline(in, line)) {
        const std::size_t ind = indent_of(line);
        if (ind == line.size() || line[ind] == '#') continue;
        const std::string body = line.substr(ind);
        if (ind == 2 && body.back() == ':') {
            section = body.substr(0, body.size() - 1);
            continue;
        }
        if (ind == 4 && body.rfind("- description:", 0) == 0) {
            cases.push_back({section, unquote(body.substr(15)), {}, {}, {}, {}, {}});
            in_expected_map = false;
            continue;
        }
        if (cases.empty()) continue;
        const bool new_item = ind == 8 && in_expected_map && body.rfind("- ", 0) == 0;
        const std::string entry = new_item ? body.substr(2) : body;
        const auto colon = entry.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = entry.substr(0, colon);
        std::string value = colon + 1 < entry.size() ? entry.substr(colon + 1) : std::string();
        if (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (ind == 6) {
            in_expected_map = false;
            if (key == "text") cases.back().text = unquote(value);
            if (key == "expected") {
                if (value.empty()) in_expected_map = true;
                else if (value.front() == '[') cases.back().expected_list = flow_list(value);
                else cases.back().expected = unquote(value);
            }
        } else if (new_item) {
            cases.back().expected_items.push_back({{key, unquote(value)}});
        } else if (ind == 10 && in_expected_map && !cases.back().expected_items.empty()) {
            cases.back().expected_items.back()[key] = unquote(value);
        } else if (ind == 8 && in_expected_map) {
            cases.back().expected_map[key] = unquote(value);
        }
    }
    return cases;
}

}  // namespace clearpost::testing
