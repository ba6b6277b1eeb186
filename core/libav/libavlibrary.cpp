#include "libav/libavlibrary.h"

#include <QtGlobal>

extern "C" {
#include <libavcodec/version.h>
#include <libavformat/version.h>
#include <libavutil/version.h>
}

#include <dlfcn.h>

namespace RelayDesk::Libav {

namespace {

#define RELAYDESK_LIBAV_SONAME(name, major) "lib" name ".so." AV_STRINGIFY(major)

const char *soname(Library library)
{
    switch (library) {
    case Library::Util:
        return RELAYDESK_LIBAV_SONAME("avutil", LIBAVUTIL_VERSION_MAJOR);
    case Library::Codec:
        return RELAYDESK_LIBAV_SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR);
    case Library::Format:
        return RELAYDESK_LIBAV_SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR);
    }
    Q_UNREACHABLE();
}

void *open(Library library)
{
    // dlopen returns the same handle for a library already loaded (libavformat loads libavcodec and libavutil).
    void *handle = dlopen(soname(library), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        qFatal("cannot load %s: %s", soname(library), dlerror());
    return handle;
}

void *handle(Library library)
{
    // Function-local statics: each library is opened once, also when threads race to it.
    switch (library) {
    case Library::Util: {
        static void *const util = open(Library::Util);
        return util;
    }
    case Library::Codec: {
        static void *const codec = open(Library::Codec);
        return codec;
    }
    case Library::Format: {
        static void *const format = open(Library::Format);
        return format;
    }
    }
    Q_UNREACHABLE();
}

} // namespace

QFunctionPointer resolve(Library library, const char *symbol)
{
    void *address = dlsym(handle(library), symbol);
    if (!address)
        qFatal("%s has no %s: %s", soname(library), symbol, dlerror());
    return reinterpret_cast<QFunctionPointer>(address);
}

} // namespace RelayDesk::Libav
