// JPEG: walks the marker segments (ITU T.81 B.1), copying what decoding
// needs and dropping metadata; entropy-coded data is copied as it is.

#include <cstdint>
#include <string>

#include "formats.h"

namespace clearpost::media::detail {
namespace {

constexpr std::string_view kType = "JPEG";

bool starts_with(std::string_view data, std::string_view prefix) { return data.substr(0, prefix.size()) == prefix; }

bool is_frame_header(std::uint8_t m) {
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

std::string segment(std::uint8_t marker, std::string_view data) {
    std::string out{'\xFF', static_cast<char>(marker)};
    const std::size_t len = data.size() + 2;
    out += static_cast<char>(len >> 8 & 0xFF);
    out += static_cast<char>(len & 0xFF);
    out += data;
    return out;
}

}  // namespace

Result<StrippedImage> strip_jpeg(std::string_view b) {
    StrippedImage result;
    result.info.type = ImageType::Jpeg;
    std::string& out = result.bytes;
    out.reserve(b.size());
    out += "\xFF\xD8";
    bool have_frame = false;
    int orientation = 1;
    bool exif_seen = false;
    std::size_t pos = 2;
    while (true) {
        if (pos >= b.size()) return corrupt(kType, "the file ends before its end-of-image marker; it may be truncated");
        if (byte_at(b, pos) != 0xFF) return corrupt(kType, "no marker at byte " + std::to_string(pos));
        while (pos < b.size() && byte_at(b, pos) == 0xFF) ++pos;  // fill bytes
        if (pos >= b.size()) return corrupt(kType, "the file ends inside a marker; it may be truncated");
        const std::uint8_t marker = byte_at(b, pos++);
        if (marker == 0xD9) {  // EOI: anything after it is dropped
            if (!have_frame) return corrupt(kType, "it has no frame header");
            out += "\xFF\xD9";
            if (pos < b.size()) result.removed.push_back("data after the end of the image");
            break;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
            out += '\xFF';
            out += static_cast<char>(marker);
            continue;
        }
        if (marker == 0x00 || marker == 0xD8) return corrupt(kType, "an unexpected marker at byte " + std::to_string(pos - 1));
        if (b.size() - pos < 2) return corrupt(kType, "the file ends inside a segment; it may be truncated");
        const std::size_t len = be16(b, pos);
        if (len < 2) return corrupt(kType, "a segment with an impossible length at byte " + std::to_string(pos));
        if (b.size() - pos < len) return corrupt(kType, "the file ends inside a segment; it may be truncated");
        const std::string_view data = b.substr(pos + 2, len - 2);
        const std::string_view whole = b.substr(pos - 2, len + 2);
        pos += len;

        if (marker == 0xE0) {
            if (starts_with(data, std::string_view("JFIF\0", 5)) && data.size() >= 14) {
                // Keep the header; drop any thumbnail (it may show the uncropped picture).
                std::string header(data.substr(0, 14));
                header[12] = header[13] = '\0';
                out += segment(marker, header);
                if (data.size() > 14) result.removed.push_back("JFIF thumbnail");
            } else {
                result.removed.push_back(starts_with(data, "JFXX") ? "JFIF thumbnail (JFXX)" : "APP0 data");
            }
        } else if (marker == 0xE1) {
            if (starts_with(data, std::string_view("Exif\0\0", 6))) {
                // The first EXIF block decides the orientation; it alone is kept.
                const int found = exif_seen ? 1 : tiff_orientation(data.substr(6));
                exif_seen = true;
                if (found != 1) {
                    orientation = found;
                    out += segment(marker, std::string("Exif\0\0", 6) + minimal_tiff(orientation));
                }
                result.removed.push_back(found != 1 ? "EXIF (APP1) except its orientation" : "EXIF (APP1)");
            } else {
                result.removed.push_back(starts_with(data, "http://ns.adobe.com/") ? "XMP (APP1)" : "APP1 data");
            }
        } else if (marker == 0xE2 && starts_with(data, std::string_view("ICC_PROFILE\0", 12))) {
            out += whole;
        } else if (marker == 0xEE && starts_with(data, "Adobe")) {
            out += whole;
        } else if (marker >= 0xE2 && marker <= 0xEF) {
            result.removed.push_back(marker == 0xED ? "IPTC/Photoshop (APP13)"
                                                    : "APP" + std::to_string(marker - 0xE0) + " data");
        } else if (marker == 0xFE) {
            result.removed.push_back("comment (COM)");
        } else {
            if (is_frame_header(marker)) {
                if (data.size() < 6) return corrupt(kType, "its frame header is too short");
                result.info.height = static_cast<int>(be16(data, 1));
                result.info.width = static_cast<int>(be16(data, 3));
                if (result.info.width == 0 || result.info.height == 0) {
                    return corrupt(kType, "its frame header gives no width or height");
                }
                have_frame = true;
            }
            out += whole;
            if (marker == 0xDA) {  // start of scan: copy the entropy-coded data up to the next marker
                if (!have_frame) return corrupt(kType, "a scan comes before the frame header");
                const std::size_t start = pos;
                while (true) {
                    if (b.size() - pos < 2) return corrupt(kType, "the file ends inside the image data; it may be truncated");
                    if (byte_at(b, pos) != 0xFF) {
                        ++pos;
                        continue;
                    }
                    const std::uint8_t next = byte_at(b, pos + 1);
                    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                        pos += 2;  // stuffed byte or restart marker
                        continue;
                    }
                    break;
                }
                out += b.substr(start, pos - start);
            }
        }
    }
    apply_orientation(result.info, orientation);
    return result;
}

}  // namespace clearpost::media::detail
