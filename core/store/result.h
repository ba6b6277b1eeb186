#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace RelayDesk::Store {

// A value or a human-readable error. (std::expected is C++23; GCC 12 does not ship it.)
template<typename T>
class Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    static Result failure(QString error) { Result r; r.m_error = std::move(error); return r; }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const { return *m_value; }
    T &value() { return *m_value; }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const T &operator*() const { return *m_value; }
    const QString &error() const { return m_error; }

private:
    Result() = default;
    std::optional<T> m_value;
    QString m_error;
};

// Success or an error message, for operations without a value.
class Status
{
public:
    Status() = default;
    static Status failure(QString error) { Status s; s.m_error = std::move(error); s.m_failed = true; return s; }
    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }

private:
    QString m_error;
    bool m_failed = false;
};

} // namespace RelayDesk::Store
