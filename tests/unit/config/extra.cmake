target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/apps)
