#pragma once
// What every benchmark program needs: stop with the error's message when a
// step that must work fails (benchmarks measure, they do not recover).

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "clearpost/base/result.h"

namespace clearpost::bench {

template <typename T>
T must(Result<T> r, const char* what) {
    if (!r.ok()) {
        std::fprintf(stderr, "%s: %s\n", what, r.error().message.c_str());
        std::exit(1);
    }
    return std::move(r).value();
}

inline void must(Result<void> r, const char* what) {
    if (!r.ok()) {
        std::fprintf(stderr, "%s: %s\n", what, r.error().message.c_str());
        std::exit(1);
    }
}

}  // namespace clearpost::bench
