#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

namespace RelayDesk::Ui {

// Calls done(result) on context's thread, from its event loop, once `future` has finished: never inside this call,
// even when the future has finished already, and never once `context` is gone. Deliveries keep the order in which
// their futures finish (for one AdminService worker: the order of the calls).
//
// Why not future.then(context, done): on a future that is already finished, then() runs done inline, inside the
// caller. A page or dialog that starts its first read in its constructor would then emit its "loaded" signal
// before anybody could connect to it — which happened whenever the worker beat the GUI thread.
template<class T, class Done>
void deliverLater(const QFuture<T> &future, QObject *context, Done done)
{
    auto *watcher = new QFutureWatcher<T>(context); // goes with context: nothing is delivered to a dead object
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, done = std::move(done)]() mutable {
        watcher->deleteLater();
        done(watcher->result());
    });
    watcher->setFuture(future); // QFutureWatcher posts its finished() as an event, even for a finished future
}

} // namespace RelayDesk::Ui
