#pragma once
// Instants are UTC, counted in seconds since the Unix epoch.

#include <cstdint>
#include <functional>
#include <string>

#include "clearpost/base/result.h"

namespace clearpost {

using UnixSeconds = std::int64_t;

// The clock core code reads; tests inject a fixed one.
using Clock = std::function<UnixSeconds()>;
UnixSeconds system_now();

// "2026-03-08T07:30:00Z". Always UTC, always this exact shape.
std::string format_utc(UnixSeconds t);
// Accepts "YYYY-MM-DDTHH:MM:SSZ" (and "+00:00"); anything else is Invalid.
Result<UnixSeconds> parse_utc(const std::string& text);

}  // namespace clearpost
