#pragma once

#include "widgets/money.h"

#include "monitor/sessionregistry.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace RelayDesk::Ui {

// The turns of one session (SessionRegistry::turns): each Realtime response.done or transcribed item with its tokens
// by modality, cached share, cost — the quota the ledger charged for it, in the page's currency — and latency to the
// first audio (or text). Follows the registry's coalesced sessionsUpdated: new turns are appended, turns the registry
// no longer keeps are removed from the top, so the table holds still while it grows.
class SessionTurnsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Number, Input, Output, Cached, Cost, Latency, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole, // the column's number (tokens, share, quota, ms; -1 for no latency)
        TurnNumberRole,
    };

    explicit SessionTurnsModel(Monitor::SessionRegistry *registry, QObject *parent = nullptr);

    void setSession(quint64 id); // 0 = none
    quint64 session() const { return m_session; }
    void setCurrencyDisplay(CurrencyDisplay display);
    const QList<Monitor::SessionTurn> &turns() const { return m_turns; }
    const Monitor::SessionTurn &turn(int row) const { return m_turns.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The cells' words, shared with the chart's tooltips.
    static QString inputText(const Monitor::SessionTurn &turn);
    static QString outputText(const Monitor::SessionTurn &turn);
    static QString cachedText(const Monitor::SessionTurn &turn);
    static QString latencyText(const Monitor::SessionTurn &turn);

public slots:
    void onSessionsUpdated(const QList<RelayDesk::Monitor::SessionInfo> &changed);
    void pull();

private:
    QVariant display(const Monitor::SessionTurn &turn, int column) const;
    QVariant sortValue(const Monitor::SessionTurn &turn, int column) const;
    QString toolTip(const Monitor::SessionTurn &turn) const;

    QPointer<Monitor::SessionRegistry> m_registry;
    quint64 m_session = 0;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
    QList<Monitor::SessionTurn> m_turns;
};

} // namespace RelayDesk::Ui
