# The chat relay on top of the HTTP server (included from core/relay/CMakeLists.txt).
target_sources(relaydesk_relay PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/sseparser.cpp ${CMAKE_CURRENT_LIST_DIR}/sseparser.h
    ${CMAKE_CURRENT_LIST_DIR}/usageparser.cpp ${CMAKE_CURRENT_LIST_DIR}/usageparser.h
    ${CMAKE_CURRENT_LIST_DIR}/jsoncount.h ${CMAKE_CURRENT_LIST_DIR}/strictcounts.h
    ${CMAKE_CURRENT_LIST_DIR}/holdparameters.cpp ${CMAKE_CURRENT_LIST_DIR}/holdparameters.h
    ${CMAKE_CURRENT_LIST_DIR}/usageceilings.cpp ${CMAKE_CURRENT_LIST_DIR}/usageceilings.h
    ${CMAKE_CURRENT_LIST_DIR}/upstreamclient.cpp ${CMAKE_CURRENT_LIST_DIR}/upstreamclient.h
    ${CMAKE_CURRENT_LIST_DIR}/channelselector.cpp ${CMAKE_CURRENT_LIST_DIR}/channelselector.h
    ${CMAKE_CURRENT_LIST_DIR}/secretscrubber.cpp ${CMAKE_CURRENT_LIST_DIR}/secretscrubber.h
    ${CMAKE_CURRENT_LIST_DIR}/auth.cpp ${CMAKE_CURRENT_LIST_DIR}/auth.h
    ${CMAKE_CURRENT_LIST_DIR}/chatrelaytokens.cpp ${CMAKE_CURRENT_LIST_DIR}/chatrelaytokens.h
    ${CMAKE_CURRENT_LIST_DIR}/chatrelay.cpp ${CMAKE_CURRENT_LIST_DIR}/chatrelay.h
    ${CMAKE_CURRENT_LIST_DIR}/demoupstream.cpp ${CMAKE_CURRENT_LIST_DIR}/demoupstream.h
)
target_link_libraries(relaydesk_relay PUBLIC relaydesk_billing relaydesk_tokenize relaydesk_monitor relaydesk_store)
find_package(CURL REQUIRED) # Debian: libcurl4-openssl-dev
target_link_libraries(relaydesk_relay PRIVATE CURL::libcurl)
