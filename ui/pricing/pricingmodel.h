#pragma once

#include "pricing/pricingdraft.h"

#include <QAbstractTableModel>
#include <QPointer>

class QUndoStack;

namespace RelayDesk::Ui {

// The model table of the pricing editor: one row per configured model name (or prefix rule), a column
// per ratio map, and two derived, editable columns "$ / 1M input" and "$ / 1M output" (editing a price
// rewrites ModelRatio or CompletionRatio; editing a ratio updates the prices).
//
// Every edit goes through the QUndoStack (undo/redo) and is validated first: setData() refuses invalid
// text, returns false and emits editRefused() with the reason in plain words.
class PricingModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Model, InputPrice, OutputPrice,
        ModelRatio, CompletionRatio, CacheRatio, CreateCacheRatio, CreateCacheRatio1h, AudioRatio, AudioCompletionRatio,
        AudioCacheRatio, ImageRatio, ModelPrice,
        ColumnCount
    };
    enum Role { RawRole = Qt::UserRole, SortRole }; // RawRole: the ratio text ("" = unset); SortRole: numbers

    explicit PricingModel(QUndoStack *undo, QObject *parent = nullptr);

    void setRows(const QList<PriceDraft::Row> &rows); // resets; clears nothing in the undo stack
    const QList<PriceDraft::Row> &rows() const { return m_rows; }
    static std::optional<Billing::PriceMap> mapOf(int column);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // "" if the text would be accepted in that cell, else the reason.
    QString validate(const QModelIndex &index, const QString &text) const;
    const QString &lastError() const { return m_lastError; }

    // Undoable structure edits.
    bool addModel(const QString &name, QString *error = nullptr);
    void removeModels(const QStringList &names);

    // Direct mutations used by the undo commands (no validation, no undo entry).
    void setCell(const QString &model, Billing::PriceMap map, const QString &text);
    int insertRow(const PriceDraft::Row &row); // keeps name order; returns the row
    std::optional<PriceDraft::Row> takeRow(const QString &model);
    int rowOf(const QString &model) const;

signals:
    void editRefused(const QModelIndex &index, const QString &reason);
    void draftChanged();

private:
    QString ratioTooltip(const PriceDraft::Row &row, int column) const;

    QPointer<QUndoStack> m_undo;
    QList<PriceDraft::Row> m_rows;
    QString m_lastError;
};

// Group ratios (two columns) or user-group overrides (three columns): keys fixed, ratio editable, undoable.
class GroupRatioModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Kind { Groups, Overrides };

    GroupRatioModel(Kind kind, QUndoStack *undo, QObject *parent = nullptr);

    void setDraft(const PriceDraft &draft);
    void writeTo(PriceDraft *draft) const;
    int keyColumns() const { return m_kind == Kind::Groups ? 1 : 2; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    bool addEntry(const QStringList &keys, const QString &ratio, QString *error = nullptr);
    void removeEntries(const QList<QStringList> &keys);
    const QString &lastError() const { return m_lastError; }

    // Used by the undo commands.
    void setRatio(const QStringList &keys, const QString &ratio);
    void insertEntry(const QStringList &keys, const QString &ratio);
    std::optional<QString> takeEntry(const QStringList &keys);
    int rowOf(const QStringList &keys) const;

signals:
    void editRefused(const QModelIndex &index, const QString &reason);
    void draftChanged();

private:
    struct Entry
    {
        QStringList keys;
        QString ratio;
    };
    Kind m_kind;
    QPointer<QUndoStack> m_undo;
    QList<Entry> m_entries;
    QString m_lastError;
};

} // namespace RelayDesk::Ui
