#pragma once
// libcurl's global setup, once per process, before the first handle.

#include <curl/curl.h>

#include <mutex>

namespace clearpost::net::detail {

inline void curl_global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace clearpost::net::detail
