// WebP: walks the RIFF chunks (RFC 9649), drops EXIF and XMP and rewrites
// the RIFF size and the VP8X flags to match.

#include <cstdint>
#include <string>

#include "formats.h"

namespace clearpost::media::detail {
namespace {

constexpr std::string_view kType = "WebP";

void put_le32(std::string& out, std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>(v >> shift & 0xFF);
}

}  // namespace

Result<StrippedImage> strip_webp(std::string_view b) {
    StrippedImage result;
    result.info.type = ImageType::Webp;
    const std::uint32_t riff = le32(b, 4);
    if (riff < 4 || b.size() - 8 < riff) return corrupt(kType, "the file is shorter than its header says; it may be truncated");
    const std::size_t end = 8 + std::size_t{riff};
    std::string body = "WEBP";
    std::size_t pos = 12;
    std::size_t vp8x_at = std::string::npos;
    bool have_image = false, have_canvas = false;
    while (pos < end) {
        if (end - pos < 8) return corrupt(kType, "the file ends inside a chunk header; it may be truncated");
        const std::string_view fourcc = b.substr(pos, 4);
        const std::uint32_t size = le32(b, pos + 4);
        const std::size_t padded = std::size_t{size} + (size & 1);
        if (end - pos - 8 < padded) return corrupt(kType, "the file ends inside a chunk; it may be truncated");
        const std::string_view data = b.substr(pos + 8, size);
        const std::string_view whole = b.substr(pos, 8 + padded);
        pos += 8 + padded;
        if (fourcc == "EXIF" || fourcc == "XMP ") {
            result.removed.push_back(fourcc == "EXIF" ? "EXIF (EXIF chunk)" : "XMP (XMP chunk)");
            continue;
        }
        if (fourcc == "VP8X") {
            if (size < 10) return corrupt(kType, "its VP8X header is too short");
            result.info.width = static_cast<int>(le24(data, 4) + 1);
            result.info.height = static_cast<int>(le24(data, 7) + 1);
            have_canvas = true;
            vp8x_at = body.size();
        } else if (fourcc == "VP8 " && !have_canvas && !have_image) {
            if (size < 10 || data.substr(3, 3) != "\x9D\x01\x2A") return corrupt(kType, "its VP8 frame header is malformed");
            result.info.width = static_cast<int>(le16(data, 6) & 0x3FFF);
            result.info.height = static_cast<int>(le16(data, 8) & 0x3FFF);
        } else if (fourcc == "VP8L" && !have_canvas && !have_image) {
            if (size < 5 || static_cast<std::uint8_t>(data[0]) != 0x2F) return corrupt(kType, "its VP8L header is malformed");
            const std::uint32_t bits = le32(data, 1);
            result.info.width = static_cast<int>((bits & 0x3FFF) + 1);
            result.info.height = static_cast<int>((bits >> 14 & 0x3FFF) + 1);
        }
        if (fourcc == "VP8 " || fourcc == "VP8L" || fourcc == "ANMF") have_image = true;
        body += whole;
    }
    if (!have_image) return corrupt(kType, "it has no image data");
    if (result.info.width <= 0 || result.info.height <= 0) return corrupt(kType, "it gives no width or height");
    if (vp8x_at != std::string::npos) {
        // Flags byte: bit 3 EXIF, bit 2 XMP.
        body[vp8x_at + 8] = static_cast<char>(static_cast<std::uint8_t>(body[vp8x_at + 8]) & ~0x0Cu);
    }
    if (end < b.size()) result.removed.push_back("data after the end of the image");
    result.bytes = "RIFF";
    put_le32(result.bytes, static_cast<std::uint32_t>(body.size()));
    result.bytes += body;
    return result;
}

}  // namespace clearpost::media::detail
