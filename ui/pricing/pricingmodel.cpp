#include "pricing/pricingmodel.h"

#include "widgets/money.h"

#include <QBrush>
#include <QColor>
#include <QRegularExpression>
#include <QUndoCommand>
#include <QUndoStack>

namespace RelayDesk::Ui {

using Billing::PriceMap;

namespace {

// One cell of the model table (identified by model name, so it survives rows moving).
class SetCellCommand final : public QUndoCommand
{
public:
    SetCellCommand(PricingModel *model, QString name, PriceMap map, QString before, QString after, QUndoCommand *parent = nullptr)
        : QUndoCommand(parent), m_model(model), m_name(std::move(name)), m_map(map), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(PricingModel::tr("set %1 of %2 to %3")
                    .arg(Billing::priceMapName(map), m_name, m_after.isEmpty() ? PricingModel::tr("default") : m_after));
    }
    void redo() override { m_model->setCell(m_name, m_map, m_after); }
    void undo() override { m_model->setCell(m_name, m_map, m_before); }

private:
    PricingModel *m_model;
    QString m_name;
    PriceMap m_map;
    QString m_before, m_after;
};

class AddRowCommand final : public QUndoCommand
{
public:
    AddRowCommand(PricingModel *model, PriceDraft::Row row, bool add)
        : m_model(model), m_row(std::move(row)), m_add(add)
    {
        setText(add ? PricingModel::tr("add %1").arg(m_row.model) : PricingModel::tr("remove %1").arg(m_row.model));
    }
    void redo() override { m_add ? (void)m_model->insertRow(m_row) : (void)m_model->takeRow(m_row.model); }
    void undo() override { m_add ? (void)m_model->takeRow(m_row.model) : (void)m_model->insertRow(m_row); }

private:
    PricingModel *m_model;
    PriceDraft::Row m_row;
    bool m_add;
};

QString money(std::optional<double> dollars)
{
    return dollars ? formatDollars(*dollars) : QString();
}

// Plain-words meaning of each ratio (the header tooltip and the start of each cell tooltip).
QString meaning(int column)
{
    switch (column) {
    case PricingModel::InputPrice: return PricingModel::tr("US$ per 1M text input tokens (ModelRatio × $2). Editing it sets ModelRatio.");
    case PricingModel::OutputPrice: return PricingModel::tr("US$ per 1M text output tokens (input price × CompletionRatio). Editing it sets CompletionRatio.");
    case PricingModel::ModelRatio: return PricingModel::tr("ModelRatio: the text input price; 1 means $2 per 1M input tokens. Every other ratio multiplies this one.");
    case PricingModel::CompletionRatio: return PricingModel::tr("CompletionRatio: how many times the input price one output token costs (reasoning included).");
    case PricingModel::CacheRatio: return PricingModel::tr("CacheRatio: the share of the input price charged for a cached input token (0.1 = 90% off).");
    case PricingModel::CreateCacheRatio: return PricingModel::tr("CreateCacheRatio: the multiple of the input price charged for writing a token into the prompt cache (Anthropic: a 5-minute write, 1.25).");
    case PricingModel::CreateCacheRatio1h: return PricingModel::tr("CreateCacheRatio1h: the multiple of the input price charged for writing a token into the prompt cache for one hour (Anthropic's 1-hour writes; 2 when not set).");
    case PricingModel::AudioRatio: return PricingModel::tr("AudioRatio: how many times the text input price one audio input token costs.");
    case PricingModel::AudioCompletionRatio: return PricingModel::tr("AudioCompletionRatio: how many times the audio input price one audio output token costs.");
    case PricingModel::AudioCacheRatio: return PricingModel::tr("AudioCacheRatio: the share of the audio input price charged for a cached audio token.");
    case PricingModel::ImageRatio: return PricingModel::tr("ImageRatio: how many times the text input price one image input token costs.");
    case PricingModel::ModelPrice: return PricingModel::tr("ModelPrice: a fixed US$ price per call; when set, token ratios are ignored for this model.");
    default: return {};
    }
}

// What an unset ratio means: ModelPricing's default (1, or 2 for CreateCacheRatio1h), as PriceDraft knows it.
QString unsetDefault(const PriceDraft::Row &row, PriceMap map)
{
    return PriceDraft::decimalText(PriceDraft::effective(row, map).value_or(1.0));
}

} // namespace

PricingModel::PricingModel(QUndoStack *undo, QObject *parent)
    : QAbstractTableModel(parent)
    , m_undo(undo)
{
}

