# integration_daemon runs the real daemon binary.
add_dependencies(${exe} pgwarden-etcd3)
target_link_libraries(${exe} PRIVATE Boost::json yaml-cpp)
target_compile_definitions(${exe} PRIVATE PGWARDEN_ETCD3_BIN="$<TARGET_FILE:pgwarden-etcd3>")
