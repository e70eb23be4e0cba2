# bench/sim_throughput: node-cycles per second of the level-1 simulator.
# Include from bench/CMakeLists.txt with: include(${CMAKE_CURRENT_SOURCE_DIR}/sim.cmake)
include(${PROJECT_SOURCE_DIR}/tests/sim/sim_lib.cmake)
add_executable(sim_throughput ${CMAKE_CURRENT_LIST_DIR}/sim_throughput.cpp
  ${PROJECT_SOURCE_DIR}/tests/support/marks.cpp)
target_include_directories(sim_throughput PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(sim_throughput PRIVATE pgwarden_sim)

# bench/sim_fingerprint: one line per swarm seed (verdict, decide calls, hash of
# every decision), to prove that a performance change keeps the simulation the same.
add_executable(sim_fingerprint ${CMAKE_CURRENT_LIST_DIR}/sim_fingerprint.cpp
  ${PROJECT_SOURCE_DIR}/tests/support/marks.cpp)
target_include_directories(sim_fingerprint PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(sim_fingerprint PRIVATE pgwarden_sim)
