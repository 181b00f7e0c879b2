// A broken plugin: crashes while the host loads it.
#include <clearpost/publisher.h>

#include <csignal>

extern "C" CLEARPOST_PUBLISHER_EXPORT const ClearpostPublisherV1* clearpost_publisher_entry(uint32_t) {
    std::raise(SIGSEGV);
    return nullptr;
}
