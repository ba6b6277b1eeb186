#include "pricing/imagepricemodel.h"

#include "widgets/money.h"

#include "billing/pricebook.h"
#include "billing/quotamath.h"
#include "billing/ratio.h"

#include <QLocale>
#include <QUndoCommand>
#include <QUndoStack>

namespace RelayDesk::Ui {

namespace {

using Entry = std::optional<PriceDraft::ImagePrice>;

// One undoable change of one entry: before → after (nullopt = no entry).
class PutImagePriceCommand final : public QUndoCommand
{
public:
    PutImagePriceCommand(ImagePriceModel *model, ImagePriceModel::Key key, Entry before, Entry after, const QString &text)
        : m_model(model), m_key(std::move(key)), m_before(std::move(before)), m_after(std::move(after))
    {
        setText(text);
    }
    void redo() override { m_model->putEntry(m_key, m_after); }
    void undo() override { m_model->putEntry(m_key, m_before); }

private:
    ImagePriceModel *m_model;
    ImagePriceModel::Key m_key;
    Entry m_before, m_after;
};

bool before(const PriceDraft::ImagePrice &a, const PriceDraft::ImagePrice &b)
{
    const int byModel = a.model.compare(b.model, Qt::CaseInsensitive);
    return byModel != 0 ? byModel < 0 : std::pair(a.size, a.quality) < std::pair(b.size, b.quality);
}

QString localDecimal(double value)
{
    const QString text = PriceDraft::decimalText(value);
    const qsizetype point = text.indexOf(QLatin1Char('.'));
    return QLocale().toString(value, 'f', point < 0 ? 0 : int(text.size() - point - 1));
}

} // namespace

ImagePriceModel::ImagePriceModel(QUndoStack *undo, QObject *parent)
    : QAbstractTableModel(parent)
    , m_undo(undo)
{
}

void ImagePriceModel::setDraft(const PriceDraft &draft)
{
    beginResetModel();
    m_entries = draft.images;
    std::sort(m_entries.begin(), m_entries.end(), before);
    endResetModel();
}

void ImagePriceModel::writeTo(PriceDraft *draft) const
{
    draft->images = m_entries;
}

int ImagePriceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int ImagePriceModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImagePriceModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PriceDraft::ImagePrice &e = m_entries[index.row()];
    const std::optional<double> quota = PriceDraft::quotaOf(e.price);
    switch (role) {
    case KeyRole:
        return e.key();
    case RawRole:
        switch (index.column()) {
        case Model: return e.model;
        case Size: return e.size;
        case Quality: return e.quality;
        case PerImage: return e.price;
        case QuotaPerImage: return quota ? QVariant(*quota) : QVariant();
        default: return {};
        }
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case Model: return e.model;
        case Size: return e.size.isEmpty() ? tr("any") : e.size;
        case Quality: return e.quality.isEmpty() ? tr("any") : e.quality;
        case PerImage: return e.price;
        case QuotaPerImage: return quota ? localDecimal(*quota) : QString();
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Size:
        case Quality:
            return tr("An image is charged the price of its size and quality, else of its size (quality \"any\"), else "
                      "the model's default (size \"any\").");
        case PerImage:
            return tr("US$ per image; multiplied by the number of images and the group ratio.");
        case QuotaPerImage:
            return tr("One image, before the group ratio (%1 quota = US$1).").arg(QLocale().toString(Billing::QuotaMath::kQuotaPerUnit));
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        return index.column() <= Quality ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant ImagePriceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Model: return tr("Model");
    case Size: return tr("Size");
    case Quality: return tr("Quality");
    case PerImage: return tr("US$ / image");
    case QuotaPerImage: return tr("Quota / image");
    default: return {};
    }
}

Qt::ItemFlags ImagePriceModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == PerImage)
        f |= Qt::ItemIsEditable;
    return f;
}

