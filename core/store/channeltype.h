#pragma once
// A channel's type says which wire its upstream speaks. `anthropic` speaks Anthropic's Messages API
// (x-api-key auth, /v1/messages); every other type (openai, azure, demo) speaks OpenAI's (Bearer auth,
// /v1/chat/completions, …). The relay never sends one wire's body to a channel of the other.
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace RelayDesk::Store {

enum class ChannelWire { OpenAi, Anthropic };

class ChannelType final
{
public:
    static inline const QString kOpenAi = QStringLiteral("openai");
    static inline const QString kAnthropic = QStringLiteral("anthropic");

    // The types a channel may have (a typo such as "antropic" would otherwise route as OpenAI).
    static QStringList known()
    {
        return {kOpenAi, kAnthropic, QStringLiteral("azure"), QStringLiteral("demo")};
    }
    static bool isKnown(const QString &type) { return known().contains(type); }
    static ChannelWire wireOf(const QString &type)
    {
        return type == kAnthropic ? ChannelWire::Anthropic : ChannelWire::OpenAi;
    }
};

} // namespace RelayDesk::Store
