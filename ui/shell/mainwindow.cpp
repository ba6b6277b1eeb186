#include "shell/mainwindow.h"

#include "shell/alertnotifier.h"
#include "shell/appicon.h"
#include "shell/consolepage.h"
#include "channels/channelspage.h"
#include "dashboard/dashboardpage.h"
#include "instances/instancespage.h"
#include "live/livepage.h"
#include "users/userskeyspage.h"
#include "logs/logspage.h"
#include "pricing/pricingpage.h"
#include "shell/settingsdialog.h"
#include "shell/translation.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

namespace {
const char *const kPageKeys[] = {"live", "pricing", "users", "channels", "logs", "dashboard", "instances"};
} // namespace

MainWindow::MainWindow(ConsoleServices services, QWidget *parent)
    : QMainWindow(parent)
    , m_services(std::move(services))
{
    qRegisterMetaType<RelayDesk::Ui::ConsoleStatus>();
    setObjectName(QStringLiteral("RelayDeskMainWindow"));
    setWindowIcon(appIcon());
    m_status.dataDir = m_services.dataDir;
    {
        const auto settings = settingsStore();
        m_preferences = ConsolePreferences::load(*settings);
    }
    buildUi();
    buildTray();
    restoreLayout();
    if (m_services.admin) {
        m_alerts = new AlertNotifier(m_services.admin, this);
        m_alerts->setCurrencyDisplay(m_preferences.currency);
        connect(m_alerts, &AlertNotifier::alert, this, &MainWindow::showAlert);
        m_alerts->start();
    }
}

void MainWindow::showAlert(const QString &title, const QString &message)
{
    // Without a tray (offscreen, some Wayland sessions) the status bar says it, for a while.
    constexpr int kShownMs = 15'000;
    if (m_tray && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(title, message, QSystemTrayIcon::Warning, kShownMs);
    statusBar()->showMessage(title + QStringLiteral(": ") + message, kShownMs);
}

MainWindow::~MainWindow()
{
    if (m_tray)
        m_tray->hide();
}

std::unique_ptr<QSettings> MainWindow::settingsStore() const
{
    if (!m_services.settingsFile.isEmpty())
        return std::make_unique<QSettings>(m_services.settingsFile, QSettings::IniFormat);
    return std::make_unique<QSettings>();
}

void MainWindow::buildUi()
{
    setWindowTitle(tr("RelayDesk"));
    buildPages();
    buildMenus();
    buildStatusBar();
    applyCurrency();
    updateStatusWidgets();
}

void MainWindow::buildPages()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("pages"));
    m_tabs->setDocumentMode(true);
    // Each tab holds a holder; its page is built when first needed (shown, or asked for by page()) or by
    // settleNextPage(), one per event-loop pass: building all six at once blocked the GUI thread for up to
    // 90 ms at start and at each language switch.
    m_pages = QList<QWidget *>(kPageCount, nullptr);
    m_stale = QList<bool>(kPageCount, false);
    for (int i = 0; i < kPageCount; ++i) {
        auto *holder = new QWidget(m_tabs);
        auto *layout = new QVBoxLayout(holder);
        layout->setContentsMargins(0, 0, 0, 0);
        m_tabs->addTab(holder, QString());
    }
    retitleTabs();
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index >= 0)
            ensurePage(index);
    });
    setCentralWidget(m_tabs);
    scheduleSettle();
}

void MainWindow::retitleTabs()
{
    for (int i = 0; i < kPageCount; ++i) {
        m_tabs->setTabText(i, pageTitle(Page(i)));
        m_tabs->setTabToolTip(i, tr("%1 (Ctrl+%2)").arg(pageTitle(Page(i))).arg(i + 1));
    }
}

