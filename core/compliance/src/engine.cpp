#include "clearpost/compliance/engine.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "clearpost/text/utf8.h"
#include "engine_impl.h"

namespace clearpost::compliance {

namespace {

using detail::fold;

Result<std::vector<std::string>> read_list(const std::filesystem::path& path, bool one_per_line) {
    std::ifstream in(path);
    if (!in)
        return make_error(ErrorCode::NotFound, "cannot read dictionary " + path.string() +
                                                   "; reinstall Clearpost or pass --assets with the assets folder");
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        if (one_per_line) {
            out.push_back(fold(line));
            continue;
        }
        std::istringstream words(line);
        std::string w;
        while (words >> w) out.push_back(fold(w));
    }
    return out;
}

std::string trim(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    return s.substr(i);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(trim(cur));
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(trim(cur));
    return out;
}

void add_words(detail::WordSet& set, std::string_view text) {
    for (const detail::Token& t : detail::tokenize(text))
        if (t.alpha) set.insert(t.fold);
}

CompiledPhrases compile_phrases(const std::vector<std::string>& phrases);
bool symbolic_phrase(const std::string& folded);

std::shared_ptr<Engine::Impl> build(Dictionaries dictionaries, RulePack rules, OrgProfile org) {
    auto impl = std::make_shared<Engine::Impl>();
    impl->first_names.insert(dictionaries.first_names.begin(), dictionaries.first_names.end());
    impl->surnames.insert(dictionaries.surnames.begin(), dictionaries.surnames.end());
    impl->common_words.insert(dictionaries.common_words.begin(), dictionaries.common_words.end());
    for (const std::string& term : dictionaries.health_terms) {
        if (!term.empty() && term[0] == '!') impl->not_health_terms.add(std::string_view(term).substr(1));
        else impl->health_terms.add(term);
    }
    for (const std::string& phone : org.public_phones) {
        std::string digits;
        for (char c : phone)
            if (c >= '0' && c <= '9') digits.push_back(c);
        if (digits.size() >= 10) impl->org_phone_digits.push_back(digits.substr(digits.size() - 10));
    }
    for (const std::string& e : org.public_emails) impl->org_emails.push_back(fold(e));
    for (const std::string& d : org.domains) {
        std::string host = fold(d);
        if (host.rfind("www.", 0) == 0) host = host.substr(4);
        impl->org_domains.push_back(host);
        impl->org_link_domains.push_back(fold(d));
    }
    add_words(impl->org_words, org.name);
    // "Waterfront Clinic, 410 Wharf Street, Port Alder, WA 98710"
    for (const std::string& address : org.addresses) {
        const auto parts = split(address, ',');
        for (std::size_t p = 0; p < parts.size(); ++p) {
            const std::string& part = parts[p];
            if (part.empty()) continue;
            const bool numbered = part[0] >= '0' && part[0] <= '9';
            if (numbered) {
                const std::string key = detail::street_key(part);
                impl->org_street_keys.push_back(key);
                const auto space = key.find(' ');
                if (space != std::string::npos) {
                    impl->org_street_names.push_back(key.substr(space + 1));
                    add_words(impl->org_words, part.substr(part.find(' ') + 1));
                }
                // The town is the part after the street, before the state.
                if (p + 1 < parts.size() && p + 2 < parts.size()) {
                    impl->org_towns.push_back(fold(parts[p + 1]));
                    add_words(impl->org_words, parts[p + 1]);
                }
            } else if (p == 0) {
                add_words(impl->org_words, part);  // facility name
            }
        }
    }
    // Facility names may be written without "Clinic": their first word is
    // an org word already; the towns are kept as whole phrases above.
    for (const Person& p : org.staff) {
        KnownPerson k;
        for (const detail::Token& t : detail::tokenize(p.name)) k.tokens.push_back(t.fold);
        k.staff = true;
        if (!k.tokens.empty()) impl->known_people.push_back(std::move(k));
    }
    for (const Person& p : org.public_figures) {
        KnownPerson k;
        for (const detail::Token& t : detail::tokenize(p.name)) k.tokens.push_back(t.fold);
        if (!k.tokens.empty()) impl->known_people.push_back(std::move(k));
    }
    // Known people's names must never be mistaken for organisation words.
    for (const KnownPerson& k : impl->known_people)
        for (const std::string& w : k.tokens) impl->org_words.erase(w);
    for (std::size_t r = 0; r < rules.rules.size(); ++r) {
        const PolicyRule& rule = rules.rules[r];
        CompiledRule compiled{compile_phrases(rule.phrases), compile_phrases(rule.requirements), {}};
        for (const std::string& d : rule.domains) compiled.domains.push_back(fold(d));
        impl->compiled_rules.push_back(std::move(compiled));
        for (int req = 0; req < 2; ++req)
            for (const std::string& phrase : req ? rule.requirements : rule.phrases) {
                const std::string folded = fold(phrase);
                if (symbolic_phrase(folded)) continue;
                PolicyPhrase pp;
                pp.rule = r;
                pp.requirement = req == 1;
                for (const detail::Token& t : detail::tokenize(folded)) pp.words.push_back(t.fold);
                if (!pp.words.empty()) impl->policy_index[pp.words.front()].push_back(std::move(pp));
            }
    }
    for (const CompiledRule& compiled : impl->compiled_rules)
        for (const auto* phrases : {&compiled.triggers, &compiled.requirements})
            for (const std::string& symbolic : phrases->symbolic) {
                const auto symbol = std::find_if(symbolic.begin(), symbolic.end(), [](char c) {
                    return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '\'');
                });
                if (symbol == symbolic.end() || static_cast<unsigned char>(*symbol) >= 0x80U)
                    impl->policy_symbols_complete = false;
                else
                    impl->policy_symbols.set(static_cast<unsigned char>(*symbol));
            }
    for (std::size_t b = 0; b < impl->policy_symbols.size(); ++b)
        if (impl->policy_symbols.test(b)) impl->policy_symbol_list.push_back(static_cast<char>(b));
    for (const std::string& w : impl->first_names) impl->lexicon.add(w, 0, detail::kFirstNameWord);
    for (const std::string& w : impl->surnames) impl->lexicon.add(w, 0, detail::kSurnameWord);
    for (const std::string& w : impl->common_words) impl->lexicon.add(w, 0, detail::kCommonWord);
    for (const std::string& w : impl->org_words) impl->lexicon.add(w, 0, detail::kOrgWord);
    for (const auto& [w, phrases] : impl->policy_index) impl->lexicon.add(w, 0, detail::kPolicyWord);
    impl->health_terms.for_each_lead([&](std::string_view w) { impl->lexicon.add(w, 0, detail::kHealthLead); });
    impl->not_health_terms.for_each_lead([&](std::string_view w) { impl->lexicon.add(w, 0, detail::kNotHealthLead); });
    for (const KnownPerson& k : impl->known_people)
        for (const std::string& w : k.tokens) impl->lexicon.add(w, 0, detail::kKnownPersonWord);
    for (const std::string& town : impl->org_towns)
        impl->lexicon.add(std::string_view(town).substr(0, town.find(' ')), 0, detail::kOrgTownLead);
    detail::add_phi_words(impl->lexicon);
    impl->lexicon.finish();
    impl->dictionaries = std::move(dictionaries);
    impl->rules = std::move(rules);
    impl->org = std::move(org);
    return impl;
}

