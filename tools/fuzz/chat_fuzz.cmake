# The chat-request fuzz target (issue 4), included from tools/fuzz/CMakeLists.txt. It reuses the main build's
# embedded rank tables (RELAYDESK_BUILD_DIR), so the fuzz build needs no second npm fetch.
if(NOT RELAYDESK_BUILD_DIR OR NOT EXISTS ${RELAYDESK_BUILD_DIR}/core/tokenize/ranks_embed.cpp)
    message(STATUS "fuzz_chat_request: RELAYDESK_BUILD_DIR with a built tokenizer is needed; target skipped")
    return()
endif()
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBAV REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil)
find_package(simdjson REQUIRED)
set(_tok ${RELAYDESK_ROOT}/core/tokenize)
add_executable(fuzz_chat_request
    ${CMAKE_CURRENT_LIST_DIR}/fuzz_chat_request.cpp
    ${RELAYDESK_ROOT}/core/relay/chat/chatrelaytokens.cpp
    ${RELAYDESK_ROOT}/core/relay/sseparser.cpp
    ${RELAYDESK_ROOT}/core/relay/usageparser.cpp
    ${_tok}/encoding.cpp ${_tok}/modelmap.cpp ${_tok}/estimator.cpp ${_tok}/imagetokens.cpp
    ${_tok}/audiotokens.cpp ${_tok}/mediaduration.cpp ${_tok}/chatestimate.cpp ${_tok}/textcountcache.cpp
    ${RELAYDESK_ROOT}/core/common/fastjson.cpp
    ${RELAYDESK_BUILD_DIR}/core/tokenize/ranks_embed.cpp
    # Image sizes: the module's code linked in, which its loader then uses instead of loading the module.
    ${RELAYDESK_ROOT}/core/imagemodule/imagemodule.cpp ${RELAYDESK_ROOT}/core/imagemodule/imagemodulemain.cpp
    ${RELAYDESK_ROOT}/core/ondemand/ondemandlibrary.cpp
)
target_compile_definitions(fuzz_chat_request PRIVATE RELAYDESK_IMAGE_MODULE_RELATIVE_PATH="")
target_include_directories(fuzz_chat_request PRIVATE ${RELAYDESK_ROOT}/core)
target_compile_definitions(fuzz_chat_request PRIVATE QT_USE_QSTRINGBUILDER)
target_compile_options(fuzz_chat_request PRIVATE ${SAN})
target_link_options(fuzz_chat_request PRIVATE ${SAN})
target_link_libraries(fuzz_chat_request PRIVATE Qt6::Core Qt6::Gui PkgConfig::LIBAV simdjson::simdjson)
