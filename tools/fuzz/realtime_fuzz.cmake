# The Realtime meter fuzz target (issue 6), included from tools/fuzz/CMakeLists.txt.
find_package(Qt6 6.4 REQUIRED COMPONENTS Core)
find_path(GMPXX_INCLUDE_DIR gmpxx.h REQUIRED)
find_library(GMPXX_LIBRARY gmpxx REQUIRED)
find_library(GMP_LIBRARY gmp REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBAV REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil)
set(CMAKE_AUTOMOC ON)
add_executable(fuzz_realtime_meter
    ${CMAKE_CURRENT_LIST_DIR}/fuzz_realtime_meter.cpp
    ${RELAYDESK_ROOT}/core/relay/realtime/realtimemeter.cpp
    ${RELAYDESK_ROOT}/core/relay/realtime/jsonpeek.cpp
    ${RELAYDESK_ROOT}/core/relay/realtime/realtimepricing.cpp
    ${RELAYDESK_ROOT}/core/relay/realtime/realtimetranscription.cpp
    ${RELAYDESK_ROOT}/core/monitor/sessionregistry.cpp
    ${RELAYDESK_ROOT}/core/monitor/sessionregistry.h
    ${RELAYDESK_ROOT}/core/billing/ratio.cpp
    ${RELAYDESK_ROOT}/core/billing/pricebook.cpp
    ${RELAYDESK_ROOT}/core/billing/quotamath.cpp
    ${RELAYDESK_ROOT}/core/common/compactjson.cpp
    ${RELAYDESK_ROOT}/core/tokenize/audiotokens.cpp
    ${RELAYDESK_ROOT}/core/tokenize/mediaduration.cpp
)
set(CMAKE_AUTOMOC OFF)
target_include_directories(fuzz_realtime_meter PRIVATE ${RELAYDESK_ROOT}/core ${GMPXX_INCLUDE_DIR})
target_compile_options(fuzz_realtime_meter PRIVATE ${SAN})
target_link_options(fuzz_realtime_meter PRIVATE ${SAN})
target_link_libraries(fuzz_realtime_meter PRIVATE Qt6::Core ${GMPXX_LIBRARY} ${GMP_LIBRARY} PkgConfig::LIBAV)
