# The ZooKeeper test server helper (tests/support/zookeeper.cpp) is compiled
# here, so the shared support library needs no change.
target_sources(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support/zookeeper.cpp)
