#pragma once

#include "shell/consolepage.h"
#include "pricing/pricingdraft.h"

#include "billing/pricingservice.h"
#include "billing/usage.h"

#include <QPointer>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QUndoStack;

namespace RelayDesk::Ui {

class GroupRatioModel;
class ImagePriceModel;
class PricingModel;
class ToolPriceModel;
class UnitPriceModel;

// The Pricing page: the model price table (every ratio, the fixed price, derived $/1M columns), group
// ratios and user-group overrides, built-in tool-call prices (ToolCallPrice), prices by unit (MinutePrice and
// CharacterPrice per model, ImagePrice per model, size and quality), search, add/remove, undo/redo,
// import/export of new-api JSON, and a calculator that prices a sample usage with the draft (and, for comparison, the applied) prices.
// Nothing reaches the relay until Apply, which hands the whole draft to AdminService::replacePricing() on the
// service's worker (validated, persisted with a snapshot, audited, published as a change) and then brings the
// PricingService the page shows up to date; the page shows "Applying…" meanwhile and the outcome after.
class PricingPage final : public ConsolePage
{
    Q_OBJECT

public:
    // `service` holds the prices in force (the relay's); `admin` writes them. Without `admin` the page can view
    // and export but not apply.
    PricingPage(Service::AdminService *admin, Billing::PricingService *service, QWidget *parent = nullptr);

    PricingModel *model() const { return m_model; }
    GroupRatioModel *groupModel() const { return m_groups; }
    GroupRatioModel *overrideModel() const { return m_overrides; }
    ToolPriceModel *toolModel() const { return m_tools; }
    UnitPriceModel *unitModel() const { return m_units; }
    ImagePriceModel *imageModel() const { return m_images; }
    QUndoStack *undoStack() const { return m_undo; }
    QTableView *table() const { return m_table; }

    PriceDraft draft() const;
    // Puts a draft in the editor as one undoable, unapplied change (used to carry an unapplied draft
    // across the page rebuild of a language switch).
    void adoptDraft(const PriceDraft &draft);
    bool hasUnappliedChanges() const;
    // Starts applying the draft; applyFinished() reports the outcome. False (and no signal) when the page
    // cannot apply (no service) or an Apply is already running.
    bool apply();
    bool isApplying() const { return m_applying; }
    void revert();
    // Merges new-api option JSON into the draft (undoable); nothing is applied yet.
    Store::Status importJson(const QByteArray &json);
    QByteArray exportJson() const;

    // The calculator's result for the current inputs with the draft prices (quota), or the reason.
    Store::Result<qint64> calculatorQuote() const;
    void setCalculatorInput(const QString &model, const QString &group, const Billing::Usage &usage);
    // The calculator's audio seconds (to the millisecond), characters and images (with size and quality).
    void setCalculatorUnits(const Billing::Units &units);
    Billing::Units calculatorUnits() const;

    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;
    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

signals:
    // An Apply ended: ok = the draft is in force (then the prices the page shows are the applied ones).
    void applyFinished(bool ok, const QString &message);

private:
    void onApplied(const Store::Result<Service::PricingImport> &result, const QJsonObject &book, int undoIndex);
    void loadDraft(const PriceDraft &draft);
    void showMessage(const QString &text, bool error);
    void updateCalculator();
    void updateButtons();
    Billing::Usage calculatorUsage() const;
    QWidget *buildCalculator();
    QWidget *buildGroups();
    QWidget *buildTools();
    QWidget *buildUnits();

    QPointer<Service::AdminService> m_admin;
    QPointer<Billing::PricingService> m_service;
    bool m_applying = false;
    qint64 m_shownSnapshot = -1; // the snapshot of the prices in force the clean draft shows
    QUndoStack *m_undo = nullptr;
    PricingModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    GroupRatioModel *m_groups = nullptr;
    GroupRatioModel *m_overrides = nullptr;
    ToolPriceModel *m_tools = nullptr;
    UnitPriceModel *m_units = nullptr;
    ImagePriceModel *m_images = nullptr;
    QTableView *m_table = nullptr;
    QTableView *m_groupTable = nullptr;
    QTableView *m_overrideTable = nullptr;
    QTableView *m_toolTable = nullptr;
    QTableView *m_unitTable = nullptr;
    QTableView *m_imageTable = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_state = nullptr;
    QAction *m_applyAction = nullptr;
    QAction *m_revertAction = nullptr;
    class QSplitter *m_splitter = nullptr;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;

    QComboBox *m_calcModel = nullptr;
    QComboBox *m_calcGroup = nullptr;
    QList<QSpinBox *> m_calcInputs;
    QDoubleSpinBox *m_calcSeconds = nullptr;
    QSpinBox *m_calcChars = nullptr;
    QSpinBox *m_calcImages = nullptr;
    QComboBox *m_calcSize = nullptr;
    QComboBox *m_calcQuality = nullptr;
    QLabel *m_calcResult = nullptr;
    QLabel *m_calcDetail = nullptr;
};

} // namespace RelayDesk::Ui
