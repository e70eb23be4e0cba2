# integration_cluster runs the real daemon: build it first and tell the
# fixture (tests/support/cluster.cpp) where it is. PGWARDEN_ETCD3_BIN in the
# environment overrides the path at run time.
add_dependencies(${exe} pgwarden-etcd3)
target_link_libraries(${exe} PRIVATE Boost::json)
target_compile_definitions(${exe} PRIVATE PGWARDEN_ETCD3_BIN="$<TARGET_FILE:pgwarden-etcd3>")
