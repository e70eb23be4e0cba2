# unit_ctl tests apps/pgwardenctl/format.cpp, compiled in here.
target_sources(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/apps/pgwardenctl/format.cpp)
target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/apps/pgwardenctl)
target_link_libraries(${exe} PRIVATE pgwarden_config Boost::json)
