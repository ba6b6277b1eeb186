#pragma once

#include "widgets/money.h"

#include "service/adminservice.h"

#include <QAbstractTableModel>

#include <optional>

namespace RelayDesk::Ui {

// The budget windows of a user or a key as a table: window (day | week | month | Nh) and cap are edited in place
// — the cap in the page's money display — and each stored window shows its spend, its period start and when it
// resets (local time). Rows are added and removed freely; windows() is what Apply writes and validationError()
// names the first row that cannot be written. setStates() takes what AdminService read; while the table holds
// edits it keeps them and only moves the counts of the windows it still has (another console's refresh never
// overwrites what is being typed).
class BudgetWindowsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Window, Cap, Spent, PeriodStart, Resets, ColumnCount };

    explicit BudgetWindowsModel(QObject *parent = nullptr);

    void setStates(const QList<Store::BudgetState> &states, bool keepEdits);
    void setCurrencyDisplay(CurrencyDisplay display);
    // Appends a window (the view then edits its name); returns its row.
    int addWindow(const QString &window, qint64 cap);
    void removeWindow(int row);

    // The windows as edited (names trimmed, not yet checked).
    Service::BudgetWindows windows() const;
    // Empty when every row can be written; else which row is wrong and why.
    QString validationError() const;
    bool isEdited() const;
    // The row showing `window` (canonical name), -1 when none does.
    int rowOf(const QString &window) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString window; // as typed
        qint64 cap = 0;
        std::optional<Store::BudgetState> state; // the stored window of that name, as read last
    };
    static QString canonical(const QString &window);
    QString rowError(int row) const;
    void attachStates();
    void syncRows();

    QList<Row> m_rows;
    QList<Store::BudgetState> m_stored;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
};

} // namespace RelayDesk::Ui
