#pragma once
// Runs ServerCalls on a PostgreSQL connection in libpq's pipeline mode: every call is sent before the first answer
// is read, so n calls cost one round trip instead of n. Each statement is prepared once per connection (named
// relaydesk_ask_<n>, remembered in `prepared`) and then only bound and executed.
//
// Inside a transaction block the calls share it: a failing call aborts the transaction, and the calls after it come
// back with an error too — so only calls that never raise belong in one pipeline there (the ledger functions catch
// their own errors). Outside one, each call is its own implicit transaction (a sync after each).
#include "servercall.h"

#include <QtCore/QByteArray>

#include <span>
#include <unordered_map>
#include <vector>

struct pg_conn;

namespace RelayDesk::Store {

class PgPipeline final
{
public:
    // At most this many calls in flight at once: what they send and get back stays well inside the socket buffers,
    // so a blocking connection cannot stall writing while the server stalls writing back.
    static constexpr int kMaxInFlight = 64;

    using PreparedNames = std::unordered_map<QString, QByteArray>; // SQL → statement name, on one connection

    static std::vector<ServerAnswer> run(pg_conn *conn, std::span<const ServerCall *const> calls,
                                         PreparedNames *prepared);
    // n answers that all failed for `why` (nothing was asked).
    static std::vector<ServerAnswer> unanswered(std::size_t n, const QString &why);

private:
    static std::vector<ServerAnswer> runChunk(pg_conn *conn, std::span<const ServerCall *const> calls,
                                              PreparedNames *prepared, bool syncEach);
};

} // namespace RelayDesk::Store
