#pragma once

#include <functional>

#include "clearpost/base/result.h"
#include "commands.h"
#include "session.h"

namespace clearpost::cli {

// Wraps a command body: an error becomes one line on stderr and an exit code.
inline std::function<void()> command(Context& ctx, std::function<Result<void>()> body) {
    return [&ctx, body = std::move(body)] {
        auto result = body();
        ctx.exit_code = result.ok() ? kExitOk : report(result.error());
    };
}

}  // namespace clearpost::cli
