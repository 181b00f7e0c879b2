// The composer's per-network preview without widgets: each network's own
// rules for links, hashtags and mentions, where its limit is passed, and
// what it then does with the post.

#include <catch2/catch.hpp>

#include "presenters/preview.h"

namespace clearpost::gui {
namespace {

using text::Network;

std::vector<std::string> words_of(const NetworkPreview& p, std::string_view text, PreviewKind kind) {
    std::vector<std::string> out;
    for (const auto& s : p.spans)
        if (s.kind == kind) out.emplace_back(text.substr(s.start, s.end - s.start));
    return out;
}

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

}  // namespace

TEST_CASE("each network links what its own parser links") {
    const std::string text = "Flu shots with @clinic at example.com and https://example.org/flu #FluSeason";
    const auto x = preview(Network::X, text, 0);
    CHECK(words_of(x, text, PreviewKind::Link) == std::vector<std::string>{"example.com", "https://example.org/flu"});
    CHECK(words_of(x, text, PreviewKind::Mention) == std::vector<std::string>{"@clinic"});
    CHECK(words_of(x, text, PreviewKind::Hashtag) == std::vector<std::string>{"#FluSeason"});
    CHECK_FALSE(x.cut.has_value());
    CHECK(x.note.empty());
    // Mastodon links only what starts with http(s)://.
    const auto mastodon = preview(Network::Mastodon, text, 0);
    CHECK(words_of(mastodon, text, PreviewKind::Link) == std::vector<std::string>{"https://example.org/flu"});
    // LinkedIn makes no mention of typed @names.
    CHECK(words_of(preview(Network::LinkedIn, text, 0), text, PreviewKind::Mention).empty());
    // A hashtag inside a link is part of the link.
    const std::string anchored = "See https://example.org/page#section";
    const auto spans = preview(Network::X, anchored, 0).spans;
    REQUIRE(spans.size() == 1);
    CHECK(spans[0].kind == PreviewKind::Link);
}

TEST_CASE("the cut falls where the network's own count passes its limit") {
    const std::string plain = repeat("a", 290);
    const auto x = preview(Network::X, plain, 0);
    CHECK(x.length == 290);
    CHECK(x.limit == 280);
    REQUIRE(x.cut.has_value());
    CHECK(*x.cut == 280);
    CHECK(x.note == "Over the limit by 10: the network refuses it. Shorten the post.");
    // X weighs an emoji 2: 150 of them weigh 300, and 140 fit.
    const auto emoji = preview(Network::X, repeat("\xF0\x9F\x98\x80", 150), 0);
    REQUIRE(emoji.cut.has_value());
    CHECK(*emoji.cut == 140 * 4);
    // Bluesky counts graphemes and posts a long text as a thread.
    const auto bluesky = preview(Network::Bluesky, repeat("\xC3\xA9", 310), 0);
    REQUIRE(bluesky.cut.has_value());
    CHECK(*bluesky.cut == 300 * 2);
    CHECK(bluesky.note == "Over the limit by 10: Clearpost posts it as a thread of replies.");
}

TEST_CASE("Instagram says it needs an image and that caption links cannot be clicked") {
    const auto bare = preview(Network::Instagram, "Flu shots on Saturday", 0);
    CHECK(bare.note == "Instagram posts need an image.");
    CHECK(preview(Network::Instagram, "Flu shots on Saturday", 1).note.empty());
    CHECK(preview(Network::Instagram, "Details at https://example.org", 1).note ==
          "Links in Instagram captions cannot be clicked.");
}

}  // namespace clearpost::gui
