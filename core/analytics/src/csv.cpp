#include "clearpost/analytics/csv.h"

namespace clearpost::analytics {

std::string csv_field(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 2);
    // OWASP's advice against CSV injection: these first characters make a
    // spreadsheet read the cell as a formula.
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
                           value[0] == '\t' || value[0] == '\r'))
        out += '\'';
    out += value;
    if (out.find_first_of(",\"\r\n") == std::string::npos) return out;
    std::string quoted = "\"";
    for (char c : out) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string to_csv(const std::vector<std::vector<std::string>>& table, CsvOptions options) {
    std::string out;
    if (options.bom == ByteOrderMark::Write) out = "\xEF\xBB\xBF";
    for (const auto& line : table) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (i > 0) out += ',';
            out += csv_field(line[i]);
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace clearpost::analytics
