# Realtime relay (issue 6): sessions over WebSocket with per-response accounting, the demo Realtime upstream,
# and the lead's meter / JSON peek / TLS material. Included at the end of core/relay/CMakeLists.txt.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
target_sources(relaydesk_relay PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/jsonpeek.cpp ${CMAKE_CURRENT_LIST_DIR}/jsonpeek.h
    ${CMAKE_CURRENT_LIST_DIR}/realtimemeter.cpp ${CMAKE_CURRENT_LIST_DIR}/realtimemeter.h
    ${CMAKE_CURRENT_LIST_DIR}/tlsmaterial.cpp ${CMAKE_CURRENT_LIST_DIR}/tlsmaterial.h
    ${CMAKE_CURRENT_LIST_DIR}/realtimepricing.cpp ${CMAKE_CURRENT_LIST_DIR}/realtimepricing.h
    ${CMAKE_CURRENT_LIST_DIR}/realtimeaccount.cpp ${CMAKE_CURRENT_LIST_DIR}/realtimeaccount.h
    ${CMAKE_CURRENT_LIST_DIR}/realtimesession.cpp ${CMAKE_CURRENT_LIST_DIR}/realtimesession.h
    ${CMAKE_CURRENT_LIST_DIR}/realtimerelay.cpp ${CMAKE_CURRENT_LIST_DIR}/realtimerelay.h
    ${CMAKE_CURRENT_LIST_DIR}/demorealtime.cpp ${CMAKE_CURRENT_LIST_DIR}/demorealtime.h
)
target_link_libraries(relaydesk_relay PUBLIC relaydesk_monitor relaydesk_billing relaydesk_store)
target_link_libraries(relaydesk_relay PRIVATE OpenSSL::Crypto)
