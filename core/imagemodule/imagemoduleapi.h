#pragma once
// The one entry point of librelaydesk_image, the module that holds the core's use of Qt Gui (imagemodule.h
// loads it on first use). Shared by the loader and the module, which are built together: a table that
// differs from the loader's is refused by its version.
#include <QtCore/QByteArray>

extern "C" {

// A picture of the demo upstream: a flat colour with darker horizontal stripes; with `transparent`, a
// transparent border of an eighth of the shorter side.
struct RelayDeskStripedImage {
    int width;
    int height;
    unsigned int rgb;   // 0xRRGGBB
    bool transparent;
};

struct RelayDeskImageModuleApi {
    int version;
    // Width and height read from the header of encoded image data (no pixel decoding); false when unknown.
    bool (*headerSize)(const QByteArray *data, int *width, int *height);
    // True when this Qt has a writer for the format ("png", "jpeg", "webp" …).
    bool (*canWrite)(const char *format);
    // The image encoded in `format` into *out; false when the writer fails.
    bool (*writeStriped)(const RelayDeskStripedImage *image, const char *format, QByteArray *out);
};

// The module's table; the loader compares its version with kRelayDeskImageModuleVersion.
using RelayDeskImageModuleEntry = const RelayDeskImageModuleApi *(*)();
}

inline constexpr int kRelayDeskImageModuleVersion = 1;
inline constexpr char kRelayDeskImageModuleEntry[] = "relaydesk_image_module";
