#pragma once
// Percent-encoding (RFC 3986 section 2.1) for URL query values, form bodies
// and connection URIs.

#include <string>
#include <string_view>

namespace clearpost {

// Every byte but the unreserved characters (ALPHA DIGIT - . _ ~) as %XX in
// upper-case hex. `space_as_plus`: a space becomes "+", as
// application/x-www-form-urlencoded writes it.
std::string percent_encode(std::string_view text, bool space_as_plus = false);

}  // namespace clearpost
