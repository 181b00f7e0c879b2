#include "clearpost/media/image.h"

#include <algorithm>
#include <utility>

#include "formats.h"

namespace clearpost::media {

std::string_view mime_type(ImageType type) noexcept {
    switch (type) {
    case ImageType::Jpeg: return "image/jpeg";
    case ImageType::Png: return "image/png";
    case ImageType::Webp: return "image/webp";
    }
    return "application/octet-stream";
}

std::string_view to_string(ImageType type) noexcept {
    switch (type) {
    case ImageType::Jpeg: return "JPEG";
    case ImageType::Png: return "PNG";
    case ImageType::Webp: return "WebP";
    }
    return "image";
}

Result<StrippedImage> strip_metadata(std::string_view bytes) {
    if (bytes.size() >= 3 && bytes.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) return detail::strip_jpeg(bytes);
    if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) return detail::strip_png(bytes);
    if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") return detail::strip_webp(bytes);
    if (bytes.substr(0, std::min<std::size_t>(bytes.size(), 3)) == "GIF") {
        return make_error(ErrorCode::Invalid, "GIF images are not supported; convert it to PNG or JPEG");
    }
    if (bytes.empty()) return make_error(ErrorCode::Invalid, "the file is empty; choose a JPEG, PNG or WebP image");
    return make_error(ErrorCode::Invalid, "not a JPEG, PNG or WebP image; convert it to one of those");
}

Result<ImageInfo> inspect(std::string_view bytes) {
    CLEARPOST_ASSIGN(auto stripped, strip_metadata(bytes));
    return stripped.info;
}

namespace detail {

Error corrupt(std::string_view type, const std::string& what) {
    return make_error(ErrorCode::Corrupt,
                      "the " + std::string(type) + " image is damaged (" + what + "); export it again and retry");
}

void apply_orientation(ImageInfo& info, int orientation) {
    info.orientation = orientation;
    if (orientation >= 5 && orientation <= 8) std::swap(info.width, info.height);
}

int tiff_orientation(std::string_view tiff) {
    if (tiff.size() < 8) return 1;
    const bool little = tiff.substr(0, 4) == std::string_view("II*\0", 4);
    const bool big = tiff.substr(0, 4) == std::string_view("MM\0*", 4);
    if (!little && !big) return 1;
    auto u16 = [&](std::size_t i) { return little ? le16(tiff, i) : be16(tiff, i); };
    auto u32 = [&](std::size_t i) { return little ? le32(tiff, i) : be32(tiff, i); };
    const std::size_t ifd = u32(4);
    if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
    const std::size_t count = u16(ifd);
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t entry = ifd + 2 + 12 * k;
        if (entry > tiff.size() || tiff.size() - entry < 12) return 1;
        if (u16(entry) != 0x0112) continue;
        if (u16(entry + 2) != 3 || u32(entry + 4) < 1) return 1;  // SHORT
        const std::uint32_t value = u16(entry + 8);
        return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
    }
    return 1;
}

std::string minimal_tiff(int orientation) {
    // Big-endian header, IFD0 at offset 8 with one entry, no next IFD.
    std::string t("MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01", 18);
    t += static_cast<char>(0);
    t += static_cast<char>(orientation);
    t += std::string(6, '\0');  // value padding, then next-IFD offset 0
    return t;
}

}  // namespace detail
}  // namespace clearpost::media
