#include "pricing/pricingpage.h"

#include "widgets/money.h"
#include "pricing/pricingmodel.h"
#include "pricing/toolpricemodel.h"
#include "pricing/imagepricemodel.h"
#include "pricing/unitpricemodel.h"

#include "billing/quotamath.h"

#include <QAction>
#include <QComboBox>
#include <QDataStream>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QPushButton>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QToolTip>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

using Billing::PriceBook;
using Billing::PriceMap;

namespace {

// Replaces the whole draft (import); undo puts the previous draft back.
class LoadDraftCommand final : public QUndoCommand
{
public:
    LoadDraftCommand(std::function<void(const PriceDraft &)> load, PriceDraft before, PriceDraft after, const QString &text)
        : m_load(std::move(load)), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(text);
    }
    void redo() override { m_load(m_after); }
    void undo() override { m_load(m_before); }

private:
    std::function<void(const PriceDraft &)> m_load;
    PriceDraft m_before, m_after;
};

QTableView *makeTable(QWidget *parent, QAbstractItemModel *model, const QString &name)
{
    auto *t = new QTableView(parent);
    t->setObjectName(name);
    t->setModel(model);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->hide();
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
    t->horizontalHeader()->setStretchLastSection(true);
    t->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed | QAbstractItemView::AnyKeyPressed);
    return t;
}

// new-api also exports options as {"data":[{"key":"ModelRatio","value":"{…}"}]}; accept both shapes.
std::optional<QJsonObject> parseOptions(const QByteArray &bytes, QString *error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = pe.error != QJsonParseError::NoError ? PricingPage::tr("Not valid JSON: %1 (at byte %2).").arg(pe.errorString()).arg(pe.offset)
                                                      : PricingPage::tr("Expected a JSON object of pricing maps.");
        return std::nullopt;
    }
    QJsonObject obj = doc.object();
    if (obj.value(QStringLiteral("data")).isArray()) {
        QJsonObject flat;
        for (const QJsonValue &v : obj.value(QStringLiteral("data")).toArray()) {
            const QJsonObject o = v.toObject();
            const QString key = o.value(QStringLiteral("key")).toString();
            if (Billing::isPriceBookKey(key))
                flat.insert(key, o.value(QStringLiteral("value")));
        }
        obj = flat;
    }
    return obj;
}

} // namespace

