// The compiled part of pgwarden's ha module (see lib/CMakeLists.txt).
#include <pgwarden/ha/src.hpp>