// ---- policy rules --------------------------------------------------------

bool symbolic_phrase(const std::string& folded) {
    return std::any_of(folded.begin(), folded.end(), [](char c) {
        return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '\'');
    });
}

CompiledPhrases compile_phrases(const std::vector<std::string>& phrases) {
    CompiledPhrases out;
    for (const std::string& phrase : phrases) {
        const std::string folded = fold(phrase);
        if (symbolic_phrase(folded)) {
            out.symbolic.push_back(folded);
            out.originals.push_back(phrase);
        } else {
            out.words.add(folded);
        }
    }
    return out;
}

// The text that symbolic phrases are searched in, prepared once per check.
struct PhraseHay {
    std::string_view raw;
    bool any_symbol = false;   // the text holds a symbol of some symbolic phrase
    bool ascii = false;        // then `raw` is searched without case instead of folding it

    // The folded text, for non-ASCII texts only: folded on first use, so a
    // text where no symbolic phrase may be (see may_hold) is never folded.
    const std::string& folded() {
        if (!m_folded) m_folded = fold(raw);
        return *m_folded;
    }

private:
    std::optional<std::string> m_folded;
};

// Whether every byte of `text` is below 0x80, tested eight bytes at a time.
bool is_ascii(std::string_view text) noexcept {
    std::size_t k = 0;
    for (; k + 8 <= text.size(); k += 8) {
        std::uint64_t block = 0;
        std::memcpy(&block, text.data() + k, sizeof block);
        if ((block & 0x8080808080808080ULL) != 0) return false;
    }
    for (; k < text.size(); ++k)
        if (static_cast<unsigned char>(text[k]) >= 0x80U) return false;
    return true;
}

