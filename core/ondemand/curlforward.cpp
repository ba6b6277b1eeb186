// Every libcurl function RelayDesk calls (the relay's upstream client), defined here as a forwarder to the
// real one in libcurl, loaded on first use (ondemandlibrary.h). libcurl and the 16 libraries it brings (GnuTLS,
// nghttp2, libssh2, LDAP …) are then loaded by the first upstream call, not by every start of relaydeskd.
// A function newly called elsewhere in core/ fails to link until it is added here.
#define CURL_DISABLE_TYPECHECK   // the functions themselves, not curl's type-checking macros of the same names
#include "ondemand/ondemandlibrary.h"

#include <curl/curl.h>

#include <cstdarg>

namespace {

constexpr const char *kCurl = RELAYDESK_CURL_SONAME;

using ArgFunction = void (*)();

// The one argument after `option` of curl's variadic setters, read as the type the option's number says
// (curl.h: CURLOPTTYPE_LONG, _OBJECTPOINT, _FUNCTIONPOINT, _OFF_T, _BLOB ranges), then passed on as that type.
template <class Real, class Handle, class Option>
auto forwardOption(Real real, Handle *handle, Option option, va_list args)
{
    const int kind = int(option) / 10000 * 10000;
    switch (kind) {
    case CURLOPTTYPE_LONG:
        return real(handle, option, va_arg(args, long));
    case CURLOPTTYPE_FUNCTIONPOINT:
        return real(handle, option, va_arg(args, ArgFunction));
    case CURLOPTTYPE_OFF_T:
        return real(handle, option, va_arg(args, curl_off_t));
    default:   // CURLOPTTYPE_OBJECTPOINT (strings, lists, callback data) and CURLOPTTYPE_BLOB: a pointer
        return real(handle, option, va_arg(args, void *));
    }
}

template <class Real>
Real real(const char *name)
{
    return reinterpret_cast<Real>(RelayDesk::OnDemand::resolve(kCurl, name));
}

} // namespace

RELAYDESK_ONDEMAND_FORWARD(kCurl, CURLcode, curl_global_init, (long flags), (flags))
RELAYDESK_ONDEMAND_FORWARD(kCurl, CURL *, curl_easy_init, (void), ())
RELAYDESK_ONDEMAND_FORWARD(kCurl, void, curl_easy_cleanup, (CURL *curl), (curl))
RELAYDESK_ONDEMAND_FORWARD(kCurl, CURLcode, curl_easy_pause, (CURL *handle, int bitmask), (handle, bitmask))
RELAYDESK_ONDEMAND_FORWARD(kCurl, const char *, curl_easy_strerror, (CURLcode code), (code))
RELAYDESK_ONDEMAND_FORWARD(kCurl, curl_slist *, curl_slist_append, (curl_slist *list, const char *string),
                           (list, string))
RELAYDESK_ONDEMAND_FORWARD(kCurl, void, curl_slist_free_all, (curl_slist *list), (list))
RELAYDESK_ONDEMAND_FORWARD(kCurl, CURLM *, curl_multi_init, (void), ())
RELAYDESK_ONDEMAND_FORWARD(kCurl, CURLMcode, curl_multi_cleanup, (CURLM *multi), (multi))
RELAYDESK_ONDEMAND_FORWARD(kCurl, CURLMcode, curl_multi_add_handle, (CURLM *multi, CURL *easy), (multi, easy))
RELAYDESK_ONDEMAND_FORWARD(kCurl, CURLMcode, curl_multi_remove_handle, (CURLM *multi, CURL *easy), (multi, easy))
RELAYDESK_ONDEMAND_FORWARD(kCurl, CURLMsg *, curl_multi_info_read, (CURLM *multi, int *queued), (multi, queued))
RELAYDESK_ONDEMAND_FORWARD(kCurl, CURLMcode, curl_multi_socket_action,
                           (CURLM *multi, curl_socket_t s, int everBitmask, int *runningHandles),
                           (multi, s, everBitmask, runningHandles))
RELAYDESK_ONDEMAND_FORWARD(kCurl, const char *, curl_multi_strerror, (CURLMcode code), (code))

extern "C" CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    static const auto set = real<CURLcode (*)(CURL *, CURLoption, ...)>("curl_easy_setopt");
    va_list args;
    va_start(args, option);
    const CURLcode result = forwardOption(set, curl, option, args);
    va_end(args);
    return result;
}

extern "C" CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...)
{
    static const auto set = real<CURLMcode (*)(CURLM *, CURLMoption, ...)>("curl_multi_setopt");
    va_list args;
    va_start(args, option);
    const CURLMcode result = forwardOption(set, multi, option, args);
    va_end(args);
    return result;
}

// Every CURLINFO_* takes one pointer (to a long, double, curl_off_t, char * or list pointer).
extern "C" CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
    static const auto get = real<CURLcode (*)(CURL *, CURLINFO, ...)>("curl_easy_getinfo");
    va_list args;
    va_start(args, info);
    void *const out = va_arg(args, void *);
    va_end(args);
    return get(curl, info, out);
}
