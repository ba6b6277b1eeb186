#pragma once

#include <QFunctionPointer>

namespace RelayDesk::Libav {

enum class Library { Util, Codec, Format };

// The address of `symbol` in one of libav's libraries, the library loaded (dlopen, by the soname the headers
// were built against) on first use. A missing library or symbol is fatal, as it was for the dynamic loader
// when libav was linked directly. Thread-safe.
QFunctionPointer resolve(Library library, const char *symbol);

} // namespace RelayDesk::Libav
