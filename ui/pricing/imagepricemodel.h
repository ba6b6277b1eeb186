#pragma once

#include "pricing/pricingdraft.h"

#include <QAbstractTableModel>
#include <QPointer>

class QUndoStack;

namespace RelayDesk::Ui {

// The "Images by size and quality" table of the pricing editor (the book's ImagePrice): one row per model, size
// and quality (either may be "any": the book's "size" and "default" keys) with its price in US$ per image
// (editable) and, derived, its quota before the group ratio. The relay charges the exact "size|quality" price,
// else the size's, else the model's default. Rows are added and removed with addEntry/removeEntries; every edit is
// validated (a model name, a WIDTHxHEIGHT size, a lower-case quality word, a non-negative finite price) and goes
// through the QUndoStack, so it is part of the page's one draft: Apply writes it, Revert and undo restore it.
class ImagePriceModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Model, Size, Quality, PerImage, QuotaPerImage, ColumnCount };
    enum Role { RawRole = Qt::UserRole, KeyRole }; // raw texts ("" = any) or the quota as a double; KeyRole: the ImagePrice key

    using Key = std::pair<QString, QString>; // model, ImagePrice key ("1024x1024|hd", "1024x1024", "default")

    explicit ImagePriceModel(QUndoStack *undo, QObject *parent = nullptr);

    void setDraft(const PriceDraft &draft); // resets; clears nothing in the undo stack
    void writeTo(PriceDraft *draft) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // Undoable structure edits; false (and the reason in *error and lastError()) when refused. size and quality
    // "" = any (a quality needs a size); both are normalised to lower case.
    bool addEntry(const QString &model, const QString &size, const QString &quality, const QString &price,
                  QString *error = nullptr);
    void removeEntries(const QList<Key> &keys);
    const QString &lastError() const { return m_lastError; }

    // Used by the undo commands (no validation, no undo entry): insert, replace or (nullopt) remove an entry.
    void putEntry(const Key &key, const std::optional<PriceDraft::ImagePrice> &entry);
    int rowOf(const Key &key) const; // model case-insensitive; -1 when absent
    Key keyOf(int row) const;

signals:
    void editRefused(const QModelIndex &index, const QString &reason);
    void draftChanged();

private:
    QList<PriceDraft::ImagePrice> m_entries; // sorted by model (case-insensitively), size, quality
    QPointer<QUndoStack> m_undo;
    QString m_lastError;
};

} // namespace RelayDesk::Ui
