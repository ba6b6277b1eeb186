#include "live/sessiondetailview.h"

#include "widgets/breakdownbar.h"
#include "live/livesessionsmodel.h"
#include "live/sessionbreakdown.h"
#include "live/sessioneventsmodel.h"
#include "live/sessionturnschart.h"
#include "live/sessionturnsmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDataStream>
#include <QHeaderView>
#include <QIODevice>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

using Monitor::SessionInfo;

namespace {

using Part = SessionBreakdown::Part;

QList<BreakdownBar::Segment> tokenSegments(const QList<Part> &parts, qint64 *total)
{
    QList<BreakdownBar::Segment> out;
    *total = 0;
    for (const Part &part : parts) {
        out.append({part.label, double(part.tokens), formatTokens(part.tokens), part.color});
        *total += part.tokens;
    }
    return out;
}

QList<BreakdownBar::Segment> moneySegments(const QList<Part> &parts, CurrencyDisplay currency, double *total)
{
    QList<BreakdownBar::Segment> out;
    *total = 0;
    for (const Part &part : parts) {
        const double quota = double(part.tokens) * part.pricePerToken;
        out.append({part.label, quota, formatQuota(quota, currency), part.color});
        *total += quota;
    }
    return out;
}

} // namespace

SessionPricer demoPricer()
{
    // Quota per token = (US$ per 1M tokens) / 2, since 500 000 quota = US$1.
    return [](const SessionInfo &s) -> std::optional<TokenPrices> {
        const QString m = s.model.toLower();
        if (m.startsWith(QLatin1String("gpt-4o-mini-realtime")))
            return TokenPrices{0.3, 0.15, 5, 0.15, 0, 0, 1.2, 10, 0.3};
        if (m.startsWith(QLatin1String("gpt-realtime")) || m.startsWith(QLatin1String("gpt-4o-realtime")))
            return TokenPrices{2, 0.2, 16, 0.2, 2.5, 0.25, 8, 32, 2};
        if (m.startsWith(QLatin1String("gpt-4o-mini")))
            return TokenPrices{0.075, 0.0375, 0, 0, 0.075, 0.0375, 0.3, 0, 0.075};
        if (m.startsWith(QLatin1String("gpt-4o")) || m.startsWith(QLatin1String("gpt-4.1")))
            return TokenPrices{1.25, 0.625, 0, 0, 1.25, 0.625, 5, 0, 1.25};
        if (m.startsWith(QLatin1String("o4-mini")))
            return TokenPrices{0.55, 0.1375, 0, 0, 0.55, 0.1375, 2.2, 0, 0.55};
        return std::nullopt;
    };
}