bool ImagePriceModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        index.column() != PerImage)
        return false;
    const QString text = value.toString().trimmed();
    m_lastError = PriceDraft::priceError(text, false);
    if (!m_lastError.isEmpty()) {
        emit editRefused(index, m_lastError);
        return false;
    }
    PriceDraft::ImagePrice after = m_entries[index.row()];
    const QString canonical = Billing::Ratio::parse(text)->text();
    if (after.price == canonical)
        return true;
    after.price = canonical;
    const Key key = keyOf(index.row());
    const QString label = tr("set %1 %2 to US$%3 per image").arg(after.model, after.key(), canonical);
    if (m_undo)
        m_undo->push(new PutImagePriceCommand(this, key, m_entries[index.row()], after, label));
    else
        putEntry(key, after);
    return true;
}

ImagePriceModel::Key ImagePriceModel::keyOf(int row) const
{
    if (row < 0 || row >= m_entries.size())
        return {};
    return {m_entries[row].model, m_entries[row].key()};
}

int ImagePriceModel::rowOf(const Key &key) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].model.compare(key.first.trimmed(), Qt::CaseInsensitive) == 0 && m_entries[i].key() == key.second)
            return i;
    return -1;
}

void ImagePriceModel::putEntry(const Key &key, const std::optional<PriceDraft::ImagePrice> &entry)
{
    const int r = rowOf(key);
    if (r >= 0 && entry) {
        m_entries[r] = *entry;
        emit dataChanged(index(r, 0), index(r, ColumnCount - 1));
    } else if (r >= 0) {
        beginRemoveRows({}, r, r);
        m_entries.removeAt(r);
        endRemoveRows();
    } else if (entry) {
        const int at = int(std::lower_bound(m_entries.begin(), m_entries.end(), *entry, before) - m_entries.begin());
        beginInsertRows({}, at, at);
        m_entries.insert(at, *entry);
        endInsertRows();
    } else {
        return;
    }
    emit draftChanged();
}

bool ImagePriceModel::addEntry(const QString &modelIn, const QString &size, const QString &quality, const QString &price,
                               QString *error)
{
    const QString model = modelIn.trimmed();
    QString why = PriceDraft::modelNameError(model);
    const auto key = Billing::PriceBook::imagePriceKey(size, quality);
    if (why.isEmpty() && !key)
        why = key.error();
    if (why.isEmpty() && rowOf({model, *key}) >= 0)
        why = tr("%1 already has a price for %2.").arg(model, *key);
    if (why.isEmpty())
        why = PriceDraft::priceError(price, false);
    if (!why.isEmpty()) {
        m_lastError = why;
        if (error)
            *error = why;
        return false;
    }
    const bool isDefault = *key == QLatin1String("default");
    const PriceDraft::ImagePrice entry{model, isDefault ? QString() : key->section(u'|', 0, 0),
                                       isDefault ? QString() : key->section(u'|', 1),
                                       Billing::Ratio::parse(price.trimmed())->text()};
    if (m_undo)
        m_undo->push(new PutImagePriceCommand(this, {model, *key}, std::nullopt, entry,
                                              tr("add image price %1 %2").arg(model, *key)));
    else
        putEntry({model, *key}, entry);
    return true;
}

void ImagePriceModel::removeEntries(const QList<Key> &keys)
{
    if (keys.isEmpty())
        return;
    if (m_undo)
        m_undo->beginMacro(tr("remove %n image price(s)", nullptr, int(keys.size())));
    for (const Key &key : keys) {
        const int r = rowOf(key);
        if (r < 0)
            continue;
        if (m_undo)
            m_undo->push(new PutImagePriceCommand(this, key, m_entries[r], std::nullopt,
                                                  tr("remove image price %1 %2").arg(key.first, key.second)));
        else
            putEntry(key, std::nullopt);
    }
    if (m_undo)
        m_undo->endMacro();
}

} // namespace RelayDesk::Ui
