#include "live/sessionturnsmodel.h"

#include <QLocale>

namespace RelayDesk::Ui {

using Monitor::SessionTurn;

SessionTurnsModel::SessionTurnsModel(Monitor::SessionRegistry *registry, QObject *parent)
    : QAbstractTableModel(parent)
    , m_registry(registry)
{
    if (m_registry)
        connect(m_registry, &Monitor::SessionRegistry::sessionsUpdated, this, &SessionTurnsModel::onSessionsUpdated);
}

void SessionTurnsModel::setSession(quint64 id)
{
    if (id == m_session)
        return;
    beginResetModel(); // another session's turns are another list
    m_session = id;
    m_turns.clear();
    endResetModel();
    pull();
}

void SessionTurnsModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_turns.isEmpty())
        emit dataChanged(index(0, Cost), index(rowCount() - 1, Cost));
}

void SessionTurnsModel::onSessionsUpdated(const QList<Monitor::SessionInfo> &changed)
{
    if (m_session == 0)
        return;
    for (const Monitor::SessionInfo &info : changed) {
        const qint64 last = m_turns.isEmpty() ? 0 : m_turns.last().number;
        if (info.id == m_session && info.turnCount != last)
            return pull();
    }
}

void SessionTurnsModel::pull()
{
    if (!m_registry || m_session == 0)
        return;
    const QList<SessionTurn> fresh = m_registry->turns(m_session);
    if (fresh.isEmpty())
        return;
    const qint64 firstKept = fresh.first().number;
    // Rows the registry dropped (the oldest) go from the top, new ones are appended; the rest are unchanged.
    int gone = 0;
    while (gone < m_turns.size() && m_turns[gone].number < firstKept)
        ++gone;
    if (gone > 0) {
        beginRemoveRows({}, 0, gone - 1);
        m_turns.remove(0, gone);
        endRemoveRows();
    }
    const qint64 lastShown = m_turns.isEmpty() ? 0 : m_turns.last().number;
    QList<SessionTurn> added;
    for (const SessionTurn &turn : fresh) {
        if (turn.number > lastShown)
            added.append(turn);
    }
    if (added.isEmpty())
        return;
    beginInsertRows({}, int(m_turns.size()), int(m_turns.size() + added.size() - 1));
    m_turns.append(added);
    endInsertRows();
}

int SessionTurnsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_turns.size());
}

int SessionTurnsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SessionTurnsModel::inputText(const SessionTurn &turn)
{
    const Billing::Usage &u = turn.usage;
    QString text = tr("%1 text · %2 audio").arg(formatTokens(u.inputText), formatTokens(u.inputAudio));
    if (u.inputImage > 0)
        text += tr(" · %1 image").arg(formatTokens(u.inputImage));
    if (turn.cachedTokens() > 0)
        text += tr(" (%1 cached)").arg(formatTokens(turn.cachedTokens()));
    return text;
}

QString SessionTurnsModel::outputText(const SessionTurn &turn)
{
    return tr("%1 text · %2 audio").arg(formatTokens(turn.usage.outputText), formatTokens(turn.usage.outputAudio));
}

QString SessionTurnsModel::cachedText(const SessionTurn &turn)
{
    if (turn.usage.inputTotal() == 0)
        return QStringLiteral("—");
    return tr("%1 %").arg(QLocale().toString(turn.cachedShare() * 100.0, 'f', 1));
}

QString SessionTurnsModel::latencyText(const SessionTurn &turn)
{
    switch (turn.latencyTo) {
    case SessionTurn::LatencyTo::Audio:
        return tr("%1 ms").arg(QLocale().toString(turn.latencyMs));
    case SessionTurn::LatencyTo::Text:
        return tr("%1 ms (text)").arg(QLocale().toString(turn.latencyMs));
    case SessionTurn::LatencyTo::None:
        break;
    }
    return {};
}

QVariant SessionTurnsModel::display(const SessionTurn &turn, int column) const
{
    switch (column) {
    case Number:
        return turn.kind == SessionTurn::Kind::Transcription ? tr("%1 · transcription").arg(turn.number)
                                                             : QString::number(turn.number);
    case Input: return inputText(turn);
    case Output: return outputText(turn);
    case Cached: return cachedText(turn);
    case Cost: return formatQuota(turn.quota, m_currency);
    case Latency: return latencyText(turn);
    }
    return {};
}

QVariant SessionTurnsModel::sortValue(const SessionTurn &turn, int column) const
{
    switch (column) {
    case Number: return turn.number;
    case Input: return turn.usage.inputTotal();
    case Output: return turn.usage.outputTotal();
    case Cached: return turn.cachedShare();
    case Cost: return turn.quota;
    case Latency: return turn.latencyTo == SessionTurn::LatencyTo::None ? qint64(-1) : turn.latencyMs;
    }
    return {};
}

QString SessionTurnsModel::toolTip(const SessionTurn &turn) const
{
    QStringList lines;
    lines << (turn.kind == SessionTurn::Kind::Transcription ? tr("Transcribed item %1").arg(turn.id)
                                                            : tr("Response %1").arg(turn.id));
    if (!turn.status.isEmpty())
        lines << tr("Status: %1").arg(turn.status);
    if (turn.startedAt.isValid())
        lines << tr("Started: %1").arg(QLocale().toString(turn.startedAt.toLocalTime(), QStringLiteral("HH:mm:ss.zzz")));
    if (turn.estimated)
        lines << tr("Tokens counted by the relay (the upstream reported none it could bill)");
    lines << tr("Charged: %1 (the session's ledger charge steps by this turn)").arg(formatQuota(turn.quota, m_currency));
    return lines.join(QLatin1Char('\n'));
}

QVariant SessionTurnsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_turns.size() || index.column() >= ColumnCount)
        return {};
    const SessionTurn &turn = m_turns.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return display(turn, index.column());
    case SortRole: return sortValue(turn, index.column());
    case TurnNumberRole: return turn.number;
    case Qt::ToolTipRole: return toolTip(turn);
    case Qt::TextAlignmentRole:
        return index.column() == Cached || index.column() == Cost || index.column() == Latency
            ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
            : QVariant();
    default: return {};
    }
}

QVariant SessionTurnsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Number: return tr("Turn");
    case Input: return tr("Input tokens");
    case Output: return tr("Output tokens");
    case Cached: return tr("Cached");
    case Cost: return tr("Cost");
    case Latency: return tr("Latency");
    }
    return {};
}

} // namespace RelayDesk::Ui
