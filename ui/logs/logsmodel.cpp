#include "logs/logsmodel.h"
#include "logs/messageslogdetail.h"
#include "logs/responseslogdetail.h"
#include "logs/unitslogdetail.h"
#include "shell/deliverlater.h"

#include "service/consolequeries.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace RelayDesk::Ui {

using Store::LogRecord;
using Store::LogType;

LogsModel::LogsModel(Service::AdminService *admin, QObject *parent)
    : QAbstractTableModel(parent)
    , m_admin(admin)
{
    reloadNames();
    load(std::nullopt);
    loadTotal();
}

template<class Query, class Done>
void LogsModel::run(Query q, Done done)
{
    if (!m_admin)
        return;
    using Result = std::invoke_result_t<Query, Service::AdminService &>;
    if (m_pending++ == 0)
        emit loadingChanged(true);
    deliverLater(m_admin->async(std::move(q)), this, [this, done = std::move(done)](Result result) mutable {
        done(std::move(result));
        if (--m_pending == 0)
            emit loadingChanged(false);
    });
}

void LogsModel::reloadNames()
{
    run([](Service::AdminService &s) { return Service::ConsoleQueries::names(s); },
        [this](Service::ConsoleQueries::Names names) {
            m_users = std::move(names.users);
            m_keys = std::move(names.keys);
            m_channels = std::move(names.channels);
            if (!m_rows.isEmpty())
                emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        });
}

void LogsModel::reload()
{
    load(m_current);
}

QString LogsModel::userName(qint64 id) const
{
    return id ? m_users.value(id, QStringLiteral("#%1").arg(id)) : QString();
}

QString LogsModel::keyName(qint64 id) const
{
    return id ? m_keys.value(id, QStringLiteral("#%1").arg(id)) : QString();
}

QString LogsModel::channelName(qint64 id) const
{
    return id ? m_channels.value(id, QStringLiteral("#%1").arg(id)) : QString();
}

void LogsModel::setPageSize(int rows)
{
    m_pageSize = qBound(10, rows, 5000);
    firstPage();
}

void LogsModel::setFilter(const Store::LogFilter &filter)
{
    m_filter = filter;
    m_total.reset();
    emit totalCountChanged();
    firstPage();
    loadTotal();
}

void LogsModel::loadTotal()
{
    const quint64 generation = ++m_filterGeneration;
    run([filter = m_filter](Service::AdminService &s) { return Service::ConsoleQueries::logCount(s, filter); },
        [this, generation](qint64 total) {
            if (generation != m_filterGeneration)
                return;
            m_total = total;
            emit totalCountChanged();
        });
}

void LogsModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Quota), index(int(m_rows.size()) - 1, Quota));
}

void LogsModel::firstPage()
{
    m_history.clear();
    load(std::nullopt);
}

bool LogsModel::nextPage()
{
    if (!m_next)
        return false;
    m_history.append(m_current);
    load(m_next);
    return true;
}

bool LogsModel::previousPage()
{
    if (m_history.isEmpty())
        return false;
    load(m_history.takeLast());
    return true;
}

void LogsModel::load(const std::optional<Store::LogCursor> &after)
{
    m_current = after;
    const quint64 generation = ++m_pageGeneration;
    run([filter = m_filter, limit = m_pageSize, after](Service::AdminService &s) { return s.logs(filter, limit, after); },
        [this, generation](Store::LogPage page) {
            if (generation != m_pageGeneration)
                return;
            beginResetModel();
            m_rows = std::move(page.rows);
            m_next = page.next;
            endResetModel();
            emit pageChanged();
        });
}

const LogRecord *LogsModel::recordAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

int LogsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString LogsModel::typeName(LogType type)
{
    switch (type) {
    case LogType::Topup: return tr("top-up");
    case LogType::Consume: return tr("consume");
    case LogType::Manage: return tr("manage");
    case LogType::System: return tr("system");
    case LogType::Error: return tr("error");
    case LogType::Refund: return tr("refund");
    case LogType::Unknown: break;
    }
    return tr("unknown");
}

bool LogsModel::isDisputed(const LogRecord &r)
{
    return r.other.contains(QLatin1StringView("disputed"));
}

QString LogsModel::flags(const LogRecord &r)
{
    QStringList out;
    if (isDisputed(r))
        out << tr("disputed");
    if (r.other.contains(QLatin1StringView("overage")))
        out << tr("overage");
    if (r.other.value(QLatin1StringView("recovered")).toBool())
        out << tr("recovered");
    if (r.other.contains(QLatin1StringView("upstream_usage_rejected")))
        out << tr("usage rejected");
    return out.join(QStringLiteral(", "));
}

