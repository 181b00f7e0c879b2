// The RFC 4180 reader against what spreadsheets write, and the writer read back.

#include <catch2/catch.hpp>

#include "clearpost/base/csv.h"

using namespace clearpost;

TEST_CASE("the CSV reader takes quoted fields, doubled quotes, line breaks inside quotes, CRLF and a BOM") {
    const std::string file = "\xEF\xBB\xBF" "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n\r\nlast,,\n";
    auto records = parse_csv(file);
    REQUIRE(records.ok());
    REQUIRE(records->size() == 3);
    CHECK((*records)[0].fields == std::vector<std::string>{"a", "b", "c"});
    CHECK((*records)[1].fields == std::vector<std::string>{"x, y", "say \"hi\"", "two\r\nlines"});
    CHECK((*records)[1].line == 2);
    // The blank line 4 is skipped; the record after the two-line field starts on line 5.
    CHECK((*records)[2].fields == std::vector<std::string>{"last", "", ""});
    CHECK((*records)[2].line == 5);
}

TEST_CASE("the CSV reader accepts LF and lone CR line ends and a file without a final line end") {
    auto lf = parse_csv("a,b\nc,d");
    REQUIRE(lf.ok());
    REQUIRE(lf->size() == 2);
    CHECK((*lf)[1].fields == std::vector<std::string>{"c", "d"});
    auto cr = parse_csv("a,b\rc,d\r");
    REQUIRE(cr.ok());
    REQUIRE(cr->size() == 2);
    CHECK((*cr)[1].line == 2);
}

TEST_CASE("the CSV reader refuses an unclosed quote and text after a closing quote, naming the line") {
    auto open = parse_csv("a,b\n1,\"never closed\n2,3\n");
    REQUIRE_FALSE(open.ok());
    CHECK(open.error().code == ErrorCode::Invalid);
    CHECK_THAT(open.error().message, Catch::Contains("line 2") && Catch::Contains("never closed"));
    auto trailing = parse_csv("a,b\n\"x\"y,2\n");
    REQUIRE_FALSE(trailing.ok());
    CHECK_THAT(trailing.error().message, Catch::Contains("line 2"));
}

TEST_CASE("what the CSV writer writes, the reader reads back unchanged (except the formula guard)") {
    const std::vector<std::vector<std::string>> table{{"id", "text"},
                                                      {"1", "Flu shots, \"Saturday\"\nBring your card \xF0\x9F\x92\x89"},
                                                      {"2", "=1+1"}};
    auto back = parse_csv(to_csv(table));
    REQUIRE(back.ok());
    REQUIRE(back->size() == 3);
    CHECK((*back)[1].fields == table[1]);
    CHECK((*back)[2].fields[1] == "'=1+1");
}
