#include "users/ratelimitsmodel.h"

#include "widgets/money.h"

#include <QDateTime>
#include <QFont>

namespace RelayDesk::Ui {

namespace {
// The order rows are shown in; the service's kind names.
const QStringList &kinds()
{
    static const QStringList k{QStringLiteral("rpm"), QStringLiteral("tpm"), QStringLiteral("rpd"),
                               QStringLiteral("concurrency")};
    return k;
}

QString kindText(const QString &kind)
{
    if (kind == u"rpm")
        return RateLimitsModel::tr("Requests per minute (rpm)");
    if (kind == u"tpm")
        return RateLimitsModel::tr("Tokens per minute (tpm)");
    if (kind == u"rpd")
        return RateLimitsModel::tr("Requests per day (rpd)");
    return RateLimitsModel::tr("Concurrent requests");
}
} // namespace

RateLimitsModel::RateLimitsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    for (const QString &k : kinds())
        m_rows.append(Row{k});
}

void RateLimitsModel::setStates(const QList<Store::RateState> &states, bool keepEdits)
{
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = m_rows[i];
        const bool edited = keepEdits && row.cap != row.storedCap;
        const qint64 capBefore = row.cap;
        const qint64 storedBefore = row.storedCap;
        row.storedCap = 0;
        row.used = 0;
        row.resetAt = 0;
        for (const Store::RateState &s : states) {
            if (s.limit.kind != row.kind)
                continue;
            row.storedCap = s.limit.cap;
            row.used = s.used;
            row.resetAt = s.resetAt;
        }
        if (!edited)
            row.cap = row.storedCap;
        // The cap cell only when it changed: a view refreshes an open editor on dataChanged.
        if (row.cap != capBefore || row.storedCap != storedBefore)
            emit dataChanged(index(i, Cap), index(i, Cap));
    }
    emit dataChanged(index(0, Used), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

Service::RateCaps RateLimitsModel::caps() const
{
    Service::RateCaps out;
    for (const Row &row : m_rows)
        out.append({row.kind, row.cap});
    return out;
}

Service::RateCaps RateLimitsModel::changedCaps() const
{
    Service::RateCaps out;
    for (const Row &row : m_rows)
        if (row.cap != row.storedCap)
            out.append({row.kind, row.cap});
    return out;
}

bool RateLimitsModel::isEdited() const
{
    return !changedCaps().isEmpty();
}

int RateLimitsModel::rowOf(const QString &kind) const
{
    return int(kinds().indexOf(kind));
}

int RateLimitsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RateLimitsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RateLimitsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[index.row()];
    const bool concurrency = row.kind == u"concurrency";
    switch (role) {
    case Qt::EditRole:
        if (index.column() == Cap)
            return row.cap > 0 ? QString::number(row.cap) : QString();
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case Kind: return kindText(row.kind);
        case Cap: return row.cap > 0 ? formatTokens(row.cap) : tr("none");
        case Used: return concurrency ? tr("%1 open").arg(formatTokens(row.used)) : formatTokens(row.used);
        case Resets:
            if (concurrency)
                return tr("as calls finish");
            return row.resetAt > 0
                       ? QDateTime::fromSecsSinceEpoch(row.resetAt).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                       : QStringLiteral("—");
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == Cap)
            return tr("Empty or 0: no limit");
        if (index.column() == Used)
            return concurrency ? tr("Calls and sessions open now") : tr("Counted in the current window");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Cap || index.column() == Used ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                               : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
        if (index.column() == Cap && row.cap != row.storedCap) {
            QFont bold;
            bold.setBold(true); // edited, not applied yet
            return bold;
        }
        return {};
    default:
        return {};
    }
}

bool RateLimitsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid) || index.column() != Cap)
        return false;
    const QString text = value.toString().trimmed().remove(QLatin1Char(',')).remove(QLatin1Char(' '));
    qint64 cap = 0;
    if (!text.isEmpty()) {
        bool ok = false;
        cap = text.toLongLong(&ok);
        if (!ok || cap < 0)
            return false; // the editor keeps the old value; nothing else was typed into this cell
    }
    m_rows[index.row()].cap = cap;
    emit dataChanged(index, index);
    return true;
}

Qt::ItemFlags RateLimitsModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return Qt::NoItemFlags;
    const Qt::ItemFlags base = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    return index.column() == Cap ? base | Qt::ItemIsEditable : base;
}

QVariant RateLimitsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Kind: return tr("Limit");
    case Cap: return tr("Cap");
    case Used: return tr("Now");
    case Resets: return tr("Window resets");
    default: return {};
    }
}

} // namespace RelayDesk::Ui