QVariant LogsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LogRecord &r = m_rows[index.row()];
    const int c = index.column();
    switch (role) {
    case LogIdRole:
        return r.id;
    case DisputedRole:
        return isDisputed(r);
    case Qt::BackgroundRole:
        return isDisputed(r) ? QVariant(QBrush(QColor(0xff, 0xf0, 0xc8))) : QVariant();
    case Qt::TextAlignmentRole:
        return (c >= Prompt && c <= Duration && c != Flags) ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (r.type == LogType::Error)
            return QBrush(QColor(0xb0, 0x3a, 0x2e));
        if (isDisputed(r))
            return QBrush(QColor(0x8a, 0x4b, 0x00));
        if (r.type == LogType::Topup || r.type == LogType::Refund)
            return QBrush(QColor(0x2e, 0x7d, 0x32));
        return {};
    case Qt::ToolTipRole:
        if (c == Model && !r.upstreamModel.isEmpty() && r.upstreamModel != r.model)
            return tr("Upstream model: %1").arg(r.upstreamModel);
        if (c == Type && !r.content.isEmpty())
            return r.content;
        if (c == Endpoint && r.other.contains(QLatin1StringView("request_path"))) // the path and the units in words
            return (QStringList{UnitsLogDetail::endpoint(r.other)} << UnitsLogDetail::lines(r.other)).join(QLatin1Char('\n'));
        if (c == Flags && isDisputed(r))
            return tr("The upstream reported implausible usage; charged at most the hold (%1 quota). "
                      "The reported figures are in the details.")
                .arg(r.other.value(QLatin1StringView("disputed")).toObject().value(QLatin1StringView("capped_at")).toInteger());
        return {};
    case SortRole:
        switch (c) {
        case Time: return r.createdAt;
        case Prompt: return r.promptTokens;
        case Completion: return r.completionTokens;
        case Quota: return r.quota;
        case Duration: return r.useMs;
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (c) {
        case Time: return QDateTime::fromMSecsSinceEpoch(r.createdAt).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case Type: return typeName(r.type);
        case Endpoint: return endpointName(r);
        case User: return userName(r.userId);
        case Key: return keyName(r.keyId);
        case Channel: return channelName(r.channelId);
        case Model: return r.model;
        case Prompt: return formatTokens(r.promptTokens);
        case Completion: return formatTokens(r.completionTokens);
        case Quota: return formatQuota(r.quota, m_currency);
        case Flags: return flags(r);
        case Duration: return QString(QLocale().toString(double(r.useMs) / 1000.0, 'f', 2) + QStringLiteral(" s"));
        case Stream: return r.isStream ? tr("stream") : QString();
        case RequestId: return r.requestId;
        default: return {};
        }
    default:
        return {};
    }
}

QVariant LogsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Type: return tr("Type");
    case Endpoint: return tr("Endpoint");
    case User: return tr("User");
    case Key: return tr("Key");
    case Channel: return tr("Channel");
    case Model: return tr("Model");
    case Prompt: return tr("Prompt");
    case Completion: return tr("Completion");
    case Quota: return tr("Quota");
    case Flags: return tr("Flags");
    case Duration: return tr("Duration");
    case Stream: return tr("Stream");
    case RequestId: return tr("Request ID");
    default: return {};
    }
}

QString LogsModel::endpointName(const LogRecord &record)
{
    const QString path = record.other.value(QLatin1StringView("request_path")).toString();
    return path.isEmpty() ? QString() : Monitor::endpointKindName(Monitor::endpointKindForPath(path));
}

void LogsModel::setEndpointKind(Store::LogFilter &filter, std::optional<Monitor::EndpointKind> kind)
{
    filter.requestPaths.clear();
    filter.excludedRequestPaths.clear();
    if (!kind)
        return;
    if (*kind == Monitor::EndpointKind::Other)
        filter.excludedRequestPaths = Monitor::knownEndpointPaths() << QStringLiteral("");
    else
        filter.requestPaths = Monitor::endpointPaths(*kind);
}