PricingPage::PricingPage(Service::AdminService *admin, Billing::PricingService *service, QWidget *parent)
    : ConsolePage(parent)
    , m_admin(admin)
    , m_service(service)
    , m_undo(new QUndoStack(this))
{
    m_model = new PricingModel(m_undo, this);
    m_groups = new GroupRatioModel(GroupRatioModel::Kind::Groups, m_undo, this);
    m_overrides = new GroupRatioModel(GroupRatioModel::Kind::Overrides, m_undo, this);
    m_tools = new ToolPriceModel(m_undo, this);
    m_units = new UnitPriceModel(m_undo, this);
    m_images = new ImagePriceModel(m_undo, this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(PricingModel::Model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(PricingModel::SortRole);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("pricingSearch"));
    m_search->setPlaceholderText(tr("Search models…"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaximumWidth(280);
    toolbar->addWidget(m_search);
    toolbar->addSeparator();
    QAction *add = toolbar->addAction(tr("Add model…"));
    QAction *remove = toolbar->addAction(tr("Remove"));
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(remove);
    toolbar->addSeparator();
    QAction *undo = m_undo->createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction *redo = m_undo->createRedoAction(this, tr("Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undo);
    addAction(redo);
    toolbar->addAction(undo);
    toolbar->addAction(redo);
    toolbar->addSeparator();
    QAction *import = toolbar->addAction(tr("Import…"));
    import->setToolTip(tr("Merge a new-api pricing JSON file into the draft (maps in the file replace the draft's)"));
    QAction *exportAction = toolbar->addAction(tr("Export…"));
    exportAction->setToolTip(tr("Save the draft as new-api pricing JSON"));
    toolbar->addSeparator();
    m_revertAction = toolbar->addAction(tr("Revert"));
    m_revertAction->setToolTip(tr("Discard the draft and reload the prices in force"));
    m_applyAction = toolbar->addAction(tr("Apply"));
    m_applyAction->setObjectName(QStringLiteral("applyPrices"));
    m_applyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_S));
    m_applyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_applyAction);
    m_applyAction->setToolTip(tr("Validate the draft and put it in force for every new request (Ctrl+S)"));
    m_state = new QLabel(this);
    m_state->setContentsMargins(12, 0, 0, 0);
    toolbar->addWidget(m_state);
    layout->addWidget(toolbar);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("pricingMessage"));
    m_message->setWordWrap(true);
    m_message->hide();
    layout->addWidget(m_message);

    m_table = makeTable(this, m_proxy, QStringLiteral("pricingTable"));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(PricingModel::Model, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setColumnWidth(PricingModel::Model, 210);
    for (int c = PricingModel::InputPrice; c < PricingModel::ColumnCount; ++c)
        m_table->setColumnWidth(c, c <= PricingModel::OutputPrice ? 105 : 150);
    m_table->horizontalHeader()->setStretchLastSection(false);

    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QHBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(buildGroups(), 3);
    bottomLayout->addWidget(buildTools(), 3);
    bottomLayout->addWidget(buildCalculator(), 2);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(bottom);
    m_splitter->addWidget(buildUnits());
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setStretchFactor(2, 2);
    layout->addWidget(m_splitter, 1);

    connect(m_search, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(add, &QAction::triggered, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Add model"),
                                                   tr("Model name (end with * for a prefix rule, e.g. gpt-4o*):"),
                                                   QLineEdit::Normal, m_search->text(), &ok);
        if (!ok)
            return;
        QString error;
        if (!m_model->addModel(name, &error))
            showMessage(error, true);
        else
            m_table->setCurrentIndex(m_proxy->mapFromSource(m_model->index(m_model->rowOf(name.trimmed()), PricingModel::InputPrice)));
    });
    connect(remove, &QAction::triggered, this, [this] {
        QStringList names;
        for (const QModelIndex &i : m_table->selectionModel()->selectedRows())
            names << i.data(PricingModel::RawRole).toString();
        m_model->removeModels(names);
    });
    connect(import, &QAction::triggered, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Import pricing"), {}, tr("JSON files (*.json);;All files (*)"));
        if (file.isEmpty())
            return;
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            showMessage(tr("Cannot read %1: %2").arg(file, f.errorString()), true);
            return;
        }
        const auto status = importJson(f.readAll());
        showMessage(status ? tr("Imported %1 into the draft. Review, then Apply.").arg(QFileInfo(file).fileName()) : status.error(), !status);
    });
    connect(exportAction, &QAction::triggered, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Export pricing"), QStringLiteral("pricing.json"), tr("JSON files (*.json)"));
        if (file.isEmpty())
            return;
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(exportJson()) < 0) {
            showMessage(tr("Cannot write %1: %2").arg(file, f.errorString()), true);
            return;
        }
        showMessage(tr("Exported the draft to %1.").arg(file), false);
    });
    connect(m_applyAction, &QAction::triggered, this, &PricingPage::apply);
    connect(m_revertAction, &QAction::triggered, this, &PricingPage::revert);
    auto refused = [this](QTableView *view, QAbstractItemModel *proxyOrModel) {
        return [this, view, proxyOrModel](const QModelIndex &source, const QString &reason) {
            showMessage(tr("Refused: %1").arg(reason), true);
            QModelIndex shown = source;
            if (proxyOrModel == m_proxy)
                shown = m_proxy->mapFromSource(source);
            const QRect r = view->visualRect(shown);
            QToolTip::showText(view->viewport()->mapToGlobal(r.bottomLeft()), reason, view);
        };
    };
    connect(m_model, &PricingModel::editRefused, this, refused(m_table, m_proxy));
    connect(m_groups, &GroupRatioModel::editRefused, this, refused(m_groupTable, m_groups));
    connect(m_overrides, &GroupRatioModel::editRefused, this, refused(m_overrideTable, m_overrides));
    connect(m_tools, &ToolPriceModel::editRefused, this, refused(m_toolTable, m_tools));
    connect(m_units, &UnitPriceModel::editRefused, this, refused(m_unitTable, m_units));
    connect(m_images, &ImagePriceModel::editRefused, this, refused(m_imageTable, m_images));
    connect(m_units, &UnitPriceModel::draftChanged, this, &PricingPage::updateCalculator);
    connect(m_images, &ImagePriceModel::draftChanged, this, &PricingPage::updateCalculator);
    for (auto signal : {&PricingModel::draftChanged})
        connect(m_model, signal, this, &PricingPage::updateCalculator);
    connect(m_groups, &GroupRatioModel::draftChanged, this, &PricingPage::updateCalculator);
    connect(m_overrides, &GroupRatioModel::draftChanged, this, &PricingPage::updateCalculator);
    connect(m_undo, &QUndoStack::cleanChanged, this, &PricingPage::updateButtons);
    connect(m_undo, &QUndoStack::indexChanged, this, &PricingPage::updateButtons);

    if (m_service) {
        // Someone else (CLI, another console) changed prices: follow them unless we hold a draft. A reload of
        // the book the page already shows (our own Apply, seen again through the relay) keeps the undo history.
        connect(m_service, &Billing::PricingService::pricesChanged, this, [this] {
            if (!hasUnappliedChanges() && m_service->current()->snapshotId() != m_shownSnapshot)
                revert();
        });
        revert();
    }
    if (!m_service || !m_admin) {
        showMessage(tr("The pricing service is not connected: prices can be viewed and exported but not applied."), true);
        updateButtons();
    }
}

