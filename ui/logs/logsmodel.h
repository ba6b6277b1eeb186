#pragma once

#include "widgets/money.h"

#include "service/adminservice.h"

#include "monitor/endpointkind.h"

#include <QAbstractTableModel>
#include <QHash>

namespace RelayDesk::Ui {

// One page of consumption logs at a time, newest first, read with AdminService::logs' keyset paging — page
// 1 and page 10 000 cost the same and nothing ever loads the whole table. Every read runs on the service's
// worker: a page flip starts the read at once (the cursor moves) and the rows arrive later, as a model
// reset followed by pageChanged(); isLoading() is true in between. Filters are the store's LogFilter.
class LogsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Type, Endpoint, User, Key, Channel, Model, Prompt, Completion, Quota, Flags, Duration, Stream, RequestId, ColumnCount };
    // DisputedRole: true for a row whose upstream usage was implausible and charged at most the hold
    // (`other.disputed`): the Flags column says "disputed", the row is highlighted, an operator decides.
    enum Role { SortRole = Qt::UserRole, LogIdRole, DisputedRole };

    explicit LogsModel(Service::AdminService *admin, QObject *parent = nullptr);

    void setPageSize(int rows);
    int pageSize() const { return m_pageSize; }
    void setFilter(const Store::LogFilter &filter); // back to the first page
    const Store::LogFilter &filter() const { return m_filter; }
    void setCurrencyDisplay(CurrencyDisplay display);

    void firstPage();
    bool nextPage();
    bool previousPage();
    bool hasNextPage() const { return m_next.has_value(); }
    bool hasPreviousPage() const { return !m_history.isEmpty(); }
    int pageNumber() const { return int(m_history.size()) + 1; } // 1-based
    // Rows matching the filter (COUNT over an index, once per filter, on the worker); empty until known.
    std::optional<qint64> totalCount() const { return m_total; }
    bool isLoading() const { return m_pending > 0; }

    const Store::LogRecord *recordAt(int row) const;
    // Reloads the id → name maps for users, keys and channels (after edits on other pages), then the page.
    void reloadNames();
    void reload(); // the current page again (new rows, same cursor)
    QString userName(qint64 id) const;
    QString keyName(qint64 id) const;
    QString channelName(qint64 id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString typeName(Store::LogType type);
    // The Endpoint column: the endpoint kind's name for a row that names its request path (other.request_path,
    // through Monitor::endpointKindForPath), empty for one that does not (a top-up, a manage row).
    static QString endpointName(const Store::LogRecord &record);
    // Narrows `filter` to one endpoint kind (nullopt: any): the kind's request paths, or for Other every path that
    // is not listed (and not empty: rows that name no endpoint are not calls of some other endpoint).
    static void setEndpointKind(Store::LogFilter &filter, std::optional<Monitor::EndpointKind> kind);
    static bool isDisputed(const Store::LogRecord &record);
    // What needs an operator's eye: disputed, overage, recovered, usage counted locally (comma-separated).
    static QString flags(const Store::LogRecord &record);
    // A readable, multi-line rendering of a log row with its `other` JSON (the detail pane).
    QString describe(const Store::LogRecord &record) const;

signals:
    void pageChanged();
    void totalCountChanged();
    void loadingChanged(bool loading);

private:
    void load(const std::optional<Store::LogCursor> &after);
    void loadTotal();
    template<class Query, class Done>
    void run(Query q, Done done);

    Service::AdminService *m_admin = nullptr;
    int m_pending = 0;
    quint64 m_pageGeneration = 0;   // a page read that lands after a newer one was asked for is dropped
    quint64 m_filterGeneration = 0;
    Store::LogFilter m_filter;
    int m_pageSize = 200;
    QList<Store::LogRecord> m_rows;
    std::optional<Store::LogCursor> m_current;          // cursor this page started after (none = first page)
    std::optional<Store::LogCursor> m_next;
    QList<std::optional<Store::LogCursor>> m_history;   // start cursors of the previous pages
    std::optional<qint64> m_total;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
    QHash<qint64, QString> m_users, m_keys, m_channels;
};

} // namespace RelayDesk::Ui
