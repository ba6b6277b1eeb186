#pragma once

#include <QWidget>

class QLineEdit;

namespace RelayDesk::Ui {

// An amount of money edited either in US$ or in quota units (500 000 = $1); the two fields stay in step.
class QuotaEdit final : public QWidget
{
    Q_OBJECT

public:
    explicit QuotaEdit(QWidget *parent = nullptr);

    qint64 quota() const { return m_quota; }
    void setQuota(qint64 quota);
    bool isValid() const { return m_valid; }

signals:
    void quotaChanged(qint64 quota);

private:
    void fromDollars();
    void fromUnits();

    QLineEdit *m_dollars = nullptr;
    QLineEdit *m_units = nullptr;
    qint64 m_quota = 0;
    bool m_valid = true;
    bool m_updating = false;
};

} // namespace RelayDesk::Ui