QWidget *MainWindow::ensurePage(int index) const
{
    if (index < 0 || index >= m_pages.size() || !m_tabs)
        return nullptr;
    auto *self = const_cast<MainWindow *>(this); // (re)building a page is not a visible change of the window
    if (m_stale[index])
        self->retirePage(index); // wanted now: rebuild it in this pass rather than show the old language
    if (m_pages[index])
        return m_pages[index];
    QWidget *holder = m_tabs->widget(index);
    QWidget *w = self->createPage(Page(index));
    w->setObjectName(QString::fromLatin1(kPageKeys[index]) + QStringLiteral("Page"));
    holder->layout()->addWidget(w);
    self->m_pages[index] = w;
    if (auto *p = qobject_cast<ConsolePage *>(w)) {
        p->setCurrencyDisplay(m_preferences.currency);
        const auto settings = settingsStore();
        p->restoreState(settings->value(QStringLiteral("pages/%1").arg(QLatin1String(kPageKeys[index]))).toByteArray());
    }
    if (auto *pricing = qobject_cast<PricingPage *>(w); pricing && m_carriedDraft)
        pricing->adoptDraft(*std::exchange(self->m_carriedDraft, std::nullopt));
    return w;
}

void MainWindow::retirePage(int index)
{
    m_stale[index] = false;
    QWidget *old = std::exchange(m_pages[index], nullptr);
    if (!old)
        return;
    savePageState(index);
    // An unapplied pricing draft survives the rebuild (its undo history does not).
    if (auto *pricing = qobject_cast<PricingPage *>(old); pricing && pricing->hasUnappliedChanges())
        m_carriedDraft = pricing->draft();
    // Deleted now, not later: deferred deletes of several pages would land in one pass of the event loop.
    delete old;
}

bool MainWindow::pagesPending() const
{
    return m_pages.contains(nullptr) || m_stale.contains(true);
}

// One step per event-loop pass: retire a page built under the previous language, or build a missing one.
void MainWindow::settleNextPage()
{
    m_settleScheduled = false;
    if (!m_tabs)
        return;
    if (const int stale = int(m_stale.indexOf(true)); stale >= 0)
        retirePage(stale);
    else if (const int missing = int(m_pages.indexOf(nullptr)); missing >= 0)
        ensurePage(missing);
    else
        return;
    scheduleSettle();
}

void MainWindow::scheduleSettle()
{
    if (std::exchange(m_settleScheduled, true))
        return; // one chain at a time, so a pass does one step
    QTimer::singleShot(0, this, &MainWindow::settleNextPage);
}

QWidget *MainWindow::createPage(Page page)
{
    const QString noDatabase = tr("No database is open, so there is nothing to show here. Start RelayDesk with a "
                                  "writable data directory (Settings → Data directory, or --data DIR).");
    switch (page) {
    case Page::Live: {
        auto *live = new LivePage(m_services.sessions, m_tabs);
        live->setPricer(m_services.pricer ? m_services.pricer : pricerFromService(m_services.pricing));
        if (m_services.admin) // other instances' sessions, as they publish them to the database
            live->setRemoteSource(m_services.admin, m_services.instanceId);
        return live;
    }
    case Page::Pricing:
        if (!m_services.pricing)
            return new UnavailablePage(pageTitle(page), tr("The pricing editor appears here once the billing "
                                                           "service is connected."), m_tabs);
        return new PricingPage(m_services.admin, m_services.pricing, m_tabs);
    case Page::Logs:
        if (m_services.admin)
            return new LogsPage(m_services.admin, m_tabs);
        return new UnavailablePage(pageTitle(page), noDatabase, m_tabs);
    case Page::UsersKeys:
        if (m_services.admin) {
            auto *users = new UsersKeysPage(m_services.admin, m_tabs);
            return users;
        }
        return new UnavailablePage(pageTitle(page), noDatabase, m_tabs);
    case Page::Channels:
        if (m_services.admin) {
            auto *channels = new ChannelsPage(m_services.admin, httpChannelTester(), m_tabs);
            return channels;
        }
        return new UnavailablePage(pageTitle(page), noDatabase, m_tabs);
    case Page::Dashboard:
        if (m_services.admin)
            return new DashboardPage(m_services.admin, m_tabs);
        return new UnavailablePage(pageTitle(page), noDatabase, m_tabs);
    case Page::Instances:
        if (m_services.admin)
            return new InstancesPage(m_services.admin, m_services.instanceId, m_tabs);
        return new UnavailablePage(pageTitle(page), noDatabase, m_tabs);
    }
    return nullptr;
}

