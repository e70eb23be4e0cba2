target_link_libraries(${exe} PRIVATE pgwarden_deps)
# GCC 12 warns -Wmismatched-new-delete about Asio's awaitable frames (their class-specific
# operator new/delete recycle memory through a thread-local cache) once engine::run() is
# inlined into this TU: a known false positive for coroutine frames. Only this test TU.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(${exe} PRIVATE -Wno-mismatched-new-delete)
endif()
