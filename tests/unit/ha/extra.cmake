# decide() uses PGWARDEN_MARK; the library is built without PGWARDEN_MARKS, so
# the tests compile the ha sources once more with marks on. The objects in the
# executable take precedence over the archive members of pgwarden_ha.
target_sources(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/lib/ha.cpp)
