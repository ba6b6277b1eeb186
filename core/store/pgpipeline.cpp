#include "pgpipeline.h"

#include <libpq-fe.h>

#include <atomic>

namespace RelayDesk::Store {
namespace {

// PostgreSQL's type oids (pg_type.h) for the columns read as numbers or booleans.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700, kFloat8 = 701;

// As Qt's driver binds: no value, a typed null and a null string are SQL NULL.
bool isSqlNull(const QVariant &v)
{
    return !v.isValid() || v.isNull() || (v.typeId() == QMetaType::QString && v.toString().isNull());
}

QByteArray asText(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::Bool: return v.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QMetaType::Int:
    case QMetaType::Short:
    case QMetaType::LongLong:
    case QMetaType::Long: return QByteArray::number(v.toLongLong());
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULongLong:
    case QMetaType::ULong: return QByteArray::number(v.toULongLong());
    case QMetaType::Double:
    case QMetaType::Float: return QByteArray::number(v.toDouble(), 'g', 17);
    default: return v.toString().toUtf8();
    }
}

QVariant columnValue(const PGresult *r, int column)
{
    if (PQgetisnull(r, 0, column))
        return {};
    const char *text = PQgetvalue(r, 0, column);
    switch (PQftype(r, column)) {
    case kBool: return text[0] == 't';
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid: return QByteArray(text).toLongLong();
    case kFloat4:
    case kFloat8: return QByteArray(text).toDouble();
    default: return QString::fromUtf8(text, PQgetlength(r, 0, column));
    }
}

QString errorOf(const PGresult *r, pg_conn *conn)
{
    QString message = QString::fromUtf8(r ? PQresultErrorMessage(r) : PQerrorMessage(conn)).trimmed();
    return message.isEmpty() ? QStringLiteral("the server gave no answer") : message;
}

// Reads one query's results up to the NULL that ends them; the answer is the first one's.
ServerAnswer readAnswer(pg_conn *conn)
{
    ServerAnswer answer;
    bool first = true;
    while (PGresult *r = PQgetResult(conn)) {
        if (first) {
            switch (PQresultStatus(r)) {
            case PGRES_SINGLE_TUPLE: // single-row mode, which Qt's driver may leave set: the first row, then the rest
            case PGRES_TUPLES_OK:
                for (int c = 0; PQntuples(r) > 0 && c < PQnfields(r); ++c)
                    answer.row.append(columnValue(r, c));
                break;
            case PGRES_COMMAND_OK: break;
            case PGRES_PIPELINE_ABORTED:
                answer.error = QStringLiteral("not run: an earlier statement of its pipeline failed");
                break;
            default: answer.error = errorOf(r, conn);
            }
            first = false;
        }
        const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync) // never here for a query; a broken pipeline may hand it over early
            break;
    }
    if (first)
        answer.error = errorOf(nullptr, conn);
    return answer;
}

// Reads up to the sync point's result.
bool readSync(pg_conn *conn)
{
    for (int i = 0; i < 16; ++i) { // what a broken connection hands over is a few results, never a stream
        PGresult *r = PQgetResult(conn);
        if (!r)
            continue;
        const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync)
            return true;
    }
    return false;
}

} // namespace

std::vector<ServerAnswer> PgPipeline::unanswered(std::size_t n, const QString &why)
{
    ServerAnswer failed;
    failed.error = why;
    return std::vector<ServerAnswer>(n, failed);
}

std::vector<ServerAnswer> PgPipeline::run(pg_conn *conn, std::span<const ServerCall *const> calls,
                                          PreparedNames *prepared)
{
    if (!conn || PQstatus(conn) != CONNECTION_OK)
        return unanswered(calls.size(), QStringLiteral("not connected to the database"));
    if (PQpipelineStatus(conn) != PQ_PIPELINE_OFF)
        return unanswered(calls.size(), QStringLiteral("the connection is left in pipeline mode"));
    // A forward-only Qt query still open on the connection (its rows not all read): discard what is left, as Qt's
    // driver does when the next statement is sent. That query then reads no further rows.
    if (PQtransactionStatus(conn) == PQTRANS_ACTIVE)
        while (PGresult *left = PQgetResult(conn))
            PQclear(left);
    const PGTransactionStatusType status = PQtransactionStatus(conn);
    if (status == PQTRANS_ACTIVE)
        return unanswered(calls.size(), QStringLiteral("the connection is busy with another statement"));
    if (status == PQTRANS_INERROR)
        return unanswered(calls.size(), QStringLiteral("the transaction was aborted by an earlier statement"));
    const bool syncEach = status == PQTRANS_IDLE; // no transaction block: each call is its own
    std::vector<ServerAnswer> answers;
    answers.reserve(calls.size());
    for (std::size_t at = 0; at < calls.size(); at += kMaxInFlight) {
        const auto chunk = calls.subspan(at, std::min<std::size_t>(kMaxInFlight, calls.size() - at));
        for (ServerAnswer &a : runChunk(conn, chunk, prepared, syncEach))
            answers.push_back(std::move(a));
    }
    return answers;
}

std::vector<ServerAnswer> PgPipeline::runChunk(pg_conn *conn, std::span<const ServerCall *const> calls,
                                               PreparedNames *prepared, bool syncEach)
{
    static std::atomic<quint64> nextName{0};
    if (!PQenterPipelineMode(conn))
        return unanswered(calls.size(), errorOf(nullptr, conn));

    std::vector<QByteArray> preparing(calls.size()); // the name of a statement prepared along with its call
    std::size_t sent = 0;
    for (const ServerCall *call : calls) {
        auto known = prepared->find(call->sql);
        if (known == prepared->end()) {
            const QByteArray name = "relaydesk_ask_" + QByteArray::number(++nextName);
            if (!PQsendPrepare(conn, name.constData(), call->sql.toUtf8().constData(), int(call->params.size()),
                               nullptr))
                break;
            known = prepared->emplace(call->sql, name).first;
            preparing[sent] = name;
        }
        std::vector<QByteArray> texts;
        std::vector<const char *> values;
        texts.reserve(call->params.size());
        for (const QVariant &p : call->params) {
            const bool null = isSqlNull(p);
            texts.push_back(null ? QByteArray() : asText(p));
            values.push_back(null ? nullptr : texts.back().constData());
        }
        if (!PQsendQueryPrepared(conn, known->second.constData(), int(values.size()), values.data(), nullptr, nullptr,
                                 0))
            break;
        ++sent;
        if (syncEach && !PQpipelineSync(conn))
            break;
    }
    const bool synced = syncEach || PQpipelineSync(conn);

    std::vector<ServerAnswer> answers;
    answers.reserve(calls.size());
    for (std::size_t i = 0; i < sent; ++i) {
        if (!preparing[i].isEmpty()) {
            const ServerAnswer prepare = readAnswer(conn);
            if (!prepare.ok()) // the name was never made: prepare it again next time
                prepared->erase(calls[i]->sql);
        }
        answers.push_back(readAnswer(conn));
        if (syncEach)
            readSync(conn);
    }
    const QString unsent = errorOf(nullptr, conn);
    if (!syncEach && synced)
        readSync(conn);
    if (!PQexitPipelineMode(conn))
        qWarning("database: cannot leave pipeline mode: %s", PQerrorMessage(conn));
    for (std::size_t i = sent; i < calls.size(); ++i) {
        ServerAnswer failed;
        failed.error = QStringLiteral("not sent: ") + unsent;
        answers.push_back(failed);
        if (!preparing[i].isEmpty())
            prepared->erase(calls[i]->sql);
    }
    return answers;
}

} // namespace RelayDesk::Store
