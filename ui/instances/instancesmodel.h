#pragma once

#include "service/instanceoverview.h"

#include <QAbstractTableModel>

namespace RelayDesk::Ui {

// Table of the relaying instances on the database (Service::InstanceOverview): one row each. A refresh with the
// same instances in the same order only changes data (a view keeps its selection); otherwise the model resets.
class InstancesModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Id, Host, Address, Version, Uptime, RequestRate, LiveSessions, HeartbeatAge, State, ColumnCount };
    enum Role { SortRole = Qt::UserRole, InstanceIdRole };

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setInstances(const QList<Service::InstanceOverview> &instances);
    const Service::InstanceOverview *instanceAt(int row) const;
    void setLocalInstance(const QString &instanceId) { m_local = instanceId; }

    static QString stateText(Service::InstanceOverview::State state);
    static QString ageText(qint64 ms); // "4 s", "3 min", "2 h 5 min"

private:
    QList<Service::InstanceOverview> m_rows;
    QString m_local;
};

} // namespace RelayDesk::Ui
