#pragma once

#include "shell/consolepreferences.h"
#include "shell/consoleservices.h"
#include "shell/consolestatus.h"
#include "pricing/pricingdraft.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>
#include <optional>

class QAction;
class QLabel;
class QSettings;
class QSystemTrayIcon;
class QTabWidget;
class QToolButton;

namespace RelayDesk::Ui {

class AlertNotifier;
class LivePage;

// The console window: seven pages (Live, Pricing, Users & Keys, Channels, Logs, Dashboard, Instances), a status bar
// fed by setStatus(), a tray icon when the platform has one, shortcuts, Settings, and QSettings for
// geometry, window state and every table's column layout.
//
// Language changes (Settings or a QTranslator swap) rebuild the pages in place, so every string is
// retranslated live; column layouts, the current page and an unapplied pricing draft survive the rebuild.
// The shown page is rebuilt at once, the others one per event-loop pass (or at once when shown or asked
// for), so no single pass of the GUI thread tears down and builds all six.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    enum class Page { Live, Pricing, UsersKeys, Channels, Logs, Dashboard, Instances };
    static constexpr int kPageCount = 7;

    explicit MainWindow(ConsoleServices services, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    Page currentPage() const;
    QWidget *page(Page page) const; // built (or rebuilt after a language switch) on first use
    // True while pages are still to be built or rebuilt in later event-loop passes.
    bool pagesPending() const;
    LivePage *livePage() const;

    const ConsoleStatus &status() const { return m_status; }
    const ConsolePreferences &preferences() const { return m_preferences; }
    // Applies preferences as if accepted in the Settings dialog (saves them, switches language/currency).
    void applyPreferences(const ConsolePreferences &preferences);
    QSystemTrayIcon *trayIcon() const { return m_tray; }
    QString statusText() const; // the one-line summary used by the tray tooltip

    // Closes the window and quits after the given delay (used by smoke tests and screenshots).
    void quitAfter(int milliseconds);
    void saveLayout();

public slots:
    void setStatus(const RelayDesk::Ui::ConsoleStatus &status);
    // A spend alert (AlertNotifier): a tray notification, and the status bar.
    void showAlert(const QString &title, const QString &message);
    void refresh();
    void openSettings();

signals:
    void relayStartRequested();
    void relayStopRequested();
    void simulateTrafficRequested();
    void preferencesChanged(const RelayDesk::Ui::ConsolePreferences &preferences);

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void buildPages();
    void buildMenus();
    void buildStatusBar();
    void buildTray();
    void rebuildForLanguage();
    void restoreLayout();
    void updateStatusWidgets();
    void applyCurrency();
    QWidget *createPage(Page page);
    QWidget *ensurePage(int index) const; // builds the page on first use, rebuilds it when stale
    void retirePage(int index);           // deletes a page (keeping its layout and pricing draft)
    void savePageState(int index) const;
    void retitleTabs();
    void settleNextPage();
    void scheduleSettle();
    QString pageTitle(Page page) const;
    std::unique_ptr<QSettings> settingsStore() const;

    ConsoleServices m_services;
    AlertNotifier *m_alerts = nullptr;
    ConsolePreferences m_preferences;
    ConsoleStatus m_status;
    QTabWidget *m_tabs = nullptr;
    QList<QWidget *> m_pages;
    QList<bool> m_stale; // built under the previous language: rebuilt by settleNextPage() or when needed
    std::optional<PriceDraft> m_carriedDraft; // an unapplied draft of a retired Pricing page
    QLabel *m_relayLabel = nullptr;
    QToolButton *m_relayButton = nullptr;
    QLabel *m_rateLabel = nullptr;
    QLabel *m_sessionsLabel = nullptr;
    QLabel *m_tokensLabel = nullptr;
    QLabel *m_quotaLabel = nullptr;
    QLabel *m_dataLabel = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QPointer<QMenu> m_trayMenu;
    bool m_rebuildPending = false;
    bool m_settleScheduled = false;
    bool m_quitting = false;
};

} // namespace RelayDesk::Ui
