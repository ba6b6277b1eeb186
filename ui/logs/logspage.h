#pragma once

#include "shell/consolepage.h"

#include "store/logrepository.h"

#include <memory>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QTableView;

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Ui {

class LogsModel;

// The Logs page: filters (time range, user, key, model, channel, type), keyset-paged table, a detail pane
// that renders the row's `other` JSON readably, and CSV export (on a worker thread, with a progress bar).
class LogsPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit LogsPage(std::shared_ptr<Store::Database> db, QWidget *parent = nullptr);

    LogsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QPlainTextEdit *detail() const { return m_detail; }
    Store::LogFilter currentFilter() const;
    // Exports the current filter to a file; blocks with a progress dialog (cancellable).
    bool exportCsv(const QString &fileName, QString *error);

    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;
    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

private:
    void applyFilter();
    void updatePager();
    void reloadFilterChoices();

    std::shared_ptr<Store::Database> m_db;
    LogsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    QSplitter *m_splitter = nullptr;
    QComboBox *m_range = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QComboBox *m_user = nullptr;
    QComboBox *m_key = nullptr;
    QComboBox *m_channel = nullptr;
    QComboBox *m_type = nullptr;
    QLineEdit *m_modelFilter = nullptr;
    QComboBox *m_pageSize = nullptr;
    QPushButton *m_first = nullptr;
    QPushButton *m_prev = nullptr;
    QPushButton *m_next = nullptr;
    QLabel *m_pageLabel = nullptr;
};

} // namespace RelayDesk::Ui