SessionDetailView::SessionDetailView(Monitor::SessionRegistry *registry, QWidget *parent)
    : QWidget(parent)
    , m_registry(registry)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_subtitle = new QLabel(this);
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_title);
    layout->addWidget(m_subtitle);

    auto *bars = new QGridLayout;
    m_inputTokens = new BreakdownBar(this);
    m_outputTokens = new BreakdownBar(this);
    m_inputMoney = new BreakdownBar(this);
    m_outputMoney = new BreakdownBar(this);
    m_inputTokens->setTitle(tr("Input tokens"));
    m_outputTokens->setTitle(tr("Output tokens"));
    m_inputMoney->setTitle(tr("Input cost"));
    m_outputMoney->setTitle(tr("Output cost"));
    bars->addWidget(m_inputTokens, 0, 0);
    bars->addWidget(m_outputTokens, 0, 1);
    bars->addWidget(m_inputMoney, 1, 0);
    bars->addWidget(m_outputMoney, 1, 1);
    m_units = new BreakdownBar(this);
    m_units->setObjectName(QStringLiteral("unitsBar"));
    m_units->setTitle(tr("Billed units"));
    m_units->setToolTip(tr("What the call is billed for besides tokens: audio by the second, text by the character, "
                           "images by the piece"));
    m_units->hide();
    bars->addWidget(m_units, 2, 0, 1, 2);
    layout->addLayout(bars);

    auto *reservationRow = new QHBoxLayout;
    auto *reservationLabel = new QLabel(tr("Charged of reserved:"), this);
    m_reservation = new QProgressBar(this);
    m_reservation->setTextVisible(false);
    m_reservation->setMaximumHeight(14);
    m_reservation->setToolTip(tr("The ledger holds a reservation before upstream work starts; charges are taken "
                                 "from it and the rest is released when the session settles."));
    m_reservationText = new QLabel(this);
    reservationRow->addWidget(reservationLabel);
    reservationRow->addWidget(m_reservation, 1);
    reservationRow->addWidget(m_reservationText);
    layout->addLayout(reservationRow);

    // Turns above the timeline; the user sizes the two.
    auto *sections = new QSplitter(Qt::Vertical, this);
    sections->setChildrenCollapsible(false);
    sections->addWidget(buildTurnsSection());
    auto *timelineSection = new QWidget(sections);
    auto *timelineLayout = new QVBoxLayout(timelineSection);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    sections->addWidget(timelineSection);
    sections->setStretchFactor(0, 0); // the turns keep their hinted height; the timeline takes the rest
    sections->setStretchFactor(1, 1);
    layout->addWidget(sections, 1);

    auto *timelineBar = new QHBoxLayout;
    auto *timelineLabel = new QLabel(tr("Event timeline"), this);
    QFont bold = timelineLabel->font();
    bold.setBold(true);
    timelineLabel->setFont(bold);
    m_pause = new QToolButton(this);
    m_pause->setCheckable(true);
    m_pause->setText(tr("Pause"));
    m_pause->setToolTip(tr("Stop following new events (they are fetched when you resume)"));
    m_direction = new QComboBox(this);
    m_direction->addItem(tr("All directions"), -1);
    m_direction->addItem(tr("From client"), int(Monitor::EventDirection::FromClient));
    m_direction->addItem(tr("From upstream"), int(Monitor::EventDirection::FromUpstream));
    m_direction->addItem(tr("Relay"), int(Monitor::EventDirection::Internal));
    m_eventFilter = new QLineEdit(this);
    m_eventFilter->setPlaceholderText(tr("Filter event types…"));
    m_eventFilter->setClearButtonEnabled(true);
    timelineBar->addWidget(timelineLabel);
    timelineBar->addStretch();
    timelineBar->addWidget(m_direction);
    timelineBar->addWidget(m_eventFilter);
    timelineBar->addWidget(m_pause);
    timelineLayout->addLayout(timelineBar);

    m_events = new SessionEventsModel(registry, this);
    m_eventsProxy = new SessionEventsProxy(this);
    m_eventsProxy->setSourceModel(m_events);
    m_timeline = new QTableView(this);
    m_timeline->setModel(m_eventsProxy);
    m_timeline->setObjectName(QStringLiteral("eventTimeline"));
    m_timeline->verticalHeader()->hide();
    m_timeline->verticalHeader()->setDefaultSectionSize(m_timeline->fontMetrics().height() + 6);
    m_timeline->horizontalHeader()->setStretchLastSection(true);
    m_timeline->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_timeline->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_timeline->setAlternatingRowColors(true);
    m_timeline->setColumnWidth(SessionEventsModel::Time, 110);
    m_timeline->setColumnWidth(SessionEventsModel::Direction, 130);
    m_timeline->setColumnWidth(SessionEventsModel::Type, 260);
    timelineLayout->addWidget(m_timeline, 1);

    connect(m_pause, &QToolButton::toggled, this, [this](bool paused) {
        m_events->setPaused(paused);
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    });
    connect(m_direction, &QComboBox::currentIndexChanged, this,
            [this] { m_eventsProxy->setDirection(m_direction->currentData().toInt()); });
    connect(m_eventFilter, &QLineEdit::textChanged, m_eventsProxy, &QSortFilterProxyModel::setFilterFixedString);
    // Follow the newest event unless the user scrolled up or paused.
    connect(m_eventsProxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_events->isPaused())
            m_timeline->scrollToBottom();
    });
    if (m_registry)
        connect(m_registry, &Monitor::SessionRegistry::sessionsUpdated, this, &SessionDetailView::onSessionsUpdated);
    clear();
}