QWidget *PricingPage::buildGroups()
{
    auto *box = new QGroupBox(tr("Group ratios"), this);
    auto *layout = new QHBoxLayout(box);
    auto column = [this, box](GroupRatioModel *model, QTableView **table, const QString &name, const QString &help, bool pair) {
        auto *w = new QWidget(box);
        auto *v = new QVBoxLayout(w);
        v->setContentsMargins(0, 0, 0, 0);
        auto *label = new QLabel(help, w);
        label->setWordWrap(true);
        *table = makeTable(w, model, name);
        auto *buttons = new QHBoxLayout;
        auto *add = new QPushButton(tr("Add…"), w);
        auto *remove = new QPushButton(tr("Remove"), w);
        buttons->addWidget(add);
        buttons->addWidget(remove);
        buttons->addStretch();
        v->addWidget(label);
        v->addWidget(*table, 1);
        v->addLayout(buttons);
        QTableView *view = *table;
        connect(add, &QPushButton::clicked, this, [this, model, pair] {
            bool ok = false;
            const QString text = QInputDialog::getText(this, tr("Add group ratio"),
                                                       pair ? tr("User group, using group and ratio, separated by spaces (e.g. vip default 0.8):")
                                                            : tr("Group and ratio, separated by a space (e.g. vip 0.8):"),
                                                       QLineEdit::Normal, {}, &ok);
            if (!ok)
                return;
            QStringList parts = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            const QString ratio = parts.isEmpty() ? QString() : parts.takeLast();
            QString error;
            if (!model->addEntry(parts, ratio, &error))
                showMessage(error, true);
        });
        connect(remove, &QPushButton::clicked, this, [model, view] {
            QList<QStringList> keys;
            for (const QModelIndex &i : view->selectionModel()->selectedRows()) {
                QStringList k;
                for (int c = 0; c < model->keyColumns(); ++c)
                    k << model->index(i.row(), c).data().toString();
                keys << k;
            }
            model->removeEntries(keys);
        });
        return w;
    };
    layout->addWidget(column(m_groups, &m_groupTable, QStringLiteral("groupTable"),
                             tr("Every price is multiplied by the ratio of the group a key uses."), false));
    layout->addWidget(column(m_overrides, &m_overrideTable, QStringLiteral("overrideTable"),
                             tr("Overrides for a user group using another group (replaces that group's ratio)."), true));
    return box;
}

QWidget *PricingPage::buildTools()
{
    auto *box = new QGroupBox(tr("Built-in tool calls"), this);
    box->setObjectName(QStringLiteral("toolPrices"));
    auto *v = new QVBoxLayout(box);
    auto *label = new QLabel(tr("Responses built-in tools are billed per call, on top of the tokens, by output item type "
                                "(multiplied by the group ratio)."), box);
    label->setWordWrap(true);
    m_toolTable = makeTable(box, m_tools, QStringLiteral("toolTable"));
    for (int c = 0; c < ToolPriceModel::ColumnCount - 1; ++c)
        m_toolTable->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add…"), box);
    add->setObjectName(QStringLiteral("addToolPrice"));
    auto *remove = new QPushButton(tr("Remove"), box);
    remove->setObjectName(QStringLiteral("removeToolPrice"));
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    v->addWidget(label);
    v->addWidget(m_toolTable, 1);
    v->addLayout(buttons);
    connect(add, &QPushButton::clicked, this, [this] {
        QStringList suggestions;
        for (const QString &type : ToolPriceModel::knownTypes())
            if (m_tools->rowOf(type) < 0)
                suggestions << type;
        bool ok = false;
        const QString type = QInputDialog::getItem(this, tr("Add tool price"), tr("Output item type of the tool:"),
                                                   suggestions, 0, true, &ok);
        if (!ok)
            return;
        const QString price = QInputDialog::getText(this, tr("Add tool price"), tr("US$ per 1,000 calls of %1:").arg(type.trimmed()),
                                                    QLineEdit::Normal, QStringLiteral("10"), &ok);
        if (!ok)
            return;
        QString error;
        if (!m_tools->addEntry(type, price, &error))
            showMessage(error, true);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        QStringList types;
        for (const QModelIndex &i : m_toolTable->selectionModel()->selectedRows())
            types << m_tools->index(i.row(), ToolPriceModel::Tool).data(ToolPriceModel::RawRole).toString();
        m_tools->removeEntries(types);
    });
    return box;
}

