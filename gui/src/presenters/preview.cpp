#include "preview.h"

#include <algorithm>

namespace clearpost::gui {
namespace {

bool threads(text::Network n) { return n == text::Network::Bluesky || n == text::Network::Mastodon; }

// Byte offsets where a code point starts, and the end.
std::vector<std::size_t> boundaries(std::string_view text) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) out.push_back(i);
    out.push_back(text.size());
    return out;
}

}  // namespace

NetworkPreview preview(text::Network network, std::string_view text, std::size_t images) {
    NetworkPreview p;
    p.network = network;
    const auto measured = text::measure(network, text);
    p.length = measured.length;
    p.limit = measured.limit;

    // Each network links what its own parser finds: Mastodon only http(s)
    // URLs, X and the rest bare domains too; X's mentions are @user only,
    // LinkedIn and Facebook make none from typed text.
    using text::Network;
    const auto scope = network == Network::Mastodon ? text::UrlScope::SchemeOnly : text::UrlScope::PublicTlds;
    for (const auto& s : text::find_urls(text, scope)) p.spans.push_back({s.start, s.end, PreviewKind::Link});
    for (const auto& s : text::find_hashtags(text)) p.spans.push_back({s.start, s.end, PreviewKind::Hashtag});
    if (network != Network::LinkedIn && network != Network::Facebook) {
        const auto rule = network == Network::X ? text::MentionRule::X : text::MentionRule::AnyNetwork;
        for (const auto& s : text::find_mentions(text, rule)) p.spans.push_back({s.start, s.end, PreviewKind::Mention});
    }
    std::sort(p.spans.begin(), p.spans.end(), [](const PreviewSpan& a, const PreviewSpan& b) { return a.start < b.start; });
    // A hashtag or mention inside a link is part of the link.
    std::vector<PreviewSpan> kept;
    for (const auto& s : p.spans)
        if (kept.empty() || s.start >= kept.back().end) kept.push_back(s);
    p.spans = std::move(kept);

    if (!measured.within_limit()) {
        // The longest prefix the network takes: measured at code point
        // boundaries, by halving (a length only grows as text is added,
        // give or take a URL cut in two, which is good enough for a mark).
        const auto at = boundaries(text);
        std::size_t lo = 0, hi = at.size() - 1;  // at[lo] fits, at[hi] does not
        while (hi - lo > 1) {
            const std::size_t mid = (lo + hi) / 2;
            (text::measure(network, text.substr(0, at[mid])).length <= p.limit ? lo : hi) = mid;
        }
        p.cut = at[lo];
        const std::size_t over = p.length - p.limit;
        p.note = threads(network)
                     ? "Over the limit by " + std::to_string(over) + ": Clearpost posts it as a thread of replies."
                     : "Over the limit by " + std::to_string(over) + ": the network refuses it. Shorten the post.";
    }
    if (network == Network::Instagram && images == 0) {
        if (!p.note.empty()) p.note += " ";
        p.note += "Instagram posts need an image.";
    }
    if (network == Network::Instagram &&
        std::any_of(p.spans.begin(), p.spans.end(), [](const PreviewSpan& s) { return s.kind == PreviewKind::Link; })) {
        if (!p.note.empty()) p.note += " ";
        p.note += "Links in Instagram captions cannot be clicked.";
    }
    return p;
}

}  // namespace clearpost::gui
