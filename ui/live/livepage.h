#pragma once

#include "shell/consolepage.h"
#include "widgets/money.h"
#include "live/sessionpricer.h"

#include "monitor/sessionregistry.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;
class QTimer;

namespace RelayDesk::Ui {

class LiveSessionsModel;
class LiveSessionsProxy;
class SessionDetailView;

// The Live page: a sortable, filterable table of live and recently ended sessions on top, the selected
// session's detail below. registry may be null (the page then says that nothing is being monitored).
class LivePage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit LivePage(Monitor::SessionRegistry *registry, QWidget *parent = nullptr);

    void setPricer(SessionPricer pricer);
    // Other instances on the database: their published sessions are read through `admin` (on its worker) about
    // once a second and listed beside this process's own (localInstance: this process's id, skipped there).
    void setRemoteSource(Service::AdminService *admin, const QString &localInstance);
    // One read of the other instances' sessions now (the timer calls it); emits remoteLoaded when applied.
    void refreshRemote();
    void setCurrencyDisplay(CurrencyDisplay display) override;
    void selectSession(quint64 id);
    quint64 selectedSession() const;
    void refresh() override;

    LiveSessionsModel *model() const { return m_model; }
    LiveSessionsProxy *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    SessionDetailView *detail() const { return m_detail; }

    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

signals:
    void remoteLoaded();

private:
    void updateCount();
    void showDetail(const QModelIndex &current);

    QPointer<Service::AdminService> m_admin;
    QTimer *m_remoteTimer = nullptr;
    bool m_remoteInFlight = false;

    LiveSessionsModel *m_model = nullptr;
    LiveSessionsProxy *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    SessionDetailView *m_detail = nullptr;
    QSplitter *m_splitter = nullptr;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_showEnded = nullptr;
    QLabel *m_count = nullptr;
};

} // namespace RelayDesk::Ui
