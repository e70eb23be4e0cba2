// The compiled part of pgwarden's core module (see lib/CMakeLists.txt).
#include <pgwarden/core/src.hpp>
