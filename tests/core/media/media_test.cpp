#include "clearpost/media/image.h"
#include "clearpost/media/library.h"

#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "clearpost/crypto/crypto.h"
#include "temp_dir.h"

using namespace clearpost;
using namespace clearpost::media;

namespace {

// Every piece of metadata in the fixtures carries this marker (see
// fixtures/make_fixtures.py, which made them).
constexpr std::string_view kSecret = "CLEARPOST-SECRET";

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(CLEARPOST_MEDIA_FIXTURES_DIR) + "/" + name, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

StrippedImage strip_ok(std::string_view bytes) {
    auto r = strip_metadata(bytes);
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return std::move(r).value();
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

int mode_of(const std::filesystem::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<int>(st.st_mode & 0777);
}

const char* const kFixtures[] = {"plain.jpg",        "progressive.jpg", "exif_gps.jpg",
                                 "exif_rotated.jpg", "text.png",        "small.webp"};

}  // namespace

TEST_CASE("a JPEG's type and size are read and a clean one comes back byte for byte") {
    for (const char* name : {"plain.jpg", "progressive.jpg"}) {
        INFO(name);
        const std::string bytes = fixture(name);
        auto info = inspect(bytes);
        REQUIRE(info.ok());
        CHECK(info->type == ImageType::Jpeg);
        CHECK(mime_type(info->type) == "image/jpeg");
        CHECK(info->width == 8);
        CHECK(info->height == 6);
        CHECK(info->orientation == 1);
        const auto s = strip_ok(bytes);
        CHECK(s.bytes == bytes);  // every scan of the progressive one kept
        CHECK(s.removed.empty());
    }
}

TEST_CASE("EXIF with GPS, XMP, IPTC, comments and bytes after the end are stripped from a JPEG") {
    const std::string bytes = fixture("exif_gps.jpg");
    REQUIRE(contains(bytes, kSecret));
    REQUIRE(contains(bytes, "Exif"));
    const auto s = strip_ok(bytes);
    CHECK_FALSE(contains(s.bytes, kSecret));
    CHECK_FALSE(contains(s.bytes, "Exif"));
    CHECK_FALSE(contains(s.bytes, "http://ns.adobe.com/"));
    CHECK_FALSE(contains(s.bytes, "Photoshop"));
    CHECK(s.bytes == fixture("plain.jpg"));  // exactly the image the metadata was added to
    CHECK(s.info.width == 8);
    CHECK(s.info.height == 6);
    CHECK(s.removed == std::vector<std::string>{"EXIF (APP1)", "XMP (APP1)", "IPTC/Photoshop (APP13)",
                                                "comment (COM)", "data after the end of the image"});
    // The original is untouched and stripping again changes nothing.
    CHECK(contains(bytes, kSecret));
    CHECK(strip_ok(s.bytes).bytes == s.bytes);
}

TEST_CASE("a JPEG turned by EXIF keeps only its orientation and reports the size as shown") {
    const std::string bytes = fixture("exif_rotated.jpg");
    const auto s = strip_ok(bytes);
    CHECK(s.info.orientation == 6);
    CHECK(s.info.width == 6);  // stored 8x6, shown 6x8
    CHECK(s.info.height == 8);
    CHECK_FALSE(contains(s.bytes, kSecret));
    CHECK_FALSE(contains(s.bytes, "Clearpost Test Camera"));
    // The new EXIF block is the orientation tag alone: 6 + 26 bytes.
    const auto at = s.bytes.find("Exif");
    REQUIRE(at != std::string::npos);
    CHECK(s.bytes.substr(at - 4, 4) == std::string("\xFF\xE1\x00\x22", 4));
    CHECK(s.bytes.size() == fixture("plain.jpg").size() + 4 + 6 + 26);
    // And it reads back the same way.
    auto again = inspect(s.bytes);
    REQUIRE(again.ok());
    CHECK(again->orientation == 6);
    CHECK(again->width == 6);
    CHECK(strip_ok(s.bytes).bytes == s.bytes);
}

TEST_CASE("text, time, EXIF and private chunks are stripped from a PNG and the rest is kept") {
    const std::string bytes = fixture("text.png");
    REQUIRE(contains(bytes, kSecret));
    const auto s = strip_ok(bytes);
    CHECK(s.info.type == ImageType::Png);
    CHECK(mime_type(s.info.type) == "image/png");
    CHECK(s.info.width == 5);
    CHECK(s.info.height == 3);
    CHECK_FALSE(contains(s.bytes, kSecret));
    for (const char* chunk : {"tEXt", "zTXt", "iTXt", "tIME", "eXIf", "prVt"}) CHECK_FALSE(contains(s.bytes, chunk));
    for (const char* chunk : {"IHDR", "IDAT", "IEND"}) CHECK(contains(s.bytes, chunk));
    CHECK(s.removed == std::vector<std::string>{"text (tEXt)", "text (zTXt)", "text (iTXt)",
                                                "modification time (tIME)", "EXIF (eXIf)", "private chunk prVt"});
    // Every chunk written back still passes its CRC check.
    CHECK(strip_ok(s.bytes).bytes == s.bytes);
}

TEST_CASE("EXIF and XMP are stripped from a WebP and its header says so") {
    const std::string bytes = fixture("small.webp");
    const auto s = strip_ok(bytes);
    CHECK(s.info.type == ImageType::Webp);
    CHECK(s.info.width == 4);
    CHECK(s.info.height == 2);
    CHECK_FALSE(contains(s.bytes, kSecret));
    CHECK_FALSE(contains(s.bytes, "EXIF"));
    CHECK_FALSE(contains(s.bytes, "XMP "));
    REQUIRE(s.bytes.size() > 21);
    CHECK((static_cast<unsigned char>(s.bytes[20]) & 0x0C) == 0);  // VP8X flags: no EXIF, no XMP
    const std::uint32_t riff = static_cast<unsigned char>(s.bytes[4]) | static_cast<unsigned char>(s.bytes[5]) << 8 |
                               static_cast<unsigned char>(s.bytes[6]) << 16 |
                               static_cast<std::uint32_t>(static_cast<unsigned char>(s.bytes[7])) << 24;
    CHECK(riff + 8 == s.bytes.size());
    CHECK(strip_ok(s.bytes).bytes == s.bytes);
}

TEST_CASE("a truncated image is refused with a clear error at every length") {
    for (const char* name : kFixtures) {
        const std::string bytes = fixture(name);
        // Cut inside the image, not inside the bytes appended after its end.
        const std::size_t end = std::min(bytes.size(), bytes.rfind("trailing "));
        for (std::size_t len = 0; len < end; ++len) {
            INFO(name << " cut to " << len << " bytes");
            auto r = strip_metadata(std::string_view(bytes).substr(0, len));
            REQUIRE_FALSE(r.ok());
            CHECK(!r.error().message.empty());
            if (len >= 16) {
                CHECK(r.error().code == ErrorCode::Corrupt);
                CHECK(contains(r.error().message, "damaged"));
            }
        }
    }
    auto cut = strip_metadata(std::string_view(fixture("plain.jpg")).substr(0, 200));
    REQUIRE_FALSE(cut.ok());
    CHECK(contains(cut.error().message, "truncated"));
}

TEST_CASE("any byte of an image changed never crashes the inspector") {
    for (const char* name : kFixtures) {
        const std::string bytes = fixture(name);
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            const unsigned char flipped = static_cast<unsigned char>(bytes[i] ^ 0x01);
            for (unsigned char v : {static_cast<unsigned char>(0x00), static_cast<unsigned char>(0xFF),
                                    static_cast<unsigned char>(0x7F), flipped}) {
                std::string damaged = bytes;
                damaged[i] = static_cast<char>(v);
                auto r = strip_metadata(damaged);
                if (r.ok()) {
                    CHECK(r->info.width > 0);
                    CHECK(r->info.height > 0);
                    CHECK(r->bytes.size() <= damaged.size() + 32);
                } else {
                    CHECK(!r.error().message.empty());
                }
            }
        }
    }
}

