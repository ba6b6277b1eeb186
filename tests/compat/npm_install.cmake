# npm ci into the build dir, skipped when node_modules was installed from this very package-lock.json (cache):
# a stamp holding the lock's SHA-256 is written after a successful npm ci, so a change to any pinned package
# (or to the lock's integrity hashes) reinstalls everything.
file(SHA256 ${DIR}/package-lock.json _want)
set(_stamp ${DIR}/node_modules/.relaydesk-lock.sha256)
set(_have "")
if(EXISTS ${_stamp})
    file(READ ${_stamp} _have)
    string(STRIP "${_have}" _have)
endif()
if(_have STREQUAL _want AND IS_DIRECTORY ${DIR}/node_modules)
    message(STATUS "node_modules in ${DIR} already installed from package-lock.json ${_want}")
    return()
endif()
file(REMOVE ${_stamp})
execute_process(COMMAND ${NPM} ci --ignore-scripts --no-audit --no-fund
                WORKING_DIRECTORY ${DIR} RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "npm ci failed (${_rc})")
endif()
file(WRITE ${_stamp} "${_want}\n")