QWidget *SessionDetailView::buildTurnsSection()
{
    m_turnsSection = new QWidget(this);
    m_turnsSection->setObjectName(QStringLiteral("turnsSection"));
    auto *layout = new QVBoxLayout(m_turnsSection);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *header = new QHBoxLayout;
    auto *label = new QLabel(tr("Turns"), m_turnsSection);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    m_turnsSummary = new QLabel(m_turnsSection);
    header->addWidget(label);
    header->addWidget(m_turnsSummary, 1);
    layout->addLayout(header);

    m_turns = new SessionTurnsModel(m_registry, this);
    auto *split = new QSplitter(Qt::Horizontal, m_turnsSection);
    m_turnsTable = new QTableView(split);
    m_turnsTable->setObjectName(QStringLiteral("turnsTable"));
    m_turnsTable->setModel(m_turns);
    m_turnsTable->verticalHeader()->hide();
    m_turnsTable->verticalHeader()->setDefaultSectionSize(m_turnsTable->fontMetrics().height() + 6);
    m_turnsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_turnsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_turnsTable->setAlternatingRowColors(true);
    // Widths for the widest usual cell ("12 · transcription", "1,234 text · 5,678 audio (900 cached)").
    const int digit = m_turnsTable->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    const std::pair<int, int> widths[] = {{SessionTurnsModel::Number, 16}, {SessionTurnsModel::Input, 38},
                                          {SessionTurnsModel::Output, 24}, {SessionTurnsModel::Cached, 9},
                                          {SessionTurnsModel::Cost, 12}, {SessionTurnsModel::Latency, 16}};
    for (const auto &[column, chars] : widths)
        m_turnsTable->setColumnWidth(column, chars * digit);
    m_turnsChart = new SessionTurnsChart(m_turns, split);
    m_turnsChart->setObjectName(QStringLiteral("turnsChart"));
    m_turnsChart->setMinimumWidth(30 * digit);
    split->addWidget(m_turnsTable);
    split->addWidget(m_turnsChart);
    // The chart keeps its hinted width; the table takes the rest (the user can drag the handle).
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 0);
    layout->addWidget(split, 1);
    // Follow the newest turn, as the timeline follows the newest event.
    connect(m_turns, &QAbstractItemModel::rowsInserted, m_turnsTable, &QTableView::scrollToBottom);
    m_turnsSection->hide();
    return m_turnsSection;
}

void SessionDetailView::showTurns(const SessionInfo &s)
{
    m_turnsSection->setVisible(s.turnCount > 0);
    if (s.turnCount == 0)
        return;
    qint64 quota = 0;
    for (const Monitor::SessionTurn &turn : m_turns->turns())
        quota += turn.quota;
    QString summary = tr("%n turn(s), %1 charged", nullptr, int(std::min<qint64>(s.turnCount, INT_MAX)))
                          .arg(formatQuota(quota, m_currency));
    if (s.turnsDropped > 0)
        summary = tr("%1 · the oldest %2 no longer shown").arg(summary).arg(s.turnsDropped);
    m_turnsSummary->setText(summary);
}

void SessionDetailView::setPricer(SessionPricer pricer)
{
    m_pricer = std::move(pricer);
    setSession(std::exchange(m_session, 0));
}

void SessionDetailView::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display;
    m_turns->setCurrencyDisplay(display);
    setSession(std::exchange(m_session, 0));
}

void SessionDetailView::setSession(quint64 id)
{
    m_session = id;
    m_events->setSession(id);
    m_turns->setSession(id);
    const auto info = (m_registry && id) ? m_registry->session(id) : std::nullopt;
    if (info)
        showSession(*info);
    else
        clear();
}

void SessionDetailView::showRemote(const QString &instanceId)
{
    setSession(0);
    m_title->setText(tr("Session on another instance"));
    m_subtitle->setText(tr("Details are on instance %1. This console sees what that instance publishes: tokens, "
                           "quota and state, about once a second.").arg(instanceId));
}

void SessionDetailView::onSessionsUpdated(const QList<SessionInfo> &changed)
{
    if (m_session == 0)
        return;
    for (const SessionInfo &info : changed) {
        if (info.id == m_session) {
            showSession(info);
            return;
        }
    }
}

void SessionDetailView::clear()
{
    m_title->setText(tr("No session selected"));
    m_subtitle->setText(tr("Select a session in the table above to see its token breakdown and events."));
    for (BreakdownBar *bar : {m_inputTokens, m_outputTokens, m_inputMoney, m_outputMoney})
        bar->setPlaceholder(QString());
    m_units->hide();
    m_reservation->setRange(0, 1);
    m_reservation->setValue(0);
    m_reservationText->clear();
    m_turnsSection->hide();
}