TEST_CASE("what is not a JPEG, PNG or WebP is refused and says what to do") {
    auto text = inspect("hello, this is not an image");
    REQUIRE_FALSE(text.ok());
    CHECK(text.error().code == ErrorCode::Invalid);
    CHECK(contains(text.error().message, "not a JPEG, PNG or WebP image"));
    auto gif = inspect("GIF89a\x01\x00\x01\x00");
    REQUIRE_FALSE(gif.ok());
    CHECK(contains(gif.error().message, "GIF"));
    auto empty = inspect("");
    REQUIRE_FALSE(empty.ok());
    CHECK(contains(empty.error().message, "empty"));
}

TEST_CASE("an imported image is stored stripped under its SHA-256 in a private folder, the original untouched") {
    testing::TempDir dir;
    const auto source = dir / "photo.jpg";
    const std::string original = fixture("exif_gps.jpg");
    write_file(source, original);
    const auto media = media_dir_for(dir / "clearpost.db");
    CHECK(media == dir / "media");

    auto stored = import_image(source, media);
    REQUIRE(stored.ok());
    CHECK(stored->sha256 == crypto::sha256_hex(fixture("plain.jpg")));
    CHECK(stored->path == media / stored->sha256);
    CHECK(stored->bytes == fixture("plain.jpg").size());
    CHECK(stored->info.width == 8);
    CHECK(mode_of(media) == 0700);
    CHECK(mode_of(stored->path) == 0600);
    {
        std::ifstream in(stored->path, std::ios::binary);
        const std::string kept(std::istreambuf_iterator<char>(in), {});
        CHECK(kept == fixture("plain.jpg"));
        CHECK_FALSE(contains(kept, kSecret));
    }
    std::ifstream in(source, std::ios::binary);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == original);
    // No temporary file is left behind and a second import reuses the file.
    auto again = import_image(source, media);
    REQUIRE(again.ok());
    CHECK(again->path == stored->path);
    CHECK(std::distance(std::filesystem::directory_iterator(media), std::filesystem::directory_iterator()) == 1);

    auto loaded = load_stored(stored->path, stored->sha256);
    REQUIRE(loaded.ok());
    CHECK(loaded->info.height == 6);
    CHECK(loaded->bytes == stored->bytes);
}

