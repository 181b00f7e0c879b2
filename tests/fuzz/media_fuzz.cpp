// libFuzzer target over the image inspector and metadata stripper. Any bytes
// must give an image or a clear error: no crash, no hang, no read past the
// input. A stripped image must strip again to itself. Build and run (clang,
// ASan + UBSan), seeded with the test fixtures:
//
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
//     -Icore/base/include -Icore/media/include -Icore/media/src \
//     tests/fuzz/media_fuzz.cpp core/media/src/image.cpp core/media/src/jpeg.cpp \
//     core/media/src/png.cpp core/media/src/webp.cpp core/base/src/*.cpp -o media_fuzz
//   mkdir -p media-corpus
//   ./media_fuzz media-corpus tests/core/media/fixtures -max_total_time=600 -max_len=65536

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "clearpost/media/image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto stripped = clearpost::media::strip_metadata(bytes);
    if (!stripped.ok()) {
        if (stripped.error().message.empty()) std::abort();
        return 0;
    }
    if (stripped->info.width <= 0 || stripped->info.height <= 0) std::abort();
    auto again = clearpost::media::strip_metadata(stripped->bytes);
    if (!again.ok() || again->bytes != stripped->bytes || again->info.width != stripped->info.width ||
        again->info.height != stripped->info.height)
        std::abort();
    return 0;
}
