#pragma once
// Per-format strippers behind media::strip_metadata, and the small helpers
// they share. Internal to clearpost::media.

#include <cstdint>
#include <string>
#include <string_view>

#include "clearpost/media/image.h"

namespace clearpost::media::detail {

Result<StrippedImage> strip_jpeg(std::string_view bytes);
Result<StrippedImage> strip_png(std::string_view bytes);
Result<StrippedImage> strip_webp(std::string_view bytes);

inline std::uint8_t byte_at(std::string_view s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }
inline std::uint32_t be16(std::string_view s, std::size_t i) {
    return std::uint32_t{byte_at(s, i)} << 8 | byte_at(s, i + 1);
}
inline std::uint32_t be32(std::string_view s, std::size_t i) { return be16(s, i) << 16 | be16(s, i + 2); }
inline std::uint32_t le16(std::string_view s, std::size_t i) {
    return std::uint32_t{byte_at(s, i + 1)} << 8 | byte_at(s, i);
}
inline std::uint32_t le24(std::string_view s, std::size_t i) { return le16(s, i) | std::uint32_t{byte_at(s, i + 2)} << 16; }
inline std::uint32_t le32(std::string_view s, std::size_t i) { return le16(s, i) | le16(s, i + 2) << 16; }

// The orientation tag (0x0112) of a TIFF structure as EXIF stores it, or 1
// when there is none or the structure is malformed (metadata that cannot be
// read is dropped, not an error: the image itself is fine).
int tiff_orientation(std::string_view tiff);
// A TIFF structure holding only an orientation tag.
std::string minimal_tiff(int orientation);

// Width and height as displayed for an EXIF orientation (5-8 turn the image).
void apply_orientation(ImageInfo& info, int orientation);

Error corrupt(std::string_view type, const std::string& what);

}  // namespace clearpost::media::detail
