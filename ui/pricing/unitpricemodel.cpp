#include "pricing/unitpricemodel.h"

#include "widgets/money.h"

#include "billing/quotamath.h"
#include "billing/ratio.h"

#include <QLocale>
#include <QUndoCommand>
#include <QUndoStack>

namespace RelayDesk::Ui {

namespace {

using Entry = std::optional<PriceDraft::UnitPrice>;

// One undoable change of one model's row: before → after (nullopt = no row).
class PutUnitPriceCommand final : public QUndoCommand
{
public:
    PutUnitPriceCommand(UnitPriceModel *model, QString name, Entry before, Entry after, const QString &text)
        : m_model(model), m_name(std::move(name)), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(text);
    }
    void redo() override { m_model->putEntry(m_name, m_after); }
    void undo() override { m_model->putEntry(m_name, m_before); }

private:
    UnitPriceModel *m_model;
    QString m_name;
    Entry m_before, m_after;
};

QString canonical(const QString &text)
{
    const QString t = text.trimmed();
    return t.isEmpty() ? QString() : Billing::Ratio::parse(t)->text();
}

QString localDecimal(double value)
{
    const QString text = PriceDraft::decimalText(value);
    const qsizetype point = text.indexOf(QLatin1Char('.'));
    return QLocale().toString(value, 'f', point < 0 ? 0 : int(text.size() - point - 1));
}

} // namespace

UnitPriceModel::UnitPriceModel(QUndoStack *undo, QObject *parent)
    : QAbstractTableModel(parent)
    , m_undo(undo)
{
}

void UnitPriceModel::setDraft(const PriceDraft &draft)
{
    beginResetModel();
    m_entries = draft.units;
    std::sort(m_entries.begin(), m_entries.end(), [](const PriceDraft::UnitPrice &a, const PriceDraft::UnitPrice &b) {
        return a.model.compare(b.model, Qt::CaseInsensitive) < 0;
    });
    endResetModel();
}

void UnitPriceModel::writeTo(PriceDraft *draft) const
{
    draft->units = m_entries;
}

int UnitPriceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int UnitPriceModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UnitPriceModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PriceDraft::UnitPrice &u = m_entries[index.row()];
    // A minute, and 1,000 characters (1/1,000 of the price per 1M), in quota before the group ratio.
    const std::optional<double> minute = PriceDraft::quotaOf(u.minute);
    const std::optional<double> thousand = PriceDraft::quotaOf(u.character, 1.0 / 1000.0);
    switch (role) {
    case RawRole:
        switch (index.column()) {
        case Model: return u.model;
        case PerMinute: return u.minute;
        case PerMillionChars: return u.character;
        case QuotaPerMinute: return minute ? QVariant(*minute) : QVariant();
        case QuotaPerThousandChars: return thousand ? QVariant(*thousand) : QVariant();
        default: return {};
        }
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case Model: return u.model;
        case PerMinute: return u.minute;
        case PerMillionChars: return u.character;
        case QuotaPerMinute: return minute ? localDecimal(*minute) : QString();
        case QuotaPerThousandChars: return thousand ? localDecimal(*thousand) : QString();
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case PerMinute:
            return tr("US$ per minute of audio (transcription by duration), prorated per millisecond; empty = not priced "
                      "by the minute. Multiplied by the group ratio.");
        case PerMillionChars:
            return tr("US$ per 1M characters of input text (speech priced by the character); empty = not priced by "
                      "the character. Multiplied by the group ratio.");
        case QuotaPerMinute:
        case QuotaPerThousandChars:
            return tr("Before the group ratio (%1 quota = US$1). Added to the call's token cost and rounded once.")
                .arg(QLocale().toString(Billing::QuotaMath::kQuotaPerUnit));
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        return index.column() == Model ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant UnitPriceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Model: return tr("Model");
    case PerMinute: return tr("US$ / minute");
    case QuotaPerMinute: return tr("Quota / minute");
    case PerMillionChars: return tr("US$ / 1M characters");
    case QuotaPerThousandChars: return tr("Quota / 1,000 characters");
    default: return {};
    }
}