// Index of the first symbol of a folded phrase (its first character that
// is not a lower-case letter, digit or space), or 0 when it has none.
std::size_t anchor_of(std::string_view phrase) {
    std::size_t anchor = 0;
    while (anchor < phrase.size() &&
           ((phrase[anchor] >= 'a' && phrase[anchor] <= 'z') || (phrase[anchor] >= '0' && phrase[anchor] <= '9') ||
            phrase[anchor] == ' '))
        ++anchor;
    return anchor == phrase.size() ? 0 : anchor;
}

// Whether the folded `phrase` could occur in the folded form of `raw` (or,
// as written, in `raw` itself). Folding maps ASCII to ASCII one to one and
// nothing else to an ASCII symbol but U+2019 to an apostrophe, so `raw`
// must hold the phrase's symbol with, on each side, the phrase's neighbour
// in either case or a non-ASCII byte that may fold into it.
bool may_hold(std::string_view raw, std::string_view phrase) {
    if (phrase.empty()) return false;
    const std::size_t anchor = anchor_of(phrase);
    const char symbol = phrase[anchor];
    if (static_cast<unsigned char>(symbol) >= 0x80U) {
        // A non-ASCII symbol (an en dash) is never the lower case of anything
        // else: the text must hold it as it is.
        const text::Decoded d = text::decode_at(phrase, anchor);
        if (!d.valid || u_isalpha(static_cast<UChar32>(d.code_point))) return true;
        return raw.find(phrase.substr(anchor, d.length)) != std::string_view::npos;
    }
    if (symbol == '\'' || (symbol >= 'a' && symbol <= 'z') || (symbol >= '0' && symbol <= '9') || symbol == ' ')
        return true;
    const auto fits = [&](std::size_t q, char want) {
        auto c = static_cast<unsigned char>(raw[q]);
        if (c >= 0x80U) return true;
        if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
        return static_cast<char>(c) == want;
    };
    for (auto q = raw.find(symbol); q != std::string_view::npos; q = raw.find(symbol, q + 1)) {
        if (anchor + 1 < phrase.size() && (q + 1 >= raw.size() || !fits(q + 1, phrase[anchor + 1]))) continue;
        if (anchor > 0 && (q == 0 || !fits(q - 1, phrase[anchor - 1]))) continue;
        return true;
    }
    return false;
}

