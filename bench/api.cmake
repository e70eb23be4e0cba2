# The REST API benchmark (include from bench/CMakeLists.txt). Needs `wrk`.
add_executable(pgwarden-api-bench ${CMAKE_CURRENT_LIST_DIR}/api_bench.cpp)
target_include_directories(pgwarden-api-bench PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(pgwarden-api-bench PRIVATE pgwarden_api Threads::Threads)
