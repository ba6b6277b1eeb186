#pragma once

#include "widgets/money.h"

#include "monitor/sessionregistry.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QSortFilterProxyModel>

class QTimer;

namespace RelayDesk::Ui {

// Table of live (and recently ended) sessions over SessionRegistry snapshots, and of other instances' sessions as
// they published them (applyRemote, from AdminService::liveSessions; see LivePage).
//
// Updates are incremental: changed rows get dataChanged, new sessions beginInsertRows, dropped ones
// beginRemoveRows — never a model reset — so a view keeps its selection and scroll position while the
// registry publishes at up to 10 Hz. A session id is unique within its instance only: rows are keyed and kept in
// (instance, session id) order, this process's own sessions (no instance id) first; sort through a proxy.
class LiveSessionsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id, Instance, Kind, User, KeyHint, Model, Channel, Duration, TextIn, TextOut, AudioIn, AudioOut, Cached,
        Quota, State, ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole,  // raw numbers for numeric columns
        SessionIdRole,            // quint64
        IsLiveRole,               // bool
        InstanceRole,             // QString: the serving instance's id; empty for this process's sessions
        IsRemoteRole,             // bool: served by another instance (no events or turns here)
    };

    // registry may be null (an empty model); it must outlive the model.
    explicit LiveSessionsModel(Monitor::SessionRegistry *registry, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // What the Kind column says: HTTP, Responses, Responses WS, Realtime, or the endpoint family's name (Embeddings,
    // Completion, Moderation, Transcription, Speech, Image: Monitor::endpointKindName).
    static QString kindLabel(Monitor::SessionKind kind);
    // The kind as the table shows it: a WebRTC call's media path is named after it ("Realtime · direct (WebRTC)").
    static QString kindText(const Monitor::SessionInfo &session);
    // Empty for media relayed by us (every session but a WebRTC call).
    static QString mediaPathLabel(Monitor::MediaPath path);

    const Monitor::SessionInfo *sessionAt(int row) const;
    int rowOf(quint64 id, const QString &instanceId = {}) const; // -1 when absent
    // Short form of an instance id for the Instance column (its first 8 characters).
    static QString instanceLabel(const QString &instanceId);
    // This process's instance id: its rows in other instances' lists are its own sessions, shown from the registry.
    void setLocalInstance(const QString &instanceId);
    void setCurrencyDisplay(CurrencyDisplay display);
    // The clock used for the duration of live sessions; the model ticks it once a second.
    void setNow(const QDateTime &now);

public slots:
    void applyUpdates(const QList<RelayDesk::Monitor::SessionInfo> &changed);
    void applyRemovals(const QList<quint64> &ids);
    void reload(); // re-reads the registry (F5); still incremental
    // Every session other instances publish now (AdminService::liveSessions; this instance's own are skipped):
    // new ones inserted, changed ones updated, the rest of the remote rows removed.
    void applyRemote(const QList<RelayDesk::Monitor::SessionInfo> &sessions);

private:
    using Key = std::pair<QString, quint64>; // (instance id, session id)
    static Key keyOf(const Monitor::SessionInfo &s) { return {s.instanceId, s.id}; }
    void removeKeys(const QList<Key> &keys);
    void insertSorted(const QList<Monitor::SessionInfo> &fresh);
    void reindexFrom(int row);
    void emitRowRuns(QList<int> rows, int firstColumn, int lastColumn);
    void tick();

    QPointer<Monitor::SessionRegistry> m_registry;
    QList<Monitor::SessionInfo> m_rows; // ordered by id
    QHash<Key, int> m_rowOf;
    QString m_localInstance;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
    QDateTime m_now;
    QTimer *m_clock = nullptr;
};

// Text filter over every column plus "show ended sessions".
class LiveSessionsProxy final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit LiveSessionsProxy(QObject *parent = nullptr);
    void setShowEnded(bool show);
    bool showEnded() const { return m_showEnded; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool m_showEnded = true;
};

} // namespace RelayDesk::Ui
