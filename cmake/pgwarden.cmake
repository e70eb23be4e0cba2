# Helper functions shared by lib/, apps/ and tests/.

# The stable third-party headers precompiled for targets that use Asio/Beast.
set(PGWARDEN_PCH_HEADERS
  <boost/asio.hpp> <boost/beast/core.hpp> <boost/beast/http.hpp>
  <boost/json.hpp>)

# pgwarden_use_pch(TARGET): precompile the third-party headers for TARGET.
# Project headers are never precompiled: that would hide missing includes.
function(pgwarden_use_pch target)
  if(PGWARDEN_PCH)
    target_precompile_headers(${target} PRIVATE ${PGWARDEN_PCH_HEADERS})
  endif()
endfunction()

# pgwarden_add_daemon(NAME DCS_HEADER DCS_TYPE)
# Generates a daemon binary that instantiates ha::engine with the given DCS
# client type at compile time. A deployment may call it with its own
# combination, for example:
#   pgwarden_add_daemon(pgwarden-etcd3 pgwarden/dcs/etcd3/client.hpp pgwarden::dcs::etcd3::client)
function(pgwarden_add_daemon name dcs_header dcs_type)
  set(gen "${CMAKE_CURRENT_BINARY_DIR}/${name}_inst")
  file(MAKE_DIRECTORY "${gen}")
  configure_file("${PROJECT_SOURCE_DIR}/apps/common/daemon_main.cpp.in" "${gen}/main.cpp" @ONLY)
  add_executable(${name} "${gen}/main.cpp")
  target_link_libraries(${name} PRIVATE pgwarden_daemon)
  pgwarden_use_pch(${name})
endfunction()
