// libFuzzer target over the compliance engine and the text functions.
// Any bytes must give findings or a clear error: no crash, no hang, no
// out-of-range offset. Build and run (clang, ASan + UBSan): see
// docs/compliance.md, "Fuzzing".

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "clearpost/compliance/engine.h"
#include "clearpost/text/count.h"
#include "clearpost/text/utf8.h"

using namespace clearpost;

namespace {

std::optional<compliance::Engine>& engine() {
    static std::optional<compliance::Engine> e;
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* dir = std::getenv("CLEARPOST_ASSETS_DIR");
    auto org = compliance::parse_org_profile(R"({"name": "Fuzz Clinic", "public_phones": ["(360) 555-0142"],
        "public_emails": ["press@fuzz.example"], "addresses": ["Main Clinic, 1 Main Street, Port Alder, WA 98710"],
        "domains": ["fuzz.example"], "staff": [{"name": "Dana Whitfield", "title": "CEO"}],
        "public_figures": [{"name": "Celeste Marchetti", "role": "Mayor"}]})");
    auto loaded = compliance::Engine::load(dir ? dir : "assets", *org);
    if (!loaded.ok()) {
        std::fprintf(stderr, "fuzz: %s (set CLEARPOST_ASSETS_DIR)\n", loaded.error().message.c_str());
        std::abort();
    }
    engine().emplace(std::move(loaded).value());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t selector = data[0];
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

    compliance::CheckInput input;
    input.text = text;
    input.now = 1795651200;
    for (std::size_t k = 0; k < text::all_networks().size(); ++k)
        if (selector & (1U << k)) input.networks.push_back(text::all_networks()[k]);
    if (selector & 0x80U) {
        input.media.push_back({"a.jpg", true, ""});
        input.consents.push_back({"C1", "Marisol Vega", {}, input.now + 10});
        input.consents.push_back({"C2", text.substr(0, 12), {"x"}, input.now - 10});
    }
    const compliance::Report report = engine()->check(input);
    for (const auto& f : report.findings) {
        if (f.start > f.end || f.end > text.size() || f.cp_start > f.cp_end) std::abort();
    }
    if (report.verdict != compliance::verdict_of(report.findings)) std::abort();

    const text::OffsetMap map(text);
    if (map.to_code_point(text.size()) != map.code_points()) std::abort();
    (void)text::grapheme_count(text);
    (void)text::twitter_weighted_length(text);
    for (const auto& s : text::find_urls(text, text::UrlScope::AnyDomain))
        if (s.start > s.end || s.end > text.size()) std::abort();
    for (const auto& s : text::find_mentions(text))
        if (s.end > text.size()) std::abort();
    for (const auto& s : text::find_hashtags(text))
        if (s.end > text.size()) std::abort();
    return 0;
}