std::optional<PriceMap> PricingModel::mapOf(int column)
{
    switch (column) {
    case ModelRatio: return PriceMap::ModelRatio;
    case CompletionRatio: return PriceMap::CompletionRatio;
    case CacheRatio: return PriceMap::CacheRatio;
    case CreateCacheRatio: return PriceMap::CreateCacheRatio;
    case CreateCacheRatio1h: return PriceMap::CreateCacheRatio1h;
    case AudioRatio: return PriceMap::AudioRatio;
    case AudioCompletionRatio: return PriceMap::AudioCompletionRatio;
    case AudioCacheRatio: return PriceMap::AudioCacheRatio;
    case ImageRatio: return PriceMap::ImageRatio;
    case ModelPrice: return PriceMap::ModelPrice;
    default: return std::nullopt;
    }
}

void PricingModel::setRows(const QList<PriceDraft::Row> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
    emit draftChanged();
}

int PricingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PricingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int PricingModel::rowOf(const QString &model) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].model.compare(model, Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

QString PricingModel::ratioTooltip(const PriceDraft::Row &row, int column) const
{
    QString tip = meaning(column);
    const auto map = mapOf(column);
    if (map && *map != PriceMap::ModelPrice) {
        if (const auto price = PriceDraft::dollarsPerMillion(row, *map))
            tip += QLatin1Char('\n') + tr("For %1 this is %2 per 1M tokens (before the group ratio).").arg(row.model, formatDollars(*price));
        else
            tip += QLatin1Char('\n') + tr("%1 has no ModelRatio, so this ratio has no effect.").arg(row.model);
        if (row.values[size_t(*map)].isEmpty())
            tip += QLatin1Char('\n') + tr("Not set: the default (%1) applies.").arg(unsetDefault(row, *map));
    }
    return tip;
}

QVariant PricingModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PriceDraft::Row &row = m_rows[index.row()];
    const int column = index.column();
    const auto map = mapOf(column);
    const bool fixed = !row.values[size_t(PriceMap::ModelPrice)].isEmpty();

    switch (role) {
    case SortRole:
        if (column == Model)
            return row.model.toLower();
        if (column == InputPrice || column == OutputPrice)
            return PriceDraft::dollarsPerMillion(row, column == InputPrice ? PriceMap::ModelRatio : PriceMap::CompletionRatio).value_or(-1.0);
        return map ? PriceDraft::effective(row, *map).value_or(-1.0) : QVariant();
    case Qt::DisplayRole:
        if (column == Model)
            return row.model;
        if (column == InputPrice)
            return fixed ? tr("fixed") : money(PriceDraft::dollarsPerMillion(row, PriceMap::ModelRatio));
        if (column == OutputPrice)
            return fixed ? QString() : money(PriceDraft::dollarsPerMillion(row, PriceMap::CompletionRatio));
        if (map) {
            const QString &text = row.values[size_t(*map)];
            if (*map == PriceMap::ModelPrice)
                return text.isEmpty() ? QString() : QStringLiteral("$") + text;
            if (*map == PriceMap::ModelRatio)
                return text;
            const auto price = PriceDraft::dollarsPerMillion(row, *map);
            // The ratio with what it means in money beside it: "4  ($16.00/1M)".
            const QString shown = text.isEmpty() ? QStringLiteral("(%1)").arg(unsetDefault(row, *map)) : text;
            return price ? QStringLiteral("%1  (%2/1M)").arg(shown, formatDollars(*price)) : shown;
        }
        return {};
    case Qt::EditRole:
    case RawRole:
        if (column == Model)
            return row.model;
        if (column == InputPrice || column == OutputPrice) {
            const auto p = PriceDraft::dollarsPerMillion(row, column == InputPrice ? PriceMap::ModelRatio : PriceMap::CompletionRatio);
            return p ? PriceDraft::decimalText(*p) : QString();
        }
        return map ? row.values[size_t(*map)] : QString();
    case Qt::ToolTipRole:
        if (column == Model)
            return row.model.endsWith(QLatin1Char('*')) ? tr("Prefix rule: applies to every model whose name starts with \"%1\" and has no entry of its own.").arg(row.model.chopped(1))
                                                       : QVariant();
        return ratioTooltip(row, column);
    case Qt::ForegroundRole:
        if (map && row.values[size_t(*map)].isEmpty())
            return QBrush(QColor(0x90, 0x90, 0x90)); // default shown in grey
        if (column == InputPrice || column == OutputPrice)
            return QBrush(QColor(0x1f, 0x5f, 0x9e));
        return {};
    case Qt::TextAlignmentRole:
        return column == Model ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant PricingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole)
        return meaning(section);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Model: return tr("Model");
    case InputPrice: return tr("$ / 1M input");
    case OutputPrice: return tr("$ / 1M output");
    default:
        if (const auto map = mapOf(section))
            return Billing::priceMapName(*map);
        return {};
    }
}

