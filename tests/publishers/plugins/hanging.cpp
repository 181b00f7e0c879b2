// A plugin that never returns from its entry point.
#include <clearpost/publisher.h>

#include <chrono>
#include <thread>

extern "C" CLEARPOST_PUBLISHER_EXPORT const ClearpostPublisherV1* clearpost_publisher_entry(uint32_t) {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}