// The first `phrase` in `hay` at or after `from`: found through the
// phrase's first symbol (rare in posts, unlike its letters), and compared
// without ASCII case when `ignore_case`.
std::size_t find_phrase(std::string_view hay, std::string_view phrase, std::size_t from, bool ignore_case) {
    const std::size_t anchor = anchor_of(phrase);
    for (std::size_t at = hay.find(phrase[anchor], from + anchor); at != std::string_view::npos;
         at = hay.find(phrase[anchor], at + 1)) {
        const std::size_t start = at - anchor;
        if (start + phrase.size() > hay.size()) return std::string_view::npos;
        bool same = true;
        for (std::size_t i = 0; i < phrase.size() && same; ++i) {
            char c = hay[start + i];
            if (ignore_case && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
            same = c == phrase[i];
        }
        if (same) return start;
    }
    return std::string_view::npos;
}

// Spans where any symbolic phrase of `phrases` occurs (word phrases are
// matched on tokens by apply_policy).
std::vector<text::Span> find_phrases(const CompiledPhrases& phrases, PhraseHay& text, bool first_only) {
    std::vector<text::Span> out;
    if (!text.any_symbol || text.raw.empty()) return out;
    for (std::size_t k = 0; k < phrases.symbolic.size(); ++k) {
        // In a non-ASCII text, a phrase that cannot be there is not searched
        // (and needs no folded text).
        if (!text.ascii && !may_hold(text.raw, phrases.symbolic[k])) continue;
        // Folding keeps ASCII lengths; for other texts search the raw bytes.
        // An ASCII text folds to itself in lower case: search it as it is.
        const bool same = text.ascii || text.folded().size() == text.raw.size();
        const std::string_view hay = same && !text.ascii ? std::string_view(text.folded()) : text.raw;
        const std::string_view p = same ? std::string_view(phrases.symbolic[k]) : std::string_view(phrases.originals[k]);
        if (p.empty()) continue;
        for (auto at = find_phrase(hay, p, 0, text.ascii); at != std::string_view::npos;
             at = find_phrase(hay, p, at + 1, text.ascii)) {
            const std::size_t end = at + p.size();
            if (end < hay.size() && std::isalnum(static_cast<unsigned char>(hay[end]))) continue;
            out.push_back({at, end});
            if (first_only) return out;
        }
    }
    return out;
}

Finding policy_finding(const PolicyRule& rule, std::size_t start, std::size_t end, std::string extra = {}) {
    Finding f;
    f.rule = rule.id;
    f.kind = "policy";
    f.severity = rule.severity;
    f.start = start;
    f.end = end;
    f.message = rule.message + extra;
    f.suggestion = rule.suggestion;
    return f;
}

std::string host_of(std::string_view url) {
    std::string_view rest = url;
    if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) rest = rest.substr(scheme + 3);
    std::string host = fold(rest.substr(0, rest.find_first_of("/?#:")));
    if (host.rfind("www.", 0) == 0) host = host.substr(4);
    return host;
}

// `domains` are folded (CompiledRule::domains, Impl::org_link_domains).
bool host_in(const std::string& host, const std::vector<std::string>& domains) {
    for (const std::string& d : domains) {
        if (host == d) return true;
        if (host.size() > d.size() && host.compare(host.size() - d.size(), d.size(), d) == 0 &&
            host[host.size() - d.size() - 1] == '.')
            return true;
    }
    return false;
}

