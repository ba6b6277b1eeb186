#pragma once

#include "widgets/money.h"
#include "live/sessionpricer.h"

#include "monitor/sessionregistry.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTableView;
class QToolButton;

namespace RelayDesk::Ui {

class BreakdownBar;
class SessionEventsModel;
class SessionEventsProxy;
class SessionTurnsChart;
class SessionTurnsModel;

// The detail of one session: stacked breakdown bars (input text/audio/image/cached, output
// text/audio/reasoning) in tokens and in money, the reservation against what was charged, the session's turns
// (a Realtime session's responses: table and chart, shown once there is one) and the live event timeline
// (pausable, filterable by direction and event type).
class SessionDetailView final : public QWidget
{
    Q_OBJECT

public:
    explicit SessionDetailView(Monitor::SessionRegistry *registry, QWidget *parent = nullptr);

    void setPricer(SessionPricer pricer);
    void setCurrencyDisplay(CurrencyDisplay display);
    quint64 session() const { return m_session; }

    SessionEventsModel *eventsModel() const { return m_events; }
    BreakdownBar *inputTokensBar() const { return m_inputTokens; }
    BreakdownBar *outputTokensBar() const { return m_outputTokens; }
    BreakdownBar *inputMoneyBar() const { return m_inputMoney; }
    BreakdownBar *outputMoneyBar() const { return m_outputMoney; }
    // Audio seconds, characters and images of a unit-priced call with what each costs; hidden when there are none.
    BreakdownBar *unitsBar() const { return m_units; }
    QProgressBar *reservationBar() const { return m_reservation; }
    SessionTurnsModel *turnsModel() const { return m_turns; }
    QWidget *turnsSection() const { return m_turnsSection; }
    QTableView *turnsTable() const { return m_turnsTable; }
    SessionTurnsChart *turnsChart() const { return m_turnsChart; }

    QByteArray saveState() const;
    void restoreState(const QByteArray &state);

public slots:
    void setSession(quint64 id); // 0 clears
    // A session another instance serves: its detail (events, turns, money bars) lives there, not here.
    void showRemote(const QString &instanceId);
    void onSessionsUpdated(const QList<RelayDesk::Monitor::SessionInfo> &changed);

private:
    void showSession(const Monitor::SessionInfo &info);
    void clear();
    void showUnits(const Monitor::SessionInfo &info, const std::optional<TokenPrices> &prices);
    QWidget *buildTurnsSection();
    void showTurns(const Monitor::SessionInfo &info);

    QPointer<Monitor::SessionRegistry> m_registry;
    SessionPricer m_pricer;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
    quint64 m_session = 0;

    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    BreakdownBar *m_inputTokens = nullptr;
    BreakdownBar *m_outputTokens = nullptr;
    BreakdownBar *m_inputMoney = nullptr;
    BreakdownBar *m_outputMoney = nullptr;
    BreakdownBar *m_units = nullptr;
    QProgressBar *m_reservation = nullptr;
    QLabel *m_reservationText = nullptr;
    SessionTurnsModel *m_turns = nullptr;
    QWidget *m_turnsSection = nullptr;
    QLabel *m_turnsSummary = nullptr;
    QTableView *m_turnsTable = nullptr;
    SessionTurnsChart *m_turnsChart = nullptr;
    SessionEventsModel *m_events = nullptr;
    SessionEventsProxy *m_eventsProxy = nullptr;
    QTableView *m_timeline = nullptr;
    QToolButton *m_pause = nullptr;
    QComboBox *m_direction = nullptr;
    QLineEdit *m_eventFilter = nullptr;
};

} // namespace RelayDesk::Ui
