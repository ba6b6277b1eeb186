#pragma once

#include "shell/deliverlater.h"
#include "widgets/money.h"

#include "service/adminservice.h"

#include <QPointer>
#include <QWidget>

class QLabel;

namespace RelayDesk::Ui {

// A page of the main window. MainWindow talks to every page through this small interface: refresh on
// F5, persist the column/splitter layout in QSettings, and switch the money display.
//
// Pages read and write through Service::AdminService, always off the GUI thread: query() runs a call on the
// service's worker and hands its result to a continuation on the GUI thread. While calls run the page is
// "loading": its busy widget is disabled and a "Loading…" label floats over it, so a slow database shows as a
// state, never as a frozen window.
class ConsolePage : public QWidget
{
    Q_OBJECT

public:
    using QWidget::QWidget;

    virtual void refresh() {}
    virtual QByteArray saveState() const { return {}; }
    virtual void restoreState(const QByteArray &) {}
    virtual void setCurrencyDisplay(CurrencyDisplay) {}

    bool isLoading() const { return m_loading > 0; }

signals:
    void loadingChanged(bool loading);

protected:
    // Runs query(AdminService&) on the service's worker; done(result) runs on the GUI thread afterwards
    // from the event loop (never inside query(), never if this page is gone by then). Calls run in the order made.
    template<class Query, class Done>
    void query(Service::AdminService *admin, Query q, Done done)
    {
        if (!admin)
            return;
        using Result = std::invoke_result_t<Query, Service::AdminService &>;
        beginLoading();
        deliverLater(admin->async(std::move(q)), this, [this, done = std::move(done)](Result result) mutable {
            endLoading();
            done(std::move(result));
        });
    }
    // Reloads when `admin` reports a change of one of `kinds` (another page's edit, the CLI, another console),
    // at most once per event-loop pass however many edits arrive together.
    void refreshOnChanges(Service::AdminService *admin, QList<Store::ChangeKind> kinds);
    // One refresh() on the next event-loop pass, however often this is called before it runs.
    void scheduleRefresh();
    void setBusyWidget(QWidget *widget) { m_busyWidget = widget; }
    void beginLoading();
    void endLoading();
    void resizeEvent(QResizeEvent *event) override;

private:
    void placeLoadingLabel();

    int m_loading = 0;
    bool m_refreshPending = false;
    QPointer<QWidget> m_busyWidget;
    QLabel *m_loadingLabel = nullptr;
};

// Shown for a page whose core service is not available (e.g. no database); says what is missing.
class UnavailablePage final : public ConsolePage
{
    Q_OBJECT

public:
    UnavailablePage(const QString &title, const QString &reason, QWidget *parent = nullptr);
};

} // namespace RelayDesk::Ui
