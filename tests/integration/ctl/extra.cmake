# integ_ctl runs pgwardenctl and Debian's patronictl against a live
# three-node pgwarden-etcd3 cluster: build both binaries first.
add_dependencies(${exe} pgwarden-etcd3 pgwardenctl)
target_link_libraries(${exe} PRIVATE Boost::json)
target_compile_definitions(${exe} PRIVATE
  PGWARDEN_ETCD3_BIN="$<TARGET_FILE:pgwarden-etcd3>"
  PGWARDENCTL_BIN="$<TARGET_FILE:pgwardenctl>")