Qt::ItemFlags PricingModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() != Model)
        f |= Qt::ItemIsEditable;
    return f;
}

QString PricingModel::validate(const QModelIndex &index, const QString &textIn) const
{
    if (!index.isValid() || index.column() == Model)
        return tr("This cell cannot be edited.");
    const QString text = textIn.trimmed();
    const PriceDraft::Row &row = m_rows[index.row()];
    if (index.column() == InputPrice || index.column() == OutputPrice) {
        QString t = text;
        if (t.startsWith(QLatin1Char('$')))
            t.remove(0, 1);
        if (t.isEmpty())
            return tr("Enter a price in US$ per 1M tokens.");
        if (const QString e = PriceDraft::ratioError(t); !e.isEmpty())
            return e;
        if (index.column() == OutputPrice) {
            const auto mr = PriceDraft::effective(row, PriceMap::ModelRatio);
            if (!mr || *mr <= 0)
                return tr("Set the input price first: the output price is a multiple of it.");
        }
        return {};
    }
    if (text.isEmpty() && index.column() == ModelRatio && row.values[size_t(PriceMap::ModelPrice)].isEmpty())
        return tr("%1 needs a ModelRatio or a ModelPrice; clearing both would leave it without a price.").arg(row.model);
    if (text.isEmpty() && index.column() == ModelPrice && row.values[size_t(PriceMap::ModelRatio)].isEmpty())
        return tr("%1 needs a ModelRatio or a ModelPrice; clearing both would leave it without a price.").arg(row.model);
    return PriceDraft::ratioError(text);
}

bool PricingModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const QString text = value.toString().trimmed();
    m_lastError = validate(index, text);
    if (!m_lastError.isEmpty()) {
        emit editRefused(index, m_lastError);
        return false;
    }
    const PriceDraft::Row &row = m_rows[index.row()];
    PriceMap map;
    QString newText = text;
    if (index.column() == InputPrice || index.column() == OutputPrice) {
        QString t = text;
        if (t.startsWith(QLatin1Char('$')))
            t.remove(0, 1);
        const double dollars = Billing::Ratio::parse(t)->toDouble();
        if (index.column() == InputPrice) {
            map = PriceMap::ModelRatio;
            newText = PriceDraft::decimalText(dollars / 2.0);
        } else {
            map = PriceMap::CompletionRatio;
            newText = PriceDraft::decimalText(dollars / (2.0 * *PriceDraft::effective(row, PriceMap::ModelRatio)));
        }
    } else {
        map = *mapOf(index.column());
        if (!newText.isEmpty())
            newText = Billing::Ratio::parse(newText)->text(); // canonical decimal text
    }
    const QString before = row.values[size_t(map)];
    if (before == newText)
        return true;
    if (m_undo)
        m_undo->push(new SetCellCommand(this, row.model, map, before, newText));
    else
        setCell(row.model, map, newText);
    return true;
}

void PricingModel::setCell(const QString &model, PriceMap map, const QString &text)
{
    const int r = rowOf(model);
    if (r < 0)
        return;
    m_rows[r].values[size_t(map)] = text;
    // A ratio change moves the derived prices and the "$/1M" annotations of the whole row.
    emit dataChanged(index(r, 0), index(r, ColumnCount - 1));
    emit draftChanged();
}

int PricingModel::insertRow(const PriceDraft::Row &row)
{
    const auto pos = std::lower_bound(m_rows.begin(), m_rows.end(), row.model, [](const PriceDraft::Row &r, const QString &name) {
        return r.model.compare(name, Qt::CaseInsensitive) < 0;
    });
    const int r = int(pos - m_rows.begin());
    beginInsertRows({}, r, r);
    m_rows.insert(r, row);
    endInsertRows();
    emit draftChanged();
    return r;
}

std::optional<PriceDraft::Row> PricingModel::takeRow(const QString &model)
{
    const int r = rowOf(model);
    if (r < 0)
        return std::nullopt;
    beginRemoveRows({}, r, r);
    PriceDraft::Row row = m_rows.takeAt(r);
    endRemoveRows();
    emit draftChanged();
    return row;
}

