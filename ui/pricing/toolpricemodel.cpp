#include "pricing/toolpricemodel.h"

#include "widgets/money.h"

#include "billing/quotamath.h"
#include "billing/ratio.h"

#include <QLocale>
#include <QRegularExpression>
#include <QUndoCommand>
#include <QUndoStack>

namespace RelayDesk::Ui {

namespace {

class SetToolPriceCommand final : public QUndoCommand
{
public:
    SetToolPriceCommand(ToolPriceModel *model, QString type, QString before, QString after)
        : m_model(model), m_type(std::move(type)), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(ToolPriceModel::tr("set %1 to US$%2 per 1,000 calls").arg(m_type, m_after));
    }
    void redo() override { m_model->setPrice(m_type, m_after); }
    void undo() override { m_model->setPrice(m_type, m_before); }

private:
    ToolPriceModel *m_model;
    QString m_type;
    QString m_before, m_after;
};

class AddToolCommand final : public QUndoCommand
{
public:
    AddToolCommand(ToolPriceModel *model, QString type, QString price, bool add)
        : m_model(model), m_type(std::move(type)), m_price(std::move(price)), m_add(add)
    {
        setText((add ? ToolPriceModel::tr("add tool price %1") : ToolPriceModel::tr("remove tool price %1")).arg(m_type));
    }
    void redo() override { m_add ? m_model->insertEntry(m_type, m_price) : (void)m_model->takeEntry(m_type); }
    void undo() override { m_add ? (void)m_model->takeEntry(m_type) : m_model->insertEntry(m_type, m_price); }

private:
    ToolPriceModel *m_model;
    QString m_type;
    QString m_price;
    bool m_add;
};

// The shortest decimal of `value` in the current locale: 5000 → "5,000", 12.5 → "12.5".
QString localDecimal(double value)
{
    const QString text = PriceDraft::decimalText(value);
    const qsizetype point = text.indexOf(QLatin1Char('.'));
    return QLocale().toString(value, 'f', point < 0 ? 0 : int(text.size() - point - 1));
}

} // namespace

ToolPriceModel::ToolPriceModel(QUndoStack *undo, QObject *parent)
    : QAbstractTableModel(parent)
    , m_undo(undo)
{
}

QStringList ToolPriceModel::knownTypes()
{
    return {QStringLiteral("web_search_call"), QStringLiteral("file_search_call"), QStringLiteral("code_interpreter_call")};
}

void ToolPriceModel::setDraft(const PriceDraft &draft)
{
    beginResetModel();
    m_entries = draft.tools;
    std::sort(m_entries.begin(), m_entries.end(), [](const PriceDraft::Tool &a, const PriceDraft::Tool &b) { return a.type < b.type; });
    endResetModel();
}

void ToolPriceModel::writeTo(PriceDraft *draft) const
{
    draft->tools = m_entries;
}

int ToolPriceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int ToolPriceModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ToolPriceModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PriceDraft::Tool &t = m_entries[index.row()];
    const std::optional<double> quota = PriceDraft::quotaPerToolCall(t.price);
    switch (role) {
    case RawRole:
        switch (index.column()) {
        case Tool: return t.type;
        case PricePerThousand: return t.price;
        case DollarsPerCall: return quota ? QVariant(*quota / double(Billing::QuotaMath::kQuotaPerUnit)) : QVariant();
        case QuotaPerCall: return quota ? QVariant(*quota) : QVariant();
        default: return {};
        }
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case Tool: return t.type;
        case PricePerThousand: return t.price;
        case DollarsPerCall: return quota ? formatQuota(*quota, CurrencyDisplay::Dollars) : QString();
        case QuotaPerCall: return quota ? localDecimal(*quota) : QString();
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case PricePerThousand:
            return tr("US$ per 1,000 %1 items in a response's output; multiplied by the group ratio.").arg(t.type);
        case DollarsPerCall:
        case QuotaPerCall:
            return tr("One call, before the group ratio (%1 quota = US$1). A response's tool calls are added to its "
                      "token cost and rounded once.").arg(QLocale().toString(Billing::QuotaMath::kQuotaPerUnit));
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        return index.column() == Tool ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant ToolPriceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Tool: return tr("Tool (output item type)");
    case PricePerThousand: return tr("US$ / 1,000 calls");
    case DollarsPerCall: return tr("US$ / call");
    case QuotaPerCall: return tr("Quota / call");
    default: return {};
    }
}

