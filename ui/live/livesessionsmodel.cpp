#include "live/livesessionsmodel.h"
#include "live/unitstext.h"

#include "monitor/endpointkind.h"

#include <QBrush>
#include <QColor>
#include <QCoreApplication>
#include <QTimer>

#include <algorithm>

namespace RelayDesk::Ui {

using Monitor::SessionInfo;
using Monitor::SessionKind;
using Monitor::SessionState;

namespace {

QString formatDuration(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (s < 3600)
        return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString stateText(SessionState state)
{
    switch (state) {
    case SessionState::Connecting: return LiveSessionsModel::tr("connecting");
    case SessionState::Active: return LiveSessionsModel::tr("active");
    case SessionState::Streaming: return LiveSessionsModel::tr("streaming");
    case SessionState::Ended: return LiveSessionsModel::tr("ended");
    case SessionState::Failed: return LiveSessionsModel::tr("failed");
    }
    return {};
}

bool isNumeric(int column)
{
    return column == LiveSessionsModel::Id || (column >= LiveSessionsModel::Duration && column <= LiveSessionsModel::Quota);
}

} // namespace

LiveSessionsModel::LiveSessionsModel(Monitor::SessionRegistry *registry, QObject *parent)
    : QAbstractTableModel(parent)
    , m_registry(registry)
    , m_now(QDateTime::currentDateTimeUtc())
    , m_clock(new QTimer(this))
{
    if (m_registry) {
        // Auto connections: queued when the registry publishes from the relay thread.
        connect(m_registry, &Monitor::SessionRegistry::sessionsUpdated, this, &LiveSessionsModel::applyUpdates);
        connect(m_registry, &Monitor::SessionRegistry::sessionsRemoved, this, &LiveSessionsModel::applyRemovals);
        insertSorted(m_registry->sessions());
    }
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &LiveSessionsModel::tick);
    m_clock->start();
}

int LiveSessionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LiveSessionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString LiveSessionsModel::kindLabel(SessionKind kind)
{
    switch (kind) {
    case SessionKind::Http: return tr("HTTP");
    case SessionKind::Realtime: return tr("Realtime");
    case SessionKind::Responses: return tr("Responses");
    case SessionKind::ResponsesWebSocket: return tr("Responses WS");
    case SessionKind::Embeddings:
    case SessionKind::Completion:
    case SessionKind::Moderation:
    case SessionKind::Transcription:
    case SessionKind::Speech:
    case SessionKind::Image:
    case SessionKind::Messages: return Monitor::endpointKindName(Monitor::endpointKindForSession(kind));
    }
    return tr("HTTP");
}

QString LiveSessionsModel::mediaPathLabel(Monitor::MediaPath path)
{
    return path == Monitor::MediaPath::DirectWebRtc ? tr("direct (WebRTC)") : QString();
}

QString LiveSessionsModel::kindText(const SessionInfo &session)
{
    const QString media = mediaPathLabel(session.mediaPath);
    return media.isEmpty() ? kindLabel(session.kind) : tr("%1 · %2").arg(kindLabel(session.kind), media);
}

const SessionInfo *LiveSessionsModel::sessionAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

int LiveSessionsModel::rowOf(quint64 id, const QString &instanceId) const
{
    return m_rowOf.value({instanceId, id}, -1);
}

QString LiveSessionsModel::instanceLabel(const QString &instanceId)
{
    return instanceId.left(8);
}

void LiveSessionsModel::setLocalInstance(const QString &instanceId)
{
    m_localInstance = instanceId;
}

QVariant LiveSessionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionInfo &s = m_rows[index.row()];
    const int column = index.column();
    const auto &u = s.usage;
    const qint64 cached = u.cachedText + u.cachedAudio + u.cachedImage;

