#pragma once

#include "pricing/pricingdraft.h"

#include <QAbstractTableModel>
#include <QPointer>

class QUndoStack;

namespace RelayDesk::Ui {

// The "Audio and text by unit" table of the pricing editor (the book's MinutePrice and CharacterPrice): one row
// per model with its price in US$ per minute of audio (whisper-1) and in US$ per 1M characters (tts-1), each
// editable and optional (at least one per row), and, derived, the quota of a minute and of 1,000 characters before
// the group ratio. Rows are added and removed with addEntry/removeEntries; every edit is validated and goes through
// the QUndoStack, so it is part of the page's one draft: Apply writes it, Revert and undo restore it.
class UnitPriceModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Model, PerMinute, QuotaPerMinute, PerMillionChars, QuotaPerThousandChars, ColumnCount };
    enum Role { RawRole = Qt::UserRole }; // the price text or model name, or the quota as a double

    explicit UnitPriceModel(QUndoStack *undo, QObject *parent = nullptr);

    void setDraft(const PriceDraft &draft); // resets; clears nothing in the undo stack
    void writeTo(PriceDraft *draft) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // Undoable structure edits; false (and the reason in *error and lastError()) when refused. minute and
    // character are US$ texts, "" = none; one of them is needed.
    bool addEntry(const QString &model, const QString &minute, const QString &character, QString *error = nullptr);
    void removeEntries(const QStringList &models);
    const QString &lastError() const { return m_lastError; }

    // Used by the undo commands (no validation, no undo entry): insert, replace or (nullopt) remove a model's row.
    void putEntry(const QString &model, const std::optional<PriceDraft::UnitPrice> &entry);
    std::optional<PriceDraft::UnitPrice> entry(const QString &model) const;
    int rowOf(const QString &model) const; // case-insensitive; -1 when absent

signals:
    void editRefused(const QModelIndex &index, const QString &reason);
    void draftChanged();

private:
    void push(const QString &model, const std::optional<PriceDraft::UnitPrice> &after, const QString &text);

    QList<PriceDraft::UnitPrice> m_entries; // sorted by model, case-insensitively
    QPointer<QUndoStack> m_undo;
    QString m_lastError;
};

} // namespace RelayDesk::Ui