void SessionDetailView::showUnits(const SessionInfo &s, const std::optional<TokenPrices> &prices)
{
    const QList<SessionBreakdown::UnitPart> parts = SessionBreakdown::unitParts(s.units, prices.value_or(TokenPrices{}));
    m_units->setVisible(!parts.isEmpty());
    if (parts.isEmpty())
        return;
    if (!prices) {
        QStringList words;
        for (const auto &part : parts)
            words << part.label;
        m_units->setPlaceholder(tr("%1 (no price configured for %2)").arg(words.join(QStringLiteral(" · ")), s.model));
        return;
    }
    QList<BreakdownBar::Segment> segments;
    double total = 0;
    for (const auto &part : parts) {
        segments.append({part.label, part.quota, formatQuota(part.quota, m_currency), part.color});
        total += part.quota;
    }
    m_units->setSegments(segments, formatQuota(total, m_currency));
}

void SessionDetailView::showSession(const SessionInfo &s)
{
    const QString kind = LiveSessionsModel::kindLabel(s.kind);
    m_title->setText(tr("Session %1 · %2 · %3").arg(s.id).arg(kind, s.model));
    QStringList parts;
    parts << tr("user %1").arg(s.user);
    if (!s.keyHint.isEmpty())
        parts << tr("key %1").arg(s.keyHint);
    if (!s.channel.isEmpty())
        parts << tr("channel %1").arg(s.channel);
    if (!s.upstreamModel.isEmpty() && s.upstreamModel != s.model)
        parts << tr("upstream model %1").arg(s.upstreamModel);
    if (const QString media = LiveSessionsModel::mediaPathLabel(s.mediaPath); !media.isEmpty())
        parts << tr("media %1").arg(media);
    parts << tr("%1 events").arg(s.eventCount);
    if (!s.isLive())
        parts << (s.endReason.isEmpty() ? tr("ended") : tr("ended: %1").arg(s.endReason));
    m_subtitle->setText(parts.join(QStringLiteral(" · ")));

    const std::optional<TokenPrices> prices = m_pricer ? m_pricer(s) : std::nullopt;
    const TokenPrices p = prices.value_or(TokenPrices{});
    const QList<Part> in = SessionBreakdown::inputParts(s.usage, p);
    const QList<Part> out = SessionBreakdown::outputParts(s.usage, p);
    qint64 inTokens = 0, outTokens = 0;
    m_inputTokens->setSegments(tokenSegments(in, &inTokens), tr("%1 tokens").arg(formatTokens(s.usage.inputTotal())));
    m_outputTokens->setSegments(tokenSegments(out, &outTokens), tr("%1 tokens").arg(formatTokens(s.usage.outputTotal())));
    if (prices) {
        double inQuota = 0, outQuota = 0;
        const auto inSegments = moneySegments(in, m_currency, &inQuota);
        const auto outSegments = moneySegments(out, m_currency, &outQuota);
        m_inputMoney->setSegments(inSegments, formatQuota(inQuota, m_currency));
        m_outputMoney->setSegments(outSegments, formatQuota(outQuota, m_currency));
    } else {
        const QString none = tr("no price configured for %1").arg(s.model);
        m_inputMoney->setPlaceholder(none);
        m_outputMoney->setPlaceholder(none);
    }

    showUnits(s, prices);
    showTurns(s);

    // Progress bars are int-ranged; quota fits comfortably for any single session we display.
    const qint64 reserved = std::max(s.reservedQuota, s.chargedQuota);
    m_reservation->setRange(0, int(std::min<qint64>(reserved, INT_MAX)));
    m_reservation->setValue(int(std::min<qint64>(s.chargedQuota, INT_MAX)));
    m_reservationText->setText(tr("%1 charged / %2 reserved")
                                   .arg(formatQuota(s.chargedQuota, m_currency), formatQuota(s.reservedQuota, m_currency)));
}

QByteArray SessionDetailView::saveState() const
{
    return m_timeline->horizontalHeader()->saveState();
}

void SessionDetailView::restoreState(const QByteArray &state)
{
    if (!state.isEmpty())
        m_timeline->horizontalHeader()->restoreState(state);
}

} // namespace RelayDesk::Ui