QString MainWindow::pageTitle(Page page) const
{
    switch (page) {
    case Page::Live: return tr("Live");
    case Page::Pricing: return tr("Pricing");
    case Page::UsersKeys: return tr("Users && Keys");
    case Page::Channels: return tr("Channels");
    case Page::Logs: return tr("Logs");
    case Page::Dashboard: return tr("Dashboard");
    case Page::Instances: return tr("Instances");
    }
    return {};
}

void MainWindow::buildMenus()
{
    menuBar()->clear();
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *settings = file->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    settings->setShortcut(QKeySequence::Preferences);
    settings->setShortcutContext(Qt::ApplicationShortcut);
    if (settings->shortcut().isEmpty())
        settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    QAction *simulate = file->addAction(tr("Simulate &traffic"), this, &MainWindow::simulateTrafficRequested);
    simulate->setToolTip(tr("Drive a few simulated chat and Realtime sessions so the console comes alive"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, [this] {
        m_quitting = true;
        close();
        QApplication::quit();
    });
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setObjectName(QStringLiteral("quitAction"));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < kPageCount; ++i) {
        QAction *a = view->addAction(pageTitle(Page(i)), this, [this, i] { showPage(Page(i)); });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        a->setObjectName(QStringLiteral("pageAction%1").arg(i + 1));
    }
    view->addSeparator();
    QAction *refreshAction = view->addAction(tr("&Refresh"), this, &MainWindow::refresh);
    refreshAction->setShortcut(QKeySequence::Refresh);
    if (refreshAction->shortcut() != QKeySequence(Qt::Key_F5))
        refreshAction->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence::Refresh});
    refreshAction->setObjectName(QStringLiteral("refreshAction"));

    QMenu *relay = menuBar()->addMenu(tr("&Relay"));
    relay->addAction(tr("&Start relay"), this, &MainWindow::relayStartRequested);
    relay->addAction(tr("S&top relay"), this, &MainWindow::relayStopRequested);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About RelayDesk"), this, [this] {
        QMessageBox::about(this, tr("About RelayDesk"),
                           tr("<b>RelayDesk</b> %1<br>An OpenAI-compatible relay with a desktop console.<br>"
                              "Data directory: %2")
                               .arg(QApplication::applicationVersion(), m_services.dataDir.toHtmlEscaped()));
    });
}

void MainWindow::buildStatusBar()
{
    // Recreated on a language change: drop the old widgets first.
    for (QWidget *w : {static_cast<QWidget *>(m_relayButton), static_cast<QWidget *>(m_relayLabel),
                       static_cast<QWidget *>(m_rateLabel), static_cast<QWidget *>(m_sessionsLabel),
                       static_cast<QWidget *>(m_tokensLabel), static_cast<QWidget *>(m_quotaLabel),
                       static_cast<QWidget *>(m_dataLabel)}) {
        if (w) {
            statusBar()->removeWidget(w);
            delete w;
        }
    }
    auto label = [this](const char *name) {
        auto *l = new QLabel(this);
        l->setObjectName(QLatin1String(name));
        l->setContentsMargins(6, 0, 6, 0);
        return l;
    };
    m_relayButton = new QToolButton(this);
    m_relayButton->setObjectName(QStringLiteral("relayToggle"));
    m_relayButton->setAutoRaise(true);
    connect(m_relayButton, &QToolButton::clicked, this, [this] {
        if (m_status.relayState == ConsoleStatus::RelayState::Running ||
            m_status.relayState == ConsoleStatus::RelayState::Starting)
            emit relayStopRequested();
        else
            emit relayStartRequested();
    });
    m_relayLabel = label("relayStatus");
    m_rateLabel = label("requestRate");
    m_sessionsLabel = label("liveSessions");
    m_tokensLabel = label("tokenRate");
    m_quotaLabel = label("quotaToday");
    m_dataLabel = label("dataDir");
    m_dataLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addWidget(m_relayButton);
    statusBar()->addWidget(m_relayLabel);
    statusBar()->addWidget(m_rateLabel);
    statusBar()->addWidget(m_sessionsLabel);
    statusBar()->addWidget(m_tokensLabel);
    statusBar()->addWidget(m_quotaLabel);
    statusBar()->addPermanentWidget(m_dataLabel);
}