void apply_policy(const Engine::Impl& impl, const CheckInput& input, const std::vector<detail::Token>& tokens,
                  const std::vector<text::Span>& urls, std::vector<Finding>& out) {
    const std::string_view text = input.text;
    // Symbolic phrases are searched in the folded text. Skip the search when
    // the text holds none of their symbols, and the folding when it is ASCII
    // or holds none of the phrases that are searched for (PhraseHay::folded).
    PhraseHay hay;
    hay.raw = text;
    // Each symbol is searched with memchr, which is faster than a byte loop
    // asking about every byte; there are only a few symbols.
    hay.any_symbol = !impl.policy_symbols_complete ||
                     std::any_of(impl.policy_symbol_list.begin(), impl.policy_symbol_list.end(),
                                 [&](char symbol) { return text.find(symbol) != std::string_view::npos; });
    hay.ascii = is_ascii(text);
    // One pass over the tokens for every rule's word phrases.
    const std::size_t n_rules = impl.rules.rules.size();
    // Per-thread tables, cleared here: their capacity is reused from post to post.
    thread_local std::vector<std::vector<text::Span>> word_triggers;
    thread_local std::vector<bool> word_requirement;
    word_triggers.resize(n_rules);
    for (std::vector<text::Span>& spans : word_triggers) spans.clear();
    word_requirement.assign(n_rules, false);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if ((tokens[i].flags & detail::kPolicyWord) == 0) continue;
        const auto it = impl.policy_index.find(tokens[i].fold);
        if (it == impl.policy_index.end()) continue;
        for (const PolicyPhrase& pp : it->second) {
            if (i + pp.words.size() > tokens.size()) continue;
            bool match = true;
            for (std::size_t k = 1; k < pp.words.size() && match; ++k) match = tokens[i + k].fold == pp.words[k];
            if (!match) continue;
            if (pp.requirement) word_requirement[pp.rule] = true;
            else word_triggers[pp.rule].push_back({tokens[i].start, tokens[i + pp.words.size() - 1].end});
        }
    }
    for (std::size_t r = 0; r < n_rules; ++r) {
        const PolicyRule& rule = impl.rules.rules[r];
        const CompiledRule& compiled = impl.compiled_rules[r];
        if (rule.disabled) continue;
        switch (rule.type) {
        case RuleType::ProhibitedPhrases: {
            auto spans = word_triggers[r];
            auto sym = find_phrases(compiled.triggers, hay, false);
            spans.insert(spans.end(), sym.begin(), sym.end());
            // A longer phrase wins over one inside it ("miracle cure" over "cure").
            std::sort(spans.begin(), spans.end(), [](const text::Span& a, const text::Span& b) {
                return a.start != b.start ? a.start < b.start : a.end > b.end;
            });
            std::size_t covered = 0;
            for (const text::Span& s : spans) {
                if (s.end <= covered) continue;
                covered = s.end;
                out.push_back(policy_finding(rule, s.start, s.end,
                                             " (\"" + std::string(text.substr(s.start, s.end - s.start)) + "\")"));
            }
            break;
        }
        case RuleType::RequiredDisclaimer:
        case RuleType::SponsoredDisclosure: {
            auto triggers = word_triggers[r];
            if (triggers.empty()) triggers = find_phrases(compiled.triggers, hay, true);
            if (triggers.empty()) break;
            if (!word_requirement[r] && find_phrases(compiled.requirements, hay, true).empty())
                out.push_back(policy_finding(rule, triggers.front().start, triggers.front().end));
            break;
        }
        case RuleType::AltText:
            for (const MediaItem& m : input.media)
                if (m.is_image && m.alt_text.find_first_not_of(" \t\n") == std::string::npos)
                    out.push_back(policy_finding(rule, 0, 0, m.name.empty() ? std::string() : " (" + m.name + ")"));
            break;
        case RuleType::AllowedDomains:
            for (const text::Span& u : urls) {
                const std::string host = host_of(text.substr(u.start, u.end - u.start));
                if (!host_in(host, impl.org_link_domains) && !host_in(host, compiled.domains))
                    out.push_back(policy_finding(rule, u.start, u.end, " (" + host + ")"));
            }
            break;
        case RuleType::UrlShortener:
            for (const text::Span& u : urls) {
                const std::string host = host_of(text.substr(u.start, u.end - u.start));
                if (host_in(host, compiled.domains)) out.push_back(policy_finding(rule, u.start, u.end, " (" + host + ")"));
            }
            break;
        }
    }
}

void apply_platform(const CheckInput& input, std::vector<Finding>& out) {
    for (text::Network n : input.networks) {
        const text::TextLength len = text::measure(n, input.text);
        const std::string net(text::to_string(n));
        if (!len.within_limit()) {
            // Networks with reply threads get the long text as a thread (the
            // publisher splits it): worth a look, not a stop. The others cut.
            const bool threads = n == text::Network::X || n == text::Network::Bluesky ||
                                 n == text::Network::Mastodon || n == text::Network::Threads;
            Finding f;
            f.rule = "platform.length";
            f.kind = "platform";
            f.severity = threads ? Severity::Warn : Severity::Block;
            f.start = 0;
            f.end = input.text.size();
            const char* unit = n == text::Network::X ? " weighted characters"
                               : n == text::Network::Bluesky ? " graphemes" : " characters";
            f.message = "The post is " + std::to_string(len.length) + unit + " long; " + net + " allows " +
                        std::to_string(len.limit) + (threads ? ", so it will be published as a thread." : ".");
            f.suggestion = threads ? "Check where the thread breaks, or shorten it by " +
                                         std::to_string(len.length - len.limit) + unit + " to keep one post."
                                   : "Shorten it by " + std::to_string(len.length - len.limit) + unit +
                                         ", or write a shorter version for " + net + ".";
            out.push_back(std::move(f));
        }
        if (n == text::Network::Instagram && len.hashtags > 30) {
            Finding f;
            f.rule = "platform.hashtags";
            f.kind = "platform";
            f.severity = Severity::Block;
            f.end = input.text.size();
            f.message = "Instagram allows 30 hashtags; the post has " + std::to_string(len.hashtags) + ".";
            f.suggestion = "Remove " + std::to_string(len.hashtags - 30) + " hashtags.";
            out.push_back(std::move(f));
        }
    }
}