bool PricingModel::addModel(const QString &nameIn, QString *error)
{
    const QString name = nameIn.trimmed();
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._:/@+-]*\\*?$"));
    QString why;
    if (name.isEmpty())
        why = tr("Enter a model name.");
    else if (!valid.match(name).hasMatch())
        why = tr("\"%1\" is not a model name: use letters, digits and . _ - : / @ +, optionally ending in * for a prefix rule.").arg(name);
    else if (rowOf(name) >= 0)
        why = tr("%1 is already in the table.").arg(name);
    if (!why.isEmpty()) {
        m_lastError = why;
        if (error)
            *error = why;
        return false;
    }
    PriceDraft::Row row{name, {}};
    row.values[size_t(PriceMap::ModelRatio)] = QStringLiteral("1");
    if (m_undo)
        m_undo->push(new AddRowCommand(this, row, true));
    else
        insertRow(row);
    return true;
}

void PricingModel::removeModels(const QStringList &names)
{
    if (names.isEmpty())
        return;
    if (m_undo)
        m_undo->beginMacro(tr("remove %n model(s)", nullptr, int(names.size())));
    for (const QString &name : names) {
        const int r = rowOf(name);
        if (r < 0)
            continue;
        if (m_undo)
            m_undo->push(new AddRowCommand(this, m_rows[r], false));
        else
            takeRow(name);
    }
    if (m_undo)
        m_undo->endMacro();
}

// ---- GroupRatioModel -------------------------------------------------------------------------------

namespace {

class SetGroupRatioCommand final : public QUndoCommand
{
public:
    SetGroupRatioCommand(GroupRatioModel *model, QStringList keys, QString before, QString after)
        : m_model(model), m_keys(std::move(keys)), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(GroupRatioModel::tr("set group ratio %1 to %2").arg(m_keys.join(QStringLiteral(" → ")), m_after));
    }
    void redo() override { m_model->setRatio(m_keys, m_after); }
    void undo() override { m_model->setRatio(m_keys, m_before); }

private:
    GroupRatioModel *m_model;
    QStringList m_keys;
    QString m_before, m_after;
};

class AddGroupCommand final : public QUndoCommand
{
public:
    AddGroupCommand(GroupRatioModel *model, QStringList keys, QString ratio, bool add)
        : m_model(model), m_keys(std::move(keys)), m_ratio(std::move(ratio)), m_add(add)
    {
        setText((add ? GroupRatioModel::tr("add group %1") : GroupRatioModel::tr("remove group %1")).arg(m_keys.join(QStringLiteral(" → "))));
    }
    void redo() override { m_add ? m_model->insertEntry(m_keys, m_ratio) : (void)m_model->takeEntry(m_keys); }
    void undo() override { m_add ? (void)m_model->takeEntry(m_keys) : m_model->insertEntry(m_keys, m_ratio); }

private:
    GroupRatioModel *m_model;
    QStringList m_keys;
    QString m_ratio;
    bool m_add;
};

} // namespace

GroupRatioModel::GroupRatioModel(Kind kind, QUndoStack *undo, QObject *parent)
    : QAbstractTableModel(parent)
    , m_kind(kind)
    , m_undo(undo)
{
}

void GroupRatioModel::setDraft(const PriceDraft &draft)
{
    beginResetModel();
    m_entries.clear();
    if (m_kind == Kind::Groups) {
        for (const auto &g : draft.groups)
            m_entries.append({{g.group}, g.ratio});
    } else {
        for (const auto &o : draft.overrides)
            m_entries.append({{o.userGroup, o.usingGroup}, o.ratio});
    }
    std::sort(m_entries.begin(), m_entries.end(), [](const Entry &a, const Entry &b) { return a.keys < b.keys; });
    endResetModel();
}

void GroupRatioModel::writeTo(PriceDraft *draft) const
{
    if (m_kind == Kind::Groups) {
        draft->groups.clear();
        for (const Entry &e : m_entries)
            draft->groups.append({e.keys[0], e.ratio});
    } else {
        draft->overrides.clear();
        for (const Entry &e : m_entries)
            draft->overrides.append({e.keys[0], e.keys[1], e.ratio});
    }
}

int GroupRatioModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int GroupRatioModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : keyColumns() + 1;
}