QWidget *PricingPage::buildUnits()
{
    auto *box = new QGroupBox(tr("Prices by unit"), this);
    box->setObjectName(QStringLiteral("unitPrices"));
    auto *layout = new QHBoxLayout(box);
    auto column = [this, box](QAbstractItemModel *model, QTableView **table, const QString &name, const QString &help) {
        auto *w = new QWidget(box);
        auto *v = new QVBoxLayout(w);
        v->setContentsMargins(0, 0, 0, 0);
        auto *label = new QLabel(help, w);
        label->setWordWrap(true);
        *table = makeTable(w, model, name);
        for (int c = 0; c < model->columnCount() - 1; ++c)
            (*table)->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
        auto *buttons = new QHBoxLayout;
        auto *add = new QPushButton(tr("Add…"), w);
        add->setObjectName(name + QStringLiteral("Add"));
        auto *remove = new QPushButton(tr("Remove"), w);
        remove->setObjectName(name + QStringLiteral("Remove"));
        buttons->addWidget(add);
        buttons->addWidget(remove);
        buttons->addStretch();
        v->addWidget(label);
        v->addWidget(*table, 1);
        v->addLayout(buttons);
        return std::tuple(w, add, remove);
    };
    auto [unitColumn, addUnit, removeUnit] =
        column(m_units, &m_unitTable, QStringLiteral("unitTable"),
               tr("Audio by the minute (transcription such as whisper-1) and text by the character (speech such as "
                  "tts-1), on top of any token price, multiplied by the group ratio."));
    auto [imageColumn, addImage, removeImage] =
        column(m_images, &m_imageTable, QStringLiteral("imageTable"),
               tr("Images by the piece (dall-e-2, dall-e-3): the price of the size and quality, else of the size, else "
                  "the model's default; multiplied by the number of images and the group ratio."));
    layout->addWidget(unitColumn, 1);
    layout->addWidget(imageColumn, 1);
    connect(addUnit, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString model = QInputDialog::getText(this, tr("Add unit prices"), tr("Model name (end with * for a prefix rule):"),
                                                    QLineEdit::Normal, {}, &ok);
        if (!ok)
            return;
        const QString minute = QInputDialog::getText(this, tr("Add unit prices"),
                                                     tr("US$ per minute of audio for %1 (empty = none):").arg(model.trimmed()),
                                                     QLineEdit::Normal, {}, &ok);
        if (!ok)
            return;
        const QString chars = QInputDialog::getText(this, tr("Add unit prices"),
                                                    tr("US$ per 1M characters for %1 (empty = none):").arg(model.trimmed()),
                                                    QLineEdit::Normal, {}, &ok);
        if (!ok)
            return;
        QString error;
        if (!m_units->addEntry(model, minute, chars, &error))
            showMessage(error, true);
    });
    connect(removeUnit, &QPushButton::clicked, this, [this] {
        QStringList models;
        for (const QModelIndex &i : m_unitTable->selectionModel()->selectedRows())
            models << m_units->index(i.row(), UnitPriceModel::Model).data(UnitPriceModel::RawRole).toString();
        m_units->removeEntries(models);
    });
    connect(addImage, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString text = QInputDialog::getText(
            this, tr("Add image price"),
            tr("Model, size, quality and US$ per image, separated by spaces; write - for any size or quality "
               "(e.g. dall-e-3 1024x1792 hd 0.12, or dall-e-2 - - 0.02):"),
            QLineEdit::Normal, {}, &ok);
        if (!ok)
            return;
        const QStringList parts = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (parts.size() != 4) {
            showMessage(tr("Enter four values: model, size, quality and price (- for any size or quality)."), true);
            return;
        }
        const auto any = [](const QString &v) { return v == QLatin1String("-") ? QString() : v; };
        QString error;
        if (!m_images->addEntry(parts[0], any(parts[1]), any(parts[2]), parts[3], &error))
            showMessage(error, true);
    });
    connect(removeImage, &QPushButton::clicked, this, [this] {
        QList<ImagePriceModel::Key> keys;
        for (const QModelIndex &i : m_imageTable->selectionModel()->selectedRows())
            keys << m_images->keyOf(i.row());
        m_images->removeEntries(keys);
    });
    return box;
}