// ---- consent ---------------------------------------------------------------

bool subject_matches(const std::string& finding_subject, const std::string& consent_subject) {
    auto words = [](const std::string& s) {
        std::vector<std::string> out;
        for (const detail::Token& t : detail::tokenize(s))
            if (!(t.fold == "mr" || t.fold == "mrs" || t.fold == "ms" || t.fold == "miss" || t.fold == "mx"))
                out.push_back(t.fold);
        return out;
    };
    const auto a = words(finding_subject);
    const auto b = words(consent_subject);
    if (a.empty() || b.empty()) return false;
    const auto& small = a.size() <= b.size() ? a : b;
    const auto& big = a.size() <= b.size() ? b : a;
    for (const std::string& w : small)
        if (std::find(big.begin(), big.end(), w) == big.end()) return false;
    return true;
}

bool consent_covers(const ConsentRecord& c, const CheckInput& input) {
    if (c.scope.empty()) return true;
    for (text::Network n : input.networks) {
        bool listed = false;
        for (const std::string& s : c.scope) listed = listed || text::parse_network(s) == n || fold(s) == "all";
        if (!listed) return false;
    }
    return true;
}

}  // namespace

Result<Dictionaries> load_dictionaries(const std::filesystem::path& dir) {
    Dictionaries d;
    CLEARPOST_ASSIGN(d.first_names, read_list(dir / "first_names.txt", false));
    CLEARPOST_ASSIGN(d.surnames, read_list(dir / "surnames.txt", false));
    CLEARPOST_ASSIGN(d.common_words, read_list(dir / "common_words.txt", false));
    CLEARPOST_ASSIGN(d.health_terms, read_list(dir / "health_terms.txt", true));
    return d;
}

Engine::Engine(Dictionaries dictionaries, RulePack rules, OrgProfile org)
    : m_impl(build(std::move(dictionaries), std::move(rules), std::move(org))) {}

Result<Engine> Engine::load(const std::filesystem::path& assets_dir, OrgProfile org,
                            const std::optional<std::filesystem::path>& extra_rules) {
    CLEARPOST_ASSIGN(Dictionaries dictionaries, load_dictionaries(assets_dir / "dictionaries"));
    CLEARPOST_ASSIGN(RulePack rules, load_rule_pack(assets_dir / "rules" / "policy-v1.json"));
    if (extra_rules) {
        CLEARPOST_ASSIGN(RulePack extension, load_rule_pack(*extra_rules));
        rules = merge_rule_packs(std::move(rules), extension);
    }
    return Engine(std::move(dictionaries), std::move(rules), std::move(org));
}

const OrgProfile& Engine::org() const noexcept { return m_impl->org; }
const RulePack& Engine::rules() const noexcept { return m_impl->rules; }

