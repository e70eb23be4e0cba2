// The compiled part of pgwarden's pg module (see lib/CMakeLists.txt).
#include <pgwarden/pg/src.hpp>
