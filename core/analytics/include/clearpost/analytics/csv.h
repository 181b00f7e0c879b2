#pragma once
// CSV as RFC 4180 writes it, for files people open in Excel: UTF-8, CRLF
// line ends, a field quoted when it holds a comma, quote, CR or LF, quotes
// doubled.
//
// Formula injection (OWASP): a field starting with '=', '+', '-', '@', tab
// or CR is written with a leading apostrophe, so a spreadsheet shows it as
// text instead of running it. A post that starts with "=" therefore reads
// "'=" in the file; that is deliberate.

#include <string>
#include <string_view>
#include <vector>

namespace clearpost::analytics {

enum class ByteOrderMark {
    Write,  // EF BB BF first: Excel reads the file as UTF-8 only with it
    Omit,   // plain UTF-8, for programs that would keep the BOM as text
};

struct CsvOptions {
    ByteOrderMark bom = ByteOrderMark::Write;
};

// One field, guarded against formulas and quoted when needed.
std::string csv_field(std::string_view value);

// The whole table, every line ending in CRLF (the last one too).
std::string to_csv(const std::vector<std::vector<std::string>>& table, CsvOptions options = {});

}  // namespace clearpost::analytics
