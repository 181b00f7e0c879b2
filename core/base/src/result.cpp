#include "clearpost/base/result.h"

namespace clearpost {

const char* to_string(ErrorCode code) noexcept {
    switch (code) {
    case ErrorCode::Invalid: return "invalid";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::Forbidden: return "forbidden";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::Unauthenticated: return "unauthenticated";
    case ErrorCode::Storage: return "storage";
    case ErrorCode::Corrupt: return "corrupt";
    case ErrorCode::Incompatible: return "incompatible";
    case ErrorCode::Io: return "io";
    case ErrorCode::Tampered: return "tampered";
    }
    return "unknown";
}

}  // namespace clearpost
