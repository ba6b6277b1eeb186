#pragma once

#include "shell/consolepreferences.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace RelayDesk::Ui {

// Listen address/port, data directory, currency display and language.
class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(const ConsolePreferences &current, QWidget *parent = nullptr);

    ConsolePreferences preferences() const;
    // Empty when valid, else why not (shown inline; OK stays disabled).
    QString validationError() const;

private:
    void revalidate();

    ConsolePreferences m_initial;
    QLineEdit *m_address = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_dataDir = nullptr;
    QComboBox *m_currency = nullptr;
    QComboBox *m_language = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_note = nullptr;
};

} // namespace RelayDesk::Ui
