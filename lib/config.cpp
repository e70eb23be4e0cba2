// The compiled part of pgwarden's config module (see lib/CMakeLists.txt).
#include <pgwarden/config/src.hpp>
