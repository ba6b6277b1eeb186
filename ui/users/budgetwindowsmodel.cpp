#include "users/budgetwindowsmodel.h"

#include "billing/quotamath.h"
#include "common/budgetwindow.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QRegularExpression>

#include <algorithm>

namespace RelayDesk::Ui {

namespace {
QString localTime(qint64 secs)
{
    return secs > 0 ? QDateTime::fromSecsSinceEpoch(secs).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                    : QStringLiteral("—");
}

// The cap as the editor shows it: a plain number in the display's unit (no grouping, so it parses back).
QString editText(qint64 quota, CurrencyDisplay display)
{
    if (display == CurrencyDisplay::QuotaUnits)
        return QString::number(quota);
    return QString::number(double(quota) / double(Billing::QuotaMath::kQuotaPerUnit), 'f', 6)
        .remove(QRegularExpression(QStringLiteral("\\.?0+$")));
}

bool parseCap(const QString &text, CurrencyDisplay display, qint64 *quota)
{
    if (display == CurrencyDisplay::Dollars)
        return parseDollars(text, quota);
    bool ok = false;
    const qint64 q = text.trimmed().remove(QLatin1Char(',')).toLongLong(&ok);
    if (!ok || q < 0)
        return false;
    *quota = q;
    return true;
}
} // namespace

BudgetWindowsModel::BudgetWindowsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString BudgetWindowsModel::canonical(const QString &window)
{
    const auto parsed = BudgetWindow::parse(window.trimmed());
    return parsed ? parsed->name() : QString();
}

void BudgetWindowsModel::setStates(const QList<Store::BudgetState> &states, bool keepEdits)
{
    const bool keep = keepEdits && isEdited();
    m_stored = states;
    if (!keep)
        syncRows();
    attachStates();
}

// The rows become the stored windows with row-level signals, never a reset: a reset (or a dataChanged on the cell)
// would close or refill an editor open on a row that did not change, dropping what is being typed in it.
void BudgetWindowsModel::syncRows()
{
    const auto stored = [this](const QString &window) {
        return std::any_of(m_stored.begin(), m_stored.end(), [&](const Store::BudgetState &s) { return s.limit.window == window; });
    };
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (!stored(m_rows[i].window)) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
        }
    }
    for (int i = 0; i < m_stored.size(); ++i) {
        const Store::BudgetLimit &limit = m_stored[i].limit;
        if (i < m_rows.size() && m_rows[i].window == limit.window) {
            if (m_rows[i].cap != limit.cap) {
                m_rows[i].cap = limit.cap;
                emit dataChanged(index(i, Cap), index(i, Cap));
            }
            continue;
        }
        beginInsertRows({}, i, i);
        m_rows.insert(i, Row{limit.window, limit.cap, std::nullopt});
        endInsertRows();
    }
    // Rows past the stored ones (edited rows in another order, or twice) are what the store does not hold.
    if (m_rows.size() > m_stored.size()) {
        beginRemoveRows({}, int(m_stored.size()), int(m_rows.size()) - 1);
        m_rows.resize(m_stored.size());
        endRemoveRows();
    }
}

void BudgetWindowsModel::attachStates()
{
    for (Row &row : m_rows) {
        row.state.reset();
        const QString name = canonical(row.window);
        for (const Store::BudgetState &s : m_stored)
            if (!name.isEmpty() && s.limit.window == name)
                row.state = s;
    }
    // Only the read-only columns: a view refreshes an open editor on dataChanged, which would undo what is being typed.
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Spent), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

void BudgetWindowsModel::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Cap), index(int(m_rows.size()) - 1, Spent));
}

int BudgetWindowsModel::addWindow(const QString &window, qint64 cap)
{
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.append(Row{window, cap, std::nullopt});
    endInsertRows();
    attachStates(); // a window removed and added back shows its counts again
    return row;
}

