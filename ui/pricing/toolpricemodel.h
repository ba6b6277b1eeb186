#pragma once

#include "pricing/pricingdraft.h"

#include <QAbstractTableModel>
#include <QPointer>

class QUndoStack;

namespace RelayDesk::Ui {

// The "Built-in tool calls" table of the pricing editor (the book's ToolCallPrice): one row per Responses output
// item type (web_search_call, file_search_call, code_interpreter_call, …), its price in US$ per 1,000 calls
// (editable) and, derived, what one call costs in US$ and in quota before the group ratio. Rows are added and
// removed with addEntry/removeEntries; every edit is validated (non-negative finite price, a type name) and goes
// through the QUndoStack, so it is part of the page's one draft: Apply writes it, Revert and undo restore it.
class ToolPriceModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Tool, PricePerThousand, DollarsPerCall, QuotaPerCall, ColumnCount };
    enum Role { RawRole = Qt::UserRole }; // the price text, or the per-call amount as a double

    explicit ToolPriceModel(QUndoStack *undo, QObject *parent = nullptr);

    void setDraft(const PriceDraft &draft); // resets; clears nothing in the undo stack
    void writeTo(PriceDraft *draft) const;
    // The item types the relay bills today (suggested by the page's Add dialog).
    static QStringList knownTypes();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // Undoable structure edits; false (and the reason in *error and lastError()) when refused.
    bool addEntry(const QString &type, const QString &price, QString *error = nullptr);
    void removeEntries(const QStringList &types);
    const QString &lastError() const { return m_lastError; }

    // Used by the undo commands (no validation, no undo entry).
    void setPrice(const QString &type, const QString &price);
    void insertEntry(const QString &type, const QString &price);
    std::optional<QString> takeEntry(const QString &type);
    int rowOf(const QString &type) const; // case-insensitive; -1 when absent

signals:
    void editRefused(const QModelIndex &index, const QString &reason);
    void draftChanged();

private:
    QList<PriceDraft::Tool> m_entries; // sorted by type
    QPointer<QUndoStack> m_undo;
    QString m_lastError;
};

} // namespace RelayDesk::Ui
