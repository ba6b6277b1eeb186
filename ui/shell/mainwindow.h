#pragma once

#include "shell/consolepreferences.h"
#include "shell/consoleservices.h"
#include "shell/consolestatus.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QAction;
class QLabel;
class QSettings;
class QSystemTrayIcon;
class QTabWidget;
class QToolButton;

namespace RelayDesk::Ui {

class LivePage;

// The console window: six pages (Live, Pricing, Users & Keys, Channels, Logs, Dashboard), a status bar
// fed by setStatus(), a tray icon when the platform has one, shortcuts, Settings, and QSettings for
// geometry, window state and every table's column layout.
//
// Language changes (Settings or a QTranslator swap) rebuild the pages in place, so every string is
// retranslated live; column layouts and the current page survive the rebuild.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    enum class Page { Live, Pricing, UsersKeys, Channels, Logs, Dashboard };
    static constexpr int kPageCount = 6;

    explicit MainWindow(ConsoleServices services, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    Page currentPage() const;
    QWidget *page(Page page) const; // built on first use
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
    QWidget *ensurePage(int index) const; // builds the page on first use
    void buildNextPage();
    QString pageTitle(Page page) const;
    std::unique_ptr<QSettings> settingsStore() const;

    ConsoleServices m_services;
    ConsolePreferences m_preferences;
    ConsoleStatus m_status;
    QTabWidget *m_tabs = nullptr;
    QList<QWidget *> m_pages;
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
    bool m_quitting = false;
};

} // namespace RelayDesk::Ui
