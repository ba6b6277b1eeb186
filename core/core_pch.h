#pragma once
// Precompiled header for the core libraries: heavy, stable Qt Core headers only.
#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QVariant>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