TEST_CASE("a stored image that is gone or changed is reported, never used") {
    testing::TempDir dir;
    write_file(dir / "a.png", fixture("text.png"));
    auto stored = import_image(dir / "a.png", dir / "media");
    REQUIRE(stored.ok());

    write_file(stored->path, fixture("plain.jpg"));
    auto changed = load_stored(stored->path, stored->sha256);
    REQUIRE_FALSE(changed.ok());
    CHECK(changed.error().code == ErrorCode::Tampered);
    CHECK(contains(changed.error().message, "was changed"));

    std::filesystem::remove(stored->path);
    auto gone = load_stored(stored->path, stored->sha256);
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().code == ErrorCode::NotFound);
    CHECK(contains(gone.error().message, "is gone"));
}

TEST_CASE("importing a missing file or one that is not an image fails clearly") {
    testing::TempDir dir;
    auto missing = import_image(dir / "nope.jpg", dir / "media");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
    CHECK(contains(missing.error().message, "does not exist"));

    write_file(dir / "notes.txt", "not an image");
    auto text = import_image(dir / "notes.txt", dir / "media");
    REQUIRE_FALSE(text.ok());
    CHECK(text.error().code == ErrorCode::Invalid);
    CHECK(contains(text.error().message, "notes.txt"));

    const std::string jpeg = fixture("plain.jpg");
    write_file(dir / "cut.jpg", std::string_view(jpeg).substr(0, jpeg.size() / 2));
    auto cut = import_image(dir / "cut.jpg", dir / "media");
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.error().code == ErrorCode::Corrupt);
}
