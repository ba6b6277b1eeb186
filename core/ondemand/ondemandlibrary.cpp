#include "ondemand/ondemandlibrary.h"

#include <QtGlobal>

#include <dlfcn.h>

namespace RelayDesk::OnDemand {

QFunctionPointer resolve(const char *soname, const char *symbol)
{
    // dlopen of a library already loaded only counts a reference; each forwarder resolves its symbol once.
    void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        qFatal("cannot load %s: %s", soname, dlerror());
    void *address = dlsym(handle, symbol);
    if (!address)
        qFatal("%s has no %s: %s", soname, symbol, dlerror());
    return reinterpret_cast<QFunctionPointer>(address);
}

} // namespace RelayDesk::OnDemand
