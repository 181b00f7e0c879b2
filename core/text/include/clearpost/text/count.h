#pragma once
// Platform text counting: how long a post is in each network's own terms.
//
// Counting rules differ per network: X weighs code points and counts every URL
// as 23 (twitter-text configuration v3); Bluesky counts grapheme clusters;
// Mastodon counts code points with every URL as 23 and remote mentions by
// username only; the others count code points. Offsets are UTF-8 bytes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clearpost::text {

enum class Network { X, Bluesky, Mastodon, LinkedIn, Facebook, Instagram, Threads };

std::string_view to_string(Network network) noexcept;
// Accepts the names above in any case, plus "twitter" for X.
std::optional<Network> parse_network(std::string_view name) noexcept;
const std::vector<Network>& all_networks();

// The network's text limit in its own unit (weighted characters for X,
// graphemes for Bluesky, characters elsewhere).
std::size_t text_limit(Network network) noexcept;

struct Span {
    std::size_t start = 0;  // UTF-8 byte offset
    std::size_t end = 0;    // exclusive
    friend bool operator==(const Span&, const Span&) = default;
};

enum class UrlScope {
    SchemeOnly,      // http:// and https:// links only (Mastodon's rule)
    PublicTlds,      // plus bare domains under a public TLD (twitter-text's rule)
    AnyDomain,       // plus bare domains under reserved TLDs such as .example (compliance)
};

// URLs in `text`, in order, without trailing sentence punctuation. A domain
// that is part of an e-mail address is not a URL. Under PublicTlds the rules
// are twitter-text's (host labels, path characters, t.co slugs), so the X
// counter links what X links.
std::vector<Span> find_urls(std::string_view text, UrlScope scope = UrlScope::PublicTlds);

// Hashtags (#word or ＃word) with the sign, per twitter-text: letters, marks,
// digits and a few in-word joiners, at least one letter, not after a word
// character, not inside a URL.
std::vector<Span> find_hashtags(std::string_view text);

enum class MentionRule {
    AnyNetwork,  // @user, dotted handles (@name.bsky.social) and remote mentions (@user@host)
    X,           // twitter-text: @user with 1 to 20 of [A-Za-z0-9_], never part of an e-mail address
};

// Mentions with the sign.
std::vector<Span> find_mentions(std::string_view text, MentionRule rule = MentionRule::AnyNetwork);

// Extended grapheme clusters (Unicode UAX #29 via ICU): what a reader sees as
// one character, e.g. a family emoji or a flag. Invalid UTF-8 bytes count as
// one each.
std::size_t grapheme_count(std::string_view text);

struct WeightedLength {
    int weighted_length = 0;  // in X characters (scale already applied)
    int permillage = 0;       // weighted_length / 280 * 1000, rounded down
    bool valid = false;       // non-empty, within 280 and no invalid characters
};

// X's weighted length per twitter-text configuration v3: NFC-normalised code
// points weighted 1 in the configured ranges and 2 elsewhere, each emoji
// sequence 2, each URL 23.
WeightedLength twitter_weighted_length(std::string_view text);

struct TextLength {
    Network network = Network::X;
    std::size_t length = 0;  // in the network's unit
    std::size_t limit = 0;
    std::size_t hashtags = 0;
    bool within_limit() const noexcept { return length <= limit; }
};

// The post's length as `network` counts it.
TextLength measure(Network network, std::string_view text);

}  // namespace clearpost::text