    switch (role) {
    case SessionIdRole:
        return QVariant::fromValue(s.id);
    case IsLiveRole:
        return s.isLive();
    case InstanceRole:
        return s.instanceId;
    case IsRemoteRole:
        return !s.instanceId.isEmpty();
    case Qt::TextAlignmentRole:
        return isNumeric(column) ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (s.state == SessionState::Failed)
            return QBrush(QColor(0xb0, 0x3a, 0x2e));
        if (!s.isLive())
            return QBrush(QColor(0x8a, 0x8a, 0x8a)); // ended sessions stay visible, greyed
        return {};
    case Qt::ToolTipRole:
        if (column == Instance)
            return s.instanceId.isEmpty() ? tr("This console's own relay") : s.instanceId;
        if (column == State && !s.endReason.isEmpty())
            return s.endReason;
        if (column == Kind && !s.units.isEmpty()) // what a unit-priced call is billed for besides tokens
            return UnitsText::phrases(s.units).join(QStringLiteral(" · "));
        if (column == Model && !s.upstreamModel.isEmpty() && s.upstreamModel != s.model)
            return tr("Upstream model: %1").arg(s.upstreamModel);
        if (column == Cached)
            return tr("Cached input tokens (text %1, audio %2, image %3)")
                .arg(u.cachedText).arg(u.cachedAudio).arg(u.cachedImage);
        return {};
    case SortRole:
        switch (column) {
        case Id: return QVariant::fromValue(s.id);
        case Duration: return s.durationMs(m_now);
        case TextIn: return u.inputText;
        case TextOut: return u.outputText;
        case AudioIn: return u.inputAudio;
        case AudioOut: return u.outputAudio;
        case Cached: return cached;
        case Quota: return s.chargedQuota;
        case State: return int(s.state);
        default: break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (column) {
        case Id: return QString::number(s.id);
        case Instance: return s.instanceId.isEmpty() ? tr("local") : instanceLabel(s.instanceId);
        case Kind: return kindText(s);
        case User: return s.user;
        case KeyHint: return s.keyHint;
        case Model: return s.model;
        case Channel: return s.channel;
        case Duration: return formatDuration(s.durationMs(m_now));
        case TextIn: return formatTokens(u.inputText);
        case TextOut: return formatTokens(u.outputText);
        case AudioIn: return formatTokens(u.inputAudio);
        case AudioOut: return formatTokens(u.outputAudio);
        case Cached: return formatTokens(cached);
        case Quota: return formatQuota(s.chargedQuota, m_currency);
        case State: return stateText(s.state);
        default: return {};
        }
    default:
        return {};
    }
}

QVariant LiveSessionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case TextIn: return tr("Text input tokens so far (cached included)");
        case TextOut: return tr("Text output tokens so far (reasoning included)");
        case AudioIn: return tr("Audio input tokens so far");
        case AudioOut: return tr("Audio output tokens so far");
        case Cached: return tr("Input tokens served from the prompt cache");
        case Quota: return tr("Quota charged so far");
        case Instance: return tr("The relay instance serving the session");
        default: return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id: return tr("ID");
    case Instance: return tr("Instance");
    case Kind: return tr("Kind");
    case User: return tr("User");
    case KeyHint: return tr("Key");
    case Model: return tr("Model");
    case Channel: return tr("Channel");
    case Duration: return tr("Duration");
    case TextIn: return tr("Text in");
    case TextOut: return tr("Text out");
    case AudioIn: return tr("Audio in");
    case AudioOut: return tr("Audio out");
    case Cached: return tr("Cached");
    case Quota: return tr("Charged");
    case State: return tr("State");
    default: return {};
    }
}

void LiveSessionsModel::setCurrencyDisplay(CurrencyDisplay display)
{
    if (m_currency == display)
        return;
    m_currency = display;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Quota), index(int(m_rows.size()) - 1, Quota));
}

void LiveSessionsModel::setNow(const QDateTime &now)
{
    m_now = now;
}

void LiveSessionsModel::applyUpdates(const QList<SessionInfo> &changed)
{
    QList<int> touched;
    QList<SessionInfo> fresh;
    touched.reserve(changed.size());
    for (const SessionInfo &info : changed) {
        const int row = m_rowOf.value(keyOf(info), -1);
        if (row < 0) {
            fresh.append(info);
            continue;
        }
        m_rows[row] = info;
        touched.append(row);
    }
    emitRowRuns(std::move(touched), 0, ColumnCount - 1);
    insertSorted(fresh);
}

void LiveSessionsModel::applyRemovals(const QList<quint64> &ids)
{
    QList<Key> keys;
    for (quint64 id : ids)
        keys.append({QString(), id});
    removeKeys(keys);
}

