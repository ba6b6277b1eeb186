#pragma once

#include "widgets/money.h"

#include "store/records.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

#include <memory>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Ui {

// Rows with an `id`, kept sorted by id; sync() applies a fresh list with row-level signals (no reset),
// so selections survive a refresh.
template<typename Row>
class IdRowsModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;
    int rowOf(qint64 id) const
    {
        for (int i = 0; i < m_rows.size(); ++i)
            if (m_rows[i].id == id)
                return i;
        return -1;
    }
    const Row *rowAt(int row) const { return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr; }

protected:
    void sync(QList<Row> fresh)
    {
        std::sort(fresh.begin(), fresh.end(), [](const Row &a, const Row &b) { return a.id < b.id; });
        QSet<qint64> ids;
        for (const Row &r : fresh)
            ids.insert(r.id);
        for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
            if (!ids.contains(m_rows[i].id)) {
                beginRemoveRows({}, i, i);
                m_rows.removeAt(i);
                endRemoveRows();
            }
        }
        int i = 0;
        for (const Row &r : fresh) {
            while (i < m_rows.size() && m_rows[i].id < r.id)
                ++i;
            if (i < m_rows.size() && m_rows[i].id == r.id) {
                m_rows[i] = r;
                emit dataChanged(index(i, 0), index(i, columnCount() - 1));
            } else {
                beginInsertRows({}, i, i);
                m_rows.insert(i, r);
                endInsertRows();
            }
            ++i;
        }
    }
    QList<Row> m_rows;
};

// Users (balance, group, usage) read through UserRepository. Small tables: reload() re-reads and
// updates rows in place (dataChanged / insert / remove), so the selection survives a refresh.
class UsersModel final : public IdRowsModel<Store::User>
{
    Q_OBJECT

public:
    enum Column { Id, Name, Group, Balance, Used, Requests, Status, ColumnCount };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit UsersModel(std::shared_ptr<Store::Database> db, QObject *parent = nullptr);
    void reload();
    void setCurrencyDisplay(CurrencyDisplay display);
    const Store::User *userAt(int row) const { return rowAt(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<Store::Database> m_db;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
};

// API keys (all, or one user's): hint only — the full key exists once, at creation.
class KeysModel final : public IdRowsModel<Store::ApiKey>
{
    Q_OBJECT

public:
    enum Column { Id, Name, Owner, Hint, Status, Quota, Used, Expires, Models, Group, ColumnCount };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit KeysModel(std::shared_ptr<Store::Database> db, QObject *parent = nullptr);
    void setUserFilter(qint64 userId); // 0 = every user's keys
    qint64 userFilter() const { return m_userId; }
    void reload();
    void setCurrencyDisplay(CurrencyDisplay display);
    const Store::ApiKey *keyAt(int row) const { return rowAt(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<Store::Database> m_db;
    qint64 m_userId = 0;
    QHash<qint64, QString> m_userNames;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
};

} // namespace RelayDesk::Ui