QVariant GroupRatioModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_entries[index.row()];
    const bool ratioColumn = index.column() == keyColumns();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return ratioColumn ? e.ratio : e.keys.value(index.column());
    case Qt::ToolTipRole:
        if (!ratioColumn)
            return {};
        return m_kind == Kind::Groups
                   ? tr("Every price is multiplied by this for users in group %1 (1 = list price, 0.8 = 20% off).").arg(e.keys[0])
                   : tr("Users in group %1 using group %2 pay this ratio instead of %2's group ratio.").arg(e.keys[0], e.keys[1]);
    case Qt::TextAlignmentRole:
        return ratioColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant GroupRatioModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (m_kind == Kind::Groups)
        return section == 0 ? tr("Group") : tr("Group ratio");
    switch (section) {
    case 0: return tr("User group");
    case 1: return tr("Using group");
    default: return tr("Ratio");
    }
}

Qt::ItemFlags GroupRatioModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == keyColumns())
        f |= Qt::ItemIsEditable;
    return f;
}

bool GroupRatioModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        index.column() != keyColumns())
        return false;
    const QString text = value.toString().trimmed();
    m_lastError = text.isEmpty() ? tr("Enter a ratio (1 = list price).") : PriceDraft::ratioError(text);
    if (!m_lastError.isEmpty()) {
        emit editRefused(index, m_lastError);
        return false;
    }
    const QString canonical = Billing::Ratio::parse(text)->text();
    const Entry &e = m_entries[index.row()];
    if (e.ratio == canonical)
        return true;
    if (m_undo)
        m_undo->push(new SetGroupRatioCommand(this, e.keys, e.ratio, canonical));
    else
        setRatio(e.keys, canonical);
    return true;
}

int GroupRatioModel::rowOf(const QStringList &keys) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].keys == keys)
            return i;
    return -1;
}

void GroupRatioModel::setRatio(const QStringList &keys, const QString &ratio)
{
    const int r = rowOf(keys);
    if (r < 0)
        return;
    m_entries[r].ratio = ratio;
    emit dataChanged(index(r, keyColumns()), index(r, keyColumns()));
    emit draftChanged();
}

void GroupRatioModel::insertEntry(const QStringList &keys, const QString &ratio)
{
    const auto pos = std::lower_bound(m_entries.begin(), m_entries.end(), keys, [](const Entry &e, const QStringList &k) { return e.keys < k; });
    const int r = int(pos - m_entries.begin());
    beginInsertRows({}, r, r);
    m_entries.insert(r, {keys, ratio});
    endInsertRows();
    emit draftChanged();
}

std::optional<QString> GroupRatioModel::takeEntry(const QStringList &keys)
{
    const int r = rowOf(keys);
    if (r < 0)
        return std::nullopt;
    beginRemoveRows({}, r, r);
    const Entry e = m_entries.takeAt(r);
    endRemoveRows();
    emit draftChanged();
    return e.ratio;
}

bool GroupRatioModel::addEntry(const QStringList &keysIn, const QString &ratioIn, QString *error)
{
    QStringList keys;
    for (const QString &k : keysIn)
        keys << k.trimmed();
    const QString ratio = ratioIn.trimmed();
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_.-]+$"));
    QString why;
    if (keys.size() != keyColumns())
        why = tr("Internal error: wrong number of group names.");
    for (const QString &k : std::as_const(keys))
        if (why.isEmpty() && !valid.match(k).hasMatch())
            why = tr("\"%1\" is not a group name: use letters, digits, _ . -").arg(k);
    if (why.isEmpty() && rowOf(keys) >= 0)
        why = tr("%1 is already in the table.").arg(keys.join(QStringLiteral(" → ")));
    if (why.isEmpty())
        why = ratio.isEmpty() ? tr("Enter a ratio (1 = list price).") : PriceDraft::ratioError(ratio);
    if (!why.isEmpty()) {
        m_lastError = why;
        if (error)
            *error = why;
        return false;
    }
    const QString canonical = Billing::Ratio::parse(ratio)->text();
    if (m_undo)
        m_undo->push(new AddGroupCommand(this, keys, canonical, true));
    else
        insertEntry(keys, canonical);
    return true;
}

void GroupRatioModel::removeEntries(const QList<QStringList> &keys)
{
    if (keys.isEmpty())
        return;
    if (m_undo)
        m_undo->beginMacro(tr("remove %n group ratio(s)", nullptr, int(keys.size())));
    for (const QStringList &k : keys) {
        const int r = rowOf(k);
        if (r < 0)
            continue;
        if (m_undo)
            m_undo->push(new AddGroupCommand(this, k, m_entries[r].ratio, false));
        else
            takeEntry(k);
    }
    if (m_undo)
        m_undo->endMacro();
}

} // namespace RelayDesk::Ui
