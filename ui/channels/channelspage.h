#pragma once

#include "shell/consolepage.h"

#include "service/adminservice.h"

#include <QFuture>

#include <functional>

class QLabel;
class QTableView;

namespace RelayDesk::Ui {

class ChannelsModel;

// Runs a real minimal request against a channel and reports latency or the error (asynchronously;
// `done(ok, message)` on the GUI thread).
using ChannelTester = std::function<void(const Store::Channel &, QObject *context, std::function<void(bool ok, QString message)> done)>;
// The default tester: POST {base}/v1/chat/completions with max_tokens 1 to the channel's first model.
ChannelTester httpChannelTester();

// The Channels page: list, add/edit (validated JSON model mapping), enable/disable, remove, Test.
class ChannelsPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit ChannelsPage(Service::AdminService *admin, ChannelTester tester = httpChannelTester(), QWidget *parent = nullptr);

    ChannelsModel *model() const { return m_model; }
    // Validates (name, URL, models, weight, mapping) and writes through the service's worker; id 0 creates.
    // The page reloads when the service reports the change.
    QFuture<Store::Result<Store::Channel>> save(const Store::Channel &channel);
    QFuture<Store::Status> setEnabled(qint64 id, bool enabled);
    QFuture<Store::Status> remove(qint64 id);
    // "" when the text is a JSON object of model → upstream model strings, else why not.
    static QString mappingError(const QString &json);
    qint64 selectedChannel() const;

    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;
    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

private:
    void editDialog(bool create);
    void report(const QString &text, bool error);
    template<class T, class Write>
    QFuture<T> edit(Write write);

    Service::AdminService *m_admin = nullptr;
    ChannelTester m_tester;
    ChannelsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_message = nullptr;
};

} // namespace RelayDesk::Ui
