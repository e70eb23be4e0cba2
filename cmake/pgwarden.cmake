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

# pgwarden_add_daemon(NAME BINDING_HEADER BINDING_TYPE)
# Generates a daemon binary that instantiates the HA engine with a DCS binding
# (a struct naming the dcs::client model and how to build it from the config)
# at compile time. A deployment may call it with its own combination, e.g.
#   pgwarden_add_daemon(pgwarden-etcd3 pgwarden-etcd3/binding.hpp pgwarden::apps::etcd3_binding)
# BINDING_HEADER is found relative to apps/ (or any include directory).
function(pgwarden_add_daemon name binding_header binding_type)
  set(PGWARDEN_DAEMON_NAME ${name})
  set(PGWARDEN_BINDING_HEADER ${binding_header})
  set(PGWARDEN_BINDING ${binding_type})
  set(gen "${CMAKE_CURRENT_BINARY_DIR}/${name}_main.cpp")
  configure_file("${PROJECT_SOURCE_DIR}/apps/common/daemon_main.cpp.in" "${gen}" @ONLY)
  add_executable(${name} "${gen}")
  target_link_libraries(${name} PRIVATE pgwarden_apps pgwarden_daemon)
  target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}/apps")
  # Footprint: the C++ runtime linked in, unused shared libraries dropped
  # (apps/common/CMakeLists.txt, docs/notes/footprint.md). Symbols are all
  # bound at start-up (full RELRO): no lazy binding in ld.so at run time
  # brings its pages back after the start-up pages were released.
  if(PGWARDEN_STATIC_CXX_RUNTIME_ACTIVE)
    target_link_options(${name} PRIVATE -static-libstdc++ -static-libgcc LINKER:--as-needed)
  endif()
  target_link_options(${name} PRIVATE LINKER:-z,relro LINKER:-z,now)
  pgwarden_use_pch(${name})
endfunction()
