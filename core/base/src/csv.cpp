#include "clearpost/base/csv.h"

namespace clearpost {

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

std::string to_csv(const std::vector<std::vector<std::string>>& table, ByteOrderMark bom) {
    std::string out;
    if (bom == ByteOrderMark::Write) out = "\xEF\xBB\xBF";
    for (const auto& line : table) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (i > 0) out += ',';
            out += csv_field(line[i]);
        }
        out += "\r\n";
    }
    return out;
}

Result<std::vector<CsvRecord>> parse_csv(std::string_view bytes) {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    std::vector<CsvRecord> records;
    CsvRecord record;
    std::string field;
    std::size_t line = 1;
    record.line = 1;
    std::size_t i = 0;
    const std::size_t n = bytes.size();
    // A line end is CRLF, LF or a lone CR (old Mac spreadsheets); returns
    // the index just past it.
    const auto skip_line_end = [&](std::size_t at) {
        if (bytes[at] == '\r' && at + 1 < n && bytes[at + 1] == '\n') return at + 2;
        return at + 1;
    };
    const auto end_record = [&] {
        record.fields.push_back(std::move(field));
        field.clear();
        const bool blank = record.fields.size() == 1 && record.fields[0].empty();
        if (!blank) records.push_back(std::move(record));
        record = CsvRecord{};
    };
    bool at_field_start = true;
    while (i < n) {
        const char c = bytes[i];
        if (at_field_start && c == '"') {
            const std::size_t opened_on = line;
            ++i;
            while (true) {
                if (i >= n) {
                    return make_error(ErrorCode::Invalid,
                                      "line " + std::to_string(opened_on) +
                                          ": a quoted field is never closed; check that every \" in the file is "
                                          "doubled inside quotes (\"\") and that the field ends with \"");
                }
                const char q = bytes[i];
                if (q == '"') {
                    if (i + 1 < n && bytes[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (q == '\r' || q == '\n') {
                    const std::size_t next = skip_line_end(i);
                    field.append(bytes.substr(i, next - i));
                    i = next;
                    ++line;
                    continue;
                }
                field += q;
                ++i;
            }
            if (i < n && bytes[i] != ',' && bytes[i] != '\r' && bytes[i] != '\n') {
                return make_error(ErrorCode::Invalid,
                                  "line " + std::to_string(line) +
                                      ": text follows a closing quote; a field with quotes must be quoted as a "
                                      "whole, with each \" inside written as \"\"");
            }
            at_field_start = false;
            continue;
        }
        if (c == ',') {
            record.fields.push_back(std::move(field));
            field.clear();
            at_field_start = true;
            ++i;
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (record.fields.empty() && field.empty()) record.line = line;
            end_record();
            i = skip_line_end(i);
            ++line;
            record.line = line;
            at_field_start = true;
            continue;
        }
        field += c;
        at_field_start = false;
        ++i;
    }
    if (!at_field_start || !field.empty() || !record.fields.empty()) end_record();
    return records;
}

}  // namespace clearpost
