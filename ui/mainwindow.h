#pragma once

#include <QMainWindow>

namespace RelayDesk::Ui {

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(const QString &dataDir, QWidget *parent = nullptr);

    // Closes the window and quits after the given delay (used by smoke tests and screenshots).
    void quitAfter(int milliseconds);

private:
    QString m_dataDir;
};

} // namespace RelayDesk::Ui
