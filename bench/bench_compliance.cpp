// Compliance engine benchmark: check latency of ~500-character posts (p50,
// p99) and throughput over a corpus replicated to 10 MB, on one core.
//
//   bench_compliance ASSETS_DIR ORG.json POSTS.jsonl
//
// Run it from a release build; it is a program, not a test.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clearpost/compliance/engine.h"

using namespace clearpost;
using SteadyClock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: bench_compliance ASSETS_DIR ORG.json POSTS.jsonl\n");
        return 2;
    }
    auto org = compliance::load_org_profile(argv[2]);
    if (!org.ok()) {
        std::fprintf(stderr, "%s\n", org.error().message.c_str());
        return 1;
    }
    const auto t0 = SteadyClock::now();
    auto engine = compliance::Engine::load(argv[1], *org);
    if (!engine.ok()) {
        std::fprintf(stderr, "%s\n", engine.error().message.c_str());
        return 1;
    }
    const double load_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();

    std::vector<std::string> posts;
    std::ifstream in(argv[3]);
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.contains("text")) posts.push_back(j["text"].get<std::string>());
    }
    if (posts.empty()) return 1;

    // ~500-character posts: each post repeated or cut to 500 code points.
    std::vector<std::string> sized;
    for (const std::string& p : posts) {
        std::string s;
        while (s.size() < 2000) s += p + " ";
        std::size_t cps = 0, i = 0;
        for (; i < s.size() && cps < 500; ++i)
            if ((static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U) ++cps;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0U) == 0x80U) ++i;
        sized.push_back(s.substr(0, i));
    }
    std::vector<double> us;
    compliance::CheckInput input;
    input.now = 1795651200;
    input.networks = {text::Network::X};
    for (int round = 0; round < 20; ++round)
        for (const std::string& s : sized) {
            input.text = s;
            const auto a = SteadyClock::now();
            const auto report = engine->check(input);
            const auto b = SteadyClock::now();
            if (report.findings.size() > 100000) return 3;  // keep the call
            us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
        }
    std::sort(us.begin(), us.end());
    const double p50 = us[us.size() / 2];
    const double p99 = us[us.size() * 99 / 100];

    // Throughput: the corpus replicated to 10 MB, checked post by post.
    std::size_t bytes = 0;
    std::vector<const std::string*> stream;
    while (bytes < 10U * 1024U * 1024U)
        for (const std::string& p : posts) {
            stream.push_back(&p);
            bytes += p.size();
        }
    input.networks.clear();
    const auto c = SteadyClock::now();
    const std::clock_t cpu0 = std::clock();
    std::size_t findings = 0;
    for (const std::string* p : stream) {
        input.text = *p;
        findings += engine->check(input).findings.size();
    }
    const double secs = std::chrono::duration<double>(SteadyClock::now() - c).count();
    const double cpu_secs = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    std::printf("engine load: %.1f ms\n", load_ms);
    std::printf("500-char post latency: p50 %.1f us, p99 %.1f us (%zu checks)\n", p50, p99, us.size());
    std::printf("throughput: %.1f MB/s wall, %.1f MB per CPU second (%zu posts, %.1f MB, %zu findings, %.2f s)\n",
                static_cast<double>(bytes) / 1048576.0 / secs, static_cast<double>(bytes) / 1048576.0 / cpu_secs,
                stream.size(), static_cast<double>(bytes) / 1048576.0, findings, secs);
    return 0;
}