QWidget *PricingPage::buildCalculator()
{
    auto *box = new QGroupBox(tr("Calculator"), this);
    box->setToolTip(tr("Prices a sample usage with the draft, as the relay would after Apply"));
    auto *form = new QFormLayout(box);
    m_calcModel = new QComboBox(box);
    m_calcModel->setObjectName(QStringLiteral("calcModel"));
    m_calcModel->setEditable(true);
    m_calcModel->setInsertPolicy(QComboBox::NoInsert);
    m_calcGroup = new QComboBox(box);
    m_calcGroup->setObjectName(QStringLiteral("calcGroup"));
    m_calcGroup->setEditable(true);
    form->addRow(tr("Model:"), m_calcModel);
    form->addRow(tr("Group:"), m_calcGroup);
    const QStringList labels{tr("Text input tokens:"), tr("  of which cached:"), tr("Audio input tokens:"), tr("  of which cached:"),
                             tr("Image input tokens:"), tr("Text output tokens:"), tr("Audio output tokens:")};
    const int defaults[] = {1000, 0, 0, 0, 0, 500, 0};
    auto *grid = new QGridLayout;
    for (int i = 0; i < labels.size(); ++i) {
        auto *spin = new QSpinBox(box);
        spin->setRange(0, 100'000'000);
        spin->setGroupSeparatorShown(true);
        spin->setValue(defaults[i]);
        m_calcInputs << spin;
        grid->addWidget(new QLabel(labels[i], box), i / 2, (i % 2) * 2);
        grid->addWidget(spin, i / 2, (i % 2) * 2 + 1);
        connect(spin, &QSpinBox::valueChanged, this, &PricingPage::updateCalculator);
    }
    form->addRow(grid);
    // Units: audio seconds to the millisecond, characters, images of a size and quality.
    auto *units = new QGridLayout;
    m_calcSeconds = new QDoubleSpinBox(box);
    m_calcSeconds->setObjectName(QStringLiteral("calcSeconds"));
    m_calcSeconds->setRange(0, 10'000'000);
    m_calcSeconds->setDecimals(3);
    m_calcSeconds->setGroupSeparatorShown(true);
    m_calcChars = new QSpinBox(box);
    m_calcChars->setObjectName(QStringLiteral("calcChars"));
    m_calcChars->setRange(0, 100'000'000);
    m_calcChars->setGroupSeparatorShown(true);
    m_calcImages = new QSpinBox(box);
    m_calcImages->setObjectName(QStringLiteral("calcImages"));
    m_calcImages->setRange(0, 10'000);
    m_calcSize = new QComboBox(box);
    m_calcSize->setObjectName(QStringLiteral("calcSize"));
    m_calcSize->setEditable(true);
    m_calcQuality = new QComboBox(box);
    m_calcQuality->setObjectName(QStringLiteral("calcQuality"));
    m_calcQuality->setEditable(true);
    m_calcSize->lineEdit()->setPlaceholderText(tr("any size"));
    m_calcQuality->lineEdit()->setPlaceholderText(tr("any quality"));
    units->addWidget(new QLabel(tr("Audio seconds:"), box), 0, 0);
    units->addWidget(m_calcSeconds, 0, 1);
    units->addWidget(new QLabel(tr("Characters:"), box), 0, 2);
    units->addWidget(m_calcChars, 0, 3);
    units->addWidget(new QLabel(tr("Images:"), box), 1, 0);
    units->addWidget(m_calcImages, 1, 1);
    units->addWidget(new QLabel(tr("Size / quality:"), box), 1, 2);
    auto *sizeQuality = new QHBoxLayout;
    sizeQuality->addWidget(m_calcSize, 1);
    sizeQuality->addWidget(m_calcQuality, 1);
    units->addLayout(sizeQuality, 1, 3);
    form->addRow(units);
    connect(m_calcSeconds, &QDoubleSpinBox::valueChanged, this, &PricingPage::updateCalculator);
    connect(m_calcChars, &QSpinBox::valueChanged, this, &PricingPage::updateCalculator);
    connect(m_calcImages, &QSpinBox::valueChanged, this, &PricingPage::updateCalculator);
    connect(m_calcSize, &QComboBox::currentTextChanged, this, &PricingPage::updateCalculator);
    connect(m_calcQuality, &QComboBox::currentTextChanged, this, &PricingPage::updateCalculator);
    m_calcResult = new QLabel(box);
    m_calcResult->setObjectName(QStringLiteral("calcResult"));
    QFont f = m_calcResult->font();
    f.setPointSizeF(f.pointSizeF() * 1.3);
    f.setBold(true);
    m_calcResult->setFont(f);
    m_calcDetail = new QLabel(box);
    m_calcDetail->setWordWrap(true);
    m_calcDetail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_calcResult);
    form->addRow(m_calcDetail);
    connect(m_calcModel, &QComboBox::currentTextChanged, this, &PricingPage::updateCalculator);
    connect(m_calcGroup, &QComboBox::currentTextChanged, this, &PricingPage::updateCalculator);
    return box;
}

