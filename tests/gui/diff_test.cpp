// The word diff an approver reads between two versions.

#include <catch2/catch.hpp>

#include "presenters/diff.h"

namespace clearpost::gui {
namespace {

using Kind = DiffSegment::Kind;

std::string rebuild(const std::vector<DiffSegment>& d, Kind skip) {
    std::string s;
    for (const auto& seg : d)
        if (seg.kind != skip) s += seg.text;
    return s;
}

std::string render(const std::vector<DiffSegment>& d) {
    std::string s;
    for (const auto& seg : d) {
        if (seg.kind == Kind::Same) s += seg.text;
        if (seg.kind == Kind::Added) s += "{+" + seg.text + "+}";
        if (seg.kind == Kind::Removed) s += "[-" + seg.text + "-]";
    }
    return s;
}

}  // namespace

TEST_CASE("a word diff marks what was removed and added, and rebuilds both versions") {
    const std::string before = "Get well soon to our patient Maria Lopez in Room 418!";
    const std::string after = "Get well soon to our patient after her knee surgery!";
    const auto d = word_diff(before, after);
    CHECK(rebuild(d, Kind::Added) == before);
    CHECK(rebuild(d, Kind::Removed) == after);
    CHECK(render(d) == "Get well soon to our patient [-Maria Lopez in Room 418!-]{+after her knee surgery!+}");

    CHECK(render(word_diff("Flu shots Saturday", "Flu shots on Saturday")) == "Flu shots {+on +}Saturday");
    CHECK(render(word_diff("Flu shots on Saturday", "Flu shots Saturday")) == "Flu shots [-on -]Saturday");
    CHECK(render(word_diff("same\ntext", "same\ntext")) == "same\ntext");
    CHECK(render(word_diff("", "new")) == "{+new+}");
    CHECK(render(word_diff("old", "")) == "[-old-]");
    CHECK(word_diff("", "").empty());
}

TEST_CASE("texts too long for a word table still diff, as one removal and one addition in the middle") {
    std::string before, after;
    for (int i = 0; i < 3000; ++i) {
        before += "a" + std::to_string(i) + " ";
        after += "b" + std::to_string(i) + " ";
    }
    const auto d = word_diff("start " + before + "end", "start " + after + "end");
    REQUIRE(d.size() == 4);
    CHECK(d[0].text == "start ");
    CHECK(d[1].text.rfind("a0 a1 ", 0) == 0);
    CHECK(d[1].kind == Kind::Removed);
    CHECK(d[2].kind == Kind::Added);
    CHECK(d[3].text == " end");
}

}  // namespace clearpost::gui
