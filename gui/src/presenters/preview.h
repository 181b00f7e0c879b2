#pragma once
// How a post will read on one network, without widgets: which words the
// network turns into links, hashtags and mentions (by its own rules), where
// its length limit is passed, and what happens then. The composer's Preview
// tab paints it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/text/count.h"

namespace clearpost::gui {

enum class PreviewKind { Link, Hashtag, Mention };

struct PreviewSpan {
    std::size_t start = 0;  // UTF-8 bytes, end exclusive
    std::size_t end = 0;
    PreviewKind kind = PreviewKind::Link;
    friend bool operator==(const PreviewSpan&, const PreviewSpan&) = default;
};

struct NetworkPreview {
    text::Network network = text::Network::X;
    std::vector<PreviewSpan> spans;  // in text order, not overlapping
    // The first byte past the network's limit (on a character boundary),
    // when the text is too long.
    std::optional<std::size_t> cut;
    std::size_t length = 0;  // in the network's unit
    std::size_t limit = 0;
    std::string note;        // what happens to this post there; empty when nothing to say
};

// `images`: how many images the post carries (Instagram needs one).
NetworkPreview preview(text::Network network, std::string_view text, std::size_t images);

}  // namespace clearpost::gui