namespace {

// Known keys of new-api's `other` JSON (and ours), in plain words.
QString labelFor(const QString &key)
{
    static const QHash<QString, const char *> labels{
        {QStringLiteral("model_ratio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Model ratio")},
        {QStringLiteral("completion_ratio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Completion ratio")},
        {QStringLiteral("cache_ratio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cache ratio")},
        {QStringLiteral("audio_ratio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Audio ratio")},
        {QStringLiteral("audio_completion_ratio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Audio completion ratio")},
        {QStringLiteral("group_ratio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Group ratio")},
        {QStringLiteral("user_group_ratio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "User-group ratio")},
        {QStringLiteral("model_price"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Fixed price (US$)")},
        {QStringLiteral("usage"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Usage")},
        {QStringLiteral("text_input"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Text input tokens")},
        {QStringLiteral("audio_input"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Audio input tokens")},
        {QStringLiteral("image_input"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Image input tokens")},
        {QStringLiteral("cached_text"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cached text tokens")},
        {QStringLiteral("cached_audio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cached audio tokens")},
        {QStringLiteral("cached_image"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cached image tokens")},
        {QStringLiteral("cache_write"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cache write tokens")},
        {QStringLiteral("cache_write_1h"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "1-hour cache write tokens")},
        {QStringLiteral("create_cache_ratio"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cache write ratio (5 minutes)")},
        {QStringLiteral("create_cache_ratio_1h"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cache write ratio (1 hour)")},
        {QStringLiteral("text_output"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Text output tokens")},
        {QStringLiteral("audio_output"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Audio output tokens")},
        {QStringLiteral("reasoning_output"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Reasoning tokens")},
        {QStringLiteral("frt"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "First response (ms)")},
        {QStringLiteral("overage"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Overage (quota beyond the balance)")},
        {QStringLiteral("recovered"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Recovered after a crash")},
        {QStringLiteral("disputed"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Disputed (implausible upstream usage, charged at most the hold)")},
        {QStringLiteral("capped_at"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Charged (capped at the hold)")},
        {QStringLiteral("claimed_quota"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Quota the upstream's figures would cost")},
        {QStringLiteral("request_path"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Endpoint")},
        {QStringLiteral("response_id"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Response ID")},
        {QStringLiteral("response_status"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Response status")},
        {QStringLiteral("cache_tokens"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cached tokens")},
        {QStringLiteral("cache_write_tokens"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Cache write tokens")},
        {QStringLiteral("reasoning_tokens"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Reasoning tokens")},
        {QStringLiteral("tool_calls"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Built-in tool calls")},
        {QStringLiteral("tool_quota"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Tool-call quota")},
        {QStringLiteral("units"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Billed units")},
        {QStringLiteral("audio_seconds"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Audio (seconds)")},
        {QStringLiteral("characters"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Characters")},
        {QStringLiteral("images"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Images")},
        {QStringLiteral("image_size"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Image size")},
        {QStringLiteral("image_quality"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Image quality")},
        {QStringLiteral("upstream_usage_rejected"), QT_TRANSLATE_NOOP("RelayDesk::Ui::LogsModel", "Malformed upstream usage (counted locally)")},
    };
    const auto it = labels.constFind(key);
    return it == labels.cend() ? key : LogsModel::tr(*it);
}

void renderJson(const QJsonValue &value, const QString &label, int depth, QStringList *lines)
{
    const QString indent(depth * 2, QLatin1Char(' '));
    if (value.isObject()) {
        if (!label.isEmpty())
            lines->append(indent + label + QLatin1Char(':'));
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            renderJson(it.value(), labelFor(it.key()), label.isEmpty() ? depth : depth + 1, lines);
    } else if (value.isArray()) {
        lines->append(indent + label + QStringLiteral(": ") +
                      QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)));
    } else {
        QString text = value.toVariant().toString();
        if (value.isDouble() && value.toDouble() == double(qint64(value.toDouble())) && std::abs(value.toDouble()) >= 1000)
            text = QLocale().toString(qint64(value.toDouble()));
        lines->append(indent + label + QStringLiteral(": ") + text);
    }
}


} // namespace

QString LogsModel::describe(const LogRecord &r) const
{
    QStringList lines;
    lines << tr("Log #%1 · %2 · %3").arg(r.id).arg(typeName(r.type),
                                               QDateTime::fromMSecsSinceEpoch(r.createdAt).toLocalTime().toString(Qt::ISODateWithMs));
    lines << tr("User: %1 · Key: %2 · Channel: %3").arg(userName(r.userId), keyName(r.keyId), channelName(r.channelId));
    lines << tr("Model: %1").arg(r.model) + (r.upstreamModel.isEmpty() || r.upstreamModel == r.model ? QString() : tr(" (upstream %1)").arg(r.upstreamModel));
    if (const QString endpoint = UnitsLogDetail::endpoint(r.other); !endpoint.isEmpty())
        lines << tr("Endpoint: %1").arg(endpoint);
    lines << tr("Tokens: %1 prompt + %2 completion").arg(formatTokens(r.promptTokens), formatTokens(r.completionTokens));
    lines << tr("Charged: %1 (%2 quota)").arg(formatQuota(r.quota, CurrencyDisplay::Dollars), formatTokens(r.quota));
    lines << tr("Duration: %1 ms%2").arg(r.useMs).arg(r.isStream ? tr(", streamed") : QString());
    if (!r.requestId.isEmpty())
        lines << tr("Request ID: %1").arg(r.requestId);
    if (r.priceSnapshotId)
        lines << tr("Price snapshot: %1").arg(r.priceSnapshotId);
    if (!r.content.isEmpty())
        lines << tr("Message: %1").arg(r.content);
    if (isDisputed(r))
        lines << tr("DISPUTED: the upstream reported implausible usage; this row was charged at most the hold. "
                    "Refund or top up after checking the upstream's bill.");
    if (UnitsLogDetail::applies(r.other))
        lines << UnitsLogDetail::lines(r.other);
    if (ResponsesLogDetail::applies(r.other))
        lines << QString() << ResponsesLogDetail::lines(r.other);
    if (MessagesLogDetail::applies(r.other))
        lines << QString() << MessagesLogDetail::lines(r.other);
    if (!r.other.isEmpty()) {
        lines << QString() << tr("Details:");
        renderJson(r.other, QString(), 1, &lines);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace RelayDesk::Ui
