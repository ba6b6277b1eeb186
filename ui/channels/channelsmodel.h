#pragma once

#include "widgets/money.h"

#include "service/adminservice.h"

#include <QAbstractTableModel>
#include <QHash>

namespace RelayDesk::Ui {

// Upstream channels as AdminService::channels() returned them, with their health (AdminService::channelHealth(),
// written by the relay, this process's or another's). The secret is never shown in full.
class ChannelsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    // Health last: saved header layouts from before it still line up.
    enum Column { Id, Name, Type, BaseUrl, Secret, Models, Groups, Mapping, Priority, Weight, Status, Used, Health, ColumnCount };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit ChannelsModel(QObject *parent = nullptr);
    void setChannels(QList<Store::Channel> channels, const QList<Store::ChannelHealth> &health);
    void setCurrencyDisplay(CurrencyDisplay display);
    const Store::Channel *channelAt(int row) const;
    // What the relay last recorded for the channel (healthy when nothing).
    Store::ChannelHealth healthOf(qint64 channelId) const;
    // "healthy", "unhealthy · retry in 40 s", "probing" (now: unix ms).
    static QString healthText(const Store::ChannelHealth &health, qint64 nowMs);
    int rowOf(qint64 id) const;
    // "sk-ab…c9" style: enough to tell secrets apart, never enough to use one.
    static QString maskSecret(const QString &secret);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Store::Channel> m_rows;
    QHash<qint64, Store::ChannelHealth> m_health;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
};

} // namespace RelayDesk::Ui