void MainWindow::buildTray()
{
    // Offscreen, minimal and some Wayland sessions have no tray: then there is simply no icon.
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        delete m_tray;
        m_tray = nullptr;
        return;
    }
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(appIcon(), this);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick) {
                showNormal();
                raise();
                activateWindow();
            }
        });
    }
    delete m_trayMenu;
    m_trayMenu = new QMenu(this);
    m_trayMenu->addAction(tr("Show RelayDesk"), this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    m_trayMenu->addSeparator();
    m_trayMenu->addAction(tr("Quit"), this, [this] {
        m_quitting = true;
        close();
        QApplication::quit();
    });
    m_tray->setContextMenu(m_trayMenu);
    m_tray->setToolTip(statusText());
    m_tray->show();
}

QString MainWindow::statusText() const
{
    QString relay;
    switch (m_status.relayState) {
    case ConsoleStatus::RelayState::Stopped: relay = tr("Relay stopped"); break;
    case ConsoleStatus::RelayState::Starting: relay = tr("Relay starting…"); break;
    case ConsoleStatus::RelayState::Running: relay = tr("Relay on %1").arg(m_status.relayAddress); break;
    case ConsoleStatus::RelayState::Failed: relay = tr("Relay failed: %1").arg(m_status.relayError); break;
    }
    return tr("%1 · %2 req/s · live sessions: %3 · %4 tokens/min · %5 today")
        .arg(relay, QLocale().toString(m_status.requestsPerSecond, 'f', 1), QString::number(m_status.liveSessions),
             formatTokens(m_status.tokensPerMinute), formatQuota(m_status.quotaSpentToday, m_preferences.currency));
}

void MainWindow::setStatus(const ConsoleStatus &status)
{
    m_status = status;
    if (m_status.dataDir.isEmpty())
        m_status.dataDir = m_services.dataDir;
    updateStatusWidgets();
}

void MainWindow::updateStatusWidgets()
{
    if (!m_relayLabel)
        return;
    switch (m_status.relayState) {
    case ConsoleStatus::RelayState::Stopped:
        m_relayLabel->setText(tr("Relay stopped"));
        m_relayButton->setText(tr("Start"));
        break;
    case ConsoleStatus::RelayState::Starting:
        m_relayLabel->setText(tr("Relay starting…"));
        m_relayButton->setText(tr("Stop"));
        break;
    case ConsoleStatus::RelayState::Running:
        m_relayLabel->setText(tr("Relay on %1").arg(m_status.relayAddress));
        m_relayButton->setText(tr("Stop"));
        break;
    case ConsoleStatus::RelayState::Failed:
        m_relayLabel->setText(tr("Relay failed"));
        m_relayLabel->setToolTip(m_status.relayError);
        m_relayButton->setText(tr("Start"));
        break;
    }
    m_relayButton->setToolTip(m_relayButton->text() == tr("Start") ? tr("Start the relay") : tr("Stop the relay"));
    m_rateLabel->setText(tr("%1 req/s").arg(QLocale().toString(m_status.requestsPerSecond, 'f', 1)));
    m_sessionsLabel->setText(tr("Live sessions: %1").arg(m_status.liveSessions));
    m_tokensLabel->setText(tr("%1 tokens/min").arg(formatTokens(m_status.tokensPerMinute)));
    m_quotaLabel->setText(tr("%1 spent today").arg(formatQuota(m_status.quotaSpentToday, m_preferences.currency)));
    m_dataLabel->setText(tr("Data: %1").arg(m_status.dataDir));
    if (m_tray)
        m_tray->setToolTip(statusText());
}

