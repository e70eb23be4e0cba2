target_link_libraries(${exe} PRIVATE pgwarden_deps)