void BudgetWindowsModel::removeWindow(int row)
{
    if (row < 0 || row >= m_rows.size())
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

Service::BudgetWindows BudgetWindowsModel::windows() const
{
    Service::BudgetWindows out;
    for (const Row &row : m_rows)
        out.append({row.window.trimmed(), row.cap});
    return out;
}

QString BudgetWindowsModel::rowError(int row) const
{
    const QString text = m_rows[row].window.trimmed();
    const QString name = canonical(text);
    if (name.isEmpty())
        return tr("Row %1: \"%2\" is not a budget window (day, week, month or 1h…%3h).")
            .arg(row + 1)
            .arg(text)
            .arg(BudgetWindow::kMaxRollingHours);
    for (int earlier = 0; earlier < row; ++earlier)
        if (canonical(m_rows[earlier].window) == name)
            return tr("Row %1: the %2 window is already on row %3.").arg(row + 1).arg(name).arg(earlier + 1);
    return {};
}

QString BudgetWindowsModel::validationError() const
{
    for (int row = 0; row < m_rows.size(); ++row)
        if (QString error = rowError(row); !error.isEmpty())
            return error;
    return {};
}

bool BudgetWindowsModel::isEdited() const
{
    if (m_rows.size() != m_stored.size())
        return true;
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].window.trimmed() != m_stored[i].limit.window || m_rows[i].cap != m_stored[i].limit.cap)
            return true;
    return false;
}

int BudgetWindowsModel::rowOf(const QString &window) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (canonical(m_rows[i].window) == window)
            return i;
    return -1;
}

int BudgetWindowsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int BudgetWindowsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BudgetWindowsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[index.row()];
    const auto &state = row.state;
    const bool invalid = index.column() == Window && !rowError(index.row()).isEmpty();
    switch (role) {
    case Qt::EditRole:
        if (index.column() == Window)
            return row.window;
        if (index.column() == Cap)
            return editText(row.cap, m_currency);
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case Window: return row.window;
        case Cap: return formatQuota(row.cap, m_currency);
        case Spent: return state ? formatQuota(state->spent, m_currency) : tr("not applied yet");
        case PeriodStart: return state ? localTime(state->periodStart) : QString();
        case Resets: return state ? localTime(state->resetAt) : QString();
        default: return {};
        }
    case Qt::ForegroundRole:
        if (invalid || (index.column() == Spent && state && row.cap > 0 && state->spent >= row.cap))
            return QBrush(QColor(0xb0, 0x3a, 0x2e));
        if (index.column() == Spent && !state)
            return QBrush(QColor(0x8a, 0x8a, 0x8a));
        return {};
    case Qt::ToolTipRole:
        if (invalid)
            return rowError(index.row());
        if (index.column() == Window)
            return tr("day, week or month (calendar, in the budget time zone) or Nh: a rolling window of N hours");
        if (index.column() == Resets && state && BudgetWindow::parse(state->limit.window)->isRolling())
            return tr("When the oldest spend leaves the rolling window");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Cap || index.column() == Spent ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                                : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

bool BudgetWindowsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return false;
    Row &row = m_rows[index.row()];
    if (index.column() == Window) {
        row.window = value.toString().trimmed(); // kept as typed: validationError() names it until it is fixed
        attachStates();
        // Every row's name: a duplicate elsewhere may have become (or stopped being) one.
        emit dataChanged(this->index(0, Window), this->index(int(m_rows.size()) - 1, Window));
        return true;
    }
    if (index.column() == Cap) {
        qint64 cap = 0;
        if (!parseCap(value.toString(), m_currency, &cap))
            return false;
        row.cap = cap;
        emit dataChanged(index, index.siblingAtColumn(Spent));
        return true;
    }
    return false;
}

Qt::ItemFlags BudgetWindowsModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return Qt::NoItemFlags;
    const Qt::ItemFlags base = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    return index.column() == Window || index.column() == Cap ? base | Qt::ItemIsEditable : base;
}

QVariant BudgetWindowsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Window: return tr("Window");
    case Cap: return tr("Cap");
    case Spent: return tr("Spent");
    case PeriodStart: return tr("Period start");
    case Resets: return tr("Resets");
    default: return {};
    }
}

} // namespace RelayDesk::Ui