void MainWindow::showPage(Page page)
{
    m_tabs->setCurrentIndex(int(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(std::max(0, m_tabs->currentIndex()));
}

QWidget *MainWindow::page(Page page) const
{
    return ensurePage(int(page));
}

LivePage *MainWindow::livePage() const
{
    return qobject_cast<LivePage *>(page(Page::Live));
}

void MainWindow::refresh()
{
    if (auto *p = qobject_cast<ConsolePage *>(ensurePage(m_tabs->currentIndex())))
        p->refresh();
}

void MainWindow::applyCurrency()
{
    if (m_alerts)
        m_alerts->setCurrencyDisplay(m_preferences.currency);
    for (QWidget *w : std::as_const(m_pages))
        if (auto *p = qobject_cast<ConsolePage *>(w))
            p->setCurrencyDisplay(m_preferences.currency);
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_preferences, this);
    if (dialog.exec() == QDialog::Accepted)
        applyPreferences(dialog.preferences());
}

void MainWindow::applyPreferences(const ConsolePreferences &preferences)
{
    const ConsolePreferences old = m_preferences;
    m_preferences = preferences;
    {
        const auto settings = settingsStore();
        m_preferences.save(*settings);
    }
    if (old.currency != m_preferences.currency) {
        applyCurrency();
        updateStatusWidgets();
    }
    if (old.language != m_preferences.language)
        applyLanguage(m_preferences.language); // LanguageChange → rebuildForLanguage()
    if (!(old == m_preferences))
        emit preferencesChanged(m_preferences);
}

void MainWindow::changeEvent(QEvent *event)
{
    // Qt sends one LanguageChange per widget when a translator is installed or removed; rebuild once.
    if (event->type() == QEvent::LanguageChange && !m_rebuildPending && m_tabs) {
        m_rebuildPending = true;
        QTimer::singleShot(0, this, &MainWindow::rebuildForLanguage);
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::rebuildForLanguage()
{
    m_rebuildPending = false;
    setWindowTitle(tr("RelayDesk"));
    retitleTabs();
    buildMenus();
    buildStatusBar();
    updateStatusWidgets();
    if (m_tray)
        buildTray();
    // Rebuilding all six pages (and deleting the old ones) in this pass stalled the GUI thread for up to 88 ms:
    // the shown page is rebuilt now, the others in later passes, each at once if shown or asked for first.
    for (int i = 0; i < kPageCount; ++i)
        m_stale[i] = m_pages[i] != nullptr;
    ensurePage(m_tabs->currentIndex());
    scheduleSettle();
}

void MainWindow::saveLayout()
{
    const auto settings = settingsStore();
    settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings->setValue(QStringLiteral("window/state"), saveState());
    settings->setValue(QStringLiteral("window/page"), m_tabs ? m_tabs->currentIndex() : 0);
    for (int i = 0; i < m_pages.size(); ++i)
        savePageState(i);
}

void MainWindow::savePageState(int index) const
{
    if (auto *p = qobject_cast<ConsolePage *>(m_pages.value(index))) {
        const auto settings = settingsStore();
        settings->setValue(QStringLiteral("pages/%1").arg(QLatin1String(kPageKeys[index])), p->saveState());
    }
}

void MainWindow::restoreLayout()
{
    const auto settings = settingsStore();
    if (!restoreGeometry(settings->value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1280, 800);
    restoreState(settings->value(QStringLiteral("window/state")).toByteArray());
    for (int i = 0; i < m_pages.size(); ++i)
        if (auto *p = qobject_cast<ConsolePage *>(m_pages[i]))
            p->restoreState(settings->value(QStringLiteral("pages/%1").arg(QLatin1String(kPageKeys[i]))).toByteArray());
    m_tabs->setCurrentIndex(std::clamp(settings->value(QStringLiteral("window/page")).toInt(), 0, kPageCount - 1));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::quitAfter(int milliseconds)
{
    QTimer::singleShot(milliseconds, this, [this] {
        m_quitting = true;
        close();
        QApplication::quit();
    });
}

} // namespace RelayDesk::Ui
