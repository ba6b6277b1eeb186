#pragma once
// Libraries loaded on first use instead of at start-up, through forwarders: each function the core calls is
// defined once (curlforward.cpp, pqforward.cpp) with the library's own declaration, and calls the real one,
// looked up on its first call. The executables then do not list the library among their dynamic
// dependencies, so commands that never use it (count, most of admin) do not load and relocate it and the
// libraries it brings (issue 18). core/libav's forwarders for FFmpeg use it too.
#include <QFunctionPointer>

namespace RelayDesk::OnDemand {

// The address of `symbol` in the library `soname`, loaded (dlopen) on first use. A missing library or symbol
// is fatal, as it was for the dynamic loader when the library was linked directly. Thread-safe.
QFunctionPointer resolve(const char *soname, const char *symbol);

} // namespace RelayDesk::OnDemand

// Defines `ret name params` to call the real `name` in `soname` with `args`; the address is looked up on the
// first call. The library's header must be included first: a signature that differs from it does not compile.
#define RELAYDESK_ONDEMAND_FORWARD(soname, ret, name, params, args)                                    \
    extern "C" ret name params                                                                         \
    {                                                                                                  \
        static const auto real =                                                                       \
            reinterpret_cast<decltype(&name)>(RelayDesk::OnDemand::resolve(soname, #name));            \
        return real args;                                                                              \
    }
