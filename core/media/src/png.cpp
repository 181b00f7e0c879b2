// PNG: walks the chunks (PNG specification, 3rd edition, section 5), checks
// each CRC and keeps only the chunks that decide how the image looks.

#include <array>
#include <cstdint>
#include <string>

#include "formats.h"

namespace clearpost::media::detail {
namespace {

constexpr std::string_view kType = "PNG";

std::uint32_t crc32(std::string_view data) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (char ch : data) c = table[(c ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void put_be32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(v >> shift & 0xFF);
}

std::string chunk(std::string_view type, std::string_view data) {
    std::string out;
    put_be32(out, static_cast<std::uint32_t>(data.size()));
    std::string body(type);
    body += data;
    out += body;
    put_be32(out, crc32(body));
    return out;
}

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Ancillary chunks that change how the image is shown; the rest are dropped.
bool keeps_ancillary(std::string_view type) {
    static constexpr std::string_view kKeep[] = {"tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs",
                                                 "hIST", "sPLT", "cICP", "mDCv", "cLLi", "acTL", "fcTL", "fdAT"};
    for (auto k : kKeep)
        if (type == k) return true;
    return false;
}

std::string describe(std::string_view type) {
    if (type == "tEXt" || type == "zTXt" || type == "iTXt") return "text (" + std::string(type) + ")";
    if (type == "eXIf") return "EXIF (eXIf)";
    if (type == "tIME") return "modification time (tIME)";
    return "private chunk " + std::string(type);
}

}  // namespace

Result<StrippedImage> strip_png(std::string_view b) {
    StrippedImage result;
    result.info.type = ImageType::Png;
    std::string& out = result.bytes;
    out.reserve(b.size());
    out.append(b.substr(0, 8));
    std::size_t pos = 8;
    bool first = true, have_data = false, exif_seen = false;
    int orientation = 1;
    while (true) {
        if (b.size() - pos < 12) return corrupt(kType, "the file ends before its IEND chunk; it may be truncated");
        const std::uint32_t len = be32(b, pos);
        const std::string_view type = b.substr(pos + 4, 4);
        if (len > 0x7FFFFFFFu || b.size() - pos - 12 < len) {
            return corrupt(kType, "the file ends inside a chunk; it may be truncated");
        }
        for (char c : type)
            if (!is_letter(c)) return corrupt(kType, "a chunk with an invalid type at byte " + std::to_string(pos));
        const std::string_view data = b.substr(pos + 8, len);
        const std::string_view whole = b.substr(pos, std::size_t{len} + 12);
        if (crc32(b.substr(pos + 4, std::size_t{len} + 4)) != be32(b, pos + 8 + len)) {
            return corrupt(kType, "chunk " + std::string(type) + " fails its checksum");
        }
        pos += std::size_t{len} + 12;

        if (first) {
            if (type != "IHDR" || len != 13) return corrupt(kType, "it does not start with an image header");
            const std::uint32_t w = be32(data, 0), h = be32(data, 4);
            if (w == 0 || h == 0 || w > 0x7FFFFFFFu || h > 0x7FFFFFFFu) {
                return corrupt(kType, "its header gives an impossible width or height");
            }
            result.info.width = static_cast<int>(w);
            result.info.height = static_cast<int>(h);
            first = false;
        }
        if (type == "IEND") {
            if (!have_data) return corrupt(kType, "it has no image data");
            out += whole;
            if (pos < b.size()) result.removed.push_back("data after the end of the image");
            break;
        }
        if (type == "IDAT") have_data = true;
        const bool critical = type[0] >= 'A' && type[0] <= 'Z';
        if (critical || keeps_ancillary(type)) {
            out += whole;
            continue;
        }
        if (type == "eXIf" && !exif_seen) {
            exif_seen = true;
            // Chunks after the image data are ignored by viewers, so only an
            // eXIf before IDAT turns the image; keep its orientation alone.
            const int found = have_data ? 1 : tiff_orientation(data);
            if (found != 1) {
                orientation = found;
                out += chunk("eXIf", minimal_tiff(orientation));
                result.removed.push_back("EXIF (eXIf) except its orientation");
                continue;
            }
        }
        result.removed.push_back(describe(type));
    }
    apply_orientation(result.info, orientation);
    return result;
}

}  // namespace clearpost::media::detail