Qt::ItemFlags ToolPriceModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == PricePerThousand)
        f |= Qt::ItemIsEditable;
    return f;
}

bool ToolPriceModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        index.column() != PricePerThousand)
        return false;
    const QString text = value.toString().trimmed();
    m_lastError = PriceDraft::toolPriceError(text);
    if (!m_lastError.isEmpty()) {
        emit editRefused(index, m_lastError);
        return false;
    }
    const QString canonical = Billing::Ratio::parse(text)->text();
    const PriceDraft::Tool &t = m_entries[index.row()];
    if (t.price == canonical)
        return true;
    if (m_undo)
        m_undo->push(new SetToolPriceCommand(this, t.type, t.price, canonical));
    else
        setPrice(t.type, canonical);
    return true;
}

int ToolPriceModel::rowOf(const QString &type) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].type.compare(type, Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

void ToolPriceModel::setPrice(const QString &type, const QString &price)
{
    const int r = rowOf(type);
    if (r < 0)
        return;
    m_entries[r].price = price;
    emit dataChanged(index(r, PricePerThousand), index(r, ColumnCount - 1));
    emit draftChanged();
}

void ToolPriceModel::insertEntry(const QString &type, const QString &price)
{
    const auto pos = std::lower_bound(m_entries.begin(), m_entries.end(), type,
                                      [](const PriceDraft::Tool &t, const QString &k) { return t.type < k; });
    const int r = int(pos - m_entries.begin());
    beginInsertRows({}, r, r);
    m_entries.insert(r, {type, price});
    endInsertRows();
    emit draftChanged();
}

std::optional<QString> ToolPriceModel::takeEntry(const QString &type)
{
    const int r = rowOf(type);
    if (r < 0)
        return std::nullopt;
    beginRemoveRows({}, r, r);
    const PriceDraft::Tool t = m_entries.takeAt(r);
    endRemoveRows();
    emit draftChanged();
    return t.price;
}

bool ToolPriceModel::addEntry(const QString &typeIn, const QString &priceIn, QString *error)
{
    // Item types are matched case-insensitively and stored in lower case, as the price book keeps them. A leading
    // '_' would make the key a comment the book ignores.
    const QString type = typeIn.trimmed().toLower();
    const QString price = priceIn.trimmed();
    static const QRegularExpression valid(QStringLiteral("^[a-z0-9][a-z0-9_.-]*$"));
    QString why;
    if (type.isEmpty())
        why = tr("Enter the tool's output item type, e.g. web_search_call.");
    else if (type.size() > 200 || !valid.match(type).hasMatch())
        why = tr("\"%1\" is not an output item type: use letters, digits, _ . - (e.g. web_search_call).").arg(typeIn.trimmed());
    else if (rowOf(type) >= 0)
        why = tr("%1 is already in the table.").arg(type);
    if (why.isEmpty())
        why = PriceDraft::toolPriceError(price);
    if (!why.isEmpty()) {
        m_lastError = why;
        if (error)
            *error = why;
        return false;
    }
    const QString canonical = Billing::Ratio::parse(price)->text();
    if (m_undo)
        m_undo->push(new AddToolCommand(this, type, canonical, true));
    else
        insertEntry(type, canonical);
    return true;
}

void ToolPriceModel::removeEntries(const QStringList &types)
{
    if (types.isEmpty())
        return;
    if (m_undo)
        m_undo->beginMacro(tr("remove %n tool price(s)", nullptr, int(types.size())));
    for (const QString &type : types) {
        const int r = rowOf(type);
        if (r < 0)
            continue;
        if (m_undo)
            m_undo->push(new AddToolCommand(this, m_entries[r].type, m_entries[r].price, false));
        else
            takeEntry(type);
    }
    if (m_undo)
        m_undo->endMacro();
}

} // namespace RelayDesk::Ui
