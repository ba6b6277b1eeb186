#pragma once

#include "shell/consolepage.h"

#include "service/adminservice.h"

#include <QPointer>

#include <memory>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressDialog;
class QPushButton;
class QSplitter;
class QTableView;

namespace RelayDesk::Ui {

class CsvExport;
class LogsModel;

// The Logs page: filters (time range, user, key, model, channel, type), keyset-paged table, a detail pane
// that renders the row's `other` JSON readably, and CSV export (streamed on AdminService's worker, with a
// progress bar). Every read runs on the service's worker; the page shows "Loading…" meanwhile.
class LogsPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit LogsPage(Service::AdminService *admin, QWidget *parent = nullptr);

    LogsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QPlainTextEdit *detail() const { return m_detail; }
    Store::LogFilter currentFilter() const;
    // Exports the current filter to a file on the service's worker; exportFinished() tells how it ended
    // (a progress dialog shows meanwhile, cancellable). False when an export is already running.
    bool exportCsv(const QString &fileName);

signals:
    void exportProgress(qint64 done, qint64 total);
    void exportFinished(bool ok, const QString &error, qint64 rows);

public:
    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;
    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

private:
    void applyFilter();
    void updatePager();
    void reloadFilterChoices();

    Service::AdminService *m_admin = nullptr;
    std::shared_ptr<CsvExport> m_export;
    QPointer<QProgressDialog> m_progress;
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
    QComboBox *m_endpoint = nullptr; // any, or one Monitor::EndpointKind (its id as the item data)
    QLineEdit *m_modelFilter = nullptr;
    QComboBox *m_pageSize = nullptr;
    QPushButton *m_first = nullptr;
    QPushButton *m_prev = nullptr;
    QPushButton *m_next = nullptr;
    QLabel *m_pageLabel = nullptr;
};

} // namespace RelayDesk::Ui
