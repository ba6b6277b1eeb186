#pragma once

#include "widgets/money.h"
#include "users/idrowsmodel.h"
#include "users/limitcaps.h"

#include "service/adminservice.h"

#include <QHash>

namespace RelayDesk::Ui {

// API keys (all, or one user's): hint only — the full key exists once, at creation.
class KeysModel final : public IdRowsModel<Store::ApiKey>
{
    Q_OBJECT

public:
    enum Column { Id, Name, Owner, Hint, Status, Quota, Used, Expires, Models, Group, Limits, ColumnCount };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit KeysModel(QObject *parent = nullptr);
    // The keys the page loaded for userFilter (0 = every user's), with the owners' names.
    void setKeys(qint64 userFilter, QList<Store::ApiKey> keys, QHash<qint64, QString> userNames);
    qint64 userFilter() const { return m_userId; }
    void setCurrencyDisplay(CurrencyDisplay display);
    // The caps shown in the Limits column, by key id (the page reads them with the rows).
    void setLimits(QHash<qint64, LimitCaps> limits);
    const Store::ApiKey *keyAt(int row) const { return rowAt(row); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    qint64 m_userId = 0;
    QHash<qint64, QString> m_userNames;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
    QHash<qint64, LimitCaps> m_limits;
};

} // namespace RelayDesk::Ui
