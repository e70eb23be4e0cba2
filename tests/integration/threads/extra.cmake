# integration_threads runs the real daemon: build it first and tell the test
# where it is (PGWARDEN_ETCD3_BIN in the environment overrides the path).
# The test's own sampler is a std::thread (tests may have threads).
find_package(Threads REQUIRED)
add_dependencies(${exe} pgwarden-etcd3)
target_link_libraries(${exe} PRIVATE Threads::Threads)
target_compile_definitions(${exe} PRIVATE PGWARDEN_ETCD3_BIN="$<TARGET_FILE:pgwarden-etcd3>")
