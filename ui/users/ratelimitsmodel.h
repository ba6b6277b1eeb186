#pragma once

#include "service/adminservice.h"

#include <QAbstractTableModel>

namespace RelayDesk::Ui {

// The four rate limits of a user or a key (rpm, tpm, rpd, concurrency), one row each, always present: the cap is
// edited in place (empty or 0 = no limit) and each row shows what its current window counts now and when that
// window rolls over. setStates() takes what AdminService read; a row the user has edited keeps its cap then (only
// the counts move), so a refresh from another console never overwrites what is being typed.
class RateLimitsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Kind, Cap, Used, Resets, ColumnCount };

    explicit RateLimitsModel(QObject *parent = nullptr);

    // What the store holds now. `keepEdits`: rows edited since the last setStates(…, false) keep their caps.
    void setStates(const QList<Store::RateState> &states, bool keepEdits);
    // Every kind with its cap as edited (0 = none): what Apply hands AdminService::set*Rates.
    Service::RateCaps caps() const;
    // Only the kinds whose cap differs from what was loaded (an unchanged set writes nothing).
    Service::RateCaps changedCaps() const;
    bool isEdited() const;
    // The row of kind "rpm", "tpm", "rpd" or "concurrency" (-1 for anything else).
    int rowOf(const QString &kind) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString kind;
        qint64 cap = 0;       // as edited
        qint64 storedCap = 0; // as loaded
        qint64 used = 0;
        qint64 resetAt = 0;   // unix seconds; 0 = nothing to wait for
    };
    QList<Row> m_rows;
};

} // namespace RelayDesk::Ui