void LiveSessionsModel::removeKeys(const QList<Key> &keys)
{
    QList<int> rows;
    for (const Key &key : keys) {
        const int row = m_rowOf.value(key, -1);
        if (row >= 0)
            rows.append(row);
    }
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end(), std::greater<>());
    // Remove contiguous runs from the bottom up so earlier row numbers stay valid.
    int i = 0;
    while (i < rows.size()) {
        int last = rows[i];
        int first = last;
        while (i + 1 < rows.size() && rows[i + 1] == first - 1)
            first = rows[++i];
        ++i;
        beginRemoveRows({}, first, last);
        for (int r = first; r <= last; ++r)
            m_rowOf.remove(keyOf(m_rows[r]));
        m_rows.remove(first, last - first + 1);
        endRemoveRows();
    }
    reindexFrom(rows.last());
}

void LiveSessionsModel::applyRemote(const QList<SessionInfo> &sessions)
{
    QList<SessionInfo> remote;
    QSet<Key> present;
    for (const SessionInfo &s : sessions) {
        if (s.instanceId.isEmpty() || s.instanceId == m_localInstance)
            continue; // this process's own: the registry has them in full
        remote.append(s);
        present.insert(keyOf(s));
    }
    QList<Key> gone;
    for (const SessionInfo &s : std::as_const(m_rows))
        if (!s.instanceId.isEmpty() && !present.contains(keyOf(s)))
            gone.append(keyOf(s));
    removeKeys(gone);
    applyUpdates(remote);
}

void LiveSessionsModel::reload()
{
    if (!m_registry)
        return;
    const QList<SessionInfo> all = m_registry->sessions();
    QSet<quint64> present;
    for (const SessionInfo &s : all)
        present.insert(s.id);
    QList<quint64> gone;
    for (const SessionInfo &s : std::as_const(m_rows))
        if (s.instanceId.isEmpty() && !present.contains(s.id))
            gone.append(s.id);
    applyRemovals(gone);
    applyUpdates(all);
}

// New sessions almost always carry the highest ids, so this is usually one append at the end.
void LiveSessionsModel::insertSorted(const QList<SessionInfo> &freshIn)
{
    if (freshIn.isEmpty())
        return;
    QList<SessionInfo> fresh = freshIn;
    const auto before = [](const SessionInfo &a, const SessionInfo &b) { return keyOf(a) < keyOf(b); };
    std::sort(fresh.begin(), fresh.end(), before);
    int i = 0;
    while (i < fresh.size()) {
        const auto pos = std::lower_bound(m_rows.begin(), m_rows.end(), fresh[i], before);
        const int row = int(pos - m_rows.begin());
        // Everything in fresh that sorts before the next existing row goes in as one block.
        int j = i + 1;
        while (j < fresh.size() && (row == m_rows.size() || before(fresh[j], m_rows[row])))
            ++j;
        beginInsertRows({}, row, row + (j - i) - 1);
        for (int k = i; k < j; ++k)
            m_rows.insert(row + (k - i), fresh[k]);
        reindexFrom(row);
        endInsertRows();
        i = j;
    }
}

void LiveSessionsModel::reindexFrom(int row)
{
    for (int r = std::max(0, row); r < m_rows.size(); ++r)
        m_rowOf.insert(keyOf(m_rows[r]), r);
}

void LiveSessionsModel::emitRowRuns(QList<int> rows, int firstColumn, int lastColumn)
{
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    int start = rows.first();
    int prev = start;
    for (int k = 1; k <= rows.size(); ++k) {
        if (k < rows.size() && rows[k] <= prev + 1) {
            prev = rows[k];
            continue;
        }
        emit dataChanged(index(start, firstColumn), index(prev, lastColumn));
        if (k < rows.size())
            start = prev = rows[k];
    }
}

// Durations of live sessions grow without any registry update; refresh just that column.
void LiveSessionsModel::tick()
{
    m_now = QDateTime::currentDateTimeUtc();
    QList<int> live;
    for (int r = 0; r < m_rows.size(); ++r)
        if (m_rows[r].isLive())
            live.append(r);
    emitRowRuns(std::move(live), Duration, Duration);
}

LiveSessionsProxy::LiveSessionsProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(LiveSessionsModel::SortRole);
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void LiveSessionsProxy::setShowEnded(bool show)
{
    if (m_showEnded == show)
        return;
    m_showEnded = show;
    invalidateRowsFilter();
}

bool LiveSessionsProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_showEnded) {
        const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
        if (!idx.data(LiveSessionsModel::IsLiveRole).toBool())
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace RelayDesk::Ui
