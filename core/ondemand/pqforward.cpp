// Every libpq function RelayDesk calls itself (core/store: telling a broken connection, pipeline mode on the
// QPSQL driver's connection), defined here as a forwarder to the real one in libpq, loaded on first use
// (ondemandlibrary.h). Qt's PostgreSQL driver, a plugin, loads libpq when a PostgreSQL database is opened, so
// a SQLite instance or `relaydeskd count` never loads libpq and the LDAP, Kerberos and TLS libraries it brings.
// A function newly called elsewhere in core/ fails to link until it is added here.
#include "ondemand/ondemandlibrary.h"

#include <libpq-fe.h>

namespace {

constexpr const char *kPq = RELAYDESK_PQ_SONAME;

} // namespace

// Connection state
RELAYDESK_ONDEMAND_FORWARD(kPq, ConnStatusType, PQstatus, (const PGconn *conn), (conn))
RELAYDESK_ONDEMAND_FORWARD(kPq, PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn))
RELAYDESK_ONDEMAND_FORWARD(kPq, char *, PQerrorMessage, (const PGconn *conn), (conn))
RELAYDESK_ONDEMAND_FORWARD(kPq, PGpipelineStatus, PQpipelineStatus, (const PGconn *conn), (conn))

// Pipeline mode and asynchronous queries
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQenterPipelineMode, (PGconn *conn), (conn))
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQexitPipelineMode, (PGconn *conn), (conn))
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQpipelineSync, (PGconn *conn), (conn))
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQsendPrepare,
                           (PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes),
                           (conn, stmtName, query, nParams, paramTypes))
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQsendQueryPrepared,
                           (PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues,
                            const int *paramLengths, const int *paramFormats, int resultFormat),
                           (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat))
RELAYDESK_ONDEMAND_FORWARD(kPq, PGresult *, PQgetResult, (PGconn *conn), (conn))

// Results
RELAYDESK_ONDEMAND_FORWARD(kPq, ExecStatusType, PQresultStatus, (const PGresult *res), (res))
RELAYDESK_ONDEMAND_FORWARD(kPq, char *, PQresultErrorMessage, (const PGresult *res), (res))
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQntuples, (const PGresult *res), (res))
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQnfields, (const PGresult *res), (res))
RELAYDESK_ONDEMAND_FORWARD(kPq, Oid, PQftype, (const PGresult *res, int fieldNum), (res, fieldNum))
RELAYDESK_ONDEMAND_FORWARD(kPq, char *, PQgetvalue, (const PGresult *res, int tupNum, int fieldNum), (res, tupNum, fieldNum))
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQgetlength, (const PGresult *res, int tupNum, int fieldNum), (res, tupNum, fieldNum))
RELAYDESK_ONDEMAND_FORWARD(kPq, int, PQgetisnull, (const PGresult *res, int tupNum, int fieldNum), (res, tupNum, fieldNum))
RELAYDESK_ONDEMAND_FORWARD(kPq, void, PQclear, (PGresult *res), (res))
