#pragma once
// Continuations for Backend jobs that run on the GUI thread and are skipped
// when their window is gone (Poedit's pattern). The weak reference is made
// and dropped on the GUI thread; the worker only moves a shared_ptr to it.

#include <wx/weakref.h>

#include <functional>
#include <memory>
#include <utility>

#include "clearpost/base/result.h"

namespace clearpost::gui {

template <typename T, typename W, typename F>
std::function<void(Result<T>)> on_window(W* window, F f) {
    return [ref = std::make_shared<wxWeakRef<W>>(window), f = std::move(f)](Result<T> result) {
        if (W* w = ref->get()) f(*w, std::move(result));
    };
}

}  // namespace clearpost::gui