Qt::ItemFlags UnitPriceModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == PerMinute || index.column() == PerMillionChars)
        f |= Qt::ItemIsEditable;
    return f;
}

bool UnitPriceModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        (index.column() != PerMinute && index.column() != PerMillionChars))
        return false;
    const QString text = value.toString().trimmed();
    PriceDraft::UnitPrice after = m_entries[index.row()];
    QString &target = index.column() == PerMinute ? after.minute : after.character;
    const QString &other = index.column() == PerMinute ? after.character : after.minute;
    m_lastError = PriceDraft::priceError(text, true);
    if (m_lastError.isEmpty() && text.isEmpty() && other.isEmpty())
        m_lastError = tr("%1 would have no price left: remove the row instead.").arg(after.model);
    if (!m_lastError.isEmpty()) {
        emit editRefused(index, m_lastError);
        return false;
    }
    if (target == canonical(text))
        return true;
    target = canonical(text);
    push(after.model, after,
         index.column() == PerMinute ? tr("set %1 to US$%2 per minute").arg(after.model, text.isEmpty() ? tr("none") : target)
                                     : tr("set %1 to US$%2 per 1M characters").arg(after.model, text.isEmpty() ? tr("none") : target));
    return true;
}

int UnitPriceModel::rowOf(const QString &model) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].model.compare(model.trimmed(), Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

std::optional<PriceDraft::UnitPrice> UnitPriceModel::entry(const QString &model) const
{
    const int r = rowOf(model);
    return r < 0 ? std::nullopt : std::optional(m_entries[r]);
}

void UnitPriceModel::putEntry(const QString &model, const std::optional<PriceDraft::UnitPrice> &entry)
{
    const int r = rowOf(model);
    if (r >= 0 && entry) {
        m_entries[r] = *entry;
        emit dataChanged(index(r, 0), index(r, ColumnCount - 1));
    } else if (r >= 0) {
        beginRemoveRows({}, r, r);
        m_entries.removeAt(r);
        endRemoveRows();
    } else if (entry) {
        const auto pos = std::lower_bound(m_entries.begin(), m_entries.end(), entry->model,
                                          [](const PriceDraft::UnitPrice &u, const QString &k) {
                                              return u.model.compare(k, Qt::CaseInsensitive) < 0;
                                          });
        const int at = int(pos - m_entries.begin());
        beginInsertRows({}, at, at);
        m_entries.insert(at, *entry);
        endInsertRows();
    } else {
        return;
    }
    emit draftChanged();
}

void UnitPriceModel::push(const QString &model, const std::optional<PriceDraft::UnitPrice> &after, const QString &text)
{
    if (m_undo)
        m_undo->push(new PutUnitPriceCommand(this, model, entry(model), after, text));
    else
        putEntry(model, after);
}

bool UnitPriceModel::addEntry(const QString &modelIn, const QString &minute, const QString &character, QString *error)
{
    const QString model = modelIn.trimmed();
    QString why = PriceDraft::modelNameError(model);
    if (why.isEmpty() && rowOf(model) >= 0)
        why = tr("%1 is already in the table.").arg(model);
    if (why.isEmpty())
        why = PriceDraft::priceError(minute, true);
    if (why.isEmpty())
        why = PriceDraft::priceError(character, true);
    if (why.isEmpty() && minute.trimmed().isEmpty() && character.trimmed().isEmpty())
        why = tr("Enter a price per minute, per 1M characters, or both.");
    if (!why.isEmpty()) {
        m_lastError = why;
        if (error)
            *error = why;
        return false;
    }
    push(model, PriceDraft::UnitPrice{model, canonical(minute), canonical(character)}, tr("add unit prices of %1").arg(model));
    return true;
}

void UnitPriceModel::removeEntries(const QStringList &models)
{
    if (models.isEmpty())
        return;
    if (m_undo)
        m_undo->beginMacro(tr("remove unit prices of %n model(s)", nullptr, int(models.size())));
    for (const QString &model : models)
        if (rowOf(model) >= 0)
            push(model, std::nullopt, tr("remove unit prices of %1").arg(model));
    if (m_undo)
        m_undo->endMacro();
}

} // namespace RelayDesk::Ui
