#include "clearpost/analytics/csv.h"

#include "clearpost/base/csv.h"

namespace clearpost::analytics {

// The writer lives in base, shared with import and export (transfer).
std::string csv_field(std::string_view value) { return clearpost::csv_field(value); }

std::string to_csv(const std::vector<std::vector<std::string>>& table, CsvOptions options) {
    return clearpost::to_csv(table, options.bom == ByteOrderMark::Write ? clearpost::ByteOrderMark::Write
                                                                        : clearpost::ByteOrderMark::Omit);
}

}  // namespace clearpost::analytics
