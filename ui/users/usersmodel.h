#pragma once

#include "widgets/money.h"

#include "users/idrowsmodel.h"
#include "users/limitcaps.h"

#include "service/adminservice.h"

#include <QHash>


namespace RelayDesk::Ui {

// Users (balance, group, usage) as AdminService::users() returned them. setUsers() updates rows in place
// (dataChanged / insert / remove), so the selection survives a refresh.
class UsersModel final : public IdRowsModel<Store::User>
{
    Q_OBJECT

public:
    enum Column { Id, Name, Group, Balance, Used, Requests, Status, Limits, ColumnCount };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit UsersModel(QObject *parent = nullptr);
    void setUsers(QList<Store::User> users) { sync(std::move(users)); }
    void setCurrencyDisplay(CurrencyDisplay display);
    // The caps shown in the Limits column, by user id (the page reads them with the rows).
    void setLimits(QHash<qint64, LimitCaps> limits);
    const Store::User *userAt(int row) const { return rowAt(row); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
    QHash<qint64, LimitCaps> m_limits;
};

} // namespace RelayDesk::Ui
