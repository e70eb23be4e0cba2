// The compiled part of pgwarden's api module (see lib/CMakeLists.txt).
#include <pgwarden/api/src.hpp>
