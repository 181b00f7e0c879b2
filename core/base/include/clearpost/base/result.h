#pragma once
// Result<T>: the error convention of every public core function.
//
// A Result holds either a value or an Error. Errors say what happened and
// what to do, in words meant for people; the ErrorCode lets callers (the CLI's
// exit codes, the GUI's dialogs) react without parsing text. Exceptions never
// cross a public core API.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace clearpost {

enum class ErrorCode {
    Invalid,       // the caller's input is malformed (bad date, unknown role, ...)
    NotFound,      // a named thing does not exist (post, user, file)
    Forbidden,     // the acting user may not do this (role, separation of duties)
    Conflict,      // the action does not fit the current state
    Unauthenticated, // wrong or missing password
    Storage,       // the database failed (busy, disk full, constraint)
    Corrupt,       // a file is damaged or not what it claims to be
    Incompatible,  // a file or plugin is from a newer or unknown version
    Io,            // the operating system refused (permissions, missing dir)
    Tampered,      // an integrity check failed (audit chain)
};

const char* to_string(ErrorCode code) noexcept;

struct Error {
    ErrorCode code;
    std::string message;
};

inline Error make_error(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return m_state.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(m_state); }
    const T& value() const& { assert(ok()); return std::get<0>(m_state); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(m_state)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& { assert(!ok()); return std::get<1>(m_state); }
    Error&& error() && { assert(!ok()); return std::get<1>(std::move(m_state)); }

private:
    std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}  // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return !m_failed; }
    explicit operator bool() const noexcept { return ok(); }
    const Error& error() const& { assert(m_failed); return m_error; }
    Error&& error() && { assert(m_failed); return std::move(m_error); }

private:
    Error m_error{ErrorCode::Invalid, {}};
    bool m_failed = false;
};

inline Result<void> ok() { return {}; }

}  // namespace clearpost

// Unique local names, so the macros nest (a CHECK inside a lambda inside a CHECK).
#define CLEARPOST_CONCAT_INNER(a, b) a##b
#define CLEARPOST_CONCAT(a, b) CLEARPOST_CONCAT_INNER(a, b)

// Propagates an error from an expression returning Result<...>. A statement
// macro, standard C++ (no GNU statement expressions).
#define CLEARPOST_CHECK(expr) CLEARPOST_CHECK_IMPL(CLEARPOST_CONCAT(clearpost_r_, __COUNTER__), expr)
#define CLEARPOST_CHECK_IMPL(tmp, expr)                   \
    do {                                                  \
        if (auto tmp = (expr); !tmp.ok())                 \
            return std::move(tmp).error();                \
    } while (false)

// Declares `var` from a Result<T> expression or returns its error.
#define CLEARPOST_ASSIGN(var, expr) \
    CLEARPOST_ASSIGN_IMPL(CLEARPOST_CONCAT(clearpost_r_, __COUNTER__), var, expr)
#define CLEARPOST_ASSIGN_IMPL(tmp, var, expr)     \
    auto tmp = (expr);                            \
    if (!tmp.ok()) return std::move(tmp).error(); \
    var = std::move(tmp).value()
