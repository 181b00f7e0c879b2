#pragma once
// What an image file is (type, pixel size) and a copy of it without the
// metadata that can identify a person or a place. Pure functions over bytes:
// no files, no network, safe on any input (malformed or truncated bytes give
// an error, never a crash), thread-safe.
//
// What stripping removes and keeps, by format:
// - JPEG: removes APP1 (EXIF, XMP), APP2 other than ICC profiles, APP3-APP13
//   and APP15 (IPTC, maker notes, MPF ...), COM comments, the JFIF thumbnail
//   and everything after the end-of-image marker (phones append depth maps
//   and preview images there). Keeps JFIF APP0 (without thumbnail), ICC
//   profiles (APP2 "ICC_PROFILE": colours, no personal data) and Adobe APP14
//   (needed to decode CMYK/YCCK), and every table and scan as it was.
// - PNG: removes tEXt, zTXt, iTXt, eXIf, tIME and ancillary chunks it does
//   not know (private chunks may hold anything); keeps critical chunks and
//   the ancillary chunks that change how the image looks (tRNS, gAMA, cHRM,
//   sRGB, iCCP, sBIT, bKGD, pHYs, hIST, sPLT, cICP, mDCv, cLLi, APNG's acTL,
//   fcTL, fdAT). Every chunk's CRC is checked.
// - WebP: removes the EXIF and XMP chunks and clears their VP8X flags.
//
// EXIF orientation: a phone photo held upright is usually stored sideways
// with an EXIF orientation of 6 or 8. Dropping EXIF would show it sideways,
// so a JPEG or PNG whose orientation is not 1 keeps a new, minimal EXIF
// block holding the orientation tag and nothing else, and ImageInfo reports
// the size as displayed (width and height swapped for 5-8), which is what a
// network's aspect ratio wants. WebP viewers ignore EXIF orientation, so
// there it is dropped with the rest.

#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost::media {

enum class ImageType { Jpeg, Png, Webp };

// "image/jpeg", "image/png", "image/webp".
std::string_view mime_type(ImageType type) noexcept;
// "JPEG", "PNG", "WebP".
std::string_view to_string(ImageType type) noexcept;

struct ImageInfo {
    ImageType type = ImageType::Jpeg;
    int width = 0;        // as displayed: after the EXIF orientation
    int height = 0;
    int orientation = 1;  // EXIF orientation 1-8 (1 when there is none)
};

struct StrippedImage {
    ImageInfo info;
    std::string bytes;                 // a complete image of the same type
    std::vector<std::string> removed;  // what went, for people: "EXIF (APP1)", "comment (COM)", ...
};

// Type and size of `bytes`. Invalid when it is not a JPEG, PNG or WebP;
// Corrupt when it is one but malformed or truncated.
Result<ImageInfo> inspect(std::string_view bytes);

// A copy of `bytes` without metadata (see above), with the same errors as
// inspect(). The pixels are not decoded, so nothing is re-encoded or lost.
Result<StrippedImage> strip_metadata(std::string_view bytes);

}  // namespace clearpost::media