Report Engine::check(const CheckInput& input) const {
    const Impl& impl = *m_impl;
    const std::string_view text = input.text;
    std::vector<Finding> findings;

    if (const std::size_t bad = text::first_invalid_byte(text); bad < text.size()) {
        Finding f;
        f.rule = "text.invalid-utf8";
        f.kind = "text";
        f.severity = Severity::Block;
        f.start = bad;
        f.end = bad + text::decode_at(text, bad).length;
        f.message = "The text is not valid UTF-8 (bad bytes at offset " + std::to_string(bad) +
                    "); networks will reject or garble it.";
        f.suggestion = "Re-type or re-paste the text, or save the source file as UTF-8.";
        findings.push_back(std::move(f));
    }

    // Per-thread working memory (the engine itself is immutable and shared
    // between threads): its capacity is reused from one post to the next.
    thread_local std::vector<detail::Token> tokens;
    detail::tokenize(text, tokens);
    impl.lexicon.annotate(tokens);
    detail::PhiContext context;
    const std::vector<text::Span> urls = text::find_urls(text, text::UrlScope::AnyDomain);
    thread_local std::vector<detail::Candidate> candidates;
    detail::detect_phi(impl, text, tokens, urls, input.now, context, candidates);

    // Consent: findings about a consenting patient become info.
    std::vector<const ConsentRecord*> valid;
    for (const ConsentRecord& c : input.consents) {
        if (c.expires_at > input.now && consent_covers(c, input)) {
            valid.push_back(&c);
        }
    }
    // Each non-name candidate is about the nearest name before it in the post.
    std::string last_subject;
    std::string only_subject;
    int subjects = 0;
    for (const detail::Candidate& c : candidates)
        if (c.kind == PhiKind::Name && c.subject != only_subject) {
            only_subject = c.subject;
            ++subjects;
        }
    findings.reserve(findings.size() + candidates.size() + 4);
    for (const detail::Candidate& c : candidates) {
        Finding f;
        f.rule = std::string("phi.") + std::string(to_string(c.kind));
        f.kind = std::string(to_string(c.kind));
        f.start = c.start;
        f.end = c.end;
        f.suggestion = c.suggestion;
        // The message is the candidate's plus what the context says,
        // built in one allocation.
        std::string_view context_note;
        if (c.always_block || context.health) {
            f.severity = Severity::Block;
            if (!c.always_block) context_note = " The post also mentions care or a health condition, which makes it PHI.";
        } else {
            f.severity = Severity::Warn;
            context_note = " No health context was found, so this is a warning; confirm it is not about a patient.";
        }
        f.message.reserve(c.message.size() + context_note.size());
        f.message.append(c.message).append(context_note);
        std::string subject = c.kind == PhiKind::Name ? c.subject : (last_subject.empty() && subjects == 1 ? only_subject : last_subject);
        if (c.kind == PhiKind::Name) last_subject = c.subject;
        for (const ConsentRecord* consent : valid) {
            if (!subject.empty() && subject_matches(subject, consent->subject_name)) {
                f.severity = Severity::Info;
                f.consent_id = consent->id;
                f.message += " Covered by consent " + consent->id + " (" + consent->subject_name + ").";
                f.suggestion = "Keep the signed authorisation on file; it expires at " + format_utc(consent->expires_at) + ".";
                break;
            }
        }
        findings.push_back(std::move(f));
    }
    for (const ConsentRecord& c : input.consents) {
        if (c.expires_at <= input.now) {
            Finding f;
            f.rule = "consent.expired";
            f.kind = "consent";
            f.severity = Severity::Info;
            f.message = "Consent " + c.id + " for " + c.subject_name + " expired at " + format_utc(c.expires_at) +
                        "; it does not cover this post.";
            f.suggestion = "Ask for a new signed authorisation before naming this patient.";
            findings.push_back(std::move(f));
        }
    }

    apply_policy(impl, input, tokens, urls, findings);
    apply_platform(input, findings);

    std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        if (a.start != b.start) return a.start < b.start;
        return a.rule < b.rule;
    });
    // Code-point offsets: count directly for a few findings (in start order,
    // so the text before them is counted once), map for many.
    if (findings.size() <= 8) {
        std::size_t counted_to = 0;
        std::size_t code_points = 0;
        for (Finding& f : findings) {
            code_points += text::code_point_count(text.substr(counted_to, f.start - counted_to));
            counted_to = f.start;
            f.cp_start = code_points;
            f.cp_end = f.cp_start + text::code_point_count(text.substr(f.start, f.end - f.start));
        }
    } else {
        const text::OffsetMap map(text);
        for (Finding& f : findings) {
            f.cp_start = map.to_code_point(f.start);
            f.cp_end = map.to_code_point(f.end);
        }
    }
    // The per-thread vectors keep the memory of ordinary posts only: one
    // huge text must not pin its size for the life of the thread.
    constexpr std::size_t kKeepTokens = 16384;
    if (tokens.capacity() > kKeepTokens) std::vector<detail::Token>().swap(tokens);
    if (candidates.capacity() > kKeepTokens) std::vector<detail::Candidate>().swap(candidates);
    Report report;
    report.verdict = verdict_of(findings);
    report.findings = std::move(findings);
    return report;
}

}  // namespace clearpost::compliance