PriceDraft PricingPage::draft() const
{
    PriceDraft d;
    d.rows = m_model->rows();
    m_groups->writeTo(&d);
    m_overrides->writeTo(&d);
    m_tools->writeTo(&d);
    m_units->writeTo(&d);
    m_images->writeTo(&d);
    return d;
}

void PricingPage::adoptDraft(const PriceDraft &d)
{
    m_undo->push(new LoadDraftCommand([this](const PriceDraft &x) { loadDraft(x); }, draft(), d, tr("restore draft")));
}

bool PricingPage::hasUnappliedChanges() const
{
    return !m_undo->isClean();
}

void PricingPage::loadDraft(const PriceDraft &d)
{
    m_model->setRows(d.rows);
    m_groups->setDraft(d);
    m_overrides->setDraft(d);
    m_tools->setDraft(d);
    m_units->setDraft(d);
    m_images->setDraft(d);
    const QString model = m_calcModel->currentText();
    const QString group = m_calcGroup->currentText();
    const QString size = m_calcSize->currentText();
    const QString quality = m_calcQuality->currentText();
    const QSignalBlocker b1(m_calcModel), b2(m_calcGroup), b3(m_calcSize), b4(m_calcQuality);
    m_calcModel->clear();
    m_calcModel->addItems(d.pricedModels());
    // The sizes and qualities the draft prices, as suggestions ("" = the default price).
    QStringList sizes{QString()}, qualities{QString()};
    for (const auto &image : d.images) {
        sizes << image.size;
        qualities << image.quality;
    }
    sizes.removeDuplicates();
    qualities.removeDuplicates();
    sizes.sort();
    qualities.sort();
    m_calcSize->clear();
    m_calcSize->addItems(sizes);
    m_calcSize->setCurrentText(size);
    m_calcQuality->clear();
    m_calcQuality->addItems(qualities);
    m_calcQuality->setCurrentText(quality);
    m_calcGroup->clear();
    for (const auto &g : d.groups)
        m_calcGroup->addItem(g.group);
    const QString wantedModel = model.isEmpty() ? (d.indexOf(QStringLiteral("gpt-4o-mini")) >= 0 ? QStringLiteral("gpt-4o-mini") : QString()) : model;
    m_calcModel->setCurrentText(wantedModel.isEmpty() ? m_calcModel->itemText(0) : wantedModel);
    m_calcGroup->setCurrentText(group.isEmpty() ? QStringLiteral("default") : group);
    updateCalculator();
}

void PricingPage::revert()
{
    const Billing::PriceBookPtr book = m_service ? m_service->current() : PriceBook::empty();
    m_undo->clear();
    m_shownSnapshot = book->snapshotId();
    loadDraft(PriceDraft::fromBook(*book));
    m_message->hide();
    updateButtons();
}

void PricingPage::refresh()
{
    if (!hasUnappliedChanges())
        revert();
}

bool PricingPage::apply()
{
    if (!m_admin || !m_service || m_applying)
        return false;
    const QJsonObject book = draft().toJson();
    const int undoIndex = m_undo->index();
    m_applying = true;
    updateButtons();
    // The PricingService outlives the AdminService's worker (both belong to the console's runtime). Reloading it
    // here, before the result is reported, puts the book in force even where no relay follows the change (a
    // console whose relay is stopped); a relay that does swaps in the same snapshot again.
    Billing::PricingService *inForce = m_service;
    m_admin->async([book, inForce](Service::AdminService &admin) {
               auto result = admin.replacePricing(book);
               if (result)
                   inForce->reloadWaiting();
               return result;
           })
        .then(this, [this, book, undoIndex](const Store::Result<Service::PricingImport> &result) {
            // A worker that finished before this continuation was attached makes Qt run it inside apply(); the
            // outcome is reported from the event loop either way, so applyFinished() never fires before apply()
            // has returned true.
            QMetaObject::invokeMethod(
                this, [this, result, book, undoIndex] { onApplied(result, book, undoIndex); }, Qt::QueuedConnection);
        });
    return true;
}

