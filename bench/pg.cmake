# pgwarden-write-gap: the longest interval without a successful commit, seen by a
# client, during a switchover or failover (include from bench/CMakeLists.txt).
add_executable(pgwarden-write-gap ${CMAKE_CURRENT_LIST_DIR}/write_gap.cpp)
target_link_libraries(pgwarden-write-gap PRIVATE PostgreSQL::PostgreSQL)
