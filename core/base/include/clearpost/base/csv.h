#pragma once
// CSV as RFC 4180 has it, both ways: the writer for files people open in
// Excel (reports, exports) and the reader for files people bring (imports).
//
// Writing: UTF-8, CRLF line ends, a field quoted when it holds a comma,
// quote, CR or LF, quotes doubled. Formula injection (OWASP): a field
// starting with '=', '+', '-', '@', tab or CR is written with a leading
// apostrophe, so a spreadsheet shows it as text instead of running it.
//
// Reading: quoted fields with doubled quotes, commas and line breaks inside,
// CRLF, LF or CR line ends, a UTF-8 byte order mark at the start skipped.
// Fields are bytes as found: checking that they are UTF-8 is the caller's
// job, so one bad row can be refused without refusing the file.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost {

enum class ByteOrderMark {
    Write,  // EF BB BF first: Excel reads the file as UTF-8 only with it
    Omit,   // plain UTF-8, for programs that would keep the BOM as text
};

// One field, guarded against formulas and quoted when needed.
std::string csv_field(std::string_view value);

// The whole table, every line ending in CRLF (the last one too).
std::string to_csv(const std::vector<std::vector<std::string>>& table, ByteOrderMark bom = ByteOrderMark::Write);

// One record of a CSV file and the line of the file it starts on (1-based;
// a quoted field with line breaks makes a record span several lines).
struct CsvRecord {
    std::size_t line = 0;
    std::vector<std::string> fields;
};

// Every record of `bytes`, in order. Lines that are completely empty are
// left out (spreadsheets often end files with some). A quote that is never
// closed, or text after a closing quote, is Invalid naming the line.
Result<std::vector<CsvRecord>> parse_csv(std::string_view bytes);

}  // namespace clearpost
