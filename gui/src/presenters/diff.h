#pragma once
// What changed between two versions of a post, word by word, for the
// approver who signs the new one. Whitespace runs are tokens of their own,
// so the merged text reads exactly as both versions do.

#include <string>
#include <string_view>
#include <vector>

namespace clearpost::gui {

struct DiffSegment {
    enum class Kind { Same, Added, Removed };
    Kind kind = Kind::Same;
    std::string text;
};

// Segments that, concatenated without the Removed ones, give `after`, and
// without the Added ones, give `before`. Adjacent segments of one kind are
// merged. Texts too long for a word diff (more than ~4 million word pairs)
// come back as one removal and one addition.
std::vector<DiffSegment> word_diff(std::string_view before, std::string_view after);

}  // namespace clearpost::gui
