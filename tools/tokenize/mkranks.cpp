// Build-time converter: <name>.tiktoken (base64 token, space, rank per line) -> pre-built rank table
// (see core/tokenize/ranktable.h). Built for the host by CMake and run on the verified rank files
// fetched from npm; the output is embedded into relaydesk_tokenize. With TABLES.bin, also the tables derived
// from it (short-token tables and span filter, core/tokenize/prebuilttables.h), embedded beside it.
//
// usage: mkranks INPUT.tiktoken OUTPUT.bin [TABLES.bin]
#include "tokenize/prebuilttables.h"
#include "tokenize/ranktablebuilder.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

static bool write(const char *path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out)
        std::cerr << "mkranks: cannot write " << path << "\n";
    return bool(out);
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        std::cerr << "usage: mkranks INPUT.tiktoken OUTPUT.bin [TABLES.bin]\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "mkranks: cannot read " << argv[1] << "\n";
        return 1;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string error;
    const std::string blob = RelayDesk::Tokenize::Detail::buildRankTable(text, &error);
    if (blob.empty()) {
        std::cerr << "mkranks: " << argv[1] << ": " << error << "\n";
        return 1;
    }
    if (!write(argv[2], blob))
        return 1;
    if (argc == 4) {
        const auto *rankBlob = reinterpret_cast<const unsigned char *>(blob.data());
        if (!write(argv[3], RelayDesk::Tokenize::Detail::buildPrebuiltTables(rankBlob)))
            return 1;
    }
    return 0;
}
