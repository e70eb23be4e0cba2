# The level-1 simulator library (tests/sim), shared by the sim tests,
# apps/pgwarden-sim and bench/sim_throughput. Included from
# apps/pgwarden-sim/CMakeLists.txt (configured first) and from
# tests/sim/CMakeLists.txt; the guard makes it defined once.
if(NOT TARGET pgwarden_sim)
  set(_sim_dir ${PROJECT_SOURCE_DIR}/tests/sim)
  add_library(pgwarden_sim STATIC
    ${_sim_dir}/fake_dcs.cpp
    ${_sim_dir}/fake_pg.cpp
    ${_sim_dir}/checkers.cpp
    ${_sim_dir}/world.cpp
    ${_sim_dir}/swarm.cpp
    ${_sim_dir}/scenario.cpp)
  target_include_directories(pgwarden_sim PUBLIC ${_sim_dir})
  target_link_libraries(pgwarden_sim PUBLIC pgwarden_ha)
  # Marks are recorded by tests/support/marks.cpp, which the user of the
  # library links (pgwarden_test_support, or the app's own copy).
  target_compile_definitions(pgwarden_sim PUBLIC PGWARDEN_SIMULATION PGWARDEN_MARKS)
endif()
