// A plugin built for a future ABI major the host does not speak.
#include <clearpost/publisher.h>

namespace {
const char* capabilities() { return R"({"network": "future"})"; }
}  // namespace

extern "C" CLEARPOST_PUBLISHER_EXPORT const ClearpostPublisherV1* clearpost_publisher_entry(uint32_t) {
    static ClearpostPublisherV1 table{};
    table.struct_size = sizeof table;
    table.abi_major = 99;
    table.capabilities = &capabilities;
    return &table;
}