void PricingPage::onApplied(const Store::Result<Service::PricingImport> &result, const QJsonObject &book, int undoIndex)
{
    m_applying = false;
    if (!result) {
        const QString message = tr("Not applied: %1").arg(result.error());
        showMessage(message, true);
        updateButtons();
        emit applyFinished(false, message);
        return;
    }
    // Edits made while applying stay unapplied; otherwise the table takes the canonical form of what was applied
    // (the book may normalise texts), keeping the undo history.
    if (m_undo->index() == undoIndex) {
        m_undo->setClean();
        m_shownSnapshot = result->snapshotId;
        if (const auto applied = PriceBook::fromJson(book)) {
            const PriceDraft canonical = PriceDraft::fromBook(*applied.value());
            m_model->setRows(canonical.rows);
            m_groups->setDraft(canonical);
            m_overrides->setDraft(canonical);
            m_tools->setDraft(canonical);
            m_units->setDraft(canonical);
            m_images->setDraft(canonical);
        }
    }
    const QString message = tr("Applied: new requests use these prices (snapshot %1).").arg(result->snapshotId);
    showMessage(message, false);
    updateButtons();
    emit applyFinished(true, message);
}

Store::Status PricingPage::importJson(const QByteArray &bytes)
{
    QString error;
    const auto edit = parseOptions(bytes, &error);
    if (!edit)
        return Store::Status::failure(error);
    const auto base = PriceBook::fromJson(draft().toJson());
    if (!base)
        return Store::Status::failure(base.error());
    const auto merged = base.value()->withEdit(*edit);
    if (!merged)
        return Store::Status::failure(tr("Import refused: %1").arg(merged.error()));
    m_undo->push(new LoadDraftCommand([this](const PriceDraft &d) { loadDraft(d); }, draft(),
                                      PriceDraft::fromBook(*merged.value()), tr("import pricing")));
    return {};
}

QByteArray PricingPage::exportJson() const
{
    const auto book = PriceBook::fromJson(draft().toJson());
    const QJsonObject json = book ? book.value()->toJson() : draft().toJson();
    return QJsonDocument(json).toJson(QJsonDocument::Indented);
}

Billing::Usage PricingPage::calculatorUsage() const
{
    Billing::Usage u;
    u.inputText = m_calcInputs[0]->value();
    u.cachedText = std::min(m_calcInputs[1]->value(), m_calcInputs[0]->value());
    u.inputAudio = m_calcInputs[2]->value();
    u.cachedAudio = std::min(m_calcInputs[3]->value(), m_calcInputs[2]->value());
    u.inputImage = m_calcInputs[4]->value();
    u.outputText = m_calcInputs[5]->value();
    u.outputAudio = m_calcInputs[6]->value();
    return u;
}

void PricingPage::setCalculatorInput(const QString &model, const QString &group, const Billing::Usage &u)
{
    const qint64 values[] = {u.inputText, u.cachedText, u.inputAudio, u.cachedAudio, u.inputImage, u.outputText, u.outputAudio};
    for (int i = 0; i < m_calcInputs.size(); ++i) {
        const QSignalBlocker block(m_calcInputs[i]);
        m_calcInputs[i]->setValue(int(values[i]));
    }
    const QSignalBlocker b1(m_calcModel), b2(m_calcGroup);
    m_calcModel->setCurrentText(model);
    m_calcGroup->setCurrentText(group);
    updateCalculator();
}

void PricingPage::setCalculatorUnits(const Billing::Units &units)
{
    const QSignalBlocker b1(m_calcSeconds), b2(m_calcChars), b3(m_calcImages), b4(m_calcSize), b5(m_calcQuality);
    m_calcSeconds->setValue(double(units.audioMs) / 1000.0);
    m_calcChars->setValue(int(units.characters));
    m_calcImages->setValue(int(units.images));
    m_calcSize->setCurrentText(units.imageSize);
    m_calcQuality->setCurrentText(units.imageQuality);
    updateCalculator();
}

Billing::Units PricingPage::calculatorUnits() const
{
    Billing::Units u;
    u.audioMs = qRound64(m_calcSeconds->value() * 1000.0);
    u.characters = m_calcChars->value();
    u.images = m_calcImages->value();
    u.imageSize = m_calcSize->currentText().trimmed().toLower();
    u.imageQuality = m_calcQuality->currentText().trimmed().toLower();
    return u;
}

