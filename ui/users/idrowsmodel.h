#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QSet>

#include <algorithm>

namespace RelayDesk::Ui {

// Rows with an `id`, kept sorted by id; sync() applies a fresh list with row-level signals (no reset),
// so selections survive a refresh.
template<typename Row>
class IdRowsModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;
    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int rowOf(qint64 id) const
    {
        for (int i = 0; i < m_rows.size(); ++i)
            if (m_rows[i].id == id)
                return i;
        return -1;
    }
    const Row *rowAt(int row) const { return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr; }

protected:
    // Applies a fresh list (from an AdminService result) with row-level signals.
    void sync(QList<Row> fresh)
    {
        std::sort(fresh.begin(), fresh.end(), [](const Row &a, const Row &b) { return a.id < b.id; });
        QSet<qint64> ids;
        for (const Row &r : fresh)
            ids.insert(r.id);
        for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
            if (!ids.contains(m_rows[i].id)) {
                beginRemoveRows({}, i, i);
                m_rows.removeAt(i);
                endRemoveRows();
            }
        }
        int i = 0;
        for (const Row &r : fresh) {
            while (i < m_rows.size() && m_rows[i].id < r.id)
                ++i;
            if (i < m_rows.size() && m_rows[i].id == r.id) {
                m_rows[i] = r;
                emit dataChanged(index(i, 0), index(i, columnCount() - 1));
            } else {
                beginInsertRows({}, i, i);
                m_rows.insert(i, r);
                endInsertRows();
            }
            ++i;
        }
    }
    QList<Row> m_rows;
};

} // namespace RelayDesk::Ui