Store::Result<qint64> PricingPage::calculatorQuote() const
{
    const auto book = PriceBook::fromJson(draft().toJson());
    if (!book)
        return Store::Result<qint64>::failure(book.error());
    const QString group = m_calcGroup->currentText().trimmed().isEmpty() ? QStringLiteral("default") : m_calcGroup->currentText().trimmed();
    const auto pricing = book.value()->pricing(m_calcModel->currentText().trimmed(), group, group);
    if (!pricing)
        return Store::Result<qint64>::failure(pricing.error());
    return Billing::QuotaMath::settle(pricing.value(), calculatorUsage(), {}, calculatorUnits()).quota;
}

void PricingPage::updateCalculator()
{
    if (!m_calcResult)
        return;
    const auto quote = calculatorQuote();
    if (!quote) {
        m_calcResult->setText(tr("—"));
        m_calcDetail->setText(quote.error());
        return;
    }
    m_calcResult->setText(tr("%1  (%2 quota)").arg(formatQuota(quote.value(), CurrencyDisplay::Dollars), formatTokens(quote.value())));
    QString detail;
    if (m_service) {
        const QString group = m_calcGroup->currentText().trimmed().isEmpty() ? QStringLiteral("default") : m_calcGroup->currentText().trimmed();
        const auto applied = m_service->current()->pricing(m_calcModel->currentText().trimmed(), group, group);
        if (applied) {
            const qint64 now = Billing::QuotaMath::settle(applied.value(), calculatorUsage(), {}, calculatorUnits()).quota;
            detail = now == quote.value() ? tr("Same as the prices in force.")
                                          : tr("Prices in force: %1 (%2 quota).").arg(formatQuota(now, CurrencyDisplay::Dollars), formatTokens(now));
        } else {
            detail = tr("Not priced by the prices in force (%1).").arg(applied.error());
        }
    }
    // Units the model has no price for cost nothing: say so rather than quote them silently as free.
    const auto book = PriceBook::fromJson(draft().toJson());
    const QString group = m_calcGroup->currentText().trimmed().isEmpty() ? QStringLiteral("default") : m_calcGroup->currentText().trimmed();
    const auto drafted = book ? book.value()->pricing(m_calcModel->currentText().trimmed(), group, group)
                              : Store::Result<Billing::ModelPricing>::failure(book.error());
    const Billing::Units units = calculatorUnits();
    if (drafted && !drafted->fixedPrice) {
        QStringList unpriced;
        if (units.audioMs > 0 && !drafted->minutePrice)
            unpriced << tr("audio seconds");
        if (units.characters > 0 && !drafted->characterPrice)
            unpriced << tr("characters");
        if (units.images > 0 && !drafted->imagePrice(units.imageSize, units.imageQuality))
            unpriced << tr("images of this size and quality");
        if (!unpriced.isEmpty())
            detail += u' ' + tr("No price for %1: not charged.").arg(unpriced.join(QStringLiteral(", ")));
    } else if (drafted && !units.isEmpty()) {
        detail += u' ' + tr("A fixed price per call includes the units.");
    }
    m_calcDetail->setText(detail.trimmed());
}

void PricingPage::updateButtons()
{
    const bool dirty = hasUnappliedChanges();
    m_applyAction->setEnabled(dirty && m_admin && m_service && !m_applying);
    m_revertAction->setEnabled(dirty && !m_applying);
    m_state->setText(m_applying ? tr("Applying…") : dirty ? tr("Unapplied changes") : tr("Prices in force"));
    m_state->setStyleSheet(dirty || m_applying ? QStringLiteral("color: #b36b00; font-weight: bold") : QString());
}

void PricingPage::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("QLabel { background: #fdecea; color: #8a1f11; padding: 4px; border-radius: 3px; }")
                                   : QStringLiteral("QLabel { background: #e8f5e9; color: #1b5e20; padding: 4px; border-radius: 3px; }"));
    m_message->show();
}

void PricingPage::setCurrencyDisplay(CurrencyDisplay display)
{
    m_currency = display; // prices are quoted in US$ per 1M tokens by definition; the calculator shows both
    updateCalculator();
}

QByteArray PricingPage::saveState() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s << quint32(1) << m_table->horizontalHeader()->saveState() << m_splitter->saveState();
    return out;
}

void PricingPage::restoreState(const QByteArray &state)
{
    QDataStream s(state);
    quint32 version = 0;
    QByteArray header, splitter;
    s >> version >> header >> splitter;
    if (s.status() != QDataStream::Ok || version != 1)
        return;
    m_table->horizontalHeader()->restoreState(header);
    m_splitter->restoreState(splitter);
}

} // namespace RelayDesk::Ui
